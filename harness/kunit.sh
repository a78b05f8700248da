#!/usr/bin/env bash
# kunit.sh TREE CONFIG OUTDIR: build and run the KUnit set in TREE under QEMU.
#   CONFIG "default": harness/kunit/gpu.kunitconfig
#   CONFIG "debug":   plus harness/kunit/debug.config (KASAN, lockdep, kmemleak,
#                     ...); booted with an initramfs that runs a kmemleak scan
#                     after the tests, since kunit.py reboots right after them.
# kunit.sh ... with KUNIT_MODULES="DIR...": the debug boot also loads those
#   external modules (built with M=), as the self-test's planted leak.
# kunit.sh TREE build: only build the default kernel (make run boots it), in
#   $KUNIT_BDIR if set (the base kernel of the controls and benchmarks).
#
# The suites of harness/kunit/numa-suites run in a second boot of the same
# kernel with two NUMA nodes; in the debug kernel, each module of
# harness/kunit/report-suites in a boot of its own (console-reportN.log,
# with the report it must show in reportN.expect).  Writes
# OUTDIR/kunit*.json and OUTDIR/console*.log.  Exit status: 0 if every
# boot produced its results (judging is kunit_results.py's job), 1 if the
# kernel did not build, 2 if it built but a boot left no results (no or an
# empty JSON file, or no console log).  Any other status: this script
# itself failed.
. "$(dirname "$0")/lib.sh"

tree=$1 cfg=$2 out=${3:-}
build_only=0
[ "$cfg" = build ] && { cfg=default build_only=1; }
bdir="$BUILD/kunit"
[ "$cfg" = default ] || bdir="$BUILD/kunit-$cfg"
[ $build_only = 0 ] || bdir=${KUNIT_BDIR:-$bdir}
kp="python3 tools/testing/kunit/kunit.py"
args=(--arch=x86_64 --build_dir="$bdir" --kunitconfig="$H/kunit/gpu.kunitconfig")
[ "$cfg" = default ] || args+=(--kunitconfig="$H/kunit/$cfg.config")
# The debug kernel also builds the series' own tests that provoke a report
# on purpose (harness/kunit/debug-series.config), when the tree defines
# every option there: the base kernel of make baseline does not.
if [ "$cfg" != default ] && [ -f "$H/kunit/$cfg-series.config" ]; then
	have_all=1
	while read -r line; do
		case "$line" in
		CONFIG_*=*)
			sym=${line%%=*}
			grep -rqs --include='Kconfig*' "^config ${sym#CONFIG_}\$" "$tree/drivers" ||
				have_all=0 ;;
		esac
	done <"$H/kunit/$cfg-series.config"
	[ $have_all = 0 ] || args+=(--kunitconfig="$H/kunit/$cfg-series.config")
fi
# Suites the series adds come with their own .kunitconfig.
while read -r f; do
	case "$f" in */.kunitconfig) [ -f "$tree/$f" ] && args+=(--kunitconfig="$tree/$f") ;; esac
done < <(series_files)
make_args=(--make_options "CC=ccache gcc" --jobs "$JOBS")
q1=(--qemu_config="$H/kunit/x86_64-smp2.py")
q2=(--qemu_config="$H/kunit/x86_64-smp2-numa2.py")

cd "$tree"
if [ $build_only = 1 ]; then
	exec $kp build "${args[@]}" "${q1[@]}" "${make_args[@]}"
fi
mkdir -p "$out"
rm -f "$out"/kunit*.json "$out"/console*.log
$kp build "${args[@]}" "${q1[@]}" "${make_args[@]}" >"$out/kunit.out" 2>&1 ||
	{ tail -20 "$out/kunit.out"; exit 1; }

# NUMA suites present in this kernel: filtered out of the first boot, run
# alone in the second.
excl=() globs=()
while read -r mod glob; do
	case "$mod" in ''|'#'*) continue ;; esac
	# modules.builtin is written anew by every build; an object file is
	# not (one left by a build of a later prefix would plan a boot that
	# runs nothing).
	grep -q "/$mod\.ko\$" "$bdir/modules.builtin" 2>/dev/null || continue
	excl+=("module!=$mod") globs+=("$glob")
done <"$H/kunit/numa-suites"
filter=$(IFS=,; echo "${excl[*]}")
# Debug kernel: suites that provoke a report on purpose, filtered out of the
# first boot, each run in a boot of its own (harness/kunit/report-suites).
rmods=() rglobs=() rwant=()
if [ "$cfg" != default ]; then
	while read -r mod glob want; do
		case "$mod" in ''|'#'*) continue ;; esac
		[ -n "$want" ] || { say "harness/kunit/report-suites: $mod: no report regex"; exit 3; }
		if ! grep -q "/$mod\.ko\$" "$bdir/modules.builtin" 2>/dev/null; then
			# The base kernel (make baseline) lacks the series' own
			# modules; any other kernel must build every one listed.
			[ -n "${GPUPOOL_KUNIT_BASE:-}" ] && continue
			say "harness/kunit/report-suites: $mod is not built into the debug kernel"
			exit 3
		fi
		rmods+=("$mod") rglobs+=("$glob") rwant+=("$want")
		excl+=("module!=$mod")
	done <"$H/kunit/report-suites"
	filter=$(IFS=,; echo "${excl[*]}")
fi

# results_of_every_boot LOG: exit 2 (after the tail of OUTDIR/LOG) unless
# the first boot and every NUMA boot left a JSON file and a console log.
results_of_every_boot() {
	local i=0 g missing=()
	[ -s "$out/kunit.json" ] || missing+=(kunit.json)
	[ -s "$out/console.log" ] || missing+=(console.log)
	for g in "${globs[@]}"; do
		i=$((i + 1))
		[ -s "$out/kunit-numa$i.json" ] || missing+=("kunit-numa$i.json")
		[ -s "$out/console-numa$i.log" ] || missing+=("console-numa$i.log")
	done
	i=0
	for g in "${rglobs[@]}"; do
		i=$((i + 1))
		[ -s "$out/kunit-report$i.json" ] || missing+=("kunit-report$i.json")
		[ -s "$out/console-report$i.log" ] || missing+=("console-report$i.log")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	tail -20 "$out/$1" 2>/dev/null || true
	say "a boot left no results: ${missing[*]} missing or empty in $out"
	exit 2
}

# What the leak judge needs: the functions the series adds or changes, and
# the symbols of mm/, fs/ and lib/ that it looks through.
python3 "$H/series_functions.py" functions "$tree" "$(base_commit)" "$bdir/System.map" >"$out/series-functions" ||
	{ say "cannot list the functions of the series"; exit 3; }
python3 "$H/series_functions.py" lowlevel "$bdir" >"$out/lowlevel-symbols" ||
	{ say "no symbols of mm/, fs/ and lib/ in $bdir"; exit 3; }

if [ "$cfg" = default ]; then
	$kp exec "${args[@]}" "${q1[@]}" --timeout 600 ${filter:+--filter "$filter"} \
		--json="$out/kunit.json" >>"$out/kunit.out" 2>&1 || true
	cp "$bdir/test.log" "$out/console.log" 2>/dev/null || true
	i=0
	for g in "${globs[@]}"; do
		i=$((i + 1))
		$kp exec "${args[@]}" "${q2[@]}" --timeout 600 --json="$out/kunit-numa$i.json" \
			"$g" >>"$out/kunit.out" 2>&1 || true
		cp "$bdir/test.log" "$out/console-numa$i.log" 2>/dev/null || true
	done
	results_of_every_boot kunit.out
	exit 0
fi

# Debug: boot ourselves, so that kmemleak can scan after the tests.
# KUNIT_MODULES (the self-test's planted leak): external module source
# directories, built with M= against this kernel and loaded by /init
# before the scan, in the first boot.
mods=()
for src in ${KUNIT_MODULES:-}; do
	m="$CACHE/modules/$(basename "$src")"
	rm -rf "$m"
	mkdir -p "$m"
	cp -r "$src"/. "$m"/
	make -C "$tree" O="$bdir" M="$m" CC="ccache gcc" modules >>"$out/kunit.out" 2>&1 ||
		{ tail -20 "$out/kunit.out"; say "module $src did not build"; exit 3; }
	mods+=("$m"/*.ko)
done
common="console=ttyS0 tsc=unstable kunit.enable=1 kmemleak=on debug_pagealloc=on"
GUEST_MODULES="${mods[*]}" GUEST_MEM=1024 "$H/guest.sh" kmemleak "$bdir" "$out/console.log" 1800 \
	"$common${filter:+ kunit.filter=\"$filter\"}" || true
$kp parse --json="$out/kunit.json" <"$out/console.log" >"$out/kunit.parse" 2>&1 || true
i=0
for g in "${globs[@]}"; do
	i=$((i + 1))
	GUEST_MEM=2048 "$H/guest.sh" kmemleak "$bdir" "$out/console-numa$i.log" 1800 \
		"$common numa=fake=2 kunit.filter_glob=$g" || true
	$kp parse --json="$out/kunit-numa$i.json" <"$out/console-numa$i.log" >>"$out/kunit.parse" 2>&1 || true
done
i=0
for g in "${rglobs[@]}"; do
	printf '%s\n' "${rwant[$i]}" >"$out/report$((i + 1)).expect"
	i=$((i + 1))
	GUEST_MEM=1024 "$H/guest.sh" kmemleak "$bdir" "$out/console-report$i.log" 1800 \
		"$common kunit.filter_glob=$g" || true
	$kp parse --json="$out/kunit-report$i.json" <"$out/console-report$i.log" >>"$out/kunit.parse" 2>&1 || true
done
results_of_every_boot kunit.parse
exit 0
