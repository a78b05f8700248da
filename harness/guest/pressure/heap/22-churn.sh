# Hold half of RAM in 1 MiB buffers, free it, 4 x RAM in all.
dmabuf-pressure churn 4
