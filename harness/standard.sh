#!/usr/bin/env bash
# standard.sh TREE OUTDIR: the KUnit runs the DRM maintainers and CI bots
# make with the stock kunit.py, on one node, beside the filtered boots of
# kunit.sh:
#
#   uml     kunit.py run with its defaults (UML; DMA and PCI come from
#           kunit's arch_uml.config through UML_PCI_OVER_VIRTIO) on the DRM,
#           TTM, dma-buf heap and panfrost kunitconfig directories at once,
#           built in $BUILD/uml.
#   x86_64  one boot, no --filter, of the harness's KUnit kernel
#           ($BUILD/kunit, which "kunit.sh TREE build" builds or finds
#           built), with kunit.sh's arguments: every suite on one node,
#           those of harness/kunit/numa-suites included.
#
# Each run leaves in OUTDIR: RUN.json (kunit.py --json), console-RUN.log
# (the console: the build directory's test.log) and RUN.out (kunit.py's own
# output); RUN.no-boot, saying why, if kunit.py booted no kernel (it did
# not build).
# Results kunit.py could not parse (kunit_standard.py infra) are an
# infrastructure failure: the run is made once more, the first attempt's
# files kept as RUN.attempt1.*, console-RUN.attempt1.log, and its reason
# in RUN.retried.  Judging is kunit_standard.py's job: this script exits 0
# unless it failed itself.  STANDARD_RUNS (default "uml x86_64") limits the
# runs; the judge fails a run that left nothing.
. "$(dirname "$0")/lib.sh"

[ $# = 2 ] || die "usage: standard.sh TREE OUTDIR"
tree=$1 out=$2
[ -f "$tree/tools/testing/kunit/kunit.py" ] || die "$tree has no tools/testing/kunit/kunit.py: not a kernel tree"
mkdir -p "$out"
out=$(cd "$out" && pwd)
for r in uml x86_64; do
	rm -f "$out/$r".{json,out,no-boot,retried,build.log} "$out/$r".attempt1.{json,out} \
		"$out/console-$r.log" "$out/console-$r.attempt1.log"
done
kp=(python3 tools/testing/kunit/kunit.py)
make_args=(--make_options "CC=ccache gcc" --jobs "$JOBS")

# attempt RUN BDIR KUNIT.PY-ARGS...: one kunit.py invocation in TREE.
attempt() {
	local run=$1 bdir=$2 rc=0 t
	shift 2
	rm -f "$out/$run.json" "$out/console-$run.log" "$bdir/test.log"
	t=$(date +%s)
	(cd "$tree" && "$@" --json="$out/$run.json") >"$out/$run.out" 2>&1 </dev/null || rc=$?
	say "standard.sh: kunit.py exit status $rc, $(( $(date +%s) - t ))s" >>"$out/$run.out"
	cp "$bdir/test.log" "$out/console-$run.log" 2>/dev/null || true
	say "standard ($run): kunit.py exited with status $rc after $(( $(date +%s) - t ))s"
}
# run_once_more RUN BDIR KUNIT.PY-ARGS...: an attempt, and a second one if
# the first left results kunit.py could not parse.  kunit.py boots only a
# kernel it has (configured and built for "run"): without its "Starting
# KUnit Kernel" there was no boot to retry.
run_once_more() {
	local run=$1 why
	attempt "$@"
	if ! grep -q 'Starting KUnit Kernel' "$out/$run.out"; then
		why=$(grep -E 'error|Error|ERROR|Traceback' "$out/$run.out" | tail -1 || true)
		say "kunit.py stopped before booting a kernel: ${why:-$(tail -2 "$out/$run.out" | head -1)} (log: $out/$run.out)" \
			>"$out/$run.no-boot"
		cat "$out/$run.no-boot"
		return 0
	fi
	why=$(python3 "$H/kunit_standard.py" infra "$out" "$run") && return 0
	say "standard ($run): infrastructure failure: $why; once more"
	mv "$out/$run.out" "$out/$run.attempt1.out"
	[ ! -e "$out/$run.json" ] || mv "$out/$run.json" "$out/$run.attempt1.json"
	[ ! -e "$out/console-$run.log" ] || mv "$out/console-$run.log" "$out/console-$run.attempt1.log"
	printf '%s\n' "$why" >"$out/$run.retried"
	attempt "$@"
}

for run in ${STANDARD_RUNS:-uml x86_64}; do
	case $run in
	uml)
		step "standard (uml): kunit.py run (UML, defaults) in $BUILD/uml"
		mkdir -p "$BUILD/uml"
		args=(run --kunitconfig=drivers/gpu/drm/tests --kunitconfig=drivers/gpu/drm/ttm/tests
			--kunitconfig=drivers/dma-buf/heaps/tests --kunitconfig=drivers/gpu/drm/panfrost/tests
			--build_dir="$BUILD/uml" "${make_args[@]}")
		run_once_more uml "$BUILD/uml" nice -n 10 "${kp[@]}" "${args[@]}"
		;;
	x86_64)
		step "standard (x86_64): one unfiltered boot of $BUILD/kunit"
		# The kernel kunit.sh builds (a no-op when it is built): never a
		# kernel of its own.
		if ! env -u KUNIT_BDIR "$H/kunit.sh" "$tree" build >"$out/x86_64.build.log" 2>&1; then
			say "kunit.sh $tree build failed, no kernel to boot: $(tail -1 "$out/x86_64.build.log") (log: $out/x86_64.build.log)" \
				>"$out/x86_64.no-boot"
			cat "$out/x86_64.no-boot"
			continue
		fi
		# kunit.sh's arguments, its .kunitconfig files of the series
		# included, and no --filter.
		args=(exec --arch=x86_64 --build_dir="$BUILD/kunit" --kunitconfig="$H/kunit/gpu.kunitconfig")
		while read -r f; do
			case "$f" in */.kunitconfig) [ -f "$tree/$f" ] && args+=(--kunitconfig="$tree/$f") ;; esac
		done < <(series_files)
		args+=(--qemu_config="$H/kunit/x86_64-smp2.py" --timeout 600)
		run_once_more x86_64 "$BUILD/kunit" "${kp[@]}" "${args[@]}"
		;;
	*) die "STANDARD_RUNS: unknown run '$run' (runs: uml x86_64)" ;;
	esac
done
