// SPDX-License-Identifier: GPL-2.0 OR MIT
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
#include <linux/debugfs.h>
#include <linux/highmem.h>
#include <linux/init.h>
#include <linux/jiffies.h>
#include <linux/lockdep.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/nodemask.h>
#include <linux/sched/mm.h>
#include <linux/seq_file.h>
#include <linux/shrinker.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/wait_bit.h>

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
 * NUMA: a block is pooled on the node of its pages. A take names the node it
 * wants; NUMA_NO_NODE means the local memory node first, then any node.
 *
 * Limit: all pools together hold at most drm_page_pool.pool_limit_pages
 * pages (module parameter, writable at run time); 0 means half of the RAM
 * present at boot, the same default as TTM's, whatever drivers are loaded.
 * A give first puts the block in its pool, then, while over the limit,
 * releases blocks from the pools whose last take is oldest; the pool being
 * given to is shrunk only when no other pool holds pages.
 *
 * Shrinker: one NUMA-aware shrinker, "drm-page-pool", serves all pools. Its
 * count is one atomic read of the node's page counter; its scan visits the
 * pools in turn, releasing the coldest blocks of the node being reclaimed.
 *
 * Accounting: pooled pages are allocated kernel pages. They are not counted
 * as free memory, nor as reclaimable slab (no double counting with
 * SReclaimable); they show as used memory. Their amount is in
 * /sys/kernel/debug/drm_page_pool/pools, per pool and per node, and in the
 * count file of the shrinker under /sys/kernel/debug/shrinker/. Takes, gives
 * and shrinks are traced under the drm_page_pool trace system.
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
 * The shrinker and the global limit pick a pool under drm_page_pool_lock and
 * raise its busy count before dropping the lock. drm_page_pool_fini() unlinks
 * the pool, then waits until the busy count drops to zero before releasing
 * the remaining blocks. So a pool is never freed while it is being shrunk,
 * and no release hook runs after drm_page_pool_fini() returned.
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

/* Protects drm_page_pool_list and pools' link and busy; outer to pool->lock */
static DEFINE_SPINLOCK(drm_page_pool_lock);
static LIST_HEAD(drm_page_pool_list);

/* Pages in all pools, and per node (nr_node_ids entries) */
static atomic_long_t drm_page_pool_pages;
static atomic_long_t *drm_page_pool_node_pages;

static struct shrinker *drm_page_pool_shrinker;
static struct dentry *drm_page_pool_debugfs_root;

/* Half of RAM at boot: what the limit is while the parameter is 0 */
static unsigned long drm_page_pool_default_limit;

static unsigned long drm_page_pool_limit_param;
module_param_named(pool_limit_pages, drm_page_pool_limit_param, ulong, 0644);
MODULE_PARM_DESC(pool_limit_pages,
		 "Most pages all GPU page pools hold together (0 = half of RAM)");

/* The limit in force now; the parameter may change at any time */
static unsigned long drm_page_pool_limit(void)
{
	return READ_ONCE(drm_page_pool_limit_param) ?:
		drm_page_pool_default_limit;
}

#if IS_ENABLED(CONFIG_KUNIT)
/**
 * drm_page_pool_set_limit - set the global limit, for tests only
 * @pages: the new limit in pages, 0 for the default
 *
 * Return: the previous value of the parameter.
 */
unsigned long drm_page_pool_set_limit(unsigned long pages)
{
	return xchg(&drm_page_pool_limit_param, pages);
}
EXPORT_SYMBOL_IF_KUNIT(drm_page_pool_set_limit);
#endif

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
	atomic_long_add(nr, &drm_page_pool_node_pages[nid]);
	atomic_long_add(nr, &drm_page_pool_pages);
}

/* Take the most recently given block of node @nid, the warmest in cache */
static struct page *drm_page_pool_pop_locked(struct drm_page_pool *pool,
					     int nid)
{
	struct drm_page_pool_node *node = &pool->nodes[nid];
	long nr = 1L << pool->order;
	struct page *page;

	lockdep_assert_held(&pool->lock);

	page = list_first_entry_or_null(&node->pages, struct page, lru);
	if (!page)
		return NULL;

	list_del(&page->lru);
	WRITE_ONCE(node->count, node->count - 1);
	WRITE_ONCE(pool->count, pool->count - 1);
	atomic_long_sub(nr, &drm_page_pool_node_pages[nid]);
	atomic_long_sub(nr, &drm_page_pool_pages);

	return page;
}

/*
 * Move up to @nr of the coldest blocks of node @nid to @victims, cutting the
 * list once and updating each count once. Return the blocks moved.
 */
static unsigned long
drm_page_pool_cut_coldest_locked(struct drm_page_pool *pool, int nid,
				 unsigned long nr, struct list_head *victims)
{
	struct drm_page_pool_node *node = &pool->nodes[nid];
	struct list_head *first = &node->pages;
	unsigned long n;
	LIST_HEAD(keep);
	long pages;

	lockdep_assert_held(&pool->lock);

	for (n = 0; n < nr && first->prev != &node->pages; n++)
		first = first->prev;
	if (!n)
		return 0;

	list_cut_before(&keep, &node->pages, first);
	list_splice_tail_init(&node->pages, victims);
	list_splice(&keep, &node->pages);

	pages = n << pool->order;
	WRITE_ONCE(node->count, node->count - n);
	WRITE_ONCE(pool->count, pool->count - n);
	atomic_long_sub(pages, &drm_page_pool_node_pages[nid]);
	atomic_long_sub(pages, &drm_page_pool_pages);

	return n;
}

/* Hand one block that left @pool back to the system */
static void drm_page_pool_free_block(struct drm_page_pool *pool,
				     struct page *page)
{
	if (pool->ops->release)
		pool->ops->release(pool, page);
	else
		__free_pages(page, pool->order);
}

/*
 * Release up to @nr_blocks blocks of node @nid (NUMA_NO_NODE: any node),
 * coldest first, through the release hook. Return the pages released.
 */
static unsigned long drm_page_pool_release(struct drm_page_pool *pool,
					   int nid, unsigned long nr_blocks)
{
	int first = nid == NUMA_NO_NODE ? 0 : nid;
	int last = nid == NUMA_NO_NODE ? nr_node_ids - 1 : nid;
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
	 * Outside the lock, as hooks may sleep (dma_free_attrs()). page->lru
	 * is not unlinked: the block is the hook's from here on.
	 */
	list_for_each_entry_safe(page, next, &victims, lru)
		drm_page_pool_free_block(pool, page);

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

/**
 * drm_page_pool_init - initialise a pool
 * @pool: the pool, embedded in the user's structure
 * @order: the order of the blocks the pool holds, at most MAX_PAGE_ORDER
 * @ops: the pool's name and release hook, used until drm_page_pool_fini()
 *
 * Set up an empty pool and make it visible to the global limit and to the
 * shrinker. On failure the pool is left so that drm_page_pool_fini() is a
 * no-op on it.
 *
 * Context: Process context, may sleep.
 * Return: 0 on success, -EINVAL for an impossible order or missing @ops,
 * -ENOMEM when out of memory, -ENODEV if the core failed to initialise.
 */
int drm_page_pool_init(struct drm_page_pool *pool, unsigned int order,
		       const struct drm_page_pool_ops *ops)
{
	struct drm_page_pool_node *nodes;
	int nid;

	might_sleep();

	pool->nodes = NULL;
	if (WARN_ON_ONCE(order > MAX_PAGE_ORDER || !ops))
		return -EINVAL;
	if (!drm_page_pool_node_pages)
		return -ENODEV;

	nodes = kcalloc(nr_node_ids, sizeof(*nodes), GFP_KERNEL);
	if (!nodes)
		return -ENOMEM;
	for (nid = 0; nid < nr_node_ids; nid++)
		INIT_LIST_HEAD(&nodes[nid].pages);

	pool->order = order;
	pool->ops = ops;
	pool->busy = 0;
	spin_lock_init(&pool->lock);
	pool->nodes = nodes;
	pool->count = 0;
	pool->last_take = jiffies;
	pool->hits = 0;
	pool->misses = 0;
	pool->shrunk = 0;

	spin_lock(&drm_page_pool_lock);
	list_add_tail(&pool->link, &drm_page_pool_list);
	spin_unlock(&drm_page_pool_lock);

	return 0;
}
EXPORT_SYMBOL(drm_page_pool_init);

/**
 * drm_page_pool_take - take a zeroed block from a pool
 * @pool: the pool
 * @nid: the node the block must be on, or NUMA_NO_NODE for the local memory
 *	 node first and then any node
 *
 * The block is a compound page or not, as it was given. The caller owns it
 * as it did before drm_page_pool_give(), except page->lru of the first page,
 * which holds no meaningful value. A miss is counted, and the caller then
 * allocates from the system as it would without a pool.
 *
 * Context: Process context; takes the pool's spinlock and does not sleep.
 * Return: the first page of a zeroed block of 2^order pages, or NULL if the
 * pool holds none on @nid.
 */
struct page *drm_page_pool_take(struct drm_page_pool *pool, int nid)
{
	struct page *page = NULL;
	int n;

	if (WARN_ON_ONCE(nid != NUMA_NO_NODE &&
			 (nid < 0 || nid >= nr_node_ids)))
		nid = NUMA_NO_NODE;

	spin_lock(&pool->lock);
	if (nid != NUMA_NO_NODE) {
		page = drm_page_pool_pop_locked(pool, nid);
	} else if (pool->count) {
		page = drm_page_pool_pop_locked(pool, numa_mem_id());
		for (n = 0; !page && n < nr_node_ids; n++)
			page = drm_page_pool_pop_locked(pool, n);
	}
	if (page)
		pool->hits++;
	else
		pool->misses++;
	WRITE_ONCE(pool->last_take, jiffies);
	spin_unlock(&pool->lock);

	trace_drm_page_pool_take(pool, page, nid);

	return page;
}
EXPORT_SYMBOL(drm_page_pool_take);

/*
 * Pin the pool that has been idle longest and holds pages, @in_use only if
 * no other one does, so that the pool in use keeps its warm pages.
 */
static struct drm_page_pool *
drm_page_pool_get_idlest(struct drm_page_pool *in_use)
{
	struct drm_page_pool *pool, *idlest = NULL;

	spin_lock(&drm_page_pool_lock);
	list_for_each_entry(pool, &drm_page_pool_list, link) {
		if (pool == in_use || !READ_ONCE(pool->count))
			continue;
		if (!idlest || time_before(READ_ONCE(pool->last_take),
					   READ_ONCE(idlest->last_take)))
			idlest = pool;
	}
	if (!idlest && READ_ONCE(in_use->count))
		idlest = in_use;
	if (idlest)
		drm_page_pool_get_locked(idlest);
	spin_unlock(&drm_page_pool_lock);

	return idlest;
}

/* Shrink the idle pools first until all pools are back under the limit */
static void drm_page_pool_enforce_limit(struct drm_page_pool *in_use)
{
	unsigned long limit = drm_page_pool_limit();
	unsigned long pages;

	while ((pages = atomic_long_read(&drm_page_pool_pages)) > limit) {
		struct drm_page_pool *pool = drm_page_pool_get_idlest(in_use);
		unsigned long released;

		if (!pool)
			break;
		released = drm_page_pool_release(pool, NUMA_NO_NODE,
						 DIV_ROUND_UP(pages - limit,
							      1UL << pool->order));
		drm_page_pool_put(pool);
		if (!released)
			break;
	}
}

/**
 * drm_page_pool_give - zero a block and put it into a pool
 * @pool: the pool
 * @page: the first page of a block of 2^order pages the caller owns, on
 *	  any node
 *
 * The block is zeroed, then pooled on the node of its pages. If all pools
 * now hold more than the global limit, blocks of the pools idle longest are
 * released to the system, this pool's last. The caller must not touch the
 * block afterwards. drm_page_pool_fini() must not run concurrently.
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

	drm_page_pool_enforce_limit(pool);
}
EXPORT_SYMBOL(drm_page_pool_give);

/**
 * drm_page_pool_fini - release all blocks of a pool and tear it down
 * @pool: the pool; it may be zeroed, failed init or already torn down
 *
 * Remove the pool from the shrinker's view, wait for a shrinker or limit
 * enforcement that is releasing blocks of it, then release all blocks it
 * still holds through the release hook. After the return the hook is never
 * called again for this pool, so the module providing it may go.
 *
 * Context: Process context, may sleep.
 */
void drm_page_pool_fini(struct drm_page_pool *pool)
{
	might_sleep();

	if (!pool->nodes)
		return;

	spin_lock(&drm_page_pool_lock);
	list_del_init(&pool->link);
	spin_unlock(&drm_page_pool_lock);

	/*
	 * A shrink that pinned the pool before the unlink may still be
	 * calling the hook; drm_page_pool_put() wakes us up.
	 */
	wait_var_event(&pool->busy, drm_page_pool_idle(pool));

	drm_page_pool_release(pool, NUMA_NO_NODE, ULONG_MAX);
	WARN_ON_ONCE(pool->count);

	kfree(pool->nodes);
	pool->nodes = NULL;
}
EXPORT_SYMBOL(drm_page_pool_fini);

/*
 * Pin the next pool holding blocks on node @nid and move it to the tail of
 * the list, so that successive scans visit all pools in turn.
 */
static struct drm_page_pool *drm_page_pool_get_next(int nid)
{
	struct drm_page_pool *pool;

	spin_lock(&drm_page_pool_lock);
	list_for_each_entry(pool, &drm_page_pool_list, link) {
		if (!READ_ONCE(pool->nodes[nid].count))
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
 * needed: blocks go straight back to the system.
 *
 * Return: the pages released, also in sc->nr_scanned, or SHRINK_STOP if
 * none could be.
 */
VISIBLE_IF_KUNIT unsigned long
drm_page_pool_shrinker_scan(struct shrinker *shrinker,
			    struct shrink_control *sc)
{
	unsigned long freed = 0;

	if (!WARN_ON_ONCE(sc->nid < 0 || sc->nid >= nr_node_ids))
		freed = drm_page_pool_scan_node(sc->nid, sc->nr_to_scan);

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

/* One row per pool, then the totals and the limit */
static int drm_page_pool_pools_show(struct seq_file *m, void *data)
{
	unsigned long hits = 0, misses = 0, shrunk = 0;
	struct drm_page_pool *pool;
	int nid;

	seq_printf(m, "%-16s %5s %10s %10s %10s %10s", "pool", "order",
		   "pages", "hits", "misses", "shrunk");
	for_each_node(nid)
		seq_printf(m, "     node%-2d", nid);
	seq_puts(m, "\n");

	spin_lock(&drm_page_pool_lock);
	list_for_each_entry(pool, &drm_page_pool_list, link) {
		spin_lock(&pool->lock);
		seq_printf(m, "%-16s %5u %10lu %10lu %10lu %10lu",
			   pool->ops->name, pool->order,
			   pool->count << pool->order, pool->hits,
			   pool->misses, pool->shrunk);
		for_each_node(nid)
			seq_printf(m, " %10lu",
				   pool->nodes[nid].count << pool->order);
		seq_puts(m, "\n");
		hits += pool->hits;
		misses += pool->misses;
		shrunk += pool->shrunk;
		spin_unlock(&pool->lock);
	}
	spin_unlock(&drm_page_pool_lock);

	seq_printf(m, "%-16s %5s %10lu %10lu %10lu %10lu", "total", "",
		   atomic_long_read(&drm_page_pool_pages), hits, misses,
		   shrunk);
	for_each_node(nid)
		seq_printf(m, " %10lu",
			   atomic_long_read(&drm_page_pool_node_pages[nid]));
	seq_printf(m, "\nlimit: %lu pages\n", drm_page_pool_limit());

	return 0;
}
DEFINE_SHOW_ATTRIBUTE(drm_page_pool_pools);

/* Reading the shrink file shrinks the pools, as TTM's page_pool_shrink */
static int drm_page_pool_shrink_show(struct seq_file *m, void *data)
{
	drm_page_pool_debugfs_shrink(m);

	return 0;
}
DEFINE_SHOW_ATTRIBUTE(drm_page_pool_shrink);

/*
 * Set up the counters, the shrinker and debugfs before
 * any user: built-in users initialise at device_initcall or later, modules
 * later still.
 */
static int __init drm_page_pool_core_init(void)
{
	atomic_long_t *node_pages;

	drm_page_pool_default_limit = totalram_pages() / 2;

	node_pages = kcalloc(nr_node_ids, sizeof(*node_pages), GFP_KERNEL);
	if (!node_pages)
		return -ENOMEM;

	drm_page_pool_shrinker = shrinker_alloc(SHRINKER_NUMA_AWARE,
						"drm-page-pool");
	if (!drm_page_pool_shrinker) {
		kfree(node_pages);
		return -ENOMEM;
	}
	drm_page_pool_shrinker->count_objects = drm_page_pool_shrinker_count;
	drm_page_pool_shrinker->scan_objects = drm_page_pool_shrinker_scan;
	/* Pooled pages are a cache and cheap to get again, as TTM's */
	drm_page_pool_shrinker->seeks = 1;

	/* Publishing the counters lets drm_page_pool_init() succeed */
	drm_page_pool_node_pages = node_pages;
	shrinker_register(drm_page_pool_shrinker);

	drm_page_pool_debugfs_root = debugfs_create_dir("drm_page_pool", NULL);
	debugfs_create_file("pools", 0444, drm_page_pool_debugfs_root, NULL,
			    &drm_page_pool_pools_fops);
	debugfs_create_file("shrink", 0400, drm_page_pool_debugfs_root, NULL,
			    &drm_page_pool_shrink_fops);

	return 0;
}
subsys_initcall(drm_page_pool_core_init);
