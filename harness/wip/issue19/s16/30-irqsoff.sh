T=/sys/kernel/debug/tracing
[ -d $T ] || mount -t tracefs nodev $T
echo 0 > $T/tracing_on
echo irqsoff > $T/current_tracer || echo "no irqsoff tracer"
echo 0 > $T/tracing_max_latency
echo 1 > $T/tracing_on
heap-b2b 100 /sys/kernel/debug/deferred_free/system/stats | grep -E "^b2b(-rounds)? len 1048576" | cut -c1-400
echo 0 > $T/tracing_on
echo "max latency: $(cat $T/tracing_max_latency)"
head -80 $T/trace
