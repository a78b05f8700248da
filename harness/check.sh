#!/usr/bin/env bash
# make check: every gate of the series.  Prints PASS/FAIL per check and per
# KUnit case, then one last line "N passed, M failed"; exits non-zero if M > 0.
#
#   check.sh           the full set (below)
#   check.sh --debug   only the KUnit set in the debug kernel (make check-debug)
#   GPUPOOL_STAGES="apply checkpatch ..." limits the stages (harness self-test).
. "$(dirname "$0")/lib.sh"

debug=0
[ "${1:-}" = --debug ] && debug=1
all="apply mirror export checkpatch kerneldoc warnings configs kunit run pressure selftest"
[ $debug = 1 ] && all="apply kunit-debug"
stages=${GPUPOOL_STAGES:-$all}
name=check
[ $debug = 0 ] || name=check-debug
logs="$CACHE/logs/${GPUPOOL_LOGNAME:-$name}"
rm -rf "$logs"
mkdir -p "$logs"
passed=0 failed=0
t0=$(date +%s)

pass() { passed=$((passed + 1)); say "PASS $*"; }
fail() { failed=$((failed + 1)); say "FAIL $*"; }
want() { case " $stages " in *" $1 "*) return 0 ;; esac; return 1; }
# Take PASS/FAIL lines and a final "counts P F" line from a sub-check.
absorb() {
	local line
	while IFS= read -r line; do
		case "$line" in
		"counts "*) set -- $line; passed=$((passed + $2)); failed=$((failed + $3)) ;;
		PASS*|FAIL*) say "$line" ;;
		esac
	done
}
finish() {
	say "check took $(( $(date +%s) - t0 ))s; logs in $logs"
	say "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
	exit
}

"$H/tree-prep.sh" "$CHECKTREE" >/dev/null
base=$(base_commit)

# Base-side results are computed once per (base, touched files, config).
key=$( { echo "$base"; series_files; cat "$H/kunit/gpu.kunitconfig" "$H/kunit/warn.config"; } | sha256sum | cut -c1-16)
warn_base="$CACHE/warn-base/$key.txt"
if want warnings && [ ! -f "$warn_base" ]; then
	step "sparse + W=1 on the base (once per set of touched files)"
	git -C "$CHECKTREE" checkout -q -f --detach "$base"
	mkdir -p "$CACHE/warn-base"
	"$H/warn.sh" "$CHECKTREE" "$warn_base.tmp" && mv "$warn_base.tmp" "$warn_base"
fi

# --- the series applies to a fresh base with git am, no fuzz ---------------
if ! apply_series "$CHECKTREE" >"$logs/apply.log" 2>&1; then
	fail "apply: patches/ does not apply to the base with git am ($(grep -m1 -E 'error|failed|does not apply' "$logs/apply.log"))"
	finish
fi
want apply && pass "apply: $(series_patches | wc -l) patches apply to $base with git am"

# --- the mirror is exactly what the series produces ---------------------------
if want mirror; then
	bad=()
	mapfile -t files < <(series_files)
	for f in "${files[@]}"; do
		if [ -e "$CHECKTREE/$f" ]; then
			cmp -s "$CHECKTREE/$f" "$TOP/$f" || bad+=("$f differs")
		else
			[ ! -e "$TOP/$f" ] || bad+=("$f should not exist")
		fi
	done
	while read -r f; do
		is_project_path "$f" && continue
		printf '%s\n' "${files[@]}" | grep -qxF -- "$f" || bad+=("$f is not touched by the series")
	done < <(cd "$TOP" && git ls-files --cached --others --exclude-standard)
	if [ ${#bad[@]} -eq 0 ]; then pass "mirror: ${#files[@]} files match the applied series"
	else fail "mirror: ${bad[*]} (run 'make export', or 'make tree' then 'make export')"; fi
fi

# --- a fresh export reproduces patches/ byte for byte -------------------------
if want export; then
	format_series "$CHECKTREE" "$logs/export"
	if diff -r "$logs/export" "$TOP/patches" >"$logs/export.diff" 2>&1 ||
	   { [ -z "$(ls -A "$logs/export")" ] && [ -z "$(ls -A "$TOP/patches" 2>/dev/null)" ]; }; then
		pass "export: a fresh export of the applied series equals patches/"
	else
		fail "export: a fresh export differs from patches/ (diff: $logs/export.diff; run 'make export')"
	fi
fi

# --- checkpatch --strict on every patch ---------------------------------------
if want checkpatch; then
	while read -r p; do
		name=$(basename "$p")
		# The base is a tarball import without upstream history, so checkpatch
		# cannot resolve the upstream ids of Fixes: tags; they are checked by
		# hand (UNKNOWN_COMMIT_ID is the only type ignored).
		(cd "$CHECKTREE" && PATH=/usr/bin:/bin:$PATH perl scripts/checkpatch.pl --strict --show-types --no-summary \
			--ignore UNKNOWN_COMMIT_ID "$p") >"$logs/checkpatch-$name.log" 2>&1 || true
		verdict=$(python3 "$H/checkpatch_judge.py" "$H/checkpatch-allow" "$logs/checkpatch-$name.log")
		case "$verdict" in
		ok*) pass "checkpatch: $name ${verdict#ok}" ;;
		*) fail "checkpatch: $name: $verdict (log: $logs/checkpatch-$name.log)" ;;
		esac
	done < <(series_patches)
fi

# --- kernel-doc adds no warning on a touched file -----------------------------
if want kerneldoc; then
	while read -r f; do
		case "$f" in *.c|*.h) ;; *) continue ;; esac
		[ -f "$CHECKTREE/$f" ] || continue
		(cd "$CHECKTREE" && perl scripts/kernel-doc -none -Wall "$f" 2>&1 | sed -E 's/:[0-9]+:/:/' | sort) >"$logs/kdoc.new"
		if git -C "$CHECKTREE" cat-file -e "$base:$f" 2>/dev/null; then
			mkdir -p "$logs/kdoc-base/$(dirname "$f")"
			git -C "$CHECKTREE" show "$base:$f" >"$logs/kdoc-base/$f"
			(cd "$logs/kdoc-base" && perl "$CHECKTREE/scripts/kernel-doc" -none -Wall "$f" 2>&1 | sed -E 's/:[0-9]+:/:/' | sort) >"$logs/kdoc.old"
		else
			: >"$logs/kdoc.old"
		fi
		new=$(comm -13 "$logs/kdoc.old" "$logs/kdoc.new")
		if [ -z "$new" ]; then pass "kernel-doc: $f"
		else fail "kernel-doc: $f: $(echo "$new" | head -1) ($(echo "$new" | wc -l) new)"; fi
	done < <(series_files)
fi

# --- sparse and W=1 add nothing over the base ---------------------------------
if want warnings; then
	"$H/warn.sh" "$CHECKTREE" "$logs/warn.new"
	new=$(comm -13 "$warn_base" "$logs/warn.new")
	ndirs=$(series_files | grep -c '\.c$' || true)
	if grep -q 'Error [0-9]' "$logs/warn.new.raw" 2>/dev/null; then
		fail "warnings: the touched directories do not build (log: $logs/warn.new.raw)"
	elif [ -z "$new" ]; then
		pass "warnings: sparse and W=1 add nothing over the base ($ndirs touched C files; $(wc -l <"$logs/warn.new") warnings on both)"
	else
		fail "warnings: $(echo "$new" | wc -l) new: $(echo "$new" | head -3 | tr '\n' ' ') (log: $logs/warn.new.raw)"
	fi
fi

# --- the configurations the page pool must link in -----------------------------
if want configs; then
	step "link checks: DRM=m, DRM=n with the system heap, i386 HIGHMEM"
	"$H/configs.sh" "$CHECKTREE" >"$logs/configs.log" 2>&1 || true
	while read -r _ n verdict rest; do
		if [ "$verdict" = ok ]; then pass "configs: $n links (vmlinux and modules)"
		else fail "configs: $n $verdict $rest"; fi
	done < <(grep '^config ' "$logs/configs.log")
	grep -q '^config ' "$logs/configs.log" || fail "configs: no result (log: $logs/configs.log)"
fi

# --- KUnit under QEMU, judged against the base's baseline ---------------------
for cfg in default debug; do
	stage=kunit; [ $cfg = debug ] && stage=kunit-debug
	want $stage || continue
	step "KUnit ($cfg config) under QEMU"
	if "$H/kunit.sh" "$CHECKTREE" "$cfg" "$logs/kunit-$cfg" >"$logs/kunit-$cfg.build" 2>&1; then
		absorb < <(python3 "$H/kunit_results.py" judge "$H/baseline/kunit-$cfg" "$logs/kunit-$cfg")
	else
		fail "kunit ($cfg): the kernel did not build or boot (log: $logs/kunit-$cfg.build)"
	fi
done

# --- the guest workload of make run --------------------------------------------
if want run; then
	step "guest workload (make run)"
	"$H/run.sh" --check >"$logs/run.log" 2>&1 || true
	absorb <"$logs/run.log"
fi

# --- the system heap and vgem under memory pressure (256 MiB + zram) -----------
if want pressure; then
	for set in heap vgem; do
		step "pressure workload: $set (256 MiB guest, zram swap)"
		"$H/pressure.sh" "$BUILD/kunit" check "$set" >"$logs/pressure-$set.out" 2>&1 || true
		absorb < <(python3 "$H/pressure_judge.py" "$set" "$CACHE/logs/pressure-check-$set.log")
	done
fi

# --- the harness can fail: a planted bad patch must be rejected ----------------
if want selftest; then
	step "harness self-test: planted bad patch"
	if "$H/selftest.sh" >"$logs/selftest.log" 2>&1; then
		pass "selftest: make check rejects the planted bad patch ($(tail -1 "$logs/selftest.log"))"
	else
		fail "selftest: $(tail -1 "$logs/selftest.log") (log: $logs/selftest.log)"
	fi
fi
finish
