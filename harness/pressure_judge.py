#!/usr/bin/env python3
"""pressure_judge.py SET LOG: PASS/FAIL lines for check.sh from a pressure console log.

SET heap: bad input gets the base kernel's errno (harness/baseline/heap-errno)
and leaks no fd; a 1 TiB length fails with ENOMEM within a second; the churn
(half of RAM held, 4 x RAM in all) has no failed allocation; a 2 x RAM buffer
ends in ENOMEM within a few seconds and MemAvailable comes back within 5%; the
pools hold pages before drop_caches and are empty after it, and so are the
deferred-free lists; no OOM kill at all.  Busy CPUs (24-busy.sh, issue 19):
with one hog per CPU, the 8-64 MiB allocate-and-close loop has no failed
allocation; the deferred-free backlog has a cap (cap_pages > 0) and its
high-water mark since boot (max_queued_pages) never exceeded it; beside the
hogs, an anonymous allocation of RAM - cap - 10% succeeds, every page
written; no OOM kill during the case.  The loop's MiB/s and lowest
MemAvailable are reported, without a base to compare them with.
SET fill: 1 MiB buffers until the heap says no end in ENOMEM, not the OOM
killer, and MemAvailable comes back (make pressure only).
SET vgem: vgem-evict passes (every buffer reads back its pattern, busy
buffers untouched) with no OOM kill; vgem-mappings passes: every kind of
user mapping of a vgem object (DRM fd, dma-buf with its handle kept, dma-buf
whose handle is closed (A and B), inherited across fork, re-import) reads
back its patterns after drop_caches and swap, and was zapped by the
eviction.

Only the patched kernel is judged (check.sh).  The base kernel, the control
of make pressure, evicts no vgem object: there vgem-evict runs out of memory
and vgem-mappings reports no mapping zapped, and both checks fail.

pressure_judge.py heap-vs-base BASE_LOG PATCHED_LOG (make pressure, which
boots both): the busy case's comparisons with the base kernel: the loop's
lowest MemAvailable is not below the base's by more than the cap, and its
MiB/s is at least the base's.

A missing or empty console log (the guest never booted: pressure.sh deletes
the log before each boot) is one FAIL; so is an unknown SET.  The last line
is always "counts P F"."""
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


def main():
    if len(sys.argv) == 4 and sys.argv[1] == 'heap-vs-base':
        vs_base(sys.argv[2], sys.argv[3])
        return
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    kind, log = sys.argv[1], sys.argv[2]
    if kind not in ('heap', 'fill', 'vgem'):
        print(f'FAIL pressure ({kind}): unknown workload set (heap, fill or vgem)')
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

    def check(ok, name, detail=''):
        res.append((ok, f'pressure ({kind}): {name}', detail))

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
        d = next((kv(l, 'big ') for l in lines if l.startswith('big errno')), None)
        ok = d is not None and int(d['errno']) == 12 and int(d['oom_kill']) == 0 and int(d['ms']) < 5000
        check(ok, 'one buffer of 2 x RAM: ENOMEM within 5 s, no OOM kill',
              'no result' if d is None else ' '.join(f'{k}={v}' for k, v in d.items()))
        bl = [kv(l, 'big ') for l in lines if l.startswith('big avail')]
        d2 = bl[0] if bl else None
        ok = d2 is not None and int(d2['pct']) >= 95
        check(ok, 'after it, MemAvailable is back within 5%',
              'no result' if d2 is None else ' '.join(f'{k}={v}' for k, v in d2.items()))
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
    oom = [l for l in lines if 'Out of memory' in l or 'Killed process' in l]
    # The count is the kernel's, since boot: the last line covers the most.
    tot = next((kv(l, 'oom_kill ') for l in reversed(lines) if l.startswith('oom_kill total')), None)
    ok = not oom and tot is not None and int(tot['total']) == 0
    check(ok, 'no OOM kill in the whole run', oom[0] if oom else ('' if tot else 'no oom_kill count'))
    bad = [l for l in lines if re.search(r'BUG: |Oops|KASAN|UBSAN|Kernel panic|WARNING: ', l)]
    check(not bad, 'console has no BUG/Oops/WARNING', bad[0] if bad else '')
    for ok, name, detail in res:
        print(('PASS ' if ok else 'FAIL ') + name + (f' ({detail})' if detail else ''))
    print('counts', sum(1 for r in res if r[0]), sum(1 for r in res if not r[0]))


main()
