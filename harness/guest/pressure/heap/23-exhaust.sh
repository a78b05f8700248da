# Exhaustion by requests that are each below RAM (issue 19 item 6; it
# replaces one buffer of 2 x RAM, which the patched kernel refuses before
# allocating anything): 8 MiB buffers, fds held, never mapped, until the
# heap refuses one.  Wanted: the refusal is ENOMEM, nobody is OOM-killed
# (a sentinel holding 8 MiB of anonymous memory, started before, is still
# alive after), and MemAvailable comes back within 10% once the buffers
# are closed (at most 30 s, for deferred freeing).  This shell is kept
# out of the OOM killer's reach (oom_score_adj -1000) so that it can
# report whatever happens; the sentinel and the allocator are not.
oom() { awk '/^oom_kill / {print $2}' /proc/vmstat; }
avail() { awk '/^MemAvailable:/ {print $2}' /proc/meminfo; }
up_ms() { awk '{ printf "%d\n", $1 * 1000 }' /proc/uptime; }
echo -1000 >/proc/$$/oom_score_adj
oom0=$(oom)
sh -c 'echo 0 >/proc/self/oom_score_adj; exec dmabuf-pressure sentinel 8' &
spid=$!
# The sentinel has written its pages once its RSS holds them
i=0
while [ $i -lt 50 ]; do
	rss=$(awk '/^VmRSS:/ {print $2}' /proc/$spid/status 2>/dev/null)
	[ "${rss:-0}" -ge 8192 ] && break
	sleep 0.1
	i=$((i + 1))
done
a0=$(avail)
echo "exhaust sentinel_pid $spid sentinel_rss_kb ${rss:-0} avail_before_kb $a0 oom_kill_before $oom0"
sh -c 'echo 0 >/proc/self/oom_score_adj; exec dmabuf-pressure exhaust 8'
rc=$?
t0=$(up_ms)
a1=$(avail)
w=0
while [ $((a1 * 100)) -lt $((a0 * 90)) ] && [ $w -lt 30000 ]; do
	sleep 0.2
	a1=$(avail)
	w=$(($(up_ms) - t0))
done
alive=0
kill -0 $spid 2>/dev/null && alive=1
kill $spid 2>/dev/null
wait $spid 2>/dev/null
echo "exhaust result rc $rc sentinel_alive $alive oom_kill_before $oom0 oom_kill_after $(oom) avail_before_kb $a0 avail_after_kb $a1 pct $((a0 ? a1 * 100 / a0 : 0)) waited_ms $w"
