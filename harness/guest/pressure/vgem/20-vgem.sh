# vgem buffers worth 1.5 x RAM, all mmapped, a few busy (vgem-evict.c).
vgem-evict 150
echo "oom_kill total $(awk '/^oom_kill / {print $2}' /proc/vmstat)"
