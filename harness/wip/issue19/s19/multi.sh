for r in 1 2 3 4 5 6; do dmabuf-pressure bench - | sed "s/^/r$r /"; done
true
