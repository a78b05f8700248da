# control: heap-b2b beside a SCHED_IDLE busy loop (what the kthread costs the host)
idle-spin & sp=$!
sleep 1
heap-b2b 100 /sys/kernel/debug/deferred_free/system/stats
rc=$?
kill $sp
exit $rc
