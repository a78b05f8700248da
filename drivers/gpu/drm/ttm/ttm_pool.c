// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
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
 *
 * Authors: Christian König
 */

/* Pooling of allocated pages is necessary because changing the caching
 * attributes on x86 of the linear mapping requires a costly cross CPU TLB
 * invalidate for those addresses.
 *
 * Additional to that allocations from the DMA coherent API are pooled as well
 * cause they are rather slow compared to alloc_pages+map.
 *
 * The free pages are kept in the shared &struct drm_page_pool, one per pool
 * type, so that one limit and one shrinker govern them together with the
 * pools of the other GPU memory managers.
 */

#include <linux/module.h>
#include <linux/cpuset.h>
#include <linux/dma-mapping.h>
#include <linux/debugfs.h>
#include <linux/highmem.h>
#include <linux/nodemask.h>
#include <linux/sched/mm.h>

#include <kunit/static_stub.h>
#include <kunit/visibility.h>

#ifdef CONFIG_X86
#include <asm/set_memory.h>
#endif

#include <drm/ttm/ttm_pool.h>
#include <drm/ttm/ttm_tt.h>
#include <drm/ttm/ttm_bo.h>

#include "ttm_module.h"

/**
 * struct ttm_pool_dma - Helper object for coherent DMA mappings
 *
 * @addr: original DMA address returned for the mapping
 * @vaddr: original vaddr return for the mapping and order in the lower bits
 */
struct ttm_pool_dma {
	dma_addr_t addr;
	unsigned long vaddr;
};

/*
 * The most pages all of TTM's pools hold together, 0 until the first device
 * comes: then half of the system memory. The shared pool enforces it on the
 * group of TTM's pools, besides drm_page_pool.pool_limit_pages for all GPU
 * page pools; see the shared pool's documentation of limits.
 */
static unsigned long page_pool_size;

static struct drm_page_pool_group ttm_pool_group =
	DRM_PAGE_POOL_GROUP_INIT("ttm", &page_pool_size);

/* Writes bring TTM's pools under the new limit */
module_param_cb(page_pool_size, &drm_page_pool_limit_param_ops,
		&page_pool_size, 0644);
MODULE_PARM_DESC(page_pool_size,
		 "Most pages TTM's WC/UC/DMA pools hold together (0 at the first device: half of RAM; 0 at run time: keep nothing)");

#if IS_ENABLED(CONFIG_KUNIT)
/**
 * ttm_pool_set_page_pool_size - set ttm.page_pool_size, for tests only
 * @pages: the new limit of TTM's pools in pages
 *
 * As writing the parameter: the shared pool's trim work brings TTM's pools
 * under the new limit.
 *
 * Return: the previous value.
 */
unsigned long ttm_pool_set_page_pool_size(unsigned long pages)
{
	unsigned long old = xchg(&page_pool_size, pages);

	drm_page_pool_limit_changed();
	return old;
}
EXPORT_SYMBOL_IF_KUNIT(ttm_pool_set_page_pool_size);
#endif

static struct ttm_pool_type global_write_combined[NR_PAGE_ORDERS];
static struct ttm_pool_type global_uncached[NR_PAGE_ORDERS];

static struct ttm_pool_type global_dma32_write_combined[NR_PAGE_ORDERS];
static struct ttm_pool_type global_dma32_uncached[NR_PAGE_ORDERS];

static void ttm_pool_type_release(struct drm_page_pool *page_pool,
				  struct page *p);

#define TTM_POOL_OPS(_name) { \
	.name = _name, \
	.release = ttm_pool_type_release, \
	.group = &ttm_pool_group, \
}

/* Names of the pool types in the pool core's debugfs, per caching */
static const struct drm_page_pool_ops ttm_pool_global_ops[] = {
	[ttm_write_combined] = TTM_POOL_OPS("ttm-wc"),
	[ttm_uncached] = TTM_POOL_OPS("ttm-uc"),
};

static const struct drm_page_pool_ops ttm_pool_dma32_ops[] = {
	[ttm_write_combined] = TTM_POOL_OPS("ttm-wc-dma32"),
	[ttm_uncached] = TTM_POOL_OPS("ttm-uc-dma32"),
};

static const struct drm_page_pool_ops ttm_pool_dma_alloc_ops[] = {
	[ttm_cached] = TTM_POOL_OPS("ttm-dma"),
	[ttm_write_combined] = TTM_POOL_OPS("ttm-dma-wc"),
	[ttm_uncached] = TTM_POOL_OPS("ttm-dma-uc"),
};

static const struct drm_page_pool_ops ttm_pool_node_ops[] = {
	[ttm_cached] = TTM_POOL_OPS("ttm-node"),
	[ttm_write_combined] = TTM_POOL_OPS("ttm-node-wc"),
	[ttm_uncached] = TTM_POOL_OPS("ttm-node-uc"),
};

/* Allocate system pages; KUnit injects failures here */
VISIBLE_IF_KUNIT struct page *ttm_pool_alloc_pages_node(int nid,
							gfp_t gfp_flags,
							unsigned int order)
{
	KUNIT_STATIC_STUB_REDIRECT(ttm_pool_alloc_pages_node, nid, gfp_flags,
				   order);
	return alloc_pages_node(nid, gfp_flags, order);
}
EXPORT_SYMBOL_IF_KUNIT(ttm_pool_alloc_pages_node);

/* Give pages of size 1 << order back their write-back caching */
VISIBLE_IF_KUNIT void ttm_pool_set_pages_wb(struct page *p, unsigned int order)
{
	KUNIT_STATIC_STUB_REDIRECT(ttm_pool_set_pages_wb, p, order);
#ifdef CONFIG_X86
	set_pages_wb(p, 1 << order);
#endif
}
EXPORT_SYMBOL_IF_KUNIT(ttm_pool_set_pages_wb);

/* Free coherent DMA memory; KUnit counts the calls here */
VISIBLE_IF_KUNIT void ttm_pool_dma_free_attrs(struct device *dev, size_t size,
					      void *vaddr, dma_addr_t addr,
					      unsigned long attrs)
{
	KUNIT_STATIC_STUB_REDIRECT(ttm_pool_dma_free_attrs, dev, size, vaddr,
				   addr, attrs);
	dma_free_attrs(dev, size, vaddr, addr, attrs);
}
EXPORT_SYMBOL_IF_KUNIT(ttm_pool_dma_free_attrs);

/*
 * Count the 2^order pages of @p in NR_GPU_ACTIVE of their node (GPUActive in
 * /proc/meminfo) while a tt of @pool holds them: from their allocation or
 * their take from a pool type until they are freed or given to one. While
 * in a pool type the shared pool counts them in NR_GPU_RECLAIM instead. As
 * in mainline, pages of coherent DMA allocations do not count as active.
 */
static __always_inline void
ttm_pool_count_active(struct ttm_pool *pool, struct page *p, unsigned int order,
		      bool held)
{
	long nr = 1L << order;

	if (pool->use_dma_alloc)
		return;
	drm_page_pool_count_node(page_pgdat(p), NR_GPU_ACTIVE, held ? nr : -nr);
}

/* Allocate pages of size 1 << order with the given gfp_flags */
static struct page *ttm_pool_alloc_page(struct ttm_pool *pool, gfp_t gfp_flags,
					unsigned int order)
{
	unsigned long attr = DMA_ATTR_FORCE_CONTIGUOUS;
	struct ttm_pool_dma *dma;
	struct page *p;
	void *vaddr;

	/* Don't set the __GFP_COMP flag for higher order allocations.
	 * Mapping pages directly into an userspace process and calling
	 * put_page() on a TTM allocated page is illegal.
	 */
	if (order)
		gfp_flags |= __GFP_NOMEMALLOC | __GFP_NORETRY | __GFP_NOWARN |
			__GFP_THISNODE;

	if (!pool->use_dma_alloc) {
		p = ttm_pool_alloc_pages_node(pool->nid, gfp_flags, order);
		if (p) {
			p->private = order;
			ttm_pool_count_active(pool, p, order, true);
		}
		return p;
	}

	dma = kmalloc(sizeof(*dma), GFP_KERNEL);
	if (!dma)
		return NULL;

	if (order)
		attr |= DMA_ATTR_NO_WARN;

	vaddr = dma_alloc_attrs(pool->dev, (1ULL << order) * PAGE_SIZE,
				&dma->addr, gfp_flags, attr);
	if (!vaddr)
		goto error_free;

	/* TODO: This is an illegal abuse of the DMA API, but we need to rework
	 * TTM page fault handling and extend the DMA API to clean this up.
	 */
	if (is_vmalloc_addr(vaddr))
		p = vmalloc_to_page(vaddr);
	else
		p = virt_to_page(vaddr);

	dma->vaddr = (unsigned long)vaddr | order;
	p->private = (unsigned long)dma;
	return p;

error_free:
	kfree(dma);
	return NULL;
}

/* Reset the caching and pages of size 1 << order */
static void ttm_pool_free_page(struct ttm_pool *pool, enum ttm_caching caching,
			       unsigned int order, struct page *p)
{
	unsigned long attr = DMA_ATTR_FORCE_CONTIGUOUS;
	struct ttm_pool_dma *dma;
	void *vaddr;

	/* We don't care that set_pages_wb is inefficient here. This is only
	 * used when we have to shrink and CPU overhead is irrelevant then.
	 */
	if (IS_ENABLED(CONFIG_X86) && caching != ttm_cached && !PageHighMem(p))
		ttm_pool_set_pages_wb(p, order);

	if (!pool || !pool->use_dma_alloc) {
		__free_pages(p, order);
		return;
	}

	if (order)
		attr |= DMA_ATTR_NO_WARN;

	dma = (void *)p->private;
	vaddr = (void *)(dma->vaddr & PAGE_MASK);
	ttm_pool_dma_free_attrs(pool->dev, (1UL << order) * PAGE_SIZE, vaddr,
				dma->addr, attr);
	kfree(dma);
}

/* Apply a new caching to an array of pages */
static int ttm_pool_apply_caching(struct page **first, struct page **last,
				  enum ttm_caching caching)
{
#ifdef CONFIG_X86
	unsigned int num_pages = last - first;

	if (!num_pages)
		return 0;

	switch (caching) {
	case ttm_cached:
		break;
	case ttm_write_combined:
		return set_pages_array_wc(first, num_pages);
	case ttm_uncached:
		return set_pages_array_uc(first, num_pages);
	}
#endif
	return 0;
}

/* Map pages of 1 << order size and fill the DMA address array  */
VISIBLE_IF_KUNIT int ttm_pool_map(struct ttm_pool *pool, unsigned int order,
				  struct page *p, dma_addr_t **dma_addr)
{
	dma_addr_t addr;
	unsigned int i;

	KUNIT_STATIC_STUB_REDIRECT(ttm_pool_map, pool, order, p, dma_addr);

	if (pool->use_dma_alloc) {
		struct ttm_pool_dma *dma = (void *)p->private;

		addr = dma->addr;
	} else {
		size_t size = (1ULL << order) * PAGE_SIZE;

		addr = dma_map_page(pool->dev, p, 0, size, DMA_BIDIRECTIONAL);
		if (dma_mapping_error(pool->dev, addr))
			return -EFAULT;
	}

	for (i = 1 << order; i ; --i) {
		*(*dma_addr)++ = addr;
		addr += PAGE_SIZE;
	}

	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(ttm_pool_map);

/* Unmap pages of 1 << order size */
static void ttm_pool_unmap(struct ttm_pool *pool, dma_addr_t dma_addr,
			   unsigned int num_pages)
{
	/* Unmapped while freeing the page */
	if (pool->use_dma_alloc)
		return;

	dma_unmap_page(pool->dev, dma_addr, (long)num_pages << PAGE_SHIFT,
		       DMA_BIDIRECTIONAL);
}

/*
 * Give pages into a specific pool_type. The shared pool zeroes them, pools
 * them, and then shrinks the idlest pools if TTM's pools hold more than
 * page_pool_size pages or all pools more than the global limit.
 */
static void ttm_pool_type_give(struct ttm_pool_type *pt, struct page *p)
{
	drm_page_pool_give(&pt->page_pool, p);
}

/*
 * Take pages from a specific pool_type, return NULL when nothing available.
 * A pool bound to a node looks there first, then on every node of the
 * task's cpuset: alloc_pages_node() may have given it order-0 pages of any
 * of them. The global pool types and coherent DMA pools take from the local
 * memory node first, then from any node, as TTM's node-blind lists did (a
 * DMA32 page, say, is on whatever node holds that zone).
 */
static __always_inline struct page *
ttm_pool_type_take(struct ttm_pool_type *pt, struct ttm_pool *pool)
{
	struct page *p;

	if (pool->use_dma_alloc || pool->nid == NUMA_NO_NODE)
		p = drm_page_pool_take(&pt->page_pool, NUMA_NO_NODE,
				       &node_possible_map);
	else
		p = drm_page_pool_take(&pt->page_pool, pool->nid,
				       &cpuset_current_mems_allowed);
	if (p)
		ttm_pool_count_active(pool, p, pt->page_pool.order, true);
	return p;
}

/*
 * Release hook of the shared pool: pages leave a pool type for the system
 * (shrinker, global limit or ttm_pool_type_fini()).
 */
static void ttm_pool_type_release(struct drm_page_pool *page_pool,
				  struct page *p)
{
	struct ttm_pool_type *pt = container_of(page_pool, typeof(*pt),
						page_pool);

	ttm_pool_free_page(pt->pool, pt->caching, page_pool->order, p);
}

/*
 * Initialize a pool type and make it visible to the shared shrinker. The
 * shared pool cannot fail to set up a valid order.
 */
static void ttm_pool_type_init(struct ttm_pool_type *pt, struct ttm_pool *pool,
			       enum ttm_caching caching, unsigned int order,
			       const struct drm_page_pool_ops *ops)
{
	pt->pool = pool;
	pt->caching = caching;

	/* A pool type of a device's own is named after the device */
	WARN_ON(drm_page_pool_init_owner(&pt->page_pool, order, &ops[caching],
					 pool ? pool->owner : NULL));
}

/*
 * Free all pages of a pool type and hide it from the shrinker; a no-op on a
 * pool type that was never or not successfully initialized, or already
 * finalized
 */
static void ttm_pool_type_fini(struct ttm_pool_type *pt)
{
	drm_page_pool_fini(&pt->page_pool);
}

/* Return the pool_type to use for the given caching and order */
VISIBLE_IF_KUNIT struct ttm_pool_type *
ttm_pool_select_type(struct ttm_pool *pool, enum ttm_caching caching,
		     unsigned int order)
{
	if (pool->use_dma_alloc)
		return &pool->caching[caching].orders[order];

#ifdef CONFIG_X86
	switch (caching) {
	case ttm_write_combined:
		if (pool->nid != NUMA_NO_NODE)
			return &pool->caching[caching].orders[order];

		if (pool->use_dma32)
			return &global_dma32_write_combined[order];

		return &global_write_combined[order];
	case ttm_uncached:
		if (pool->nid != NUMA_NO_NODE)
			return &pool->caching[caching].orders[order];

		if (pool->use_dma32)
			return &global_dma32_uncached[order];

		return &global_uncached[order];
	default:
		break;
	}
#endif

	return NULL;
}
EXPORT_SYMBOL_IF_KUNIT(ttm_pool_select_type);

/* Return the allocation order based for a page */
VISIBLE_IF_KUNIT unsigned int ttm_pool_page_order(struct ttm_pool *pool,
						  struct page *p)
{
	if (pool->use_dma_alloc) {
		struct ttm_pool_dma *dma = (void *)p->private;

		return dma->vaddr & ~PAGE_MASK;
	}

	return p->private;
}
EXPORT_SYMBOL_IF_KUNIT(ttm_pool_page_order);

/* Called when we got a page, either from a pool or newly allocated */
static int ttm_pool_page_allocated(struct ttm_pool *pool, unsigned int order,
				   struct page *p, dma_addr_t **dma_addr,
				   unsigned long *num_pages,
				   struct page ***pages)
{
	unsigned int i;
	int r;

	if (*dma_addr) {
		r = ttm_pool_map(pool, order, p, dma_addr);
		if (r)
			return r;
	}

	*num_pages -= 1 << order;
	for (i = 1 << order; i; --i, ++(*pages), ++p)
		**pages = p;

	return 0;
}

/**
 * ttm_pool_free_range() - Free a range of TTM pages
 * @pool: The pool used for allocating.
 * @tt: The struct ttm_tt holding the page pointers.
 * @caching: The page caching mode used by the range.
 * @start_page: index for first page to free.
 * @end_page: index for last page to free + 1.
 *
 * During allocation the ttm_tt page-vector may be populated with ranges of
 * pages with different attributes if allocation hit an error without being
 * able to completely fulfill the allocation. This function can be used
 * to free these individual ranges.
 */
static void ttm_pool_free_range(struct ttm_pool *pool, struct ttm_tt *tt,
				enum ttm_caching caching,
				pgoff_t start_page, pgoff_t end_page)
{
	struct page **pages = &tt->pages[start_page];
	unsigned int order;
	pgoff_t i, nr;

	for (i = start_page; i < end_page; i += nr, pages += nr) {
		struct ttm_pool_type *pt = NULL;

		order = ttm_pool_page_order(pool, *pages);
		nr = (1UL << order);
		if (tt->dma_address)
			ttm_pool_unmap(pool, tt->dma_address[i], nr);

		ttm_pool_count_active(pool, *pages, order, false);
		pt = ttm_pool_select_type(pool, caching, order);
		if (pt)
			ttm_pool_type_give(pt, *pages);
		else
			ttm_pool_free_page(pool, caching, order, *pages);
	}
}

/**
 * ttm_pool_alloc - Fill a ttm_tt object
 *
 * @pool: ttm_pool to use
 * @tt: ttm_tt object to fill
 * @ctx: operation context
 *
 * Fill the ttm_tt object with pages and also make sure to DMA map them when
 * necessary.
 *
 * Returns: 0 on successe, negative error code otherwise.
 */
int ttm_pool_alloc(struct ttm_pool *pool, struct ttm_tt *tt,
		   struct ttm_operation_ctx *ctx)
{
	pgoff_t num_pages = tt->num_pages;
	dma_addr_t *dma_addr = tt->dma_address;
	struct page **caching = tt->pages;
	struct page **pages = tt->pages;
	enum ttm_caching page_caching;
	gfp_t gfp_flags = GFP_USER;
	pgoff_t caching_divide;
	unsigned int order;
	struct page *p;
	int r;

	WARN_ON(!num_pages || ttm_tt_is_populated(tt));
	WARN_ON(dma_addr && !pool->dev);

	if (tt->page_flags & TTM_TT_FLAG_ZERO_ALLOC)
		gfp_flags |= __GFP_ZERO;

	if (ctx->gfp_retry_mayfail)
		gfp_flags |= __GFP_RETRY_MAYFAIL;

	if (pool->use_dma32)
		gfp_flags |= GFP_DMA32;
	else
		gfp_flags |= GFP_HIGHUSER;

	for (order = min_t(unsigned int, MAX_PAGE_ORDER, __fls(num_pages));
	     num_pages;
	     order = min_t(unsigned int, order, __fls(num_pages))) {
		struct ttm_pool_type *pt;

		page_caching = tt->caching;
		pt = ttm_pool_select_type(pool, tt->caching, order);
		p = pt ? ttm_pool_type_take(pt, pool) : NULL;
		if (p) {
			r = ttm_pool_apply_caching(caching, pages,
						   tt->caching);
			if (r)
				goto error_free_page;

			caching = pages;
			do {
				r = ttm_pool_page_allocated(pool, order, p,
							    &dma_addr,
							    &num_pages,
							    &pages);
				if (r)
					goto error_free_page;

				caching = pages;
				if (num_pages < (1 << order))
					break;

				p = ttm_pool_type_take(pt, pool);
			} while (p);
		}

		page_caching = ttm_cached;
		while (num_pages >= (1 << order) &&
		       (p = ttm_pool_alloc_page(pool, gfp_flags, order))) {

			if (PageHighMem(p)) {
				r = ttm_pool_apply_caching(caching, pages,
							   tt->caching);
				if (r)
					goto error_free_page;
				caching = pages;
			}
			r = ttm_pool_page_allocated(pool, order, p, &dma_addr,
						    &num_pages, &pages);
			if (r)
				goto error_free_page;
			if (PageHighMem(p))
				caching = pages;
		}

		if (!p) {
			if (order) {
				--order;
				continue;
			}
			r = -ENOMEM;
			goto error_free_all;
		}
	}

	r = ttm_pool_apply_caching(caching, pages, tt->caching);
	if (r)
		goto error_free_all;

	return 0;

error_free_page:
	ttm_pool_count_active(pool, p, order, false);
	ttm_pool_free_page(pool, page_caching, order, p);

error_free_all:
	num_pages = tt->num_pages - num_pages;
	caching_divide = caching - tt->pages;
	ttm_pool_free_range(pool, tt, tt->caching, 0, caching_divide);
	ttm_pool_free_range(pool, tt, ttm_cached, caching_divide, num_pages);

	return r;
}
EXPORT_SYMBOL(ttm_pool_alloc);

/**
 * ttm_pool_free - Free the backing pages from a ttm_tt object
 *
 * @pool: Pool to give pages back to.
 * @tt: ttm_tt object to unpopulate
 *
 * Give the backing pages back to a pool or free them. The shared pool zeroes
 * the pages it keeps and holds all pools to its global limit, releasing
 * pages of the pools idle longest first.
 *
 * Context: Process context, may sleep.
 */
void ttm_pool_free(struct ttm_pool *pool, struct ttm_tt *tt)
{
	ttm_pool_free_range(pool, tt, tt->caching, 0, tt->num_pages);
}
EXPORT_SYMBOL(ttm_pool_free);

/* The pool type at @index of @pool's own, or NULL if @pool does not use it */
static struct ttm_pool_type *ttm_pool_own_type(struct ttm_pool *pool,
					       unsigned int index)
{
	unsigned int caching = index / NR_PAGE_ORDERS;
	unsigned int order = index % NR_PAGE_ORDERS;
	struct ttm_pool_type *pt = &pool->caching[caching].orders[order];

	/* Only pool types which are actually used are initialized */
	return ttm_pool_select_type(pool, caching, order) == pt ? pt : NULL;
}

/* Finalize the first @count pool types of @pool's own, last first */
static void ttm_pool_fini_types(struct ttm_pool *pool, unsigned int count)
{
	struct ttm_pool_type *pt;

	while (count--) {
		pt = ttm_pool_own_type(pool, count);
		if (pt)
			ttm_pool_type_fini(pt);
	}
}

/**
 * ttm_pool_init - Initialize a pool
 *
 * @pool: the pool to initialize
 * @dev: device for DMA allocations and mappings; a copy of its name names
 *	 the pool's own pool types in the shared page pool's debugfs and
 *	 tracepoints
 * @nid: NUMA node to use for allocations
 * @use_dma_alloc: true if coherent DMA alloc should be used
 * @use_dma32: true if GFP_DMA32 should be used
 *
 * Initialize the pool and its pool types. A pool that uses coherent DMA
 * allocations gets pool types of its own for every caching and order; on x86
 * a pool bound to a NUMA node gets its own for write-combined and uncached
 * pages; all other pages are pooled in TTM's global pool types, which exist
 * while a &struct ttm_device does.
 *
 * Context: Process context, may sleep.
 */
void ttm_pool_init(struct ttm_pool *pool, struct device *dev,
		   int nid, bool use_dma_alloc, bool use_dma32)
{
	const struct drm_page_pool_ops *ops;
	struct ttm_pool_type *pt;
	unsigned int i;

	WARN_ON(!dev && use_dma_alloc);

	pool->dev = dev;
	pool->owner = NULL;
	pool->nid = nid;
	pool->use_dma_alloc = use_dma_alloc;
	pool->use_dma32 = use_dma32;

	ops = use_dma_alloc ? ttm_pool_dma_alloc_ops : ttm_pool_node_ops;
	for (i = 0; i < TTM_NUM_CACHING_TYPES * NR_PAGE_ORDERS; ++i) {
		pt = ttm_pool_own_type(pool, i);
		if (!pt)
			continue;

		/* A copy, as a device may be renamed; without memory, no name */
		if (!pool->owner && dev)
			pool->owner = kstrdup_const(dev_name(dev), GFP_KERNEL);

		ttm_pool_type_init(pt, pool, i / NR_PAGE_ORDERS,
				   i % NR_PAGE_ORDERS, ops);
	}
}
EXPORT_SYMBOL(ttm_pool_init);

/**
 * ttm_pool_fini - Cleanup a pool
 *
 * @pool: the pool to clean up
 *
 * Free all pages in the pool's own pool types and hide them from the shared
 * shrinker, waiting for a shrinker that is freeing pages of them, and the
 * copy of the device's name that names them. Pages in the global pool types
 * stay there for other pools. Every ttm_pool_init() needs its
 * ttm_pool_fini().
 *
 * Context: Process context, may sleep.
 */
void ttm_pool_fini(struct ttm_pool *pool)
{
	ttm_pool_fini_types(pool, TTM_NUM_CACHING_TYPES * NR_PAGE_ORDERS);
	kfree_const(pool->owner);
	pool->owner = NULL;
}
EXPORT_SYMBOL(ttm_pool_fini);

#ifdef CONFIG_DEBUG_FS
/* Print a nice header for the order */
static void ttm_pool_debugfs_header(struct seq_file *m)
{
	unsigned int i;

	seq_puts(m, "\t ");
	for (i = 0; i < NR_PAGE_ORDERS; ++i)
		seq_printf(m, " ---%2u---", i);
	seq_puts(m, "\n");
}

/* Dump the number of free blocks of each order of the pool types */
static void ttm_pool_debugfs_orders(struct ttm_pool_type *pt,
				    struct seq_file *m)
{
	struct drm_page_pool *page_pools[NR_PAGE_ORDERS];
	unsigned int i;

	for (i = 0; i < NR_PAGE_ORDERS; ++i)
		page_pools[i] = &pt[i].page_pool;
	drm_page_pool_debugfs_counts(m, page_pools, NR_PAGE_ORDERS);
}

/* Dump the pages in TTM's pool types against their limit */
static void ttm_pool_debugfs_footer(struct seq_file *m)
{
	seq_puts(m, "\ntotal\t:");
	drm_page_pool_debugfs_group(m, &ttm_pool_group);
}

/* Dump the information for the global pools */
static int ttm_pool_debugfs_globals_show(struct seq_file *m, void *data)
{
	ttm_pool_debugfs_header(m);

	seq_puts(m, "wc\t:");
	ttm_pool_debugfs_orders(global_write_combined, m);
	seq_puts(m, "uc\t:");
	ttm_pool_debugfs_orders(global_uncached, m);
	seq_puts(m, "wc 32\t:");
	ttm_pool_debugfs_orders(global_dma32_write_combined, m);
	seq_puts(m, "uc 32\t:");
	ttm_pool_debugfs_orders(global_dma32_uncached, m);

	ttm_pool_debugfs_footer(m);

	return 0;
}
DEFINE_SHOW_ATTRIBUTE(ttm_pool_debugfs_globals);

/**
 * ttm_pool_debugfs - Debugfs dump function for a pool
 *
 * @pool: the pool to dump the information for
 * @m: seq_file to dump to
 *
 * Make a debugfs dump with the per pool and global information: the free
 * blocks of each order in the pool's own pool types, as counted by the
 * shared page pool, and the pages in all of TTM's pool types against
 * ttm.page_pool_size.
 *
 * Context: Process context.
 * Returns: 0.
 */
int ttm_pool_debugfs(struct ttm_pool *pool, struct seq_file *m)
{
	unsigned int i;

	if (!pool->use_dma_alloc) {
		seq_puts(m, "unused\n");
		return 0;
	}

	ttm_pool_debugfs_header(m);

	for (i = 0; i < TTM_NUM_CACHING_TYPES; ++i) {
		seq_puts(m, "DMA ");
		switch (i) {
		case ttm_cached:
			seq_puts(m, "\t:");
			break;
		case ttm_write_combined:
			seq_puts(m, "wc\t:");
			break;
		case ttm_uncached:
			seq_puts(m, "uc\t:");
			break;
		}
		ttm_pool_debugfs_orders(pool->caching[i].orders, m);
	}

	ttm_pool_debugfs_footer(m);
	return 0;
}
EXPORT_SYMBOL(ttm_pool_debugfs);

/* Run the shared shrinker once and dump the result */
static int ttm_pool_debugfs_shrink_show(struct seq_file *m, void *data)
{
	drm_page_pool_debugfs_shrink(m);

	return 0;
}
DEFINE_SHOW_ATTRIBUTE(ttm_pool_debugfs_shrink);

#endif

/**
 * ttm_pool_mgr_init - Initialize globals
 *
 * @num_pages: default number of pages
 *
 * Initialize the global pool types and set ttm.page_pool_size to @num_pages
 * unless the user set it. The global pool types are shrunk by the shared
 * page pool's shrinker.
 *
 * Context: Process context, may sleep.
 * Returns: 0; setting up the shared pools cannot fail.
 */
int ttm_pool_mgr_init(unsigned long num_pages)
{
	unsigned int i;

	if (!page_pool_size)
		page_pool_size = num_pages;

	for (i = 0; i < NR_PAGE_ORDERS; ++i) {
		ttm_pool_type_init(&global_write_combined[i], NULL,
				   ttm_write_combined, i, ttm_pool_global_ops);
		ttm_pool_type_init(&global_uncached[i], NULL,
				   ttm_uncached, i, ttm_pool_global_ops);

		ttm_pool_type_init(&global_dma32_write_combined[i], NULL,
				   ttm_write_combined, i, ttm_pool_dma32_ops);
		ttm_pool_type_init(&global_dma32_uncached[i], NULL,
				   ttm_uncached, i, ttm_pool_dma32_ops);
	}

#ifdef CONFIG_DEBUG_FS
	debugfs_create_file("page_pool", 0444, ttm_debugfs_root, NULL,
			    &ttm_pool_debugfs_globals_fops);
	debugfs_create_file("page_pool_shrink", 0400, ttm_debugfs_root, NULL,
			    &ttm_pool_debugfs_shrink_fops);
#endif

	return 0;
}

/**
 * ttm_pool_mgr_fini - Finalize globals
 *
 * Free the pages of the global pool types and hide them from the shared
 * shrinker, waiting for a shrinker that is freeing pages of them. Tolerates
 * global pool types that were not, or only partly, initialized. The pool
 * types of a pool that a driver initialized and never finalized with
 * ttm_pool_fini() are finalized here with a warning, so that the bug shows
 * when the last device goes and not in some later reclaim; this relies on
 * the forgotten pool's memory still being valid.
 *
 * Context: Process context, may sleep.
 */
void ttm_pool_mgr_fini(void)
{
	unsigned int i, left;

	for (i = 0; i < NR_PAGE_ORDERS; ++i) {
		ttm_pool_type_fini(&global_write_combined[i]);
		ttm_pool_type_fini(&global_uncached[i]);

		ttm_pool_type_fini(&global_dma32_write_combined[i]);
		ttm_pool_type_fini(&global_dma32_uncached[i]);
	}

	/* A forgotten pool keeps its copy of the device's name: a bug anyway */
	left = drm_page_pool_group_reap(&ttm_pool_group);
	WARN(left, "%u pool types of TTM pools that were never finalized\n",
	     left);
}
