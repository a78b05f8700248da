# GPUActive and GPUReclaim of /proc/meminfo (R29) around a heap workload:
# before it, at its peak (one 32 MiB buffer allocated, checked and closed,
# and the deferred-free kthread idle, so that the pools hold its pages) and
# after drop_caches, each read after folding the per-CPU deltas
# (vm/stat_refresh), with what the pools and the deferred-free lists hold.  Lines "gpu-meminfo WHEN GPUActive KB GPUReclaim KB
# ..." for the host to judge; a field the kernel lacks reads "missing".
gpu() {
	echo 1 >/proc/sys/vm/stat_refresh
	for k in GPUActive GPUReclaim; do
		v=$(awk -v k="$k:" '$1 == k { print $2 }' /proc/meminfo)
		printf ' %s %s' "$k" "${v:-missing}"
	done
}
# GPUReclaim summed over the nodes' meminfo ("Node N GPUReclaim: KB kB")
nodes() {
	cat /sys/devices/system/node/node*/meminfo 2>/dev/null |
		awk '$3 == "GPUReclaim:" { s += $4; n++ } END { print n ? s : "missing" }'
}
stat() { cat /sys/kernel/debug/deferred_free/*/stats 2>/dev/null | awk -v k="$1:" '$1 == k { s += $2 } END { print s + 0 }'; }
idle() {
	prev=-1
	for i in $(seq 1 30); do
		q=$(stat queued_items) f=$(stat freed_items)
		[ "$q" = 0 ] && [ "$f" = "$prev" ] && return
		prev=$f
		sleep 1
	done
	echo "gpu-meminfo idle_timeout queued_items $q"
}
pools=/sys/kernel/debug/drm_page_pool/pools
page_kb=$(awk '/^KernelPageSize:/ { print $2; exit }' /proc/self/smaps)

# What the deferred-free lists still hold (counted in GPUReclaim as well)
held() { echo "queued_pages $(stat queued_pages) inflight_pages $(stat inflight_pages)"; }
pooled() { p=$(awk '/^total/ { print $2 }' $pools 2>/dev/null); echo "pools_pages ${p:-missing}"; }

idle
# Empty pools first: the workloads before this one (the dmabuf-heaps
# selftest) leave pages in them, which the buffer would be served from.
echo 3 >/proc/sys/vm/drop_caches
g=$(gpu)
echo "gpu-meminfo before$g $(pooled) $(held)"
dmabuf-pressure check-alloc gpu-meminfo 32
idle
g=$(gpu)
echo "gpu-meminfo peak$g nodes_GPUReclaim $(nodes) $(pooled) $(held) page_kb ${page_kb:-missing}"
echo 3 >/proc/sys/vm/drop_caches
g=$(gpu)
echo "gpu-meminfo after_drop_caches$g nodes_GPUReclaim $(nodes)"
grep -h 'gpu_reclaim\|gpu_active' /proc/vmstat | sed 's/^/gpu-meminfo vmstat /'
