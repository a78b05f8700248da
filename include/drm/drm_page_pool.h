/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Shared pool of free pages for GPU memory managers, with one global limit
 * and one shrinker for all pools.
 */

#ifndef _DRM_PAGE_POOL_H_
#define _DRM_PAGE_POOL_H_

#include <linux/compiler_types.h>
#include <linux/list.h>
#include <linux/spinlock_types.h>
#include <linux/types.h>

struct drm_page_pool;
struct page;
struct seq_file;

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
	 * @release: Give one block of 2^order pages, zeroed, back to the
	 * system when it leaves the pool for good (shrinker, global limit,
	 * drm_page_pool_fini()). The hook owns everything the user attached
	 * to the page, e.g. TTM restores write-back caching and frees
	 * coherent DMA memory here. It is called in process context without
	 * any pool lock held, possibly from memory reclaim, so it must not
	 * wait for anything that itself waits for reclaim. page->lru of @page
	 * holds no meaningful value. NULL means __free_pages(page, order).
	 */
	void (*release)(struct drm_page_pool *pool, struct page *page);
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
 * with drm_page_pool_fini(). All members except @order are private to the
 * core.
 */
struct drm_page_pool {
	/** @order: the order of every block in the pool, set at init */
	unsigned int order;

	/* private: */
	/* set at init, read-only afterwards */
	const struct drm_page_pool_ops *ops;

	/* on the core's list of pools, under the core's list lock */
	struct list_head link;
	/* scans and shrinks running on this pool, under the list lock */
	unsigned int busy;

	/* protects everything below; nests inside the list lock */
	spinlock_t lock;
	/* nr_node_ids entries, NULL before init and after fini */
	struct drm_page_pool_node *nodes;
	/* blocks on all nodes */
	unsigned long count;
	/* jiffies of the last take, to find idle pools */
	unsigned long last_take;
	/* takes served from the pool, and takes that found nothing */
	unsigned long hits;
	unsigned long misses;
	/* pages released to the system by the shrinker or the limit */
	unsigned long shrunk;
};

int __must_check drm_page_pool_init(struct drm_page_pool *pool,
				    unsigned int order,
				    const struct drm_page_pool_ops *ops);
void drm_page_pool_fini(struct drm_page_pool *pool);

struct page *drm_page_pool_take(struct drm_page_pool *pool, int nid);
void drm_page_pool_give(struct drm_page_pool *pool, struct page *page);

void drm_page_pool_debugfs_counts(struct seq_file *m,
				  struct drm_page_pool *const *pools,
				  unsigned int n);
void drm_page_pool_debugfs_shrink(struct seq_file *m);

#if IS_ENABLED(CONFIG_KUNIT)
/* Internals only the KUnit suite reaches, see include/kunit/visibility.h */
struct shrinker;
struct shrink_control;

unsigned long drm_page_pool_set_limit(unsigned long pages);
unsigned long drm_page_pool_shrinker_count(struct shrinker *shrinker,
					   struct shrink_control *sc);
unsigned long drm_page_pool_shrinker_scan(struct shrinker *shrinker,
					  struct shrink_control *sc);
#endif

#endif /* _DRM_PAGE_POOL_H_ */
