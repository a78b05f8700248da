// SPDX-License-Identifier: GPL-2.0
/*
 * DMABUF System heap exporter
 *
 * Copyright (C) 2011 Google, Inc.
 * Copyright (C) 2019, 2020 Linaro Ltd.
 *
 * Portions based off of Andrew Davis' SRAM heap:
 * Copyright (C) 2019 Texas Instruments Incorporated - http://www.ti.com/
 *	Andrew F. Davis <afd@ti.com>
 */

#include <linux/dma-buf.h>
#include <linux/dma-mapping.h>
#include <linux/dma-heap.h>
#include <linux/err.h>
#include <linux/highmem.h>
#include <linux/memcontrol.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include <drm/drm_page_pool.h>

#include <kunit/static_stub.h>
#include <kunit/test-bug.h>
#include <kunit/visibility.h>

#include "system_heap.h"

/* The heap registered as "system" */
static struct system_heap sys_heap;

struct dma_heap_attachment {
	struct device *dev;
	struct sg_table *table;
	struct list_head list;
	bool mapped;
};

/*
 * Order 0 is the last resort, so reclaim hard for it, but fail instead of
 * invoking the OOM killer: heap pages are charged to no process, so the
 * killer would pick a bystander and free nothing of what the heap holds.
 * __GFP_NORETRY would fail while reclaim could still make progress. A user
 * can ask for any size, so do not warn when it fails.
 */
#define LOW_ORDER_GFP (GFP_HIGHUSER | __GFP_ZERO | __GFP_RETRY_MAYFAIL | \
		       __GFP_NOWARN)
#define HIGH_ORDER_GFP  (((GFP_HIGHUSER | __GFP_ZERO | __GFP_NOWARN \
				| __GFP_NORETRY) & ~__GFP_RECLAIM) \
				| __GFP_COMP)
static const gfp_t order_flags[] = {HIGH_ORDER_GFP, HIGH_ORDER_GFP,
				    LOW_ORDER_GFP};
/*
 * The selection of the orders used for allocation (1MB, 64K, 4K) is designed
 * to match with the sizes often found in IOMMUs. Using order 4 pages instead
 * of order 0 pages can significantly improve the performance of many IOMMUs
 * by reducing TLB pressure and time spent updating page tables.
 */
static const unsigned int orders[] = {8, 4, 0};
#define NUM_ORDERS ARRAY_SIZE(orders)

/*
 * Every index into the table comes from a loop bounded by NUM_ORDERS, and
 * the last order is 0, so any page-aligned size finds a fitting order.
 */
static_assert(ARRAY_SIZE(order_flags) == NUM_ORDERS);
static_assert(SYSTEM_HEAP_NUM_ORDERS == NUM_ORDERS);

/*
 * The most pages the heap's pools keep together, besides the global limit
 * of all pools: system_heap.pool_limit_pages. 0 at boot means an eighth of
 * the RAM; 0 written at run time means "keep nothing". The heap is never
 * removed, so its group is never reaped.
 */
static unsigned long pool_limit_pages;

static struct drm_page_pool_group system_heap_pool_group =
	DRM_PAGE_POOL_GROUP_INIT("dma-heap-system", &pool_limit_pages);

module_param_cb(pool_limit_pages, &drm_page_pool_limit_param_ops,
		&pool_limit_pages, 0644);
MODULE_PARM_DESC(pool_limit_pages,
		 "Most pages the system heap's pools hold together (0 at boot: an eighth of RAM; 0 at run time: keep nothing)");

/**
 * system_heap_default_pool_limit - the heap's pool limit if none was set
 * @ram_pages: the RAM, in pages
 *
 * An eighth of the RAM: after a burst of allocations the pools keep at most
 * that, zeroed and ready, instead of the global limit's half of the RAM,
 * which on a machine of 256 MiB kept over 100 MiB out of MemAvailable until
 * reclaim or drop_caches took it back.
 *
 * Return: the limit in pages.
 */
VISIBLE_IF_KUNIT unsigned long
system_heap_default_pool_limit(unsigned long ram_pages)
{
	return ram_pages / 8;
}
EXPORT_SYMBOL_IF_KUNIT(system_heap_default_pool_limit);

#if IS_ENABLED(CONFIG_KUNIT)
/**
 * system_heap_set_pool_limit - set system_heap.pool_limit_pages, for tests
 * @pages: the new limit of the heap's pools in pages
 *
 * As writing the parameter: the shared pool's trim work brings the heap's
 * pools under the new limit.
 *
 * Return: the previous value.
 */
unsigned long system_heap_set_pool_limit(unsigned long pages)
{
	unsigned long old = xchg(&pool_limit_pages, pages);

	drm_page_pool_limit_changed();
	return old;
}
EXPORT_SYMBOL_IF_KUNIT(system_heap_set_pool_limit);
#endif

static const struct drm_page_pool_ops system_heap_pool_ops = {
	.name = "dma-heap-system",
	.group = &system_heap_pool_group,
};

/**
 * system_heap_first_order - the first entry of the order table a kernel uses
 * @max_order: the largest order the page allocator gives, MAX_PAGE_ORDER
 *
 * Orders above @max_order (order 8 where MAX_PAGE_ORDER is 7 or less: 32-bit
 * ARM with ARCH_FORCE_MAX_ORDER below 8, or 64 KiB pages on some machines)
 * are dropped from the front of the table, which is in descending order;
 * the heap then starts with the largest order left, as alloc_pages()'s
 * failures made 6.12's heap do.
 *
 * Return: the index of the first order not above @max_order.
 */
VISIBLE_IF_KUNIT unsigned int system_heap_first_order(unsigned int max_order)
{
	unsigned int i;

	for (i = 0; i < NUM_ORDERS - 1; i++)
		if (orders[i] <= max_order)
			break;

	return i;
}
EXPORT_SYMBOL_IF_KUNIT(system_heap_first_order);

/* The index of @order in the order table, NUM_ORDERS if it is not there */
static unsigned int system_heap_order_index(unsigned int order)
{
	unsigned int i;

	for (i = 0; i < NUM_ORDERS; i++)
		if (orders[i] == order)
			return i;

	return NUM_ORDERS;
}

static struct sg_table *dup_sg_table(struct sg_table *table)
{
	struct sg_table *new_table;
	int ret, i;
	struct scatterlist *sg, *new_sg;

	new_table = kzalloc(sizeof(*new_table), GFP_KERNEL);
	if (!new_table)
		return ERR_PTR(-ENOMEM);

	ret = sg_alloc_table(new_table, table->orig_nents, GFP_KERNEL);
	if (ret) {
		kfree(new_table);
		return ERR_PTR(-ENOMEM);
	}

	new_sg = new_table->sgl;
	for_each_sgtable_sg(table, sg, i) {
		sg_set_page(new_sg, sg_page(sg), sg->length, sg->offset);
		new_sg = sg_next(new_sg);
	}

	return new_table;
}

static int system_heap_attach(struct dma_buf *dmabuf,
			      struct dma_buf_attachment *attachment)
{
	struct system_heap_buffer *buffer = dmabuf->priv;
	struct dma_heap_attachment *a;
	struct sg_table *table;

	a = kzalloc(sizeof(*a), GFP_KERNEL);
	if (!a)
		return -ENOMEM;

	table = dup_sg_table(&buffer->sg_table);
	if (IS_ERR(table)) {
		kfree(a);
		return -ENOMEM;
	}

	a->table = table;
	a->dev = attachment->dev;
	INIT_LIST_HEAD(&a->list);
	a->mapped = false;

	attachment->priv = a;

	mutex_lock(&buffer->lock);
	list_add(&a->list, &buffer->attachments);
	mutex_unlock(&buffer->lock);

	return 0;
}

static void system_heap_detach(struct dma_buf *dmabuf,
			       struct dma_buf_attachment *attachment)
{
	struct system_heap_buffer *buffer = dmabuf->priv;
	struct dma_heap_attachment *a = attachment->priv;

	mutex_lock(&buffer->lock);
	list_del(&a->list);
	mutex_unlock(&buffer->lock);

	sg_free_table(a->table);
	kfree(a->table);
	kfree(a);
}

static struct sg_table *system_heap_map_dma_buf(struct dma_buf_attachment *attachment,
						enum dma_data_direction direction)
{
	struct dma_heap_attachment *a = attachment->priv;
	struct sg_table *table = a->table;
	int ret;

	ret = dma_map_sgtable(attachment->dev, table, direction, 0);
	if (ret)
		return ERR_PTR(ret);

	a->mapped = true;
	return table;
}

static void system_heap_unmap_dma_buf(struct dma_buf_attachment *attachment,
				      struct sg_table *table,
				      enum dma_data_direction direction)
{
	struct dma_heap_attachment *a = attachment->priv;

	a->mapped = false;
	dma_unmap_sgtable(attachment->dev, table, direction, 0);
}

static int system_heap_dma_buf_begin_cpu_access(struct dma_buf *dmabuf,
						enum dma_data_direction direction)
{
	struct system_heap_buffer *buffer = dmabuf->priv;
	struct dma_heap_attachment *a;

	mutex_lock(&buffer->lock);

	if (buffer->vmap_cnt)
		invalidate_kernel_vmap_range(buffer->vaddr, buffer->len);

	list_for_each_entry(a, &buffer->attachments, list) {
		if (!a->mapped)
			continue;
		dma_sync_sgtable_for_cpu(a->dev, a->table, direction);
	}
	mutex_unlock(&buffer->lock);

	return 0;
}

static int system_heap_dma_buf_end_cpu_access(struct dma_buf *dmabuf,
					      enum dma_data_direction direction)
{
	struct system_heap_buffer *buffer = dmabuf->priv;
	struct dma_heap_attachment *a;

	mutex_lock(&buffer->lock);

	if (buffer->vmap_cnt)
		flush_kernel_vmap_range(buffer->vaddr, buffer->len);

	list_for_each_entry(a, &buffer->attachments, list) {
		if (!a->mapped)
			continue;
		dma_sync_sgtable_for_device(a->dev, a->table, direction);
	}
	mutex_unlock(&buffer->lock);

	return 0;
}

static int system_heap_mmap(struct dma_buf *dmabuf, struct vm_area_struct *vma)
{
	struct system_heap_buffer *buffer = dmabuf->priv;
	struct sg_table *table = &buffer->sg_table;
	unsigned long addr = vma->vm_start;
	struct sg_page_iter piter;
	int ret;

	for_each_sgtable_page(table, &piter, vma->vm_pgoff) {
		struct page *page = sg_page_iter_page(&piter);

		ret = remap_pfn_range(vma, addr, page_to_pfn(page), PAGE_SIZE,
				      vma->vm_page_prot);
		if (ret)
			return ret;
		addr += PAGE_SIZE;
		if (addr >= vma->vm_end)
			return 0;
	}
	return 0;
}

static void *system_heap_do_vmap(struct system_heap_buffer *buffer)
{
	struct sg_table *table = &buffer->sg_table;
	int npages = PAGE_ALIGN(buffer->len) / PAGE_SIZE;
	struct page **pages = vmalloc(sizeof(struct page *) * npages);
	struct page **tmp = pages;
	struct sg_page_iter piter;
	void *vaddr;

	if (!pages)
		return ERR_PTR(-ENOMEM);

	for_each_sgtable_page(table, &piter, 0) {
		WARN_ON(tmp - pages >= npages);
		*tmp++ = sg_page_iter_page(&piter);
	}

	vaddr = vmap(pages, npages, VM_MAP, PAGE_KERNEL);
	vfree(pages);

	if (!vaddr)
		return ERR_PTR(-ENOMEM);

	return vaddr;
}

static int system_heap_vmap(struct dma_buf *dmabuf, struct iosys_map *map)
{
	struct system_heap_buffer *buffer = dmabuf->priv;
	void *vaddr;
	int ret = 0;

	mutex_lock(&buffer->lock);
	if (buffer->vmap_cnt) {
		buffer->vmap_cnt++;
		iosys_map_set_vaddr(map, buffer->vaddr);
		goto out;
	}

	vaddr = system_heap_do_vmap(buffer);
	if (IS_ERR(vaddr)) {
		ret = PTR_ERR(vaddr);
		goto out;
	}

	buffer->vaddr = vaddr;
	buffer->vmap_cnt++;
	iosys_map_set_vaddr(map, buffer->vaddr);
out:
	mutex_unlock(&buffer->lock);

	return ret;
}

static void system_heap_vunmap(struct dma_buf *dmabuf, struct iosys_map *map)
{
	struct system_heap_buffer *buffer = dmabuf->priv;

	mutex_lock(&buffer->lock);
	if (!--buffer->vmap_cnt) {
		vunmap(buffer->vaddr);
		buffer->vaddr = NULL;
	}
	mutex_unlock(&buffer->lock);
	iosys_map_clear(map);
}

/**
 * DOC: memory cgroups
 *
 * With dma_heap.mem_accounting set, every block of a buffer is charged to
 * the memory cgroup of the task that allocates it, as a kernel page
 * (memory.stat's "kernel"), whether it comes from a pool, from the system
 * or from a buffer waiting on the deferred-free list: the block is charged
 * once the heap has it, with the flags of its order in the order table. A
 * charge never calls the memcg OOM killer: orders 8 and 4 charge without
 * reclaim, and order 0 reclaims in the cgroup with __GFP_RETRY_MAYFAIL, so
 * a cgroup at its memory.max gets -ENOMEM from the allocation. A block the
 * cgroup cannot pay for goes back where it came from (a pooled one to its
 * pool, zeroed again, so that a cgroup at its limit does not drain the
 * pools), and the allocation tries the next order. What the export then
 * allocates for the dma-buf (its file, inode and descriptor) is charged by
 * the VFS as for any file, with reclaim: a buffer that takes the cgroup's
 * last pages can leave those charges to the memcg OOM killer, as in
 * mainline.
 *
 * A buffer is uncharged when it is released, before it is queued on the
 * deferred-free list or freed at once: a cgroup stops paying for a buffer
 * when it is closed, not when the kthread gets to it. So neither the pools
 * nor the list ever hold a charged block, and a charged block never
 * reaches another user with its charge.
 */

/* Uncharge a block of a charged buffer, or one charged for a buffer */
static void system_heap_uncharge_block(struct page *page)
{
	memcg_kmem_uncharge_page(page, compound_order(page));
}

/* Uncharge every block of @buffer, if it is charged */
static __always_inline void
system_heap_uncharge_buffer(struct system_heap_buffer *buffer)
{
	struct scatterlist *sg;
	int i;

	if (likely(!buffer->charged))
		return;

	for_each_sgtable_sg(&buffer->sg_table, sg, i)
		system_heap_uncharge_block(sg_page(sg));
	buffer->charged = false;
}

/* Hand every block of @table to the system, as they are */
static __always_inline void system_heap_release_pages(struct sg_table *table)
{
	struct scatterlist *sg;
	int i;

	for_each_sgtable_sg(table, sg, i) {
		struct page *page = sg_page(sg);

		__free_pages(page, compound_order(page));
	}
}

/*
 * Free a buffer, handing its blocks to the system as they are: one nobody
 * saw, a small one, or one freed under memory pressure. Inlined, so that
 * the release of a small buffer costs what 6.12's release did.
 */
static __always_inline void
system_heap_discard_buffer(struct system_heap_buffer *buffer)
{
	system_heap_uncharge_buffer(buffer);
	system_heap_release_pages(&buffer->sg_table);
	sg_free_table(&buffer->sg_table);
	kfree(buffer);
}

/*
 * Count @pages more (or fewer) pages of node @pgdat in NR_GPU_RECLAIM
 * (GPUReclaim in /proc/meminfo). The heap counts the blocks of a released
 * buffer there from its release until each of them leaves the deferred-free
 * list's hands: to the system, into a pool (which counts it from then on),
 * or into a new buffer. A block the kthread is zeroing into a pool counts
 * until the pool has it. A buffer freed at once (one shorter than
 * %SYSTEM_HEAP_DEFER_MIN_LEN, or a failed allocation) is never counted.
 */
static void system_heap_count_reclaim(struct pglist_data *pgdat, long pages)
{
	drm_page_pool_count_node(pgdat, NR_GPU_RECLAIM, pages);
}

/**
 * system_heap_count_queued - count a released buffer's blocks as reclaimable
 * @buffer: the buffer, about to be queued on the deferred-free list, none
 *	    of its blocks handed back yet
 *
 * Add its pages to NR_GPU_RECLAIM of their nodes: with one update on a
 * machine of one node, else one per run of blocks on the same node.
 */
VISIBLE_IF_KUNIT void
system_heap_count_queued(struct system_heap_buffer *buffer)
{
	struct pglist_data *pgdat = NULL;
	struct scatterlist *sg;
	long pages = 0;
	int i;

	if (nr_node_ids == 1) {
		system_heap_count_reclaim(NODE_DATA(0),
					  buffer->len >> PAGE_SHIFT);
		return;
	}

	for_each_sgtable_sg(&buffer->sg_table, sg, i) {
		struct page *page = sg_page(sg);

		if (page_pgdat(page) != pgdat) {
			if (pages)
				system_heap_count_reclaim(pgdat, pages);
			pgdat = page_pgdat(page);
			pages = 0;
		}
		pages += 1L << compound_order(page);
	}
	if (pages)
		system_heap_count_reclaim(pgdat, pages);
}
EXPORT_SYMBOL_IF_KUNIT(system_heap_count_queued);

/**
 * system_heap_free_block - hand one block of a released buffer back
 * @sys: the heap
 * @page: the block
 * @reason: why it is freed
 *
 * Zeroed into its pool for %DEFERRED_FREE_NORMAL, unless a block given now
 * would leave again at once (reclaim under way, or a pool over its limit);
 * to the system as it is otherwise. A function the KUnit suite can stub, to
 * look at the deferred-free list at the moment a block is zeroed.
 *
 * Context: Process context; may sleep for %DEFERRED_FREE_NORMAL only.
 */
VISIBLE_IF_KUNIT void system_heap_free_block(struct system_heap *sys,
					     struct page *page,
					     enum deferred_free_reason reason)
{
	struct pglist_data *pgdat;
	unsigned int order, index;

	KUNIT_STATIC_STUB_REDIRECT(system_heap_free_block, sys, page, reason);

	order = compound_order(page);
	index = system_heap_order_index(order);
	pgdat = page_pgdat(page);
	/* Released buffers were uncharged: a pool never holds a charge */
	VM_WARN_ON_ONCE_PAGE(PageMemcgKmem(page), page);
	if (reason != DEFERRED_FREE_NORMAL ||
	    WARN_ON_ONCE(index >= NUM_ORDERS) ||
	    drm_page_pool_congested(&sys->pools[index])) {
		system_heap_count_reclaim(pgdat, -(1L << order));
		__free_pages(page, order);
	} else {
		/*
		 * Counted until the pool has counted it, after zeroing it:
		 * twice for a moment, rather than not at all while zeroed
		 */
		drm_page_pool_give(&sys->pools[index], page);
		system_heap_count_reclaim(pgdat, -(1L << order));
	}
}
EXPORT_SYMBOL_IF_KUNIT(system_heap_free_block);

/**
 * system_heap_deferred_free - free part of a released buffer, from the
 *			       deferred list
 * @dfl: the heap's deferred-free list
 * @item: the buffer's item
 * @reason: %DEFERRED_FREE_NORMAL from the list's kthread: zero the blocks
 *	    into the pools (drm_page_pool_give() zeroes each block once);
 *	    %DEFERRED_FREE_PRESSURE from memory reclaim, teardown or a full
 *	    list: hand the blocks straight back to the system, neither zeroed
 *	    nor pooled
 * @nr_pages: in, about how many pages to free; out, the pages freed
 *
 * Free the buffer's next blocks, in the order of its sg_table, until
 * *@nr_pages pages are freed or none is left; with the last block free the
 * buffer too. Called by the list's kthread, it frees one block, putting
 * the rest of the buffer back on the list before it zeroes the block, so
 * that reclaim can take the rest meanwhile; the kthread reschedules
 * between blocks.
 *
 * Context: Process context; may sleep for %DEFERRED_FREE_NORMAL only.
 * Return: true once the buffer is freed, false while blocks are left.
 */
VISIBLE_IF_KUNIT bool
system_heap_deferred_free(struct deferred_free_list *dfl,
			  struct deferred_free_item *item,
			  enum deferred_free_reason reason,
			  unsigned long *nr_pages)
{
	struct system_heap_buffer *buffer =
		container_of(item, struct system_heap_buffer, deferred);
	struct sg_table *table = &buffer->sg_table;
	struct scatterlist *sg = buffer->free_sg ?: table->sgl;
	struct system_heap *sys = buffer->sys;
	unsigned long freed = 0;

	while (buffer->freed_ents < table->nents) {
		struct page *page = sg_page(sg);

		freed += 1UL << compound_order(page);
		buffer->freed_ents++;
		if (buffer->freed_ents < table->nents)
			sg = sg_next(sg);
		buffer->free_sg = sg;
		/*
		 * The block is off the buffer: the rest goes back to the list,
		 * where reclaim may take it while the block is zeroed, and the
		 * buffer is no longer ours
		 */
		if (reason == DEFERRED_FREE_NORMAL &&
		    buffer->freed_ents < table->nents &&
		    deferred_free_put_back(dfl, item, freed)) {
			system_heap_free_block(sys, page, reason);
			*nr_pages = freed;
			return false;
		}
		system_heap_free_block(sys, page, reason);
		if (freed >= *nr_pages)
			break;
	}

	*nr_pages = freed;
	if (buffer->freed_ents < table->nents)
		return false;
	sg_free_table(table);
	kfree(buffer);
	return true;
}
EXPORT_SYMBOL_IF_KUNIT(system_heap_deferred_free);

/*
 * The release of a buffer of %SYSTEM_HEAP_DEFER_MIN_LEN or more: queue it,
 * leaving the zeroing to the list's kthread, off the caller's path (over
 * the list's cap the helper frees it at once instead)
 */
static void system_heap_dma_buf_release(struct dma_buf *dmabuf)
{
	struct system_heap_buffer *buffer = dmabuf->priv;

	system_heap_count_queued(buffer);
	/* The cgroup stops paying now, not when the kthread gets to it */
	system_heap_uncharge_buffer(buffer);
	deferred_free(&buffer->sys->deferred, &buffer->deferred,
		      buffer->len >> PAGE_SHIFT);
}

/* The release of a buffer shorter than %SYSTEM_HEAP_DEFER_MIN_LEN */
static void system_heap_dma_buf_discard(struct dma_buf *dmabuf)
{
	system_heap_discard_buffer(dmabuf->priv);
}

#define SYSTEM_HEAP_BUF_OPS(_release) {					\
	.attach = system_heap_attach,					\
	.detach = system_heap_detach,					\
	.map_dma_buf = system_heap_map_dma_buf,				\
	.unmap_dma_buf = system_heap_unmap_dma_buf,			\
	.begin_cpu_access = system_heap_dma_buf_begin_cpu_access,	\
	.end_cpu_access = system_heap_dma_buf_end_cpu_access,		\
	.mmap = system_heap_mmap,					\
	.vmap = system_heap_vmap,					\
	.vunmap = system_heap_vunmap,					\
	.release = (_release),						\
}

static const struct dma_buf_ops system_heap_buf_ops =
	SYSTEM_HEAP_BUF_OPS(system_heap_dma_buf_release);
static const struct dma_buf_ops system_heap_small_buf_ops =
	SYSTEM_HEAP_BUF_OPS(system_heap_dma_buf_discard);

/**
 * system_heap_buf_ops_of - the dma-buf ops of a buffer
 * @buffer: the buffer
 *
 * The ops differ in their release only, chosen once by size at export: a
 * buffer shorter than %SYSTEM_HEAP_DEFER_MIN_LEN gets a release that frees
 * it at once, with no test on the release path, so that closing it costs
 * what it did before buffers were queued.
 *
 * Return: the ops for dma_buf_export().
 */
VISIBLE_IF_KUNIT const struct dma_buf_ops *
system_heap_buf_ops_of(const struct system_heap_buffer *buffer)
{
	return buffer->len < SYSTEM_HEAP_DEFER_MIN_LEN ?
		&system_heap_small_buf_ops : &system_heap_buf_ops;
}
EXPORT_SYMBOL_IF_KUNIT(system_heap_buf_ops_of);

/**
 * system_heap_len_beyond_ram - whether a length is more than the RAM
 * @len: the length asked for, page aligned
 * @ram_pages: the RAM in pages, totalram_pages()
 *
 * No amount of reclaim can satisfy such a length. The comparison is in
 * pages: the RAM in bytes does not fit in an unsigned long on a 32-bit
 * machine with 4 GiB of RAM or more, where no length is beyond the RAM.
 *
 * Context: Any context.
 * Return: true if @len is more pages than @ram_pages.
 */
VISIBLE_IF_KUNIT bool system_heap_len_beyond_ram(unsigned long len,
						 unsigned long ram_pages)
{
	return len >> PAGE_SHIFT > ram_pages;
}
EXPORT_SYMBOL_IF_KUNIT(system_heap_len_beyond_ram);

/**
 * system_heap_alloc_pages - allocate a block from the buddy allocator
 * @gfp: the flags of the block's order in the order table
 * @order: the order
 *
 * A function of its own so that the KUnit suite can make it fail.
 *
 * Return: the first page of the block, or NULL.
 */
VISIBLE_IF_KUNIT struct page *system_heap_alloc_pages(gfp_t gfp,
						      unsigned int order)
{
	KUNIT_STATIC_STUB_REDIRECT(system_heap_alloc_pages, gfp, order);

	return alloc_pages(gfp, order);
}
EXPORT_SYMBOL_IF_KUNIT(system_heap_alloc_pages);

/**
 * system_heap_clear_block - zero a block taken from a queued buffer
 * @page: the first page of the block
 * @order: its order
 *
 * A function of its own so that the KUnit suite can act as a queued block
 * is zeroed: send a fatal signal between two blocks, see whether the block
 * is charged and what the deferred-free list holds then.
 *
 * Context: Process context, may sleep.
 */
VISIBLE_IF_KUNIT void system_heap_clear_block(struct page *page,
					      unsigned int order)
{
	unsigned int i;

	KUNIT_STATIC_STUB_REDIRECT(system_heap_clear_block, page, order);

	for (i = 0; i < (1U << order); i++) {
		clear_highpage(nth_page(page, i));
		cond_resched();
	}
}
EXPORT_SYMBOL_IF_KUNIT(system_heap_clear_block);

/**
 * system_heap_wake_kthread - wake the deferred-free kthread as an allocation
 *			      begins
 * @sys: the heap
 *
 * The release of a buffer of up to a batch has the kthread woken from the
 * next tick only: if buffers are queued while it sleeps, wake it now, so
 * that it zeroes them into the pools beside this allocation and those that
 * follow it. Called for allocations of %SYSTEM_HEAP_DEFER_MIN_LEN and more
 * only, which would be queued in turn: a smaller one costs what it did in
 * 6.12. Costs as deferred_free_kick(): a load with nothing queued, a few
 * loads and a memory barrier with the kthread awake. A function of its own
 * so that the KUnit suite can keep the kthread asleep while it looks at how
 * an allocation takes queued blocks.
 *
 * Context: Any context that may call wake_up().
 */
VISIBLE_IF_KUNIT void system_heap_wake_kthread(struct system_heap *sys)
{
	KUNIT_STATIC_STUB_REDIRECT(system_heap_wake_kthread, sys);

	deferred_free_kick(&sys->deferred);
}
EXPORT_SYMBOL_IF_KUNIT(system_heap_wake_kthread);

/*
 * A block of order table entry @index taken from the oldest buffer waiting
 * on the deferred-free list, if its next block has that order, not zeroed
 * yet (the caller zeroes it as __GFP_ZERO would have zeroed a block from
 * the system, once the block is charged); NULL otherwise. Asked for once
 * the pools and the free memory have no block of the order, this costs the
 * caller what the base's allocation did, where the buddy allocator would
 * have to reclaim the very memory the list holds, and it shortens the
 * kthread's backlog. The buffer is claimed only to take the block: the
 * rest goes back to the head of the list before this returns, as the
 * kthread puts it back before it zeroes, so that reclaim can free it while
 * the caller charges and zeroes the block, and a buffer whose last block
 * is taken is freed. The kthread, woken as the allocation began, may take
 * blocks of the same buffers meanwhile. The put-back wakes nobody, so that
 * the caller does not wake the kthread once per block while it takes
 * blocks back to back: *@kick is set once a buffer was claimed, and
 * system_heap_reuse_kick() wakes the kthread before the caller may
 * reclaim and once it takes no more blocks. Only on machines with one
 * memory node: elsewhere a queued block may be on a node the task's cpuset
 * or memory policy rules out.
 */
static struct page *system_heap_reuse_queued(struct system_heap *sys,
					     unsigned int index, bool *kick)
{
	unsigned int order = orders[index];
	struct system_heap_buffer *buffer;
	struct deferred_free_item *item;
	struct scatterlist *sg;
	struct page *page;

	if (nr_node_ids > 1)
		return NULL;
	item = deferred_free_claim(&sys->deferred);
	if (!item)
		return NULL;
	buffer = container_of(item, struct system_heap_buffer, deferred);
	*kick = true;

	sg = buffer->free_sg ?: buffer->sg_table.sgl;
	page = sg_page(sg);
	if (compound_order(page) != order) {
		deferred_free_unclaim(&sys->deferred, item, 0, false);
		return NULL;
	}

	system_heap_count_reclaim(page_pgdat(page), -(1L << order));
	if (++buffer->freed_ents < buffer->sg_table.nents) {
		buffer->free_sg = sg_next(sg);
		deferred_free_unclaim(&sys->deferred, item, 1UL << order,
				      false);
	} else {
		deferred_free_unclaim(&sys->deferred, item, 1UL << order,
				      true);
		sg_free_table(&buffer->sg_table);
		kfree(buffer);
	}

	return page;
}

/*
 * Wake the kthread for what system_heap_reuse_queued() put back since the
 * last kick, if *@kick says it claimed anything: before a step that may
 * reclaim, which can take long, and once the allocation takes no more
 * blocks. Until then the kthread may sleep with buffers queued, and those
 * released meanwhile, queued behind what was put back, do not wake it.
 */
static void system_heap_reuse_kick(struct system_heap *sys, bool *kick)
{
	if (!*kick)
		return;
	deferred_free_kick(&sys->deferred);
	*kick = false;
}

/**
 * system_heap_charge_page - charge a block to the current task's memcg
 * @page: the first page of the block, which has no charge
 * @gfp: the flags of the attempt; with __GFP_DIRECT_RECLAIM the cgroup
 *	 may reclaim
 * @order: its order
 *
 * memcg_kmem_charge_page(), in a function of its own so that the KUnit
 * suite can make it fail and act while the cgroup would reclaim.
 *
 * Context: Process context; may sleep if @gfp allows it.
 * Return: 0, or -ENOMEM.
 */
VISIBLE_IF_KUNIT int system_heap_charge_page(struct page *page, gfp_t gfp,
					     unsigned int order)
{
	KUNIT_STATIC_STUB_REDIRECT(system_heap_charge_page, page, gfp, order);

	return memcg_kmem_charge_page(page, gfp, order);
}
EXPORT_SYMBOL_IF_KUNIT(system_heap_charge_page);

/*
 * Charge a block of order table entry @index, which has no charge, to the
 * current task's memory cgroup: first without reclaim; if the order's
 * flags allow it, then with reclaim in the cgroup, after waking the
 * kthread as *@kick asks. 0 or -ENOMEM.
 */
static int system_heap_charge_block(struct system_heap *sys,
				    struct page *page, unsigned int index,
				    bool *kick)
{
	gfp_t gfp = order_flags[index];

	VM_WARN_ON_ONCE_PAGE(PageMemcgKmem(page), page);
	if (!system_heap_charge_page(page, gfp & ~__GFP_DIRECT_RECLAIM,
				     orders[index]))
		return 0;
	if (!(gfp & __GFP_DIRECT_RECLAIM))
		return -ENOMEM;

	system_heap_reuse_kick(sys, kick);
	return system_heap_charge_page(page, gfp, orders[index]);
}

/*
 * The largest zeroed block that fits in @size, of the orders from index
 * *@index of the order table on: from the order's pool; else from the buddy
 * allocator if it has one free (no direct reclaim); else from a buffer
 * waiting on the deferred-free list; else, for the orders whose flags allow
 * it, from the buddy allocator with reclaim. Set *@index to the index of
 * the block's order, so that the next search starts there; NULL if no
 * order has one. A queued buffer is claimed only while a block is taken
 * from it, never while the buddy allocator or memcg may reclaim or while
 * the block is zeroed, and before either may reclaim, the kthread is woken
 * for what was put back (*@kick, as for system_heap_reuse_queued()). With
 * @charge, the block is charged to the task's memory cgroup, whatever its
 * source, a queued block before it is zeroed; one the cgroup cannot pay
 * for goes back to its pool if it came from there, else to the system (a
 * queued one unzeroed), and the search goes on with the next order.
 */
static struct page *system_heap_alloc_largest(struct system_heap *sys,
					      unsigned long size,
					      unsigned int *index, bool charge,
					      bool *kick)
{
	struct page *page, *pooled, *queued;
	unsigned int i;

	for (i = *index; i < NUM_ORDERS; i++) {
		if (size < (PAGE_SIZE << orders[i]))
			continue;

		/*
		 * NULL: the nodes of the task's cpuset and memory policy,
		 * which alloc_pages() below honours too
		 */
		page = drm_page_pool_take(&sys->pools[i], NUMA_NO_NODE, NULL);
		pooled = page;
		/*
		 * Free memory first: with memory to spare, the kthread zeroes
		 * the queued buffers into the pools beside the caller
		 */
		if (!page)
			page = system_heap_alloc_pages(order_flags[i] &
						       ~__GFP_DIRECT_RECLAIM,
						       orders[i]);
		queued = NULL;
		if (!page) {
			page = system_heap_reuse_queued(sys, i, kick);
			queued = page;
		}
		if (!page && (order_flags[i] & __GFP_DIRECT_RECLAIM)) {
			system_heap_reuse_kick(sys, kick);
			page = system_heap_alloc_pages(order_flags[i],
						       orders[i]);
		}
		if (!page)
			continue;
		/*
		 * The cgroup cannot pay for the block: try a smaller one. A
		 * pooled block goes back to its pool (zeroed once more), so
		 * that a cgroup at its limit does not drain the pools that
		 * every user of the heap shares. A queued block is not zeroed
		 * yet: a cgroup at its limit does not zero released memory
		 * for nothing.
		 */
		if (charge && system_heap_charge_block(sys, page, i, kick)) {
			if (pooled)
				drm_page_pool_give(&sys->pools[i], page);
			else
				__free_pages(page, orders[i]);
			continue;
		}
		if (queued)
			system_heap_clear_block(page, orders[i]);
		*index = i;
		return page;
	}

	return NULL;
}

/*
 * Per buffer, the allocation path calls sg_alloc_table() and
 * dma_buf_export() through functions of their own, which a KUnit test can
 * redirect with a static stub, only while a KUnit test runs in the task:
 * otherwise it calls them directly. With KUnit built in or a module that
 * costs a test of a static key (a patched-out jump with CONFIG_JUMP_LABEL,
 * a load and a branch without), and nothing without KUnit.
 */
#define SYSTEM_HEAP_TABLE_GFP \
	(GFP_KERNEL | __GFP_RETRY_MAYFAIL | __GFP_NOWARN)

/**
 * system_heap_alloc_table - allocate the sg_table of a buffer, in KUnit tests
 * @table: the buffer's table
 * @nents: its entries, one per block
 *
 * sg_alloc_table() as the allocation path calls it while a KUnit test runs,
 * so that the test can make it fail.
 *
 * Context: Process context, may sleep.
 * Return: 0, or -ENOMEM.
 */
VISIBLE_IF_KUNIT int system_heap_alloc_table(struct sg_table *table,
					     unsigned int nents)
{
	KUNIT_STATIC_STUB_REDIRECT(system_heap_alloc_table, table, nents);

	return sg_alloc_table(table, nents, SYSTEM_HEAP_TABLE_GFP);
}
EXPORT_SYMBOL_IF_KUNIT(system_heap_alloc_table);

/* sg_alloc_table() of a buffer; system_heap_alloc_table() in KUnit tests */
static __always_inline int system_heap_sg_alloc_table(struct sg_table *table,
						      unsigned int nents)
{
	if (kunit_get_current_test())
		return system_heap_alloc_table(table, nents);

	return sg_alloc_table(table, nents, SYSTEM_HEAP_TABLE_GFP);
}

/**
 * system_heap_alloc_buffer - allocate a buffer and its pages
 * @sys: the heap
 * @len: the length, page aligned and not 0
 *
 * Every page is zeroed, whether it comes from a pool or from the system.
 * With @sys->mem_accounting every page is charged to the current task's
 * memory cgroup. On failure everything taken is handed back, uncharged.
 *
 * Context: Process context, may sleep.
 * Return: the buffer, or ERR_PTR(-ENOMEM) when @len is beyond RAM, memory
 * ran out or the task's memory cgroup is at its limit, ERR_PTR(-EINTR)
 * when the task got a fatal signal.
 */
VISIBLE_IF_KUNIT struct system_heap_buffer *
system_heap_alloc_buffer(struct system_heap *sys, unsigned long len)
{
	unsigned long size_remaining = len;
	struct system_heap_buffer *buffer;
	struct page *page, *tmp_page;
	unsigned int index = sys->first_order;
	bool charge = sys->mem_accounting;
	bool kick = false;
	struct list_head pages;
	struct scatterlist *sg;
	struct sg_table *table;
	int i, ret = -ENOMEM;

	if (system_heap_len_beyond_ram(len, totalram_pages()))
		return ERR_PTR(-ENOMEM);

	buffer = kzalloc(sizeof(*buffer), GFP_KERNEL);
	if (!buffer)
		return ERR_PTR(-ENOMEM);

	if (len >= SYSTEM_HEAP_DEFER_MIN_LEN)
		system_heap_wake_kthread(sys);

	INIT_LIST_HEAD(&buffer->attachments);
	mutex_init(&buffer->lock);
	buffer->sys = sys;
	buffer->len = len;

	INIT_LIST_HEAD(&pages);
	i = 0;
	while (size_remaining > 0) {
		/*
		 * Avoid trying to allocate memory if the process
		 * has been killed by SIGKILL
		 */
		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			goto free_pages;
		}

		page = system_heap_alloc_largest(sys, size_remaining, &index,
						 charge, &kick);
		if (!page)
			goto free_pages;

		list_add_tail(&page->lru, &pages);
		size_remaining -= page_size(page);
		i++;
	}
	/* What the reuse put back is the kthread's again */
	system_heap_reuse_kick(sys, &kick);

	table = &buffer->sg_table;
	if (system_heap_sg_alloc_table(table, i))
		goto free_pages;

	sg = table->sgl;
	list_for_each_entry_safe(page, tmp_page, &pages, lru) {
		sg_set_page(sg, page, page_size(page), 0);
		sg = sg_next(sg);
		list_del(&page->lru);
	}
	buffer->charged = charge;

	return buffer;

free_pages:
	system_heap_reuse_kick(sys, &kick);
	/*
	 * The blocks are zeroed and nobody saw them: hand them to the system,
	 * as a pool would zero them a second time, uncharged.
	 */
	list_for_each_entry_safe(page, tmp_page, &pages, lru) {
		if (charge)
			system_heap_uncharge_block(page);
		__free_pages(page, compound_order(page));
	}
	kfree(buffer);

	return ERR_PTR(ret);
}
EXPORT_SYMBOL_IF_KUNIT(system_heap_alloc_buffer);

/**
 * system_heap_dma_buf_export - export a buffer as a dma-buf, in KUnit tests
 * @exp_info: what to export
 *
 * dma_buf_export() as the allocation path calls it while a KUnit test runs,
 * so that the test can make it fail.
 *
 * Context: Process context, may sleep.
 * Return: as dma_buf_export().
 */
VISIBLE_IF_KUNIT struct dma_buf *
system_heap_dma_buf_export(const struct dma_buf_export_info *exp_info)
{
	KUNIT_STATIC_STUB_REDIRECT(system_heap_dma_buf_export, exp_info);

	return dma_buf_export(exp_info);
}
EXPORT_SYMBOL_IF_KUNIT(system_heap_dma_buf_export);

/*
 * Allocate a buffer of @len from @sys and export it, named as the heap was
 * registered, with the flags @fd_flags: the heap's allocate op, given the
 * heap rather than its dma-heap. If the export fails, the buffer's blocks
 * go back to the system at once.
 */
static __always_inline struct dma_buf *
__system_heap_alloc_dmabuf(struct system_heap *sys, unsigned long len,
			   u32 fd_flags)
{
	DEFINE_DMA_BUF_EXPORT_INFO(exp_info);
	struct system_heap_buffer *buffer;
	struct dma_buf *dmabuf;

	buffer = system_heap_alloc_buffer(sys, len);
	if (IS_ERR(buffer))
		return ERR_CAST(buffer);

	/* create the dmabuf */
	exp_info.exp_name = sys->name;
	exp_info.ops = system_heap_buf_ops_of(buffer);
	exp_info.size = buffer->len;
	exp_info.flags = fd_flags;
	exp_info.priv = buffer;
	if (kunit_get_current_test())
		dmabuf = system_heap_dma_buf_export(&exp_info);
	else
		dmabuf = dma_buf_export(&exp_info);
	if (IS_ERR(dmabuf))
		system_heap_discard_buffer(buffer);

	return dmabuf;
}

static struct dma_buf *system_heap_allocate(struct dma_heap *heap,
					    unsigned long len,
					    u32 fd_flags,
					    u64 heap_flags)
{
	return __system_heap_alloc_dmabuf(dma_heap_get_drvdata(heap), len,
					  fd_flags);
}

#if IS_ENABLED(CONFIG_KUNIT)
/**
 * system_heap_alloc_dmabuf - the heap's allocate op, on a heap of its own
 * @sys: the heap, which need not be registered
 * @len: the length, page aligned and not 0
 * @fd_flags: the flags of the dma-buf's file
 *
 * What the allocate op of the registered heap does, for the KUnit suite,
 * whose heaps have no dma-heap.
 *
 * Context: Process context, may sleep.
 * Return: the dma-buf, or an ERR_PTR() as system_heap_alloc_buffer() or
 * dma_buf_export() gave it.
 */
struct dma_buf *system_heap_alloc_dmabuf(struct system_heap *sys,
					 unsigned long len, u32 fd_flags)
{
	return __system_heap_alloc_dmabuf(sys, len, fd_flags);
}
EXPORT_SYMBOL_IF_KUNIT(system_heap_alloc_dmabuf);
#endif

static const struct dma_heap_ops system_heap_ops = {
	.allocate = system_heap_allocate,
};

/**
 * system_heap_fini - tear down a heap's deferred-free list and pools
 * @sys: the heap; it may be zeroed, failed init or already torn down
 *
 * Buffers still queued and the pools' blocks go back to the system.
 *
 * Context: Process context, may sleep.
 */
VISIBLE_IF_KUNIT void system_heap_fini(struct system_heap *sys)
{
	unsigned int i;

	/* Stop the kthread first: it gives blocks to the pools */
	deferred_free_fini(&sys->deferred);
	for (i = 0; i < NUM_ORDERS; i++)
		drm_page_pool_fini(&sys->pools[i]);
}
EXPORT_SYMBOL_IF_KUNIT(system_heap_fini);

/**
 * system_heap_pool_init - set up one pool of a heap
 * @pool: the pool
 * @order: the order of its blocks
 * @ops: its ops
 *
 * drm_page_pool_init() in a function of its own, so that the KUnit suite
 * can make it fail.
 *
 * Context: Process context, may sleep.
 * Return: as drm_page_pool_init().
 */
VISIBLE_IF_KUNIT int system_heap_pool_init(struct drm_page_pool *pool,
					   unsigned int order,
					   const struct drm_page_pool_ops *ops)
{
	KUNIT_STATIC_STUB_REDIRECT(system_heap_pool_init, pool, order, ops);

	return drm_page_pool_init(pool, order, ops);
}
EXPORT_SYMBOL_IF_KUNIT(system_heap_pool_init);

/**
 * system_heap_init - set up the pools and the deferred-free list of a heap,
 *		      without registering it
 * @sys: the heap, zeroed
 * @name: the heap's name, valid as long as the heap
 *
 * On failure what was set up is torn down again.
 *
 * Context: Process context, may sleep.
 * Return: 0, or the error of drm_page_pool_init() or deferred_free_init().
 */
VISIBLE_IF_KUNIT int system_heap_init(struct system_heap *sys,
				      const char *name)
{
	unsigned int i;
	int err;

	sys->name = name;
	sys->mem_accounting = mem_accounting;
	sys->first_order = system_heap_first_order(MAX_PAGE_ORDER);
	for (i = sys->first_order; i < NUM_ORDERS; i++) {
		err = system_heap_pool_init(&sys->pools[i], orders[i],
					    &system_heap_pool_ops);
		if (err)
			goto err_fini;
	}

	err = deferred_free_init(&sys->deferred, name,
				 system_heap_deferred_free);
	if (err)
		goto err_fini;

	return 0;

err_fini:
	system_heap_fini(sys);
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(system_heap_init);

/**
 * system_heap_register - add a heap to the dma-heap core
 * @sys: the heap, set up
 *
 * A function of its own so that the KUnit suite can make it fail. The heap
 * can never be removed again.
 *
 * Context: Process context, may sleep.
 * Return: 0, or the error of dma_heap_add().
 */
VISIBLE_IF_KUNIT int system_heap_register(struct system_heap *sys)
{
	struct dma_heap_export_info exp_info = {
		.name = sys->name,
		.ops = &system_heap_ops,
		.priv = sys,
	};
	struct dma_heap *heap;

	KUNIT_STATIC_STUB_REDIRECT(system_heap_register, sys);

	heap = dma_heap_add(&exp_info);
	if (IS_ERR(heap))
		return PTR_ERR(heap);
	sys->heap = heap;

	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(system_heap_register);

/**
 * system_heap_setup - set up a heap and register it
 * @sys: the heap, zeroed
 * @name: the heap's name, valid as long as the heap
 *
 * If the registration fails, the pools and the deferred-free list are torn
 * down again, and @sys->heap is NULL whatever the registration left in it.
 *
 * Context: Process context, may sleep.
 * Return: 0 or a negative error code.
 */
VISIBLE_IF_KUNIT int system_heap_setup(struct system_heap *sys,
				       const char *name)
{
	int err;

	err = system_heap_init(sys, name);
	if (err)
		return err;

	err = system_heap_register(sys);
	if (err)
		goto err_fini;

	return 0;

err_fini:
	/* Not registered: no dma-heap may refer to @sys, nor @sys to one */
	sys->heap = NULL;
	system_heap_fini(sys);
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(system_heap_setup);

static int system_heap_create(void)
{
	if (!pool_limit_pages)
		pool_limit_pages =
			system_heap_default_pool_limit(totalram_pages());

	return system_heap_setup(&sys_heap, "system");
}
module_init(system_heap_create);
