# vCPU1 kept busy by a nice 19 busy loop, on either kernel
nice -n 19 sh -c 'while :; do :; done' &
hog=$!
heap-b2b 100 /sys/kernel/debug/deferred_free/system/stats
rc=$?
kill $hog
exit $rc
