// SPDX-License-Identifier: GPL-2.0 AND MIT
/*
 * KUnit tests of the shmem backup of TTM: handles, backing up and reading
 * back, dropping, writeback with its folio lock rules, the report of the
 * space left and the life of a backup file.
 *
 * Pages hold incompressible bytes of a PRNG seeded per page, so that a copy
 * of the wrong page, of a stale page or of zeroes never compares equal. The
 * cases of writeback errors replace ttm_backup_writeout() by KUnit static
 * stubs that behave as ->writepage() does: shmem_writepage() returns
 * AOP_WRITEPAGE_ACTIVATE with the folio still locked when it redirties it,
 * swap_writepage() unlocks the folio before it returns an error.
 */
#include <linux/delay.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/prandom.h>
#include <linux/sched/signal.h>
#include <linux/shmem_fs.h>
#include <linux/signal.h>
#include <linux/string.h>
#include <linux/swap.h>

#include <kunit/static_stub.h>
#include <kunit/test.h>

#include <drm/ttm/ttm_backup.h>

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

/* Size of the backup files of the cases, in pages */
#define TTM_BACKUP_TEST_PAGES	8

/* Seed of the pages that are copied into, never that of a backed-up page */
#define TTM_BACKUP_TEST_DST_SEED	0xdeadbeefULL

struct ttm_backup_test_priv {
	/* Calls of the ttm_backup_writeout() stubs */
	unsigned int writeouts;
	/* Whether the folio was locked when a stub was called */
	bool locked_in_stub;
	/* The folio a stub was called with, with a reference */
	struct folio *folio;
	/* Calls of the ttm_backup_read_folio() stub */
	unsigned int reads;
};

static void ttm_backup_test_free_page(void *page)
{
	__free_page(page);
}

/* A page of @gfp filled with the bytes of a PRNG seeded with @seed */
static struct page *ttm_backup_test_page(struct kunit *test, gfp_t gfp,
					 u64 seed)
{
	struct rnd_state rnd;
	struct page *page;
	void *addr;
	int err;

	page = alloc_page(gfp);
	KUNIT_ASSERT_NOT_NULL(test, page);
	err = kunit_add_action_or_reset(test, ttm_backup_test_free_page, page);
	KUNIT_ASSERT_EQ(test, err, 0);

	addr = kmap_local_page(page);
	prandom_seed_state(&rnd, seed);
	prandom_bytes_state(&rnd, addr, PAGE_SIZE);
	kunmap_local(addr);

	return page;
}

static bool ttm_backup_test_equal(struct page *a, struct page *b)
{
	void *va = kmap_local_page(a);
	void *vb = kmap_local_page(b);
	bool equal = !memcmp(va, vb, PAGE_SIZE);

	kunmap_local(vb);
	kunmap_local(va);

	return equal;
}

static bool ttm_backup_test_zero(struct page *page)
{
	void *va = kmap_local_page(page);
	bool zero = !memchr_inv(va, 0, PAGE_SIZE);

	kunmap_local(va);

	return zero;
}

static void ttm_backup_test_fini(void *backup)
{
	ttm_backup_fini(backup);
}

/* A backup file of @pages pages, released when the case ends */
static struct file *ttm_backup_test_create(struct kunit *test,
					   unsigned long pages)
{
	struct file *backup;
	int err;

	backup = ttm_backup_shmem_create((loff_t)pages << PAGE_SHIFT);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, backup);
	err = kunit_add_action_or_reset(test, ttm_backup_test_fini, backup);
	KUNIT_ASSERT_EQ(test, err, 0);

	return backup;
}

/* Pages in the page cache of @backup */
static unsigned long ttm_backup_test_nrpages(struct file *backup)
{
	return READ_ONCE(file_inode(backup)->i_mapping->nrpages);
}

/* Read the backup of @handle into a fresh page and compare it to @expected */
static void ttm_backup_test_expect_copy(struct kunit *test,
					struct file *backup, s64 handle,
					struct page *expected, gfp_t gfp)
{
	struct page *dst;
	int err;

	dst = ttm_backup_test_page(test, gfp, TTM_BACKUP_TEST_DST_SEED);
	err = ttm_backup_copy_page(backup, dst, handle, false);
	KUNIT_ASSERT_EQ(test, err, 0);
	KUNIT_EXPECT_TRUE_MSG(test, ttm_backup_test_equal(dst, expected),
			      "contents of handle %lld differ", handle);
}

/*
 * Writeback is only started for small folios: skip a case whose backup of
 * @idx went to a large folio.
 */
static void ttm_backup_test_skip_large(struct kunit *test,
				       struct file *backup, pgoff_t idx)
{
	struct folio *folio;
	bool large;

	folio = filemap_get_folio(backup->f_mapping, idx);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, folio);
	large = folio_test_large(folio);
	folio_put(folio);
	if (large)
		kunit_skip(test, "the backup went to a large folio");
}

static void ttm_backup_handle_encoding(struct kunit *test)
{
	static const unsigned long handles[] = { 1, 2, 12345, ULONG_MAX >> 1 };
	struct page *page = ttm_backup_test_page(test, GFP_KERNEL, 1);
	struct file *backup;
	struct page *ptr;
	unsigned int i;
	s64 handle;

	/* Pointers to struct pages and page-aligned ones are never handles */
	KUNIT_EXPECT_FALSE(test, ttm_backup_page_ptr_is_handle(page));
	KUNIT_EXPECT_FALSE(test, ttm_backup_page_ptr_is_handle(page + 1));
	ptr = (struct page *)PAGE_ALIGN((unsigned long)page);
	KUNIT_EXPECT_FALSE(test, ttm_backup_page_ptr_is_handle(ptr));

	for (i = 0; i < ARRAY_SIZE(handles); i++) {
		ptr = ttm_backup_handle_to_page_ptr(handles[i]);
		KUNIT_EXPECT_NOT_NULL(test, ptr);
		KUNIT_EXPECT_TRUE(test, ttm_backup_page_ptr_is_handle(ptr));
		KUNIT_EXPECT_EQ(test, ttm_backup_page_ptr_to_handle(ptr),
				handles[i]);
	}

	/* The page at index 0 gets handle 1: 0 is never a handle */
	backup = ttm_backup_test_create(test, 1);
	handle = ttm_backup_backup_page(backup, page, false, 0, GFP_KERNEL,
					GFP_KERNEL);
	KUNIT_EXPECT_EQ(test, handle, 1);
	ttm_backup_test_expect_copy(test, backup, handle, page, GFP_KERNEL);
}

static void ttm_backup_test_roundtrip(struct kunit *test, gfp_t gfp)
{
	static const pgoff_t idx[] = { 0, 3, 7 };
	struct page *src[ARRAY_SIZE(idx)];
	s64 handle[ARRAY_SIZE(idx)];
	struct file *backup;
	struct inode *inode;
	struct page *dst;
	unsigned int i;
	int err;

	backup = ttm_backup_test_create(test, TTM_BACKUP_TEST_PAGES);
	inode = file_inode(backup);

	for (i = 0; i < ARRAY_SIZE(idx); i++) {
		src[i] = ttm_backup_test_page(test, gfp, i + 1);
		handle[i] = ttm_backup_backup_page(backup, src[i], false,
						   idx[i], gfp, GFP_KERNEL);
		KUNIT_ASSERT_EQ(test, handle[i], idx[i] + 1);
	}
	KUNIT_EXPECT_EQ(test, ttm_backup_test_nrpages(backup), ARRAY_SIZE(idx));

	for (i = 0; i < ARRAY_SIZE(idx); i++)
		ttm_backup_test_expect_copy(test, backup, handle[i], src[i], gfp);

	/* Reading back keeps the backups */
	KUNIT_EXPECT_EQ(test, ttm_backup_test_nrpages(backup), ARRAY_SIZE(idx));

	for (i = 0; i < ARRAY_SIZE(idx); i++)
		ttm_backup_drop(backup, handle[i]);
	KUNIT_EXPECT_EQ(test, ttm_backup_test_nrpages(backup), 0);
	KUNIT_EXPECT_EQ(test, SHMEM_I(inode)->alloced, 0);

	/* A dropped handle reads as a zero-filled page, allocated anew */
	dst = ttm_backup_test_page(test, gfp, TTM_BACKUP_TEST_DST_SEED);
	err = ttm_backup_copy_page(backup, dst, handle[1], false);
	KUNIT_EXPECT_EQ(test, err, 0);
	KUNIT_EXPECT_TRUE(test, ttm_backup_test_zero(dst));
	KUNIT_EXPECT_EQ(test, ttm_backup_test_nrpages(backup), 1);

	/* A handle beyond the size of the file cannot be read */
	err = ttm_backup_copy_page(backup, dst, TTM_BACKUP_TEST_PAGES + 1,
				   false);
	KUNIT_EXPECT_EQ(test, err, -EINVAL);
}

/*
 * A range drop frees the copies in the range, holes included, and keeps
 * those on either side: a restore releases a block's copies this way.
 */
static void ttm_backup_drop_range_basic(struct kunit *test)
{
	static const pgoff_t idx[] = { 0, 1, 2, 4, 5, 7 };
	struct page *src[ARRAY_SIZE(idx)];
	s64 handle[ARRAY_SIZE(idx)];
	struct file *backup;
	unsigned int i;

	backup = ttm_backup_test_create(test, TTM_BACKUP_TEST_PAGES);
	for (i = 0; i < ARRAY_SIZE(idx); i++) {
		src[i] = ttm_backup_test_page(test, GFP_KERNEL, i + 1);
		handle[i] = ttm_backup_backup_page(backup, src[i], false,
						   idx[i], GFP_KERNEL,
						   GFP_KERNEL);
		KUNIT_ASSERT_EQ(test, handle[i], idx[i] + 1);
	}

	/* Nothing to drop: nothing goes */
	ttm_backup_drop_range(backup, 1, 0);
	KUNIT_EXPECT_EQ(test, ttm_backup_test_nrpages(backup), ARRAY_SIZE(idx));

	/* Indexes 1 to 4, with the hole at 3: the copies at 1, 2 and 4 go */
	ttm_backup_drop_range(backup, 1, 4);
	KUNIT_EXPECT_EQ(test, ttm_backup_test_nrpages(backup), 3);
	ttm_backup_test_expect_copy(test, backup, handle[0], src[0], GFP_KERNEL);
	ttm_backup_test_expect_copy(test, backup, handle[4], src[4], GFP_KERNEL);
	ttm_backup_test_expect_copy(test, backup, handle[5], src[5], GFP_KERNEL);

	/* The last index of the file */
	ttm_backup_drop_range(backup, 7, 1);
	KUNIT_EXPECT_EQ(test, ttm_backup_test_nrpages(backup), 2);
	ttm_backup_test_expect_copy(test, backup, handle[4], src[4], GFP_KERNEL);
}

static void ttm_backup_roundtrip(struct kunit *test)
{
	ttm_backup_test_roundtrip(test, GFP_KERNEL);
}

static void ttm_backup_roundtrip_highmem(struct kunit *test)
{
	ttm_backup_test_roundtrip(test, GFP_HIGHUSER);
}

static void ttm_backup_copy_page_killed(struct kunit *test)
{
	struct page *src = ttm_backup_test_page(test, GFP_KERNEL, 1);
	struct page *dst = ttm_backup_test_page(test, GFP_KERNEL,
						TTM_BACKUP_TEST_DST_SEED);
	int err_intr, err_nointr;
	struct file *backup;
	bool killed, copied;
	s64 handle;
	int err;

	backup = ttm_backup_test_create(test, 1);
	handle = ttm_backup_backup_page(backup, src, false, 0, GFP_KERNEL,
					GFP_KERNEL);
	KUNIT_ASSERT_EQ(test, handle, 1);

	/* The case runs in a kernel thread, which must allow SIGKILL first */
	allow_signal(SIGKILL);
	send_sig(SIGKILL, current, 1);
	killed = fatal_signal_pending(current);
	err_intr = ttm_backup_copy_page(backup, dst, handle, true);
	copied = ttm_backup_test_equal(dst, src);
	err_nointr = ttm_backup_copy_page(backup, dst, handle, false);
	flush_signals(current);
	disallow_signal(SIGKILL);

	KUNIT_ASSERT_TRUE(test, killed);
	KUNIT_EXPECT_EQ(test, err_intr, -EINTR);
	KUNIT_EXPECT_FALSE_MSG(test, copied, "copied despite -EINTR");
	KUNIT_EXPECT_EQ(test, err_nointr, 0);
	KUNIT_EXPECT_TRUE(test, ttm_backup_test_equal(dst, src));

	/* Without a fatal signal pending, @intr changes nothing */
	err = ttm_backup_copy_page(backup, dst, handle, true);
	KUNIT_EXPECT_EQ(test, err, 0);
}

/*
 * A folio that fallocate() put in the page cache holds no copy and is not
 * initialised: it reads as zeroes, through shmem, which clears it and marks
 * it up to date, not as whatever its memory held before.
 */
static void ttm_backup_copy_page_fallocated(struct kunit *test)
{
	struct page *dst = ttm_backup_test_page(test, GFP_KERNEL,
						TTM_BACKUP_TEST_DST_SEED);
	const pgoff_t idx = 2;
	struct file *backup;
	struct folio *folio;
	int err;

	backup = ttm_backup_test_create(test, TTM_BACKUP_TEST_PAGES);
	err = vfs_fallocate(backup, 0, (loff_t)idx << PAGE_SHIFT, PAGE_SIZE);
	/* shmem has fallocate() with CONFIG_TMPFS only */
	if (err == -EOPNOTSUPP)
		kunit_skip(test, "the backup file has no fallocate()");
	KUNIT_ASSERT_EQ(test, err, 0);
	folio = filemap_get_folio(backup->f_mapping, idx);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, folio);
	KUNIT_EXPECT_FALSE(test, folio_test_uptodate(folio));

	err = ttm_backup_copy_page(backup, dst, idx + 1, false);
	KUNIT_EXPECT_EQ(test, err, 0);
	KUNIT_EXPECT_TRUE(test, ttm_backup_test_zero(dst));
	KUNIT_EXPECT_TRUE_MSG(test, folio_test_uptodate(folio),
			      "read without shmem initialising the folio");
	folio_put(folio);
}

static void ttm_backup_test_folio_put(void *folio)
{
	folio_put(folio);
}

/* Counts the reads through shmem, and makes them */
static struct folio *ttm_backup_test_read_folio(struct address_space *mapping,
						pgoff_t idx)
{
	struct kunit *test = kunit_get_current_test();
	struct ttm_backup_test_priv *priv = test->priv;

	priv->reads++;
	return shmem_read_folio_gfp(mapping, idx, mapping_gfp_mask(mapping));
}

/*
 * A copy in the page cache is read from its folio there, without shmem and
 * its folio lock; a hole goes through shmem, which allocates a zeroed page.
 */
static void ttm_backup_copy_page_cached(struct kunit *test)
{
	struct ttm_backup_test_priv *priv = test->priv;
	struct folio *folio[2];
	struct page *src[2];
	s64 handle[2];
	struct file *backup;
	struct page *dst;
	unsigned int i;
	int err;

	backup = ttm_backup_test_create(test, TTM_BACKUP_TEST_PAGES);
	for (i = 0; i < ARRAY_SIZE(src); i++) {
		src[i] = ttm_backup_test_page(test, GFP_KERNEL, i + 1);
		handle[i] = ttm_backup_backup_page(backup, src[i], false, i,
						   GFP_KERNEL, GFP_KERNEL);
		KUNIT_ASSERT_EQ(test, handle[i], i + 1);
	}
	/* Reclaim does not write out a folio someone holds a reference to */
	for (i = 0; i < ARRAY_SIZE(src); i++) {
		folio[i] = filemap_get_folio(backup->f_mapping, i);
		KUNIT_ASSERT_NOT_ERR_OR_NULL(test, folio[i]);
		err = kunit_add_action_or_reset(test, ttm_backup_test_folio_put,
						folio[i]);
		KUNIT_ASSERT_EQ(test, err, 0);
		if (folio_test_large(folio[i]))
			kunit_skip(test, "the backup went to a large folio");
	}
	kunit_activate_static_stub(test, ttm_backup_read_folio,
				   ttm_backup_test_read_folio);

	for (i = 0; i < ARRAY_SIZE(src); i++)
		ttm_backup_test_expect_copy(test, backup, handle[i], src[i],
					    GFP_KERNEL);
	for (i = 0; i < ARRAY_SIZE(src); i++)
		kunit_release_action(test, ttm_backup_test_folio_put, folio[i]);
	KUNIT_EXPECT_EQ(test, priv->reads, 0);

	ttm_backup_drop(backup, handle[1]);
	dst = ttm_backup_test_page(test, GFP_KERNEL, TTM_BACKUP_TEST_DST_SEED);
	err = ttm_backup_copy_page(backup, dst, handle[1], false);
	KUNIT_EXPECT_EQ(test, err, 0);
	KUNIT_EXPECT_TRUE(test, ttm_backup_test_zero(dst));
	KUNIT_EXPECT_EQ(test, priv->reads, 1);
}

/* Give the file of a _beyond_size case its size of TTM_BACKUP_TEST_PAGES */
static void ttm_backup_test_restore_size(void *inode)
{
	inode_lock(inode);
	i_size_write(inode, (loff_t)TTM_BACKUP_TEST_PAGES << PAGE_SHIFT);
	inode_unlock(inode);
}

/*
 * A handle at or beyond the size of the file fails with -EINVAL, even when
 * a folio of the page cache covers it, as a large folio that straddles the
 * end of the file does: modelled here by a file whose size shrank below a
 * page it holds, without truncation.
 */
static void ttm_backup_copy_page_beyond_size(struct kunit *test)
{
	struct page *src = ttm_backup_test_page(test, GFP_KERNEL, 1);
	struct page *dst = ttm_backup_test_page(test, GFP_KERNEL,
						TTM_BACKUP_TEST_DST_SEED);
	struct file *backup;
	struct inode *inode;
	s64 handle;
	int err;

	backup = ttm_backup_test_create(test, TTM_BACKUP_TEST_PAGES);
	inode = file_inode(backup);
	handle = ttm_backup_backup_page(backup, src, false, 5, GFP_KERNEL,
					GFP_KERNEL);
	KUNIT_ASSERT_EQ(test, handle, 6);
	/* A large folio there would be trimmed at the shrunk size */
	ttm_backup_test_skip_large(test, backup, 5);

	err = kunit_add_action_or_reset(test, ttm_backup_test_restore_size,
					inode);
	KUNIT_ASSERT_EQ(test, err, 0);
	inode_lock(inode);
	i_size_write(inode, (loff_t)5 << PAGE_SHIFT);
	inode_unlock(inode);
	err = ttm_backup_copy_page(backup, dst, handle, false);
	kunit_release_action(test, ttm_backup_test_restore_size, inode);

	KUNIT_EXPECT_EQ(test, err, -EINVAL);
	KUNIT_EXPECT_FALSE_MSG(test, ttm_backup_test_equal(dst, src),
			       "copied from beyond the end of the file");
}

static void ttm_backup_writeback_without_swap(struct kunit *test)
{
	struct page *src = ttm_backup_test_page(test, GFP_KERNEL, 1);
	bool unlocked, dirty, reclaim;
	struct file *backup;
	struct folio *folio;
	s64 handle;

	if (get_nr_swap_pages())
		kunit_skip(test, "a swap device is active");

	/* shmem_writepage() redirties: AOP_WRITEPAGE_ACTIVATE, still locked */
	backup = ttm_backup_test_create(test, 1);
	handle = ttm_backup_backup_page(backup, src, true, 0, GFP_KERNEL,
					GFP_KERNEL);

	folio = filemap_get_folio(backup->f_mapping, 0);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, folio);
	/* Whoever holds the lock of a folio left locked is gone: release it */
	unlocked = folio_trylock(folio);
	folio_unlock(folio);
	dirty = folio_test_dirty(folio);
	reclaim = folio_test_reclaim(folio);
	folio_put(folio);
	ttm_backup_test_skip_large(test, backup, 0);

	KUNIT_EXPECT_TRUE_MSG(test, unlocked, "the folio was left locked");
	KUNIT_EXPECT_TRUE_MSG(test, dirty, "the redirtied folio is clean");
	KUNIT_EXPECT_FALSE(test, reclaim);
	KUNIT_ASSERT_EQ(test, handle, 1);
	KUNIT_EXPECT_EQ(test, ttm_backup_test_nrpages(backup), 1);
	ttm_backup_test_expect_copy(test, backup, handle, src, GFP_KERNEL);
}

/* ->writepage() of shmem without swap: redirty, keep the folio locked */
static int ttm_backup_test_writeout_activate(struct address_space *mapping,
					     struct folio *folio, pgoff_t idx)
{
	struct kunit *test = kunit_get_current_test();
	struct ttm_backup_test_priv *priv = test->priv;

	priv->writeouts++;
	priv->locked_in_stub = folio_test_locked(folio);
	folio_mark_dirty(folio);

	return AOP_WRITEPAGE_ACTIVATE;
}

static void ttm_backup_writeout_activate_unlocks(struct kunit *test)
{
	struct ttm_backup_test_priv *priv = test->priv;
	struct page *src[2];
	struct file *backup;
	struct folio *folio;
	s64 handle[2];
	bool unlocked;

	backup = ttm_backup_test_create(test, 2);
	src[0] = ttm_backup_test_page(test, GFP_KERNEL, 1);
	src[1] = ttm_backup_test_page(test, GFP_KERNEL, 2);

	kunit_activate_static_stub(test, ttm_backup_writeout,
				   ttm_backup_test_writeout_activate);
	/* No writeback unless asked for */
	handle[0] = ttm_backup_backup_page(backup, src[0], false, 0,
					   GFP_KERNEL, GFP_KERNEL);
	KUNIT_EXPECT_EQ(test, priv->writeouts, 0);
	handle[1] = ttm_backup_backup_page(backup, src[1], true, 1,
					   GFP_KERNEL, GFP_KERNEL);
	kunit_deactivate_static_stub(test, ttm_backup_writeout);

	folio = filemap_get_folio(backup->f_mapping, 1);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, folio);
	/* A folio left locked is locked for the stub, which is gone */
	unlocked = folio_trylock(folio);
	folio_unlock(folio);
	folio_put(folio);
	ttm_backup_test_skip_large(test, backup, 1);

	KUNIT_EXPECT_EQ(test, priv->writeouts, 1);
	KUNIT_EXPECT_TRUE(test, priv->locked_in_stub);
	KUNIT_EXPECT_TRUE_MSG(test, unlocked, "the folio was left locked");
	KUNIT_ASSERT_EQ(test, handle[0], 1);
	KUNIT_ASSERT_EQ(test, handle[1], 2);
	ttm_backup_test_expect_copy(test, backup, handle[0], src[0], GFP_KERNEL);
	ttm_backup_test_expect_copy(test, backup, handle[1], src[1], GFP_KERNEL);
}

/*
 * ->writepage() failing as swap_writepage() may: redirty, unlock the folio,
 * return an error. Another owner then locks the folio before the caller
 * looks at it again, so that a second unlock by the caller shows.
 */
static int ttm_backup_test_writeout_error(struct address_space *mapping,
					  struct folio *folio, pgoff_t idx)
{
	struct kunit *test = kunit_get_current_test();
	struct ttm_backup_test_priv *priv = test->priv;

	priv->writeouts++;
	priv->locked_in_stub = folio_test_locked(folio);
	folio_get(folio);
	priv->folio = folio;
	folio_mark_dirty(folio);
	folio_unlock(folio);

	folio_lock(folio);

	return -EIO;
}

static void ttm_backup_writeout_error_unlocks_once(struct kunit *test)
{
	struct ttm_backup_test_priv *priv = test->priv;
	struct page *src = ttm_backup_test_page(test, GFP_KERNEL, 1);
	bool still_locked = false;
	struct file *backup;
	s64 handle;

	backup = ttm_backup_test_create(test, 1);

	kunit_activate_static_stub(test, ttm_backup_writeout,
				   ttm_backup_test_writeout_error);
	handle = ttm_backup_backup_page(backup, src, true, 0, GFP_KERNEL,
					GFP_KERNEL);
	kunit_deactivate_static_stub(test, ttm_backup_writeout);

	/* Release the lock of the other owner if it still has it */
	if (priv->folio) {
		still_locked = folio_test_locked(priv->folio);
		if (still_locked)
			folio_unlock(priv->folio);
		folio_put(priv->folio);
	}
	ttm_backup_test_skip_large(test, backup, 0);

	KUNIT_ASSERT_EQ(test, priv->writeouts, 1);
	KUNIT_EXPECT_TRUE(test, priv->locked_in_stub);
	KUNIT_EXPECT_TRUE_MSG(test, still_locked,
			      "the folio was unlocked twice");
	/* The contents stay in the page cache: the backup succeeds */
	KUNIT_ASSERT_EQ(test, handle, 1);
	ttm_backup_test_expect_copy(test, backup, handle, src, GFP_KERNEL);
}

/* Pretend there are 42 GiB of swap space left */
static u64 ttm_backup_test_bytes_avail(void)
{
	return 42ULL << 30;
}

static void ttm_backup_bytes_avail_is_swap(struct kunit *test)
{
	u64 swap = (u64)get_nr_swap_pages() << PAGE_SHIFT;

	KUNIT_EXPECT_EQ(test, ttm_backup_bytes_avail(), swap);

	kunit_activate_static_stub(test, ttm_backup_bytes_avail,
				   ttm_backup_test_bytes_avail);
	KUNIT_EXPECT_EQ(test, ttm_backup_bytes_avail(), 42ULL << 30);
	kunit_deactivate_static_stub(test, ttm_backup_bytes_avail);

	KUNIT_EXPECT_EQ(test, ttm_backup_bytes_avail(), swap);
}

static void ttm_backup_create_fini(struct kunit *test)
{
	const unsigned long pages = 4;
	struct page *src = ttm_backup_test_page(test, GFP_KERNEL, 1);
	struct file *backup;
	struct inode *inode;
	unsigned int i;
	s64 handle;

	backup = ttm_backup_shmem_create(-1);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(backup), -EINVAL);
	if (!IS_ERR_OR_NULL(backup))
		ttm_backup_fini(backup);

	backup = ttm_backup_shmem_create((loff_t)pages << PAGE_SHIFT);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, backup);
	inode = file_inode(backup);
	/* Keep the inode to see the file release its reference */
	ihold(inode);

	KUNIT_EXPECT_EQ(test, i_size_read(inode), (loff_t)pages << PAGE_SHIFT);

	/* Beyond the size of the file nothing is allocated */
	handle = ttm_backup_backup_page(backup, src, false, pages, GFP_KERNEL,
					GFP_KERNEL);
	KUNIT_EXPECT_EQ(test, handle, -EINVAL);
	KUNIT_EXPECT_EQ(test, ttm_backup_test_nrpages(backup), 0);

	handle = ttm_backup_backup_page(backup, src, false, pages - 1,
					GFP_KERNEL, GFP_KERNEL);
	KUNIT_EXPECT_EQ(test, handle, pages);
	KUNIT_EXPECT_EQ(test, ttm_backup_test_nrpages(backup), 1);
	KUNIT_EXPECT_EQ(test, file_count(backup), 1);

	/* A kernel thread's last fput() is deferred to a work item */
	ttm_backup_fini(backup);
	for (i = 0; i < 100 && atomic_read(&inode->i_count) > 1; i++) {
		flush_delayed_fput();
		if (atomic_read(&inode->i_count) > 1)
			usleep_range(1000, 2000);
	}
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&inode->i_count), 1,
			    "the backup file was not released");
	/* Our reference is the last: this frees the inode and its page */
	iput(inode);
}

static int ttm_backup_test_init(struct kunit *test)
{
	struct ttm_backup_test_priv *priv;

	priv = kunit_kzalloc(test, sizeof(*priv), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, priv);
	test->priv = priv;

	return 0;
}

static struct kunit_case ttm_backup_test_cases[] = {
	KUNIT_CASE(ttm_backup_handle_encoding),
	KUNIT_CASE(ttm_backup_roundtrip),
	KUNIT_CASE(ttm_backup_roundtrip_highmem),
	KUNIT_CASE(ttm_backup_drop_range_basic),
	KUNIT_CASE(ttm_backup_copy_page_killed),
	KUNIT_CASE(ttm_backup_copy_page_fallocated),
	KUNIT_CASE(ttm_backup_copy_page_cached),
	KUNIT_CASE(ttm_backup_copy_page_beyond_size),
	KUNIT_CASE(ttm_backup_writeback_without_swap),
	KUNIT_CASE(ttm_backup_writeout_activate_unlocks),
	KUNIT_CASE(ttm_backup_writeout_error_unlocks_once),
	KUNIT_CASE(ttm_backup_bytes_avail_is_swap),
	KUNIT_CASE(ttm_backup_create_fini),
	{}
};

static struct kunit_suite ttm_backup_test_suite = {
	.name = "ttm_backup",
	.init = ttm_backup_test_init,
	.test_cases = ttm_backup_test_cases,
};

kunit_test_suites(&ttm_backup_test_suite);

MODULE_DESCRIPTION("KUnit tests for the shmem backup of TTM");
MODULE_LICENSE("GPL and additional rights");
