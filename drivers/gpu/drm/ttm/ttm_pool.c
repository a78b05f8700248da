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
#include <linux/fault-inject.h>
#include <linux/highmem.h>
#include <linux/nodemask.h>
#include <linux/sched/mm.h>

#include <kunit/static_stub.h>
#include <kunit/visibility.h>

#ifdef CONFIG_X86
#include <asm/set_memory.h>
#endif

#include <drm/ttm/ttm_backup.h>
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

/*
 * Fault injection for backup and restore, debugfs ttm/backup_fault_inject:
 * a backup that fails stops after half of the tt's pages, a restore in an
 * interruptible context stops with -EINTR before the copy of a page.
 */
static DECLARE_FAULT_ATTR(backup_fault_inject);

#if IS_ENABLED(CONFIG_KUNIT)
/**
 * ttm_pool_backup_fault_attr - the fault attribute of backup and restore
 *
 * For the KUnit suites, which drive the fault injection points.
 *
 * Return: the attribute debugfs shows as ttm/backup_fault_inject.
 */
struct fault_attr *ttm_pool_backup_fault_attr(void)
{
	return &backup_fault_inject;
}
EXPORT_SYMBOL_IF_KUNIT(ttm_pool_backup_fault_attr);
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

/* Give all pages of an array write-back caching back; KUnit counts here */
VISIBLE_IF_KUNIT int ttm_pool_set_pages_array_wb(struct page **pages,
						 unsigned int num_pages)
{
	KUNIT_STATIC_STUB_REDIRECT(ttm_pool_set_pages_array_wb, pages,
				   num_pages);
#ifdef CONFIG_X86
	return set_pages_array_wb(pages, num_pages);
#else
	return 0;
#endif
}
EXPORT_SYMBOL_IF_KUNIT(ttm_pool_set_pages_array_wb);

/*
 * Whether a backup frees each page of a block of @order as soon as it is
 * copied, not the block once all of its pages are: in reclaim, where the
 * copies may come from the reserves PF_MEMALLOC grants, and when the zone
 * of @p would not stay above its low watermark while the block is held.
 * A block held until its last copy is up to 2^MAX_PAGE_ORDER pages held
 * twice (4 MiB on x86, 512 MiB on arm64 with 64K pages); freeing page by
 * page costs a backup of a 64 MiB tt some 10% more instructions.
 */
VISIBLE_IF_KUNIT bool ttm_pool_backup_page_by_page(struct page *p,
						   unsigned int order)
{
	struct zone *zone = page_zone(p);

	KUNIT_STATIC_STUB_REDIRECT(ttm_pool_backup_page_by_page, p, order);

	return order && ((current->flags & PF_MEMALLOC) ||
			 zone_page_state(zone, NR_FREE_PAGES) <
			 low_wmark_pages(zone) + (1UL << order));
}
EXPORT_SYMBOL_IF_KUNIT(ttm_pool_backup_page_by_page);

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

/**
 * struct ttm_pool_alloc_state - Where a populate of a ttm_tt stands
 * @pages: The next entry of the tt's page array to fill.
 * @caching_divide: The first entry whose page still has write-back caching
 * and will get the tt's caching when the next block that has it already
 * comes, or at the end. Entries before it have the tt's caching; entries
 * from it to @pages have write-back caching.
 * @dma_addr: The next entry of the tt's DMA address array to fill, or NULL.
 * @remaining_pages: The pages still to allocate.
 * @tt_caching: The caching the tt's pages must have.
 */
struct ttm_pool_alloc_state {
	struct page **pages;
	struct page **caching_divide;
	dma_addr_t *dma_addr;
	pgoff_t remaining_pages;
	enum ttm_caching tt_caching;
};

/**
 * struct ttm_pool_tt_restore - Where a restore of a backed-up ttm_tt stands
 * @pool: The pool the restore takes its pages from.
 * @snapshot_alloc: The populate state after the last block committed: the
 * entries before @snapshot_alloc.pages hold the restored pages.
 * @alloced_page: The block in flight, allocated for the entries from
 * @snapshot_alloc.pages on and being filled from the backup.
 * @first_dma: The DMA address of @alloced_page, if the tt has DMA addresses.
 * @restored_pages: The pages of the block in flight filled so far; 1 <<
 * @order when no block is in flight.
 * @page_caching: The caching @alloced_page has.
 * @order: The order of @alloced_page.
 *
 * A restore copies back block by block and puts a block into the tt only
 * once all of its pages are filled. It keeps this state in the tt when it
 * stops (a signal, no memory), and the next populate resumes from it.
 */
struct ttm_pool_tt_restore {
	struct ttm_pool *pool;
	struct ttm_pool_alloc_state snapshot_alloc;
	struct page *alloced_page;
	dma_addr_t first_dma;
	pgoff_t restored_pages;
	enum ttm_caching page_caching;
	unsigned int order;
};

/* Start a populate of all of @tt */
static void ttm_pool_alloc_state_init(const struct ttm_tt *tt,
				      struct ttm_pool_alloc_state *alloc)
{
	alloc->pages = tt->pages;
	alloc->caching_divide = tt->pages;
	alloc->dma_addr = tt->dma_address;
	alloc->remaining_pages = tt->num_pages;
	alloc->tt_caching = tt->caching;
}

/* The largest order up to @highest that the remaining pages can use */
static unsigned int
ttm_pool_alloc_find_order(unsigned int highest,
			  const struct ttm_pool_alloc_state *alloc)
{
	return min_t(unsigned int, highest, __fls(alloc->remaining_pages));
}

#ifdef CONFIG_X86
/* Give pages the caching of a tt; out of line, off the path of pooled blocks */
static noinline int ttm_pool_set_pages_array_caching(struct page **pages,
						     unsigned int num_pages,
						     enum ttm_caching caching)
{
	switch (caching) {
	case ttm_cached:
		break;
	case ttm_write_combined:
		return set_pages_array_wc(pages, num_pages);
	case ttm_uncached:
		return set_pages_array_uc(pages, num_pages);
	}
	return 0;
}
#endif

/*
 * Give the pages between the caching divide and the next entry the tt's
 * caching, and move the divide past them once they have it: the error path
 * releases the pages before the divide with the tt's caching, the ones after
 * it as write-back.
 */
static int ttm_pool_apply_caching(struct ttm_pool_alloc_state *alloc)
{
#ifdef CONFIG_X86
	unsigned int num_pages = alloc->pages - alloc->caching_divide;
	int r;

	if (!num_pages)
		return 0;

	r = ttm_pool_set_pages_array_caching(alloc->caching_divide, num_pages,
					     alloc->tt_caching);
	if (r)
		return r;
#endif
	alloc->caching_divide = alloc->pages;
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

/* Release a page or block of a tt that leaves it to the system */
static void ttm_pool_release_page(struct page *p, unsigned int order)
{
	drm_page_pool_count_node(page_pgdat(p), NR_GPU_ACTIVE, -(1L << order));
	p->private = 0;
	__free_pages(p, order);
}

/* Make the pages of a block order-0 ones, each with a reference of its own */
static void ttm_pool_split_for_swap(struct page *p)
{
	unsigned int order = p->private;
	pgoff_t nr;

	if (!order)
		return;

	split_page(p, order);
	for (nr = 1UL << order; nr; nr--)
		(p++)->private = 0;
}

/* Whether a block has the caching the tt needs, or never changes caching */
static bool ttm_pool_caching_consistent(struct page *p,
					enum ttm_caching page_caching,
					const struct ttm_pool_alloc_state *alloc)
{
	return page_caching == alloc->tt_caching || PageHighMem(p);
}

/*
 * Account a block whose pages and DMA addresses are in the next entries of
 * the tt as populated, and move the caching divide past it if it has the
 * tt's caching already.
 */
static void ttm_pool_commit_block(struct ttm_pool_alloc_state *alloc,
				  unsigned int order, bool consistent)
{
	pgoff_t nr = 1UL << order;

	alloc->remaining_pages -= nr;
	alloc->pages += nr;
	if (alloc->dma_addr)
		alloc->dma_addr += nr;
	if (consistent)
		alloc->caching_divide = alloc->pages;
}

/*
 * Put a block we got, from a pool type or newly allocated, into the tt: map
 * it and fill the next entries. A block that already has the caching the tt
 * needs (a pool type's, or a highmem one, whose caching never changes) first
 * gives the pages staged before it that caching, so that the pages before
 * the divide always have it. For a restore, the block is only mapped and
 * becomes the block in flight, which ttm_pool_restore_commit() fills.
 */
static __always_inline int
ttm_pool_page_allocated(struct ttm_pool *pool, unsigned int order,
				   struct page *p, enum ttm_caching page_caching,
				   struct ttm_pool_alloc_state *alloc,
				   struct ttm_pool_tt_restore *restore)
{
	bool consistent = ttm_pool_caching_consistent(p, page_caching, alloc);
	dma_addr_t *dma_addr = alloc->dma_addr;
	struct page **pages;
	unsigned int i;
	int r;

	if (consistent) {
		r = ttm_pool_apply_caching(alloc);
		if (r)
			return r;
	}

	/* The entries of the block's DMA addresses, kept until it commits */
	if (dma_addr) {
		r = ttm_pool_map(pool, order, p, &dma_addr);
		if (r)
			return r;
	}

	/* A restore fills the block from the backup before it commits */
	if (restore) {
		restore->alloced_page = p;
		restore->first_dma = alloc->dma_addr ? alloc->dma_addr[0] : 0;
		restore->restored_pages = 0;
		restore->page_caching = page_caching;
		restore->order = order;
		return 0;
	}

	/* Through a local cursor: a store could alias alloc->pages */
	pages = alloc->pages;
	for (i = 0; i < 1U << order; i++)
		pages[i] = p + i;
	ttm_pool_commit_block(alloc, order, consistent);

	return 0;
}

/*
 * Unmap a block of a tt and give it to the pool type of its caching and
 * order, or free it if there is none or @give is false.
 */
static void ttm_pool_unmap_and_free(struct ttm_pool *pool, struct ttm_tt *tt,
				    struct page *p, dma_addr_t dma_addr,
				    enum ttm_caching caching,
				    unsigned int order, bool give)
{
	struct ttm_pool_type *pt = NULL;

	if (tt->dma_address)
		ttm_pool_unmap(pool, dma_addr, 1UL << order);

	ttm_pool_count_active(pool, p, order, false);
	if (give)
		pt = ttm_pool_select_type(pool, caching, order);
	if (pt)
		ttm_pool_type_give(pt, p);
	else
		ttm_pool_free_page(pool, caching, order, p);
}

/**
 * ttm_pool_free_range() - Free a range of TTM pages
 * @pool: The pool used for allocating.
 * @tt: The struct ttm_tt holding the page pointers.
 * @caching: The page caching mode used by the range.
 * @start_page: index for first page to free.
 * @end_page: index for last page to free + 1.
 * @give: give the blocks to the pool types, not to the system.
 *
 * During allocation the ttm_tt page-vector may be populated with ranges of
 * pages with different attributes if allocation hit an error without being
 * able to completely fulfill the allocation. This function can be used
 * to free these individual ranges.
 */
static void ttm_pool_free_range(struct ttm_pool *pool, struct ttm_tt *tt,
				enum ttm_caching caching,
				pgoff_t start_page, pgoff_t end_page, bool give)
{
	unsigned int order;
	pgoff_t i;

	for (i = start_page; i < end_page; i += 1UL << order) {
		struct page *p = tt->pages[i];

		order = ttm_pool_page_order(pool, p);
		ttm_pool_unmap_and_free(pool, tt, p, tt->dma_address ?
					tt->dma_address[i] : 0, caching, order,
					give);
	}
}

/* Whether a block is in flight: allocated and being filled */
static bool ttm_pool_restore_valid(const struct ttm_pool_tt_restore *restore)
{
	return restore && restore->restored_pages < (1UL << restore->order);
}

/*
 * Fill the block in flight from where it stands: copy each page from its
 * backup copy, or from the page the backup did not reach, which goes to
 * the system, and mark its entry restored (handle 0). Commit the block
 * once it is whole. An error stops the copy; the pages copied so far stay
 * in the block, which stays in flight, or which goes back if none was.
 */
static int ttm_pool_restore_commit(struct ttm_pool_tt_restore *restore,
				   struct ttm_tt *tt,
				   const struct ttm_operation_ctx *ctx,
				   struct ttm_pool_alloc_state *alloc)
{
	pgoff_t nr = 1UL << restore->order;
	struct page **first = alloc->pages;
	int r = 0;
	pgoff_t i;

	for (i = restore->restored_pages; i < nr; i++) {
		struct page *p = first[i];
		struct page *dst = restore->alloced_page + i;

		if (ttm_backup_page_ptr_is_handle(p)) {
			unsigned long handle = ttm_backup_page_ptr_to_handle(p);

			if (handle && ctx->interruptible &&
			    should_fail(&backup_fault_inject, 1)) {
				r = -EINTR;
				break;
			}
			if (handle) {
				r = ttm_backup_copy_page(tt->backup, dst, handle,
							 ctx->interruptible);
				if (r)
					break;
			}
		} else if (p) {
			/* Write-back and unmapped: it goes to the system */
			ttm_pool_split_for_swap(p);
			copy_highpage(dst, p);
			ttm_pool_release_page(p, 0);
		}
		/* A purged page has no contents to restore */

		first[i] = ttm_backup_handle_to_page_ptr(0);
		restore->restored_pages++;
	}

	if (r) {
		if (!restore->restored_pages) {
			ttm_pool_unmap_and_free(restore->pool, tt,
						restore->alloced_page,
						restore->first_dma,
						restore->page_caching,
						restore->order, true);
			restore->restored_pages = nr;
		}
		return r;
	}

	/*
	 * The block is whole: release its backup copies, which page i of the
	 * tt has at index i of the file, in one truncation, not page by page
	 * (a truncation costs more than the copy of a page).
	 */
	if (tt->backup)
		ttm_backup_drop_range(tt->backup, first - tt->pages, nr);
	for (i = 0; i < nr; i++)
		first[i] = restore->alloced_page + i;
	ttm_pool_commit_block(alloc, restore->order,
			      ttm_pool_caching_consistent(restore->alloced_page,
							  restore->page_caching,
							  alloc));
	restore->snapshot_alloc = *alloc;

	return 0;
}

/*
 * Fill the rest of a tt from @alloc on: take blocks from the pool types of
 * the largest order that fits, then allocate blocks of that order, and go
 * down an order when neither gives one. On failure, free every block
 * that went into the tt.
 */
static __always_inline int
__ttm_pool_alloc(struct ttm_pool *pool, struct ttm_tt *tt,
		 const struct ttm_operation_ctx *ctx,
		 struct ttm_pool_alloc_state *alloc,
		 struct ttm_pool_tt_restore *restore)
{
	/* The order at which the pool types ran out; none yet */
	unsigned int dry_order = NR_PAGE_ORDERS;
	enum ttm_caching page_caching;
	gfp_t gfp_flags = GFP_USER;
	pgoff_t caching_divide, num_pages;
	unsigned int order;
	struct page *p;
	int r;

	WARN_ON((!alloc->remaining_pages && !restore) ||
		ttm_tt_is_populated(tt));
	WARN_ON(alloc->dma_addr && !pool->dev);

	if (tt->page_flags & TTM_TT_FLAG_ZERO_ALLOC)
		gfp_flags |= __GFP_ZERO;

	if (ctx->gfp_retry_mayfail)
		gfp_flags |= __GFP_RETRY_MAYFAIL;

	if (pool->use_dma32)
		gfp_flags |= GFP_DMA32;
	else
		gfp_flags |= GFP_HIGHUSER;

	for (order = ttm_pool_alloc_find_order(MAX_PAGE_ORDER, alloc);
	     alloc->remaining_pages;
	     order = ttm_pool_alloc_find_order(order, alloc)) {
		struct ttm_pool_type *pt = NULL;

		/* A pool type first, until it runs out at this order */
		p = NULL;
		page_caching = alloc->tt_caching;
		if (order != dry_order)
			pt = ttm_pool_select_type(pool, page_caching, order);
		if (pt)
			p = ttm_pool_type_take(pt, pool);

		if (!p) {
			dry_order = order;
			page_caching = ttm_cached;
			p = ttm_pool_alloc_page(pool, gfp_flags, order);
		}

		if (!p) {
			if (order) {
				--order;
				continue;
			}
			r = -ENOMEM;
			goto error_free_all;
		}

		r = ttm_pool_page_allocated(pool, order, p, page_caching,
					    alloc, restore);
		if (r)
			goto error_free_page;

		if (ttm_pool_restore_valid(restore)) {
			r = ttm_pool_restore_commit(restore, tt, ctx, alloc);
			if (r)
				goto error_free_all;
		}
	}

	r = ttm_pool_apply_caching(alloc);
	if (r)
		goto error_free_all;

	if (restore) {
		kfree(tt->restore);
		tt->restore = NULL;
	}

	return 0;

error_free_page:
	ttm_pool_count_active(pool, p, order, false);
	ttm_pool_free_page(pool, page_caching, order, p);

error_free_all:
	/* A restore keeps what it has for the next populate */
	if (restore) {
		restore->snapshot_alloc = *alloc;
		return r;
	}

	num_pages = tt->num_pages - alloc->remaining_pages;
	caching_divide = alloc->caching_divide - tt->pages;
	ttm_pool_free_range(pool, tt, tt->caching, 0, caching_divide, true);
	ttm_pool_free_range(pool, tt, ttm_cached, caching_divide, num_pages,
			    true);

	return r;
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
	struct ttm_pool_alloc_state alloc = {
		.pages = tt->pages,
		.caching_divide = tt->pages,
		.dma_addr = tt->dma_address,
		.remaining_pages = tt->num_pages,
		.tt_caching = tt->caching,
	};

	/* Its page array holds the backup: ttm_tt_populate() restores it */
	if (WARN_ON(ttm_tt_is_backed_up(tt)))
		return -EINVAL;
	/*
	 * A driver that cleared the backed-up state of a tt whose restore
	 * had stopped populates it afresh, as for a purged tt: release what
	 * the restore and the backup still held first.
	 */
	if (tt->restore)
		ttm_pool_drop_backed_up(tt);

	return __ttm_pool_alloc(pool, tt, ctx, &alloc, NULL);
}
EXPORT_SYMBOL(ttm_pool_alloc);

/**
 * ttm_pool_restore_and_alloc() - Restore a backed-up ttm_tt, resumably
 * @pool: The pool to take the pages from, @tt's pool.
 * @tt: The struct ttm_tt, backed up by ttm_pool_backup().
 * @ctx: The operation context; with @ctx->interruptible a fatal signal
 * stops the restore with -EINTR.
 *
 * Populate @tt as ttm_pool_alloc() does, taking blocks from the pool types
 * first, and fill each block from the backup copies of its pages (or from
 * the pages the backup did not reach) before it goes into @tt. A restore
 * that stops on an error keeps every block it completed and the block it
 * was filling in @tt's restore state, and the next call resumes where it
 * stopped; no page contents are lost.
 *
 * Context: Process context, may sleep.
 * Return: 0 once @tt is populated again, or a negative error code with
 * @tt still backed up and its restore state kept; -EINVAL if @tt is not
 * backed up, or if a restore of it that stopped took its pages from
 * another pool.
 */
int ttm_pool_restore_and_alloc(struct ttm_pool *pool, struct ttm_tt *tt,
			       const struct ttm_operation_ctx *ctx)
{
	struct ttm_pool_tt_restore *restore = tt->restore;
	struct ttm_pool_alloc_state alloc;
	int r;

	if (!ttm_tt_is_backed_up(tt))
		return -EINVAL;
	/* The restore state frees its blocks through its own pool */
	if (restore && restore->pool != pool)
		return -EINVAL;

	if (!restore) {
		gfp_t gfp = GFP_KERNEL | __GFP_NOWARN;

		if (ctx->gfp_retry_mayfail)
			gfp |= __GFP_RETRY_MAYFAIL;
		restore = kzalloc(sizeof(*restore), gfp);
		if (!restore)
			return -ENOMEM;

		ttm_pool_alloc_state_init(tt, &alloc);
		restore->pool = pool;
		restore->snapshot_alloc = alloc;
		/* No block in flight */
		restore->restored_pages = 1;
		tt->restore = restore;
	} else {
		alloc = restore->snapshot_alloc;
		if (ttm_pool_restore_valid(restore)) {
			r = ttm_pool_restore_commit(restore, tt, ctx, &alloc);
			if (r)
				return r;
		}
	}

	/* Also when the block just committed was the last one */
	return __ttm_pool_alloc(pool, tt, ctx, &alloc, restore);
}
EXPORT_SYMBOL(ttm_pool_restore_and_alloc);

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
	ttm_pool_free_range(pool, tt, tt->caching, 0, tt->num_pages, true);
}
EXPORT_SYMBOL(ttm_pool_free);

/*
 * Backup and restore.
 *
 * ttm_pool_backup() copies the pages of a populated tt into its shmem
 * backup file one by one and frees each block to the system once its pages
 * are copied (each page once copied, short of memory). Before
 * the first copy it gives every page write-back caching back and unmaps
 * every block: from then on the tt is no longer populated but backed up,
 * whatever happens next. Its page array then holds, in order:
 *
 * - from index 0, a backup handle (bit 0 set) for each page backed up;
 * - after them, the pages not backed up yet, with write-back caching and
 *   unmapped: a block the copy has not reached keeps its order in the
 *   private field of its first page; the block the copy stopped in has
 *   been split into order-0 pages.
 *
 * A purge frees every page instead and leaves NULL entries. Neither ever
 * gives a page to a pool type: the shared pool would zero it in reclaim,
 * and a write-back page does not belong in a write-combined pool type.
 */

/*
 * Give the pages of a tt write-back caching back, a run of lowmem pages at a
 * time: highmem pages never had another caching, and the x86 helpers take
 * only pages of the linear map. One call per run, not per block: each call
 * flushes the TLB of every CPU. No undo if a run fails part way: its pages
 * keep their WC or UC memtype, which set_pages_array_wc() would refuse.
 */
static int ttm_pool_reset_caching(struct ttm_tt *tt)
{
	pgoff_t i, start = 0;
	int r;

	for (i = 0; i <= tt->num_pages; i++) {
		if (i < tt->num_pages && !PageHighMem(tt->pages[i]))
			continue;
		if (i > start) {
			r = ttm_pool_set_pages_array_wb(tt->pages + start,
							i - start);
			if (r)
				return r;
		}
		start = i + 1;
	}
	return 0;
}

/*
 * Free what a backed-up tt still holds from @start on: the pages the backup
 * did not reach and, in one truncation, the backup copies, including those
 * of the pages a stopped restore copied into the block it was filling.
 */
static void ttm_pool_drop_entries(struct ttm_tt *tt, pgoff_t start)
{
	pgoff_t i, nr;

	for (i = start; i < tt->num_pages; i += nr) {
		struct page *p = tt->pages[i];

		nr = 1;
		if (p && !ttm_backup_page_ptr_is_handle(p)) {
			nr = 1UL << p->private;
			ttm_pool_release_page(p, p->private);
		}
		memset(&tt->pages[i], 0, nr * sizeof(*tt->pages));
	}
	if (tt->backup)
		ttm_backup_drop_range(tt->backup, start, tt->num_pages - start);
}

/**
 * ttm_pool_drop_backed_up() - Release the contents of a backed-up ttm_tt
 * @tt: The struct ttm_tt, backed up in full or in part, possibly with a
 * restore under way.
 *
 * Release the shmem copies of the pages @tt backed up, the pages it has
 * not backed up yet and, of a restore that stopped, the blocks it restored
 * and the block it was filling, as ttm_tt_fini() does for a tt that was
 * backed up and never restored in full. The contents of @tt are lost. In
 * reclaim (a driver's shrinker purging the tt), every page goes to the
 * system; otherwise the blocks a restore took go back to the pool types.
 *
 * Context: Process or reclaim context. It allocates nothing itself; the
 * truncation of the backup file may, to split a large shmem folio.
 */
void ttm_pool_drop_backed_up(struct ttm_tt *tt)
{
	struct ttm_pool_tt_restore *restore = tt->restore;
	bool give = !(current->flags & PF_MEMALLOC);
	pgoff_t start = 0;

	/* Also a tt whose driver cleared the flag after a restore stopped */
	if (!ttm_tt_is_backed_up(tt) && !restore)
		return;

	if (restore) {
		struct ttm_pool_alloc_state *alloc = &restore->snapshot_alloc;
		pgoff_t divide = alloc->caching_divide - tt->pages;

		start = alloc->pages - tt->pages;
		if (ttm_pool_restore_valid(restore))
			ttm_pool_unmap_and_free(restore->pool, tt,
						restore->alloced_page,
						restore->first_dma,
						restore->page_caching,
						restore->order, give);
		ttm_pool_free_range(restore->pool, tt, tt->caching, 0, divide,
				    give);
		ttm_pool_free_range(restore->pool, tt, ttm_cached, divide,
				    start, give);
		memset(tt->pages, 0, start * sizeof(*tt->pages));
		kfree(restore);
		tt->restore = NULL;
	}

	ttm_pool_drop_entries(tt, start);
	tt->page_flags &= ~TTM_TT_FLAG_BACKED_UP;
}
EXPORT_SYMBOL(ttm_pool_drop_backed_up);

/**
 * ttm_pool_backup_refused() - Whether ttm_pool_backup() refuses at once
 * @pool: The pool @tt was populated from.
 * @tt: The struct ttm_tt.
 * @flags: How its memory would be given back.
 *
 * The checks ttm_pool_backup() makes before it changes anything, for a
 * caller with work to do first that is wasted if the backup is refused
 * (ttm_bo_shrink() moves the buffer object to system memory).
 *
 * Return: 0 if the backup or purge may go ahead, else the error code
 * ttm_pool_backup() would return.
 */
int ttm_pool_backup_refused(const struct ttm_pool *pool, struct ttm_tt *tt,
			    const struct ttm_backup_flags *flags)
{
	if (!ttm_tt_is_populated(tt) || ttm_tt_is_backed_up(tt) ||
	    !(tt->page_flags & TTM_TT_FLAG_EXTERNAL) ||
	    (!flags->purge && !tt->backup))
		return -EINVAL;

	if (pool->use_dma_alloc)
		return -EBUSY;

	if (!flags->purge &&
	    (!(current_gfp_context(GFP_KERNEL) & __GFP_FS) ||
	     ttm_backup_bytes_avail() < (u64)tt->num_pages << PAGE_SHIFT))
		return -EBUSY;

	return 0;
}

/**
 * ttm_pool_backup() - Back up or purge the pages of a ttm_tt
 * @pool: The pool @tt was populated from.
 * @tt: The struct ttm_tt, populated, with a backup file unless purging.
 * @flags: How to give the memory back: purge frees the pages and loses the
 * contents; writeback starts writing each copy to swap at once.
 *
 * Give the memory of @tt back to the system, page by page: copy each page
 * into @tt's backup file and free each block once its pages are copied
 * (each page, short of memory: see ttm_pool_backup_page_by_page()), or with
 * @flags->purge free every page without copying. Before anything changes,
 * refuse with -EBUSY a tt of a pool that uses coherent DMA allocations, and
 * a backup (not a purge) that the task may not do or that would gain
 * nothing: in a scoped NOFS allocation context (shmem takes folio locks),
 * or when the free swap space is smaller than @tt (the copies would only
 * move the memory). In a scoped NOIO context nothing is written back.
 *
 * Once the checks pass and the first page is copied, the pages get
 * write-back caching and are unmapped, and @tt is backed up and no longer
 * populated from then on: the layout of its page array is described in
 * the comment above. A copy that fails stops the backup there; the pages
 * not backed up stay in @tt, which ttm_tt_populate() restores and
 * ttm_tt_fini() frees as any backed-up tt.
 *
 * The caller holds what protects @tt from population and freeing (the
 * reservation lock of its buffer object), has made @tt idle (no GPU access
 * pending, CPU mappings of the buffer object zapped) and, in a shrinker,
 * checks its own reclaim context (__GFP_FS for a backup, __GFP_IO for
 * writeback): only scoped NOFS and NOIO contexts are seen here.
 *
 * Context: Process or reclaim context; a backup allocates shmem pages.
 * Return: The number of pages backed up or purged, which may be fewer than
 * @tt has; or a negative error code with @tt left as it was: -EBUSY if
 * the checks above refuse; -EINVAL for a tt that is not populated, is
 * backed up already, lacks TTM_TT_FLAG_EXTERNAL (TTM counts the pages of
 * the others in its page limits) or has no backup file; or the error of
 * backing up the first page, which is copied before anything changes.
 */
long ttm_pool_backup(struct ttm_pool *pool, struct ttm_tt *tt,
		     const struct ttm_backup_flags *flags)
{
	gfp_t gfp = current_gfp_context(GFP_KERNEL);
	pgoff_t i, nr, num_pages, done = 0;
	gfp_t page_gfp = 0, alloc_gfp = 0;
	bool writeback = false;
	s64 first = 0;
	long ret = 0;

	ret = ttm_pool_backup_refused(pool, tt, flags);
	if (ret)
		return ret;

	if (!flags->purge) {
		/* Copies where shmem puts its pages: highmem, movable */
		page_gfp = pool->use_dma32 ? GFP_DMA32 : GFP_HIGHUSER;
		alloc_gfp = mapping_gfp_mask(tt->backup->f_mapping) |
			    __GFP_HIGH | __GFP_NOWARN | __GFP_RETRY_MAYFAIL;
		writeback = flags->writeback && (gfp & __GFP_IO);

		/*
		 * Copy the first page while nothing has changed yet, after a
		 * DMA sync for the CPU (a CPU copy does not care about the
		 * page's caching): if not even one page can be backed up, the
		 * tt stays as it is.
		 */
		if (tt->dma_address)
			dma_sync_single_for_cpu(pool->dev, tt->dma_address[0],
						PAGE_SIZE, DMA_BIDIRECTIONAL);
		first = ttm_backup_backup_page(tt->backup, tt->pages[0],
					       writeback, 0, page_gfp,
					       alloc_gfp);
		if (first < 0)
			goto give_back;
	}

	/* Anything that goes to the system needs write-back caching */
	if (IS_ENABLED(CONFIG_X86) && tt->caching != ttm_cached &&
	    ttm_pool_reset_caching(tt)) {
		if (first > 0)
			ttm_backup_drop(tt->backup, first);
		first = -EBUSY;
		goto give_back;
	}

	/* The point of no return */
	tt->page_flags &= ~TTM_TT_FLAG_PRIV_POPULATED;
	tt->page_flags |= TTM_TT_FLAG_BACKED_UP;

	for (i = 0; i < tt->num_pages; i += nr) {
		struct page *p = tt->pages[i];
		unsigned int order = ttm_pool_page_order(pool, p);

		nr = 1UL << order;
		if (tt->dma_address)
			ttm_pool_unmap(pool, tt->dma_address[i], nr);
		if (flags->purge) {
			ttm_pool_release_page(p, order);
			memset(&tt->pages[i], 0, nr * sizeof(*tt->pages));
			done += nr;
		}
	}
	if (flags->purge)
		return done;

	/* An injected failure: stop half way, as a failed copy would */
	num_pages = tt->num_pages;
	if (should_fail(&backup_fault_inject, 1))
		num_pages = DIV_ROUND_UP(num_pages, 2);

	/*
	 * Copy a block's pages, then free the block whole; a block the copy
	 * stops in is split, its copied pages are freed and the others stay
	 * as order-0 write-back pages. Short of memory, split the block first
	 * and free each page once it is copied.
	 */
	for (i = 0; i < num_pages && !ret; i += nr) {
		struct page *p = tt->pages[i];
		unsigned int order = p->private;
		bool each;
		pgoff_t j;

		nr = min_t(pgoff_t, 1UL << order, num_pages - i);
		each = ttm_pool_backup_page_by_page(p, order);
		if (each) {
			ttm_pool_split_for_swap(p);
			order = 0;
		}
		for (j = 0; j < nr; j++) {
			s64 handle = first;

			if (i + j)
				handle = ttm_backup_backup_page(tt->backup,
								p + j,
								writeback,
								i + j,
								page_gfp,
								alloc_gfp);
			if (handle < 0) {
				ret = handle;
				break;
			}
			tt->pages[i + j] = ttm_backup_handle_to_page_ptr(handle);
			if (each)
				ttm_pool_release_page(p + j, 0);
		}
		done += j;

		if (each || !j)
			continue;
		if (j == 1UL << order) {
			ttm_pool_release_page(p, order);
			continue;
		}
		ttm_pool_split_for_swap(p);
		while (j--)
			ttm_pool_release_page(p + j, 0);
	}

	return done ? done : ret;

give_back:
	/* Still populated: the first page goes back to the device */
	if (tt->dma_address)
		dma_sync_single_for_device(pool->dev, tt->dma_address[0],
					   PAGE_SIZE, DMA_BIDIRECTIONAL);
	return first;
}
EXPORT_SYMBOL(ttm_pool_backup);

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
	fault_create_debugfs_attr("backup_fault_inject", ttm_debugfs_root,
				  &backup_fault_inject);
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
