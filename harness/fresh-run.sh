#!/usr/bin/env bash
# fresh-run.sh: prove that "make run", the README's first command, works on an
# empty cache directory.  A new GPUPOOL_CACHE under $CACHE/fresh starts with
# nothing but a --shared clone of the imported base (importing the tarball
# again would prove nothing more and cost minutes), and "make run" must
# create everything else itself: directories, the check tree, the kernel
# build, the guest programs.  ccache is shared with the main cache
# (GPUPOOL_CCACHE; lib.sh sets CCACHE_BASEDIR), so the build costs a warm
# build's time, not a cold one's.  Prints PASS/FAIL and "counts P F".
. "$(dirname "$0")/lib.sh"

fresh="$CACHE/fresh"
log="$LOGS/fresh-run.log"
rm -rf "$fresh" "$log"
mkdir -p "$fresh"
git clone -q --bare --shared "$BASE_GIT" "$fresh/base.git" ||
	{ echo "FAIL fresh: could not clone the base into $fresh"; echo "counts 0 1"; exit 0; }
t0=$(date +%s)
rc=0
GPUPOOL_CACHE="$fresh" GPUPOOL_CCACHE="$CCACHE_DIR" GPUPOOL_TREE="$fresh/tree" \
	make -s -C "$TOP" run >"$log" 2>&1 || rc=$?
secs=$(( $(date +%s) - t0 ))
summary=$(grep -E '^run: [0-9]+ passed, [0-9]+ failed' "$log" | tail -1 || true)
if [ $rc = 0 ] && [ -n "$summary" ] && [[ "$summary" == *" 0 failed"* ]]; then
	echo "PASS fresh: make run on an empty cache directory (${secs}s; ${summary%% (*})"
	echo "counts 1 0"
	# The fresh cache's build directory is a second kernel build: do not
	# keep it.  Its logs stay with this one.
	cp "$fresh/logs/run-console.log" "$LOGS/fresh-run-console.log" 2>/dev/null || true
	rm -rf "$fresh"
else
	echo "FAIL fresh: make run on an empty cache directory exited $rc after ${secs}s: $(grep -m1 -E 'ERROR|FAIL' "$log" || tail -1 "$log") (log: $log; cache kept in $fresh)"
	echo "counts 0 1"
fi
