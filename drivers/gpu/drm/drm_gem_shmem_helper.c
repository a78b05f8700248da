// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright 2018 Noralf Trønnes
 */

#include <linux/dma-buf.h>
#include <linux/export.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/shmem_fs.h>
#include <linux/shrinker.h>
#include <linux/slab.h>
#include <linux/swap.h>
#include <linux/vmalloc.h>

#include <kunit/static_stub.h>
#include <kunit/visibility.h>

#ifdef CONFIG_X86
#include <asm/set_memory.h>
#endif

#include <drm/drm.h>
#include <drm/drm_device.h>
#include <drm/drm_drv.h>
#include <drm/drm_gem_shmem_helper.h>
#include <drm/drm_managed.h>
#include <drm/drm_prime.h>
#include <drm/drm_print.h>

MODULE_IMPORT_NS(DMA_BUF);

/**
 * DOC: overview
 *
 * This library provides helpers for GEM objects backed by shmem buffers
 * allocated using anonymous pageable memory.
 *
 * Functions that operate on the GEM object receive struct &drm_gem_shmem_object.
 * For GEM callback helpers in struct &drm_gem_object functions, see likewise
 * named functions with an _object_ infix (e.g., drm_gem_shmem_object_vmap() wraps
 * drm_gem_shmem_vmap_locked()). These helpers perform the necessary type conversion.
 */

/**
 * DOC: page life cycle
 *
 * The backing pages of a native (not imported) shmem GEM object are in one
 * of the states below. The state is not stored anywhere: it follows from
 * &drm_gem_shmem_object.pages, &drm_gem_shmem_object.pages_use_count,
 * &drm_gem_shmem_object.pages_pin_count and &drm_gem_shmem_object.madv, all
 * protected by the object's reservation lock.
 *
 * =========== ============================================= ==================
 * State       Condition                                     Pages are
 * =========== ============================================= ==================
 * unpopulated pages == NULL, pages_use_count == 0           in the shmem file
 * resident    pages != NULL, pages_use_count > 0            in memory
 * pinned      resident and pages_pin_count > 0              in memory for good
 * evicted     pages == NULL, pages_use_count > 0, madv >= 0 in the shmem file
 *                                                           or in swap
 * purged      madv < 0                                      gone
 * =========== ============================================= ==================
 *
 * ::
 *
 *                   get_pages, vmap, mmap,
 *                   get_pages_sgt, pin                 pin
 *   unpopulated --------------------------> resident --------> pinned
 *        ^      <--------------------------  |  ^    <--------
 *        |            last put_pages         |  |    last unpin
 *        |                             evict |  | swap_in: get_pages, vmap,
 *        |                                   v  | mmap fault, get_pages_sgt, pin
 *        +---------- last put_pages ------ evicted
 *
 *   resident or evicted, madv > 0 ----------- purge -----------> purged
 *
 * Every user of the pages holds one reference on pages_use_count:
 * drm_gem_shmem_get_pages_locked() and drm_gem_shmem_put_pages_locked() for
 * drivers' own uses such as GPU mappings, the kernel mapping of
 * drm_gem_shmem_vmap_locked(), each user mapping from drm_gem_shmem_mmap(), the
 * scatter/gather table of drm_gem_shmem_get_pages_sgt() and, all together,
 * the pins. Getting the pages of an evicted object (get_pages, and so vmap,
 * pin, get_pages_sgt and mmap) swaps it in; the copy of a user mapping that
 * fork() makes takes its reference without, and faults the pages in like
 * the original. Pins and the kernel mapping keep the pages in memory; the
 * other references do not. An object whose only user was its
 * scatter/gather table has none left once evicted: it is unpopulated, its
 * content in the shmem file, from where the next user gets it back.
 *
 * If the driver set up the shrinker with drmm_gem_shmem_init(), objects whose
 * &drm_gem_object_funcs has &drm_gem_object_funcs.evict or
 * &drm_gem_object_funcs.purge sit on one of its LRUs while they qualify:
 * resident, not pinned and not mapped in the kernel, to be evicted, or also
 * marked as not needed with drm_gem_shmem_madvise_locked(), to be purged
 * (evicted ones too, if the driver has a purge callback). Purging skips
 * objects while a GEM handle keeps their PRIME export (&drm_gem_object.dma_buf
 * set), as others may need their content. The default shmem object functions
 * set neither callback: eviction is something a driver asks for. The LRUs
 * follow every state change the helpers make; an object that stops
 * qualifying without them leaves its LRU when the shrinker next meets it.
 * Eviction frees the scatter/gather table (and drops its reference), zaps
 * the user mappings and gives the pages back to the shmem file, from where
 * the memory management writes them to swap. The next page fault of a user
 * mapping, or the next call of a helper that needs the pages, swaps them back
 * in with their content, always through drm_gem_shmem_swap_in_locked() while
 * the object has users left. Purging discards the pages and the shmem file's
 * content; the object's pages can never be used again, and helpers that need
 * them fail with -ENOMEM.
 *
 * Eviction reaches every user mapping of an object made through the DRM file
 * or through a dma-buf exported from the object. A mapping of the DRM file is
 * at the object's fake offset in the device's anon inode mapping. So is a
 * mapping of the dma-buf: drm_gem_dmabuf_export() makes that inode's mapping
 * the dma-buf file's, and drm_gem_prime_mmap() adds the fake offset. Copies
 * inherited through fork() are in the same mapping too. drm_vma_node_unmap()
 * on it zaps them all. So exported objects are evicted like the others:
 * importers pin what they attach (drm_gem_map_attach()), and dma_buf_vmap()
 * is a kernel mapping of the object, which keeps it resident. Exported
 * objects are not purged while a GEM handle keeps the export alive
 * (&drm_gem_object.dma_buf set), as others may need their content.
 *
 * Before a driver sets &drm_gem_object_funcs.evict or
 * &drm_gem_object_funcs.purge, it makes sure that:
 *
 * - it does not rely on the pages of drm_gem_shmem_get_pages_locked() or on
 *   the scatter/gather table of drm_gem_shmem_get_pages_sgt() staying where
 *   they are: eviction frees the table, and the driver gets it again after
 *   swap in; permanent uses, such as scan-out, pin the object instead;
 * - all GPU work on the object is tracked with fences in its reservation
 *   object, so that the shrinker skips busy objects;
 * - its callbacks tear down the driver's own device mappings (GPU VM
 *   mappings) before calling drm_gem_shmem_evict_locked() or
 *   drm_gem_shmem_purge_locked(), and the driver rebuilds them on its own
 *   paths after swap in; the helpers never restore GPU mappings;
 * - its remove callback calls drm_gem_shmem_shrinker_stop() if the callbacks
 *   use state that remove frees;
 * - it exports objects only through drm_gem_prime_export(), whose attach
 *   pins them, and maps them only through the DRM file and those dma-bufs,
 *   so that eviction finds every mapping.
 */

static const struct drm_gem_object_funcs drm_gem_shmem_funcs = {
	.free = drm_gem_shmem_object_free,
	.print_info = drm_gem_shmem_object_print_info,
	.pin = drm_gem_shmem_object_pin,
	.unpin = drm_gem_shmem_object_unpin,
	.get_sg_table = drm_gem_shmem_object_get_sg_table,
	.vmap = drm_gem_shmem_object_vmap,
	.vunmap = drm_gem_shmem_object_vunmap,
	.mmap = drm_gem_shmem_object_mmap,
	.vm_ops = &drm_gem_shmem_vm_ops,
};

static struct drm_gem_shmem_object *
__drm_gem_shmem_create(struct drm_device *dev, size_t size, bool private)
{
	struct drm_gem_shmem_object *shmem;
	struct drm_gem_object *obj;
	int ret = 0;

	size = PAGE_ALIGN(size);

	if (dev->driver->gem_create_object) {
		obj = dev->driver->gem_create_object(dev, size);
		if (IS_ERR(obj))
			return ERR_CAST(obj);
		shmem = to_drm_gem_shmem_obj(obj);
	} else {
		shmem = kzalloc(sizeof(*shmem), GFP_KERNEL);
		if (!shmem)
			return ERR_PTR(-ENOMEM);
		obj = &shmem->base;
	}

	if (!obj->funcs)
		obj->funcs = &drm_gem_shmem_funcs;

	if (private) {
		drm_gem_private_object_init(dev, obj, size);
		shmem->map_wc = false; /* dma-buf mappings use always writecombine */
	} else {
		ret = drm_gem_object_init(dev, obj, size);
	}
	if (ret) {
		drm_gem_private_object_fini(obj);
		goto err_free;
	}

	ret = drm_gem_create_mmap_offset(obj);
	if (ret)
		goto err_release;

	INIT_LIST_HEAD(&shmem->madv_list);

	if (!private) {
		/*
		 * Our buffers are kept pinned, so allocating them
		 * from the MOVABLE zone is a really bad idea, and
		 * conflicts with CMA. See comments above new_inode()
		 * why this is required _and_ expected if you're
		 * going to pin these pages.
		 */
		mapping_set_gfp_mask(obj->filp->f_mapping, GFP_HIGHUSER |
				     __GFP_RETRY_MAYFAIL | __GFP_NOWARN);
	}

	return shmem;

err_release:
	drm_gem_object_release(obj);
err_free:
	kfree(obj);

	return ERR_PTR(ret);
}
/**
 * drm_gem_shmem_create - Allocate an object with the given size
 * @dev: DRM device
 * @size: Size of the object to allocate
 *
 * This function creates a shmem GEM object.
 *
 * Returns:
 * A struct drm_gem_shmem_object * on success or an ERR_PTR()-encoded negative
 * error code on failure.
 */
struct drm_gem_shmem_object *drm_gem_shmem_create(struct drm_device *dev, size_t size)
{
	return __drm_gem_shmem_create(dev, size, false);
}
EXPORT_SYMBOL_GPL(drm_gem_shmem_create);

/*
 * Reads the pages of the object in from its shmem file, from swap if they were
 * evicted there. A KUnit test replaces this to make swap in fail.
 */
VISIBLE_IF_KUNIT int drm_gem_shmem_acquire_pages(struct drm_gem_shmem_object *shmem)
{
	struct drm_gem_object *obj = &shmem->base;
	struct page **pages;

	KUNIT_STATIC_STUB_REDIRECT(drm_gem_shmem_acquire_pages, shmem);

	pages = drm_gem_get_pages(obj);
	if (IS_ERR(pages)) {
		drm_dbg_kms(obj->dev, "Failed to get pages (%ld)\n",
			    PTR_ERR(pages));
		return PTR_ERR(pages);
	}

	/*
	 * TODO: Allocating WC pages which are correctly flushed is only
	 * supported on x86. Ideal solution would be a GFP_WC flag, which also
	 * ttm_pool.c could use.
	 */
#ifdef CONFIG_X86
	if (shmem->map_wc)
		set_pages_array_wc(pages, obj->size >> PAGE_SHIFT);
#endif

	shmem->pages = pages;

	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(drm_gem_shmem_acquire_pages);

/*
 * Gives the pages of a write-combined object their write-back caching back,
 * as they must have when they leave the object. Changing the caching of the
 * kernel's direct map may need memory to split it, and so may fail.
 */
static int drm_gem_shmem_restore_caching(struct drm_gem_shmem_object *shmem)
{
#ifdef CONFIG_X86
	if (shmem->map_wc)
		return set_pages_array_wb(shmem->pages,
					  shmem->base.size >> PAGE_SHIFT);
#endif

	return 0;
}

/*
 * Gives the pages back to the shmem file, whose caching the caller restored;
 * @dirty keeps their content.
 */
static void drm_gem_shmem_release_pages(struct drm_gem_shmem_object *shmem,
					bool dirty)
{
	struct drm_gem_object *obj = &shmem->base;

	drm_gem_put_pages(obj, shmem->pages, dirty,
			  shmem->pages_mark_accessed_on_put);
	shmem->pages = NULL;
}

/*
 * Gives the pages back to the shmem file when their last user goes. They must
 * go, whether or not the caching came back.
 */
static void drm_gem_shmem_put_last_pages(struct drm_gem_shmem_object *shmem)
{
	drm_gem_shmem_restore_caching(shmem);
	drm_gem_shmem_release_pages(shmem, shmem->pages_mark_dirty_on_put);
}

/*
 * Purgeable, or would be but for a live PRIME export: the shrinker skips
 * those, as others may need their content, but they stay on the purgeable
 * LRU, since no helper runs when the last GEM handle takes the export with
 * it.
 */
static bool drm_gem_shmem_may_purge(struct drm_gem_shmem_object *shmem)
{
	return shmem->madv > 0 && (shmem->pages || shmem->pages_use_count) &&
		!refcount_read(&shmem->pages_pin_count) &&
		!shmem->vmap_use_count && !shmem->base.import_attach;
}

/* Puts the object on the shrinker LRU that its state calls for, if any. */
static void drm_gem_shmem_update_lru_locked(struct drm_gem_shmem_object *shmem)
{
	struct drm_gem_object *obj = &shmem->base;
	struct drm_gem_shmem_shrinker *shrinker = obj->dev->shmem_shrinker;

	dma_resv_assert_held(obj->resv);

	if (!shrinker)
		return;

	/*
	 * Evicted objects that userspace no longer needs are purgeable too,
	 * which frees their copy in the shmem file or swap; without a purge
	 * callback, purging is evicting and only resident objects qualify.
	 */
	if (drm_gem_shmem_may_purge(shmem) &&
	    (obj->funcs->purge || (obj->funcs->evict && shmem->pages)))
		drm_gem_lru_move_tail(&shrinker->lru_purgeable, obj);
	else if (drm_gem_shmem_is_evictable(shmem) && obj->funcs->evict)
		drm_gem_lru_move_tail(&shrinker->lru_evictable, obj);
	else
		drm_gem_lru_remove(obj);
}

/*
 * Unmaps and frees the scatter/gather table, leaving its page reference. The
 * caller holds the reservation lock, or the last reference is gone.
 */
static void drm_gem_shmem_unmap_sgt(struct drm_gem_shmem_object *shmem)
{
	struct drm_gem_object *obj = &shmem->base;

	dma_unmap_sgtable(obj->dev->dev, shmem->sgt, DMA_BIDIRECTIONAL, 0);
	sg_free_table(shmem->sgt);
	kfree(shmem->sgt);
	shmem->sgt = NULL;
}

/**
 * drm_gem_shmem_free - Free resources associated with a shmem GEM object
 * @shmem: shmem GEM object to free
 *
 * This function cleans up the GEM object state and frees the memory used to
 * store the object itself.
 */
void drm_gem_shmem_free(struct drm_gem_shmem_object *shmem)
{
	struct drm_gem_object *obj = &shmem->base;

	if (obj->import_attach) {
		drm_prime_gem_destroy(obj, shmem->sgt);
	} else {
		/*
		 * No reservation lock is taken: the shrinker may drop the
		 * last reference from within reclaim, where waiting for a
		 * reservation lock can deadlock, and one that the object
		 * shares with others (a VM's, in some drivers) may be held
		 * by anyone. None is needed: with the last reference gone,
		 * nobody can reach the object's state. Handles, dma-bufs and
		 * user mappings hold references, and so do the holders of
		 * kernel mappings and pins; shrinkers take only objects whose
		 * reference they can still get, and drm_gem_object_release()
		 * below takes the object off its LRU under the LRU's lock.
		 */
		drm_WARN_ON(obj->dev, shmem->vmap_use_count);
		drm_WARN_ON(obj->dev, refcount_read(&shmem->pages_pin_count));

		if (shmem->sgt)
			drm_gem_shmem_unmap_sgt(shmem);

		/*
		 * The one reference left is that of the scatter/gather table,
		 * or that of drivers that fill in the pages array themselves
		 * (lima heaps, which have a table too). Objects freed while
		 * evicted have no pages and no reference left.
		 */
		if (shmem->pages) {
			drm_WARN_ON(obj->dev, shmem->pages_use_count != 1);
			drm_gem_shmem_put_last_pages(shmem);
			shmem->pages_use_count = 0;
		}
		drm_WARN_ON(obj->dev, shmem->pages_use_count);
	}

	drm_gem_object_release(obj);
	kfree(shmem);
}
EXPORT_SYMBOL_GPL(drm_gem_shmem_free);

/**
 * drm_gem_shmem_get_pages_locked - Take a reference on the backing pages
 * @shmem: shmem GEM object
 *
 * Takes a reference on the backing pages of a shmem GEM object, allocating
 * them, or swapping them in if the object was evicted. Drivers use this for
 * their own users of the pages, such as GPU mappings; the pages can still be
 * evicted while the reference is held unless they are also pinned.
 *
 * Context: The caller must hold the reservation lock of @shmem. May sleep
 * and allocate memory.
 *
 * Return: 0 on success, -ENOMEM if the object was purged, or another negative
 * error code on failure.
 */
int drm_gem_shmem_get_pages_locked(struct drm_gem_shmem_object *shmem)
{
	int ret;

	dma_resv_assert_held(shmem->base.resv);

	/* Imported objects have the exporter's pages, not ours. */
	if (drm_WARN_ON(shmem->base.dev, shmem->base.import_attach))
		return -EINVAL;

	if (shmem->madv < 0)
		return -ENOMEM;

	/* Evicted objects come back through the one swap-in path. */
	if (drm_gem_shmem_is_evicted(shmem))
		ret = drm_gem_shmem_swap_in_locked(shmem);
	else if (!shmem->pages)
		ret = drm_gem_shmem_acquire_pages(shmem);
	else
		ret = 0;
	if (ret)
		return ret;

	shmem->pages_use_count++;
	drm_gem_shmem_update_lru_locked(shmem);

	return 0;
}
EXPORT_SYMBOL_GPL(drm_gem_shmem_get_pages_locked);

/**
 * drm_gem_shmem_put_pages_locked - Drop a reference on the backing pages
 * @shmem: shmem GEM object
 *
 * Drops a reference taken by drm_gem_shmem_get_pages_locked(). The pages go
 * back to the shmem file when the last reference is dropped.
 *
 * Context: The caller must hold the reservation lock of @shmem.
 */
void drm_gem_shmem_put_pages_locked(struct drm_gem_shmem_object *shmem)
{
	struct drm_gem_object *obj = &shmem->base;

	dma_resv_assert_held(shmem->base.resv);

	if (drm_WARN_ON_ONCE(obj->dev, !shmem->pages_use_count))
		return;

	if (!--shmem->pages_use_count && shmem->pages)
		drm_gem_shmem_put_last_pages(shmem);

	drm_gem_shmem_update_lru_locked(shmem);
}
EXPORT_SYMBOL_GPL(drm_gem_shmem_put_pages_locked);

/**
 * drm_gem_shmem_swap_in_locked - Bring the pages of an evicted object back
 * @shmem: shmem GEM object
 *
 * Reads the backing pages of an evicted object back in, with the content they
 * had when they were evicted. Does nothing for objects that are resident or
 * unpopulated. Restores no scatter/gather table and no GPU mapping. Every
 * helper that needs the pages of an evicted object (get_pages, and so vmap,
 * pin, get_pages_sgt and mmap, and the page fault of a user mapping) brings
 * them back through this function.
 *
 * Context: The caller must hold the reservation lock of @shmem. May sleep
 * and allocate memory.
 *
 * Return: 0 on success, -ENOMEM if the object was purged, or another negative
 * error code on failure, in which case the object stays evicted and intact.
 */
int drm_gem_shmem_swap_in_locked(struct drm_gem_shmem_object *shmem)
{
	int ret;

	KUNIT_STATIC_STUB_REDIRECT(drm_gem_shmem_swap_in_locked, shmem);

	dma_resv_assert_held(shmem->base.resv);

	if (shmem->madv < 0)
		return -ENOMEM;

	if (!drm_gem_shmem_is_evicted(shmem))
		return 0;

	ret = drm_gem_shmem_acquire_pages(shmem);
	if (ret)
		return ret;

	drm_gem_shmem_update_lru_locked(shmem);

	return 0;
}
EXPORT_SYMBOL_GPL(drm_gem_shmem_swap_in_locked);

/*
 * Zaps the user mappings, frees the scatter/gather table and gives the pages,
 * whose caching the caller restored, back to the shmem file. The references
 * of all other users stay.
 */
static void drm_gem_shmem_drop_pages_locked(struct drm_gem_shmem_object *shmem,
					    bool keep_content)
{
	struct drm_gem_object *obj = &shmem->base;

	dma_resv_assert_held(obj->resv);

	drm_vma_node_unmap(&obj->vma_node, obj->dev->anon_inode->i_mapping);

	/*
	 * The table is unmapped before the pages go, as unmapping may still
	 * copy bounce buffers into them; its reference is dropped without
	 * giving the pages back, which happens below with @keep_content.
	 */
	if (shmem->sgt) {
		drm_gem_shmem_unmap_sgt(shmem);
		shmem->pages_use_count--;
	}

	if (shmem->pages)
		drm_gem_shmem_release_pages(shmem, keep_content);
}

/**
 * drm_gem_shmem_evict_locked - Evict the backing pages of a shmem GEM object
 * @shmem: shmem GEM object
 *
 * Moves the backing pages of an idle object out of memory into its shmem
 * file, and so to swap, keeping their content. User mappings are zapped and
 * the next page fault swaps the pages back in; the scatter/gather table is
 * freed. Callers must have torn down their own device mappings of the pages.
 *
 * The pages go back to the shmem file's page cache, from where the memory
 * management writes them to swap and frees them like any other shmem page;
 * the shrinker counts them as freed when they leave the object.
 *
 * Context: The caller must hold the reservation lock of @shmem.
 *
 * Return: 0 on success, -EBUSY if the object is not resident or cannot be
 * evicted, or the error of restoring the write-back caching of the pages of
 * a write-combined object, in which case the object keeps its pages.
 */
int drm_gem_shmem_evict_locked(struct drm_gem_shmem_object *shmem)
{
	struct drm_gem_object *obj = &shmem->base;
	int ret;

	dma_resv_assert_held(obj->resv);

	if (drm_WARN_ON(obj->dev, !shmem->pages ||
			(!drm_gem_shmem_is_evictable(shmem) &&
			 !drm_gem_shmem_is_purgeable(shmem))))
		return -EBUSY;

	ret = drm_gem_shmem_restore_caching(shmem);
	if (ret)
		return ret;

	drm_gem_shmem_drop_pages_locked(shmem, true);
	drm_gem_shmem_update_lru_locked(shmem);

	return 0;
}
EXPORT_SYMBOL_GPL(drm_gem_shmem_evict_locked);

/**
 * drm_gem_shmem_pin_locked - Pin backing pages for a shmem GEM object
 * @shmem: shmem GEM object
 *
 * Takes a pin reference on the backing pages, allocating them on the first
 * pin. All pins together hold one reference on &drm_gem_shmem_object.pages_use_count.
 *
 * Context: The caller must hold the reservation lock of @shmem.
 *
 * Return: 0 on success or a negative error code on failure.
 */
int drm_gem_shmem_pin_locked(struct drm_gem_shmem_object *shmem)
{
	int ret;

	dma_resv_assert_held(shmem->base.resv);

	drm_WARN_ON(shmem->base.dev, shmem->base.import_attach);

	if (refcount_inc_not_zero(&shmem->pages_pin_count))
		return 0;

	ret = drm_gem_shmem_get_pages_locked(shmem);
	if (ret)
		return ret;

	refcount_set(&shmem->pages_pin_count, 1);
	drm_gem_shmem_update_lru_locked(shmem);

	return 0;
}
EXPORT_SYMBOL(drm_gem_shmem_pin_locked);

/**
 * drm_gem_shmem_unpin_locked - Unpin backing pages for a shmem GEM object
 * @shmem: shmem GEM object
 *
 * Drops a pin reference taken by drm_gem_shmem_pin_locked(). The last unpin
 * drops the pages reference that the pins held.
 *
 * Context: The caller must hold the reservation lock of @shmem.
 */
void drm_gem_shmem_unpin_locked(struct drm_gem_shmem_object *shmem)
{
	dma_resv_assert_held(shmem->base.resv);

	if (drm_WARN_ON_ONCE(shmem->base.dev, !refcount_read(&shmem->pages_pin_count)))
		return;

	if (refcount_dec_and_test(&shmem->pages_pin_count))
		drm_gem_shmem_put_pages_locked(shmem);
}
EXPORT_SYMBOL(drm_gem_shmem_unpin_locked);

/**
 * drm_gem_shmem_pin - Pin backing pages for a shmem GEM object
 * @shmem: shmem GEM object
 *
 * This function makes sure the backing pages are pinned in memory while the
 * buffer is exported.
 *
 * Returns:
 * 0 on success or a negative error code on failure.
 */
int drm_gem_shmem_pin(struct drm_gem_shmem_object *shmem)
{
	struct drm_gem_object *obj = &shmem->base;
	int ret;

	drm_WARN_ON(obj->dev, obj->import_attach);

	/* An object that is pinned already needs no lock to be pinned again. */
	if (refcount_inc_not_zero(&shmem->pages_pin_count))
		return 0;

	ret = dma_resv_lock_interruptible(shmem->base.resv, NULL);
	if (ret)
		return ret;
	ret = drm_gem_shmem_pin_locked(shmem);
	dma_resv_unlock(shmem->base.resv);

	return ret;
}
EXPORT_SYMBOL(drm_gem_shmem_pin);

/**
 * drm_gem_shmem_unpin - Unpin backing pages for a shmem GEM object
 * @shmem: shmem GEM object
 *
 * This function removes the requirement that the backing pages are pinned in
 * memory.
 */
void drm_gem_shmem_unpin(struct drm_gem_shmem_object *shmem)
{
	struct drm_gem_object *obj = &shmem->base;

	drm_WARN_ON(obj->dev, obj->import_attach);

	/* Only the last unpin changes the pages and needs the lock. */
	if (refcount_dec_not_one(&shmem->pages_pin_count))
		return;

	dma_resv_lock(shmem->base.resv, NULL);
	drm_gem_shmem_unpin_locked(shmem);
	dma_resv_unlock(shmem->base.resv);
}
EXPORT_SYMBOL(drm_gem_shmem_unpin);

/*
 * drm_gem_shmem_vmap_locked - Create a virtual mapping for a shmem GEM object
 * @shmem: shmem GEM object
 * @map: Returns the kernel virtual address of the SHMEM GEM object's backing
 *       store.
 *
 * This function makes sure that a contiguous kernel virtual address mapping
 * exists for the buffer backing the shmem GEM object. It hides the differences
 * between dma-buf imported and natively allocated objects.
 *
 * Acquired mappings should be cleaned up by calling drm_gem_shmem_vunmap_locked().
 *
 * Returns:
 * 0 on success or a negative error code on failure.
 */
int drm_gem_shmem_vmap_locked(struct drm_gem_shmem_object *shmem,
			      struct iosys_map *map)
{
	struct drm_gem_object *obj = &shmem->base;
	int ret = 0;

	if (obj->import_attach) {
		ret = dma_buf_vmap(obj->import_attach->dmabuf, map);
		if (!ret) {
			if (drm_WARN_ON(obj->dev, map->is_iomem)) {
				dma_buf_vunmap(obj->import_attach->dmabuf, map);
				return -EIO;
			}
		}
	} else {
		pgprot_t prot = PAGE_KERNEL;

		dma_resv_assert_held(shmem->base.resv);

		if (shmem->vmap_use_count++ > 0) {
			iosys_map_set_vaddr(map, shmem->vaddr);
			return 0;
		}

		ret = drm_gem_shmem_get_pages_locked(shmem);
		if (ret)
			goto err_zero_use;

		if (shmem->map_wc)
			prot = pgprot_writecombine(prot);
		shmem->vaddr = vmap(shmem->pages, obj->size >> PAGE_SHIFT,
				    VM_MAP, prot);
		if (!shmem->vaddr)
			ret = -ENOMEM;
		else
			iosys_map_set_vaddr(map, shmem->vaddr);
	}

	if (ret) {
		drm_dbg_kms(obj->dev, "Failed to vmap pages, error %d\n", ret);
		goto err_put_pages;
	}

	return 0;

err_put_pages:
	if (!obj->import_attach) {
		/* Unmapped first, so that the object can go back on an LRU. */
		shmem->vmap_use_count = 0;
		drm_gem_shmem_put_pages_locked(shmem);
	}

	return ret;

err_zero_use:
	shmem->vmap_use_count = 0;

	return ret;
}
EXPORT_SYMBOL(drm_gem_shmem_vmap_locked);

/*
 * drm_gem_shmem_vunmap_locked - Unmap a virtual mapping for a shmem GEM object
 * @shmem: shmem GEM object
 * @map: Kernel virtual address where the SHMEM GEM object was mapped
 *
 * This function cleans up a kernel virtual address mapping acquired by
 * drm_gem_shmem_vmap_locked(). The mapping is only removed when the use count drops to
 * zero.
 *
 * This function hides the differences between dma-buf imported and natively
 * allocated objects.
 */
void drm_gem_shmem_vunmap_locked(struct drm_gem_shmem_object *shmem,
				 struct iosys_map *map)
{
	struct drm_gem_object *obj = &shmem->base;

	if (obj->import_attach) {
		dma_buf_vunmap(obj->import_attach->dmabuf, map);
	} else {
		dma_resv_assert_held(shmem->base.resv);

		if (drm_WARN_ON_ONCE(obj->dev, !shmem->vmap_use_count))
			return;

		if (--shmem->vmap_use_count > 0)
			return;

		vunmap(shmem->vaddr);
		drm_gem_shmem_put_pages_locked(shmem);
	}

	shmem->vaddr = NULL;
}
EXPORT_SYMBOL(drm_gem_shmem_vunmap_locked);

static int
drm_gem_shmem_create_with_handle(struct drm_file *file_priv,
				 struct drm_device *dev, size_t size,
				 uint32_t *handle)
{
	struct drm_gem_shmem_object *shmem;
	int ret;

	shmem = drm_gem_shmem_create(dev, size);
	if (IS_ERR(shmem))
		return PTR_ERR(shmem);

	/*
	 * Allocate an id of idr table where the obj is registered
	 * and handle has the id what user can see.
	 */
	ret = drm_gem_handle_create(file_priv, &shmem->base, handle);
	/* drop reference from allocate - handle holds it now. */
	drm_gem_object_put(&shmem->base);

	return ret;
}

/**
 * drm_gem_shmem_madvise_locked - Set the madvise state of a shmem GEM object
 * @shmem: shmem GEM object
 * @madv: New state: 0 if userspace needs the content, a positive value if
 *	  the object may be purged; negative values are for purged objects
 *
 * Sets the madvise state of an object that was not purged, and moves the
 * object to the shrinker LRU that its new state calls for: objects marked
 * as not needed may be purged, also when they are evicted.
 *
 * Context: The caller must hold the reservation lock of @shmem.
 *
 * Return: 1 if the object was not purged, 0 otherwise.
 */
int drm_gem_shmem_madvise_locked(struct drm_gem_shmem_object *shmem, int madv)
{
	dma_resv_assert_held(shmem->base.resv);

	if (shmem->madv >= 0) {
		shmem->madv = madv;
		drm_gem_shmem_update_lru_locked(shmem);
	}

	madv = shmem->madv;

	return (madv >= 0);
}
EXPORT_SYMBOL(drm_gem_shmem_madvise_locked);

/**
 * drm_gem_shmem_purge_locked - Discard the backing pages of a shmem GEM object
 * @shmem: shmem GEM object
 *
 * Discards the backing pages and the shmem file content of an object that
 * userspace marked as not needed, for good: user mappings are zapped and the
 * mmap offset freed, the scatter/gather table is freed, and later attempts to
 * use the pages fail. Callers must have torn down their own device mappings
 * of the pages.
 *
 * Context: The caller must hold the reservation lock of @shmem.
 */
void drm_gem_shmem_purge_locked(struct drm_gem_shmem_object *shmem)
{
	struct drm_gem_object *obj = &shmem->base;

	dma_resv_assert_held(shmem->base.resv);

	drm_WARN_ON(obj->dev, !drm_gem_shmem_is_purgeable(shmem));

	/* As for the last put, the pages must go in any case. */
	if (shmem->pages)
		drm_gem_shmem_restore_caching(shmem);
	drm_gem_shmem_drop_pages_locked(shmem, false);
	shmem->madv = -1;
	drm_gem_shmem_update_lru_locked(shmem);

	drm_gem_free_mmap_offset(obj);

	/* Our goal here is to return as much of the memory as
	 * is possible back to the system as we are called from OOM.
	 * To do this we must instruct the shmfs to drop all of its
	 * backing pages, *now*.
	 */
	shmem_truncate_range(file_inode(obj->filp), 0, (loff_t)-1);

	invalidate_mapping_pages(file_inode(obj->filp)->i_mapping, 0, (loff_t)-1);
}
EXPORT_SYMBOL_GPL(drm_gem_shmem_purge_locked);

/**
 * drm_gem_shmem_dumb_create - Create a dumb shmem buffer object
 * @file: DRM file structure to create the dumb buffer for
 * @dev: DRM device
 * @args: IOCTL data
 *
 * This function computes the pitch of the dumb buffer and rounds it up to an
 * integer number of bytes per pixel. Drivers for hardware that doesn't have
 * any additional restrictions on the pitch can directly use this function as
 * their &drm_driver.dumb_create callback.
 *
 * For hardware with additional restrictions, drivers can adjust the fields
 * set up by userspace before calling into this function.
 *
 * Returns:
 * 0 on success or a negative error code on failure.
 */
int drm_gem_shmem_dumb_create(struct drm_file *file, struct drm_device *dev,
			      struct drm_mode_create_dumb *args)
{
	u32 min_pitch = DIV_ROUND_UP(args->width * args->bpp, 8);

	if (!args->pitch || !args->size) {
		args->pitch = min_pitch;
		args->size = PAGE_ALIGN(args->pitch * args->height);
	} else {
		/* ensure sane minimum values */
		if (args->pitch < min_pitch)
			args->pitch = min_pitch;
		if (args->size < args->pitch * args->height)
			args->size = PAGE_ALIGN(args->pitch * args->height);
	}

	return drm_gem_shmem_create_with_handle(file, dev, args->size, &args->handle);
}
EXPORT_SYMBOL_GPL(drm_gem_shmem_dumb_create);

static vm_fault_t drm_gem_shmem_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct drm_gem_object *obj = vma->vm_private_data;
	struct drm_gem_shmem_object *shmem = to_drm_gem_shmem_obj(obj);
	loff_t num_pages = obj->size >> PAGE_SHIFT;
	vm_fault_t ret;
	struct page *page;
	pgoff_t page_offset;
	int err;

	/* We don't use vmf->pgoff since that has the fake offset */
	page_offset = (vmf->address - vma->vm_start) >> PAGE_SHIFT;

	dma_resv_lock(shmem->base.resv, NULL);

	if (page_offset >= num_pages || shmem->madv < 0) {
		ret = VM_FAULT_SIGBUS;
		goto out;
	}

	/* The shrinker zaps the mappings of the objects it evicts. */
	err = drm_gem_shmem_swap_in_locked(shmem);
	if (err) {
		ret = vmf_error(err);
	} else if (drm_WARN_ON_ONCE(obj->dev, !shmem->pages)) {
		ret = VM_FAULT_SIGBUS;
	} else {
		page = shmem->pages[page_offset];

		ret = vmf_insert_pfn(vma, vmf->address, page_to_pfn(page));
	}

out:
	dma_resv_unlock(shmem->base.resv);

	return ret;
}

static void drm_gem_shmem_vm_open(struct vm_area_struct *vma)
{
	struct drm_gem_object *obj = vma->vm_private_data;
	struct drm_gem_shmem_object *shmem = to_drm_gem_shmem_obj(obj);

	drm_WARN_ON(obj->dev, obj->import_attach);

	dma_resv_lock(shmem->base.resv, NULL);

	/*
	 * We should have already pinned the pages when the buffer was first
	 * mmap'd, vm_open() just grabs an additional reference for the new
	 * mm the vma is getting copied into (ie. on fork()).
	 */
	if (!drm_WARN_ON_ONCE(obj->dev, !shmem->pages_use_count))
		shmem->pages_use_count++;

	dma_resv_unlock(shmem->base.resv);

	drm_gem_vm_open(vma);
}

static void drm_gem_shmem_vm_close(struct vm_area_struct *vma)
{
	struct drm_gem_object *obj = vma->vm_private_data;
	struct drm_gem_shmem_object *shmem = to_drm_gem_shmem_obj(obj);

	dma_resv_lock(shmem->base.resv, NULL);
	drm_gem_shmem_put_pages_locked(shmem);
	dma_resv_unlock(shmem->base.resv);

	drm_gem_vm_close(vma);
}

const struct vm_operations_struct drm_gem_shmem_vm_ops = {
	.fault = drm_gem_shmem_fault,
	.open = drm_gem_shmem_vm_open,
	.close = drm_gem_shmem_vm_close,
};
EXPORT_SYMBOL_GPL(drm_gem_shmem_vm_ops);

/**
 * drm_gem_shmem_mmap - Memory-map a shmem GEM object
 * @shmem: shmem GEM object
 * @vma: VMA for the area to be mapped
 *
 * This function implements an augmented version of the GEM DRM file mmap
 * operation for shmem objects.
 *
 * Returns:
 * 0 on success or a negative error code on failure.
 */
int drm_gem_shmem_mmap(struct drm_gem_shmem_object *shmem, struct vm_area_struct *vma)
{
	struct drm_gem_object *obj = &shmem->base;
	int ret;

	if (obj->import_attach) {
		/* Reset both vm_ops and vm_private_data, so we don't end up with
		 * vm_ops pointing to our implementation if the dma-buf backend
		 * doesn't set those fields.
		 */
		vma->vm_private_data = NULL;
		vma->vm_ops = NULL;

		ret = dma_buf_mmap(obj->dma_buf, vma, 0);

		/* Drop the reference drm_gem_mmap_obj() acquired.*/
		if (!ret)
			drm_gem_object_put(obj);

		return ret;
	}

	if (is_cow_mapping(vma->vm_flags))
		return -EINVAL;

	dma_resv_lock(shmem->base.resv, NULL);
	ret = drm_gem_shmem_get_pages_locked(shmem);
	dma_resv_unlock(shmem->base.resv);

	if (ret)
		return ret;

	vm_flags_set(vma, VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP);
	vma->vm_page_prot = vm_get_page_prot(vma->vm_flags);
	if (shmem->map_wc)
		vma->vm_page_prot = pgprot_writecombine(vma->vm_page_prot);

	return 0;
}
EXPORT_SYMBOL_GPL(drm_gem_shmem_mmap);

/**
 * drm_gem_shmem_print_info() - Print &drm_gem_shmem_object info for debugfs
 * @shmem: shmem GEM object
 * @p: DRM printer
 * @indent: Tab indentation level
 */
void drm_gem_shmem_print_info(const struct drm_gem_shmem_object *shmem,
			      struct drm_printer *p, unsigned int indent)
{
	if (shmem->base.import_attach)
		return;

	drm_printf_indent(p, indent, "pages_pin_count=%u\n",
			  refcount_read(&shmem->pages_pin_count));
	drm_printf_indent(p, indent, "pages_use_count=%u\n", shmem->pages_use_count);
	drm_printf_indent(p, indent, "vmap_use_count=%u\n", shmem->vmap_use_count);
	drm_printf_indent(p, indent, "vaddr=%p\n", shmem->vaddr);
}
EXPORT_SYMBOL(drm_gem_shmem_print_info);

/**
 * drm_gem_shmem_get_sg_table - Provide a scatter/gather table of pinned
 *                              pages for a shmem GEM object
 * @shmem: shmem GEM object
 *
 * This function exports a scatter/gather table suitable for PRIME usage by
 * calling the standard DMA mapping API.
 *
 * Drivers who need to acquire an scatter/gather table for objects need to call
 * drm_gem_shmem_get_pages_sgt() instead.
 *
 * Returns:
 * A pointer to the scatter/gather table of pinned pages or error pointer on failure.
 */
struct sg_table *drm_gem_shmem_get_sg_table(struct drm_gem_shmem_object *shmem)
{
	struct drm_gem_object *obj = &shmem->base;

	drm_WARN_ON(obj->dev, obj->import_attach);

	return drm_prime_pages_to_sg(obj->dev, shmem->pages, obj->size >> PAGE_SHIFT);
}
EXPORT_SYMBOL_GPL(drm_gem_shmem_get_sg_table);

/**
 * drm_gem_shmem_get_pages_sgt_locked - Get the DMA-mapped scatter/gather table
 *					of a shmem GEM object
 * @shmem: shmem GEM object
 *
 * Like drm_gem_shmem_get_pages_sgt(), for callers that hold the reservation
 * lock already. Swaps the object in if it was evicted.
 *
 * Context: The caller must hold the reservation lock of @shmem. May sleep
 * and allocate memory.
 *
 * Returns:
 * A pointer to the scatter/gather table of the pages or an ERR_PTR()-encoded
 * negative error code on failure.
 */
struct sg_table *drm_gem_shmem_get_pages_sgt_locked(struct drm_gem_shmem_object *shmem)
{
	struct drm_gem_object *obj = &shmem->base;
	int ret;
	struct sg_table *sgt;

	dma_resv_assert_held(shmem->base.resv);

	if (shmem->sgt)
		return shmem->sgt;

	drm_WARN_ON(obj->dev, obj->import_attach);

	ret = drm_gem_shmem_get_pages_locked(shmem);
	if (ret)
		return ERR_PTR(ret);

	sgt = drm_gem_shmem_get_sg_table(shmem);
	if (IS_ERR(sgt)) {
		ret = PTR_ERR(sgt);
		goto err_put_pages;
	}
	/* Map the pages for use by the h/w. */
	ret = dma_map_sgtable(obj->dev->dev, sgt, DMA_BIDIRECTIONAL, 0);
	if (ret)
		goto err_free_sgt;

	shmem->sgt = sgt;

	return sgt;

err_free_sgt:
	sg_free_table(sgt);
	kfree(sgt);
err_put_pages:
	drm_gem_shmem_put_pages_locked(shmem);
	return ERR_PTR(ret);
}
EXPORT_SYMBOL_GPL(drm_gem_shmem_get_pages_sgt_locked);

/**
 * drm_gem_shmem_get_pages_sgt - Pin pages, dma map them, and return a
 *				 scatter/gather table for a shmem GEM object.
 * @shmem: shmem GEM object
 *
 * This function returns a scatter/gather table suitable for driver usage. If
 * the sg table doesn't exist, the pages are pinned, dma-mapped, and a sg
 * table created.
 *
 * This is the main function for drivers to get at backing storage, and it hides
 * and difference between dma-buf imported and natively allocated objects.
 * drm_gem_shmem_get_sg_table() should not be directly called by drivers.
 *
 * Returns:
 * A pointer to the scatter/gather table of pinned pages or errno on failure.
 */
struct sg_table *drm_gem_shmem_get_pages_sgt(struct drm_gem_shmem_object *shmem)
{
	int ret;
	struct sg_table *sgt;

	ret = dma_resv_lock_interruptible(shmem->base.resv, NULL);
	if (ret)
		return ERR_PTR(ret);
	sgt = drm_gem_shmem_get_pages_sgt_locked(shmem);
	dma_resv_unlock(shmem->base.resv);

	return sgt;
}
EXPORT_SYMBOL_GPL(drm_gem_shmem_get_pages_sgt);

/**
 * drm_gem_shmem_prime_import_sg_table - Produce a shmem GEM object from
 *                 another driver's scatter/gather table of pinned pages
 * @dev: Device to import into
 * @attach: DMA-BUF attachment
 * @sgt: Scatter/gather table of pinned pages
 *
 * This function imports a scatter/gather table exported via DMA-BUF by
 * another driver. Drivers that use the shmem helpers should set this as their
 * &drm_driver.gem_prime_import_sg_table callback.
 *
 * Returns:
 * A pointer to a newly created GEM object or an ERR_PTR-encoded negative
 * error code on failure.
 */
struct drm_gem_object *
drm_gem_shmem_prime_import_sg_table(struct drm_device *dev,
				    struct dma_buf_attachment *attach,
				    struct sg_table *sgt)
{
	size_t size = PAGE_ALIGN(attach->dmabuf->size);
	struct drm_gem_shmem_object *shmem;

	shmem = __drm_gem_shmem_create(dev, size, true);
	if (IS_ERR(shmem))
		return ERR_CAST(shmem);

	shmem->sgt = sgt;

	drm_dbg_prime(dev, "size = %zu\n", size);

	return &shmem->base;
}
EXPORT_SYMBOL_GPL(drm_gem_shmem_prime_import_sg_table);

/*
 * The shrinker
 */

/**
 * drm_gem_shmem_can_swap - Check that swap can take pages
 * @nr_pages: number of pages
 *
 * Evicted pages only leave memory if they can be written to swap. KUnit
 * tests replace this, as their guests have no swap.
 *
 * Return: True if swap has room for @nr_pages pages.
 */
VISIBLE_IF_KUNIT bool drm_gem_shmem_can_swap(unsigned long nr_pages)
{
	KUNIT_STATIC_STUB_REDIRECT(drm_gem_shmem_can_swap, nr_pages);

	return get_nr_swap_pages() >= (long)nr_pages;
}
EXPORT_SYMBOL_IF_KUNIT(drm_gem_shmem_can_swap);

/*
 * Evicted pages are only reclaimed once written to swap, which needs I/O;
 * without swap room the shrinker would only move them around.
 */
static bool drm_gem_shmem_shrinker_can_evict(struct shrink_control *sc,
					     unsigned long nr_pages)
{
	return (sc->gfp_mask & __GFP_IO) && drm_gem_shmem_can_swap(nr_pages);
}

/* Busy objects are skipped, never waited for: reclaim must not block on GPUs. */
static bool drm_gem_shmem_shrinker_is_idle(struct drm_gem_object *obj)
{
	return dma_resv_test_signaled(obj->resv, DMA_RESV_USAGE_BOOKKEEP);
}

/* drm_gem_lru_scan_limited() callback for the objects marked as not needed. */
static bool drm_gem_shmem_shrinker_purge(struct drm_gem_object *obj, void *arg)
{
	struct drm_gem_shmem_object *shmem = to_drm_gem_shmem_obj(obj);
	struct shrink_control *sc = arg;

	if (!drm_gem_shmem_is_purgeable(shmem)) {
		drm_gem_shmem_update_lru_locked(shmem);
		return false;
	}

	if (!drm_gem_shmem_shrinker_is_idle(obj))
		return false;

	/* Without a purge callback, drm_gem_purge_locked() evicts. */
	if (!obj->funcs->purge &&
	    !drm_gem_shmem_shrinker_can_evict(sc, obj->size >> PAGE_SHIFT))
		return false;

	return !drm_gem_purge_locked(obj);
}

/* drm_gem_lru_scan_limited() callback for the objects in use. */
static bool drm_gem_shmem_shrinker_evict(struct drm_gem_object *obj, void *arg)
{
	struct drm_gem_shmem_object *shmem = to_drm_gem_shmem_obj(obj);
	struct shrink_control *sc = arg;

	if (!drm_gem_shmem_is_evictable(shmem)) {
		drm_gem_shmem_update_lru_locked(shmem);
		return false;
	}

	if (!drm_gem_shmem_shrinker_is_idle(obj) ||
	    !drm_gem_shmem_shrinker_can_evict(sc, obj->size >> PAGE_SHIFT))
		return false;

	return !drm_gem_evict_locked(obj);
}

static unsigned long
drm_gem_shmem_shrinker_count(struct shrinker *shrinker, struct shrink_control *sc)
{
	struct drm_gem_shmem_shrinker *shmem_shrinker = shrinker->private_data;
	unsigned long count;

	count = READ_ONCE(shmem_shrinker->lru_purgeable.count);
	if (drm_gem_shmem_can_swap(1))
		count += READ_ONCE(shmem_shrinker->lru_evictable.count);

	return count ?: SHRINK_EMPTY;
}

static unsigned long
drm_gem_shmem_shrinker_scan(struct shrinker *shrinker, struct shrink_control *sc)
{
	struct drm_gem_shmem_shrinker *shmem_shrinker = shrinker->private_data;
	const struct {
		struct drm_gem_lru *lru;
		bool (*shrink)(struct drm_gem_object *obj, void *arg);
		bool cond;
	} stages[] = {
		/* Cheapest first: what userspace does not need any more. */
		{ &shmem_shrinker->lru_purgeable, drm_gem_shmem_shrinker_purge, true },
		{ &shmem_shrinker->lru_evictable, drm_gem_shmem_shrinker_evict,
		  drm_gem_shmem_shrinker_can_evict(sc, 1) },
	};
	unsigned long nr_scanned = 0, remaining = 0, freed = 0;
	unsigned int i;

	/*
	 * Both stages work on the shmem file and on the mappings of the DRM
	 * file, which reclaim from within a filesystem must not touch.
	 */
	if (!(sc->gfp_mask & __GFP_FS)) {
		sc->nr_scanned = 0;
		return SHRINK_STOP;
	}

	/*
	 * Each stage visits objects of at most the pages still to be freed,
	 * so one call visits objects of at most ARRAY_SIZE(stages) times
	 * nr_to_scan pages, however long the LRUs are.
	 */
	for (i = 0; i < ARRAY_SIZE(stages) && freed < sc->nr_to_scan; i++) {
		if (!stages[i].cond)
			continue;

		freed += drm_gem_lru_scan_limited(stages[i].lru,
						  sc->nr_to_scan - freed,
						  &nr_scanned, &remaining,
						  stages[i].shrink, sc);
	}

	sc->nr_scanned = nr_scanned;

	return freed ?: SHRINK_STOP;
}

/**
 * drm_gem_shmem_shrinker_stop - Stop the shrinker of a device
 * @dev: DRM device
 *
 * Unregisters the shrinker that drmm_gem_shmem_init() set up for @dev and
 * waits for scans that are running, so that reclaim calls no callback of the
 * driver's objects any more. The shrinker is otherwise freed with the device,
 * at its last drm_dev_put(), which an open file can delay long after the
 * driver's remove: drivers whose &drm_gem_object_funcs.evict or
 * &drm_gem_object_funcs.purge callbacks use state that goes at remove (MMU
 * state, register mappings) call this from their remove callback, after
 * drm_dev_unregister() and before they free that state. The objects stay as
 * they are, resident or evicted, and the helpers keep working on them. Does
 * nothing if the shrinker is stopped already or was never set up.
 *
 * Context: Process context; may sleep.
 */
void drm_gem_shmem_shrinker_stop(struct drm_device *dev)
{
	struct drm_gem_shmem_shrinker *shmem_shrinker = dev->shmem_shrinker;

	if (shmem_shrinker)
		shrinker_free(xchg(&shmem_shrinker->shrinker, NULL));
}
EXPORT_SYMBOL_GPL(drm_gem_shmem_shrinker_stop);

static void drm_gem_shmem_shrinker_fini(struct drm_device *dev, void *ptr)
{
	struct drm_gem_shmem_shrinker *shmem_shrinker = ptr;

	/* Also when drmm_gem_shmem_init() fails, before it set the pointer. */
	shrinker_free(xchg(&shmem_shrinker->shrinker, NULL));
	dev->shmem_shrinker = NULL;
}

/**
 * drmm_gem_shmem_init - Set up the shrinker of a device's shmem GEM objects
 * @dev: DRM device
 *
 * Registers a shrinker that purges the shmem GEM objects of @dev that
 * userspace marked as not needed and evicts idle ones to swap, as described
 * in the "page life cycle" section. It shows up as
 * drm-shmem-<unique name>-<id> in /sys/kernel/debug/shrinker. The shrinker is
 * freed with the device; drm_gem_shmem_shrinker_stop() stops it earlier, at
 * the driver's remove.
 *
 * Objects with &drm_gem_object_funcs.evict set may be evicted; objects marked
 * as not needed may be purged if they have &drm_gem_object_funcs.purge or,
 * failing that, evict; objects with neither callback, such as those with the
 * default shmem object functions, are left alone. The "page life cycle"
 * section lists what a driver makes sure of before it sets the callbacks.
 * Objects may share their reservation object with others: the shrinker only
 * ever trylocks it, and freeing an object does not take it.
 *
 * Context: Process context, before objects of @dev are created.
 *
 * Return: 0 on success or a negative error code on failure.
 */
int drmm_gem_shmem_init(struct drm_device *dev)
{
	struct drm_gem_shmem_shrinker *shmem_shrinker;
	int ret;

	if (drm_WARN_ON(dev, dev->shmem_shrinker))
		return -EBUSY;

	shmem_shrinker = drmm_kzalloc(dev, sizeof(*shmem_shrinker), GFP_KERNEL);
	if (!shmem_shrinker)
		return -ENOMEM;

	ret = drmm_mutex_init(dev, &shmem_shrinker->lock);
	if (ret)
		return ret;

	drm_gem_lru_init(&shmem_shrinker->lru_evictable, &shmem_shrinker->lock);
	drm_gem_lru_init(&shmem_shrinker->lru_purgeable, &shmem_shrinker->lock);

	/*
	 * Reclaim takes the LRU lock: teach lockdep now that it must never be
	 * held while allocating, rather than when reclaim first happens.
	 */
	fs_reclaim_acquire(GFP_KERNEL);
	might_lock(&shmem_shrinker->lock);
	fs_reclaim_release(GFP_KERNEL);

	shmem_shrinker->shrinker = shrinker_alloc(0, "drm-shmem-%s",
						  dev->unique ?: dev->driver->name);
	if (!shmem_shrinker->shrinker)
		return -ENOMEM;

	shmem_shrinker->shrinker->count_objects = drm_gem_shmem_shrinker_count;
	shmem_shrinker->shrinker->scan_objects = drm_gem_shmem_shrinker_scan;
	shmem_shrinker->shrinker->private_data = shmem_shrinker;

	/* Registered last: nothing that can fail comes after it. */
	ret = drmm_add_action_or_reset(dev, drm_gem_shmem_shrinker_fini,
				       shmem_shrinker);
	if (ret)
		return ret;

	dev->shmem_shrinker = shmem_shrinker;
	shrinker_register(shmem_shrinker->shrinker);

	return 0;
}
EXPORT_SYMBOL_GPL(drmm_gem_shmem_init);

MODULE_DESCRIPTION("DRM SHMEM memory-management helpers");
MODULE_IMPORT_NS(DMA_BUF);
MODULE_LICENSE("GPL v2");
