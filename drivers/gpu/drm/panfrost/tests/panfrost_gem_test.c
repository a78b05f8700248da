// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of panfrost's buffer objects and their GPU mappings, on a
 * device without a GPU.
 *
 * The device has no registers: nothing here may reach hardware. Each file
 * still gets a real GPU VM (a panfrost_mmu with Mali LPAE page tables from
 * io-pgtable), which is never given an address space, so mapping and
 * unmapping BOs change real page tables and flush nothing. The page tables
 * are walked coherently, so no DMA is needed for them.
 */

#include <linux/delay.h>
#include <linux/dma-mapping.h>
#include <linux/file.h>
#include <linux/io-pgtable.h>
#include <linux/kthread.h>
#include <linux/pagemap.h>
#include <linux/shmem_fs.h>
#include <linux/sizes.h>
#include <linux/swap.h>

#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_kunit_helpers.h>
#include <drm/panfrost_drm.h>

#include <kunit/static_stub.h>
#include <kunit/test.h>

#include "../panfrost_device.h"
#include "../panfrost_gem.h"
#include "../panfrost_job.h"
#include "../panfrost_mmu.h"

struct panfrost_gem_test {
	struct drm_device *ddev;
	struct panfrost_device *pfdev;
	/* The file that creates the BOs, and a second one */
	struct drm_file *file;
	struct drm_file *other;
	/* GPU use count of the BO when a job put its mapping */
	int usecount_at_put;
};

static const struct drm_driver panfrost_gem_test_driver = {
	.driver_features = DRIVER_GEM,
	.gem_create_object = panfrost_gem_create_object,
};

static void panfrost_gem_test_file_release(void *data)
{
	struct drm_file *file = data;
	struct panfrost_file_priv *priv = file->driver_priv;
	int handle = 0;

	while (idr_get_next(&file->object_idr, &handle))
		drm_gem_handle_delete(file, handle);
	idr_destroy(&file->object_idr);
	panfrost_mmu_ctx_put(priv->mmu);
}

/*
 * What drm_file_alloc() and panfrost_open() set up that BO handles use: the
 * handle table, the PRIME state handle deletion looks at, and the file's GPU
 * VM. The file has no scheduler entities: no job is ever queued.
 */
static struct drm_file *panfrost_gem_test_file(struct kunit *test)
{
	struct panfrost_gem_test *t = test->priv;
	struct panfrost_file_priv *priv;
	struct drm_file *file;
	int ret;

	file = kunit_kzalloc(test, sizeof(*file), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, file);
	priv = kunit_kzalloc(test, sizeof(*priv), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, priv);

	idr_init_base(&file->object_idr, 1);
	spin_lock_init(&file->table_lock);
	mutex_init(&file->prime.lock);
	file->prime.dmabufs = RB_ROOT;
	file->prime.handles = RB_ROOT;

	priv->pfdev = t->pfdev;
	priv->mmu = panfrost_mmu_ctx_create(t->pfdev);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, priv->mmu);
	file->driver_priv = priv;

	ret = kunit_add_action_or_reset(test, panfrost_gem_test_file_release,
					file);
	KUNIT_ASSERT_EQ(test, ret, 0);

	return file;
}

static int panfrost_gem_test_init(struct kunit *test)
{
	struct panfrost_gem_test *t;
	struct device *dev;

	t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	test->priv = t;

	dev = drm_kunit_helper_alloc_device(test);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dev);
	KUNIT_ASSERT_EQ(test, dma_set_mask_and_coherent(dev, DMA_BIT_MASK(64)), 0);

	t->ddev = __drm_kunit_helper_alloc_drm_device_with_driver(test, dev, sizeof(*t->ddev),
								  0, &panfrost_gem_test_driver);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, t->ddev);

	t->pfdev = kunit_kzalloc(test, sizeof(*t->pfdev), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t->pfdev);
	t->pfdev->dev = dev;
	t->pfdev->ddev = t->ddev;
	/* A coherent GPU: the page tables need no DMA maintenance. */
	t->pfdev->coherent = true;
	/* 32 bits of GPU VA, 40 of physical address, as a Mali-T860 has. */
	t->pfdev->features.mmu_features = 32 | (40 << 8);
	spin_lock_init(&t->pfdev->as_lock);
	t->ddev->dev_private = t->pfdev;
	/* As panfrost_probe() does */
	KUNIT_ASSERT_EQ(test, drmm_gem_shmem_init(t->ddev), 0);

	t->file = panfrost_gem_test_file(test);
	t->other = panfrost_gem_test_file(test);

	return 0;
}

/* Creates a BO in @file with the ioctl; returns its handle. */
static u32 panfrost_gem_test_create(struct kunit *test, struct drm_file *file,
				    size_t size, u32 flags)
{
	struct panfrost_gem_test *t = test->priv;
	struct drm_panfrost_create_bo args = {
		.size = size,
		.flags = flags,
	};

	KUNIT_ASSERT_EQ(test, panfrost_ioctl_create_bo(t->ddev, &args, file), 0);
	KUNIT_ASSERT_NE(test, args.handle, 0);

	return args.handle;
}

static struct panfrost_gem_object *
panfrost_gem_test_lookup(struct kunit *test, struct drm_file *file, u32 handle)
{
	struct drm_gem_object *obj = drm_gem_object_lookup(file, handle);

	KUNIT_ASSERT_NOT_NULL(test, obj);
	/* The handle keeps the object; the tests drop handles themselves. */
	drm_gem_object_put(obj);

	return to_panfrost_bo(obj);
}

/* The physical address the GPU VM of @file maps at @iova, 0 if none. */
static phys_addr_t panfrost_gem_test_gpu_phys(struct drm_file *file, u64 iova)
{
	struct panfrost_file_priv *priv = file->driver_priv;
	struct io_pgtable_ops *ops = priv->mmu->pgtbl_ops;

	return ops->iova_to_phys(ops, iova);
}

/*
 * Creating a BO maps it in the creating file's GPU VM, at the address the
 * mapping reserved, page by page onto the pages of its scatter/gather table;
 * closing the last handle takes it out of the page tables again.
 */
static void panfrost_gem_test_open_maps_close_unmaps(struct kunit *test)
{
	struct panfrost_gem_test *t = test->priv;
	struct panfrost_file_priv *priv = t->file->driver_priv;
	struct panfrost_gem_mapping *mapping;
	struct panfrost_gem_object *bo;
	struct sg_dma_page_iter iter;
	unsigned long offset = 0;
	u32 handle;
	u64 iova;

	handle = panfrost_gem_test_create(test, t->file, SZ_64K, PANFROST_BO_NOEXEC);
	bo = panfrost_gem_test_lookup(test, t->file, handle);

	mapping = panfrost_gem_mapping_get(bo, priv);
	KUNIT_ASSERT_NOT_NULL(test, mapping);
	iova = mapping->mmnode.start << PAGE_SHIFT;
	KUNIT_EXPECT_TRUE(test, mapping->active);
	panfrost_gem_mapping_put(mapping);

	KUNIT_ASSERT_NOT_NULL(test, bo->base.sgt);
	for_each_sgtable_dma_page(bo->base.sgt, &iter, 0) {
		KUNIT_EXPECT_EQ(test, panfrost_gem_test_gpu_phys(t->file, iova + offset),
				(phys_addr_t)sg_page_iter_dma_address(&iter));
		offset += PAGE_SIZE;
	}
	KUNIT_EXPECT_EQ(test, offset, SZ_64K);

	KUNIT_ASSERT_EQ(test, drm_gem_handle_delete(t->file, handle), 0);
	KUNIT_EXPECT_EQ(test, panfrost_gem_test_gpu_phys(t->file, iova), 0);
}

/* What panfrost_lookup_bos() sets up for a job with the one BO @bo. */
static struct panfrost_job *panfrost_gem_test_job(struct kunit *test,
						  struct panfrost_gem_object *bo,
						  struct panfrost_file_priv *priv)
{
	struct panfrost_job *job;

	job = kzalloc(sizeof(*job), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, job);
	kref_init(&job->refcount);
	job->bo_count = 1;
	job->bos = kvmalloc_array(1, sizeof(*job->bos), GFP_KERNEL | __GFP_ZERO);
	job->mappings = kvmalloc_array(1, sizeof(*job->mappings),
				       GFP_KERNEL | __GFP_ZERO);
	if (!job->bos || !job->mappings) {
		panfrost_job_put(job);
		KUNIT_FAIL_AND_ABORT(test, "out of memory");
	}
	drm_gem_object_get(&bo->base.base);
	job->bos[0] = &bo->base.base;
	job->mappings[0] = panfrost_gem_mapping_get(bo, priv);
	if (!job->mappings[0]) {
		panfrost_job_put(job);
		KUNIT_FAIL_AND_ABORT(test, "the BO has no mapping in the file");
	}
	atomic_inc(&bo->gpu_usecount);

	return job;
}

static void panfrost_gem_test_job_mapping_put(struct panfrost_gem_mapping *mapping)
{
	struct kunit *test = kunit_get_current_test();
	struct panfrost_gem_test *t = test->priv;

	t->usecount_at_put = atomic_read(&mapping->obj->gpu_usecount);
	kunit_deactivate_static_stub(test, panfrost_gem_mapping_put);
	panfrost_gem_mapping_put(mapping);
}

/*
 * A job whose BO handle was closed while it ran holds the last reference to
 * the BO's mapping in the file's VM. The mapping is off the BO's list, where
 * purging does not see it, so the BO's GPU use count is what keeps the
 * shrinker away until the mapping is out of the page tables: the job puts
 * its mapping before it drops the count.
 */
static void panfrost_gem_test_job_puts_mapping_first(struct kunit *test)
{
	struct panfrost_gem_test *t = test->priv;
	struct panfrost_file_priv *priv = t->file->driver_priv;
	struct panfrost_gem_object *bo;
	struct panfrost_job *job;
	u32 handle;
	u64 iova;

	handle = panfrost_gem_test_create(test, t->file, SZ_64K, PANFROST_BO_NOEXEC);
	bo = panfrost_gem_test_lookup(test, t->file, handle);

	job = panfrost_gem_test_job(test, bo, priv);
	iova = job->mappings[0]->mmnode.start << PAGE_SHIFT;

	/* The handle goes while the job runs: the job keeps the mapping. */
	KUNIT_ASSERT_EQ(test, drm_gem_handle_delete(t->file, handle), 0);
	KUNIT_EXPECT_NE(test, panfrost_gem_test_gpu_phys(t->file, iova), 0);

	t->usecount_at_put = -1;
	kunit_activate_static_stub(test, panfrost_gem_mapping_put,
				   panfrost_gem_test_job_mapping_put);
	panfrost_job_put(job);

	KUNIT_EXPECT_EQ_MSG(test, t->usecount_at_put, 1,
			    "the job dropped the BO's GPU use count before its mapping");
	KUNIT_EXPECT_EQ(test, panfrost_gem_test_gpu_phys(t->file, iova), 0);
}

static int panfrost_gem_test_madvise(struct kunit *test, struct drm_file *file,
				     u32 handle, u32 madv, u32 *retained)
{
	struct panfrost_gem_test *t = test->priv;
	struct drm_panfrost_madvise args = {
		.handle = handle,
		.madv = madv,
		.retained = 0xdead,
	};
	int ret;

	ret = panfrost_ioctl_madvise(t->ddev, &args, file);
	if (retained)
		*retained = args.retained;

	return ret;
}

static const u32 panfrost_gem_test_bad_madv[] = { 2, 0x7fffffff, 0x80000000, 0xffffffff };

/*
 * madvise takes WILLNEED and DONTNEED only. Anything else, a value the
 * shmem helpers would read as negative included, fails and changes nothing:
 * the BO is neither marked purged nor purgeable, and keeps its pages.
 */
static void panfrost_gem_test_madvise_rejects_unknown(struct kunit *test)
{
	struct panfrost_gem_test *t = test->priv;
	struct panfrost_gem_object *bo;
	u32 handle, retained;
	unsigned int i;

	handle = panfrost_gem_test_create(test, t->file, SZ_64K, PANFROST_BO_NOEXEC);
	bo = panfrost_gem_test_lookup(test, t->file, handle);

	for (i = 0; i < ARRAY_SIZE(panfrost_gem_test_bad_madv); i++) {
		u32 madv = panfrost_gem_test_bad_madv[i];

		KUNIT_EXPECT_EQ_MSG(test, panfrost_gem_test_madvise(test, t->file, handle,
								    madv, NULL),
				    -EINVAL, "madv %#x", madv);
		KUNIT_EXPECT_EQ_MSG(test, bo->base.madv, PANFROST_MADV_WILLNEED,
				    "madv %#x", madv);
	}
	KUNIT_EXPECT_NOT_NULL(test, bo->base.pages);

	/* The two valid states still work, in both directions. */
	KUNIT_EXPECT_EQ(test, panfrost_gem_test_madvise(test, t->file, handle,
							PANFROST_MADV_DONTNEED, &retained), 0);
	KUNIT_EXPECT_EQ(test, retained, 1);
	KUNIT_EXPECT_EQ(test, bo->base.madv, PANFROST_MADV_DONTNEED);
	KUNIT_EXPECT_EQ(test, panfrost_gem_test_madvise(test, t->file, handle, 0xffffffff,
							NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, bo->base.madv, PANFROST_MADV_DONTNEED);
	KUNIT_EXPECT_EQ(test, panfrost_gem_test_madvise(test, t->file, handle,
							PANFROST_MADV_WILLNEED, &retained), 0);
	KUNIT_EXPECT_EQ(test, retained, 1);
	KUNIT_EXPECT_EQ(test, bo->base.madv, PANFROST_MADV_WILLNEED);
}

/* Purges @bo through the purge callback, as the shmem shrinker does. */
static int panfrost_gem_test_purge(struct kunit *test, struct panfrost_gem_object *bo)
{
	int ret;

	dma_resv_lock(bo->base.base.resv, NULL);
	ret = bo->base.base.funcs->purge(&bo->base.base);
	dma_resv_unlock(bo->base.base.resv);

	return ret;
}

/*
 * Another file can open a BO (flink, PRIME import) only while it is
 * WILLNEED: -EBUSY while it is marked DONTNEED, -ENOMEM once purged, with
 * no mapping and no pages for the purged BO.
 */
static void panfrost_gem_test_open_not_willneed(struct kunit *test)
{
	struct panfrost_gem_test *t = test->priv;
	struct panfrost_gem_object *bo;
	u32 handle, other_handle = 0, retained;

	handle = panfrost_gem_test_create(test, t->file, SZ_64K, PANFROST_BO_NOEXEC);
	bo = panfrost_gem_test_lookup(test, t->file, handle);
	KUNIT_ASSERT_EQ(test, panfrost_gem_test_madvise(test, t->file, handle,
							PANFROST_MADV_DONTNEED, NULL), 0);

	KUNIT_EXPECT_EQ(test, drm_gem_handle_create(t->other, &bo->base.base, &other_handle),
			-EBUSY);
	KUNIT_EXPECT_EQ(test, other_handle, 0);
	KUNIT_EXPECT_TRUE(test, list_is_singular(&bo->mappings.list));

	KUNIT_ASSERT_EQ(test, panfrost_gem_test_purge(test, bo), 0);
	KUNIT_ASSERT_LT(test, bo->base.madv, 0);

	KUNIT_EXPECT_EQ(test, drm_gem_handle_create(t->other, &bo->base.base, &other_handle),
			-ENOMEM);
	KUNIT_EXPECT_EQ(test, other_handle, 0);
	KUNIT_EXPECT_NULL(test, bo->base.pages);
	KUNIT_EXPECT_NULL(test, bo->base.sgt);
	KUNIT_EXPECT_TRUE(test, list_is_singular(&bo->mappings.list));

	/* The owner learns that the content is gone. */
	KUNIT_EXPECT_EQ(test, panfrost_gem_test_madvise(test, t->file, handle,
							PANFROST_MADV_WILLNEED, &retained), 0);
	KUNIT_EXPECT_EQ(test, retained, 0);
}

/*
 * A heap BO's pages are the ones the GPU faulted in, 2 MiB at a time, held
 * apart from the shmem helpers': freeing the BO drops exactly the reference
 * the fault handler took on each of them, and the helpers see no pages.
 */
static void panfrost_gem_test_heap_pages_freed(struct kunit *test)
{
	struct panfrost_gem_test *t = test->priv;
	static const pgoff_t faulted[] = { 0, 1, 511, 512 + 7 };
	struct folio *folios[ARRAY_SIZE(faulted)];
	struct panfrost_gem_object *bo;
	struct address_space *mapping;
	unsigned int i;
	u32 handle;

	handle = panfrost_gem_test_create(test, t->file, SZ_4M,
					  PANFROST_BO_HEAP | PANFROST_BO_NOEXEC);
	bo = panfrost_gem_test_lookup(test, t->file, handle);
	KUNIT_EXPECT_NULL(test, bo->base.pages);
	KUNIT_EXPECT_NULL(test, bo->base.sgt);

	/* What panfrost_mmu_map_fault_addr() does, for a few pages. */
	dma_resv_lock(bo->base.base.resv, NULL);
	bo->heap_pages = kvmalloc_array(SZ_4M >> PAGE_SHIFT, sizeof(struct page *),
					GFP_KERNEL | __GFP_ZERO);
	if (!bo->heap_pages) {
		dma_resv_unlock(bo->base.base.resv);
		KUNIT_FAIL_AND_ABORT(test, "out of memory");
	}
	mapping = bo->base.base.filp->f_mapping;
	mapping_set_unevictable(mapping);
	for (i = 0; i < ARRAY_SIZE(faulted); i++) {
		struct page *page = shmem_read_mapping_page(mapping, faulted[i]);

		if (IS_ERR(page)) {
			dma_resv_unlock(bo->base.base.resv);
			KUNIT_FAIL_AND_ABORT(test, "page %lu: %pe", faulted[i], page);
		}
		bo->heap_pages[faulted[i]] = page;
		folios[i] = page_folio(page);
		/* Ours, to look at the folio once the BO is gone */
		folio_get(folios[i]);
	}
	dma_resv_unlock(bo->base.base.resv);

	KUNIT_EXPECT_NULL(test, bo->base.pages);
	KUNIT_EXPECT_EQ(test, bo->base.pages_use_count, 0);

	/*
	 * The BO and its shmem file go (the file from a delayed fput, flushed
	 * here, as is the LRU's per-CPU batch, which holds references too):
	 * only our references are left.
	 */
	KUNIT_ASSERT_EQ(test, drm_gem_handle_delete(t->file, handle), 0);
	flush_delayed_fput();
	lru_add_drain_all();
	for (i = 0; i < ARRAY_SIZE(faulted); i++) {
		KUNIT_EXPECT_EQ_MSG(test, folio_ref_count(folios[i]), 1,
				    "page %lu", faulted[i]);
		folio_put(folios[i]);
	}
}

static unsigned int panfrost_gem_test_pages_refs(struct panfrost_gem_object *bo)
{
	unsigned int refs;

	dma_resv_lock(bo->base.base.resv, NULL);
	refs = bo->base.pages_use_count;
	dma_resv_unlock(bo->base.base.resv);

	return refs;
}

/*
 * Each GPU mapping of a BO holds a reference on its pages, beside the one
 * of its scatter/gather table, from the open that maps it to its release.
 */
static void panfrost_gem_test_mapping_holds_pages(struct kunit *test)
{
	struct panfrost_gem_test *t = test->priv;
	struct panfrost_gem_object *bo;
	u32 handle, other_handle;

	handle = panfrost_gem_test_create(test, t->file, SZ_64K, PANFROST_BO_NOEXEC);
	bo = panfrost_gem_test_lookup(test, t->file, handle);
	KUNIT_EXPECT_EQ(test, panfrost_gem_test_pages_refs(bo), 2);

	KUNIT_ASSERT_EQ(test, drm_gem_handle_create(t->other, &bo->base.base,
						    &other_handle), 0);
	KUNIT_EXPECT_EQ(test, panfrost_gem_test_pages_refs(bo), 3);
	KUNIT_ASSERT_EQ(test, drm_gem_handle_delete(t->other, other_handle), 0);
	KUNIT_EXPECT_EQ(test, panfrost_gem_test_pages_refs(bo), 2);

	drm_gem_object_get(&bo->base.base);
	KUNIT_ASSERT_EQ(test, drm_gem_handle_delete(t->file, handle), 0);
	KUNIT_EXPECT_EQ(test, panfrost_gem_test_pages_refs(bo), 1);
	KUNIT_EXPECT_TRUE(test, list_empty(&bo->mappings.list));
	drm_gem_object_put(&bo->base.base);
}

struct panfrost_gem_test_put {
	struct panfrost_job *job;
	struct completion done;
};

static int panfrost_gem_test_put_thread(void *data)
{
	struct panfrost_gem_test_put *put = data;

	panfrost_job_put(put->job);
	complete(&put->done);

	return 0;
}

/*
 * The scheduler's free_job work drops the last reference of a job, and so
 * may drop the last reference of a mapping whose handle was closed. That
 * work runs on the ordered queue that also runs jobs, so it must not wait
 * for a reservation lock, whose holder may be waiting for a job behind it:
 * releasing a mapping while someone holds the lock finishes at once, and
 * the pages reference goes once the lock is free.
 */
static void panfrost_gem_test_release_under_resv(struct kunit *test)
{
	struct panfrost_gem_test *t = test->priv;
	struct panfrost_file_priv *priv = t->file->driver_priv;
	struct panfrost_gem_test_put put;
	struct task_struct *thread;
	struct panfrost_gem_object *bo;
	unsigned int dev_refs;
	bool released;
	u32 handle;
	int i;

	handle = panfrost_gem_test_create(test, t->file, SZ_64K, PANFROST_BO_NOEXEC);
	bo = panfrost_gem_test_lookup(test, t->file, handle);
	put.job = panfrost_gem_test_job(test, bo, priv);
	init_completion(&put.done);
	drm_gem_object_get(&bo->base.base);
	KUNIT_ASSERT_EQ(test, drm_gem_handle_delete(t->file, handle), 0);
	KUNIT_EXPECT_EQ(test, panfrost_gem_test_pages_refs(bo), 2);
	dev_refs = kref_read(&t->ddev->ref);

	dma_resv_lock(bo->base.base.resv, NULL);
	thread = kthread_run(panfrost_gem_test_put_thread, &put, "panfrost-test-put");
	if (IS_ERR(thread)) {
		dma_resv_unlock(bo->base.base.resv);
		panfrost_job_put(put.job);
		drm_gem_object_put(&bo->base.base);
		KUNIT_FAIL_AND_ABORT(test, "no thread: %pe", thread);
	}
	released = wait_for_completion_timeout(&put.done, 5 * HZ);
	dma_resv_unlock(bo->base.base.resv);
	KUNIT_EXPECT_TRUE_MSG(test, released,
			      "releasing the mapping waited for the reservation lock");
	if (!released)
		wait_for_completion(&put.done);

	/*
	 * Once the lock is free, the pages reference goes, and the worker
	 * drops the device reference it took, after the BO's.
	 */
	for (i = 0; i < 250 && kref_read(&t->ddev->ref) != dev_refs; i++)
		msleep(20);
	KUNIT_EXPECT_EQ(test, panfrost_gem_test_pages_refs(bo), 1);
	KUNIT_EXPECT_EQ(test, kref_read(&t->ddev->ref), dev_refs);
	drm_gem_object_put(&bo->base.base);
}

/*
 * The device's shmem shrinker purges a BO marked DONTNEED: it leaves the
 * GPU VM before its pages go, and only the BO user space gave up goes.
 */
static void panfrost_gem_test_shrinker_purges_dontneed(struct kunit *test)
{
	struct panfrost_gem_test *t = test->priv;
	struct shrinker *shrinker = t->ddev->shmem_shrinker->shrinker;
	struct panfrost_file_priv *priv = t->file->driver_priv;
	struct shrink_control sc = {
		.gfp_mask = GFP_KERNEL,
		.nr_to_scan = SZ_1M >> PAGE_SHIFT,
	};
	struct panfrost_gem_mapping *mapping;
	struct panfrost_gem_object *bo, *kept;
	u32 handle, kept_handle;
	unsigned long freed;
	u64 iova, kept_iova;

	handle = panfrost_gem_test_create(test, t->file, SZ_64K, PANFROST_BO_NOEXEC);
	bo = panfrost_gem_test_lookup(test, t->file, handle);
	kept_handle = panfrost_gem_test_create(test, t->file, SZ_64K, PANFROST_BO_NOEXEC);
	kept = panfrost_gem_test_lookup(test, t->file, kept_handle);

	mapping = panfrost_gem_mapping_get(bo, priv);
	KUNIT_ASSERT_NOT_NULL(test, mapping);
	iova = mapping->mmnode.start << PAGE_SHIFT;
	panfrost_gem_mapping_put(mapping);
	mapping = panfrost_gem_mapping_get(kept, priv);
	KUNIT_ASSERT_NOT_NULL(test, mapping);
	kept_iova = mapping->mmnode.start << PAGE_SHIFT;
	panfrost_gem_mapping_put(mapping);

	KUNIT_ASSERT_EQ(test, panfrost_gem_test_madvise(test, t->file, handle,
							PANFROST_MADV_DONTNEED, NULL), 0);
	KUNIT_EXPECT_EQ(test, shrinker->count_objects(shrinker, &sc), SZ_64K >> PAGE_SHIFT);

	freed = shrinker->scan_objects(shrinker, &sc);
	KUNIT_EXPECT_EQ(test, freed, SZ_64K >> PAGE_SHIFT);
	KUNIT_EXPECT_LT(test, bo->base.madv, 0);
	KUNIT_EXPECT_NULL(test, bo->base.pages);
	KUNIT_EXPECT_EQ(test, panfrost_gem_test_gpu_phys(t->file, iova), 0);

	KUNIT_EXPECT_EQ(test, kept->base.madv, PANFROST_MADV_WILLNEED);
	KUNIT_EXPECT_NOT_NULL(test, kept->base.pages);
	KUNIT_EXPECT_NE(test, panfrost_gem_test_gpu_phys(t->file, kept_iova), 0);
}

/*
 * A mapping whose handle was closed while someone still held it (a job, an
 * ioctl between its lookup and its put) is off the BO's list, where purging
 * does not see it, yet still in the GPU page tables: the BO is not purged
 * until that mapping is released.
 */
static void panfrost_gem_test_purge_waits_for_unlisted(struct kunit *test)
{
	struct panfrost_gem_test *t = test->priv;
	struct panfrost_file_priv *priv = t->file->driver_priv;
	struct panfrost_gem_mapping *mapping;
	struct panfrost_gem_object *bo;
	u32 handle;
	u64 iova;

	handle = panfrost_gem_test_create(test, t->file, SZ_64K, PANFROST_BO_NOEXEC);
	bo = panfrost_gem_test_lookup(test, t->file, handle);
	KUNIT_ASSERT_EQ(test, panfrost_gem_test_madvise(test, t->file, handle,
							PANFROST_MADV_DONTNEED, NULL), 0);

	/* As panfrost_ioctl_get_bo_offset() holds it */
	mapping = panfrost_gem_mapping_get(bo, priv);
	KUNIT_ASSERT_NOT_NULL(test, mapping);
	iova = mapping->mmnode.start << PAGE_SHIFT;
	drm_gem_object_get(&bo->base.base);
	KUNIT_ASSERT_EQ(test, drm_gem_handle_delete(t->file, handle), 0);

	KUNIT_EXPECT_EQ(test, panfrost_gem_test_purge(test, bo), -EBUSY);
	KUNIT_EXPECT_EQ(test, bo->base.madv, PANFROST_MADV_DONTNEED);
	KUNIT_EXPECT_NE(test, panfrost_gem_test_gpu_phys(t->file, iova), 0);

	panfrost_gem_mapping_put(mapping);
	KUNIT_EXPECT_EQ(test, panfrost_gem_test_gpu_phys(t->file, iova), 0);
	KUNIT_EXPECT_EQ(test, panfrost_gem_test_purge(test, bo), 0);
	KUNIT_EXPECT_LT(test, bo->base.madv, 0);
	KUNIT_EXPECT_NULL(test, bo->base.pages);
	drm_gem_object_put(&bo->base.base);
}

static struct kunit_case panfrost_gem_test_cases[] = {
	KUNIT_CASE(panfrost_gem_test_open_maps_close_unmaps),
	KUNIT_CASE(panfrost_gem_test_job_puts_mapping_first),
	KUNIT_CASE(panfrost_gem_test_madvise_rejects_unknown),
	KUNIT_CASE(panfrost_gem_test_open_not_willneed),
	KUNIT_CASE(panfrost_gem_test_heap_pages_freed),
	KUNIT_CASE(panfrost_gem_test_mapping_holds_pages),
	KUNIT_CASE(panfrost_gem_test_release_under_resv),
	KUNIT_CASE(panfrost_gem_test_shrinker_purges_dontneed),
	KUNIT_CASE(panfrost_gem_test_purge_waits_for_unlisted),
	{}
};

static struct kunit_suite panfrost_gem_test_suite = {
	.name = "panfrost_gem",
	.init = panfrost_gem_test_init,
	.test_cases = panfrost_gem_test_cases,
};

kunit_test_suite(panfrost_gem_test_suite);
