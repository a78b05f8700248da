# Freeze with items queued (issue 19 item 5): the deferred-free kthread is
# freezable.  With one normal-priority busy loop per CPU (the kthread is
# SCHED_IDLE and hardly runs), 1-8 MiB buffers are allocated and closed
# in the background for 8 s; once the backlog holds items (polled, at most
# 5 s) the freezer test of system sleep runs while the churn goes on
# (pm_test "freezer", suspend-to-idle: the tasks are frozen, 1 s passes,
# they are thawed).  The backlog is read while the churn runs: read after
# it ended, the kthread had sometimes drained it already (0 items queued,
# and the freezer test then proved nothing about a queued backlog).
# Wanted: the write to /sys/power/state
# succeeds and the kernel reports no task that refused to freeze; items
# were queued before it; once the hogs stop the backlog drains (within
# 30 s); a new buffer is allocated, all zero.  SKIP with the reason when
# the kernel lacks CONFIG_PM_DEBUG (no /sys/power/pm_test) or suspend to
# idle (no "freeze" in /sys/power/state).
if [ ! -w /sys/power/pm_test ]; then
	echo "freeze skip reason no /sys/power/pm_test: the kernel lacks CONFIG_PM_SLEEP or CONFIG_PM_DEBUG"
	exit 0
fi
if ! grep -qw freeze /sys/power/state; then
	echo "freeze skip reason /sys/power/state has no freeze ($(cat /sys/power/state)): the kernel lacks CONFIG_SUSPEND"
	exit 0
fi
f=/sys/kernel/debug/deferred_free/system/stats
stat() { awk -v k="$1:" '$1 == k { print $2 }' $f 2>/dev/null; }
stats() {
	if [ -r $f ]; then
		echo "freeze $1 queued_items $(stat queued_items) queued_pages $(stat queued_pages) freed_items $(stat freed_items) batches $(stat batches)"
	else
		echo "freeze $1 stats absent"
	fi
}
up_ms() { awk '{ printf "%d\n", $1 * 1000 }' /proc/uptime; }
n=$(grep -c ^processor /proc/cpuinfo)
pids=
i=0
while [ $i -lt "$n" ]; do
	sh -c 'while :; do :; done' &
	pids="$pids $!"
	i=$((i + 1))
done
# Should this script die, the hogs must not outlive it
(sleep 120; kill $pids) 2>/dev/null &
guard=$!
echo "freeze hogs $n"
dmabuf-pressure queue 8 1 8 &
churn=$!
t0=$(up_ms)
w=0
line=$(stats before)
while :; do
	case "$line" in
	*"queued_items 0 "* | *"queued_items  "*) ;;
	*) break ;;
	esac
	[ $w -lt 5000 ] || break
	sleep 0.05
	w=$(($(up_ms) - t0))
	line=$(stats before)
done
echo "$line polled_ms $w"
echo 1 >/sys/module/suspend/parameters/pm_test_delay 2>/dev/null
echo freezer >/sys/power/pm_test
dmesg -c >/dev/null
t0=$(up_ms)
echo freeze >/sys/power/state
rc=$?
t1=$(up_ms)
echo none >/sys/power/pm_test
# Right after the thaw, the hogs running again: what the kthread still
# had queued when it froze is (nearly all) still there
stats after_thaw
refused=$(dmesg | grep -cE 'Freezing .* (failed|aborted)|refusing to freeze')
kfrozen=$(dmesg | grep -c 'Freezing remaining freezable tasks completed')
echo "freeze test rc $rc ms $((t1 - t0)) refused_lines $refused kthreads_frozen $kfrozen"
wait $churn
kill $pids 2>/dev/null
kill $guard 2>/dev/null
wait 2>/dev/null
t0=$(up_ms)
w=0
if [ -r $f ]; then
	while [ "$(stat queued_items)" != 0 ] && [ $w -lt 30000 ]; do
		sleep 0.1
		w=$(($(up_ms) - t0))
	done
fi
stats drained
echo "freeze drain waited_ms $w"
dmabuf-pressure check-alloc freeze 8
