#!/usr/bin/env bash
# kunit.sh TREE CONFIG OUTDIR: build and run the KUnit set in TREE under QEMU.
# kunit.sh TREE build: only build the default kernel (make run boots it).
#   CONFIG "default": harness/kunit/gpu.kunitconfig
#   CONFIG "debug":   plus harness/kunit/debug.config (KASAN, lockdep, kmemleak,
#                     ...); booted with an initramfs that runs a kmemleak scan
#                     after the tests, since kunit.py reboots right after them.
# Writes OUTDIR/kunit.json and OUTDIR/console.log.  Exit status: 0 if a result
# was produced (judging is kunit_results.py's job), 1 if the build failed.
. "$(dirname "$0")/lib.sh"

tree=$1 cfg=$2 out=${3:-}
build_only=0
[ "$cfg" = build ] && { cfg=default build_only=1; }
bdir="$BUILD/kunit${cfg#default}"
[ "$cfg" = default ] || bdir="$BUILD/kunit-$cfg"
args=(--arch=x86_64 --build_dir="$bdir" --qemu_config="$H/kunit/x86_64-smp2.py"
      --kunitconfig="$H/kunit/gpu.kunitconfig" --make_options "CC=ccache gcc"
      --jobs "$JOBS")
[ "$cfg" = default ] || args+=(--kunitconfig="$H/kunit/$cfg.config")
# Suites the series adds come with their own .kunitconfig.
while read -r f; do
	case "$f" in */.kunitconfig) [ -f "$tree/$f" ] && args+=(--kunitconfig="$tree/$f") ;; esac
done < <(series_files)

cd "$tree"
if [ $build_only = 1 ]; then
	exec python3 tools/testing/kunit/kunit.py build "${args[@]}"
fi
mkdir -p "$out"
rm -f "$out/kunit.json" "$out/console.log"
if [ "$cfg" = default ]; then
	timeout 3000 python3 tools/testing/kunit/kunit.py run "${args[@]}" --timeout 900 \
		--json="$out/kunit.json" >"$out/kunit.out" 2>&1 || true
	cp "$bdir/test.log" "$out/console.log" 2>/dev/null || true
	[ -s "$out/kunit.json" ] || { tail -20 "$out/kunit.out"; exit 1; }
	exit 0
fi

if ! timeout 3000 python3 tools/testing/kunit/kunit.py build "${args[@]}" >"$out/kunit.out" 2>&1; then
	tail -20 "$out/kunit.out"
	exit 1
fi
# Same guest as kunit.py's (harness/kunit/x86_64-smp2.py).
GUEST_MEM=1024 \
"$H/guest.sh" kmemleak "$bdir" "$out/console.log" 1800 \
	"console=ttyS0 numa=fake=2 kunit.enable=1 kmemleak=on debug_pagealloc=on panic_on_warn=0" || true
python3 tools/testing/kunit/kunit.py parse --json="$out/kunit.json" \
	<"$out/console.log" >"$out/kunit.parse" 2>&1 || true
[ -s "$out/kunit.json" ] || { tail -20 "$out/kunit.parse"; exit 1; }
