# Every kind of user mapping of a vgem object (DRM fd, dma-buf fd with and
# without a GEM handle, inherited across fork, re-imported) survives
# eviction by drop_caches and swap (vgem-mappings.c).
vgem-mappings
echo "oom_kill total $(awk '/^oom_kill / {print $2}' /proc/vmstat)"
