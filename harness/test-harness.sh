#!/usr/bin/env bash
# test-harness.sh (make test-harness): the gates of "make check" fail closed.
# Feeds the judges fake, empty and truncated logs, and runs check.sh, run.sh
# and pressure.sh in a scratch copy of the harness whose sub-checks, kernel
# tools and guest are stubs: no kernel build, no QEMU, under a minute.
# Every hole has a test that must end in FAIL, beside a control that must
# pass, so that a FAIL comes from the gate and not from a broken fixture.
# Prints one PASS/FAIL line per test and "N passed, M failed"; exits
# non-zero if M > 0.  Nothing outside a temporary directory is touched
# (KEEP_TMP=1 keeps it, to look at a failing test).
set -uo pipefail

H=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/test-harness.XXXXXX")
[ -n "${KEEP_TMP:-}" ] || trap 'rm -rf "$tmp"' EXIT
unset GPUPOOL_STAGES GPUPOOL_LOGNAME GPUPOOL_TREE GPUPOOL_CCACHE KUNIT_BDIR PRESSURE_APPEND \
	KDOC_WERROR KCFLAGS
export GPUPOOL_CACHE="$tmp/cache" JOBS=1 LC_ALL=C
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
export GIT_AUTHOR_NAME="Test Harness" GIT_AUTHOR_EMAIL="test@example.invalid"
export GIT_COMMITTER_NAME="Test Harness" GIT_COMMITTER_EMAIL="test@example.invalid"
passed=0 failed=0

ok()  { passed=$((passed + 1)); printf 'PASS %s\n' "$*"; }
nok() { failed=$((failed + 1)); printf 'FAIL %s\n' "$*"; }
# expect NAME COMMAND...: the test passes if COMMAND succeeds; otherwise
# the last line COMMAND printed says why.
expect() {
	local name=$1 out="$tmp/expect.out"
	shift
	if "$@" >"$out" 2>&1; then ok "$name"; else nok "$name: $(tail -1 "$out")"; fi
}
# counts_of FILE: "P F" of FILE's last line if it is "counts P F".
counts_of() { tail -1 "$1" | sed -n 's/^counts \([0-9][0-9]*\) \([0-9][0-9]*\)$/\1 \2/p'; }
# judged_fail FILE REGEX: FILE (a judge's output) has a FAIL line matching
# REGEX and ends in "counts P F" with F > 0.
judged_fail() {
	local c
	c=$(counts_of "$1")
	grep -qE "^FAIL .*$2" "$1" || { echo "no FAIL line matching '$2': $(grep -m1 '^FAIL' "$1")"; return 1; }
	[ -n "$c" ] && [ "${c#* }" -gt 0 ] || { echo "the failure is not counted: last line '$(tail -1 "$1")'"; return 1; }
}
# judged_pass FILE: FILE has no FAIL line and ends in "counts P 0", P > 0.
judged_pass() {
	local c
	c=$(counts_of "$1")
	! grep -q '^FAIL' "$1" || { grep -m1 '^FAIL' "$1"; return 1; }
	[ -n "$c" ] && [ "${c% *}" -gt 0 ] && [ "${c#* }" = 0 ] || { echo "last line '$(tail -1 "$1")'"; return 1; }
}
# judge OUT COMMAND...: run a judge, its output (stdout and stderr) in OUT.
judge() { local out=$1; shift; "$@" >"$out" 2>&1; true; }

# --- fixtures -----------------------------------------------------------------
fx="$tmp/fx"
mkdir -p "$fx"
# checkpatch --strict --show-types as scripts/checkpatch.pl prints it.
cat >"$fx/cp-clean.log" <<'EOF'
total: 0 errors, 0 warnings, 0 checks, 9 lines checked

patches/0001-foo.patch has no obvious style problems and is ready for submission.

NOTE: Ignored message types: UNKNOWN_COMMIT_ID
EOF
cat >"$fx/cp-check.log" <<'EOF'
CHECK:COMPARISON_TO_NULL: Comparison to NULL could be written "!p"
#23: FILE: drivers/foo/foo.c:6:
+	return p == NULL;

total: 0 errors, 0 warnings, 1 checks, 9 lines checked

NOTE: For some of the reported defects, checkpatch may be able to
      mechanically convert to the typical style using --fix or --fix-inplace.

patches/0001-foo.patch has style problems, please review.

NOTE: Ignored message types: UNKNOWN_COMMIT_ID
EOF
cat >"$fx/cp-error.log" <<'EOF'
ERROR:SPACING: space required before the open parenthesis '('
#23: FILE: drivers/foo/foo.c:6:
+	if(p)

total: 1 errors, 0 warnings, 0 checks, 9 lines checked

patches/0001-foo.patch has style problems, please review.
EOF
# --no-summary: the positive line alone, no "total:" line.
cat >"$fx/cp-nosummary.log" <<'EOF'

patches/0001-foo.patch has no obvious style problems and is ready for submission.
EOF
cat >"$fx/cp-crash.log" <<'EOF'
Can't locate object method "new" via package "Foo" at scripts/checkpatch.pl line 2204.
EOF
# Killed in the middle of its report: an allowed CHECK, then nothing.
head -3 "$fx/cp-check.log" >"$fx/cp-truncated.log"
# The summary counts an error that the log does not show.
sed 's/total: 0 errors/total: 1 errors/' "$fx/cp-clean.log" >"$fx/cp-mismatch.log"
: >"$fx/empty.log"
printf 'COMPARISON_TO_NULL drivers/foo/foo.c the test says so\n' >"$fx/allow"
# FILE_PATH_CHANGES, as checkpatch prints it for a patch that adds a file
# (no FILE: line); then with a second warning of another type.
cat >"$fx/cp-filepath.log" <<'EOF'
WARNING:FILE_PATH_CHANGES: added, moved or deleted file(s), does MAINTAINERS need updating?
#20: 
new file mode 100644

total: 0 errors, 1 warnings, 0 checks, 30 lines checked

NOTE: For some of the reported defects, checkpatch may be able to
      mechanically convert to the typical style using --fix or --fix-inplace.

patches/0001-foo.patch has style problems, please review.

NOTE: Ignored message types: UNKNOWN_COMMIT_ID
EOF
cat >"$fx/cp-filepath-warn.log" <<'EOF'
WARNING:FILE_PATH_CHANGES: added, moved or deleted file(s), does MAINTAINERS need updating?
#20: 
new file mode 100644

WARNING:LONG_LINE: line length of 120 exceeds 100 columns
#31: FILE: drivers/foo/tests/foo_test.c:5:
+	KUNIT_EXPECT_EQ(test, foo_with_a_very_long_name(), 2);

total: 0 errors, 2 warnings, 0 checks, 30 lines checked

patches/0001-foo.patch has style problems, please review.
EOF
# A tree's MAINTAINERS: drivers/foo/ maintained, drivers/orphan/ orphaned
# (an M: but S: Orphan), and THE REST (an M: too) covering everything else.
mkdir -p "$fx/mtree/drivers/foo"
cat >"$fx/mtree/MAINTAINERS" <<'EOF'
List of maintainers
===================

	M: *Mail* patches to: FullName <address@domain>
	F: *Files* and directories wildcard patterns.

FOO DRIVER
M:	Foo Maintainer <foo@example.invalid>
L:	foo@lists.example.invalid
S:	Maintained
F:	drivers/foo/
X:	drivers/foo/vendor/

ORPHANED THING
M:	Gone Away <gone@example.invalid>
S:	Orphan
F:	drivers/orphan/

THE REST
M:	Linus Torvalds <torvalds@linux-foundation.org>
L:	linux-kernel@vger.kernel.org
S:	Buried alive in reporters
F:	*
F:	*/
EOF
# cp_patch FILE [new|deleted|rename FROM] PATH...: a patch whose diff headers
# add (or delete, or rename FROM to) each PATH, changing drivers/foo/foo.c too.
cp_patch() {
	local out=$1 how=$2 from='' f
	shift 2
	[ "$how" = rename ] && { from=$1; shift; }
	{
		printf 'From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001\nSubject: [PATCH] foo: files\n\n'
		printf 'new file mode 100644 in the message is not a header\n---\n'
		printf 'diff --git a/drivers/foo/foo.c b/drivers/foo/foo.c\nindex 1111111..2222222 100644\n'
		printf -- '--- a/drivers/foo/foo.c\n+++ b/drivers/foo/foo.c\n@@ -1 +1 @@\n-a\n+b\n'
		for f in "$@"; do
			case $how in
			new) printf 'diff --git a/%s b/%s\nnew file mode 100644\nindex 0000000..3333333\n--- /dev/null\n+++ b/%s\n@@ -0,0 +1 @@\n+x\n' "$f" "$f" "$f" ;;
			deleted) printf 'diff --git a/%s b/%s\ndeleted file mode 100644\nindex 3333333..0000000\n--- a/%s\n+++ /dev/null\n@@ -1 +0,0 @@\n-x\n' "$f" "$f" "$f" ;;
			rename) printf 'diff --git a/%s b/%s\nsimilarity index 100%%\nrename from %s\nrename to %s\n' "$from" "$f" "$from" "$f" ;;
			esac
		done
	} >"$out"
}
cp_patch "$fx/cp-new-covered.patch" new drivers/foo/tests/foo_test.c drivers/foo/tests/.kunitconfig
cp_patch "$fx/cp-new-uncovered.patch" new drivers/foo/tests/foo_test.c drivers/baz/baz.c
cp_patch "$fx/cp-new-excluded.patch" new drivers/foo/vendor/blob.c
cp_patch "$fx/cp-deleted-covered.patch" deleted drivers/foo/old.c
cp_patch "$fx/cp-rename-orphan.patch" rename drivers/foo/old.c drivers/orphan/new.c

# The section of 30-gpu-meminfo of a kernel with the counters (R29): the
# pools' 256 pages before, 8448 pages (the buffer's 8192 more) in GPUReclaim
# at the peak, exactly, and 0 after drop_caches.
gm_ok='@@ begin 30-gpu-meminfo
gpu-meminfo before GPUActive 0 GPUReclaim 1024 pools_pages 256 queued_pages 0 inflight_pages 0
gpu-meminfo alloc len 33554432 errno 0 name none bad_words 0
gpu-meminfo peak GPUActive 0 GPUReclaim 33792 nodes_GPUReclaim 33792 pools_pages 8448 queued_pages 0 inflight_pages 0 page_kb 4
gpu-meminfo after_drop_caches GPUActive 0 GPUReclaim 0 nodes_GPUReclaim 0
@@ end 30-gpu-meminfo rc=0'
# The make-run guest console (guest/init-workload, dmabuf-heaps selftest),
# with the section of 20-heap-mempolicy given (none if empty) and that of
# 30-gpu-meminfo given ($gm_ok if not given, none if empty).
run_console() { # TOTALS-LINE [HEAP-MEMPOLICY-SECTION [GPU-MEMINFO-SECTION]]
	cat <<EOF
@@ guest: Linux 6.12.117, 2 CPUs, 482000 kB RAM
@@ begin 10-dmabuf-heaps
TAP version 13
1..2
# Testing heap: system
ok 1 dmabuf_heap_alloc_older
ok 2 Allocate and fill a bunch of buffers
$1
@@ end 10-dmabuf-heaps rc=0
EOF
	[ -z "${2:-}" ] || printf '%s\n' "$2"
	gm=${3-$gm_ok}
	[ -z "$gm" ] || printf '%s\n' "$gm"
	cat <<EOF
@@ begin 90-shrinkers
shrinker drm-page-pool-1 0
@@ end 90-shrinkers rc=0
@@ guest done
EOF
}
# heap-mempolicy as the one-node boot prints it (skipped, not judged there),
# and as the two-node boot prints it when the heap honours MPOL_BIND.
hm_skip='@@ begin 20-heap-mempolicy
TAP version 13
1..0 # SKIP needs two memory nodes
@@ end 20-heap-mempolicy rc=0'
hm_ok='@@ begin 20-heap-mempolicy
TAP version 13
1..3
# heap-mempolicy: pooled node0 32768 kB node1 0 kB
# bind 1, 16384 kB: pool node0 -0 kB node1 -0 kB, misses +16 hits +0, MemFree node0 -8 kB node1 -16392 kB
ok 1 bind to node 1 takes no node-0 block from the pool
ok 2 bind to node 1 gets its memory from node 1
# bind 0, 16384 kB: pool node0 -16384 kB, hits +16, MemFree node0 -4 kB node1 -0 kB
ok 3 bind to node 0 is served from the node-0 pool
# Totals: pass:3 fail:0 xfail:0 xpass:0 skip:0 error:0
@@ end 20-heap-mempolicy rc=0'
run_console '# Totals: pass:2 fail:0 xfail:0 xpass:0 skip:0 error:0' "$hm_skip" >"$fx/run-ok.log"
run_console '# Totals: pass:2 fail:0 xfail:0 xpass:0 skip:0 error:0' "$hm_ok" >"$fx/run-ok-numa2.log"
# The two-node boot without the section, with test 2 failed (node 1 did not
# pay for the memory), and skipped as if it had one node.
run_console '# Totals: pass:2 fail:0 xfail:0 xpass:0 skip:0 error:0' >"$fx/run-numa2-no-hm.log"
sed -e 's/^ok 2 bind/not ok 2 bind/' -e 's/pass:3 fail:0/pass:2 fail:1/' \
	-e 's/^@@ end 20-heap-mempolicy rc=0/@@ end 20-heap-mempolicy rc=1/' \
	"$fx/run-ok-numa2.log" >"$fx/run-numa2-notok2.log"
run_console '# Totals: pass:2 fail:0 xfail:0 xpass:0 skip:0 error:0' "$hm_skip" >"$fx/run-numa2-skip.log"
# One test failed: "fail:0" still appears inside "xfail:0".
run_console '# Totals: pass:2 fail:1 xfail:0 xpass:0 skip:0 error:0' >"$fx/run-fail1.log"
run_console '# Totals: pass:2 fail:0' >"$fx/run-short-totals.log"
# 30-gpu-meminfo: missing, as the base kernel prints it (no such fields),
# with pages left after drop_caches, with a peak below the pools' pages or
# above them (counted twice), with pools that held nothing, with nodes that
# do not add up, with a buffer that never reached the pools, with a
# kthread that did not go idle, and with a counter that went below zero
# (meminfo shows 0; only vm/stat_refresh's warning tells).
run_console '# Totals: pass:2 fail:0 xfail:0 xpass:0 skip:0 error:0' "$hm_skip" '' >"$fx/run-gm-none.log"
run_console '# Totals: pass:2 fail:0 xfail:0 xpass:0 skip:0 error:0' "$hm_skip" \
	"$(printf '%s\n' "$gm_ok" | sed -e 's/GPUActive [0-9]*/GPUActive missing/' \
		-e 's/ GPUReclaim [0-9]*/ GPUReclaim missing/' -e 's/nodes_GPUReclaim [0-9]*/nodes_GPUReclaim missing/')" \
	>"$fx/run-gm-base.log"
run_console '# Totals: pass:2 fail:0 xfail:0 xpass:0 skip:0 error:0' "$hm_skip" \
	"$(printf '%s\n' "$gm_ok" | sed '/after_drop_caches/s/GPUReclaim 0 nodes_GPUReclaim 0/GPUReclaim 1024 nodes_GPUReclaim 1024/')" \
	>"$fx/run-gm-left.log"
run_console '# Totals: pass:2 fail:0 xfail:0 xpass:0 skip:0 error:0' "$hm_skip" \
	"$(printf '%s\n' "$gm_ok" | sed '/ peak /s/GPUReclaim 33792 nodes_GPUReclaim 33792/GPUReclaim 33788 nodes_GPUReclaim 33788/')" \
	>"$fx/run-gm-short.log"
run_console '# Totals: pass:2 fail:0 xfail:0 xpass:0 skip:0 error:0' "$hm_skip" \
	"$(printf '%s\n' "$gm_ok" | sed '/ peak /s/GPUReclaim 33792 nodes_GPUReclaim 33792 pools_pages 8448/GPUReclaim 0 nodes_GPUReclaim 0 pools_pages 0/')" \
	>"$fx/run-gm-empty-pools.log"
run_console '# Totals: pass:2 fail:0 xfail:0 xpass:0 skip:0 error:0' "$hm_skip" \
	"$(printf '%s\n' "$gm_ok" | sed '/ peak /s/nodes_GPUReclaim 33792/nodes_GPUReclaim 16384/')" \
	>"$fx/run-gm-nodes.log"
run_console '# Totals: pass:2 fail:0 xfail:0 xpass:0 skip:0 error:0' "$hm_skip" \
	"$(printf '%s\n' "$gm_ok" | sed '/ peak /s/GPUReclaim 33792 nodes_GPUReclaim 33792/GPUReclaim 67584 nodes_GPUReclaim 67584/')" \
	>"$fx/run-gm-twice.log"
run_console '# Totals: pass:2 fail:0 xfail:0 xpass:0 skip:0 error:0' "$hm_skip" \
	"$(printf '%s\n' "$gm_ok" | sed -e '/ before /s/GPUReclaim 1024 pools_pages 256/GPUReclaim 33792 pools_pages 8448/')" \
	>"$fx/run-gm-not-pooled.log"
run_console '# Totals: pass:2 fail:0 xfail:0 xpass:0 skip:0 error:0' "$hm_skip" \
	"$(printf '%s\n' "$gm_ok" | sed '/ peak /i gpu-meminfo idle_timeout queued_items 3')" \
	>"$fx/run-gm-busy.log"
run_console '# Totals: pass:2 fail:0 xfail:0 xpass:0 skip:0 error:0' "$hm_skip" \
	"$(printf '%s\n' "$gm_ok" | sed '/after_drop_caches/i [   41.123456] vmstat_refresh: nr_gpu_reclaim -8192')" \
	>"$fx/run-gm-negative.log"

# The pressure guest (guest/pressure/{heap,vgem}), as the patched kernel printed it.
cat >"$fx/pressure-heap.log" <<'EOF'
@@ guest: Linux 6.12.117+, 2 CPUs, 241516 kB RAM
@@ begin 10-zram
zram swap_kb 262140
@@ end 10-zram rc=0
@@ begin 20-errno
errno case len0 errno 22 name EINVAL ms 0 fds_leaked 0
errno case fd_flags errno 22 name EINVAL ms 0 fds_leaked 0
errno case heap_flags errno 22 name EINVAL ms 0 fds_leaked 0
errno case bad_pointer errno 14 name EFAULT ms 0 fds_leaked 0
errno case len_unaligned errno 0 name none ms 1 fds_leaked 0
@@ end 20-errno rc=0
@@ begin 21-huge
errno case len_1TiB errno 12 name ENOMEM ms 0 fds_leaked 0
@@ end 21-huge rc=0
@@ begin 22-churn
churn ram_mib 235 hold_mib 117 rounds 9 allocated_mib 1053 failed 0 oom_kill 0 s 0
@@ end 22-churn rc=0
@@ begin 23-exhaust
exhaust sentinel_pid 70 sentinel_rss_kb 9088 avail_before_kb 162352 oom_kill_before 0
exhaust start ram_mib 235 buf_mib 8 avail_kb 162352
exhaust progress held_mib 32 avail_kb 162352 oom_kill 0
exhaust progress held_mib 192 avail_kb 11404 oom_kill 0
exhaust held_mib 216 buffers 27 errno 12 name ENOMEM ms_to_refusal 1716 oom_kill 0 avail_at_refusal_kb 2644
exhaust closed avail_kb 222848
exhaust result rc 0 sentinel_alive 1 oom_kill_before 0 oom_kill_after 0 avail_before_kb 162352 avail_after_kb 221912 pct 136 waited_ms 0
@@ end 23-exhaust rc=0
@@ begin 24-busy
busy hogs 2
busy rounds 412 ms 20012 min_mib 8 max_mib 64 freed_mib 12360 mib_per_s 617.6 failed 0 errno 0 name none last_errno 0 oom_kill 0
busy ram_mib 235 avail_start_kb 44384 min_avail_kb 30112 avail_end_kb 41200 samples 398 max_gap_ms 61 max_queued_pages_seen 4096
busy stats present cap_pages 8192 max_queued_pages 8192 queued_pages 2048
busy ram_kb 241516 cap_kb 32768 anon_kb 184597
anon start bytes 189027328 mib 180 avail_kb 41200
anon bytes 189027328 touched_mib 180 errno 0 name none ms 5230 oom_kill 0 avail_after_kb 40000
busy oom_kill_before 0 oom_kill_after 0 hogs 2 hogs_alive_after_anon 2
@@ end 24-busy rc=0
@@ begin 25-zero
zero selftest kind unzeroed words 8192 bad_words 8192 first_bad_offset 0 first_bad_value 0x5ec2e7a501010101 detected 1
zero selftest kind last_byte words 8192 bad_words 1 first_bad_offset 65528 first_bad_value 0x5e00000000000000 detected 1
zero pools_after_drop_caches_pages 0
zero len 4096 allocs 3 pool_hit_allocs 2 bad_words 0 first_bad_round -1 first_bad_offset 0 first_bad_value 0x0000000000000000 errors 0 errno 0
zero len 65536 allocs 3 pool_hit_allocs 2 bad_words 0 first_bad_round -1 first_bad_offset 0 first_bad_value 0x0000000000000000 errors 0 errno 0
zero len 1048576 allocs 3 pool_hit_allocs 2 bad_words 0 first_bad_round -1 first_bad_offset 0 first_bad_value 0x0000000000000000 errors 0 errno 0
zero len 8388608 allocs 3 pool_hit_allocs 2 bad_words 0 first_bad_round -1 first_bad_offset 0 first_bad_value 0x0000000000000000 errors 0 errno 0
zero len 33554432 allocs 3 pool_hit_allocs 2 bad_words 0 first_bad_round -1 first_bad_offset 0 first_bad_value 0x0000000000000000 errors 0 errno 0
zero len 1118208 allocs 3 pool_hit_allocs 2 bad_words 0 first_bad_round -1 first_bad_offset 0 first_bad_value 0x0000000000000000 errors 0 errno 0
zero rounds 3 pools present deferred present kthread_freed_items 12 max_wait_ms 10 s 0 result pass
@@ end 25-zero rc=0
@@ begin 26-freeze
freeze hogs 2
freeze before queued_items 9 queued_pages 5120 freed_items 385 batches 386 polled_ms 0
PM: suspend entry (s2idle)
Freezing user space processes
Freezing user space processes completed (elapsed 0.004 seconds)
OOM killer disabled.
Freezing remaining freezable tasks
Freezing remaining freezable tasks completed (elapsed 0.003 seconds)
PM: suspend debug: Waiting for 1 second(s).
OOM killer enabled.
PM: suspend exit
freeze after_thaw queued_items 9 queued_pages 5120 freed_items 386 batches 386
freeze test rc 0 ms 1540 refused_lines 0 kthreads_frozen 1
freeze queue rounds 527 ms 8003 min_mib 1 max_mib 8 freed_mib 1972 mib_per_s 656.2 failed 0 errno 0 name none last_errno 0 oom_kill 0
freeze queue ram_mib 235 avail_start_kb 207288 min_avail_kb 172432 avail_end_kb 187792 samples 52 max_gap_ms 101 max_queued_pages_seen 6144
freeze drained queued_items 0 queued_pages 0 freed_items 395 batches 395
freeze drain waited_ms 0
freeze alloc len 8388608 errno 0 name none bad_words 0
@@ end 26-freeze rc=0
@@ begin 27-memcg
memcg setup accounting N controllers memory sentinel_rss_kb 9088
memcg held_mib 128 errno 0 name none ms_to_refusal 0 current_before_kb 248 current_peak_kb 1020 current_closed_kb 252 max_kb 65536 oom_kill 0
memcg events rc 0 oom 0 oom_kill 0 max 0 current_after_exit_kb 168
memcg fill skipped accounting N
memcg result sentinel_alive 1 oom_kill_before 0 oom_kill_after 0
@@ end 27-memcg rc=0
@@ begin 29-drop
pools before_drop_caches_pages 29184
pools after_drop_caches_pages 0
deferred system queued_items: 0
deferred system queued_pages: 0
oom_kill total 0
@@ end 29-drop rc=0
@@ guest done
EOF
# The ttmswap set (pressure.sh ttmswap: the KUnit suite ttm_bo_shrink_swap at
# boot without swap, then through debugfs with zram swap).
cat >"$fx/pressure-ttmswap.log" <<'EOF'
@@ guest: Linux 6.12.117+, 2 CPUs, 241180 kB RAM
@@ nodes: 1
@@ begin 10-zram
zram swap_kb 262140
@@ end 10-zram rc=0
@@ begin 28-kunit-swap
ttmswap boot: KTAP version 1
ttmswap boot: 1..1
ttmswap boot:     KTAP version 1
ttmswap boot:     # Subtest: ttm_bo_shrink_swap
ttmswap boot:     1..1
ttmswap boot:     # ttm_bo_shrink_swap_backup: no swap: refusals
ttmswap boot:     ok 1 ttm_bo_shrink_swap_backup
ttmswap boot:     # module: ttm_bo_shrink_test
ttmswap boot: ok 1 ttm_bo_shrink_swap
ttmswap swap_kb 262140 free_kb 262140
ttmswap swap: KTAP version 1
ttmswap swap: 1..1
ttmswap swap:     KTAP version 1
ttmswap swap:     # Subtest: ttm_bo_shrink_swap
ttmswap swap:     1..1
ttmswap swap:     # ttm_bo_shrink_swap_backup: swap: 65535 pages free
ttmswap swap:     # ttm_bo_shrink_swap_backup: backup: Shmem +2048, swap +0; copies resident 2048, swapped 0 (pages)
ttmswap swap:     # ttm_bo_shrink_swap_backup: writeback: Shmem +2048, swap +2048; copies resident 2048, swapped 2048
ttmswap swap:     # ttm_bo_shrink_swap_backup: hog: 49847 pages
ttmswap swap:     # ttm_bo_shrink_swap_backup: hog: Shmem -587, swap +4736; copies resident 0, swapped 4096
ttmswap swap:     # ttm_bo_shrink_swap_backup: freed: Shmem -587, swap +768; others' Shmem -587, swap +640
ttmswap swap:     # ttm_bo_shrink_swap_backup: throughput: 64 MiB shrunk in 160000000 ns, 400 MiB/s; copy_page() 40000000 ns, 1600 MiB/s; freed 16384 pages
ttmswap swap:     ok 1 ttm_bo_shrink_swap_backup
ttmswap swap:     # module: ttm_bo_shrink_test
ttmswap swap: ok 1 ttm_bo_shrink_swap
@@ end 28-kunit-swap rc=0
@@ begin 29-drop
oom_kill total 0
@@ end 29-drop rc=0
@@ guest done
EOF
# The memcg set (pressure.sh memcg: dma_heap.mem_accounting=1, 27-memcg.sh).
cat >"$fx/pressure-memcg.log" <<'EOF'
@@ guest: Linux 6.12.117+, 2 CPUs, 241516 kB RAM
@@ begin 10-zram
zram swap_kb 262140
@@ end 10-zram rc=0
@@ begin 27-memcg
memcg setup accounting Y controllers memory sentinel_rss_kb 9088
memcg held_mib 63 errno 12 name ENOMEM ms_to_refusal 410 current_before_kb 248 current_peak_kb 65280 current_closed_kb 1020 max_kb 65536 oom_kill 0
memcg events rc 0 oom 0 oom_kill 0 max 5 current_after_exit_kb 168
memcg fill ram_mib 235 got_mib 63 errno 12 name ENOMEM ms_to_fail 380 oom_kill 0
memcg fill avail_before_kb 190000 avail_after_kb 189000 pct 99 waited_ms 0
memcg fill_events oom 0 oom_kill 0 current_after_exit_kb 160
memcg result sentinel_alive 1 oom_kill_before 0 oom_kill_after 0
@@ end 27-memcg rc=0
@@ begin 29-drop
pools before_drop_caches_pages 1024
pools after_drop_caches_pages 0
deferred system queued_items: 0
deferred system queued_pages: 0
oom_kill total 0
@@ end 29-drop rc=0
@@ guest done
EOF
cat >"$fx/pressure-vgem.log" <<'EOF'
@@ guest: Linux 6.12.117+, 2 CPUs, 241516 kB RAM
@@ begin 20-vgem
vgem ram_mib 235 buffers_mib 352 created_mib 352 create_errno 0 fill_s 3
vgem busy 4 extra_mib 58 minflt 14848 expected_minflt 14848 fences_expired 0
vgem verified_mib 410 bad_words 0 bad_buffers 0 oom_kill 0 swapped_out_mib 607 swapped_in_mib 410 total_s 10 out_mib_per_s 59.0 in_mib_per_s 63.8
vgem result pass
oom_kill total 0
@@ end 20-vgem rc=0
@@ begin 30-mappings
vgem-maps hog avail_mib 196 touched_mib 200 swapped_out_mib 20
vgem-maps kind drm-fd faults 1024 zapped 1 bad_words 0
vgem-maps kind dmabuf-kept faults 1024 zapped 1 bad_words 0
vgem-maps kind dmabuf-closed-A faults 1024 zapped 1 bad_words 0
vgem-maps kind dmabuf-closed-B faults 1024 zapped 1 bad_words 0
vgem-maps fork child_faults_before_drop 0 parent_faults 1024 parent_bad_words 0 child_bad_words 0
vgem-maps kind fork faults 1024 zapped 1 bad_words 0
vgem-maps kind reimport faults 1024 zapped 1 bad_words 0
vgem-maps swapped_out_mib 20 swapped_in_mib 12 oom_kill 0
vgem-maps result pass
oom_kill total 0
@@ end 30-mappings rc=0
@@ guest done
EOF
# The guest died in the churn.
head -16 "$fx/pressure-heap.log" >"$fx/pressure-heap-truncated.log"
# The pools were empty before drop_caches: "empty after it" proves nothing.
sed 's/before_drop_caches_pages 29184/before_drop_caches_pages 0/' "$fx/pressure-heap.log" >"$fx/pressure-heap-pools0.log"
# The busy case (24-busy.sh): the backlog's high-water mark over its cap; no
# cap (0, no cap_pages line, no stats file: the base kernel); the anonymous
# allocation failed, or was not RAM - cap - 10%; an OOM kill during the
# case (in the console, or only in the counter); a failed heap allocation in
# the loop; a hog that died; the case's lines missing.
bz() { sed "$1" "$fx/pressure-heap.log" >"$fx/pressure-heap-busy-$2.log"; }
bz 's/^busy stats present cap_pages 8192 max_queued_pages 8192/busy stats present cap_pages 8192 max_queued_pages 8193/' overcap
# With no cap the script asks for 90% of RAM.
nocap='s/cap_kb 32768 anon_kb 184597/cap_kb 0 anon_kb 217365/; s/bytes 189027328/bytes 222581760/; s/touched_mib 180/touched_mib 212/'
bz "s/^busy stats present cap_pages 8192/busy stats present cap_pages 0/; $nocap" cap0
bz "s/^busy stats present cap_pages 8192/busy stats present cap_pages absent/; $nocap" nocapline
bz "s/^busy stats present .*/busy stats absent cap_pages 0 max_queued_pages 0 queued_pages 0/; $nocap" nostats
bz 's/^anon bytes 189027328 touched_mib 180 errno 0 name none/anon bytes 189027328 touched_mib 0 errno 12 name ENOMEM/' anonfail
bz 's/^anon bytes 189027328 touched_mib 180/anon bytes 189027328 touched_mib 120/' anonshort
bz 's/anon_kb 184597/anon_kb 100000/; s/^anon bytes 189027328/anon bytes 102400000/; s/touched_mib 180/touched_mib 97/' anonsmall
bz '/^anon bytes /d' noanon
bz 's/^busy oom_kill_before 0 oom_kill_after 0/busy oom_kill_before 0 oom_kill_after 1/' oomcount
bz '/^anon start /a\
Out of memory: Killed process 91 (dmabuf-pressure) total-vm:190000kB, anon-rss:150000kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:400kB oom_score_adj:0' oomconsole
bz 's/^busy rounds 412 ms 20012 min_mib 8 max_mib 64 freed_mib 12360 mib_per_s 617.6 failed 0 errno 0 name none last_errno 0/busy rounds 412 ms 20012 min_mib 8 max_mib 64 freed_mib 12000 mib_per_s 599.6 failed 3 errno 12 name ENOMEM last_errno 12/' allocfail
bz 's/hogs_alive_after_anon 2/hogs_alive_after_anon 1/' hogdied
bz '/^busy rounds /d' norounds
bz '/^@@ begin 24-busy/,/^@@ end 24-busy/d' nocase
# Exhaustion (23-exhaust.sh): the OOM killer took the sentinel (the kernel's
# count since boot, on 29-drop's line, says 1), with or without the
# allocator; the refusal was not ENOMEM, or came before half of RAM;
# MemAvailable did not come back; no result line; a sentinel that never
# held its memory; an OOM kill outside the case, on the console or only in
# the count.
pe() { sed "$1" "$fx/pressure-heap.log" >"$fx/pressure-heap-$2.log"; }
pe '' good
killed='Out of memory: Killed process 70 (dmabuf-pressure) total-vm:9364kB, anon-rss:128kB, file-rss:0kB, shmem-rss:780kB, UID:0 pgtables:48kB oom_score_adj:0'
exoom="/^exhaust progress held_mib 192 /a\\
$killed
s/^exhaust result rc 0 sentinel_alive 1 oom_kill_before 0 oom_kill_after 0/exhaust result rc 0 sentinel_alive 0 oom_kill_before 0 oom_kill_after 1/
s/^oom_kill total 0/oom_kill total 1/"
pe "$exoom" exhaust-oom
pe "/^exhaust progress held_mib 192 /a\\
$killed\\
Out of memory: Killed process 71 (dmabuf-pressure) total-vm:1172kB, anon-rss:0kB, file-rss:0kB, shmem-rss:140kB, UID:0 pgtables:36kB oom_score_adj:0
/^exhaust held_mib /d; /^exhaust closed /d
s/^exhaust result rc 0 sentinel_alive 1 oom_kill_before 0 oom_kill_after 0/exhaust result rc 137 sentinel_alive 0 oom_kill_before 0 oom_kill_after 2/
s/^oom_kill total 0/oom_kill total 2/" exhaust-killed
pe 's/^exhaust held_mib 216 buffers 27 errno 12 name ENOMEM/exhaust held_mib 216 buffers 27 errno 4 name EINTR/' exhaust-eintr
pe 's/^exhaust held_mib 216 buffers 27 /exhaust held_mib 64 buffers 8 /' exhaust-early
pe 's/avail_after_kb 221912 pct 136/avail_after_kb 129881 pct 80/' exhaust-avail
pe '/^exhaust result /d' exhaust-noresult
pe 's/sentinel_rss_kb 9088/sentinel_rss_kb 0/' exhaust-nosentinel
sed "/^@@ begin 25-zero/a\\
Out of memory: Killed process 80 (sh) total-vm:2260kB, anon-rss:0kB, file-rss:0kB, shmem-rss:172kB, UID:0 pgtables:36kB oom_score_adj:0
s/^oom_kill total 1/oom_kill total 2/" "$fx/pressure-heap-exhaust-oom.log" >"$fx/pressure-heap-oom-elsewhere.log"
sed 's/^oom_kill total 1/oom_kill total 2/' "$fx/pressure-heap-exhaust-oom.log" >"$fx/pressure-heap-oom-count-elsewhere.log"
# Expected-failure files (PRESSURE_XFAIL): none, the exhaustion's, one
# naming no check, one line without a reason.
printf '# none\n' >"$fx/xfail-none"
printf '# the test says so\nXFAIL heap exhaust-no-oom: heap buffers charged to the owner'"'"'s memcg, issue 14\n' >"$fx/xfail-exhaust"
printf 'XFAIL heap no-such-check: a fix that will never come\n' >"$fx/xfail-stale"
printf 'XFAIL heap exhaust-no-oom\n' >"$fx/xfail-bad"
# Zeroing (25-zero.sh): a secret word left in a 1 MiB buffer; a size with
# no line; a self-test that saw nothing; a size no pool served; no pools
# (the base kernel); too few allocations; the case missing.
pe 's/^zero len 1048576 allocs 3 pool_hit_allocs 2 bad_words 0 first_bad_round -1 first_bad_offset 0 first_bad_value 0x0000000000000000/zero len 1048576 allocs 3 pool_hit_allocs 2 bad_words 1 first_bad_round 2 first_bad_offset 12296 first_bad_value 0x5ec2e7a522222222/' zero-bad
pe '/^zero len 33554432 /d' zero-noline
pe 's/^zero selftest kind unzeroed words 8192 bad_words 8192 .*/zero selftest kind unzeroed words 8192 bad_words 0 first_bad_offset 0 first_bad_value 0x0000000000000000 detected 0/' zero-blind
pe 's/^zero len 8388608 allocs 3 pool_hit_allocs 2 /zero len 8388608 allocs 3 pool_hit_allocs 0 /' zero-nohit
pe 's/pool_hit_allocs 2 /pool_hit_allocs absent /; s/^zero rounds 3 pools present deferred present kthread_freed_items 12/zero rounds 3 pools absent deferred absent kthread_freed_items 0/' zero-nopools
pe 's/^zero len 65536 allocs 3 /zero len 65536 allocs 1 /' zero-fewallocs
pe '/^@@ begin 25-zero/,/^@@ end 25-zero/d' zero-nocase
# Freeze (26-freeze.sh): the write to /sys/power/state failed; a task
# refused to freeze (the console only); nothing queued before; no drain;
# no allocation after; no test line; the case skipped (no pm_test); the
# case missing.
pe 's/^freeze test rc 0 /freeze test rc 1 /' freeze-rc
pe '/^Freezing remaining freezable tasks completed/c\
Freezing remaining freezable tasks failed after 20.006 seconds (1 tasks refusing to freeze, wq_busy=0):' freeze-refused
pe 's/^freeze before queued_items 9 queued_pages 5120/freeze before queued_items 0 queued_pages 0/' freeze-noqueue
pe 's/^freeze drained queued_items 0 queued_pages 0/freeze drained queued_items 3 queued_pages 1536/; s/^freeze drain waited_ms 0/freeze drain waited_ms 30000/' freeze-nodrain
pe 's/^freeze alloc len 8388608 errno 0 name none/freeze alloc len 8388608 errno 12 name ENOMEM/' freeze-allocfail
pe '/^freeze test /d' freeze-notest
pe '/^@@ begin 26-freeze/,/^@@ end 26-freeze/{/^@@ /!d}; /^@@ begin 26-freeze/a\
freeze skip reason no /sys/power/pm_test: the kernel lacks CONFIG_PM_SLEEP or CONFIG_PM_DEBUG' freeze-skip
pe '/^@@ begin 26-freeze/,/^@@ end 26-freeze/d' freeze-nocase
# The base kernel's run of the case for heap-vs-base (no stats file), and
# a base that was faster, or whose MemAvailable floor was more than the
# cap above the patched kernel's.
sed -e 's/^busy rounds 412 .*/busy rounds 400 ms 20030 min_mib 8 max_mib 64 freed_mib 12000 mib_per_s 599.1 failed 0 errno 0 name none last_errno 0 oom_kill 0/' \
	-e 's/^busy ram_mib 235 avail_start_kb 44384 min_avail_kb 30112/busy ram_mib 235 avail_start_kb 180000 min_avail_kb 50000/' \
	-e 's/^busy stats present .*/busy stats absent cap_pages 0 max_queued_pages 0 queued_pages 0/' -e "$nocap" \
	"$fx/pressure-heap.log" >"$fx/pressure-heap-base.log"
sed 's/mib_per_s 599.1/mib_per_s 700.0/' "$fx/pressure-heap-base.log" >"$fx/pressure-heap-base-faster.log"
sed 's/min_avail_kb 50000/min_avail_kb 62881/' "$fx/pressure-heap-base.log" >"$fx/pressure-heap-base-moreavail.log"
sed 's/min_avail_kb 50000/min_avail_kb 62880/' "$fx/pressure-heap-base.log" >"$fx/pressure-heap-base-capavail.log"
grep -v '^busy ' "$fx/pressure-heap-base.log" >"$fx/pressure-heap-base-nobusy.log"
# vgem-mappings failed; printed no result; says pass with a drm-fd mapping
# that was never zapped (the judge reads the kinds itself).
sed 's/^vgem-maps result pass$/vgem-maps result fail bad_words_fork/' "$fx/pressure-vgem.log" >"$fx/pressure-vgem-maps-fail.log"
grep -v '^vgem-maps result' "$fx/pressure-vgem.log" >"$fx/pressure-vgem-maps-noresult.log"
sed 's/^vgem-maps kind drm-fd faults 1024 zapped 1/vgem-maps kind drm-fd faults 0 zapped 0/' \
	"$fx/pressure-vgem.log" >"$fx/pressure-vgem-maps-notzapped.log"
# Exported objects are evicted too: a dma-buf mapping with its handle kept
# that stayed resident fails.
sed 's/^vgem-maps kind dmabuf-kept faults 1024 zapped 1/vgem-maps kind dmabuf-kept faults 0 zapped 0/' \
	"$fx/pressure-vgem.log" >"$fx/pressure-vgem-maps-kept.log"

# KUnit results as kunit.py writes them: one case per suite here.
kunit_json() { # SUITE:CASE:STATUS...
	python3 - "$@" <<'PY'
import json, sys
groups = {}
for a in sys.argv[1:]:
    s, c, st = a.split(':')
    groups.setdefault(s, []).append({'name': c, 'status': st})
print(json.dumps({'name': 'KUnit Test Group', 'test_cases': [], 'sub_groups': [
    {'name': s, 'sub_groups': [], 'test_cases': cs} for s, cs in groups.items()]}))
PY
}
kbase="$fx/kunit-base"
printf '# cases\nfake_suite.fake_case\n' >"$kbase.cases"
printf '# warnings\n' >"$kbase.warnings"
kunit_out() { # DIR: a good run of two boots
	mkdir -p "$1"
	kunit_json fake_suite:fake_case:PASS >"$1/kunit.json"
	printf 'KTAP version 1\n1..1\nok 1 fake_suite\n' >"$1/console.log"
	kunit_json numa_suite:numa_case:PASS >"$1/kunit-numa1.json"
	printf 'KTAP version 1\n1..1\nok 1 numa_suite\n' >"$1/console-numa1.log"
}

# --- checkpatch_judge.py ----------------------------------------------------
cpj() { python3 "$H/checkpatch_judge.py" "$@" 2>&1; }
cp_ok()   { local v; v=$(cpj "$@"); [[ $v == ok* ]] || { echo "$v"; return 1; }; }
cp_fail() { local v; v=$(cpj "$@"); [[ $v != ok* ]] || { echo "judged clean: $v"; return 1; }; }
expect "checkpatch: control: a clean patch (exit 0, summary) is ok" cp_ok "$fx/allow" "$fx/cp-clean.log" 0
expect "checkpatch: control: only an allowed CHECK (exit 1, summary) is ok" cp_ok "$fx/allow" "$fx/cp-check.log" 1
expect "checkpatch: an ERROR fails" cp_fail "$fx/allow" "$fx/cp-error.log" 1
expect "checkpatch: an empty log fails" cp_fail "$fx/allow" "$fx/empty.log" 0
expect "checkpatch: a missing log fails" cp_fail "$fx/allow" "$tmp/no-such.log" 0
expect "checkpatch: a perl crash (exit 255, no summary) fails" cp_fail "$fx/allow" "$fx/cp-crash.log" 255
expect "checkpatch: --no-summary output (no 'total:' line) fails" cp_fail "$fx/allow" "$fx/cp-nosummary.log" 0
expect "checkpatch: a report cut off before its summary fails" cp_fail "$fx/allow" "$fx/cp-truncated.log" 1
expect "checkpatch: a clean summary with exit status 2 fails" cp_fail "$fx/allow" "$fx/cp-clean.log" 2
expect "checkpatch: allowed CHECKs with exit status 0 fail" cp_fail "$fx/allow" "$fx/cp-check.log" 0
expect "checkpatch: a clean log with exit status 1 fails" cp_fail "$fx/allow" "$fx/cp-clean.log" 1
expect "checkpatch: summary counts that the log does not show fail" cp_fail "$fx/allow" "$fx/cp-mismatch.log" 0
expect "checkpatch: a CHECK not in the allow list fails" cp_fail "$H/checkpatch-allow" "$fx/cp-check.log" 1
# FILE_PATH_CHANGES: accepted (and said) only if PATCH's added, deleted and
# renamed files are all under a maintained MAINTAINERS section of TREE.
# cp_says REGEX ARGS...: the verdict matches REGEX.
cp_says() { local re=$1 v; shift; v=$(cpj "$@"); [[ $v =~ $re ]] || { echo "verdict: $v"; return 1; }; }
expect "checkpatch: FILE_PATH_CHANGES, every added file under a maintained section, is ok and said" \
	cp_says '^ok \(0 allowed CHECKs, 30 lines checked; FILE_PATH_CHANGES accepted: its 2 .*\(FOO DRIVER\)\)$' \
	"$fx/allow" "$fx/cp-filepath.log" 1 "$fx/cp-new-covered.patch" "$fx/mtree"
expect "checkpatch: FILE_PATH_CHANGES, a deleted file under a maintained section, is ok" \
	cp_says '^ok .*FILE_PATH_CHANGES accepted' "$fx/allow" "$fx/cp-filepath.log" 1 "$fx/cp-deleted-covered.patch" "$fx/mtree"
expect "checkpatch: FILE_PATH_CHANGES, one added file only THE REST covers, fails naming it" \
	cp_says '^1 problem\(s\), first: WARNING:FILE_PATH_CHANGES: .*covers: added drivers/baz/baz.c\]$' \
	"$fx/allow" "$fx/cp-filepath.log" 1 "$fx/cp-new-uncovered.patch" "$fx/mtree"
expect "checkpatch: FILE_PATH_CHANGES, an added file the section excludes (X:), fails naming it" \
	cp_says 'FILE_PATH_CHANGES: .*covers: added drivers/foo/vendor/blob.c\]$' \
	"$fx/allow" "$fx/cp-filepath.log" 1 "$fx/cp-new-excluded.patch" "$fx/mtree"
expect "checkpatch: FILE_PATH_CHANGES, a file renamed into an orphaned section, fails naming it" \
	cp_says 'FILE_PATH_CHANGES: .*covers: renamed to drivers/orphan/new.c\]$' \
	"$fx/allow" "$fx/cp-filepath.log" 1 "$fx/cp-rename-orphan.patch" "$fx/mtree"
expect "checkpatch: beside an accepted FILE_PATH_CHANGES, a WARNING of another type fails" \
	cp_says '^1 problem\(s\), first: WARNING:LONG_LINE: ' \
	"$fx/allow" "$fx/cp-filepath-warn.log" 1 "$fx/cp-new-covered.patch" "$fx/mtree"
expect "checkpatch: an accepted FILE_PATH_CHANGES with exit status 0 fails" \
	cp_says 'exited with status 0 \(expected 1\)' "$fx/allow" "$fx/cp-filepath.log" 0 "$fx/cp-new-covered.patch" "$fx/mtree"
expect "checkpatch: FILE_PATH_CHANGES in a tree without MAINTAINERS fails" \
	cp_says 'FILE_PATH_CHANGES: .*cannot check MAINTAINERS' "$fx/allow" "$fx/cp-filepath.log" 1 "$fx/cp-new-covered.patch" "$tmp"
expect "checkpatch: control: FILE_PATH_CHANGES without a patch and tree (the old call) still fails" \
	cp_fail "$fx/allow" "$fx/cp-filepath.log" 1

# --- pressure_judge.py --------------------------------------------------------
pj() { judge "$tmp/pj.out" python3 "$H/pressure_judge.py" "$@"; }
pj heap "$fx/pressure-heap.log"; expect "pressure: control: a good heap log passes" judged_pass "$tmp/pj.out"
pj vgem "$fx/pressure-vgem.log"; expect "pressure: control: a good vgem log passes" judged_pass "$tmp/pj.out"
pj heap "$tmp/no-such.log"; expect "pressure: a missing console log fails (counted)" judged_fail "$tmp/pj.out" 'no console log'
pj vgem "$fx/empty.log"; expect "pressure: an empty console log fails (counted)" judged_fail "$tmp/pj.out" 'no console log'
pj heap "$fx/pressure-heap-truncated.log"; expect "pressure: a guest that died mid-run fails" judged_fail "$tmp/pj.out" 'finishes'
pj nosuch "$fx/pressure-heap.log"; expect "pressure: an unknown workload set fails (counted)" judged_fail "$tmp/pj.out" 'unknown workload set'
pj heap "$fx/pressure-heap-pools0.log"
expect "pressure: pools already empty before drop_caches fail" judged_fail "$tmp/pj.out" 'before drop_caches the page pools hold pages.*\(0 pages\)'
pb() { # pb NAME WHAT REGEX: the busy fixture NAME fails a check matching REGEX
	pj heap "$fx/pressure-heap-busy-$1.log"
	expect "pressure: busy CPUs: $2" judged_fail "$tmp/pj.out" "$3"
}
pb overcap "a high-water mark over the cap fails" 'busy CPUs: .*high-water mark never exceeded it.*max_queued_pages 8193'
pb cap0 "a cap of 0 fails" 'busy CPUs: .*has a cap.*cap_pages 0'
pb nocapline "a stats file without cap_pages fails" 'busy CPUs: .*has a cap.*cap_pages absent'
pb nostats "no deferred-free stats file fails" 'busy CPUs: .*has a cap.*stats absent'
pb anonfail "a failed anonymous allocation fails" 'busy CPUs: beside the hogs, an anonymous allocation.*errno=12'
pb anonshort "an anonymous allocation not written to the end fails" 'busy CPUs: beside the hogs, an anonymous allocation.*touched_mib=120'
pb anonsmall "an anonymous allocation smaller than RAM - cap - 10% fails" 'busy CPUs: beside the hogs, an anonymous allocation.*size not RAM - cap - 10%'
pb noanon "no anonymous allocation result fails" 'busy CPUs: beside the hogs, an anonymous allocation.*no anon result'
pb oomcount "an OOM kill in the counter only fails" 'busy CPUs: no OOM kill during the case \(oom_kill before 0 after 1'
pb oomconsole "an OOM kill on the console during the case fails" 'busy CPUs: no OOM kill during the case \(Out of memory'
pb allocfail "a failed heap allocation in the loop fails" 'busy CPUs: no failed allocation.*failed 3 \(errno 12 ENOMEM\)'
pb hogdied "a hog that died before the anonymous allocation ended fails" 'busy CPUs: one hog per CPU.*alive after it 1'
pb norounds "no loop result line fails" 'busy CPUs: no failed allocation.*no busy result'
pj heap "$fx/pressure-heap-busy-nocase.log"
expect "pressure: busy CPUs: a log without the case fails every one of its checks" \
	bash -c '[ "$(grep -c "^FAIL pressure (heap): busy CPUs: " "$1")" = 5 ] && tail -1 "$1" | grep -q "^counts [0-9]* 5$" ||
		{ echo "$(grep -c "^FAIL pressure (heap): busy CPUs: " "$1") busy FAIL lines, last line $(tail -1 "$1")"; exit 1; }' _ "$tmp/pj.out"
# Exhaustion (issue 19 item 6) and the expected failures of
# harness/pressure-expected-failures (PRESSURE_XFAIL).
pjx() { # pjx XFAIL-FILE LOG-NAME: judge the heap fixture LOG-NAME with XFAIL-FILE
	judge "$tmp/pj.out" env PRESSURE_XFAIL="$fx/$1" python3 "$H/pressure_judge.py" heap "$fx/pressure-heap-$2.log"
}
# has_line FILE REGEX: FILE has a line matching REGEX
has_line() { grep -qE "$2" "$1" || { echo "no line matching '$2': $(grep -m1 -E '^(FAIL|XFAIL|XPASS)' "$1")"; return 1; }; }
pjx xfail-none exhaust-oom
expect "pressure: exhaustion: an OOM kill (the sentinel) fails without an expected-failure entry" \
	judged_fail "$tmp/pj.out" 'exhaustion: no OOM kill, the sentinel .*oom_kill before 0 after 1, sentinel alive 0; Out of memory'
expect "pressure: exhaustion: its own OOM kill is left out of the whole run's check" \
	has_line "$tmp/pj.out" '^PASS pressure \(heap\): no OOM kill in the whole run outside 23-exhaust \(oom_kill total 1, 1 of them in 23-exhaust\)'
pjx xfail-exhaust exhaust-oom
expect "pressure: exhaustion: an OOM kill listed as an expected failure passes" judged_pass "$tmp/pj.out"
expect "pressure: exhaustion: ... and prints XFAIL with the fix" \
	has_line "$tmp/pj.out" "^XFAIL pressure \(heap\): exhaustion: no OOM kill.*expected failure until heap buffers charged to the owner's memcg, issue 14\)$"
pjx xfail-exhaust good
expect "pressure: exhaustion: an expected failure that passes is a note (XPASS), not a failure" \
	bash -c 'grep -qE "^XPASS pressure \(heap\): exhaustion: no OOM kill.*remove the entry" "$1" && ! grep -q "^FAIL" "$1" ||
		{ echo "$(grep -m1 -E "^(FAIL|XPASS)" "$1")"; exit 1; }' _ "$tmp/pj.out"
pjx xfail-exhaust exhaust-noresult
expect "pressure: exhaustion: no result line fails, expected failure or not" \
	judged_fail "$tmp/pj.out" 'exhaustion: no OOM kill.*no "exhaust result" line'
pjx xfail-exhaust exhaust-nosentinel
expect "pressure: exhaustion: a sentinel that never held its memory fails, expected failure or not" \
	judged_fail "$tmp/pj.out" 'exhaustion: no OOM kill.*the sentinel held 0 kB'
pjx xfail-exhaust exhaust-killed
expect "pressure: exhaustion: an allocator killed before any refusal fails (ENOMEM check)" \
	judged_fail "$tmp/pj.out" 'refuses one with ENOMEM.*no refusal \(killed\? rc 137\)'
pjx xfail-exhaust exhaust-eintr
expect "pressure: exhaustion: a refusal other than ENOMEM fails" judged_fail "$tmp/pj.out" 'refuses one with ENOMEM.*errno 4 EINTR'
pjx xfail-exhaust exhaust-early
expect "pressure: exhaustion: ENOMEM before half of RAM was held fails" judged_fail "$tmp/pj.out" 'refuses one with ENOMEM.*held 64 MiB of 235'
pjx xfail-exhaust exhaust-avail
expect "pressure: exhaustion: MemAvailable not back within 10% fails" judged_fail "$tmp/pj.out" 'MemAvailable is back within 10%.*\(80%\)'
pjx xfail-exhaust oom-elsewhere
expect "pressure: an OOM kill outside 23-exhaust still fails the whole run's check" \
	judged_fail "$tmp/pj.out" 'no OOM kill in the whole run outside 23-exhaust \(Out of memory: Killed process 80'
pjx xfail-exhaust oom-count-elsewhere
expect "pressure: an OOM kill outside 23-exhaust in the count only fails" \
	judged_fail "$tmp/pj.out" 'whole run outside 23-exhaust \(oom_kill total 2, 1 of them in 23-exhaust\)'
pjx xfail-stale good
expect "pressure: an expected-failure entry that names no check fails" \
	judged_fail "$tmp/pj.out" 'expected-failures file \(entry "no-such-check" names no check of the heap set'
pjx xfail-bad exhaust-oom
expect "pressure: an expected-failure line without a reason fails (and covers nothing)" \
	bash -c 'grep -qE "^FAIL .*expected-failures file \(xfail-bad:1: not \"XFAIL SET ID: REASON\"" "$1" &&
		grep -qE "^FAIL .*exhaustion: no OOM kill" "$1" || { echo "$(grep -m1 "^FAIL" "$1")"; exit 1; }' _ "$tmp/pj.out"
# Zeroing (issue 19 item 5, R17).
pz() { # pz NAME WHAT REGEX: the fixture NAME fails a check matching REGEX
	pjx xfail-none "$1"
	expect "pressure: zeroing: $2" judged_fail "$tmp/pj.out" "$3"
}
pz zero-bad "a secret word left in a buffer fails, naming size, round and offset" \
	'zeroing: 1 MiB buffers .*1 non-zero words in 3 allocations, the first in round 2 at offset 12296: 0x5ec2e7a522222222'
pz zero-noline "a size without its result line fails" 'zeroing: 32 MiB buffers .*\(no result\)'
pz zero-blind "a self-test that does not see the planted data fails" 'zeroing: the check detects .*unzeroed: 0 of 8192'
pz zero-nohit "a size no pool served fails" 'zeroing: a pool served .*8 MiB 0'
pz zero-nopools "no pools (the base kernel) fails the pool check" 'zeroing: a pool served .*pools absent'
pz zero-fewallocs "fewer than 3 allocations of a size fails" 'zeroing: 64 KiB buffers .*allocations 1'
pjx xfail-none zero-nocase
expect "pressure: zeroing: a log without the case fails every one of its checks" \
	bash -c '[ "$(grep -c "^FAIL pressure (heap): zeroing: " "$1")" = 8 ] && tail -1 "$1" | grep -q "^counts [0-9]* 8$" ||
		{ echo "$(grep -c "^FAIL pressure (heap): zeroing: " "$1") zeroing FAIL lines, last line $(tail -1 "$1")"; exit 1; }' _ "$tmp/pj.out"
# Freeze with items queued (issue 19 item 5).
pf() { # pf NAME WHAT REGEX
	pjx xfail-none "$1"
	expect "pressure: freeze: $2" judged_fail "$tmp/pj.out" "$3"
}
pf freeze-rc "a failed write to /sys/power/state fails" 'freeze: the freezer test .*rc 1 '
pf freeze-refused "a task refusing to freeze (console) fails" 'freeze: the freezer test .*Freezing remaining freezable tasks failed'
pf freeze-noqueue "nothing queued before the test fails" 'freeze: items were queued .*\(0 items'
pf freeze-nodrain "a backlog that does not drain fails" 'freeze: the backlog drains .*queued_items 3 after 30000 ms'
pf freeze-allocfail "a failed allocation afterwards fails" 'freeze: afterwards a new 8 MiB buffer .*errno 12 ENOMEM'
pf freeze-notest "no test result line fails" 'freeze: the freezer test .*no "freeze test" line'
pjx xfail-none freeze-skip
expect "pressure: freeze: a guest without pm_test reports SKIP with its reason, counted neither way" \
	bash -c '[ "$(grep -c "^SKIP pressure (heap): freeze: .*(no /sys/power/pm_test: the kernel lacks CONFIG_PM_SLEEP or CONFIG_PM_DEBUG)$" "$1")" = 4 ] &&
		! grep -q "^FAIL" "$1" && ! grep -q "^PASS pressure (heap): freeze" "$1" &&
		[ "$(tail -1 "$1")" = "counts $(($(grep -c "^PASS" "$1") + $(grep -c "^XPASS" "$1"))) 0" ] ||
		{ echo "$(grep -c "^SKIP" "$1") SKIP lines, last line $(tail -1 "$1")"; exit 1; }' _ "$tmp/pj.out"
pjx xfail-none freeze-nocase
expect "pressure: freeze: a log without the case fails every one of its checks" \
	bash -c '[ "$(grep -c "^FAIL pressure (heap): freeze: " "$1")" = 4 ] && tail -1 "$1" | grep -q "^counts [0-9]* 4$" ||
		{ echo "$(grep -c "^FAIL pressure (heap): freeze: " "$1") freeze FAIL lines, last line $(tail -1 "$1")"; exit 1; }' _ "$tmp/pj.out"
# Memory cgroups (27-memcg.sh, issue 14): accounting off in the heap set,
# on in the memcg set.
pm() { # pm SET SED NAME WHAT REGEX: the fixture of SET edited by SED fails a check matching REGEX
	sed "$2" "$fx/pressure-$1.log" >"$fx/pressure-$1-$3.log"
	judge "$tmp/pj.out" env PRESSURE_XFAIL="$fx/xfail-none" python3 "$H/pressure_judge.py" "$1" "$fx/pressure-$1-$3.log"
	expect "pressure: memcg: $4" judged_fail "$tmp/pj.out" "$5"
}
# TTM backup to real swap (ttmswap set, issue 16 item 4)
pt() { # pt SED NAME WHAT REGEX: the ttmswap fixture edited by SED fails a check matching REGEX
	sed "$1" "$fx/pressure-ttmswap.log" >"$fx/pressure-ttmswap-$2.log"
	judge "$tmp/pj.out" python3 "$H/pressure_judge.py" ttmswap "$fx/pressure-ttmswap-$2.log"
	expect "pressure: ttmswap: $3" judged_fail "$tmp/pj.out" "$4"
}
judge "$tmp/pj.out" python3 "$H/pressure_judge.py" ttmswap "$fx/pressure-ttmswap.log"
expect "pressure: control: a good ttmswap log passes" judged_pass "$tmp/pj.out"
pt 's/^ttmswap swap:     ok 1 ttm_bo_shrink_swap_backup$/ttmswap swap:     not ok 1 ttm_bo_shrink_swap_backup/' swapfail \
	"a failed case in the swap run fails" 'ttm swap: with zram swap .*not ok 1'
pt 's/^ttmswap boot:     ok 1 ttm_bo_shrink_swap_backup$/ttmswap boot:     ok 1 ttm_bo_shrink_swap_backup # SKIP no swap/' bootskip \
	"a skipped case at boot fails" 'ttm swap: without swap .*# SKIP'
pt 's/# ttm_bo_shrink_swap_backup: swap: 65535 pages free/# ttm_bo_shrink_swap_backup: no swap: refusals/' swappath \
	"a swap run that took the path without swap fails" 'ttm swap: with zram swap .*not on the path of this run'
pt 's/freed 16384 pages/freed 8192 pages/' halfshrunk \
	"a throughput run that shrank less than 64 MiB fails" 'ttm swap: a 64 MiB shrink .*freed 8192 pages'
pt 's/^ttmswap swap:     ok 1 ttm_bo_shrink_swap_backup$/ttmswap swap:     not ok 1 ttm_bo_shrink_swap_backup/' tpfail \
	"a throughput line of a failed swap run fails" 'ttm swap: a 64 MiB shrink .*the case did not pass'
pt '/throughput: /d' nothroughput \
	"a swap run without its throughput line fails" 'ttm swap: a 64 MiB shrink .*no "throughput:" line'
pt '/^ttmswap /d' noresults \
	"a log without results fails both runs" 'ttm swap: without swap .*no "ttmswap boot:" results'
judge "$tmp/pj.out" python3 "$H/pressure_judge.py" memcg "$fx/pressure-memcg.log"
expect "pressure: control: a good memcg log passes" judged_pass "$tmp/pj.out"
pm heap 's/current_peak_kb 1020 /current_peak_kb 131320 /' heap-charged \
	"accounting off: buffers charged all the same fail" 'accounting off .*current_peak_kb=131320'
pm heap 's/^memcg held_mib 128 errno 0 name none/memcg held_mib 64 errno 12 name ENOMEM/' heap-refused \
	"accounting off: a refusal at the limit fails" 'accounting off .*held_mib=64 errno=12'
pm memcg 's/accounting Y/accounting absent/; s/^memcg held_mib 63 errno 12 name ENOMEM ms_to_refusal 410 current_before_kb 248 current_peak_kb 65280/memcg held_mib 128 errno 0 name none ms_to_refusal 0 current_before_kb 248 current_peak_kb 248/' base \
	"the base kernel (no parameter, nothing charged) fails" 'refuses one: ENOMEM after 58 to 64 MiB.*held_mib=128 errno=0'
pm memcg 's/accounting Y/accounting N/' off "accounting off in the memcg set fails" 'parameter reads Y \(accounting N\)'
pm memcg 's/^memcg held_mib 63 errno 12 name ENOMEM/memcg held_mib 40 errno 12 name ENOMEM/' early \
	"a refusal well below the limit fails" 'ENOMEM after 58 to 64 MiB.*held_mib=40'
pm memcg 's/current_closed_kb 1020/current_closed_kb 60000/' slowdrop \
	"memory.current not back at once after the close fails" 'back at once .*current_closed_kb=60000'
pm memcg 's/current_peak_kb 65280/current_peak_kb 2000/' nocharge \
	"memory.current not counting the buffers fails" 'at the peak counts the buffers.*current_peak_kb=2000'
pm memcg 's/^memcg events rc 0 oom 0 oom_kill 0/memcg events rc 137 oom 1 oom_kill 1/' oomkill \
	"an OOM kill in the cgroup fails" 'no OOM kill, inside the cgroup or outside; .*\(cgroup oom 1 oom_kill 1'
pm memcg 's/sentinel_alive 1 oom_kill_before 0 oom_kill_after 0/sentinel_alive 0 oom_kill_before 0 oom_kill_after 1/' sentinel \
	"a sentinel killed outside the cgroup fails" 'no OOM kill, inside the cgroup or outside; .*system oom_kill \+1, sentinel alive 0'
pm memcg 's/^memcg fill ram_mib 235 got_mib 63 errno 12 name ENOMEM/memcg fill ram_mib 235 got_mib 210 errno 12 name ENOMEM/' fillbig \
	"a fill past the cgroup's limit fails" 'fill workload in a cgroup of 64 MiB.*got_mib=210'
pm memcg '/^memcg fill /d' nofill "no fill result fails" 'fill workload in a cgroup of 64 MiB ends in ENOMEM, no OOM kill \(no result\)'
# Readings the program could not take print as ULONG_MAX / 1024 (review45)
U=18014398509481983
pm heap "s/current_before_kb 248 current_peak_kb 1020 current_closed_kb 252 max_kb 65536/current_before_kb 0 current_peak_kb 0 current_closed_kb 0 max_kb $U/" notjoined \
	"accounting off: a program outside the limited cgroup fails" 'ran in the cgroup of memory.max 64 MiB \(max_kb 18014398509481983, current_before_kb 0\)'
pm memcg "s/current_peak_kb 65280/current_peak_kb $U/" peak-unreadable \
	"an unreadable memory.current at the peak fails" "at the peak counts the buffers.*current_peak_kb=$U"
pm memcg "s/current_before_kb 248 current_peak_kb 65280 current_closed_kb 1020/current_before_kb $U current_peak_kb $U current_closed_kb 60000/" before-unreadable \
	"an unreadable memory.current before the buffers fails the close check" 'back at once .*current_closed_kb=60000'
pm memcg 's/^memcg result .*/memcg result sentinel_alive 1/' result-cut \
	"a result line without the OOM kill counts fails" 'no OOM kill, inside the cgroup or outside; .*system oom_kill \+None'
pjb() { judge "$tmp/pj.out" python3 "$H/pressure_judge.py" heap-vs-base "$@"; }
pjb "$fx/pressure-heap-base.log" "$fx/pressure-heap.log"
expect "pressure: control: heap-vs-base passes a patched run as fast, MemAvailable within the cap" judged_pass "$tmp/pj.out"
pjb "$fx/pressure-heap-base-capavail.log" "$fx/pressure-heap.log"
expect "pressure: heap-vs-base: MemAvailable exactly the cap below the base's passes" judged_pass "$tmp/pj.out"
pjb "$fx/pressure-heap-base-moreavail.log" "$fx/pressure-heap.log"
expect "pressure: heap-vs-base: MemAvailable more than the cap below the base's fails" \
	judged_fail "$tmp/pj.out" 'lowest MemAvailable.*patched 30112 kB, base 62881 kB, cap 32768 kB'
pjb "$fx/pressure-heap-base-faster.log" "$fx/pressure-heap.log"
expect "pressure: heap-vs-base: a loop slower than the base's fails" \
	judged_fail "$tmp/pj.out" 'throughput is at least the base.*patched 617.6 MiB/s, base 700.0 MiB/s'
pjb "$fx/pressure-heap-base-nobusy.log" "$fx/pressure-heap.log"
expect "pressure: heap-vs-base: a base log without the busy case fails both" \
	bash -c 'grep -q "^FAIL .*lowest MemAvailable" "$1" && grep -q "^FAIL .*throughput" "$1" && tail -1 "$1" | grep -qx "counts 0 2" ||
		{ tail -1 "$1"; exit 1; }' _ "$tmp/pj.out"
pjb "$fx/pressure-heap-base.log" "$fx/pressure-heap-busy-nocase.log"
expect "pressure: heap-vs-base: a patched log without the busy case fails" judged_fail "$tmp/pj.out" 'throughput'
pjb "$tmp/no-such.log" "$fx/pressure-heap.log"
expect "pressure: heap-vs-base: a missing base log fails (counted)" judged_fail "$tmp/pj.out" 'no base console log'
pj vgem "$fx/pressure-vgem-maps-fail.log"
expect "pressure: vgem-maps result fail fails" judged_fail "$tmp/pj.out" 'vgem mappings:.*result fail bad_words_fork'
pj vgem "$fx/pressure-vgem-maps-noresult.log"
expect "pressure: no vgem-maps result line fails" judged_fail "$tmp/pj.out" 'vgem mappings:.*no vgem-maps result line'
pj vgem "$fx/pressure-vgem-maps-notzapped.log"
expect "pressure: a drm-fd mapping not zapped fails, whatever the result line says" \
	judged_fail "$tmp/pj.out" 'vgem mappings:.*drm-fd not zapped'
pj vgem "$fx/pressure-vgem-maps-kept.log"
expect "pressure: a mapping of an exported object not zapped fails" \
	judged_fail "$tmp/pj.out" 'vgem mappings:.*dmabuf-kept not zapped'

# --- kunit_results.py judge ---------------------------------------------------
kj() { judge "$tmp/kj.out" python3 "$H/kunit_results.py" judge "$kbase" "$1"; }
k="$tmp/kunit"
kunit_out "$k/ok"; kj "$k/ok"; expect "kunit: control: every boot's results pass" judged_pass "$tmp/kj.out"
mkdir -p "$k/none"; kj "$k/none"
expect "kunit: no results fails, and 'no results' is counted" \
	bash -c '[ "$(tail -1 "$1")" = "counts 3 2" ] || { echo "want counts 3 2 (no results + the baseline case), got: $(tail -1 "$1")"; exit 1; }' _ "$tmp/kj.out"
kunit_out "$k/emptyboot"; kunit_json >"$k/emptyboot/kunit-numa1.json"; kj "$k/emptyboot"
expect "kunit: a boot whose results hold no case fails" judged_fail "$tmp/kj.out" 'holds no case'
kunit_out "$k/nocon"; rm "$k/nocon/console-numa1.log"; kj "$k/nocon"
expect "kunit: a boot without its console log fails" judged_fail "$tmp/kj.out" 'no console log for kunit-numa1.json'
kunit_out "$k/emptycon"; : >"$k/emptycon/console.log"; kj "$k/emptycon"
expect "kunit: an empty console log fails" judged_fail "$tmp/kj.out" 'no console log for kunit.json'
kunit_out "$k/bad"; echo '{"name": "KUnit Test Gr' >"$k/bad/kunit.json"; kj "$k/bad"
expect "kunit: a truncated JSON file fails (counted)" judged_fail "$tmp/kj.out" 'no results'
printf '# no case\n' >"$tmp/empty-base.cases"; kunit_out "$k/eb"
judge "$tmp/kj.out" python3 "$H/kunit_results.py" judge "$tmp/empty-base" "$k/eb"
expect "kunit: a baseline that lists no case fails" judged_fail "$tmp/kj.out" 'lists no case'

# --- kunit_manifest.py and judge --manifest: every case the series adds ran ---
# A project of its own: its base (base.git in $mcache) has suite foo with
# foo_old; its series changes foo_test.c (foo_new, a parameterised foo_param,
# foo_extra under #ifdef) and adds bar_test.c (suite bar, bar_skips).
mtop="$tmp/mrepo" mcache="$tmp/mcache"
mkdir -p "$mtop/harness/kunit" "$mtop/patches" "$mtop/drivers/foo" "$mcache"
cp "$H/kunit_results.py" "$H/kunit_manifest.py" "$mtop/harness/"
foo_test() { # the test file; with "new", the series' version
	printf '// SPDX-License-Identifier: GPL-2.0\n#include <kunit/test.h>\n\n'
	printf 'static struct kunit_case foo_cases[] = {\n\tKUNIT_CASE(foo_old),\n'
	[ "${1:-}" = new ] && printf '%s\n' '	KUNIT_CASE(foo_new),' '	/* KUNIT_CASE(foo_commented_out), */' \
		'	KUNIT_CASE_PARAM(foo_param, foo_gen_params),' '#ifdef CONFIG_FOO_EXTRA' \
		'	KUNIT_CASE(foo_extra),' '#endif'
	printf '\t{}\n};\n\nstatic struct kunit_suite foo_suite = {\n\t.name = "foo",\n\t.test_cases = foo_cases,\n};\n'
	printf 'kunit_test_suite(foo_suite);\n'
}
(
	set -e
	mkdir -p "$tmp/mbase/drivers/foo"
	cd "$tmp/mbase"
	git -c init.defaultBranch=main init -q
	foo_test >drivers/foo/foo_test.c
	git add -A
	git commit -q -m base
	git tag base
	git clone -q --bare . "$mcache/base.git"
) >"$tmp/msetup.log" 2>&1 || { cat "$tmp/msetup.log"; nok "setup: the manifest's base could not be made"; }
foo_test new >"$mtop/drivers/foo/foo_test.c"
printf '// SPDX-License-Identifier: GPL-2.0\n#include <kunit/test.h>\n\nstatic struct kunit_case bar_cases[] = {\n\tKUNIT_CASE(bar_skips),\n\t{}\n};\n\nstatic struct kunit_suite bar_suite = {\n\t.name = "bar",\n\t.test_cases = bar_cases,\n};\nkunit_test_suites(&bar_suite);\n' \
	>"$mtop/drivers/foo/bar_test.c"
printf 'diff --git a/drivers/foo/foo_test.c b/drivers/foo/foo_test.c\ndiff --git a/drivers/foo/bar_test.c b/drivers/foo/bar_test.c\n' \
	>"$mtop/patches/0001-foo-add-tests.patch"
mfest="$mtop/harness/kunit/new-cases"
mkm() { env GPUPOOL_CACHE="$mcache" python3 "$mtop/harness/kunit_manifest.py" "$@"; }
mkm --write >"$tmp/mkm.out" 2>&1
printf '%s\n' bar.bar_skips foo.foo_new 'foo.foo_param [param]' 'foo.foo_extra [if CONFIG_FOO_EXTRA]' >"$tmp/mfest.want"
expect "kunit manifest: lists the added cases, marks [param] and [if], not the base's or a commented one" \
	bash -c 'grep -v "^#" "$1" | grep . | diff - "$2"' _ "$mfest" "$tmp/mfest.want"
expect "kunit manifest: control: --check passes on the manifest it wrote" mkm --check
cp "$mfest" "$tmp/mfest.saved"
sed -i '/^foo\.foo_new$/d' "$mfest"
mkm --check >"$tmp/mkm.out" 2>&1; rc=$?
expect "kunit manifest: --check exits non-zero on a manifest that drifted" \
	bash -c '[ "$1" = 1 ] && grep -q "differs from what the sources give.*+foo.foo_new" "$2" || { cat "$2"; exit 1; }' _ "$rc" "$tmp/mkm.out"
cp "$tmp/mfest.saved" "$mfest"
cp "$mtop/drivers/foo/foo_test.c" "$tmp/foo_test.saved"
sed -i 's/KUNIT_CASE(foo_new)/FOO_CASE(new)/' "$mtop/drivers/foo/foo_test.c"
mkm --check >"$tmp/mkm.out" 2>&1; rc=$?
expect "kunit manifest: a case entry it cannot read is an error, not a dropped case" \
	bash -c '[ "$1" = 2 ] && grep -q "FOO_CASE(new).*is not a KUNIT_CASE" "$2" || { cat "$2"; exit 1; }' _ "$rc" "$tmp/mkm.out"
cp "$tmp/foo_test.saved" "$mtop/drivers/foo/foo_test.c"

# KUnit results with parameterised cases: SUITE:CASE:STATUS or SUITE:CASE/PARAM:STATUS.
kunit_json_params() {
	python3 - "$@" <<'PY'
import json, sys
groups = {}
for a in sys.argv[1:]:
    s, c, st = a.split(':')
    g = groups.setdefault(s, {'name': s, 'sub_groups': [], 'test_cases': []})
    if '/' in c:
        c, p = c.split('/', 1)
        sub = [x for x in g['sub_groups'] if x['name'] == c]
        if not sub:
            sub = [{'name': c, 'sub_groups': [], 'test_cases': []}]
            g['sub_groups'].append(sub[0])
        sub[0]['test_cases'].append({'name': p, 'status': st})
    else:
        g['test_cases'].append({'name': c, 'status': st})
print(json.dumps({'name': 'KUnit Test Group', 'test_cases': [], 'sub_groups': list(groups.values())}))
PY
}
m_good="fake_suite:fake_case:PASS foo:foo_old:PASS foo:foo_new:PASS foo:foo_param/p1:PASS foo:foo_param/p2:PASS foo:foo_extra:PASS"
mout() { # DIR FIRST-BOOT-RESULTS BAR_SKIPS-STATUS [ITS-SKIP-REASON]: two boots, bar in the second
	mkdir -p "$1"
	# shellcheck disable=SC2086
	kunit_json_params $2 >"$1/kunit.json"
	printf 'KTAP version 1\n1..2\nok 1 fake_suite\nok 2 foo\n' >"$1/console.log"
	kunit_json_params "bar:bar_skips:$3" >"$1/kunit-numa1.json"
	printf 'KTAP version 1\n1..1\n    KTAP version 1\n    # Subtest: bar\n    1..1\n    ok 1 bar_skips%s\nok 1 bar\n' \
		"${4:+ # SKIP $4}" >"$1/console-numa1.log"
}
printf '# skips\nbar.bar_skips needs (two|2) nodes\n' >"$tmp/mskips"
mj() { # DIR [MANIFEST [SKIPS]]
	judge "$tmp/mj.out" env GPUPOOL_CACHE="$mcache" python3 "$mtop/harness/kunit_results.py" judge "$kbase" "$1" \
		--manifest "${2:-$mfest}" --skips "${3:-$tmp/mskips}"
}
mj_summary() { grep -qE "^PASS kunit: all 4 cases the series adds ran \\($2 skipped as listed\\)" "$1" || { grep -m1 '^FAIL' "$1"; echo "no summary line with $2 skipped"; return 1; }; }
k="$tmp/kunitm"
mout "$k/ok" "$m_good" PASS; mj "$k/ok"
expect "kunit manifest: control: every case the series adds ran and passed" judged_pass "$tmp/mj.out"
expect "kunit manifest: control: one line says all 4 ran, 0 skipped" mj_summary "$tmp/mj.out" 0
mout "$k/skip" "$m_good" SKIP "needs two nodes"; mj "$k/skip"
expect "kunit manifest: a skip the skip list names, with its reason, passes" judged_pass "$tmp/mj.out"
expect "kunit manifest: a listed skip is counted in the summary" mj_summary "$tmp/mj.out" 1
mout "$k/unlisted" "${m_good/foo:foo_new:PASS/foo:foo_new:SKIP}" PASS; mj "$k/unlisted"
expect "kunit manifest: a skip the skip list does not name fails" judged_fail "$tmp/mj.out" 'foo.foo_new: SKIP .*does not list foo.foo_new'
mout "$k/reason" "$m_good" SKIP "out of memory"; mj "$k/reason"
expect "kunit manifest: a listed skip with another reason fails" judged_fail "$tmp/mj.out" "bar.bar_skips: SKIP .*'out of memory' does not match"
mout "$k/missing" "${m_good/foo:foo_new:PASS/}" PASS; mj "$k/missing"
expect "kunit manifest: a case missing from every boot's results fails, named" judged_fail "$tmp/mj.out" 'foo.foo_new: did not run'
mout "$k/noparam" "${m_good/foo:foo_param\/p1:PASS foo:foo_param\/p2:PASS/foo:foo_param:SKIP}" PASS; mj "$k/noparam"
expect "kunit manifest: a parameterised case with no parameter fails" judged_fail "$tmp/mj.out" 'foo.foo_param: a parameterised case that ran no parameter'
mout "$k/param" "${m_good/foo_param\/p2:PASS/foo_param/p2:FAIL}" PASS; mj "$k/param"
expect "kunit manifest: one failing parameter fails" judged_fail "$tmp/mj.out" 'foo.foo_param.p2: FAIL'
mout "$k/ifdef" "${m_good/foo:foo_extra:PASS/}" PASS
printf 'foo.foo_extra not built without CONFIG_FOO_EXTRA\n' >>"$tmp/mskips"; mj "$k/ifdef"
expect "kunit manifest: a case under #ifdef, absent and listed, passes" judged_pass "$tmp/mj.out"
sed -i '$d' "$tmp/mskips"; mj "$k/ifdef"
expect "kunit manifest: a case under #ifdef, absent and not listed, fails" judged_fail "$tmp/mj.out" 'foo.foo_extra: did not run'
grep -v '^foo\.foo_new$' "$mfest" >"$tmp/mfest.drifted"; mj "$k/ok" "$tmp/mfest.drifted"
expect "kunit manifest: a manifest that drifted from the sources fails" judged_fail "$tmp/mj.out" 'kunit manifest: .*differs from what the sources give'
printf 'foo.foo_gone no longer a case\n' >"$tmp/mskips.stale"; mj "$k/ok" "$mfest" "$tmp/mskips.stale"
expect "kunit manifest: a skip list entry for no case of the manifest fails" judged_fail "$tmp/mj.out" 'foo.foo_gone is not a case'
mv "$mcache/base.git" "$mcache/base.git.away"; mj "$k/ok"; mv "$mcache/base.git.away" "$mcache/base.git"
expect "kunit manifest: no base to derive the manifest from fails" judged_fail "$tmp/mj.out" 'kunit manifest: cannot derive'

# --- kunit_standard.py judge: the standard KUnit runs (standard.sh) -----------
# ktap.py OUTDIR RUN [--json-only] 'SPEC;SPEC;...': a run as kunit.py leaves
# it: RUN.json and console-RUN.log (--json-only: the JSON alone), from specs
# SUITE:CASE:STATUS[:SKIP REASON] or SUITE:CASE/PARAM:STATUS (STATUS PASS,
# FAIL, SKIP or ERROR).
cat >"$fx/ktap.py" <<'PY'
import json, os, sys
out, run, rest = sys.argv[1], sys.argv[2], sys.argv[3:]
mode = rest.pop(0) if rest and rest[0].startswith('--') else ''
suites = {}
for spec in filter(None, ''.join(rest).split(';')):
    s, c, st, *why = spec.split(':', 3)
    c, _, p = c.partition('/')
    cases = suites.setdefault(s, {})
    if p:
        cases.setdefault(c, []).append((p, st, why))
    else:
        cases[c] = (st, why)
ok = lambda st: 'ok' if st in ('PASS', 'SKIP') else 'not ok'
res = lambda st, why: ' # SKIP ' + why[0] if st == 'SKIP' and why else (' # SKIP' if st == 'SKIP' else '')
con = ['[    0.000000] Linux version 6.12.117', 'KTAP version 1', f'1..{len(suites)}']
groups = []
for i, (s, cases) in enumerate(suites.items(), 1):
    con += ['    KTAP version 1', f'    # Subtest: {s}', f'    1..{len(cases)}']
    g = {'name': s, 'sub_groups': [], 'test_cases': []}
    for j, (c, r) in enumerate(cases.items(), 1):
        if isinstance(r, list):
            con += ['        KTAP version 1', f'        # Subtest: {c}']
            sub = {'name': c, 'sub_groups': [], 'test_cases': []}
            for k, (p, st, why) in enumerate(r, 1):
                con.append(f'        {ok(st)} {k} {p}{res(st, why)}')
                sub['test_cases'].append({'name': p, 'status': st})
            worst = 'FAIL' if any(st != 'PASS' and st != 'SKIP' for p, st, w in r) else 'PASS'
            con.append(f'    {ok(worst)} {j} {c}')
            g['sub_groups'].append(sub)
        else:
            st, why = r
            con.append(f'    {ok(st)} {j} {c}{res(st, why)}')
            g['test_cases'].append({'name': c, 'status': st})
    con.append(f'ok {i} {s}')
    groups.append(g)
con.append('reboot: System halted')
if mode != '--json-only':
    with open(os.path.join(out, f'console-{run}.log'), 'w') as f:
        f.write('\n'.join(con) + '\n')
if mode != '--console-only':
    with open(os.path.join(out, f'{run}.json'), 'w') as f:
        json.dump({'name': 'KUnit Test Group', 'sub_groups': groups, 'test_cases': []}, f)
PY
# The runs of a good OUTDIR: one listed skip, a strict expected failure
# (UML only), a flaky one that fails on UML and passes on x86_64, and a
# parameterised case with a space in a parameter's name.
std_uml="drm:a:PASS;pool:assumes_empty:FAIL;numa:two_nodes:SKIP:needs two memory nodes (e.g. numa=fake=2);ttm:uml_only:FAIL;ttm:p/one page:PASS;ttm:p/two:PASS"
std_x86="drm:a:PASS;pool:assumes_empty:PASS;numa:two_nodes:SKIP:needs two memory nodes (e.g. numa=fake=2);ttm:uml_only:PASS;ttm:p/one page:PASS;ttm:p/two:PASS"
std_out() { # DIR [UML-SPECS [X86_64-SPECS]]
	mkdir -p "$1"
	python3 "$fx/ktap.py" "$1" uml "${2-$std_uml}"
	python3 "$fx/ktap.py" "$1" x86_64 "${3-$std_x86}"
}
printf '# fake NUMA cases skip without a second memory node\nnuma.two_nodes needs two memory nodes\n' >"$fx/std-skips"
printf '%s\n' '# assumes empty pools; other suites fill them first' \
	'both pool.assumes_empty flaky issue 17: the pool suite stops assuming empty system pools' \
	'# fails on UML only' 'uml ttm.uml_only strict issue 99: the test stops failing on UML' >"$fx/std-expected"
sj() { # DIR [SKIPS [EXPECTED]]
	judge "$tmp/sj.out" python3 "$H/kunit_standard.py" judge "$1" --skips "${2:-$fx/std-skips}" --expected "${3:-$fx/std-expected}"
}
s="$tmp/standard"
std_out "$s/ok"; sj "$s/ok"
expect "standard: control: passes, a listed skip, strict and flaky expected failures pass" judged_pass "$tmp/sj.out"
std_summaries() {
	grep -q '^PASS standard (uml): 6 cases: 3 passed, 1 skipped as listed, 2 failed as expected, 0 failed otherwise$' "$1" &&
		grep -q '^PASS standard (x86_64): 6 cases: 5 passed, 1 skipped as listed, 0 failed as expected' "$1" ||
		{ grep -m2 '^[A-Z]* standard (.*): [0-9]* cases' "$1"; return 1; }
}
expect "standard: control: a summary line per run counts its cases" std_summaries "$tmp/sj.out"
std_out "$s/unlisted" "${std_uml/drm:a:PASS/drm:a:FAIL}"; sj "$s/unlisted"
expect "standard: a failure expected-failures does not list fails" judged_fail "$tmp/sj.out" 'standard \(uml\) drm.a: FAIL \(not in expected-failures\)'
std_out "$s/param" "${std_uml/ttm:p\/two:PASS/ttm:p/two:ERROR}"; sj "$s/param"
expect "standard: one failing parameter fails" judged_fail "$tmp/sj.out" 'standard \(uml\) ttm.p.two: ERROR'
std_out "$s/otherrun" "$std_uml" "${std_x86/ttm:uml_only:PASS/ttm:uml_only:FAIL}"; sj "$s/otherrun"
expect "standard: an expected failure of the other run fails" judged_fail "$tmp/sj.out" 'standard \(x86_64\) ttm.uml_only: FAIL \(not in'
std_out "$s/strict" "${std_uml/ttm:uml_only:FAIL/ttm:uml_only:PASS}"; sj "$s/strict"
expect "standard: a strict expected failure that passes fails (remove it)" judged_fail "$tmp/sj.out" 'standard \(uml\) ttm.uml_only: listed as a strict expected failure but did not fail'
std_out "$s/flaky" "${std_uml/pool:assumes_empty:FAIL/pool:assumes_empty:PASS}" "${std_x86/pool:assumes_empty:PASS/pool:assumes_empty:FAIL}"; sj "$s/flaky"
expect "standard: a flaky expected failure passes either way" judged_pass "$tmp/sj.out"
std_out "$s/lost" "${std_uml/;ttm:p\/two:PASS/}"; sj "$s/lost"
expect "standard: a case one run lacks (a suite lost in its configuration) fails" judged_fail "$tmp/sj.out" 'the runs differ: 0 case\(s\) only in uml, 1 only in x86_64 \(ttm.p.two, ...\)'
std_out "$s/skip" "${std_uml/drm:a:PASS/drm:a:SKIP:not today}"; sj "$s/skip"
expect "standard: a skip standard-skips does not list fails" judged_fail "$tmp/sj.out" "standard \\(uml\\) drm.a: SKIP \\(reason 'not today'; standard-skips does not list drm.a"
std_out "$s/reason" "${std_uml/two memory nodes/a swap device}"; sj "$s/reason"
expect "standard: a listed skip with another reason fails" judged_fail "$tmp/sj.out" "standard \\(uml\\) numa.two_nodes: SKIP \\(reason 'needs a swap device.*does not match"
{ cat "$fx/std-expected"; printf '# no such case\nboth pool.gone strict issue 1: gone\n'; } >"$s/stale.expected"
sj "$s/ok" "$fx/std-skips" "$s/stale.expected"
expect "standard: an expected failure naming no case of the run fails" judged_fail "$tmp/sj.out" 'expected-failures lists pool.gone, which is no case of this run'
printf 'both pool.assumes_empty sometimes issue 17\n' >"$s/bad.expected"; sj "$s/ok" "$fx/std-skips" "$s/bad.expected"
expect "standard: an expected-failures entry neither strict nor flaky fails" judged_fail "$tmp/sj.out" 'expected-failures .*"sometimes" is not strict or flaky'
printf 'both pool.assumes_empty flaky\n' >"$s/nofix.expected"; sj "$s/ok" "$fx/std-skips" "$s/nofix.expected"
expect "standard: an expected-failures entry without its fix fails" judged_fail "$tmp/sj.out" 'expected-failures .*is not "RUN suite.case strict\|flaky FIX"'
printf 'numa.two_nodes needs two memory nodes\n' >"$s/nocomment.skips"; sj "$s/ok" "$s/nocomment.skips"
expect "standard: a skip-list entry without a comment fails" judged_fail "$tmp/sj.out" 'numa.two_nodes has no comment above it'
std_out "$s/zero" ""; sj "$s/zero"
expect "standard: a run with zero cases fails (infrastructure)" judged_fail "$tmp/sj.out" 'standard \(uml\): infrastructure: the results hold no case'
std_out "$s/nojson"; rm "$s/nojson/uml.json"; sj "$s/nojson"
expect "standard: a missing JSON file is an infrastructure failure" judged_fail "$tmp/sj.out" 'standard \(uml\): infrastructure: no results: .*uml.json is missing.*not a test failure'
std_out "$s/emptyjson"; : >"$s/emptyjson/x86_64.json"; sj "$s/emptyjson"
expect "standard: an empty JSON file is an infrastructure failure" judged_fail "$tmp/sj.out" 'standard \(x86_64\): infrastructure: no results: .*is empty'
std_out "$s/status"; python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); j["status"]="FAILURE_TO_PARSE_TESTS"; json.dump(j, open(sys.argv[1], "w"))' "$s/status/uml.json"; sj "$s/status"
expect "standard: a top-level status FAILURE_TO_PARSE_TESTS is an infrastructure failure" judged_fail "$tmp/sj.out" 'standard \(uml\): infrastructure: kunit.py could not parse'
std_out "$s/lost"; python3 "$fx/ktap.py" "$s/lost" uml --json-only "${std_uml/drm:a:PASS;/}"; sj "$s/lost"
expect "standard: a result on the console that kunit.py's JSON lacks is a KTAP parse failure (infrastructure)" judged_fail "$tmp/sj.out" 'standard \(uml\): infrastructure: KTAP parse failure: .*lack 1 result.*\(drm.a\)'
std_out "$s/nocon"; rm "$s/nocon/console-x86_64.log"; sj "$s/nocon"
expect "standard: a run without its console log is an infrastructure failure" judged_fail "$tmp/sj.out" 'standard \(x86_64\): infrastructure: no console log'
std_out "$s/crash"
python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); j["test_cases"]=[{"name": "", "status": "ERROR"}]; json.dump(j, open(sys.argv[1], "w"))' "$s/crash/uml.json"
sj "$s/crash"
# judged_fail_not_infra FILE REGEX: judged_fail, and no failure is called
# an infrastructure failure.
judged_fail_not_infra() { judged_fail "$@" && ! grep -m1 '^FAIL .*infrastructure' "$1"; }
expect "standard: results kunit.py made up for a crash fail, and are no infrastructure failure" \
	judged_fail_not_infra "$tmp/sj.out" 'standard \(uml\): 1 result\(s\) missing from the console.*crashed'
std_out "$s/noboot"; rm "$s/noboot/uml.json"; echo "kunit.py stopped before booting a kernel: make: *** [Makefile:224: __sub-make] Error 2" >"$s/noboot/uml.no-boot"; sj "$s/noboot"
expect "standard: a kernel that did not build fails as such, not as infrastructure" \
	judged_fail_not_infra "$tmp/sj.out" 'standard \(uml\): no boot: .*Error 2'
mkdir -p "$s/none"; sj "$s/none"
expect "standard: no results at all fail both runs" judged_fail "$tmp/sj.out" 'standard \(uml\): infrastructure'
expect "standard: no results at all fail both runs (x86_64)" judged_fail "$tmp/sj.out" 'standard \(x86_64\): infrastructure'
infra_says() { # WANT-STATUS DIR RUN
	local rc=0
	python3 "$H/kunit_standard.py" infra "$2" "$3" >"$tmp/infra.out" 2>&1 || rc=$?
	[ "$rc" = "$1" ] || { echo "exit status $rc, want $1: $(cat "$tmp/infra.out")"; return 1; }
}
expect "standard: infra: control: good results are no infrastructure failure" infra_says 0 "$s/ok" uml
expect "standard: infra: a missing JSON file is one (standard.sh retries it)" infra_says 1 "$s/nojson" uml
expect "standard: infra: a KTAP parse failure is one" infra_says 1 "$s/lost" uml
expect "standard: infra: a failing case is none" infra_says 0 "$s/unlisted" uml

# --- check.sh's absorb and finish ----------------------------------------------
# Sourced, check.sh defines its helpers and returns; set -e (lib.sh) is on.
# helpers CODE ARGS...: CODE runs after check.sh is sourced, ARGS as $1...
helpers() { bash -c 'code=$1; shift; . "$0/check.sh"; eval "$code"' "$H" "$@"; }
# absorbed NAME LOG STATUS WANT-PASSED WANT-FAILED [REGEX]
absorbed() {
	local out="$tmp/absorb.out"
	helpers 'absorb "stage-x" "$1" "$2"; echo "RESULT $passed $failed"' "$2" "$3" >"$out" 2>&1
	if ! grep -qx "RESULT $4 $5" "$out"; then
		nok "$1: want $4 passed, $5 failed; got $(grep RESULT "$out" || tail -1 "$out")"
	elif [ -n "${6:-}" ] && ! grep -qE "^FAIL stage-x: .*$6.*$2" "$out"; then
		nok "$1: no FAIL line naming the stage, '$6' and the log: $(grep -m1 FAIL "$out")"
	else
		ok "$1"
	fi
}
a="$tmp/absorb"
mkdir -p "$a"
printf 'PASS a\nPASS b\ncounts 2 0\n' >"$a/ok"
printf 'PASS a\nPASS b\n' >"$a/nocounts"
printf 'counts 0 0\n' >"$a/zero"
printf 'FAIL x: broken\ncounts 1 0\n' >"$a/uncounted"
printf 'PASS a\ncounts two 0\n' >"$a/garbage"
printf 'PASS a\ncounts 1 0\nPASS b\n' >"$a/late"
absorbed "absorb: control: PASS lines and counts 2 0" "$a/ok" 0 2 0
absorbed "absorb: no counts line (the script died) fails" "$a/nocounts" 1 0 1 'no "counts" line'
absorbed "absorb: a missing log fails" "$a/no-such.log" 0 0 1 'no "counts" line'
absorbed "absorb: counts of zero checks fail" "$a/zero" 0 0 1 'zero checks'
absorbed "absorb: a FAIL line with no failure counted fails" "$a/uncounted" 0 1 1 'no failure counted'
absorbed "absorb: a counts line that is not two numbers fails" "$a/garbage" 0 0 1 'bad counts'
absorbed "absorb: results after the counts line fail" "$a/late" 0 0 1 'not the one last line'
absorbed "absorb: counts 2 0 with a non-zero exit status fails" "$a/ok" 3 2 1 'exit status 3'
printf 'PASS a\nXFAIL b (expected failure until x)\nXPASS c (passed)\nSKIP d (no pm_test)\ncounts 3 0\n' >"$a/xfail"
absorbed "absorb: XFAIL, XPASS and SKIP lines take the judge's counts" "$a/xfail" 0 3 0
expect "absorb: ... and are shown" bash -c 'for w in "XFAIL b" "XPASS c" "SKIP d"; do grep -q "^$w" "$1" || { echo "no $w line"; exit 1; }; done' _ "$tmp/absorb.out"
helpers 'finish' >"$tmp/finish.out" 2>&1; rc=$?
expect "finish: 0 passed, 0 failed exits non-zero" \
	bash -c '[ "$1" != 0 ] && grep -q "^FAIL check: no check ran" "$2" && tail -1 "$2" | grep -qx "0 passed, 1 failed"' _ "$rc" "$tmp/finish.out"
helpers 'begin stage-y; pass "other: counted before"; begin stage-z; finish' >"$tmp/finish.out" 2>&1; rc=$?
expect "finish: a stage that ran no check fails" \
	bash -c '[ "$1" != 0 ] && grep -q "^FAIL stage-z: the stage ran no check" "$2" && ! grep -q "^FAIL stage-y" "$2"' _ "$rc" "$tmp/finish.out"
helpers 'begin stage-y; pass "stage-y: ok"; finish' >"$tmp/finish.out" 2>&1; rc=$?
expect "finish: control: 1 passed, 0 failed exits 0" \
	bash -c '[ "$1" = 0 ] && tail -1 "$2" | grep -qx "1 passed, 0 failed"' _ "$rc" "$tmp/finish.out"

# --- a scratch repository: the harness with stub sub-checks --------------------
# The base: a tiny tree with fake scripts/checkpatch.pl and scripts/kernel-doc
# (FAKE_CHECKPATCH, FAKE_KDOC choose what they do); the series: one patch.
top="$tmp/repo"
stubs="$tmp/bin"
mkdir -p "$top" "$stubs" "$tmp/base"
cp -a "$H" "$top/harness"
rm -rf "$top/harness/results" "$top/harness/wip"
cp "$kbase.cases" "$top/harness/baseline/kunit-default.cases"
cp "$kbase.warnings" "$top/harness/baseline/kunit-default.warnings"
rm -f "$top/harness/baseline/kunit-default.reports"
# The baseline was made with the scratch copy's configuration.
bash -c '. "$0/lib.sh"; echo "sha256-16 $(kunit_config_hash default)"' "$top/harness" \
	>"$top/harness/baseline/kunit-default.config-hash"
(
	set -e
	cd "$tmp/base"
	git -c init.defaultBranch=main init -q
	mkdir -p scripts drivers/foo tools/testing/selftests/dmabuf-heaps
	printf '// SPDX-License-Identifier: GPL-2.0\nint foo(void)\n{\n\treturn 1;\n}\n' >drivers/foo/foo.c
	printf 'int main(void) { return 0; }\n' >tools/testing/selftests/dmabuf-heaps/dmabuf-heap.c
	# drivers/foo/ has a maintainer; everything else only THE REST.
	printf 'FOO DRIVER\nM:\tFoo <foo@example.invalid>\nS:\tMaintained\nF:\tdrivers/foo/\n\n' >MAINTAINERS
	printf 'THE REST\nM:\tLinus <l@example.invalid>\nS:\tBuried alive in reporters\nF:\t*\nF:\t*/\n' >>MAINTAINERS
	cat >scripts/checkpatch.pl <<'EOF'
#!/usr/bin/perl
# A stand-in for checkpatch.pl: FAKE_CHECKPATCH=clean|error|nosummary|empty|crash|filepath
# (filepath: WARNING:FILE_PATH_CHANGES if the patch adds a file, as checkpatch does)
my $p = $ARGV[-1];
my $m = $ENV{FAKE_CHECKPATCH} // 'clean';
die "Undefined subroutine &main::annotate_values called at scripts/checkpatch.pl line 4242.\n" if $m eq 'crash';
exit 0 if $m eq 'empty';
if ($m eq 'nosummary') { print "\n$p has no obvious style problems and is ready for submission.\n"; exit 0; }
if ($m eq 'error') {
	print "ERROR:SPACING: space required before the open parenthesis '('\n#1: FILE: drivers/foo/foo.c:4:\n+\tif(x)\n\n";
	print "total: 1 errors, 0 warnings, 0 checks, 5 lines checked\n\n$p has style problems, please review.\n";
	exit 1;
}
if ($m eq 'filepath' && do { local $/; open(my $fh, '<', $p) or die; <$fh> =~ /^new file mode /m }) {
	print "WARNING:FILE_PATH_CHANGES: added, moved or deleted file(s), does MAINTAINERS need updating?\n#20: \nnew file mode 100644\n\n";
	print "total: 0 errors, 1 warnings, 0 checks, 5 lines checked\n\n$p has style problems, please review.\n";
	exit 1;
}
print "total: 0 errors, 0 warnings, 0 checks, 5 lines checked\n\n$p has no obvious style problems and is ready for submission.\n";
exit 0;
EOF
	cat >scripts/kernel-doc <<'EOF'
#!/usr/bin/perl
# A stand-in for kernel-doc: FAKE_KDOC=ok|crash
die "Can't locate Pod/Usage.pm in \@INC at scripts/kernel-doc line 27.\n" if ($ENV{FAKE_KDOC} // 'ok') eq 'crash';
exit 0;
EOF
	git add -A
	git commit -q -m base
	git tag base
	mkdir -p "$GPUPOOL_CACHE"
	git clone -q --bare . "$GPUPOOL_CACHE/base.git"
	# The series: one patch, exported as make export does.
	git clone -q "$GPUPOOL_CACHE/base.git" "$tmp/work"
	cd "$tmp/work"
	git checkout -q -b series base
	sed -i 's/return 1;/return 2;/' drivers/foo/foo.c
	git commit -q -a -m "foo: return 2" -m "Signed-off-by: Test Harness <test@example.invalid>"
	bash -c '. "$0/lib.sh"; format_series "$1" "$2"' "$top/harness" "$tmp/work" "$top/patches"
	mkdir -p "$top/drivers/foo"
	cp drivers/foo/foo.c "$top/drivers/foo/foo.c"
	cd "$top"
	git -c init.defaultBranch=main init -q
	git add -A
	git commit -q -m "scratch copy"
) >"$tmp/setup.log" 2>&1 || { cat "$tmp/setup.log"; nok "setup: the scratch repository could not be made"; }
# The scratch series adds no KUnit case: its manifest (and skip list) say so.
: >"$top/harness/kunit/new-cases-skips"
python3 "$top/harness/kunit_manifest.py" --write >>"$tmp/setup.log" 2>&1 ||
	{ tail -1 "$tmp/setup.log"; nok "setup: kunit_manifest.py could not write the scratch manifest"; }

# Stub sub-checks of the scratch copy; FAKE_* choose what each does.
cat >"$top/harness/tree-prep.sh" <<'EOF'
#!/usr/bin/env bash
. "$(dirname "$0")/lib.sh"
[ -e "$1/.git" ] || git clone -q "$BASE_GIT" "$1"
EOF
cat >"$top/harness/warn.sh" <<'EOF'
#!/usr/bin/env bash
# FAKE_WARN=ok|die|nocheck
case ${FAKE_WARN:-ok} in
die) echo "make: *** olddefconfig failed" >&2; exit 2 ;;
nocheck) : >"$2"; printf '  CC      drivers/foo/foo.o\n' >"$2.raw" ;;
*) printf 'drivers/foo/foo.c: warning: a warning the base has too\n' >"$2"
   printf '  CHECK   drivers/foo/foo.c\n  CC      drivers/foo/foo.o\n' >"$2.raw" ;;
esac
printf 'compiled x86_64 drivers/foo/foo.c\n' >"$2.files"
EOF
cat >"$top/harness/configs.sh" <<'EOF'
#!/usr/bin/env bash
# FAKE_CONFIGS=ok|die|partial
shift
case ${FAKE_CONFIGS:-ok} in
die) echo "ERROR: tinyconfig failed" >&2; exit 1 ;;
partial) echo "config $1 ok" ;;
*) for n in "$@"; do echo "config $n ok"; done ;;
esac
EOF
cat >"$top/harness/kunit.sh" <<EOF
#!/usr/bin/env bash
# kunit.sh TREE CONFIG OUT; FAKE_KUNIT=ok|nobuild|noresults|die|lying (exit 0, no results)
case \${FAKE_KUNIT:-ok} in
nobuild) exit 1 ;;
noresults) exit 2 ;;
die) exit 3 ;;
esac
[ "\$2" = build ] && exit 0
mkdir -p "\$3"
[ "\${FAKE_KUNIT:-ok}" = lying ] && exit 0
$(declare -f kunit_json kunit_out)
kunit_out "\$3"
EOF
cat >"$top/harness/run.sh" <<'EOF'
#!/usr/bin/env bash
# FAKE_RUN=ok|die
[ "${FAKE_RUN:-ok}" = die ] && { echo "==> building the guest programs"; echo "ERROR: headers_install failed" >&2; exit 1; }
printf 'PASS run: guest boots and finishes its workload\ncounts 1 0\n'
EOF
cat >"$top/harness/pressure.sh" <<EOF
#!/usr/bin/env bash
# pressure.sh KBUILD LABEL SET; FAKE_PRESSURE=ok|die
[ "\${FAKE_PRESSURE:-ok}" = die ] && { echo "ERROR: could not build dmabuf-pressure" >&2; exit 1; }
cp "$fx/pressure-\$3.log" "\$GPUPOOL_CACHE/logs/pressure-\$2-\$3.log"
EOF
cat >"$top/harness/selftest.sh" <<'EOF'
#!/usr/bin/env bash
# FAKE_SELFTEST=ok|die
[ "${FAKE_SELFTEST:-ok}" = die ] && { echo "make check ACCEPTED the planted bad patch"; exit 1; }
echo "rejected: FAIL checkpatch: 0002-planted-bad.patch"
EOF
cat >"$top/harness/docs.sh" <<'EOF'
#!/usr/bin/env bash
# docs.sh TREE; FAKE_DOCS=ok|die (Sphinx crashes after the base's check)
echo "PASS docs: the base builds (warnings cached)"
[ "${FAKE_DOCS:-ok}" = die ] && { echo "Exception occurred: sphinx/builders/html.py" >&2; exit 2; }
printf 'PASS docs: the patched tree builds\nPASS docs: no warning over the base\ncounts 3 0\n'
EOF
chmod +x "$top/harness/"*.sh

# fake_check NAME STAGES [VAR=VALUE...]: run the scratch check.sh with the
# stubs set by VAR=VALUE; its output in $tmp/check.out, its status in $crc.
crc=0
fake_check() {
	local stages=$1
	shift
	crc=0
	env GPUPOOL_STAGES="$stages" "$@" bash "$top/harness/check.sh" >"$tmp/check.out" 2>&1 || crc=$?
}
# check_failed REGEX: check.sh exited non-zero and printed a FAIL line
# matching REGEX, and its summary counts a failure.
check_failed() {
	[ "$crc" != 0 ] || { echo "check.sh exited 0: $(tail -1 "$tmp/check.out")"; return 1; }
	grep -qE "^FAIL .*$1" "$tmp/check.out" || { echo "no FAIL line matching '$1': $(grep -m1 '^FAIL' "$tmp/check.out")"; return 1; }
	tail -1 "$tmp/check.out" | grep -qE '^[0-9]+ passed, [1-9][0-9]* failed$' || { echo "summary: $(tail -1 "$tmp/check.out")"; return 1; }
}
check_passed() {
	[ "$crc" = 0 ] && ! grep -q '^FAIL' "$tmp/check.out" &&
		tail -1 "$tmp/check.out" | grep -qE '^[1-9][0-9]* passed, 0 failed$' ||
		{ grep -m3 -E '^FAIL|ERROR' "$tmp/check.out"; echo "status $crc: $(tail -1 "$tmp/check.out")"; return 1; }
}

all="apply mirror export checkpatch kerneldoc warnings configs kunit run pressure selftest"
fake_check "$all"
expect "check.sh: control: every stage with good stubs passes" check_passed
echo "# a changed option" >>"$top/harness/kunit/gpu.kunitconfig"
fake_check "apply kunit"
expect "check.sh: a configuration changed without make baseline fails" check_failed 'kunit \(default\): .*was made for configuration .*run .make baseline.'
sed -i '$d' "$top/harness/kunit/gpu.kunitconfig"
fake_check "apply kunit"
expect "check.sh: control: the configuration back as the baseline has it passes" check_passed
echo "fake_suite.gone_case" >>"$top/harness/kunit/new-cases"
fake_check "apply kunit"
expect "check.sh: a manifest of new KUnit cases that drifted from the sources fails" check_failed 'kunit manifest: .*differs from what the sources give'
sed -i '$d' "$top/harness/kunit/new-cases"
fake_check "apply run" FAKE_RUN=die
expect "check.sh: run.sh dying before its counts fails" check_failed 'run: no "counts" line.*run.log'
fake_check "apply kunit" FAKE_KUNIT=noresults
expect "check.sh: kunit.sh exit 2 (a boot left no results) fails" check_failed 'a boot left no results'
fake_check "apply kunit" FAKE_KUNIT=die
expect "check.sh: kunit.sh dying (exit 3) fails" check_failed 'kunit.sh failed with exit status 3'
fake_check "apply kunit" FAKE_KUNIT=lying
expect "check.sh: kunit.sh exit 0 without results fails" check_failed 'kunit: no results'
fake_check "apply kunit run pressure" FAKE_KUNIT=nobuild
no_stale_boot() {
	check_failed 'run: not run' && check_failed 'pressure \(heap\): not run' &&
		! grep -q '^PASS run' "$tmp/check.out"
}
expect "check.sh: no kernel built: run and pressure fail without booting a stale one" no_stale_boot
cp "$fx/pressure-heap.log" "$GPUPOOL_CACHE/logs/pressure-check-heap.log"
fake_check "apply pressure" FAKE_PRESSURE=die
expect "check.sh: pressure.sh dying fails, not a stale console log" check_failed 'pressure \(heap\): no console log'
fake_check "apply configs" FAKE_CONFIGS=partial
expect "check.sh: a configuration that gives no result fails" check_failed 'configs: x86_64-drm-m gave 0 results'
fake_check "apply configs" FAKE_CONFIGS=die
expect "check.sh: configs.sh dying fails" check_failed 'configs: arm64-panfrost gave 0 results'
fake_check "apply checkpatch" FAKE_CHECKPATCH=crash
expect "check.sh: checkpatch crashing fails" check_failed 'checkpatch: 0001-.*exit status 255'
fake_check "apply checkpatch" FAKE_CHECKPATCH=empty
expect "check.sh: checkpatch printing nothing fails" check_failed 'checkpatch: 0001-.*printed nothing'
fake_check "apply checkpatch" FAKE_CHECKPATCH=nosummary
expect "check.sh: checkpatch without its summary line fails" check_failed 'checkpatch: 0001-.*summary'
fake_check "apply checkpatch" FAKE_CHECKPATCH=error
expect "check.sh: control: a checkpatch ERROR fails" check_failed 'checkpatch: 0001-.*ERROR:SPACING'
# FILE_PATH_CHANGES in check.sh: the judge gets the patch and the applied
# tree, whose MAINTAINERS (the base's) covers drivers/foo/ only.
# newfile_series FILE: patches/ becomes the series plus a patch adding FILE.
newfile_series() {
	(
		set -e
		cd "$tmp/work"
		git checkout -q -B newfile series
		mkdir -p "$(dirname "$1")"
		printf '/* SPDX-License-Identifier: GPL-2.0 */\n' >"$1"
		git add "$1"
		git commit -q -m "foo: add $1" -m "Signed-off-by: Test Harness <test@example.invalid>"
		bash -c '. "$0/lib.sh"; format_series "$1" "$2"' "$top/harness" "$tmp/work" "$top/patches"
		git checkout -q series
	) >>"$tmp/setup.log" 2>&1 || echo "newfile_series $1 failed: $(tail -1 "$tmp/setup.log")"
}
mv "$top/patches" "$tmp/patches.saved"
newfile_series drivers/foo/foo_new.h
fake_check "apply checkpatch" FAKE_CHECKPATCH=filepath
cp_accepted() {
	check_passed && grep -qE '^PASS checkpatch: 0002-.*FILE_PATH_CHANGES accepted.*\(FOO DRIVER\)' "$tmp/check.out" ||
		{ echo "no PASS line saying so: $(grep -m1 -E '^(PASS|FAIL) checkpatch: 0002' "$tmp/check.out")"; return 1; }
}
expect "check.sh: FILE_PATH_CHANGES for an added file a maintained section covers passes, and is said" cp_accepted
newfile_series drivers/baz/baz.h
fake_check "apply checkpatch" FAKE_CHECKPATCH=filepath
expect "check.sh: FILE_PATH_CHANGES for an added file no maintained section covers fails, naming it" \
	check_failed 'checkpatch: 0002-.*FILE_PATH_CHANGES.*covers: added drivers/baz/baz.h'
rm -rf "$top/patches"
mv "$tmp/patches.saved" "$top/patches"
fake_check "apply kerneldoc" FAKE_KDOC=crash
expect "check.sh: kernel-doc crashing fails" check_failed 'kernel-doc: drivers/foo/foo.c: kernel-doc failed'
fake_check "apply warnings" FAKE_WARN=die
expect "check.sh: warn.sh dying fails" check_failed 'warnings: '
fake_check "apply warnings" FAKE_WARN=nocheck
expect "check.sh: a sparse build that checked no file fails" check_failed 'warnings: nothing was checked'
fake_check "apply docs"
expect "check.sh: control: docs.sh with its counts line passes" check_passed
fake_check "apply docs" FAKE_DOCS=die
expect "check.sh: docs.sh dying before its counts fails" check_failed 'docs: no "counts" line: .*exit status 2.*docs.log'
fake_check "apply selftest" FAKE_SELFTEST=die
expect "check.sh: control: selftest.sh failing fails" check_failed 'selftest: make check ACCEPTED'
fake_check "apply nosuch"
expect "check.sh: an unknown stage fails" check_failed "unknown stage 'nosuch'"
mv "$top/patches" "$tmp/patches.saved"
fake_check "apply checkpatch"
mv "$tmp/patches.saved" "$top/patches"
expect "check.sh: an empty series fails (nothing to check)" check_failed 'apply: patches/ holds no patch'

# --- standard.sh and the standard stage of check.sh ---------------------------
# The real standard.sh in the scratch copy (its kunit.sh is the stub above),
# on a tree whose kunit.py is a stub: FAKE_STD=ok|garbled-once|garbled|nobuild
# (garbled: the JSON lacks a result the console shows; nobuild: "run" stops
# before the boot).  It counts its calls in the build directory.
std_tree="$tmp/stdtree"
mkdir -p "$std_tree/tools/testing/kunit"
cat >"$std_tree/tools/testing/kunit/kunit.py" <<EOF
#!/usr/bin/env python3
import os, subprocess, sys, tempfile
args = sys.argv[1:]
opt = lambda o: next(a.split('=', 1)[1] for a in args if a.startswith(o + '='))
bdir, out, run = opt('--build_dir'), opt('--json'), 'uml' if args[0] == 'run' else 'x86_64'
mode = os.environ.get('FAKE_STD', 'ok')
count = os.path.join(bdir, 'calls')
n = int(open(count).read()) + 1 if os.path.exists(count) else 1
open(count, 'w').write(str(n))
if mode == 'nobuild' and run == 'uml':
    print('ERROR:root:make: *** [Makefile:224: __sub-make] Error 2')
    sys.exit(1)
print('Starting KUnit Kernel (1/1)...')
spec = {'uml': '''$std_uml''', 'x86_64': '''$std_x86'''}[run]
d = tempfile.mkdtemp()
subprocess.run(['python3', '$fx/ktap.py', d, run, spec], check=True)
if mode == 'garbled' or (mode == 'garbled-once' and n == 1):
    subprocess.run(['python3', '$fx/ktap.py', d, run, '--json-only', spec.replace('drm:a:PASS;', '')], check=True)
os.replace(os.path.join(d, 'console-' + run + '.log'), os.path.join(bdir, 'test.log'))
os.replace(os.path.join(d, run + '.json'), out)
EOF
cp "$top/harness/standard.sh" "$tmp/standard-real.sh"
std_run() { # VAR=VALUE...: standard.sh on the stub tree, then the judge
	rm -rf "$GPUPOOL_CACHE/build/uml/calls" "$GPUPOOL_CACHE/build/kunit/calls" "$tmp/std-out"
	mkdir -p "$GPUPOOL_CACHE/build/kunit"
	env "$@" bash "$top/harness/standard.sh" "$std_tree" "$tmp/std-out" >"$tmp/std-run.log" 2>&1 ||
		echo "standard.sh exit status $?" >>"$tmp/std-run.log"
	sj "$tmp/std-out"
}
# calls RUN N: standard.sh called the stub kunit.py N times for RUN.
calls() {
	local b="$GPUPOOL_CACHE/build/kunit/calls"
	[ "$1" = uml ] && b="$GPUPOOL_CACHE/build/uml/calls"
	[ "$(cat "$b" 2>/dev/null || echo 0)" = "$2" ] || { echo "kunit.py called $(cat "$b" 2>/dev/null || echo 0) times for $1, not $2"; return 1; }
}
std_run
expect "standard.sh: control: both runs, judged, pass" judged_pass "$tmp/sj.out"
expect "standard.sh: control: one kunit.py call each" bash -c "$(declare -f calls); calls uml 1 && calls x86_64 1" _
std_run FAKE_STD=garbled-once
expect "standard.sh: a KTAP parse failure is retried once, and the retry's results are judged" \
	judged_pass "$tmp/sj.out"
expect "standard.sh: the retry is said, and the first attempt kept" \
	bash -c 'grep -q "^PASS standard (uml): .*the first attempt was retried: KTAP parse failure" "$1" && [ -s "$2/uml.attempt1.json" ] && [ -s "$2/console-uml.attempt1.log" ]' _ "$tmp/sj.out" "$tmp/std-out"
std_run FAKE_STD=garbled
expect "standard.sh: a KTAP parse failure twice is an infrastructure failure" \
	judged_fail "$tmp/sj.out" 'standard \(uml\): infrastructure: KTAP parse failure.*also on its retry.*not a test failure'
expect "standard.sh: ... after two kunit.py calls, not more" bash -c "$(declare -f calls); calls uml 2 && calls x86_64 2" _
std_run FAKE_STD=nobuild
expect "standard.sh: a UML kernel that did not build fails as no boot, not as infrastructure" \
	judged_fail_not_infra "$tmp/sj.out" 'standard \(uml\): no boot: kunit.py stopped before booting a kernel: .*Error 2'
expect "standard.sh: ... and is not retried" bash -c "$(declare -f calls); calls uml 1" _
std_run FAKE_KUNIT=nobuild
expect "standard.sh: kunit.sh failing to build the x86_64 kernel fails as no boot" \
	judged_fail_not_infra "$tmp/sj.out" 'standard \(x86_64\): no boot: kunit.sh .* build failed'
std_run STANDARD_RUNS=uml
expect "standard.sh: a run it did not make fails the judge" judged_fail "$tmp/sj.out" 'standard \(x86_64\): infrastructure: no results'

# check.sh's standard stage, with a stub standard.sh: FAKE_STANDARD=ok|die|unlisted.
cp "$fx/std-skips" "$top/harness/kunit/standard-skips"
cp "$fx/std-expected" "$top/harness/kunit/expected-failures"
cat >"$top/harness/standard.sh" <<EOF
#!/usr/bin/env bash
mkdir -p "\$2"
[ "\${FAKE_STANDARD:-ok}" = die ] && { echo "ERROR: stub standard.sh died" >&2; exit 1; }
uml='$std_uml'
[ "\${FAKE_STANDARD:-ok}" = unlisted ] && uml=\${uml/drm:a:PASS/drm:a:FAIL}
python3 "$fx/ktap.py" "\$2" uml "\$uml"
python3 "$fx/ktap.py" "\$2" x86_64 '$std_x86'
EOF
fake_check "apply standard"
expect "check.sh: control: the standard stage passes on good runs" check_passed
fake_check "apply standard" FAKE_STANDARD=unlisted
expect "check.sh: the standard stage fails on a failure expected-failures does not list" check_failed 'standard \(uml\) drm.a: FAIL'
fake_check "apply standard" FAKE_STANDARD=die
expect "check.sh: standard.sh dying fails the standard stage" check_failed 'standard: standard.sh exited with status 1'
expect "check.sh: ... and its runs as infrastructure failures" check_failed 'standard \(uml\): infrastructure: no results'
cp "$tmp/standard-real.sh" "$top/harness/standard.sh"

# --- warn.sh: every touched C file gives its object -------------------------
# The real warn.sh in the scratch copy, on a stub make that "compiles" the
# targets it is given (DIR/: every .c file of TREE/DIR; X.o: X.o) into O=,
# printing CHECK lines, but never FAKE_NOOBJ; FAKE_SPARSE_ERROR adds an
# error line as sparse prints it.
wbin="$tmp/warnbin"
mkdir -p "$wbin"
cat >"$wbin/make" <<'EOF'
#!/usr/bin/env bash
tree= o= prev=
for a in "$@"; do
	[ "$prev" = -C ] && tree=$a
	case "$a" in O=*) o=${a#O=} ;; esac
	prev=$a
done
objs=() dirs=()
for a in "$@"; do
	[ "$a" = "$tree" ] && continue
	case "$a" in
	*=*|-*|olddefconfig|prepare) ;;
	*/) for c in "$tree/$a"*.c; do [ -f "$c" ] && c=${c#"$tree/"} && objs+=("${c%.c}.o"); done
	    dirs+=("$a") ;;
	*.o) objs+=("$a") ;;
	esac
done
for x in "${objs[@]}"; do
	[ "$x" = "${FAKE_NOOBJ:-}" ] && continue
	mkdir -p "$o/$(dirname "$x")" && : >"$o/$x"
	printf '  CHECK   %s\n  CC      %s\n' "$tree/${x%.o}.c" "$x"
	[ -z "${FAKE_SPARSE_ERROR:-}" ] || echo "$tree/${x%.o}.c:3:1: error: static assertion failed: \"stub\""
done
# FAKE_SPARSE_ERROR_OTHER: a file of a directory target the series never
# touched has an error, as 6.12's fs/proc/base.c has under sparse.
for d in "${dirs[@]}"; do
	[ -z "${FAKE_SPARSE_ERROR_OTHER:-}" ] ||
		printf '  CHECK   %s\n%s:870:65: error: incompatible types in comparison expression (different address spaces):\n' \
			"$tree/${d}untouched.c" "$tree/${d}untouched.c"
done
exit 0
EOF
chmod +x "$wbin/make"
cp "$top/harness/warn.sh" "$tmp/warn-stub.sh"
cp "$H/warn.sh" "$top/harness/warn.sh"
printf '# PATH WHERE REASON\n' >"$top/harness/kunit/warn-no-object"
fake_check "apply warnings" PATH="$wbin:$PATH"
warn_counted() { check_passed && grep -q "^PASS warnings: .*(1 of 1 touched C files compiled" "$tmp/check.out"; }
expect "warn.sh: control: the touched C file compiled passes, and the PASS line counts it" warn_counted
# WARN_BIG=1: every directory is "big", so warn.sh builds single objects.
fake_check "apply warnings" PATH="$wbin:$PATH" WARN_BIG=1
expect "warn.sh: control: the same with single-object targets passes" warn_counted
fake_check "apply warnings" PATH="$wbin:$PATH" WARN_BIG=1 FAKE_NOOBJ=drivers/foo/foo.o
expect "warn.sh: a touched C file that gives no object fails (the object of the run before does not count)" \
	check_failed 'warnings: warn.sh failed .*no object for drivers/foo/foo.c'
fake_check "apply warnings" PATH="$wbin:$PATH" FAKE_SPARSE_ERROR=1
expect "warn.sh: an error line (sparse is silent after it) fails" check_failed 'warnings: warn.sh failed .*1 errors'
# The base has the error too: its list is made again with the same stub.
rm -rf "$GPUPOOL_CACHE/warn-base"
fake_check "apply warnings" PATH="$wbin:$PATH" FAKE_SPARSE_ERROR_OTHER=1
expect "warn.sh: an error in an untouched file built with its directory is the base's: it passes" warn_counted
rm -rf "$GPUPOOL_CACHE/warn-base"
# warn_run WANT-STATUS REGEX [VAR=VALUE...]: warn.sh on the series' tree
# exits WANT-STATUS (0 or 1) and its output or OUT.files has a line
# matching REGEX.
warn_run() {
	local want=$1 re=$2 rc=0
	shift 2
	env PATH="$wbin:$PATH" "$@" bash "$top/harness/warn.sh" "$tmp/work" "$tmp/w.out" >"$tmp/w.log" 2>&1 || rc=$?
	[ "$rc" = "$want" ] || { echo "exit status $rc, want $want: $(tail -1 "$tmp/w.log")"; return 1; }
	cat "$tmp/w.log" "$tmp/w.out.files" | grep -qE "$re" || { echo "no line matching '$re': $(tail -1 "$tmp/w.log")"; return 1; }
}
printf 'drivers/foo/foo.c none #included by another file (the test says so)\n' >>"$top/harness/kunit/warn-no-object"
expect "warn.sh: control: a file that warn-no-object lists with its reason needs no object" \
	warn_run 0 '^excepted drivers/foo/foo.c #included by another file' FAKE_NOOBJ=drivers/foo/foo.o
sed -i 's|^drivers/foo/foo.c none .*|drivers/foo/foo.c none|' "$top/harness/kunit/warn-no-object"
expect "warn.sh: an entry of warn-no-object without a reason fails" \
	warn_run 1 'foo.c has no reason' FAKE_NOOBJ=drivers/foo/foo.o
printf '# PATH WHERE REASON\ndrivers/bar/bar.c none not touched by the series\n' >"$top/harness/kunit/warn-no-object"
expect "warn.sh: an entry of warn-no-object that names no touched C file fails" \
	warn_run 1 'bar.c is not a C file the series touches'
cp "$tmp/warn-stub.sh" "$top/harness/warn.sh"
cp "$H/kunit/warn-no-object" "$top/harness/kunit/warn-no-object"

# --- run.sh and pressure.sh with a stub guest --------------------------------
# make, gcc and the guest are stubs; FAKE_CONSOLE is the console the guest
# "prints" (unset: the boot never happened), FAKE_CONSOLE2 the one of the
# two-node boot if set, FAKE_GUEST_RC its exit status.
cat >"$stubs/make" <<'EOF'
#!/bin/sh
case " $* " in *" kernelrelease "*) echo 6.12.117 ;; esac
exit 0
EOF
cat >"$stubs/gcc" <<'EOF'
#!/bin/sh
[ "${FAKE_GCC:-ok}" = ok ] || { echo "gcc: error: stub" >&2; exit 1; }
while [ $# -gt 0 ]; do [ "$1" = -o ] && : >"$2"; shift; done
exit 0
EOF
cat >"$top/harness/guest.sh" <<'EOF'
#!/usr/bin/env bash
# guest.sh MODE KBUILD LOG TIMEOUT APPEND ...: the console is $FAKE_CONSOLE
# ($FAKE_CONSOLE2 instead, if set, when the command line asks for
# numa=fake=2), if set, followed by the node count the command line asks
# for or $FAKE_NODES.
n=1 console=${FAKE_CONSOLE:-}
case "$5" in *numa=fake=2*) n=2 console=${FAKE_CONSOLE2:-$console} ;; esac
[ -z "$console" ] || cp "$console" "$3"
if [ -n "$console" ] && [ -s "$3" ]; then
	echo "@@ nodes: ${FAKE_NODES:-$n}" >>"$3"
fi
exit "${FAKE_GUEST_RC:-0}"
EOF
chmod +x "$stubs"/* "$top/harness/guest.sh"
mkdir -p "$GPUPOOL_CACHE/build/kunit/usr/include/drm"
: >"$GPUPOOL_CACHE/build/kunit/usr/include/drm/vgem_drm.h"
cp "$H/run.sh" "$top/harness/run.sh"
runlog="$GPUPOOL_CACHE/logs/run-console.log"
fake_run() { env PATH="$stubs:$PATH" "$@" bash "$top/harness/run.sh" --check >"$tmp/run.out" 2>&1; true; }
fake_run FAKE_CONSOLE="$fx/run-ok.log" FAKE_CONSOLE2="$fx/run-ok-numa2.log"
expect "run.sh: control: good consoles pass (heap-mempolicy skipped on one node, ok 1..3 on two)" \
	judged_pass "$tmp/run.out"
fake_run FAKE_CONSOLE="$fx/run-ok.log" FAKE_CONSOLE2="$fx/run-numa2-no-hm.log"
expect "run.sh: the two-node boot without heap-mempolicy fails" \
	judged_fail "$tmp/run.out" '2 nodes: heap-mempolicy .*did not run'
fake_run FAKE_CONSOLE="$fx/run-ok.log" FAKE_CONSOLE2="$fx/run-numa2-notok2.log"
expect "run.sh: heap-mempolicy's \"not ok 2\" in the two-node boot fails" \
	judged_fail "$tmp/run.out" '2 nodes: heap-mempolicy: bind to node 1 gets its memory from node 1'
fake_run FAKE_CONSOLE="$fx/run-ok.log" FAKE_CONSOLE2="$fx/run-numa2-skip.log"
expect "run.sh: heap-mempolicy's \"1..0 # SKIP\" in the two-node boot fails" \
	judged_fail "$tmp/run.out" '2 nodes: heap-mempolicy exit status and plan .*plan=1\.\.0 # SKIP'
cp "$fx/run-ok.log" "$runlog"
fake_run
expect "run.sh: no boot, an earlier good console left behind: fails" judged_fail "$tmp/run.out" 'guest console log.*missing'
fake_run FAKE_GUEST_RC=1
expect "run.sh: the guest failing with no console fails (counted)" judged_fail "$tmp/run.out" 'guest boots and finishes'
fake_run FAKE_CONSOLE="$fx/empty.log"
expect "run.sh: an empty console fails" judged_fail "$tmp/run.out" 'guest console log.*empty'
fake_run FAKE_CONSOLE="$fx/run-ok.log" FAKE_CONSOLE2="$fx/run-ok-numa2.log" FAKE_NODES=1
expect "run.sh: the two-node boot with one node fails" judged_fail "$tmp/run.out" '2 nodes: guest has 2 NUMA node.*reports 1'
fake_run FAKE_CONSOLE="$fx/run-fail1.log"
expect "run.sh: Totals fail:1 (with xfail:0) fails" judged_fail "$tmp/run.out" 'selftest exit status and totals.*fail:1 '
fake_run FAKE_CONSOLE="$fx/run-gm-none.log" FAKE_CONSOLE2="$fx/run-ok-numa2.log"
expect "run.sh: no gpu-meminfo section fails" judged_fail "$tmp/run.out" 'run: gpu-meminfo \(did not run\)'
fake_run FAKE_CONSOLE="$fx/run-gm-base.log" FAKE_CONSOLE2="$fx/run-ok-numa2.log"
expect "run.sh: a meminfo without GPUActive/GPUReclaim (the base kernel) fails" \
	judged_fail "$tmp/run.out" 'gpu-meminfo: /proc/meminfo shows GPUActive and GPUReclaim .*GPUReclaim=missing'
fake_run FAKE_CONSOLE="$fx/run-gm-left.log" FAKE_CONSOLE2="$fx/run-ok-numa2.log"
expect "run.sh: GPUReclaim left after drop_caches fails" \
	judged_fail "$tmp/run.out" 'gpu-meminfo: GPUReclaim is 0 after drop_caches \(1024 kB\)'
fake_run FAKE_CONSOLE="$fx/run-gm-short.log" FAKE_CONSOLE2="$fx/run-ok-numa2.log"
expect "run.sh: a peak GPUReclaim below the pools' pages fails" \
	judged_fail "$tmp/run.out" "gpu-meminfo: GPUReclaim at the peak is exactly the pools' and the deferred-free lists' pages \\(GPUReclaim 33788 kB"
fake_run FAKE_CONSOLE="$fx/run-gm-empty-pools.log" FAKE_CONSOLE2="$fx/run-ok-numa2.log"
expect "run.sh: pools that held nothing at the peak prove nothing: fails" \
	judged_fail "$tmp/run.out" "gpu-meminfo: GPUReclaim at the peak is exactly the pools' and the deferred-free lists' pages \\(GPUReclaim 0 kB, pools 0 "
fake_run FAKE_CONSOLE="$fx/run-gm-nodes.log" FAKE_CONSOLE2="$fx/run-ok-numa2.log"
expect "run.sh: nodes' GPUReclaim that do not add up fail" \
	judged_fail "$tmp/run.out" "gpu-meminfo: the nodes' GPUReclaim add up .*nodes 16384 kB"
fake_run FAKE_CONSOLE="$fx/run-gm-twice.log" FAKE_CONSOLE2="$fx/run-ok-numa2.log"
expect "run.sh: a peak GPUReclaim of twice the pools' pages fails" \
	judged_fail "$tmp/run.out" "gpu-meminfo: GPUReclaim at the peak is exactly .*GPUReclaim 67584 kB"
fake_run FAKE_CONSOLE="$fx/run-gm-not-pooled.log" FAKE_CONSOLE2="$fx/run-ok-numa2.log"
expect "run.sh: a buffer that never reached the pools fails" \
	judged_fail "$tmp/run.out" "gpu-meminfo: the 32 MiB buffer went into the pools and GPUReclaim .*pools 8448 -> 8448"
fake_run FAKE_CONSOLE="$fx/run-gm-busy.log" FAKE_CONSOLE2="$fx/run-ok-numa2.log"
expect "run.sh: a deferred-free kthread that never went idle fails" \
	judged_fail "$tmp/run.out" "gpu-meminfo: the deferred-free kthread went idle before each reading .*queued_items 3"
fake_run FAKE_CONSOLE="$fx/run-gm-negative.log" FAKE_CONSOLE2="$fx/run-ok-numa2.log"
expect "run.sh: a counter that went below zero (meminfo shows 0) fails" \
	judged_fail "$tmp/run.out" "guest console has no BUG/Oops/WARNING .*vmstat_refresh: nr_gpu_reclaim -8192"
fake_run FAKE_CONSOLE="$fx/run-short-totals.log"
expect "run.sh: a Totals line without all its fields fails" judged_fail "$tmp/run.out" 'selftest exit status and totals'
cp "$fx/run-ok.log" "$runlog"
fake_run FAKE_GCC=fail FAKE_CONSOLE="$fx/run-ok.log"
if grep -q '^counts' "$tmp/run.out" || [ -e "$runlog" ]; then
	nok "run.sh: dying before the boot: counts printed or the earlier console kept"
else
	absorbed "run.sh: dying before the boot leaves no counts, and absorb fails it" "$tmp/run.out" 1 0 1 'no "counts" line'
fi

plog="$GPUPOOL_CACHE/logs/pressure-check-heap.log"
cp "$H/pressure.sh" "$top/harness/pressure.sh"
fake_pressure() { env PATH="$stubs:$PATH" "$@" bash "$top/harness/pressure.sh" "$GPUPOOL_CACHE/build/kunit" check heap >"$tmp/pressure.out" 2>&1; true; }
fake_pressure FAKE_CONSOLE="$fx/pressure-heap.log"
pj heap "$plog"; expect "pressure.sh: control: a good boot's log passes" judged_pass "$tmp/pj.out"
cp "$fx/pressure-heap.log" "$plog"
fake_pressure
pj heap "$plog"; expect "pressure.sh: no boot, an earlier good log left behind: fails" judged_fail "$tmp/pj.out" 'no console log'
cp "$fx/pressure-heap.log" "$plog"
fake_pressure FAKE_GCC=fail
pj heap "$plog"; expect "pressure.sh: dying before the boot leaves no log to judge" judged_fail "$tmp/pj.out" 'no console log'
env PATH="$stubs:$PATH" FAKE_CONSOLE="$fx/pressure-vgem.log" bash "$top/harness/pressure.sh" \
	"$GPUPOOL_CACHE/build/kunit" check vgem >"$tmp/pressure.out" 2>&1
expect "pressure.sh: the vgem-mappings lines reach the output" \
	bash -c '[ "$(grep -c "^check: vgem-maps " "$1")" = "$(grep -c "^vgem-maps " "$2")" ] &&
		grep -qx "check: vgem-maps result pass" "$1" || { echo "not passed on: $(tail -1 "$1")"; exit 1; }' \
	_ "$tmp/pressure.out" "$fx/pressure-vgem.log"
fake_pressure FAKE_CONSOLE="$fx/pressure-heap.log"
expect "pressure.sh: the busy case's lines (busy, anon) reach the output" \
	bash -c 'n=$(grep -cE "^(busy|anon) " "$2"); [ "$n" -gt 0 ] && [ "$(grep -cE "^check: (busy|anon) " "$1")" = "$n" ] ||
		{ echo "$(grep -cE "^check: (busy|anon) " "$1") of $n passed on"; exit 1; }' \
	_ "$tmp/pressure.out" "$fx/pressure-heap.log"

expect "pressure.sh: the exhaustion, zeroing and freeze lines reach the output" \
	bash -c 'n=$(grep -cE "^(exhaust|zero|freeze) " "$2"); [ "$n" -gt 0 ] && [ "$(grep -cE "^check: (exhaust|zero|freeze) " "$1")" = "$n" ] ||
		{ echo "$(grep -cE "^check: (exhaust|zero|freeze) " "$1") of $n passed on"; exit 1; }' \
	_ "$tmp/pressure.out" "$fx/pressure-heap.log"

# --- check-bisect.sh: a passing prefix's verdict is cached --------------------
cp "$H/check-bisect.sh" "$top/harness/check-bisect.sh"
# make is warn.sh's stub, which "compiles" the objects it is asked for.
fake_bisect() { env PATH="$wbin:$stubs:$PATH" "$@" bash "$top/harness/check-bisect.sh" >"$tmp/bisect.out" 2>&1; true; }
# bisect_says REGEX [REGEX...]: every REGEX matches a line of the output.
bisect_says() {
	local r
	for r in "$@"; do
		grep -qE "$r" "$tmp/bisect.out" || { echo "no line matching '$r': $(grep -m1 -E '^(PASS|FAIL) bisect' "$tmp/bisect.out")"; return 1; }
	done
}
rm -rf "$GPUPOOL_CACHE/bisect-verdicts"
fake_bisect
expect "check-bisect: control: the prefix is built and run the first time" \
	bisect_says '^PASS bisect 1: foo: return 2 \(1 touched C files compiled\) \([0-9]+ KUnit checks\)$' '^1 passed, 0 failed$'
fake_bisect
expect "check-bisect: an unchanged prefix passes from its cached verdict" \
	bisect_says '^PASS bisect 1: .*\(cached verdict\)$' '^bisect: 1 of 1 passing prefixes from the cache'
fake_bisect BISECT_CACHE=0
expect "check-bisect: BISECT_CACHE=0 runs it again" bisect_says '^PASS bisect 1: foo: return 2 \(1 touched C files compiled\) \([0-9]+ KUnit checks\)$'
echo '# a changed baseline' >>"$top/harness/baseline/kunit-default.warnings"
fake_bisect FAKE_KUNIT=lying
expect "check-bisect: a changed baseline is not judged by the old verdict, and a run without results fails" \
	bisect_says '^FAIL bisect 1: .*kunit' '^0 passed, 1 failed$'
sed -i '$d' "$top/harness/baseline/kunit-default.warnings"
fake_bisect BISECT_CACHE=0 FAKE_NOOBJ=drivers/foo/foo.o
expect "check-bisect: a touched C file that gives no object fails the prefix" bisect_says '^FAIL bisect 1: .*drivers/foo/foo.c gave no object' '^0 passed, 1 failed$'
fake_bisect BISECT_CACHE=0 FAKE_KUNIT=nobuild
expect "check-bisect: a prefix that does not build fails" bisect_says '^FAIL bisect 1: .*: build' '^0 passed, 1 failed$'

# --- bench_heap_table.py: the judged parts of make bench -----------------------
# Fake consoles of every boot of harness/bench-heap.sh (fake_bench.py DIR
# KEY=VALUE...: pairs/icount/smp2/b2b counts; factors of the patched kernel's
# figures (wall_close1m, icount_close1m, b2b_p50, b2b_p99) and of the A/A
# pairs' second slot in their first round (aa: 1 MiB close, b2baa: the
# back-to-back p99); same boot: sb=N boots, sb_close1m (S blocks at 1 MiB),
# sbaa (B blocks at 1 MiB in the first boot), sbic (the base path's
# instructions against the base kernel's), sbdrift (every block of a boot
# that much slower than the one before), sbknobs0=1 (the heap as shipped
# with pool_limit_pages 0), sb4k (S blocks at 4 KiB, the control), sbaa4k
# (B blocks at 4 KiB in the first boot), sbpath=direct/nolist/pooled/
# baselisted/hitsonly/small4k/nofiles/nocounts (a block whose debugfs
# counts show another path, or none); back to back in the same boot: b2bsb=N boots,
# b2bsb_p99 (S bursts' p99); sberr=LOG: a block that failed;
# dead/err/rc/missing/nostats=LOG,...: a guest that died
# after its first line, a failed ioctl, a workload that failed, no console,
# no deferred-free stats).  The control passes every bar.
cat >"$fx/fake_bench.py" <<'EOF'
import os, sys
d = sys.argv[1]
o = dict(a.split('=', 1) for a in sys.argv[2:])
f = lambda k, v: float(o.get(k, v))
P, IC, S2, B, SB = (int(o.get(k, v)) for k, v in (('pairs', 5), ('icount', 3), ('smp2', 2), ('b2b', 2), ('sb', 5)))
SIZES = [4096, 1 << 20, 8 << 20, 32 << 20]
os.makedirs(d, exist_ok=True)
def paced(name, i, alloc=1.0, close=1.0, close1m=1.0, cpu=1.0, kt=0):
    L = ['@@ begin 10-heap-bench']
    for s in SIZES:
        mib = max(s >> 20, 1)
        a, c = 3000.0 * mib, 2000.0 * mib
        cc = close1m if s == 1 << 20 else close
        w = 1 + 0.001 * i
        L.append(f'bench len {s} rounds 100 alloc_p50_ns {a * alloc * w:.0f} alloc_p99_ns {2 * a * alloc * w:.0f} '
                 f'close_p50_ns {c * cc * w:.0f} close_p99_ns {2 * c * cc * w:.0f} '
                 f'caller_cpu_ns_per_mib {5000 * cpu * w:.0f} kthread_cpu_ns_per_mib {kt}')
    L.append('@@ end 10-heap-bench rc=0')
    return L
def b2b(name, i, p50=1.0, p99=1.0, stats=False):
    L, acc = [], 0
    for s in SIZES:
        mib = max(s >> 20, 1)
        a = 20000.0 * mib
        w = 1 + 0.001 * i
        L.append(f'b2b len {s} rounds 100 alloc_p50_ns {a * p50 * w:.0f} alloc_p90_ns {2 * a * w:.0f} '
                 f'alloc_p99_ns {10 * a * p99 * w:.0f} alloc_max_ns {20 * a * w:.0f} close_p50_ns 3000 '
                 f'close_p99_ns 9000 memavail_before_kb 200000 memavail_after_kb 190000 memavail_dropped_kb 199000')
        acc += 100 * mib
        if stats and name not in o.get('nostats', '').split(','):
            L.append(f'b2b-stats len {s} queued_items 0 queued_pages 0 reused_pages {acc} freed_pages {2 * acc} '
                     f'direct_pages 0 shrunk_pages {acc // 4} max_queued_pages 7000')
        else:
            L.append(f'b2b-stats len {s} absent')
    L += ['b2b done', '@@ end 20-b2b rc=0']
    return L
logs = {}
for i in range(1, IC + 1):
    logs[f'icount-base{i}'] = paced('', i)
    logs[f'icount-patched{i}'] = paced('', i, alloc=0.1, close=0.9, close1m=f('icount_close1m', 0.3), cpu=0.9, kt=100)
for i in range(1, P + 1):
    logs[f'wall-base{i}'] = paced('', i)
    logs[f'wall-patched{i}'] = paced('', i, alloc=0.3, close=1.2, close1m=f('wall_close1m', 0.9), cpu=1.2, kt=100)
    logs[f'aa-a{i}'] = paced('', i)
    logs[f'aa-b{i}'] = paced('', i, close=f('aa4k', 1.2), close1m=f('aa', 1.01) if i == 1 else 1.0)
for i in range(1, S2 + 1):
    logs[f'smp2-base{i}'] = paced('', i)
    logs[f'smp2-patched{i}'] = paced('', i, close1m=1.1)
for i in range(1, B + 1):
    logs[f'b2b-base{i}'] = b2b('b2b-base', i)
    logs[f'b2b-patched{i}'] = b2b(f'b2b-patched{i}', i, p50=f('b2b_p50', 0.3), p99=f('b2b_p99', 0.5), stats=True)
    logs[f'b2baa-a{i}'] = b2b('', i)
    logs[f'b2baa-b{i}'] = b2b('', i, p99=f('b2baa', 1.1) if i == 1 else 1.0)
def sameboot(i, quads, s1m=1.0, aa=1.0, b=1.0, jitter=0.01, knobs=True, drift=0.0, f4k=1.0, aa4k=1.0):
    pool = 0 if o.get('sbknobs0') else 1000
    L = [f'sameboot knobs pool_limit_pages {pool} max_backlog_percent 12 quads {quads} rounds 20' if knobs
         else f'sameboot knobs absent quads {quads} rounds 20']
    for s in (4096, 1 << 20):
        base = 2000.0 * max(s >> 20, 1) * 1.002
        for q in range(quads):
            for slot, m in enumerate('ASBS'):
                f = (s1m if s == 1 << 20 else 1.0) if m == 'S' else \
                    (aa if s == 1 << 20 and slot == 2 else aa4k if slot == 2 else 1.0) * b
                w = (1 + jitter * (q % 3)) * (1 + drift * (q * 4 + slot))
                if s == 4096 and m == 'S':
                    f *= f4k
                counts = ''
                if knobs:
                    big = s == 1 << 20
                    d, ls, h, pg = (0, 23 if big else 0, 19 if big else 0, 0) if m == 'S' else \
                        (23 if big else 0, 0, 0, 0)
                    if (q, slot) == (1, 1) and m == 'S' and o.get('sbpath') == 'direct' and big:
                        d, ls = 1, 22
                    if (q, slot) == (1, 2) and o.get('sbpath') == 'pooled':
                        pg, h = 256, 1
                    if (q, slot) == (1, 3) and o.get('sbpath') == 'nolist' and big:
                        ls = 0
                    if (q, slot) == (1, 2) and o.get('sbpath') == 'baselisted' and big:
                        d, ls = 22, 1
                    if (q, slot) == (1, 2) and o.get('sbpath') == 'hitsonly' and big:
                        h = 1
                    if (q, slot) == (1, 1) and o.get('sbpath') == 'small4k' and not big:
                        ls = 23
                    if (q, slot) == (1, 0) and o.get('sbpath') == 'nofiles':
                        pg = -1
                    counts = f' direct_items {d} listed_items {ls} pool_hits {h} pool_pages_before {pg}'
                    if o.get('sbpath') == 'nocounts':
                        counts = ''
                L.append(f'sameboot len {s} quad {q} slot {slot} mode {m} alloc_p50_ns {3000 * w:.0f} '
                         f'close_p50_ns {base * f * w:.0f}{counts}')
    return L + ['sameboot done', '@@ end 30-sameboot rc=0']
for i in range(1, SB + 1):
    logs[f'sb-patched{i}'] = sameboot(i, 8, f('sb_close1m', 0.9), f('sbaa', 1.01) if i == 1 else 1.0,
                                      jitter=0, drift=f('sbdrift', 0), f4k=f('sb4k', 1.0),
                                      aa4k=f('sbaa4k', 1.0) if i == 1 else 1.0)
logs['sbic-patched1'] = sameboot(1, 2, 0.3, 1.0, f('sbic', 1.0), 0)
logs['sbic-base1'] = sameboot(1, 2, 1.0, 1.0, 1.0, 0, knobs=False)
with open(f'{d}/sb_boots', 'w') as fh:
    fh.write(f'{SB}\n')
BSB = int(o.get('b2bsb', 2))
for i in range(1, BSB + 1):
    L = ['b2b-sb knobs pool_limit_pages 1000 max_backlog_percent 12 quads 8 rounds 100']
    for q in range(8):
        for s in SIZES:
            a = 20000.0 * max(s >> 20, 1)
            for slot, m in enumerate('ASBS'):
                p50, p99 = (0.3, f('b2bsb_p99', 0.8)) if m == 'S' else (1.0, 1.0)
                L.append(f'b2b-sb len {s} quad {q} slot {slot} mode {m} alloc_p50_ns {a * p50:.0f} '
                         f'alloc_p99_ns {10 * a * p99:.0f} alloc_max_ns {20 * a:.0f} close_p50_ns 3000')
    logs[f'b2bsb-patched{i}'] = L + ['b2b-sb done', '@@ end 40-b2b-sameboot rc=0']
with open(f'{d}/b2b_sb_boots', 'w') as fh:
    fh.write(f'{BSB}\n')
for name, L in logs.items():
    if name in o.get('sberr', '').split(','):
        L = L[:5] + ['sameboot error knob write 13']
    if name in o.get('missing', '').split(','):
        continue
    if name in o.get('dead', '').split(','):
        L = L[:2]
    if name in o.get('err', '').split(','):
        L = L[:2] + ['b2b error alloc len 1048576 round 7 errno 12 (Cannot allocate memory)']
    if name in o.get('rc', '').split(','):
        L = L[:-1] + ['@@ end 20-b2b rc=1']
    with open(f'{d}/{name}.log', 'w') as fh:
        fh.write('Linux version fake\n' + '\n'.join(L) + '\n@@ guest done\n')
EOF
# bench_run "PAIRS ICOUNT_PAIRS SMP2_PAIRS B2B_PAIRS" KEY=VALUE...: fake logs,
# then the table; its output in $tmp/bench.out, its exit status in $tmp/bench.rc.
bench_run() {
	local counts=$1
	shift
	rm -rf "$tmp/bench"
	mkdir -p "$tmp/bench/out"
	python3 "$fx/fake_bench.py" "$tmp/bench/logs" "$@"
	# shellcheck disable=SC2086
	python3 "$H/bench_heap_table.py" "$tmp/bench/logs" $counts "$tmp/bench/out" >"$tmp/bench.out" 2>&1
	echo $? >"$tmp/bench.rc"
}
# bench_says RC REGEX: the table exited RC and its last line matches REGEX.
bench_says() {
	local rc
	rc=$(cat "$tmp/bench.rc")
	[ "$rc" = "$1" ] || { echo "exit status $rc, not $1: $(tail -1 "$tmp/bench.out")"; return 1; }
	tail -1 "$tmp/bench.out" | grep -qE "$2" || { echo "last line: $(tail -1 "$tmp/bench.out")"; return 1; }
}
# bench_says_none RC REGEX: as bench_says, and no results file was written.
bench_says_none() {
	bench_says "$@" || return 1
	[ ! -e "$tmp/bench/out/heap-bench.json" ] && [ ! -e "$tmp/bench/out/heap-bench.md" ] ||
		{ echo "results were written for incomplete logs"; return 1; }
}
bench_run "5 3 2 2"
expect "bench: control: every bar passes, exit 0" bench_says 0 '^make bench: PASS: 22 of 22 judged bars pass$'
expect "bench: control: results_stale.py finds the results fresh (the .md is what --render makes of the .json)" \
	python3 "$H/results_stale.py" --dir "$tmp/bench/out" heap-bench
# measured_series(): which series Makefiles a benchmark measures
stale_rule() {
	python3 - "$H" "$@" <<'PY'
import sys
sys.path.insert(0, sys.argv[1])
import results_stale as r
spec = ['drivers/gpu/drm/page_pool.c', 'drivers/dma-buf/heaps/system_heap.c']
got = r.measured_series(spec, sys.argv[3:])
want = sys.argv[2] == 'measured'
ok = all((p in got) == want for p in sys.argv[3:])
print(got)
sys.exit(0 if ok else 1)
PY
}
expect "results_stale: a series Makefile beside or above a measured file is measured" \
	stale_rule measured drivers/gpu/drm/Makefile drivers/gpu/Makefile drivers/dma-buf/heaps/Makefile
expect "results_stale: a series Makefile that builds no measured file is not (drm/ttm, heaps/tests)" \
	stale_rule unmeasured drivers/gpu/drm/ttm/Makefile drivers/dma-buf/heaps/tests/Makefile
expect "results_stale: every series Kconfig and .kunitconfig is measured, and the top Makefile" \
	stale_rule measured drivers/gpu/drm/ttm/Kconfig drivers/gpu/drm/ttm/tests/.kunitconfig Makefile
# record_edit JSON PYTHON: change the record of a results file, then render
# its .md again, so that only what it measured differs.
record_edit() {
	python3 - "$1" "$2" <<'PY' || return 1
import json, sys
rec = json.load(open(sys.argv[1]))
files = rec['measured']['files']
exec(sys.argv[2])
json.dump(rec, open(sys.argv[1], 'w'), indent=1, sort_keys=True)
PY
	python3 "$H/bench_heap_table.py" --render "$1" >/dev/null
}
record_edit "$tmp/bench/out/heap-bench.json" "files['drivers/gpu/drm/ttm/Makefile'] = 'x'"
expect "results_stale: a file measured then and not measured now keeps the results fresh" \
	python3 "$H/results_stale.py" --dir "$tmp/bench/out" heap-bench
record_edit "$tmp/bench/out/heap-bench.json" "del files['drivers/gpu/drm/page_pool.c']"
expect "results_stale: a file measured now and not then makes the results stale" \
	bash -c 'python3 "$1" --dir "$2" heap-bench | grep "STALE: .*drivers/gpu/drm/page_pool.c"' _ \
	"$H/results_stale.py" "$tmp/bench/out"
bench_run "5 3 2 2" icount_close1m=1.1
expect "bench: a missed instruction-count bar still fails" \
	bench_says 1 '^make bench: FAIL: .*failed: close p50 1 MiB \(paced, instructions\): 1\.100 > 1\.0'
bench_run "5 3 2 2" sb_close1m=1.2
expect "bench: wall clock: a same-boot 1 MiB close over the bar by more than the A/A spread fails" \
	bench_says 1 '^make bench: FAIL: .*close p50 1 MiB, 1 vCPU, same boot \(wall clock\): 1\.200 > 1\.0 by more than the A/A spread'
bench_run "5 3 2 2" sb_close1m=1.02 sbaa=1.04
expect "bench: wall clock: over the bar by less than the same-boot A/A spread is inconclusive, not pass" \
	bench_says 1 '^make bench: INCONCLUSIVE: .*1\.020 > 1\.0 by less than the A/A spread'
bench_run "5 3 2 2" sbaa=1.08
expect "bench: wall clock: a same-boot A/A spread over 0.05 makes a ratio under the bar inconclusive" \
	bench_says 1 '^make bench: INCONCLUSIVE: .*A/A spread 0\.080 > 0\.05'
bench_run "5 3 2 2" sbaa=0.93
expect "bench: wall clock: a same-boot A/A ratio under 1 counts as 1/r (0.93: 0.075)" \
	bench_says 1 '^make bench: INCONCLUSIVE: .*A/A spread 0\.075 > 0\.05'
bench_run "5 3 2 2" sb=4
expect "bench: wall clock: fewer than 5 same-boot pairs is inconclusive" \
	bench_says 1 '^make bench: INCONCLUSIVE: .*4 A/B and 4 A/A pairs, the bar needs at least 5'
bench_run "5 3 2 2" sbic=1.05
expect "bench: wall clock: a base path that runs 5% more instructions than the base kernel is no stand-in: inconclusive" \
	bench_says 1 '^make bench: INCONCLUSIVE: .*the base path ran 1\.050x the base kernel.s instructions'
bench_run "5 3 2 2" sbic=0.97
expect "bench: wall clock: nor one that runs 3% fewer" \
	bench_says 1 '^make bench: INCONCLUSIVE: .*the base path ran 0\.970x the base kernel.s instructions'
bench_run "5 3 2 2" sbic=1.015 sb_close1m=0.99
expect "bench: wall clock: a base path 1.5% dearer than the base kernel counts against the series (0.99 x 1.015)" \
	bench_says 1 '^make bench: INCONCLUSIVE: .*1\.005 > 1\.0 by less than the A/A spread'
bench_run "5 3 2 2" sbic=0.985 sb_close1m=0.99
expect "bench: wall clock: ... and one 1.5% cheaper leaves the ratio as it is" \
	bench_says 0 '^make bench: PASS: 22 of 22 judged bars pass$'
bench_run "5 3 2 2" sb_close1m=1.01 sbdrift=-0.004
expect "bench: wall clock: a host that speeds up along the boot does not make a 1.01 pass (blocks against their neighbours)" \
	bench_says 1 '^make bench: (FAIL|INCONCLUSIVE): .*close p50 1 MiB, 1 vCPU, same boot \(wall clock\): 1\.01'
bench_run "5 3 2 2" sbknobs0=1
expect "bench: a same-boot run whose heap as shipped keeps no pool is no measurement: incomplete" \
	bench_says_none 2 '^make bench: FAIL: incomplete results: sb-patched1\.log: the heap as shipped did not pool and defer'
bench_run "5 3 2 2" sbpath=direct
expect "bench: a same-boot S block that freed a close at once ran no shipped path: incomplete" \
	bench_says_none 2 '^make bench: FAIL: incomplete results: sb-patched1\.log: block len 1048576 quad 1 slot 1 did not run its path: the heap as shipped freed 1 of 23 closes at once and listed 22'
bench_run "5 3 2 2" sbpath=nolist
expect "bench: ... nor one whose 1 MiB closes never reached the list" \
	bench_says_none 2 '^make bench: FAIL: incomplete results: sb-patched1\.log: block len 1048576 quad 1 slot 3 did not run its path: the heap as shipped freed 0 of 23 closes at once and listed 0'
bench_run "5 3 2 2" sbpath=pooled
expect "bench: a same-boot base-path block that started with pooled pages ran no base path: incomplete" \
	bench_says_none 2 '^make bench: FAIL: incomplete results: sb-patched1\.log: block len 4096 quad 1 slot 2 did not run its path: at 4096 bytes 0 closes were freed at once, 0 listed and 1 allocations hit a pool \(256 pooled pages'
bench_run "5 3 2 2" sbpath=nocounts
expect "bench: same-boot blocks without their debugfs counts: incomplete" \
	bench_says_none 2 '^make bench: FAIL: incomplete results: sb-patched1\.log: .*no debugfs counts'
bench_run "5 3 2 2" sbpath=baselisted
expect "bench: a same-boot base-path block that listed a 1 MiB close ran no base path: incomplete" \
	bench_says_none 2 '^make bench: FAIL: incomplete results: sb-patched1\.log: block len 1048576 quad 1 slot 2 did not run its path: the base path freed 22 of 23 closes at once and listed 1'
bench_run "5 3 2 2" sbpath=hitsonly
expect "bench: ... nor one with a pool hit and no pooled pages before it" \
	bench_says_none 2 '^make bench: FAIL: incomplete results: sb-patched1\.log: block len 1048576 quad 1 slot 2 did not run its path: the base path started with 0 pooled pages and had 1 pool hits'
bench_run "5 3 2 2" sbpath=small4k
expect "bench: a 4 KiB S block whose closes reached the list is not the control's same code: incomplete" \
	bench_says_none 2 '^make bench: FAIL: incomplete results: sb-patched1\.log: block len 4096 quad 1 slot 1 did not run its path: at 4096 bytes 0 closes were freed at once, 23 listed'
bench_run "5 3 2 2" sbpath=nofiles
expect "bench: same-boot counts of -1 (no debugfs files) are said as such: incomplete" \
	bench_says_none 2 '^make bench: FAIL: incomplete results: sb-patched1\.log: block len 4096 quad 1 slot 0 did not run its path: the debugfs files were missing'
bench_run "5 3 2 2" sb4k=0.95
expect "bench: wall clock: a 4 KiB control off 1 by 5% (same code in both arms) leaves a 0.9 unjudged: inconclusive" \
	bench_says 1 '^make bench: INCONCLUSIVE: .*the close p50 4 KiB control, the same code in both arms, ran 0\.950x.*PASS not judged'
bench_run "5 3 2 2" sb4k=1.015
expect "bench: ... and one off 1 by 1.5% does not" \
	bench_says 0 '^make bench: PASS: 22 of 22 judged bars pass$'
bench_run "5 3 2 2" sb4k=0.95 sbaa4k=1.06
expect "bench: ... nor one off 1 by 5% within its own A/A spread of 6%" \
	bench_says 0 '^make bench: PASS: 22 of 22 judged bars pass$'
bench_run "5 3 2 2" sb_close1m=1.08 sb4k=1.1
expect "bench: wall clock: a control off 1 leaves a fail unjudged too: inconclusive" \
	bench_says 1 '^make bench: INCONCLUSIVE: .*control, the same code in both arms, ran 1\.100x.*FAIL not judged'
bench_run "5 3 2 2" missing=sbic-base1
expect "bench: no instruction-count boot of the base kernel in the same program fails" \
	bench_says_none 2 '^make bench: FAIL: incomplete results: sbic-base1\.log'
bench_run "5 3 2 2"
expect "bench: back to back in the same boot: reported with its ratio (0.8 at every size)" \
	grep -q '^| 32 MiB | alloc_p99 | 0\.800, 0\.800 | 1\.000, 1\.000 | 0\.800 |$' "$tmp/bench/out/heap-bench.md"
bench_run "5 3 2 2" b2bsb=0
b2bsb_none() {
	bench_says 0 '^make bench: PASS: 22 of 22 judged bars pass$' &&
		grep -q '^No same-boot back-to-back boots' "$tmp/bench/out/heap-bench.md"
}
expect "bench: back to back in the same boot: none run is said, and judges nothing" b2bsb_none
bench_run "5 3 2 2" missing=b2bsb-patched2
expect "bench: a missing same-boot back-to-back console fails" \
	bench_says_none 2 '^make bench: FAIL: incomplete results: b2bsb-patched2\.log'
bench_run "5 3 2 2" dead=b2bsb-patched1
expect "bench: a same-boot back-to-back guest that died fails" \
	bench_says_none 2 '^make bench: FAIL: incomplete results: b2bsb-patched1\.log: incomplete same-boot results'
bench_run "5 3 2 2" wall_close1m=1.2 aa=1.08
expect "bench: wall clock: the cross-boot pairs are reported, not judged" \
	bench_says 0 '^make bench: PASS: 22 of 22 judged bars pass$'
expect "bench: wall clock: ... and their figures are in the table" \
	grep -q '^| close p50 1 MiB, 1 vCPU, across boots | 5 | .* | 1\.200 | .* | 0\.080 | - | reported |$' "$tmp/bench/out/heap-bench.md"
bench_run "5 3 2 2" sberr=sb-patched2
expect "bench: a same-boot block that failed fails, and no results are written" \
	bench_says_none 2 '^make bench: FAIL: incomplete results: sb-patched2\.log: the guest program failed'
bench_run "5 3 2 2" dead=sb-patched3
expect "bench: a same-boot guest that died fails" \
	bench_says_none 2 '^make bench: FAIL: incomplete results: sb-patched3\.log: incomplete same-boot results'
bench_run "5 3 2 2" missing=sbic-patched1
expect "bench: no instruction-count boot of the base path fails" \
	bench_says_none 2 '^make bench: FAIL: incomplete results: sbic-patched1\.log'
bench_run "5 3 2 2" b2b_p50=0.9
expect "bench: back-to-back: a p50 beyond the bar and the A/A spread fails" \
	bench_says 1 '^make bench: FAIL: .*alloc p50 32 MiB \(back-to-back\): 0\.900 > 0\.5'
bench_run "5 3 2 2" b2b_p99=1.05
expect "bench: back-to-back: a p99 over the bar by less than the A/A spread is inconclusive" \
	bench_says 1 '^make bench: INCONCLUSIVE: .*alloc p99 4 KiB \(back-to-back\): 1\.050 is within the A/A spread'
bench_run "5 3 2 2" b2b_p99=0.95
expect "bench: back-to-back: a p99 under the bar by less than the A/A spread is inconclusive" \
	bench_says 1 '^make bench: INCONCLUSIVE: .*alloc p99 4 KiB \(back-to-back\): 0\.950 is within the A/A spread'
bench_run "5 3 2 1" b2b=1
expect "bench: back-to-back: one pair is inconclusive" \
	bench_says 1 '^make bench: INCONCLUSIVE: .*1 A/B and 1 A/A pairs, the bar needs at least 2'
bench_run "5 3 2 2" sb_close1m=1.2 b2b_p99=1.05
expect "bench: a failure beside an inconclusive bar is a FAIL that names both" \
	bench_says 1 '^make bench: FAIL: .*failed: close p50 1 MiB.*; inconclusive: alloc p99'
bench_run "5 3 2 2" dead=b2b-patched2
expect "bench: a back-to-back guest that died fails, and no results are written" \
	bench_says_none 2 '^make bench: FAIL: incomplete results: b2b-patched2\.log: incomplete'
bench_run "5 3 2 2" err=b2b-base1
expect "bench: a failed allocation ioctl in the guest fails, with its errno" \
	bench_says 2 '^make bench: FAIL: incomplete results: b2b-base1\.log: the guest program failed: b2b error alloc .*errno 12'
bench_run "5 3 2 2" rc=b2baa-a2
expect "bench: a back-to-back workload that exited non-zero fails" \
	bench_says 2 '^make bench: FAIL: incomplete results: b2baa-a2\.log: .*rc=1'
bench_run "5 3 2 2" missing=aa-b3
expect "bench: a missing A/A console fails" bench_says 2 '^make bench: FAIL: incomplete results: .*aa-b3\.log'
bench_run "5 3 2 2" dead=wall-patched4
expect "bench: a paced wall-clock guest that died fails" \
	bench_says 2 '^make bench: FAIL: incomplete results: .*wall-patched4\.log'
bench_run "5 3 2 2" nostats=b2b-patched1
expect "bench: the patched kernel's back-to-back boot without deferred-free stats fails" \
	bench_says 2 '^make bench: FAIL: incomplete results: b2b-patched1\.log: no deferred-free stats'
python3 "$H/bench_heap_table.py" "$tmp/bench/logs" 5 3 2 >"$tmp/bench.out" 2>&1; echo $? >"$tmp/bench.rc"
expect "bench: the table refuses a command line without the pair counts" bench_says 2 '^usage: bench_heap_table\.py LOGDIR PAIRS ICOUNT_PAIRS SMP2_PAIRS B2B_PAIRS OUTDIR'

# --- bench_ttm_table.py: the backup bars of make bench-ttm ----------------------
# Fake consoles of every boot of harness/bench-ttm.sh (fake_ttm.py DIR
# KEY=VALUE...): the pool cells of every kernel, 6.12's swapout and swap-in
# in every boot, the series' backup and restore in the patched kernel's;
# restore_wall / backup_icount scale the series' times, missing=BOOT drops
# a boot's backup line.
cat >"$fx/fake_ttm.py" <<'EOF'
import os, sys
d = sys.argv[1]
o = dict(a.split('=', 1) for a in sys.argv[2:])
f = lambda k, v: float(o.get(k, v))
os.makedirs(d, exist_ok=True)
CELLS = [f'{s} {c} {t}' for s in ('1MiB', '64MiB') for c in ('cached', 'wc') for t in ('warm', 'cold')]
for kind, n in (('icount', 1), ('wall', 5)):
    for k in ('base', 'patched', 'cached'):
        for i in range(1, n + 1):
            L = [f'ttm_pool_bench: {c} populate 1000 [900-1100] unpopulate 2000 [1900-2100]' for c in CELLS]
            L.append('copy_page_bench: 16 MiB best 2000000 ns 8000 MiB/s')
            if f'{kind}-{k}{i}' not in o.get('missing', '').split(','):
                L.append('ttm_backup_bench: 64MiB swapout 50000000 [1-2] swapin 40000000 [1-2]')
                if k != 'base':
                    b = 48000000 * f(f'backup_{kind}', 1.0)
                    r = 39000000 * f(f'restore_{kind}', 1.0)
                    L.append(f'ttm_backup_bench: 64MiB backup {b:.0f} [1-2] restore {r:.0f} [1-2]')
            L.append('ttm_backup_bench: done (0)')
            with open(f'{d}/{kind}-{k}{i}.log', 'w') as fh:
                fh.write('Linux version fake\n' + '\n'.join(L) + '\n')
EOF
# ttm_run KEY=VALUE...: fake logs, then the table; output in $tmp/ttm.out,
# exit status in $tmp/ttm.rc.
ttm_run() {
	rm -rf "$tmp/ttm"
	mkdir -p "$tmp/ttm"
	python3 "$fx/fake_ttm.py" "$tmp/ttm/logs" "$@"
	echo 1 >"$tmp/ttm/logs/smp"
	python3 "$H/bench_ttm_table.py" "$tmp/ttm/logs" 1 5 "$tmp/ttm/ttm-bench.md" >"$tmp/ttm.out" 2>&1
	echo $? >"$tmp/ttm.rc"
}
# ttm_says RC REGEX: the table exited RC and its output matches REGEX.
ttm_says() {
	local rc
	rc=$(cat "$tmp/ttm.rc")
	[ "$rc" = "$1" ] || { echo "exit status $rc, not $1: $(grep -m1 '^Bars:' "$tmp/ttm.out")"; return 1; }
	grep -qE "$2" "$tmp/ttm.out" || { echo "no line matching '$2'"; return 1; }
}
ttm_run
expect "bench-ttm: control: backup and restore at or above 0.9 of 6.12's throughput pass, exit 0" \
	ttm_says 0 '^\| 64MiB restore throughput / 6\.12 swapin \(same boot\) \| ≥ 0\.9 \| each .*\| met \|.*\| met \|$'
ttm_run restore_wall=1.2
expect "bench-ttm: a restore under the bar on the wall clock only fails (judged on each metric)" \
	ttm_says 1 '^Bars: .*judged on each metric \(missed if missed on either\): 1 of 2 met, missed: 64MiB restore throughput / 6\.12 swapin \(same boot\) \(wall clock 0\.855 < 0\.9\)'
ttm_run backup_icount=1.2
expect "bench-ttm: a backup under the bar in instruction counts only fails" \
	ttm_says 1 'missed: 64MiB backup throughput / 6\.12 swapout \(same boot\) \(instructions 0\.868 < 0\.9\)'
ttm_run missing=wall-patched3
expect "bench-ttm: a patched boot without the backup figures is incomplete, and no results are written" \
	bash -c '[ "$(cat "$1/ttm.rc")" = 2 ] && grep -q "wall boot 3 of patched: incomplete backup results (missing backup, restore, swapin, swapout)" "$1/ttm.out" && [ ! -e "$1/ttm/ttm-bench.json" ]' _ "$tmp"

# The debug kernel's leak and report judge, and series_functions.py.
. "$H/test-harness-leaks.sh"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
