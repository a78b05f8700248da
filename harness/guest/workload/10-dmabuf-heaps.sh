# The upstream dmabuf-heaps selftest (tools/testing/selftests/dmabuf-heaps),
# with vgem built in so that the import test runs too.
dmabuf-heap
