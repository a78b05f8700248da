// SPDX-License-Identifier: GPL-2.0 AND MIT
/*
 * KUnit tests of the buffer object LRU cursor and the ttm_bo_shrink()
 * helpers, through a shrinker written as a driver would write it on the
 * mock device: it counts what it may give back, purges first, backs up
 * with __GFP_FS only and writes back with __GFP_IO only.
 */
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/highmem.h>
#include <linux/ktime.h>
#include <linux/kthread.h>
#include <linux/math64.h>
#include <linux/mm.h>
#include <linux/prandom.h>
#include <linux/sched/mm.h>
#include <linux/shmem_fs.h>
#include <linux/shrinker.h>
#include <linux/swap.h>
#include <linux/swap_slots.h>

#include <kunit/static_stub.h>

#include <drm/drm_page_pool.h>
#include <drm/ttm/ttm_backup.h>
#include <drm/ttm/ttm_bo.h>
#include <drm/ttm/ttm_placement.h>
#include <drm/ttm/ttm_resource.h>
#include <drm/ttm/ttm_tt.h>

#include "ttm_kunit_helpers.h"
#include "ttm_mock_manager.h"

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

#define SHRINK_BO_PAGES		4
#define SHRINK_MAX_BOS		8
#define SHRINK_TT_SIZE		SZ_1M

/* The mock driver's device, with what its shrinker needs to know */
struct shrink_dev {
	struct ttm_device bdev;
	struct ttm_test_devices *devs;
	/* Populated pages of unpinned tts that a backup may give back */
	atomic_long_t shrinkable;
	/* Populated pages of unpinned purgeable tts */
	atomic_long_t purgeable;
	struct shrinker *shrinker;
	/* The only task the registered shrinker works for (the test's) */
	struct task_struct *owner;
	/* Scan as kswapd would, waiting for the GPU (not in direct reclaim) */
	bool may_wait;
	struct ttm_buffer_object *bos[SHRINK_MAX_BOS];
	unsigned int nr_bos;
	/* The LRU priority of the bos created next */
	unsigned int priority;
	/* Unsignaled fences on busy bos, signaled before the bos are put */
	struct dma_fence *fences[SHRINK_MAX_BOS];
	unsigned int nr_fences;
	/* Stubs: swap space reported, backup copies asked for and failed */
	u64 swap_bytes;
	/* Calls that report plenty of swap before @swap_bytes applies */
	unsigned int swap_plenty_calls;
	unsigned long backup_calls;
	unsigned long writeback_calls;
	bool backup_fails;
	/* What the registered shrinker did */
	unsigned long scans, scanned, freed;
};

struct shrink_tt {
	struct ttm_tt tt;
	bool purgeable;
};

struct shrink_bo {
	struct ttm_buffer_object bo;
	bool purgeable;
	u32 seed;
};

static struct shrink_dev *to_shrink_dev(struct ttm_device *bdev)
{
	return container_of(bdev, struct shrink_dev, bdev);
}

static struct shrink_tt *to_shrink_tt(struct ttm_tt *tt)
{
	return container_of(tt, struct shrink_tt, tt);
}

static struct shrink_bo *to_shrink_bo(struct ttm_buffer_object *bo)
{
	return container_of(bo, struct shrink_bo, bo);
}

static atomic_long_t *shrink_counter(struct shrink_dev *sd, struct ttm_tt *tt)
{
	return to_shrink_tt(tt)->purgeable ? &sd->purgeable : &sd->shrinkable;
}

static struct ttm_tt *shrink_tt_create(struct ttm_buffer_object *bo, u32 page_flags)
{
	struct shrink_tt *stt;

	stt = kzalloc(sizeof(*stt), GFP_KERNEL);
	if (!stt)
		return NULL;

	stt->purgeable = to_shrink_bo(bo)->purgeable;
	if (ttm_tt_kunit_init_backup(&stt->tt, bo, page_flags)) {
		kfree(stt);
		return NULL;
	}
	return &stt->tt;
}

static void shrink_tt_destroy(struct ttm_device *bdev, struct ttm_tt *tt)
{
	ttm_tt_fini(tt);
	kfree(to_shrink_tt(tt));
}

/* Restore what was backed up; a purgeable tt comes back empty */
static int shrink_tt_populate(struct ttm_device *bdev, struct ttm_tt *tt,
			      struct ttm_operation_ctx *ctx)
{
	int err;

	if (ttm_tt_is_backed_up(tt) && !to_shrink_tt(tt)->purgeable) {
		err = ttm_tt_restore(bdev, tt, ctx);
	} else {
		ttm_tt_clear_backed_up(tt);
		err = ttm_pool_alloc(&bdev->pool, tt, ctx);
	}
	if (!err)
		atomic_long_add(tt->num_pages, shrink_counter(to_shrink_dev(bdev), tt));
	return err;
}

static void shrink_tt_unpopulate(struct ttm_device *bdev, struct ttm_tt *tt)
{
	ttm_pool_free(&bdev->pool, tt);
	atomic_long_sub(tt->num_pages, shrink_counter(to_shrink_dev(bdev), tt));
}

static struct ttm_device_funcs shrink_dev_funcs;

/* The mock shrinker's count: backups only with __GFP_FS and swap for them */
static unsigned long shrink_dev_count(struct shrink_dev *sd, gfp_t gfp)
{
	unsigned long n = 0;

	if (gfp & __GFP_FS)
		n = min_t(u64, ttm_backup_bytes_avail() >> PAGE_SHIFT,
			  atomic_long_read(&sd->shrinkable));
	return n + atomic_long_read(&sd->purgeable);
}

/*
 * One pass over the managers that hold tts: purge the purgeable objects
 * (@flags.purge) or back up the others, until @to_scan pages were tried.
 * Return: the pages given back, or -EINTR/-ERESTARTSYS.
 */
static long shrink_dev_walk(struct shrink_dev *sd, struct ttm_operation_ctx *ctx,
			    const struct ttm_bo_shrink_flags flags,
			    unsigned long to_scan, unsigned long *scanned)
{
	unsigned int mem_type;
	long freed = 0;

	for (mem_type = TTM_PL_SYSTEM; mem_type <= TTM_PL_TT; mem_type++) {
		struct ttm_resource_manager *man = ttm_manager_type(&sd->bdev, mem_type);
		struct ttm_lru_walk_arg arg = {
			.ctx = ctx,
			.trylock_only = true,
		};
		struct ttm_bo_lru_cursor curs;
		struct ttm_buffer_object *bo;

		if (!man || !man->use_tt)
			continue;

		ttm_bo_lru_for_each_reserved_guarded(&curs, man, &arg, bo) {
			struct ttm_bo_shrink_flags f = flags;
			pgoff_t num_pages;
			long lret;

			if (!ttm_bo_shrink_suitable(bo, ctx))
				continue;
			/* An object being destroyed is purged where it is */
			if (bo->deleted) {
				f.purge = true;
				f.allow_move = false;
			} else if (to_shrink_tt(bo->ttm)->purgeable != flags.purge) {
				continue;
			}

			num_pages = bo->ttm->num_pages;
			*scanned += num_pages;
			lret = ttm_bo_shrink(ctx, bo, f);
			if (lret == -EINTR || lret == -ERESTARTSYS)
				return lret;
			if (lret > 0) {
				freed += lret;
				atomic_long_sub(num_pages, shrink_counter(sd, bo->ttm));
			}
			if (*scanned >= to_scan)
				return freed;
		}
	}
	return freed;
}

/* The mock shrinker's scan: purge, then back up if the context allows */
static unsigned long shrink_dev_scan(struct shrink_dev *sd,
				     struct shrink_control *sc)
{
	struct ttm_operation_ctx ctx = {
		.no_wait_gpu = !sd->may_wait && ttm_bo_shrink_avoid_wait(),
	};
	struct ttm_bo_shrink_flags flags = {
		.purge = true,
		.writeback = !ctx.no_wait_gpu && (sc->gfp_mask & __GFP_IO),
		.allow_move = true,
	};
	unsigned long scanned = 0, freed = 0;
	long lret;

	if (atomic_long_read(&sd->purgeable)) {
		lret = shrink_dev_walk(sd, &ctx, flags, sc->nr_to_scan, &scanned);
		if (lret < 0)
			goto out;
		freed += lret;
	}

	if (scanned < sc->nr_to_scan && (sc->gfp_mask & __GFP_FS)) {
		flags.purge = false;
		lret = shrink_dev_walk(sd, &ctx, flags, sc->nr_to_scan, &scanned);
		if (lret > 0)
			freed += lret;
	}
out:
	sc->nr_scanned = scanned;
	return scanned ? freed : SHRINK_STOP;
}

static unsigned long shrink_count_objects(struct shrinker *shrinker,
					  struct shrink_control *sc)
{
	struct shrink_dev *sd = shrinker->private_data;

	/* kswapd and others meanwhile find nothing: the case checks exact counts */
	if (READ_ONCE(sd->owner) != current)
		return 0;

	return shrink_dev_count(sd, sc->gfp_mask) ?: SHRINK_EMPTY;
}

static unsigned long shrink_scan_objects(struct shrinker *shrinker,
					 struct shrink_control *sc)
{
	struct shrink_dev *sd = shrinker->private_data;
	unsigned long freed;

	if (READ_ONCE(sd->owner) != current)
		return SHRINK_STOP;

	freed = shrink_dev_scan(sd, sc);
	sd->scans++;
	sd->scanned += sc->nr_scanned;
	if (freed != SHRINK_STOP)
		sd->freed += freed;
	return freed;
}

/* Stubs: the swap space, and each page copy a backup asks for */
static u64 shrink_test_bytes_avail(void)
{
	struct shrink_dev *sd = kunit_get_current_test()->priv;

	if (sd->swap_plenty_calls) {
		sd->swap_plenty_calls--;
		return U64_MAX;
	}
	return sd->swap_bytes;
}

static s64 shrink_test_backup_page(struct file *backup, struct page *page,
				   bool writeback, pgoff_t idx,
				   gfp_t page_gfp, gfp_t alloc_gfp)
{
	struct kunit *test = kunit_get_current_test();
	struct shrink_dev *sd = test->priv;
	s64 ret;

	sd->backup_calls++;
	sd->writeback_calls += writeback;
	if (sd->backup_fails)
		return -ENOMEM;

	/* No swap in the guest: a writeback would stay in the page cache */
	kunit_deactivate_static_stub(test, ttm_backup_backup_page);
	ret = ttm_backup_backup_page(backup, page, false, idx, page_gfp,
				     alloc_gfp);
	kunit_activate_static_stub(test, ttm_backup_backup_page,
				   shrink_test_backup_page);
	return ret;
}

static int ttm_bo_shrink_test_init(struct kunit *test)
{
	struct shrink_dev *sd;
	int err;

	sd = kunit_kzalloc(test, sizeof(*sd), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, sd);
	test->priv = sd;

	sd->devs = ttm_test_devices_basic(test);
	shrink_dev_funcs = ttm_dev_funcs_backup;
	shrink_dev_funcs.ttm_tt_create = shrink_tt_create;
	shrink_dev_funcs.ttm_tt_destroy = shrink_tt_destroy;
	shrink_dev_funcs.ttm_tt_populate = shrink_tt_populate;
	shrink_dev_funcs.ttm_tt_unpopulate = shrink_tt_unpopulate;
	err = ttm_device_kunit_init_with_funcs(sd->devs, &sd->bdev, false,
					       false, &shrink_dev_funcs);
	KUNIT_ASSERT_EQ(test, err, 0);
	err = ttm_mock_manager_init(&sd->bdev, TTM_PL_TT, SHRINK_TT_SIZE);
	KUNIT_ASSERT_EQ(test, err, 0);

	sd->swap_bytes = U64_MAX;
	kunit_activate_static_stub(test, ttm_backup_bytes_avail,
				   shrink_test_bytes_avail);
	kunit_activate_static_stub(test, ttm_backup_backup_page,
				   shrink_test_backup_page);
	return 0;
}

static void ttm_bo_shrink_test_fini(struct kunit *test)
{
	struct shrink_dev *sd = test->priv;
	unsigned int i;

	if (sd->shrinker)
		shrinker_free(sd->shrinker);
	for (i = 0; i < sd->nr_fences; i++) {
		dma_fence_signal(sd->fences[i]);
		dma_fence_put(sd->fences[i]);
	}
	for (i = 0; i < sd->nr_bos; i++)
		ttm_bo_put(sd->bos[i]);
	ttm_mock_manager_fini(&sd->bdev, TTM_PL_TT);
	ttm_device_fini(&sd->bdev);
	ttm_test_devices_put(test, sd->devs);
}

/* Fill or check the pages of a populated tt: every byte from the bo's seed */
static bool shrink_bo_data(struct ttm_buffer_object *bo, bool fill)
{
	struct rnd_state state;
	u8 buf[64];
	bool ok = true;
	pgoff_t i;

	prandom_seed_state(&state, to_shrink_bo(bo)->seed);
	for (i = 0; i < bo->ttm->num_pages; i++) {
		u8 *p = kmap_local_page(bo->ttm->pages[i]);
		unsigned int off;

		for (off = 0; off < PAGE_SIZE; off += sizeof(buf)) {
			prandom_bytes_state(&state, buf, sizeof(buf));
			if (fill)
				memcpy(p + off, buf, sizeof(buf));
			else if (memcmp(p + off, buf, sizeof(buf)))
				ok = false;
		}
		kunmap_local(p);
	}
	return ok;
}

/*
 * A buffer object of @pages pages placed in @mem_type, populated and filled
 * with its own data unless @populate is false; unreserved. Put at exit.
 */
static struct ttm_buffer_object *
shrink_bo_create(struct kunit *test, u32 mem_type, bool purgeable,
		 unsigned int pages, bool populate)
{
	struct shrink_dev *sd = test->priv;
	struct ttm_operation_ctx ctx = { };
	struct ttm_placement *placement;
	struct shrink_bo *sbo;
	int err;

	KUNIT_ASSERT_LT(test, sd->nr_bos, SHRINK_MAX_BOS);
	sbo = kunit_kzalloc(test, sizeof(*sbo), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, sbo);
	placement = kunit_kzalloc(test, sizeof(*placement), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, placement);
	placement->num_placement = 1;
	placement->placement = ttm_place_kunit_init(test, mem_type, 0);

	sbo->purgeable = purgeable;
	sbo->bo.priority = sd->priority;
	sbo->seed = 0x5eed0000 + sd->nr_bos;
	drm_gem_private_object_init(sd->devs->drm, &sbo->bo.base,
				    (size_t)pages << PAGE_SHIFT);
	err = ttm_bo_init_reserved(&sd->bdev, &sbo->bo, ttm_bo_type_device,
				   placement, PAGE_SIZE, &ctx, NULL, NULL,
				   &dummy_ttm_bo_destroy);
	KUNIT_ASSERT_EQ(test, err, 0);
	sd->bos[sd->nr_bos++] = &sbo->bo;

	KUNIT_ASSERT_NOT_NULL(test, sbo->bo.ttm);
	if (populate) {
		err = ttm_tt_populate(&sd->bdev, sbo->bo.ttm, &ctx);
		KUNIT_ASSERT_EQ(test, err, 0);
		shrink_bo_data(&sbo->bo, true);
	}
	dma_resv_unlock(sbo->bo.base.resv);
	return &sbo->bo;
}

/* Populate a shrunk bo again and check its data */
static bool shrink_bo_restore(struct kunit *test, struct ttm_buffer_object *bo)
{
	struct ttm_operation_ctx ctx = { };
	bool ok;
	int err;

	dma_resv_lock(bo->base.resv, NULL);
	err = ttm_tt_populate(bo->bdev, bo->ttm, &ctx);
	KUNIT_EXPECT_EQ(test, err, 0);
	ok = !err && shrink_bo_data(bo, false);
	dma_resv_unlock(bo->base.resv);
	return ok;
}

/* A node counter summed over all nodes, per-CPU deltas included */
static long shrink_node_pages(enum node_stat_item item)
{
	long sum = 0;
	int nid;

	for_each_online_node(nid)
		sum += drm_page_pool_kunit_node_stat(nid, item);
	return sum;
}

/* Cursor hitches left on the LRU lists of @man */
static unsigned int shrink_hitches(struct ttm_resource_manager *man)
{
	struct ttm_lru_item *lru;
	unsigned int i, n = 0;

	spin_lock(&man->bdev->lru_lock);
	for (i = 0; i < TTM_MAX_BO_PRIORITY; i++)
		list_for_each_entry(lru, &man->lru[i], link)
			n += !ttm_lru_item_is_res(lru);
	spin_unlock(&man->bdev->lru_lock);
	return n;
}

/* After a walk: nothing locked, no reference left, no hitch */
static void shrink_expect_released(struct kunit *test)
{
	struct shrink_dev *sd = test->priv;
	unsigned int i;

	for (i = 0; i < sd->nr_bos; i++) {
		KUNIT_EXPECT_FALSE_MSG(test, dma_resv_is_locked(sd->bos[i]->base.resv),
				       "bo %u", i);
		KUNIT_EXPECT_EQ_MSG(test, kref_read(&sd->bos[i]->kref), 1, "bo %u", i);
	}
	KUNIT_EXPECT_EQ(test, shrink_hitches(ttm_manager_type(&sd->bdev, TTM_PL_SYSTEM)), 0);
	KUNIT_EXPECT_EQ(test, shrink_hitches(ttm_manager_type(&sd->bdev, TTM_PL_TT)), 0);
}

static void ttm_bo_lru_cursor_walk_all(struct kunit *test)
{
	struct shrink_dev *sd = test->priv;
	struct ttm_operation_ctx ctx = { };
	struct ttm_lru_walk_arg arg = { .ctx = &ctx, .trylock_only = true };
	struct ttm_bo_lru_cursor curs;
	struct ttm_buffer_object *bo;
	unsigned int i, n = 0;

	for (i = 0; i < 5; i++)
		shrink_bo_create(test, TTM_PL_SYSTEM, false, 1, false);

	ttm_bo_lru_for_each_reserved_guarded(&curs, ttm_manager_type(&sd->bdev, TTM_PL_SYSTEM),
					     &arg, bo) {
		/* In LRU order, each locked and referenced by the step */
		if (n < sd->nr_bos)
			KUNIT_EXPECT_PTR_EQ(test, bo, sd->bos[n]);
		KUNIT_EXPECT_TRUE(test, dma_resv_is_locked(bo->base.resv));
		KUNIT_EXPECT_EQ(test, kref_read(&bo->kref), 2);
		KUNIT_EXPECT_PTR_EQ(test, curs.bo, bo);
		n++;
	}
	KUNIT_EXPECT_NULL(test, bo);
	KUNIT_EXPECT_EQ(test, n, 5);
	shrink_expect_released(test);
}

/* Lower priorities first, each in LRU order */
static void ttm_bo_lru_cursor_priorities(struct kunit *test)
{
	struct shrink_dev *sd = test->priv;
	struct ttm_operation_ctx ctx = { };
	struct ttm_lru_walk_arg arg = { .ctx = &ctx, .trylock_only = true };
	static const unsigned int prio[] = { 2, 0, 1, 0 }, order[] = { 1, 3, 2, 0 };
	struct ttm_bo_lru_cursor curs;
	struct ttm_buffer_object *bo;
	unsigned int i, n = 0;

	for (i = 0; i < ARRAY_SIZE(prio); i++) {
		sd->priority = prio[i];
		shrink_bo_create(test, TTM_PL_SYSTEM, false, 1, false);
	}

	ttm_bo_lru_for_each_reserved_guarded(&curs, ttm_manager_type(&sd->bdev, TTM_PL_SYSTEM),
					     &arg, bo) {
		if (n < ARRAY_SIZE(order))
			KUNIT_EXPECT_PTR_EQ_MSG(test, bo, sd->bos[order[n]], "step %u", n);
		n++;
	}
	KUNIT_EXPECT_EQ(test, n, ARRAY_SIZE(order));
	shrink_expect_released(test);
}

/* Leave a guarded walk by return from a helper */
static struct ttm_buffer_object *shrink_find_nth(struct ttm_resource_manager *man,
						 struct ttm_lru_walk_arg *arg,
						 unsigned int nth)
{
	struct ttm_bo_lru_cursor curs;
	struct ttm_buffer_object *bo;

	ttm_bo_lru_for_each_reserved_guarded(&curs, man, arg, bo) {
		if (!nth--)
			return bo;
	}
	return NULL;
}

static void ttm_bo_lru_cursor_leave_early(struct kunit *test)
{
	struct shrink_dev *sd = test->priv;
	struct ttm_resource_manager *man;
	struct ttm_operation_ctx ctx = { };
	struct ttm_lru_walk_arg arg = { .ctx = &ctx, .trylock_only = true };
	struct ttm_bo_lru_cursor curs;
	struct ttm_buffer_object *bo;
	unsigned int i, n = 0;

	for (i = 0; i < 4; i++)
		shrink_bo_create(test, TTM_PL_SYSTEM, false, 1, false);
	man = ttm_manager_type(&sd->bdev, TTM_PL_SYSTEM);

	ttm_bo_lru_for_each_reserved_guarded(&curs, man, &arg, bo) {
		if (++n == 2)
			break;
	}
	KUNIT_EXPECT_EQ(test, n, 2);
	shrink_expect_released(test);

	/* The pointer a return hands out is dangling: compare it only */
	KUNIT_EXPECT_PTR_EQ(test, shrink_find_nth(man, &arg, 2), sd->bos[2]);
	shrink_expect_released(test);
	KUNIT_EXPECT_NULL(test, shrink_find_nth(man, &arg, 9));
	shrink_expect_released(test);
}

/* An object another holder keeps locked is passed over by a trylock walk */
static void ttm_bo_lru_cursor_skips_locked(struct kunit *test)
{
	struct shrink_dev *sd = test->priv;
	struct ttm_operation_ctx ctx = { };
	struct ttm_lru_walk_arg arg = { .ctx = &ctx, .trylock_only = true };
	struct ttm_bo_lru_cursor curs;
	struct ttm_buffer_object *bo, *held;
	unsigned int i, n = 0;

	for (i = 0; i < 3; i++)
		shrink_bo_create(test, TTM_PL_SYSTEM, false, 1, false);
	held = sd->bos[1];

	dma_resv_lock(held->base.resv, NULL);
	ttm_bo_lru_for_each_reserved_guarded(&curs, ttm_manager_type(&sd->bdev, TTM_PL_SYSTEM),
					     &arg, bo) {
		KUNIT_EXPECT_PTR_NE(test, bo, held);
		n++;
	}
	KUNIT_EXPECT_EQ(test, n, 2);
	/* Still the holder's, with no reference left behind */
	KUNIT_EXPECT_TRUE(test, dma_resv_is_locked(held->base.resv));
	KUNIT_EXPECT_EQ(test, kref_read(&held->kref), 1);
	dma_resv_unlock(held->base.resv);
	shrink_expect_released(test);
}

/*
 * With a ticket, an object the ticket holds already (-EALREADY) is passed
 * over and stays locked by the ticket; the others are walked.
 */
static void ttm_bo_lru_cursor_ticket_already(struct kunit *test)
{
	struct shrink_dev *sd = test->priv;
	struct ttm_operation_ctx ctx = { };
	struct ww_acquire_ctx ticket;
	struct ttm_lru_walk_arg arg = { .ctx = &ctx, .ticket = &ticket };
	struct ttm_bo_lru_cursor curs;
	struct ttm_buffer_object *bo, *held;
	unsigned int i, n = 0;
	int err;

	for (i = 0; i < 3; i++)
		shrink_bo_create(test, TTM_PL_SYSTEM, false, 1, false);
	held = sd->bos[0];

	ww_acquire_init(&ticket, &reservation_ww_class);
	err = dma_resv_lock(held->base.resv, &ticket);
	KUNIT_ASSERT_EQ(test, err, 0);
	ttm_bo_lru_for_each_reserved_guarded(&curs, ttm_manager_type(&sd->bdev, TTM_PL_SYSTEM),
					     &arg, bo) {
		KUNIT_EXPECT_PTR_NE(test, bo, held);
		n++;
	}
	KUNIT_EXPECT_FALSE(test, IS_ERR(bo));
	KUNIT_EXPECT_EQ(test, n, 2);
	KUNIT_EXPECT_TRUE(test, dma_resv_is_locked(held->base.resv));
	KUNIT_EXPECT_EQ(test, kref_read(&held->kref), 1);
	dma_resv_unlock(held->base.resv);
	ww_acquire_fini(&ticket);
	shrink_expect_released(test);
}

struct shrink_holder {
	struct dma_resv *resv;
	struct completion locked;
};

/* Hold a reservation for 2 s (the walk meets it long before), then wait */
static int shrink_hold_resv(void *data)
{
	struct shrink_holder *h = data;

	dma_resv_lock(h->resv, NULL);
	complete(&h->locked);
	msleep(2000);
	dma_resv_unlock(h->resv);
	while (!kthread_should_stop())
		usleep_range(1000, 2000);
	return 0;
}

/*
 * With a ticket, an object another task holds is waited for once: the step
 * gets it locked, unlocks it when it ends, and the walk trylocks only from
 * then on (the ticket is used up)
 */
static void ttm_bo_lru_cursor_ticketlock(struct kunit *test)
{
	struct shrink_dev *sd = test->priv;
	struct ttm_operation_ctx ctx = { };
	struct ww_acquire_ctx ticket;
	struct ttm_lru_walk_arg arg = { .ctx = &ctx, .ticket = &ticket };
	struct shrink_holder holder;
	struct ttm_bo_lru_cursor curs;
	struct ttm_buffer_object *bo;
	struct task_struct *task;
	unsigned int i, n = 0;
	bool seen = false;

	for (i = 0; i < 3; i++)
		shrink_bo_create(test, TTM_PL_SYSTEM, false, 1, false);
	holder.resv = sd->bos[1]->base.resv;
	init_completion(&holder.locked);
	task = kthread_run(shrink_hold_resv, &holder, "ttm-kunit-holder");
	KUNIT_ASSERT_FALSE(test, IS_ERR(task));
	wait_for_completion(&holder.locked);

	ww_acquire_init(&ticket, &reservation_ww_class);
	ttm_bo_lru_for_each_reserved_guarded(&curs, ttm_manager_type(&sd->bdev, TTM_PL_SYSTEM),
					     &arg, bo) {
		KUNIT_EXPECT_TRUE(test, dma_resv_is_locked(bo->base.resv));
		if (bo == sd->bos[1]) {
			seen = true;
			KUNIT_EXPECT_TRUE(test, curs.needs_unlock);
			KUNIT_EXPECT_NULL(test, arg.ticket);
		}
		n++;
	}
	ww_acquire_fini(&ticket);
	kthread_stop(task);

	KUNIT_EXPECT_NULL(test, bo);
	KUNIT_EXPECT_TRUE(test, seen);
	KUNIT_EXPECT_EQ(test, n, 3);
	shrink_expect_released(test);
}

static const char *shrink_fence_name(struct dma_fence *f)
{
	return "ttm-bo-shrink-test";
}

static const struct dma_fence_ops shrink_fence_ops = {
	.get_driver_name = shrink_fence_name,
	.get_timeline_name = shrink_fence_name,
};

static DEFINE_SPINLOCK(shrink_fence_lock);

/* Make @bo busy: an unsignaled fence, signaled at exit before bos are put */
static void shrink_bo_busy(struct kunit *test, struct ttm_buffer_object *bo)
{
	struct shrink_dev *sd = test->priv;
	struct dma_fence *fence;
	int err;

	KUNIT_ASSERT_LT(test, sd->nr_fences, SHRINK_MAX_BOS);
	fence = kzalloc(sizeof(*fence), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, fence);
	dma_fence_init(fence, &shrink_fence_ops, &shrink_fence_lock, 0, 0);
	sd->fences[sd->nr_fences++] = fence;

	dma_resv_lock(bo->base.resv, NULL);
	err = dma_resv_reserve_fences(bo->base.resv, 1);
	KUNIT_ASSERT_EQ(test, err, 0);
	dma_resv_add_fence(bo->base.resv, fence, DMA_RESV_USAGE_BOOKKEEP);
	dma_resv_unlock(bo->base.resv);
}

static bool shrink_suitable(struct ttm_buffer_object *bo, bool no_wait_gpu)
{
	struct ttm_operation_ctx ctx = { .no_wait_gpu = no_wait_gpu };
	bool ret;

	dma_resv_lock(bo->base.resv, NULL);
	ret = ttm_bo_shrink_suitable(bo, &ctx);
	dma_resv_unlock(bo->base.resv);
	return ret;
}

static void ttm_bo_shrink_suitable_basic(struct kunit *test)
{
	struct ttm_buffer_object *idle, *unpopulated, *pinned, *busy;

	idle = shrink_bo_create(test, TTM_PL_SYSTEM, false, 2, true);
	unpopulated = shrink_bo_create(test, TTM_PL_SYSTEM, false, 2, false);
	pinned = shrink_bo_create(test, TTM_PL_SYSTEM, false, 2, true);
	busy = shrink_bo_create(test, TTM_PL_SYSTEM, false, 2, true);

	dma_resv_lock(pinned->base.resv, NULL);
	ttm_bo_pin(pinned);
	dma_resv_unlock(pinned->base.resv);
	shrink_bo_busy(test, busy);

	KUNIT_EXPECT_TRUE(test, shrink_suitable(idle, true));
	KUNIT_EXPECT_FALSE(test, shrink_suitable(unpopulated, false));
	KUNIT_EXPECT_FALSE(test, shrink_suitable(pinned, false));
	/* Busy: only when the shrinker may wait for it */
	KUNIT_EXPECT_FALSE(test, shrink_suitable(busy, true));
	KUNIT_EXPECT_TRUE(test, shrink_suitable(busy, false));

	dma_resv_lock(pinned->base.resv, NULL);
	ttm_bo_unpin(pinned);
	dma_resv_unlock(pinned->base.resv);
}

static long shrink_one(struct ttm_buffer_object *bo, struct ttm_operation_ctx *ctx,
		       const struct ttm_bo_shrink_flags flags)
{
	long ret;

	dma_resv_lock(bo->base.resv, NULL);
	ret = ttm_bo_shrink(ctx, bo, flags);
	dma_resv_unlock(bo->base.resv);
	return ret;
}

/* Back up bos of 1, 3 and 20 pages; each restores byte for byte */
static void ttm_bo_shrink_backup_restore(struct kunit *test)
{
	static const unsigned int pages[] = { 1, 3, 20 };
	struct shrink_dev *sd = test->priv;
	struct ttm_operation_ctx ctx = { };
	unsigned long total = 0;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(pages); i++) {
		shrink_bo_create(test, TTM_PL_SYSTEM, false, pages[i], true);
		total += pages[i];
	}

	for (i = 0; i < ARRAY_SIZE(pages); i++) {
		struct ttm_buffer_object *bo = sd->bos[i];

		KUNIT_EXPECT_EQ(test, shrink_one(bo, &ctx, (struct ttm_bo_shrink_flags) {}),
				pages[i]);
		KUNIT_EXPECT_TRUE(test, ttm_tt_is_backed_up(bo->ttm));
		KUNIT_EXPECT_FALSE(test, ttm_tt_is_populated(bo->ttm));
		/* Passed over from now on, and refused if asked again */
		KUNIT_EXPECT_FALSE(test, shrink_suitable(bo, false));
		KUNIT_EXPECT_EQ(test, shrink_one(bo, &ctx, (struct ttm_bo_shrink_flags) {}),
				-EBUSY);
	}
	KUNIT_EXPECT_EQ(test, sd->backup_calls, total);
	KUNIT_EXPECT_EQ(test, sd->writeback_calls, 0);

	for (i = 0; i < ARRAY_SIZE(pages); i++)
		KUNIT_EXPECT_TRUE_MSG(test, shrink_bo_restore(test, sd->bos[i]),
				      "bo of %u pages", pages[i]);
}

/* A bo placed in TT moves to system first with allow_move, not without */
static void ttm_bo_shrink_allow_move(struct kunit *test)
{
	struct ttm_operation_ctx ctx = { };
	struct ttm_buffer_object *bo;

	bo = shrink_bo_create(test, TTM_PL_TT, false, 3, true);
	KUNIT_EXPECT_EQ(test, bo->resource->mem_type, TTM_PL_TT);

	KUNIT_EXPECT_EQ(test, shrink_one(bo, &ctx,
					 (struct ttm_bo_shrink_flags) { .allow_move = true }),
			3);
	KUNIT_EXPECT_EQ(test, bo->resource->mem_type, TTM_PL_SYSTEM);
	KUNIT_EXPECT_TRUE(test, ttm_tt_is_backed_up(bo->ttm));
	KUNIT_EXPECT_TRUE(test, shrink_bo_restore(test, bo));
}

/*
 * Refused before anything changes: a pinned object; an object in TT without
 * allow_move (its pages may still be bound for the GPU); one in TT with
 * allow_move but no swap for it (not moved for nothing)
 */
static void ttm_bo_shrink_refused_early(struct kunit *test)
{
	struct shrink_dev *sd = test->priv;
	struct ttm_operation_ctx ctx = { };
	struct ttm_buffer_object *pinned, *tt_bo;

	pinned = shrink_bo_create(test, TTM_PL_SYSTEM, false, 2, true);
	tt_bo = shrink_bo_create(test, TTM_PL_TT, false, 3, true);

	dma_resv_lock(pinned->base.resv, NULL);
	ttm_bo_pin(pinned);
	KUNIT_EXPECT_EQ(test, ttm_bo_shrink(&ctx, pinned, (struct ttm_bo_shrink_flags) {}),
			-EBUSY);
	ttm_bo_unpin(pinned);
	dma_resv_unlock(pinned->base.resv);

	KUNIT_EXPECT_EQ(test, shrink_one(tt_bo, &ctx, (struct ttm_bo_shrink_flags) {}), -EBUSY);
	KUNIT_EXPECT_EQ(test, tt_bo->resource->mem_type, TTM_PL_TT);

	sd->swap_bytes = 0;
	KUNIT_EXPECT_EQ(test, shrink_one(tt_bo, &ctx,
					 (struct ttm_bo_shrink_flags) { .allow_move = true }),
			-EBUSY);
	KUNIT_EXPECT_EQ(test, tt_bo->resource->mem_type, TTM_PL_TT);

	KUNIT_EXPECT_EQ(test, sd->backup_calls, 0);
	KUNIT_EXPECT_TRUE(test, ttm_tt_is_populated(pinned->ttm));
	KUNIT_EXPECT_TRUE(test, ttm_tt_is_populated(tt_bo->ttm));

	/*
	 * The swap space gone between the check before the move and the one
	 * after it: refused, moved, populated, intact
	 */
	sd->swap_plenty_calls = 1;
	KUNIT_EXPECT_EQ(test, shrink_one(tt_bo, &ctx,
					 (struct ttm_bo_shrink_flags) { .allow_move = true }),
			-EBUSY);
	KUNIT_EXPECT_EQ(test, tt_bo->resource->mem_type, TTM_PL_SYSTEM);
	KUNIT_EXPECT_TRUE(test, ttm_tt_is_populated(tt_bo->ttm));
	KUNIT_EXPECT_EQ(test, sd->backup_calls, 0);
	dma_resv_lock(tt_bo->base.resv, NULL);
	KUNIT_EXPECT_TRUE(test, shrink_bo_data(tt_bo, false));
	dma_resv_unlock(tt_bo->base.resv);
}

/* A tt without a backup file is not suitable, and neither purged nor backed up */
static void ttm_bo_shrink_no_backup_file(struct kunit *test)
{
	struct ttm_operation_ctx ctx = { };
	struct ttm_buffer_object *bo;

	bo = shrink_bo_create(test, TTM_PL_SYSTEM, true, 2, true);
	ttm_backup_fini(bo->ttm->backup);
	bo->ttm->backup = NULL;

	KUNIT_EXPECT_FALSE(test, shrink_suitable(bo, false));
	KUNIT_EXPECT_EQ(test, shrink_one(bo, &ctx, (struct ttm_bo_shrink_flags) { .purge = true }),
			-EBUSY);
	KUNIT_EXPECT_TRUE(test, ttm_tt_is_populated(bo->ttm));
}

/*
 * Without swap space, or busy without waiting, a shrink is refused at once:
 * no page copied, nothing in the backup file, the tt as it was
 */
static void ttm_bo_shrink_refused(struct kunit *test)
{
	struct shrink_dev *sd = test->priv;
	struct ttm_operation_ctx ctx = { };
	struct ttm_operation_ctx nowait = { .no_wait_gpu = true };
	struct ttm_buffer_object *bo, *busy;
	struct page *first;

	bo = shrink_bo_create(test, TTM_PL_SYSTEM, false, 4, true);
	busy = shrink_bo_create(test, TTM_PL_SYSTEM, false, 4, true);
	shrink_bo_busy(test, busy);
	first = bo->ttm->pages[0];

	sd->swap_bytes = 3 * PAGE_SIZE;
	KUNIT_EXPECT_EQ(test, shrink_one(bo, &ctx, (struct ttm_bo_shrink_flags) {}), -EBUSY);
	sd->swap_bytes = U64_MAX;
	KUNIT_EXPECT_EQ(test, shrink_one(busy, &nowait, (struct ttm_bo_shrink_flags) {}),
			-EBUSY);

	KUNIT_EXPECT_EQ(test, sd->backup_calls, 0);
	KUNIT_EXPECT_TRUE(test, ttm_tt_is_populated(bo->ttm));
	KUNIT_EXPECT_FALSE(test, ttm_tt_is_backed_up(bo->ttm));
	KUNIT_EXPECT_PTR_EQ(test, bo->ttm->pages[0], first);
	KUNIT_EXPECT_EQ(test, bo->ttm->backup->f_mapping->nrpages, 0);
	KUNIT_EXPECT_TRUE(test, ttm_tt_is_populated(busy->ttm));
	KUNIT_EXPECT_EQ(test, busy->ttm->backup->f_mapping->nrpages, 0);

	dma_resv_lock(bo->base.resv, NULL);
	KUNIT_EXPECT_TRUE(test, shrink_bo_data(bo, false));
	dma_resv_unlock(bo->base.resv);
}

/* A purge copies nothing, works without swap, and the bo repopulates */
static void ttm_bo_shrink_purge(struct kunit *test)
{
	struct shrink_dev *sd = test->priv;
	struct ttm_operation_ctx ctx = { };
	struct ttm_buffer_object *bo;

	bo = shrink_bo_create(test, TTM_PL_SYSTEM, true, 5, true);
	sd->swap_bytes = 0;
	KUNIT_EXPECT_EQ(test, shrink_one(bo, &ctx,
					 (struct ttm_bo_shrink_flags) { .purge = true }),
			5);
	KUNIT_EXPECT_EQ(test, sd->backup_calls, 0);
	KUNIT_EXPECT_FALSE(test, ttm_tt_is_populated(bo->ttm));
	KUNIT_EXPECT_EQ(test, bo->ttm->backup->f_mapping->nrpages, 0);

	dma_resv_lock(bo->base.resv, NULL);
	KUNIT_EXPECT_EQ(test, ttm_tt_populate(bo->bdev, bo->ttm, &ctx), 0);
	KUNIT_EXPECT_TRUE(test, ttm_tt_is_populated(bo->ttm));
	dma_resv_unlock(bo->base.resv);
}

/* Count: backups only with __GFP_FS and as far as swap goes, purges always */
static void ttm_bo_shrinker_count(struct kunit *test)
{
	struct shrink_dev *sd = test->priv;
	struct ttm_buffer_object *pinned;

	shrink_bo_create(test, TTM_PL_SYSTEM, false, 4, true);
	shrink_bo_create(test, TTM_PL_TT, false, 3, true);
	shrink_bo_create(test, TTM_PL_SYSTEM, true, 2, true);
	pinned = shrink_bo_create(test, TTM_PL_SYSTEM, false, 1, true);

	/* A driver's pin takes the pages out of the count */
	dma_resv_lock(pinned->base.resv, NULL);
	ttm_bo_pin(pinned);
	atomic_long_sub(pinned->ttm->num_pages, &sd->shrinkable);
	dma_resv_unlock(pinned->base.resv);

	KUNIT_EXPECT_EQ(test, shrink_dev_count(sd, GFP_KERNEL), 4 + 3 + 2);
	KUNIT_EXPECT_EQ(test, shrink_dev_count(sd, GFP_NOFS), 2);
	sd->swap_bytes = 5 * PAGE_SIZE;
	KUNIT_EXPECT_EQ(test, shrink_dev_count(sd, GFP_KERNEL), 5 + 2);
	sd->swap_bytes = 0;
	KUNIT_EXPECT_EQ(test, shrink_dev_count(sd, GFP_KERNEL), 2);

	dma_resv_lock(pinned->base.resv, NULL);
	ttm_bo_unpin(pinned);
	atomic_long_add(pinned->ttm->num_pages, &sd->shrinkable);
	dma_resv_unlock(pinned->base.resv);
}

static unsigned long shrink_scan(struct shrink_dev *sd, gfp_t gfp,
				 unsigned long nr_to_scan, unsigned long *scanned)
{
	struct shrink_control sc = {
		.gfp_mask = gfp,
		.nr_to_scan = nr_to_scan,
	};
	unsigned long freed = shrink_dev_scan(sd, &sc);

	*scanned = sc.nr_scanned;
	return freed;
}

/* Without __GFP_FS the scan purges and backs nothing up */
static void ttm_bo_shrinker_scan_nofs(struct kunit *test)
{
	struct shrink_dev *sd = test->priv;
	struct ttm_buffer_object *keep, *purge;
	unsigned long scanned;

	keep = shrink_bo_create(test, TTM_PL_SYSTEM, false, 4, true);
	purge = shrink_bo_create(test, TTM_PL_SYSTEM, true, 2, true);

	KUNIT_EXPECT_EQ(test, shrink_scan(sd, GFP_NOFS, 128, &scanned), 2);
	KUNIT_EXPECT_EQ(test, scanned, 2);
	KUNIT_EXPECT_FALSE(test, ttm_tt_is_populated(purge->ttm));
	KUNIT_EXPECT_TRUE(test, ttm_tt_is_populated(keep->ttm));
	KUNIT_EXPECT_EQ(test, sd->backup_calls, 0);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&sd->purgeable), 0);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&sd->shrinkable), 4);

	/* Nothing left to purge: a NOFS scan stops */
	KUNIT_EXPECT_EQ(test, shrink_scan(sd, GFP_NOFS, 128, &scanned), SHRINK_STOP);
	KUNIT_EXPECT_TRUE(test, ttm_tt_is_populated(keep->ttm));
}

/* Without swap, a scan that purges moves nothing out of TT */
static void ttm_bo_shrinker_scan_noswap(struct kunit *test)
{
	struct shrink_dev *sd = test->priv;
	struct ttm_buffer_object *tt_bo, *purge;
	unsigned long scanned;

	purge = shrink_bo_create(test, TTM_PL_SYSTEM, true, 2, true);
	tt_bo = shrink_bo_create(test, TTM_PL_TT, false, 4, true);
	sd->swap_bytes = 0;

	KUNIT_EXPECT_EQ(test, shrink_dev_count(sd, GFP_KERNEL), 2);
	KUNIT_EXPECT_EQ(test, shrink_scan(sd, GFP_KERNEL, 128, &scanned), 2);
	KUNIT_EXPECT_FALSE(test, ttm_tt_is_populated(purge->ttm));
	KUNIT_EXPECT_EQ(test, tt_bo->resource->mem_type, TTM_PL_TT);
	KUNIT_EXPECT_TRUE(test, ttm_tt_is_populated(tt_bo->ttm));
	KUNIT_EXPECT_EQ(test, sd->backup_calls, 0);
}

/*
 * Objects being destroyed (their last reference gone, the destruction
 * waiting for their reservation, here held by the case, which the walk
 * uses through ctx->resv): purged in system memory, left alone in TT, and
 * the walk leaves the caller's lock held
 */
static void ttm_bo_shrinker_zombies(struct kunit *test)
{
	static const u32 mem_types[] = { TTM_PL_TT, TTM_PL_SYSTEM };
	struct shrink_dev *sd = test->priv;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(mem_types); i++) {
		struct ttm_buffer_object *bo;
		struct ttm_operation_ctx ctx = { .allow_res_evict = true };
		struct ttm_bo_shrink_flags flags = { .allow_move = true };
		unsigned long scanned = 0;
		long freed;

		bo = shrink_bo_create(test, mem_types[i], false, 3, true);
		ctx.resv = bo->base.resv;
		dma_resv_lock(bo->base.resv, NULL);
		/* The last reference: the object becomes a zombie, ours now */
		sd->nr_bos--;
		ttm_bo_put(bo);
		KUNIT_ASSERT_TRUE(test, bo->deleted);

		/* Never moved, whatever allow_move says */
		if (mem_types[i] == TTM_PL_TT)
			KUNIT_EXPECT_EQ(test, ttm_bo_shrink(&ctx, bo, flags), -EBUSY);
		freed = shrink_dev_walk(sd, &ctx, flags, 128, &scanned);
		KUNIT_EXPECT_TRUE(test, dma_resv_is_locked(bo->base.resv));
		KUNIT_EXPECT_EQ(test, sd->backup_calls, 0);
		if (mem_types[i] == TTM_PL_TT) {
			KUNIT_EXPECT_EQ(test, freed, 0);
			KUNIT_EXPECT_EQ(test, bo->resource->mem_type, TTM_PL_TT);
			KUNIT_EXPECT_TRUE(test, ttm_tt_is_populated(bo->ttm));
		} else {
			KUNIT_EXPECT_EQ(test, freed, 3);
			KUNIT_EXPECT_FALSE(test, ttm_tt_is_populated(bo->ttm));
		}
		dma_resv_unlock(bo->base.resv);
		flush_workqueue(sd->bdev.wq);
	}
	KUNIT_EXPECT_EQ(test, atomic_long_read(&sd->shrinkable), 0);
}

/*
 * Gutting a backed-up object discards its copies too: populated again, it
 * holds zeroes, not the old contents
 */
static void ttm_bo_shrink_gutting(struct kunit *test)
{
	struct ttm_operation_ctx ctx = { };
	struct ttm_buffer_object *bo;
	u8 *p;

	bo = shrink_bo_create(test, TTM_PL_SYSTEM, false, 2, true);
	KUNIT_EXPECT_EQ(test, shrink_one(bo, &ctx, (struct ttm_bo_shrink_flags) {}), 2);

	dma_resv_lock(bo->base.resv, NULL);
	KUNIT_EXPECT_EQ(test, ttm_bo_pipeline_gutting(bo), 0);
	KUNIT_EXPECT_FALSE(test, ttm_tt_is_backed_up(bo->ttm));
	KUNIT_EXPECT_EQ(test, bo->ttm->backup->f_mapping->nrpages, 0);
	KUNIT_EXPECT_EQ(test, ttm_tt_populate(bo->bdev, bo->ttm, &ctx), 0);
	p = kmap_local_page(bo->ttm->pages[0]);
	KUNIT_EXPECT_TRUE(test, !memchr_inv(p, 0, PAGE_SIZE));
	kunmap_local(p);
	dma_resv_unlock(bo->base.resv);
}

/* The scan purges first, then backs up, and stops once nr_to_scan is met */
static void ttm_bo_shrinker_scan_order(struct kunit *test)
{
	struct shrink_dev *sd = test->priv;
	struct ttm_buffer_object *a, *b, *p;
	unsigned long scanned;

	a = shrink_bo_create(test, TTM_PL_SYSTEM, false, 4, true);
	b = shrink_bo_create(test, TTM_PL_TT, false, 4, true);
	p = shrink_bo_create(test, TTM_PL_SYSTEM, true, 2, true);

	/* 2 purged, then one bo of 4 backed up: 6 >= 5 */
	KUNIT_EXPECT_EQ(test, shrink_scan(sd, GFP_KERNEL, 5, &scanned), 6);
	KUNIT_EXPECT_EQ(test, scanned, 6);
	KUNIT_EXPECT_FALSE(test, ttm_tt_is_populated(p->ttm));
	KUNIT_EXPECT_TRUE(test, ttm_tt_is_backed_up(a->ttm));
	KUNIT_EXPECT_TRUE(test, ttm_tt_is_populated(b->ttm));
	KUNIT_EXPECT_EQ(test, sd->backup_calls, 4);

	/* The next scan takes the TT bo, moved to system */
	KUNIT_EXPECT_EQ(test, shrink_scan(sd, GFP_KERNEL, 128, &scanned), 4);
	KUNIT_EXPECT_EQ(test, b->resource->mem_type, TTM_PL_SYSTEM);
	KUNIT_EXPECT_EQ(test, shrink_dev_count(sd, GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, shrink_scan(sd, GFP_KERNEL, 128, &scanned), SHRINK_STOP);

	KUNIT_EXPECT_TRUE(test, shrink_bo_restore(test, a));
	KUNIT_EXPECT_TRUE(test, shrink_bo_restore(test, b));
	KUNIT_EXPECT_EQ(test, shrink_dev_count(sd, GFP_KERNEL), 8);
	shrink_expect_released(test);
}

/* Writeback only when the scan may wait and has __GFP_IO */
static void ttm_bo_shrinker_scan_writeback(struct kunit *test)
{
	struct shrink_dev *sd = test->priv;
	unsigned long scanned;

	shrink_bo_create(test, TTM_PL_SYSTEM, false, 2, true);
	shrink_bo_create(test, TTM_PL_SYSTEM, false, 2, true);
	shrink_bo_create(test, TTM_PL_SYSTEM, false, 2, true);

	/* Direct reclaim: no writeback */
	KUNIT_EXPECT_EQ(test, shrink_scan(sd, GFP_KERNEL, 1, &scanned), 2);
	KUNIT_EXPECT_EQ(test, sd->writeback_calls, 0);
	/* As kswapd, without __GFP_IO: none either */
	sd->may_wait = true;
	KUNIT_EXPECT_EQ(test, shrink_scan(sd, GFP_KERNEL & ~__GFP_IO, 1, &scanned), 2);
	KUNIT_EXPECT_EQ(test, sd->writeback_calls, 0);
	/* As kswapd, with __GFP_IO: each page */
	KUNIT_EXPECT_EQ(test, shrink_scan(sd, GFP_KERNEL, 1, &scanned), 2);
	KUNIT_EXPECT_EQ(test, sd->writeback_calls, 2);
	KUNIT_EXPECT_EQ(test, sd->backup_calls, 6);
}

/*
 * Busy objects are passed over when the scan may not wait; pinned ones are
 * on no manager's LRU list at all
 */
static void ttm_bo_shrinker_scan_skips(struct kunit *test)
{
	struct shrink_dev *sd = test->priv;
	struct ttm_buffer_object *pinned, *busy;
	unsigned long scanned;

	pinned = shrink_bo_create(test, TTM_PL_SYSTEM, false, 2, true);
	busy = shrink_bo_create(test, TTM_PL_SYSTEM, false, 2, true);
	dma_resv_lock(pinned->base.resv, NULL);
	ttm_bo_pin(pinned);
	dma_resv_unlock(pinned->base.resv);
	shrink_bo_busy(test, busy);

	KUNIT_EXPECT_EQ(test, shrink_scan(sd, GFP_KERNEL, 128, &scanned), SHRINK_STOP);
	KUNIT_EXPECT_EQ(test, scanned, 0);
	KUNIT_EXPECT_EQ(test, sd->backup_calls, 0);
	KUNIT_EXPECT_TRUE(test, ttm_tt_is_populated(pinned->ttm));
	KUNIT_EXPECT_TRUE(test, ttm_tt_is_populated(busy->ttm));

	dma_resv_lock(pinned->base.resv, NULL);
	ttm_bo_unpin(pinned);
	dma_resv_unlock(pinned->base.resv);
	shrink_expect_released(test);
}

/*
 * Every backup fails at its first page: each bo is tried once and left as
 * it was, and the scan ends (a walk that moved failed objects within the
 * LRU could meet them again forever)
 */
static void ttm_bo_shrinker_scan_backup_fails(struct kunit *test)
{
	struct shrink_dev *sd = test->priv;
	unsigned long scanned;
	unsigned int i;

	for (i = 0; i < 4; i++)
		shrink_bo_create(test, TTM_PL_SYSTEM, false, 3, true);
	sd->backup_fails = true;

	KUNIT_EXPECT_EQ(test, shrink_scan(sd, GFP_KERNEL, 128, &scanned), 0);
	KUNIT_EXPECT_EQ(test, scanned, 12);
	KUNIT_EXPECT_EQ(test, sd->backup_calls, 4);
	for (i = 0; i < 4; i++) {
		KUNIT_EXPECT_TRUE(test, ttm_tt_is_populated(sd->bos[i]->ttm));
		KUNIT_EXPECT_EQ(test, sd->bos[i]->ttm->backup->f_mapping->nrpages, 0);
	}
	KUNIT_EXPECT_EQ(test, atomic_long_read(&sd->shrinkable), 12);

	sd->backup_fails = false;
	for (i = 0; i < 4; i++) {
		dma_resv_lock(sd->bos[i]->base.resv, NULL);
		KUNIT_EXPECT_TRUE(test, shrink_bo_data(sd->bos[i], false));
		dma_resv_unlock(sd->bos[i]->base.resv);
	}
	shrink_expect_released(test);
}

/*
 * Real reclaim: the mock shrinker registered, drop_slab() in the test's
 * thread (so that the stubs apply) backs up and purges what the count
 * reported, and every bo restores intact
 */
static void ttm_bo_shrinker_drop_slab(struct kunit *test)
{
	struct shrink_dev *sd = test->priv;
	unsigned long reported;
	long active, reclaim;
	unsigned int i;

	if (!IS_BUILTIN(CONFIG_DRM_TTM_KUNIT_TEST))
		kunit_skip(test, "drop_slab() is reachable from built-in code only");

	for (i = 0; i < 4; i++)
		shrink_bo_create(test, i & 1 ? TTM_PL_TT : TTM_PL_SYSTEM, false, 4, true);
	shrink_bo_create(test, TTM_PL_SYSTEM, true, 3, true);
	shrink_bo_create(test, TTM_PL_SYSTEM, false, 2, true);
	/* Pinned: in no count, and on no LRU list (not walked at all) */
	dma_resv_lock(sd->bos[5]->base.resv, NULL);
	ttm_bo_pin(sd->bos[5]);
	atomic_long_sub(sd->bos[5]->ttm->num_pages, &sd->shrinkable);
	dma_resv_unlock(sd->bos[5]->base.resv);

	sd->shrinker = shrinker_alloc(0, "ttm-kunit-shrink");
	KUNIT_ASSERT_NOT_NULL(test, sd->shrinker);
	sd->shrinker->count_objects = shrink_count_objects;
	sd->shrinker->scan_objects = shrink_scan_objects;
	sd->shrinker->private_data = sd;
	shrinker_register(sd->shrinker);

	reported = shrink_dev_count(sd, GFP_KERNEL);
	KUNIT_EXPECT_EQ(test, reported, 4 * 4 + 3);
	active = shrink_node_pages(NR_GPU_ACTIVE);
	reclaim = shrink_node_pages(NR_GPU_RECLAIM);

#if IS_BUILTIN(CONFIG_DRM_TTM_KUNIT_TEST)
	WRITE_ONCE(sd->owner, current);
	drop_slab();
	WRITE_ONCE(sd->owner, NULL);
#endif

	KUNIT_EXPECT_GE(test, sd->scans, 1);
	KUNIT_EXPECT_EQ(test, sd->freed, reported);
	KUNIT_EXPECT_EQ(test, sd->backup_calls, 4 * 4);
	KUNIT_EXPECT_EQ(test, shrink_dev_count(sd, GFP_KERNEL), 0);
	for (i = 0; i < 4; i++)
		KUNIT_EXPECT_TRUE_MSG(test, ttm_tt_is_backed_up(sd->bos[i]->ttm), "bo %u", i);
	KUNIT_EXPECT_FALSE(test, ttm_tt_is_populated(sd->bos[4]->ttm));
	KUNIT_EXPECT_TRUE(test, ttm_tt_is_populated(sd->bos[5]->ttm));
	/* Backed up and purged pages went to the system, counted once */
	KUNIT_EXPECT_EQ(test, shrink_node_pages(NR_GPU_ACTIVE), active - reported);
	/* drop_slab() may shrink the shared pools; nothing went into one */
	KUNIT_EXPECT_LE(test, shrink_node_pages(NR_GPU_RECLAIM), reclaim);

	for (i = 0; i < 4; i++)
		KUNIT_EXPECT_TRUE_MSG(test, shrink_bo_restore(test, sd->bos[i]), "bo %u", i);
	/* Restored pages are active again; the purged bo was not populated */
	KUNIT_EXPECT_EQ(test, shrink_node_pages(NR_GPU_ACTIVE), active - 3);
	dma_resv_lock(sd->bos[5]->base.resv, NULL);
	KUNIT_EXPECT_TRUE(test, shrink_bo_data(sd->bos[5], false));
	ttm_bo_unpin(sd->bos[5]);
	dma_resv_unlock(sd->bos[5]->base.resv);
	shrink_expect_released(test);
}

/*
 * Real swap, no stub (the suite ttm_bo_shrink_swap, which a guest runs once
 * at boot without swap and again after swapon through
 * /sys/kernel/debug/kunit/ttm_bo_shrink_swap/run)
 */
#define SWAP_BOS	4
#define SWAP_BO_PAGES	(SZ_4M >> PAGE_SHIFT)

static int ttm_bo_shrink_swap_init(struct kunit *test)
{
	int err = ttm_bo_shrink_test_init(test);

	if (err)
		return err;
	/* The swap checks are the real ones */
	kunit_deactivate_static_stub(test, ttm_backup_bytes_avail);
	kunit_deactivate_static_stub(test, ttm_backup_backup_page);
	return 0;
}

/* Shmem in /proc/meminfo, per-CPU deltas included */
static long swap_shmem_pages(void)
{
	return shrink_node_pages(NR_SHMEM);
}

#if IS_BUILTIN(CONFIG_DRM_TTM_KUNIT_TEST) && IS_ENABLED(CONFIG_SWAP)
static long swap_used_pages(void)
{
	return total_swap_pages - get_nr_swap_pages();
}
#else
static long swap_used_pages(void)
{
	return 0;
}
#endif

/* The bos' backup copies: in memory (*@resident) and in swap (*@swapped) */
static void swap_copies(struct shrink_dev *sd, long *resident, long *swapped)
{
	unsigned int i;

	*resident = 0;
	*swapped = 0;
	for (i = 0; i < sd->nr_bos; i++) {
		struct file *backup = sd->bos[i]->ttm->backup;

		*resident += READ_ONCE(backup->f_mapping->nrpages);
		*swapped += READ_ONCE(SHMEM_I(file_inode(backup))->swapped);
	}
}

/* Without swap: the count offers nothing to back up, a shrink is refused */
static void swap_none(struct kunit *test)
{
	struct shrink_dev *sd = test->priv;
	struct ttm_operation_ctx ctx = { };
	unsigned long scanned;
	long shmem;
	unsigned int i;

	for (i = 0; i < SWAP_BOS; i++)
		shrink_bo_create(test, TTM_PL_SYSTEM, false, SWAP_BO_PAGES, true);
	shmem = swap_shmem_pages();

	KUNIT_EXPECT_EQ(test, shrink_dev_count(sd, GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, shrink_scan(sd, GFP_KERNEL, 128, &scanned), 0);
	KUNIT_EXPECT_EQ(test, shrink_one(sd->bos[0], &ctx, (struct ttm_bo_shrink_flags) {}),
			-EBUSY);
	for (i = 0; i < SWAP_BOS; i++) {
		KUNIT_EXPECT_TRUE(test, ttm_tt_is_populated(sd->bos[i]->ttm));
		KUNIT_EXPECT_EQ(test, sd->bos[i]->ttm->backup->f_mapping->nrpages, 0);
		dma_resv_lock(sd->bos[i]->base.resv, NULL);
		KUNIT_EXPECT_TRUE(test, shrink_bo_data(sd->bos[i], false));
		dma_resv_unlock(sd->bos[i]->base.resv);
	}
	/* Nothing went to shmem (others may move it a little) */
	KUNIT_EXPECT_LT(test, abs(swap_shmem_pages() - shmem), SWAP_BO_PAGES / 4);
}

/*
 * Allocate pages until reclaim has pushed the bos' copies out to swap (at
 * most a tenth of them still resident) or the allocator gives up, as an
 * anonymous hog would push them, but stopping as soon as that is done; at
 * most the RAM. Free them all.
 */
static void swap_hog(struct kunit *test, struct shrink_dev *sd, long max_resident)
{
	LIST_HEAD(pages);
	unsigned long n = 0, max = totalram_pages();
	struct page *p, *next;
	long res, swp;

	swap_copies(sd, &res, &swp);
	while (n < max && res > max_resident) {
		p = alloc_page(GFP_HIGHUSER_MOVABLE | __GFP_RETRY_MAYFAIL | __GFP_NOWARN);
		if (!p)
			break;
		list_add(&p->lru, &pages);
		if (!(++n % 256)) {
			swap_copies(sd, &res, &swp);
			cond_resched();
		}
	}
	kunit_info(test, "hog: %lu pages", n);
	list_for_each_entry_safe(p, next, &pages, lru)
		__free_page(p);
}

/* Restore every bo intact, then put them all */
static void swap_restore_all(struct kunit *test, struct shrink_dev *sd)
{
	unsigned int i;

	for (i = 0; i < sd->nr_bos; i++)
		KUNIT_EXPECT_TRUE_MSG(test, shrink_bo_restore(test, sd->bos[i]), "bo %u", i);
	for (i = 0; i < sd->nr_bos; i++)
		ttm_bo_put(sd->bos[i]);
	sd->nr_bos = 0;
}

/*
 * With swap: back half of the bos up without writeback (their copies sit in
 * shmem) and half with writeback, push memory until the copies give way,
 * then restore everything intact; Shmem and swap come back where they
 * started, but for what the pressure moved of other users' memory
 */
static void swap_real(struct kunit *test)
{
	struct shrink_dev *sd = test->priv;
	long bo_pages = SWAP_BOS * SWAP_BO_PAGES;
	long shmem0, swap0, shmem1, swap1, res, swp, others_shmem, others_swap;
	unsigned long scanned;
	unsigned int i;

	for (i = 0; i < SWAP_BOS; i++)
		shrink_bo_create(test, TTM_PL_SYSTEM, false, SWAP_BO_PAGES, true);
	shmem0 = swap_shmem_pages();
	swap0 = swap_used_pages();

	/* Direct reclaim: no writeback, the copies stay in shmem */
	KUNIT_EXPECT_EQ(test, shrink_scan(sd, GFP_KERNEL, bo_pages / 2, &scanned),
			bo_pages / 2);
	shmem1 = swap_shmem_pages();
	swap_copies(sd, &res, &swp);
	kunit_info(test, "backup: Shmem %+ld, swap %+ld; copies resident %ld, swapped %ld (pages)",
		   shmem1 - shmem0, swap_used_pages() - swap0, res, swp);
	KUNIT_EXPECT_GE(test, shmem1 - shmem0, bo_pages / 2);
	KUNIT_EXPECT_EQ(test, res + swp, bo_pages / 2);

	/* As kswapd: writeback, those copies go to swap at once */
	sd->may_wait = true;
	KUNIT_EXPECT_EQ(test, shrink_scan(sd, GFP_KERNEL, bo_pages, &scanned), bo_pages / 2);
	sd->may_wait = false;
	swap_copies(sd, &res, &swp);
	kunit_info(test, "writeback: Shmem %+ld, swap %+ld; copies resident %ld, swapped %ld",
		   swap_shmem_pages() - shmem0, swap_used_pages() - swap0, res, swp);
	KUNIT_EXPECT_GE(test, swp, bo_pages / 2 * 9 / 10);

	/* Memory pressure pushes the rest of the copies out to swap */
	swap_hog(test, sd, bo_pages / 10);
	swap1 = swap_used_pages();
	swap_copies(sd, &res, &swp);
	kunit_info(test, "hog: Shmem %+ld, swap %+ld; copies resident %ld, swapped %ld",
		   swap_shmem_pages() - shmem0, swap1 - swap0, res, swp);
	KUNIT_EXPECT_LT(test, swap_shmem_pages(), shmem1);
	KUNIT_EXPECT_GE(test, swap1 - swap0, bo_pages * 9 / 10);
	KUNIT_EXPECT_GE(test, swp, bo_pages * 9 / 10);
	/* What the pressure moved of others' memory stays where it went */
	others_swap = swap1 - swap0 - swp;
	others_shmem = swap_shmem_pages() - shmem0 - res;

	swap_restore_all(test, sd);

	kunit_info(test, "freed: Shmem %+ld, swap %+ld; others' Shmem %+ld, swap %+ld",
		   swap_shmem_pages() - shmem0, swap_used_pages() - swap0,
		   others_shmem, others_swap);
	KUNIT_EXPECT_LE(test, abs(swap_shmem_pages() - shmem0 - others_shmem), bo_pages / 20);
	/*
	 * Swap use, 5% of the bos, plus what the per-CPU swap slot caches
	 * hold reserved or freed but not yet returned: up to a batch of each
	 * per CPU, counted as used
	 */
	KUNIT_EXPECT_LE(test, abs(swap_used_pages() - swap0 - others_swap),
			bo_pages / 20 + 2L * SWAP_SLOTS_CACHE_SIZE * num_online_cpus());
}

/*
 * Throughput: 64 MiB of bos shrunk through the mock shrinker with
 * PF_MEMALLOC set, as in direct reclaim (backup into shmem without
 * writeback, the blocks split and each page released as it is copied),
 * beside copy_page() of the same pages into fresh pages in the same case
 * (8 MiB at a time, the copies freed untimed); then every bo restores
 * intact. Printed as "throughput: ..." for the guest's judge.
 */
#define BW_BO_PAGES	(SZ_8M >> PAGE_SHIFT)
#define BW_BOS		8

static u64 swap_copy_ns(struct kunit *test, struct ttm_tt *tt)
{
	struct page **dst;
	u64 t, ns;
	pgoff_t i;

	dst = kvcalloc(tt->num_pages, sizeof(*dst), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, dst);
	t = ktime_get_ns();
	for (i = 0; i < tt->num_pages; i++) {
		dst[i] = alloc_page(GFP_HIGHUSER_MOVABLE | __GFP_RETRY_MAYFAIL |
				    __GFP_NOWARN);
		if (!dst[i])
			break;
		copy_highpage(dst[i], tt->pages[i]);
	}
	ns = ktime_get_ns() - t;
	KUNIT_EXPECT_EQ(test, i, tt->num_pages);
	while (i--)
		__free_page(dst[i]);
	kvfree(dst);
	return ns;
}

static void swap_throughput(struct kunit *test)
{
	struct shrink_dev *sd = test->priv;
	u64 copy_ns = 0, shrink_ns, t;
	unsigned long freed, scanned;
	u64 mib = (u64)BW_BOS * BW_BO_PAGES >> (20 - PAGE_SHIFT);
	unsigned int noreclaim, i;

	/* Each backup needs swap room for its bo (ttm_backup_bytes_avail()) */
	KUNIT_ASSERT_GE_MSG(test, get_nr_swap_pages(), (long)BW_BO_PAGES,
			    "not enough free swap left for the throughput part");
	for (i = 0; i < BW_BOS; i++)
		shrink_bo_create(test, TTM_PL_SYSTEM, false, BW_BO_PAGES, true);
	for (i = 0; i < BW_BOS; i++)
		copy_ns += swap_copy_ns(test, sd->bos[i]->ttm);

	noreclaim = memalloc_noreclaim_save();
	t = ktime_get_ns();
	freed = shrink_scan(sd, GFP_KERNEL, BW_BOS * BW_BO_PAGES, &scanned);
	shrink_ns = ktime_get_ns() - t;
	memalloc_noreclaim_restore(noreclaim);
	KUNIT_EXPECT_EQ(test, freed, BW_BOS * BW_BO_PAGES);
	kunit_info(test, "throughput: %llu MiB shrunk in %llu ns, %llu MiB/s; copy_page() %llu ns, %llu MiB/s; freed %lu pages",
		   mib, shrink_ns, div64_u64(mib * NSEC_PER_SEC, max(shrink_ns, 1ULL)),
		   copy_ns, div64_u64(mib * NSEC_PER_SEC, max(copy_ns, 1ULL)), freed);

	swap_restore_all(test, sd);
}

/*
 * One case for both, never skipped: a run through debugfs skips again any
 * case that skipped in the boot's run, and the boot has no swap yet
 */
static void ttm_bo_shrink_swap_backup(struct kunit *test)
{
	long free_swap = get_nr_swap_pages();

	if (!free_swap) {
		kunit_info(test, "no swap: refusals");
		swap_none(test);
		return;
	}
	if (!IS_BUILTIN(CONFIG_DRM_TTM_KUNIT_TEST))
		kunit_skip(test, "the swap counters are read from built-in code only");
	KUNIT_ASSERT_GE_MSG(test, free_swap, 2L * SWAP_BOS * SWAP_BO_PAGES,
			    "not enough free swap");
	kunit_info(test, "swap: %ld pages free", free_swap);
	swap_real(test);
	swap_throughput(test);
}

static struct kunit_case ttm_bo_shrink_swap_cases[] = {
	KUNIT_CASE(ttm_bo_shrink_swap_backup),
	{}
};

static struct kunit_suite ttm_bo_shrink_swap_suite = {
	.name = "ttm_bo_shrink_swap",
	.init = ttm_bo_shrink_swap_init,
	.exit = ttm_bo_shrink_test_fini,
	.test_cases = ttm_bo_shrink_swap_cases,
};

static struct kunit_case ttm_bo_shrink_test_cases[] = {
	KUNIT_CASE(ttm_bo_lru_cursor_walk_all),
	KUNIT_CASE(ttm_bo_lru_cursor_priorities),
	KUNIT_CASE(ttm_bo_lru_cursor_leave_early),
	KUNIT_CASE(ttm_bo_lru_cursor_skips_locked),
	KUNIT_CASE(ttm_bo_lru_cursor_ticket_already),
	KUNIT_CASE(ttm_bo_lru_cursor_ticketlock),
	KUNIT_CASE(ttm_bo_shrink_suitable_basic),
	KUNIT_CASE(ttm_bo_shrink_backup_restore),
	KUNIT_CASE(ttm_bo_shrink_allow_move),
	KUNIT_CASE(ttm_bo_shrink_refused_early),
	KUNIT_CASE(ttm_bo_shrink_no_backup_file),
	KUNIT_CASE(ttm_bo_shrink_refused),
	KUNIT_CASE(ttm_bo_shrink_gutting),
	KUNIT_CASE(ttm_bo_shrink_purge),
	KUNIT_CASE(ttm_bo_shrinker_count),
	KUNIT_CASE(ttm_bo_shrinker_scan_nofs),
	KUNIT_CASE(ttm_bo_shrinker_scan_noswap),
	KUNIT_CASE(ttm_bo_shrinker_zombies),
	KUNIT_CASE(ttm_bo_shrinker_scan_order),
	KUNIT_CASE(ttm_bo_shrinker_scan_writeback),
	KUNIT_CASE(ttm_bo_shrinker_scan_skips),
	KUNIT_CASE(ttm_bo_shrinker_scan_backup_fails),
	KUNIT_CASE(ttm_bo_shrinker_drop_slab),
	{}
};

static struct kunit_suite ttm_bo_shrink_test_suite = {
	.name = "ttm_bo_shrink",
	.init = ttm_bo_shrink_test_init,
	.exit = ttm_bo_shrink_test_fini,
	.test_cases = ttm_bo_shrink_test_cases,
};

kunit_test_suites(&ttm_bo_shrink_test_suite, &ttm_bo_shrink_swap_suite);

MODULE_DESCRIPTION("KUnit tests for the TTM LRU cursor and shrink helpers");
MODULE_LICENSE("GPL and additional rights");
