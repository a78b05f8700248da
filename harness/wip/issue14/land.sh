#!/bin/bash
# land.sh: the runs issue 14 still needs on branch i14 of /work/main, one
# after another (about 2 h on 2 cores with warm caches).  Logs in
# /root/s14/; a summary line per step in /root/s14/land.log.  Run it with
# setsid in the background and nothing else building.
set -u
cd /work/main || exit 1
[ "$(git branch --show-current)" = i14 ] || { echo "check out i14 first"; exit 1; }
out=/root/s14; mkdir -p $out; : >$out/land.log
step() {
	local name=$1; shift
	echo "=== $(date +%T) $name" >>$out/land.log
	"$@" >$out/$name.log 2>&1
	local rc=$?
	echo "=== $(date +%T) $name rc=$rc: $(grep -E '^[0-9]+ passed, [0-9]+ failed|FAIL:|PASS:' $out/$name.log | tail -1)" >>$out/land.log
}
stale=$(python3 harness/results_stale.py 2>&1)
grep -q '^heap-bench: STALE' <<<"$stale" && step bench make bench
grep -q '^ttm-bench: STALE' <<<"$stale" && step bench-ttm make bench-ttm
grep -q '^page-pool-perf: STALE' <<<"$stale" && step perf-pool make perf-pool
python3 harness/cover_figures.py >$out/cover-figures.log 2>&1
make export >>$out/cover-figures.log 2>&1
step check make check
step check-bisect make check-bisect
echo "=== $(date +%T) done" >>$out/land.log
