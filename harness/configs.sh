#!/usr/bin/env bash
# configs.sh [TREE [NAME...]]: link the kernel of TREE in the configurations
# that the page pool must build in (harness/configs/NAME.config on top of
# tinyconfig and common.config): DRM=m and DRM=n with the system heap built
# in, i386 with HIGHMEM, and arm64 built with clang (LLVM=1) with panfrost,
# the driver on the generic shmem shrinker that needs hardware to run.  A
# fragment's "# toolchain: LLVM=1" line selects clang.  Every option a fragment asks for must survive
# olddefconfig, so a dependency that drops one is an error, not a silent
# pass.  Prints "config NAME ok|FAILED"; exit status 1 if any failed.
# Without TREE (make configs): patches/ applied to the base in the check tree.
# Without NAME: every fragment of harness/configs/ but common.config.
. "$(dirname "$0")/lib.sh"

tree=${1:-}
[ $# -gt 0 ] && shift
if [ -z "$tree" ]; then
	tree=$CHECKTREE
	"$H/tree-prep.sh" "$tree" >/dev/null
	apply_series "$tree" >"$CACHE/logs/configs-apply.log" 2>&1 ||
		die "patches/ does not apply (log: $CACHE/logs/configs-apply.log)"
fi
names=("$@")
[ ${#names[@]} -gt 0 ] || mapfile -t names < <(find "$H/configs" -maxdepth 1 -name '*.config' \
	! -name common.config -printf '%f\n' | sed 's/\.config$//' | LC_ALL=C sort)
[ ${#names[@]} -gt 0 ] || die "no configuration in $H/configs"
logs="$CACHE/logs/configs"
mkdir -p "$logs"
rc=0
for n in "${names[@]}"; do
	frag="$H/configs/$n.config"
	if [ ! -f "$frag" ]; then
		echo "config $n FAILED (no $frag)"
		rc=1
		continue
	fi
	arch=${n%%-*}
	o="$BUILD/cfg-$n"
	log="$logs/$n.log"
	mk=(make -C "$tree" O="$o" ARCH="$arch" CC="ccache gcc" -j"$JOBS")
	grep -qx '# toolchain: LLVM=1' "$frag" &&
		mk=(make -C "$tree" O="$o" ARCH="$arch" LLVM=1 CC="ccache clang" -j"$JOBS")
	(
		mkdir -p "$o"
		"${mk[@]}" tinyconfig >/dev/null &&
		(cd "$o" && "$tree/scripts/kconfig/merge_config.sh" -m -O "$o" .config \
			"$H/configs/common.config" "$frag" >/dev/null) &&
		"${mk[@]}" olddefconfig >/dev/null || exit 1
		# Every option asked for must be there as asked.
		miss=$(cat "$H/configs/common.config" "$frag" | grep -E '^(CONFIG_|# CONFIG_)' |
			while read -r l; do
				case "$l" in
				'# '*) o2=${l#\# }; o2=${o2%% *}; if grep -q "^$o2=" "$o/.config"; then echo "$o2 set"; fi ;;
				*) grep -qxF "$l" "$o/.config" || echo "$l missing" ;;
				esac
			done; true)
		[ -z "$miss" ] || { echo "options lost in olddefconfig: $miss"; exit 1; }
		grep -q '^CONFIG_DRM_PAGE_POOL=y' "$o/.config" || { echo "DRM_PAGE_POOL not built in"; exit 1; }
		"${mk[@]}" vmlinux modules
	) >"$log" 2>&1 && crc=0 || crc=$?
	if [ $crc = 0 ] && [ -f "$o/vmlinux" ]; then
		echo "config $n ok"
	else
		echo "config $n FAILED (log: $log)"
		tail -5 "$log" | sed 's/^/    /'
		rc=1
	fi
done
exit $rc
