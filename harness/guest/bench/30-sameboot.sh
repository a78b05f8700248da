# make bench, same-boot part: the heap as shipped against its base path in
# one boot (guest/src/dmabuf-pressure.c "sameboot"); sb_quads= on the
# command line sets the number of quads (48 by default).
q=$(sed -n 's/.*sb_quads=\([0-9]*\).*/\1/p' /proc/cmdline)
dmabuf-pressure sameboot "${q:-48}" 20
