/* SPDX-License-Identifier: GPL-2.0 */

#ifndef __DRM_GEM_SHMEM_HELPER_H__
#define __DRM_GEM_SHMEM_HELPER_H__

#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/refcount.h>

#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_ioctl.h>
#include <drm/drm_prime.h>

struct dma_buf_attachment;
struct drm_mode_create_dumb;
struct drm_printer;
struct sg_table;
struct shrinker;

/**
 * struct drm_gem_shmem_object - GEM object backed by shmem
 */
struct drm_gem_shmem_object {
	/**
	 * @base: Base GEM object
	 */
	struct drm_gem_object base;

	/**
	 * @pages: Page table
	 */
	struct page **pages;

	/**
	 * @pages_use_count:
	 *
	 * Reference count on the pages table, one per user of the pages: the
	 * pins together, the kernel mapping, each user mapping, the
	 * scatter/gather table @sgt and each user of
	 * drm_gem_shmem_get_pages_locked(). The pages are put when the count
	 * reaches zero. An evicted object keeps its count while @pages is NULL.
	 */
	unsigned int pages_use_count;

	/**
	 * @pages_pin_count:
	 *
	 * Reference count on the pinned pages table.
	 *
	 * Pinning takes one reference on @pages_use_count for all pins
	 * together. Pinned pages stay in memory; the shrinker never evicts
	 * or purges them. Pin only for permanent uses such as scan-out or
	 * dma-buf attachments of non-dynamic importers.
	 */
	refcount_t pages_pin_count;

	/**
	 * @madv: State for madvise
	 *
	 * 0 is active/inuse.
	 * A negative value is the object is purged.
	 * Positive values mark the object as not needed: the shrinker of
	 * drmm_gem_shmem_init() may purge it.
	 */
	int madv;

	/**
	 * @madv_list: List entry for madvise tracking
	 *
	 * Typically used by drivers to track purgeable objects
	 */
	struct list_head madv_list;

	/**
	 * @sgt: Scatter/gather table of the pages, DMA mapped for the device,
	 * or of imported PRIME buffers. For native objects it holds a
	 * reference on @pages_use_count and is freed when the object is
	 * evicted or purged.
	 */
	struct sg_table *sgt;

	/**
	 * @vaddr: Kernel virtual address of the backing memory
	 */
	void *vaddr;

	/**
	 * @vmap_use_count:
	 *
	 * Reference count on the virtual address.
	 * The address are un-mapped when the count reaches zero.
	 */
	unsigned int vmap_use_count;

	/**
	 * @pages_mark_dirty_on_put:
	 *
	 * Mark pages as dirty when they are put.
	 */
	bool pages_mark_dirty_on_put : 1;

	/**
	 * @pages_mark_accessed_on_put:
	 *
	 * Mark pages as accessed when they are put.
	 */
	bool pages_mark_accessed_on_put : 1;

	/**
	 * @map_wc: map object write-combined (instead of using shmem defaults).
	 */
	bool map_wc : 1;
};

#define to_drm_gem_shmem_obj(obj) \
	container_of(obj, struct drm_gem_shmem_object, base)

struct drm_gem_shmem_object *drm_gem_shmem_create(struct drm_device *dev, size_t size);
void drm_gem_shmem_free(struct drm_gem_shmem_object *shmem);

int drm_gem_shmem_pin(struct drm_gem_shmem_object *shmem);
void drm_gem_shmem_unpin(struct drm_gem_shmem_object *shmem);
int drm_gem_shmem_vmap_locked(struct drm_gem_shmem_object *shmem,
			      struct iosys_map *map);
void drm_gem_shmem_vunmap_locked(struct drm_gem_shmem_object *shmem,
				 struct iosys_map *map);
int drm_gem_shmem_mmap(struct drm_gem_shmem_object *shmem, struct vm_area_struct *vma);

int drm_gem_shmem_pin_locked(struct drm_gem_shmem_object *shmem);
void drm_gem_shmem_unpin_locked(struct drm_gem_shmem_object *shmem);

int drm_gem_shmem_get_pages_locked(struct drm_gem_shmem_object *shmem);
void drm_gem_shmem_put_pages_locked(struct drm_gem_shmem_object *shmem);
int drm_gem_shmem_swap_in_locked(struct drm_gem_shmem_object *shmem);
int drm_gem_shmem_evict_locked(struct drm_gem_shmem_object *shmem);

int drm_gem_shmem_madvise_locked(struct drm_gem_shmem_object *shmem, int madv);

/**
 * drm_gem_shmem_is_purgeable - Check if an object may be purged
 * @shmem: shmem GEM object
 *
 * Return: True if userspace marked the object as not needed and its pages are
 * resident or evicted, neither pinned nor mapped in the kernel, and not
 * exported through PRIME while a GEM handle keeps the export: others may
 * still need the content of a shared object.
 */
static inline bool drm_gem_shmem_is_purgeable(struct drm_gem_shmem_object *shmem)
{
	return (shmem->madv > 0) && (shmem->pages || shmem->pages_use_count) &&
		!refcount_read(&shmem->pages_pin_count) &&
		!shmem->vmap_use_count &&
		!shmem->base.dma_buf && !shmem->base.import_attach;
}

/**
 * drm_gem_shmem_is_evictable - Check if an object may be evicted
 * @shmem: shmem GEM object
 *
 * Return: True if the object is in use by userspace, not imported, and its
 * pages are resident and neither pinned nor mapped in the kernel. Objects
 * exported through PRIME qualify: eviction zaps the user mappings of their
 * dma-buf as well, importers pin what they attach, and dma_buf_vmap() maps
 * them in the kernel.
 */
static inline bool drm_gem_shmem_is_evictable(struct drm_gem_shmem_object *shmem)
{
	return !shmem->madv && shmem->pages &&
		!refcount_read(&shmem->pages_pin_count) &&
		!shmem->vmap_use_count && !shmem->base.import_attach;
}

/**
 * drm_gem_shmem_is_evicted - Check if an object is evicted
 * @shmem: shmem GEM object
 *
 * Return: True if the object has users of its pages but the pages are not
 * resident; drm_gem_shmem_swap_in_locked() brings them back.
 */
static inline bool drm_gem_shmem_is_evicted(struct drm_gem_shmem_object *shmem)
{
	return shmem->madv >= 0 && shmem->pages_use_count && !shmem->pages;
}

void drm_gem_shmem_purge_locked(struct drm_gem_shmem_object *shmem);

struct sg_table *drm_gem_shmem_get_sg_table(struct drm_gem_shmem_object *shmem);
struct sg_table *drm_gem_shmem_get_pages_sgt(struct drm_gem_shmem_object *shmem);
struct sg_table *drm_gem_shmem_get_pages_sgt_locked(struct drm_gem_shmem_object *shmem);

void drm_gem_shmem_print_info(const struct drm_gem_shmem_object *shmem,
			      struct drm_printer *p, unsigned int indent);

extern const struct vm_operations_struct drm_gem_shmem_vm_ops;

/*
 * GEM object functions
 */

/**
 * drm_gem_shmem_object_free - GEM object function for drm_gem_shmem_free()
 * @obj: GEM object to free
 *
 * This function wraps drm_gem_shmem_free(). Drivers that employ the shmem helpers
 * should use it as their &drm_gem_object_funcs.free handler.
 */
static inline void drm_gem_shmem_object_free(struct drm_gem_object *obj)
{
	struct drm_gem_shmem_object *shmem = to_drm_gem_shmem_obj(obj);

	drm_gem_shmem_free(shmem);
}

/**
 * drm_gem_shmem_object_print_info() - Print &drm_gem_shmem_object info for debugfs
 * @p: DRM printer
 * @indent: Tab indentation level
 * @obj: GEM object
 *
 * This function wraps drm_gem_shmem_print_info(). Drivers that employ the shmem helpers should
 * use this function as their &drm_gem_object_funcs.print_info handler.
 */
static inline void drm_gem_shmem_object_print_info(struct drm_printer *p, unsigned int indent,
						   const struct drm_gem_object *obj)
{
	const struct drm_gem_shmem_object *shmem = to_drm_gem_shmem_obj(obj);

	drm_gem_shmem_print_info(shmem, p, indent);
}

/**
 * drm_gem_shmem_object_pin - GEM object function for drm_gem_shmem_pin()
 * @obj: GEM object
 *
 * This function wraps drm_gem_shmem_pin(). Drivers that employ the shmem helpers should
 * use it as their &drm_gem_object_funcs.pin handler.
 */
static inline int drm_gem_shmem_object_pin(struct drm_gem_object *obj)
{
	struct drm_gem_shmem_object *shmem = to_drm_gem_shmem_obj(obj);

	return drm_gem_shmem_pin_locked(shmem);
}

/**
 * drm_gem_shmem_object_unpin - GEM object function for drm_gem_shmem_unpin()
 * @obj: GEM object
 *
 * This function wraps drm_gem_shmem_unpin(). Drivers that employ the shmem helpers should
 * use it as their &drm_gem_object_funcs.unpin handler.
 */
static inline void drm_gem_shmem_object_unpin(struct drm_gem_object *obj)
{
	struct drm_gem_shmem_object *shmem = to_drm_gem_shmem_obj(obj);

	drm_gem_shmem_unpin_locked(shmem);
}

/**
 * drm_gem_shmem_object_get_sg_table - GEM object function for drm_gem_shmem_get_sg_table()
 * @obj: GEM object
 *
 * This function wraps drm_gem_shmem_get_sg_table(). Drivers that employ the shmem helpers should
 * use it as their &drm_gem_object_funcs.get_sg_table handler.
 *
 * Returns:
 * A pointer to the scatter/gather table of pinned pages or error pointer on failure.
 */
static inline struct sg_table *drm_gem_shmem_object_get_sg_table(struct drm_gem_object *obj)
{
	struct drm_gem_shmem_object *shmem = to_drm_gem_shmem_obj(obj);

	return drm_gem_shmem_get_sg_table(shmem);
}

/*
 * drm_gem_shmem_object_vmap - GEM object function for drm_gem_shmem_vmap_locked()
 * @obj: GEM object
 * @map: Returns the kernel virtual address of the SHMEM GEM object's backing store.
 *
 * This function wraps drm_gem_shmem_vmap_locked(). Drivers that employ the shmem
 * helpers should use it as their &drm_gem_object_funcs.vmap handler.
 *
 * Returns:
 * 0 on success or a negative error code on failure.
 */
static inline int drm_gem_shmem_object_vmap(struct drm_gem_object *obj,
					    struct iosys_map *map)
{
	struct drm_gem_shmem_object *shmem = to_drm_gem_shmem_obj(obj);

	return drm_gem_shmem_vmap_locked(shmem, map);
}

/*
 * drm_gem_shmem_object_vunmap - GEM object function for drm_gem_shmem_vunmap_locked()
 * @obj: GEM object
 * @map: Kernel virtual address where the SHMEM GEM object was mapped
 *
 * This function wraps drm_gem_shmem_vunmap_locked(). Drivers that employ the shmem
 * helpers should use it as their &drm_gem_object_funcs.vunmap handler.
 */
static inline void drm_gem_shmem_object_vunmap(struct drm_gem_object *obj,
					       struct iosys_map *map)
{
	struct drm_gem_shmem_object *shmem = to_drm_gem_shmem_obj(obj);

	drm_gem_shmem_vunmap_locked(shmem, map);
}

/**
 * drm_gem_shmem_object_mmap - GEM object function for drm_gem_shmem_mmap()
 * @obj: GEM object
 * @vma: VMA for the area to be mapped
 *
 * This function wraps drm_gem_shmem_mmap(). Drivers that employ the shmem helpers should
 * use it as their &drm_gem_object_funcs.mmap handler.
 *
 * Returns:
 * 0 on success or a negative error code on failure.
 */
static inline int drm_gem_shmem_object_mmap(struct drm_gem_object *obj, struct vm_area_struct *vma)
{
	struct drm_gem_shmem_object *shmem = to_drm_gem_shmem_obj(obj);

	return drm_gem_shmem_mmap(shmem, vma);
}

/**
 * drm_gem_shmem_object_evict - GEM object function for drm_gem_shmem_evict_locked()
 * @obj: GEM object
 *
 * This function wraps drm_gem_shmem_evict_locked(). Drivers that employ the
 * shmem helpers and keep no device mappings of their own can use it as their
 * &drm_gem_object_funcs.evict handler.
 *
 * Returns:
 * 0 on success, -EBUSY if the object cannot be evicted, or another negative
 * error code from drm_gem_shmem_evict_locked().
 */
static inline int drm_gem_shmem_object_evict(struct drm_gem_object *obj)
{
	struct drm_gem_shmem_object *shmem = to_drm_gem_shmem_obj(obj);

	if (!shmem->pages ||
	    (!drm_gem_shmem_is_evictable(shmem) && !drm_gem_shmem_is_purgeable(shmem)))
		return -EBUSY;

	return drm_gem_shmem_evict_locked(shmem);
}

/**
 * drm_gem_shmem_object_purge - GEM object function for drm_gem_shmem_purge_locked()
 * @obj: GEM object
 *
 * This function wraps drm_gem_shmem_purge_locked(). Drivers that employ the
 * shmem helpers and keep no device mappings of their own can use it as their
 * &drm_gem_object_funcs.purge handler.
 *
 * Returns:
 * 0 on success or -EBUSY if the object cannot be purged.
 */
static inline int drm_gem_shmem_object_purge(struct drm_gem_object *obj)
{
	struct drm_gem_shmem_object *shmem = to_drm_gem_shmem_obj(obj);

	if (!drm_gem_shmem_is_purgeable(shmem))
		return -EBUSY;

	drm_gem_shmem_purge_locked(shmem);

	return 0;
}

/**
 * struct drm_gem_shmem_shrinker - Shrinker of the shmem GEM objects of a device
 *
 * Set up by drmm_gem_shmem_init(). The shmem helpers keep every object of the
 * device that the shrinker may reclaim in one of its two LRUs, moving it as
 * its state changes; see the "page life cycle" section of the shmem helpers'
 * documentation.
 */
struct drm_gem_shmem_shrinker {
	/**
	 * @shrinker: The shrinker registered with the memory management; NULL
	 * once drm_gem_shmem_shrinker_stop() stopped it
	 */
	struct shrinker *shrinker;

	/**
	 * @lock: Protects @lru_evictable and @lru_purgeable and moves of objects
	 * between them. Nests inside the reservation locks of the objects; the
	 * shrinker takes those with dma_resv_trylock() only.
	 */
	struct mutex lock;

	/** @lru_evictable: Objects that drm_gem_shmem_is_evictable() */
	struct drm_gem_lru lru_evictable;

	/**
	 * @lru_purgeable: Objects marked as not needed that the shrinker may
	 * purge, or will once a GEM handle no longer keeps their export
	 */
	struct drm_gem_lru lru_purgeable;
};

int drmm_gem_shmem_init(struct drm_device *dev);
void drm_gem_shmem_shrinker_stop(struct drm_device *dev);

#if IS_ENABLED(CONFIG_KUNIT)
int drm_gem_shmem_acquire_pages(struct drm_gem_shmem_object *shmem);
bool drm_gem_shmem_can_swap(unsigned long nr_pages);
#endif

/*
 * Driver ops
 */

struct drm_gem_object *
drm_gem_shmem_prime_import_sg_table(struct drm_device *dev,
				    struct dma_buf_attachment *attach,
				    struct sg_table *sgt);
int drm_gem_shmem_dumb_create(struct drm_file *file, struct drm_device *dev,
			      struct drm_mode_create_dumb *args);

/**
 * DRM_GEM_SHMEM_DRIVER_OPS - Default shmem GEM operations
 *
 * This macro provides a shortcut for setting the shmem GEM operations in
 * the &drm_driver structure.
 */
#define DRM_GEM_SHMEM_DRIVER_OPS \
	.gem_prime_import_sg_table = drm_gem_shmem_prime_import_sg_table, \
	.dumb_create		   = drm_gem_shmem_dumb_create

#endif /* __DRM_GEM_SHMEM_HELPER_H__ */
