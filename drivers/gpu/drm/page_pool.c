// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The zeroing give, the pool types' per-order lists and the shrinker's
 * release of the coldest pages come from drivers/gpu/drm/ttm/ttm_pool.c,
 * whose notice follows:
 *
 * Copyright 2020 Advanced Micro Devices, Inc.
 *
 * Permission is hereby granted, free of charge, to any person obtaining a
 * copy of this software and associated documentation files (the "Software"),
 * to deal in the Software without restriction, including without limitation
 * the rights to use, copy, modify, merge, publish, distribute, sublicense,
 * and/or sell copies of the Software, and to permit persons to whom the
 * Software is furnished to do so, subject to the following conditions:
 *
 * The above copyright notice and this permission notice shall be included in
 * all copies or substantial portions of the Software.
 *
 * THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
 * IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
 * FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT.  IN NO EVENT SHALL
 * THE COPYRIGHT HOLDER(S) OR AUTHOR(S) BE LIABLE FOR ANY CLAIM, DAMAGES OR
 * OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE,
 * ARISING FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR
 * OTHER DEALINGS IN THE SOFTWARE.
 */

/*
 * GPU memory managers keep free pages around because getting a page ready for
 * a GPU is dearer than getting it from the buddy allocator: TTM changes the
 * caching of the linear map (a TLB shootdown on every CPU) or allocates
 * coherent DMA memory, and the dma-buf system heap wants high-order blocks
 * that take the buddy allocator long to assemble. Each kept a pool of its
 * own, with its own limit and its own shrinker, blind to the others. This
 * file gives them one pool implementation, one limit and one shrinker.
 */

#define pr_fmt(fmt) "drm_page_pool: " fmt

#include <linux/atomic.h>
#include <linux/cpuset.h>
#include <linux/debugfs.h>
#include <linux/highmem.h>
#include <linux/init.h>
#include <linux/jiffies.h>
#include <linux/lockdep.h>
#include <linux/mempolicy.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/nodemask.h>
#include <linux/sched/mm.h>
#include <linux/seq_file.h>
#include <linux/shrinker.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/swap.h>
#include <linux/wait_bit.h>
#include <linux/workqueue.h>

#include <kunit/static_stub.h>
#include <kunit/visibility.h>

#include <drm/drm_page_pool.h>

#define CREATE_TRACE_POINTS
#include "page_pool_trace.h"

/*
 * The object is built in and its file name is shared with the networking
 * page pool, so name the parameters explicitly.
 */
#undef MODULE_PARAM_PREFIX
#define MODULE_PARAM_PREFIX "drm_page_pool."

/**
 * DOC: overview
 *
 * A &struct drm_page_pool holds free blocks of 2^order pages of one kind,
 * kept per NUMA node. A user (TTM, the dma-buf system heap) embeds as many
 * pools as it has kinds of pages: one per caching mode, per device, per
 * order. drm_page_pool_take() hands out a pooled block or NULL, and the user
 * then allocates from the system itself, as only it knows how (alloc_pages(),
 * dma_alloc_attrs(), ...). drm_page_pool_give() puts a block the user no
 * longer needs into the pool. Blocks leave a pool for the system through the
 * pool's &drm_page_pool_ops.release hook, which undoes whatever the user did
 * to the pages (caching attributes, DMA allocation).
 *
 * Zeroing: every block handed out by drm_page_pool_take() is zeroed. The
 * pool zeroes each block once, in drm_page_pool_give(), so that a warm take
 * is a list pop and the cost of clearing is paid by the caller that freed the
 * memory, off the allocation path. Nothing a user wrote ever reaches another
 * user, and a block is never zeroed twice by the pool. After a miss, the
 * user asks the system for zeroed memory itself (__GFP_ZERO): the pool zeroes
 * what is given to it, not what the system hands out.
 *
 * Pages: while a block is in a pool the core uses page->lru of its first
 * page to link it; it touches no other field, so page->private and the
 * remaining pages stay the user's. A block is either a compound page of the
 * pool's order (__GFP_COMP) or a non-compound high-order block; the core
 * treats both alike. Highmem pages are zeroed through kmap_local_page().
 *
 * NUMA: a block is pooled on the node of its pages. A take names the nodes
 * it may use and the node to look at first; NULL stands for the nodes the
 * current task may allocate from under its cpuset and memory policy, as
 * alloc_pages() honours them for a user allocation, so that such a take
 * never hands a task a block of a node its cpuset or policy rules out.
 * Other nodes are looked at in ascending order, not by distance.
 *
 * Limits: all pools together are held to one global limit, and the pools
 * of a &struct drm_page_pool_group (TTM's) to the group's limit as well, see
 * `Limits`_. A give always pools its block first; the pools over a limit
 * then shrink, the idlest first.
 *
 * Shrinker: one NUMA-aware shrinker, "drm-page-pool", serves all pools. Its
 * count is one atomic read of the node's page counter; its scan visits the
 * pools in turn, releasing the coldest blocks of the node being reclaimed.
 *
 * Accounting: pooled pages are allocated kernel pages. They are not counted
 * as free memory, nor as reclaimable slab (no double counting with
 * SReclaimable), nor in MemAvailable; they count in the node counter
 * NR_GPU_RECLAIM of their node, shown as GPUReclaim in /proc/meminfo and
 * in /sys/devices/system/node/nodeN/meminfo, as nr_gpu_reclaim in vmstat
 * and as gpu_reclaim in the OOM report, from the moment a give links them
 * until a take or a release unlinks them, whatever pool they are in. Users
 * count the pages they hold in NR_GPU_ACTIVE as they see fit (TTM counts
 * its tts' pages). Per pool and per node, the amount is in
 * /sys/kernel/debug/drm_page_pool/pools, and in the count file of the
 * shrinker under /sys/kernel/debug/shrinker/. Takes, gives and shrinks are
 * traced under the drm_page_pool trace system. Both name a
 * pool "name@owner" when its user set &drm_page_pool.owner: TTM names the
 * device of a pool of its own, so that two GPUs' pools can be told apart.
 *
 * Teardown: a pool's hooks live in its user's module, so every pool must be
 * finalized before that module goes. A module that defines a group calls
 * drm_page_pool_group_reap() once all the group's pools should be gone (TTM:
 * when its last device goes), which finalizes the ones its users forgot,
 * for the caller to warn about.
 */

/**
 * DOC: limits
 *
 * Two module parameters hold pooled pages to a limit, both in pages and
 * writable at run time:
 *
 * drm_page_pool.pool_limit_pages
 *	All pools together, whatever drivers are loaded. 0 (or nothing) at
 *	boot means half of the RAM present at boot; read back, the parameter
 *	shows the limit in force. 0 written at run time means "keep nothing":
 *	the trim work empties the pools, a block given is released again
 *	(once the other pools are empty, before its give returns), and
 *	drm_page_pool_congested() is true.
 *
 * ttm.page_pool_size
 *	TTM's pools together (a &struct drm_page_pool_group), in addition to
 *	the global limit: the tighter one applies to them. 0 when the first
 *	TTM device comes up means half of the RAM, as in earlier kernels; read
 *	back it shows that value. 0 written at run time means TTM's pools keep
 *	nothing, until the last TTM device goes and another one comes up,
 *	which resolves 0 to half of the RAM again, as earlier kernels did.
 *
 * Either way a give pools its block first, then, while a limit is exceeded,
 * blocks of the pools held to it are released: first those of pools that
 * lower every exceeded limit (a group's pools when the group is over its
 * own limit), among them the pools idle longest (last take oldest), the
 * pool given to last. A give releases about 256 pages at most (or its own
 * block if larger; blocks go whole, so the last one may add less than a
 * block of its pool's order, at most 2^MAX_PAGE_ORDER pages) and leaves
 * the rest to the core's trim work, so one give does bounded work whatever
 * state it finds. With the limits met before it, a give returns with them
 * met again, unless takes race with it and empty the pool it releases from
 * (the trim work then finishes the job). Gives running at the same time may
 * exceed a limit by the blocks they are adding until they return.
 * Lowering a parameter trims the pools from the trim work, in batches of
 * 256 pages with a chance to reschedule between batches. A pool being torn
 * down stops counting against the limits when drm_page_pool_fini() unlinks
 * it.
 */

/**
 * DOC: locking
 *
 * Two kinds of spinlocks, taken in this order:
 *
 * 1. drm_page_pool_lock, global: the list of live pools, each pool's link on
 *    it and its busy count.
 * 2. &drm_page_pool.lock, one per pool: its per-node lists, block counts,
 *    statistics and time of last take.
 *
 * Neither is held while a block is zeroed or released, so release hooks may
 * sleep and the shrinker never waits for a lock a reclaimer may hold. The
 * global page counters are atomics, changed under the pool lock together
 * with the lists and read without locks by the shrinker's count.
 *
 * The shrinker and the limits pick a pool under drm_page_pool_lock and raise
 * its busy count before dropping the lock. drm_page_pool_fini() unlinks the
 * pool and, under its lock nested inside the list lock, takes its pages out
 * of the shared counters and marks it dying, so that a shrink still running
 * on it does not count them twice; then it waits until the busy count drops
 * to zero before releasing the remaining blocks. So a pool is never freed
 * while it is being shrunk, and no release hook runs after
 * drm_page_pool_fini() returned. The trim work pins pools as the shrinker
 * does and is never waited for.
 *
 * Lockdep sees the pin as a lock of its own class per drm_page_pool_init()
 * call site: release hooks run with it held for reading, and fini acquires
 * it for writing around its wait, so a hook that takes a lock held across
 * fini, or a fini under a lock that reclaim takes, is reported as the
 * deadlock it is.
 *
 * drm_page_pool_take() and drm_page_pool_give() on one pool may run
 * concurrently from any number of threads; drm_page_pool_init() and
 * drm_page_pool_fini() must not race with other calls on the same pool.
 */

/* Blocks released from one pool before the shrinker moves on to the next */
#define DRM_PAGE_POOL_SCAN_BLOCKS	64UL

/* Pages zeroed by a give between two chances to reschedule (power of 2) */
#define DRM_PAGE_POOL_CLEAR_BATCH	64U

/* Pages the debugfs shrink file asks the shrinker for, as mm's SHRINK_BATCH */
#define DRM_PAGE_POOL_SHRINK_BATCH	128

/*
 * Pages a give releases at most to bring the pools back under their limits,
 * or its own block if larger; the trim work releases the rest in batches of
 * the same size, DRM_PAGE_POOL_TRIM_RUN batches before it requeues itself.
 */
#define DRM_PAGE_POOL_TRIM_PAGES	256UL
#define DRM_PAGE_POOL_TRIM_RUN		16

/* How long a shrinker call from reclaim makes the pools congested */
#define DRM_PAGE_POOL_RECLAIM_HOLDOFF	(HZ / 10)

/* Protects drm_page_pool_list and pools' link and busy; outer to pool->lock */
static DEFINE_SPINLOCK(drm_page_pool_lock);
static LIST_HEAD(drm_page_pool_list);

/* Pages in all pools, and per node; static, so that nothing can fail */
static atomic_long_t drm_page_pool_pages;
static atomic_long_t drm_page_pool_node_pages[MAX_NUMNODES];

/* Set once the core is up: parameters may be written before */
static bool drm_page_pool_ready;

static struct shrinker *drm_page_pool_shrinker;
static struct dentry *drm_page_pool_debugfs_root;

/* 64-bit jiffies until which the last shrinker call from reclaim counts */
static atomic64_t drm_page_pool_reclaim_until = ATOMIC64_INIT(0);

static void drm_page_pool_trim_fn(struct work_struct *work);
/* Brings the pools under their limits; never flushed or cancelled */
static DECLARE_WORK(drm_page_pool_trim_work, drm_page_pool_trim_fn);

/* 0 until the core is up, then the limit in force, see DOC: limits */
static unsigned long drm_page_pool_limit_param;

static int drm_page_pool_limit_set(const char *val,
				   const struct kernel_param *kp)
{
	int ret = param_set_ulong(val, kp);

	if (!ret)
		drm_page_pool_limit_changed();
	return ret;
}

/*
 * The ops of a parameter holding a pool limit: an unsigned long in pages, as
 * param_ops_ulong, whose writes call drm_page_pool_limit_changed(). The
 * core's pool_limit_pages and TTM's page_pool_size (a group limit) use them.
 */
const struct kernel_param_ops drm_page_pool_limit_param_ops = {
	.set = drm_page_pool_limit_set,
	.get = param_get_ulong,
};
EXPORT_SYMBOL(drm_page_pool_limit_param_ops);

module_param_cb(pool_limit_pages, &drm_page_pool_limit_param_ops,
		&drm_page_pool_limit_param, 0644);
MODULE_PARM_DESC(pool_limit_pages,
		 "Most pages all GPU page pools hold together (0 at boot: half of RAM; 0 at run time: keep nothing)");

/* The limit in force now; the parameter may change at any time */
static unsigned long drm_page_pool_limit(void)
{
	return READ_ONCE(drm_page_pool_limit_param);
}

/* Pages by which @pages exceeds @limit, 0 if it does not */
static unsigned long drm_page_pool_excess(long pages, unsigned long limit)
{
	return (unsigned long)pages > limit ? pages - limit : 0;
}

/* Pages by which @group exceeds its own limit; 0 for no group */
static unsigned long
drm_page_pool_group_excess(const struct drm_page_pool_group *group)
{
	if (!group)
		return 0;
	return drm_page_pool_excess(atomic_long_read(&group->pages),
				    READ_ONCE(*group->limit));
}

/* Whether @extra more pages in @pool would exceed a limit @pool is held to */
static bool drm_page_pool_over_limit(const struct drm_page_pool *pool,
				     unsigned long extra)
{
	const struct drm_page_pool_group *group = pool->ops->group;

	if (drm_page_pool_excess(atomic_long_read(&drm_page_pool_pages) + extra,
				 drm_page_pool_limit()))
		return true;
	return group &&
	       drm_page_pool_excess(atomic_long_read(&group->pages) + extra,
				    READ_ONCE(*group->limit));
}

/**
 * drm_page_pool_limit_changed - bring all pools under changed limits
 *
 * Queue the core's trim work, which releases the blocks of the idlest pools
 * over the global limit or their group's limit in bounded batches. The set
 * operation of a parameter holding a limit calls this; a lowered limit
 * otherwise takes effect at the next give. Does nothing before the core is
 * up, as parameters given at boot are set before workqueues exist.
 *
 * Context: Any context.
 */
void drm_page_pool_limit_changed(void)
{
	if (READ_ONCE(drm_page_pool_ready))
		queue_work(system_unbound_wq, &drm_page_pool_trim_work);
}
EXPORT_SYMBOL(drm_page_pool_limit_changed);

/**
 * drm_page_pool_congested - whether a block given now would soon leave
 * @pool: the pool the caller would give to
 *
 * A block given to @pool now would push the pools over the global limit or
 * @pool's group limit, or memory reclaim asked the shrinker for its count
 * (which it does whether the pools hold anything or not) within the last
 * 100 ms. A user that may choose between pooling a block and handing it to
 * the system directly (a deferred free, say) stops giving while this is
 * true, so that it does not zero memory reclaim is about to take. A give
 * always pools its block whatever this says.
 *
 * Context: Any context; reads counters without locks.
 * Return: true if the caller should hand blocks to the system instead.
 */
bool drm_page_pool_congested(const struct drm_page_pool *pool)
{
	if (drm_page_pool_over_limit(pool, 1UL << pool->order))
		return true;
	return time_before64(get_jiffies_64(),
			     (u64)atomic64_read(&drm_page_pool_reclaim_until));
}
EXPORT_SYMBOL(drm_page_pool_congested);

#if IS_ENABLED(CONFIG_KUNIT)
/**
 * drm_page_pool_set_limit - set the global limit, for tests only
 * @pages: the new limit in pages, 0 to keep nothing
 *
 * As writing the parameter: the trim work brings the pools under the new
 * limit; drm_page_pool_trim_flush() waits for it.
 *
 * Return: the previous limit.
 */
unsigned long drm_page_pool_set_limit(unsigned long pages)
{
	unsigned long old = xchg(&drm_page_pool_limit_param, pages);

	drm_page_pool_limit_changed();
	return old;
}
EXPORT_SYMBOL_IF_KUNIT(drm_page_pool_set_limit);

/**
 * drm_page_pool_trim_flush - wait for the trim work, for tests only
 */
void drm_page_pool_trim_flush(void)
{
	/* The work requeues itself after a run of batches */
	do {
		flush_work(&drm_page_pool_trim_work);
	} while (work_pending(&drm_page_pool_trim_work));
}
EXPORT_SYMBOL_IF_KUNIT(drm_page_pool_trim_flush);

/**
 * drm_page_pool_forget_reclaim - forget the last shrinker call from reclaim,
 * for tests only
 */
void drm_page_pool_forget_reclaim(void)
{
	atomic64_set(&drm_page_pool_reclaim_until, 0);
}
EXPORT_SYMBOL_IF_KUNIT(drm_page_pool_forget_reclaim);
#endif

/* The list of @pool for node @nid, NULL if the pool keeps none for it */
static struct drm_page_pool_node *drm_page_pool_node(struct drm_page_pool *pool,
						     int nid)
{
	return nid < pool->nr_nodes ? &pool->nodes[nid] : NULL;
}

/*
 * Count @pages more (or fewer) pages of @pool on node @nid in the counters
 * the limits and the shrinker read. A dying pool's pages were taken out of
 * them when fini unlinked it.
 */
static __always_inline void
drm_page_pool_account_locked(struct drm_page_pool *pool, int nid, long pages)
{
	struct drm_page_pool_group *group = pool->ops->group;

	lockdep_assert_held(&pool->lock);

	if (pool->dying)
		return;
	atomic_long_add(pages, &drm_page_pool_node_pages[nid]);
	atomic_long_add(pages, &drm_page_pool_pages);
	if (group)
		atomic_long_add(pages, &group->pages);
}

/*
 * Count @pages more (or fewer) pages of node @nid in NR_GPU_RECLAIM
 * (GPUReclaim in /proc/meminfo). Every page on a pool's lists counts, a
 * dying pool's too, until it leaves the lists: the three helpers below
 * that link, pop and cut blocks are the only places that do.
 */
static __always_inline void drm_page_pool_count_reclaim(int nid, long pages)
{
	drm_page_pool_count_node(NODE_DATA(nid), NR_GPU_RECLAIM, pages);
}

/* Link @page into its node's list of @pool, keeping every count in step */
static void drm_page_pool_link_locked(struct drm_page_pool *pool,
				      struct page *page)
{
	int nid = page_to_nid(page);
	struct drm_page_pool_node *node = &pool->nodes[nid];
	long nr = 1L << pool->order;

	lockdep_assert_held(&pool->lock);

	list_add(&page->lru, &node->pages);
	WRITE_ONCE(node->count, node->count + 1);
	WRITE_ONCE(pool->count, pool->count + 1);
	drm_page_pool_account_locked(pool, nid, nr);
	drm_page_pool_count_reclaim(nid, nr);
}

/* Take the most recently given block of node @nid, the warmest in cache */
static __always_inline struct page *
drm_page_pool_pop_locked(struct drm_page_pool *pool, int nid)
{
	struct drm_page_pool_node *node = drm_page_pool_node(pool, nid);
	long nr = 1L << pool->order;
	struct page *page;

	lockdep_assert_held(&pool->lock);

	if (!node)
		return NULL;
	page = list_first_entry_or_null(&node->pages, struct page, lru);
	if (!page)
		return NULL;

	list_del(&page->lru);
	WRITE_ONCE(node->count, node->count - 1);
	WRITE_ONCE(pool->count, pool->count - 1);
	drm_page_pool_account_locked(pool, nid, -nr);
	drm_page_pool_count_reclaim(nid, -nr);

	return page;
}

/*
 * Move up to @nr of the coldest blocks of node @nid to @victims, cutting the
 * list once and updating each count once: the whole list in one splice if
 * @nr covers it, else a walk of @nr entries. Return the blocks moved.
 */
static unsigned long
drm_page_pool_cut_coldest_locked(struct drm_page_pool *pool, int nid,
				 unsigned long nr, struct list_head *victims)
{
	struct drm_page_pool_node *node = drm_page_pool_node(pool, nid);
	struct list_head *first;
	unsigned long n;
	LIST_HEAD(keep);
	long pages;

	lockdep_assert_held(&pool->lock);

	if (!node)
		return 0;
	first = &node->pages;
	if (nr >= node->count) {
		n = node->count;
		list_splice_tail_init(&node->pages, victims);
	} else {
		for (n = 0; n < nr; n++)
			first = first->prev;
		list_cut_before(&keep, &node->pages, first);
		list_splice_tail_init(&node->pages, victims);
		list_splice(&keep, &node->pages);
	}
	if (!n)
		return 0;

	pages = n << pool->order;
	WRITE_ONCE(node->count, node->count - n);
	WRITE_ONCE(pool->count, pool->count - n);
	drm_page_pool_account_locked(pool, nid, -pages);
	drm_page_pool_count_reclaim(nid, -pages);

	return n;
}

/*
 * Hand one block that left @pool back to the system, inside the pool's pin
 * as lockdep sees it: fini waits for the hook, as a writer for readers.
 */
static void drm_page_pool_free_block(struct drm_page_pool *pool,
				     struct page *page)
{
	lock_map_acquire_read(&pool->pin_map);
	if (pool->ops->release)
		pool->ops->release(pool, page);
	else
		__free_pages(page, pool->order);
	lock_map_release(&pool->pin_map);
}

/*
 * Release up to @nr_blocks blocks of node @nid (NUMA_NO_NODE: any node),
 * coldest first, through the release hook. Return the pages released.
 */
static unsigned long drm_page_pool_release(struct drm_page_pool *pool,
					   int nid, unsigned long nr_blocks)
{
	int first = nid == NUMA_NO_NODE ? 0 : nid;
	int last = nid == NUMA_NO_NODE ? pool->nr_nodes - 1 : nid;
	unsigned long blocks = 0;
	struct page *page, *next;
	LIST_HEAD(victims);
	int n;

	spin_lock(&pool->lock);
	for (n = first; n <= last && blocks < nr_blocks; n++)
		blocks += drm_page_pool_cut_coldest_locked(pool, n,
							   nr_blocks - blocks,
							   &victims);
	pool->shrunk += blocks << pool->order;
	spin_unlock(&pool->lock);

	/*
	 * Outside the lock, as hooks may sleep (dma_free_attrs()), with a
	 * chance to reschedule after each block: fini may release thousands.
	 * page->lru is not unlinked: the block is the hook's from here on.
	 */
	list_for_each_entry_safe(page, next, &victims, lru) {
		drm_page_pool_free_block(pool, page);
		cond_resched();
	}

	return blocks << pool->order;
}

/* Pin @pool against drm_page_pool_fini() across a drop of the list lock */
static void drm_page_pool_get_locked(struct drm_page_pool *pool)
{
	lockdep_assert_held(&drm_page_pool_lock);

	pool->busy++;
}

/*
 * Unpin @pool; the last unpin lets a waiting drm_page_pool_fini() go on.
 * Decrement and wake-up both happen under the list lock, which fini takes to
 * read the count, so fini cannot return (and the pool be freed) while this
 * still touches the pool.
 */
static void drm_page_pool_put(struct drm_page_pool *pool)
{
	spin_lock(&drm_page_pool_lock);
	if (!--pool->busy)
		wake_up_var(&pool->busy);
	spin_unlock(&drm_page_pool_lock);
}

/* Whether no shrink pins @pool any more; takes the list lock */
static bool drm_page_pool_idle(struct drm_page_pool *pool)
{
	bool idle;

	spin_lock(&drm_page_pool_lock);
	idle = !pool->busy;
	spin_unlock(&drm_page_pool_lock);

	return idle;
}

/* The per-node lists of a pool on a NUMA machine; KUnit injects failures */
VISIBLE_IF_KUNIT struct drm_page_pool_node *drm_page_pool_alloc_nodes(int nr)
{
	KUNIT_STATIC_STUB_REDIRECT(drm_page_pool_alloc_nodes, nr);
	return kcalloc(nr, sizeof(struct drm_page_pool_node),
		       GFP_KERNEL | __GFP_NOWARN);
}
EXPORT_SYMBOL_IF_KUNIT(drm_page_pool_alloc_nodes);

/**
 * __drm_page_pool_init - initialise a pool; use drm_page_pool_init()
 * @pool: the pool
 * @order: the order of its blocks
 * @ops: its ops
 * @owner: its owner, or NULL
 * @name: the lockdep name of its pin
 * @key: the lockdep class of its pin, one per call site
 *
 * Return: as drm_page_pool_init().
 */
int __drm_page_pool_init(struct drm_page_pool *pool, unsigned int order,
			 const struct drm_page_pool_ops *ops,
			 const char *owner, const char *name,
			 struct lock_class_key *key)
{
	struct drm_page_pool_node *nodes = NULL;
	int nid;

	might_sleep();

	pool->nodes = NULL;
	pool->nr_nodes = 0;
	pool->owner = NULL;
	if (WARN_ON_ONCE(order > MAX_PAGE_ORDER || !ops))
		return -EINVAL;

	/* One node: the embedded list. Without memory for more: node 0 only */
	pool->nr_nodes = 1;
	if (nr_node_ids > 1) {
		nodes = drm_page_pool_alloc_nodes(nr_node_ids);
		if (nodes)
			pool->nr_nodes = nr_node_ids;
		else
			pr_warn_once("no memory for per-node lists: pools keep node 0's blocks only\n");
	}
	if (!nodes)
		nodes = &pool->node0;
	for (nid = 0; nid < pool->nr_nodes; nid++) {
		INIT_LIST_HEAD(&nodes[nid].pages);
		nodes[nid].count = 0;
	}

	pool->order = order;
	pool->owner = owner && *owner ? owner : NULL;
	pool->ops = ops;
	pool->busy = 0;
	lockdep_init_map(&pool->pin_map, name, key, 0);
	spin_lock_init(&pool->lock);
	pool->nodes = nodes;
	pool->count = 0;
	pool->last_take = get_jiffies_64();
	pool->hits = 0;
	pool->misses = 0;
	pool->shrunk = 0;
	pool->dying = false;

	spin_lock(&drm_page_pool_lock);
	list_add_tail(&pool->link, &drm_page_pool_list);
	spin_unlock(&drm_page_pool_lock);

	return 0;
}
EXPORT_SYMBOL(__drm_page_pool_init);

/* Where a take looks: @first, then every other node both masks allow */
struct drm_page_pool_where {
	int first;
	/* NULL: any node */
	const nodemask_t *cpuset;
	const nodemask_t *policy;
};

static bool drm_page_pool_where_allows(const struct drm_page_pool_where *w,
				       int nid)
{
	return (!w->cpuset || node_isset(nid, *w->cpuset)) &&
	       (!w->policy || node_isset(nid, *w->policy));
}

/*
 * The nodes alloc_pages() would use for a task with memory policy @pol (NULL:
 * none) and cpuset nodes @mems (NULL: any), as mm/mempolicy.c's
 * policy_nodemask() picks them, with the policy's nodes as a set: a policy
 * that names nodes is served from those nodes only, and one the allocator
 * ignores (nodes outside the cpuset, a bind to movable memory only) is
 * ignored here too. The interleave cursor is neither read nor advanced.
 */
static void drm_page_pool_policy_where(struct drm_page_pool_where *w, int nid,
				       const struct mempolicy *pol,
				       const nodemask_t *mems)
{
	w->first = nid != NUMA_NO_NODE ? nid : numa_mem_id();
	w->cpuset = mems;
	w->policy = NULL;
#ifdef CONFIG_NUMA
	if (likely(!pol) || pol->mode == MPOL_LOCAL)
		return;
	if (mems && !nodes_intersects(pol->nodes, *mems))
		return;
	if (pol->mode == MPOL_BIND &&
	    !nodes_intersects(pol->nodes, node_states[N_HIGH_MEMORY]))
		return;
	w->policy = &pol->nodes;
	if (nid != NUMA_NO_NODE)
		return;
	if (pol->mode == MPOL_PREFERRED)
		w->first = first_node(pol->nodes);
	else if ((pol->mode == MPOL_BIND ||
		  pol->mode == MPOL_PREFERRED_MANY) &&
		 pol->home_node != NUMA_NO_NODE)
		w->first = pol->home_node;
#endif
}

/* Pop a block of the first node @w allows that has one, @w->first first */
static noinline struct page *
drm_page_pool_pop_where_locked(struct drm_page_pool *pool,
			       const struct drm_page_pool_where *w)
{
	struct page *page;
	int n;

	/* first_node() of an empty mask is MAX_NUMNODES: range-check it */
	if (w->first >= 0 && w->first < pool->nr_nodes &&
	    drm_page_pool_where_allows(w, w->first)) {
		page = drm_page_pool_pop_locked(pool, w->first);
		if (page)
			return page;
	}
	for (n = 0; n < pool->nr_nodes; n++) {
		if (n == w->first || !drm_page_pool_where_allows(w, n))
			continue;
		page = drm_page_pool_pop_locked(pool, n);
		if (page)
			return page;
	}
	return NULL;
}

/* A take from the nodes @w allows; NULL: node 0, the only node there is */
static __always_inline struct page *
drm_page_pool_take_where(struct drm_page_pool *pool, int nid,
			 const struct drm_page_pool_where *w)
{
	struct page *page = NULL;

	spin_lock(&pool->lock);
	if (!w)
		page = drm_page_pool_pop_locked(pool, 0);
	else if (pool->count)
		page = drm_page_pool_pop_where_locked(pool, w);
	if (page)
		pool->hits++;
	else
		pool->misses++;
	WRITE_ONCE(pool->last_take, get_jiffies_64());
	spin_unlock(&pool->lock);

	trace_drm_page_pool_take(pool, page, nid);

	return page;
}

/* The current task's memory policy; no reference: only the task changes it */
static const struct mempolicy *drm_page_pool_task_policy(void)
{
#ifdef CONFIG_NUMA
	return current->mempolicy;
#else
	return NULL;
#endif
}

/*
 * drm_page_pool_take() on a machine of several nodes, or with @allowed
 * ruling out node 0: out of line, so that its node sets stay off the one
 * node path.
 */
static noinline struct page *
drm_page_pool_take_nodes(struct drm_page_pool *pool, int nid,
			 const nodemask_t *allowed)
{
	struct drm_page_pool_where w = { .first = 0, .cpuset = allowed };

	if (WARN_ON_ONCE(nid != NUMA_NO_NODE &&
			 (nid < 0 || nid >= nr_node_ids)))
		nid = NUMA_NO_NODE;

	if (allowed)
		w.first = nid != NUMA_NO_NODE ? nid : numa_mem_id();
	else
		drm_page_pool_policy_where(&w, nid, drm_page_pool_task_policy(),
					   cpusets_enabled() ?
					   &cpuset_current_mems_allowed : NULL);

	return drm_page_pool_take_where(pool, nid, &w);
}

/**
 * drm_page_pool_take - take a zeroed block from a pool
 * @pool: the pool
 * @nid: the node to look at first, or NUMA_NO_NODE
 * @allowed: the nodes the block may be on, or NULL for the nodes the current
 *	     task may allocate from
 *
 * With @allowed, the pool looks at @nid first (NUMA_NO_NODE: the local
 * memory node) if @allowed holds it, then at the other nodes of @allowed:
 * nodemask_of_node() asks for one node, &node_possible_map for any. With
 * @allowed NULL, it uses the nodes alloc_pages() would use for the current
 * task: those of its cpuset and, if its memory policy names nodes, of the
 * policy, starting at @nid, or at the policy's preferred or home node, or
 * at the local memory node. This mirrors alloc_pages() for a GFP_USER or
 * GFP_HIGHUSER allocation in process context. A policy's nodes are a set
 * here: a task whose policy prefers a node it finds no block on misses, and
 * the caller's alloc_pages() then falls back as the policy says; an
 * interleaving task is served from its nodes, the local one first, without
 * following (or advancing) the interleave.
 *
 * The block is a compound page or not, as it was given. The caller owns it
 * as it did before drm_page_pool_give(), except page->lru of the first page,
 * which holds no meaningful value. A miss is counted, and the caller then
 * allocates from the system as it would without a pool.
 *
 * Context: Process context; takes the pool's spinlock and does not sleep.
 * With @allowed NULL, reads the task's cpuset and policy without locks: a
 * take that races with a change of them may use the old nodes or the new.
 * Return: the first page of a zeroed block of 2^order pages, or NULL if the
 * pool holds none on the nodes allowed.
 */
struct page *drm_page_pool_take(struct drm_page_pool *pool, int nid,
				const nodemask_t *allowed)
{
	/* One node: node 0, which every task may use, if @allowed holds it */
	if (nr_node_ids == 1 && (!allowed || node_isset(0, *allowed))) {
		/* NUMA_NO_NODE or 0, in one unsigned comparison */
		if (WARN_ON_ONCE((unsigned int)nid + 1 > 1))
			nid = NUMA_NO_NODE;
		return drm_page_pool_take_where(pool, nid, NULL);
	}

	return drm_page_pool_take_nodes(pool, nid, allowed);
}
EXPORT_SYMBOL(drm_page_pool_take);

#if IS_ENABLED(CONFIG_KUNIT)
/**
 * drm_page_pool_take_policy - take as a task with a given policy would
 * @pool: the pool
 * @nid: as for drm_page_pool_take()
 * @pol: the memory policy of the task, or NULL for none
 * @mems: the nodes of the task's cpuset, or NULL for any
 *
 * For tests only: drm_page_pool_take() with @allowed NULL, for a task whose
 * policy and cpuset nodes are @pol and @mems, so that a test builds
 * policies without installing them.
 *
 * Return: as drm_page_pool_take().
 */
struct page *drm_page_pool_take_policy(struct drm_page_pool *pool, int nid,
				       const struct mempolicy *pol,
				       const nodemask_t *mems)
{
	struct drm_page_pool_where w;

	drm_page_pool_policy_where(&w, nid, pol, mems);
	return drm_page_pool_take_where(pool, nid, &w);
}
EXPORT_SYMBOL_IF_KUNIT(drm_page_pool_take_policy);
#endif

/*
 * How many of the limits @pool is held to are exceeded (0, 1 or 2), given
 * the global excess @global: the pools whose release lowers more of the
 * exceeded limits go first. Set *@over to the largest excess that applies.
 */
static unsigned int drm_page_pool_limits_over(const struct drm_page_pool *pool,
					      unsigned long global,
					      unsigned long *over)
{
	unsigned long group = drm_page_pool_group_excess(pool->ops->group);

	*over = max(global, group);
	return !!global + !!group;
}

/*
 * Pin the pool to trim next among those holding pages over a limit they are
 * held to: the one that lowers the most exceeded limits (a pool of a group
 * over its limit before a pool outside it, which would lower the global one
 * only), the one idle longest among those; @in_use only if no other pool
 * lowers as many limits, so that the pool in use keeps its warm pages. Set
 * *@excess to the pages by which the limits that apply to it are exceeded.
 * A walk of the pools, never of their blocks. On 32-bit, a torn read of a
 * last_take being written may pick another pool once; that costs a choice,
 * not correctness.
 */
static struct drm_page_pool *
drm_page_pool_get_victim(struct drm_page_pool *in_use, unsigned long *excess)
{
	unsigned int score, best = 0, in_use_score = 0;
	struct drm_page_pool *pool, *victim = NULL;
	unsigned long global, over, in_use_over = 0;

	global = drm_page_pool_excess(atomic_long_read(&drm_page_pool_pages),
				      drm_page_pool_limit());
	spin_lock(&drm_page_pool_lock);
	list_for_each_entry(pool, &drm_page_pool_list, link) {
		if (!READ_ONCE(pool->count))
			continue;
		score = drm_page_pool_limits_over(pool, global, &over);
		if (!score)
			continue;
		if (pool == in_use) {
			in_use_score = score;
			in_use_over = over;
			continue;
		}
		if (score > best ||
		    (score == best && READ_ONCE(pool->last_take) <
				      READ_ONCE(victim->last_take))) {
			victim = pool;
			best = score;
			*excess = over;
		}
	}
	if (in_use_score > best) {
		victim = in_use;
		*excess = in_use_over;
	}
	if (victim)
		drm_page_pool_get_locked(victim);
	spin_unlock(&drm_page_pool_lock);

	return victim;
}

/*
 * Release about @budget pages of the pools over a limit, in the order
 * drm_page_pool_get_victim() picks them, stopping early once no pool is over
 * a limit. A victim's blocks go whole, so the last one may take the release
 * past @budget by less than a block of its order. Return true if the budget
 * ran out with a limit of @in_use still exceeded (always for the trim work,
 * @in_use NULL), or takes emptied a victim under it: the trim work goes on.
 */
static bool drm_page_pool_trim(struct drm_page_pool *in_use,
			       unsigned long budget)
{
	while (budget) {
		unsigned long excess, blocks, released;
		struct drm_page_pool *pool;

		pool = drm_page_pool_get_victim(in_use, &excess);
		if (!pool)
			return false;
		blocks = DIV_ROUND_UP(min(excess, budget), 1UL << pool->order);
		released = drm_page_pool_release(pool, NUMA_NO_NODE, blocks);
		drm_page_pool_put(pool);
		/* Takes emptied the victim: leave the rest to the work */
		if (!released)
			return true;
		budget -= min(budget, released);
	}

	/* The work goes on, unless the give's limits are met again */
	return !in_use || drm_page_pool_over_limit(in_use, 0);
}

/*
 * The trim work: brings the pools back under their limits after a limit was
 * lowered or a give left more than its budget, a batch at a time with a
 * chance to reschedule in between, and requeues itself after a run of
 * batches so that it never holds a worker for long.
 */
static void drm_page_pool_trim_fn(struct work_struct *work)
{
	unsigned int i;

	for (i = 0; i < DRM_PAGE_POOL_TRIM_RUN; i++) {
		if (!drm_page_pool_trim(NULL, DRM_PAGE_POOL_TRIM_PAGES))
			return;
		cond_resched();
	}
	queue_work(system_unbound_wq, work);
}

/**
 * drm_page_pool_give - zero a block and put it into a pool
 * @pool: the pool
 * @page: the first page of a block of 2^order pages the caller owns, on
 *	  any node
 *
 * The block is zeroed, then pooled on the node of its pages: a give always
 * pools its block (but a pool that could not get per-node lists, see
 * drm_page_pool_init(), releases a block of another node than 0 at once).
 * If the pools are now over the global limit or @pool's group limit,
 * blocks of other pools are released to the system, @pool's last, as
 * `Limits`_ describes: about DRM_PAGE_POOL_TRIM_PAGES pages (256) at most,
 * or the size of the block given if larger, and the core's trim work
 * releases the rest. The caller must not touch the block afterwards.
 * drm_page_pool_fini() must not run concurrently.
 *
 * Context: Process context, may sleep: zeroes the block, and enforcing the
 * limit calls release hooks.
 */
void drm_page_pool_give(struct drm_page_pool *pool, struct page *page)
{
	unsigned int i, nr = 1U << pool->order;

	might_sleep();
	VM_WARN_ON_ONCE_PAGE(PageCompound(page) &&
			     compound_order(page) != pool->order, page);

	/* A bug of the caller: the hook may be gone, so leak the block */
	if (WARN_ON_ONCE(!pool->nodes))
		return;
	/* A pool that could not get per-node lists keeps node 0's only */
	if (unlikely(page_to_nid(page) >= pool->nr_nodes)) {
		spin_lock(&pool->lock);
		pool->shrunk += nr;
		spin_unlock(&pool->lock);
		drm_page_pool_free_block(pool, page);
		return;
	}

	for (i = 0; i < nr; i++) {
		clear_highpage(nth_page(page, i));
		/* An order-10 block is 4 MiB: let others run now and then */
		if ((i & (DRM_PAGE_POOL_CLEAR_BATCH - 1)) ==
		    DRM_PAGE_POOL_CLEAR_BATCH - 1)
			cond_resched();
	}

	spin_lock(&pool->lock);
	drm_page_pool_link_locked(pool, page);
	spin_unlock(&pool->lock);

	trace_drm_page_pool_give(pool, page, page_to_nid(page));

	if (unlikely(drm_page_pool_over_limit(pool, 0)) &&
	    drm_page_pool_trim(pool, max_t(unsigned long, nr,
					   DRM_PAGE_POOL_TRIM_PAGES)))
		queue_work(system_unbound_wq, &drm_page_pool_trim_work);
}
EXPORT_SYMBOL(drm_page_pool_give);

/*
 * Take @pool off the list: neither the shrinker nor a limit finds it any
 * more, and its pages no longer count against any limit
 */
static void drm_page_pool_unlink_locked(struct drm_page_pool *pool)
{
	int nid;

	lockdep_assert_held(&drm_page_pool_lock);

	list_del_init(&pool->link);
	spin_lock(&pool->lock);
	for (nid = 0; nid < pool->nr_nodes; nid++)
		drm_page_pool_account_locked(pool, nid,
					     -(long)(pool->nodes[nid].count <<
						     pool->order));
	pool->dying = true;
	spin_unlock(&pool->lock);
}

/* The rest of fini, on an unlinked pool */
static void drm_page_pool_finish(struct drm_page_pool *pool)
{
	/*
	 * A shrink that pinned the pool before the unlink may still be
	 * calling the hook; drm_page_pool_put() wakes us up. Lockdep sees
	 * the wait as a write of the pin the hooks hold for reading.
	 */
	lock_map_acquire(&pool->pin_map);
	wait_var_event(&pool->busy, drm_page_pool_idle(pool));
	lock_map_release(&pool->pin_map);

	drm_page_pool_release(pool, NUMA_NO_NODE, ULONG_MAX);
	WARN_ON_ONCE(pool->count);

	if (pool->nodes != &pool->node0)
		kfree(pool->nodes);
	pool->nodes = NULL;
	pool->nr_nodes = 0;
}

/**
 * drm_page_pool_fini - release all blocks of a pool and tear it down
 * @pool: the pool; it may be zeroed, failed init or already torn down
 *
 * Remove the pool from the shrinker's view and take its pages out of the
 * counters the limits are held to, so that live pools are not trimmed for
 * them; wait for a shrinker or trim that is releasing blocks of it; then
 * release all blocks it still holds through the release hook. After the
 * return the hook is never called again for this pool, so the module
 * providing it may go. Finalizing a pool again afterwards does nothing; two
 * finis of one pool at the same time, or a fini while
 * drm_page_pool_group_reap() reaps the pool's group, are a bug.
 *
 * Context: Process context, may sleep.
 */
void drm_page_pool_fini(struct drm_page_pool *pool)
{
	might_sleep();

	if (!pool->nodes)
		return;

	spin_lock(&drm_page_pool_lock);
	drm_page_pool_unlink_locked(pool);
	spin_unlock(&drm_page_pool_lock);

	drm_page_pool_finish(pool);
}
EXPORT_SYMBOL(drm_page_pool_fini);

/* Unlink a pool of @group still on the list and return it, or NULL */
static struct drm_page_pool *
drm_page_pool_unlink_group(const struct drm_page_pool_group *group)
{
	struct drm_page_pool *pool;

	spin_lock(&drm_page_pool_lock);
	list_for_each_entry(pool, &drm_page_pool_list, link) {
		if (pool->ops->group == group) {
			drm_page_pool_unlink_locked(pool);
			spin_unlock(&drm_page_pool_lock);
			return pool;
		}
	}
	spin_unlock(&drm_page_pool_lock);

	return NULL;
}

/**
 * drm_page_pool_group_reap - finalize the pools a group's users left behind
 * @group: the group, about to go with the module that defines it
 *
 * Finalize, as drm_page_pool_fini() does, every pool of @group that is still
 * on the core's list, so that neither the shrinker nor a limit calls the
 * group's release hooks once its users should be gone. Such a pool is a bug
 * of its user, which the caller reports from the count: TTM warns in
 * ttm_pool_mgr_fini(). This helps only while the memory of the forgotten
 * pools is valid: a user that freed a pool it never finalized left freed
 * memory on the list, which the reap then touches first (KASAN reports it
 * here rather than in some later reclaim). A pool being finalized by its
 * user at the same time must not be reaped: its fini would run twice.
 *
 * Context: Process context, may sleep.
 * Return: the number of pools finalized.
 */
unsigned int drm_page_pool_group_reap(struct drm_page_pool_group *group)
{
	struct drm_page_pool *pool;
	unsigned int n = 0;

	might_sleep();

	while ((pool = drm_page_pool_unlink_group(group))) {
		if (!n++)
			pr_err("group %s: pool %s%s%s of order %u and maybe others were never finalized\n",
			       group->name, pool->ops->name,
			       pool->owner ? "@" : "", pool->owner ?: "",
			       pool->order);
		drm_page_pool_finish(pool);
	}

	return n;
}
EXPORT_SYMBOL(drm_page_pool_group_reap);

/*
 * Pin the next pool holding blocks on node @nid and move it to the tail of
 * the list, so that successive scans visit all pools in turn.
 */
static struct drm_page_pool *drm_page_pool_get_next(int nid)
{
	struct drm_page_pool *pool;

	spin_lock(&drm_page_pool_lock);
	list_for_each_entry(pool, &drm_page_pool_list, link) {
		if (nid >= pool->nr_nodes || !READ_ONCE(pool->nodes[nid].count))
			continue;
		list_move_tail(&pool->link, &drm_page_pool_list);
		drm_page_pool_get_locked(pool);
		spin_unlock(&drm_page_pool_lock);
		return pool;
	}
	spin_unlock(&drm_page_pool_lock);

	return NULL;
}

/* Release about @nr_to_scan pages of node @nid, a batch per pool visited */
static unsigned long drm_page_pool_scan_node(int nid, unsigned long nr_to_scan)
{
	unsigned long freed = 0;

	while (freed < nr_to_scan) {
		struct drm_page_pool *pool = drm_page_pool_get_next(nid);
		unsigned long blocks, released;

		if (!pool)
			break;
		blocks = DIV_ROUND_UP(nr_to_scan - freed, 1UL << pool->order);
		released = drm_page_pool_release(pool, nid,
						 min(blocks, DRM_PAGE_POOL_SCAN_BLOCKS));
		drm_page_pool_put(pool);
		/* Raced with takes; let reclaim try elsewhere */
		if (!released)
			break;
		freed += released;
	}

	return freed;
}

/* Memory reclaim is under way: congested() is true for the next 100 ms */
static void drm_page_pool_note_reclaim(void)
{
	atomic64_set(&drm_page_pool_reclaim_until,
		     get_jiffies_64() + DRM_PAGE_POOL_RECLAIM_HOLDOFF);
}

/**
 * drm_page_pool_shrinker_count - count the pooled pages of a node
 * @shrinker: unused
 * @sc: the node in sc->nid
 *
 * Return: the pages pooled on the node, or SHRINK_EMPTY.
 */
VISIBLE_IF_KUNIT unsigned long
drm_page_pool_shrinker_count(struct shrinker *shrinker,
			     struct shrink_control *sc)
{
	unsigned long pages;

	if (WARN_ON_ONCE(sc->nid < 0 || sc->nid >= nr_node_ids))
		return SHRINK_EMPTY;

	/*
	 * Reclaim asks every shrinker for its count, but calls the scan only
	 * of those that have something: note it here too, so that users stop
	 * refilling pools that reclaim found empty.
	 */
	if (current->reclaim_state)
		drm_page_pool_note_reclaim();

	pages = atomic_long_read(&drm_page_pool_node_pages[sc->nid]);

	return pages ?: SHRINK_EMPTY;
}
EXPORT_SYMBOL_IF_KUNIT(drm_page_pool_shrinker_count);

/**
 * drm_page_pool_shrinker_scan - release pooled pages of a node
 * @shrinker: unused
 * @sc: the node in sc->nid, the pages wanted in sc->nr_to_scan
 *
 * Pools are visited in turn. A high-order block may overshoot
 * sc->nr_to_scan by less than its size. Neither __GFP_FS nor __GFP_IO is
 * needed: blocks go straight back to the system. The pages released are
 * added to the reclaimed pages of the reclaiming task
 * (mm_account_reclaimed_pages()), which is what reclaim counts as progress,
 * and a call from reclaim makes drm_page_pool_congested() true for a while.
 *
 * Return: the pages released, also in sc->nr_scanned, or SHRINK_STOP if
 * none could be.
 */
VISIBLE_IF_KUNIT unsigned long
drm_page_pool_shrinker_scan(struct shrinker *shrinker,
			    struct shrink_control *sc)
{
	unsigned long freed = 0;

	/* Tell users that may choose not to give, see congested() */
	if (current->reclaim_state)
		drm_page_pool_note_reclaim();

	if (!WARN_ON_ONCE(sc->nid < 0 || sc->nid >= nr_node_ids))
		freed = drm_page_pool_scan_node(sc->nid, sc->nr_to_scan);

	/* Reclaim counts its progress from this, not from the return value */
	mm_account_reclaimed_pages(freed);
	sc->nr_scanned = freed;
	trace_drm_page_pool_shrink(sc->nid, sc->nr_to_scan, freed);

	return freed ?: SHRINK_STOP;
}
EXPORT_SYMBOL_IF_KUNIT(drm_page_pool_shrinker_scan);

/**
 * drm_page_pool_debugfs_counts - print the block counts of pools
 * @m: the seq_file
 * @pools: the pools, NULL entries and pools not initialised print 0
 * @n: the number of entries in @pools
 *
 * Print one " %8lu" column per pool with the blocks it holds, then a
 * newline, as TTM prints one row of its page_pool table.
 *
 * Context: Process context; takes each pool's spinlock.
 */
void drm_page_pool_debugfs_counts(struct seq_file *m,
				  struct drm_page_pool *const *pools,
				  unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		struct drm_page_pool *pool = pools[i];
		unsigned long count = 0;

		if (pool && pool->nodes) {
			spin_lock(&pool->lock);
			count = pool->count;
			spin_unlock(&pool->lock);
		}
		seq_printf(m, " %8lu", count);
	}
	seq_puts(m, "\n");
}
EXPORT_SYMBOL(drm_page_pool_debugfs_counts);

/**
 * drm_page_pool_debugfs_shrink - run the shrinker once and print the result
 * @m: the seq_file
 *
 * Ask the shrinker for up to 128 pages, node after node, inside
 * fs_reclaim_acquire() so that lockdep learns that release hooks run in
 * reclaim, and print "<pages pooled before>/<pages released>".
 *
 * Context: Process context, may sleep.
 */
void drm_page_pool_debugfs_shrink(struct seq_file *m)
{
	unsigned long count = atomic_long_read(&drm_page_pool_pages);
	unsigned long freed = 0;
	int nid;

	fs_reclaim_acquire(GFP_KERNEL);
	for (nid = 0; nid < nr_node_ids && freed < DRM_PAGE_POOL_SHRINK_BATCH;
	     nid++)
		freed += drm_page_pool_scan_node(nid, DRM_PAGE_POOL_SHRINK_BATCH -
						 freed);
	fs_reclaim_release(GFP_KERNEL);

	seq_printf(m, "%lu/%lu\n", count, freed);
}
EXPORT_SYMBOL(drm_page_pool_debugfs_shrink);

/**
 * drm_page_pool_debugfs_group - print what a group of pools holds
 * @m: the seq_file
 * @group: the group
 *
 * Print " %8lu of %8lu" and a newline: the pages the group's live pools
 * hold and the group's limit, as TTM prints the total of its page_pool file.
 *
 * Context: Any context.
 */
void drm_page_pool_debugfs_group(struct seq_file *m,
				 const struct drm_page_pool_group *group)
{
	seq_printf(m, " %8lu of %8lu\n",
		   (unsigned long)atomic_long_read(&group->pages),
		   READ_ONCE(*group->limit));
}
EXPORT_SYMBOL(drm_page_pool_debugfs_group);

/**
 * drm_page_pool_pools_show - print the pools file of the core's debugfs
 * @m: the seq_file
 * @data: unused
 *
 * One row per pool (name or name@owner, order, pages, hits, misses, pages
 * released, group, pages per node), then the totals and the limit.
 *
 * Return: 0.
 */
VISIBLE_IF_KUNIT int drm_page_pool_pools_show(struct seq_file *m, void *data)
{
	unsigned long hits = 0, misses = 0, shrunk = 0;
	struct drm_page_pool *pool;
	int nid;

	seq_printf(m, "%-16s %5s %10s %10s %10s %10s %-8s", "pool", "order",
		   "pages", "hits", "misses", "shrunk", "group");
	for_each_node(nid)
		seq_printf(m, "     node%-2d", nid);
	seq_puts(m, "\n");

	spin_lock(&drm_page_pool_lock);
	list_for_each_entry(pool, &drm_page_pool_list, link) {
		spin_lock(&pool->lock);
		if (pool->owner)
			seq_printf(m, "%s@%-*s", pool->ops->name,
				   max(0, 15 - (int)strlen(pool->ops->name)),
				   pool->owner);
		else
			seq_printf(m, "%-16s", pool->ops->name);
		seq_printf(m, " %5u %10lu %10lu %10lu %10lu %-8s",
			   pool->order,
			   pool->count << pool->order, pool->hits,
			   pool->misses, pool->shrunk,
			   pool->ops->group ? pool->ops->group->name : "-");
		for_each_node(nid)
			seq_printf(m, " %10lu", nid < pool->nr_nodes ?
				   pool->nodes[nid].count << pool->order : 0);
		seq_puts(m, "\n");
		hits += pool->hits;
		misses += pool->misses;
		shrunk += pool->shrunk;
		spin_unlock(&pool->lock);
	}
	spin_unlock(&drm_page_pool_lock);

	seq_printf(m, "%-16s %5s %10lu %10lu %10lu %10lu %-8s", "total", "",
		   atomic_long_read(&drm_page_pool_pages), hits, misses,
		   shrunk, "");
	for_each_node(nid)
		seq_printf(m, " %10lu",
			   atomic_long_read(&drm_page_pool_node_pages[nid]));
	seq_printf(m, "\nlimit: %lu pages\n", drm_page_pool_limit());

	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(drm_page_pool_pools_show);
DEFINE_SHOW_ATTRIBUTE(drm_page_pool_pools);

/* Reading the shrink file shrinks the pools, as TTM's page_pool_shrink */
static int drm_page_pool_shrink_show(struct seq_file *m, void *data)
{
	drm_page_pool_debugfs_shrink(m);

	return 0;
}
DEFINE_SHOW_ATTRIBUTE(drm_page_pool_shrink);

/*
 * Set up the default limit, the shrinker and debugfs before any user:
 * built-in users initialise at device_initcall or later, modules later
 * still. Pools work without any of it: nothing here can make
 * drm_page_pool_init() fail.
 */
static int __init drm_page_pool_core_init(void)
{
	/* 0 at boot means the default; read back, it shows the limit in force */
	if (!drm_page_pool_limit_param)
		drm_page_pool_limit_param = totalram_pages() / 2;
	WRITE_ONCE(drm_page_pool_ready, true);
	/* A limit written on the command line trims from now on */
	drm_page_pool_limit_changed();

	drm_page_pool_debugfs_root = debugfs_create_dir("drm_page_pool", NULL);
	debugfs_create_file("pools", 0444, drm_page_pool_debugfs_root, NULL,
			    &drm_page_pool_pools_fops);
	debugfs_create_file("shrink", 0400, drm_page_pool_debugfs_root, NULL,
			    &drm_page_pool_shrink_fops);

	/* Without the shrinker the pools still work, held to the limits */
	drm_page_pool_shrinker = shrinker_alloc(SHRINKER_NUMA_AWARE,
						"drm-page-pool");
	if (!drm_page_pool_shrinker) {
		pr_err("no shrinker: pooled pages are held to the limits only\n");
		return -ENOMEM;
	}
	drm_page_pool_shrinker->count_objects = drm_page_pool_shrinker_count;
	drm_page_pool_shrinker->scan_objects = drm_page_pool_shrinker_scan;
	/* Pooled pages are a cache and cheap to get again, as TTM's */
	drm_page_pool_shrinker->seeks = 1;
	shrinker_register(drm_page_pool_shrinker);

	return 0;
}
subsys_initcall(drm_page_pool_core_init);
