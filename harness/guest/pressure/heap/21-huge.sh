# A length far beyond RAM.  On the base kernel the OOM killer kills this
# shell: every case of the heap runs in a script of its own.
dmabuf-pressure huge
