import subprocess, sys
msg = subprocess.check_output(['git', 'log', '-1', '--format=%B']).decode()
subj = msg.split('\n', 1)[0]
edits = {
 'dma-buf: heaps: add a deferred-free helper': [
  ("""  takes tens of seconds);
- a SCHED_IDLE task holding the list's lock on a CPU where a busy loop
  is then woken lets a release on the other CPU have the lock within
  100 ms (144 us here); the case guards PREEMPT_RT builds, where a
  spinlock_t holder could be preempted inside, and cannot fail without
  PREEMPT_RT, where any spinlock disables preemption.
""", """  takes tens of seconds).
"""),
  ("""  let a busy CPU preempt the kthread inside it, and priority inheritance
  does not lift an idle-class owner's share of the CPU, so releases,""",
   """  let a busy CPU preempt the kthread inside it, and the priority a
  normal task's wait lends does not lift an idle-class owner's share of
  the CPU, so releases,"""),
 ],
 'dma-buf: heaps: system: free through the deferred-free helper': [
  ("""skipped where that is over an eighth
of the RAM, as with 64K pages);""", """skipped where that is over an eighth
of the RAM, as it may be with 64K pages);"""),
 ],
}
if subj in edits:
    for old, new in edits[subj]:
        if old not in msg:
            sys.exit('not found in %s: %s' % (subj, old[:60]))
        msg = msg.replace(old, new)
    subprocess.check_call(['git', 'commit', '-q', '--amend', '-m', msg])
