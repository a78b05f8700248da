heap-b2b 100 /sys/kernel/debug/deferred_free/system/stats
rc=$?
for p in /proc/[0-9]*; do n=$(cat $p/comm 2>/dev/null); case $n in dfree*) echo "kthread $n $(cat $p/schedstat) cpu=$(cut -d' ' -f39 $p/stat) $(grep ctxt $p/status | tr '\n' ' ')";; esac; done
exit $rc
