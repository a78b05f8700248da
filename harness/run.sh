#!/usr/bin/env bash
# make run: build the patched kernel (base + patches/), boot it under QEMU and
# run the guest workload (guest/workload/*.sh).  With --check, print one
# PASS/FAIL line per result and "counts P F" for check.sh.
. "$(dirname "$0")/lib.sh"

check=0
[ "${1:-}" = --check ] && check=1
logs="$CACHE/logs"
mkdir -p "$logs"
kb="$BUILD/kunit"
# The workload runs twice: on one node (512 MiB) and on two NUMA nodes
# (numa=fake=2, 1 GiB), where the pools' per-node lists and the shrinker's
# per-node scans are real.  "nodes:MiB:extra command line" per boot.
boots=("1:512:" "2:1024:numa=fake=2")
console() { if [ "$1" = 1 ]; then echo "$logs/run-console.log"; else echo "$logs/run-console-numa$1.log"; fi; }
# Never judge an earlier boot's console: the logs go before anything can
# fail, and a missing or empty log is a failure.
for b in "${boots[@]}"; do rm -f "$(console "${b%%:*}")"; done

if [ $check = 0 ]; then
	"$H/tree-prep.sh" "$CHECKTREE"
	step "applying patches/ ($(series_patches | wc -l) patches) to the base"
	apply_series "$CHECKTREE" >"$logs/run-apply.log" 2>&1 ||
		die "patches/ does not apply to the base (log: $logs/run-apply.log): fix or rebase the series"
	step "building the patched kernel (cold: ~10 min on 2 cores; warm: seconds)"
	"$H/kunit.sh" "$CHECKTREE" build >"$logs/run-build.log" 2>&1 ||
		die "kernel build failed (log: $logs/run-build.log)"
fi

step "building the guest programs"
bindir="$CACHE/guest-bin"
rm -rf "$bindir"
mkdir -p "$bindir"
make -s -C "$CHECKTREE" O="$kb" ARCH=x86_64 headers_install >"$logs/run-headers.log" 2>&1 ||
	die "headers_install failed (log: $logs/run-headers.log)"
gcc -static -O2 -Wall -I"$kb/usr/include" -o "$bindir/dmabuf-heap" \
	"$CHECKTREE/tools/testing/selftests/dmabuf-heaps/dmabuf-heap.c" >"$logs/run-cc.log" 2>&1 ||
	die "could not build the dmabuf-heaps selftest (log: $logs/run-cc.log)"
gcc -static -O2 -Wall -I"$kb/usr/include" -o "$bindir/heap-mempolicy" \
	"$H/guest/src/heap-mempolicy.c" >>"$logs/run-cc.log" 2>&1 ||
	die "could not build heap-mempolicy (log: $logs/run-cc.log)"
gcc -static -O2 -Wall -I"$kb/usr/include" -o "$bindir/dmabuf-pressure" \
	"$H/guest/src/dmabuf-pressure.c" >>"$logs/run-cc.log" 2>&1 ||
	die "could not build dmabuf-pressure (log: $logs/run-cc.log)"

release=$(make -s -C "$CHECKTREE" O="$kb" kernelrelease 2>/dev/null)
judge_args=()
for b in "${boots[@]}"; do
	IFS=: read -r nodes mem extra <<<"$b"
	log=$(console "$nodes")
	step "booting $release under QEMU (TCG, 2 vCPUs, -cpu Nehalem, $mem MiB, $nodes NUMA node(s))"
	start=$(date +%s)
	grc=0
	GUEST_MEM=$mem "$H/guest.sh" workload "$kb" "$log" "${RUN_TIMEOUT:-600}" \
		"console=ttyS0 kunit.enable=0${extra:+ $extra}" "$bindir" || grc=$?
	judge_args+=("$nodes" "$log" "$grc" "$(( $(date +%s) - start ))")
done

python3 - "$check" "${judge_args[@]}" <<'PY'
import os, re, sys
check = sys.argv[1] == '1'
TOTALS = ('pass', 'fail', 'xfail', 'xpass', 'skip', 'error')


def totals(line):
    """The fields of kselftest's "# Totals: pass:N fail:N xfail:N xpass:N
    skip:N error:N" line, or None if it is not exactly that."""
    m = re.fullmatch(r'#? ?Totals: ' + ' '.join(rf'{k}:(\d+)' for k in TOTALS), line.strip())
    return dict(zip(TOTALS, map(int, m.groups()))) if m else None


def gpu_meminfo(sec):
    """The results of guest/workload/30-gpu-meminfo.sh (R29): its lines
    "gpu-meminfo WHEN KEY VALUE ...", VALUE "missing" where the kernel has
    no such field."""
    if sec is None:
        return [(False, 'gpu-meminfo', 'did not run')]
    at, alloc = {}, None
    for l in sec['lines']:
        f = l.split()
        if len(f) < 2 or f[0] != 'gpu-meminfo':
            continue
        if f[1] == 'alloc':
            alloc = l
        elif f[1] in ('before', 'peak', 'after_drop_caches'):
            at[f[1]] = dict(zip(f[2::2], f[3::2]))

    def num(when, key):
        v = at.get(when, {}).get(key)
        return int(v) if v is not None and v.isdigit() else None

    def show(when):
        return ' '.join(f'{k}={at.get(when, {}).get(k, "none")}'
                        for k in ('GPUActive', 'GPUReclaim'))

    wl = alloc is not None and ' errno 0 ' in alloc and alloc.rstrip().endswith('bad_words 0')
    res = [(wl, 'gpu-meminfo: the heap workload (one 32 MiB buffer) ran',
            alloc.strip() if alloc else 'no "gpu-meminfo alloc" line')]
    shown = all(num(w, k) is not None for w in ('before', 'peak', 'after_drop_caches')
                for k in ('GPUActive', 'GPUReclaim'))
    res.append((shown, 'gpu-meminfo: /proc/meminfo shows GPUActive and GPUReclaim',
                '; '.join(f'{w}: {show(w)}' for w in ('before', 'peak', 'after_drop_caches'))))
    res.append((not any(' idle_timeout ' in l for l in sec['lines']),
                'gpu-meminfo: the deferred-free kthread went idle before each reading',
                next((l.strip() for l in sec['lines'] if ' idle_timeout ' in l), '')))
    peak, pools, kb = num('peak', 'GPUReclaim'), num('peak', 'pools_pages'), num('peak', 'page_kb')
    queued, inflight = num('peak', 'queued_pages'), num('peak', 'inflight_pages')
    # Every pooled or queued page counts once: GPUReclaim is exactly what
    # the pools and the deferred-free lists hold (nothing else pools pages
    # in the guest), and pools that hold nothing would prove nothing
    ok = None not in (peak, pools, kb, queued, inflight) and pools > 0 and \
        peak == (pools + queued + inflight) * kb
    res.append((ok, "gpu-meminfo: GPUReclaim at the peak is exactly the pools' and the deferred-free lists' pages",
                f'GPUReclaim {peak} kB, pools {pools} + queued {queued} + in flight {inflight} pages of {kb} kB'))
    # The workload's 32 MiB buffer went into the pools (they held pages of
    # the selftest before it)
    b_pools, b_rec = num('before', 'pools_pages'), num('before', 'GPUReclaim')
    ok = None not in (b_pools, pools, kb, b_rec, peak) and \
        (pools - b_pools) * kb >= 32768 and peak - b_rec >= 32768
    res.append((ok, "gpu-meminfo: the 32 MiB buffer went into the pools and GPUReclaim",
                f'pools {b_pools} -> {pools} pages, GPUReclaim {b_rec} -> {peak} kB'))
    nodes = num('peak', 'nodes_GPUReclaim')
    res.append((peak is not None and nodes == peak,
                "gpu-meminfo: the nodes' GPUReclaim add up to /proc/meminfo's at the peak",
                f'nodes {nodes} kB, /proc/meminfo {peak} kB'))
    after = num('after_drop_caches', 'GPUReclaim')
    res.append((after == 0, 'gpu-meminfo: GPUReclaim is 0 after drop_caches',
                f'{after} kB' if after is not None else 'missing'))
    return res


def judge(nodes, log, grc, secs):
    """The results of one boot: (ok, name, detail) each, and the lines of
    its shrinker readout."""
    text = open(log, errors='replace').read() if os.path.exists(log) else ''
    lines = text.splitlines()
    sections, cur = {}, None
    for l in lines:
        m = re.match(r'@@ begin (\S+)', l)
        if m:
            cur = m.group(1); sections[cur] = {'lines': [], 'rc': None}; continue
        m = re.match(r'@@ end (\S+) rc=(\d+)', l)
        if m and m.group(1) in sections:
            sections[m.group(1)]['rc'] = int(m.group(2)); cur = None; continue
        if cur:
            sections[cur]['lines'].append(l)
    results = []          # (ok, name, detail)
    if not text.strip():
        results.append((False, 'guest console log',
                        f'{log} is {"empty" if os.path.exists(log) else "missing"}: the guest did not boot (rc {grc})'))
    guest = next((l for l in lines if l.startswith('@@ guest:')), None)
    done = '@@ guest done' in text
    results.append((done, 'guest boots and finishes its workload',
                    f'{secs}s' + ('' if done else f' (no "@@ guest done"; qemu rc {grc}; see {log})')))
    sel = sections.get('10-dmabuf-heaps')
    if sel is None:
        results.append((False, 'dmabuf-heaps selftest', 'did not run'))
    else:
        for l in sel['lines']:
            m = re.match(r'(not ok|ok) \d+ (.*)', l)
            if m:
                skip = '# SKIP' in m.group(2)
                results.append((m.group(1) == 'ok' and not skip,
                                'dmabuf-heaps: ' + m.group(2).strip(), 'skipped' if skip else ''))
        # Every planned test passed: exit status 0, the plan "1..N", the Totals
        # line parsed field by field (pass:N, nothing failed, skipped or in
        # error, no expected or unexpected failure), and N "ok" lines.
        tl = [l for l in sel['lines'] if 'Totals:' in l]
        tot = totals(tl[-1]) if len(tl) == 1 else None
        plan = next((int(m.group(1)) for m in (re.fullmatch(r'1\.\.(\d+)', l.strip()) for l in sel['lines']) if m), None)
        nok = sum(1 for l in sel['lines'] if re.match(r'ok \d+ ', l) and '# SKIP' not in l)
        ok = sel['rc'] == 0 and tot is not None and plan is not None and plan > 0 and \
            tot['pass'] == plan == nok and all(tot[k] == 0 for k in TOTALS[1:])
        results.append((ok, 'dmabuf-heaps selftest exit status and totals',
                        f"rc={sel['rc']} plan={plan} ok={nok} " +
                        (' '.join(f'{k}:{v}' for k, v in tot.items()) if tot else
                         f'{len(tl)} Totals line(s)' + (f': {tl[-1].strip()}' if tl else ''))))
    # With two nodes the system heap honours a task's MPOL_BIND
    # (guest/src/heap-mempolicy.c): its plan "1..3", exit status 0 and
    # "ok 1" to "ok 3", each once.  One node: it skips, and is not judged.
    if nodes > 1:
        hm = sections.get('20-heap-mempolicy')
        if hm is None:
            results.append((False, 'heap-mempolicy', 'did not run'))
        else:
            oks = []
            for l in hm['lines']:
                m = re.match(r'(not ok|ok) (\d+)\b ?(.*)', l)
                if m:
                    skip = '# SKIP' in m.group(3)
                    if m.group(1) == 'ok' and not skip:
                        oks.append(int(m.group(2)))
                    results.append((m.group(1) == 'ok' and not skip,
                                    'heap-mempolicy: ' + m.group(3).strip(),
                                    'skipped' if skip else ''))
            plans = [l.strip() for l in hm['lines'] if re.match(r'1\.\.\d+', l.strip())]
            bail = next((l.strip() for l in hm['lines'] if l.startswith('Bail out!')), None)
            ok = hm['rc'] == 0 and plans == ['1..3'] and sorted(oks) == [1, 2, 3]
            results.append((ok, 'heap-mempolicy exit status and plan',
                            f"rc={hm['rc']} plan={' '.join(plans) or None} "
                            f"ok={','.join(map(str, sorted(oks))) or 'none'}" +
                            (f' ({bail})' if bail else '')))
    results += gpu_meminfo(sections.get('30-gpu-meminfo'))
    # A node counter that went below zero reads 0 in meminfo and vmstat; only
    # vm/stat_refresh's warning shows it
    bad = [l for l in lines if re.search(r'BUG: |Oops|KASAN|UBSAN|Kernel panic|WARNING: |'
                                         r'vmstat_refresh: \S+ -\d+', l)]
    results.append((not bad, 'guest console has no BUG/Oops/WARNING', bad[0] if bad else ''))
    shr = sections.get('90-shrinkers', {'lines': []})['lines']
    # The boot had the nodes it was meant to have.
    m = re.search(r'@@ nodes: (\d+)', text)
    results.append((m is not None and int(m.group(1)) == nodes, f'guest has {nodes} NUMA node(s)',
                    f'the guest reports {m.group(1)}' if m else 'the guest did not report its nodes'))
    if nodes > 1:
        results = [(ok, f'{nodes} nodes: {name}', detail) for ok, name, detail in results]
    return results, guest, shr


results, guest, shr = [], None, []
args = sys.argv[2:]
for i in range(0, len(args), 4):
    r, g, s = judge(int(args[i]), args[i + 1], int(args[i + 2]), args[i + 3])
    results += r
    if i == 0:
        guest, shr = g, s
log = args[1]
if check:
    for ok, name, detail in results:
        print(('PASS ' if ok else 'FAIL ') + 'run: ' + name + (f' ({detail})' if detail else ''))
    print('counts', sum(1 for r in results if r[0]), sum(1 for r in results if not r[0]))
    sys.exit(0)
print()
if guest:
    print(guest[3:].strip())
for ok, name, detail in results:
    print(f"  {'ok  ' if ok else 'FAIL'}  {name}" + (f'  [{detail}]' if detail else ''))
print('\nshrinkers in the guest after the workload (objects each holds):')
for l in shr:
    parts = l.split()
    if len(parts) == 3:
        print(f'  {parts[1]:<40} {parts[2]:>8}')
nfail = sum(1 for r in results if not r[0])
print(f'\nrun: {len(results) - nfail} passed, {nfail} failed (console: {log})')
sys.exit(1 if nfail else 0)
PY
