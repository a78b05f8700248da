// SPDX-License-Identifier: GPL-2.0
/*
 * Freeing a dma-buf heap buffer can be dear: the system heap zeroes its
 * pages before it pools them, and a buffer may be hundreds of megabytes.
 * Doing that in close() puts the cost on whoever drops the last reference,
 * often a compositor or a camera pipeline in the middle of a frame. This
 * file lets a heap hand the buffer to a kthread instead, without letting
 * the backlog cost memory: a shrinker hands queued buffers straight back to
 * the system when memory gets short.
 */

#define pr_fmt(fmt) "deferred_free: " fmt

#include <linux/debugfs.h>
#include <linux/freezer.h>
#include <linux/init.h>
#include <linux/irq_work.h>
#include <linux/kstrtox.h>
#include <linux/kthread.h>
#include <linux/list.h>
#include <linux/math.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/shrinker.h>
#include <linux/spinlock.h>
#include <linux/swap.h>
#include <linux/wait.h>
#include <uapi/linux/sched/types.h>

#include <kunit/static_stub.h>
#include <kunit/visibility.h>

#include "deferred-free-helper.h"

/**
 * DOC: overview
 *
 * A &struct deferred_free_list holds objects that their owner no longer
 * uses but that are dear to free, typically the buffers of a dma-buf heap
 * whose pages must be zeroed before they can be pooled. The owner embeds a
 * &struct deferred_free_item in each object, queues it with deferred_free()
 * and returns at once; the list's free callback, given at
 * deferred_free_init(), later frees the object in one of two ways, told by
 * an &enum deferred_free_reason:
 *
 * - %DEFERRED_FREE_NORMAL: a kthread of the list frees it. The owner may
 *   spend time on recycling the memory: zero the pages, pool them.
 * - %DEFERRED_FREE_PRESSURE: the system needs the memory now. The list's
 *   shrinker frees queued objects from memory reclaim, and
 *   deferred_free_fini() frees what is still queued. The owner hands the
 *   pages straight back to the system, neither zeroing nor pooling them.
 *
 * Kthread: one per list, named "dfree-<name>", freezable and in the SCHED_IDLE
 * scheduling class, so that it runs when the CPUs have nothing better to do and
 * its wake-up never preempts the task that queued the object (a nice value
 * alone does not promise that). It sleeps while the list is empty. An object of
 * at most %DEFERRED_FREE_BATCH_PAGES pages queued on an empty list has it woken
 * from the next timer tick of the CPU that queued it (a lazy irq_work), not in
 * deferred_free(): a wake-up is a scheduler round trip, and an IPI when the
 * kthread's CPU is idle, which a task releasing such objects at a steady pace
 * would pay on every release, as the kthread empties the list between two, and
 * which costs it about what freeing one batch would. The kthread is so woken
 * at most one tick later, and releases within one tick share one wake-up; an
 * owner that wants it sooner calls deferred_free_kick() (the system heap does
 * as an allocation of a buffer it would queue begins). A larger object wakes
 * it at once: freeing it would cost the caller many times the wake-up, and
 * each tick of delay lets more than a batch wait. So does every object with
 * PREEMPT_RT, where the tick only wakes the per-CPU irq_work thread, which
 * real-time tasks on that CPU may hold back. The rest of an object put back
 * onto an empty list by the shrinker wakes it at once, as does
 * deferred_free_kick() after claims (see Reuse below). Each pass frees
 * %DEFERRED_FREE_BATCH_PAGES pages of the oldest objects, one block per call of
 * the callback (the rest of the object waits at the head of the list, and a
 * callback with long work on the block, such as zeroing it, puts the rest back
 * with deferred_free_put_back() before that work, so that reclaim can take it
 * meanwhile; from the kthread's taking the object to the put-back, a few
 * instructions but preemptible ones, reclaim cannot reach it, while its pages
 * still count against the cap), then lets the scheduler and the freezer in:
 * the work between two such points is bounded by that budget plus one block,
 * however large the objects.
 *
 * Cap: each list holds at most deferred_free_helper.max_backlog_percent of the
 * RAM (0 to 100, default 12%, writable at run time), counting the objects
 * queued and those in flight (in the hands of the kthread or the shrinker,
 * claimed, or being queued). deferred_free() of an object that would take the
 * backlog over it frees the part over the cap at once, in the caller, as
 * %DEFERRED_FREE_PRESSURE, the object's first blocks, and queues the rest; at
 * the cap already, it frees the whole object so. Those pages go back to the
 * system unzeroed, which costs the caller about what freeing them without a
 * list did (one or two lock round trips and the callback's indirect calls
 * more). The cap is checked as objects are queued: lowering it, or the RAM
 * shrinking, leaves what is queued to the kthread and the shrinker. So when the
 * CPUs are too busy for the kthread, released memory still comes back to the
 * system as it is released, and what waits for the kthread never exceeds the
 * cap. 0 defers nothing.
 *
 * Reuse: an owner that needs memory of the kind its queued objects hold
 * (a heap allocation that found its pools empty) may take the oldest
 * object with deferred_free_claim(), reuse some of its blocks itself and
 * put the rest back with deferred_free_unclaim(), rather than ask the page
 * allocator for memory that only reclaiming the list would give. The
 * kthread, if awake, takes blocks from the same objects meanwhile, each
 * side holding an object only while it takes a block. The put-back wakes
 * nobody, so that an owner taking blocks back to back does not wake the
 * kthread once per block; but the kthread may have gone to sleep
 * meanwhile, and objects queued behind the put-back do not wake it. So the
 * owner calls deferred_free_kick() after its last unclaim, and before
 * anything it does that may reclaim (direct reclaim, a memory cgroup
 * charge that may reclaim), which may take long.
 *
 * Shrinker: "deferred-free-<name>", in /sys/kernel/debug/shrinker/ with
 * CONFIG_SHRINKER_DEBUG.
 * Its count is the number of queued pages, read without a lock; its scan
 * frees sc->nr_to_scan pages of the oldest objects, in whole blocks, so it
 * may overshoot by less than one block. It adds what it freed to the
 * reclaiming task's reclaimed pages, which is how reclaim sees its
 * progress. The scan needs neither __GFP_FS nor __GFP_IO, and takes only
 * the list's lock and what the free callback's handing pages back to the
 * system takes.
 *
 * Statistics: /sys/kernel/debug/deferred_free/<name>/stats shows the queued
 * objects and pages, the passes of the kthread, what it freed, what was
 * freed under pressure, and the kthread's pid, whose CPU time is in
 * /proc/<pid>/schedstat.
 *
 * Locking: one raw spinlock per list protects the queue, its counts and the
 * statistics; each section under it is a few list and counter operations,
 * with no allocation and no wake-up. It is raw because the kthread, in the
 * SCHED_IDLE class, takes it: with PREEMPT_RT a sleeping lock held by the
 * kthread when busy CPUs preempt it would keep the tasks that release
 * buffers, reclaim and allocations waiting for the kthread's next turn, and
 * the priority a normal task's wait lends does not lift a SCHED_IDLE task's
 * share of the CPU.
 * It is never held while an object is freed, so the free callback may sleep
 * when the reason is %DEFERRED_FREE_NORMAL.
 */

/* The parent of every list's debugfs directory */
static struct dentry *deferred_free_debugfs_root;

static unsigned int max_backlog_percent = 12;

static int deferred_free_percent_set(const char *val,
				     const struct kernel_param *kp)
{
	unsigned int percent;
	int err = kstrtouint(val, 0, &percent);

	if (err)
		return err;
	if (percent > 100)
		return -EINVAL;
	WRITE_ONCE(max_backlog_percent, percent);
	return 0;
}

static const struct kernel_param_ops deferred_free_percent_ops = {
	.set = deferred_free_percent_set,
	.get = param_get_uint,
};

module_param_cb(max_backlog_percent, &deferred_free_percent_ops,
		&max_backlog_percent, 0644);
MODULE_PARM_DESC(max_backlog_percent,
		 "Most pages a deferred-free list holds, in percent of RAM (0-100); beyond it a buffer is freed at once by whoever releases it (0: defer nothing)");

/**
 * deferred_free_cap - the most pages a deferred-free list may hold
 *
 * Return: deferred_free_helper.max_backlog_percent of the RAM, in pages.
 */
VISIBLE_IF_KUNIT unsigned long deferred_free_cap(void)
{
	return mult_frac(totalram_pages(), READ_ONCE(max_backlog_percent), 100);
}
EXPORT_SYMBOL_IF_KUNIT(deferred_free_cap);

/* Whether @dfl has queued items; read without the lock by the kthread */
static bool deferred_free_has_work(struct deferred_free_list *dfl)
{
	return READ_ONCE(dfl->nr_items);
}

/* Take the oldest item off @dfl, its pages counted in flight; NULL if none */
static struct deferred_free_item *
deferred_free_pop(struct deferred_free_list *dfl)
{
	struct deferred_free_item *item;

	raw_spin_lock(&dfl->lock);
	item = list_first_entry_or_null(&dfl->items, struct deferred_free_item,
					link);
	if (item) {
		list_del(&item->link);
		WRITE_ONCE(dfl->nr_items, dfl->nr_items - 1);
		WRITE_ONCE(dfl->nr_pages, dfl->nr_pages - item->nr_pages);
		dfl->inflight_pages += item->nr_pages;
	}
	raw_spin_unlock(&dfl->lock);

	return item;
}

/*
 * End the flight of @item, which held @left pages when it was popped and of
 * which @used were freed or reused (all @left if @finished, when @item may
 * be freed memory already): put the rest back at the head of @dfl and count
 * the work in *@items and *@pages. With @may_wake, a put-back onto an
 * empty list by anyone but the kthread wakes the kthread, which may have
 * gone to sleep while the item was away, and which later deferred_free()
 * calls would not wake. Without it (deferred_free_unclaim()) nobody is
 * woken, and the caller owes a deferred_free_kick().
 */
static void deferred_free_land(struct deferred_free_list *dfl,
			       struct deferred_free_item *item,
			       unsigned long left, unsigned long used,
			       bool finished, bool may_wake,
			       unsigned long *items, unsigned long *pages)
{
	bool wake;

	raw_spin_lock(&dfl->lock);
	dfl->inflight_pages -= left;
	wake = may_wake && !finished && current != dfl->thread &&
	       list_empty(&dfl->items);
	if (!finished) {
		item->nr_pages = left - used;
		list_add(&item->link, &dfl->items);
		WRITE_ONCE(dfl->nr_items, dfl->nr_items + 1);
		WRITE_ONCE(dfl->nr_pages, dfl->nr_pages + left - used);
	}
	WRITE_ONCE(*items, *items + finished);
	WRITE_ONCE(*pages, *pages + used);
	raw_spin_unlock(&dfl->lock);
	if (wake)
		wake_up(&dfl->wait);
}

/*
 * Free about @budget pages of @dfl's oldest items for @reason, in whole
 * blocks, and return the pages freed (0 if the list was empty). An item is
 * freed as far as the budget goes; what is left of it waits at the head of
 * the list for the next batch.
 */
static unsigned long deferred_free_batch(struct deferred_free_list *dfl,
					 unsigned long budget,
					 enum deferred_free_reason reason)
{
	bool normal = reason == DEFERRED_FREE_NORMAL;
	struct deferred_free_item *item;
	unsigned long done = 0, left, freed;
	bool finished;

	while (done < budget) {
		/* The kthread's pass ends early when it is told to stop */
		if (normal && kthread_should_stop())
			break;

		item = deferred_free_pop(dfl);
		if (!item)
			break;
		left = item->nr_pages;

		/*
		 * The kthread frees one block per call, so that the rest of
		 * the item is back on the list, where the shrinker can take
		 * it, between two calls, and from the time the callback puts
		 * it back while it works on that block (until then, from the
		 * pop on, the whole item is in flight); reclaim and teardown
		 * free what they asked for. The callback owns the item until
		 * it puts it back, and frees it with its last page.
		 */
		freed = normal ? 1 : budget - done;
		if (normal) {
			dfl->flight = item;
			dfl->flight_left = left;
		}
		finished = dfl->free(dfl, item, reason, &freed);
		if (normal && !dfl->flight) {
			/* Put back: only the block it took is left to count */
			WARN_ON_ONCE(finished || freed != dfl->flight_taken);
			freed = dfl->flight_taken;
			raw_spin_lock(&dfl->lock);
			dfl->inflight_pages -= freed;
			WRITE_ONCE(dfl->stats.freed_pages,
				   dfl->stats.freed_pages + freed);
			raw_spin_unlock(&dfl->lock);
			done += freed;
			cond_resched();
			continue;
		}
		if (normal)
			dfl->flight = NULL;
		/* No progress, or more than it held: give the item up */
		if (WARN_ON_ONCE(!finished && (!freed || freed >= left)))
			finished = true;
		if (finished)
			freed = left;

		if (normal)
			deferred_free_land(dfl, item, left, freed, finished,
					   true, &dfl->stats.freed_items,
					   &dfl->stats.freed_pages);
		else
			deferred_free_land(dfl, item, left, freed, finished,
					   true, &dfl->stats.shrunk_items,
					   &dfl->stats.shrunk_pages);
		done += freed;
		if (normal)
			cond_resched();
	}

	return done;
}

/* Free all of @item at once, for @reason, in the caller */
static void deferred_free_whole(struct deferred_free_list *dfl,
				struct deferred_free_item *item,
				enum deferred_free_reason reason)
{
	unsigned long left = item->nr_pages, freed;

	for (;;) {
		freed = left;
		if (dfl->free(dfl, item, reason, &freed))
			return;
		if (WARN_ON_ONCE(!freed || freed >= left))
			return;
		left -= freed;
	}
}

/* Free queued items, a bounded batch per pass, until told to stop */
static int deferred_free_thread(void *data)
{
	struct deferred_free_list *dfl = data;

	set_freezable();

	for (;;) {
		wait_event_freezable(dfl->wait, deferred_free_has_work(dfl) ||
				     kthread_should_stop());
		/* What is still queued is freed by deferred_free_fini() */
		if (kthread_should_stop())
			break;

		raw_spin_lock(&dfl->lock);
		WRITE_ONCE(dfl->stats.batches, dfl->stats.batches + 1);
		raw_spin_unlock(&dfl->lock);

		deferred_free_batch(dfl, DEFERRED_FREE_BATCH_PAGES,
				    DEFERRED_FREE_NORMAL);

		/* A full list must not keep the freezer or others waiting */
		try_to_freeze();
		cond_resched();
	}

	return 0;
}

/* The lazy irq_work of deferred_free_queue_unlock(), from a timer tick */
static void deferred_free_wake_work(struct irq_work *work)
{
	struct deferred_free_list *dfl =
		container_of(work, struct deferred_free_list, wake_work);

	wake_up(&dfl->wait);
}

/**
 * deferred_free_wakes_at_once - whether queueing an object wakes the kthread
 *				 at once
 * @nr_pages: the pages of the object, queued onto an empty list
 * @preempt_rt: whether the kernel is built with PREEMPT_RT
 *
 * Else its wake-up is left to the next tick (see the overview). A parameter
 * for PREEMPT_RT so that the KUnit suite can check both answers.
 *
 * Return: true for an object of more than %DEFERRED_FREE_BATCH_PAGES pages
 * or with @preempt_rt.
 */
VISIBLE_IF_KUNIT bool deferred_free_wakes_at_once(unsigned long nr_pages,
						  bool preempt_rt)
{
	return preempt_rt || nr_pages > DEFERRED_FREE_BATCH_PAGES;
}
EXPORT_SYMBOL_IF_KUNIT(deferred_free_wakes_at_once);

/*
 * Queue @item, of @nr_pages pages, at the tail of @dfl, whose lock the
 * caller holds with @held pages queued or in flight, drop the lock and, if
 * the list was empty, wake the kthread: at once if
 * deferred_free_wakes_at_once() says so, else from this CPU's next tick.
 * The kthread only sleeps after it saw the list empty, so the first item
 * queued after that wakes it, unless a claimer made the list non-empty
 * first: deferred_free_unclaim() wakes nobody, and items queued behind its
 * put-back wait for the claimer's deferred_free_kick(). A wake already
 * pending on any CPU serves: irq_work_queue() then does nothing.
 */
static void deferred_free_queue_unlock(struct deferred_free_list *dfl,
				       struct deferred_free_item *item,
				       unsigned long nr_pages,
				       unsigned long held)
	__releases(&dfl->lock)
{
	bool was_empty = list_empty(&dfl->items);

	item->nr_pages = nr_pages;
	list_add_tail(&item->link, &dfl->items);
	WRITE_ONCE(dfl->nr_items, dfl->nr_items + 1);
	WRITE_ONCE(dfl->nr_pages, dfl->nr_pages + nr_pages);
	if (held + nr_pages > dfl->stats.max_queued_pages)
		WRITE_ONCE(dfl->stats.max_queued_pages, held + nr_pages);
	raw_spin_unlock(&dfl->lock);

	if (!was_empty)
		return;
	if (deferred_free_wakes_at_once(nr_pages,
					IS_ENABLED(CONFIG_PREEMPT_RT)))
		wake_up(&dfl->wait);
	else
		irq_work_queue(&dfl->wake_work);
}

/**
 * deferred_free_create_thread - create the kthread of a list, not running
 * @dfl: the list
 *
 * A separate function so that the KUnit suite can make it fail.
 *
 * Return: the kthread, or an ERR_PTR().
 */
VISIBLE_IF_KUNIT struct task_struct *
deferred_free_create_thread(struct deferred_free_list *dfl)
{
	KUNIT_STATIC_STUB_REDIRECT(deferred_free_create_thread, dfl);

	return kthread_create(deferred_free_thread, dfl, "dfree-%s", dfl->name);
}
EXPORT_SYMBOL_IF_KUNIT(deferred_free_create_thread);

/**
 * deferred_free - queue an object to be freed in the background
 * @dfl: the list
 * @item: the item embedded in the object; not on any list
 * @nr_pages: the pages the object holds, at least 1, for the kthread's
 *	      budget and the shrinker
 *
 * The list's free callback will free @item, in one call or more, from
 * the kthread, from the shrinker or from deferred_free_fini(). Should the
 * object take the list's backlog over its cap, the part over it is freed
 * at once, before this returns, as %DEFERRED_FREE_PRESSURE, the whole
 * object if the backlog is at the cap already. The caller must not touch
 * the object afterwards.
 *
 * Context: Process context; takes the list's spinlock; does not sleep.
 */
void deferred_free(struct deferred_free_list *dfl,
		   struct deferred_free_item *item, unsigned long nr_pages)
{
	unsigned long cap = deferred_free_cap(), held, room, excess, freed;

	/*
	 * Torn down: free now rather than leak. Never initialised: there is
	 * no callback to free with, and leaking beats a NULL call.
	 */
	item->nr_pages = nr_pages;
	if (WARN_ON_ONCE(!dfl->thread)) {
		if (dfl->free)
			deferred_free_whole(dfl, item, DEFERRED_FREE_PRESSURE);
		return;
	}

	raw_spin_lock(&dfl->lock);
	held = dfl->nr_pages + dfl->inflight_pages;
	room = held < cap ? cap - held : 0;
	excess = nr_pages > room ? nr_pages - room : 0;
	if (excess == nr_pages) {
		/* No room at all: free it whole, in the caller */
		WRITE_ONCE(dfl->stats.direct_items,
			   dfl->stats.direct_items + 1);
		WRITE_ONCE(dfl->stats.direct_pages,
			   dfl->stats.direct_pages + nr_pages);
		raw_spin_unlock(&dfl->lock);
		deferred_free_whole(dfl, item, DEFERRED_FREE_PRESSURE);
		return;
	}
	/* Room for all of it: queued under the lock that saw the room */
	if (!excess) {
		deferred_free_queue_unlock(dfl, item, nr_pages, held);
		return;
	}
	/* Hold the room for the rest while the part over the cap is freed */
	dfl->inflight_pages += nr_pages - excess;
	raw_spin_unlock(&dfl->lock);

	/*
	 * Over the cap: free the object's first blocks in the caller, as
	 * without a list, until the rest fits (the callback's first blocks
	 * are the largest); queue the rest.
	 */
	freed = 0;
	while (freed < excess) {
		unsigned long part = excess - freed;

		if (dfl->free(dfl, item, DEFERRED_FREE_PRESSURE, &part) ||
		    WARN_ON_ONCE(!part || freed + part >= nr_pages)) {
			freed = nr_pages;
			break;
		}
		freed += part;
	}

	raw_spin_lock(&dfl->lock);
	dfl->inflight_pages -= nr_pages - excess;
	WRITE_ONCE(dfl->stats.direct_items,
		   dfl->stats.direct_items + (freed == nr_pages));
	WRITE_ONCE(dfl->stats.direct_pages, dfl->stats.direct_pages + freed);
	if (freed == nr_pages) {
		raw_spin_unlock(&dfl->lock);
		return;
	}
	deferred_free_queue_unlock(dfl, item, nr_pages - freed,
				   dfl->nr_pages + dfl->inflight_pages);
}
EXPORT_SYMBOL_IF_KUNIT(deferred_free);

/**
 * deferred_free_claim - take the oldest queued object to reuse its memory
 * @dfl: the list
 *
 * For an owner that needs memory of the kind its queued objects hold, e.g.
 * a heap allocation that found its pools empty: rather than wait for the
 * kthread or reclaim, it takes pages of a queued object itself. The object
 * leaves the list and counts against the cap as in flight until
 * deferred_free_unclaim(); meanwhile neither the kthread nor the shrinker
 * sees it. Only the oldest object is looked at. As deferred_free_unclaim()
 * wakes nobody, the caller calls deferred_free_kick() after its last
 * unclaim, and before anything it does that may reclaim.
 *
 * Context: Process context (the list's lock is not taken with interrupts
 * disabled); does not sleep.
 * Return: the object's item, now owned by the caller, or NULL if nothing is
 * queued (or the list is not set up).
 */
struct deferred_free_item *deferred_free_claim(struct deferred_free_list *dfl)
{
	if (!READ_ONCE(dfl->nr_items) || !dfl->thread)
		return NULL;

	return deferred_free_pop(dfl);
}
EXPORT_SYMBOL_IF_KUNIT(deferred_free_claim);

/**
 * deferred_free_unclaim - end a claim, putting back what is left
 * @dfl: the list
 * @item: the item deferred_free_claim() returned
 * @used: the pages of the object the caller reused or freed, in whole
 *	  blocks; 0 if it took nothing
 * @done: the caller took the object's last block; it frees the object
 *	  after this returns, and the helper never touches @item again
 *
 * Unless @done, the rest of the object, its pages less @used, goes back to
 * the head of the list, where the kthread, the shrinker or the next claim
 * finds it. @used pages count as reused in the list's statistics. The
 * kthread is not woken: the caller calls deferred_free_kick() once it
 * claims no more, and before it may reclaim.
 *
 * Context: Process context (the list's lock is not taken with interrupts
 * disabled); does not sleep.
 */
void deferred_free_unclaim(struct deferred_free_list *dfl,
			   struct deferred_free_item *item,
			   unsigned long used, bool done)
{
	unsigned long left = item->nr_pages;

	if (WARN_ON_ONCE(!done && used >= left))
		done = true;
	if (done)
		used = left;
	deferred_free_land(dfl, item, left, used, done, false,
			   &dfl->stats.reused_items, &dfl->stats.reused_pages);
}
EXPORT_SYMBOL_IF_KUNIT(deferred_free_unclaim);

/**
 * deferred_free_kick - wake the kthread if it sleeps with objects queued
 * @dfl: the list
 *
 * deferred_free() of a small object has the kthread woken from the next
 * tick only: an owner about to need what the kthread makes of the queued
 * objects (the system heap's allocation, which takes zeroed blocks from
 * the pools) calls this to have it woken now. With nothing queued this
 * costs a load; with the kthread awake, a few loads and a memory barrier;
 * with the kthread asleep and objects queued, the wake-up.
 *
 * deferred_free_unclaim() wakes nobody, so that an owner that claims,
 * takes a block and puts the rest back, block after block, does not wake
 * the kthread once per block (others may still wake it). Meanwhile the
 * kthread may have found the list empty and
 * gone to sleep, and objects queued behind the put-back do not wake it:
 * the owner calls this after its last unclaim, and before anything it does
 * that may reclaim, and the kthread frees what was put back and what was
 * queued behind it.
 *
 * Context: Any context that may call wake_up().
 */
void deferred_free_kick(struct deferred_free_list *dfl)
{
	/*
	 * The kthread puts itself on the queue before it checks the list:
	 * either it sees the objects counted here, or the barrier of
	 * wq_has_sleeper() lets this see it on the queue
	 */
	if (READ_ONCE(dfl->nr_items) && dfl->thread &&
	    wq_has_sleeper(&dfl->wait))
		wake_up(&dfl->wait);
}
EXPORT_SYMBOL_IF_KUNIT(deferred_free_kick);

/**
 * deferred_free_put_back - give the rest of an object back to the list
 *			    from the kthread's free callback
 * @dfl: the list
 * @item: the item the callback was called for
 * @taken: the pages of the blocks the callback took off the object to
 *	   free them, less than the object held
 *
 * For a free callback called with %DEFERRED_FREE_NORMAL whose work on a
 * block is long (zeroing it): once it has taken the block off the object,
 * so that the object no longer refers to it, it puts the rest back at the
 * head of the list, where the shrinker and deferred_free_claim() find it
 * while the callback zeroes. From this call on, the object is the list's
 * again: the callback must not touch it, and returns false with *nr_pages
 * set to @taken. The @taken pages count against the list's cap until the
 * callback returns.
 *
 * Context: The free callback; does not sleep.
 * Return: true if the rest is back on the list; false, and the callback
 * still owns the object, if the call is not the kthread's for @item (a
 * direct call of the callback) or @taken is not less than the object held.
 */
bool deferred_free_put_back(struct deferred_free_list *dfl,
			    struct deferred_free_item *item,
			    unsigned long taken)
{
	unsigned long rest;

	if (current != dfl->thread || item != dfl->flight)
		return false;
	if (WARN_ON_ONCE(!taken || taken >= dfl->flight_left))
		return false;
	rest = dfl->flight_left - taken;
	dfl->flight = NULL;
	dfl->flight_taken = taken;

	raw_spin_lock(&dfl->lock);
	dfl->inflight_pages -= rest;
	item->nr_pages = rest;
	list_add(&item->link, &dfl->items);
	WRITE_ONCE(dfl->nr_items, dfl->nr_items + 1);
	WRITE_ONCE(dfl->nr_pages, dfl->nr_pages + rest);
	raw_spin_unlock(&dfl->lock);

	return true;
}
EXPORT_SYMBOL_IF_KUNIT(deferred_free_put_back);

/* The queued pages, or SHRINK_EMPTY */
static unsigned long deferred_free_shrinker_count(struct shrinker *shrinker,
						  struct shrink_control *sc)
{
	struct deferred_free_list *dfl = shrinker->private_data;

	return READ_ONCE(dfl->nr_pages) ?: SHRINK_EMPTY;
}

/* Free the oldest items for about sc->nr_to_scan pages, for the system */
static unsigned long deferred_free_shrinker_scan(struct shrinker *shrinker,
						 struct shrink_control *sc)
{
	struct deferred_free_list *dfl = shrinker->private_data;
	unsigned long freed;

	freed = deferred_free_batch(dfl, sc->nr_to_scan,
				    DEFERRED_FREE_PRESSURE);
	/* Reclaim counts its progress from this, not from the return value */
	mm_account_reclaimed_pages(freed);
	sc->nr_scanned = freed;

	return freed ?: SHRINK_STOP;
}

/* The queue, the work done and the kthread to read the CPU time of */
static int deferred_free_stats_show(struct seq_file *m, void *data)
{
	struct deferred_free_list *dfl = m->private;
	unsigned long nr_items, nr_pages, inflight;
	struct deferred_free_stats stats;

	raw_spin_lock(&dfl->lock);
	nr_items = dfl->nr_items;
	nr_pages = dfl->nr_pages;
	inflight = dfl->inflight_pages;
	stats = dfl->stats;
	raw_spin_unlock(&dfl->lock);

	seq_printf(m, "queued_items: %lu\n", nr_items);
	seq_printf(m, "queued_pages: %lu\n", nr_pages);
	seq_printf(m, "inflight_pages: %lu\n", inflight);
	seq_printf(m, "batches: %lu\n", stats.batches);
	seq_printf(m, "freed_items: %lu\n", stats.freed_items);
	seq_printf(m, "freed_pages: %lu\n", stats.freed_pages);
	seq_printf(m, "shrunk_items: %lu\n", stats.shrunk_items);
	seq_printf(m, "shrunk_pages: %lu\n", stats.shrunk_pages);
	seq_printf(m, "reused_items: %lu\n", stats.reused_items);
	seq_printf(m, "reused_pages: %lu\n", stats.reused_pages);
	seq_printf(m, "direct_items: %lu\n", stats.direct_items);
	seq_printf(m, "direct_pages: %lu\n", stats.direct_pages);
	seq_printf(m, "max_queued_pages: %lu\n", stats.max_queued_pages);
	seq_printf(m, "cap_pages: %lu\n", deferred_free_cap());
	seq_printf(m, "thread_pid: %d\n", task_pid_nr(dfl->thread));

	return 0;
}
DEFINE_SHOW_ATTRIBUTE(deferred_free_stats);

/*
 * Freeing is background work: SCHED_IDLE runs it when nothing else wants the
 * CPU. Should the class not be set, the kthread still works, at normal
 * priority.
 */
static void deferred_free_set_policy(struct task_struct *thread, int policy)
{
	const struct sched_attr attr = { .sched_policy = policy };

	WARN_ON_ONCE(sched_setattr_nocheck(thread, &attr));
}

/**
 * deferred_free_init - set up a deferred-free list and start its kthread
 * @dfl: the list, embedded in the owner's structure
 * @name: names the kthread, the shrinker and the debugfs directory; must
 *	  stay valid until deferred_free_fini()
 * @free: frees about *@nr_pages pages of an item, in whole blocks: at
 *	  least one block, and sets *@nr_pages to the pages it freed. It
 *	  returns true once it freed the item's last block and the object
 *	  with it (the helper then never touches the item again), false while
 *	  blocks are left; the pages it frees over all calls add up to the
 *	  nr_pages given to deferred_free(). Called with the reason:
 *	  for %DEFERRED_FREE_NORMAL from the kthread, in process context
 *	  where it may sleep; for %DEFERRED_FREE_PRESSURE from memory
 *	  reclaim, from deferred_free_fini() or from deferred_free() when the
 *	  backlog is at its cap, where it must neither sleep nor allocate
 *	  memory. A %DEFERRED_FREE_NORMAL call may put the rest of the item
 *	  back early with deferred_free_put_back()
 *
 * On failure the list is left so that deferred_free_fini() is a no-op on it.
 *
 * Context: Process context, may sleep.
 * Return: 0 on success, -EINVAL if @name or @free is missing, -ENOMEM or
 * another negative error code if the shrinker or the kthread could not be
 * created.
 */
int deferred_free_init(struct deferred_free_list *dfl, const char *name,
		       bool (*free)(struct deferred_free_list *dfl,
				    struct deferred_free_item *item,
				    enum deferred_free_reason reason,
				    unsigned long *nr_pages))
{
	struct task_struct *thread;
	int err;

	might_sleep();

	dfl->thread = NULL;
	dfl->shrinker = NULL;
	dfl->debugfs = NULL;
	dfl->free = NULL;
	if (WARN_ON_ONCE(!name || !free))
		return -EINVAL;

	dfl->name = name;
	dfl->free = free;
	init_waitqueue_head(&dfl->wait);
	dfl->wake_work = IRQ_WORK_INIT_LAZY(deferred_free_wake_work);
	raw_spin_lock_init(&dfl->lock);
	INIT_LIST_HEAD(&dfl->items);
	dfl->nr_items = 0;
	dfl->nr_pages = 0;
	dfl->inflight_pages = 0;
	dfl->flight = NULL;
	memset(&dfl->stats, 0, sizeof(dfl->stats));

	dfl->shrinker = shrinker_alloc(0, "deferred-free-%s", name);
	if (!dfl->shrinker)
		return -ENOMEM;
	dfl->shrinker->count_objects = deferred_free_shrinker_count;
	dfl->shrinker->scan_objects = deferred_free_shrinker_scan;
	dfl->shrinker->private_data = dfl;
	/* Queued objects are garbage: cheap to give up, as pooled pages */
	dfl->shrinker->seeks = 1;

	thread = deferred_free_create_thread(dfl);
	if (IS_ERR(thread)) {
		err = PTR_ERR(thread);
		goto err_free_shrinker;
	}
	deferred_free_set_policy(thread, SCHED_IDLE);
	dfl->thread = thread;

	shrinker_register(dfl->shrinker);
	wake_up_process(thread);

	/* debugfs is best effort: its functions cope with an error dentry */
	dfl->debugfs = debugfs_create_dir(name, deferred_free_debugfs_root);
	debugfs_create_file("stats", 0444, dfl->debugfs, dfl,
			    &deferred_free_stats_fops);

	return 0;

err_free_shrinker:
	shrinker_free(dfl->shrinker);
	dfl->shrinker = NULL;
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(deferred_free_init);

/**
 * deferred_free_fini - stop the kthread and free what is still queued
 * @dfl: the list; it may be zeroed, failed init or already torn down
 *
 * Remove the shrinker, stop the kthread after the block it is freeing,
 * then free every item still queued with %DEFERRED_FREE_PRESSURE. No
 * deferred_free(), deferred_free_claim(), deferred_free_unclaim() or
 * deferred_free_kick() on @dfl may run concurrently or follow, except after
 * a new deferred_free_init().
 *
 * Context: Process context, may sleep.
 */
void deferred_free_fini(struct deferred_free_list *dfl)
{
	might_sleep();

	if (!dfl->thread)
		return;

	debugfs_remove_recursive(dfl->debugfs);
	dfl->debugfs = NULL;
	/* Waits for a scan in progress */
	shrinker_free(dfl->shrinker);
	dfl->shrinker = NULL;
	/*
	 * With every CPU busy a SCHED_IDLE kthread may not run for seconds:
	 * back to normal priority, so that the stop waits for one bounded
	 * pass at most.
	 */
	deferred_free_set_policy(dfl->thread, SCHED_NORMAL);
	kthread_stop(dfl->thread);
	/* A wake still pending from a tick must not outlive @dfl */
	irq_work_sync(&dfl->wake_work);

	while (deferred_free_batch(dfl, DEFERRED_FREE_BATCH_PAGES,
				   DEFERRED_FREE_PRESSURE))
		cond_resched();
	WARN_ON_ONCE(dfl->nr_items || dfl->nr_pages || dfl->inflight_pages);

	dfl->thread = NULL;
}
EXPORT_SYMBOL_IF_KUNIT(deferred_free_fini);

/* The debugfs root, before the first heap registers at device_initcall */
static int __init deferred_free_debugfs_init(void)
{
	deferred_free_debugfs_root = debugfs_create_dir("deferred_free", NULL);

	return 0;
}
subsys_initcall(deferred_free_debugfs_init);
