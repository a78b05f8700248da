# make bench, back-to-back case in the same boot (reported only): the heap
# as shipped against its base path, 8 quads of A S B S bursts of 100
# rounds per size (guest/src/heap-b2b.c "sameboot").
heap-b2b sameboot 8 100
