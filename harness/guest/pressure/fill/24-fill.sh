# 1 MiB buffers until the heap says no, then free them all.
dmabuf-pressure fill
