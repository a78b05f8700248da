T=/sys/kernel/debug/tracing
[ -d $T ] || mount -t tracefs nodev $T
echo 0 > $T/tracing_on
echo 4096 > $T/buffer_size_kb
echo 200 > $T/tracing_thresh
echo dma_heap_ioctl > $T/set_graph_function
echo function_graph > $T/current_tracer
echo 1 > $T/options/funcgraph-proc 2>/dev/null
echo 1 > $T/tracing_on
heap-b2b 100 /sys/kernel/debug/deferred_free/system/stats | grep -E "^b2b(-rounds)? len 1048576" | cut -c1-400
echo 0 > $T/tracing_on
grep -c . $T/trace
head -300 $T/trace
