# Bad input: errno of each (the table the base kernel must match).
dmabuf-pressure errno
