// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the dma-buf heaps' deferred-free helper,
 * drivers/dma-buf/heaps/deferred-free-helper.c.
 *
 * How the tests know they are right: every list here is the test's own, and
 * its free callback records, per item, how often it was freed, why, by
 * which task, in which pass of the kthread and in which position. An item
 * freed twice, never, for the wrong reason, out of order or in an oversized
 * pass shows as a recorded value that differs. To hold items on the list
 * while the shrinker or the teardown is tested, a "plug" item is queued
 * first: its callback keeps the kthread busy until the test lets it go (or
 * the kthread is told to stop). The shrinker's callbacks are called
 * directly inside fs_reclaim_acquire()/fs_reclaim_release(), as reclaim
 * would call them.
 */

#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/cpumask.h>
#include <linux/irq_work.h>
#include <linux/irqflags.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/overflow.h>
#include <linux/shrinker.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/swap.h>
#include <linux/wait.h>

#include <kunit/static_stub.h>
#include <kunit/test.h>

#include "../deferred-free-helper.h"

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

/* Longest wait for the kthread; generous for TCG and debug kernels */
#define DF_TEST_TIMEOUT		(30 * HZ)

/* CPU time a spinning item's callback burns, as a pass of real work would */
#define DF_TEST_SPIN_NS		(50 * NSEC_PER_MSEC)

/* Rounds of two releasers racing for the room under the cap */
#define DF_TEST_RACE_ROUNDS	2000

/* What the free callback recorded about one item */
struct df_test_item {
	struct deferred_free_item item;
	unsigned int id;
	unsigned long nr_pages;
	/* pages per block, 0 for one block of the whole item */
	unsigned long block;
	/* pages not freed yet, and calls of the callback for the item */
	unsigned long left;
	unsigned int calls;
	/* the most pages a NORMAL call was asked for */
	unsigned long max_normal_ask;
	/* the first PRESSURE call signals @held and waits for @release_hold */
	bool hold_pressure;
	/*
	 * the first NORMAL call that leaves blocks does the same after it put
	 * the rest back, as a callback zeroing its block would be
	 */
	bool hold_normal;
	/* NORMAL calls keep the rest until they return: no put-back */
	bool keep_rest;
	/* the callback keeps the kthread in this item until released */
	bool plug;
	/* the callback spins for DF_TEST_SPIN_NS of its own CPU time */
	bool spin;

	atomic_t freed;
	enum deferred_free_reason reason;
	bool by_thread;
	/* the kthread's pass count when the item was freed */
	unsigned long batch;
	/* the position in which the item was freed, from 1 */
	unsigned int seq;
};

struct df_test {
	struct deferred_free_list dfl;
	char name[64];
	/* items freed so far; the wait queue is woken after each */
	atomic_t freed;
	wait_queue_head_t freed_wait;
	/* the plug's callback signals @plugged and waits for @unplug */
	struct completion plugged;
	bool unplug;
	wait_queue_head_t unplug_wait;
	struct completion held;
	struct completion release_hold;
	unsigned int n;
	struct df_test_item items[];
};

static bool df_test_free(struct deferred_free_list *dfl,
			 struct deferred_free_item *item,
			 enum deferred_free_reason reason,
			 unsigned long *nr_pages)
{
	struct df_test *t = container_of(dfl, struct df_test, dfl);
	struct df_test_item *ti = container_of(item, struct df_test_item, item);
	bool by_thread = current == dfl->thread;
	unsigned long freed = 0, block = ti->block ?: ti->left;

	ti->calls++;
	if (reason == DEFERRED_FREE_NORMAL)
		ti->max_normal_ask = max(ti->max_normal_ask, *nr_pages);
	if (ti->hold_pressure && reason == DEFERRED_FREE_PRESSURE) {
		ti->hold_pressure = false;
		complete(&t->held);
		wait_for_completion_timeout(&t->release_hold, DF_TEST_TIMEOUT);
	}
	/* Whole blocks, at least one, until *@nr_pages or the item's end */
	do {
		freed += min(block, ti->left - freed);
	} while (freed < *nr_pages && freed < ti->left);
	ti->left -= freed;
	*nr_pages = freed;
	if (ti->left) {
		bool hold = ti->hold_normal;

		if (reason != DEFERRED_FREE_NORMAL)
			return false;
		ti->hold_normal = false;
		/* Once put back, @ti is the list's: the shrinker may free it */
		if (!ti->keep_rest)
			deferred_free_put_back(dfl, item, freed);
		if (hold) {
			complete(&t->held);
			wait_for_completion_timeout(&t->release_hold,
						    DF_TEST_TIMEOUT);
		}
		return false;
	}

	if (ti->plug) {
		complete(&t->plugged);
		wait_event_timeout(t->unplug_wait, READ_ONCE(t->unplug) ||
				   (by_thread && kthread_should_stop()),
				   DF_TEST_TIMEOUT);
	}
	if (ti->spin) {
		u64 start = current->se.sum_exec_runtime;
		unsigned long timeout = jiffies + 2 * DF_TEST_TIMEOUT;

		complete(&t->plugged);
		/* Rescheduling between "blocks", as the heap's callback does */
		while (current->se.sum_exec_runtime - start < DF_TEST_SPIN_NS &&
		       time_before(jiffies, timeout))
			cond_resched();
	}

	ti->reason = reason;
	ti->by_thread = by_thread;
	ti->batch = READ_ONCE(dfl->stats.batches);
	ti->seq = atomic_inc_return(&t->freed);
	atomic_inc(&ti->freed);
	wake_up_all(&t->freed_wait);
	return true;
}

/* The list's statistics and queue lengths, read together */
struct df_test_snap {
	struct deferred_free_stats stats;
	unsigned long nr_items;
	unsigned long nr_pages;
};

static struct df_test_snap df_test_snap(struct df_test *t)
{
	struct df_test_snap snap;

	raw_spin_lock(&t->dfl.lock);
	snap.stats = t->dfl.stats;
	snap.nr_items = t->dfl.nr_items;
	snap.nr_pages = t->dfl.nr_pages;
	raw_spin_unlock(&t->dfl.lock);

	return snap;
}

/*
 * The kthread counts a pass in its statistics after the pass's callbacks
 * returned: wait until it counted @nr items freed, then take a snapshot.
 */
static struct df_test_snap df_test_snap_freed(struct df_test *t,
					      unsigned long nr)
{
	unsigned long timeout = jiffies + DF_TEST_TIMEOUT;
	struct df_test_snap snap;

	for (;;) {
		snap = df_test_snap(t);
		if (snap.stats.freed_items >= nr ||
		    time_after(jiffies, timeout))
			return snap;
		msleep(20);
	}
}

KUNIT_DEFINE_ACTION_WRAPPER(df_test_fini_action, deferred_free_fini,
			    struct deferred_free_list *);

/*
 * A list with room for @n items, item i holding @pages(i) pages; item 0 is
 * the plug if @plug. The list is torn down before its memory is freed.
 */
static struct df_test *df_test_create(struct kunit *test, unsigned int n,
				      unsigned long (*pages)(unsigned int i),
				      bool plug)
{
	struct df_test *t;
	unsigned int i;
	int ret;

	t = kunit_kzalloc(test, struct_size(t, items, n), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	snprintf(t->name, sizeof(t->name), "kunit-%s", test->name);
	init_waitqueue_head(&t->freed_wait);
	init_completion(&t->plugged);
	init_completion(&t->held);
	init_completion(&t->release_hold);
	init_waitqueue_head(&t->unplug_wait);
	t->n = n;
	for (i = 0; i < n; i++) {
		t->items[i].id = i;
		t->items[i].nr_pages = pages(i);
	}
	t->items[0].plug = plug;

	ret = deferred_free_init(&t->dfl, t->name, df_test_free);
	KUNIT_ASSERT_EQ_MSG(test, ret, 0, "deferred_free_init(%s)", t->name);
	ret = kunit_add_action_or_reset(test, df_test_fini_action, &t->dfl);
	KUNIT_ASSERT_EQ(test, ret, 0);

	return t;
}

static void df_test_queue(struct df_test *t, unsigned int first,
			  unsigned int end)
{
	unsigned int i;

	for (i = first; i < end; i++) {
		t->items[i].left = t->items[i].nr_pages;
		deferred_free(&t->dfl, &t->items[i].item, t->items[i].nr_pages);
	}
}

/* Queue the plug (item 0) and wait until the kthread is stuck in it */
static void df_test_plug(struct kunit *test, struct df_test *t)
{
	unsigned long left;

	df_test_queue(t, 0, 1);
	left = wait_for_completion_timeout(&t->plugged, DF_TEST_TIMEOUT);
	KUNIT_ASSERT_NE_MSG(test, left, 0, "the kthread never took the plug");
}

static void df_test_unplug(struct df_test *t)
{
	WRITE_ONCE(t->unplug, true);
	wake_up_all(&t->unplug_wait);
}

/* Wait until @nr items in all were freed */
static void df_test_wait_freed(struct kunit *test, struct df_test *t,
			       unsigned int nr)
{
	long left = wait_event_timeout(t->freed_wait,
				       atomic_read(&t->freed) >= nr,
				       DF_TEST_TIMEOUT);

	KUNIT_ASSERT_NE_MSG(test, left, 0, "%d of %u items freed in time",
			    atomic_read(&t->freed), nr);
}

/* Item i of [@first, @end) was freed exactly once, for @reason */
static void df_test_expect_freed(struct kunit *test, struct df_test *t,
				 unsigned int first, unsigned int end,
				 enum deferred_free_reason reason)
{
	unsigned int i;

	for (i = first; i < end; i++) {
		struct df_test_item *ti = &t->items[i];

		KUNIT_EXPECT_EQ_MSG(test, atomic_read(&ti->freed), 1,
				    "item %u freed %d times", i,
				    atomic_read(&ti->freed));
		KUNIT_EXPECT_EQ_MSG(test, ti->reason, reason,
				    "reason of item %u", i);
	}
}

/* Item sizes from 1 to 200 pages, so that passes take varying counts */
static unsigned long df_test_pages_mixed(unsigned int i)
{
	return 1 + (i * 37) % 200;
}

static unsigned long df_test_pages_small(unsigned int i)
{
	return 1 + i % 8;
}

/*
 * The kthread frees every item once, oldest first, as NORMAL, in passes
 * that each take items only while they hold fewer than the budget: a pass
 * minus its last item stays under the budget, and every pass but the last
 * reaches it. Each item here is a single block.
 */
static void df_test_frees_all_in_bounded_batches(struct kunit *test)
{
	const unsigned int n = 65;
	unsigned long pages = 0, pass_pages = 0, pass, passes = 0;
	struct df_test_item *ti, *last = NULL;
	struct df_test_snap snap;
	unsigned int i, seq;
	struct df_test *t;

	t = df_test_create(test, n, df_test_pages_mixed, true);
	df_test_plug(test, t);
	df_test_queue(t, 1, n);
	df_test_unplug(t);
	df_test_wait_freed(test, t, n);

	df_test_expect_freed(test, t, 0, n, DEFERRED_FREE_NORMAL);

	/* Walk items 1.. in the order they were freed, pass by pass */
	pass = t->items[1].batch;
	for (seq = 2; seq <= n + 1; seq++) {
		ti = NULL;
		for (i = 0; i < n && seq <= n; i++)
			if (t->items[i].seq == seq)
				ti = &t->items[i];
		KUNIT_ASSERT_TRUE_MSG(test, ti || seq > n,
				      "no item freed in position %u", seq);

		/* The pass ended: check it against the budget */
		if (!ti || ti->batch != pass) {
			if (last) {
				KUNIT_EXPECT_LT_MSG(test,
						    pass_pages - last->nr_pages,
						    DEFERRED_FREE_BATCH_PAGES,
						    "pass %lu went on past its budget: %lu pages before its last item",
						    pass, pass_pages - last->nr_pages);
				if (ti)
					KUNIT_EXPECT_GE_MSG(test, pass_pages,
							    DEFERRED_FREE_BATCH_PAGES,
							    "pass %lu stopped early",
							    pass);
				passes++;
			}
			if (!ti)
				break;
			pass = ti->batch;
			pass_pages = 0;
		}

		KUNIT_EXPECT_EQ_MSG(test, ti->id, seq - 1,
				    "item %u freed in position %u", ti->id, seq);
		KUNIT_EXPECT_TRUE_MSG(test, ti->by_thread,
				      "item %u not freed by the kthread", ti->id);
		pass_pages += ti->nr_pages;
		pages += ti->nr_pages;
		last = ti;
	}
	KUNIT_EXPECT_GT_MSG(test, passes, 1, "%lu pages freed in %lu passes",
			    pages, passes);

	snap = df_test_snap_freed(t, n);
	KUNIT_EXPECT_EQ(test, snap.nr_items, 0);
	KUNIT_EXPECT_EQ(test, snap.nr_pages, 0);
	KUNIT_EXPECT_EQ(test, snap.stats.freed_items, n);
	KUNIT_EXPECT_EQ(test, snap.stats.freed_pages,
			pages + t->items[0].nr_pages);
	KUNIT_EXPECT_EQ(test, snap.stats.shrunk_items, 0);
}

/* How much a task ran: its context switches and its CPU time */
struct df_test_runs {
	unsigned long switches;
	u64 runtime;
};

static struct df_test_runs df_test_runs(const struct task_struct *p)
{
	struct df_test_runs runs = {
		.switches = READ_ONCE(p->nvcsw) + READ_ONCE(p->nivcsw),
		.runtime = READ_ONCE(p->se.sum_exec_runtime),
	};

	return runs;
}

/*
 * Whether @p sleeps interruptibly, as in wait_event_freezable(): its state
 * is set before it checks its condition and calls schedule(), so it must
 * also be off the run queue (not preempted in between) and off its CPU
 * (its counts of context switches and of CPU time are final only then).
 */
static bool df_test_asleep(const struct task_struct *p)
{
	if (!(READ_ONCE(p->__state) & TASK_INTERRUPTIBLE) ||
	    READ_ONCE(p->on_rq))
		return false;
#ifdef CONFIG_SMP
	if (READ_ONCE(p->on_cpu))
		return false;
#endif
	return true;
}

/* Wait until the kthread of @t sleeps */
static void df_test_wait_asleep(struct kunit *test, struct df_test *t)
{
	unsigned long timeout = jiffies + DF_TEST_TIMEOUT;
	struct task_struct *p = t->dfl.thread;

	while (!df_test_asleep(p)) {
		KUNIT_ASSERT_TRUE_MSG(test, time_before(jiffies, timeout),
				      "the kthread never slept: state %#x",
				      READ_ONCE(p->__state));
		usleep_range(1000, 2000);
	}
}

/*
 * With nothing queued the kthread sleeps: it stays asleep, is never
 * switched to and uses no CPU time for 200 ms, nor does the count of its
 * passes move, and one item queued later costs exactly one more pass. The
 * kthread is in the SCHED_IDLE class, so that waking it never preempts the
 * task that queued an item.
 */
static void df_test_idle_thread_sleeps(struct kunit *test)
{
	struct df_test_runs runs, now;
	unsigned long before, after;
	struct task_struct *p;
	struct df_test *t;

	t = df_test_create(test, 2, df_test_pages_small, false);
	p = t->dfl.thread;
	KUNIT_EXPECT_EQ(test, p->policy, SCHED_IDLE);
	df_test_queue(t, 0, 1);
	df_test_wait_freed(test, t, 1);

	/*
	 * Let a pass that is still finishing end, and the wake-up the
	 * queueing asked for come: a kthread that took the item before it
	 * first slept leaves that wake-up pending until the next tick
	 */
	df_test_wait_asleep(test, t);
	irq_work_sync(&t->dfl.wake_work);
	df_test_wait_asleep(test, t);
	before = df_test_snap(t).stats.batches;
	runs = df_test_runs(p);
	msleep(200);
	after = df_test_snap(t).stats.batches;
	now = df_test_runs(p);
	KUNIT_EXPECT_TRUE_MSG(test, df_test_asleep(p),
			      "awake on an empty list: state %#x",
			      READ_ONCE(p->__state));
	KUNIT_EXPECT_EQ_MSG(test, now.switches, runs.switches,
			    "switched %lu times in 200 ms on an empty list",
			    now.switches - runs.switches);
	KUNIT_EXPECT_EQ_MSG(test, now.runtime, runs.runtime,
			    "ran %llu ns in 200 ms on an empty list",
			    now.runtime - runs.runtime);
	KUNIT_EXPECT_EQ_MSG(test, after, before,
			    "the kthread ran passes on an empty list");

	df_test_queue(t, 1, 2);
	df_test_wait_freed(test, t, 2);
	msleep(20);
	after = df_test_snap(t).stats.batches;
	KUNIT_EXPECT_EQ(test, after, before + 1);
	df_test_expect_freed(test, t, 0, 2, DEFERRED_FREE_NORMAL);
}

/* An item of exactly one batch, then one of a page more */
static unsigned long df_test_pages_batch(unsigned int i)
{
	return DEFERRED_FREE_BATCH_PAGES + i;
}

/* The kthread and its tick wake-up right after a queueing */
struct df_test_wake {
	bool asleep;
	bool pending;
	unsigned int state;
	int on_rq;
};

/*
 * Queue items [@first, @end) of @t with interrupts off, so that no tick
 * runs a wake-up left to it meanwhile, and look at the kthread then
 */
static struct df_test_wake df_test_queue_irqs_off(struct df_test *t,
						  unsigned int first,
						  unsigned int end)
{
	struct task_struct *p = t->dfl.thread;
	struct df_test_wake w;

	local_irq_disable();
	df_test_queue(t, first, end);
	w.state = READ_ONCE(p->__state);
	w.on_rq = READ_ONCE(p->on_rq);
	w.asleep = df_test_asleep(p);
	w.pending = irq_work_is_pending(&t->dfl.wake_work);
	local_irq_enable();

	return w;
}

/*
 * An item of at most a batch queued onto an empty list does not wake the
 * kthread in the caller: deferred_free() leaves the wake-up to a lazy
 * irq_work, and the kthread still sleeps when it returns. From the next
 * tick on, the kthread frees the item as NORMAL. An item of more than a
 * batch wakes the kthread at once.
 */
static void df_test_queue_wakes_from_tick(struct kunit *test)
{
	struct df_test_wake w;
	struct df_test *t;

	t = df_test_create(test, 2, df_test_pages_batch, false);
	df_test_wait_asleep(test, t);

	w = df_test_queue_irqs_off(t, 0, 1);
	KUNIT_EXPECT_TRUE_MSG(test, w.asleep,
			      "deferred_free() woke the kthread: state %#x, on_rq %d",
			      w.state, w.on_rq);
	KUNIT_EXPECT_TRUE_MSG(test, w.pending, "no wake-up pending");
	df_test_wait_freed(test, t, 1);
	df_test_expect_freed(test, t, 0, 1, DEFERRED_FREE_NORMAL);

	/* The pending wake-up came and went: only the queueing can wake */
	irq_work_sync(&t->dfl.wake_work);
	df_test_wait_asleep(test, t);
	w = df_test_queue_irqs_off(t, 1, 2);
	KUNIT_EXPECT_FALSE_MSG(test, w.asleep,
			       "an item of more than a batch left the kthread asleep: state %#x, on_rq %d",
			       w.state, w.on_rq);
	KUNIT_EXPECT_FALSE(test, w.pending);
	df_test_wait_freed(test, t, 2);
	df_test_expect_freed(test, t, 1, 2, DEFERRED_FREE_NORMAL);
}

/*
 * Queueing onto an empty list wakes the kthread at once for an object of
 * more than a batch, and for every object with PREEMPT_RT, where the tick
 * only wakes the irq_work thread; else the tick wakes it.
 */
static void df_test_wake_policy(struct kunit *test)
{
	KUNIT_EXPECT_FALSE(test, deferred_free_wakes_at_once(1, false));
	KUNIT_EXPECT_FALSE(test,
			   deferred_free_wakes_at_once(DEFERRED_FREE_BATCH_PAGES,
						       false));
	KUNIT_EXPECT_TRUE(test,
			  deferred_free_wakes_at_once(DEFERRED_FREE_BATCH_PAGES + 1,
						      false));
	KUNIT_EXPECT_TRUE(test, deferred_free_wakes_at_once(1, true));
	KUNIT_EXPECT_TRUE(test,
			  deferred_free_wakes_at_once(DEFERRED_FREE_BATCH_PAGES,
						      true));
}

static unsigned long df_test_count(struct df_test *t)
{
	struct shrink_control sc = { .gfp_mask = GFP_KERNEL };
	struct shrinker *shrinker = t->dfl.shrinker;
	unsigned long count;

	fs_reclaim_acquire(GFP_KERNEL);
	count = shrinker->count_objects(shrinker, &sc);
	fs_reclaim_release(GFP_KERNEL);

	return count;
}

static unsigned long df_test_scan(struct df_test *t, unsigned long nr,
				  unsigned long *nr_scanned)
{
	struct shrink_control sc = {
		.gfp_mask = GFP_KERNEL,
		.nr_to_scan = nr,
		.nr_scanned = ~0UL,
	};
	struct shrinker *shrinker = t->dfl.shrinker;
	unsigned long freed;

	fs_reclaim_acquire(GFP_KERNEL);
	freed = shrinker->scan_objects(shrinker, &sc);
	fs_reclaim_release(GFP_KERNEL);
	*nr_scanned = sc.nr_scanned;

	return freed;
}

/*
 * The shrinker frees queued items as PRESSURE, in the reclaiming task, oldest
 * first, and adds the pages to the task's reclaimed pages, while the
 * kthread's own item is freed as NORMAL.
 */
static void df_test_shrinker_passes_pressure(struct kunit *test)
{
	struct reclaim_state rs = {};
	const unsigned int n = 9;
	unsigned long scanned, freed;
	struct df_test_snap snap;
	unsigned int i;
	struct df_test *t;

	t = df_test_create(test, n, df_test_pages_small, true);
	df_test_plug(test, t);
	df_test_queue(t, 1, n);

	/* Reclaim sees its progress in reclaim_state, not in the return */
	current->reclaim_state = &rs;
	freed = df_test_scan(t, ULONG_MAX, &scanned);
	current->reclaim_state = NULL;
	KUNIT_EXPECT_EQ(test, freed, scanned);
	KUNIT_EXPECT_EQ(test, rs.reclaimed, freed);
	KUNIT_EXPECT_EQ(test, atomic_read(&t->freed), n - 1);
	df_test_expect_freed(test, t, 1, n, DEFERRED_FREE_PRESSURE);
	for (i = 1; i < n; i++) {
		KUNIT_EXPECT_FALSE_MSG(test, t->items[i].by_thread,
				       "item %u freed by the kthread", i);
		KUNIT_EXPECT_EQ_MSG(test, t->items[i].seq, i,
				    "item %u freed out of order", i);
	}

	df_test_unplug(t);
	df_test_wait_freed(test, t, n);
	df_test_expect_freed(test, t, 0, 1, DEFERRED_FREE_NORMAL);
	snap = df_test_snap_freed(t, 1);
	KUNIT_EXPECT_EQ(test, snap.stats.shrunk_items, n - 1);
	KUNIT_EXPECT_EQ(test, snap.stats.freed_items, 1);
}

/*
 * count is the number of queued pages, SHRINK_EMPTY when none; scan frees
 * items of a single block until it reached nr_to_scan, overshooting by
 * less than its last block, reports that in nr_scanned, and returns
 * SHRINK_STOP when it has nothing to free.
 */
static void df_test_shrinker_count_scan(struct kunit *test)
{
	const unsigned int n = 9;
	unsigned long queued = 0, scanned, freed, sum;
	unsigned int i, first;
	struct df_test *t;

	t = df_test_create(test, n, df_test_pages_small, true);
	df_test_plug(test, t);
	KUNIT_EXPECT_EQ(test, df_test_count(t), SHRINK_EMPTY);
	KUNIT_EXPECT_EQ(test, df_test_scan(t, 16, &scanned), SHRINK_STOP);
	KUNIT_EXPECT_EQ(test, scanned, 0);

	df_test_queue(t, 1, n);
	for (i = 1; i < n; i++)
		queued += t->items[i].nr_pages;
	KUNIT_EXPECT_EQ(test, df_test_count(t), queued);

	/*
	 * Asking for one page more than item 1 holds takes item 1, which is
	 * not enough, and item 2, which overshoots by less than its size.
	 */
	sum = t->items[1].nr_pages + t->items[2].nr_pages;
	freed = df_test_scan(t, t->items[1].nr_pages + 1, &scanned);
	KUNIT_EXPECT_EQ(test, freed, sum);
	KUNIT_EXPECT_EQ(test, scanned, freed);
	KUNIT_EXPECT_EQ(test, atomic_read(&t->freed), 2);
	KUNIT_EXPECT_EQ(test, df_test_count(t), queued - sum);

	/* Then one page takes exactly one item */
	first = 3;
	freed = df_test_scan(t, 1, &scanned);
	KUNIT_EXPECT_EQ(test, freed, t->items[first].nr_pages);
	KUNIT_EXPECT_EQ(test, scanned, freed);
	KUNIT_EXPECT_EQ(test, atomic_read(&t->freed), 3);

	/* And a large request takes the rest */
	sum = 0;
	for (i = first + 1; i < n; i++)
		sum += t->items[i].nr_pages;
	freed = df_test_scan(t, 1000, &scanned);
	KUNIT_EXPECT_EQ(test, freed, sum);
	KUNIT_EXPECT_EQ(test, scanned, sum);
	KUNIT_EXPECT_EQ(test, df_test_count(t), SHRINK_EMPTY);
	KUNIT_EXPECT_EQ(test, df_test_scan(t, 1000, &scanned), SHRINK_STOP);
	KUNIT_EXPECT_EQ(test, scanned, 0);
	df_test_expect_freed(test, t, 1, n, DEFERRED_FREE_PRESSURE);

	df_test_unplug(t);
	df_test_wait_freed(test, t, n);
}

/*
 * Real reclaim reaches the list: drop_slab() goes through do_shrink_slab(),
 * with the registration and reclaim's batching, which the cases that call
 * the scan directly bypass, and frees every queued item in the reclaiming
 * task, as PRESSURE. drop_slab() is not exported, so only a built-in suite
 * can call it.
 */
static void df_test_shrinker_drop_slab(struct kunit *test)
{
	const unsigned int n = 9;
	struct df_test *t;
	unsigned int i;

	if (!IS_BUILTIN(CONFIG_DMABUF_HEAPS_KUNIT_TEST))
		kunit_skip(test, "drop_slab() is not exported: needs the suite built in");

	t = df_test_create(test, n, df_test_pages_small, true);
	df_test_plug(test, t);
	df_test_queue(t, 1, n);

#if IS_BUILTIN(CONFIG_DMABUF_HEAPS_KUNIT_TEST)
	drop_slab();
#endif

	KUNIT_EXPECT_EQ(test, atomic_read(&t->freed), n - 1);
	df_test_expect_freed(test, t, 1, n, DEFERRED_FREE_PRESSURE);
	for (i = 1; i < n; i++)
		KUNIT_EXPECT_FALSE_MSG(test, t->items[i].by_thread,
				       "item %u freed by the kthread", i);

	df_test_unplug(t);
	df_test_wait_freed(test, t, n);
}

/*
 * deferred_free_fini() with items queued behind a busy kthread lets the
 * kthread finish its pass, then frees every queued item once, as PRESSURE,
 * and leaves the list torn down; a second fini does nothing.
 */
static void df_test_stop_frees_queued(struct kunit *test)
{
	const unsigned int n = 17;
	struct df_test *t;

	t = df_test_create(test, n, df_test_pages_mixed, true);
	df_test_plug(test, t);
	df_test_queue(t, 1, n);

	/* The plug returns once the kthread is told to stop */
	deferred_free_fini(&t->dfl);

	KUNIT_EXPECT_EQ(test, atomic_read(&t->freed), n);
	df_test_expect_freed(test, t, 0, 1, DEFERRED_FREE_NORMAL);
	df_test_expect_freed(test, t, 1, n, DEFERRED_FREE_PRESSURE);
	KUNIT_EXPECT_EQ(test, t->dfl.nr_items, 0);
	KUNIT_EXPECT_EQ(test, t->dfl.nr_pages, 0);
	KUNIT_EXPECT_NULL(test, t->dfl.thread);
	KUNIT_EXPECT_NULL(test, t->dfl.shrinker);

	deferred_free_fini(&t->dfl);
	KUNIT_EXPECT_EQ(test, atomic_read(&t->freed), n);
}

/*
 * Items 0 (the plug) and 1 hold the cap together, item 4 one page more
 * than the cap; the others one page each
 */
static unsigned long df_test_pages_cap(unsigned int i)
{
	if (i == 1)
		return deferred_free_cap() - 1;
	return i == 4 ? deferred_free_cap() + 1 : 1;
}

/*
 * The backlog never exceeds the cap: an item that would take it over is
 * freed at once, in the caller, as PRESSURE (its pages go back to the
 * system), and counted as direct; so is an item larger than the cap on an
 * empty list. Once the kthread emptied the list, small items queue again.
 */
static void df_test_backlog_cap(struct kunit *test)
{
	unsigned long cap = deferred_free_cap();
	struct df_test_snap snap;
	struct df_test *t;

	KUNIT_ASSERT_GT(test, cap, 1);
	t = df_test_create(test, 5, df_test_pages_cap, true);
	/* The plug is off the list, but counts, while the kthread holds it */
	df_test_plug(test, t);
	df_test_queue(t, 1, 3);

	KUNIT_EXPECT_EQ(test, atomic_read(&t->items[1].freed), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&t->items[2].freed), 1);
	KUNIT_EXPECT_EQ(test, t->items[2].reason, DEFERRED_FREE_PRESSURE);
	KUNIT_EXPECT_FALSE(test, t->items[2].by_thread);
	snap = df_test_snap(t);
	KUNIT_EXPECT_EQ(test, snap.nr_pages, cap - 1);
	KUNIT_EXPECT_EQ(test, snap.stats.max_queued_pages, cap);
	KUNIT_EXPECT_EQ(test, snap.stats.direct_items, 1);
	KUNIT_EXPECT_EQ(test, snap.stats.direct_pages, 1);

	df_test_unplug(t);
	df_test_wait_freed(test, t, 3);
	df_test_expect_freed(test, t, 0, 2, DEFERRED_FREE_NORMAL);
	snap = df_test_snap_freed(t, 2);
	KUNIT_EXPECT_EQ(test, snap.nr_pages, 0);

	df_test_queue(t, 3, 5);
	df_test_wait_freed(test, t, 5);
	df_test_expect_freed(test, t, 3, 4, DEFERRED_FREE_NORMAL);
	df_test_expect_freed(test, t, 4, 5, DEFERRED_FREE_PRESSURE);
	KUNIT_EXPECT_FALSE(test, t->items[4].by_thread);
	snap = df_test_snap_freed(t, 3);
	KUNIT_EXPECT_EQ(test, snap.stats.max_queued_pages, cap);
	KUNIT_EXPECT_EQ(test, snap.stats.direct_items, 2);
	KUNIT_EXPECT_EQ(test, snap.stats.direct_pages, cap + 2);
}

static unsigned long df_test_pages_large(unsigned int i)
{
	return i ? 1024 : 1;
}

/*
 * Work is done per block, not per item: the shrinker asked for 40 pages of
 * items in blocks of 16 frees 48, leaving the rest of the item queued at
 * the head; each pass of the kthread frees its budget of pages, so an item
 * of 1024 pages takes several passes.
 */
static void df_test_partial_items(struct kunit *test)
{
	unsigned long scanned, freed, passes;
	struct df_test_snap snap;
	struct df_test *t;

	t = df_test_create(test, 3, df_test_pages_large, true);
	t->items[1].block = 16;
	t->items[2].block = 16;
	/* Item 1 is put back before each block's work, item 2 after it */
	t->items[2].keep_rest = true;
	df_test_plug(test, t);
	df_test_queue(t, 1, 3);

	freed = df_test_scan(t, 40, &scanned);
	KUNIT_EXPECT_EQ(test, freed, 48);
	KUNIT_EXPECT_EQ(test, scanned, 48);
	KUNIT_EXPECT_EQ(test, atomic_read(&t->items[1].freed), 0);
	KUNIT_EXPECT_EQ(test, t->items[1].left, 1024 - 48);
	snap = df_test_snap(t);
	KUNIT_EXPECT_EQ(test, snap.nr_items, 2);
	KUNIT_EXPECT_EQ(test, snap.nr_pages, 2048 - 48);
	KUNIT_EXPECT_EQ(test, df_test_count(t), 2048 - 48);
	KUNIT_EXPECT_EQ(test, snap.stats.shrunk_pages, 48);
	KUNIT_EXPECT_EQ(test, snap.stats.shrunk_items, 0);

	passes = snap.stats.batches;
	df_test_unplug(t);
	df_test_wait_freed(test, t, 3);
	df_test_expect_freed(test, t, 1, 3, DEFERRED_FREE_NORMAL);
	snap = df_test_snap_freed(t, 3);
	KUNIT_EXPECT_EQ(test, snap.stats.freed_pages, 1 + 2048 - 48);
	KUNIT_EXPECT_EQ(test, snap.stats.freed_items, 3);
	/*
	 * 2000 pages after the plug: 256 in the plug's pass (16 blocks after
	 * its 1 page), then 256 a pass: 7 more passes
	 */
	KUNIT_EXPECT_EQ(test, snap.stats.batches - passes, 7);
	/* The kthread frees one block per call: one scan, 61 and 64 calls */
	KUNIT_EXPECT_EQ(test, t->items[1].calls, 1 + (1024 - 48) / 16);
	KUNIT_EXPECT_EQ(test, t->items[2].calls, 1024 / 16);
	KUNIT_EXPECT_EQ(test, t->items[1].max_normal_ask, 1);
	KUNIT_EXPECT_EQ(test, t->items[2].max_normal_ask, 1);
}

static int df_test_scan_thread(void *data)
{
	struct df_test *t = data;
	unsigned long scanned;

	df_test_scan(t, 16, &scanned);
	return 0;
}

/*
 * The shrinker puts the rest of a partly freed item back at the head. If
 * the kthread went to sleep on the empty list meanwhile, the put-back must
 * wake it: later deferred_free() calls see a list that is not empty and
 * wake nobody, so the item would wait for reclaim or teardown.
 */
static void df_test_putback_wakes(struct kunit *test)
{
	struct task_struct *scan;
	unsigned long left;
	struct df_test *t;

	t = df_test_create(test, 2, df_test_pages_large, true);
	t->items[1].block = 16;
	t->items[1].hold_pressure = true;
	df_test_plug(test, t);
	df_test_queue(t, 1, 2);

	scan = kthread_run(df_test_scan_thread, t, "kunit-df-scan");
	KUNIT_ASSERT_FALSE(test, IS_ERR(scan));
	left = wait_for_completion_timeout(&t->held, DF_TEST_TIMEOUT);
	KUNIT_ASSERT_NE_MSG(test, left, 0, "the scan never took the item");

	/* The kthread finishes the plug and sleeps: the item is in flight */
	df_test_unplug(t);
	df_test_wait_freed(test, t, 1);
	msleep(100);
	complete(&t->release_hold);

	df_test_wait_freed(test, t, 2);
	KUNIT_EXPECT_EQ(test, t->items[1].reason, DEFERRED_FREE_NORMAL);
	KUNIT_EXPECT_TRUE(test, t->items[1].by_thread);
	KUNIT_EXPECT_EQ(test, t->items[1].left, 0);
}

/* Item 0, the plug, holds the cap; the others one page each */
static unsigned long df_test_pages_cap_plug(unsigned int i)
{
	return i ? 1 : deferred_free_cap();
}

/*
 * Pages in a pass of the kthread count against the cap until they are
 * freed: with the kthread inside an item of the cap's size, one more page
 * is freed at once in the caller.
 */
static void df_test_cap_counts_inflight(struct kunit *test)
{
	unsigned long cap = deferred_free_cap();
	struct df_test_snap snap;
	struct df_test *t;

	t = df_test_create(test, 2, df_test_pages_cap_plug, true);
	df_test_plug(test, t);
	df_test_queue(t, 1, 2);

	KUNIT_EXPECT_EQ(test, atomic_read(&t->items[1].freed), 1);
	KUNIT_EXPECT_EQ(test, t->items[1].reason, DEFERRED_FREE_PRESSURE);
	KUNIT_EXPECT_FALSE(test, t->items[1].by_thread);
	snap = df_test_snap(t);
	KUNIT_EXPECT_EQ(test, snap.nr_pages, 0);
	KUNIT_EXPECT_EQ(test, snap.stats.direct_items, 1);
	KUNIT_EXPECT_EQ(test, snap.stats.max_queued_pages, cap);

	df_test_unplug(t);
	df_test_wait_freed(test, t, 2);
	df_test_expect_freed(test, t, 0, 1, DEFERRED_FREE_NORMAL);
}

static int df_test_hog(void *data)
{
	while (!kthread_should_stop())
		cond_resched();
	return 0;
}

/* Item 0, the plug, leaves 40 pages of room under the cap; item 1 has 64 */
static unsigned long df_test_pages_room40(unsigned int i)
{
	return i ? 64 : deferred_free_cap() - 40;
}

/*
 * An item that would take the backlog over the cap has the part over it
 * freed at once, in the caller, as PRESSURE, in whole blocks from its
 * start: 24 pages over the cap in blocks of 16 free 32 pages; the other
 * 32 are queued and freed by the kthread, and the backlog never exceeds
 * the cap.
 */
static void df_test_cap_frees_part(struct kunit *test)
{
	unsigned long cap = deferred_free_cap();
	struct df_test_snap snap;
	struct df_test *t;

	KUNIT_ASSERT_GT(test, cap, 64);
	t = df_test_create(test, 2, df_test_pages_room40, true);
	t->items[1].block = 16;
	df_test_plug(test, t);
	df_test_queue(t, 1, 2);

	KUNIT_EXPECT_EQ(test, t->items[1].calls, 1);
	KUNIT_EXPECT_EQ(test, t->items[1].left, 32);
	KUNIT_EXPECT_EQ(test, atomic_read(&t->items[1].freed), 0);
	snap = df_test_snap(t);
	KUNIT_EXPECT_EQ(test, snap.nr_items, 1);
	KUNIT_EXPECT_EQ(test, snap.nr_pages, 32);
	KUNIT_EXPECT_EQ(test, snap.stats.direct_items, 0);
	KUNIT_EXPECT_EQ(test, snap.stats.direct_pages, 32);
	KUNIT_EXPECT_EQ(test, snap.stats.max_queued_pages, cap - 8);

	df_test_unplug(t);
	df_test_wait_freed(test, t, 2);
	KUNIT_EXPECT_EQ(test, t->items[1].reason, DEFERRED_FREE_NORMAL);
	KUNIT_EXPECT_TRUE(test, t->items[1].by_thread);
	KUNIT_EXPECT_EQ(test, t->items[1].calls, 1 + 2);
}

/* Item 0, the plug, holds 1 page; the others 64 each */
static unsigned long df_test_pages_64(unsigned int i)
{
	return i ? 64 : 1;
}

static unsigned long df_test_inflight(struct df_test *t)
{
	unsigned long inflight;

	raw_spin_lock(&t->dfl.lock);
	inflight = t->dfl.inflight_pages;
	raw_spin_unlock(&t->dfl.lock);

	return inflight;
}

/*
 * deferred_free_claim() takes the oldest queued item: it counts in flight,
 * against the cap, and is out of the shrinker's and the kthread's reach.
 * deferred_free_unclaim() puts the rest back at the head and counts what
 * the owner reused; an item the owner finished is never freed by the list.
 */
static void df_test_claim(struct kunit *test)
{
	struct deferred_free_item *item;
	struct df_test_snap snap;
	struct df_test *t;

	t = df_test_create(test, 3, df_test_pages_64, true);
	df_test_plug(test, t);
	df_test_queue(t, 1, 3);

	item = deferred_free_claim(&t->dfl);
	KUNIT_ASSERT_PTR_EQ(test, item, &t->items[1].item);
	KUNIT_EXPECT_EQ(test, df_test_inflight(t), 1 + 64);
	snap = df_test_snap(t);
	KUNIT_EXPECT_EQ(test, snap.nr_items, 1);
	KUNIT_EXPECT_EQ(test, snap.nr_pages, 64);
	KUNIT_EXPECT_EQ(test, df_test_count(t), 64);

	/* The owner reused 16 pages: the rest is the oldest again */
	t->items[1].left -= 16;
	deferred_free_unclaim(&t->dfl, item, 16, false);
	KUNIT_EXPECT_EQ(test, df_test_inflight(t), 1);
	snap = df_test_snap(t);
	KUNIT_EXPECT_EQ(test, snap.nr_items, 2);
	KUNIT_EXPECT_EQ(test, snap.nr_pages, 48 + 64);
	KUNIT_EXPECT_EQ(test, snap.stats.reused_pages, 16);
	KUNIT_EXPECT_EQ(test, snap.stats.reused_items, 0);

	item = deferred_free_claim(&t->dfl);
	KUNIT_ASSERT_PTR_EQ(test, item, &t->items[1].item);
	t->items[1].left = 0;
	deferred_free_unclaim(&t->dfl, item, 48, true);
	snap = df_test_snap(t);
	KUNIT_EXPECT_EQ(test, snap.nr_items, 1);
	KUNIT_EXPECT_EQ(test, snap.nr_pages, 64);
	KUNIT_EXPECT_EQ(test, snap.stats.reused_pages, 64);
	KUNIT_EXPECT_EQ(test, snap.stats.reused_items, 1);

	df_test_unplug(t);
	df_test_wait_freed(test, t, 2);
	KUNIT_EXPECT_EQ(test, t->items[1].calls, 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&t->items[1].freed), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&t->items[2].freed), 1);
	snap = df_test_snap_freed(t, 2);
	KUNIT_EXPECT_EQ(test, snap.nr_items, 0);
	KUNIT_EXPECT_EQ(test, df_test_inflight(t), 0);
}

/*
 * An item put back after a claim onto a list the kthread has found empty
 * meanwhile waits, so that the claimer may claim it again without waking
 * the kthread to race it; deferred_free_kick() then wakes the kthread: later
 * deferred_free() calls see a list that is not empty and wake nobody, so
 * without the kick the item would wait for reclaim.
 */
static void df_test_kick_wakes(struct kunit *test)
{
	struct deferred_free_item *item;
	struct df_test *t;

	t = df_test_create(test, 2, df_test_pages_64, true);
	df_test_plug(test, t);
	df_test_queue(t, 1, 2);
	/* The wake-up the queueing asked for comes before the claim */
	irq_work_sync(&t->dfl.wake_work);
	item = deferred_free_claim(&t->dfl);
	KUNIT_ASSERT_PTR_EQ(test, item, &t->items[1].item);

	/* The kthread finishes the plug and goes to sleep */
	df_test_unplug(t);
	df_test_wait_freed(test, t, 1);
	df_test_wait_asleep(test, t);

	t->items[1].left -= 16;
	deferred_free_unclaim(&t->dfl, item, 16, false);
	KUNIT_EXPECT_TRUE_MSG(test, df_test_asleep(t->dfl.thread),
			      "the put-back woke the kthread");
	msleep(100);
	KUNIT_EXPECT_EQ_MSG(test, t->items[1].calls, 0,
			    "the put-back woke the kthread");
	deferred_free_kick(&t->dfl);
	df_test_wait_freed(test, t, 2);
	KUNIT_EXPECT_EQ(test, t->items[1].reason, DEFERRED_FREE_NORMAL);
	KUNIT_EXPECT_TRUE(test, t->items[1].by_thread);
}

static void df_test_stop_hog(void *data)
{
	kthread_stop_put(data);
}

/*
 * With every CPU busy at normal priority, the SCHED_IDLE kthread gets almost
 * no CPU: a pass of 50 ms of work would take many seconds. Stopping the list
 * must not wait for that: fini returns within a few seconds, its pass
 * finished at normal priority.
 */
static void df_test_stop_with_busy_cpus(struct kunit *test)
{
	struct task_struct *hog;
	unsigned long left;
	struct df_test *t;
	u64 start, took;
	int cpu, ret;

	t = df_test_create(test, 1, df_test_pages_small, false);
	t->items[0].spin = true;

	for_each_online_cpu(cpu) {
		hog = kthread_create(df_test_hog, NULL, "kunit-hog/%d", cpu);
		KUNIT_ASSERT_FALSE(test, IS_ERR(hog));
		kthread_bind(hog, cpu);
		get_task_struct(hog);
		wake_up_process(hog);
		ret = kunit_add_action_or_reset(test, df_test_stop_hog, hog);
		KUNIT_ASSERT_EQ(test, ret, 0);
	}

	df_test_queue(t, 0, 1);
	left = wait_for_completion_timeout(&t->plugged, DF_TEST_TIMEOUT);
	KUNIT_ASSERT_NE_MSG(test, left, 0, "the kthread never took the item");

	start = ktime_get_ns();
	deferred_free_fini(&t->dfl);
	took = ktime_get_ns() - start;

	kunit_info(test, "fini took %llu ms\n", div_u64(took, NSEC_PER_MSEC));
	KUNIT_EXPECT_LT(test, took, 5ULL * NSEC_PER_SEC);
	df_test_expect_freed(test, t, 0, 1, DEFERRED_FREE_NORMAL);
}

static struct task_struct *
df_test_create_thread_fails(struct deferred_free_list *dfl)
{
	return ERR_PTR(-EAGAIN);
}

/*
 * When the kthread cannot be created, init returns its error and unwinds:
 * no shrinker, no debugfs directory, and fini is a no-op. The name is then
 * free for a list that starts.
 */
static void df_test_init_unwinds_thread_failure(struct kunit *test)
{
	struct deferred_free_list *dfl;
	struct dentry *root, *dir;
	int ret;

	dfl = kunit_kzalloc(test, sizeof(*dfl), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, dfl);

	kunit_activate_static_stub(test, deferred_free_create_thread,
				   df_test_create_thread_fails);
	ret = deferred_free_init(dfl, "kunit-init-failure", df_test_free);
	kunit_deactivate_static_stub(test, deferred_free_create_thread);

	KUNIT_EXPECT_EQ(test, ret, -EAGAIN);
	KUNIT_EXPECT_NULL(test, dfl->thread);
	KUNIT_EXPECT_NULL(test, dfl->shrinker);
	KUNIT_EXPECT_NULL(test, dfl->debugfs);
	root = debugfs_lookup("deferred_free", NULL);
	if (!IS_ERR_OR_NULL(root)) {
		dir = debugfs_lookup("kunit-init-failure", root);
		KUNIT_EXPECT_TRUE_MSG(test, IS_ERR_OR_NULL(dir),
				      "debugfs directory left behind");
		if (!IS_ERR_OR_NULL(dir))
			dput(dir);
		dput(root);
	}
	deferred_free_fini(dfl);

	ret = deferred_free_init(dfl, "kunit-init-failure", df_test_free);
	KUNIT_ASSERT_EQ(test, ret, 0);
	KUNIT_EXPECT_NOT_NULL(test, dfl->thread);
	KUNIT_EXPECT_NOT_NULL(test, dfl->shrinker);
	deferred_free_fini(dfl);
	KUNIT_EXPECT_NULL(test, dfl->thread);
}

/*
 * While the kthread works on one block of an item (zeroing it, preempted or
 * starved at SCHED_IDLE), the rest of the item, put back, is the
 * shrinker's to take: 1008 of its 1024 pages, in count and in scan.
 */
static void df_test_rest_reclaimable_during_block(struct kunit *test)
{
	unsigned long scanned, freed, count, left, inflight;
	struct df_test_snap snap;
	struct df_test *t;

	t = df_test_create(test, 2, df_test_pages_large, false);
	t->items[1].block = 16;
	t->items[1].hold_normal = true;
	df_test_queue(t, 1, 2);
	left = wait_for_completion_timeout(&t->held, DF_TEST_TIMEOUT);
	KUNIT_ASSERT_NE_MSG(test, left, 0, "the kthread never took the item");

	count = df_test_count(t);
	freed = df_test_scan(t, 1024 - 16, &scanned);
	raw_spin_lock(&t->dfl.lock);
	inflight = t->dfl.inflight_pages;
	raw_spin_unlock(&t->dfl.lock);
	complete(&t->release_hold);
	df_test_wait_freed(test, t, 1);

	KUNIT_EXPECT_EQ_MSG(test, count, 1024 - 16,
			    "shrinker count while the kthread works on block 0");
	KUNIT_EXPECT_EQ_MSG(test, freed, 1024 - 16,
			    "shrinker scan while the kthread works on block 0");
	/* The kthread's block still counts against the cap */
	KUNIT_EXPECT_EQ(test, inflight, 16);
	df_test_expect_freed(test, t, 1, 2, DEFERRED_FREE_PRESSURE);
	/* ... until its callback returns */
	left = jiffies + DF_TEST_TIMEOUT;
	while (READ_ONCE(t->dfl.inflight_pages) && time_before(jiffies, left))
		msleep(20);
	snap = df_test_snap(t);
	KUNIT_EXPECT_EQ(test, READ_ONCE(t->dfl.inflight_pages), 0);
	KUNIT_EXPECT_EQ(test, snap.stats.freed_pages, 16);
	KUNIT_EXPECT_EQ(test, snap.stats.shrunk_pages, 1024 - 16);
	KUNIT_EXPECT_EQ(test, snap.stats.shrunk_items, 1);
}

/* Two releasers racing for the last room under the cap */
struct df_race {
	struct deferred_free_list dfl;
	unsigned long pages;
	atomic_t armed, ready, go, done;
	bool unplug;
	wait_queue_head_t wq;
	struct completion plugged;
};

struct df_race_item {
	struct deferred_free_item item;
	unsigned long pages;
	bool plug;
};

static bool df_race_free(struct deferred_free_list *dfl,
			 struct deferred_free_item *item,
			 enum deferred_free_reason reason,
			 unsigned long *nr_pages)
{
	struct df_race *r = container_of(dfl, struct df_race, dfl);
	struct df_race_item *ri = container_of(item, struct df_race_item, item);

	if (ri->plug) {
		complete(&r->plugged);
		wait_event_timeout(r->wq, READ_ONCE(r->unplug) ||
				   (current == dfl->thread &&
				    kthread_should_stop()), DF_TEST_TIMEOUT);
	}
	*nr_pages = ri->pages;
	kfree(ri);
	return true;
}

static void df_race_queue(struct df_race *r)
{
	struct df_race_item *ri = kzalloc(sizeof(*ri), GFP_KERNEL);

	if (!ri)
		return;
	ri->pages = r->pages;
	deferred_free(&r->dfl, &ri->item, r->pages);
}

/* Queue one item each time the test arms a round, on the test's signal */
static int df_race_worker(void *data)
{
	struct df_race *r = data;
	int seen = 0, round;

	while (!kthread_should_stop()) {
		wait_event_interruptible(r->wq, atomic_read(&r->armed) != seen ||
					 kthread_should_stop());
		if (kthread_should_stop())
			break;
		round = atomic_read(&r->armed);
		seen = round;
		atomic_inc(&r->ready);
		/* cond_resched(): stop_machine() needs this CPU too */
		while (atomic_read_acquire(&r->go) != round &&
		       !kthread_should_stop())
			cond_resched();
		df_race_queue(r);
		atomic_inc(&r->done);
	}
	return 0;
}

static void df_race_unplug(void *data)
{
	struct df_race *r = data;

	WRITE_ONCE(r->unplug, true);
	wake_up_all(&r->wq);
}

/*
 * Two tasks on two CPUs release an item of cap - 1 pages at the same time,
 * with one page in the kthread's hands: only one of them fits, and the
 * backlog never exceeds the cap, round after round.
 */
static void df_test_cap_race(struct kunit *test)
{
	struct shrink_control sc = { .gfp_mask = GFP_KERNEL };
	unsigned long cap = deferred_free_cap(), max = 0;
	struct df_race_item *plug;
	struct task_struct *w;
	struct df_race *r;
	int i, ret, cpu;

	if (num_online_cpus() < 2)
		kunit_skip(test, "needs two CPUs");
	r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, r);
	init_waitqueue_head(&r->wq);
	init_completion(&r->plugged);
	ret = deferred_free_init(&r->dfl, "kunit-race", df_race_free);
	KUNIT_ASSERT_EQ(test, ret, 0);
	ret = kunit_add_action_or_reset(test, df_test_fini_action, &r->dfl);
	KUNIT_ASSERT_EQ(test, ret, 0);
	ret = kunit_add_action_or_reset(test, df_race_unplug, r);
	KUNIT_ASSERT_EQ(test, ret, 0);

	/* Keep the kthread in a 1-page plug: the room is cap - 1 */
	plug = kzalloc(sizeof(*plug), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, plug);
	plug->plug = true;
	plug->pages = 1;
	deferred_free(&r->dfl, &plug->item, 1);
	KUNIT_ASSERT_NE(test, wait_for_completion_timeout(&r->plugged,
							  DF_TEST_TIMEOUT), 0);

	r->pages = cap - 1;
	cpu = get_cpu();
	put_cpu();
	w = kthread_create(df_race_worker, r, "kunit-df-race");
	KUNIT_ASSERT_FALSE(test, IS_ERR(w));
	kthread_bind(w, cpumask_any_but(cpu_online_mask, cpu));
	get_task_struct(w);
	wake_up_process(w);
	ret = kunit_add_action_or_reset(test, df_test_stop_hog, w);
	KUNIT_ASSERT_EQ(test, ret, 0);
	set_cpus_allowed_ptr(current, cpumask_of(cpu));

	for (i = 1; i <= DF_TEST_RACE_ROUNDS && max <= cap; i++) {
		atomic_set(&r->ready, 0);
		atomic_set(&r->done, 0);
		atomic_set(&r->armed, i);
		wake_up_all(&r->wq);
		while (atomic_read(&r->ready) < 1)
			cond_resched();
		atomic_set_release(&r->go, i);
		df_race_queue(r);
		while (atomic_read(&r->done) < 1)
			cond_resched();
		raw_spin_lock(&r->dfl.lock);
		max = r->dfl.stats.max_queued_pages;
		raw_spin_unlock(&r->dfl.lock);
		/* Empty the list for the next round */
		sc.nr_to_scan = ULONG_MAX;
		fs_reclaim_acquire(GFP_KERNEL);
		r->dfl.shrinker->scan_objects(r->dfl.shrinker, &sc);
		fs_reclaim_release(GFP_KERNEL);
		cond_resched();
	}
	set_cpus_allowed_ptr(current, cpu_possible_mask);
	/* The cap follows the RAM, which may have grown meanwhile */
	cap = max(cap, deferred_free_cap());
	kunit_info(test, "%d rounds, cap %lu, most held %lu\n", i - 1, cap,
		   max);
	KUNIT_EXPECT_LE_MSG(test, max, cap, "backlog over the cap in round %d",
			    i - 1);
}

static struct kunit_case deferred_free_test_cases[] = {
	KUNIT_CASE(df_test_frees_all_in_bounded_batches),
	KUNIT_CASE(df_test_idle_thread_sleeps),
	KUNIT_CASE(df_test_queue_wakes_from_tick),
	KUNIT_CASE(df_test_wake_policy),
	KUNIT_CASE(df_test_shrinker_passes_pressure),
	KUNIT_CASE(df_test_shrinker_count_scan),
	KUNIT_CASE(df_test_shrinker_drop_slab),
	KUNIT_CASE(df_test_stop_frees_queued),
	KUNIT_CASE(df_test_partial_items),
	KUNIT_CASE(df_test_putback_wakes),
	KUNIT_CASE(df_test_backlog_cap),
	KUNIT_CASE(df_test_cap_counts_inflight),
	KUNIT_CASE(df_test_cap_frees_part),
	KUNIT_CASE(df_test_claim),
	KUNIT_CASE(df_test_kick_wakes),
	KUNIT_CASE(df_test_rest_reclaimable_during_block),
	KUNIT_CASE_SLOW(df_test_cap_race),
	KUNIT_CASE_SLOW(df_test_stop_with_busy_cpus),
	KUNIT_CASE(df_test_init_unwinds_thread_failure),
	{}
};

static struct kunit_suite deferred_free_test_suite = {
	.name = "dma_heap_deferred_free",
	.test_cases = deferred_free_test_cases,
};

kunit_test_suite(deferred_free_test_suite);

MODULE_DESCRIPTION("KUnit tests for the dma-buf heaps' deferred-free helper");
MODULE_LICENSE("GPL");
