#!/usr/bin/env python3
"""Apply the mutants of item 5 (and the old copies of two tests) to a tree.

mutate.py TREE OLD: TREE holds the final code (a kernel tree or a copy of
drivers/dma-buf/heaps under it); this rewrites it in place. OLD is a
directory with the series' system_heap_test.c and deferred_free_test.c
(git show series:drivers/dma-buf/heaps/tests/...), whose versions of the
two weak cases are added as *_old.
Each mutant is the bug one new test is meant to catch; each sits on its own
branch of the code, so that a red case names its own mutant.
"""
import sys
T = sys.argv[1] + '/drivers/dma-buf/heaps/'

def rep(s, old, new):
    assert s.count(old) == 1, old
    return s.replace(old, new)

p = T + 'system_heap.c'
s = open(p).read()
# M1: setup leaves sys->heap as the failed registration left it
s = rep(s, '''	/* Not registered: no dma-heap may refer to @sys, nor @sys to one */
	sys->heap = NULL;
''', '')
# M2: the error path after a failed block leaks the last pool hit
s = rep(s, '''static const struct drm_page_pool_ops system_heap_pool_ops = {''',
'''/* MUTANT M2 */
static struct page *sh_mutant_pool_hit;

static const struct drm_page_pool_ops system_heap_pool_ops = {''')
s = rep(s, '''		page = drm_page_pool_take(&sys->pools[i], NUMA_NO_NODE, NULL);
''', '''		page = drm_page_pool_take(&sys->pools[i], NUMA_NO_NODE, NULL);
		if (page)
			sh_mutant_pool_hit = page;
''')
s = rep(s, '''		page = system_heap_alloc_largest(sys, size_remaining, &index,
						 &reuse);
		if (!page)
			goto free_pages;
''', '''		page = system_heap_alloc_largest(sys, size_remaining, &index,
						 &reuse);
		if (!page) {
			/* MUTANT M2: leak the last block taken from a pool */
			if (sh_mutant_pool_hit)
				list_del(&sh_mutant_pool_hit->lru);
			goto free_pages;
		}
''')
s = rep(s, '''	INIT_LIST_HEAD(&pages);
	i = 0;
''', '''	INIT_LIST_HEAD(&pages);
	sh_mutant_pool_hit = NULL;
	i = 0;
''')
# M4: compare bytes, overflowing where the RAM is 4 GiB on 32-bit
s = rep(s, '''	return len >> PAGE_SHIFT > ram_pages;''',
        '''	return len > ram_pages << PAGE_SHIFT;	/* MUTANT M4 */''')
# M5a: a fatal signal returns without handing the blocks back
s = rep(s, '''		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			goto free_pages;
		}''', '''		if (fatal_signal_pending(current)) {
			/* MUTANT M5a */
			kfree(buffer);
			return ERR_PTR(-EINTR);
		}''')
# M5b: the sg_table's failure leaks the blocks
s = rep(s, '''	if (system_heap_sg_alloc_table(table, i))
		goto free_pages;''', '''	if (system_heap_sg_alloc_table(table, i)) {
		/* MUTANT M5b-table */
		kfree(buffer);
		return ERR_PTR(-ENOMEM);
	}''')
# M5b: the export's failure frees the buffer but not its blocks
s = rep(s, '''	if (IS_ERR(dmabuf))
		system_heap_discard_buffer(buffer);''', '''	if (IS_ERR(dmabuf))
		kfree(buffer);	/* MUTANT M5b-export */''')
# M5c: a pool's failure returns without tearing down the pools before it
s = rep(s, '''		err = system_heap_pool_init(&sys->pools[i], orders[i],
					    &system_heap_pool_ops);
		if (err)
			goto err_fini;''', '''		err = system_heap_pool_init(&sys->pools[i], orders[i],
					    &system_heap_pool_ops);
		if (err)
			return err;	/* MUTANT M5c */''')
# M5d: the failure path leaves the waiting buffer it reused claimed
s = rep(s, '''free_pages:
	system_heap_reuse_end(sys, &reuse);
''', '''free_pages:
	/* MUTANT M5d: no system_heap_reuse_end() */
''')
open(p, 'w').write(s)

# M3: the kthread polls every 20 ms instead of sleeping until woken
p = T + 'deferred-free-helper.c'
s = open(p).read()
s = rep(s, '''		wait_event_freezable(dfl->wait, deferred_free_has_work(dfl) ||
				     kthread_should_stop());''', '''		/* MUTANT M3 */
		while (!deferred_free_has_work(dfl) && !kthread_should_stop())
			schedule_timeout_interruptible(msecs_to_jiffies(20));''')
open(p, 'w').write(s)

# The old versions of two weak cases, as *_old, beside the new ones
old_sh = open(sys.argv[2] + '/system_heap_test.c').read()
old_df = open(sys.argv[2] + '/deferred_free_test.c').read()

def func(src, name):
    i = src.index('static void %s(struct kunit *test)' % name)
    j = src.index('\n}\n', i) + 3
    return src[i:j].replace(name + '(', name + '_old(')

p = T + 'tests/system_heap_test.c'
s = open(p).read()
s = rep(s, '''static struct kunit_case system_heap_test_cases[] = {''',
        func(old_sh, 'sh_test_alloc_failure_after_pool_hit') + '''
static struct kunit_case system_heap_test_cases[] = {''')
s = rep(s, '''	KUNIT_CASE(sh_test_alloc_failure_after_pool_hit),
''', '''	KUNIT_CASE(sh_test_alloc_failure_after_pool_hit_old),
	KUNIT_CASE(sh_test_alloc_failure_after_pool_hit),
''')
open(p, 'w').write(s)
p = T + 'tests/deferred_free_test.c'
s = open(p).read()
s = rep(s, '''static unsigned long df_test_count(struct df_test *t)''',
        func(old_df, 'df_test_idle_thread_sleeps') + '''
static unsigned long df_test_count(struct df_test *t)''')
s = rep(s, '''	KUNIT_CASE(df_test_idle_thread_sleeps),
''', '''	KUNIT_CASE(df_test_idle_thread_sleeps_old),
	KUNIT_CASE(df_test_idle_thread_sleeps),
''')
open(p, 'w').write(s)
print('mutated')
