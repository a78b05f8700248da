// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit test suite for GEM objects backed by shmem buffers
 *
 * Copyright (C) 2023 Red Hat, Inc.
 *
 * Author: Marco Pagani <marpagan@redhat.com>
 */

#include <linux/debug_locks.h>
#include <linux/delay.h>
#include <linux/dma-buf.h>
#include <linux/dma-fence.h>
#include <linux/dma-resv.h>
#include <linux/file.h>
#include <linux/iosys-map.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/sched/mm.h>
#include <linux/shrinker.h>
#include <linux/sizes.h>
#include <linux/uaccess.h>
#include <linux/vmstat.h>

#include <kunit/device.h>
#include <kunit/static_stub.h>
#include <kunit/test.h>

#include <drm/drm_device.h>
#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_gem_shmem_helper.h>
#include <drm/drm_kunit_helpers.h>
#include <drm/drm_prime.h>

#define TEST_SIZE		SZ_1M
#define TEST_BYTE		0xae

/*
 * Wrappers to avoid cast warnings when passing action functions
 * directly to kunit_add_action().
 */
KUNIT_DEFINE_ACTION_WRAPPER(kfree_wrapper, kfree, const void *);

KUNIT_DEFINE_ACTION_WRAPPER(sg_free_table_wrapper, sg_free_table,
			    struct sg_table *);

KUNIT_DEFINE_ACTION_WRAPPER(drm_gem_shmem_free_wrapper, drm_gem_shmem_free,
			    struct drm_gem_shmem_object *);

KUNIT_DEFINE_ACTION_WRAPPER(drm_gem_shmem_unpin_wrapper, drm_gem_shmem_unpin,
			    struct drm_gem_shmem_object *);

/*
 * Test creating a shmem GEM object backed by shmem buffer. The test
 * case succeeds if the GEM object is successfully allocated with the
 * shmem file node and object functions attributes set, and the size
 * attribute is equal to the correct size.
 */
static void drm_gem_shmem_test_obj_create(struct kunit *test)
{
	struct drm_device *drm_dev = test->priv;
	struct drm_gem_shmem_object *shmem;

	shmem = drm_gem_shmem_create(drm_dev, TEST_SIZE);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, shmem);
	KUNIT_EXPECT_EQ(test, shmem->base.size, TEST_SIZE);
	KUNIT_EXPECT_NOT_NULL(test, shmem->base.filp);
	KUNIT_EXPECT_NOT_NULL(test, shmem->base.funcs);

	drm_gem_shmem_free(shmem);
}

/*
 * Test creating a shmem GEM object from a scatter/gather table exported
 * via a DMA-BUF. The test case succeed if the GEM object is successfully
 * created with the shmem file node attribute equal to NULL and the sgt
 * attribute pointing to the scatter/gather table that has been imported.
 */
static void drm_gem_shmem_test_obj_create_private(struct kunit *test)
{
	struct drm_device *drm_dev = test->priv;
	struct drm_gem_shmem_object *shmem;
	struct drm_gem_object *gem_obj;
	struct dma_buf buf_mock;
	struct dma_buf_attachment attach_mock;
	struct sg_table *sgt;
	char *buf;
	int ret;

	/* Create a mock scatter/gather table */
	buf = kunit_kzalloc(test, TEST_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);

	sgt = kzalloc(sizeof(*sgt), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, sgt);

	ret = kunit_add_action_or_reset(test, kfree_wrapper, sgt);
	KUNIT_ASSERT_EQ(test, ret, 0);

	ret = sg_alloc_table(sgt, 1, GFP_KERNEL);
	KUNIT_ASSERT_EQ(test, ret, 0);

	ret = kunit_add_action_or_reset(test, sg_free_table_wrapper, sgt);
	KUNIT_ASSERT_EQ(test, ret, 0);

	sg_init_one(sgt->sgl, buf, TEST_SIZE);

	/*
	 * Map the sgtables otherwise drm_gem_shmem_free will cause a warning on
	 * debug kernels.
	 */
	ret = dma_map_sgtable(drm_dev->dev, sgt, DMA_BIDIRECTIONAL, 0);
	KUNIT_ASSERT_EQ(test, ret, 0);

	/* Init a mock DMA-BUF */
	buf_mock.size = TEST_SIZE;
	attach_mock.dmabuf = &buf_mock;

	gem_obj = drm_gem_shmem_prime_import_sg_table(drm_dev, &attach_mock, sgt);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, gem_obj);
	KUNIT_EXPECT_EQ(test, gem_obj->size, TEST_SIZE);
	KUNIT_EXPECT_NULL(test, gem_obj->filp);
	KUNIT_EXPECT_NOT_NULL(test, gem_obj->funcs);

	/* The scatter/gather table will be freed by drm_gem_shmem_free */
	kunit_remove_action(test, sg_free_table_wrapper, sgt);
	kunit_remove_action(test, kfree_wrapper, sgt);

	shmem = to_drm_gem_shmem_obj(gem_obj);
	KUNIT_EXPECT_PTR_EQ(test, shmem->sgt, sgt);

	drm_gem_shmem_free(shmem);
}

/*
 * Test pinning backing pages for a shmem GEM object. The test case
 * succeeds if a suitable number of backing pages are allocated, and
 * the pages table counter attribute is increased by one.
 */
static void drm_gem_shmem_test_pin_pages(struct kunit *test)
{
	struct drm_device *drm_dev = test->priv;
	struct drm_gem_shmem_object *shmem;
	int i, ret;

	shmem = drm_gem_shmem_create(drm_dev, TEST_SIZE);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, shmem);
	KUNIT_EXPECT_NULL(test, shmem->pages);
	KUNIT_EXPECT_EQ(test, shmem->pages_use_count, 0);

	ret = kunit_add_action_or_reset(test, drm_gem_shmem_free_wrapper, shmem);
	KUNIT_ASSERT_EQ(test, ret, 0);

	ret = drm_gem_shmem_pin(shmem);
	KUNIT_ASSERT_EQ(test, ret, 0);
	KUNIT_ASSERT_NOT_NULL(test, shmem->pages);
	KUNIT_EXPECT_EQ(test, shmem->pages_use_count, 1);
	KUNIT_EXPECT_EQ(test, refcount_read(&shmem->pages_pin_count), 1);

	for (i = 0; i < (shmem->base.size >> PAGE_SHIFT); i++)
		KUNIT_ASSERT_NOT_NULL(test, shmem->pages[i]);

	drm_gem_shmem_unpin(shmem);
	KUNIT_EXPECT_NULL(test, shmem->pages);
	KUNIT_EXPECT_EQ(test, shmem->pages_use_count, 0);
	KUNIT_EXPECT_EQ(test, refcount_read(&shmem->pages_pin_count), 0);
}

/*
 * Test that pins are counted apart from other users of the pages. All pins
 * together hold one pages reference, so a second pin leaves pages_use_count
 * alone, and unpinning an object that also has a scatter/gather table keeps
 * its pages. The test case fails if pinning and using the pages cannot be
 * told apart.
 */
static void drm_gem_shmem_test_pin_count(struct kunit *test)
{
	struct drm_device *drm_dev = test->priv;
	struct drm_gem_shmem_object *shmem;
	struct sg_table *sgt;
	int ret;

	shmem = drm_gem_shmem_create(drm_dev, TEST_SIZE);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, shmem);

	ret = kunit_add_action_or_reset(test, drm_gem_shmem_free_wrapper, shmem);
	KUNIT_ASSERT_EQ(test, ret, 0);

	/* The scatter/gather table will be freed by drm_gem_shmem_free */
	sgt = drm_gem_shmem_get_pages_sgt(shmem);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, sgt);
	KUNIT_EXPECT_EQ(test, shmem->pages_use_count, 1);
	KUNIT_EXPECT_EQ(test, refcount_read(&shmem->pages_pin_count), 0);

	ret = drm_gem_shmem_pin(shmem);
	KUNIT_ASSERT_EQ(test, ret, 0);
	ret = drm_gem_shmem_pin(shmem);
	KUNIT_ASSERT_EQ(test, ret, 0);
	KUNIT_EXPECT_EQ(test, shmem->pages_use_count, 2);
	KUNIT_EXPECT_EQ(test, refcount_read(&shmem->pages_pin_count), 2);

	drm_gem_shmem_unpin(shmem);
	drm_gem_shmem_unpin(shmem);
	KUNIT_EXPECT_EQ(test, refcount_read(&shmem->pages_pin_count), 0);
	KUNIT_EXPECT_EQ(test, shmem->pages_use_count, 1);
	KUNIT_EXPECT_NOT_NULL(test, shmem->pages);
}

/*
 * Test creating a virtual mapping for a shmem GEM object. The test
 * case succeeds if the backing memory is mapped and the reference
 * counter for virtual mapping is increased by one. Moreover, the test
 * case writes and then reads a test pattern over the mapped memory.
 */
static void drm_gem_shmem_test_vmap(struct kunit *test)
{
	struct drm_device *drm_dev = test->priv;
	struct drm_gem_shmem_object *shmem;
	struct iosys_map map;
	int ret, i;

	shmem = drm_gem_shmem_create(drm_dev, TEST_SIZE);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, shmem);
	KUNIT_EXPECT_NULL(test, shmem->vaddr);
	KUNIT_EXPECT_EQ(test, shmem->vmap_use_count, 0);

	ret = kunit_add_action_or_reset(test, drm_gem_shmem_free_wrapper, shmem);
	KUNIT_ASSERT_EQ(test, ret, 0);

	dma_resv_lock(shmem->base.resv, NULL);
	ret = drm_gem_shmem_vmap_locked(shmem, &map);
	dma_resv_unlock(shmem->base.resv);
	KUNIT_ASSERT_EQ(test, ret, 0);
	KUNIT_ASSERT_NOT_NULL(test, shmem->vaddr);
	KUNIT_ASSERT_FALSE(test, iosys_map_is_null(&map));
	KUNIT_EXPECT_EQ(test, shmem->vmap_use_count, 1);

	iosys_map_memset(&map, 0, TEST_BYTE, TEST_SIZE);
	for (i = 0; i < TEST_SIZE; i++)
		KUNIT_EXPECT_EQ(test, iosys_map_rd(&map, i, u8), TEST_BYTE);

	dma_resv_lock(shmem->base.resv, NULL);
	drm_gem_shmem_vunmap_locked(shmem, &map);
	dma_resv_unlock(shmem->base.resv);
	KUNIT_EXPECT_NULL(test, shmem->vaddr);
	KUNIT_EXPECT_EQ(test, shmem->vmap_use_count, 0);
}

/*
 * Test exporting a scatter/gather table of pinned pages suitable for
 * PRIME usage from a shmem GEM object. The test case succeeds if a
 * scatter/gather table large enough to accommodate the backing memory
 * is successfully exported.
 */
static void drm_gem_shmem_test_get_sg_table(struct kunit *test)
{
	struct drm_device *drm_dev = test->priv;
	struct drm_gem_shmem_object *shmem;
	struct sg_table *sgt;
	struct scatterlist *sg;
	unsigned int si, len = 0;
	int ret;

	shmem = drm_gem_shmem_create(drm_dev, TEST_SIZE);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, shmem);

	ret = kunit_add_action_or_reset(test, drm_gem_shmem_free_wrapper, shmem);
	KUNIT_ASSERT_EQ(test, ret, 0);

	ret = drm_gem_shmem_pin(shmem);
	KUNIT_ASSERT_EQ(test, ret, 0);

	ret = kunit_add_action_or_reset(test, drm_gem_shmem_unpin_wrapper, shmem);
	KUNIT_ASSERT_EQ(test, ret, 0);

	sgt = drm_gem_shmem_get_sg_table(shmem);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, sgt);
	KUNIT_EXPECT_NULL(test, shmem->sgt);

	ret = kunit_add_action_or_reset(test, kfree_wrapper, sgt);
	KUNIT_ASSERT_EQ(test, ret, 0);

	ret = kunit_add_action_or_reset(test, sg_free_table_wrapper, sgt);
	KUNIT_ASSERT_EQ(test, ret, 0);

	for_each_sgtable_sg(sgt, sg, si) {
		KUNIT_EXPECT_NOT_NULL(test, sg);
		len += sg->length;
	}

	KUNIT_EXPECT_GE(test, len, TEST_SIZE);
}

/*
 * Test pinning pages and exporting a scatter/gather table suitable for
 * driver usage from a shmem GEM object. The test case succeeds if the
 * backing pages are pinned and a scatter/gather table large enough to
 * accommodate the backing memory is successfully exported.
 */
static void drm_gem_shmem_test_get_pages_sgt(struct kunit *test)
{
	struct drm_device *drm_dev = test->priv;
	struct drm_gem_shmem_object *shmem;
	struct sg_table *sgt;
	struct scatterlist *sg;
	unsigned int si, ret, len = 0;

	shmem = drm_gem_shmem_create(drm_dev, TEST_SIZE);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, shmem);

	ret = kunit_add_action_or_reset(test, drm_gem_shmem_free_wrapper, shmem);
	KUNIT_ASSERT_EQ(test, ret, 0);

	/* The scatter/gather table will be freed by drm_gem_shmem_free */
	sgt = drm_gem_shmem_get_pages_sgt(shmem);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, sgt);
	KUNIT_ASSERT_NOT_NULL(test, shmem->pages);
	KUNIT_EXPECT_EQ(test, shmem->pages_use_count, 1);
	KUNIT_EXPECT_PTR_EQ(test, sgt, shmem->sgt);

	for_each_sgtable_sg(sgt, sg, si) {
		KUNIT_EXPECT_NOT_NULL(test, sg);
		len += sg->length;
	}

	KUNIT_EXPECT_GE(test, len, TEST_SIZE);
}

/*
 * Test updating the madvise state of a shmem GEM object. The test
 * case checks that the function for setting madv updates it only if
 * its current value is greater or equal than zero and returns false
 * if it has a negative value.
 */
static void drm_gem_shmem_test_madvise(struct kunit *test)
{
	struct drm_device *drm_dev = test->priv;
	struct drm_gem_shmem_object *shmem;
	int ret;

	shmem = drm_gem_shmem_create(drm_dev, TEST_SIZE);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, shmem);
	KUNIT_ASSERT_EQ(test, shmem->madv, 0);

	ret = kunit_add_action_or_reset(test, drm_gem_shmem_free_wrapper, shmem);
	KUNIT_ASSERT_EQ(test, ret, 0);

	dma_resv_lock(shmem->base.resv, NULL);
	ret = drm_gem_shmem_madvise_locked(shmem, 1);
	dma_resv_unlock(shmem->base.resv);
	KUNIT_EXPECT_TRUE(test, ret);
	KUNIT_ASSERT_EQ(test, shmem->madv, 1);

	/* Set madv to a negative value */
	dma_resv_lock(shmem->base.resv, NULL);
	ret = drm_gem_shmem_madvise_locked(shmem, -1);
	dma_resv_unlock(shmem->base.resv);
	KUNIT_EXPECT_FALSE(test, ret);
	KUNIT_ASSERT_EQ(test, shmem->madv, -1);

	/* Check that madv cannot be set back to a positive value */
	dma_resv_lock(shmem->base.resv, NULL);
	ret = drm_gem_shmem_madvise_locked(shmem, 0);
	dma_resv_unlock(shmem->base.resv);
	KUNIT_EXPECT_FALSE(test, ret);
	KUNIT_ASSERT_EQ(test, shmem->madv, -1);
}

/*
 * Test purging a shmem GEM object. First, assert that a newly created
 * shmem GEM object is not purgeable. Then, set madvise to a positive
 * value and call drm_gem_shmem_get_pages_sgt() to pin and dma-map the
 * backing pages. Finally, assert that the shmem GEM object is now
 * purgeable and purge it.
 */
static void drm_gem_shmem_test_purge(struct kunit *test)
{
	struct drm_device *drm_dev = test->priv;
	struct drm_gem_shmem_object *shmem;
	struct sg_table *sgt;
	int ret;

	shmem = drm_gem_shmem_create(drm_dev, TEST_SIZE);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, shmem);

	ret = kunit_add_action_or_reset(test, drm_gem_shmem_free_wrapper, shmem);
	KUNIT_ASSERT_EQ(test, ret, 0);

	ret = drm_gem_shmem_is_purgeable(shmem);
	KUNIT_EXPECT_FALSE(test, ret);

	dma_resv_lock(shmem->base.resv, NULL);
	ret = drm_gem_shmem_madvise_locked(shmem, 1);
	dma_resv_unlock(shmem->base.resv);
	KUNIT_EXPECT_TRUE(test, ret);

	/* The scatter/gather table will be freed by drm_gem_shmem_free */
	sgt = drm_gem_shmem_get_pages_sgt(shmem);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, sgt);

	ret = drm_gem_shmem_is_purgeable(shmem);
	KUNIT_EXPECT_TRUE(test, ret);

	dma_resv_lock(shmem->base.resv, NULL);
	drm_gem_shmem_purge_locked(shmem);
	dma_resv_unlock(shmem->base.resv);
	KUNIT_EXPECT_NULL(test, shmem->pages);
	KUNIT_EXPECT_NULL(test, shmem->sgt);
	KUNIT_EXPECT_EQ(test, shmem->madv, -1);
}

/*
 * The object whose LRU pointer drm_gem_shmem_test_lru_peek() reads, and what
 * it read. drm_gem_lru_scan() passes nothing else to its callback.
 */
static struct drm_gem_object *drm_gem_shmem_test_lru_watched;
static struct drm_gem_lru *drm_gem_shmem_test_lru_seen;

/*
 * A shrink callback that refuses every object and, when offered another
 * object than the watched one, records which LRU the watched one points at.
 */
static bool drm_gem_shmem_test_lru_peek(struct drm_gem_object *obj)
{
	if (obj != drm_gem_shmem_test_lru_watched)
		drm_gem_shmem_test_lru_seen =
			READ_ONCE(drm_gem_shmem_test_lru_watched->lru);

	return false;
}

/*
 * Test that an object that drm_gem_lru_scan() has visited keeps pointing at
 * its LRU while the scan goes on. drm_gem_lru_remove(), called when an object
 * is freed, reads obj->lru without the LRU lock and takes and releases the
 * lock through it: if the scan pointed obj->lru at an LRU on its own stack,
 * a remover racing with the scan would use that stack frame after the scan
 * returned. The test watches the first object of the LRU from the callback
 * for the second, i.e. while the scan is between the two.
 */
static void drm_gem_shmem_test_lru_scan_keeps_lru(struct kunit *test)
{
	struct drm_device *drm_dev = test->priv;
	struct drm_gem_shmem_object *shmem[2];
	unsigned long remaining = 0, freed;
	struct drm_gem_lru *lru;
	struct mutex *lock; /* protects lru */
	unsigned int i;
	int ret;

	lock = kunit_kzalloc(test, sizeof(*lock), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, lock);
	mutex_init(lock);
	lru = kunit_kzalloc(test, sizeof(*lru), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, lru);
	drm_gem_lru_init(lru, lock);

	for (i = 0; i < ARRAY_SIZE(shmem); i++) {
		shmem[i] = drm_gem_shmem_create(drm_dev, PAGE_SIZE);
		KUNIT_ASSERT_NOT_ERR_OR_NULL(test, shmem[i]);
		ret = kunit_add_action_or_reset(test, drm_gem_shmem_free_wrapper,
						shmem[i]);
		KUNIT_ASSERT_EQ(test, ret, 0);
		drm_gem_lru_move_tail(lru, &shmem[i]->base);
	}

	drm_gem_shmem_test_lru_watched = &shmem[0]->base;
	drm_gem_shmem_test_lru_seen = NULL;
	freed = drm_gem_lru_scan(lru, ARRAY_SIZE(shmem), &remaining,
				 drm_gem_shmem_test_lru_peek);
	drm_gem_shmem_test_lru_watched = NULL;

	KUNIT_EXPECT_EQ(test, freed, 0);
	KUNIT_EXPECT_EQ(test, remaining, ARRAY_SIZE(shmem));
	KUNIT_EXPECT_PTR_EQ_MSG(test, drm_gem_shmem_test_lru_seen, lru,
				"a visited object pointed at %p during the scan, not at its LRU %p",
				drm_gem_shmem_test_lru_seen, lru);
	KUNIT_EXPECT_PTR_EQ(test, shmem[0]->base.lru, lru);
	KUNIT_EXPECT_EQ(test, lru->count, ARRAY_SIZE(shmem));
}

#define TEST_LRU_OBJECTS	1024
#define TEST_LRU_NR_TO_SCAN	128

struct drm_gem_shmem_test_lru {
	struct mutex lock; /* protects lru */
	struct drm_gem_lru lru;
	unsigned int shrink_calls;
	struct drm_gem_shmem_object *objs[TEST_LRU_OBJECTS];
};

/* A shrink callback that refuses every object, as for busy objects. */
static bool drm_gem_shmem_test_lru_refuse(struct drm_gem_object *obj, void *arg)
{
	struct drm_gem_shmem_test_lru *t = arg;

	dma_resv_assert_held(obj->resv);
	t->shrink_calls++;

	return false;
}

/*
 * Test that drm_gem_lru_scan_limited() visits no more than nr_to_scan
 * pages of an LRU whose objects cannot be shrunk, reports them in
 * nr_scanned and rotates them to the tail. The test knows how many objects
 * were visited without trusting nr_scanned: it counts the callbacks, and it
 * looks up which object is at the head of the LRU after the scan.
 */
static void drm_gem_shmem_test_lru_scan_limited(struct kunit *test)
{
	struct drm_device *drm_dev = test->priv;
	struct drm_gem_shmem_test_lru *t;
	unsigned long nr_scanned = 0, remaining = 0, freed;
	struct drm_gem_object *head;
	unsigned int i;
	int ret;

	t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	mutex_init(&t->lock);
	drm_gem_lru_init(&t->lru, &t->lock);

	for (i = 0; i < TEST_LRU_OBJECTS; i++) {
		t->objs[i] = drm_gem_shmem_create(drm_dev, PAGE_SIZE);
		KUNIT_ASSERT_NOT_ERR_OR_NULL(test, t->objs[i]);
		ret = kunit_add_action_or_reset(test, drm_gem_shmem_free_wrapper,
						t->objs[i]);
		KUNIT_ASSERT_EQ(test, ret, 0);
		drm_gem_lru_move_tail(&t->lru, &t->objs[i]->base);
	}
	KUNIT_EXPECT_EQ(test, t->lru.count, TEST_LRU_OBJECTS);

	freed = drm_gem_lru_scan_limited(&t->lru, TEST_LRU_NR_TO_SCAN,
					 &nr_scanned, &remaining,
					 drm_gem_shmem_test_lru_refuse, t);
	KUNIT_EXPECT_EQ(test, freed, 0);
	KUNIT_EXPECT_EQ(test, nr_scanned, TEST_LRU_NR_TO_SCAN);
	KUNIT_EXPECT_EQ(test, remaining, TEST_LRU_NR_TO_SCAN);
	KUNIT_EXPECT_EQ(test, t->shrink_calls, TEST_LRU_NR_TO_SCAN);
	KUNIT_EXPECT_EQ(test, t->lru.count, TEST_LRU_OBJECTS);

	mutex_lock(&t->lock);
	head = list_first_entry(&t->lru.list, struct drm_gem_object, lru_node);
	mutex_unlock(&t->lock);
	KUNIT_EXPECT_PTR_EQ(test, head, &t->objs[TEST_LRU_NR_TO_SCAN]->base);
}

static int drm_gem_shmem_test_init(struct kunit *test)
{
	struct device *dev;
	struct drm_device *drm_dev;
	int ret;

	/* Allocate a parent device */
	dev = drm_kunit_helper_alloc_device(test);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dev);

	/*
	 * Set the DMA mask to 64-bits to avoid intermittent failures calling
	 * drm_gem_shmem_get_pages_sgt().
	 */
	ret = dma_set_mask(dev, DMA_BIT_MASK(64));
	KUNIT_ASSERT_EQ(test, ret, 0);

	/*
	 * The DRM core will automatically initialize the GEM core and create
	 * a DRM Memory Manager object which provides an address space pool
	 * for GEM objects allocation.
	 */
	drm_dev = __drm_kunit_helper_alloc_drm_device(test, dev, sizeof(*drm_dev),
						      0, DRIVER_GEM);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, drm_dev);

	test->priv = drm_dev;

	return 0;
}

static struct kunit_case drm_gem_shmem_test_cases[] = {
	KUNIT_CASE(drm_gem_shmem_test_obj_create),
	KUNIT_CASE(drm_gem_shmem_test_obj_create_private),
	KUNIT_CASE(drm_gem_shmem_test_pin_pages),
	KUNIT_CASE(drm_gem_shmem_test_pin_count),
	KUNIT_CASE(drm_gem_shmem_test_vmap),
	KUNIT_CASE(drm_gem_shmem_test_get_sg_table),
	KUNIT_CASE(drm_gem_shmem_test_get_pages_sgt),
	KUNIT_CASE(drm_gem_shmem_test_madvise),
	KUNIT_CASE(drm_gem_shmem_test_purge),
	KUNIT_CASE(drm_gem_shmem_test_lru_scan_keeps_lru),
	KUNIT_CASE(drm_gem_shmem_test_lru_scan_limited),
	{}
};

static struct kunit_suite drm_gem_shmem_suite = {
	.name = "drm_gem_shmem",
	.init = drm_gem_shmem_test_init,
	.test_cases = drm_gem_shmem_test_cases
};

/*
 * The shrinker suite runs a mock driver whose device has the generic shmem
 * shrinker, and whose objects use the shmem object functions plus the evict
 * and purge callbacks (drm_gem_shmem_test_funcs), so they can be purged,
 * evicted and swapped in. KUnit guests have no swap: the "can swap" check is
 * a static stub that each case controls through can_swap. Most cases call
 * the shrinker's scan directly, with the gfp mask and nr_to_scan of their
 * choice; those that need the shrinker's registration go through real
 * reclaim with drop_slab(). Cases check object state through the counts and
 * pointers the page life cycle is derived from, and content through the
 * kernel mapping.
 */

DEFINE_DRM_GEM_FOPS(drm_gem_shmem_test_fops);

/* The mock driver: shmem object functions, and a file to mmap. */
static const struct drm_driver drm_gem_shmem_test_driver = {
	.driver_features = DRIVER_GEM,
	.fops = &drm_gem_shmem_test_fops,
	DRM_GEM_SHMEM_DRIVER_OPS,
};

/* State of the mock driver that its shrinker callbacks use. */
struct drm_gem_shmem_test_drv_state {
	unsigned long magic;
};

#define TEST_DRV_STATE_MAGIC	0x5eed5eedUL

struct drm_gem_shmem_shrinker_test {
	struct drm_device *drm;
	bool can_swap;
	/* Reference that drm_gem_shmem_test_evict_and_put() drops */
	struct drm_gem_object *put_in_evict;
	/* Object whose eviction drops put_in_evict; put_in_evict if NULL */
	struct drm_gem_object *put_in_evict_by;
	/* Driver state, freed at remove, and the callbacks that used it */
	struct drm_gem_shmem_test_drv_state *drv_state;
	atomic_t drv_callbacks;
	/* drm_gem_shmem_test_evict_blocking() blocks this task's scan */
	struct task_struct *evict_blocker;
	/* drm_gem_shmem_test_evict_blocking() is in, may leave */
	struct completion in_evict;
	struct completion leave_evict;
};

struct drm_gem_shmem_test_fence {
	struct dma_fence base;
	spinlock_t lock; /* fence lock */
};

static bool drm_gem_shmem_test_can_swap(unsigned long nr_pages)
{
	struct drm_gem_shmem_shrinker_test *t = kunit_get_current_test()->priv;

	return READ_ONCE(t->can_swap);
}

static int drm_gem_shmem_test_acquire_pages_fail(struct drm_gem_shmem_object *shmem)
{
	return -ENOMEM;
}

static const char *drm_gem_shmem_test_fence_name(struct dma_fence *fence)
{
	return "drm_gem_shmem_test";
}

static const struct dma_fence_ops drm_gem_shmem_test_fence_ops = {
	.get_driver_name = drm_gem_shmem_test_fence_name,
	.get_timeline_name = drm_gem_shmem_test_fence_name,
};

static void drm_gem_shmem_test_fence_release(void *ptr)
{
	struct dma_fence *fence = ptr;

	dma_fence_signal(fence);
	dma_fence_put(fence);
}

/* An unsignaled fence, signaled and put when the case ends. */
static struct dma_fence *drm_gem_shmem_test_fence(struct kunit *test)
{
	struct drm_gem_shmem_test_fence *f;
	int ret;

	f = kzalloc(sizeof(*f), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, f);
	spin_lock_init(&f->lock);
	dma_fence_init(&f->base, &drm_gem_shmem_test_fence_ops, &f->lock,
		       dma_fence_context_alloc(1), 1);

	ret = kunit_add_action_or_reset(test, drm_gem_shmem_test_fence_release,
					&f->base);
	KUNIT_ASSERT_EQ(test, ret, 0);

	return &f->base;
}

/* Makes @shmem busy until @fence signals, as a GPU job would. */
static void drm_gem_shmem_test_add_fence(struct kunit *test,
					 struct drm_gem_shmem_object *shmem,
					 struct dma_fence *fence)
{
	int ret;

	dma_resv_lock(shmem->base.resv, NULL);
	ret = dma_resv_reserve_fences(shmem->base.resv, 1);
	if (!ret)
		dma_resv_add_fence(shmem->base.resv, fence,
				   DMA_RESV_USAGE_BOOKKEEP);
	dma_resv_unlock(shmem->base.resv);
	KUNIT_ASSERT_EQ(test, ret, 0);
}

/* The shmem object functions that every funcs table of the suite has. */
#define DRM_GEM_SHMEM_TEST_FUNCS \
	.print_info = drm_gem_shmem_object_print_info, \
	.pin = drm_gem_shmem_object_pin, \
	.unpin = drm_gem_shmem_object_unpin, \
	.get_sg_table = drm_gem_shmem_object_get_sg_table, \
	.vmap = drm_gem_shmem_object_vmap, \
	.vunmap = drm_gem_shmem_object_vunmap, \
	.mmap = drm_gem_shmem_object_mmap, \
	.vm_ops = &drm_gem_shmem_vm_ops

/* What a driver that asks for eviction and purging sets. */
static const struct drm_gem_object_funcs drm_gem_shmem_test_funcs = {
	DRM_GEM_SHMEM_TEST_FUNCS,
	.free = drm_gem_shmem_object_free,
	.evict = drm_gem_shmem_object_evict,
	.purge = drm_gem_shmem_object_purge,
};

/* An object with drm_gem_shmem_test_funcs, freed when the case ends. */
static struct drm_gem_shmem_object *
drm_gem_shmem_test_create(struct kunit *test, size_t size)
{
	struct drm_gem_shmem_shrinker_test *t = test->priv;
	struct drm_gem_shmem_object *shmem;
	int ret;

	shmem = drm_gem_shmem_create(t->drm, size);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, shmem);
	shmem->base.funcs = &drm_gem_shmem_test_funcs;

	ret = kunit_add_action_or_reset(test, drm_gem_shmem_free_wrapper, shmem);
	KUNIT_ASSERT_EQ(test, ret, 0);

	return shmem;
}

static void drm_gem_shmem_test_put_pages(void *ptr)
{
	struct drm_gem_shmem_object *shmem = ptr;

	dma_resv_lock(shmem->base.resv, NULL);
	drm_gem_shmem_put_pages_locked(shmem);
	dma_resv_unlock(shmem->base.resv);
}

/*
 * Takes a pages reference that the case holds until it ends, as a driver's
 * GPU mapping would: the object stays evicted, not unpopulated, when the
 * shrinker evicts it.
 */
static void drm_gem_shmem_test_get_pages(struct kunit *test,
					 struct drm_gem_shmem_object *shmem)
{
	int ret;

	dma_resv_lock(shmem->base.resv, NULL);
	ret = drm_gem_shmem_get_pages_locked(shmem);
	dma_resv_unlock(shmem->base.resv);
	KUNIT_ASSERT_EQ(test, ret, 0);

	ret = kunit_add_action_or_reset(test, drm_gem_shmem_test_put_pages, shmem);
	KUNIT_ASSERT_EQ(test, ret, 0);
}

static void drm_gem_shmem_test_vunmap(void *ptr)
{
	struct drm_gem_shmem_object *shmem = ptr;
	struct iosys_map map = IOSYS_MAP_INIT_VADDR(shmem->vaddr);

	dma_resv_lock(shmem->base.resv, NULL);
	drm_gem_shmem_vunmap_locked(shmem, &map);
	dma_resv_unlock(shmem->base.resv);
}

static void drm_gem_shmem_test_set_madv(struct drm_gem_shmem_object *shmem, int madv)
{
	dma_resv_lock(shmem->base.resv, NULL);
	drm_gem_shmem_madvise_locked(shmem, madv);
	dma_resv_unlock(shmem->base.resv);
}

static u32 drm_gem_shmem_test_pattern(u32 seed, size_t i)
{
	return seed * 0x9e3779b9 + i;
}

/* Writes a pattern that depends on @seed and on the offset. */
static int drm_gem_shmem_test_fill(struct drm_gem_shmem_object *shmem, u32 seed)
{
	struct iosys_map map;
	size_t i;
	int ret;

	dma_resv_lock(shmem->base.resv, NULL);
	ret = drm_gem_shmem_vmap_locked(shmem, &map);
	if (!ret) {
		for (i = 0; i < shmem->base.size / sizeof(u32); i++)
			iosys_map_wr(&map, i * sizeof(u32), u32,
				     drm_gem_shmem_test_pattern(seed, i));
		drm_gem_shmem_vunmap_locked(shmem, &map);
	}
	dma_resv_unlock(shmem->base.resv);

	return ret;
}

/*
 * Reads the object back through a kernel mapping, which swaps it in. Returns
 * the vmap error, or -EILSEQ with the first difference in *bad_offset, *got
 * and *expected.
 */
static int drm_gem_shmem_test_compare(struct drm_gem_shmem_object *shmem, u32 seed,
				      size_t *bad_offset, u32 *got, u32 *expected)
{
	struct iosys_map map;
	size_t i;
	int ret;

	dma_resv_lock(shmem->base.resv, NULL);
	ret = drm_gem_shmem_vmap_locked(shmem, &map);
	if (!ret) {
		for (i = 0; i < shmem->base.size / sizeof(u32); i++) {
			*got = iosys_map_rd(&map, i * sizeof(u32), u32);
			*expected = drm_gem_shmem_test_pattern(seed, i);
			if (*got != *expected) {
				*bad_offset = i * sizeof(u32);
				ret = -EILSEQ;
				break;
			}
		}
		drm_gem_shmem_vunmap_locked(shmem, &map);
	}
	dma_resv_unlock(shmem->base.resv);

	return ret;
}

static void assert_content(struct kunit *test, struct drm_gem_shmem_object *shmem,
			   u32 seed)
{
	size_t offset = 0;
	u32 got = 0, expected = 0;
	int ret;

	ret = drm_gem_shmem_test_compare(shmem, seed, &offset, &got, &expected);
	KUNIT_ASSERT_EQ_MSG(test, ret, 0,
			    "content differs at offset %zu: %#x, expected %#x",
			    offset, got, expected);
}

static void assert_resident(struct kunit *test, struct drm_gem_shmem_object *shmem)
{
	KUNIT_ASSERT_NOT_NULL_MSG(test, shmem->pages,
				  "pages_use_count %u, madv %d",
				  shmem->pages_use_count, shmem->madv);
}

/* Runs one scan of the device's shrinker. */
static unsigned long drm_gem_shmem_test_shrink(struct kunit *test, gfp_t gfp,
					       unsigned long nr_to_scan,
					       unsigned long *nr_scanned)
{
	struct drm_gem_shmem_shrinker_test *t = test->priv;
	struct shrinker *shrinker = t->drm->shmem_shrinker->shrinker;
	struct shrink_control sc = {
		.gfp_mask = gfp,
		.nr_to_scan = nr_to_scan,
	};
	unsigned long freed;

	freed = shrinker->scan_objects(shrinker, &sc);
	if (nr_scanned)
		*nr_scanned = sc.nr_scanned;

	return freed;
}

static unsigned long drm_gem_shmem_test_count(struct kunit *test)
{
	struct drm_gem_shmem_shrinker_test *t = test->priv;
	struct shrinker *shrinker = t->drm->shmem_shrinker->shrinker;
	struct shrink_control sc = { .gfp_mask = GFP_KERNEL };

	return shrinker->count_objects(shrinker, &sc);
}

/*
 * Runs real reclaim of the slab caches: every registered shrinker, through
 * do_shrink_slab(), as drop_caches does. drop_slab() is not exported, so only
 * a built-in suite can call it; modular ones skip the cases that need it.
 */
static void drm_gem_shmem_test_drop_slab(void)
{
#if IS_BUILTIN(CONFIG_DRM_KUNIT_TEST)
	drop_slab();
#endif
}

#define TEST_DROP_SLAB_SKIP	"drop_slab() is not exported: needs the suite built in"

#define TEST_NR_PAGES	(TEST_SIZE >> PAGE_SHIFT)

/*
 * Test that the shrinker purges an idle object marked as not needed: its
 * pages are freed, it is purged for good, and later uses of its pages fail
 * with -ENOMEM instead of handing out fresh pages.
 */
static void drm_gem_shmem_test_shrinker_purge(struct kunit *test)
{
	struct drm_gem_shmem_object *shmem;
	struct sg_table *sgt;
	struct iosys_map map;
	unsigned long freed;
	int ret;

	KUNIT_EXPECT_EQ(test, drm_gem_shmem_test_count(test), SHRINK_EMPTY);

	shmem = drm_gem_shmem_test_create(test, TEST_SIZE);
	drm_gem_shmem_test_get_pages(test, shmem);
	KUNIT_ASSERT_EQ(test, drm_gem_shmem_test_fill(shmem, 1), 0);
	drm_gem_shmem_test_set_madv(shmem, 1);
	KUNIT_EXPECT_EQ(test, drm_gem_shmem_test_count(test), TEST_NR_PAGES);

	freed = drm_gem_shmem_test_shrink(test, GFP_KERNEL, TEST_NR_PAGES, NULL);
	KUNIT_EXPECT_EQ(test, freed, TEST_NR_PAGES);
	KUNIT_EXPECT_NULL(test, shmem->pages);
	KUNIT_EXPECT_LT(test, shmem->madv, 0);
	KUNIT_EXPECT_EQ(test, drm_gem_shmem_test_count(test), SHRINK_EMPTY);

	dma_resv_lock(shmem->base.resv, NULL);
	ret = drm_gem_shmem_vmap_locked(shmem, &map);
	dma_resv_unlock(shmem->base.resv);
	KUNIT_EXPECT_EQ(test, ret, -ENOMEM);
	KUNIT_EXPECT_EQ(test, shmem->vmap_use_count, 0);

	sgt = drm_gem_shmem_get_pages_sgt(shmem);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(sgt), -ENOMEM);
	KUNIT_EXPECT_NULL(test, shmem->pages);
}

/*
 * Test that eviction keeps the content: fill an object with a pattern,
 * evict it, check that its pages and scatter/gather table are gone while it
 * keeps its users, then read it back through a kernel mapping, which swaps
 * it in, and compare.
 */
static void drm_gem_shmem_test_shrinker_evict_swap_in(struct kunit *test)
{
	struct drm_gem_shmem_object *shmem;
	struct sg_table *sgt;
	unsigned long freed, nr_scanned = 0;

	shmem = drm_gem_shmem_test_create(test, TEST_SIZE);
	drm_gem_shmem_test_get_pages(test, shmem);
	sgt = drm_gem_shmem_get_pages_sgt(shmem);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, sgt);
	KUNIT_ASSERT_EQ(test, drm_gem_shmem_test_fill(shmem, 2), 0);
	KUNIT_EXPECT_EQ(test, shmem->pages_use_count, 2);
	KUNIT_EXPECT_EQ(test, drm_gem_shmem_test_count(test), TEST_NR_PAGES);

	freed = drm_gem_shmem_test_shrink(test, GFP_KERNEL, TEST_NR_PAGES, &nr_scanned);
	KUNIT_EXPECT_EQ(test, freed, TEST_NR_PAGES);
	KUNIT_EXPECT_EQ(test, nr_scanned, TEST_NR_PAGES);
	KUNIT_EXPECT_TRUE(test, drm_gem_shmem_is_evicted(shmem));
	KUNIT_EXPECT_NULL(test, shmem->pages);
	KUNIT_EXPECT_NULL(test, shmem->sgt);
	KUNIT_EXPECT_EQ(test, shmem->pages_use_count, 1);
	KUNIT_EXPECT_EQ(test, drm_gem_shmem_test_count(test), SHRINK_EMPTY);

	assert_content(test, shmem, 2);
	assert_resident(test, shmem);
	KUNIT_EXPECT_FALSE(test, drm_gem_shmem_is_evicted(shmem));
	KUNIT_EXPECT_EQ(test, drm_gem_shmem_test_count(test), TEST_NR_PAGES);

	/* A new scatter/gather table comes with a swap in, too. */
	freed = drm_gem_shmem_test_shrink(test, GFP_KERNEL, TEST_NR_PAGES, NULL);
	KUNIT_EXPECT_EQ(test, freed, TEST_NR_PAGES);
	sgt = drm_gem_shmem_get_pages_sgt(shmem);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, sgt);
	assert_resident(test, shmem);
	assert_content(test, shmem, 2);
}

/*
 * Test that the shrinker does not evict when swap cannot take the pages:
 * such objects are not even counted, and a scan returns SHRINK_STOP.
 */
static void drm_gem_shmem_test_shrinker_no_swap(struct kunit *test)
{
	struct drm_gem_shmem_shrinker_test *t = test->priv;
	struct drm_gem_shmem_object *shmem;
	unsigned long freed;

	t->can_swap = false;

	shmem = drm_gem_shmem_test_create(test, TEST_SIZE);
	drm_gem_shmem_test_get_pages(test, shmem);
	KUNIT_EXPECT_EQ(test, drm_gem_shmem_test_count(test), SHRINK_EMPTY);

	freed = drm_gem_shmem_test_shrink(test, GFP_KERNEL, TEST_NR_PAGES, NULL);
	KUNIT_EXPECT_EQ(test, freed, SHRINK_STOP);
	assert_resident(test, shmem);
}

/*
 * Test that pinned, kernel-mapped and busy objects are never touched, pinned
 * and busy ones also when marked as not needed, and that a busy object
 * becomes reclaimable once its fence signals.
 */
static void drm_gem_shmem_test_shrinker_skip(struct kunit *test)
{
	struct drm_gem_shmem_object *pinned, *mapped, *busy, *busy_dontneed;
	struct dma_fence *fence;
	struct iosys_map map;
	unsigned long freed;
	int ret;

	pinned = drm_gem_shmem_test_create(test, TEST_SIZE);
	ret = drm_gem_shmem_pin(pinned);
	KUNIT_ASSERT_EQ(test, ret, 0);
	ret = kunit_add_action_or_reset(test, drm_gem_shmem_unpin_wrapper, pinned);
	KUNIT_ASSERT_EQ(test, ret, 0);
	KUNIT_ASSERT_EQ(test, drm_gem_shmem_test_fill(pinned, 3), 0);
	drm_gem_shmem_test_set_madv(pinned, 1);

	mapped = drm_gem_shmem_test_create(test, TEST_SIZE);
	KUNIT_ASSERT_EQ(test, drm_gem_shmem_test_fill(mapped, 4), 0);
	dma_resv_lock(mapped->base.resv, NULL);
	ret = drm_gem_shmem_vmap_locked(mapped, &map);
	dma_resv_unlock(mapped->base.resv);
	KUNIT_ASSERT_EQ(test, ret, 0);
	ret = kunit_add_action_or_reset(test, drm_gem_shmem_test_vunmap, mapped);
	KUNIT_ASSERT_EQ(test, ret, 0);

	fence = drm_gem_shmem_test_fence(test);
	busy = drm_gem_shmem_test_create(test, TEST_SIZE);
	drm_gem_shmem_test_get_pages(test, busy);
	KUNIT_ASSERT_EQ(test, drm_gem_shmem_test_fill(busy, 5), 0);
	drm_gem_shmem_test_add_fence(test, busy, fence);
	busy_dontneed = drm_gem_shmem_test_create(test, TEST_SIZE);
	drm_gem_shmem_test_get_pages(test, busy_dontneed);
	drm_gem_shmem_test_add_fence(test, busy_dontneed, fence);
	drm_gem_shmem_test_set_madv(busy_dontneed, 1);

	freed = drm_gem_shmem_test_shrink(test, GFP_KERNEL, 4 * TEST_NR_PAGES, NULL);
	KUNIT_EXPECT_EQ(test, freed, SHRINK_STOP);
	assert_resident(test, pinned);
	assert_resident(test, mapped);
	assert_resident(test, busy);
	assert_resident(test, busy_dontneed);
	KUNIT_EXPECT_EQ(test, busy_dontneed->madv, 1);

	dma_fence_signal(fence);
	freed = drm_gem_shmem_test_shrink(test, GFP_KERNEL, 4 * TEST_NR_PAGES, NULL);
	KUNIT_EXPECT_EQ(test, freed, 2 * TEST_NR_PAGES);
	KUNIT_EXPECT_TRUE(test, drm_gem_shmem_is_evicted(busy));
	KUNIT_EXPECT_LT(test, busy_dontneed->madv, 0);
	assert_resident(test, pinned);
	assert_resident(test, mapped);

	assert_content(test, pinned, 3);
	assert_content(test, busy, 5);

	kunit_release_action(test, drm_gem_shmem_test_vunmap, mapped);
	assert_content(test, mapped, 4);
}

/*
 * Test the reclaim contract: a scan works under fs_reclaim_acquire(), so that
 * lockdep learns that nothing it takes is held while allocating; it reports
 * what it scanned; and without __GFP_FS it touches nothing and returns
 * SHRINK_STOP.
 */
static void drm_gem_shmem_test_shrinker_reclaim_context(struct kunit *test)
{
	struct drm_gem_shmem_object *evictable, *purgeable;
	unsigned long freed, nr_scanned = 0;

	evictable = drm_gem_shmem_test_create(test, TEST_SIZE);
	drm_gem_shmem_test_get_pages(test, evictable);
	purgeable = drm_gem_shmem_test_create(test, TEST_SIZE);
	drm_gem_shmem_test_get_pages(test, purgeable);
	drm_gem_shmem_test_set_madv(purgeable, 1);

	fs_reclaim_acquire(GFP_NOFS);
	freed = drm_gem_shmem_test_shrink(test, GFP_NOFS, 2 * TEST_NR_PAGES,
					  &nr_scanned);
	fs_reclaim_release(GFP_NOFS);
	KUNIT_EXPECT_EQ(test, freed, SHRINK_STOP);
	KUNIT_EXPECT_EQ(test, nr_scanned, 0);
	assert_resident(test, evictable);
	assert_resident(test, purgeable);

	fs_reclaim_acquire(GFP_KERNEL);
	freed = drm_gem_shmem_test_shrink(test, GFP_KERNEL, 2 * TEST_NR_PAGES,
					  &nr_scanned);
	fs_reclaim_release(GFP_KERNEL);
	KUNIT_EXPECT_EQ(test, freed, 2 * TEST_NR_PAGES);
	KUNIT_EXPECT_EQ(test, nr_scanned, 2 * TEST_NR_PAGES);
	KUNIT_EXPECT_TRUE(test, drm_gem_shmem_is_evicted(evictable));
	KUNIT_EXPECT_LT(test, purgeable->madv, 0);
}

/*
 * Test that an object whose last user goes while it is evicted, and which is
 * then freed, gives its shmem file back: once evicted, its content is only in
 * that file, and freeing the object must release it. (A folio reference kept
 * past the file's truncation would not show here.) Once filled, the object's
 * pages are in its shmem file; once it is freed, the shmem memory of the
 * system is at least half the object's size below what it was when filled.
 * Files of earlier cases that a delayed fput() frees meanwhile only lower the
 * count further, so the shmem count at the start is not compared with. The
 * object is large enough for per-CPU counter slack not to matter. Under
 * kmemleak (make check-debug), the page array is checked too.
 */
static void drm_gem_shmem_test_shrinker_free_evicted(struct kunit *test)
{
	const unsigned long npages = SZ_16M >> PAGE_SHIFT;
	struct drm_gem_shmem_object *shmem;
	unsigned long filled, after;
	unsigned long freed;

	flush_delayed_fput();
	shmem = drm_gem_shmem_test_create(test, SZ_16M);
	drm_gem_shmem_test_get_pages(test, shmem);
	KUNIT_ASSERT_EQ(test, drm_gem_shmem_test_fill(shmem, 6), 0);
	KUNIT_EXPECT_EQ(test, shmem->base.filp->f_mapping->nrpages, npages);
	filled = global_node_page_state(NR_SHMEM);

	freed = drm_gem_shmem_test_shrink(test, GFP_KERNEL, npages, NULL);
	KUNIT_ASSERT_EQ(test, freed, npages);
	KUNIT_ASSERT_TRUE(test, drm_gem_shmem_is_evicted(shmem));
	KUNIT_EXPECT_EQ(test, shmem->base.filp->f_mapping->nrpages, npages);

	kunit_release_action(test, drm_gem_shmem_test_put_pages, shmem);
	KUNIT_EXPECT_EQ(test, shmem->pages_use_count, 0);
	kunit_release_action(test, drm_gem_shmem_free_wrapper, shmem);
	flush_delayed_fput();

	after = global_node_page_state(NR_SHMEM);
	KUNIT_EXPECT_LE_MSG(test, after + npages / 2, filled,
			    "shmem pages: %lu filled, %lu after free", filled, after);
}

/*
 * Test that a swap in that fails leaves the object evicted with its content
 * and users, and that a later swap in succeeds. The failure is injected by
 * replacing the function that reads the pages back.
 */
static void drm_gem_shmem_test_shrinker_swap_in_fails(struct kunit *test)
{
	struct drm_gem_shmem_object *shmem;
	struct iosys_map map;
	unsigned long freed;
	int ret;

	shmem = drm_gem_shmem_test_create(test, TEST_SIZE);
	drm_gem_shmem_test_get_pages(test, shmem);
	KUNIT_ASSERT_EQ(test, drm_gem_shmem_test_fill(shmem, 7), 0);
	freed = drm_gem_shmem_test_shrink(test, GFP_KERNEL, TEST_NR_PAGES, NULL);
	KUNIT_ASSERT_EQ(test, freed, TEST_NR_PAGES);

	kunit_activate_static_stub(test, drm_gem_shmem_acquire_pages,
				   drm_gem_shmem_test_acquire_pages_fail);

	dma_resv_lock(shmem->base.resv, NULL);
	ret = drm_gem_shmem_vmap_locked(shmem, &map);
	dma_resv_unlock(shmem->base.resv);
	KUNIT_EXPECT_EQ(test, ret, -ENOMEM);
	KUNIT_EXPECT_TRUE(test, drm_gem_shmem_is_evicted(shmem));
	KUNIT_EXPECT_EQ(test, shmem->pages_use_count, 1);
	KUNIT_EXPECT_EQ(test, shmem->vmap_use_count, 0);

	dma_resv_lock(shmem->base.resv, NULL);
	ret = drm_gem_shmem_swap_in_locked(shmem);
	dma_resv_unlock(shmem->base.resv);
	KUNIT_EXPECT_EQ(test, ret, -ENOMEM);
	KUNIT_EXPECT_TRUE(test, drm_gem_shmem_is_evicted(shmem));

	kunit_deactivate_static_stub(test, drm_gem_shmem_acquire_pages);

	dma_resv_lock(shmem->base.resv, NULL);
	ret = drm_gem_shmem_swap_in_locked(shmem);
	dma_resv_unlock(shmem->base.resv);
	KUNIT_EXPECT_EQ(test, ret, 0);
	assert_resident(test, shmem);
	assert_content(test, shmem, 7);
}

/* Objects freed through drm_gem_shmem_test_free_counted(). */
static atomic_t drm_gem_shmem_test_objs_freed;

static void drm_gem_shmem_test_free_counted(struct drm_gem_object *obj)
{
	atomic_inc(&drm_gem_shmem_test_objs_freed);
	drm_gem_shmem_object_free(obj);
}

/*
 * Evicts, then drops the reference of the case that is waiting for it in
 * drm_gem_shmem_shrinker_test.put_in_evict, if any: the reference that the
 * shrinker holds is then the last one.
 */
static int drm_gem_shmem_test_evict_and_put(struct drm_gem_object *obj)
{
	struct kunit *test = kunit_get_current_test();
	struct drm_gem_shmem_shrinker_test *t;
	int ret;

	/* Reclaim by other tasks leaves the case's objects alone. */
	if (!test)
		return -EBUSY;
	t = test->priv;

	ret = drm_gem_shmem_object_evict(obj);
	if (t->put_in_evict &&
	    (t->put_in_evict_by ?: t->put_in_evict) == obj) {
		drm_gem_object_put(t->put_in_evict);
		t->put_in_evict = NULL;
	}

	return ret;
}

static const struct drm_gem_object_funcs drm_gem_shmem_test_put_in_evict_funcs = {
	DRM_GEM_SHMEM_TEST_FUNCS,
	.free = drm_gem_shmem_test_free_counted,
	.evict = drm_gem_shmem_test_evict_and_put,
	.purge = drm_gem_shmem_object_purge,
};

/* Counted frees, and no eviction. */
static const struct drm_gem_object_funcs drm_gem_shmem_test_counted_funcs = {
	DRM_GEM_SHMEM_TEST_FUNCS,
	.free = drm_gem_shmem_test_free_counted,
};

/* Drops the case's reference if the evict callback did not. */
static void drm_gem_shmem_test_put_unless_evicted(void *ptr)
{
	struct drm_gem_shmem_shrinker_test *t = ptr;

	if (t->put_in_evict)
		drm_gem_object_put(t->put_in_evict);
	t->put_in_evict = NULL;
}

/*
 * Test that the shrinker can drop the last reference of an object: the object
 * is freed from within the scan, under fs_reclaim, where freeing it must not
 * block on its reservation lock, as lockdep knows that the lock is held while
 * allocating. The case's own reference goes from the evict callback, while
 * the shrinker holds its temporary one. In a PROVE_LOCKING kernel, a lockdep
 * report (which turns debug_locks off) fails the case.
 */
static void drm_gem_shmem_test_shrinker_free_in_scan(struct kunit *test)
{
	struct drm_gem_shmem_shrinker_test *t = test->priv;
	const bool lockdep_on = IS_ENABLED(CONFIG_PROVE_LOCKING) && debug_locks;
	struct drm_gem_shmem_object *shmem;
	struct sg_table *sgt;
	unsigned long freed;
	int ret;

	shmem = drm_gem_shmem_create(t->drm, TEST_SIZE);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, shmem);
	shmem->base.funcs = &drm_gem_shmem_test_put_in_evict_funcs;
	t->put_in_evict = &shmem->base;
	ret = kunit_add_action_or_reset(test, drm_gem_shmem_test_put_unless_evicted, t);
	KUNIT_ASSERT_EQ(test, ret, 0);

	/* The table's pages reference goes with the eviction. */
	sgt = drm_gem_shmem_get_pages_sgt(shmem);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, sgt);
	atomic_set(&drm_gem_shmem_test_objs_freed, 0);

	fs_reclaim_acquire(GFP_KERNEL);
	freed = drm_gem_shmem_test_shrink(test, GFP_KERNEL, TEST_NR_PAGES, NULL);
	fs_reclaim_release(GFP_KERNEL);

	KUNIT_EXPECT_EQ(test, freed, TEST_NR_PAGES);
	KUNIT_EXPECT_NULL(test, t->put_in_evict);
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&drm_gem_shmem_test_objs_freed), 1,
			    "the object was not freed from within the scan");
	if (lockdep_on)
		KUNIT_EXPECT_TRUE_MSG(test, debug_locks,
				      "lockdep reported a problem while the shrinker freed an object");
	KUNIT_EXPECT_EQ(test, drm_gem_shmem_test_count(test), SHRINK_EMPTY);
}

/* Undoes what drm_gem_shmem_test_shrinker_exported() did to export. */
static void drm_gem_shmem_test_unexport(void *ptr)
{
	struct drm_gem_shmem_object *shmem = ptr;
	struct dma_buf *dma_buf = shmem->base.dma_buf;

	shmem->base.dma_buf = NULL;
	dma_buf_put(dma_buf);
	/* The dma-buf's reference on the object goes before the object. */
	flush_delayed_fput();
}

/* What drm_gem_prime_handle_to_fd() does, without a file. */
static void drm_gem_shmem_test_export(struct kunit *test,
				      struct drm_gem_shmem_object *shmem)
{
	struct dma_buf *dma_buf;
	int ret;

	dma_buf = drm_gem_prime_export(&shmem->base, O_RDWR);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dma_buf);
	shmem->base.dma_buf = dma_buf;
	ret = kunit_add_action_or_reset(test, drm_gem_shmem_test_unexport, shmem);
	KUNIT_ASSERT_EQ(test, ret, 0);
}

/*
 * Test that an object exported through PRIME is evicted like the others,
 * keeping its content, but not while an importer has it attached (attaching
 * pins it) or while it is mapped in the kernel through dma_buf_vmap(). That
 * eviction zaps the user mappings of the dma-buf too is tested from user
 * space, in real processes.
 */
static void drm_gem_shmem_test_shrinker_exported(struct kunit *test)
{
	struct drm_gem_shmem_object *shmem;
	struct dma_buf_attachment *attach;
	struct iosys_map map;
	unsigned long freed;
	struct device *dev;
	int ret;

	shmem = drm_gem_shmem_test_create(test, TEST_SIZE);
	drm_gem_shmem_test_get_pages(test, shmem);
	KUNIT_ASSERT_EQ(test, drm_gem_shmem_test_fill(shmem, 8), 0);
	drm_gem_shmem_test_export(test, shmem);

	/* An importing device */
	dev = kunit_device_register(test, "drm_gem_shmem_test_importer");
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dev);
	attach = dma_buf_attach(shmem->base.dma_buf, dev);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, attach);
	freed = drm_gem_shmem_test_shrink(test, GFP_KERNEL, TEST_NR_PAGES, NULL);
	KUNIT_EXPECT_EQ_MSG(test, freed, SHRINK_STOP, "an attached object was evicted");
	assert_resident(test, shmem);
	dma_buf_detach(shmem->base.dma_buf, attach);

	ret = dma_buf_vmap_unlocked(shmem->base.dma_buf, &map);
	KUNIT_ASSERT_EQ(test, ret, 0);
	freed = drm_gem_shmem_test_shrink(test, GFP_KERNEL, TEST_NR_PAGES, NULL);
	KUNIT_EXPECT_EQ_MSG(test, freed, SHRINK_STOP,
			    "an object mapped with dma_buf_vmap() was evicted");
	assert_resident(test, shmem);
	dma_buf_vunmap_unlocked(shmem->base.dma_buf, &map);

	freed = drm_gem_shmem_test_shrink(test, GFP_KERNEL, TEST_NR_PAGES, NULL);
	KUNIT_EXPECT_EQ(test, freed, TEST_NR_PAGES);
	KUNIT_EXPECT_TRUE(test, drm_gem_shmem_is_evicted(shmem));
	assert_content(test, shmem, 8);
}

/*
 * Test that an object marked as not needed is not purged while a GEM handle
 * keeps its PRIME export (obj->dma_buf set), as others may need its content,
 * and is purged once obj->dma_buf is cleared, which the last handle's close
 * does (here: the release of the dma-buf): no shmem helper runs then, so the
 * object must stay on the purgeable LRU meanwhile.
 */
static void drm_gem_shmem_test_shrinker_exported_dontneed(struct kunit *test)
{
	struct drm_gem_shmem_object *shmem;
	unsigned long freed;

	shmem = drm_gem_shmem_test_create(test, TEST_SIZE);
	drm_gem_shmem_test_export(test, shmem);
	drm_gem_shmem_test_get_pages(test, shmem);
	drm_gem_shmem_test_set_madv(shmem, 1);

	freed = drm_gem_shmem_test_shrink(test, GFP_KERNEL, TEST_NR_PAGES, NULL);
	KUNIT_EXPECT_EQ(test, freed, SHRINK_STOP);
	assert_resident(test, shmem);
	KUNIT_EXPECT_EQ(test, shmem->madv, 1);

	kunit_release_action(test, drm_gem_shmem_test_unexport, shmem);
	KUNIT_EXPECT_EQ_MSG(test, drm_gem_shmem_test_count(test), TEST_NR_PAGES,
			    "the object is on no LRU once its export is gone");
	freed = drm_gem_shmem_test_shrink(test, GFP_KERNEL, TEST_NR_PAGES, NULL);
	KUNIT_EXPECT_EQ(test, freed, TEST_NR_PAGES);
	KUNIT_EXPECT_LT(test, shmem->madv, 0);
}

/*
 * Test that an object whose pages were first taken while it was exported, as
 * when userspace exports an object and mmaps the dma-buf, is reclaimable
 * once the export goes, as when the last GEM handle is closed while the
 * mapping lives on: no shmem helper runs then, so the object must be on an
 * LRU already.
 */
static void drm_gem_shmem_test_shrinker_exported_first(struct kunit *test)
{
	struct drm_gem_shmem_object *shmem;
	unsigned long freed;

	shmem = drm_gem_shmem_test_create(test, TEST_SIZE);
	drm_gem_shmem_test_export(test, shmem);
	drm_gem_shmem_test_get_pages(test, shmem);
	KUNIT_ASSERT_EQ(test, drm_gem_shmem_test_fill(shmem, 14), 0);

	kunit_release_action(test, drm_gem_shmem_test_unexport, shmem);
	KUNIT_EXPECT_EQ_MSG(test, drm_gem_shmem_test_count(test), TEST_NR_PAGES,
			    "the object is on no LRU once its export is gone");
	freed = drm_gem_shmem_test_shrink(test, GFP_KERNEL, TEST_NR_PAGES, NULL);
	KUNIT_EXPECT_EQ(test, freed, TEST_NR_PAGES);
	KUNIT_EXPECT_TRUE(test, drm_gem_shmem_is_evicted(shmem));
	assert_content(test, shmem, 14);
}

/*
 * Test that an object marked as not needed after it was evicted is purged:
 * its content, which eviction left in its shmem file, is discarded, and it
 * is purged for good.
 */
static void drm_gem_shmem_test_shrinker_purge_evicted(struct kunit *test)
{
	struct drm_gem_shmem_object *shmem;
	struct address_space *mapping;
	struct iosys_map map;
	unsigned long freed;
	int ret;

	shmem = drm_gem_shmem_test_create(test, TEST_SIZE);
	drm_gem_shmem_test_get_pages(test, shmem);
	KUNIT_ASSERT_EQ(test, drm_gem_shmem_test_fill(shmem, 9), 0);
	mapping = shmem->base.filp->f_mapping;

	freed = drm_gem_shmem_test_shrink(test, GFP_KERNEL, TEST_NR_PAGES, NULL);
	KUNIT_ASSERT_EQ(test, freed, TEST_NR_PAGES);
	KUNIT_ASSERT_TRUE(test, drm_gem_shmem_is_evicted(shmem));
	KUNIT_EXPECT_EQ(test, mapping->nrpages, TEST_NR_PAGES);

	drm_gem_shmem_test_set_madv(shmem, 1);
	KUNIT_EXPECT_EQ_MSG(test, drm_gem_shmem_test_count(test), TEST_NR_PAGES,
			    "the evicted object marked as not needed is on no LRU");

	freed = drm_gem_shmem_test_shrink(test, GFP_KERNEL, TEST_NR_PAGES, NULL);
	KUNIT_EXPECT_EQ(test, freed, TEST_NR_PAGES);
	KUNIT_EXPECT_LT(test, shmem->madv, 0);
	KUNIT_EXPECT_EQ(test, mapping->nrpages, 0);
	KUNIT_EXPECT_EQ(test, drm_gem_shmem_test_count(test), SHRINK_EMPTY);

	dma_resv_lock(shmem->base.resv, NULL);
	ret = drm_gem_shmem_vmap_locked(shmem, &map);
	dma_resv_unlock(shmem->base.resv);
	KUNIT_EXPECT_EQ(test, ret, -ENOMEM);
}

static void drm_gem_shmem_test_fput(void *ptr)
{
	fput(ptr);
	/* The file's references on its objects go before the device. */
	flush_delayed_fput();
}

/*
 * Creates an object with drm_gem_shmem_test_funcs that a DRM file of the mock
 * device holds through a handle, and maps it into the case's address space
 * through that file, as userspace does. The mapping is in *addr.
 */
static struct drm_gem_shmem_object *
drm_gem_shmem_test_create_mapped(struct kunit *test, unsigned long *addr)
{
	struct drm_gem_shmem_shrinker_test *t = test->priv;
	struct drm_gem_shmem_object *shmem;
	struct file *file;
	u32 handle;
	int ret;

	file = mock_drm_getfile(t->drm->primary, O_RDWR);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, file);
	ret = kunit_add_action_or_reset(test, drm_gem_shmem_test_fput, file);
	KUNIT_ASSERT_EQ(test, ret, 0);

	shmem = drm_gem_shmem_create(t->drm, TEST_SIZE);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, shmem);
	shmem->base.funcs = &drm_gem_shmem_test_funcs;
	ret = drm_gem_handle_create(file->private_data, &shmem->base, &handle);
	/* The handle holds the object from here, until the file goes. */
	drm_gem_object_put(&shmem->base);
	KUNIT_ASSERT_EQ(test, ret, 0);

	*addr = kunit_vm_mmap(test, file, 0, TEST_SIZE, PROT_READ | PROT_WRITE,
			      MAP_SHARED,
			      drm_vma_node_offset_addr(&shmem->base.vma_node));
	KUNIT_ASSERT_FALSE_MSG(test, !*addr || IS_ERR_VALUE(*addr),
			       "mmap failed: %ld", (long)*addr);
	KUNIT_EXPECT_EQ(test, shmem->pages_use_count, 1);

	return shmem;
}

/*
 * Test that an object that userspace keeps mmapped can be evicted and comes
 * back with its content on the next access, as for vgem: the mapping holds
 * a pages reference, so the object stays evicted, not unpopulated; eviction
 * must zap the user mapping, or the access would reach the pages that went
 * back to the shmem file, and the page fault must swap the object in. The
 * case maps the object through a DRM file of the mock device, as userspace
 * does, writes a pattern through the mapping, evicts, and reads it back
 * through the mapping.
 */
static void drm_gem_shmem_test_shrinker_mmap(struct kunit *test)
{
	struct drm_gem_shmem_object *shmem;
	const size_t n = TEST_SIZE / sizeof(u32);
	unsigned long addr, freed;
	u32 *buf;
	size_t i;

	shmem = drm_gem_shmem_test_create_mapped(test, &addr);

	buf = kunit_kmalloc(test, TEST_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	for (i = 0; i < n; i++)
		buf[i] = drm_gem_shmem_test_pattern(10, i);
	KUNIT_ASSERT_EQ(test, copy_to_user((void __user *)addr, buf, TEST_SIZE), 0);

	freed = drm_gem_shmem_test_shrink(test, GFP_KERNEL, TEST_NR_PAGES, NULL);
	KUNIT_EXPECT_EQ(test, freed, TEST_NR_PAGES);
	KUNIT_ASSERT_TRUE(test, drm_gem_shmem_is_evicted(shmem));

	memset(buf, 0, TEST_SIZE);
	KUNIT_ASSERT_EQ(test, copy_from_user(buf, (void __user *)addr, TEST_SIZE), 0);
	assert_resident(test, shmem);
	for (i = 0; i < n; i++)
		if (buf[i] != drm_gem_shmem_test_pattern(10, i))
			break;
	KUNIT_EXPECT_EQ_MSG(test, i, n, "mapping reads %#x at offset %zu, expected %#x",
			    i < n ? buf[i] : 0, i * sizeof(u32),
			    drm_gem_shmem_test_pattern(10, i));
}

#define TEST_CONCURRENT_OBJECTS	8
#define TEST_CONCURRENT_SIZE	SZ_64K
#define TEST_CONCURRENT_ROUNDS	2000

struct drm_gem_shmem_test_concurrent {
	struct kunit *test;
	unsigned long freed;
};

static int drm_gem_shmem_test_shrink_thread(void *arg)
{
	struct drm_gem_shmem_test_concurrent *c = arg;
	unsigned long freed;

	/* For the "can swap" stub, as KUnit does for its own test threads. */
	current->kunit_test = c->test;

	while (!kthread_should_stop()) {
		fs_reclaim_acquire(GFP_KERNEL);
		freed = drm_gem_shmem_test_shrink(c->test, GFP_KERNEL,
						  TEST_CONCURRENT_SIZE >> PAGE_SHIFT,
						  NULL);
		fs_reclaim_release(GFP_KERNEL);
		if (freed != SHRINK_STOP)
			c->freed += freed;
		cond_resched();
	}

	current->kunit_test = NULL;

	return 0;
}

/*
 * Test that use and shrinking of the same objects from two threads (on two
 * vCPUs in the project's guests) loses no data: a thread shrinks all the
 * time while the case rewrites and checks the objects, each with its own
 * pattern. The case also checks that it found objects evicted, i.e. that
 * the shrinking thread got in between its uses.
 */
static void drm_gem_shmem_test_shrinker_concurrent(struct kunit *test)
{
	struct drm_gem_shmem_object *objs[TEST_CONCURRENT_OBJECTS];
	u32 seeds[TEST_CONCURRENT_OBJECTS];
	struct drm_gem_shmem_test_concurrent c = { .test = test };
	unsigned int i, round, swapped_in = 0;
	struct task_struct *thread;
	size_t offset = 0;
	u32 got = 0, expected = 0;
	int ret = 0;

	for (i = 0; i < TEST_CONCURRENT_OBJECTS; i++) {
		objs[i] = drm_gem_shmem_test_create(test, TEST_CONCURRENT_SIZE);
		drm_gem_shmem_test_get_pages(test, objs[i]);
		seeds[i] = i;
		KUNIT_ASSERT_EQ(test, drm_gem_shmem_test_fill(objs[i], seeds[i]), 0);
	}

	thread = kthread_run(drm_gem_shmem_test_shrink_thread, &c,
			     "drm_gem_shmem_test");
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, thread);

	for (round = 0; round < TEST_CONCURRENT_ROUNDS && !ret; round++) {
		i = round % TEST_CONCURRENT_OBJECTS;
		if (!READ_ONCE(objs[i]->pages))
			swapped_in++;
		ret = drm_gem_shmem_test_compare(objs[i], seeds[i], &offset,
						 &got, &expected);
		if (!ret) {
			seeds[i] += TEST_CONCURRENT_OBJECTS;
			ret = drm_gem_shmem_test_fill(objs[i], seeds[i]);
		}
		cond_resched();
	}

	kthread_stop(thread);

	KUNIT_EXPECT_EQ_MSG(test, ret, 0,
			    "round %u: offset %zu: %#x, expected %#x",
			    round, offset, got, expected);
	for (i = 0; i < TEST_CONCURRENT_OBJECTS; i++)
		assert_content(test, objs[i], seeds[i]);

	kunit_info(test, "%u rounds, %lu pages evicted, %u swap ins\n",
		   round, c.freed, swapped_in);
	KUNIT_EXPECT_GT(test, c.freed, 0);
	KUNIT_EXPECT_GT(test, swapped_in, 0);
}

static const unsigned int drm_gem_shmem_test_lru_sizes[] = { 1000, 10000 };

static void drm_gem_shmem_test_lru_size_desc(const unsigned int *n, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%u objects", *n);
}

KUNIT_ARRAY_PARAM(drm_gem_shmem_test_lru_size, drm_gem_shmem_test_lru_sizes,
		  drm_gem_shmem_test_lru_size_desc);

/*
 * Test that a scan's work is bounded by nr_to_scan, not by the length of the
 * LRU: all objects are busy, so nothing can be freed, and a scan of 128
 * pages must still stop after visiting at most 128 one-page objects (they
 * are all in use, so only the evict stage has any to visit, and a stage
 * visits at most nr_to_scan pages). The number of objects visited is read
 * from the LRU itself: visited objects go to its tail, so the object now at
 * its head tells how many were visited.
 */
static void drm_gem_shmem_test_shrinker_scan_bounded(struct kunit *test)
{
	const unsigned int n = *(const unsigned int *)test->param_value;
	const unsigned long nr_to_scan = 128;
	struct drm_gem_shmem_shrinker_test *t = test->priv;
	struct drm_gem_shmem_shrinker *shrinker = t->drm->shmem_shrinker;
	struct drm_gem_shmem_object **objs;
	unsigned long freed, nr_scanned = 0;
	struct drm_gem_object *head;
	struct dma_fence *fence;
	unsigned int i, visited;

	objs = kunit_kcalloc(test, n, sizeof(*objs), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, objs);
	fence = drm_gem_shmem_test_fence(test);

	for (i = 0; i < n; i++) {
		objs[i] = drm_gem_shmem_test_create(test, PAGE_SIZE);
		drm_gem_shmem_test_add_fence(test, objs[i], fence);
		drm_gem_shmem_test_get_pages(test, objs[i]);
	}
	KUNIT_EXPECT_EQ(test, drm_gem_shmem_test_count(test), n);

	freed = drm_gem_shmem_test_shrink(test, GFP_KERNEL, nr_to_scan, &nr_scanned);
	KUNIT_EXPECT_EQ(test, freed, SHRINK_STOP);

	mutex_lock(&shrinker->lock);
	head = list_first_entry(&shrinker->lru_evictable.list,
				struct drm_gem_object, lru_node);
	mutex_unlock(&shrinker->lock);
	for (visited = 0; visited < n; visited++)
		if (&objs[visited]->base == head)
			break;

	kunit_info(test, "%u objects on the LRU, nr_to_scan %lu: visited %u, nr_scanned %lu\n",
		   n, nr_to_scan, visited, nr_scanned);
	KUNIT_EXPECT_LE(test, visited, nr_to_scan);
	KUNIT_EXPECT_EQ(test, visited, nr_scanned);
}

/* The ways in which the helpers bring an evicted object's pages back. */
enum drm_gem_shmem_test_path {
	TEST_PATH_VMAP,
	TEST_PATH_PIN,
	TEST_PATH_GET_PAGES_SGT,
	TEST_PATH_GET_PAGES,
	TEST_PATH_FAULT,
};

static const enum drm_gem_shmem_test_path drm_gem_shmem_test_paths[] = {
	TEST_PATH_VMAP, TEST_PATH_PIN, TEST_PATH_GET_PAGES_SGT,
	TEST_PATH_GET_PAGES, TEST_PATH_FAULT,
};

static const char * const drm_gem_shmem_test_path_names[] = {
	[TEST_PATH_VMAP] = "vmap",
	[TEST_PATH_PIN] = "pin",
	[TEST_PATH_GET_PAGES_SGT] = "get_pages_sgt",
	[TEST_PATH_GET_PAGES] = "get_pages",
	[TEST_PATH_FAULT] = "mmap fault",
};

static void drm_gem_shmem_test_path_desc(const enum drm_gem_shmem_test_path *path,
					 char *desc)
{
	strscpy(desc, drm_gem_shmem_test_path_names[*path], KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(drm_gem_shmem_test_path, drm_gem_shmem_test_paths,
		  drm_gem_shmem_test_path_desc);

static int drm_gem_shmem_test_swap_in_fail(struct drm_gem_shmem_object *shmem)
{
	return -EIO;
}

/* Uses the pages of @shmem through @path; undoes the use if it succeeded. */
static int drm_gem_shmem_test_use_pages(struct drm_gem_shmem_object *shmem,
					enum drm_gem_shmem_test_path path,
					unsigned long addr)
{
	struct iosys_map map;
	struct sg_table *sgt;
	u32 word;
	int ret;

	switch (path) {
	case TEST_PATH_VMAP:
		dma_resv_lock(shmem->base.resv, NULL);
		ret = drm_gem_shmem_vmap_locked(shmem, &map);
		if (!ret)
			drm_gem_shmem_vunmap_locked(shmem, &map);
		dma_resv_unlock(shmem->base.resv);
		return ret;
	case TEST_PATH_PIN:
		ret = drm_gem_shmem_pin(shmem);
		if (!ret)
			drm_gem_shmem_unpin(shmem);
		return ret;
	case TEST_PATH_GET_PAGES_SGT:
		sgt = drm_gem_shmem_get_pages_sgt(shmem);
		return PTR_ERR_OR_ZERO(sgt);
	case TEST_PATH_GET_PAGES:
		dma_resv_lock(shmem->base.resv, NULL);
		ret = drm_gem_shmem_get_pages_locked(shmem);
		if (!ret)
			drm_gem_shmem_put_pages_locked(shmem);
		dma_resv_unlock(shmem->base.resv);
		return ret;
	case TEST_PATH_FAULT:
		return copy_from_user(&word, (void __user *)addr, sizeof(word)) ?
			-EFAULT : 0;
	}

	return -EINVAL;
}

/*
 * Test that every way back in for an evicted object (one with users left)
 * goes through drm_gem_shmem_swap_in_locked(), so that there is one path to
 * reason about: with that function replaced by one that fails, using the pages
 * through each path fails too, and leaves the object evicted with its
 * users and its content.
 */
static void drm_gem_shmem_test_shrinker_swap_in_paths(struct kunit *test)
{
	const enum drm_gem_shmem_test_path path =
		*(const enum drm_gem_shmem_test_path *)test->param_value;
	struct drm_gem_shmem_object *shmem;
	unsigned long addr = 0, freed;
	int ret;

	if (path == TEST_PATH_FAULT) {
		shmem = drm_gem_shmem_test_create_mapped(test, &addr);
	} else {
		shmem = drm_gem_shmem_test_create(test, TEST_SIZE);
		drm_gem_shmem_test_get_pages(test, shmem);
	}
	KUNIT_ASSERT_EQ(test, drm_gem_shmem_test_fill(shmem, 11), 0);
	freed = drm_gem_shmem_test_shrink(test, GFP_KERNEL, TEST_NR_PAGES, NULL);
	KUNIT_ASSERT_EQ(test, freed, TEST_NR_PAGES);
	KUNIT_ASSERT_TRUE(test, drm_gem_shmem_is_evicted(shmem));

	kunit_activate_static_stub(test, drm_gem_shmem_swap_in_locked,
				   drm_gem_shmem_test_swap_in_fail);
	ret = drm_gem_shmem_test_use_pages(shmem, path, addr);
	kunit_deactivate_static_stub(test, drm_gem_shmem_swap_in_locked);

	KUNIT_EXPECT_NE_MSG(test, ret, 0,
			    "%s brought the pages back without drm_gem_shmem_swap_in_locked()",
			    drm_gem_shmem_test_path_names[path]);
	KUNIT_EXPECT_TRUE(test, drm_gem_shmem_is_evicted(shmem));
	KUNIT_EXPECT_EQ(test, shmem->pages_use_count, 1);
	KUNIT_EXPECT_EQ(test, shmem->vmap_use_count, 0);
	KUNIT_EXPECT_EQ(test, refcount_read(&shmem->pages_pin_count), 0);
	KUNIT_EXPECT_NULL(test, shmem->sgt);

	assert_content(test, shmem, 11);
}

/*
 * Test that eviction is something a driver asks for: objects with the
 * default shmem object functions, which set neither evict nor purge, stay
 * resident with the scatter/gather table that drivers DMA-map for their
 * devices, also when marked as not needed, when the shrinker is scanned
 * directly and, in a built-in suite, through real reclaim.
 */
static void drm_gem_shmem_test_shrinker_default_funcs(struct kunit *test)
{
	struct drm_gem_shmem_shrinker_test *t = test->priv;
	struct drm_gem_shmem_object *shmem, *dontneed;
	struct sg_table *sgt;
	unsigned long freed;
	int ret;

	shmem = drm_gem_shmem_create(t->drm, TEST_SIZE);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, shmem);
	ret = kunit_add_action_or_reset(test, drm_gem_shmem_free_wrapper, shmem);
	KUNIT_ASSERT_EQ(test, ret, 0);
	sgt = drm_gem_shmem_get_pages_sgt(shmem);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, sgt);
	KUNIT_ASSERT_EQ(test, drm_gem_shmem_test_fill(shmem, 12), 0);

	dontneed = drm_gem_shmem_create(t->drm, TEST_SIZE);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dontneed);
	ret = kunit_add_action_or_reset(test, drm_gem_shmem_free_wrapper, dontneed);
	KUNIT_ASSERT_EQ(test, ret, 0);
	drm_gem_shmem_test_get_pages(test, dontneed);
	drm_gem_shmem_test_set_madv(dontneed, 1);

	KUNIT_EXPECT_EQ(test, drm_gem_shmem_test_count(test), SHRINK_EMPTY);
	freed = drm_gem_shmem_test_shrink(test, GFP_KERNEL, 2 * TEST_NR_PAGES, NULL);
	KUNIT_EXPECT_EQ(test, freed, SHRINK_STOP);
	/* Modular suites have the direct scan only. */
	drm_gem_shmem_test_drop_slab();

	assert_resident(test, shmem);
	KUNIT_EXPECT_PTR_EQ(test, shmem->sgt, sgt);
	assert_resident(test, dontneed);
	KUNIT_EXPECT_EQ(test, dontneed->madv, 1);
	assert_content(test, shmem, 12);
}

struct drm_gem_shmem_test_resv_holder {
	struct dma_resv *resv;
	struct completion locked;
	struct completion release;
	bool timed_out;
};

/* Holds a reservation lock until told to let go, for two seconds at most. */
static int drm_gem_shmem_test_hold_resv(void *arg)
{
	struct drm_gem_shmem_test_resv_holder *h = arg;

	dma_resv_lock(h->resv, NULL);
	complete(&h->locked);
	h->timed_out = !wait_for_completion_timeout(&h->release, 2 * HZ);
	dma_resv_unlock(h->resv);

	while (!kthread_should_stop())
		schedule_timeout_interruptible(1);

	return 0;
}

static void drm_gem_shmem_test_resv_fini(void *ptr)
{
	dma_resv_fini(ptr);
}

/*
 * Test that freeing an object never waits for its reservation lock: the
 * shrinker can drop an object's last reference from within reclaim, where
 * blocking on a reservation lock can deadlock, as lockdep knows that the
 * lock is held while allocating (dma_resv_lockdep()). Objects that share a
 * reservation object with others find it taken by other tasks. Here a
 * thread holds the shared reservation object of the object that goes, whose
 * last reference the eviction of another object drops, under fs_reclaim.
 * The free must neither wait for the thread nor, in a PROVE_LOCKING kernel,
 * make lockdep report.
 */
static void drm_gem_shmem_test_shrinker_free_shared_resv(struct kunit *test)
{
	struct drm_gem_shmem_shrinker_test *t = test->priv;
	const bool lockdep_on = IS_ENABLED(CONFIG_PROVE_LOCKING) && debug_locks;
	struct drm_gem_shmem_test_resv_holder h = {};
	struct drm_gem_shmem_object *shared, *evicted;
	struct task_struct *thread;
	struct dma_resv *resv;
	struct sg_table *sgt;
	unsigned long freed;
	int ret;

	resv = kunit_kzalloc(test, sizeof(*resv), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, resv);
	dma_resv_init(resv);
	ret = kunit_add_action_or_reset(test, drm_gem_shmem_test_resv_fini, resv);
	KUNIT_ASSERT_EQ(test, ret, 0);

	shared = drm_gem_shmem_create(t->drm, TEST_SIZE);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, shared);
	shared->base.funcs = &drm_gem_shmem_test_counted_funcs;
	shared->base.resv = resv;
	t->put_in_evict = &shared->base;
	ret = kunit_add_action_or_reset(test, drm_gem_shmem_test_put_unless_evicted, t);
	KUNIT_ASSERT_EQ(test, ret, 0);
	sgt = drm_gem_shmem_get_pages_sgt(shared);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, sgt);

	evicted = drm_gem_shmem_test_create(test, TEST_SIZE);
	evicted->base.funcs = &drm_gem_shmem_test_put_in_evict_funcs;
	drm_gem_shmem_test_get_pages(test, evicted);
	t->put_in_evict_by = &evicted->base;
	atomic_set(&drm_gem_shmem_test_objs_freed, 0);

	h.resv = resv;
	init_completion(&h.locked);
	init_completion(&h.release);
	thread = kthread_run(drm_gem_shmem_test_hold_resv, &h, "drm_gem_shmem_test");
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, thread);
	wait_for_completion(&h.locked);

	fs_reclaim_acquire(GFP_KERNEL);
	freed = drm_gem_shmem_test_shrink(test, GFP_KERNEL, TEST_NR_PAGES, NULL);
	fs_reclaim_release(GFP_KERNEL);
	complete(&h.release);
	kthread_stop(thread);

	KUNIT_EXPECT_EQ(test, freed, TEST_NR_PAGES);
	KUNIT_EXPECT_NULL(test, t->put_in_evict);
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&drm_gem_shmem_test_objs_freed), 1,
			    "the object was not freed from within the scan");
	KUNIT_EXPECT_FALSE_MSG(test, h.timed_out,
			       "freeing the object waited for the lock of its shared reservation object");
	if (lockdep_on)
		KUNIT_EXPECT_TRUE_MSG(test, debug_locks,
				      "lockdep reported a problem while the shrinker freed an object");
}

/*
 * Evict and purge callbacks of a driver whose state goes at remove. Reclaim
 * by other tasks leaves the case's objects alone.
 */
static int drm_gem_shmem_test_use_drv_state(void)
{
	struct kunit *test = kunit_get_current_test();
	struct drm_gem_shmem_shrinker_test *t;

	if (!test)
		return -EBUSY;
	t = test->priv;
	atomic_inc(&t->drv_callbacks);
	/* What a driver's callback does with its state; KASAN checks it. */
	WARN_ON(READ_ONCE(t->drv_state->magic) != TEST_DRV_STATE_MAGIC);

	return 0;
}

static int drm_gem_shmem_test_evict_drv(struct drm_gem_object *obj)
{
	return drm_gem_shmem_test_use_drv_state() ?:
		drm_gem_shmem_object_evict(obj);
}

static int drm_gem_shmem_test_purge_drv(struct drm_gem_object *obj)
{
	return drm_gem_shmem_test_use_drv_state() ?:
		drm_gem_shmem_object_purge(obj);
}

static const struct drm_gem_object_funcs drm_gem_shmem_test_drv_funcs = {
	DRM_GEM_SHMEM_TEST_FUNCS,
	.free = drm_gem_shmem_object_free,
	.evict = drm_gem_shmem_test_evict_drv,
	.purge = drm_gem_shmem_test_purge_drv,
};

static void drm_gem_shmem_test_unregister(void *ptr)
{
	struct drm_device *drm = ptr;

	if (drm->registered)
		drm_dev_unregister(drm);
}

/*
 * Test that a driver can stop its device's shrinker at remove: after
 * drm_dev_unregister(), an open file can keep the device and its objects
 * alive long after the driver freed the state its callbacks use, and
 * reclaim must not call those callbacks any more. Real reclaim runs after
 * the driver state is gone; no callback may run, and the objects stay as
 * they were.
 */
static void drm_gem_shmem_test_shrinker_stop(struct kunit *test)
{
	struct drm_gem_shmem_shrinker_test *t = test->priv;
	struct drm_gem_shmem_object *evictable, *purgeable;
	int ret;

	if (!IS_BUILTIN(CONFIG_DRM_KUNIT_TEST))
		kunit_skip(test, TEST_DROP_SLAB_SKIP);

	ret = drm_dev_register(t->drm, 0);
	KUNIT_ASSERT_EQ(test, ret, 0);
	ret = kunit_add_action_or_reset(test, drm_gem_shmem_test_unregister, t->drm);
	KUNIT_ASSERT_EQ(test, ret, 0);
	t->drv_state = kzalloc(sizeof(*t->drv_state), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t->drv_state);
	t->drv_state->magic = TEST_DRV_STATE_MAGIC;

	evictable = drm_gem_shmem_test_create(test, TEST_SIZE);
	evictable->base.funcs = &drm_gem_shmem_test_drv_funcs;
	drm_gem_shmem_test_get_pages(test, evictable);
	purgeable = drm_gem_shmem_test_create(test, TEST_SIZE);
	purgeable->base.funcs = &drm_gem_shmem_test_drv_funcs;
	drm_gem_shmem_test_get_pages(test, purgeable);
	drm_gem_shmem_test_set_madv(purgeable, 1);
	KUNIT_EXPECT_EQ(test, drm_gem_shmem_test_count(test), 2 * TEST_NR_PAGES);

	/* What the remove callback of a driver does. */
	kunit_release_action(test, drm_gem_shmem_test_unregister, t->drm);
	drm_gem_shmem_shrinker_stop(t->drm);
	kfree(t->drv_state);
	atomic_set(&t->drv_callbacks, 0);

	drm_gem_shmem_test_drop_slab();

	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&t->drv_callbacks), 0,
			    "reclaim called the driver after its remove");
	assert_resident(test, evictable);
	assert_resident(test, purgeable);
	KUNIT_EXPECT_EQ(test, purgeable->madv, 1);
}

/* Runs a function of the case in a thread of its own, as the case's. */
struct drm_gem_shmem_test_call {
	struct kunit *test;
	void (*fn)(struct kunit *test);
	struct completion done;
	struct task_struct *thread;
};

static int drm_gem_shmem_test_call_thread(void *arg)
{
	struct drm_gem_shmem_test_call *c = arg;

	/* For the static stubs, as KUnit does for its own test threads. */
	current->kunit_test = c->test;
	c->fn(c->test);
	current->kunit_test = NULL;
	complete(&c->done);

	while (!kthread_should_stop())
		schedule_timeout_interruptible(1);

	return 0;
}

static void drm_gem_shmem_test_call_stop(void *ptr)
{
	struct drm_gem_shmem_test_call *c = ptr;

	kthread_stop(c->thread);
}

/* The thread is stopped when the case ends, however it ends. */
static struct drm_gem_shmem_test_call *
drm_gem_shmem_test_call(struct kunit *test, void (*fn)(struct kunit *test))
{
	struct drm_gem_shmem_test_call *c;
	int ret;

	c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, c);
	c->test = test;
	c->fn = fn;
	init_completion(&c->done);
	c->thread = kthread_run(drm_gem_shmem_test_call_thread, c, "drm_gem_shmem_test");
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, c->thread);
	ret = kunit_add_action_or_reset(test, drm_gem_shmem_test_call_stop, c);
	KUNIT_ASSERT_EQ(test, ret, 0);

	return c;
}

static void drm_gem_shmem_test_reclaim_fn(struct kunit *test)
{
	struct drm_gem_shmem_shrinker_test *t = test->priv;

	WRITE_ONCE(t->evict_blocker, current);
	drm_gem_shmem_test_drop_slab();
}

static void drm_gem_shmem_test_stop_fn(struct kunit *test)
{
	struct drm_gem_shmem_shrinker_test *t = test->priv;

	drm_gem_shmem_shrinker_stop(t->drm);
}

/*
 * Evicts once told to, in the reclaim thread of the case only, so that its
 * scan stays inside the shrinker meanwhile; reclaim in other tasks, the case
 * itself included, leaves the object alone.
 */
static int drm_gem_shmem_test_evict_blocking(struct drm_gem_object *obj)
{
	struct kunit *test = kunit_get_current_test();
	struct drm_gem_shmem_shrinker_test *t;

	if (!test)
		return -EBUSY;
	t = test->priv;
	if (READ_ONCE(t->evict_blocker) != current)
		return -EBUSY;
	complete(&t->in_evict);
	wait_for_completion_timeout(&t->leave_evict, 10 * HZ);

	return drm_gem_shmem_object_evict(obj);
}

static const struct drm_gem_object_funcs drm_gem_shmem_test_blocking_funcs = {
	DRM_GEM_SHMEM_TEST_FUNCS,
	.free = drm_gem_shmem_object_free,
	.evict = drm_gem_shmem_test_evict_blocking,
};

static void drm_gem_shmem_test_leave_evict(void *ptr)
{
	struct drm_gem_shmem_shrinker_test *t = ptr;

	complete_all(&t->leave_evict);
}

/*
 * Test that stopping the shrinker waits for a scan that is running: after
 * drm_gem_shmem_shrinker_stop() returns, the driver frees the state its
 * callbacks use. A thread's real reclaim enters the evict callback, which
 * waits; stop, called from another thread meanwhile, must not return before
 * the callback does. Stop unregisters the shrinker first (it is NULL then)
 * and then waits; the case checks that it is still waiting half a second
 * after that.
 */
static void drm_gem_shmem_test_shrinker_stop_waits(struct kunit *test)
{
	struct drm_gem_shmem_shrinker_test *t = test->priv;
	struct drm_gem_shmem_shrinker *shmem_shrinker = t->drm->shmem_shrinker;
	struct drm_gem_shmem_test_call *reclaim, *stop;
	struct drm_gem_shmem_object *shmem;
	unsigned long timeout;
	bool entered, unregistered, returned_early;
	int ret;

	if (!IS_BUILTIN(CONFIG_DRM_KUNIT_TEST))
		kunit_skip(test, TEST_DROP_SLAB_SKIP);

	init_completion(&t->in_evict);
	init_completion(&t->leave_evict);
	shmem = drm_gem_shmem_test_create(test, TEST_SIZE);
	shmem->base.funcs = &drm_gem_shmem_test_blocking_funcs;
	drm_gem_shmem_test_get_pages(test, shmem);

	reclaim = drm_gem_shmem_test_call(test, drm_gem_shmem_test_reclaim_fn);
	entered = wait_for_completion_timeout(&t->in_evict, 10 * HZ);
	KUNIT_ASSERT_TRUE_MSG(test, entered, "reclaim never reached the evict callback");

	stop = drm_gem_shmem_test_call(test, drm_gem_shmem_test_stop_fn);
	/* Runs first when the case ends, so that both threads can stop. */
	ret = kunit_add_action_or_reset(test, drm_gem_shmem_test_leave_evict, t);
	KUNIT_ASSERT_EQ(test, ret, 0);
	timeout = jiffies + 10 * HZ;
	while (READ_ONCE(shmem_shrinker->shrinker) && time_before(jiffies, timeout))
		usleep_range(1000, 2000);
	unregistered = !READ_ONCE(shmem_shrinker->shrinker);
	returned_early = wait_for_completion_timeout(&stop->done, msecs_to_jiffies(500));
	complete_all(&t->leave_evict);

	KUNIT_EXPECT_TRUE_MSG(test, unregistered, "stop never took the shrinker");
	KUNIT_EXPECT_FALSE_MSG(test, returned_early,
			       "drm_gem_shmem_shrinker_stop() returned while a scan was running");
	KUNIT_EXPECT_TRUE(test, wait_for_completion_timeout(&stop->done, 10 * HZ));
	KUNIT_EXPECT_TRUE(test, wait_for_completion_timeout(&reclaim->done, 10 * HZ));
}

/*
 * Test the shrinker through real reclaim, which goes through
 * do_shrink_slab() and so through its registration, its count and its
 * flags, unlike the cases that call its scan directly: an idle object is
 * evicted and keeps its content, one marked as not needed is purged.
 */
static void drm_gem_shmem_test_shrinker_drop_slab(struct kunit *test)
{
	struct drm_gem_shmem_object *evictable, *purgeable;

	if (!IS_BUILTIN(CONFIG_DRM_KUNIT_TEST))
		kunit_skip(test, TEST_DROP_SLAB_SKIP);

	evictable = drm_gem_shmem_test_create(test, TEST_SIZE);
	drm_gem_shmem_test_get_pages(test, evictable);
	KUNIT_ASSERT_EQ(test, drm_gem_shmem_test_fill(evictable, 13), 0);
	purgeable = drm_gem_shmem_test_create(test, TEST_SIZE);
	drm_gem_shmem_test_get_pages(test, purgeable);
	drm_gem_shmem_test_set_madv(purgeable, 1);
	KUNIT_EXPECT_EQ(test, drm_gem_shmem_test_count(test), 2 * TEST_NR_PAGES);

	drm_gem_shmem_test_drop_slab();

	KUNIT_EXPECT_TRUE(test, drm_gem_shmem_is_evicted(evictable));
	KUNIT_EXPECT_LT(test, purgeable->madv, 0);
	KUNIT_EXPECT_EQ(test, drm_gem_shmem_test_count(test), SHRINK_EMPTY);
	assert_content(test, evictable, 13);
}

static int drm_gem_shmem_shrinker_test_init(struct kunit *test)
{
	struct drm_gem_shmem_shrinker_test *t;
	struct device *dev;
	int ret;

	t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);

	dev = drm_kunit_helper_alloc_device(test);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dev);
	ret = dma_set_mask(dev, DMA_BIT_MASK(64));
	KUNIT_ASSERT_EQ(test, ret, 0);

	t->drm = __drm_kunit_helper_alloc_drm_device_with_driver(test, dev,
								 sizeof(*t->drm), 0,
								 &drm_gem_shmem_test_driver);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, t->drm);

	ret = drmm_gem_shmem_init(t->drm);
	KUNIT_ASSERT_EQ(test, ret, 0);
	KUNIT_ASSERT_NOT_NULL(test, t->drm->shmem_shrinker);

	t->can_swap = true;
	test->priv = t;
	kunit_activate_static_stub(test, drm_gem_shmem_can_swap,
				   drm_gem_shmem_test_can_swap);

	return 0;
}

static struct kunit_case drm_gem_shmem_shrinker_test_cases[] = {
	KUNIT_CASE(drm_gem_shmem_test_shrinker_purge),
	KUNIT_CASE(drm_gem_shmem_test_shrinker_evict_swap_in),
	KUNIT_CASE(drm_gem_shmem_test_shrinker_no_swap),
	KUNIT_CASE(drm_gem_shmem_test_shrinker_skip),
	KUNIT_CASE(drm_gem_shmem_test_shrinker_reclaim_context),
	KUNIT_CASE(drm_gem_shmem_test_shrinker_free_evicted),
	KUNIT_CASE(drm_gem_shmem_test_shrinker_swap_in_fails),
	KUNIT_CASE(drm_gem_shmem_test_shrinker_free_in_scan),
	KUNIT_CASE(drm_gem_shmem_test_shrinker_exported),
	KUNIT_CASE(drm_gem_shmem_test_shrinker_exported_first),
	KUNIT_CASE(drm_gem_shmem_test_shrinker_exported_dontneed),
	KUNIT_CASE(drm_gem_shmem_test_shrinker_purge_evicted),
	KUNIT_CASE(drm_gem_shmem_test_shrinker_mmap),
	KUNIT_CASE_PARAM(drm_gem_shmem_test_shrinker_swap_in_paths,
			 drm_gem_shmem_test_path_gen_params),
	KUNIT_CASE(drm_gem_shmem_test_shrinker_default_funcs),
	KUNIT_CASE(drm_gem_shmem_test_shrinker_free_shared_resv),
	KUNIT_CASE(drm_gem_shmem_test_shrinker_stop),
	KUNIT_CASE(drm_gem_shmem_test_shrinker_stop_waits),
	KUNIT_CASE(drm_gem_shmem_test_shrinker_drop_slab),
	KUNIT_CASE_SLOW(drm_gem_shmem_test_shrinker_concurrent),
	KUNIT_CASE_PARAM_ATTR(drm_gem_shmem_test_shrinker_scan_bounded,
			      drm_gem_shmem_test_lru_size_gen_params,
			      { .speed = KUNIT_SPEED_SLOW }),
	{}
};

static struct kunit_suite drm_gem_shmem_shrinker_suite = {
	.name = "drm_gem_shmem_shrinker",
	.init = drm_gem_shmem_shrinker_test_init,
	.test_cases = drm_gem_shmem_shrinker_test_cases
};

kunit_test_suites(&drm_gem_shmem_suite, &drm_gem_shmem_shrinker_suite);

MODULE_DESCRIPTION("KUnit test suite for GEM objects backed by shmem buffers");
MODULE_IMPORT_NS(DMA_BUF);
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
MODULE_LICENSE("GPL");
