import subprocess, sys
msg = subprocess.check_output(['git', 'log', '-1', '--format=%B']).decode()
subj = msg.split('\n', 1)[0]
old = """  the CPU, so releases,
  reclaim and allocations would wait for the kthread's next turn.
"""
new = """  the CPU, so releases, reclaim and allocations would wait for the
  kthread's next turn.
"""
if subj == 'dma-buf: heaps: add a deferred-free helper':
    if old not in msg: sys.exit('nf')
    subprocess.check_call(['git', 'commit', '-q', '--amend', '-m', msg.replace(old, new)])
