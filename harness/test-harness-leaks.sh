# Sourced by test-harness.sh (its helpers and fixtures): the debug kernel's
# leak judge (kunit_results.py judge --kmemleak) and series_functions.py.

# leak_report FUNC...: a kmemleak report as the console shows it, frames
# innermost first.
leak_report() {
	printf 'unreferenced object 0xffff888002%06x (size 64):\n' $((RANDOM))
	printf '  comm "kunit_try_catch", pid 40, jiffies 4294893380\n'
	printf '  hex dump (first 32 bytes):\n    00 00 00 00 00 00 00 00  ........\n'
	printf '  backtrace (crc 4b90f964):\n'
	local f
	for f in "$@"; do printf '    %s+0x76/0x220\n' "$f"; done
	printf '    kunit_try_run_case+0x1a1/0x480\n    kthread+0x2dc/0x3c0\n'
}
# leak_out DIR [REPORT-ARGS...]...: a good debug run (kunit_out), its scan
# finished, with one leak per argument ("f1,f2,..." frames).
leak_out() {
	local d=$1 r
	shift
	kunit_out "$d"
	printf 'kmem_cache_alloc_noprof\n__kmalloc_cache_noprof\nalloc_empty_file\nalloc_file_pseudo\n' >"$d/lowlevel-symbols"
	printf 'drm_series_changed\n' >"$d/series-functions"
	for r in "$@"; do
		# shellcheck disable=SC2086
		leak_report ${r//,/ } >>"$d/console.log"
	done
	printf '@@ debug_locks 1\n@@ kmemleak done\n' >>"$d/console.log"
	printf '@@ debug_locks 1\n@@ kmemleak done\n' >>"$d/console-numa1.log"
}
lbase="$fx/leak-base"
cp "$kbase.cases" "$lbase.cases"
cp "$kbase.warnings" "$lbase.warnings"
# One or two leaked files of drm_gem_object_init in the runs of the base,
# one cred, and at most one held-lock report: "least most signature".
printf '# reports\n1 2 leak drm_gem_object_init\n1 1 leak prepare_creds\n0 1 held \n' >"$lbase.reports"
lj() { judge "$tmp/lj.out" python3 "$H/kunit_results.py" judge "$lbase" "$1" --kmemleak; }
file_leak=kmem_cache_alloc_noprof,alloc_empty_file,alloc_file_pseudo,drm_gem_object_init,ttm_bo_kunit_init
l="$tmp/leaks"

leak_out "$l/ok" $file_leak $file_leak kmem_cache_alloc_noprof,prepare_creds
lj "$l/ok"; expect "leaks: control: the base's leaks within its spread pass" judged_pass "$tmp/lj.out"
leak_out "$l/fewer" kmem_cache_alloc_noprof,prepare_creds
lj "$l/fewer"; expect "leaks: control: fewer leaks than the base (a fix) pass" judged_pass "$tmp/lj.out"
leak_out "$l/three" $file_leak $file_leak $file_leak
lj "$l/three"; expect "leaks: a base signature above its most in any base run fails" \
	judged_fail "$tmp/lj.out" '3 report\(s\) leak drm_gem_object_init \(at most 2 in a base run\)'
leak_out "$l/new" __kmalloc_cache_noprof,drm_new_leaker,drm_gem_object_init
lj "$l/new"; expect "leaks: a leak of a new signature fails, though a base function is on its path" \
	judged_fail "$tmp/lj.out" 'leak drm_new_leaker \(not in the base\)'
leak_out "$l/series" $file_leak,drm_series_changed.isra.0
lj "$l/series"; expect "leaks: a leak through a function the series changes fails, though its signature is the base's" \
	judged_fail "$tmp/lj.out" 'a leak through drm_series_changed '
leak_out "$l/noscan" kmem_cache_alloc_noprof,prepare_creds
sed -i '/@@ kmemleak done/d' "$l/noscan/console-numa1.log"
lj "$l/noscan"; expect "leaks: a boot whose kmemleak scan did not finish fails" \
	judged_fail "$tmp/lj.out" 'console-numa1.log: the kmemleak scan did not finish'
leak_out "$l/nofuncs" kmem_cache_alloc_noprof,prepare_creds
rm "$l/nofuncs/series-functions"
lj "$l/nofuncs"; expect "leaks: without the series' functions the leaks are not judged, and fail" \
	judged_fail "$tmp/lj.out" 'cannot be judged'
leak_out "$l/nosyms"
rm "$l/nosyms/lowlevel-symbols"
lj "$l/nosyms"; expect "leaks: a debug run without the symbols of mm/, fs/, lib/ fails, even with no leak" \
	judged_fail "$tmp/lj.out" 'cannot be judged'

leak_out "$l/dead" kmem_cache_alloc_noprof,prepare_creds
sed -i '1i kmemleak: Kernel memory leak detector disabled' "$l/dead/console.log"
lj "$l/dead"; expect "leaks: a boot where kmemleak turned itself off fails, though it reports fewer leaks" \
	judged_fail "$tmp/lj.out" 'console.log: kmemleak stopped'
leak_out "$l/nolockdep"
sed -i 's/^@@ debug_locks 1$/@@ debug_locks 0/' "$l/nolockdep/console-numa1.log"
lj "$l/nolockdep"; expect "leaks: a boot whose lockdep a report turned off fails" \
	judged_fail "$tmp/lj.out" 'console-numa1.log: lockdep was not on to the end of the boot \(debug_locks is 0\)'
leak_out "$l/nolockline"
sed -i '/^@@ debug_locks/d' "$l/nolockline/console.log"
lj "$l/nolockline"; expect "leaks: a boot that does not say whether lockdep was on fails" \
	judged_fail "$tmp/lj.out" 'no "@@ debug_locks" line'
# A console message in the middle of a backtrace does not end it: the
# series' frame after it still counts.
leak_out "$l/stray" kmem_cache_alloc_noprof,drm_gem_object_init,@STRAY@,drm_series_changed
sed -i 's/^    @STRAY@+0x76\/0x220$/[  301.123456] rcu: INFO: rcu_preempt detected stalls on CPUs\/tasks:/' "$l/stray/console.log"
lj "$l/stray"; expect "leaks: a frame after a stray console line in the backtrace still counts" \
	judged_fail "$tmp/lj.out" 'a leak through drm_series_changed '

# The baseline of three runs keeps the least and the most of each signature.
leak_out "$l/b1" $file_leak; leak_out "$l/b2" $file_leak $file_leak $file_leak; leak_out "$l/b3" $file_leak $file_leak
python3 "$H/kunit_results.py" baseline "$tmp/lb" "$l/b1" "$l/b2" "$l/b3" >"$tmp/lb.out" 2>&1
expect "leaks: a baseline of three runs records the spread (1 to 3) of a signature" \
	grep -qx '1 3 leak drm_gem_object_init' "$tmp/lb.reports"

# series_functions.py: the functions a change touches, in a git repo.
sf="$tmp/sf"
mkdir -p "$sf"
git -C "$sf" init -q
cat >"$sf/a.c" <<'EOF'
static int untouched(int x)
{
	return x;
}

static __printf(2, 3) void __maybe_unused changed_body(struct foo *f,
							const char *fmt, ...)
{
	int y = 1;

	pr_info("%d\n", y);
}

static const struct ops a_ops = {
	.x = 1,
};

void loses_a_line(void)
{
	first();
	second();
}
EOF
cat >>"$sf/a.c" <<'EOF'

static void annotated(struct foo *f) __must_hold(&f->lock)
{
	f->x = 1;
}

static int commented(int a, /* the first */
		     int b)
{
	return a + b;
}

static void goes_away(void)
{
}

static void stays(void)
{
}

static inline int inlined_helper(void)
{
	return 1;
}

int uses_inlined(void)
{
	return inlined_helper();
}
EOF
git -C "$sf" add a.c && git -C "$sf" commit -q -m base && git -C "$sf" tag base
sed -i 's/int y = 1;/int y = 2;/; /second();/d; s/f->x = 1;/f->x = 2;/; s/return a + b;/return a - b;/; s/return 1;/return 2;/' "$sf/a.c"
python3 - "$sf/a.c" <<'EOF'
import sys
p = sys.argv[1]
s = open(p).read()
open(p, 'w').write(s.replace('static void goes_away(void)\n{\n}\n\n', ''))
EOF
cat >>"$sf/a.c" <<'EOF'

int added(void)
{
	return 0;
}
EOF
git -C "$sf" commit -q -am change
want_sf="added annotated changed_body commented inlined_helper loses_a_line "
expect "series_functions: changed (annotated, commented, shortened) and added functions; not the neighbour of a deleted one" \
	bash -c '[ "$(python3 "$1" functions "$2" base | tr "\n" " ")" = "$3" ] ||
		{ echo "got: $(python3 "$1" functions "$2" base | tr "\n" " ")"; exit 1; }' _ "$H/series_functions.py" "$sf" "$want_sf"
printf '0 T added\n0 t annotated\n0 t changed_body\n0 t commented\n0 T loses_a_line\n0 T uses_inlined\n' >"$sf/System.map"
expect "series_functions: with a System.map, the caller of an inlined changed function is listed too" \
	bash -c '[ "$(python3 "$1" functions "$2" base "$2/System.map" | tr "\n" " ")" = "$3" ] ||
		{ echo "got: $(python3 "$1" functions "$2" base "$2/System.map" | tr "\n" " ")"; exit 1; }' _ \
	"$H/series_functions.py" "$sf" "${want_sf}uses_inlined "

# A suite that provokes a lockdep report on purpose runs in a boot of its
# own (console-reportN.log), which must show exactly that report.
report_out() { # DIR REPORT-LINE...: a good debug run plus report boot 1
	local d=$1 r
	shift
	leak_out "$d"
	kunit_json lockdep_suite:lockdep_case:PASS >"$d/kunit-report1.json"
	{ printf 'KTAP version 1\n1..1\n'; for r in "$@"; do printf '%s\n' "$r"; done
	  printf 'ok 1 lockdep_suite\n@@ kmemleak done\n'; } >"$d/console-report1.log"
	echo 'possible circular locking dependency' >"$d/report1.expect"
}
circ='WARNING: possible circular locking dependency detected'
report_out "$l/rep-ok" "$circ"
lj "$l/rep-ok"; expect "reports: control: a report boot that shows exactly its report passes" judged_pass "$tmp/lj.out"
report_out "$l/rep-none"
lj "$l/rep-none"; expect "reports: a report boot without its report fails" judged_fail "$tmp/lj.out" 'did not show'
report_out "$l/rep-other" "$circ" 'BUG: KASAN: use-after-free in foo+0x1/0x2'
lj "$l/rep-other"; expect "reports: another report in the report boot fails" judged_fail "$tmp/lj.out" 'a report other than'
report_out "$l/rep-two" "$circ" "$circ"
lj "$l/rep-two"; expect "reports: two reports in the report boot fail" judged_fail "$tmp/lj.out" '2 reports'
report_out "$l/rep-noexp" "$circ"
rm "$l/rep-noexp/report1.expect"
lj "$l/rep-noexp"; expect "reports: a report boot without its expected report fails" judged_fail "$tmp/lj.out" 'no expected report'
held='WARNING: kunit_try_catch/896 still has locks held!'
report_out "$l/rep-held" "$held"
echo 'still has locks held!' >"$l/rep-held/report1.expect"
lj "$l/rep-held"; expect "reports: control: a held-lock report is a report of its boot" judged_pass "$tmp/lj.out"
report_out "$l/rep-main" "$circ"
echo "$circ" >>"$l/rep-main/console.log"
lj "$l/rep-main"; expect "reports: the same report in the first boot still fails" judged_fail "$tmp/lj.out" 'report line\(s\); first: WARNING: possible circular'
