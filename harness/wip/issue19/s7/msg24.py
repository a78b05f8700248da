import subprocess, sys
msg = subprocess.check_output(['git', 'log', '-1', '--format=%B']).decode()
subj = msg.split('\n', 1)[0]
edits = {
 'dma-buf: heaps: system: free through the deferred-free helper': [
  ("""callback puts the rest of the buffer back on the list before it zeroes the
block it took (before: the rest, 18 pages, stayed out of the list's and the
shrinker's reach);""",
   """callback puts the rest of the buffer back on the list before it zeroes the
block it took: system_heap_free_block(), a stub target, finds the rest (18
pages) queued and nothing in flight when it is called for that block
(before the put-back: the rest stayed out of the list's and the shrinker's
reach; with the put-back after the zeroing: nothing queued, the buffer in
flight);"""),
  ("""follows a chained sg_table (2 * SG_MAX_SINGLE_ALLOC + 1 order-0 pages,
three sg pages on any architecture);""",
   """follows a chained sg_table (2 * SG_MAX_SINGLE_ALLOC + 1 order-0 pages,
three sg pages on any architecture; skipped where that is over an eighth
of the RAM, as with 64K pages);"""),
 ],
 'dma-buf: heaps: add a deferred-free helper': [
  ("- - Work is counted in blocks", "- Work is counted in blocks"),
 ],
}
if subj in edits:
    for old, new in edits[subj]:
        if old not in msg:
            sys.exit('not found in %s: %s' % (subj, old[:60]))
        msg = msg.replace(old, new)
    subprocess.check_call(['git', 'commit', '-q', '--amend', '-m', msg])
