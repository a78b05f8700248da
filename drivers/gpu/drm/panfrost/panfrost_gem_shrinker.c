// SPDX-License-Identifier: GPL-2.0
/* Copyright (C) 2019 Arm Ltd.
 *
 * Based on msm_gem_freedreno.c:
 * Copyright (C) 2016 Red Hat
 * Author: Rob Clark <robdclark@gmail.com>
 */

/*
 * Panfrost uses the generic shmem shrinker (drmm_gem_shmem_init()). This file
 * holds what it needs from the driver: taking objects out of the GPU VMs
 * before they are evicted or purged, and putting evicted objects back in
 * when a job uses them.
 */

#include <drm/drm_gem_shmem_helper.h>

#include "panfrost_device.h"
#include "panfrost_gem.h"
#include "panfrost_mmu.h"

/**
 * panfrost_gem_mapping_restore_locked - Map an evicted object into a GPU VM again
 * @mapping: GPU mapping of the object
 *
 * Swaps the object in if it was evicted and maps it again at the GPU address
 * it keeps while evicted. Does nothing for mapped, heap and purged objects.
 *
 * Context: The caller must hold the reservation lock of the object.
 *
 * Return: 0 on success or a negative error code on failure.
 */
int panfrost_gem_mapping_restore_locked(struct panfrost_gem_mapping *mapping)
{
	struct panfrost_gem_object *bo = mapping->obj;

	dma_resv_assert_held(bo->base.base.resv);

	if (mapping->active || bo->is_heap || bo->base.madv < 0 ||
	    !drm_mm_node_allocated(&mapping->mmnode))
		return 0;

	return panfrost_mmu_map(mapping);
}

/* Objects in use by jobs are skipped, also once their fences signaled. */
static bool panfrost_gem_in_use(struct panfrost_gem_object *bo)
{
	return atomic_read(&bo->gpu_usecount);
}

/**
 * panfrost_gem_evict - &drm_gem_object_funcs.evict for panfrost objects
 * @obj: GEM object
 *
 * Unmaps the object from the GPU VMs, keeping its GPU addresses, and evicts
 * its pages. Heap objects and objects in use by jobs are left alone.
 *
 * Context: Called by the shmem shrinker with the reservation lock held.
 *
 * Return: 0 on success, -EBUSY if the object cannot be evicted now.
 */
int panfrost_gem_evict(struct drm_gem_object *obj)
{
	struct panfrost_gem_object *bo = to_panfrost_bo(obj);
	struct panfrost_gem_mapping *mapping;

	if (bo->is_heap || panfrost_gem_in_use(bo))
		return -EBUSY;

	if (!mutex_trylock(&bo->mappings.lock))
		return -EBUSY;

	/* The GPU addresses stay reserved for panfrost_gem_mapping_restore_locked(). */
	list_for_each_entry(mapping, &bo->mappings.list, node) {
		if (mapping->active)
			panfrost_mmu_unmap(mapping);
	}

	mutex_unlock(&bo->mappings.lock);

	drm_gem_shmem_evict_locked(&bo->base);

	return 0;
}

/**
 * panfrost_gem_purge - &drm_gem_object_funcs.purge for panfrost objects
 * @obj: GEM object
 *
 * Tears the GPU mappings of the object down and purges its pages.
 *
 * Context: Called by the shmem shrinker with the reservation lock held.
 *
 * Return: 0 on success, -EBUSY if the object cannot be purged now.
 */
int panfrost_gem_purge(struct drm_gem_object *obj)
{
	struct panfrost_gem_object *bo = to_panfrost_bo(obj);

	if (panfrost_gem_in_use(bo))
		return -EBUSY;

	if (!mutex_trylock(&bo->mappings.lock))
		return -EBUSY;

	panfrost_gem_teardown_mappings_locked(bo);
	drm_gem_shmem_purge_locked(&bo->base);

	mutex_unlock(&bo->mappings.lock);

	return 0;
}
