/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internals of the dma-buf system heap, shared with its KUnit suite.
 */

#ifndef _DMA_HEAP_SYSTEM_HEAP_H
#define _DMA_HEAP_SYSTEM_HEAP_H

#include <linux/compiler_types.h>
#include <linux/list.h>
#include <linux/mutex_types.h>
#include <linux/scatterlist.h>
#include <linux/types.h>

#include <drm/drm_page_pool.h>

#include "deferred-free-helper.h"

struct dma_buf;
struct dma_buf_export_info;
struct dma_buf_ops;
struct dma_heap;

/*
 * Buffers shorter than this (16 pages, 64 KiB with 4 KiB pages) are made of
 * order-0 pages only, as the next order of the heap's table is 4: freeing
 * their few pages costs the caller less than queueing them, and far less
 * than the kthread's wake-up and pass would cost.
 */
#define SYSTEM_HEAP_DEFER_MIN_LEN	(PAGE_SIZE << 4)

/* Entries of the heap's order table, orders 8, 4 and 0 */
#define SYSTEM_HEAP_NUM_ORDERS	3

/**
 * struct system_heap - an instance of the system heap
 *
 * The heap registered as "system" is one; the KUnit suite makes its own,
 * which it never registers.
 */
struct system_heap {
	/** @name: names the heap and its pools' owner, set at init */
	const char *name;
	/** @heap: the registered dma-heap, NULL if not registered */
	struct dma_heap *heap;
	/**
	 * @first_order: the index of the first entry of the order table this
	 * kernel's page allocator can give, set at init; the entries before
	 * it, and their pools, are unused
	 */
	unsigned int first_order;
	/**
	 * @pools: zeroed free blocks, one pool per entry of the order table,
	 * in the same order
	 */
	struct drm_page_pool pools[SYSTEM_HEAP_NUM_ORDERS];
	/**
	 * @deferred: released buffers, zeroed into @pools by its kthread, or
	 * handed to the system under memory pressure
	 */
	struct deferred_free_list deferred;
	/**
	 * @mem_accounting: charge each buffer to the memory cgroup of the
	 * task that allocates it; dma_heap.mem_accounting, read at init
	 */
	bool mem_accounting;
};

/**
 * struct system_heap_buffer - a dma-buf of the system heap
 */
struct system_heap_buffer {
	/** @sys: the heap the pages came from and go back to */
	struct system_heap *sys;
	/** @attachments: of the dma-buf, under @lock */
	struct list_head attachments;
	/** @lock: protects @attachments, @vmap_cnt and @vaddr */
	struct mutex lock;
	/** @len: the length asked for, page aligned */
	unsigned long len;
	/** @sg_table: one entry per block, largest blocks first */
	struct sg_table sg_table;
	/** @vmap_cnt: users of @vaddr */
	int vmap_cnt;
	/** @vaddr: the kernel mapping while @vmap_cnt is not 0 */
	void *vaddr;
	/** @deferred: on @sys's deferred-free list once released */
	struct deferred_free_item deferred;
	/**
	 * @free_sg: the entry of @sg_table whose block the deferred free
	 * hands back next, NULL before it starts
	 */
	struct scatterlist *free_sg;
	/** @freed_ents: entries of @sg_table handed back so far */
	unsigned int freed_ents;
	/**
	 * @charged: its blocks are charged to the memory cgroup of the task
	 * that allocated it, until it is released
	 */
	bool charged;
};

#if IS_ENABLED(CONFIG_KUNIT)
/* Internals only the KUnit suite reaches, see include/kunit/visibility.h */
int system_heap_init(struct system_heap *sys, const char *name);
void system_heap_fini(struct system_heap *sys);
int system_heap_register(struct system_heap *sys);
int system_heap_setup(struct system_heap *sys, const char *name);
int system_heap_pool_init(struct drm_page_pool *pool, unsigned int order,
			  const struct drm_page_pool_ops *ops);
bool system_heap_len_beyond_ram(unsigned long len, unsigned long ram_pages);
struct page *system_heap_alloc_pages(gfp_t gfp, unsigned int order);
void system_heap_wake_kthread(struct system_heap *sys);
void system_heap_clear_block(struct page *page, unsigned int order);
int system_heap_charge_page(struct page *page, gfp_t gfp, unsigned int order);
void system_heap_free_block(struct system_heap *sys, struct page *page,
			    enum deferred_free_reason reason);
int system_heap_alloc_table(struct sg_table *table, unsigned int nents);
struct system_heap_buffer *system_heap_alloc_buffer(struct system_heap *sys,
						    unsigned long len);
struct dma_buf *
system_heap_dma_buf_export(const struct dma_buf_export_info *exp_info);
struct dma_buf *system_heap_alloc_dmabuf(struct system_heap *sys,
					 unsigned long len, u32 fd_flags);
unsigned int system_heap_first_order(unsigned int max_order);
unsigned long system_heap_default_pool_limit(unsigned long ram_pages);
unsigned long system_heap_set_pool_limit(unsigned long pages);
const struct dma_buf_ops *
system_heap_buf_ops_of(const struct system_heap_buffer *buffer);
void system_heap_count_queued(struct system_heap_buffer *buffer);
bool system_heap_deferred_free(struct deferred_free_list *dfl,
			       struct deferred_free_item *item,
			       enum deferred_free_reason reason,
			       unsigned long *nr_pages);
#endif

#endif /* _DMA_HEAP_SYSTEM_HEAP_H */
