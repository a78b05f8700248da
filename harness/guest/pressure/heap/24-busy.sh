# Busy CPUs (issue 19): one busy loop at normal priority per online CPU, so
# that the deferred-free kthread (SCHED_IDLE) hardly runs, while 8-64 MiB
# buffers are allocated and closed back to back for 20 s.  Then, with the
# hogs still running: the deferred-free backlog's high-water mark and its
# cap (debugfs; "stats absent" on the base kernel, which has no
# deferred free: its backlog is 0) and an anonymous allocation of
# RAM - cap - 10% of RAM, every page written.
oom() { awk '/^oom_kill / {print $2}' /proc/vmstat; }
oom0=$(oom)
n=$(grep -c ^processor /proc/cpuinfo)
pids=
i=0
while [ $i -lt "$n" ]; do
	sh -c 'while :; do :; done' &
	pids="$pids $!"
	i=$((i + 1))
done
# Should this script die (the OOM killer), the hogs must not outlive it and
# starve the rest of the run.
(sleep 240; kill $pids) 2>/dev/null &
guard=$!
echo "busy hogs $n"
dmabuf-pressure busy 20 8 64
f=/sys/kernel/debug/deferred_free/system/stats
if [ -r $f ]; then
	cap=$(awk '$1 == "cap_pages:" {print $2}' $f)
	max=$(awk '$1 == "max_queued_pages:" {print $2}' $f)
	q=$(awk '$1 == "queued_pages:" {print $2}' $f)
	echo "busy stats present cap_pages ${cap:-absent} max_queued_pages ${max:-absent} queued_pages ${q:-absent}"
else
	echo "busy stats absent cap_pages 0 max_queued_pages 0 queued_pages 0"
fi
case "$cap" in '' | *[!0-9]*) cap=0 ;; esac
ram_kb=$(awk '/^MemTotal:/ {print $2}' /proc/meminfo)
cap_kb=$((cap * 4))
anon_kb=$((ram_kb - cap_kb - ram_kb / 10))
echo "busy ram_kb $ram_kb cap_kb $cap_kb anon_kb $anon_kb"
dmabuf-pressure anon $((anon_kb * 1024))
alive=0
for p in $pids; do kill -0 "$p" 2>/dev/null && alive=$((alive + 1)); done
kill $pids 2>/dev/null
kill $guard 2>/dev/null
wait 2>/dev/null
echo "busy oom_kill_before $oom0 oom_kill_after $(oom) hogs $n hogs_alive_after_anon $alive"
