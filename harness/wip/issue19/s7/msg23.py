import subprocess, sys
msg = subprocess.check_output(['git', 'log', '-1', '--format=%B']).decode()
subj = msg.split('\n', 1)[0]
edits = {
 'dma-buf: heaps: add a deferred-free helper': [
  ("""- A stop that does not wait for a starved pass: deferred_free_fini()
  puts the kthread back to normal priority before kthread_stop().
""", """- A stop that does not wait for a starved pass: deferred_free_fini()
  puts the kthread back to normal priority before kthread_stop().
- A raw spinlock: each section under the list's lock is a few list and
  counter operations, with no allocation and no wake-up. The kthread
  takes it in the SCHED_IDLE class; with PREEMPT_RT a spinlock_t would
  let a busy CPU preempt the kthread inside it, and priority inheritance
  does not lift an idle-class owner's share of the CPU, so releases,
  reclaim and allocations would wait for the kthread's next turn.
"""),
  ("""- with a busy loop bound to every CPU, fini returns within 5 s while the
  kthread is in a pass of 50 ms of CPU work (at SCHED_IDLE that pass
  takes tens of seconds).
""", """- with a busy loop bound to every CPU, fini returns within 5 s while the
  kthread is in a pass of 50 ms of CPU work (at SCHED_IDLE that pass
  takes tens of seconds);
- a SCHED_IDLE task holding the list's lock on a CPU where a busy loop
  is then woken lets a release on the other CPU have the lock within
  100 ms (144 us here); the case guards PREEMPT_RT builds, where a
  spinlock_t holder could be preempted inside, and cannot fail without
  PREEMPT_RT, where any spinlock disables preemption.
"""),
 ],
}
if subj in edits:
    for old, new in edits[subj]:
        if old not in msg:
            sys.exit('not found in %s: %s' % (subj, old[:60]))
        msg = msg.replace(old, new)
    subprocess.check_call(['git', 'commit', '-q', '--amend', '-m', msg])
