#!/usr/bin/env bash
# make selftest: the harness must be able to fail.  First the gates' own
# self-test (harness/test-harness.sh: fake, empty and truncated logs, dying
# sub-checks; no kernel), then one planted fault per gate, each in a scratch
# copy of this repository of its own, where "make check" (limited to the
# stages that fault concerns) must reject it for its own reason:
#
#   checkpatch  a style error (ERROR:SPACING) in a file the series touches
#   kunit       a KUnit case that fails, in a suite of the first boot
#   w1          a variable set but not used: a W=1 warning only
#   sparse      a plain integer as NULL pointer: a sparse warning only
#   leak        a module that leaks (harness/selftest/leak), built with M=
#               against the debug kernel and loaded before kmemleak scans
#   bisect      a patch that calls a function the next patch adds: the
#               series builds, the prefix does not ("make check-bisect",
#               which checks the two planted prefixes only)
#
# The planted patches are made here, on top of the applied series, so they
# always apply.  SELFTEST_PLANTS="kunit leak" runs some of them.  The last
# line sums up; exit status 1 if a plant was accepted or rejected for the
# wrong reason.
. "$(dirname "$0")/lib.sh"

th_log="$CACHE/logs/selftest-test-harness.log"
if ! bash "$H/test-harness.sh" >"$th_log" 2>&1; then
	grep '^FAIL' "$th_log" | head -5
	say "harness/test-harness.sh: a gate does not fail closed: $(tail -1 "$th_log") (log: $th_log)"
	exit 1
fi
th=$(tail -1 "$th_log")

all_plants="checkpatch kunit w1 sparse leak bisect"
plants=${SELFTEST_PLANTS:-$all_plants}
work="$CACHE/selftest-plants"
rm -rf "$work"
mkdir -p "$work"

# --- the planted patches, made on top of the applied series -------------------
apply_series "$CHECKTREE" >"$work/apply.log" 2>&1 ||
	{ tail -3 "$work/apply.log"; say "patches/ does not apply: nothing to plant on"; exit 1; }
series_head=$(git -C "$CHECKTREE" rev-parse HEAD)
nseries=$(series_patches | wc -l)
pool_c=drivers/gpu/drm/page_pool.c
shmem_test=drivers/gpu/drm/tests/drm_gem_shmem_test.c

# commit_plant NAME SUBJECT: commit the edits of CHECKTREE as a planted patch.
commit_plant() {
	(fixed_ident; git -C "$CHECKTREE" commit -q -a -s -m "$2" \
		-m "Planted by harness/selftest.sh: make check must reject it ($1).")
}
# plant NAME: write $work/NAME/*.patch, the plant's patches after the series.
plant() {
	local name=$1 f
	git -C "$CHECKTREE" checkout -q -f --detach "$series_head"
	case $name in
	checkpatch)
		printf '\nstatic int __maybe_unused planted_style(int x)\n{\n\treturn ( x);\n}\n' >>"$CHECKTREE/$pool_c"
		commit_plant "$name" "drm: planted style error" ;;
	kunit)
		f="$CHECKTREE/$shmem_test"
		grep -q '^static struct kunit_case drm_gem_shmem_test_cases\[\] = {$' "$f" || return 1
		sed -i '/^static struct kunit_case drm_gem_shmem_test_cases\[\] = {$/{
i\
static void drm_gem_shmem_test_planted_failure(struct kunit *test)\
{\
	KUNIT_EXPECT_EQ(test, 1, 2);\
}\

a\
	KUNIT_CASE(drm_gem_shmem_test_planted_failure),
}' "$f"
		commit_plant "$name" "drm/tests: shmem: planted failing case" ;;
	w1)
		printf '\nstatic void __maybe_unused planted_set_but_unused(void)\n{\n\tint x;\n\n\tx = 1;\n}\n' >>"$CHECKTREE/$pool_c"
		commit_plant "$name" "drm: planted W=1 warning" ;;
	sparse)
		printf '\nstatic void __maybe_unused planted_plain_null(void)\n{\n\tint *p = 0;\n\n\tOPTIMIZER_HIDE_VAR(p);\n}\n' >>"$CHECKTREE/$pool_c"
		commit_plant "$name" "drm: planted sparse warning" ;;
	leak)
		: ;;	# no patch: the leaking module is loaded by the debug boot
	bisect)
		printf '\nvoid planted_caller(void);\nvoid planted_caller(void)\n{\n\tplanted_callee();\n}\n' >>"$CHECKTREE/$pool_c"
		commit_plant "$name" "drm: planted call of a function that does not exist yet"
		sed -i '/^void planted_caller(void);$/i\
void planted_callee(void);\
void planted_callee(void)\
{\
}\
' "$CHECKTREE/$pool_c"
		commit_plant "$name" "drm: planted function that the previous patch needed" ;;
	*) return 1 ;;
	esac
	mkdir -p "$work/$name"
	git -C "$CHECKTREE" -c core.abbrev=12 format-patch -q --zero-commit --no-signature \
		--start-number $((nseries + 1)) -o "$work/$name" "$series_head..HEAD"
}

# --- each plant in a scratch copy of its own -------------------------------------
scratch="$CACHE/selftest"
rm -rf "$scratch"
git clone -q "$TOP" "$scratch" 2>/dev/null || { mkdir -p "$scratch"; git -C "$scratch" init -q; }
# Include what is not committed yet, so the harness under test is this one.
# (A tracked file deleted in the work tree is left out, not an rsync error.)
(cd "$TOP" && git ls-files -co --exclude-standard | while IFS= read -r f; do [ -e "$f" ] && printf '%s\n' "$f"; done) |
	rsync -a --files-from=- "$TOP/" "$scratch/"
n=$(printf '%04d' $((nseries + 1)))

# drop_plants: the scratch copy's patches/ is the series again.
drop_plants() {
	local p b
	for p in "$scratch"/patches/[0-9][0-9][0-9][0-9]-*.patch; do
		b=$(basename "$p")
		[ -f "$p" ] && [ $((10#${b:0:4})) -gt "$nseries" ] && rm -f "$p"
	done
	return 0
}

# run_plant NAME STAGES WANT: plant NAME, run make check's STAGES ("bisect":
# make check-bisect) in the scratch copy; it must fail with a line matching
# the regex WANT.
ok=0 bad=0 rejected=()
run_plant() {
	local name=$1 stages=$2 want=$3 log="$work/$1.log" rc=0 p
	if ! plant "$name" >"$work/$name.plant.log" 2>&1; then
		bad=$((bad + 1)); say "FAIL plant $name: the planted patch could not be made (log: $work/$name.plant.log)"
		return
	fi
	drop_plants
	for p in "$work/$name"/*.patch; do
		[ -f "$p" ] && cp "$p" "$scratch/patches/"
	done
	case $stages in
	bisect)
		BISECT_FROM=$((nseries + 1)) BISECT_KUNIT=0 make -s -C "$scratch" check-bisect >"$log" 2>&1 || rc=$? ;;
	*)
		GPUPOOL_LOGNAME="selftest-$name" GPUPOOL_STAGES="$stages" \
			make -s -C "$scratch" check >"$log" 2>&1 || rc=$? ;;
	esac
	drop_plants
	local line
	line=$(grep -m1 -E "$want" "$log" || true)
	if [ $rc -eq 0 ]; then
		bad=$((bad + 1)); say "FAIL plant $name: make ${stages/#bisect/check-bisect} ACCEPTED it (log: $log)"
	elif [ -z "$line" ]; then
		bad=$((bad + 1)); say "FAIL plant $name: rejected, but not for its own fault (want /$want/; first FAIL: $(grep -m1 '^FAIL' "$log" | cut -c1-160); log: $log)"
	else
		ok=$((ok + 1)); rejected+=("$name"); say "PASS plant $name: rejected: $(echo "$line" | cut -c1-160)"
	fi
}

for name in $plants; do
	case $name in
	checkpatch) run_plant checkpatch "apply checkpatch" "^FAIL checkpatch: $n-drm-planted-style-error\.patch: .*SPACING" ;;
	kunit) run_plant kunit "apply kunit" '^FAIL kunit drm_gem_shmem\.drm_gem_shmem_test_planted_failure: FAIL' ;;
	w1) run_plant w1 "apply warnings" '^FAIL warnings: .*variable .x. set but not used' ;;
	sparse) run_plant sparse "apply warnings" '^FAIL warnings: .*[Uu]sing plain integer as NULL pointer' ;;
	leak) KUNIT_MODULES="$H/selftest/leak" run_plant leak "apply kunit-debug" \
		'^FAIL console: [0-9]+ report\(s\) leak gpupool_selftest_leak \(not in the base\)' ;;
	bisect) run_plant bisect bisect "^FAIL bisect $((nseries + 1)): drm: planted call of .*: build \\(log: " ;;
	*) bad=$((bad + 1)); say "FAIL plant $name: unknown (known: $all_plants)" ;;
	esac
done
git -C "$CHECKTREE" checkout -q -f --detach "$series_head"
[ $((ok + bad)) -gt 0 ] || { say "no plant ran"; exit 1; }
if [ $bad -gt 0 ]; then
	say "$bad of $((ok + bad)) planted faults not rejected for their own reason"
	exit 1
fi
say "rejected: ${rejected[*]} ($ok planted faults, each for its own reason); test-harness.sh: $th"
