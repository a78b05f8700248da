#!/usr/bin/env bash
# make check: every gate of the series.  Prints PASS/FAIL per check and per
# KUnit case, then one last line "N passed, M failed"; exits non-zero if M > 0.
#
#   check.sh           the full set (below)
#   check.sh --debug   only the KUnit set in the debug kernel (make check-debug)
#   GPUPOOL_STAGES="apply checkpatch ..." limits the stages (harness self-test).
#
# Every gate fails closed: a stage that runs no check, a sub-check that dies
# before its "counts" line, a missing or empty log and a run that checked
# nothing at all are failures (harness/test-harness.sh proves each one).
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

debug=0
[ "${1:-}" = --debug ] && debug=1
known="apply mirror export results checkpatch kerneldoc docs warnings configs kunit standard kunit-debug run pressure fresh send selftest"
all="apply mirror export results checkpatch kerneldoc docs warnings configs kunit standard kunit-debug run pressure fresh send selftest"
[ $debug = 1 ] && all="apply kunit-debug"
stages=${GPUPOOL_STAGES:-$all}
name=check
[ $debug = 0 ] || name=check-debug
logs="$CACHE/logs/${GPUPOOL_LOGNAME:-$name}"
passed=0 failed=0
t0=$(date +%s)
stage='' stage_start=0

pass() { passed=$((passed + 1)); say "PASS $*"; }
fail() { failed=$((failed + 1)); say "FAIL $*"; }
want() { case " $stages " in *" $1 "*) return 0 ;; esac; return 1; }
# begin STAGE: the checks that follow are STAGE's.  A stage that ends
# without a single PASS or FAIL tested nothing, and fails.
begin() {
	end_stage
	stage=$1 stage_start=$((passed + failed))
}
end_stage() {
	if [ -n "$stage" ] && [ $((passed + failed)) -eq "$stage_start" ]; then
		fail "$stage: the stage ran no check (its input is missing or its script died)"
	fi
	stage=''
}
# absorb STAGE LOG [STATUS]: take the PASS/FAIL lines and the final
# "counts P F" line that a sub-check wrote to LOG; STATUS is its exit
# status.  Each of these is one FAIL naming STAGE and LOG: no "counts" line
# (the sub-check died before its end), more than one, or PASS/FAIL lines
# after it; counts that are not two numbers; counts of zero checks; FAIL
# lines but no failure counted; a STATUS other than 0.
absorb() {
	local what=$1 log=$2 status=${3:-0} line counts='' ncounts=0 nfail=0 late=0 p='' f='' rest=''
	if [ -f "$log" ]; then
		while IFS= read -r line || [ -n "$line" ]; do
			case "$line" in
			"counts "*) counts=$line ncounts=$((ncounts + 1)) ;;
			PASS*) say "$line"; [ -z "$counts" ] || late=1 ;;
			FAIL*) say "$line"; nfail=$((nfail + 1)); [ -z "$counts" ] || late=1 ;;
			# expected failures and skips (pressure_judge.py): shown, counted by the judge
			XFAIL*|XPASS*|SKIP*) say "$line"; [ -z "$counts" ] || late=1 ;;
			esac
		done <"$log"
	fi
	read -r _ p f rest <<<"$counts" || true
	if [ "$ncounts" -eq 0 ]; then
		fail "$what: no \"counts\" line: its script died or printed nothing (exit status $status; log: $log)"
	elif [ "$ncounts" -gt 1 ] || [ "$late" = 1 ]; then
		fail "$what: \"counts\" is not the one last line of its results (log: $log)"
	elif ! [[ $p =~ ^[0-9]+$ && $f =~ ^[0-9]+$ && -z $rest ]]; then
		fail "$what: bad counts line '$counts' (log: $log)"
	else
		passed=$((passed + p)) failed=$((failed + f))
		if [ $((p + f)) -eq 0 ]; then
			fail "$what: zero checks counted (log: $log)"
		elif [ "$nfail" -gt 0 ] && [ "$f" -eq 0 ]; then
			fail "$what: $nfail FAIL line(s), but no failure counted (log: $log)"
		elif [ "$status" != 0 ]; then
			fail "$what: exit status $status (log: $log)"
		fi
	fi
}
# finish: the summary line; exit status 0 only if something was checked and
# nothing failed.
finish() {
	end_stage
	[ $((passed + failed)) -gt 0 ] || fail "check: no check ran"
	say "check took $(( $(date +%s) - t0 ))s; logs in $logs"
	say "$passed passed, $failed failed"
	[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ] && exit 0
	exit 1
}
# strict FUNCTION ARGS...: run a function of lib.sh in a bash of its own, so
# that set -e stays in force inside it where the caller tests its status.
strict() { bash -c '. "$0/lib.sh"; "$@"' "$H" "$@"; }

# Sourced (harness/test-harness.sh): only the helpers above.
[ "${BASH_SOURCE[0]}" = "$0" ] || return 0

rm -rf "$logs"
mkdir -p "$logs"
for s in $stages; do
	case " $known " in
	*" $s "*) ;;
	*) fail "check: unknown stage '$s' (GPUPOOL_STAGES; known: $known)" ;;
	esac
done

"$H/tree-prep.sh" "$CHECKTREE" >/dev/null
base=$(base_commit)
npatches=$(series_patches | wc -l || true)
if [ "$npatches" -eq 0 ]; then
	fail "apply: patches/ holds no patch: there is nothing to check"
	finish
fi

# Base-side results are computed once per (base, touched files, config,
# and what warn.sh builds).
key=$( { echo "$base"; series_files; cat "$H/kunit/gpu.kunitconfig" "$H/kunit/warn.config" \
	"$H/kunit/warn-arm64.config" "$H/kunit/warn-no-object" "$H/warn.sh"; } | sha256sum | cut -c1-16)
warn_base="$CACHE/warn-base/$key.txt"
if want warnings && [ ! -f "$warn_base" ]; then
	step "sparse + W=1 on the base (once per set of touched files)"
	git -C "$CHECKTREE" checkout -q -f --detach "$base"
	mkdir -p "$CACHE/warn-base"
	"$H/warn.sh" "$CHECKTREE" "$warn_base.tmp" >"$warn_base.log" 2>&1 && mv "$warn_base.tmp" "$warn_base"
fi

# --- the series applies to a fresh base with git am, no fuzz ---------------
if ! strict apply_series "$CHECKTREE" >"$logs/apply.log" 2>&1; then
	fail "apply: patches/ does not apply to the base with git am ($(grep -m1 -E 'error|failed|does not apply' "$logs/apply.log" || tail -1 "$logs/apply.log"); log: $logs/apply.log)"
	finish
fi
if [ "$(git -C "$CHECKTREE" rev-parse -q --verify "HEAD~$npatches" 2>/dev/null)" != "$base" ]; then
	fail "apply: the check tree is not the base plus the $npatches patches of patches/ ($CHECKTREE)"
	finish
fi
if want apply; then
	begin apply
	pass "apply: $npatches patches apply to $base with git am"
fi

# --- the mirror is exactly what the series produces ---------------------------
if want mirror; then
	begin mirror
	bad=()
	mapfile -t files < <(series_files)
	[ ${#files[@]} -gt 0 ] || bad+=("the series touches no file")
	for f in "${files[@]}"; do
		if [ -e "$CHECKTREE/$f" ]; then
			cmp -s "$CHECKTREE/$f" "$TOP/$f" || bad+=("$f differs")
		else
			[ ! -e "$TOP/$f" ] || bad+=("$f should not exist")
		fi
	done
	if listed=$(cd "$TOP" && git ls-files --cached --others --exclude-standard); then
		while read -r f; do
			[ -n "$f" ] || continue
			is_project_path "$f" && continue
			# A here-string, not a pipe: under pipefail, grep -q quitting
			# early can fail printf with SIGPIPE and flag a touched file.
			grep -qxF -- "$f" <<<"$(printf '%s\n' "${files[@]}")" || bad+=("$f is not touched by the series")
		done <<<"$listed"
	else
		bad+=("git ls-files failed in $TOP")
	fi
	if [ ${#bad[@]} -eq 0 ]; then pass "mirror: ${#files[@]} files match the applied series"
	else fail "mirror: ${bad[*]} (run 'make export', or 'make tree' then 'make export')"; fi
fi

# --- a fresh export reproduces patches/ byte for byte -------------------------
if want export; then
	begin export
	nexport=0
	strict format_series "$CHECKTREE" "$logs/export" >"$logs/export.log" 2>&1 &&
		nexport=$(find "$logs/export" -maxdepth 1 -name '[0-9][0-9][0-9][0-9]-*.patch' ! -name '0000-*' | wc -l)
	if [ "$nexport" -ne "$npatches" ]; then
		fail "export: the export holds $nexport patches, patches/ $npatches (log: $logs/export.log)"
	elif diff -r "$logs/export" "$TOP/patches" >"$logs/export.diff" 2>&1; then
		pass "export: a fresh export of the applied series equals patches/"
	else
		fail "export: a fresh export differs from patches/ (diff: $logs/export.diff; run 'make export')"
	fi
fi

# --- the benchmark results measured today's code; the cover letter quotes them -
if want results; then
	begin results
	rrc=0
	python3 "$H/results_stale.py" >"$logs/results.log" 2>&1 || rrc=$?
	while read -r line; do
		case "$line" in
		*": fresh"*) pass "results: ${line%% (*}" ;;
		?*) fail "results: $line" ;;
		esac
	done <"$logs/results.log"
	[ "$rrc" = 0 ] || grep -qv ': fresh' "$logs/results.log" ||
		fail "results: results_stale.py exited $rrc (log: $logs/results.log)"
	if python3 "$H/cover_figures.py" --check >"$logs/cover-figures.log" 2>&1; then
		pass "results: the cover letter's figures are the results files' own"
	else
		fail "results: the cover letter's figures differ from harness/results/: run 'python3 harness/cover_figures.py', then 'make export' ($(tail -1 "$logs/cover-figures.log"))"
	fi
fi

# --- checkpatch --strict on every patch ---------------------------------------
if want checkpatch; then
	begin checkpatch
	while read -r p; do
		name=$(basename "$p")
		log="$logs/checkpatch-$name.log"
		# The base is a tarball import without upstream history, so checkpatch
		# cannot resolve the upstream ids of Fixes: tags; they are checked by
		# hand (UNKNOWN_COMMIT_ID is the only type ignored).  The summary
		# stays on: the judge wants checkpatch's own "total: ..." line.
		# The judge is given the patch and the tree (the whole series applied,
		# as checkpatch saw it): it accepts FILE_PATH_CHANGES only if a
		# maintained MAINTAINERS section of this tree covers every file the
		# patch adds, deletes or renames.
		rc=0
		(cd "$CHECKTREE" && PATH=/usr/bin:/bin:$PATH perl scripts/checkpatch.pl --strict --show-types \
			--ignore UNKNOWN_COMMIT_ID "$p") >"$log" 2>&1 </dev/null || rc=$?
		jrc=0
		verdict=$(python3 "$H/checkpatch_judge.py" "$H/checkpatch-allow" "$log" "$rc" "$p" "$CHECKTREE" 2>&1) || jrc=$?
		if [ $jrc = 0 ] && [[ $verdict == ok* ]]; then
			pass "checkpatch: $name ${verdict#ok}"
		else
			fail "checkpatch: $name: ${verdict##*$'\n'}${verdict:+ }(judge status $jrc; log: $log)"
		fi
	done < <(series_patches)
fi

# --- kernel-doc adds no warning on a touched file -----------------------------
# kernel-doc -none exits 0 unless it fails (KDOC_WERROR and KCFLAGS=-Werror,
# which would make warnings an exit status, are dropped): any other status
# on the new or the base file is a failure, never an empty list of warnings.
if want kerneldoc; then
	begin kerneldoc
	while read -r f; do
		case "$f" in *.c|*.h) ;; *) continue ;; esac
		[ -f "$CHECKTREE/$f" ] || continue
		krc=0 brc=0
		(cd "$CHECKTREE" && env -u KDOC_WERROR -u KCFLAGS perl scripts/kernel-doc -none -Wall "$f") \
			>"$logs/kdoc.new.raw" 2>&1 </dev/null || krc=$?
		sed -E 's/:[0-9]+:/:/' "$logs/kdoc.new.raw" | LC_ALL=C sort >"$logs/kdoc.new"
		if git -C "$CHECKTREE" cat-file -e "$base:$f" 2>/dev/null; then
			mkdir -p "$logs/kdoc-base/$(dirname "$f")"
			git -C "$CHECKTREE" show "$base:$f" >"$logs/kdoc-base/$f"
			(cd "$logs/kdoc-base" && env -u KDOC_WERROR -u KCFLAGS perl "$CHECKTREE/scripts/kernel-doc" -none -Wall "$f") \
				>"$logs/kdoc.old.raw" 2>&1 </dev/null || brc=$?
			sed -E 's/:[0-9]+:/:/' "$logs/kdoc.old.raw" | LC_ALL=C sort >"$logs/kdoc.old"
		else
			: >"$logs/kdoc.old.raw"
			: >"$logs/kdoc.old"
		fi
		new=$(comm -13 "$logs/kdoc.old" "$logs/kdoc.new")
		if [ $krc != 0 ] || [ $brc != 0 ]; then
			fail "kernel-doc: $f: kernel-doc failed (exit status $krc, on the base $brc): $(cat "$logs/kdoc.new.raw" "$logs/kdoc.old.raw" | head -1)"
		elif [ -z "$new" ]; then pass "kernel-doc: $f"
		else fail "kernel-doc: $f: $(echo "$new" | head -1) ($(echo "$new" | wc -l) new)"; fi
	done < <(series_files)
fi

# --- the documentation builds and renders, no warning over the base -----------
if want docs; then
	begin docs
	step "htmldocs (gpu, driver-api and the directories of other touched .rst files) of the base and the series"
	drc=0
	"$H/docs.sh" "$CHECKTREE" >"$logs/docs.log" 2>&1 || drc=$?
	absorb docs "$logs/docs.log" $drc
fi

# --- sparse and W=1 add nothing over the base ---------------------------------
# Nothing over the base counts only if both builds ran: warn.sh succeeded,
# the base's list exists, and sparse checked files (make's "CHECK" lines).
if want warnings; then
	begin warnings
	wrc=0
	"$H/warn.sh" "$CHECKTREE" "$logs/warn.new" >"$logs/warn.out" 2>&1 || wrc=$?
	ndirs=$(series_files | grep -c '\.c$' || true)
	nchecked=$(grep -cE '^[[:space:]]+CHECK[[:space:]]' "$logs/warn.new.raw" 2>/dev/null || true)
	# warn.sh's account of the touched C files: each compiled, excepted
	# (harness/kunit/warn-no-object), absent (deleted by the series) or
	# missing its object.
	ncomp=$(grep -c '^compiled ' "$logs/warn.new.files" 2>/dev/null || true)
	nexc=$(grep -c '^excepted ' "$logs/warn.new.files" 2>/dev/null || true)
	nabs=$(grep -c '^absent ' "$logs/warn.new.files" 2>/dev/null || true)
	nmiss=$(grep -c '^missing ' "$logs/warn.new.files" 2>/dev/null || true)
	if [ ! -f "$warn_base" ]; then
		fail "warnings: no warnings of the base to compare with: its build failed ($(tail -1 "$warn_base.log" 2>/dev/null); log: $warn_base.log)"
	elif [ "$wrc" != 0 ] || [ ! -f "$logs/warn.new" ]; then
		fail "warnings: warn.sh failed with exit status $wrc: $(grep -m1 -E '^(warn|ERROR):' "$logs/warn.out" || tail -1 "$logs/warn.out") (log: $logs/warn.out)"
	elif grep -q 'Error [0-9]' "$logs/warn.new.raw" 2>/dev/null; then
		fail "warnings: the touched directories do not build (log: $logs/warn.new.raw)"
	elif [ "${nmiss:-0}" -gt 0 ] || [ $(( ${ncomp:-0} + ${nexc:-0} + ${nabs:-0} )) -ne "$ndirs" ]; then
		fail "warnings: of $ndirs touched C files, ${ncomp:-0} compiled, ${nexc:-0} excepted, ${nabs:-0} deleted, ${nmiss:-0} without an object (list: $logs/warn.new.files)"
	elif [ "$ndirs" -eq 0 ] || [ "${nchecked:-0}" -eq 0 ]; then
		fail "warnings: nothing was checked ($ndirs touched C files, $nchecked files through sparse; log: $logs/warn.new.raw)"
	elif new=$(comm -13 "$warn_base" "$logs/warn.new") && [ -z "$new" ]; then
		pass "warnings: sparse and W=1 add nothing over the base ($ncomp of $ndirs touched C files compiled, $nexc excepted; $nchecked files through sparse; $(wc -l <"$logs/warn.new") warnings on both)"
	else
		fail "warnings: $(echo "$new" | wc -l) new: $(echo "$new" | head -3 | tr '\n' ' ') (log: $logs/warn.new.raw)"
	fi
fi

# --- the configurations the page pool must link in -----------------------------
# Every fragment of harness/configs/ (common.config is shared by all) must
# report exactly once; a configuration that gives no result fails.
if want configs; then
	begin configs
	mapfile -t cfgs < <(find "$H/configs" -maxdepth 1 -name '*.config' ! -name common.config \
		-printf '%f\n' | sed 's/\.config$//' | LC_ALL=C sort)
	step "link checks: ${cfgs[*]}"
	crc=0
	if [ ${#cfgs[@]} -eq 0 ]; then
		fail "configs: no configuration in $H/configs"
	else
		"$H/configs.sh" "$CHECKTREE" "${cfgs[@]}" >"$logs/configs.log" 2>&1 || crc=$?
	fi
	nbad=0
	for n in "${cfgs[@]}"; do
		mapfile -t res < <(awk -v n="$n" '$1 == "config" && $2 == n' "$logs/configs.log")
		if [ ${#res[@]} -ne 1 ]; then
			fail "configs: $n gave ${#res[@]} results, not 1 (configs.sh exit status $crc; log: $logs/configs.log)"
			nbad=$((nbad + 1))
		elif [ "$(echo "${res[0]}" | awk '{ print $3 }')" = ok ]; then
			pass "configs: $n links (vmlinux and modules)"
		else
			fail "configs: ${res[0]#config }"
			nbad=$((nbad + 1))
		fi
	done
	[ "$crc" = 0 ] || [ "$nbad" -gt 0 ] ||
		fail "configs: configs.sh exited with status $crc but reported no failure (log: $logs/configs.log)"
fi

# --- KUnit under QEMU, judged against the base's baseline ---------------------
# kunit.sh: 0 results of every boot, 1 the kernel did not build, 2 it built
# but a boot left no results.  The default kernel ($BUILD/kunit) is the one
# that run and pressure boot: "kernel" says whether this check built it.
kernel=unknown kernel_log=
for cfg in default debug; do
	st=kunit; [ $cfg = debug ] && st=kunit-debug
	want $st || continue
	begin $st
	step "KUnit ($cfg config) under QEMU"
	# A baseline made with another configuration judges nothing.
	if why=$(strict baseline_is_current "$cfg"); then
		pass "kunit ($cfg): the baseline was made with this configuration"
	else
		fail "kunit ($cfg): $why"
	fi
	krc=0
	"$H/kunit.sh" "$CHECKTREE" "$cfg" "$logs/kunit-$cfg" >"$logs/kunit-$cfg.build" 2>&1 || krc=$?
	if [ $cfg = default ]; then
		kernel_log="$logs/kunit-$cfg.build"
		case $krc in 0|2) kernel=built ;; *) kernel=failed ;; esac
	fi
	case $krc in
	0)
		jrc=0 leaks=()
		[ $cfg = default ] || leaks=(--kmemleak)
		python3 "$H/kunit_results.py" judge "$H/baseline/kunit-$cfg" "$logs/kunit-$cfg" \
			--manifest "$H/kunit/new-cases" --skips "$H/kunit/new-cases-skips" "${leaks[@]}" \
			>"$logs/kunit-$cfg.judge" 2>&1 || jrc=$?
		absorb "kunit ($cfg)" "$logs/kunit-$cfg.judge" $jrc ;;
	1) fail "kunit ($cfg): the kernel did not build (log: $logs/kunit-$cfg.build)" ;;
	2) fail "kunit ($cfg): the kernel built, but a boot left no results (log: $logs/kunit-$cfg.build)" ;;
	*) fail "kunit ($cfg): kunit.sh failed with exit status $krc (log: $logs/kunit-$cfg.build)" ;;
	esac
done

# --- the stock kunit.py: UML, and one unfiltered boot on one node -------------
# What the DRM maintainers and CI bots run (standard.sh), judged by
# kunit_standard.py against harness/kunit/standard-skips and
# harness/kunit/expected-failures.
if want standard; then
	begin standard
	step "standard KUnit runs: kunit.py on UML, one unfiltered x86_64 boot"
	strc=0 jrc=0
	"$H/standard.sh" "$CHECKTREE" "$logs/standard" >"$logs/standard.log" 2>&1 || strc=$?
	python3 "$H/kunit_standard.py" judge "$logs/standard" >"$logs/standard.judge" 2>&1 || jrc=$?
	absorb standard "$logs/standard.judge" $jrc
	[ $strc = 0 ] || fail "standard: standard.sh exited with status $strc: $(tail -1 "$logs/standard.log") (log: $logs/standard.log)"
fi
# need_kernel: 0 if $BUILD/kunit holds the kernel of the applied series,
# building it if no KUnit stage did: never boot a kernel left by an earlier
# build.
need_kernel() {
	if [ "$kernel" = unknown ]; then
		kernel_log="$logs/kernel-build.log"
		step "building the patched kernel"
		if "$H/kunit.sh" "$CHECKTREE" build >"$kernel_log" 2>&1; then kernel=built; else kernel=failed; fi
	fi
	[ "$kernel" = built ]
}

# --- the guest workload of make run --------------------------------------------
if want run; then
	begin run
	step "guest workload (make run)"
	if need_kernel; then
		rrc=0
		"$H/run.sh" --check >"$logs/run.log" 2>&1 || rrc=$?
		absorb run "$logs/run.log" $rrc
	else
		fail "run: not run: the patched kernel did not build (log: $kernel_log)"
	fi
fi

# --- the system heap and vgem under memory pressure (256 MiB + zram) -----------
if want pressure; then
	begin pressure
	for set in heap vgem memcg ttmswap; do
		step "pressure workload: $set (256 MiB guest, zram swap)"
		if ! need_kernel; then
			fail "pressure ($set): not run: the patched kernel did not build (log: $kernel_log)"
			continue
		fi
		plog="$CACHE/logs/pressure-check-$set.log"
		rm -f "$plog"
		prc=0 jrc=0
		"$H/pressure.sh" "$BUILD/kunit" check "$set" >"$logs/pressure-$set.out" 2>&1 || prc=$?
		python3 "$H/pressure_judge.py" "$set" "$plog" >"$logs/pressure-$set.judge" 2>&1 || jrc=$?
		absorb "pressure ($set)" "$logs/pressure-$set.judge" $jrc
		[ $prc = 0 ] || fail "pressure ($set): pressure.sh exited with status $prc (log: $logs/pressure-$set.out)"
	done
fi

# --- make run works on an empty cache directory -------------------------------
if want fresh; then
	begin fresh
	step "make run on an empty cache directory"
	frc=0
	"$H/fresh-run.sh" >"$logs/fresh.log" 2>&1 || frc=$?
	absorb fresh "$logs/fresh.log" $frc
fi

# --- make send-check refuses the placeholder, passes a signed-off series -------
if want send; then
	begin send
	step "make send-check and make signoff in a scratch clone"
	src=0
	"$H/send-selftest.sh" >"$logs/send.log" 2>&1 || src=$?
	absorb send "$logs/send.log" $src
fi

# --- the harness can fail: one planted fault per gate must be rejected --------
if want selftest; then
	begin selftest
	step "harness self-test: fake logs, one planted fault per gate"
	if "$H/selftest.sh" >"$logs/selftest.log" 2>&1; then
		pass "selftest: the gates fail on fake logs and make check rejects each planted fault ($(tail -1 "$logs/selftest.log"))"
	else
		fail "selftest: $(tail -1 "$logs/selftest.log") (log: $logs/selftest.log)"
	fi
fi
finish
