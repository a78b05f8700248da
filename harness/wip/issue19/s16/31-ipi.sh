T=/sys/kernel/debug/tracing
[ -d $T ] || mount -t tracefs nodev $T
echo 0 > $T/tracing_on
echo 2048 > $T/buffer_size_kb
ls $T/events/ipi
for e in $T/events/ipi/ipi_send_cpu $T/events/ipi/ipi_send_cpumask; do
  echo 1 > $e/enable
  echo stacktrace > $e/trigger
done
echo 1 > $T/tracing_on
heap-b2b 100 /sys/kernel/debug/deferred_free/system/stats | grep -E "^b2b(-rounds)? len 1048576" | cut -c1-400
echo 0 > $T/tracing_on
grep -c . $T/trace
grep -A12 "ipi_send" $T/trace | head -300
