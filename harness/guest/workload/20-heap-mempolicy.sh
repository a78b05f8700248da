# The system heap honours a task's set_mempolicy(MPOL_BIND), from its pools
# and from the buddy allocator (guest/src/heap-mempolicy.c; TAP, 1..3).  With
# one memory node it prints "1..0 # SKIP needs two memory nodes".
heap-mempolicy
