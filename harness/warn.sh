#!/usr/bin/env bash
# warn.sh TREE OUT: build the directories whose C files the series touches,
# in TREE, with sparse (C=1) and W=1, and write their warnings to OUT, one per
# line, line numbers dropped so that base and patched can be compared.
. "$(dirname "$0")/lib.sh"

tree=$1 out=$2
bdir="$BUILD/warn"
mapfile -t dirs < <(series_files | grep '\.c$' | xargs -r -n1 dirname | LC_ALL=C sort -u |
	while read -r d; do [ -d "$tree/$d" ] && echo "$d/"; done)
: >"$out"
[ ${#dirs[@]} -gt 0 ] || exit 0

mkdir -p "$bdir"
cfg=$(cat "$H/kunit/gpu.kunitconfig" "$H/kunit/warn.config")
if [ ! -f "$bdir/.config.frag" ] || [ "$(cat "$bdir/.config.frag")" != "$cfg" ] || [ ! -f "$bdir/.config" ]; then
	printf '%s\n' "$cfg" >"$bdir/.config"
	make -s -C "$tree" O="$bdir" ARCH=x86_64 CC="ccache gcc" olddefconfig >/dev/null
	printf '%s\n' "$cfg" >"$bdir/.config.frag"
fi
# Force every object of those directories to be compiled (and so checked)
# again; ccache makes the compile part cheap.
for d in "${dirs[@]}"; do
	[ -d "$bdir/$d" ] && find "$bdir/$d" -name '*.o' -delete
done
make -C "$tree" O="$bdir" ARCH=x86_64 CC="ccache gcc" C=1 W=1 -k -j"$JOBS" \
	"${dirs[@]}" >"$out.raw" 2>&1 || true
grep -E '(warning|error):' "$out.raw" |
	sed -E -e "s|^$tree/||" -e "s|^\.\./||g" -e 's|^([^:]+):[0-9]+:[0-9]+:|\1:|' -e 's|^([^:]+):[0-9]+:|\1:|' |
	LC_ALL=C sort >"$out"
