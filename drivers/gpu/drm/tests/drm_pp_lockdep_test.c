// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * KUnit test that lockdep sees the wait of drm_page_pool_fini() for the
 * release hooks it waits for. It provokes a lockdep report on purpose,
 * after which lockdep checks nothing more in that boot: run it in a boot of
 * its own. It lives in a module of its own, apart from the pool's other
 * suites and outside KUNIT_ALL_TESTS (CONFIG_DRM_PAGE_POOL_LOCKDEP_KUNIT_TEST),
 * for that reason.
 */

#include <linux/debug_locks.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/sched/mm.h>
#include <linux/shrinker.h>

#include <kunit/test.h>

#include <drm/drm_page_pool.h>

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

/* A lock the driver of the test holds across drm_page_pool_fini() */
static DEFINE_MUTEX(pp_lockdep_driver_lock);

/* The release hook takes the driver's lock: a deadlock against that fini */
static void pp_lockdep_release(struct drm_page_pool *pool, struct page *page)
{
	mutex_lock(&pp_lockdep_driver_lock);
	mutex_unlock(&pp_lockdep_driver_lock);
	__free_pages(page, pool->order);
}

static const struct drm_page_pool_ops pp_lockdep_ops = {
	.name = "kunit-lockdep",
	.release = pp_lockdep_release,
};

/* Run the shrinker on @nid as reclaim would, until nothing is left */
static void pp_lockdep_drain(int nid)
{
	struct shrink_control sc = { .gfp_mask = GFP_KERNEL, .nid = nid };

	fs_reclaim_acquire(GFP_KERNEL);
	do {
		sc.nr_to_scan = 1024;
	} while (drm_page_pool_shrinker_scan(NULL, &sc) != SHRINK_STOP);
	fs_reclaim_release(GFP_KERNEL);
}

/*
 * A hook ran under the driver's lock's dependency (pin -> lock), then the
 * driver calls fini under that lock (lock -> pin): lockdep reports the
 * cycle without the deadlock having to happen. The pool is empty when fini
 * runs, so no hook runs inside it and the test itself does not hang.
 */
static void pp_lockdep_hook_vs_fini(struct kunit *test)
{
	struct drm_page_pool *pool;
	struct page *page;
	bool lockdep_on;
	int ret;

	if (!READ_ONCE(debug_locks))
		kunit_skip(test, "lockdep is off after an earlier report");

	pool = kunit_kzalloc(test, sizeof(*pool), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pool);
	ret = drm_page_pool_init(pool, 0, &pp_lockdep_ops);
	KUNIT_ASSERT_EQ(test, ret, 0);
	page = alloc_page(GFP_KERNEL);
	if (!page) {
		drm_page_pool_fini(pool);
		KUNIT_FAIL(test, "no page");
		return;
	}

	/* Other users' blocks first, so that the scan reaches this pool */
	pp_lockdep_drain(page_to_nid(page));
	drm_page_pool_give(pool, page);
	pp_lockdep_drain(page_to_nid(page));
	KUNIT_EXPECT_EQ(test, READ_ONCE(pool->count), 0);

	mutex_lock(&pp_lockdep_driver_lock);
	drm_page_pool_fini(pool);
	mutex_unlock(&pp_lockdep_driver_lock);

	/* Lockdep turns itself off on its first report: this one's */
	lockdep_on = READ_ONCE(debug_locks);
	KUNIT_EXPECT_FALSE_MSG(test, lockdep_on,
			       "lockdep did not see the hook's lock against fini");
}

/* Kconfig requires lockdep; the guard tells tools that read the source */
#if IS_ENABLED(CONFIG_PROVE_LOCKING)
static struct kunit_case pp_lockdep_cases[] = {
	KUNIT_CASE(pp_lockdep_hook_vs_fini),
	{}
};

static struct kunit_suite pp_lockdep_suite = {
	.name = "drm_pp_lockdep",
	.test_cases = pp_lockdep_cases,
};

kunit_test_suite(pp_lockdep_suite);
#endif

MODULE_DESCRIPTION("KUnit test of the page pool's teardown under lockdep");
MODULE_LICENSE("Dual MIT/GPL");
