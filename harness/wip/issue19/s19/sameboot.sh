# Same-boot alternation (BENCHMARKING.md): the patched kernel's heap as the
# series ships it (S) and with its pool and deferred free off (B:
# system_heap.pool_limit_pages=0, deferred_free_helper.max_backlog_percent=0),
# in alternating blocks, B first; each block is dmabuf-pressure bench.
P=/sys/module/system_heap/parameters/pool_limit_pages
D=/sys/module/deferred_free_helper/parameters/max_backlog_percent
echo "sameboot knobs: pool $(cat $P) backlog $(cat $D)"
pool0=$(cat $P) back0=$(cat $D)
k=$(sed -n 's/.*bench_kthread=\([^ ]*\).*/\1/p' /proc/cmdline)
for r in 1 2 3 4 5 6; do
  for m in B S; do
    if [ $m = B ]; then echo 0 > $P; echo 0 > $D; else echo $pool0 > $P; echo $back0 > $D; fi
    sleep 1
    echo 3 > /proc/sys/vm/drop_caches
    dmabuf-pressure bench "${k:--}" | sed "s/^/sb $m$r /"
  done
done
true
