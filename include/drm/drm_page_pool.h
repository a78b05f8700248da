/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Shared pool of free pages for GPU memory managers, with one global limit
 * and one shrinker for all pools.
 */

#ifndef _DRM_PAGE_POOL_H_
#define _DRM_PAGE_POOL_H_

#include <linux/atomic.h>
#include <linux/compiler_types.h>
#include <linux/list.h>
#include <linux/lockdep_types.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/nodemask_types.h>
#include <linux/spinlock_types.h>
#include <linux/types.h>

struct drm_page_pool;
struct page;
struct seq_file;

/**
 * struct drm_page_pool_group - pools held to a limit of their own
 *
 * Pools whose &drm_page_pool_ops.group points to the same group are held to
 * *@limit pages together, in addition to the global limit that all pools
 * share. The core enforces both the same way: a give always pools its block,
 * then the idlest pools over a limit shrink. TTM's pools form a group whose
 * limit is ttm.page_pool_size. Define a group with DRM_PAGE_POOL_GROUP_INIT();
 * it needs no init, and it must outlive every pool that uses it: once all
 * its pools should be gone, its module calls drm_page_pool_group_reap() to
 * catch the ones its users forgot.
 */
struct drm_page_pool_group {
	/** @name: shown beside each of its pools in the core's debugfs */
	const char *name;
	/** @limit: the group's limit in pages, read with READ_ONCE() */
	const unsigned long *limit;

	/* private: */
	/* pages in the group's live pools, changed under each pool's lock */
	atomic_long_t pages;
};

/**
 * DRM_PAGE_POOL_GROUP_INIT - initialiser of a &struct drm_page_pool_group
 * @_name: the group's name
 * @_limit: pointer to the group's limit in pages, e.g. a module parameter
 *	    with the ops ``drm_page_pool_limit_param_ops``
 */
#define DRM_PAGE_POOL_GROUP_INIT(_name, _limit) \
	{ .name = (_name), .limit = (_limit), .pages = ATOMIC_LONG_INIT(0) }

/**
 * struct drm_page_pool_ops - what a user tells the pool about its pages
 *
 * The ops usually live in the user's module as a static const object; the
 * core stops using them when drm_page_pool_fini() returns.
 */
struct drm_page_pool_ops {
	/**
	 * @name: Short name of the pool's kind, shown in debugfs and in the
	 * tracepoints. Several pools may share one name.
	 */
	const char *name;

	/**
	 * @release: Give one block of 2^order pages back to the system when
	 * it leaves the pool for good. The hook owns everything
	 * the user attached to the page, e.g. TTM restores write-back caching
	 * and frees coherent DMA memory here. page->lru of @page holds no
	 * meaningful value. NULL means __free_pages(page, order).
	 *
	 * It runs in process context, without any pool spinlock held, and may
	 * sleep, in any of these tasks:
	 *
	 * - a reclaiming task, kswapd or any task in direct reclaim, through
	 *   the shrinker (PF_MEMALLOC, inside fs_reclaim);
	 * - a kworker running the core's trim work;
	 * - a task giving a block to *any* pool, which releases at most one
	 *   batch of the idlest pools over a limit (another driver's thread,
	 *   TTM under a buffer's reservation lock, the heap's kthread);
	 * - the task calling drm_page_pool_fini() on the pool;
	 * - a reader of the debugfs shrink files (inside fs_reclaim).
	 *
	 * So it must not wait for reclaim, nor take a lock that a caller may
	 * hold across drm_page_pool_fini() of a pool initialised at the same
	 * drm_page_pool_init() call site: fini waits for running hooks, and
	 * lockdep reports that cycle (the hook runs inside the pool's pin,
	 * a lockdep map that fini acquires for writing).
	 */
	void (*release)(struct drm_page_pool *pool, struct page *page);

	/**
	 * @group: the group of pools with a limit of their own this pool
	 * belongs to, or NULL for the global limit only
	 */
	struct drm_page_pool_group *group;
};

/**
 * struct drm_page_pool_node - free pages of one pool on one NUMA node
 */
struct drm_page_pool_node {
	/** @pages: the first pages of free blocks, linked by page->lru */
	struct list_head pages;
	/** @count: number of blocks on @pages */
	unsigned long count;
};

/**
 * struct drm_page_pool - free pages of one order
 *
 * A user embeds one pool per kind of page it recycles (per caching mode, per
 * device, per order) and finds its own context from the release hook with
 * container_of(). Initialise it with drm_page_pool_init() and tear it down
 * with drm_page_pool_fini(). All members except @order and @owner are
 * private to the core.
 */
struct drm_page_pool {
	/** @order: the order of every block in the pool, set at init */
	unsigned int order;
	/**
	 * @owner: whose pool this is, e.g. a device's name, or NULL: shown
	 * as "name@owner" in the core's debugfs and tracepoints, so that
	 * pools of one kind on several devices can be told apart. Set by
	 * drm_page_pool_init_owner(); the string must stay valid and
	 * unchanged until drm_page_pool_fini() (a device's name may change:
	 * pass a copy).
	 */
	const char *owner;

	/* private: */
	/* set at init, read-only afterwards */
	const struct drm_page_pool_ops *ops;

	/* on the core's list of pools, under the core's list lock */
	struct list_head link;
	/* scans and shrinks running on this pool, under the list lock */
	unsigned int busy;
	/* lockdep's view of @busy: read around hooks, write in fini */
	struct lockdep_map pin_map;

	/* protects everything below; nests inside the list lock */
	spinlock_t lock;
	/*
	 * nr_nodes lists, one per node: @node0 on a machine of one node, or
	 * if there was no memory for more; NULL before init and after fini
	 */
	struct drm_page_pool_node *nodes;
	int nr_nodes;
	struct drm_page_pool_node node0;
	/* blocks on all nodes */
	unsigned long count;
	/* 64-bit jiffies of the last take, to find idle pools */
	u64 last_take;
	/* takes served from the pool, and takes that found nothing */
	unsigned long hits;
	unsigned long misses;
	/* pages released to the system by the shrinker, a limit or fini */
	unsigned long shrunk;
	/* unlinked by fini: its pages no longer count against any limit */
	bool dying;
};

int __must_check __drm_page_pool_init(struct drm_page_pool *pool,
				      unsigned int order,
				      const struct drm_page_pool_ops *ops,
				      const char *owner, const char *name,
				      struct lock_class_key *key);

/**
 * drm_page_pool_init - initialise a pool
 * @pool: the pool, embedded in the user's structure
 * @order: the order of the blocks the pool holds, at most MAX_PAGE_ORDER
 * @ops: the pool's name, release hook and group, used until
 *	 drm_page_pool_fini()
 *
 * Set up an empty pool and make it visible to the limits and to the
 * shrinker. This cannot fail for a valid @order and @ops: a machine of one
 * node needs no allocation, and a NUMA machine whose per-node lists cannot
 * be allocated gets a pool that keeps blocks of node 0 only (a give of
 * another node's block releases it at once). On failure the pool is left so
 * that drm_page_pool_fini() is a no-op on it. Pools initialised at one call
 * site share a lockdep class for their pin, as mutexes initialised at one
 * site do.
 *
 * Context: Process context, may sleep.
 * Return: 0, or -EINVAL for an order above MAX_PAGE_ORDER or missing @ops
 * (a bug of the caller, with a warning).
 */
#define drm_page_pool_init(pool, order, ops)				\
	drm_page_pool_init_owner(pool, order, ops, NULL)

/**
 * drm_page_pool_init_owner - initialise a pool that names its owner
 * @pool: the pool, embedded in the user's structure
 * @order: as drm_page_pool_init()
 * @ops: as drm_page_pool_init()
 * @owner: who the pool belongs to, e.g. a copy of a device's name; NULL or
 *	   "" for nobody in particular. See &drm_page_pool.owner.
 *
 * As drm_page_pool_init(), naming the pool "name@owner".
 *
 * Context: Process context, may sleep.
 * Return: as drm_page_pool_init().
 */
#define drm_page_pool_init_owner(pool, order, ops, owner)		\
({									\
	static struct lock_class_key __drm_page_pool_key;		\
									\
	__drm_page_pool_init((pool), (order), (ops), (owner),		\
			     #pool "->pin", &__drm_page_pool_key);	\
})
void drm_page_pool_fini(struct drm_page_pool *pool);
unsigned int drm_page_pool_group_reap(struct drm_page_pool_group *group);

struct page *drm_page_pool_take(struct drm_page_pool *pool, int nid,
				const nodemask_t *allowed);
void drm_page_pool_give(struct drm_page_pool *pool, struct page *page);
bool drm_page_pool_congested(const struct drm_page_pool *pool);
void drm_page_pool_limit_changed(void);
extern const struct kernel_param_ops drm_page_pool_limit_param_ops;

void drm_page_pool_debugfs_counts(struct seq_file *m,
				  struct drm_page_pool *const *pools,
				  unsigned int n);
void drm_page_pool_debugfs_shrink(struct seq_file *m);
void drm_page_pool_debugfs_group(struct seq_file *m,
				 const struct drm_page_pool_group *group);

/**
 * drm_page_pool_count_node - move a GPU memory counter of a node by a block
 * @pgdat: the node the block's pages are on
 * @item: NR_GPU_ACTIVE or NR_GPU_RECLAIM (counted in pages; no other item)
 * @pages: the block's pages, negative when they leave the counter
 *
 * mod_node_page_state() for the two counters the pools and their users move
 * a whole block, or a run of blocks, at a time. A move of more pages than a
 * per-CPU delta can hold (an s8: a block of order 7 or more, either way)
 * goes to the node's atomic and the global one directly, where
 * mod_node_page_state() would send it too, unless a pending delta of the
 * other sign on the CPU absorbed part of it; that delta stays on the CPU.
 * Either way the counter's sum is exact, and the atomics lag behind it by
 * no more than the CPUs' stat thresholds, as with mod_node_page_state().
 *
 * Context: Process context. The counters are never moved from interrupts.
 */
static __always_inline void drm_page_pool_count_node(struct pglist_data *pgdat,
						     enum node_stat_item item,
						     long pages)
{
	if (pages > S8_MAX || pages < -S8_MAX)
		node_page_state_add(pages, pgdat, item);
	else
		mod_node_page_state(pgdat, item, pages);
}

#if IS_ENABLED(CONFIG_KUNIT)
/* Internals only the KUnit suite reaches, see include/kunit/visibility.h */
struct mempolicy;
struct shrinker;
struct shrink_control;

unsigned long drm_page_pool_set_limit(unsigned long pages);
void drm_page_pool_trim_flush(void);
void drm_page_pool_forget_reclaim(void);
struct drm_page_pool_node *drm_page_pool_alloc_nodes(int nr);
int drm_page_pool_pools_show(struct seq_file *m, void *data);
struct page *drm_page_pool_take_policy(struct drm_page_pool *pool, int nid,
				       const struct mempolicy *pol,
				       const nodemask_t *mems);
unsigned long drm_page_pool_shrinker_count(struct shrinker *shrinker,
					   struct shrink_control *sc);
unsigned long drm_page_pool_shrinker_scan(struct shrinker *shrinker,
					  struct shrink_control *sc);

/**
 * drm_page_pool_kunit_node_stat - exact value of a node counter, for tests
 * @nid: the node
 * @item: the counter, e.g. NR_GPU_RECLAIM
 *
 * node_page_state() reads the node's atomic only, which lags by the deltas
 * each CPU has not folded in yet (up to its stat threshold, tens of pages
 * per CPU), so a test cannot see a move of a few pages with it. Add the
 * deltas of every CPU to the atomic. The vmstat work folds a CPU's delta
 * into the atomic in two steps, so a sum taken at that moment misses it:
 * sum until two sums in a row agree.
 *
 * Return: the counter's value in pages, which may be negative.
 */
static inline long drm_page_pool_kunit_node_stat(int nid,
						 enum node_stat_item item)
{
	struct pglist_data *pgdat = NODE_DATA(nid);
	long sum, prev = LONG_MIN;
	unsigned int tries;
	int cpu;

	for (tries = 0; tries < 16; tries++) {
		sum = atomic_long_read(&pgdat->vm_stat[item]);
		for_each_possible_cpu(cpu)
			sum += READ_ONCE(per_cpu_ptr(pgdat->per_cpu_nodestats,
						     cpu)->vm_node_stat_diff[item]);
		if (sum == prev)
			break;
		prev = sum;
	}
	return sum;
}

/**
 * drm_page_pool_kunit_global_stat - exact value of a counter over all nodes
 * @item: the counter, e.g. NR_GPU_RECLAIM
 *
 * As drm_page_pool_kunit_node_stat(), for the global atomic that
 * /proc/meminfo reads, plus the deltas of every node and CPU.
 *
 * Return: the counter's value in pages, which may be negative.
 */
static inline long drm_page_pool_kunit_global_stat(enum node_stat_item item)
{
	long sum, prev = LONG_MIN;
	unsigned int tries;
	int cpu, nid;

	for (tries = 0; tries < 16; tries++) {
		sum = atomic_long_read(&vm_node_stat[item]);
		for_each_online_node(nid) {
			struct pglist_data *pgdat = NODE_DATA(nid);

			for_each_possible_cpu(cpu)
				sum += READ_ONCE(per_cpu_ptr(pgdat->per_cpu_nodestats,
							     cpu)->vm_node_stat_diff[item]);
		}
		if (sum == prev)
			break;
		prev = sum;
	}
	return sum;
}
#endif

#endif /* _DRM_PAGE_POOL_H_ */
