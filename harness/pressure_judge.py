#!/usr/bin/env python3
"""pressure_judge.py SET LOG: PASS/FAIL lines for check.sh from a pressure console log.

SET heap: bad input gets the base kernel's errno (harness/baseline/heap-errno)
and leaks no fd; a 1 TiB length fails with ENOMEM within a second; the churn
(half of RAM held, 4 x RAM in all) has no failed allocation; exhaustion by
8 MiB buffers held open (23-exhaust.sh, issue 19 item 6: each request below
RAM) ends in ENOMEM, with no OOM kill (a sentinel process started before is
still alive) and MemAvailable back within 10% once they are closed; the
pools hold pages before drop_caches and are empty after it, and so are the
deferred-free lists; no OOM kill at all outside 23-exhaust (whose kills its
own check judges).  Busy CPUs (24-busy.sh, issue 19):
with one hog per CPU, the 8-64 MiB allocate-and-close loop has no failed
allocation; the deferred-free backlog has a cap (cap_pages > 0) and its
high-water mark since boot (max_queued_pages) never exceeded it; beside the
hogs, an anonymous allocation of RAM - cap - 10% succeeds, every page
written; no OOM kill during the case.  The loop's MiB/s and lowest
MemAvailable are reported, without a base to compare them with.
Zeroing (25-zero.sh, issue 19 item 5, R17 end to end): the guest's zero check
detects an unzeroed buffer and one byte planted at its end (self-test);
buffers of 4 KiB, 64 KiB, 1, 8 and 32 MiB and 1 MiB + 68 KiB, each written
with a secret and closed, come back all zero, round after round (a failure
names the size, round, offset and value); a pool served a reallocation of
every size, after drop_caches emptied the pools (so from blocks that held
the secrets), and the deferred-free kthread freed some.
Freeze (26-freeze.sh, issue 19 item 5): with hogs on every CPU and the
deferred-free backlog filled, the freezer test of suspend to idle succeeds
with no task refusing to freeze; items were queued before it; the backlog
drains once the hogs stop; a new 8 MiB buffer is allocated, all zero.  A
guest without /sys/power/pm_test or suspend to idle reports the case
skipped: SKIP lines, not counted.
Memory cgroups (27-memcg.sh, issue 14 item 2), in the heap set's default
boot, where dma_heap.mem_accounting is off (or absent: the base kernel): a
process in a cgroup of memory.max 64 MiB allocates all of 128 MiB of 1 MiB
buffers, and the cgroup's memory.current does not count them (less than
16 MiB above where it started), as on the base kernel.
SET fill: 1 MiB buffers until the heap says no end in ENOMEM, not the OOM
killer, and MemAvailable comes back (make pressure only).
SET memcg: the same case booted with dma_heap.mem_accounting=1 (pressure.sh
memcg): the parameter reads Y; the heap refuses a buffer with ENOMEM after
58 to 64 MiB (the cgroup also pays for the process's own pages, the
dma-buf files and the per-CPU charge stocks, up to a few MiB, and 1 MiB
does not fit in what is left); memory.current at the peak is at least
the buffers' size; it is back within 4 MiB of where it started at once after they
are closed, before any deferred freeing; no OOM kill inside the cgroup or
outside, the sentinel outside is alive; the fill workload run in a cgroup
of 64 MiB ends in ENOMEM after at most 64 MiB with no OOM kill.
SET vgem: vgem-evict passes (every buffer reads back its pattern, busy
buffers untouched) with no OOM kill; vgem-mappings passes: every kind of
user mapping of a vgem object (DRM fd, dma-buf with its handle kept, dma-buf
whose handle is closed (A and B), inherited across fork, re-import) reads
back its patterns after drop_caches and swap, and was zapped by the
eviction.
SET ttmswap: the built-in KUnit suite ttm_bo_shrink_swap passes at boot,
without swap, on its refusal path, and again through KUnit's debugfs
with zram swap on, on its swap path (pressure.sh ttmswap).

Only the patched kernel is judged (check.sh).  The base kernel, the control
of make pressure, evicts no vgem object: there vgem-evict runs out of memory
and vgem-mappings reports no mapping zapped, and both checks fail.

pressure_judge.py heap-vs-base BASE_LOG PATCHED_LOG (make pressure, which
boots both): the busy case's comparisons with the base kernel: the loop's
lowest MemAvailable is not below the base's by more than the cap, and its
MiB/s is at least the base's.

Expected failures: harness/pressure-expected-failures (PRESSURE_XFAIL=FILE
overrides it) lists checks known to fail until a named fix lands, one
"XFAIL SET ID: REASON" a line, ID being the id the judge gives the check
(only some checks have one).  Such a check that fails prints "XFAIL ..."
with the reason and counts as passed; one that passes prints "XPASS ..."
(a note: the entry may go) and counts as passed too.  A check whose result
line is missing fails whatever the file says: an expected failure still
needs the guest to report it.  An entry naming no check of its set, or a
line not of that form, fails.

A missing or empty console log (the guest never booted: pressure.sh deletes
the log before each boot) is one FAIL; so is an unknown SET.  The last line
is always "counts P F" (P counts PASS, XFAIL and XPASS lines, F the FAIL
lines; SKIP lines count in neither)."""
import os
import re
import sys

H = os.path.dirname(os.path.abspath(__file__))


def kv(line, start):
    f = line[len(start):].split()
    return {f[i]: f[i + 1] for i in range(0, len(f) - 1, 2)}


def busy_lines(lines):
    """The busy case's lines, "busy KEY ..." and "anon bytes ...", by their
    first key ("anon" for the anonymous allocation's result).  The first of
    each wins: a log holds one run of the case."""
    out = {}
    for l in lines:
        f = l.split()
        if l.startswith('busy ') and len(f) > 2:
            out.setdefault(f[1], kv(l, 'busy '))
        elif l.startswith('anon bytes '):
            out.setdefault('anon', kv(l, 'anon '))
    return out


def section_range(lines, name):
    """(first, last) indices of the lines of section NAME, begin and end
    lines included (to the end of the log if it never ended); None if it
    never began."""
    try:
        i = lines.index(f'@@ begin {name}')
    except ValueError:
        return None
    j = next((k for k in range(i + 1, len(lines)) if lines[k].startswith(f'@@ end {name} ')), len(lines) - 1)
    return i, j


def section(lines, name):
    """The lines between "@@ begin NAME" and its "@@ end NAME" (to the end
    of the log if the guest died inside it); None if it never began."""
    try:
        i = lines.index(f'@@ begin {name}')
    except ValueError:
        return None
    out = []
    for l in lines[i + 1:]:
        if l.startswith(f'@@ end {name} '):
            break
        out.append(l)
    return out


def as_int(d, k):
    try:
        return int(d[k])
    except (KeyError, TypeError, ValueError):
        return None


def as_float(d, k):
    try:
        return float(d[k])
    except (KeyError, TypeError, ValueError):
        return None


def busy_checks(lines, check):
    """The busy case (24-busy.sh) on the kernel under test."""
    b = busy_lines(lines)
    sec = section(lines, '24-busy')
    g = re.search(r'^@@ guest: .*, (\d+) CPUs,', '\n'.join(lines), re.M)
    cpus = int(g.group(1)) if g else None
    h, o = b.get('hogs') or {}, b.get('oom_kill_before') or {}
    hogs, alive = as_int(h, 'hogs'), as_int(o, 'hogs_alive_after_anon')
    ok = cpus is not None and hogs == cpus and alive == hogs
    check(ok, 'busy CPUs: one hog per CPU, all still running after the anonymous allocation',
          f'{cpus} CPUs, hogs {hogs}, alive after it {alive}')
    r = b.get('rounds')
    rounds, failed = as_int(r, 'rounds'), as_int(r, 'failed')
    ok = rounds is not None and rounds > 0 and failed == 0 and b.get('ram_mib') is not None
    check(ok, 'busy CPUs: no failed allocation in the 8-64 MiB allocate-and-close loop',
          ('no busy result' if r is None else
           f"failed {r.get('failed')} (errno {r.get('errno')} {r.get('name')}), " + busy_figures(b)) +
          '; MemAvailable and MiB/s are compared with the base by make pressure only')
    st = b.get('stats')
    cap, hw = as_int(st, 'cap_pages'), as_int(st, 'max_queued_pages')
    ok = st is not None and st.get('stats') == 'present' and cap is not None and cap > 0 and \
        hw is not None and hw <= cap
    check(ok, 'busy CPUs: the deferred-free backlog has a cap and its high-water mark never exceeded it',
          'no stats line' if st is None else
          f"stats {st.get('stats')}, cap_pages {st.get('cap_pages')}, max_queued_pages "
          f"{st.get('max_queued_pages')}, seen by the loop {(b.get('ram_mib') or {}).get('max_queued_pages_seen')}")
    a, k = b.get('anon'), b.get('ram_kb')
    ram_kb, cap_kb, anon_kb = as_int(k, 'ram_kb'), as_int(k, 'cap_kb'), as_int(k, 'anon_kb')
    want = None if ram_kb is None or cap_kb is None else ram_kb - cap_kb - ram_kb // 10
    # The script sizes it with cap 0 when it finds no cap: 90% of RAM.
    sized = want is not None and anon_kb == want and cap_kb == (cap or 0) * 4
    byts, touched = as_int(a, 'bytes'), as_int(a, 'touched_mib')
    ok = sized and byts == anon_kb * 1024 and as_int(a, 'errno') == 0 and \
        touched == byts // (1024 * 1024) and as_int(a, 'oom_kill') == 0
    check(ok, 'busy CPUs: beside the hogs, an anonymous allocation of RAM - cap - 10% succeeds',
          ('no anon result' if a is None else ' '.join(f'{x}={y}' for x, y in a.items())) +
          ('' if sized else f'; size not RAM - cap - 10%: ram_kb {ram_kb} cap_kb {cap_kb} anon_kb {anon_kb}'))
    killed = [l for l in (sec or []) if 'Out of memory' in l or 'Killed process' in l]
    o0, o1 = as_int(o, 'oom_kill_before'), as_int(o, 'oom_kill_after')
    ok = sec is not None and not killed and o0 is not None and o1 == o0 and \
        as_int(r, 'oom_kill') == 0
    check(ok, 'busy CPUs: no OOM kill during the case',
          'the case did not run' if sec is None else killed[0] if killed else
          f'oom_kill before {o0} after {o1}, in the loop {(r or {}).get("oom_kill")}')


def busy_figures(b):
    """rounds, MiB/s, the lowest MemAvailable and the sampling, for a detail."""
    r, m = b.get('rounds') or {}, b.get('ram_mib') or {}
    return (f"rounds {r.get('rounds', '?')}, {r.get('mib_per_s', '?')} MiB/s, "
            f"min MemAvailable {m.get('min_avail_kb', '?')} kB of {m.get('avail_start_kb', '?')} kB "
            f"at the start ({m.get('samples', '?')} samples, max gap {m.get('max_gap_ms', '?')} ms)")


def vs_base(base_log, patched_log):
    """heap-vs-base: the busy case's two comparisons with the base kernel."""
    res = []
    logs = {}
    for what, log in (('base', base_log), ('patched', patched_log)):
        text = open(log, errors='replace').read() if os.path.exists(log) else ''
        if not text.strip():
            print(f'FAIL pressure (heap vs base): no {what} console log ({log})')
            print('counts 0 1')
            return
        logs[what] = busy_lines(text.splitlines())
    b, p = logs['base'], logs['patched']
    ba, pa = as_int(b.get('ram_mib'), 'min_avail_kb'), as_int(p.get('ram_mib'), 'min_avail_kb')
    # No cap line (or none yet) on the patched kernel: no allowance at all.
    cap_kb = as_int(p.get('ram_kb'), 'cap_kb') or 0
    ok = ba is not None and pa is not None and pa >= ba - cap_kb
    res.append((ok, 'busy CPUs: the lowest MemAvailable is not below the base\'s by more than the cap',
                f'patched {pa} kB, base {ba} kB, cap {cap_kb} kB' +
                (f', difference {pa - ba:+d} kB' if ba is not None and pa is not None else '')))
    bt, pt = as_float(b.get('rounds'), 'mib_per_s'), as_float(p.get('rounds'), 'mib_per_s')
    ok = bt is not None and pt is not None and bt > 0 and pt >= bt
    res.append((ok, 'busy CPUs: the loop\'s throughput is at least the base\'s',
                f'patched {pt} MiB/s, base {bt} MiB/s' +
                (f', ratio {pt / bt:.3f}' if bt and pt is not None else '')))
    for ok, name, detail in res:
        print(('PASS ' if ok else 'FAIL ') + 'pressure (heap vs base): ' + name + (f' ({detail})' if detail else ''))
    print('counts', sum(1 for r in res if r[0]), sum(1 for r in res if not r[0]))


XFAIL_FILE = os.path.join(H, 'pressure-expected-failures')


def load_xfail(kind):
    """{ID: REASON} of SET kind's entries, and the errors of the file."""
    path = os.environ.get('PRESSURE_XFAIL') or XFAIL_FILE
    out, errs = {}, []
    if not os.path.exists(path):
        return out, errs
    for n, l in enumerate(open(path), 1):
        l = l.strip()
        if not l or l.startswith('#'):
            continue
        m = re.match(r'^XFAIL (\S+) ([\w.-]+): (\S.*)$', l)
        if not m:
            errs.append(f'{os.path.basename(path)}:{n}: not "XFAIL SET ID: REASON": {l[:80]}')
        elif m.group(1) == kind:
            out[m.group(2)] = m.group(3)
    return out, errs


def exhaust_checks(lines, check):
    """Exhaustion by requests below RAM (23-exhaust.sh), issue 19 item 6."""
    sec = section(lines, '23-exhaust')
    res = next((kv(l, 'exhaust result ') for l in sec or [] if l.startswith('exhaust result ')), None)
    setup = next((kv(l, 'exhaust ') for l in sec or [] if l.startswith('exhaust sentinel_pid ')), None)
    held = next((kv(l, 'exhaust ') for l in sec or [] if l.startswith('exhaust held_mib ')), None)
    start = next((kv(l, 'exhaust start ') for l in sec or [] if l.startswith('exhaust start ')), None)
    killed = [l for l in sec or [] if 'Out of memory' in l or 'Killed process' in l]
    # No result line, or a sentinel that never held its memory: the case
    # did not run as designed, which no expected failure covers.
    why = 'the case did not run' if sec is None else 'no "exhaust result" line' if res is None else \
        'no sentinel line' if setup is None else \
        f"the sentinel held {setup.get('sentinel_rss_kb')} kB, not 8 MiB" \
        if (as_int(setup, 'sentinel_rss_kb') or 0) < 8192 else None
    ram = as_int(start, 'ram_mib')
    hm, err = as_int(held, 'held_mib'), as_int(held, 'errno')
    ok = why is None and err == 12 and ram is not None and hm is not None and 2 * hm >= ram
    check(ok, 'exhaustion by 8 MiB buffers held open (each below RAM): the heap refuses one with ENOMEM, '
          'after at least half of RAM', why or (
              f"the allocator got no refusal (killed? rc {res.get('rc')})" if held is None else
              f"held {held.get('held_mib')} MiB of {ram} in {held.get('buffers')} buffers, then errno "
              f"{held.get('errno')} {held.get('name')} after {held.get('ms_to_refusal')} ms"),
          cid='exhaust-enomem', missing=why is not None)
    o0, o1 = as_int(res, 'oom_kill_before'), as_int(res, 'oom_kill_after')
    alive = as_int(res, 'sentinel_alive')
    ok = why is None and o0 is not None and o1 == o0 and alive == 1 and not killed
    check(ok, 'exhaustion: no OOM kill, the sentinel started before it is still alive',
          why or (f"oom_kill before {o0} after {o1}, sentinel alive {alive}" +
                  (f'; {killed[0]}' if killed else '')),
          cid='exhaust-no-oom', missing=why is not None)
    pct = as_int(res, 'pct')
    ok = why is None and pct is not None and pct >= 90
    check(ok, 'exhaustion: after closing every buffer, MemAvailable is back within 10%',
          why or f"before {res.get('avail_before_kb')} kB, after {res.get('avail_after_kb')} kB "
          f"({pct}%) after {res.get('waited_ms')} ms",
          cid='exhaust-avail', missing=why is not None)
    # The OOM kills of this case, which the whole run's check leaves to it:
    # its lines and its count, once it reported them
    if res is None or o0 is None or o1 is None or o1 < o0:
        return None, 0
    return section_range(lines, '23-exhaust'), o1 - o0


ZERO_SIZES = (4096, 64 << 10, 1 << 20, 8 << 20, 32 << 20, (1 << 20) + (68 << 10))


def size_name(n):
    if n % (1 << 20) == 0:
        return f'{n >> 20} MiB'
    return f'{n >> 10} KiB'


def zero_checks(lines, check):
    """R17 end to end (25-zero.sh), issue 19 item 5."""
    sec = section(lines, '25-zero') or []
    st = {}
    for l in sec:
        if l.startswith('zero selftest kind '):
            st[l.split()[3]] = kv(l, 'zero selftest ')
    u, b = st.get('unzeroed'), st.get('last_byte')
    w = as_int(u, 'words')
    ok = u is not None and b is not None and w is not None and w > 0 and \
        as_int(u, 'bad_words') == w and as_int(u, 'first_bad_offset') == 0 and \
        as_int(b, 'bad_words') == 1 and as_int(b, 'first_bad_offset') == 8 * w - 8 and \
        u.get('detected') == '1' and b.get('detected') == '1'
    check(ok, 'zeroing: the check detects an unzeroed buffer and one byte left at its end (self-test)',
          'no self-test result' if u is None or b is None else
          f"unzeroed: {u.get('bad_words')} of {u.get('words')} words bad; last byte: "
          f"{b.get('bad_words')} bad at offset {b.get('first_bad_offset')}",
          missing=u is None or b is None)
    per = {}
    for l in sec:
        if l.startswith('zero len '):
            d = kv(l, 'zero ')
            n = as_int(d, 'len')
            if n is not None:
                per.setdefault(n, d)
    summ = next((kv(l, 'zero ') for l in sec if l.startswith('zero rounds ')), None)
    lim = next((kv(l, 'zero ') for l in sec if l.startswith('zero pool_limit_pages ')), None)
    for n in ZERO_SIZES:
        d = per.get(n)
        ok = d is not None and as_int(d, 'bad_words') == 0 and as_int(d, 'errors') == 0 and \
            (as_int(d, 'allocs') or 0) >= 3
        check(ok, f'zeroing: {size_name(n)} buffers written with a secret and closed come back all zero',
              'no result' if d is None else
              f"{d.get('bad_words')} non-zero words in {d.get('allocs')} allocations, the first in round "
              f"{d.get('first_bad_round')} at offset {d.get('first_bad_offset')}: {d.get('first_bad_value')}"
              if as_int(d, 'bad_words') != 0 else
              f"allocations {d.get('allocs')}, failed {d.get('errors')} (errno {d.get('errno')}), "
              f"pool hits {d.get('pool_hit_allocs')}",
              missing=d is None)
    hits = {n: as_int(per.get(n), 'pool_hit_allocs') for n in ZERO_SIZES}
    freed = as_int(summ, 'kthread_freed_items')
    ok = summ is not None and summ.get('pools') == 'present' and \
        all(h is not None and h > 0 for h in hits.values()) and freed is not None and freed > 0
    check(ok, 'zeroing: a pool served a reallocation of every size, from blocks that held the secrets '
          '(pools emptied first), and the deferred-free kthread freed buffers',
          'no summary line' if summ is None else
          f"pools {summ.get('pools')}, rounds {summ.get('rounds')}, reallocations served by a pool: " +
          ', '.join(f'{size_name(n)} {per.get(n, {}).get("pool_hit_allocs", "none")}' for n in ZERO_SIZES) +
          f", kthread freed {summ.get('kthread_freed_items')} buffers" +
          (f", heap pool limit {lim.get('pool_limit_pages')} raised to {lim.get('raised_to')} pages"
           if lim else ''),
          missing=summ is None)


def freeze_checks(lines, check, skip):
    """Freeze with deferred-free items queued (26-freeze.sh), issue 19 item 5."""
    names = ('freeze: the freezer test of suspend to idle succeeds with the backlog queued, '
             'no task refused to freeze',
             'freeze: items were queued before the freezer test (hogs on every CPU)',
             'freeze: the backlog drains within 30 s once the hogs stop',
             'freeze: afterwards a new 8 MiB buffer is allocated, all zero')
    sec = section(lines, '26-freeze')
    sk = next((l[len('freeze skip reason '):] for l in sec or [] if l.startswith('freeze skip reason ')), None)
    if sk is not None:
        for n in names:
            skip(n, sk)
        return
    sec = sec or []

    def get(prefix):
        return next((kv(l, prefix) for l in sec if l.startswith(prefix)), None)
    t, before, thaw = get('freeze test '), get('freeze before '), get('freeze after_thaw ')
    drained, drain, alloc = get('freeze drained '), get('freeze drain '), get('freeze alloc ')
    refused = [l for l in sec if re.search(r'Freezing .* (failed|aborted)|refusing to freeze', l)]
    ok = t is not None and as_int(t, 'rc') == 0 and as_int(t, 'refused_lines') == 0 and \
        (as_int(t, 'kthreads_frozen') or 0) >= 1 and not refused
    check(ok, names[0], 'no "freeze test" line' if t is None else
          f"rc {t.get('rc')} in {t.get('ms')} ms, refused lines {t.get('refused_lines')}, kernel threads "
          f"frozen {t.get('kthreads_frozen')}" + (f'; {refused[0]}' if refused else '') +
          ('' if thaw is None else f"; still queued at the thaw: {thaw.get('queued_items', 'absent')} items"),
          missing=t is None)
    q = as_int(before, 'queued_items')
    check(q is not None and q > 0, names[1], 'no "freeze before" line' if before is None else
          'no deferred-free stats' if q is None else
          f"{q} items, {before.get('queued_pages')} pages queued", missing=before is None)
    q = as_int(drained, 'queued_items')
    check(q == 0, names[2], 'no "freeze drained" line' if drained is None else
          f"queued_items {drained.get('queued_items', 'absent')} after "
          f"{(drain or {}).get('waited_ms', '?')} ms", missing=drained is None)
    ok = alloc is not None and as_int(alloc, 'errno') == 0 and as_int(alloc, 'bad_words') == 0
    check(ok, names[3], 'no "freeze alloc" line' if alloc is None else
          f"errno {alloc.get('errno')} {alloc.get('name')}, non-zero words {alloc.get('bad_words')}",
          missing=alloc is None)


def memcg_checks(lines, check, on):
    """27-memcg.sh: with accounting ON (the memcg set), the buffers are
    charged and the cgroup's limit refuses them; with it off (the heap set),
    nothing is charged, as on the base kernel."""
    def get(prefix, start=None):
        """The first line starting with PREFIX, as a dict of its pairs
        after START (PREFIX if not given)"""
        return next((kv(l, start or prefix) for l in lines if l.startswith(prefix)), None)

    def n(d, k):
        return as_int(d or {}, k)

    setup, m = get('memcg setup '), get('memcg held_mib ', 'memcg ')
    ev, res = get('memcg events '), get('memcg result ')
    acct = (setup or {}).get('accounting')
    held, err = n(m, 'held_mib'), n(m, 'errno')
    before, peak, closed = n(m, 'current_before_kb'), n(m, 'current_peak_kb'), n(m, 'current_closed_kb')
    # The program ran in the cgroup of memory.max 64 MiB: the limit reads
    # 64 MiB, and the cgroup held the program's own pages (more than 0,
    # less than 16 MiB) before any buffer; a reading the program could not
    # take prints as ULONG_MAX / 1024, beyond every bound here
    maxkb = n(m, 'max_kb')
    joined = maxkb == 65536 and before is not None and 0 < before < 16 * 1024
    jdet = f'max_kb {maxkb}, current_before_kb {before}'
    mdet = 'no result' if m is None else ' '.join(f'{k}={v}' for k, v in m.items())
    ooms = [n(ev, 'oom'), n(ev, 'oom_kill')]
    ob, oa = n(res, 'oom_kill_before'), n(res, 'oom_kill_after')
    glob = None if None in (ob, oa) else oa - ob
    alive = n(res, 'sentinel_alive')
    odet = (f'cgroup oom {ooms[0]} oom_kill {ooms[1]}, system oom_kill +{glob}, '
            f'sentinel alive {alive}')
    check(joined, 'memcg: the program ran in the cgroup of memory.max 64 MiB', jdet)
    if not on:
        ok = m is not None and err == 0 and held == 128 and None not in (before, peak) and \
            before <= peak < before + 16 * 1024
        check(ok, 'memcg, accounting off (the default boot): 128 MiB of buffers in a cgroup of '
              'memory.max 64 MiB, memory.current does not count them (as on the base kernel)',
              f'accounting {acct}; {mdet}')
        check(glob == 0 and alive == 1, 'memcg, accounting off: no OOM kill, the sentinel is alive', odet)
        return
    check(acct == 'Y', 'memcg: booted with dma_heap.mem_accounting=1, the parameter reads Y',
          f'accounting {acct}')
    ok = m is not None and err == 12 and held is not None and 58 <= held <= 64
    check(ok, 'memcg: in a cgroup of memory.max 64 MiB, 1 MiB buffers until the heap refuses one: '
          'ENOMEM after 58 to 64 MiB', mdet)
    # The buffers alone: reclaim in the cgroup may have swapped out what the
    # process held before, never a buffer
    ok = None not in (held, peak) and held > 0 and held * 1024 <= peak <= 65536 + 1024
    check(ok, 'memcg: memory.current at the peak counts the buffers', mdet)
    ok = None not in (closed, before, peak) and joined and closed <= before + 4096
    check(ok, 'memcg: memory.current is back at once when the buffers are closed (within 4 MiB)',
          mdet)
    ok = ooms == [0, 0] and glob == 0 and alive == 1
    check(ok, 'memcg: no OOM kill, inside the cgroup or outside; the sentinel outside is alive', odet)
    f, fe = get('memcg fill ram_mib ', 'memcg fill '), get('memcg fill_events ')
    ok = f is not None and n(f, 'errno') == 12 and (n(f, 'got_mib') or 99) <= 64 and \
        n(f, 'oom_kill') == 0 and n(fe, 'oom') == 0 and n(fe, 'oom_kill') == 0
    check(ok, 'memcg: the fill workload in a cgroup of 64 MiB ends in ENOMEM, no OOM kill',
          'no result' if f is None else ' '.join(f'{k}={v}' for k, v in {**f, **(fe or {})}.items()))


TTMSWAP_CASE = 'ttm_bo_shrink_swap_backup'


def ttmswap_checks(lines, check):
    """TTM backup to real swap (ttmswap/28-kunit-swap.sh, issue 16 item 4).

    The built-in suite ttm_bo_shrink_swap ran at boot without swap (its case
    checks that nothing is backed up and nothing changes) and again through
    KUnit's debugfs with zram swap on (backup, writeback, memory pressure,
    restore, Shmem and swap back where they started): each run's KTAP
    results, as the guest printed them, must have the case pass, on the
    path the run's swap allowed.
    """
    runs = {}
    for l in lines:
        for run in ('boot', 'swap'):
            pre = f'ttmswap {run}: '
            if l.startswith(pre):
                runs.setdefault(run, []).append(l[len(pre):].strip())
    err = next((l for l in lines if l.startswith('ttmswap error')), None)
    sk = next((kv(l, 'ttmswap ') for l in lines if l.startswith('ttmswap swap_kb ')), None)
    paths = {'boot': ('no swap: refusals', 'without swap (at boot): nothing backed up, nothing changed'),
             'swap': ('swap: ', 'with zram swap (through debugfs): backup, writeback and memory pressure '
                      'reach swap, every object restores, Shmem and swap come back')}
    ran_ok = {}
    for run, (marker, what) in paths.items():
        r = runs.get(run, [])
        ok_line = f'ok 1 {TTMSWAP_CASE}'
        notes = [l.split(f'# {TTMSWAP_CASE}: ', 1)[1] for l in r if f'# {TTMSWAP_CASE}: ' in l]
        passed = ok_line in r and not any(l.startswith('not ok') for l in r)
        on_path = any(n.startswith(marker) for n in notes)
        fails = [l for l in r if 'EXPECTATION FAILED' in l or l.startswith('Expected ')]
        if not r:
            detail = err or f'no "ttmswap {run}:" results'
        elif not passed:
            detail = '; '.join(fails[:3]) or next((l for l in r if l.startswith('not ok') or
                                                   ' # SKIP' in l), 'no "ok 1" line')
        elif not on_path:
            detail = f'the case passed, but not on the path of this run (no "{marker}" line): ' + \
                '; '.join(notes)[:300]
        else:
            detail = '; '.join(notes)[:600]
        if run == 'swap' and sk is not None:
            detail += f"; zram SwapTotal {sk.get('swap_kb')} kB, free {sk.get('free_kb')} kB"
        check(bool(r) and passed and on_path, f'ttm swap: {what}', detail, missing=not r)
        ran_ok[run] = bool(r) and passed
    # Issue 16's performance item: a 64 MiB shrink through the mock
    # shrinker, beside copy_page() into fresh pages in the same boot
    # (reported; the bar is that the whole 64 MiB was shrunk)
    notes = [l.split(f'# {TTMSWAP_CASE}: ', 1)[1] for l in runs.get('swap', []) if f'# {TTMSWAP_CASE}: ' in l]
    tp = next((n for n in notes if n.startswith('throughput: ')), None)
    m = re.match(r'throughput: (\d+) MiB shrunk in (\d+) ns, (\d+) MiB/s; copy_page\(\) (\d+) ns, (\d+) MiB/s; '
                 r'freed (\d+) pages', tp or '')
    # A failed case's figures may cover fewer pages than they claim
    ok = bool(m) and int(m[1]) == 64 and int(m[6]) * 4096 == 64 << 20 and int(m[2]) > 0 and \
        int(m[4]) > 0 and ran_ok.get('swap', False)
    if m:
        detail = ('' if ran_ok.get('swap') else 'the case did not pass: ') + \
            (f'{m[1]} MiB in {int(m[2]) / 1e6:.1f} ms: {m[3]} MiB/s; copy_page() into fresh pages '
             f'{int(m[4]) / 1e6:.1f} ms: {m[5]} MiB/s; shrink / copy_page() {int(m[4]) / int(m[2]):.3f}; '
             f'freed {m[6]} pages')
    else:
        detail = f'no well-formed "throughput:" line in the swap run: {tp}' if tp else \
            'no "throughput:" line in the swap run'
    check(ok, 'ttm swap: a 64 MiB shrink through the mock shrinker frees all 64 MiB; its throughput '
          'beside copy_page()', detail, missing=not runs.get('swap'))


def main():
    if len(sys.argv) == 4 and sys.argv[1] == 'heap-vs-base':
        vs_base(sys.argv[2], sys.argv[3])
        return
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    kind, log = sys.argv[1], sys.argv[2]
    if kind not in ('heap', 'fill', 'vgem', 'memcg', 'ttmswap'):
        print(f'FAIL pressure ({kind}): unknown workload set (heap, fill, vgem, memcg or ttmswap)')
        print('counts 0 1')
        return
    text = open(log, errors='replace').read() if os.path.exists(log) else ''
    if not text.strip():
        print(f'FAIL pressure ({kind}): no console log: the guest did not boot '
              f'({log} is {"empty" if os.path.exists(log) else "missing"})')
        print('counts 0 1')
        return
    lines = text.splitlines()
    res = []
    xfail, xerrs = load_xfail(kind)
    ids = set()

    def check(ok, name, detail='', cid=None, missing=False):
        """One check; CID is its id for harness/pressure-expected-failures.
        MISSING: its result line is absent, a FAIL whatever the file says."""
        st = 'PASS' if ok else 'FAIL'
        if cid is not None:
            ids.add(cid)
            if cid in xfail and not missing:
                st = 'XPASS' if ok else 'XFAIL'
                detail = (detail + '; ' if detail else '') + (
                    f'expected to fail until {xfail[cid]}: passed, remove the entry if it keeps passing'
                    if ok else f'expected failure until {xfail[cid]}')
        res.append((st, f'pressure ({kind}): {name}', detail))

    def skip(name, reason):
        res.append(('SKIP', f'pressure ({kind}): {name}', reason))

    def first(prefix):
        return next((kv(l, prefix) for l in lines if l.startswith(prefix)), None)

    def num(d, k):
        try:
            return int(d[k])
        except (KeyError, ValueError):
            return None

    check('@@ guest done' in text, 'the 256 MiB zram guest finishes', '' if '@@ guest done' in text else f'console: {log}')
    if kind == 'heap':
        want = {}
        for l in open(os.path.join(H, 'baseline', 'heap-errno')):
            if l.strip() and not l.startswith('#'):
                c, e = l.split()
                want[c] = int(e)
        check(bool(want), 'harness/baseline/heap-errno lists the bad inputs', 'it lists none')
        got = {}
        for l in lines:
            if l.startswith('errno case '):
                name = l.split()[2]
                got[name] = kv(l, f'errno case {name} ')
        for c, e in want.items():
            d = got.get(c)
            ok = d is not None and int(d['errno']) == e and int(d['fds_leaked']) == 0
            check(ok, f'bad input {c}: errno {e} as on the base, no fd leaked',
                  'no result' if d is None else f"errno {d['errno']}, fds_leaked {d['fds_leaked']}")
        d = got.get('len_1TiB')
        ok = d is not None and int(d['errno']) == 12 and int(d['ms']) < 1000
        check(ok, 'a 1 TiB length fails with ENOMEM within a second',
              'no result' if d is None else f"errno {d['errno']} after {d['ms']} ms")
        d = first('churn ')
        ok = d is not None and int(d['failed']) == 0 and int(d['oom_kill']) == 0 and \
            int(d['allocated_mib']) >= 4 * int(d['ram_mib'])
        check(ok, 'churn of 4 x RAM holding half of it: no failed allocation, no OOM kill',
              'no result' if d is None else ' '.join(f'{k}={v}' for k, v in d.items()))
        exhaust_oom = exhaust_checks(lines, check)
        d = next((kv(l, 'pools ') for l in lines if l.startswith('pools before_drop_caches_pages ')), None)
        n = num(d, 'before_drop_caches_pages') if d is not None else None
        check(n is not None and n > 0, 'before drop_caches the page pools hold pages (else their emptying proves nothing)',
              'no result' if n is None else f'{n} pages')
        d = next((kv(l, 'pools ') for l in lines if l.startswith('pools after_drop_caches_pages ')), None)
        n = num(d, 'after_drop_caches_pages') if d is not None else None
        check(n == 0, 'after drop_caches the page pools are empty',
              'no result' if n is None else f'{n} pages')
        dl = [l for l in lines if re.match(r'deferred \S+ queued_(items|pages): \d+', l)]
        pend = [l for l in dl if re.search(r'queued_(items|pages): [1-9]', l)]
        check(bool(dl) and not pend, 'after drop_caches the deferred-free lists are empty',
              'no deferred-free stats' if not dl else '; '.join(pend[:2]))
        busy_checks(lines, check)
        zero_checks(lines, check)
        freeze_checks(lines, check, skip)
        memcg_checks(lines, check, False)
    elif kind == 'memcg':
        memcg_checks(lines, check, True)
    elif kind == 'ttmswap':
        ttmswap_checks(lines, check)
    elif kind == 'fill':
        fl = [kv(l, 'fill ') for l in lines if l.startswith('fill ')]
        d1 = next((x for x in fl if 'got_mib' in x), None)
        d2 = next((x for x in fl if 'pct' in x), None)
        ok = d1 is not None and int(d1['errno']) == 12 and int(d1['oom_kill']) == 0 and \
            int(d1['ms_to_fail']) < 10000
        check(ok, '1 MiB buffers past RAM: ENOMEM within 10 s, no OOM kill',
              'no result' if d1 is None else ' '.join(f'{k}={v}' for k, v in d1.items()))
        ok = d2 is not None and int(d2['pct']) >= 95
        check(ok, 'after freeing them, MemAvailable is back within 5%',
              'no result' if d2 is None else ' '.join(f'{k}={v}' for k, v in d2.items()))
    else:
        ok = any(l.strip() == 'vgem result pass' for l in lines)
        c = next((kv(l, 'vgem ') for l in lines if l.startswith('vgem ram_mib')), {})
        b = next((kv(l, 'vgem ') for l in lines if l.startswith('vgem busy')), {})
        v = next((kv(l, 'vgem ') for l in lines if l.startswith('vgem verified_mib')), {})
        ok = ok and c.get('created_mib') == c.get('buffers_mib') and int(b.get('extra_mib', 0)) > 0 and \
            int(v.get('verified_mib', 0)) == int(c.get('created_mib', -1)) + int(b.get('extra_mib', 0))
        check(ok, 'vgem: 1.5 x RAM of mmapped buffers read back their patterns, busy ones untouched',
              '; '.join(l for l in lines if l.startswith('vgem ')) [:400])
        # vgem-mappings: one line a mapping; every one must have been zapped.
        zap = ('drm-fd', 'dmabuf-kept', 'dmabuf-closed-A', 'dmabuf-closed-B', 'fork',
               'reimport')
        kinds = {}
        for l in lines:
            f = l.split()
            if l.startswith('vgem-maps kind ') and len(f) > 2:
                kinds[f[2]] = kv(l, f'vgem-maps kind {f[2]} ')
        why = []
        res_l = [l.strip() for l in lines if l.startswith('vgem-maps result ')]
        if res_l != ['vgem-maps result pass']:
            why.append(res_l[-1] if res_l else 'no vgem-maps result line')
        for k in zap:
            d = kinds.get(k)
            if d is None:
                why.append(f'no line for {k}')
                continue
            if num(d, 'bad_words') != 0:
                why.append(f"{k} bad_words {d.get('bad_words')}")
            if k in zap and num(d, 'zapped') != 1:
                why.append(f"{k} not zapped (faults {d.get('faults')})")
        check(not why, 'vgem mappings: every kind (DRM fd, dma-buf kept and closed (A, B), fork, '
              're-import) zapped by eviction and reads back its patterns',
              '; '.join(why)[:400])
    # The exhaustion case's own kills (heap) are its checks' business
    own, own_n = exhaust_oom if kind == 'heap' else (None, 0)
    oom = [l for i, l in enumerate(lines) if ('Out of memory' in l or 'Killed process' in l) and
           not (own and own[0] <= i <= own[1])]
    # The count is the kernel's, since boot: the last line covers the most.
    tot = next((kv(l, 'oom_kill ') for l in reversed(lines) if l.startswith('oom_kill total')), None)
    ok = not oom and tot is not None and int(tot['total']) - own_n == 0
    check(ok, 'no OOM kill in the whole run' + (' outside 23-exhaust' if kind == 'heap' else ''),
          oom[0] if oom else (f"oom_kill total {tot['total']}, {own_n} of them in 23-exhaust" if tot
                              else 'no oom_kill count'))
    bad = [l for l in lines if re.search(r'BUG: |Oops|KASAN|UBSAN|Kernel panic|WARNING: ', l)]
    check(not bad, 'console has no BUG/Oops/WARNING', bad[0] if bad else '')
    for e in xerrs:
        check(False, 'expected-failures file', e)
    for cid in sorted(set(xfail) - ids):
        check(False, 'expected-failures file',
              f'entry "{cid}" names no check of the {kind} set: {xfail[cid]}')
    for st, name, detail in res:
        print(f'{st} {name}' + (f' ({detail})' if detail else ''))
    print('counts', sum(1 for r in res if r[0] in ('PASS', 'XFAIL', 'XPASS')),
          sum(1 for r in res if r[0] == 'FAIL'))


main()
