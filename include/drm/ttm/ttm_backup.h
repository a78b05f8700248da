/* SPDX-License-Identifier: MIT */
/*
 * Copyright © 2024 Intel Corporation
 */

#ifndef _TTM_BACKUP_H_
#define _TTM_BACKUP_H_

#include <linux/mm_types.h>
#include <linux/shmem_fs.h>
#include <linux/types.h>

/**
 * ttm_backup_handle_to_page_ptr() - Convert a handle to a struct page pointer
 * @handle: The handle to convert, as returned by ttm_backup_backup_page().
 *
 * Encodes @handle as a struct page pointer with bit 0 set, so that it can be
 * kept in a struct page pointer array in place of the page it replaces. The
 * pointer must never be dereferenced; ttm_backup_page_ptr_is_handle() tells
 * it from a real page pointer and ttm_backup_page_ptr_to_handle() decodes it.
 * The top bit of @handle is lost, so @handle must not exceed ULONG_MAX >> 1.
 *
 * Return: An invalid struct page pointer that encodes @handle.
 */
static inline struct page *ttm_backup_handle_to_page_ptr(unsigned long handle)
{
	return (struct page *)(handle << 1 | 1);
}

/**
 * ttm_backup_page_ptr_is_handle() - Whether a struct page pointer is a handle
 * @page: The struct page pointer to check.
 *
 * A struct page is at least word aligned, so bit 0 of a real struct page
 * pointer is always clear.
 *
 * Return: true if @page was obtained from ttm_backup_handle_to_page_ptr(),
 * false otherwise.
 */
static inline bool ttm_backup_page_ptr_is_handle(const struct page *page)
{
	return (unsigned long)page & 1;
}

/**
 * ttm_backup_page_ptr_to_handle() - Convert a struct page pointer to a handle
 * @page: The struct page pointer to convert, as returned by
 * ttm_backup_handle_to_page_ptr().
 *
 * Return: The handle that @page encodes, suitable as argument of
 * ttm_backup_drop() or ttm_backup_copy_page().
 */
static inline unsigned long
ttm_backup_page_ptr_to_handle(const struct page *page)
{
	WARN_ON(!ttm_backup_page_ptr_is_handle(page));
	return (unsigned long)page >> 1;
}

void ttm_backup_drop(struct file *backup, pgoff_t handle);

void ttm_backup_drop_range(struct file *backup, pgoff_t idx, pgoff_t nr);

int ttm_backup_copy_page(struct file *backup, struct page *dst,
			 pgoff_t handle, bool intr);

s64
ttm_backup_backup_page(struct file *backup, struct page *page,
		       bool writeback, pgoff_t idx, gfp_t page_gfp,
		       gfp_t alloc_gfp);

void ttm_backup_fini(struct file *backup);

u64 ttm_backup_bytes_avail(void);

struct file *ttm_backup_shmem_create(loff_t size);

#if IS_ENABLED(CONFIG_KUNIT)
/* Internals only the KUnit suites reach, see include/kunit/visibility.h */
struct folio *ttm_backup_read_folio(struct address_space *mapping,
				    pgoff_t idx);
int ttm_backup_writeout(struct address_space *mapping, struct folio *folio,
			pgoff_t idx);
#endif

#endif /* _TTM_BACKUP_H_ */
