// SPDX-License-Identifier: GPL-2.0
/* Copyright 2019 Linaro, Ltd, Rob Herring <robh@kernel.org> */

#include <linux/err.h>
#include <linux/slab.h>
#include <linux/dma-buf.h>
#include <linux/dma-mapping.h>
#include <linux/pagemap.h>

#include <drm/drm_drv.h>
#include <drm/panfrost_drm.h>
#include <kunit/static_stub.h>

#include "panfrost_device.h"
#include "panfrost_gem.h"
#include "panfrost_mmu.h"

/*
 * The GPU fault handler took one reference per page of a heap BO, with
 * shmem_read_mapping_page(), each on the page's folio however large; not
 * every page was faulted in. drm_gem_put_pages() drops one reference per
 * folio of an array that drm_gem_get_pages() filled, so it does not fit.
 */
static void panfrost_gem_put_heap_pages(struct panfrost_gem_object *bo)
{
	pgoff_t i, npages = bo->base.base.size >> PAGE_SHIFT;

	for (i = 0; i < npages; i++) {
		if (bo->heap_pages[i])
			put_page(bo->heap_pages[i]);
	}
	mapping_clear_unevictable(bo->base.base.filp->f_mapping);
	kvfree(bo->heap_pages);
	bo->heap_pages = NULL;
}

/* Called DRM core on the last userspace/kernel unreference of the
 * BO.
 */
static void panfrost_gem_free_object(struct drm_gem_object *obj)
{
	struct panfrost_gem_object *bo = to_panfrost_bo(obj);
	struct panfrost_device *pfdev = obj->dev->dev_private;

	/*
	 * If we still have mappings attached to the BO, there's a problem in
	 * our refcounting.
	 */
	WARN_ON_ONCE(!list_empty(&bo->mappings.list));

	if (bo->sgts) {
		int i;
		int n_sgt = bo->base.base.size / SZ_2M;

		for (i = 0; i < n_sgt; i++) {
			if (bo->sgts[i].sgl) {
				dma_unmap_sgtable(pfdev->dev, &bo->sgts[i],
						  DMA_BIDIRECTIONAL, 0);
				sg_free_table(&bo->sgts[i]);
			}
		}
		kvfree(bo->sgts);
		bo->sgts = NULL;
	}

	if (bo->heap_pages)
		panfrost_gem_put_heap_pages(bo);

	drm_gem_shmem_free(&bo->base);
}

struct panfrost_gem_mapping *
panfrost_gem_mapping_get(struct panfrost_gem_object *bo,
			 struct panfrost_file_priv *priv)
{
	struct panfrost_gem_mapping *iter, *mapping = NULL;

	mutex_lock(&bo->mappings.lock);
	list_for_each_entry(iter, &bo->mappings.list, node) {
		if (iter->mmu == priv->mmu) {
			kref_get(&iter->refcount);
			mapping = iter;
			break;
		}
	}
	mutex_unlock(&bo->mappings.lock);

	return mapping;
}

static void
panfrost_gem_teardown_mapping(struct panfrost_gem_mapping *mapping)
{
	if (mapping->active)
		panfrost_mmu_unmap(mapping);

	spin_lock(&mapping->mmu->mm_lock);
	if (drm_mm_node_allocated(&mapping->mmnode))
		drm_mm_remove_node(&mapping->mmnode);
	spin_unlock(&mapping->mmu->mm_lock);
}

/*
 * Releases of mappings that could not take the reservation lock of their BO
 * at once finish here; see panfrost_gem_mapping_release().
 */
static struct workqueue_struct *panfrost_gem_release_wq;

int __init panfrost_gem_module_init(void)
{
	panfrost_gem_release_wq = alloc_workqueue("panfrost-gem-release",
						  WQ_UNBOUND, 0);

	return panfrost_gem_release_wq ? 0 : -ENOMEM;
}

void panfrost_gem_module_exit(void)
{
	destroy_workqueue(panfrost_gem_release_wq);
}

static void panfrost_gem_mapping_free(struct panfrost_gem_mapping *mapping)
{
	struct drm_device *dev = mapping->obj->base.base.dev;
	bool deferred = mapping->deferred;

	drm_gem_object_put(&mapping->obj->base.base);
	kfree(mapping);
	/* Taken when the release was deferred */
	if (deferred)
		drm_dev_put(dev);
}

static void panfrost_gem_mapping_release_work(struct work_struct *work)
{
	struct panfrost_gem_mapping *mapping =
		container_of(work, struct panfrost_gem_mapping, release_work);
	struct panfrost_gem_object *bo = mapping->obj;

	dma_resv_lock(bo->base.base.resv, NULL);
	drm_gem_shmem_put_pages_locked(&bo->base);
	dma_resv_unlock(bo->base.base.resv);

	panfrost_gem_mapping_free(mapping);
}

static void panfrost_gem_mapping_release(struct kref *kref)
{
	struct panfrost_gem_mapping *mapping;
	struct panfrost_gem_object *bo;

	mapping = container_of(kref, struct panfrost_gem_mapping, refcount);
	bo = mapping->obj;

	/*
	 * The shrinker does not see a mapping that is off the list, so the BO
	 * may only be purged once the mapping is out of the GPU page tables.
	 */
	mutex_lock(&bo->mappings.lock);
	panfrost_gem_teardown_mapping(mapping);
	if (mapping->unlisted)
		bo->mappings.unlisted--;
	mutex_unlock(&bo->mappings.lock);
	panfrost_mmu_ctx_put(mapping->mmu);

	/*
	 * The GPU no longer maps the pages: drop the mapping's reference. The
	 * last reference to a mapping may go in the scheduler's free_job work
	 * (panfrost_job_cleanup()), which shares an ordered queue with the
	 * work that runs jobs: it must not wait for a reservation lock, whose
	 * holder may wait for a fence of a job queued behind it. So the pages
	 * reference goes here if the lock is free, else from a worker, which
	 * keeps the BO and the device until it is done.
	 */
	if (mapping->holds_pages) {
		if (!dma_resv_trylock(bo->base.base.resv)) {
			mapping->deferred = true;
			drm_dev_get(bo->base.base.dev);
			INIT_WORK(&mapping->release_work,
				  panfrost_gem_mapping_release_work);
			queue_work(panfrost_gem_release_wq,
				   &mapping->release_work);
			return;
		}
		drm_gem_shmem_put_pages_locked(&bo->base);
		dma_resv_unlock(bo->base.base.resv);
	}

	panfrost_gem_mapping_free(mapping);
}

void panfrost_gem_mapping_put(struct panfrost_gem_mapping *mapping)
{
	KUNIT_STATIC_STUB_REDIRECT(panfrost_gem_mapping_put, mapping);

	if (!mapping)
		return;

	kref_put(&mapping->refcount, panfrost_gem_mapping_release);
}

void panfrost_gem_teardown_mappings_locked(struct panfrost_gem_object *bo)
{
	struct panfrost_gem_mapping *mapping;

	list_for_each_entry(mapping, &bo->mappings.list, node)
		panfrost_gem_teardown_mapping(mapping);
}

/*
 * Whether a file may open the BO, that is get a mapping of it in its GPU VM:
 * only while it is WILLNEED. madvise(DONTNEED) requires the caller's file to
 * be the only one that maps the BO, and a purged BO has no content left.
 * Called with the reservation lock held, which madvise and purging hold to
 * change the state.
 */
static int panfrost_gem_may_open(struct panfrost_gem_object *bo)
{
	dma_resv_assert_held(bo->base.base.resv);

	if (bo->base.madv < 0)
		return -ENOMEM;
	if (bo->base.madv != PANFROST_MADV_WILLNEED)
		return -EBUSY;

	return 0;
}

int panfrost_gem_open(struct drm_gem_object *obj, struct drm_file *file_priv)
{
	int ret;
	size_t size = obj->size;
	u64 align;
	struct panfrost_gem_object *bo = to_panfrost_bo(obj);
	unsigned long color = bo->noexec ? PANFROST_BO_NOEXEC : 0;
	struct panfrost_file_priv *priv = file_priv->driver_priv;
	struct panfrost_gem_mapping *mapping;

	mapping = kzalloc(sizeof(*mapping), GFP_KERNEL);
	if (!mapping)
		return -ENOMEM;

	INIT_LIST_HEAD(&mapping->node);
	kref_init(&mapping->refcount);
	drm_gem_object_get(obj);
	mapping->obj = bo;

	/*
	 * Executable buffers cannot cross a 16MB boundary as the program
	 * counter is 24-bits. We assume executable buffers will be less than
	 * 16MB and aligning executable buffers to their size will avoid
	 * crossing a 16MB boundary.
	 */
	if (!bo->noexec)
		align = size >> PAGE_SHIFT;
	else
		align = size >= SZ_2M ? SZ_2M >> PAGE_SHIFT : 0;

	mapping->mmu = panfrost_mmu_ctx_get(priv->mmu);
	spin_lock(&mapping->mmu->mm_lock);
	ret = drm_mm_insert_node_generic(&mapping->mmu->mm, &mapping->mmnode,
					 size >> PAGE_SHIFT, align, color, 0);
	spin_unlock(&mapping->mmu->mm_lock);
	if (ret)
		goto err;

	/*
	 * The state checked here, the GPU mapping and the listing of the
	 * mapping all happen under the reservation lock, which madvise and
	 * purging take: no open maps a BO they have made unusable, and they
	 * see every mapping an open has made until panfrost_gem_close() takes
	 * it off the list.
	 */
	ret = dma_resv_lock_interruptible(obj->resv, NULL);
	if (ret)
		goto err;

	ret = panfrost_gem_may_open(bo);

	/*
	 * Each GPU mapping holds a reference on the pages from here until it
	 * is released; imported BOs have only the exporter's scatter/gather
	 * table. Heaps are mapped on GPU faults instead.
	 */
	if (!ret && !bo->is_heap) {
		if (!obj->import_attach) {
			ret = drm_gem_shmem_get_pages_locked(&bo->base);
			mapping->holds_pages = !ret;
		}
		if (!ret)
			ret = panfrost_mmu_map(mapping);
		if (ret && mapping->holds_pages) {
			drm_gem_shmem_put_pages_locked(&bo->base);
			mapping->holds_pages = false;
		}
	}

	if (!ret) {
		mutex_lock(&bo->mappings.lock);
		list_add_tail(&mapping->node, &bo->mappings.list);
		mutex_unlock(&bo->mappings.lock);
	}

	dma_resv_unlock(obj->resv);

err:
	if (ret)
		panfrost_gem_mapping_put(mapping);
	return ret;
}

void panfrost_gem_close(struct drm_gem_object *obj, struct drm_file *file_priv)
{
	struct panfrost_file_priv *priv = file_priv->driver_priv;
	struct panfrost_gem_object *bo = to_panfrost_bo(obj);
	struct panfrost_gem_mapping *mapping = NULL, *iter;

	mutex_lock(&bo->mappings.lock);
	list_for_each_entry(iter, &bo->mappings.list, node) {
		if (iter->mmu == priv->mmu) {
			mapping = iter;
			list_del_init(&iter->node);
			/* Jobs may still hold it, and the GPU use it. */
			mapping->unlisted = true;
			bo->mappings.unlisted++;
			break;
		}
	}
	mutex_unlock(&bo->mappings.lock);

	panfrost_gem_mapping_put(mapping);
}

static int panfrost_gem_pin(struct drm_gem_object *obj)
{
	struct panfrost_gem_object *bo = to_panfrost_bo(obj);

	if (bo->is_heap)
		return -EINVAL;

	return drm_gem_shmem_pin_locked(&bo->base);
}

static enum drm_gem_object_status panfrost_gem_status(struct drm_gem_object *obj)
{
	struct panfrost_gem_object *bo = to_panfrost_bo(obj);
	enum drm_gem_object_status res = 0;

	if (bo->base.base.import_attach || bo->base.pages || bo->heap_pages)
		res |= DRM_GEM_OBJECT_RESIDENT;

	if (bo->base.madv == PANFROST_MADV_DONTNEED)
		res |= DRM_GEM_OBJECT_PURGEABLE;

	return res;
}

static size_t panfrost_gem_rss(struct drm_gem_object *obj)
{
	struct panfrost_gem_object *bo = to_panfrost_bo(obj);

	if (bo->is_heap) {
		return bo->heap_rss_size;
	} else if (bo->base.pages) {
		WARN_ON(bo->heap_rss_size);
		return bo->base.base.size;
	}

	return 0;
}

static const struct drm_gem_object_funcs panfrost_gem_funcs = {
	.free = panfrost_gem_free_object,
	.open = panfrost_gem_open,
	.close = panfrost_gem_close,
	.print_info = drm_gem_shmem_object_print_info,
	.pin = panfrost_gem_pin,
	.unpin = drm_gem_shmem_object_unpin,
	.get_sg_table = drm_gem_shmem_object_get_sg_table,
	.vmap = drm_gem_shmem_object_vmap,
	.vunmap = drm_gem_shmem_object_vunmap,
	.mmap = drm_gem_shmem_object_mmap,
	.purge = panfrost_gem_purge,
	.status = panfrost_gem_status,
	.rss = panfrost_gem_rss,
	.vm_ops = &drm_gem_shmem_vm_ops,
};

/**
 * panfrost_gem_create_object - Implementation of driver->gem_create_object.
 * @dev: DRM device
 * @size: Size in bytes of the memory the object will reference
 *
 * This lets the GEM helpers allocate object structs for us, and keep
 * our BO stats correct.
 */
struct drm_gem_object *panfrost_gem_create_object(struct drm_device *dev, size_t size)
{
	struct panfrost_device *pfdev = dev->dev_private;
	struct panfrost_gem_object *obj;

	obj = kzalloc(sizeof(*obj), GFP_KERNEL);
	if (!obj)
		return ERR_PTR(-ENOMEM);

	INIT_LIST_HEAD(&obj->mappings.list);
	mutex_init(&obj->mappings.lock);
	obj->base.base.funcs = &panfrost_gem_funcs;
	obj->base.map_wc = !pfdev->coherent;

	return &obj->base.base;
}

struct panfrost_gem_object *
panfrost_gem_create(struct drm_device *dev, size_t size, u32 flags)
{
	struct drm_gem_shmem_object *shmem;
	struct panfrost_gem_object *bo;

	/* Round up heap allocations to 2MB to keep fault handling simple */
	if (flags & PANFROST_BO_HEAP)
		size = roundup(size, SZ_2M);

	shmem = drm_gem_shmem_create(dev, size);
	if (IS_ERR(shmem))
		return ERR_CAST(shmem);

	bo = to_panfrost_bo(&shmem->base);
	bo->noexec = !!(flags & PANFROST_BO_NOEXEC);
	bo->is_heap = !!(flags & PANFROST_BO_HEAP);

	return bo;
}

struct drm_gem_object *
panfrost_gem_prime_import_sg_table(struct drm_device *dev,
				   struct dma_buf_attachment *attach,
				   struct sg_table *sgt)
{
	struct drm_gem_object *obj;
	struct panfrost_gem_object *bo;

	obj = drm_gem_shmem_prime_import_sg_table(dev, attach, sgt);
	if (IS_ERR(obj))
		return ERR_CAST(obj);

	bo = to_panfrost_bo(obj);
	bo->noexec = true;

	return obj;
}
