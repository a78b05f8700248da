/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Deferred freeing of dma-buf heap buffers by a kthread, with a shrinker
 * that returns them to the system at once under memory pressure.
 */

#ifndef _DMA_HEAP_DEFERRED_FREE_HELPER_H
#define _DMA_HEAP_DEFERRED_FREE_HELPER_H

#include <linux/compiler_types.h>
#include <linux/irq_work_types.h>
#include <linux/list.h>
#include <linux/spinlock_types.h>
#include <linux/types.h>
#include <linux/wait.h>

struct dentry;
struct shrinker;
struct task_struct;

/*
 * A pass of the kthread frees this many pages, or what is queued if less,
 * plus at most one block.
 */
#define DEFERRED_FREE_BATCH_PAGES	256UL

/**
 * enum deferred_free_reason - why an item is being freed
 * @DEFERRED_FREE_NORMAL: The list's kthread frees it while memory is not
 *	short: the owner may recycle the memory, e.g. zero it and pool it.
 * @DEFERRED_FREE_PRESSURE: The system wants the memory now (the list's
 *	shrinker runs in memory reclaim, the list is torn down, or its backlog
 *	is at its cap): give the pages straight back to the system, without
 *	zeroing or pooling them.
 */
enum deferred_free_reason {
	DEFERRED_FREE_NORMAL,
	DEFERRED_FREE_PRESSURE,
};

/**
 * struct deferred_free_item - an object waiting on a deferred-free list
 *
 * Embed it in the object to free and find the object in the list's free
 * callback with container_of(). Set up by deferred_free(); all members are
 * private to the helper.
 */
struct deferred_free_item {
	/* private: */
	/* on &deferred_free_list.items, under its lock */
	struct list_head link;
	/* pages the object still holds, kept by the helper */
	unsigned long nr_pages;
};

/**
 * struct deferred_free_stats - work done by a deferred-free list
 *
 * Read under &deferred_free_list.lock, or with READ_ONCE() for a snapshot;
 * shown in debugfs.
 */
struct deferred_free_stats {
	/** @batches: passes of the kthread over the list */
	unsigned long batches;
	/**
	 * @freed_items: items whose last block the kthread freed, as
	 * DEFERRED_FREE_NORMAL
	 */
	unsigned long freed_items;
	/** @freed_pages: pages the kthread freed, of whole items or parts */
	unsigned long freed_pages;
	/**
	 * @shrunk_items: items freed as DEFERRED_FREE_PRESSURE, by the
	 * shrinker or at teardown
	 */
	unsigned long shrunk_items;
	/**
	 * @shrunk_pages: pages freed as DEFERRED_FREE_PRESSURE by the shrinker
	 * or at teardown, of whole items or parts
	 */
	unsigned long shrunk_pages;
	/**
	 * @reused_items: items whose last block their owner took back
	 * through deferred_free_claim()
	 */
	unsigned long reused_items;
	/**
	 * @reused_pages: pages owners took back through
	 * deferred_free_claim(), of whole items or parts
	 */
	unsigned long reused_pages;
	/**
	 * @direct_items: items deferred_free() freed at once, as
	 * DEFERRED_FREE_PRESSURE, because the backlog was at its cap
	 */
	unsigned long direct_items;
	/** @direct_pages: pages of @direct_items */
	unsigned long direct_pages;
	/**
	 * @max_queued_pages: the most pages ever held against the cap at
	 * once, queued or in flight, as seen when an object was queued
	 */
	unsigned long max_queued_pages;
};

/**
 * struct deferred_free_list - objects to free in the background
 *
 * Initialise it with deferred_free_init(), queue objects with
 * deferred_free() and tear it down with deferred_free_fini(). All members
 * are private to the helper.
 */
struct deferred_free_list {
	/* private: */
	/* set at init, read-only afterwards */
	const char *name;
	bool (*free)(struct deferred_free_list *dfl,
		     struct deferred_free_item *item,
		     enum deferred_free_reason reason,
		     unsigned long *nr_pages);
	/* NULL before init, after a failed init and after fini */
	struct task_struct *thread;
	struct shrinker *shrinker;
	struct dentry *debugfs;
	/* the kthread sleeps here while @items is empty */
	wait_queue_head_t wait;
	/*
	 * wakes the kthread from the next tick of the CPU that queued an
	 * object onto an empty list
	 */
	struct irq_work wake_work;
	/*
	 * The kthread's own: the item in its free callback and the pages it
	 * held, until deferred_free_put_back() returns it (then NULL, with
	 * the pages the callback took)
	 */
	struct deferred_free_item *flight;
	unsigned long flight_left;
	unsigned long flight_taken;

	/* protects everything below */
	raw_spinlock_t lock;
	/* queued items, oldest first */
	struct list_head items;
	/* items and pages on @items; also read without the lock */
	unsigned long nr_items;
	unsigned long nr_pages;
	/* pages taken off @items and not yet freed, held against the cap */
	unsigned long inflight_pages;
	struct deferred_free_stats stats;
};

int __must_check
deferred_free_init(struct deferred_free_list *dfl, const char *name,
		   bool (*free)(struct deferred_free_list *dfl,
				struct deferred_free_item *item,
				enum deferred_free_reason reason,
				unsigned long *nr_pages));
void deferred_free_fini(struct deferred_free_list *dfl);

void deferred_free(struct deferred_free_list *dfl,
		   struct deferred_free_item *item, unsigned long nr_pages);
struct deferred_free_item *deferred_free_claim(struct deferred_free_list *dfl);
void deferred_free_unclaim(struct deferred_free_list *dfl,
			   struct deferred_free_item *item,
			   unsigned long used, bool done);
void deferred_free_kick(struct deferred_free_list *dfl);
bool deferred_free_put_back(struct deferred_free_list *dfl,
			    struct deferred_free_item *item,
			    unsigned long taken);

#if IS_ENABLED(CONFIG_KUNIT)
/* Internals only the KUnit suite reaches, see include/kunit/visibility.h */
struct task_struct *deferred_free_create_thread(struct deferred_free_list *dfl);
unsigned long deferred_free_cap(void);
bool deferred_free_wakes_at_once(unsigned long nr_pages, bool preempt_rt);
#endif

#endif /* _DMA_HEAP_DEFERRED_FREE_HELPER_H */
