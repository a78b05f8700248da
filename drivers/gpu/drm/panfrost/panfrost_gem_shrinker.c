// SPDX-License-Identifier: GPL-2.0
/* Copyright (C) 2019 Arm Ltd.
 *
 * Based on msm_gem_freedreno.c:
 * Copyright (C) 2016 Red Hat
 * Author: Rob Clark <robdclark@gmail.com>
 */

/*
 * Panfrost uses the generic shmem shrinker (drmm_gem_shmem_init()) to purge
 * the BOs that userspace marked as not needed. This file holds what the
 * shrinker needs from the driver: taking such a BO out of the GPU VMs before
 * its pages go.
 *
 * Panfrost does not let the shrinker evict BOs that userspace still needs:
 * the GPU may reach a BO that a job does not list in its BO handles (through
 * pointers in other BOs), and only the listed BOs get the job's fence, so the
 * shrinker could not tell that such a BO is busy, nor could the driver map
 * it back before the job runs.
 */

#include <drm/drm_gem_shmem_helper.h>

#include "panfrost_device.h"
#include "panfrost_gem.h"
#include "panfrost_mmu.h"

/**
 * panfrost_gem_purge - &drm_gem_object_funcs.purge for panfrost objects
 * @obj: GEM object
 *
 * Tears the GPU mappings of the object down and purges its pages, unless
 * the object is a heap or still in use: by the jobs it is listed in, or
 * through the mappings that closed handles left to others (jobs, ioctls),
 * which are not on the object's list.
 *
 * Context: Called by the shmem shrinker with the reservation lock held.
 *
 * Return: 0 on success, -EBUSY if the object cannot be purged now.
 */
int panfrost_gem_purge(struct drm_gem_object *obj)
{
	struct panfrost_gem_object *bo = to_panfrost_bo(obj);
	int ret = -EBUSY;

	dma_resv_assert_held(obj->resv);

	/*
	 * The GPU's pages of a heap are the driver's own, and stay mapped: a
	 * heap marked DONTNEED with pages of the helpers (a user mapping) is
	 * on the purgeable list, but never purged.
	 */
	if (bo->is_heap)
		return -EBUSY;

	if (!mutex_trylock(&bo->mappings.lock))
		return -EBUSY;

	if (!atomic_read(&bo->gpu_usecount) && !bo->mappings.unlisted) {
		panfrost_gem_teardown_mappings_locked(bo);
		drm_gem_shmem_purge_locked(&bo->base);
		ret = 0;
	}

	mutex_unlock(&bo->mappings.lock);

	return ret;
}
