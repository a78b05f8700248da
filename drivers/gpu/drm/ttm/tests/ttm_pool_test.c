// SPDX-License-Identifier: GPL-2.0 AND MIT
/*
 * Copyright © 2023 Intel Corporation
 *
 * The free pages of TTM's pool types live in the shared drm_page_pool, so
 * the cases count them there (&drm_page_pool.count, as the pool core's own
 * suite does) and drive the shared shrinker directly, inside
 * fs_reclaim_acquire() as reclaim would. Pages leaving a pool are observed
 * through KUnit static stubs on the calls that restore write-back caching
 * and free coherent DMA memory: the stubs record each call and then do the
 * real work, so a block released twice, never, or with the wrong caching
 * shows as a record that differs.
 */
#include <linux/dma-mapping.h>
#include <linux/fault-inject.h>
#include <linux/highmem.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/prandom.h>
#include <linux/sched/mm.h>
#include <linux/seq_file.h>
#include <linux/shrinker.h>
#include <linux/sort.h>
#include <linux/string.h>

#ifdef CONFIG_X86
#include <asm/set_memory.h>
#endif

#include <kunit/device.h>
#include <kunit/static_stub.h>

#include <drm/drm_page_pool.h>
#include <drm/ttm/ttm_backup.h>
#include <drm/ttm/ttm_tt.h>
#include <drm/ttm/ttm_pool.h>

#include "ttm_kunit_helpers.h"

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

/* Blocks a test records, at most */
#define TTM_POOL_TEST_MAX_BLOCKS	64

struct ttm_pool_test_case {
	const char *description;
	unsigned int order;
	bool use_dma_alloc;
};

/* A block of pages as TTM releases it */
struct ttm_pool_test_block {
	struct page *page;
	unsigned int order;
	dma_addr_t addr;
};

struct ttm_pool_test_priv {
	struct ttm_test_devices *devs;

	/* Used to create mock ttm_tts */
	struct ttm_buffer_object *mock_bo;

	/* Mock BOs of ttm_pool_test_bo(), released before the devices go */
	struct ttm_buffer_object *bos[8];
	unsigned int nr_bos;

	/* Blocks given write-back caching back, by ttm_pool_test_set_pages_wb() */
	atomic_t wb_calls;
	struct ttm_pool_test_block wb[TTM_POOL_TEST_MAX_BLOCKS];

	/* Blocks of coherent DMA memory freed, by ttm_pool_test_dma_free() */
	atomic_t dma_free_calls;
	struct ttm_pool_test_block dma_free[TTM_POOL_TEST_MAX_BLOCKS];

	/* Order-0 pages ttm_pool_test_alloc_pages_node() may still allocate */
	atomic_t allocs_left;
	unsigned int allocs;
	/* Calls of ttm_pool_test_map_fails() */
	atomic_t map_calls;
	struct page *alloc[TTM_POOL_TEST_MAX_BLOCKS];

	/* What ttm_pool_test_bytes_avail() reports as free swap space */
	u64 swap_bytes;
	/* Calls of ttm_pool_test_backup_page(), and the one that fails */
	unsigned int backup_calls;
	int backup_fail_at;
	/* The shmem allocation mask of the last backup */
	gfp_t backup_gfp;
	/* GPUActive at each of the first calls of ttm_pool_test_backup_page() */
	long active_at[24];
	/* What ttm_pool_test_page_by_page() answers */
	bool page_by_page;
	/* Calls of ttm_pool_test_set_pages_array_wb() and their pages */
	unsigned int array_wb_calls;
	unsigned int array_wb_pages;
	/* Calls of ttm_pool_test_copy_page(), and the one that fails */
	unsigned int copy_calls;
	int copy_fail_at;
	int copy_error;
};

static struct ttm_operation_ctx simple_ctx = {
	.interruptible = true,
	.no_wait_gpu = false,
};

/*
 * Release the test's buffer objects, before KUnit frees their memory: the
 * suite's exit runs before any action or managed allocation is undone.
 */
static void ttm_pool_test_exit(struct kunit *test)
{
	struct ttm_pool_test_priv *priv = test->priv;

	/* The suite's init failed before it set up priv */
	if (!priv)
		return;
	while (priv->nr_bos)
		drm_gem_object_release(&priv->bos[--priv->nr_bos]->base);
}

/*
 * Put the test's devices. It runs as the first action registered, so last:
 * after the actions of the test finalized its pools, which the last
 * device's ttm_pool_mgr_fini() would report.
 */
static void ttm_pool_test_fini(void *data)
{
	struct kunit *test = data;
	struct ttm_pool_test_priv *priv = test->priv;

	ttm_test_devices_put(test, priv->devs);
}

static int ttm_pool_test_init(struct kunit *test)
{
	struct ttm_pool_test_priv *priv;

	priv = kunit_kzalloc(test, sizeof(*priv), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, priv);

	/* TTM's global pool types exist while a TTM device does */
	priv->devs = ttm_test_devices_all(test);
	test->priv = priv;

	return kunit_add_action_or_reset(test, ttm_pool_test_fini, test);
}

/*
 * A mock buffer object of @size for the tts of a test. It is never put, so
 * ttm_pool_test_exit() releases its GEM object (and shmem file), before the
 * devices the object belongs to go away.
 */
static struct ttm_buffer_object *ttm_pool_test_bo(struct kunit *test,
						  size_t size)
{
	struct ttm_pool_test_priv *priv = test->priv;
	struct ttm_buffer_object *bo;

	KUNIT_ASSERT_LT(test, priv->nr_bos, ARRAY_SIZE(priv->bos));
	bo = ttm_bo_kunit_init(test, priv->devs, size, NULL);
	KUNIT_ASSERT_NOT_NULL(test, bo);
	priv->bos[priv->nr_bos++] = bo;

	return bo;
}

static struct ttm_tt *ttm_tt_kunit_init(struct kunit *test,
					u32 page_flags,
					enum ttm_caching caching,
					size_t size)
{
	struct ttm_pool_test_priv *priv = test->priv;
	struct ttm_buffer_object *bo;
	struct ttm_tt *tt;
	int err;

	bo = ttm_pool_test_bo(test, size);
	priv->mock_bo = bo;

	tt = kunit_kzalloc(test, sizeof(*tt), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, tt);

	err = ttm_tt_init(tt, priv->mock_bo, page_flags, caching, 0);
	KUNIT_ASSERT_EQ(test, err, 0);

	return tt;
}

/* Blocks the shared pool holds for the pool type, on all nodes */
static unsigned long ttm_pool_test_blocks(struct ttm_pool_type *pt)
{
	return READ_ONCE(pt->page_pool.count);
}

/* NR_GPU_ACTIVE or NR_GPU_RECLAIM on all nodes, per-CPU deltas included */
static long ttm_pool_test_gpu(enum node_stat_item item)
{
	long sum = 0;
	int nid;

	for_each_online_node(nid)
		sum += drm_page_pool_kunit_node_stat(nid, item);
	return sum;
}

/* Expect NR_GPU_ACTIVE and NR_GPU_RECLAIM @active and @reclaim over @base */
static void ttm_pool_test_expect_gpu(struct kunit *test, const long *base,
				     long active, long reclaim,
				     const char *when)
{
	KUNIT_EXPECT_EQ_MSG(test, ttm_pool_test_gpu(NR_GPU_ACTIVE) - base[0],
			    active, "GPUActive pages %s", when);
	KUNIT_EXPECT_EQ_MSG(test, ttm_pool_test_gpu(NR_GPU_RECLAIM) - base[1],
			    reclaim, "GPUReclaim pages %s", when);
}

/* Record a block TTM gives write-back caching back, then do it */
static void ttm_pool_test_set_pages_wb(struct page *p, unsigned int order)
{
	struct kunit *test = kunit_get_current_test();
	struct ttm_pool_test_priv *priv = test->priv;
	int i = atomic_inc_return(&priv->wb_calls) - 1;

	if (i < TTM_POOL_TEST_MAX_BLOCKS) {
		priv->wb[i].page = p;
		priv->wb[i].order = order;
	}
#ifdef CONFIG_X86
	set_pages_wb(p, 1 << order);
#endif
}

/* Record a block of coherent DMA memory TTM frees, then free it */
static void ttm_pool_test_dma_free(struct device *dev, size_t size,
				   void *vaddr, dma_addr_t addr,
				   unsigned long attrs)
{
	struct kunit *test = kunit_get_current_test();
	struct ttm_pool_test_priv *priv = test->priv;
	int i = atomic_inc_return(&priv->dma_free_calls) - 1;

	if (i < TTM_POOL_TEST_MAX_BLOCKS) {
		priv->dma_free[i].addr = addr;
		priv->dma_free[i].order = get_order(size);
	}
	dma_free_attrs(dev, size, vaddr, addr, attrs);
}

/* Count the blocks that leave TTM's pools from now on */
static void ttm_pool_test_watch_release(struct kunit *test)
{
	kunit_activate_static_stub(test, ttm_pool_set_pages_wb,
				   ttm_pool_test_set_pages_wb);
	kunit_activate_static_stub(test, ttm_pool_dma_free_attrs,
				   ttm_pool_test_dma_free);
}

/* Record the blocks of a populated @tt: their first page, order, DMA address */
static unsigned int ttm_pool_test_tt_blocks(struct kunit *test,
					    struct ttm_pool *pool,
					    struct ttm_tt *tt,
					    struct ttm_pool_test_block *b)
{
	unsigned int n = 0;
	pgoff_t i = 0;

	while (i < tt->num_pages) {
		struct page *p = tt->pages[i];

		KUNIT_ASSERT_LT(test, n, TTM_POOL_TEST_MAX_BLOCKS);
		b[n].page = p;
		b[n].addr = tt->dma_address ? tt->dma_address[i] : 0;
		b[n].order = ttm_pool_page_order(pool, p);
		i += 1UL << b[n].order;
		n++;
	}

	return n;
}

KUNIT_DEFINE_ACTION_WRAPPER(ttm_pool_test_pool_fini, ttm_pool_fini,
			    struct ttm_pool *);
KUNIT_DEFINE_ACTION_WRAPPER(ttm_pool_test_device_fini, ttm_device_fini,
			    struct ttm_device *);

/*
 * Finalize @pool at the end of the test even if an assertion fails, before
 * its memory and its device go: its shared pools are on the pool core's
 * global list. A test may finalize the pool itself before; finalizing it
 * again does nothing.
 */
static void ttm_pool_test_guard(struct kunit *test, struct ttm_pool *pool)
{
	int err;

	err = kunit_add_action_or_reset(test, ttm_pool_test_pool_fini, pool);
	KUNIT_ASSERT_EQ(test, err, 0);
}

/* A pool of the test, finalized at the end even if an assertion fails */
static struct ttm_pool *ttm_pool_test_pool_create(struct kunit *test, int nid,
						  bool use_dma_alloc)
{
	struct ttm_pool_test_priv *priv = test->priv;
	struct ttm_pool *pool;

	pool = kunit_kzalloc(test, sizeof(*pool), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pool);

	ttm_pool_init(pool, priv->devs->dev, nid, use_dma_alloc, false);
	ttm_pool_test_guard(test, pool);

	return pool;
}

static struct ttm_pool *ttm_pool_pre_populated(struct kunit *test,
					       size_t size,
					       enum ttm_caching caching)
{
	struct ttm_pool_test_priv *priv = test->priv;
	struct ttm_test_devices *devs = priv->devs;
	struct ttm_pool *pool;
	struct ttm_tt *tt;
	int err;

	tt = ttm_tt_kunit_init(test, 0, caching, size);
	KUNIT_ASSERT_NOT_NULL(test, tt);

	pool = kunit_kzalloc(test, sizeof(*pool), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pool);

	ttm_pool_init(pool, devs->dev, NUMA_NO_NODE, true, false);
	ttm_pool_test_guard(test, pool);

	err = ttm_pool_alloc(pool, tt, &simple_ctx);
	KUNIT_ASSERT_EQ(test, err, 0);

	ttm_pool_free(pool, tt);
	ttm_tt_fini(tt);

	return pool;
}

static const struct ttm_pool_test_case ttm_pool_basic_cases[] = {
	{
		.description = "One page",
		.order = 0,
	},
	{
		.description = "More than one page",
		.order = 2,
	},
	{
		.description = "Above the allocation limit",
		.order = MAX_PAGE_ORDER + 1,
	},
	{
		.description = "One page, with coherent DMA mappings enabled",
		.order = 0,
		.use_dma_alloc = true,
	},
	{
		.description = "Above the allocation limit, with coherent DMA mappings enabled",
		.order = MAX_PAGE_ORDER + 1,
		.use_dma_alloc = true,
	},
};

static void ttm_pool_alloc_case_desc(const struct ttm_pool_test_case *t,
				     char *desc)
{
	strscpy(desc, t->description, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(ttm_pool_alloc_basic, ttm_pool_basic_cases,
		  ttm_pool_alloc_case_desc);

static void ttm_pool_alloc_basic(struct kunit *test)
{
	struct ttm_pool_test_priv *priv = test->priv;
	struct ttm_test_devices *devs = priv->devs;
	const struct ttm_pool_test_case *params = test->param_value;
	struct ttm_tt *tt;
	struct ttm_pool *pool;
	struct page *fst_page, *last_page;
	enum ttm_caching caching = ttm_uncached;
	unsigned int expected_num_pages = 1 << params->order;
	size_t size = expected_num_pages * PAGE_SIZE;
	int err;

	tt = ttm_tt_kunit_init(test, 0, caching, size);
	KUNIT_ASSERT_NOT_NULL(test, tt);

	pool = kunit_kzalloc(test, sizeof(*pool), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pool);

	ttm_pool_init(pool, devs->dev, NUMA_NO_NODE,
		      params->use_dma_alloc, false);
	ttm_pool_test_guard(test, pool);

	KUNIT_ASSERT_PTR_EQ(test, pool->dev, devs->dev);
	KUNIT_ASSERT_EQ(test, pool->nid, NUMA_NO_NODE);
	KUNIT_ASSERT_EQ(test, pool->use_dma_alloc, params->use_dma_alloc);

	err = ttm_pool_alloc(pool, tt, &simple_ctx);
	KUNIT_ASSERT_EQ(test, err, 0);
	KUNIT_ASSERT_EQ(test, tt->num_pages, expected_num_pages);

	fst_page = tt->pages[0];
	last_page = tt->pages[tt->num_pages - 1];

	if (params->order <= MAX_PAGE_ORDER) {
		if (params->use_dma_alloc) {
			KUNIT_ASSERT_NOT_NULL(test, (void *)fst_page->private);
			KUNIT_ASSERT_NOT_NULL(test, (void *)last_page->private);
		} else {
			KUNIT_ASSERT_EQ(test, fst_page->private, params->order);
		}
	} else {
		if (params->use_dma_alloc) {
			KUNIT_ASSERT_NOT_NULL(test, (void *)fst_page->private);
			KUNIT_ASSERT_NULL(test, (void *)last_page->private);
		} else {
			/*
			 * We expect to alloc one big block, followed by
			 * order 0 blocks
			 */
			KUNIT_ASSERT_EQ(test, fst_page->private,
					min_t(unsigned int, MAX_PAGE_ORDER,
					      params->order));
			KUNIT_ASSERT_EQ(test, last_page->private, 0);
		}
	}

	ttm_pool_free(pool, tt);
	ttm_tt_fini(tt);
	ttm_pool_fini(pool);
}

static void ttm_pool_alloc_basic_dma_addr(struct kunit *test)
{
	struct ttm_pool_test_priv *priv = test->priv;
	struct ttm_test_devices *devs = priv->devs;
	const struct ttm_pool_test_case *params = test->param_value;
	struct ttm_tt *tt;
	struct ttm_pool *pool;
	struct ttm_buffer_object *bo;
	dma_addr_t dma1, dma2;
	enum ttm_caching caching = ttm_uncached;
	unsigned int expected_num_pages = 1 << params->order;
	size_t size = expected_num_pages * PAGE_SIZE;
	int err;

	tt = kunit_kzalloc(test, sizeof(*tt), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, tt);

	bo = ttm_pool_test_bo(test, size);

	err = ttm_sg_tt_init(tt, bo, 0, caching);
	KUNIT_ASSERT_EQ(test, err, 0);

	pool = kunit_kzalloc(test, sizeof(*pool), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pool);

	ttm_pool_init(pool, devs->dev, NUMA_NO_NODE, true, false);
	ttm_pool_test_guard(test, pool);

	err = ttm_pool_alloc(pool, tt, &simple_ctx);
	KUNIT_ASSERT_EQ(test, err, 0);
	KUNIT_ASSERT_EQ(test, tt->num_pages, expected_num_pages);

	dma1 = tt->dma_address[0];
	dma2 = tt->dma_address[tt->num_pages - 1];

	KUNIT_ASSERT_NOT_NULL(test, (void *)(uintptr_t)dma1);
	KUNIT_ASSERT_NOT_NULL(test, (void *)(uintptr_t)dma2);

	ttm_pool_free(pool, tt);
	ttm_tt_fini(tt);
	ttm_pool_fini(pool);
}

static void ttm_pool_alloc_order_caching_match(struct kunit *test)
{
	struct ttm_tt *tt;
	struct ttm_pool *pool;
	struct ttm_pool_type *pt;
	enum ttm_caching caching = ttm_uncached;
	unsigned int order = 0;
	size_t size = PAGE_SIZE;
	int err;

	pool = ttm_pool_pre_populated(test, size, caching);

	pt = &pool->caching[caching].orders[order];
	KUNIT_ASSERT_EQ(test, ttm_pool_test_blocks(pt), 1);

	tt = ttm_tt_kunit_init(test, 0, caching, size);
	KUNIT_ASSERT_NOT_NULL(test, tt);

	err = ttm_pool_alloc(pool, tt, &simple_ctx);
	KUNIT_ASSERT_EQ(test, err, 0);

	KUNIT_ASSERT_EQ(test, ttm_pool_test_blocks(pt), 0);

	ttm_pool_free(pool, tt);
	ttm_tt_fini(tt);
	ttm_pool_fini(pool);
}

static void ttm_pool_alloc_caching_mismatch(struct kunit *test)
{
	struct ttm_tt *tt;
	struct ttm_pool *pool;
	struct ttm_pool_type *pt_pool, *pt_tt;
	enum ttm_caching tt_caching = ttm_uncached;
	enum ttm_caching pool_caching = ttm_cached;
	size_t size = PAGE_SIZE;
	unsigned int order = 0;
	int err;

	pool = ttm_pool_pre_populated(test, size, pool_caching);

	pt_pool = &pool->caching[pool_caching].orders[order];
	pt_tt = &pool->caching[tt_caching].orders[order];

	tt = ttm_tt_kunit_init(test, 0, tt_caching, size);
	KUNIT_ASSERT_NOT_NULL(test, tt);

	KUNIT_ASSERT_EQ(test, ttm_pool_test_blocks(pt_pool), 1);
	KUNIT_ASSERT_EQ(test, ttm_pool_test_blocks(pt_tt), 0);

	err = ttm_pool_alloc(pool, tt, &simple_ctx);
	KUNIT_ASSERT_EQ(test, err, 0);

	ttm_pool_free(pool, tt);
	ttm_tt_fini(tt);

	KUNIT_ASSERT_EQ(test, ttm_pool_test_blocks(pt_pool), 1);
	KUNIT_ASSERT_EQ(test, ttm_pool_test_blocks(pt_tt), 1);

	ttm_pool_fini(pool);
}

static void ttm_pool_alloc_order_mismatch(struct kunit *test)
{
	struct ttm_tt *tt;
	struct ttm_pool *pool;
	struct ttm_pool_type *pt_pool, *pt_tt;
	enum ttm_caching caching = ttm_uncached;
	unsigned int order = 2;
	size_t fst_size = (1 << order) * PAGE_SIZE;
	size_t snd_size = PAGE_SIZE;
	int err;

	pool = ttm_pool_pre_populated(test, fst_size, caching);

	pt_pool = &pool->caching[caching].orders[order];
	pt_tt = &pool->caching[caching].orders[0];

	tt = ttm_tt_kunit_init(test, 0, caching, snd_size);
	KUNIT_ASSERT_NOT_NULL(test, tt);

	KUNIT_ASSERT_EQ(test, ttm_pool_test_blocks(pt_pool), 1);
	KUNIT_ASSERT_EQ(test, ttm_pool_test_blocks(pt_tt), 0);

	err = ttm_pool_alloc(pool, tt, &simple_ctx);
	KUNIT_ASSERT_EQ(test, err, 0);

	ttm_pool_free(pool, tt);
	ttm_tt_fini(tt);

	KUNIT_ASSERT_EQ(test, ttm_pool_test_blocks(pt_pool), 1);
	KUNIT_ASSERT_EQ(test, ttm_pool_test_blocks(pt_tt), 1);

	ttm_pool_fini(pool);
}

static void ttm_pool_free_dma_alloc(struct kunit *test)
{
	struct ttm_pool_test_priv *priv = test->priv;
	struct ttm_test_devices *devs = priv->devs;
	struct ttm_tt *tt;
	struct ttm_pool *pool;
	struct ttm_pool_type *pt;
	enum ttm_caching caching = ttm_uncached;
	unsigned int order = 2;
	size_t size = (1 << order) * PAGE_SIZE;
	int err;

	tt = ttm_tt_kunit_init(test, 0, caching, size);
	KUNIT_ASSERT_NOT_NULL(test, tt);

	pool = kunit_kzalloc(test, sizeof(*pool), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pool);

	ttm_pool_init(pool, devs->dev, NUMA_NO_NODE, true, false);
	ttm_pool_test_guard(test, pool);
	err = ttm_pool_alloc(pool, tt, &simple_ctx);
	KUNIT_ASSERT_EQ(test, err, 0);

	pt = &pool->caching[caching].orders[order];
	KUNIT_ASSERT_EQ(test, ttm_pool_test_blocks(pt), 0);

	ttm_pool_free(pool, tt);
	ttm_tt_fini(tt);

	KUNIT_ASSERT_EQ(test, ttm_pool_test_blocks(pt), 1);

	ttm_pool_fini(pool);
}

/*
 * Without coherent DMA allocations and a NUMA node, uncached pages go to
 * TTM's global pool type for their order (on x86; elsewhere they are not
 * pooled), which other pools share, so count what it gains.
 */
static void ttm_pool_free_no_dma_alloc(struct kunit *test)
{
	struct ttm_pool_test_priv *priv = test->priv;
	struct ttm_test_devices *devs = priv->devs;
	struct ttm_tt *tt;
	struct ttm_pool *pool;
	struct ttm_pool_type *pt;
	enum ttm_caching caching = ttm_uncached;
	unsigned int order = 2;
	size_t size = (1 << order) * PAGE_SIZE;
	unsigned long blocks;
	int err;

	tt = ttm_tt_kunit_init(test, 0, caching, size);
	KUNIT_ASSERT_NOT_NULL(test, tt);

	pool = kunit_kzalloc(test, sizeof(*pool), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pool);

	ttm_pool_init(pool, devs->dev, NUMA_NO_NODE, false, false);
	ttm_pool_test_guard(test, pool);

	pt = ttm_pool_select_type(pool, caching, order);
	if (!IS_ENABLED(CONFIG_X86)) {
		KUNIT_EXPECT_NULL(test, pt);
		ttm_pool_fini(pool);
		kunit_skip(test, "uncached pages are pooled on x86 only");
	}
	KUNIT_ASSERT_NOT_NULL(test, pt);
	KUNIT_ASSERT_NULL(test, pt->pool);

	err = ttm_pool_alloc(pool, tt, &simple_ctx);
	KUNIT_ASSERT_EQ(test, err, 0);
	KUNIT_ASSERT_EQ(test, tt->pages[0]->private, order);

	blocks = ttm_pool_test_blocks(pt);

	ttm_pool_free(pool, tt);
	ttm_tt_fini(tt);

	KUNIT_ASSERT_EQ(test, ttm_pool_test_blocks(pt), blocks + 1);

	ttm_pool_fini(pool);
}

/* Finalizing a pool releases its pooled blocks through dma_free_attrs() */
static void ttm_pool_fini_basic(struct kunit *test)
{
	struct ttm_pool_test_priv *priv = test->priv;
	struct ttm_pool *pool;
	struct ttm_pool_type *pt;
	enum ttm_caching caching = ttm_uncached;
	unsigned int order = 0;
	size_t size = PAGE_SIZE;

	pool = ttm_pool_pre_populated(test, size, caching);
	pt = &pool->caching[caching].orders[order];

	KUNIT_ASSERT_EQ(test, ttm_pool_test_blocks(pt), 1);

	ttm_pool_test_watch_release(test);
	ttm_pool_fini(pool);

	KUNIT_ASSERT_EQ(test, ttm_pool_test_blocks(pt), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&priv->dma_free_calls), 1);
}

/* A tt of @bo with @caching, populated from @pool */
static struct ttm_tt *ttm_pool_test_populate(struct kunit *test,
					     struct ttm_pool *pool,
					     struct ttm_buffer_object *bo,
					     enum ttm_caching caching)
{
	struct ttm_tt *tt;
	int err;

	tt = kunit_kzalloc(test, sizeof(*tt), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, tt);

	/* Only coherent DMA pages have a DMA address without a DMA mask */
	if (pool->use_dma_alloc)
		err = ttm_sg_tt_init(tt, bo, 0, caching);
	else
		err = ttm_tt_init(tt, bo, 0, caching, 0);
	KUNIT_ASSERT_EQ(test, err, 0);

	err = ttm_pool_alloc(pool, tt, &simple_ctx);
	KUNIT_ASSERT_EQ(test, err, 0);

	return tt;
}

/* Unpopulate and finalize a tt of ttm_pool_test_populate() */
static void ttm_pool_test_unpopulate(struct ttm_pool *pool, struct ttm_tt *tt)
{
	ttm_pool_free(pool, tt);
	ttm_tt_fini(tt);
}

/*
 * Expect each of the @n blocks of @b to be in @rec exactly once, matched by
 * DMA address if @by_addr, else by first page, and with the same order.
 */
static void ttm_pool_test_expect_released(struct kunit *test,
					  const struct ttm_pool_test_block *b,
					  unsigned int n,
					  const struct ttm_pool_test_block *rec,
					  unsigned int nrec, bool by_addr)
{
	unsigned int i, j, found;

	KUNIT_ASSERT_LE(test, nrec, TTM_POOL_TEST_MAX_BLOCKS);
	KUNIT_EXPECT_EQ_MSG(test, nrec, n, "blocks released");

	for (i = 0; i < n; i++) {
		found = 0;
		for (j = 0; j < nrec; j++) {
			if (by_addr ? rec[j].addr != b[i].addr :
				      rec[j].page != b[i].page)
				continue;
			found++;
			KUNIT_EXPECT_EQ_MSG(test, rec[j].order, b[i].order,
					    "order of block %u", i);
		}
		KUNIT_EXPECT_EQ_MSG(test, found, 1,
				    "releases of block %u (order %u)", i,
				    b[i].order);
	}
}

struct ttm_pool_test_kind {
	const char *description;
	bool use_dma_alloc;
	enum ttm_caching caching;
	unsigned int num_pages;
};

/* Pool types of a pool's own: coherent DMA ones, and on x86 a node's ones */
static const struct ttm_pool_test_kind ttm_pool_own_kinds[] = {
	{ "DMA alloc, cached", true, ttm_cached, 4 },
	{ "DMA alloc, write-combined", true, ttm_write_combined, 4 },
	{ "DMA alloc, uncached", true, ttm_uncached, 1 },
	{ "NUMA node, write-combined", false, ttm_write_combined, 4 },
	{ "NUMA node, uncached", false, ttm_uncached, 1 },
};

static void ttm_pool_kind_desc(const struct ttm_pool_test_kind *t, char *desc)
{
	strscpy(desc, t->description, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(ttm_pool_own_kinds, ttm_pool_own_kinds, ttm_pool_kind_desc);

/* A pool of the test with its own pool types for @kind */
static struct ttm_pool *ttm_pool_test_own_pool(struct kunit *test,
					       const struct ttm_pool_test_kind *kind)
{
	if (!kind->use_dma_alloc && !IS_ENABLED(CONFIG_X86))
		kunit_skip(test, "a node's own pool types exist on x86 only");

	return ttm_pool_test_pool_create(test, kind->use_dma_alloc ?
					 NUMA_NO_NODE : numa_node_id(),
					 kind->use_dma_alloc);
}

/*
 * A page TTM unpopulates goes into the shared pool of its pool type and the
 * next populate takes the same page back from there, zeroed.
 */
static void ttm_pool_recycle_through_page_pool(struct kunit *test)
{
	const struct ttm_pool_test_kind *kind = test->param_value;
	struct ttm_buffer_object *bo;
	struct ttm_pool_type *pt;
	struct ttm_pool *pool;
	struct page *page;
	struct ttm_tt *tt;
	void *vaddr;

	pool = ttm_pool_test_own_pool(test, kind);
	pt = ttm_pool_select_type(pool, kind->caching, 0);
	KUNIT_ASSERT_PTR_EQ(test, pt, &pool->caching[kind->caching].orders[0]);
	KUNIT_ASSERT_EQ(test, ttm_pool_test_blocks(pt), 0);

	bo = ttm_pool_test_bo(test, PAGE_SIZE);
	tt = ttm_pool_test_populate(test, pool, bo, kind->caching);
	page = tt->pages[0];
	vaddr = kmap_local_page(page);
	memset(vaddr, 0xa5, PAGE_SIZE);
	kunmap_local(vaddr);
	ttm_pool_test_unpopulate(pool, tt);

	KUNIT_ASSERT_EQ(test, ttm_pool_test_blocks(pt), 1);

	tt = ttm_pool_test_populate(test, pool, bo, kind->caching);
	KUNIT_EXPECT_PTR_EQ(test, tt->pages[0], page);
	KUNIT_EXPECT_EQ(test, ttm_pool_test_blocks(pt), 0);
	vaddr = kmap_local_page(tt->pages[0]);
	KUNIT_EXPECT_NULL_MSG(test, memchr_inv(vaddr, 0, PAGE_SIZE),
			      "a recycled page is not zeroed");
	kunmap_local(vaddr);
	ttm_pool_test_unpopulate(pool, tt);
}

/*
 * Blocks leaving a pool type go through the release hook: write-back caching
 * restored for pages that were not cached, coherent DMA memory freed with
 * the address and size it was allocated with, each block exactly once.
 */
static void ttm_pool_release_restores_pages(struct kunit *test)
{
	const struct ttm_pool_test_kind *kind = test->param_value;
	struct ttm_pool_test_priv *priv = test->priv;
	struct ttm_pool_test_block b[TTM_POOL_TEST_MAX_BLOCKS];
	struct ttm_buffer_object *bo;
	struct ttm_pool *pool;
	struct ttm_tt *tt;
	unsigned int n;
	bool wb;

	pool = ttm_pool_test_own_pool(test, kind);
	bo = ttm_pool_test_bo(test, kind->num_pages * PAGE_SIZE);
	tt = ttm_pool_test_populate(test, pool, bo, kind->caching);
	n = ttm_pool_test_tt_blocks(test, pool, tt, b);
	ttm_pool_test_unpopulate(pool, tt);

	ttm_pool_test_watch_release(test);
	ttm_pool_fini(pool);

	wb = IS_ENABLED(CONFIG_X86) && kind->caching != ttm_cached;
	ttm_pool_test_expect_released(test, b, wb ? n : 0, priv->wb,
				      atomic_read(&priv->wb_calls), false);
	ttm_pool_test_expect_released(test, b, kind->use_dma_alloc ? n : 0,
				      priv->dma_free,
				      atomic_read(&priv->dma_free_calls), true);
}

/* Run the shared shrinker on every node, as reclaim would */
static unsigned long ttm_pool_test_shrink(unsigned long nr_to_scan)
{
	unsigned long freed = 0, ret;
	int nid;

	for_each_node(nid) {
		struct shrink_control sc = {
			.gfp_mask = GFP_KERNEL,
			.nid = nid,
			.nr_to_scan = nr_to_scan,
		};

		fs_reclaim_acquire(GFP_KERNEL);
		ret = drm_page_pool_shrinker_scan(NULL, &sc);
		fs_reclaim_release(GFP_KERNEL);
		if (ret != SHRINK_STOP)
			freed += ret;
	}

	return freed;
}

/*
 * The shared shrinker counts the pages in TTM's pool types and reclaims them
 * through TTM's release hook. Other pools may hold pages too, so scan until
 * the test's pool type is empty.
 */
static void ttm_pool_shrinker_reclaims(struct kunit *test)
{
	struct ttm_pool_test_priv *priv = test->priv;
	struct ttm_pool_test_block b[TTM_POOL_TEST_MAX_BLOCKS];
	struct shrink_control sc = { .gfp_mask = GFP_KERNEL };
	struct ttm_tt *tt[4];
	struct ttm_buffer_object *bo;
	struct ttm_pool_type *pt;
	struct ttm_pool *pool;
	unsigned int i, tries;

	pool = ttm_pool_test_pool_create(test, NUMA_NO_NODE, true);
	pt = &pool->caching[ttm_cached].orders[0];
	bo = ttm_pool_test_bo(test, PAGE_SIZE);

	for (i = 0; i < ARRAY_SIZE(tt); i++) {
		tt[i] = ttm_pool_test_populate(test, pool, bo, ttm_cached);
		ttm_pool_test_tt_blocks(test, pool, tt[i], &b[i]);
	}
	for (i = 0; i < ARRAY_SIZE(tt); i++)
		ttm_pool_test_unpopulate(pool, tt[i]);
	KUNIT_ASSERT_EQ(test, ttm_pool_test_blocks(pt), ARRAY_SIZE(tt));

	sc.nid = page_to_nid(b[0].page);
	KUNIT_EXPECT_GE(test, drm_page_pool_shrinker_count(NULL, &sc),
			ARRAY_SIZE(tt));

	ttm_pool_test_watch_release(test);
	for (tries = 0; ttm_pool_test_blocks(pt) && tries < 10000; tries++)
		if (!ttm_pool_test_shrink(128))
			break;

	KUNIT_EXPECT_EQ(test, ttm_pool_test_blocks(pt), 0);
	ttm_pool_test_expect_released(test, b, ARRAY_SIZE(tt), priv->dma_free,
				      atomic_read(&priv->dma_free_calls), true);
	KUNIT_EXPECT_EQ(test, atomic_read(&priv->wb_calls), 0);
}

/* Fail order > 0 and all but the first allocs_left order-0 allocations */
static struct page *ttm_pool_test_alloc_pages_node(int nid, gfp_t gfp_flags,
						   unsigned int order)
{
	struct kunit *test = kunit_get_current_test();
	struct ttm_pool_test_priv *priv = test->priv;
	struct page *p;

	if (order || atomic_dec_if_positive(&priv->allocs_left) < 0)
		return NULL;

	p = alloc_pages_node(nid, gfp_flags, 0);
	/* A reference of the test's own shows whether TTM freed the page */
	if (p && priv->allocs < TTM_POOL_TEST_MAX_BLOCKS) {
		get_page(p);
		priv->alloc[priv->allocs++] = p;
	}

	return p;
}

static void ttm_pool_test_put_allocs(void *data)
{
	struct ttm_pool_test_priv *priv = data;
	unsigned int i;

	for (i = 0; i < priv->allocs; i++)
		put_page(priv->alloc[i]);
}

/*
 * A populate that fails half way gives back what it took: the block taken
 * from the pool returns there, the pages it allocated are freed, and none is
 * released with write-back caching as it never changed theirs.
 */
static void ttm_pool_alloc_fails_half_way(struct kunit *test)
{
	static const struct ttm_pool_test_kind kind = {
		.caching = ttm_write_combined,
	};
	struct ttm_pool_test_priv *priv = test->priv;
	struct ttm_pool_type *pt;
	struct ttm_pool *pool;
	struct ttm_tt *tt;
	unsigned int i;
	long base[2];
	int err;

	pool = ttm_pool_test_own_pool(test, &kind);
	pt = &pool->caching[kind.caching].orders[0];

	tt = ttm_pool_test_populate(test, pool, ttm_pool_test_bo(test, PAGE_SIZE),
				    kind.caching);
	ttm_pool_test_unpopulate(pool, tt);
	KUNIT_ASSERT_EQ(test, ttm_pool_test_blocks(pt), 1);
	base[0] = ttm_pool_test_gpu(NR_GPU_ACTIVE);
	base[1] = ttm_pool_test_gpu(NR_GPU_RECLAIM);

	err = kunit_add_action_or_reset(test, ttm_pool_test_put_allocs, priv);
	KUNIT_ASSERT_EQ(test, err, 0);
	atomic_set(&priv->allocs_left, 2);
	kunit_activate_static_stub(test, ttm_pool_alloc_pages_node,
				   ttm_pool_test_alloc_pages_node);
	ttm_pool_test_watch_release(test);

	tt = kunit_kzalloc(test, sizeof(*tt), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, tt);
	err = ttm_tt_init(tt, ttm_pool_test_bo(test, 4 * PAGE_SIZE), 0,
			  kind.caching, 0);
	KUNIT_ASSERT_EQ(test, err, 0);

	/* One page from the pool, two allocated, then allocations fail */
	err = ttm_pool_alloc(pool, tt, &simple_ctx);
	KUNIT_EXPECT_EQ(test, err, -ENOMEM);
	ttm_tt_fini(tt);

	KUNIT_EXPECT_EQ(test, ttm_pool_test_blocks(pt), 1);
	ttm_pool_test_expect_gpu(test, base, 0, 0,
				 "after the failed populate");
	KUNIT_EXPECT_EQ(test, priv->allocs, 2);
	for (i = 0; i < priv->allocs; i++)
		KUNIT_EXPECT_EQ_MSG(test, page_ref_count(priv->alloc[i]), 1,
				    "references to allocated page %u", i);
	KUNIT_EXPECT_EQ(test, atomic_read(&priv->wb_calls), 0);
}

/* A DMA mapping that fails, counted */
static int ttm_pool_test_map_fails(struct ttm_pool *pool, unsigned int order,
				   struct page *p, dma_addr_t **dma_addr)
{
	struct kunit *test = kunit_get_current_test();
	struct ttm_pool_test_priv *priv = test->priv;

	atomic_inc(&priv->map_calls);
	return -EFAULT;
}

/*
 * A populate whose DMA mapping fails frees the page in hand, taken from a
 * pool type or allocated, and leaves GPUActive where it was: the page stops
 * counting as active when it goes (GPUReclaim lost the pooled one).
 */
static void ttm_pool_alloc_map_fails(struct kunit *test)
{
	static const struct ttm_pool_test_kind kind = {
		.caching = ttm_write_combined,
	};
	struct ttm_pool_test_priv *priv = test->priv;
	struct ttm_buffer_object *bo;
	struct ttm_pool_type *pt;
	struct ttm_pool *pool;
	struct ttm_tt *tt;
	unsigned int i;
	long base[2];
	int err;

	pool = ttm_pool_test_own_pool(test, &kind);
	pt = &pool->caching[kind.caching].orders[0];
	/* One page: an order-0 populate takes it from the pool type first */
	bo = ttm_pool_test_bo(test, PAGE_SIZE);

	tt = ttm_pool_test_populate(test, pool, ttm_pool_test_bo(test, PAGE_SIZE),
				    kind.caching);
	ttm_pool_test_unpopulate(pool, tt);
	KUNIT_ASSERT_EQ(test, ttm_pool_test_blocks(pt), 1);
	kunit_activate_static_stub(test, ttm_pool_map, ttm_pool_test_map_fails);

	/* First with the pool type's page in hand, then with a new one */
	for (i = 0; i < 2; i++) {
		base[0] = ttm_pool_test_gpu(NR_GPU_ACTIVE);
		base[1] = ttm_pool_test_gpu(NR_GPU_RECLAIM);
		tt = kunit_kzalloc(test, sizeof(*tt), GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, tt);
		err = ttm_sg_tt_init(tt, bo, 0, kind.caching);
		KUNIT_ASSERT_EQ(test, err, 0);

		err = ttm_pool_alloc(pool, tt, &simple_ctx);
		KUNIT_EXPECT_EQ_MSG(test, err, -EFAULT, "populate %u", i);
		ttm_tt_fini(tt);

		KUNIT_EXPECT_EQ_MSG(test, atomic_read(&priv->map_calls), i + 1,
				    "populate %u", i);
		KUNIT_EXPECT_EQ_MSG(test, ttm_pool_test_blocks(pt), 0,
				    "populate %u", i);
		ttm_pool_test_expect_gpu(test, base, 0, i ? 0 : -1,
					 i ? "after a failed map of a new page" :
					 "after a failed map of a pooled page");
	}
}

/* Map the first block as TTM does, then fail every later map, counted */
static int ttm_pool_test_map_second_fails(struct ttm_pool *pool,
					  unsigned int order, struct page *p,
					  dma_addr_t **dma_addr)
{
	struct kunit *test = kunit_get_current_test();
	struct ttm_pool_test_priv *priv = test->priv;
	int r;

	if (atomic_inc_return(&priv->map_calls) > 1)
		return -EFAULT;

	kunit_deactivate_static_stub(test, ttm_pool_map);
	r = ttm_pool_map(pool, order, p, dma_addr);
	kunit_activate_static_stub(test, ttm_pool_map,
				   ttm_pool_test_map_second_fails);
	return r;
}

/*
 * A populate that fails after it gave staged pages the tt's caching frees
 * them with that caching: a block allocated write-back, made write-combined
 * when a write-combined block came from a pool type, returns to the
 * write-combined pool type when the map of that block fails, never to the
 * cached one (whose pages would then leave it without write-back caching).
 */
static void ttm_pool_alloc_map_fails_after_caching(struct kunit *test)
{
	static const struct ttm_pool_test_kind kind = {
		.use_dma_alloc = true,
		.caching = ttm_write_combined,
	};
	struct ttm_pool_test_priv *priv = test->priv;
	struct ttm_pool_type *wc0, *wc1, *cached1;
	struct ttm_pool *pool;
	struct ttm_tt *tt;
	int err;

	pool = ttm_pool_test_own_pool(test, &kind);
	wc0 = &pool->caching[ttm_write_combined].orders[0];
	wc1 = &pool->caching[ttm_write_combined].orders[1];
	cached1 = &pool->caching[ttm_cached].orders[1];

	/* A write-combined page in the order-0 pool type */
	tt = ttm_pool_test_populate(test, pool, ttm_pool_test_bo(test, PAGE_SIZE),
				    kind.caching);
	ttm_pool_test_unpopulate(pool, tt);
	KUNIT_ASSERT_EQ(test, ttm_pool_test_blocks(wc0), 1);
	KUNIT_ASSERT_EQ(test, ttm_pool_test_blocks(wc1), 0);

	ttm_pool_test_watch_release(test);
	kunit_activate_static_stub(test, ttm_pool_map,
				   ttm_pool_test_map_second_fails);

	/*
	 * Three pages: an order-1 block allocated, write-back and staged, then
	 * the pooled order-0 block, whose map fails after the staged block
	 * was made write-combined.
	 */
	tt = kunit_kzalloc(test, sizeof(*tt), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, tt);
	err = ttm_sg_tt_init(tt, ttm_pool_test_bo(test, 3 * PAGE_SIZE), 0,
			     kind.caching);
	KUNIT_ASSERT_EQ(test, err, 0);
	err = ttm_pool_alloc(pool, tt, &simple_ctx);
	KUNIT_EXPECT_EQ(test, err, -EFAULT);
	ttm_tt_fini(tt);

	KUNIT_EXPECT_EQ(test, atomic_read(&priv->map_calls), 2);
	KUNIT_EXPECT_EQ_MSG(test, ttm_pool_test_blocks(wc1), 1,
			    "the staged block is not back as write-combined");
	KUNIT_EXPECT_EQ_MSG(test, ttm_pool_test_blocks(cached1), 0,
			    "a write-combined block went to the cached pool type");
	/* The block in hand went to the system, with write-back caching */
	KUNIT_EXPECT_EQ(test, ttm_pool_test_blocks(wc0), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&priv->dma_free_calls), 1);
	if (IS_ENABLED(CONFIG_X86))
		KUNIT_EXPECT_EQ(test, atomic_read(&priv->wb_calls), 1);
}

struct ttm_pool_test_shrinker_thread {
	struct kunit *test;
	struct task_struct *task;
	atomic_t scans;
};

/* Shrink all pools, as reclaim on another CPU would, until stopped */
static int ttm_pool_test_shrinker_fn(void *data)
{
	struct ttm_pool_test_shrinker_thread *t = data;

	/* So that the static stubs see the releases of this thread too */
	current->kunit_test = t->test;

	while (!kthread_should_stop()) {
		ttm_pool_test_shrink(32);
		atomic_inc(&t->scans);
		cond_resched();
	}

	return 0;
}

static void ttm_pool_test_stop_thread(void *data)
{
	struct ttm_pool_test_shrinker_thread *t = data;

	kthread_stop_put(t->task);
}

static int ttm_pool_test_cmp_addr(const void *a, const void *b)
{
	const dma_addr_t *x = a, *y = b;

	return *x < *y ? -1 : *x > *y;
}

/*
 * TTM devices with coherent DMA pools come and go while the shared shrinker
 * runs on the other CPU: each block is released exactly once, by the
 * shrinker or by the teardown, and none after its pool is gone.
 */
static void ttm_pool_device_fini_while_shrinking(struct kunit *test)
{
	static const enum ttm_caching cachings[] = {
		ttm_cached, ttm_write_combined,
	};
	struct ttm_pool_test_priv *priv = test->priv;
	struct ttm_pool_test_shrinker_thread *t;
	dma_addr_t alloc[TTM_POOL_TEST_MAX_BLOCKS];
	dma_addr_t freed[TTM_POOL_TEST_MAX_BLOCKS];
	struct ttm_buffer_object *bo;
	struct ttm_device *ttm_dev;
	unsigned int i, j, n = 0;
	struct ttm_tt *tt;
	int err;

	bo = ttm_pool_test_bo(test, PAGE_SIZE);
	ttm_pool_test_watch_release(test);

	t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	t->test = test;
	t->task = kthread_create(ttm_pool_test_shrinker_fn, t, "ttm-shrink");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t->task));
	get_task_struct(t->task);
	err = kunit_add_action_or_reset(test, ttm_pool_test_stop_thread, t);
	KUNIT_ASSERT_EQ(test, err, 0);
	wake_up_process(t->task);
	while (!atomic_read(&t->scans))
		cond_resched();

	for (i = 0; i < TTM_POOL_TEST_MAX_BLOCKS / ARRAY_SIZE(cachings); i++) {
		ttm_dev = kunit_kzalloc(test, sizeof(*ttm_dev), GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, ttm_dev);
		err = ttm_device_kunit_init(priv->devs, ttm_dev, true, false);
		KUNIT_ASSERT_EQ(test, err, 0);
		/* Finalized even if an assertion below fails */
		err = kunit_add_action_or_reset(test, ttm_pool_test_device_fini,
						ttm_dev);
		KUNIT_ASSERT_EQ(test, err, 0);

		for (j = 0; j < ARRAY_SIZE(cachings); j++) {
			tt = ttm_pool_test_populate(test, &ttm_dev->pool, bo,
						    cachings[j]);
			alloc[n++] = tt->dma_address[0];
			ttm_pool_test_unpopulate(&ttm_dev->pool, tt);
		}

		kunit_release_action(test, ttm_pool_test_device_fini, ttm_dev);
	}

	kunit_release_action(test, ttm_pool_test_stop_thread, t);
	kunit_info(test, "%d scans ran beside %u device teardowns\n",
		   atomic_read(&t->scans), i);

	KUNIT_ASSERT_EQ(test, atomic_read(&priv->dma_free_calls), n);
	for (i = 0; i < n; i++)
		freed[i] = priv->dma_free[i].addr;
	/* DMA addresses come back after a free, so compare as multisets */
	sort(alloc, n, sizeof(*alloc), ttm_pool_test_cmp_addr, NULL);
	sort(freed, n, sizeof(*freed), ttm_pool_test_cmp_addr, NULL);
	for (i = 0; i < n; i++)
		KUNIT_EXPECT_EQ_MSG(test, freed[i], alloc[i],
				    "DMA address %u of %u", i, n);
}

/*
 * Pages freed into TTM's global pool types stay pooled while other TTM
 * devices come and go: the next allocation gets them back.
 */
static void ttm_pool_pages_survive_other_devices(struct kunit *test)
{
	struct ttm_pool_test_priv *priv = test->priv;
	struct ttm_test_devices *devs = priv->devs;
	enum ttm_caching caching = ttm_uncached;
	unsigned int order = 2;
	size_t size = (1 << order) * PAGE_SIZE;
	struct ttm_device *other;
	struct ttm_pool *pool;
	struct ttm_tt *tt;
	struct page *p;
	int err;

	if (!IS_ENABLED(CONFIG_X86))
		kunit_skip(test, "uncached pages are pooled on x86 only");

	pool = kunit_kzalloc(test, sizeof(*pool), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pool);
	ttm_pool_init(pool, devs->dev, NUMA_NO_NODE, false, false);
	ttm_pool_test_guard(test, pool);

	tt = ttm_tt_kunit_init(test, 0, caching, size);
	KUNIT_ASSERT_NOT_NULL(test, tt);
	err = ttm_pool_alloc(pool, tt, &simple_ctx);
	KUNIT_ASSERT_EQ(test, err, 0);
	p = tt->pages[0];
	ttm_pool_free(pool, tt);

	other = kunit_kzalloc(test, sizeof(*other), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, other);
	err = ttm_device_kunit_init(devs, other, false, false);
	KUNIT_ASSERT_EQ(test, err, 0);
	ttm_device_fini(other);

	/* Still pooled: allocated, not handed back to the page allocator */
	KUNIT_EXPECT_EQ(test, page_ref_count(p), 1);

	err = ttm_pool_alloc(pool, tt, &simple_ctx);
	KUNIT_ASSERT_EQ(test, err, 0);
	KUNIT_EXPECT_PTR_EQ_MSG(test, tt->pages[0], p,
				"the pooled block was lost when a device came and went");

	ttm_pool_free(pool, tt);
	ttm_tt_fini(tt);
	ttm_pool_fini(pool);
}

static void ttm_pool_test_restore_size(void *data)
{
	ttm_pool_set_page_pool_size((unsigned long)data);
	drm_page_pool_trim_flush();
}

/*
 * Set ttm.page_pool_size for this case only, once every pool is empty so
 * that what TTM's pools hold is the case's own; no trim runs on return.
 */
static void ttm_pool_test_set_size(struct kunit *test, unsigned long pages)
{
	unsigned long old = ttm_pool_set_page_pool_size(pages);
	int err;

	err = kunit_add_action_or_reset(test, ttm_pool_test_restore_size,
					(void *)old);
	KUNIT_ASSERT_EQ(test, err, 0);
	drm_page_pool_trim_flush();
}

/* Empty every pool of the shared pool, TTM's and other users' */
static void ttm_pool_test_drain(struct kunit *test)
{
	unsigned int tries;

	drm_page_pool_trim_flush();
	for (tries = 0; tries < 10000; tries++)
		if (!ttm_pool_test_shrink(1024))
			return;
	KUNIT_FAIL(test, "the shared pools could not be drained");
}

/* @n single pages of @caching into @pool's order-0 pool type, in order */
static void ttm_pool_test_fill(struct kunit *test, struct ttm_pool *pool,
			       enum ttm_caching caching, unsigned int n,
			       struct ttm_pool_test_block *b)
{
	struct ttm_buffer_object *bo = ttm_pool_test_bo(test, PAGE_SIZE);
	struct ttm_tt *tt[8];
	unsigned int i;

	KUNIT_ASSERT_LE(test, n, ARRAY_SIZE(tt));
	for (i = 0; i < n; i++) {
		tt[i] = ttm_pool_test_populate(test, pool, bo, caching);
		ttm_pool_test_tt_blocks(test, pool, tt[i], &b[i]);
	}
	for (i = 0; i < n; i++)
		ttm_pool_test_unpopulate(pool, tt[i]);
}

/*
 * Over ttm.page_pool_size, a freed page still goes into its pool type: the
 * pools are trimmed afterwards, the idlest first, and the page in hand
 * stays pooled (R3).
 */
static void ttm_pool_give_pools_over_ttm_limit(struct kunit *test)
{
	struct ttm_pool_test_priv *priv = test->priv;
	struct ttm_pool_test_block a[4], w[1];
	struct ttm_pool_type *pa, *pw;
	struct ttm_pool *pool;

	pool = ttm_pool_test_pool_create(test, NUMA_NO_NODE, true);
	pa = &pool->caching[ttm_cached].orders[0];
	pw = &pool->caching[ttm_write_combined].orders[0];
	ttm_pool_test_drain(test);

	ttm_pool_test_fill(test, pool, ttm_cached, ARRAY_SIZE(a), a);
	KUNIT_ASSERT_EQ(test, ttm_pool_test_blocks(pa), 4);
	ttm_pool_test_set_size(test, 4);

	ttm_pool_test_watch_release(test);
	ttm_pool_test_fill(test, pool, ttm_write_combined, 1, w);

	KUNIT_EXPECT_EQ_MSG(test, ttm_pool_test_blocks(pw), 1,
			    "the page freed over the limit was not pooled");
	KUNIT_EXPECT_EQ(test, ttm_pool_test_blocks(pa), 3);
	/* The coldest block of the idle pool type left, nothing else */
	ttm_pool_test_expect_released(test, a, 1, priv->dma_free,
				      atomic_read(&priv->dma_free_calls), true);
}

/* Lowering ttm.page_pool_size trims TTM's pools at once */
static void ttm_pool_size_write_trims(struct kunit *test)
{
	struct ttm_pool_test_block a[4];
	struct ttm_buffer_object *bo;
	struct ttm_pool_type *pa;
	struct ttm_pool *pool;
	struct ttm_tt *tt;
	long base[2];

	pool = ttm_pool_test_pool_create(test, NUMA_NO_NODE, true);
	pa = &pool->caching[ttm_cached].orders[0];
	ttm_pool_test_drain(test);
	ttm_pool_test_fill(test, pool, ttm_cached, ARRAY_SIZE(a), a);
	KUNIT_ASSERT_EQ(test, ttm_pool_test_blocks(pa), 4);
	base[0] = ttm_pool_test_gpu(NR_GPU_ACTIVE);
	base[1] = ttm_pool_test_gpu(NR_GPU_RECLAIM);

	ttm_pool_test_set_size(test, 1);

	/* No page was freed since: only the write can have trimmed */
	KUNIT_EXPECT_EQ(test, ttm_pool_test_blocks(pa), 1);
	/* The three blocks trimmed stop counting as reclaimable */
	ttm_pool_test_expect_gpu(test, base, 0, -3, "after the trim");
	/*
	 * The trim work ran in a worker, where the stubs do not apply: the
	 * block kept must be the warmest, the one freed last.
	 */
	bo = ttm_pool_test_bo(test, PAGE_SIZE);
	tt = ttm_pool_test_populate(test, pool, bo, ttm_cached);
	KUNIT_EXPECT_EQ(test, tt->dma_address[0], a[3].addr);
	ttm_pool_test_unpopulate(pool, tt);
}

/*
 * The total of TTM's debugfs files is the shared pool's count of the pages
 * in TTM's pool types, against ttm.page_pool_size.
 */
static void ttm_pool_debugfs_total(struct kunit *test)
{
	struct ttm_pool_test_block a[3];
	struct ttm_pool *pool;
	char expect[64];
	struct seq_file m = { .size = PAGE_SIZE };

	m.buf = kunit_kzalloc(test, m.size, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, m.buf);
	pool = ttm_pool_test_pool_create(test, NUMA_NO_NODE, true);
	ttm_pool_test_drain(test);
	ttm_pool_test_set_size(test, 1000);
	ttm_pool_test_fill(test, pool, ttm_uncached, ARRAY_SIZE(a), a);

	ttm_pool_debugfs(pool, &m);
	snprintf(expect, sizeof(expect), "\ntotal\t: %8u of %8u\n", 3, 1000);
	KUNIT_EXPECT_TRUE_MSG(test, m.count >= strlen(expect) &&
			      !strcmp(m.buf + m.count - strlen(expect), expect),
			      "debugfs ends with:\n%s", m.buf);
}

/*
 * Rows of the shared pool's pools file whose pool is named "@owner" after
 * its kind: one per pool type a device's pool has of its own.
 */
static unsigned int ttm_pool_test_owned_rows(struct kunit *test,
					     const char *owner)
{
	struct seq_file m = { .size = SZ_64K };
	unsigned int n = 0;
	char name[64], *at;
	const char *line;

	m.buf = kunit_kzalloc(test, m.size, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, m.buf);
	drm_page_pool_pools_show(&m, NULL);
	KUNIT_ASSERT_LT_MSG(test, m.count, m.size, "pools file truncated");

	for (line = m.buf; line; line = strchr(line + 1, '\n')) {
		if (sscanf(line, " %63s", name) != 1)
			continue;
		at = strchr(name, '@');
		if (at && !strcmp(at + 1, owner))
			n++;
	}
	kunit_kfree(test, m.buf);

	return n;
}

/*
 * The pool types of a device's own are shown with the device's name, so
 * that two devices' pools can be told apart; the global ones with none.
 * The name is the one the device had at ttm_pool_init(), kept in a copy of
 * the pool's: renaming the device frees the old one.
 */
static void ttm_pool_debugfs_device_names(struct kunit *test)
{
	const unsigned int own = TTM_NUM_CACHING_TYPES * NR_PAGE_ORDERS;
	struct device *dev_a, *dev_b;
	struct ttm_pool *a, *b;
	const char *name_a, *name_b;
	int err;

	/* Named "<test>.<name>" by KUnit */
	dev_a = kunit_device_register(test, "ttm-pool-test-a");
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dev_a);
	dev_b = kunit_device_register(test, "ttm-pool-test-b");
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dev_b);
	name_a = kunit_kstrdup_const(test, dev_name(dev_a), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, name_a);
	name_b = kunit_kstrdup_const(test, dev_name(dev_b), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, name_b);

	a = kunit_kzalloc(test, sizeof(*a), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, a);
	ttm_pool_init(a, dev_a, NUMA_NO_NODE, true, false);
	ttm_pool_test_guard(test, a);
	b = kunit_kzalloc(test, sizeof(*b), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, b);
	ttm_pool_init(b, dev_b, NUMA_NO_NODE, true, false);
	ttm_pool_test_guard(test, b);

	KUNIT_EXPECT_EQ(test, ttm_pool_test_owned_rows(test, name_a), own);
	KUNIT_EXPECT_EQ(test, ttm_pool_test_owned_rows(test, name_b), own);

	err = device_rename(dev_b, "ttm-pool-test-renamed");
	KUNIT_ASSERT_EQ(test, err, 0);
	KUNIT_EXPECT_EQ(test, ttm_pool_test_owned_rows(test, name_b), own);
	KUNIT_EXPECT_EQ(test, ttm_pool_test_owned_rows(test, dev_name(dev_b)),
			0);

	ttm_pool_fini(a);
	KUNIT_EXPECT_EQ(test, ttm_pool_test_owned_rows(test, name_a), 0);
	KUNIT_EXPECT_EQ(test, ttm_pool_test_owned_rows(test, name_b), own);
}

/*
 * The pages of a tt count in GPUActive, unless they are coherent DMA
 * memory, as in mainline; in a pool type they count in GPUReclaim instead:
 * each populate, unpopulate, shrink and fini moves the counters by exactly
 * the pages it moves.
 */
static void ttm_pool_gpu_counters(struct kunit *test)
{
	const struct ttm_pool_test_kind *kind = test->param_value;
	long n = kind->num_pages, active = kind->use_dma_alloc ? 0 : n;
	struct ttm_buffer_object *bo;
	struct ttm_pool *pool;
	unsigned int tries;
	struct ttm_tt *tt;
	long base[2];

	pool = ttm_pool_test_own_pool(test, kind);
	bo = ttm_pool_test_bo(test, n * PAGE_SIZE);
	ttm_pool_test_drain(test);
	base[0] = ttm_pool_test_gpu(NR_GPU_ACTIVE);
	base[1] = ttm_pool_test_gpu(NR_GPU_RECLAIM);

	tt = ttm_pool_test_populate(test, pool, bo, kind->caching);
	ttm_pool_test_expect_gpu(test, base, active, 0, "allocated to a tt");
	ttm_pool_test_unpopulate(pool, tt);
	ttm_pool_test_expect_gpu(test, base, 0, n, "given to a pool type");

	tt = ttm_pool_test_populate(test, pool, bo, kind->caching);
	ttm_pool_test_expect_gpu(test, base, active, 0, "taken by a tt");
	ttm_pool_test_unpopulate(pool, tt);
	ttm_pool_test_expect_gpu(test, base, 0, n, "given back");

	for (tries = 0; tries < 10000; tries++)
		if (!ttm_pool_test_shrink(1024))
			break;
	ttm_pool_test_expect_gpu(test, base, 0, 0, "shrunk");

	tt = ttm_pool_test_populate(test, pool, bo, kind->caching);
	ttm_pool_test_unpopulate(pool, tt);
	ttm_pool_test_expect_gpu(test, base, 0, n, "given again");
	ttm_pool_fini(pool);
	ttm_pool_test_expect_gpu(test, base, 0, 0, "after fini");
}

/*
 * Pages of a pool type-less kind (cached, no coherent DMA: TTM's pools keep
 * none) are GPUActive while the tt holds them and leave for the system.
 */
static void ttm_pool_gpu_active_unpooled(struct kunit *test)
{
	struct ttm_buffer_object *bo;
	struct ttm_pool *pool;
	struct ttm_tt *tt;
	long base[2];

	pool = ttm_pool_test_pool_create(test, NUMA_NO_NODE, false);
	KUNIT_ASSERT_NULL(test, ttm_pool_select_type(pool, ttm_cached, 0));
	bo = ttm_pool_test_bo(test, 8 * PAGE_SIZE);
	base[0] = ttm_pool_test_gpu(NR_GPU_ACTIVE);
	base[1] = ttm_pool_test_gpu(NR_GPU_RECLAIM);

	tt = ttm_pool_test_populate(test, pool, bo, ttm_cached);
	ttm_pool_test_expect_gpu(test, base, 8, 0, "allocated to a tt");
	ttm_pool_test_unpopulate(pool, tt);
	ttm_pool_test_expect_gpu(test, base, 0, 0, "freed");
}

/*
 * Backup: the tt of a test has its pages filled with data no compressor
 * shrinks, a function of a seed and the page index.
 */
#define TTM_POOL_TEST_SEED	0x7a3c91e5u

static void ttm_pool_test_expected(void *buf, pgoff_t i)
{
	struct rnd_state rnd;

	prandom_seed_state(&rnd, ((u64)TTM_POOL_TEST_SEED << 32) ^ i);
	prandom_bytes_state(&rnd, buf, PAGE_SIZE);
}

static void ttm_pool_test_fill_data(struct ttm_tt *tt)
{
	pgoff_t i;

	for (i = 0; i < tt->num_pages; i++) {
		void *vaddr = kmap_local_page(tt->pages[i]);

		ttm_pool_test_expected(vaddr, i);
		kunmap_local(vaddr);
	}
}

/* Whether @p holds what page @i of a filled tt held */
static bool ttm_pool_test_page_ok(struct kunit *test, struct page *p,
				  pgoff_t i)
{
	void *expected = kunit_kmalloc(test, PAGE_SIZE, GFP_KERNEL);
	void *vaddr;
	bool ok;

	KUNIT_ASSERT_NOT_NULL(test, expected);
	ttm_pool_test_expected(expected, i);
	vaddr = kmap_local_page(p);
	ok = !memcmp(vaddr, expected, PAGE_SIZE);
	kunmap_local(vaddr);
	kunit_kfree(test, expected);

	return ok;
}

/* Whether the backup copy of @handle holds what page @i held */
static bool ttm_pool_test_handle_ok(struct kunit *test, struct ttm_tt *tt,
				    unsigned long handle, pgoff_t i)
{
	struct page *p = alloc_page(GFP_KERNEL);
	bool ok;
	int err;

	KUNIT_ASSERT_NOT_NULL(test, p);
	err = ttm_backup_copy_page(tt->backup, p, handle, false);
	ok = !err && ttm_pool_test_page_ok(test, p, i);
	__free_page(p);

	return ok;
}

static u64 ttm_pool_test_bytes_avail(void)
{
	struct ttm_pool_test_priv *priv = kunit_get_current_test()->priv;

	return priv->swap_bytes;
}

/* Back up as TTM does, but fail the call backup_fail_at */
static s64 ttm_pool_test_backup_page(struct file *backup, struct page *page,
				     bool writeback, pgoff_t idx,
				     gfp_t page_gfp, gfp_t alloc_gfp)
{
	struct kunit *test = kunit_get_current_test();
	struct ttm_pool_test_priv *priv = test->priv;
	s64 ret;

	priv->backup_gfp = alloc_gfp;
	if (priv->backup_calls < ARRAY_SIZE(priv->active_at))
		priv->active_at[priv->backup_calls] =
			ttm_pool_test_gpu(NR_GPU_ACTIVE);
	if (priv->backup_calls++ == priv->backup_fail_at)
		return -ENOMEM;

	kunit_deactivate_static_stub(test, ttm_backup_backup_page);
	ret = ttm_backup_backup_page(backup, page, writeback, idx, page_gfp,
				     alloc_gfp);
	kunit_activate_static_stub(test, ttm_backup_backup_page,
				   ttm_pool_test_backup_page);
	return ret;
}

static int ttm_pool_test_set_pages_array_wb(struct page **pages,
					    unsigned int num_pages)
{
	struct ttm_pool_test_priv *priv = kunit_get_current_test()->priv;

	priv->array_wb_calls++;
	priv->array_wb_pages += num_pages;
#ifdef CONFIG_X86
	return set_pages_array_wb(pages, num_pages);
#else
	return 0;
#endif
}

/* Redirect the backup's seams: swap space, page copies, caching resets */
static void ttm_pool_test_backup_stubs(struct kunit *test, u64 swap_bytes,
				       int fail_at)
{
	struct ttm_pool_test_priv *priv = test->priv;

	priv->swap_bytes = swap_bytes;
	priv->backup_fail_at = fail_at;
	kunit_activate_static_stub(test, ttm_backup_bytes_avail,
				   ttm_pool_test_bytes_avail);
	kunit_activate_static_stub(test, ttm_backup_backup_page,
				   ttm_pool_test_backup_page);
	kunit_activate_static_stub(test, ttm_pool_set_pages_array_wb,
				   ttm_pool_test_set_pages_array_wb);
}

struct ttm_pool_test_btt {
	struct ttm_pool *pool;
	struct ttm_tt tt;
	/* The first page of each block, with a reference of the test's */
	struct page **pinned;
	unsigned int nr_pinned;
};

/* Free whatever the tt of a test still holds, then its pinned pages */
static void ttm_pool_test_btt_release(void *data)
{
	struct ttm_pool_test_btt *btt = data;

	if (ttm_tt_is_populated(&btt->tt)) {
		ttm_pool_free(btt->pool, &btt->tt);
		btt->tt.page_flags &= ~TTM_TT_FLAG_PRIV_POPULATED;
	}
	ttm_tt_fini(&btt->tt);
	while (btt->nr_pinned)
		put_page(btt->pinned[--btt->nr_pinned]);
}

/*
 * A populated tt of @num_pages with a backup file, filled with the test's
 * data, the first page of each block pinned by the test; released at the
 * end of the test whatever state it is in.
 */
static struct ttm_pool_test_btt *
ttm_pool_test_backup_tt(struct kunit *test, struct ttm_pool *pool,
			pgoff_t num_pages, enum ttm_caching caching, bool dma)
{
	struct ttm_buffer_object *bo;
	struct ttm_pool_test_btt *btt;
	struct ttm_tt *tt;
	pgoff_t i;
	int err;

	btt = kunit_kzalloc(test, sizeof(*btt), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, btt);
	btt->pool = pool;
	btt->pinned = kunit_kcalloc(test, num_pages, sizeof(*btt->pinned),
				    GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, btt->pinned);
	tt = &btt->tt;

	bo = ttm_pool_test_bo(test, num_pages << PAGE_SHIFT);
	if (dma)
		err = ttm_sg_tt_init(tt, bo, 0, caching);
	else
		err = ttm_tt_init(tt, bo, 0, caching, 0);
	KUNIT_ASSERT_EQ(test, err, 0);
	/* What a driver's tts that can be backed up have */
	tt->page_flags |= TTM_TT_FLAG_EXTERNAL | TTM_TT_FLAG_EXTERNAL_MAPPABLE;
	err = kunit_add_action_or_reset(test, ttm_pool_test_btt_release, btt);
	KUNIT_ASSERT_EQ(test, err, 0);
	err = ttm_tt_setup_backup(tt);
	KUNIT_ASSERT_EQ(test, err, 0);

	err = ttm_pool_alloc(pool, tt, &simple_ctx);
	KUNIT_ASSERT_EQ(test, err, 0);
	tt->page_flags |= TTM_TT_FLAG_PRIV_POPULATED;
	ttm_pool_test_fill_data(tt);

	for (i = 0; i < num_pages;
	     i += 1UL << ttm_pool_page_order(pool, tt->pages[i])) {
		get_page(tt->pages[i]);
		btt->pinned[btt->nr_pinned++] = tt->pages[i];
	}

	return btt;
}

/* Pages the shmem file of @tt holds */
static unsigned long ttm_pool_test_backup_pages(struct ttm_tt *tt)
{
	return file_inode(tt->backup)->i_mapping->nrpages;
}

/*
 * Finalize a tt of the test and expect every page and copy it held gone:
 * the pinned pages back to the test's reference only, the shmem file
 * empty, GPUActive down by the pages it still held.
 */
static void ttm_pool_test_btt_fini(struct kunit *test,
				   struct ttm_pool_test_btt *btt,
				   long active_before, const char *when)
{
	struct file *backup = btt->tt.backup;
	unsigned int i;

	get_file(backup);
	ttm_tt_fini(&btt->tt);
	KUNIT_EXPECT_EQ_MSG(test, file_inode(backup)->i_mapping->nrpages, 0,
			    "shmem pages left %s", when);
	fput(backup);
	for (i = 0; i < btt->nr_pinned; i++)
		KUNIT_EXPECT_EQ_MSG(test, page_ref_count(btt->pinned[i]), 1,
				    "references to block %u %s", i, when);
	KUNIT_EXPECT_EQ_MSG(test, ttm_pool_test_gpu(NR_GPU_ACTIVE),
			    active_before, "GPUActive pages %s", when);
}

struct ttm_pool_backup_param {
	char desc[KUNIT_PARAM_DESC_SIZE];
	enum ttm_caching caching;
	bool dma;
	pgoff_t num_pages;
	int fail_at;
};

static const enum ttm_caching ttm_pool_test_cachings[] = {
	ttm_cached, ttm_write_combined, ttm_uncached,
};

static const char * const ttm_pool_test_caching_names[] = {
	[ttm_cached] = "cached",
	[ttm_write_combined] = "write-combined",
	[ttm_uncached] = "uncached",
};

/* Every caching, with and without DMA addresses, at 1, 3, 20 and 515 pages */
static const void *ttm_pool_backup_all_gen(const void *prev, char *desc)
{
	static const pgoff_t sizes[] = { 1, 3, 20, 515 };
	static struct ttm_pool_backup_param p;
	static unsigned int n;
	unsigned int c, d, z;

	n = prev ? n + 1 : 0;
	if (n >= ARRAY_SIZE(ttm_pool_test_cachings) * 2 * ARRAY_SIZE(sizes))
		return NULL;
	z = n % ARRAY_SIZE(sizes);
	d = n / ARRAY_SIZE(sizes) % 2;
	c = n / ARRAY_SIZE(sizes) / 2;
	p.caching = ttm_pool_test_cachings[c];
	p.dma = d;
	p.num_pages = sizes[z];
	p.fail_at = -1;
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s%s, %lu pages",
		 ttm_pool_test_caching_names[p.caching],
		 p.dma ? ", DMA addresses" : "", p.num_pages);
	return &p;
}

/* A pool of the test's device, which gets a DMA mask for @dma */
static struct ttm_pool *ttm_pool_test_backup_pool(struct kunit *test,
						  bool dma)
{
	struct ttm_pool_test_priv *priv = test->priv;

	if (dma && dma_coerce_mask_and_coherent(priv->devs->dev,
						DMA_BIT_MASK(64)))
		kunit_skip(test, "no DMA mapping on this platform");
	return ttm_pool_test_pool_create(test, NUMA_NO_NODE, false);
}

/*
 * A backup copies every page into the tt's shmem file and frees it to the
 * system: the page array holds handles only, the tt is backed up and no
 * longer populated, caching was reset once for the whole tt if needed, no
 * page went into a pool type, GPUActive lost every page.
 */
static void ttm_pool_backup_all(struct kunit *test)
{
	const struct ttm_pool_backup_param *param = test->param_value;
	struct ttm_pool_test_priv *priv = test->priv;
	struct ttm_backup_flags flags = {};
	struct ttm_pool_test_btt *btt;
	unsigned long pooled[2] = {};
	struct ttm_pool *pool;
	struct ttm_tt *tt;
	long active, ret;
	unsigned int o;
	pgoff_t i;

	pool = ttm_pool_test_backup_pool(test, param->dma);
	btt = ttm_pool_test_backup_tt(test, pool, param->num_pages,
				      param->caching, param->dma);
	tt = &btt->tt;
	for (o = 0; o < NR_PAGE_ORDERS; o++) {
		struct ttm_pool_type *pt = ttm_pool_select_type(pool, tt->caching, o);

		pooled[0] += pt ? ttm_pool_test_blocks(pt) : 0;
	}
	ttm_pool_test_backup_stubs(test, U64_MAX, -1);
	active = ttm_pool_test_gpu(NR_GPU_ACTIVE);

	ret = ttm_pool_backup(pool, tt, &flags);
	KUNIT_ASSERT_EQ(test, ret, (long)param->num_pages);

	KUNIT_EXPECT_TRUE(test, ttm_tt_is_backed_up(tt));
	KUNIT_EXPECT_FALSE(test, ttm_tt_is_populated(tt));
	KUNIT_EXPECT_EQ(test, priv->array_wb_calls,
			IS_ENABLED(CONFIG_X86) && tt->caching != ttm_cached ? 1 : 0);
	for (o = 0; o < NR_PAGE_ORDERS; o++) {
		struct ttm_pool_type *pt = ttm_pool_select_type(pool, tt->caching, o);

		pooled[1] += pt ? ttm_pool_test_blocks(pt) : 0;
	}
	KUNIT_EXPECT_EQ_MSG(test, pooled[1], pooled[0],
			    "blocks in the pool types changed");
	KUNIT_EXPECT_EQ(test, ttm_pool_test_gpu(NR_GPU_ACTIVE),
			active - (long)param->num_pages);
	KUNIT_EXPECT_EQ(test, ttm_pool_test_backup_pages(tt), param->num_pages);
	KUNIT_EXPECT_TRUE_MSG(test, (priv->backup_gfp & GFP_HIGHUSER_MOVABLE) ==
			      GFP_HIGHUSER_MOVABLE,
			      "backup copies not from highmem, movable");

	for (i = 0; i < tt->num_pages; i++) {
		struct page *p = tt->pages[i];

		KUNIT_ASSERT_TRUE_MSG(test, ttm_backup_page_ptr_is_handle(p),
				      "entry %lu is no handle", i);
		KUNIT_EXPECT_TRUE_MSG(test,
				      ttm_pool_test_handle_ok(test, tt,
							      ttm_backup_page_ptr_to_handle(p), i),
				      "backup copy of page %lu", i);
	}

	ttm_pool_test_btt_fini(test, btt, active - (long)param->num_pages,
			       "after a full backup");
}

/* Add a parameter of @num_pages whose copy @fail_at fails */
static void ttm_pool_test_add_param(struct ttm_pool_backup_param *p,
				    unsigned int *n, unsigned int max,
				    enum ttm_caching caching, bool dma,
				    pgoff_t num_pages, int fail_at,
				    const char *what)
{
	struct ttm_pool_backup_param *q = &p[*n];

	if (WARN_ON(*n >= max))
		return;
	q->caching = caching;
	q->dma = dma;
	q->num_pages = num_pages;
	q->fail_at = fail_at;
	snprintf(q->desc, sizeof(q->desc), "%s%s, %lu pages, %s %d",
		 ttm_pool_test_caching_names[caching], dma ? ", DMA" : "",
		 num_pages, what, fail_at);
	(*n)++;
}

/*
 * Failure points: every page of 1-, 3- and 20-page tts (@past_end: and
 * none), the block boundaries +-1 of a 515-page tt (blocks of 512, 2 and 1
 * pages), and every page of 3-page tts of other cachings and with DMA
 * addresses.
 */
static unsigned int ttm_pool_test_fail_params(struct ttm_pool_backup_param *p,
					      unsigned int max, bool past_end,
					      const char *what)
{
	static const pgoff_t sizes[] = { 1, 3, 20 };
	static const int big[] = { 0, 1, 511, 512, 513, 514, 515 };
	unsigned int n = 0, z;
	int k, end;

	for (z = 0; z < ARRAY_SIZE(sizes); z++) {
		end = sizes[z] + past_end;
		for (k = 0; k < end; k++)
			ttm_pool_test_add_param(p, &n, max, ttm_write_combined,
						false, sizes[z], k, what);
	}
	for (z = 0; z < ARRAY_SIZE(big); z++)
		if (big[z] < 515 + past_end)
			ttm_pool_test_add_param(p, &n, max, ttm_write_combined,
						false, 515, big[z], what);
	for (k = 0; k < 3 + past_end; k++) {
		ttm_pool_test_add_param(p, &n, max, ttm_cached, false, 3, k,
					what);
		ttm_pool_test_add_param(p, &n, max, ttm_uncached, false, 3, k,
					what);
		ttm_pool_test_add_param(p, &n, max, ttm_write_combined, true,
					3, k, what);
	}
	return n;
}

/* The failure points of a parameterised case, and the one it is at */
struct ttm_pool_test_params {
	struct ttm_pool_backup_param p[64];
	unsigned int n, i;
};

static const void *ttm_pool_test_next_param(struct ttm_pool_test_params *t,
					    const void *prev, char *desc,
					    bool past_end, const char *what)
{
	if (!prev) {
		t->n = ttm_pool_test_fail_params(t->p, ARRAY_SIZE(t->p),
						 past_end, what);
		t->i = 0;
	} else if (++t->i >= t->n) {
		return NULL;
	}
	strscpy(desc, t->p[t->i].desc, KUNIT_PARAM_DESC_SIZE);
	return &t->p[t->i];
}

static const void *ttm_pool_backup_fails_gen(const void *prev, char *desc)
{
	static struct ttm_pool_test_params t;

	return ttm_pool_test_next_param(&t, prev, desc, false,
					"backup fails at page");
}

/* Expect @tt untouched by a refused backup */
static void ttm_pool_test_expect_untouched(struct kunit *test,
					   struct ttm_pool_test_btt *btt,
					   long active)
{
	struct ttm_pool_test_priv *priv = test->priv;
	struct ttm_tt *tt = &btt->tt;
	pgoff_t i;

	KUNIT_EXPECT_TRUE(test, ttm_tt_is_populated(tt));
	KUNIT_EXPECT_FALSE(test, ttm_tt_is_backed_up(tt));
	KUNIT_EXPECT_EQ(test, priv->array_wb_calls, 0);
	KUNIT_EXPECT_EQ(test, priv->backup_calls,
			priv->backup_fail_at == 0 ? 1 : 0);
	KUNIT_EXPECT_EQ(test, ttm_pool_test_gpu(NR_GPU_ACTIVE), active);
	for (i = 0; i < tt->num_pages; i++)
		KUNIT_EXPECT_TRUE_MSG(test, ttm_pool_test_page_ok(test, tt->pages[i], i),
				      "page %lu", i);
}

/*
 * A backup that fails at page k stops there and leaves a consistent tt:
 * handles for the k pages before, the pages from k on still in the tt,
 * write-back and with their contents; backed up and not populated even
 * for k = 0. Finalizing it frees every page and copy.
 */
static void ttm_pool_backup_stops_at_k(struct kunit *test)
{
	const struct ttm_pool_backup_param *param = test->param_value;
	struct ttm_backup_flags flags = {};
	struct ttm_pool_test_btt *btt;
	struct ttm_pool *pool;
	long active, ret;
	struct ttm_tt *tt;
	pgoff_t i, k = param->fail_at;
	bool ok;

	pool = ttm_pool_test_backup_pool(test, param->dma);
	btt = ttm_pool_test_backup_tt(test, pool, param->num_pages,
				      param->caching, param->dma);
	tt = &btt->tt;
	ttm_pool_test_backup_stubs(test, U64_MAX, param->fail_at);
	active = ttm_pool_test_gpu(NR_GPU_ACTIVE);

	ret = ttm_pool_backup(pool, tt, &flags);
	if (!k) {
		/* Not one page backed up: nothing changed */
		KUNIT_EXPECT_EQ(test, ret, -ENOMEM);
		ttm_pool_test_expect_untouched(test, btt, active);
		KUNIT_EXPECT_EQ(test, ttm_pool_test_backup_pages(tt), 0);
		/* Unpopulated at the end of the test, into the pool types */
		return;
	}
	KUNIT_EXPECT_EQ(test, ret, (long)k);
	KUNIT_EXPECT_TRUE(test, ttm_tt_is_backed_up(tt));
	KUNIT_EXPECT_FALSE(test, ttm_tt_is_populated(tt));
	KUNIT_EXPECT_EQ(test, ttm_pool_test_backup_pages(tt), k);
	KUNIT_EXPECT_EQ(test, ttm_pool_test_gpu(NR_GPU_ACTIVE), active - (long)k);

	for (i = 0; i < tt->num_pages; i++) {
		struct page *p = tt->pages[i];

		KUNIT_ASSERT_NOT_NULL(test, p);
		KUNIT_ASSERT_EQ_MSG(test, ttm_backup_page_ptr_is_handle(p), i < k,
				    "entry %lu", i);
		if (i < k)
			ok = ttm_pool_test_handle_ok(test, tt,
						     ttm_backup_page_ptr_to_handle(p),
						     i);
		else
			ok = ttm_pool_test_page_ok(test, p, i);
		KUNIT_EXPECT_TRUE_MSG(test, ok, "%s of page %lu",
				      i < k ? "backup copy" : "kept contents", i);
	}

	ttm_pool_test_btt_fini(test, btt, active - (long)param->num_pages,
			       "after a partial backup");
}

static bool ttm_pool_test_page_by_page(struct page *p, unsigned int order)
{
	struct ttm_pool_test_priv *priv = kunit_get_current_test()->priv;

	return priv->page_by_page;
}

/*
 * Short of memory, a backup frees each page as soon as it is copied;
 * otherwise it frees a block once the last of its pages is copied.
 * GPUActive, read at each copy, tells which; the end state is the same.
 */
static void ttm_pool_backup_page_by_page_when_short(struct kunit *test)
{
	struct ttm_pool_test_priv *priv = test->priv;
	struct ttm_backup_flags flags = {};
	int short_of_memory;

	for (short_of_memory = 0; short_of_memory < 2; short_of_memory++) {
		struct ttm_pool_test_btt *btt;
		struct ttm_pool *pool;
		long active, ret;
		unsigned int j;

		pool = ttm_pool_test_backup_pool(test, false);
		btt = ttm_pool_test_backup_tt(test, pool, 20, ttm_cached, false);
		/* Blocks of 16 and 4 pages */
		KUNIT_ASSERT_EQ(test, btt->tt.pages[0]->private, 4);
		ttm_pool_test_backup_stubs(test, U64_MAX, -1);
		kunit_activate_static_stub(test, ttm_pool_backup_page_by_page,
					   ttm_pool_test_page_by_page);
		priv->page_by_page = short_of_memory;
		priv->backup_calls = 0;
		active = ttm_pool_test_gpu(NR_GPU_ACTIVE);

		ret = ttm_pool_backup(pool, &btt->tt, &flags);
		KUNIT_ASSERT_EQ(test, ret, 20);
		KUNIT_ASSERT_EQ(test, priv->backup_calls, 20);
		/* Call j copies page j; call 0 before anything changes */
		for (j = 1; j < 16; j++)
			KUNIT_EXPECT_EQ_MSG(test, priv->active_at[j],
					    short_of_memory ? active - j : active,
					    "GPUActive at the copy of page %u%s", j,
					    short_of_memory ? ", short of memory" : "");
		KUNIT_EXPECT_EQ(test, priv->active_at[16], active - 16);
		KUNIT_EXPECT_EQ(test, ttm_pool_test_gpu(NR_GPU_ACTIVE),
				active - 20);
		ttm_pool_test_btt_fini(test, btt, active - 20,
				       short_of_memory ? "after a backup short of memory" :
				       "after a backup");
	}
}

/*
 * Short of memory, a copy that fails inside a block leaves the pages
 * copied before it freed and the rest of the block as order-0 pages, the
 * blocks after it whole; finalizing the tt frees them all.
 */
static void ttm_pool_backup_page_by_page_stops(struct kunit *test)
{
	struct ttm_pool_test_priv *priv = test->priv;
	struct ttm_backup_flags flags = {};
	struct ttm_pool_test_btt *btt;
	struct ttm_pool *pool;
	long active, ret;
	pgoff_t i;

	pool = ttm_pool_test_backup_pool(test, false);
	btt = ttm_pool_test_backup_tt(test, pool, 20, ttm_cached, false);
	/* Blocks of 16 and 4 pages */
	KUNIT_ASSERT_EQ(test, btt->tt.pages[0]->private, 4);
	ttm_pool_test_backup_stubs(test, U64_MAX, 5);
	kunit_activate_static_stub(test, ttm_pool_backup_page_by_page,
				   ttm_pool_test_page_by_page);
	priv->page_by_page = true;
	priv->backup_calls = 0;
	active = ttm_pool_test_gpu(NR_GPU_ACTIVE);

	ret = ttm_pool_backup(pool, &btt->tt, &flags);
	KUNIT_ASSERT_EQ(test, ret, 5);
	KUNIT_EXPECT_EQ(test, ttm_pool_test_gpu(NR_GPU_ACTIVE), active - 5);
	KUNIT_EXPECT_EQ(test, ttm_pool_test_backup_pages(&btt->tt), 5);
	for (i = 0; i < btt->tt.num_pages; i++) {
		struct page *p = btt->tt.pages[i];

		if (i < 5) {
			KUNIT_EXPECT_TRUE_MSG(test, ttm_backup_page_ptr_is_handle(p),
					      "entry %lu", i);
			continue;
		}
		KUNIT_ASSERT_FALSE_MSG(test, ttm_backup_page_ptr_is_handle(p),
				       "entry %lu", i);
		KUNIT_EXPECT_EQ_MSG(test, p->private, i == 16 ? 2 : 0,
				    "order of entry %lu", i);
		KUNIT_EXPECT_TRUE_MSG(test, ttm_pool_test_page_ok(test, p, i),
				      "kept contents of page %lu", i);
	}

	ttm_pool_test_btt_fini(test, btt, active - 20,
			       "after a backup stopped short of memory");
}

/*
 * In reclaim (PF_MEMALLOC) a block of more than one page is backed up
 * page by page; with the zone well above its low watermark, by block.
 * No stub: ttm_pool_backup_page_by_page() itself.
 */
static void ttm_pool_backup_page_by_page_in_reclaim(struct kunit *test)
{
	struct page *p = alloc_pages(GFP_KERNEL, 4);
	unsigned int noreclaim;
	struct zone *zone;

	KUNIT_ASSERT_NOT_NULL(test, p);
	zone = page_zone(p);

	noreclaim = memalloc_noreclaim_save();
	KUNIT_EXPECT_TRUE(test, ttm_pool_backup_page_by_page(p, 4));
	KUNIT_EXPECT_FALSE(test, ttm_pool_backup_page_by_page(p, 0));
	memalloc_noreclaim_restore(noreclaim);

	if (zone_page_state(zone, NR_FREE_PAGES) > 2 * (low_wmark_pages(zone) + 16))
		KUNIT_EXPECT_FALSE(test, ttm_pool_backup_page_by_page(p, 4));
	__free_pages(p, 4);
}

/*
 * A purge frees every page without a copy, also without swap space: NULL
 * entries, backed up, nothing in the shmem file.
 */
static void ttm_pool_backup_purge(struct kunit *test)
{
	struct ttm_backup_flags flags = { .purge = true };
	struct ttm_pool_test_btt *btt;
	struct ttm_pool *pool;
	long active, ret;
	struct ttm_tt *tt;
	pgoff_t i;

	pool = ttm_pool_test_backup_pool(test, true);
	btt = ttm_pool_test_backup_tt(test, pool, 20, ttm_write_combined, true);
	tt = &btt->tt;
	ttm_pool_test_backup_stubs(test, 0, -1);
	active = ttm_pool_test_gpu(NR_GPU_ACTIVE);

	ret = ttm_pool_backup(pool, tt, &flags);
	KUNIT_EXPECT_EQ(test, ret, 20);
	KUNIT_EXPECT_TRUE(test, ttm_tt_is_backed_up(tt));
	KUNIT_EXPECT_FALSE(test, ttm_tt_is_populated(tt));
	KUNIT_EXPECT_EQ(test, ttm_pool_test_backup_pages(tt), 0);
	KUNIT_EXPECT_EQ(test, ttm_pool_test_gpu(NR_GPU_ACTIVE), active - 20);
	for (i = 0; i < tt->num_pages; i++)
		KUNIT_EXPECT_NULL_MSG(test, tt->pages[i], "entry %lu", i);

	ttm_pool_test_btt_fini(test, btt, active - 20, "after a purge");
}

/*
 * Refusals change nothing: no swap space for the tt, a scoped NOFS
 * context, a tt without TTM_TT_FLAG_EXTERNAL, a second backup, a tt that
 * is not populated, a pool of coherent DMA allocations.
 */
static void ttm_pool_backup_refusals(struct kunit *test)
{
	struct ttm_pool_test_priv *priv = test->priv;
	struct ttm_backup_flags flags = {};
	struct ttm_pool_test_btt *btt;
	struct ttm_pool *pool, *dma_pool;
	unsigned int nofs;
	long active, ret;

	pool = ttm_pool_test_backup_pool(test, false);
	btt = ttm_pool_test_backup_tt(test, pool, 3, ttm_write_combined, false);
	active = ttm_pool_test_gpu(NR_GPU_ACTIVE);

	/* Swap space for two of the three pages */
	ttm_pool_test_backup_stubs(test, 2 * PAGE_SIZE, -1);
	ret = ttm_pool_backup(pool, &btt->tt, &flags);
	KUNIT_EXPECT_EQ(test, ret, -EBUSY);
	ttm_pool_test_expect_untouched(test, btt, active);

	priv->swap_bytes = U64_MAX;
	nofs = memalloc_nofs_save();
	ret = ttm_pool_backup(pool, &btt->tt, &flags);
	memalloc_nofs_restore(nofs);
	KUNIT_EXPECT_EQ(test, ret, -EBUSY);
	ttm_pool_test_expect_untouched(test, btt, active);

	/* TTM counts the pages of a tt without TTM_TT_FLAG_EXTERNAL */
	btt->tt.page_flags &= ~TTM_TT_FLAG_EXTERNAL;
	ret = ttm_pool_backup(pool, &btt->tt, &flags);
	KUNIT_EXPECT_EQ(test, ret, -EINVAL);
	btt->tt.page_flags |= TTM_TT_FLAG_EXTERNAL;
	ttm_pool_test_expect_untouched(test, btt, active);

	/* Not populated */
	btt->tt.page_flags &= ~TTM_TT_FLAG_PRIV_POPULATED;
	ret = ttm_pool_backup(pool, &btt->tt, &flags);
	KUNIT_EXPECT_EQ(test, ret, -EINVAL);
	btt->tt.page_flags |= TTM_TT_FLAG_PRIV_POPULATED;
	ttm_pool_test_expect_untouched(test, btt, active);

	dma_pool = ttm_pool_test_pool_create(test, NUMA_NO_NODE, true);
	ret = ttm_pool_backup(dma_pool, &btt->tt, &flags);
	KUNIT_EXPECT_EQ(test, ret, -EBUSY);
	ttm_pool_test_expect_untouched(test, btt, active);

	/* Backed up in full, then a second backup */
	ret = ttm_pool_backup(pool, &btt->tt, &flags);
	KUNIT_EXPECT_EQ(test, ret, 3);
	ret = ttm_pool_backup(pool, &btt->tt, &flags);
	KUNIT_EXPECT_EQ(test, ret, -EINVAL);
	KUNIT_EXPECT_EQ(test, priv->backup_calls, 3);
	KUNIT_EXPECT_EQ(test, ttm_pool_test_backup_pages(&btt->tt), 3);
}

/* Copy back as TTM does, but fail the call copy_fail_at with copy_error */
static int ttm_pool_test_copy_page(struct file *backup, struct page *dst,
				   pgoff_t handle, bool intr)
{
	struct kunit *test = kunit_get_current_test();
	struct ttm_pool_test_priv *priv = test->priv;
	int ret;

	if (priv->copy_calls++ == priv->copy_fail_at)
		return priv->copy_error;

	kunit_deactivate_static_stub(test, ttm_backup_copy_page);
	ret = ttm_backup_copy_page(backup, dst, handle, intr);
	kunit_activate_static_stub(test, ttm_backup_copy_page,
				   ttm_pool_test_copy_page);
	return ret;
}

static void ttm_pool_test_copy_stub(struct kunit *test, int fail_at, int error)
{
	struct ttm_pool_test_priv *priv = test->priv;

	priv->copy_calls = 0;
	priv->copy_fail_at = fail_at;
	priv->copy_error = error;
	kunit_activate_static_stub(test, ttm_backup_copy_page,
				   ttm_pool_test_copy_page);
}

/* Restore @tt; on success mark it populated as ttm_tt_populate() does */
static int ttm_pool_test_restore(struct ttm_pool *pool, struct ttm_tt *tt)
{
	int ret = ttm_pool_restore_and_alloc(pool, tt, &simple_ctx);

	if (!ret) {
		tt->page_flags &= ~TTM_TT_FLAG_BACKED_UP;
		tt->page_flags |= TTM_TT_FLAG_PRIV_POPULATED;
	}
	return ret;
}

/* Expect @tt populated with the test's data, nothing left in its backup */
static void ttm_pool_test_expect_restored(struct kunit *test,
					  struct ttm_tt *tt)
{
	pgoff_t i;

	KUNIT_EXPECT_NULL(test, tt->restore);
	KUNIT_EXPECT_EQ(test, ttm_pool_test_backup_pages(tt), 0);
	for (i = 0; i < tt->num_pages; i++) {
		struct page *p = tt->pages[i];

		KUNIT_ASSERT_FALSE_MSG(test, !p || ttm_backup_page_ptr_is_handle(p),
				       "entry %lu not restored", i);
		KUNIT_EXPECT_TRUE_MSG(test, ttm_pool_test_page_ok(test, p, i),
				      "contents of page %lu", i);
	}
}

/* Blocks in @pool's pool types of @caching */
static unsigned long ttm_pool_test_pooled(struct ttm_pool *pool,
					  enum ttm_caching caching)
{
	unsigned long n = 0;
	unsigned int o;

	for (o = 0; o < NR_PAGE_ORDERS; o++) {
		struct ttm_pool_type *pt = ttm_pool_select_type(pool, caching, o);

		n += pt ? ttm_pool_test_blocks(pt) : 0;
	}
	return n;
}

/*
 * A tt of @num_pages of the test, populated from a pool of the test's own
 * and backed up in full, with the backup's seams redirected; GPUActive of
 * before the backup in *@active.
 */
static struct ttm_pool_test_btt *
ttm_pool_test_backed_up(struct kunit *test, pgoff_t num_pages,
			enum ttm_caching caching, bool dma,
			struct ttm_pool **pool, long *active)
{
	struct ttm_backup_flags flags = {};
	struct ttm_pool_test_btt *btt;
	long ret;

	*pool = ttm_pool_test_backup_pool(test, dma);
	btt = ttm_pool_test_backup_tt(test, *pool, num_pages, caching, dma);
	ttm_pool_test_backup_stubs(test, U64_MAX, -1);
	*active = ttm_pool_test_gpu(NR_GPU_ACTIVE);
	ret = ttm_pool_backup(*pool, &btt->tt, &flags);
	KUNIT_ASSERT_EQ(test, ret, (long)num_pages);

	return btt;
}

/*
 * A restore brings back every byte, into pages taken from the pool types
 * first as any populate takes them, and empties the backup file.
 */
static void ttm_pool_restore_roundtrip(struct kunit *test)
{
	const struct ttm_pool_backup_param *param = test->param_value;
	struct ttm_backup_flags flags = {};
	struct ttm_pool_test_btt *btt, *other;
	unsigned long pooled;
	struct ttm_pool *pool;
	long active, ret;
	struct ttm_tt *tt;

	pool = ttm_pool_test_backup_pool(test, param->dma);
	btt = ttm_pool_test_backup_tt(test, pool, param->num_pages,
				      param->caching, param->dma);
	tt = &btt->tt;
	ttm_pool_test_backup_stubs(test, U64_MAX, -1);
	active = ttm_pool_test_gpu(NR_GPU_ACTIVE);
	ret = ttm_pool_backup(pool, tt, &flags);
	KUNIT_ASSERT_EQ(test, ret, (long)param->num_pages);

	/* Blocks of the tt's caching for the restore to take */
	other = ttm_pool_test_backup_tt(test, pool, param->num_pages,
					param->caching, param->dma);
	ttm_pool_free(pool, &other->tt);
	other->tt.page_flags &= ~TTM_TT_FLAG_PRIV_POPULATED;
	pooled = ttm_pool_test_pooled(pool, param->caching);
	if (IS_ENABLED(CONFIG_X86) && param->caching != ttm_cached)
		KUNIT_EXPECT_GT(test, pooled, 0);

	ret = ttm_pool_test_restore(pool, tt);
	KUNIT_ASSERT_EQ(test, ret, 0);
	ttm_pool_test_expect_restored(test, tt);
	KUNIT_EXPECT_EQ(test, ttm_pool_test_gpu(NR_GPU_ACTIVE), active);
	if (pooled)
		KUNIT_EXPECT_LT_MSG(test, ttm_pool_test_pooled(pool, param->caching),
				    pooled, "the restore took no pooled block");
}

/*
 * A restore of a tt whose backup stopped part way copies the pages the
 * backup did not reach into the new ones and frees them.
 */
static void ttm_pool_restore_after_partial_backup(struct kunit *test)
{
	const struct ttm_pool_backup_param *param = test->param_value;
	struct ttm_backup_flags flags = {};
	struct ttm_pool_test_btt *btt;
	struct ttm_pool *pool;
	long active, ret;
	unsigned int i;

	pool = ttm_pool_test_backup_pool(test, param->dma);
	btt = ttm_pool_test_backup_tt(test, pool, param->num_pages,
				      param->caching, param->dma);
	ttm_pool_test_backup_stubs(test, U64_MAX, param->fail_at);
	active = ttm_pool_test_gpu(NR_GPU_ACTIVE);
	ret = ttm_pool_backup(pool, &btt->tt, &flags);
	if (!param->fail_at) {
		/* Refused before any change: still populated */
		KUNIT_ASSERT_EQ(test, ret, -ENOMEM);
		KUNIT_EXPECT_TRUE(test, ttm_tt_is_populated(&btt->tt));
		return;
	}
	KUNIT_ASSERT_EQ(test, ret, param->fail_at);

	ret = ttm_pool_test_restore(pool, &btt->tt);
	KUNIT_ASSERT_EQ(test, ret, 0);
	ttm_pool_test_expect_restored(test, &btt->tt);
	KUNIT_EXPECT_EQ(test, ttm_pool_test_gpu(NR_GPU_ACTIVE), active);
	/* The old pages went to the system, not into the tt or a pool */
	for (i = 0; i < btt->nr_pinned; i++)
		KUNIT_EXPECT_EQ_MSG(test, page_ref_count(btt->pinned[i]), 1,
				    "references to old block %u", i);
}

/* The copy of page j fails, for the failure points above; j = size: none */
static const void *ttm_pool_restore_eintr_gen(const void *prev, char *desc)
{
	static struct ttm_pool_test_params t;

	return ttm_pool_test_next_param(&t, prev, desc, true,
					"copy interrupted at page");
}

/* Whether the backup file of @tt holds a copy at index @idx */
static bool ttm_pool_test_has_copy(struct ttm_tt *tt, pgoff_t idx)
{
	struct folio *folio = filemap_get_folio(tt->backup->f_mapping, idx);

	if (IS_ERR(folio))
		return false;
	folio_put(folio);
	return true;
}

/*
 * Expect a restore that stopped to have put only whole blocks into the
 * tt: every entry is a handle (0 for a page restored into the block in
 * flight) or a page with its contents; and the copies of the committed
 * blocks to be gone from the backup file, those of the handles left not.
 */
static void ttm_pool_test_expect_stopped(struct kunit *test, struct ttm_tt *tt)
{
	pgoff_t i;

	KUNIT_EXPECT_NOT_NULL(test, tt->restore);
	KUNIT_EXPECT_TRUE(test, ttm_tt_is_backed_up(tt));
	for (i = 0; i < tt->num_pages; i++) {
		struct page *p = tt->pages[i];

		if (!ttm_backup_page_ptr_is_handle(p)) {
			KUNIT_EXPECT_TRUE_MSG(test, ttm_pool_test_page_ok(test, p, i),
					      "committed page %lu", i);
			KUNIT_EXPECT_FALSE_MSG(test, ttm_pool_test_has_copy(tt, i),
					       "copy of committed page %lu", i);
		} else if (ttm_backup_page_ptr_to_handle(p)) {
			KUNIT_EXPECT_TRUE_MSG(test, ttm_pool_test_has_copy(tt, i),
					      "copy of page %lu", i);
		}
	}
}

/*
 * A restore interrupted at any copy keeps its state and the next one
 * resumes where it stopped, losing nothing.
 */
static void ttm_pool_restore_eintr_resumes(struct kunit *test)
{
	const struct ttm_pool_backup_param *param = test->param_value;
	struct ttm_pool_test_btt *btt;
	struct ttm_pool *pool;
	long active, ret;

	btt = ttm_pool_test_backed_up(test, param->num_pages, param->caching,
				      param->dma, &pool, &active);

	ttm_pool_test_copy_stub(test, param->fail_at, -EINTR);
	ret = ttm_pool_test_restore(pool, &btt->tt);
	if (param->fail_at < param->num_pages) {
		KUNIT_ASSERT_EQ(test, ret, -EINTR);
		ttm_pool_test_expect_stopped(test, &btt->tt);
		ret = ttm_pool_test_restore(pool, &btt->tt);
	}
	KUNIT_ASSERT_EQ(test, ret, 0);
	ttm_pool_test_expect_restored(test, &btt->tt);
	KUNIT_EXPECT_EQ(test, ttm_pool_test_gpu(NR_GPU_ACTIVE), active);
}

/*
 * A tt freed while its restore is stopped releases every page: the blocks
 * restored, the block in flight, the backup copies left.
 */
static void ttm_pool_restore_fini_midway(struct kunit *test)
{
	const struct ttm_pool_backup_param *param = test->param_value;
	struct ttm_pool_test_btt *btt;
	struct ttm_pool *pool;
	long active, ret;

	btt = ttm_pool_test_backed_up(test, param->num_pages, param->caching,
				      param->dma, &pool, &active);

	ttm_pool_test_copy_stub(test, param->fail_at, -EINTR);
	ret = ttm_pool_test_restore(pool, &btt->tt);
	if (param->fail_at < param->num_pages) {
		KUNIT_EXPECT_EQ(test, ret, -EINTR);
	} else {
		/* Nothing stopped it: the tt goes as a populated one */
		KUNIT_ASSERT_EQ(test, ret, 0);
		ttm_pool_free(pool, &btt->tt);
		btt->tt.page_flags &= ~TTM_TT_FLAG_PRIV_POPULATED;
	}

	ttm_pool_test_btt_fini(test, btt, active - (long)param->num_pages,
			       "after a stopped restore");
}

/* Allocate order-0 pages only, allocs_left of them */
static struct page *ttm_pool_test_alloc_fails_from(int nid, gfp_t gfp_flags,
						   unsigned int order)
{
	struct ttm_pool_test_priv *priv = kunit_get_current_test()->priv;

	if (order || atomic_dec_if_positive(&priv->allocs_left) < 0)
		return NULL;
	return alloc_pages_node(nid, gfp_flags, 0);
}

/*
 * A restore that runs out of memory after m order-0 blocks keeps them,
 * and the next restore resumes and completes the tt.
 */
static void ttm_pool_restore_enomem_resumes(struct kunit *test)
{
	struct ttm_pool_test_priv *priv = test->priv;
	struct ttm_backup_flags flags = {};
	struct ttm_pool_test_btt *btt;
	struct ttm_pool *pool;
	long active, ret;
	int m;

	pool = ttm_pool_test_backup_pool(test, false);
	/* Cached: no pool type, every block comes from the system */
	btt = ttm_pool_test_backup_tt(test, pool, 20, ttm_cached, false);
	ttm_pool_test_backup_stubs(test, U64_MAX, -1);
	active = ttm_pool_test_gpu(NR_GPU_ACTIVE);

	for (m = 0; m < 20; m++) {
		ret = ttm_pool_backup(pool, &btt->tt, &flags);
		KUNIT_ASSERT_EQ(test, ret, 20);

		atomic_set(&priv->allocs_left, m);
		kunit_activate_static_stub(test, ttm_pool_alloc_pages_node,
					   ttm_pool_test_alloc_fails_from);
		ret = ttm_pool_test_restore(pool, &btt->tt);
		KUNIT_EXPECT_EQ_MSG(test, ret, -ENOMEM, "after %d blocks", m);
		ttm_pool_test_expect_stopped(test, &btt->tt);
		kunit_deactivate_static_stub(test, ttm_pool_alloc_pages_node);

		ret = ttm_pool_test_restore(pool, &btt->tt);
		KUNIT_ASSERT_EQ_MSG(test, ret, 0, "after %d blocks", m);
		ttm_pool_test_expect_restored(test, &btt->tt);
		KUNIT_EXPECT_EQ(test, ttm_pool_test_gpu(NR_GPU_ACTIVE), active);
	}
}

/* A purged tt restores into fresh pages, zeroed for a ZERO_ALLOC tt */
static void ttm_pool_restore_purged(struct kunit *test)
{
	struct ttm_backup_flags flags = { .purge = true };
	struct ttm_pool_test_btt *btt;
	struct ttm_pool *pool;
	long active, ret;
	pgoff_t i;

	pool = ttm_pool_test_backup_pool(test, false);
	btt = ttm_pool_test_backup_tt(test, pool, 20, ttm_cached, false);
	btt->tt.page_flags |= TTM_TT_FLAG_ZERO_ALLOC;
	ttm_pool_test_backup_stubs(test, 0, -1);
	active = ttm_pool_test_gpu(NR_GPU_ACTIVE);
	ret = ttm_pool_backup(pool, &btt->tt, &flags);
	KUNIT_ASSERT_EQ(test, ret, 20);

	ret = ttm_pool_test_restore(pool, &btt->tt);
	KUNIT_ASSERT_EQ(test, ret, 0);
	KUNIT_EXPECT_NULL(test, btt->tt.restore);
	KUNIT_EXPECT_EQ(test, ttm_pool_test_gpu(NR_GPU_ACTIVE), active);
	for (i = 0; i < btt->tt.num_pages; i++) {
		struct page *p = btt->tt.pages[i];
		void *vaddr;

		KUNIT_ASSERT_FALSE(test, !p || ttm_backup_page_ptr_is_handle(p));
		vaddr = kmap_local_page(p);
		KUNIT_EXPECT_NULL_MSG(test, memchr_inv(vaddr, 0, PAGE_SIZE),
				      "page %lu not zeroed", i);
		kunmap_local(vaddr);
	}
}

/*
 * Expect the block the restore was filling to start at @first: its first
 * page restored (a handle-0 marker), the block before it committed.
 * Blocks of other orders (from the shared pool types) skip the case.
 */
static void ttm_pool_test_expect_in_flight(struct kunit *test,
					   struct ttm_tt *tt, pgoff_t first)
{
	if (tt->pages[first] != ttm_backup_handle_to_page_ptr(0))
		kunit_skip(test, "the restore took blocks of other orders");
	KUNIT_EXPECT_FALSE(test, ttm_backup_page_ptr_is_handle(tt->pages[first - 1]));
}

/*
 * A stopped restore resumes only with the pool it took its blocks from,
 * which frees them.
 */
static void ttm_pool_restore_other_pool(struct kunit *test)
{
	struct ttm_pool *pool, *other;
	struct ttm_pool_test_btt *btt;
	long active, ret;

	btt = ttm_pool_test_backed_up(test, 20, ttm_write_combined, false,
				      &pool, &active);
	other = ttm_pool_test_pool_create(test, NUMA_NO_NODE, true);

	ttm_pool_test_copy_stub(test, 17, -EINTR);
	ret = ttm_pool_test_restore(pool, &btt->tt);
	KUNIT_ASSERT_EQ(test, ret, -EINTR);
	ttm_pool_test_expect_in_flight(test, &btt->tt, 16);
	ret = ttm_pool_test_restore(other, &btt->tt);
	KUNIT_EXPECT_EQ(test, ret, -EINVAL);
	ttm_pool_test_expect_stopped(test, &btt->tt);

	ret = ttm_pool_test_restore(pool, &btt->tt);
	KUNIT_ASSERT_EQ(test, ret, 0);
	ttm_pool_test_expect_restored(test, &btt->tt);
	KUNIT_EXPECT_EQ(test, ttm_pool_test_gpu(NR_GPU_ACTIVE), active);
}

/*
 * A driver that clears the backed-up state of a tt whose restore stopped
 * and populates it afresh (as mainline drivers do for a purgeable tt)
 * loses no page: what the restore held is released first.
 */
static void ttm_pool_restore_abandoned(struct kunit *test)
{
	struct ttm_pool_test_btt *btt;
	struct ttm_pool *pool;
	long active, ret;

	btt = ttm_pool_test_backed_up(test, 20, ttm_write_combined, false,
				      &pool, &active);

	/* A block of 16 restored, one of 4 in flight */
	ttm_pool_test_copy_stub(test, 17, -EINTR);
	ret = ttm_pool_test_restore(pool, &btt->tt);
	KUNIT_ASSERT_EQ(test, ret, -EINTR);
	ttm_pool_test_expect_in_flight(test, &btt->tt, 16);

	ttm_tt_clear_backed_up(&btt->tt);
	ret = ttm_pool_alloc(pool, &btt->tt, &simple_ctx);
	KUNIT_ASSERT_EQ(test, ret, 0);
	KUNIT_EXPECT_NULL(test, btt->tt.restore);
	KUNIT_EXPECT_EQ(test, ttm_pool_test_backup_pages(&btt->tt), 0);
	KUNIT_EXPECT_EQ(test, ttm_pool_test_gpu(NR_GPU_ACTIVE), active);
	ttm_pool_free(pool, &btt->tt);
	ttm_pool_test_btt_fini(test, btt, active - 20,
			       "after an abandoned restore");
}

/* Unpopulate and finalize a tt of the test device's pool, in any state */
static void ttm_pool_test_tt_release(void *data)
{
	struct ttm_tt *tt = data;
	struct ttm_pool_test_priv *priv = kunit_get_current_test()->priv;

	ttm_tt_unpopulate(priv->devs->ttm_dev, tt);
	ttm_tt_fini(tt);
}

/*
 * Through the tt API of a device without a populate callback:
 * ttm_tt_backup() backs up, and ttm_tt_populate() restores.
 */
static void ttm_pool_restore_through_populate(struct kunit *test)
{
	struct ttm_pool_test_priv *priv = test->priv;
	struct ttm_device *bdev = priv->devs->ttm_dev;
	struct ttm_backup_flags flags = {};
	struct ttm_buffer_object *bo;
	struct ttm_tt *tt;
	long active, ret;
	int err;

	KUNIT_ASSERT_NULL(test, bdev->funcs->ttm_tt_populate);
	bo = ttm_pool_test_bo(test, 20 * PAGE_SIZE);
	tt = kunit_kzalloc(test, sizeof(*tt), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, tt);
	err = ttm_tt_init(tt, bo, TTM_TT_FLAG_EXTERNAL |
			  TTM_TT_FLAG_EXTERNAL_MAPPABLE, ttm_write_combined, 0);
	KUNIT_ASSERT_EQ(test, err, 0);
	err = kunit_add_action_or_reset(test, ttm_pool_test_tt_release, tt);
	KUNIT_ASSERT_EQ(test, err, 0);
	err = ttm_tt_setup_backup(tt);
	KUNIT_ASSERT_EQ(test, err, 0);
	err = ttm_tt_populate(bdev, tt, &simple_ctx);
	KUNIT_ASSERT_EQ(test, err, 0);
	ttm_pool_test_fill_data(tt);
	ttm_pool_test_backup_stubs(test, U64_MAX, -1);
	active = ttm_pool_test_gpu(NR_GPU_ACTIVE);

	ret = ttm_tt_backup(bdev, tt, flags);
	KUNIT_EXPECT_EQ(test, ret, 20);
	KUNIT_EXPECT_TRUE(test, ttm_tt_is_swapped(tt));
	KUNIT_EXPECT_FALSE(test, ttm_tt_is_populated(tt));

	err = ttm_tt_populate(bdev, tt, &simple_ctx);
	KUNIT_EXPECT_EQ(test, err, 0);
	KUNIT_EXPECT_TRUE(test, ttm_tt_is_populated(tt));
	KUNIT_EXPECT_FALSE(test, ttm_tt_is_backed_up(tt));
	ttm_pool_test_expect_restored(test, tt);
	KUNIT_EXPECT_EQ(test, ttm_pool_test_gpu(NR_GPU_ACTIVE), active);
}

struct ttm_pool_test_churn {
	struct kunit *test;
	struct ttm_pool *pool;
	struct ttm_pool_test_btt *btt;
	struct completion done;
	bool joined;
	int rounds;
	int err;
};

/* Back a tt up and restore it, again and again, in a thread of its own */
static int ttm_pool_test_churn_fn(void *data)
{
	struct ttm_pool_test_churn *c = data;
	struct ttm_backup_flags flags = {};
	struct ttm_tt *tt = &c->btt->tt;
	long ret;

	/* The test's static stubs apply in this thread too */
	current->kunit_test = c->test;
	for (; c->rounds > 0 && !c->err; c->rounds--) {
		ret = ttm_pool_backup(c->pool, tt, &flags);
		if (ret != tt->num_pages) {
			c->err = ret < 0 ? ret : -EIO;
			break;
		}
		c->err = ttm_pool_test_restore(c->pool, tt);
	}
	current->kunit_test = NULL;
	kthread_complete_and_exit(&c->done, 0);
}

/* Before anything of the test goes: the threads use its tts and pool */
static void ttm_pool_test_churn_wait(void *data)
{
	struct ttm_pool_test_churn *c = data;
	unsigned int i;

	for (i = 0; i < 2; i++) {
		if (!c[i].joined)
			wait_for_completion(&c[i].done);
		c[i].joined = true;
	}
}

/*
 * Two threads back up and restore tts of their own while the test
 * populates and frees others from the same pool types: every byte comes
 * back and GPUActive ends where it started.
 */
static void ttm_pool_backup_concurrent(struct kunit *test)
{
	struct ttm_pool_test_priv *priv = test->priv;
	struct ttm_pool_test_churn *c;
	struct ttm_buffer_object *bo;
	struct task_struct *t;
	struct ttm_pool *pool;
	struct ttm_tt *tt;
	unsigned int i, n;
	long active;
	int err;

	c = kunit_kcalloc(test, 2, sizeof(*c), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, c);
	pool = ttm_pool_test_backup_pool(test, false);
	/* Swap space only: the other stubs are not made for two threads */
	priv->swap_bytes = U64_MAX;
	kunit_activate_static_stub(test, ttm_backup_bytes_avail,
				   ttm_pool_test_bytes_avail);
	for (i = 0; i < 2; i++) {
		c[i].test = test;
		c[i].pool = pool;
		c[i].btt = ttm_pool_test_backup_tt(test, pool, 20,
						   ttm_write_combined, false);
		c[i].rounds = 50;
		c[i].err = 0;
		init_completion(&c[i].done);
	}
	active = ttm_pool_test_gpu(NR_GPU_ACTIVE);
	/* Run before the tts and the pool are released, even on a failure */
	err = kunit_add_action_or_reset(test, ttm_pool_test_churn_wait, c);
	KUNIT_ASSERT_EQ(test, err, 0);

	for (i = 0; i < 2; i++) {
		t = kthread_run(ttm_pool_test_churn_fn, &c[i], "ttm-churn-%u", i);
		if (IS_ERR(t)) {
			c[i].err = PTR_ERR(t);
			complete(&c[i].done);
		}
	}
	/* Meanwhile, the same pool types serve and take back other tts */
	bo = ttm_pool_test_bo(test, 16 * PAGE_SIZE);
	for (n = 0; n < 50; n++) {
		tt = ttm_pool_test_populate(test, pool, bo, ttm_write_combined);
		ttm_pool_test_unpopulate(pool, tt);
		if (completion_done(&c[0].done) && completion_done(&c[1].done))
			break;
	}
	ttm_pool_test_churn_wait(c);
	for (i = 0; i < 2; i++) {
		KUNIT_EXPECT_EQ_MSG(test, c[i].err, 0, "thread %u", i);
		KUNIT_EXPECT_EQ_MSG(test, c[i].rounds, 0, "thread %u", i);
		ttm_pool_test_expect_restored(test, &c[i].btt->tt);
	}
	KUNIT_EXPECT_EQ(test, ttm_pool_test_gpu(NR_GPU_ACTIVE), active);
}

/* Make the next @times checks of the backup's fault attribute fail */
static void ttm_pool_test_inject(struct kunit *test, int times)
{
#ifdef CONFIG_FAULT_INJECTION
	struct fault_attr *attr = ttm_pool_backup_fault_attr();

	attr->probability = 100;
	attr->interval = 1;
	attr->verbose = 0;
	atomic_set(&attr->times, times);
#else
	kunit_skip(test, "needs CONFIG_FAULT_INJECTION");
#endif
}

static void ttm_pool_test_inject_off(void *data)
{
#ifdef CONFIG_FAULT_INJECTION
	struct fault_attr *attr = ttm_pool_backup_fault_attr();

	attr->probability = 0;
	atomic_set(&attr->times, 1);
#endif
}

/*
 * An injected backup failure stops after half of the pages, an injected
 * restore failure with -EINTR; the restore resumes and the contents are
 * all back.
 */
static void ttm_pool_backup_fault_inject(struct kunit *test)
{
	struct ttm_backup_flags flags = {};
	struct ttm_pool_test_btt *btt;
	struct ttm_pool *pool;
	long active, ret;
	pgoff_t i;
	int err;

	pool = ttm_pool_test_backup_pool(test, false);
	btt = ttm_pool_test_backup_tt(test, pool, 20, ttm_write_combined, false);
	ttm_pool_test_backup_stubs(test, U64_MAX, -1);
	active = ttm_pool_test_gpu(NR_GPU_ACTIVE);
	err = kunit_add_action_or_reset(test, ttm_pool_test_inject_off, NULL);
	KUNIT_ASSERT_EQ(test, err, 0);

	ttm_pool_test_inject(test, 1);
	ret = ttm_pool_backup(pool, &btt->tt, &flags);
	KUNIT_EXPECT_EQ(test, ret, 10);
	for (i = 0; i < btt->tt.num_pages; i++)
		KUNIT_EXPECT_EQ_MSG(test,
				    ttm_backup_page_ptr_is_handle(btt->tt.pages[i]),
				    i < 10, "entry %lu", i);

	ttm_pool_test_inject(test, 1);
	ret = ttm_pool_test_restore(pool, &btt->tt);
	KUNIT_EXPECT_EQ(test, ret, -EINTR);
	ttm_pool_test_expect_stopped(test, &btt->tt);
	ret = ttm_pool_test_restore(pool, &btt->tt);
	KUNIT_ASSERT_EQ(test, ret, 0);
	ttm_pool_test_expect_restored(test, &btt->tt);
	KUNIT_EXPECT_EQ(test, ttm_pool_test_gpu(NR_GPU_ACTIVE), active);
}

/*
 * A driver that discards the contents of a tt whose backup stopped part
 * way (ttm_tt_clear_backed_up(), as for a purgeable tt) and populates it
 * afresh loses no page: the pages the backup did not reach and the copies
 * go first.
 */
static void ttm_pool_backup_discarded(struct kunit *test)
{
	struct ttm_backup_flags flags = {};
	struct ttm_pool_test_btt *btt;
	struct ttm_pool *pool;
	long active, ret;

	pool = ttm_pool_test_backup_pool(test, false);
	btt = ttm_pool_test_backup_tt(test, pool, 20, ttm_write_combined, false);
	ttm_pool_test_backup_stubs(test, U64_MAX, 10);
	active = ttm_pool_test_gpu(NR_GPU_ACTIVE);
	ret = ttm_pool_backup(pool, &btt->tt, &flags);
	KUNIT_ASSERT_EQ(test, ret, 10);

	ttm_tt_clear_backed_up(&btt->tt);
	KUNIT_EXPECT_FALSE(test, ttm_tt_is_backed_up(&btt->tt));
	KUNIT_EXPECT_EQ(test, ttm_pool_test_backup_pages(&btt->tt), 0);
	KUNIT_EXPECT_EQ(test, ttm_pool_test_gpu(NR_GPU_ACTIVE), active - 20);
	ret = ttm_pool_alloc(pool, &btt->tt, &simple_ctx);
	KUNIT_ASSERT_EQ(test, ret, 0);
	KUNIT_EXPECT_EQ(test, ttm_pool_test_gpu(NR_GPU_ACTIVE), active);
	ttm_pool_free(pool, &btt->tt);
	ttm_pool_test_btt_fini(test, btt, active - 20,
			       "after a discarded backup");
}

static struct kunit_case ttm_pool_test_cases[] = {
	KUNIT_CASE_PARAM(ttm_pool_alloc_basic, ttm_pool_alloc_basic_gen_params),
	KUNIT_CASE_PARAM(ttm_pool_alloc_basic_dma_addr,
			 ttm_pool_alloc_basic_gen_params),
	KUNIT_CASE(ttm_pool_alloc_order_caching_match),
	KUNIT_CASE(ttm_pool_alloc_caching_mismatch),
	KUNIT_CASE(ttm_pool_alloc_order_mismatch),
	KUNIT_CASE(ttm_pool_free_dma_alloc),
	KUNIT_CASE(ttm_pool_free_no_dma_alloc),
	KUNIT_CASE(ttm_pool_fini_basic),
	KUNIT_CASE(ttm_pool_pages_survive_other_devices),
	KUNIT_CASE_PARAM(ttm_pool_recycle_through_page_pool,
			 ttm_pool_own_kinds_gen_params),
	KUNIT_CASE_PARAM(ttm_pool_release_restores_pages,
			 ttm_pool_own_kinds_gen_params),
	KUNIT_CASE(ttm_pool_shrinker_reclaims),
	KUNIT_CASE(ttm_pool_alloc_fails_half_way),
	KUNIT_CASE(ttm_pool_alloc_map_fails),
	KUNIT_CASE(ttm_pool_alloc_map_fails_after_caching),
	KUNIT_CASE(ttm_pool_give_pools_over_ttm_limit),
	KUNIT_CASE(ttm_pool_size_write_trims),
	KUNIT_CASE(ttm_pool_debugfs_total),
	KUNIT_CASE(ttm_pool_debugfs_device_names),
	KUNIT_CASE_PARAM(ttm_pool_gpu_counters, ttm_pool_own_kinds_gen_params),
	KUNIT_CASE(ttm_pool_gpu_active_unpooled),
	KUNIT_CASE_SLOW(ttm_pool_device_fini_while_shrinking),
	{}
};

static struct kunit_suite ttm_pool_test_suite = {
	.name = "ttm_pool",
	.init = ttm_pool_test_init,
	.exit = ttm_pool_test_exit,
	.test_cases = ttm_pool_test_cases,
};

static struct kunit_case ttm_pool_backup_test_cases[] = {
	KUNIT_CASE_PARAM(ttm_pool_backup_all, ttm_pool_backup_all_gen),
	KUNIT_CASE_PARAM(ttm_pool_backup_stops_at_k, ttm_pool_backup_fails_gen),
	KUNIT_CASE(ttm_pool_backup_purge),
	KUNIT_CASE(ttm_pool_backup_page_by_page_when_short),
	KUNIT_CASE(ttm_pool_backup_page_by_page_stops),
	KUNIT_CASE(ttm_pool_backup_page_by_page_in_reclaim),
	KUNIT_CASE(ttm_pool_backup_refusals),
	KUNIT_CASE(ttm_pool_backup_discarded),
	KUNIT_CASE_PARAM(ttm_pool_restore_roundtrip, ttm_pool_backup_all_gen),
	KUNIT_CASE_PARAM(ttm_pool_restore_after_partial_backup,
			 ttm_pool_backup_fails_gen),
	KUNIT_CASE_PARAM(ttm_pool_restore_eintr_resumes,
			 ttm_pool_restore_eintr_gen),
	KUNIT_CASE_PARAM(ttm_pool_restore_fini_midway,
			 ttm_pool_restore_eintr_gen),
	KUNIT_CASE(ttm_pool_restore_enomem_resumes),
	KUNIT_CASE(ttm_pool_restore_purged),
	KUNIT_CASE(ttm_pool_restore_other_pool),
	KUNIT_CASE(ttm_pool_restore_abandoned),
	KUNIT_CASE(ttm_pool_restore_through_populate),
	KUNIT_CASE(ttm_pool_backup_fault_inject),
	KUNIT_CASE(ttm_pool_backup_concurrent),
	{}
};

static struct kunit_suite ttm_pool_backup_test_suite = {
	.name = "ttm_pool_backup",
	.init = ttm_pool_test_init,
	.exit = ttm_pool_test_exit,
	.test_cases = ttm_pool_backup_test_cases,
};

kunit_test_suites(&ttm_pool_test_suite, &ttm_pool_backup_test_suite);

MODULE_DESCRIPTION("KUnit tests for ttm_pool APIs");
MODULE_LICENSE("GPL and additional rights");
