/* SPDX-License-Identifier: GPL-2.0 OR MIT */
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

#ifndef _TTM_PAGE_POOL_H_
#define _TTM_PAGE_POOL_H_

#include <linux/mmzone.h>
#include <linux/llist.h>
#include <linux/spinlock.h>
#include <drm/drm_page_pool.h>
#include <drm/ttm/ttm_caching.h>

struct device;
struct seq_file;
struct ttm_backup_flags;
struct ttm_operation_ctx;
struct ttm_pool;
struct ttm_tt;

/**
 * struct ttm_pool_type - Pool for a certain memory type
 *
 * @pool: the pool we belong to, NULL for the global ones
 * @caching: the caching type our pages have
 * @page_pool: the shared page pool holding our free pages; its order is the
 * allocation order our pages have
 *
 * The free pages themselves, their count, their locking and their shrinking
 * are the business of the shared &struct drm_page_pool.
 */
struct ttm_pool_type {
	struct ttm_pool *pool;
	enum ttm_caching caching;
	struct drm_page_pool page_pool;
};

/**
 * struct ttm_pool - Pool for all caching and orders
 *
 * @dev: the device we allocate pages for
 * @owner: a copy of @dev's name if the pool has pool types of its own,
 * naming them in the shared page pool's debugfs and tracepoints
 * @nid: which numa node to use
 * @use_dma_alloc: if coherent DMA allocations should be used
 * @use_dma32: if GFP_DMA32 should be used
 * @caching: pools for each caching/order, used if @use_dma_alloc is set or,
 * on x86, for write-combined and uncached pages of a pool bound to a NUMA
 * node
 */
struct ttm_pool {
	struct device *dev;
	const char *owner;
	int nid;

	bool use_dma_alloc;
	bool use_dma32;

	struct {
		struct ttm_pool_type orders[NR_PAGE_ORDERS];
	} caching[TTM_NUM_CACHING_TYPES];
};

int ttm_pool_alloc(struct ttm_pool *pool, struct ttm_tt *tt,
		   struct ttm_operation_ctx *ctx);
void ttm_pool_free(struct ttm_pool *pool, struct ttm_tt *tt);

long ttm_pool_backup(struct ttm_pool *pool, struct ttm_tt *tt,
		     const struct ttm_backup_flags *flags);
void ttm_pool_drop_backed_up(struct ttm_tt *tt);
int ttm_pool_restore_and_alloc(struct ttm_pool *pool, struct ttm_tt *tt,
			       const struct ttm_operation_ctx *ctx);

void ttm_pool_init(struct ttm_pool *pool, struct device *dev,
		   int nid, bool use_dma_alloc, bool use_dma32);
void ttm_pool_fini(struct ttm_pool *pool);

int ttm_pool_debugfs(struct ttm_pool *pool, struct seq_file *m);

int ttm_pool_mgr_init(unsigned long num_pages);
void ttm_pool_mgr_fini(void);

#if IS_ENABLED(CONFIG_KUNIT)
/* Internals only the KUnit suites reach, see include/kunit/visibility.h */
struct ttm_pool_type *ttm_pool_select_type(struct ttm_pool *pool,
					   enum ttm_caching caching,
					   unsigned int order);
unsigned int ttm_pool_page_order(struct ttm_pool *pool, struct page *p);
struct page *ttm_pool_alloc_pages_node(int nid, gfp_t gfp_flags,
				       unsigned int order);
void ttm_pool_set_pages_wb(struct page *p, unsigned int order);
int ttm_pool_set_pages_array_wb(struct page **pages, unsigned int num_pages);
bool ttm_pool_backup_page_by_page(struct page *p, unsigned int order);
int ttm_pool_map(struct ttm_pool *pool, unsigned int order, struct page *p,
		 dma_addr_t **dma_addr);
void ttm_pool_dma_free_attrs(struct device *dev, size_t size, void *vaddr,
			     dma_addr_t addr, unsigned long attrs);
unsigned long ttm_pool_set_page_pool_size(unsigned long pages);
struct fault_attr *ttm_pool_backup_fault_attr(void);
#endif

#endif
