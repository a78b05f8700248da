# One buffer of 2 x RAM.
dmabuf-pressure big
