#!/usr/bin/env bash
# warn.sh TREE OUT: compile the C files the series touches, in TREE, with
# sparse (C=1) and W=1, and write their warnings to OUT, one per line, line
# numbers dropped so that base and patched can be compared.  check.sh runs it
# once on the base and once on the patched tree: both build the same way.
#
# Two builds ("legs"): x86_64 with gcc (gpu.kunitconfig + warn.config, in
# $BUILD/warn) for every touched C file, but those that
# harness/kunit/warn-no-object sends to the arm64 leg (clang, LLVM=1,
# warn-arm64.config, in $BUILD/warn-arm64: drivers that x86_64 cannot build
# even with COMPILE_TEST) or builds nowhere ("none": a file #included by
# another, say).  Each leg builds the directory of each of its files (every
# object of it the configuration enables, subdirectories included), except
# in a directory with $WARN_BIG or more C files below it (the DRM top
# directory, whose build would take in every DRM driver, and amdgpu): there
# only the touched files' objects (kbuild single-object targets).
#
# Fails closed: every touched C file present in TREE must have given its
# object in its leg's build directory, unless warn-no-object says "none" for
# it with a reason; an entry there that names no touched C file is an error
# too, and so is any "error:" line in the build (sparse checks nothing in a
# file after its first error).  OUT.raw is the build log of both legs;
# OUT.files says for each touched C file "compiled LEG", "missing LEG",
# "excepted" or "absent" (not in TREE); the last line of stdout is
# "warn: N of M touched C files compiled (...)".
. "$(dirname "$0")/lib.sh"

tree=$1 out=$2
exc_file="$H/kunit/warn-no-object"
WARN_BIG=${WARN_BIG:-100}
: >"$out"
: >"$out.raw"
: >"$out.files"

mapfile -t touched < <(series_files | grep '\.c$' || true)
# The exceptions: "PATH WHERE REASON" (WHERE: arm64 or none), # comments.
declare -A where=() reason=()
bad=0
while read -r p w r; do
	case "$p" in ''|'#'*) continue ;; esac
	if [ "$w" != arm64 ] && [ "$w" != none ]; then
		say "warn: $exc_file: $p: '$w' is neither arm64 nor none" >&2; bad=1
	elif [ -z "$r" ]; then
		say "warn: $exc_file: $p has no reason" >&2; bad=1
	elif ! grep -qxF -- "$p" <<<"$(printf '%s\n' "${touched[@]}")"; then
		say "warn: $exc_file: $p is not a C file the series touches: drop the entry" >&2; bad=1
	fi
	where[$p]=$w reason[$p]=$r
done < <(cat "$exc_file" 2>/dev/null || true)
[ $bad = 0 ] || exit 1

x86_files=() arm64_files=() nexc=0 nabsent=0
for f in "${touched[@]}"; do
	if [ ! -f "$tree/$f" ]; then	# added by the series (base) or deleted by it
		printf 'absent %s\n' "$f" >>"$out.files"
		nabsent=$((nabsent + 1))
		continue
	fi
	case "${where[$f]:-x86_64}" in
	none) printf 'excepted %s %s\n' "$f" "${reason[$f]}" >>"$out.files"; nexc=$((nexc + 1)) ;;
	arm64) arm64_files+=("$f") ;;
	*) x86_files+=("$f") ;;
	esac
done

ncomp=0 missing=() ntargets=0
# sparse (C=1) and W=1.  sparse prints no warning at all in a file after its
# first error, and sparse 0.6.4 gets the size of some packed structures
# wrong: the static assertions of amdgpu's amdgv_sriovmsg.h and
# imagination's pvr_rogue_fwif_check.h fail under it, so amdgpu and
# imagination files would be checked for nothing.  gcc and clang check every
# static assertion anyway: sparse (CF, its flags alone) skips them.
chk=(C=1 W=1 "CF=-D'_Static_assert(...)='")
# leg ARCH BDIR CONFIG... -- FILE...: configure BDIR from the CONFIG
# fragments and build FILEs' targets there with $chk (x86_64 with gcc, arm64
# with clang).
leg() {
	local name=$1 bdir=$2 f d t dropped
	local -a mk=(make -C "$tree" O="$2" ARCH="$1" CC="ccache gcc") cfgs=() files=() targets=()
	[ "$name" = x86_64 ] || mk=(make -C "$tree" O="$2" ARCH="$1" LLVM=1 CC="ccache clang")
	shift 2
	while [ "$1" != -- ]; do cfgs+=("$1"); shift; done
	shift
	files=("$@")
	[ ${#files[@]} -gt 0 ] || return 0
	for f in "${files[@]}"; do
		d=$(dirname "$f")
		if [ "$(find "$tree/$d" -name '*.c' | head -n "$WARN_BIG" | wc -l)" -ge "$WARN_BIG" ]; then
			targets+=("${f%.c}.o")
		else
			targets+=("$d/")
		fi
	done
	mapfile -t targets < <(printf '%s\n' "${targets[@]}" | LC_ALL=C sort -u)
	ntargets=$((ntargets + ${#targets[@]}))

	# The configuration, made again for every tree: base and patched each
	# get the fragments plus their own Kconfig defaults.
	mkdir -p "$bdir"
	cat "${cfgs[@]}" >"$bdir/.config"
	"${mk[@]}" -s olddefconfig >/dev/null 2>&1 || die "olddefconfig failed in $bdir (tree $tree)"
	dropped=$(cat "${cfgs[@]}" | { grep -E '^CONFIG_[A-Z0-9_]+=y$' || true; } | while read -r l; do
		grep -qxF "$l" "$bdir/.config" || echo "${l%=y}"; done)
	[ -z "$dropped" ] || say "note: $name: not enabled in this tree: $(echo "$dropped" | tr '\n' ' ')"
	# What "prepare" builds (the vDSO, say) is built, and checked, only on
	# a cold build directory: its warnings are not the touched files'.
	"${mk[@]}" "${chk[@]}" -j"$JOBS" prepare >"$out.prepare-$name" 2>&1 ||
		die "make prepare failed in $bdir (log: $out.prepare-$name)"
	# Every object that is built is built again (and so checked); ccache
	# makes the compile part cheap.  The touched files' objects go first,
	# so that one left from an earlier build cannot pass for this one.
	for f in "${files[@]}"; do rm -f "$bdir/${f%.c}.o"; done
	for t in "${targets[@]}"; do
		case "$t" in */) [ -d "$bdir/$t" ] && find "$bdir/$t" -name '*.o' -delete ;; esac
	done
	printf '== %s: %s\n' "$name" "${mk[*]} ${chk[*]} -k -j$JOBS ${targets[*]}" >>"$out.raw"
	"${mk[@]}" "${chk[@]}" -k -j"$JOBS" "${targets[@]}" >>"$out.raw" 2>&1 || true
	for f in "${files[@]}"; do
		if [ -f "$bdir/${f%.c}.o" ]; then
			ncomp=$((ncomp + 1))
			printf 'compiled %s %s\n' "$name" "$f" >>"$out.files"
		else
			missing+=("$f ($name)")
			printf 'missing %s %s\n' "$name" "$f" >>"$out.files"
		fi
	done
}
leg x86_64 "$BUILD/warn" "$H/kunit/gpu.kunitconfig" "$H/kunit/warn.config" -- "${x86_files[@]}"
leg arm64 "$BUILD/warn-arm64" "$H/kunit/warn-arm64.config" -- "${arm64_files[@]}"

{ grep -E '(warning|error):' "$out.raw" || true; } |
	sed -E -e "s|^$tree/||" -e "s|^(\.\./)+${tree##*/}/||" -e 's|^([^:]+):[0-9]+:[0-9]+:|\1:|' -e 's|^([^:]+):[0-9]+:|\1:|' |
	LC_ALL=C sort >"$out"

summary="$ncomp of ${#touched[@]} touched C files compiled (${#arm64_files[@]} on arm64, $nexc excepted in harness/kunit/warn-no-object, $nabsent not in this tree; $ntargets make targets)"
rc=0
if [ ${#missing[@]} -gt 0 ]; then
	say "warn: no object for ${missing[*]}: not built in this configuration (harness/kunit/warn.config), or list it in harness/kunit/warn-no-object with the reason (log: $out.raw)"
	rc=1
fi
# An error in a touched file is a failure even where the object was made:
# after its first error sparse checks nothing more in that file.  A
# directory target also builds files the series never touches; an error
# there is the base's (6.12's fs/proc/base.c has one) and is only noted.
printf '%s\n' "${touched[@]}" >"$out.touched"
errs_in() { grep ': error:' "$out" | awk -F: -v want="$1" 'NR == FNR { t[$0] = 1; next } ($1 in t) == want' "$out.touched" - || true; }
nerr=$(errs_in 1 | wc -l)
nother=$(errs_in 0 | wc -l)
if [ "$nerr" -gt 0 ]; then
	say "warn: $nerr errors, and sparse is silent in a file after its first one: $(errs_in 1 | head -n 1) (log: $out.raw)"
	rc=1
fi
[ "$nother" = 0 ] ||
	say "note: $nother errors in files the series does not touch, built with their directory (not judged): $(errs_in 0 | head -n 1)"
say "warn: $summary"
exit $rc
