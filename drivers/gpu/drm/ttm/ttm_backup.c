// SPDX-License-Identifier: MIT
/*
 * Copyright © 2024 Intel Corporation
 */

#include <linux/export.h>
#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/page-flags.h>
#include <linux/pagemap.h>
#include <linux/sched/signal.h>
#include <linux/shmem_fs.h>
#include <linux/swap.h>
#include <linux/writeback.h>

#include <kunit/static_stub.h>
#include <kunit/visibility.h>

#include <drm/ttm/ttm_backup.h>

/*
 * A handle is the index of the page in the shmem file plus one, so that, as
 * with swp_entry_t, 0 is never a valid handle.
 */
static unsigned long ttm_backup_shmem_idx_to_handle(pgoff_t idx)
{
	return (unsigned long)idx + 1;
}

static pgoff_t ttm_backup_handle_to_shmem_idx(pgoff_t handle)
{
	return handle - 1;
}

/**
 * ttm_backup_drop() - Release the backup of a page
 * @backup: The backup file the page was backed up to.
 * @handle: The handle ttm_backup_backup_page() returned for the page.
 *
 * Frees the shmem page, or its swap entry, that holds the contents backed up
 * under @handle. @handle must not be used afterwards.
 *
 * Context: Process context. May sleep.
 */
void ttm_backup_drop(struct file *backup, pgoff_t handle)
{
	loff_t start = (loff_t)ttm_backup_handle_to_shmem_idx(handle) << PAGE_SHIFT;

	shmem_truncate_range(file_inode(backup), start, start + PAGE_SIZE - 1);
}
EXPORT_SYMBOL_IF_KUNIT(ttm_backup_drop);

/**
 * ttm_backup_drop_range() - Release the backups of a range of pages
 * @backup: The backup file the pages were backed up to.
 * @idx: The index ttm_backup_backup_page() was given for the first page.
 * @nr: The number of pages from @idx on.
 *
 * Frees in one truncation what ttm_backup_drop() would free page by page:
 * the shmem pages or swap entries at @idx to @idx + @nr - 1; indexes that
 * hold nothing are skipped. Their handles must not be used afterwards.
 *
 * Context: Process or reclaim context. May sleep.
 */
void ttm_backup_drop_range(struct file *backup, pgoff_t idx, pgoff_t nr)
{
	loff_t start = (loff_t)idx << PAGE_SHIFT;

	if (nr)
		shmem_truncate_range(file_inode(backup), start,
				     start + ((loff_t)nr << PAGE_SHIFT) - 1);
}
EXPORT_SYMBOL_IF_KUNIT(ttm_backup_drop_range);

/*
 * The folio holding the backup at @idx of @mapping, with a reference, if it
 * is in the page cache and up to date and @idx is within the size of the
 * file; NULL otherwise, for shmem to read (a copy in swap, a hole, a folio
 * that fallocate() left uninitialised or that is being added or migrated,
 * or an index beyond the file, which a large folio may still cover). A copy
 * is written under its folio lock before its handle is returned, and then
 * only read, by the user the handle was returned to, until that user drops
 * it; whatever hands the handle over orders the copy before the read. So
 * the reference alone is enough to read it, which saves the folio lock and
 * unlock shmem_read_folio_gfp() makes for every page of a restore. Reclaim
 * may move the folio to the swap cache meanwhile; its contents stay.
 */
static struct folio *ttm_backup_cached_folio(struct address_space *mapping,
					     pgoff_t idx)
{
	struct folio *folio;

	if ((loff_t)idx << PAGE_SHIFT >= i_size_read(mapping->host))
		return NULL;

	folio = filemap_get_folio(mapping, idx);
	if (IS_ERR(folio))
		return NULL;
	if (!folio_test_uptodate(folio)) {
		folio_put(folio);
		return NULL;
	}

	return folio;
}

/**
 * ttm_backup_read_folio() - Read the folio of a backup through shmem
 * @mapping: The mapping of the backup file.
 * @idx: The index of the backed-up page in @mapping.
 *
 * What ttm_backup_copy_page() does when the copy is not an up-to-date
 * folio of the page cache: swap it in, or allocate a zeroed page for a
 * hole. KUnit test cases may replace this function with a static stub.
 *
 * Context: Process context. May sleep.
 *
 * Return: The folio, with a reference, or an error pointer: that of
 * shmem_read_folio_gfp(), notably -EINVAL for an @idx beyond the size of a
 * shmem file (a ramfs one, without CONFIG_SHMEM, reads as a new zeroed page).
 */
VISIBLE_IF_KUNIT struct folio *
ttm_backup_read_folio(struct address_space *mapping, pgoff_t idx)
{
	KUNIT_STATIC_STUB_REDIRECT(ttm_backup_read_folio, mapping, idx);

	return shmem_read_folio_gfp(mapping, idx, mapping_gfp_mask(mapping));
}
EXPORT_SYMBOL_IF_KUNIT(ttm_backup_read_folio);

/**
 * ttm_backup_copy_page() - Copy the contents of a backed-up page
 * @backup: The backup file the page was backed up to.
 * @dst: The page to copy the contents into.
 * @handle: The handle ttm_backup_backup_page() returned for the page.
 * @intr: Whether a fatal signal may abort the copy.
 *
 * Reads the page back from the shmem file, from swap if it was swapped out,
 * and copies it into @dst. The backup is kept: drop it with
 * ttm_backup_drop() once it is no longer needed. If @intr is true and a fatal
 * signal is pending, nothing is read and -EINTR is returned; the read itself
 * is not interruptible. A handle that was dropped but is still within the
 * size of @backup reads as a zero-filled page, which is allocated anew in
 * @backup. The caller must have got @handle from ttm_backup_backup_page()
 * through something that orders the two, such as a lock both hold (for a
 * ttm_tt, the reservation of its buffer object): a copy in the page cache is
 * read without its folio lock.
 *
 * Context: Process context. May sleep.
 *
 * Return: 0 on success, -EINTR if @intr is true and a fatal signal is
 * pending, another negative error code if the page could not be read.
 */
int ttm_backup_copy_page(struct file *backup, struct page *dst,
			 pgoff_t handle, bool intr)
{
	struct address_space *mapping = backup->f_mapping;
	pgoff_t idx = ttm_backup_handle_to_shmem_idx(handle);
	struct folio *from;

	KUNIT_STATIC_STUB_REDIRECT(ttm_backup_copy_page, backup, dst, handle,
				   intr);

	if (intr && fatal_signal_pending(current))
		return -EINTR;

	from = ttm_backup_cached_folio(mapping, idx);
	if (!from) {
		from = ttm_backup_read_folio(mapping, idx);
		if (IS_ERR(from))
			return PTR_ERR(from);
	}

	copy_highpage(dst, folio_file_page(from, idx));
	folio_put(from);

	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(ttm_backup_copy_page);

/**
 * ttm_backup_writeout() - Start writeback of a backed-up page
 * @mapping: The mapping of the backup file.
 * @folio: The locked folio of @mapping to write back, its dirty flag cleared
 * for I/O.
 * @idx: The index of the backed-up page in @mapping.
 *
 * Hands @folio to the ->writepage() operation of @mapping as page reclaim
 * would, which for shmem moves it to the swap cache and starts writing it to
 * swap. KUnit test cases may replace this function with a static stub.
 *
 * Context: Process context. May sleep.
 *
 * Return: That of ->writepage(): 0 if writeback was started or was not
 * needed, with @folio unlocked; AOP_WRITEPAGE_ACTIVATE if @folio was
 * redirtied and left in the page cache, still locked; a negative error code
 * if writeback failed, with @folio unlocked.
 */
VISIBLE_IF_KUNIT int ttm_backup_writeout(struct address_space *mapping,
					 struct folio *folio, pgoff_t idx)
{
	struct writeback_control wbc = {
		.sync_mode = WB_SYNC_NONE,
		.nr_to_write = SWAP_CLUSTER_MAX,
		.range_start = 0,
		.range_end = LLONG_MAX,
		.for_reclaim = 1,
	};
	int ret;

	KUNIT_STATIC_STUB_REDIRECT(ttm_backup_writeout, mapping, folio, idx);

	folio_set_reclaim(folio);
	ret = mapping->a_ops->writepage(folio_file_page(folio, idx), &wbc);
	if (!folio_test_writeback(folio))
		folio_clear_reclaim(folio);

	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(ttm_backup_writeout);

/*
 * Whether the backed-up @folio of @mapping may be written back right away.
 * Without CONFIG_SHMEM the backup file lives in ramfs, which has no swap and
 * no ->writepage(). shmem_writepage() may split a large folio, after which
 * the reference of the caller would be to a folio other than the one written
 * back, so large folios are left dirty in the page cache for reclaim to write
 * back. A mapped folio is left alone as page reclaim would.
 */
static bool ttm_backup_may_writeout(struct address_space *mapping,
				    struct folio *folio)
{
	return IS_ENABLED(CONFIG_SHMEM) && mapping->a_ops->writepage &&
	       !folio_test_large(folio) && !folio_mapped(folio);
}

/**
 * ttm_backup_backup_page() - Back up a page
 * @backup: The backup file to back up to.
 * @page: The page to back up.
 * @writeback: Whether to start writeback of the backup right away, which
 * may have performance implications.
 * @idx: The index of the page in @backup: unique for each page backed up to
 * @backup at a time and smaller than the size of @backup in pages.
 * @page_gfp: The gfp mask @page was allocated with. Not used by the shmem
 * backup.
 * @alloc_gfp: The gfp mask to allocate the backup page with.
 *
 * Copies @page into the page of @backup at @idx and marks that page dirty, so
 * that reclaim may write it to swap. If @writeback is true, writeback to swap
 * is started right away, as page reclaim would, unless the backup page is
 * part of a large folio, which is left dirty for reclaim, or the file cannot
 * be written back (without CONFIG_SHMEM). A failure of that writeback does
 * not fail the backup, since the backed-up contents stay in the page cache.
 * The backup of @idx must not be in use by another operation on @backup
 * meanwhile.
 *
 * Context: Process context. May sleep. If called from reclaim context, the
 * caller must ensure that the gfp mask of that reclaim has __GFP_FS set, since
 * the folio lock of the backup page is taken, and, if @writeback is true,
 * also __GFP_IO, since writeback starts I/O.
 *
 * Return: The handle of the backup, an integer larger than zero, on success;
 * a negative error code on failure, notably -EINVAL if @idx is not within
 * the size of @backup.
 */
s64
ttm_backup_backup_page(struct file *backup, struct page *page,
		       bool writeback, pgoff_t idx, gfp_t page_gfp,
		       gfp_t alloc_gfp)
{
	struct address_space *mapping = backup->f_mapping;
	struct folio *to;
	int ret;

	KUNIT_STATIC_STUB_REDIRECT(ttm_backup_backup_page, backup, page,
				   writeback, idx, page_gfp, alloc_gfp);

	to = shmem_read_folio_gfp(mapping, idx, alloc_gfp);
	if (IS_ERR(to))
		return PTR_ERR(to);

	folio_lock(to);
	copy_highpage(folio_file_page(to, idx), page);
	folio_mark_dirty(to);
	folio_mark_accessed(to);

	if (writeback && ttm_backup_may_writeout(mapping, to) &&
	    folio_clear_dirty_for_io(to)) {
		/*
		 * ->writepage() unlocks the folio when it starts writeback
		 * and on most errors, as swap_writepage() does, but returns
		 * AOP_WRITEPAGE_ACTIVATE with the folio still locked when it
		 * redirties it, as shmem_writepage() does without swap. So
		 * unlock it only then, lest it be unlocked twice.
		 */
		ret = ttm_backup_writeout(mapping, to, idx);
		if (ret == AOP_WRITEPAGE_ACTIVATE)
			folio_unlock(to);
	} else {
		folio_unlock(to);
	}

	folio_put(to);

	return ttm_backup_shmem_idx_to_handle(idx);
}
EXPORT_SYMBOL_IF_KUNIT(ttm_backup_backup_page);

/**
 * ttm_backup_fini() - Release a backup file after its last use
 * @backup: The backup file to release.
 *
 * Drops the reference ttm_backup_shmem_create() returned. Once the file is
 * released, the pages and swap entries still in @backup are freed: for a
 * user task on its return to user space, otherwise from a work item.
 * @backup must not be used afterwards.
 */
void ttm_backup_fini(struct file *backup)
{
	fput(backup);
}
EXPORT_SYMBOL_IF_KUNIT(ttm_backup_fini);

/**
 * ttm_backup_bytes_avail() - Report the approximate space left for backups
 *
 * Backups go to shmem, which frees memory only once it writes them to swap,
 * so this is the free swap space. Drivers may use it to decide whether
 * backing up is worth trying. KUnit test cases may replace this function
 * with a static stub.
 *
 * Return: The approximate number of bytes of free swap space.
 */
u64 ttm_backup_bytes_avail(void)
{
	KUNIT_STATIC_STUB_REDIRECT(ttm_backup_bytes_avail);

	return (u64)get_nr_swap_pages() << PAGE_SHIFT;
}
EXPORT_SYMBOL_GPL(ttm_backup_bytes_avail);

/**
 * ttm_backup_shmem_create() - Create a shmem backup file
 * @size: The size of the file in bytes, the most that can be backed up to it.
 *
 * Context: Process context. May sleep.
 *
 * Return: The backup file on success, an error pointer on failure.
 */
struct file *ttm_backup_shmem_create(loff_t size)
{
	return shmem_file_setup("ttm shmem backup", size, 0);
}
EXPORT_SYMBOL_IF_KUNIT(ttm_backup_shmem_create);
