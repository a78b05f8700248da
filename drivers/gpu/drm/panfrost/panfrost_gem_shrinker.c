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
 * jobs still use the object: the jobs it is listed in, and the mappings that
 * closed handles left to jobs, which are not on the object's list.
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

	/* Heaps keep their pages apart and never reach the shrinker. */
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
