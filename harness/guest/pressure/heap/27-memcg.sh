# Heap buffers and memory cgroups (issue 14 item 2).  A process in a
# cgroup v2 group with memory.max = 64 MiB allocates 1 MiB heap buffers
# until the heap refuses one, at most 128 MiB, while a sentinel holding
# 8 MiB of anonymous memory waits outside the group; then it closes them.
# With dma_heap.mem_accounting=1 (the memcg set: pressure.sh memcg) the
# buffers are charged to the group: the heap refuses at about 64 MiB with
# ENOMEM, memory.current shows the charge and drops at once when the
# buffers are closed, nobody is OOM-killed; the fill workload run in such
# a group ends in ENOMEM too.  With accounting off (the heap set's default
# boot, and the base kernel) nothing is charged: all 128 MiB are
# allocated and memory.current does not move.  The judge knows which boot
# it reads from the set.  The shell stays out of the OOM killer's reach.
oom() { awk '/^oom_kill / {print $2}' /proc/vmstat; }
ev() { awk -v k="$2" '$1 == k {print $2}' "$1/memory.events"; }
echo -1000 >/proc/$$/oom_score_adj
cg=/sys/fs/cgroup
[ -f $cg/cgroup.controllers ] || mount -t cgroup2 cgroup2 $cg
echo +memory >$cg/cgroup.subtree_control
acct=$(cat /sys/module/dma_heap/parameters/mem_accounting 2>/dev/null || echo absent)
oom0=$(oom)
sh -c 'echo 0 >/proc/self/oom_score_adj; exec dmabuf-pressure sentinel 8' &
spid=$!
i=0
while [ $i -lt 50 ]; do
	rss=$(awk '/^VmRSS:/ {print $2}' /proc/$spid/status 2>/dev/null)
	[ "${rss:-0}" -ge 8192 ] && break
	sleep 0.1
	i=$((i + 1))
done
g=$cg/heap64
mkdir -p $g
echo 64M >$g/memory.max
echo "memcg setup accounting $acct controllers $(cat $cg/cgroup.subtree_control | tr ' ' ,) sentinel_rss_kb ${rss:-0}"
sh -c "echo 0 >/proc/self/oom_score_adj; echo \$\$ >$g/cgroup.procs; exec dmabuf-pressure memcg $g 128"
rc=$?
echo "memcg events rc $rc oom $(ev $g oom) oom_kill $(ev $g oom_kill) max $(ev $g max) current_after_exit_kb $(($(cat $g/memory.current) / 1024))"
# The fill workload in a group of its own, where the buffers are charged:
# without accounting it would fill the guest's RAM instead (the fill set).
if [ "$acct" = Y ]; then
	f=$cg/fill64
	mkdir -p $f
	echo 64M >$f/memory.max
	sh -c "echo 0 >/proc/self/oom_score_adj; echo \$\$ >$f/cgroup.procs; exec dmabuf-pressure fill" |
		sed 's/^fill /memcg fill /'
	echo "memcg fill_events oom $(ev $f oom) oom_kill $(ev $f oom_kill) current_after_exit_kb $(($(cat $f/memory.current) / 1024))"
	rmdir $f
else
	echo "memcg fill skipped accounting $acct"
fi
alive=0
kill -0 $spid 2>/dev/null && alive=1
kill $spid 2>/dev/null
wait $spid 2>/dev/null
rmdir $g
echo "memcg result sentinel_alive $alive oom_kill_before $oom0 oom_kill_after $(oom)"
