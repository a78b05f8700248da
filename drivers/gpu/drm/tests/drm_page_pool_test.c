// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * KUnit tests for the shared page pool, drivers/gpu/drm/page_pool.c.
 *
 * How the tests know they are right: every pool here is the test's own and
 * its release hook counts the blocks that leave it (and any that leave after
 * drm_page_pool_fini()), so a block released twice, never, or late shows as
 * a count that differs. Other users of the core (TTM, the system heap) may
 * hold pages: the suite drains them before each case and the cases compare
 * deltas of the global counters.
 * The shrinker's callbacks are called directly inside
 * fs_reclaim_acquire()/fs_reclaim_release(), as reclaim would call them.
 *
 * The cases of the drm_page_pool_numa suite need a guest with two memory
 * nodes (e.g. numa=fake=2) and skip, saying so, on anything else: UML, one
 * node, or a node without memory. The drm_page_pool_perf suite, built with
 * CONFIG_DRM_PAGE_POOL_PERF_KUNIT_TEST only, prints figures, not verdicts.
 */

#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/highmem.h>
#include <linux/kthread.h>
#include <linux/math64.h>
#include <linux/mempolicy.h>
#include <linux/mm.h>
#include <linux/nodemask.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/sched/task.h>
#include <linux/seq_file.h>
#include <linux/shrinker.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <linux/swap.h>
#include <linux/timekeeping.h>

#include <kunit/static_stub.h>
#include <kunit/test.h>

#include <drm/drm_page_pool.h>

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

/* A pool of the test with the state its release hook records */
struct pp_test_pool {
	struct drm_page_pool pool;
	/* blocks that went through the release hook */
	atomic_t released;
	/* blocks released after drm_page_pool_fini() returned: must stay 0 */
	atomic_t late;
	/* blocks a thread of the test gave, where it counts them */
	unsigned int given;
	/* set once drm_page_pool_fini() returned */
	bool dead;
	/* calls of the hook that reached its @in_hook wait */
	atomic_t entered;
	/* if set, the hook signals @in_hook and waits for @let_go */
	struct completion *in_hook;
	struct completion *let_go;
	/* hook calls made by @watch, and by workqueue workers */
	struct task_struct *watch;
	atomic_t by_watch;
	atomic_t by_worker;
	/*
	 * If set, the first hook call asks for a reschedule and the second
	 * counts in @resched_pending whether the request is still pending.
	 */
	bool probe_resched;
	atomic_t resched_pending;
};

static void pp_test_release(struct drm_page_pool *pool, struct page *page)
{
	struct pp_test_pool *tp = container_of(pool, struct pp_test_pool, pool);

	if (READ_ONCE(tp->dead))
		atomic_inc(&tp->late);
	if (current == READ_ONCE(tp->watch))
		atomic_inc(&tp->by_watch);
	if (current->flags & PF_WQ_WORKER)
		atomic_inc(&tp->by_worker);
	if (tp->probe_resched) {
		if (!atomic_read(&tp->released)) {
			set_tsk_need_resched(current);
			set_preempt_need_resched();
		} else if (atomic_read(&tp->released) == 1 && need_resched()) {
			atomic_inc(&tp->resched_pending);
		}
	}
	if (tp->in_hook) {
		atomic_inc(&tp->entered);
		complete(tp->in_hook);
		wait_for_completion(tp->let_go);
	}
	atomic_inc(&tp->released);
	__free_pages(page, pool->order);
}

static const struct drm_page_pool_ops pp_test_ops = {
	.name = "kunit",
	.release = pp_test_release,
};

KUNIT_DEFINE_ACTION_WRAPPER(pp_test_pool_fini_action, drm_page_pool_fini,
			    struct drm_page_pool *);
KUNIT_DEFINE_ACTION_WRAPPER(pp_test_kvfree_action, kvfree, const void *);

/* A pool of @order with @ops, torn down at the end of the test */
static struct pp_test_pool *
pp_test_pool_create_ops(struct kunit *test, unsigned int order,
			const struct drm_page_pool_ops *ops)
{
	struct pp_test_pool *tp;
	int ret;

	tp = kunit_kzalloc(test, sizeof(*tp), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, tp);

	ret = drm_page_pool_init(&tp->pool, order, ops);
	KUNIT_ASSERT_EQ_MSG(test, ret, 0, "drm_page_pool_init(order %u)",
			    order);
	ret = kunit_add_action_or_reset(test, pp_test_pool_fini_action,
					&tp->pool);
	KUNIT_ASSERT_EQ(test, ret, 0);

	return tp;
}

/* A pool of @order whose hook counts what it releases */
static struct pp_test_pool *pp_test_pool_create(struct kunit *test,
						unsigned int order)
{
	return pp_test_pool_create_ops(test, order, &pp_test_ops);
}

/* Tear @tp down now, and record that its hook must not run any more */
static void pp_test_pool_fini(struct pp_test_pool *tp)
{
	drm_page_pool_fini(&tp->pool);
	WRITE_ONCE(tp->dead, true);
}

/* Blocks owned by the test; entries given to a pool are set to NULL */
struct pp_test_blocks {
	unsigned int order;
	unsigned int n;
	struct page **page;
};

static void pp_test_blocks_free(void *data)
{
	struct pp_test_blocks *b = data;
	unsigned int i;

	for (i = 0; i < b->n; i++)
		if (b->page[i])
			__free_pages(b->page[i], b->order);
	kvfree(b->page);
}

static gfp_t pp_test_gfp(unsigned int order, bool compound)
{
	gfp_t gfp = GFP_HIGHUSER | __GFP_NOWARN;

	if (order && compound)
		gfp |= __GFP_COMP;
	return gfp;
}

/* Room for @n blocks of @order, all freed at the end of the test */
static struct pp_test_blocks *pp_test_blocks_array(struct kunit *test,
						   unsigned int n,
						   unsigned int order)
{
	struct pp_test_blocks *b;
	int ret;

	b = kunit_kzalloc(test, sizeof(*b), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, b);
	b->page = kvcalloc(n, sizeof(*b->page), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, b->page);
	b->order = order;
	b->n = n;
	ret = kunit_add_action_or_reset(test, pp_test_blocks_free, b);
	KUNIT_ASSERT_EQ(test, ret, 0);

	return b;
}

/* Allocate @n blocks of @order on node @nid (NUMA_NO_NODE: anywhere) */
static struct pp_test_blocks *pp_test_blocks_alloc(struct kunit *test,
						   unsigned int n,
						   unsigned int order,
						   bool compound, int nid)
{
	struct pp_test_blocks *b = pp_test_blocks_array(test, n, order);
	gfp_t gfp = pp_test_gfp(order, compound);
	unsigned int i;

	if (nid != NUMA_NO_NODE)
		gfp |= __GFP_THISNODE;
	for (i = 0; i < n; i++) {
		b->page[i] = nid == NUMA_NO_NODE ? alloc_pages(gfp, order) :
			alloc_pages_node(nid, gfp, order);
		KUNIT_ASSERT_NOT_NULL_MSG(test, b->page[i],
					  "block %u of %u, order %u, node %d",
					  i, n, order, nid);
	}

	return b;
}

/* Give every block of @b to @tp */
static void pp_test_give_all(struct pp_test_pool *tp, struct pp_test_blocks *b)
{
	unsigned int i;

	for (i = 0; i < b->n; i++) {
		drm_page_pool_give(&tp->pool, b->page[i]);
		b->page[i] = NULL;
	}
}

/*
 * Take from @tp as the tests mean a node: exactly node @nid, or any node for
 * NUMA_NO_NODE, whatever the cpuset and memory policy of the KUnit thread.
 */
static struct page *pp_test_take(struct pp_test_pool *tp, int nid)
{
	nodemask_t one;

	if (nid == NUMA_NO_NODE)
		return drm_page_pool_take(&tp->pool, NUMA_NO_NODE,
					  &node_possible_map);
	one = nodemask_of_node(nid);
	return drm_page_pool_take(&tp->pool, nid, &one);
}

/* Expect a miss; a block handed out anyway goes back to the pool */
static void pp_test_expect_miss(struct kunit *test, struct pp_test_pool *tp,
				int nid, const char *why)
{
	struct page *page = pp_test_take(tp, nid);

	KUNIT_EXPECT_NULL_MSG(test, page, "take(nid %d): %s", nid, why);
	if (page)
		drm_page_pool_give(&tp->pool, page);
}

/* Pages in all pools on all nodes, as the shrinker counts them */
static unsigned long pp_test_pooled_pages(void)
{
	unsigned long total = 0, count;
	int nid;

	for_each_node(nid) {
		struct shrink_control sc = { .gfp_mask = GFP_KERNEL, .nid = nid };

		count = drm_page_pool_shrinker_count(NULL, &sc);
		if (count != SHRINK_EMPTY)
			total += count;
	}
	return total;
}

/* One scan on node @nid as reclaim would run it; sets sc->nr_scanned */
static unsigned long pp_test_scan(struct shrink_control *sc)
{
	unsigned long ret;

	fs_reclaim_acquire(GFP_KERNEL);
	ret = drm_page_pool_shrinker_scan(NULL, sc);
	fs_reclaim_release(GFP_KERNEL);
	return ret;
}

static unsigned long pp_test_count(int nid)
{
	struct shrink_control sc = { .gfp_mask = GFP_KERNEL, .nid = nid };
	unsigned long ret;

	fs_reclaim_acquire(GFP_KERNEL);
	ret = drm_page_pool_shrinker_count(NULL, &sc);
	fs_reclaim_release(GFP_KERNEL);
	return ret;
}

/* NR_GPU_RECLAIM of node @nid, exactly: per-CPU deltas included */
static long pp_test_reclaim(int nid)
{
	return drm_page_pool_kunit_node_stat(nid, NR_GPU_RECLAIM);
}

/*
 * Start every case from empty pools: other users of the core (TTM, the
 * system heap) may hold pages, and the limit and shrinker cases count all
 * pooled pages. Nothing else gives pages to a pool while the suite runs in
 * its KUnit guest, so after this drain the counts are the case's own.
 */
static int pp_test_init(struct kunit *test)
{
	struct shrink_control sc = { .gfp_mask = GFP_KERNEL };
	int nid;

	/* A trim left by an earlier case, and reclaim seen by an earlier one */
	drm_page_pool_trim_flush();
	drm_page_pool_forget_reclaim();

	fs_reclaim_acquire(GFP_KERNEL);
	for_each_node(nid) {
		sc.nid = nid;
		do {
			sc.nr_to_scan = 1024;
		} while (drm_page_pool_shrinker_scan(NULL, &sc) != SHRINK_STOP);
	}
	fs_reclaim_release(GFP_KERNEL);

	KUNIT_ASSERT_EQ_MSG(test, pp_test_pooled_pages(), 0,
			    "the pools of other users could not be drained");
	return 0;
}

static void pp_test_restore_limit(void *data)
{
	drm_page_pool_set_limit((unsigned long)data);
	drm_page_pool_trim_flush();
}

/* Set the global limit for this test only; no trim runs when this returns */
static void pp_test_set_limit(struct kunit *test, unsigned long pages)
{
	unsigned long old = drm_page_pool_set_limit(pages);
	int ret;

	ret = kunit_add_action_or_reset(test, pp_test_restore_limit,
					(void *)old);
	KUNIT_ASSERT_EQ(test, ret, 0);
	drm_page_pool_trim_flush();
}

/* Skip unless the guest has the two memory nodes the NUMA cases need */
static void pp_test_need_two_nodes(struct kunit *test)
{
	if (num_online_nodes() != 2 || !node_state(0, N_MEMORY) ||
	    !node_state(1, N_MEMORY))
		kunit_skip(test, "needs two memory nodes (e.g. numa=fake=2)");
}

struct pp_test_param {
	unsigned int order;
	bool compound;
	const char *desc;
};

static const struct pp_test_param pp_test_params[] = {
	{ 0, false, "order 0" },
	{ 4, false, "order 4" },
	{ 4, true, "order 4 compound" },
	{ 8, false, "order 8" },
	{ 8, true, "order 8 compound" },
};

KUNIT_ARRAY_PARAM_DESC(pp_test_orders, pp_test_params, desc);

/* A pool gives back exactly the blocks it got, as they were, then misses */
static void pp_test_take_give(struct kunit *test)
{
	const struct pp_test_param *p = test->param_value;
	struct pp_test_pool *tp = pp_test_pool_create(test, p->order);
	struct pp_test_blocks *b = pp_test_blocks_alloc(test, 4, p->order,
							 p->compound,
							 NUMA_NO_NODE);
	struct page *given[4];
	unsigned int i, j;

	memcpy(given, b->page, sizeof(given));
	pp_test_give_all(tp, b);
	KUNIT_EXPECT_EQ(test, tp->pool.count, 4);

	for (i = 0; i < 4; i++) {
		struct page *page = pp_test_take(tp, NUMA_NO_NODE);

		KUNIT_ASSERT_NOT_NULL_MSG(test, page, "take %u of 4", i);
		b->page[i] = page;
		for (j = 0; j < 4 && given[j] != page; j++)
			;
		KUNIT_EXPECT_LT_MSG(test, j, 4, "take %u: pfn 0x%lx not given",
				    i, page_to_pfn(page));
		KUNIT_EXPECT_EQ(test, PageCompound(page), p->compound && p->order);
		if (PageCompound(page))
			KUNIT_EXPECT_EQ(test, compound_order(page), p->order);
	}

	pp_test_expect_miss(test, tp, NUMA_NO_NODE, "all 4 blocks taken");
	KUNIT_EXPECT_EQ(test, tp->pool.hits, 4);
	KUNIT_EXPECT_EQ(test, tp->pool.misses, 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&tp->released), 0);
}

/* Every byte a user wrote is zero when the block is taken again */
static void pp_test_zeroed(struct kunit *test)
{
	const struct pp_test_param *p = test->param_value;
	struct pp_test_pool *tp = pp_test_pool_create(test, p->order);
	struct pp_test_blocks *b = pp_test_blocks_alloc(test, 1, p->order,
							 p->compound,
							 NUMA_NO_NODE);
	unsigned int i, nr = 1U << p->order;
	struct page *page = b->page[0];

	for (i = 0; i < nr; i++)
		memset_page(page + i, 0, 0xa5, PAGE_SIZE);

	pp_test_give_all(tp, b);
	b->page[0] = pp_test_take(tp, NUMA_NO_NODE);
	KUNIT_ASSERT_PTR_EQ(test, b->page[0], page);

	for (i = 0; i < nr; i++) {
		void *vaddr = kmap_local_page(page + i);
		u8 *dirty = memchr_inv(vaddr, 0, PAGE_SIZE);
		size_t offset = dirty ? dirty - (u8 *)vaddr : 0;

		kunmap_local(vaddr);
		KUNIT_EXPECT_NULL_MSG(test, dirty,
				      "page %u of %u: byte %zu not zero",
				      i, nr, offset);
	}
}

/*
 * A take is a list pop and does not clear again: what is written into a
 * pooled block (here by the test, behind the pool's back) is still there.
 * With the previous case this shows blocks are zeroed exactly once.
 */
static void pp_test_take_does_not_clear(struct kunit *test)
{
	struct pp_test_pool *tp = pp_test_pool_create(test, 0);
	struct pp_test_blocks *b = pp_test_blocks_alloc(test, 1, 0, false,
							 NUMA_NO_NODE);
	struct page *page = b->page[0];
	u32 *vaddr;
	u32 seen;

	pp_test_give_all(tp, b);
	vaddr = kmap_local_page(page);
	vaddr[7] = 0xdeadbeef;
	kunmap_local(vaddr);

	b->page[0] = pp_test_take(tp, NUMA_NO_NODE);
	KUNIT_ASSERT_PTR_EQ(test, b->page[0], page);
	vaddr = kmap_local_page(page);
	seen = vaddr[7];
	kunmap_local(vaddr);
	KUNIT_EXPECT_EQ_MSG(test, seen, 0xdeadbeef, "take cleared the block");
}

/* The release hook runs once per block leaving, and never after fini */
static void pp_test_release_once(struct kunit *test)
{
	struct pp_test_pool *tp = pp_test_pool_create(test, 0);
	struct pp_test_pool *other = pp_test_pool_create(test, 0);
	struct pp_test_blocks *b = pp_test_blocks_alloc(test, 12, 0, false, 0);
	struct pp_test_blocks *o = pp_test_blocks_alloc(test, 4, 0, false, 0);
	struct shrink_control sc = {
		.gfp_mask = GFP_KERNEL, .nid = 0, .nr_to_scan = 8,
	};
	unsigned int i;

	/* 8 blocks through the shrinker, 4 through fini */
	for (i = 0; i < 8; i++) {
		drm_page_pool_give(&tp->pool, b->page[i]);
		b->page[i] = NULL;
	}
	KUNIT_EXPECT_EQ(test, pp_test_scan(&sc), 8);
	KUNIT_EXPECT_EQ(test, atomic_read(&tp->released), 8);

	for (; i < 12; i++) {
		drm_page_pool_give(&tp->pool, b->page[i]);
		b->page[i] = NULL;
	}
	pp_test_pool_fini(tp);
	KUNIT_EXPECT_EQ(test, atomic_read(&tp->released), 12);

	/* Shrinking what is left in the system must not reach the dead pool */
	pp_test_give_all(other, o);
	sc.nr_to_scan = 64;
	pp_test_scan(&sc);
	KUNIT_EXPECT_EQ(test, atomic_read(&other->released), 4);
	KUNIT_EXPECT_EQ(test, atomic_read(&tp->released), 12);
	KUNIT_EXPECT_EQ(test, atomic_read(&tp->late), 0);
}

/* fini is a no-op on a zeroed pool and on a pool already torn down */
static void pp_test_fini_tolerant(struct kunit *test)
{
	struct pp_test_pool *tp = kunit_kzalloc(test, sizeof(*tp), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, tp);
	drm_page_pool_fini(&tp->pool);
	KUNIT_ASSERT_EQ(test, drm_page_pool_init(&tp->pool, 0, &pp_test_ops), 0);
	drm_page_pool_fini(&tp->pool);
	drm_page_pool_fini(&tp->pool);
	KUNIT_EXPECT_NULL(test, tp->pool.nodes);
	KUNIT_EXPECT_EQ(test, atomic_read(&tp->released), 0);
}

static atomic_t pp_test_alloc_nodes_calls;

/* The per-node lists cannot be allocated */
static struct drm_page_pool_node *pp_test_no_nodes(int nr)
{
	atomic_inc(&pp_test_alloc_nodes_calls);
	return NULL;
}

/*
 * Initialising a pool cannot fail for want of memory: a machine of one node
 * allocates nothing, and a NUMA machine that cannot get per-node lists gets
 * a pool of node 0's blocks, which releases another node's block at once.
 */
static void pp_test_init_without_memory(struct kunit *test)
{
	struct shrink_control sc = {
		.gfp_mask = GFP_KERNEL, .nr_to_scan = 64,
	};
	struct pp_test_pool *tp;
	struct pp_test_blocks *b0, *b1;
	struct page *page;
	long reclaim1;

	atomic_set(&pp_test_alloc_nodes_calls, 0);
	kunit_activate_static_stub(test, drm_page_pool_alloc_nodes,
				   pp_test_no_nodes);
	tp = pp_test_pool_create(test, 0);
	kunit_deactivate_static_stub(test, drm_page_pool_alloc_nodes);
	KUNIT_EXPECT_EQ(test, atomic_read(&pp_test_alloc_nodes_calls),
			nr_node_ids > 1 ? 1 : 0);
	KUNIT_EXPECT_EQ(test, tp->pool.nr_nodes, 1);
	KUNIT_EXPECT_PTR_EQ(test, tp->pool.nodes, &tp->pool.node0);

	b0 = pp_test_blocks_alloc(test, 1, 0, false, 0);
	page = b0->page[0];
	pp_test_give_all(tp, b0);
	KUNIT_EXPECT_EQ(test, tp->pool.count, 1);
	b0->page[0] = pp_test_take(tp, 0);
	KUNIT_EXPECT_PTR_EQ(test, b0->page[0], page);

	if (num_online_nodes() < 2 || !node_state(1, N_MEMORY))
		return;
	b1 = pp_test_blocks_alloc(test, 1, 0, false, 1);
	reclaim1 = pp_test_reclaim(1);
	pp_test_give_all(tp, b1);
	KUNIT_EXPECT_EQ_MSG(test, pp_test_reclaim(1), reclaim1,
			    "a block released at once was counted");
	KUNIT_EXPECT_EQ(test, tp->pool.count, 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&tp->released), 1);
	KUNIT_EXPECT_EQ(test, tp->pool.shrunk, 1);
	KUNIT_EXPECT_EQ(test, pp_test_count(1), SHRINK_EMPTY);
	pp_test_expect_miss(test, tp, 1, "the pool keeps no list for node 1");

	/* A scan of node 1 passes the pool by */
	b0 = pp_test_blocks_alloc(test, 1, 0, false, 0);
	pp_test_give_all(tp, b0);
	sc.nid = 1;
	KUNIT_EXPECT_EQ(test, pp_test_scan(&sc), SHRINK_STOP);
	KUNIT_EXPECT_EQ(test, tp->pool.count, 1);
}

/* Over the limit, an idle pool is shrunk, not the one being given to */
static void pp_test_limit_idle_first(struct kunit *test)
{
	struct pp_test_pool *idle = pp_test_pool_create(test, 0);
	struct pp_test_pool *busy = pp_test_pool_create(test, 0);
	struct pp_test_blocks *b = pp_test_blocks_alloc(test, 8, 0, false,
							 NUMA_NO_NODE);
	struct pp_test_blocks *c = pp_test_blocks_alloc(test, 1, 0, false,
							 NUMA_NO_NODE);

	pp_test_set_limit(test, pp_test_pooled_pages() + 8);
	pp_test_give_all(idle, b);
	pp_test_expect_miss(test, busy, NUMA_NO_NODE, "nothing given yet");

	pp_test_give_all(busy, c);
	KUNIT_EXPECT_EQ(test, busy->pool.count, 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&busy->released), 0);
	KUNIT_EXPECT_EQ(test, idle->pool.count, 7);
	KUNIT_EXPECT_EQ(test, atomic_read(&idle->released), 1);
}

/* Among other pools, the one whose last take is oldest shrinks first */
static void pp_test_limit_oldest_first(struct kunit *test)
{
	/* Initialised first, so it wins ties: its recent take must count */
	struct pp_test_pool *recent = pp_test_pool_create(test, 0);
	struct pp_test_pool *oldest = pp_test_pool_create(test, 0);
	struct pp_test_pool *busy = pp_test_pool_create(test, 0);
	struct pp_test_blocks *r = pp_test_blocks_alloc(test, 4, 0, false,
							 NUMA_NO_NODE);
	struct pp_test_blocks *o = pp_test_blocks_alloc(test, 4, 0, false,
							 NUMA_NO_NODE);
	struct pp_test_blocks *c = pp_test_blocks_alloc(test, 1, 0, false,
							 NUMA_NO_NODE);

	pp_test_give_all(recent, r);
	pp_test_give_all(oldest, o);
	msleep(jiffies_to_msecs(3));
	r->page[0] = pp_test_take(recent, NUMA_NO_NODE);
	KUNIT_ASSERT_NOT_NULL(test, r->page[0]);

	pp_test_set_limit(test, pp_test_pooled_pages());
	pp_test_give_all(busy, c);
	KUNIT_EXPECT_EQ(test, oldest->pool.count, 3);
	KUNIT_EXPECT_EQ(test, recent->pool.count, 3);
	KUNIT_EXPECT_EQ(test, busy->pool.count, 1);
}

/* When only the pool in use holds pages, it is trimmed to the limit */
static void pp_test_limit_in_use_last(struct kunit *test)
{
	struct pp_test_pool *tp = pp_test_pool_create(test, 2);
	struct pp_test_blocks *b = pp_test_blocks_alloc(test, 5, 2, true,
							 NUMA_NO_NODE);
	unsigned long base = pp_test_pooled_pages();

	pp_test_set_limit(test, base + 4 * 4);
	pp_test_give_all(tp, b);
	KUNIT_EXPECT_EQ(test, tp->pool.count, 4);
	KUNIT_EXPECT_EQ(test, atomic_read(&tp->released), 1);
	KUNIT_EXPECT_LE(test, pp_test_pooled_pages(), base + 16);
}

/* Lowering the limit trims the pools at once, in the trim work */
static void pp_test_limit_write_trims(struct kunit *test)
{
	struct pp_test_pool *tp = pp_test_pool_create(test, 0);
	struct pp_test_blocks *b = pp_test_blocks_alloc(test, 1024, 0, false,
							 NUMA_NO_NODE);
	unsigned long base = pp_test_pooled_pages();

	pp_test_give_all(tp, b);
	pp_test_set_limit(test, base + 16);

	/* No give since: only the write of the limit can have trimmed */
	KUNIT_EXPECT_EQ(test, tp->pool.count, 16);
	KUNIT_EXPECT_EQ(test, pp_test_pooled_pages(), base + 16);
	KUNIT_EXPECT_EQ(test, atomic_read(&tp->released), 1024 - 16);
	KUNIT_EXPECT_EQ(test, atomic_read(&tp->by_worker), 1024 - 16);
}

/*
 * 0 written at run time keeps nothing: what is pooled goes, what is given
 * goes again at once, and the pools say they are congested.
 */
static void pp_test_limit_zero_runtime(struct kunit *test)
{
	struct pp_test_pool *tp = pp_test_pool_create(test, 0);
	struct pp_test_blocks *b = pp_test_blocks_alloc(test, 16, 0, false,
							 NUMA_NO_NODE);
	struct pp_test_blocks *c = pp_test_blocks_alloc(test, 1, 0, false,
							 NUMA_NO_NODE);

	pp_test_give_all(tp, b);
	drm_page_pool_forget_reclaim();
	KUNIT_EXPECT_FALSE(test, drm_page_pool_congested(&tp->pool));
	pp_test_set_limit(test, 0);
	KUNIT_EXPECT_EQ(test, pp_test_pooled_pages(), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&tp->released), 16);
	KUNIT_EXPECT_TRUE(test, drm_page_pool_congested(&tp->pool));

	pp_test_give_all(tp, c);
	KUNIT_EXPECT_EQ(test, pp_test_pooled_pages(), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&tp->released), 17);
}

/*
 * Every page on a pool's lists counts in NR_GPU_RECLAIM of its node, from
 * the give that links it until the take or release that unlinks it: gives,
 * takes, a scan of the shrinker, a give over the limit, the trim work and
 * fini each move the counter by exactly the pages they move.
 */
static void pp_test_reclaim_counter(struct kunit *test)
{
	struct shrink_control sc = {
		.gfp_mask = GFP_KERNEL, .nid = 0, .nr_to_scan = 8,
	};
	struct pp_test_pool *tp = pp_test_pool_create(test, 2);
	struct pp_test_blocks *b = pp_test_blocks_alloc(test, 8, 2, true, 0);
	struct pp_test_blocks *c = pp_test_blocks_alloc(test, 1, 2, true, 0);
	long base = pp_test_reclaim(0);
	unsigned int i;

	pp_test_give_all(tp, b);
	KUNIT_EXPECT_EQ_MSG(test, pp_test_reclaim(0) - base, 32,
			    "8 blocks of order 2 given");

	for (i = 0; i < 3; i++) {
		b->page[i] = pp_test_take(tp, 0);
		KUNIT_ASSERT_NOT_NULL(test, b->page[i]);
	}
	KUNIT_EXPECT_EQ_MSG(test, pp_test_reclaim(0) - base, 20,
			    "3 blocks taken");

	KUNIT_EXPECT_EQ(test, pp_test_scan(&sc), 8);
	KUNIT_EXPECT_EQ_MSG(test, pp_test_reclaim(0) - base, 12,
			    "2 blocks shrunk");

	/* Pooled, then released by the limit: no change */
	pp_test_set_limit(test, pp_test_pooled_pages());
	pp_test_give_all(tp, c);
	KUNIT_EXPECT_EQ(test, atomic_read(&tp->released), 3);
	KUNIT_EXPECT_EQ_MSG(test, pp_test_reclaim(0) - base, 12,
			    "a give over the limit");

	pp_test_set_limit(test, pp_test_pooled_pages() - 4);
	KUNIT_EXPECT_EQ(test, atomic_read(&tp->released), 4);
	KUNIT_EXPECT_EQ_MSG(test, pp_test_reclaim(0) - base, 8,
			    "1 block trimmed by the work");

	pp_test_pool_fini(tp);
	KUNIT_EXPECT_EQ(test, atomic_read(&tp->released), 6);
	KUNIT_EXPECT_EQ_MSG(test, pp_test_reclaim(0) - base, 0,
			    "fini released the 2 blocks left");
}

/*
 * Blocks of order 7 and up move the counter on the atomics directly, either
 * way, smaller ones through the per-CPU delta: mixed, the node's sum and the
 * global sum that /proc/meminfo reads both stay exact.
 */
static void pp_test_reclaim_counter_large(struct kunit *test)
{
	struct pp_test_pool *big = pp_test_pool_create(test, 7);
	struct pp_test_pool *small = pp_test_pool_create(test, 0);
	struct pp_test_blocks *b = pp_test_blocks_alloc(test, 3, 7, true, 0);
	struct pp_test_blocks *c = pp_test_blocks_alloc(test, 3, 0, true, 0);
	long base = pp_test_reclaim(0);
	long global = drm_page_pool_kunit_global_stat(NR_GPU_RECLAIM);

	pp_test_give_all(small, c);
	pp_test_give_all(big, b);
	KUNIT_EXPECT_EQ_MSG(test, pp_test_reclaim(0) - base, 387,
			    "3 blocks of order 7 and 3 of order 0 given");
	KUNIT_EXPECT_EQ_MSG(test, drm_page_pool_kunit_global_stat(NR_GPU_RECLAIM) -
			    global, 387, "global, after the gives");

	b->page[0] = pp_test_take(big, 0);
	KUNIT_ASSERT_NOT_NULL(test, b->page[0]);
	c->page[0] = pp_test_take(small, 0);
	KUNIT_ASSERT_NOT_NULL(test, c->page[0]);
	KUNIT_EXPECT_EQ_MSG(test, pp_test_reclaim(0) - base, 258,
			    "one block of each taken");
	KUNIT_EXPECT_EQ_MSG(test, drm_page_pool_kunit_global_stat(NR_GPU_RECLAIM) -
			    global, 258, "global, after the takes");

	/* fini cuts the 2 large blocks left in one move of 256 pages */
	pp_test_pool_fini(big);
	pp_test_pool_fini(small);
	KUNIT_EXPECT_EQ_MSG(test, pp_test_reclaim(0) - base, 0,
			    "fini released the rest; the taken blocks are out");
	KUNIT_EXPECT_EQ_MSG(test, drm_page_pool_kunit_global_stat(NR_GPU_RECLAIM) -
			    global, 0, "global, after fini");
}

/*
 * drm_page_pool_count_node() moves a block of order 7 or more on the atomics,
 * given or taken, and leaves the CPU's pending delta alone: a take of 128
 * pages through the per-CPU path would have folded it. With preemption off,
 * the vmstat work cannot fold the delta in between.
 */
static void pp_test_count_node_direct(struct kunit *test)
{
	static const long moves[] = { 128, -128, 1024, -1024 };
	struct pglist_data *pgdat = NODE_DATA(0);
	s8 __percpu *diff =
		&pgdat->per_cpu_nodestats->vm_node_stat_diff[NR_GPU_ACTIVE];
	long sum = drm_page_pool_kunit_node_stat(0, NR_GPU_ACTIVE);
	unsigned int i, nudged;
	s8 before, after;

	if (!IS_ENABLED(CONFIG_SMP))
		kunit_skip(test, "no per-CPU deltas without SMP");

	for (i = 0; i < ARRAY_SIZE(moves); i++) {
		preempt_disable();
		/* A pending delta of this CPU that a fold would clear */
		for (nudged = 0; nudged < 2 && !this_cpu_read(*diff); nudged++)
			mod_node_page_state(pgdat, NR_GPU_ACTIVE, 1);
		before = this_cpu_read(*diff);
		drm_page_pool_count_node(pgdat, NR_GPU_ACTIVE, moves[i]);
		after = this_cpu_read(*diff);
		if (nudged)
			mod_node_page_state(pgdat, NR_GPU_ACTIVE, -nudged);
		preempt_enable();

		KUNIT_EXPECT_NE(test, before, 0);
		KUNIT_EXPECT_EQ_MSG(test, after, before,
				    "a move of %ld went through the CPU's delta",
				    moves[i]);
	}
	KUNIT_EXPECT_EQ(test, drm_page_pool_kunit_node_stat(0, NR_GPU_ACTIVE),
			sum);
}

static unsigned long pp_test_group_limit_pages = ULONG_MAX;
static struct drm_page_pool_group pp_test_group =
	DRM_PAGE_POOL_GROUP_INIT("kunit", &pp_test_group_limit_pages);

static const struct drm_page_pool_ops pp_test_group_ops = {
	.name = "kunit-group",
	.release = pp_test_release,
	.group = &pp_test_group,
};

static void pp_test_group_unlimit(void *data)
{
	WRITE_ONCE(pp_test_group_limit_pages, ULONG_MAX);
}

/* Set the test group's limit for this case only */
static void pp_test_set_group_limit(struct kunit *test, unsigned long pages)
{
	int ret;

	WRITE_ONCE(pp_test_group_limit_pages, pages);
	ret = kunit_add_action_or_reset(test, pp_test_group_unlimit, NULL);
	KUNIT_ASSERT_EQ(test, ret, 0);
}

/*
 * A group's limit trims the group's pools only, idlest first, even when an
 * idler pool outside the group holds pages; the global limit still applies
 * to every pool.
 */
static void pp_test_group_limit(struct kunit *test)
{
	struct pp_test_pool *out = pp_test_pool_create(test, 0);
	struct pp_test_pool *a = pp_test_pool_create_ops(test, 0,
							 &pp_test_group_ops);
	struct pp_test_pool *g = pp_test_pool_create_ops(test, 0,
							 &pp_test_group_ops);
	struct pp_test_blocks *o = pp_test_blocks_alloc(test, 8, 0, false,
							 NUMA_NO_NODE);
	struct pp_test_blocks *ba = pp_test_blocks_alloc(test, 4, 0, false,
							  NUMA_NO_NODE);
	struct pp_test_blocks *bg = pp_test_blocks_alloc(test, 4, 0, false,
							  NUMA_NO_NODE);
	unsigned long base = pp_test_pooled_pages();

	pp_test_set_group_limit(test, 6);
	pp_test_give_all(out, o);
	pp_test_give_all(a, ba);
	pp_test_expect_miss(test, g, NUMA_NO_NODE, "nothing given yet");
	pp_test_give_all(g, bg);

	/* a is idler than g, out idler still but not in the group */
	KUNIT_EXPECT_EQ(test, atomic_read(&out->released), 0);
	KUNIT_EXPECT_EQ(test, a->pool.count, 2);
	KUNIT_EXPECT_EQ(test, g->pool.count, 4);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&pp_test_group.pages), 6);

	/* The global limit takes from the idlest pool, in the group or not */
	pp_test_set_limit(test, base + 8 + 6 - 3);
	KUNIT_EXPECT_EQ(test, atomic_read(&out->released), 3);
	KUNIT_EXPECT_EQ(test, a->pool.count + g->pool.count, 6);

	/* A pool leaving the group takes its pages out of the group's count */
	pp_test_pool_fini(a);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&pp_test_group.pages), 4);
}

/*
 * The debugfs line of a group shows the pages of its pools and its limit,
 * counted by the core.
 */
static void pp_test_debugfs_group(struct kunit *test)
{
	struct pp_test_pool *g = pp_test_pool_create_ops(test, 1,
							 &pp_test_group_ops);
	struct pp_test_blocks *b = pp_test_blocks_alloc(test, 3, 1, false,
							 NUMA_NO_NODE);
	char buf[64] = "";
	struct seq_file m = { .buf = buf, .size = sizeof(buf) };

	pp_test_set_group_limit(test, 100);
	pp_test_give_all(g, b);
	drm_page_pool_debugfs_group(&m, &pp_test_group);
	KUNIT_EXPECT_STREQ(test, buf, "        6 of      100\n");
}

/*
 * A give does bounded work: thousands of blocks over its group's limit, it
 * releases one batch itself and leaves the rest to the trim work. The limit
 * is lowered without telling the core, so that only the give can trim.
 */
static void pp_test_give_trims_one_batch(struct kunit *test)
{
	struct pp_test_pool *full = pp_test_pool_create_ops(test, 0,
							    &pp_test_group_ops);
	struct pp_test_pool *tp = pp_test_pool_create_ops(test, 0,
							  &pp_test_group_ops);
	struct pp_test_blocks *b = pp_test_blocks_alloc(test, 2048, 0, false,
							 NUMA_NO_NODE);
	struct pp_test_blocks *c = pp_test_blocks_alloc(test, 1, 0, false,
							 NUMA_NO_NODE);

	pp_test_give_all(full, b);
	pp_test_set_group_limit(test, 0);
	WRITE_ONCE(full->watch, current);
	pp_test_give_all(tp, c);
	WRITE_ONCE(full->watch, NULL);

	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&full->by_watch), 256,
			    "the give released %d blocks itself",
			    atomic_read(&full->by_watch));
	drm_page_pool_trim_flush();
	KUNIT_EXPECT_EQ(test, atomic_long_read(&pp_test_group.pages), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&full->released), 2048);
	KUNIT_EXPECT_EQ(test, atomic_read(&tp->released), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&full->by_worker), 2048 - 256);
}

/*
 * With the limits met before it, a give returns with them met again, even
 * for a block larger than the batch a give releases.
 */
static void pp_test_give_large_block(struct kunit *test)
{
	struct pp_test_pool *small = pp_test_pool_create(test, 0);
	struct pp_test_pool *big = pp_test_pool_create(test, 9);
	struct pp_test_blocks *b = pp_test_blocks_alloc(test, 1024, 0, false,
							 NUMA_NO_NODE);
	struct pp_test_blocks *c = pp_test_blocks_alloc(test, 1, 9, true,
							 NUMA_NO_NODE);
	unsigned long base = pp_test_pooled_pages();

	pp_test_give_all(small, b);
	pp_test_set_limit(test, base + 1024);
	WRITE_ONCE(small->watch, current);
	pp_test_give_all(big, c);
	WRITE_ONCE(small->watch, NULL);

	KUNIT_EXPECT_EQ(test, pp_test_pooled_pages(), base + 1024);
	KUNIT_EXPECT_EQ(test, atomic_read(&small->by_watch), 512);
	KUNIT_EXPECT_EQ(test, big->pool.count, 1);
}

/*
 * A give that exceeds its group's limit and the global one at once trims
 * the group's pools, which lower both, before an idler pool outside the
 * group, which would only lower the global one: the give returns with both
 * limits met and the pool outside keeps its blocks.
 */
static void pp_test_give_over_both_limits(struct kunit *test)
{
	struct pp_test_pool *out = pp_test_pool_create(test, 0);
	struct pp_test_pool *a = pp_test_pool_create_ops(test, 0,
							 &pp_test_group_ops);
	struct pp_test_pool *g = pp_test_pool_create_ops(test, 8,
							 &pp_test_group_ops);
	struct pp_test_blocks *o = pp_test_blocks_alloc(test, 256, 0, false,
							 NUMA_NO_NODE);
	struct pp_test_blocks *ba = pp_test_blocks_alloc(test, 256, 0, false,
							  NUMA_NO_NODE);
	struct pp_test_blocks *bg = pp_test_blocks_alloc(test, 1, 8, true,
							  NUMA_NO_NODE);
	unsigned long base = pp_test_pooled_pages();

	pp_test_give_all(out, o);
	pp_test_give_all(a, ba);
	pp_test_set_limit(test, base + 512);
	pp_test_set_group_limit(test, 256);
	pp_test_give_all(g, bg);

	KUNIT_EXPECT_LE(test, atomic_long_read(&pp_test_group.pages), 256);
	KUNIT_EXPECT_LE(test, pp_test_pooled_pages(), base + 512);
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&out->released), 0,
			    "the pool outside the group paid for the group");
	KUNIT_EXPECT_EQ(test, g->pool.count, 1);
}

/*
 * Releasing thousands of blocks gives the scheduler a chance between
 * blocks: fini of a large pool does not hold the CPU until it is done.
 */
static void pp_test_fini_reschedules(struct kunit *test)
{
	struct pp_test_pool *tp = pp_test_pool_create(test, 0);
	struct pp_test_blocks *b = pp_test_blocks_alloc(test, 1024, 0, false,
							 NUMA_NO_NODE);

	if (preempt_model_preemptible())
		kunit_skip(test, "a preemptible kernel reschedules anyway");

	pp_test_give_all(tp, b);
	tp->probe_resched = true;
	pp_test_pool_fini(tp);
	KUNIT_EXPECT_EQ(test, atomic_read(&tp->released), 1024);
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&tp->resched_pending), 0,
			    "the next hook ran with the reschedule pending");
}

/* The shrinker's releases count as reclaim's progress */
static void pp_test_shrinker_reports_reclaimed(struct kunit *test)
{
	struct pp_test_pool *tp = pp_test_pool_create(test, 0);
	struct pp_test_blocks *b = pp_test_blocks_alloc(test, 8, 0, false, 0);
	struct shrink_control sc = {
		.gfp_mask = GFP_KERNEL, .nid = 0, .nr_to_scan = 8,
	};
	struct reclaim_state rs = {};
	unsigned long freed;

	pp_test_give_all(tp, b);
	/* Real reclaim may have called the shrinker since the suite's init */
	drm_page_pool_forget_reclaim();
	KUNIT_EXPECT_FALSE(test, drm_page_pool_congested(&tp->pool));

	current->reclaim_state = &rs;
	freed = pp_test_scan(&sc);
	current->reclaim_state = NULL;

	KUNIT_EXPECT_EQ(test, freed, 8);
	KUNIT_EXPECT_EQ(test, rs.reclaimed, 8);
	/* Reclaim is under way: users that may choose stop giving */
	KUNIT_EXPECT_TRUE(test, drm_page_pool_congested(&tp->pool));
	drm_page_pool_forget_reclaim();
	KUNIT_EXPECT_FALSE(test, drm_page_pool_congested(&tp->pool));
}

/*
 * Reclaim asks every shrinker for its count but scans only those with
 * something to free: the count alone tells users that reclaim is under
 * way, so that they do not refill pools that reclaim found empty.
 */
static void pp_test_count_notes_reclaim(struct kunit *test)
{
	struct pp_test_pool *tp = pp_test_pool_create(test, 0);
	struct shrink_control sc = { .gfp_mask = GFP_KERNEL };
	struct reclaim_state rs = {};

	drm_page_pool_forget_reclaim();
	KUNIT_ASSERT_FALSE(test, drm_page_pool_congested(&tp->pool));

	/* Not from reclaim (a debugfs read): nothing noted */
	drm_page_pool_shrinker_count(NULL, &sc);
	KUNIT_EXPECT_FALSE(test, drm_page_pool_congested(&tp->pool));

	current->reclaim_state = &rs;
	drm_page_pool_shrinker_count(NULL, &sc);
	current->reclaim_state = NULL;
	KUNIT_EXPECT_TRUE(test, drm_page_pool_congested(&tp->pool));
	KUNIT_EXPECT_EQ(test, tp->pool.count, 0);
	drm_page_pool_forget_reclaim();
}

/* The line of the pools file that starts with @name, or NULL */
static const char *pp_test_pools_line(const char *buf, const char *name)
{
	size_t len = strlen(name);
	const char *line;

	for (line = buf; line && *line; line = strchr(line, '\n')) {
		if (*line == '\n')
			line++;
		if (!strncmp(line, name, len) && line[len] == ' ')
			return line;
	}
	return NULL;
}

/* The pools file shows each pool's group, "-" for none */
static void pp_test_debugfs_pools_group(struct kunit *test)
{
	struct seq_file m = { .size = SZ_64K };
	const char *line, *end;
	char row[160];

	pp_test_pool_create_ops(test, 0, &pp_test_group_ops);
	pp_test_pool_create(test, 0);
	m.buf = kunit_kzalloc(test, m.size, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, m.buf);
	drm_page_pool_pools_show(&m, NULL);
	KUNIT_ASSERT_LT_MSG(test, m.count, m.size, "pools file truncated");

	line = pp_test_pools_line(m.buf, "kunit-group");
	KUNIT_ASSERT_NOT_NULL(test, line);
	end = strchrnul(line, '\n');
	strscpy(row, line, min_t(size_t, sizeof(row), end - line + 1));
	KUNIT_EXPECT_NOT_NULL_MSG(test, strstr(row, " kunit "), "row: %s", row);

	line = pp_test_pools_line(m.buf, "kunit");
	KUNIT_ASSERT_NOT_NULL(test, line);
	end = strchrnul(line, '\n');
	strscpy(row, line, min_t(size_t, sizeof(row), end - line + 1));
	KUNIT_EXPECT_NOT_NULL_MSG(test, strstr(row, " - "), "row: %s", row);
}

/* A pool of @order with pp_test_ops and @owner, torn down at the end */
static struct pp_test_pool *pp_test_pool_create_owner(struct kunit *test,
						      unsigned int order,
						      const char *owner)
{
	struct pp_test_pool *tp;
	int ret;

	tp = kunit_kzalloc(test, sizeof(*tp), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, tp);
	/* init sets the owner, whatever the memory held before */
	tp->pool.owner = "stale";
	ret = drm_page_pool_init_owner(&tp->pool, order, &pp_test_ops, owner);
	KUNIT_ASSERT_EQ(test, ret, 0);
	ret = kunit_add_action_or_reset(test, pp_test_pool_fini_action,
					&tp->pool);
	KUNIT_ASSERT_EQ(test, ret, 0);

	return tp;
}

/*
 * A pool with an owner is named "name@owner" in the pools file; one
 * without (NULL or "") by its name alone.
 */
static void pp_test_debugfs_owner(struct kunit *test)
{
	struct seq_file m = { .size = SZ_64K };
	struct pp_test_pool *tp;

	pp_test_pool_create_owner(test, 2, "kunit-owner");
	tp = pp_test_pool_create_owner(test, 3, "");
	KUNIT_EXPECT_NULL(test, tp->pool.owner);
	tp = pp_test_pool_create_owner(test, 3, NULL);
	KUNIT_EXPECT_NULL(test, tp->pool.owner);

	m.buf = kunit_kzalloc(test, m.size, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, m.buf);
	drm_page_pool_pools_show(&m, NULL);
	KUNIT_ASSERT_LT_MSG(test, m.count, m.size, "pools file truncated");
	KUNIT_EXPECT_NOT_NULL_MSG(test,
				  pp_test_pools_line(m.buf, "kunit@kunit-owner"),
				  "pools file:\n%s", m.buf);
	KUNIT_EXPECT_NULL_MSG(test, pp_test_pools_line(m.buf, "kunit@"),
			      "pools file:\n%s", m.buf);
	KUNIT_EXPECT_NULL_MSG(test, pp_test_pools_line(m.buf, "kunit@stale"),
			      "pools file:\n%s", m.buf);
}

/* Rows of the pools file that start with @name followed by a space */
static unsigned int pp_test_pools_rows(struct kunit *test, const char *name)
{
	struct seq_file m = { .size = SZ_64K };
	unsigned int n = 0;
	const char *line;

	m.buf = kunit_kzalloc(test, m.size, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, m.buf);
	drm_page_pool_pools_show(&m, NULL);
	KUNIT_ASSERT_LT_MSG(test, m.count, m.size, "pools file truncated");
	for (line = pp_test_pools_line(m.buf, name); line;
	     line = pp_test_pools_line(strchrnul(line, '\n'), name))
		n++;
	kunit_kfree(test, m.buf);

	return n;
}

/*
 * Reaping a group finalizes exactly the pools of the group its users left
 * initialised, releasing their blocks through the hook, and nothing else:
 * the module that defines the group may go afterwards.
 */
static void pp_test_group_reap(struct kunit *test)
{
	struct pp_test_pool *done = pp_test_pool_create_ops(test, 0,
							    &pp_test_group_ops);
	struct pp_test_pool *left = pp_test_pool_create_ops(test, 1,
							    &pp_test_group_ops);
	struct pp_test_pool *out = pp_test_pool_create(test, 1);
	struct pp_test_blocks *bl = pp_test_blocks_alloc(test, 3, 1, false,
							  NUMA_NO_NODE);
	struct pp_test_blocks *bo = pp_test_blocks_alloc(test, 2, 1, false,
							  NUMA_NO_NODE);

	pp_test_give_all(left, bl);
	pp_test_give_all(out, bo);
	pp_test_pool_fini(done);
	KUNIT_ASSERT_EQ(test, pp_test_pools_rows(test, "kunit-group"), 1);

	KUNIT_EXPECT_EQ(test, drm_page_pool_group_reap(&pp_test_group), 1);
	WRITE_ONCE(left->dead, true);
	KUNIT_EXPECT_EQ(test, atomic_read(&left->released), 3);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&pp_test_group.pages), 0);
	KUNIT_EXPECT_EQ(test, pp_test_pools_rows(test, "kunit-group"), 0);

	/* The pool outside the group keeps its blocks */
	KUNIT_EXPECT_EQ(test, out->pool.count, 2);
	KUNIT_EXPECT_EQ(test, atomic_read(&out->released), 0);

	/* Nothing left to reap; no hook of @left runs any more */
	KUNIT_EXPECT_EQ(test, drm_page_pool_group_reap(&pp_test_group), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&left->late), 0);
}

/* count and scan follow the shrinker contract */
static void pp_test_shrinker_contract(struct kunit *test)
{
	struct pp_test_pool *tp = pp_test_pool_create(test, 0);
	struct pp_test_blocks *b = pp_test_blocks_alloc(test, 10, 0, false, 0);
	struct shrink_control sc = { .gfp_mask = GFP_KERNEL, .nid = 0 };
	unsigned long ret;

	KUNIT_ASSERT_EQ_MSG(test, pp_test_count(0), SHRINK_EMPTY,
			    "node 0 must start empty");
	pp_test_give_all(tp, b);
	KUNIT_EXPECT_EQ(test, pp_test_count(0), 10);

	sc.nr_to_scan = 3;
	ret = pp_test_scan(&sc);
	KUNIT_EXPECT_EQ(test, ret, 3);
	KUNIT_EXPECT_EQ(test, sc.nr_scanned, 3);
	KUNIT_EXPECT_EQ(test, pp_test_count(0), 7);

	sc.nr_to_scan = 100;
	ret = pp_test_scan(&sc);
	KUNIT_EXPECT_EQ(test, ret, 7);
	KUNIT_EXPECT_EQ(test, sc.nr_scanned, 7);

	ret = pp_test_scan(&sc);
	KUNIT_EXPECT_EQ_MSG(test, ret, SHRINK_STOP, "empty scan returned %lu",
			    ret);
	KUNIT_EXPECT_EQ(test, sc.nr_scanned, 0);
	KUNIT_EXPECT_EQ(test, pp_test_count(0), SHRINK_EMPTY);
	KUNIT_EXPECT_EQ(test, atomic_read(&tp->released), 10);
}

/* A high-order block is released whole, even for a smaller nr_to_scan */
static void pp_test_shrinker_high_order(struct kunit *test)
{
	struct pp_test_pool *tp = pp_test_pool_create(test, 4);
	struct pp_test_blocks *b = pp_test_blocks_alloc(test, 2, 4, true, 0);
	struct shrink_control sc = {
		.gfp_mask = GFP_KERNEL, .nid = 0, .nr_to_scan = 1,
	};

	pp_test_give_all(tp, b);
	KUNIT_EXPECT_EQ(test, pp_test_scan(&sc), 16);
	KUNIT_EXPECT_EQ(test, sc.nr_scanned, 16);
	KUNIT_EXPECT_EQ(test, tp->pool.count, 1);
}

/*
 * Real reclaim reaches the pools: drop_slab() goes through do_shrink_slab(),
 * with the registration's NUMA awareness and reclaim's batching, which the
 * cases that call the scan directly bypass, and empties the pools.
 * drop_slab() is not exported, so only a built-in suite can call it.
 */
static void pp_test_shrinker_drop_slab(struct kunit *test)
{
	struct pp_test_pool *tp;
	struct pp_test_blocks *b;

	if (!IS_BUILTIN(CONFIG_DRM_PAGE_POOL_KUNIT_TEST))
		kunit_skip(test, "drop_slab() is not exported: needs the suite built in");

	tp = pp_test_pool_create(test, 0);
	b = pp_test_blocks_alloc(test, 64, 0, false, 0);
	pp_test_give_all(tp, b);
	KUNIT_ASSERT_EQ(test, tp->pool.count, 64);

#if IS_BUILTIN(CONFIG_DRM_PAGE_POOL_KUNIT_TEST)
	drop_slab();
#endif

	KUNIT_EXPECT_EQ(test, tp->pool.count, 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&tp->released), 64);
}

/* Successive scans visit the pools in turn, not always the first one */
static void pp_test_shrinker_fair(struct kunit *test)
{
	struct pp_test_pool *a = pp_test_pool_create(test, 0);
	struct pp_test_pool *c = pp_test_pool_create(test, 0);
	struct pp_test_blocks *ba = pp_test_blocks_alloc(test, 32, 0, false, 0);
	struct pp_test_blocks *bc = pp_test_blocks_alloc(test, 32, 0, false, 0);
	struct shrink_control sc = {
		.gfp_mask = GFP_KERNEL, .nid = 0, .nr_to_scan = 16,
	};

	pp_test_give_all(a, ba);
	pp_test_give_all(c, bc);
	KUNIT_EXPECT_EQ(test, pp_test_scan(&sc), 16);
	KUNIT_EXPECT_EQ(test, pp_test_scan(&sc), 16);
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&a->released), 16,
			    "a lost %d, c lost %d", atomic_read(&a->released),
			    atomic_read(&c->released));
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&c->released), 16,
			    "a lost %d, c lost %d", atomic_read(&a->released),
			    atomic_read(&c->released));
}

/* The debugfs helper prints one column of blocks per pool, 0 for NULL */
static void pp_test_debugfs_counts(struct kunit *test)
{
	struct pp_test_pool *tp = pp_test_pool_create(test, 0);
	struct pp_test_blocks *b = pp_test_blocks_alloc(test, 3, 0, false,
							 NUMA_NO_NODE);
	struct drm_page_pool *pools[] = { &tp->pool, NULL };
	char buf[64] = "";
	struct seq_file m = { .buf = buf, .size = sizeof(buf) };

	pp_test_give_all(tp, b);
	drm_page_pool_debugfs_counts(&m, pools, ARRAY_SIZE(pools));
	KUNIT_EXPECT_STREQ(test, buf, "        3        0\n");
}

/*
 * Real reclaim reaches the blocks of every node: drop_slab() calls count
 * and scan through do_shrink_slab() once per node, with reclaim's batching,
 * and a count or scan that looked at another node than sc->nid would leave
 * node 1's blocks pooled. (6.12's do_shrink_slab() passes the real node to
 * shrinkers without SHRINKER_NUMA_AWARE too, keeping only their deferred
 * work on node 0, so this case does not tell the flag's absence.)
 * drop_slab() is not exported: built-in suite only.
 */
static void pp_test_numa_drop_slab(struct kunit *test)
{
	struct pp_test_pool *tp;
	struct pp_test_blocks *b0, *b1;

	pp_test_need_two_nodes(test);
	if (!IS_BUILTIN(CONFIG_DRM_PAGE_POOL_KUNIT_TEST))
		kunit_skip(test, "drop_slab() is not exported: needs the suite built in");

	tp = pp_test_pool_create(test, 0);
	KUNIT_ASSERT_GT(test, tp->pool.nr_nodes, 1);
	b0 = pp_test_blocks_alloc(test, 16, 0, false, 0);
	b1 = pp_test_blocks_alloc(test, 16, 0, false, 1);
	pp_test_give_all(tp, b0);
	pp_test_give_all(tp, b1);
	KUNIT_ASSERT_EQ(test, tp->pool.nodes[1].count, 16);

#if IS_BUILTIN(CONFIG_DRM_PAGE_POOL_KUNIT_TEST)
	drop_slab();
#endif

	KUNIT_EXPECT_EQ(test, tp->pool.nodes[0].count, 0);
	KUNIT_EXPECT_EQ_MSG(test, tp->pool.nodes[1].count, 0,
			    "reclaim of node 1 never reached its blocks");
	KUNIT_EXPECT_EQ(test, atomic_read(&tp->released), 32);
}

/* A take that names a node gets a block of that node or nothing */
static void pp_test_numa_take_node(struct kunit *test)
{
	struct pp_test_pool *tp;
	struct pp_test_blocks *b0, *b1;
	struct page *page;
	int nid;

	pp_test_need_two_nodes(test);
	tp = pp_test_pool_create(test, 0);
	KUNIT_ASSERT_GT(test, tp->pool.nr_nodes, 1);
	b0 = pp_test_blocks_alloc(test, 2, 0, false, 0);
	b1 = pp_test_blocks_alloc(test, 1, 0, false, 1);
	pp_test_give_all(tp, b0);
	pp_test_give_all(tp, b1);
	KUNIT_EXPECT_EQ(test, tp->pool.nodes[0].count, 2);
	KUNIT_EXPECT_EQ(test, tp->pool.nodes[1].count, 1);

	page = pp_test_take(tp, 1);
	KUNIT_ASSERT_NOT_NULL(test, page);
	b1->page[0] = page;
	KUNIT_EXPECT_EQ(test, page_to_nid(page), 1);

	pp_test_expect_miss(test, tp, 1,
			    "node 1 is empty, node 0 must not serve it");

	page = pp_test_take(tp, 0);
	KUNIT_ASSERT_NOT_NULL(test, page);
	b0->page[0] = page;
	KUNIT_EXPECT_EQ(test, page_to_nid(page), 0);

	/* The KUnit thread may use any node: any node's block will do */
	page = drm_page_pool_take(&tp->pool, NUMA_NO_NODE, NULL);
	KUNIT_ASSERT_NOT_NULL(test, page);
	b0->page[1] = page;
	nid = page_to_nid(page);
	KUNIT_EXPECT_EQ(test, nid, 0);
}

/* The mask of the nodes whose bits are set in @bits */
static nodemask_t pp_test_mask(unsigned long bits)
{
	nodemask_t m = NODE_MASK_NONE;
	int nid;

	for (nid = 0; nid < BITS_PER_LONG && nid < MAX_NUMNODES; nid++)
		if (bits & BIT(nid))
			node_set(nid, m);
	return m;
}

/*
 * Take from @tp with @nid and the nodes of @bits; expect a block of node
 * @want (-1: a miss). The block taken is stored in @b, which frees it.
 */
static void pp_test_take_expect(struct kunit *test, struct pp_test_pool *tp,
				struct pp_test_blocks *b, unsigned int *used,
				int nid, unsigned long bits, int want)
{
	nodemask_t m = pp_test_mask(bits);
	struct page *page = drm_page_pool_take(&tp->pool, nid, &m);

	if (want < 0) {
		KUNIT_EXPECT_NULL_MSG(test, page, "take(%d, %#lx) hit node %d",
				      nid, bits, page ? page_to_nid(page) : -1);
		if (page)
			drm_page_pool_give(&tp->pool, page);
		return;
	}
	KUNIT_ASSERT_NOT_NULL_MSG(test, page, "take(%d, %#lx) missed", nid,
				  bits);
	KUNIT_ASSERT_LT(test, *used, b->n);
	b->page[(*used)++] = page;
	KUNIT_EXPECT_EQ_MSG(test, page_to_nid(page), want, "take(%d, %#lx)",
			    nid, bits);
}

/* An empty mask allows no node, and a mask of a block's node finds it */
static void pp_test_take_allowed(struct kunit *test)
{
	struct pp_test_pool *tp = pp_test_pool_create(test, 0);
	struct pp_test_blocks *b = pp_test_blocks_alloc(test, 1, 0, false,
							NUMA_NO_NODE);
	int nid = page_to_nid(b->page[0]);
	nodemask_t one = nodemask_of_node(nid);
	unsigned int used = 0;
	struct page *page;

	pp_test_give_all(tp, b);
	pp_test_take_expect(test, tp, b, &used, NUMA_NO_NODE, 0, -1);
	page = drm_page_pool_take(&tp->pool, NUMA_NO_NODE, &one);
	KUNIT_ASSERT_NOT_NULL(test, page);
	b->page[0] = page;
	KUNIT_EXPECT_EQ(test, tp->pool.hits, 1);
	KUNIT_EXPECT_EQ(test, tp->pool.misses, 1);
}

/* Blocks of a node the mask leaves out are never handed out */
static void pp_test_numa_take_allowed_only(struct kunit *test)
{
	struct pp_test_pool *tp;
	struct pp_test_blocks *b;
	unsigned int used = 0;

	pp_test_need_two_nodes(test);
	tp = pp_test_pool_create(test, 0);
	KUNIT_ASSERT_GT(test, tp->pool.nr_nodes, 1);
	b = pp_test_blocks_alloc(test, 4, 0, false, 0);
	pp_test_give_all(tp, b);

	pp_test_take_expect(test, tp, b, &used, NUMA_NO_NODE, BIT(1), -1);
	pp_test_take_expect(test, tp, b, &used, 1, BIT(1), -1);
	pp_test_take_expect(test, tp, b, &used, 0, BIT(1), -1);
	pp_test_take_expect(test, tp, b, &used, NUMA_NO_NODE, 0, -1);
	KUNIT_EXPECT_EQ(test, tp->pool.nodes[0].count, 4);
	KUNIT_EXPECT_EQ(test, tp->pool.hits, 0);
	KUNIT_EXPECT_EQ(test, tp->pool.misses, 4);
}

/*
 * A take names a node to look at first and then uses the other nodes it
 * allows: a TTM pool bound to node 1 whose order-0 pages the allocator took
 * from node 0 gets them back.
 */
static void pp_test_numa_take_node_then_allowed(struct kunit *test)
{
	struct pp_test_pool *tp;
	struct pp_test_blocks *b0, *b1;
	unsigned int used = 0;

	pp_test_need_two_nodes(test);
	tp = pp_test_pool_create(test, 0);
	KUNIT_ASSERT_GT(test, tp->pool.nr_nodes, 1);
	b0 = pp_test_blocks_alloc(test, 2, 0, false, 0);
	b1 = pp_test_blocks_alloc(test, 1, 0, false, 1);
	pp_test_give_all(tp, b0);
	pp_test_give_all(tp, b1);

	pp_test_take_expect(test, tp, b1, &used, 1, BIT(0) | BIT(1), 1);
	used = 0;
	pp_test_take_expect(test, tp, b0, &used, 1, BIT(0) | BIT(1), 0);
	pp_test_take_expect(test, tp, b0, &used, 1, BIT(1), -1);
	pp_test_take_expect(test, tp, b0, &used, 0, BIT(0) | BIT(1), 0);
	pp_test_take_expect(test, tp, b0, &used, 0, BIT(0) | BIT(1), -1);
	KUNIT_EXPECT_EQ(test, tp->pool.count, 0);
}

/*
 * Without a node named, the local memory node comes first: pinned to a CPU
 * of each node in turn, the task gets that node's block. This held before
 * takes had masks too: the case guards the order, it did not find a bug.
 */
static void pp_test_numa_take_local_first(struct kunit *test)
{
	nodemask_t both = pp_test_mask(BIT(0) | BIT(1));
	struct pp_test_blocks *b[2];
	struct pp_test_pool *tp;
	struct page *page;
	int nid, ret, c;
	unsigned int cpu[2];

	pp_test_need_two_nodes(test);
	tp = pp_test_pool_create(test, 0);
	KUNIT_ASSERT_GT(test, tp->pool.nr_nodes, 1);
	/* cpumask_of_node() may hold more (numa=fake adds a CPU to each) */
	for (nid = 0; nid < 2; nid++) {
		cpu[nid] = nr_cpu_ids;
		for_each_online_cpu(c)
			if (cpu_to_node(c) == nid && cpu[nid] == nr_cpu_ids)
				cpu[nid] = c;
		if (cpu[nid] == nr_cpu_ids)
			kunit_skip(test, "node %d has no CPU", nid);
		b[nid] = pp_test_blocks_alloc(test, 1, 0, false, nid);
		pp_test_give_all(tp, b[nid]);
	}

	for (nid = 1; nid >= 0; nid--) {
		ret = set_cpus_allowed_ptr(current, cpumask_of(cpu[nid]));
		KUNIT_ASSERT_EQ(test, ret, 0);
		page = drm_page_pool_take(&tp->pool, NUMA_NO_NODE, &both);
		set_cpus_allowed_ptr(current, cpu_possible_mask);
		KUNIT_ASSERT_NOT_NULL(test, page);
		b[nid]->page[0] = page;
		KUNIT_EXPECT_EQ_MSG(test, page_to_nid(page), nid,
				    "taken on a CPU of node %d", nid);
	}
}

/*
 * With no mask, a take uses the nodes of the task: the KUnit thread has no
 * policy and may use both nodes, so a take that names node 0 gets node 1's
 * block when node 0 has none.
 */
static void pp_test_numa_take_task_nodes(struct kunit *test)
{
	struct pp_test_pool *tp;
	struct pp_test_blocks *b;
	struct page *page;

	pp_test_need_two_nodes(test);
#ifdef CONFIG_NUMA
	if (current->mempolicy)
		kunit_skip(test, "the KUnit thread has a memory policy");
#endif
	tp = pp_test_pool_create(test, 0);
	KUNIT_ASSERT_GT(test, tp->pool.nr_nodes, 1);
	b = pp_test_blocks_alloc(test, 1, 0, false, 1);
	pp_test_give_all(tp, b);

	page = drm_page_pool_take(&tp->pool, 0, NULL);
	KUNIT_ASSERT_NOT_NULL(test, page);
	b->page[0] = page;
	KUNIT_EXPECT_EQ(test, page_to_nid(page), 1);
}

/*
 * The task's own memory policy steers a take without a mask: the KUnit
 * thread bound to node 1 gets nothing from a pool holding node 0 only. The
 * policy lives on the stack and is installed only around the take.
 */
static void pp_test_numa_take_task_policy(struct kunit *test)
{
#ifdef CONFIG_NUMA
	struct mempolicy pol = {
		.mode = MPOL_BIND,
		.nodes = pp_test_mask(BIT(1)),
		.home_node = NUMA_NO_NODE,
	};
	struct mempolicy *old;
	struct pp_test_pool *tp;
	struct pp_test_blocks *b;
	struct page *page;

	pp_test_need_two_nodes(test);
	tp = pp_test_pool_create(test, 0);
	KUNIT_ASSERT_GT(test, tp->pool.nr_nodes, 1);
	b = pp_test_blocks_alloc(test, 1, 0, false, 0);
	pp_test_give_all(tp, b);

	/* Nothing between install and restore may abort the case */
	task_lock(current);
	old = current->mempolicy;
	current->mempolicy = &pol;
	task_unlock(current);
	page = drm_page_pool_take(&tp->pool, NUMA_NO_NODE, NULL);
	task_lock(current);
	current->mempolicy = old;
	task_unlock(current);

	KUNIT_EXPECT_NULL_MSG(test, page, "bound to node 1, got node %d",
			      page ? page_to_nid(page) : -1);
	if (page)
		b->page[0] = page;
	KUNIT_EXPECT_EQ(test, tp->pool.nodes[0].count, page ? 0 : 1);
#else
	pp_test_need_two_nodes(test);
	kunit_skip(test, "needs CONFIG_NUMA");
#endif
}

struct pp_test_policy_param {
	const char *desc;
	/* MPOL_DEFAULT: no policy */
	unsigned short mode;
	unsigned long nodes;
	int home;
	/* 0: no cpuset restriction */
	unsigned long mems;
	int nid;
	unsigned int n0, n1;
	/* the node of the block expected, -1 for a miss */
	int want;
};

#define NO NUMA_NO_NODE
static const struct pp_test_policy_param pp_test_policy_params[] = {
	{ "no policy, any cpuset", MPOL_DEFAULT, 0, NO, 0, NO, 1, 0, 0 },
	{ "bind 1, node 1 empty", MPOL_BIND, BIT(1), NO, 0, NO, 1, 0, -1 },
	{ "bind 1", MPOL_BIND, BIT(1), NO, 0, NO, 1, 1, 1 },
	{ "bind 0-1, home 1", MPOL_BIND, BIT(0) | BIT(1), 1, 0, NO, 1, 1, 1 },
	{ "bind 1 outside cpuset 0: ignored", MPOL_BIND, BIT(1), NO, BIT(0), NO,
	  1, 0, 0 },
	{ "cpuset 1, no policy", MPOL_DEFAULT, 0, NO, BIT(1), NO, 1, 0, -1 },
	{ "local, cpuset 1", MPOL_LOCAL, 0, NO, BIT(1), NO, 1, 0, -1 },
	{ "preferred 1", MPOL_PREFERRED, BIT(1), NO, 0, NO, 1, 0, -1 },
	{ "preferred 1, both", MPOL_PREFERRED, BIT(1), NO, 0, NO, 1, 1, 1 },
	{ "preferred-many 0-1, home 1", MPOL_PREFERRED_MANY, BIT(0) | BIT(1), 1,
	  0, NO, 1, 1, 1 },
	{ "interleave 1", MPOL_INTERLEAVE, BIT(1), NO, 0, NO, 1, 0, -1 },
	{ "weighted interleave 1", MPOL_WEIGHTED_INTERLEAVE, BIT(1), NO, 0, NO,
	  1, 0, -1 },
	{ "node 1 named, bind 0-1", MPOL_BIND, BIT(0) | BIT(1), NO, 0, 1, 1, 0,
	  0 },
	{ "node 0 named, bind 1", MPOL_BIND, BIT(1), NO, 0, 0, 1, 1, 1 },
};

#undef NO

KUNIT_ARRAY_PARAM_DESC(pp_test_policy, pp_test_policy_params, desc);

/*
 * A take without a mask honours the task's cpuset and memory policy as
 * alloc_pages() does (policies built on the stack, never installed).
 */
static void pp_test_numa_take_policy(struct kunit *test)
{
#ifdef CONFIG_NUMA
	const struct pp_test_policy_param *param = test->param_value;
	struct mempolicy pol = {
		.mode = param->mode,
		.nodes = pp_test_mask(param->nodes),
		.home_node = param->home,
	};
	nodemask_t mems = pp_test_mask(param->mems);
	struct pp_test_blocks *b0 = NULL, *b1 = NULL;
	struct pp_test_pool *tp;
	struct page *page;

	pp_test_need_two_nodes(test);
	tp = pp_test_pool_create(test, 0);
	KUNIT_ASSERT_GT(test, tp->pool.nr_nodes, 1);
	if (param->n0) {
		b0 = pp_test_blocks_alloc(test, param->n0, 0, false, 0);
		pp_test_give_all(tp, b0);
	}
	if (param->n1) {
		b1 = pp_test_blocks_alloc(test, param->n1, 0, false, 1);
		pp_test_give_all(tp, b1);
	}

	page = drm_page_pool_take_policy(&tp->pool, param->nid,
					 param->mode == MPOL_DEFAULT ? NULL : &pol,
					 param->mems ? &mems : NULL);
	if (param->want < 0) {
		KUNIT_EXPECT_NULL_MSG(test, page, "hit node %d",
				      page ? page_to_nid(page) : -1);
		if (page)
			drm_page_pool_give(&tp->pool, page);
		KUNIT_EXPECT_EQ(test, tp->pool.nodes[0].count, param->n0);
		KUNIT_EXPECT_EQ(test, tp->pool.nodes[1].count, param->n1);
		return;
	}
	KUNIT_ASSERT_NOT_NULL(test, page);
	if (page_to_nid(page) == 0 && b0)
		b0->page[0] = page;
	else if (b1)
		b1->page[0] = page;
	else
		b0->page[0] = page;
	KUNIT_EXPECT_EQ(test, page_to_nid(page), param->want);
#else
	pp_test_need_two_nodes(test);
	kunit_skip(test, "needs CONFIG_NUMA");
#endif
}

/* count and scan see only the node in sc->nid */
static void pp_test_numa_shrink_node(struct kunit *test)
{
	struct shrink_control sc = {
		.gfp_mask = GFP_KERNEL, .nid = 1, .nr_to_scan = 64,
	};
	struct pp_test_blocks *b0, *b1;
	struct pp_test_pool *tp;
	unsigned long base0, base1;

	pp_test_need_two_nodes(test);
	tp = pp_test_pool_create(test, 0);
	KUNIT_ASSERT_GT(test, tp->pool.nr_nodes, 1);
	b0 = pp_test_blocks_alloc(test, 5, 0, false, 0);
	b1 = pp_test_blocks_alloc(test, 3, 0, false, 1);
	base0 = pp_test_count(0) == SHRINK_EMPTY ? 0 : pp_test_count(0);
	base1 = pp_test_count(1) == SHRINK_EMPTY ? 0 : pp_test_count(1);
	pp_test_give_all(tp, b0);
	pp_test_give_all(tp, b1);

	KUNIT_EXPECT_EQ(test, pp_test_count(0), base0 + 5);
	KUNIT_EXPECT_EQ(test, pp_test_count(1), base1 + 3);

	KUNIT_EXPECT_EQ(test, pp_test_scan(&sc), base1 + 3);
	KUNIT_EXPECT_EQ(test, tp->pool.nodes[1].count, 0);
	KUNIT_EXPECT_EQ_MSG(test, tp->pool.nodes[0].count, 5,
			    "shrinking node 1 took blocks of node 0");
	KUNIT_EXPECT_EQ(test, pp_test_count(1), SHRINK_EMPTY);
}

/* NR_GPU_RECLAIM counts a pooled page on the node of the page */
static void pp_test_numa_reclaim_counter(struct kunit *test)
{
	struct shrink_control sc = {
		.gfp_mask = GFP_KERNEL, .nid = 0, .nr_to_scan = 64,
	};
	struct pp_test_blocks *b0, *b1;
	struct pp_test_pool *tp;
	long base0, base1;
	unsigned int i;

	pp_test_need_two_nodes(test);
	tp = pp_test_pool_create(test, 0);
	KUNIT_ASSERT_GT(test, tp->pool.nr_nodes, 1);
	b0 = pp_test_blocks_alloc(test, 5, 0, false, 0);
	b1 = pp_test_blocks_alloc(test, 3, 0, false, 1);
	base0 = pp_test_reclaim(0);
	base1 = pp_test_reclaim(1);

	pp_test_give_all(tp, b0);
	pp_test_give_all(tp, b1);
	KUNIT_EXPECT_EQ(test, pp_test_reclaim(0) - base0, 5);
	KUNIT_EXPECT_EQ(test, pp_test_reclaim(1) - base1, 3);

	/* Takes of node 1 leave node 0 alone */
	for (i = 0; i < 2; i++) {
		b1->page[i] = pp_test_take(tp, 1);
		KUNIT_ASSERT_NOT_NULL(test, b1->page[i]);
	}
	KUNIT_EXPECT_EQ(test, pp_test_reclaim(0) - base0, 5);
	KUNIT_EXPECT_EQ(test, pp_test_reclaim(1) - base1, 1);

	KUNIT_EXPECT_EQ(test, pp_test_scan(&sc), 5);
	KUNIT_EXPECT_EQ(test, pp_test_reclaim(0) - base0, 0);
	KUNIT_EXPECT_EQ(test, pp_test_reclaim(1) - base1, 1);

	pp_test_pool_fini(tp);
	KUNIT_EXPECT_EQ(test, pp_test_reclaim(0) - base0, 0);
	KUNIT_EXPECT_EQ(test, pp_test_reclaim(1) - base1, 0);
}

/* A kthread of the test, stopped at the end even if an assertion fails */
struct pp_test_thread {
	struct task_struct *task;
	struct kunit *test;
	struct pp_test_pool *tp;
	struct pp_test_pool *tp2;
	/* dirty blocks seen on take, blocks that could not be allocated */
	atomic_t *dirty;
	unsigned long loops;
	int nid;
};

static void pp_test_thread_stop(void *data)
{
	struct pp_test_thread *t = data;

	if (t->task) {
		kthread_stop_put(t->task);
		t->task = NULL;
	}
}

static void pp_test_thread_start(struct kunit *test, struct pp_test_thread *t,
				 int (*fn)(void *), const char *name)
{
	struct task_struct *task;
	int ret;

	task = kthread_run(fn, t, "%s", name);
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(task), "kthread %s: %ld", name,
			       PTR_ERR(task));
	get_task_struct(task);
	t->task = task;
	ret = kunit_add_action_or_reset(test, pp_test_thread_stop, t);
	KUNIT_ASSERT_EQ(test, ret, 0);
}

/* Take, check the block is clean, dirty it and give it back, over and over */
static int pp_test_worker(void *data)
{
	struct pp_test_thread *t = data;
	struct drm_page_pool *pool = &t->tp->pool;

	while (!kthread_should_stop()) {
		struct page *page = drm_page_pool_take(pool, NUMA_NO_NODE, NULL);
		unsigned int i;
		u64 *vaddr;

		if (!page) {
			page = alloc_pages(pp_test_gfp(pool->order, true) |
					   __GFP_ZERO, pool->order);
			if (!page) {
				cond_resched();
				continue;
			}
		}
		for (i = 0; i < (1U << pool->order); i++) {
			vaddr = kmap_local_page(page + i);
			if (vaddr[0] || vaddr[PAGE_SIZE / sizeof(u64) - 1])
				atomic_inc(t->dirty);
			vaddr[0] = ~0ULL;
			vaddr[PAGE_SIZE / sizeof(u64) - 1] = ~0ULL;
			kunmap_local(vaddr);
		}
		drm_page_pool_give(pool, page);
		t->loops++;
		cond_resched();
	}
	return 0;
}

/* Run the shrinker on every node in turn, as kswapd would */
static int pp_test_shrinker_thread(void *data)
{
	struct pp_test_thread *t = data;

	int nid = first_online_node;

	while (!kthread_should_stop()) {
		struct shrink_control sc = {
			.gfp_mask = GFP_KERNEL, .nid = nid, .nr_to_scan = 32,
		};

		pp_test_scan(&sc);
		nid = next_online_node(nid);
		if (nid >= MAX_NUMNODES)
			nid = first_online_node;
		t->loops++;
		cond_resched();
	}
	return 0;
}

/* Rounds of the churn thread, each with a pool of its own kept to the end */
#define PP_TEST_CHURN_ROUNDS	2048

/*
 * Create a pool, fill it a little and tear it down, while scans run. Each
 * round uses a pool structure of its own, never reused, so a hook that ran
 * after its pool's fini returned is counted in that pool's @late.
 */
static int pp_test_churn_thread(void *data)
{
	struct pp_test_thread *t = data;

	while (!kthread_should_stop()) {
		struct pp_test_pool *tp = &t->tp2[t->loops];
		unsigned int i;

		if (t->loops == PP_TEST_CHURN_ROUNDS - 1) {
			schedule_timeout_interruptible(1);
			continue;
		}
		if (drm_page_pool_init(&tp->pool, 0, &pp_test_ops))
			continue;
		for (i = 0; i < 8; i++) {
			struct page *page = alloc_page(GFP_KERNEL);

			if (page) {
				drm_page_pool_give(&tp->pool, page);
				tp->given++;
			}
		}
		pp_test_pool_fini(tp);
		t->loops++;
		cond_resched();
	}
	return 0;
}

/*
 * Takes, gives, shrinks and pool teardown on both CPUs at once, with a tight
 * limit: two workers share one pool, a third has its own of another order.
 * No block is ever handed out dirty, no hook runs after its pool's fini, no
 * counter drifts.
 */
static void pp_test_concurrent(struct kunit *test)
{
	struct pp_test_thread *w0, *w1, *w2, *s, *churn;
	struct pp_test_pool *p0, *p2, *tmp;
	unsigned long base = pp_test_pooled_pages();
	unsigned int i, late = 0;
	atomic_t *dirty;
	int ret;

	p0 = pp_test_pool_create(test, 0);
	p2 = pp_test_pool_create(test, 2);
	tmp = kvcalloc(PP_TEST_CHURN_ROUNDS, sizeof(*tmp), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, tmp);
	ret = kunit_add_action_or_reset(test, pp_test_kvfree_action, tmp);
	KUNIT_ASSERT_EQ(test, ret, 0);
	pp_test_set_limit(test, base + 4);

	/* Not on the stack: the threads outlive a failed assertion */
	dirty = kunit_kzalloc(test, sizeof(*dirty), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, dirty);
	w0 = kunit_kzalloc(test, sizeof(*w0), GFP_KERNEL);
	w1 = kunit_kzalloc(test, sizeof(*w1), GFP_KERNEL);
	w2 = kunit_kzalloc(test, sizeof(*w2), GFP_KERNEL);
	s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	churn = kunit_kzalloc(test, sizeof(*churn), GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, w0 && w1 && w2 && s && churn);
	w0->tp = p0;
	w1->tp = p2;
	w2->tp = p0;
	w0->dirty = dirty;
	w1->dirty = dirty;
	w2->dirty = dirty;
	churn->tp2 = tmp;

	pp_test_thread_start(test, w0, pp_test_worker, "pp_test_w0");
	pp_test_thread_start(test, w1, pp_test_worker, "pp_test_w1");
	pp_test_thread_start(test, w2, pp_test_worker, "pp_test_w2");
	pp_test_thread_start(test, s, pp_test_shrinker_thread, "pp_test_scan");
	pp_test_thread_start(test, churn, pp_test_churn_thread,
			     "pp_test_churn");
	msleep(2000);
	pp_test_thread_stop(churn);
	pp_test_thread_stop(s);
	pp_test_thread_stop(w2);
	pp_test_thread_stop(w1);
	pp_test_thread_stop(w0);

	kunit_info(test, "loops: w0 %lu w1 %lu w2 %lu scan %lu churn %lu\n",
		   w0->loops, w1->loops, w2->loops, s->loops, churn->loops);
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(dirty), 0,
			    "blocks handed out dirty");
	KUNIT_EXPECT_GT(test, w0->loops, 0);
	KUNIT_EXPECT_GT(test, w1->loops, 0);
	KUNIT_EXPECT_GT(test, w2->loops, 0);
	KUNIT_EXPECT_GT(test, s->loops, 0);
	KUNIT_EXPECT_GT(test, churn->loops, 0);
	/* Once the trim work is done, the limit holds */
	drm_page_pool_trim_flush();
	KUNIT_EXPECT_LE(test, pp_test_pooled_pages(), base + 4);
	for (i = 0; i < churn->loops; i++) {
		late += atomic_read(&tmp[i].late);
		KUNIT_EXPECT_EQ(test, atomic_read(&tmp[i].released),
				tmp[i].given);
	}
	KUNIT_EXPECT_EQ_MSG(test, late, 0, "hooks ran after their pool's fini");

	pp_test_pool_fini(p0);
	pp_test_pool_fini(p2);
	KUNIT_EXPECT_EQ(test, pp_test_pooled_pages(), base);
}

static int pp_test_scan_thread(void *data)
{
	struct pp_test_thread *t = data;
	struct shrink_control sc = {
		.gfp_mask = GFP_KERNEL, .nid = t->nid, .nr_to_scan = 1,
	};

	t->loops = pp_test_scan(&sc);
	return 0;
}

static int pp_test_fini_thread(void *data)
{
	struct pp_test_thread *t = data;

	pp_test_pool_fini(t->tp);
	return 0;
}

static void pp_test_let_go(void *data)
{
	complete_all(data);
}

/* A scan stuck in the release hook of a pool, and that pool's fini */
struct pp_test_stuck {
	struct pp_test_thread *scan, *fini;
	struct completion *let_go;
};

/*
 * Start a scan of node 0 that stops in the release hook of @tp (the first
 * pool it visits), then a fini of @tp in a thread of its own, which waits
 * behind the scan. Completing @st->let_go lets both go on; KUnit does it at
 * the end of the case, before it stops the threads.
 */
static void pp_test_stuck_fini(struct kunit *test, struct pp_test_pool *tp,
			       struct pp_test_stuck *st)
{
	struct completion *in_hook;
	int ret;

	in_hook = kunit_kzalloc(test, sizeof(*in_hook), GFP_KERNEL);
	st->let_go = kunit_kzalloc(test, sizeof(*st->let_go), GFP_KERNEL);
	st->scan = kunit_kzalloc(test, sizeof(*st->scan), GFP_KERNEL);
	st->fini = kunit_kzalloc(test, sizeof(*st->fini), GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, in_hook && st->let_go && st->scan && st->fini);
	init_completion(in_hook);
	init_completion(st->let_go);
	tp->in_hook = in_hook;
	tp->let_go = st->let_go;
	st->scan->nid = 0;
	st->fini->tp = tp;

	/* Each let-go action is registered after a thread's stop: runs first */
	pp_test_thread_start(test, st->scan, pp_test_scan_thread,
			     "pp_test_scan");
	ret = kunit_add_action_or_reset(test, pp_test_let_go, st->let_go);
	KUNIT_ASSERT_EQ(test, ret, 0);
	KUNIT_ASSERT_NE_MSG(test, wait_for_completion_timeout(in_hook, 10 * HZ),
			    0, "the scan never reached the release hook");

	pp_test_thread_start(test, st->fini, pp_test_fini_thread,
			     "pp_test_fini");
	ret = kunit_add_action_or_reset(test, pp_test_let_go, st->let_go);
	KUNIT_ASSERT_EQ(test, ret, 0);
}

/* Let the scan and the fini of pp_test_stuck_fini() finish */
static void pp_test_stuck_release(struct pp_test_stuck *st)
{
	complete_all(st->let_go);
	pp_test_thread_stop(st->fini);
	pp_test_thread_stop(st->scan);
}

/*
 * drm_page_pool_fini() waits for a scan that is releasing a block of the
 * pool, and the hook never runs once it returned (R4).
 */
static void pp_test_fini_during_scan(struct kunit *test)
{
	struct pp_test_pool *tp = pp_test_pool_create(test, 0);
	struct pp_test_blocks *b = pp_test_blocks_alloc(test, 2, 0, false, 0);
	struct pp_test_stuck st;

	pp_test_give_all(tp, b);
	pp_test_stuck_fini(test, tp, &st);
	msleep(200);
	KUNIT_EXPECT_FALSE_MSG(test, READ_ONCE(tp->dead),
			       "fini returned while the scan was in the hook");
	/* A fini that did not wait would be in the hook for the other block */
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&tp->entered), 1,
			    "fini released a block while the scan was in the hook");

	pp_test_stuck_release(&st);
	KUNIT_EXPECT_TRUE(test, READ_ONCE(tp->dead));
	KUNIT_EXPECT_EQ(test, st.scan->loops, 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&tp->released), 2);
	KUNIT_EXPECT_EQ(test, atomic_read(&tp->late), 0);
}

/*
 * A pool being torn down stops counting against the limits when fini
 * unlinks it: while its fini waits for a scan stuck in its hook, a give to
 * a live pool does not trim that pool for the dying pool's pages.
 */
static void pp_test_dying_pool_not_counted(struct kunit *test)
{
	struct pp_test_pool *dying = pp_test_pool_create(test, 0);
	struct pp_test_pool *live = pp_test_pool_create(test, 0);
	struct pp_test_blocks *bd = pp_test_blocks_alloc(test, 64, 0, false, 0);
	struct pp_test_blocks *bl = pp_test_blocks_alloc(test, 8, 0, false, 0);
	struct pp_test_blocks *c = pp_test_blocks_alloc(test, 3, 0, false, 0);
	unsigned long base = pp_test_pooled_pages();
	struct pp_test_stuck st;
	unsigned long timeout;

	pp_test_give_all(dying, bd);
	pp_test_give_all(live, bl);
	pp_test_set_limit(test, base + 64 + 8);

	/* The scan visits the pool created first: it stops in its hook */
	pp_test_stuck_fini(test, dying, &st);
	timeout = jiffies + 10 * HZ;
	while (!list_empty_careful(&dying->pool.link) &&
	       time_before(jiffies, timeout))
		msleep(20);
	KUNIT_ASSERT_TRUE_MSG(test, list_empty_careful(&dying->pool.link),
			      "fini never unlinked the pool");
	KUNIT_EXPECT_EQ(test, pp_test_pooled_pages(), base + 8);

	/* Under the limit without the dying pool's 63 blocks, over with them */
	pp_test_give_all(live, c);
	drm_page_pool_trim_flush();
	KUNIT_EXPECT_EQ(test, atomic_read(&live->released), 0);
	KUNIT_EXPECT_EQ(test, live->pool.count, 8 + 3);

	pp_test_stuck_release(&st);
	KUNIT_EXPECT_EQ(test, atomic_read(&dying->released), 64);
	KUNIT_EXPECT_EQ(test, atomic_read(&dying->late), 0);
	KUNIT_EXPECT_EQ(test, pp_test_pooled_pages(), base + 8 + 3);
}

#if IS_ENABLED(CONFIG_DRM_PAGE_POOL_PERF_KUNIT_TEST)
/* Performance: medians over batches, against the buddy allocator */

#define PP_PERF_BATCHES	15

/* The core's own release, __free_pages(), as the system heap will use */
static const struct drm_page_pool_ops pp_perf_ops = {
	.name = "kunit-perf",
};

static int pp_perf_cmp(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

static u64 pp_perf_median(u64 *v, unsigned int n)
{
	sort(v, n, sizeof(*v), pp_perf_cmp, NULL);
	return v[n / 2];
}

/* "a/b" as a decimal with two digits, for the table */
static void pp_perf_ratio(char *buf, size_t len, u64 a, u64 b)
{
	u64 r = b ? div64_u64(a * 100, b) : 0;
	u32 rem;
	u64 whole = div_u64_rem(r, 100, &rem);

	snprintf(buf, len, "%llu.%02u", whole, rem);
}

/* ns per block since @t0 for a loop over @n blocks; u64 division for i386 */
static u64 pp_perf_per_block(u64 t0, unsigned int n)
{
	return div_u64(ktime_get_ns() - t0, n);
}

enum pp_perf_op {
	PP_ALLOC, PP_FREE, PP_CLEAR, PP_GIVE, PP_TAKE, PP_CYCLE,
	PP_BUDDY_CYCLE, PP_CLEAR_AA, PP_FREE_AA, PP_NR_OPS,
};

/*
 * Allocate the blocks of @b zeroed, then clear and free them again, timing
 * each step into @ns at @alloc, @clear and @free (PP_NR_OPS: not timed)
 */
static void pp_perf_buddy(struct kunit *test, struct pp_test_blocks *b,
			  u64 *ns, enum pp_perf_op alloc,
			  enum pp_perf_op clear, enum pp_perf_op free)
{
	gfp_t gfp = pp_test_gfp(b->order, true) | __GFP_ZERO;
	unsigned int i, j;
	u64 t;

	t = ktime_get_ns();
	for (i = 0; i < b->n; i++)
		b->page[i] = alloc_pages(gfp, b->order);
	if (alloc != PP_NR_OPS)
		ns[alloc] = pp_perf_per_block(t, b->n);
	for (i = 0; i < b->n; i++)
		KUNIT_ASSERT_NOT_NULL(test, b->page[i]);

	t = ktime_get_ns();
	for (i = 0; i < b->n; i++)
		for (j = 0; j < (1U << b->order); j++)
			clear_highpage(b->page[i] + j);
	ns[clear] = pp_perf_per_block(t, b->n);

	t = ktime_get_ns();
	for (i = 0; i < b->n; i++) {
		__free_pages(b->page[i], b->order);
		b->page[i] = NULL;
	}
	ns[free] = pp_perf_per_block(t, b->n);
}

/* One batch of every operation on the blocks of @b; ns per block into @ns */
static void pp_perf_batch(struct kunit *test, struct pp_test_pool *tp,
			  struct pp_test_blocks *b, u64 *ns)
{
	unsigned int order = tp->pool.order, n = b->n;
	gfp_t gfp = pp_test_gfp(order, true);
	struct page **blk = b->page;
	struct page *page;
	unsigned int i;
	u64 t;

	/* The buddy allocator's clear+free twice: A/A, the noise floor */
	pp_perf_buddy(test, b, ns, PP_ALLOC, PP_CLEAR, PP_FREE);
	pp_perf_buddy(test, b, ns, PP_NR_OPS, PP_CLEAR_AA, PP_FREE_AA);

	for (i = 0; i < n; i++) {
		blk[i] = alloc_pages(gfp, order);
		KUNIT_ASSERT_NOT_NULL(test, blk[i]);
	}
	t = ktime_get_ns();
	for (i = 0; i < n; i++) {
		drm_page_pool_give(&tp->pool, blk[i]);
		blk[i] = NULL;
	}
	ns[PP_GIVE] = pp_perf_per_block(t, n);

	t = ktime_get_ns();
	for (i = 0; i < n; i++)
		blk[i] = drm_page_pool_take(&tp->pool, NUMA_NO_NODE, NULL);
	ns[PP_TAKE] = pp_perf_per_block(t, n);
	for (i = 0; i < n; i++)
		KUNIT_ASSERT_NOT_NULL_MSG(test, blk[i], "warm take %u missed", i);

	/* Warm pool again, then take and give back one block at a time */
	for (i = 0; i < n; i++) {
		drm_page_pool_give(&tp->pool, blk[i]);
		blk[i] = NULL;
	}
	t = ktime_get_ns();
	for (i = 0; i < n; i++) {
		page = drm_page_pool_take(&tp->pool, NUMA_NO_NODE, NULL);
		if (!page)
			break;
		drm_page_pool_give(&tp->pool, page);
	}
	ns[PP_CYCLE] = pp_perf_per_block(t, n);

	t = ktime_get_ns();
	for (i = 0; i < n; i++) {
		page = alloc_pages(gfp | __GFP_ZERO, order);
		if (!page)
			break;
		__free_pages(page, order);
	}
	ns[PP_BUDDY_CYCLE] = pp_perf_per_block(t, n);
	KUNIT_EXPECT_EQ_MSG(test, i, n, "buddy cycle: allocation %u failed", i);

	/* Leave the pool empty, so every batch starts alike */
	for (i = 0; i < n; i++) {
		page = drm_page_pool_take(&tp->pool, NUMA_NO_NODE, NULL);
		if (page)
			__free_pages(page, order);
	}
}

/*
 * ns per block of warm take, give (zeroing included) and take+give, beside
 * alloc_pages(__GFP_ZERO), clear_page() and __free_pages() of the same
 * order, in the same boot. clear+free is timed twice in each batch: the
 * ratio of the two (A/A) is the noise floor of the give's ratio.
 */
static void pp_test_perf_ops(struct kunit *test)
{
	static const unsigned int orders[] = { 0, 4, 8 };
	static const unsigned int batch[] = { 1024, 128, 16 };
	u64 (*ns)[PP_NR_OPS];
	u64 med[PP_NR_OPS];
	unsigned int k, op, b;

	ns = kunit_kcalloc(test, PP_PERF_BATCHES, sizeof(*ns), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ns);

	kunit_info(test, "order   alloc+zero    free   clear    give    take   cycle  buddy-cycle  clear-aa  free-aa  take/alloc  give/(clear+free)  cycle/buddy  a/a\n");
	for (k = 0; k < ARRAY_SIZE(orders); k++) {
		struct pp_test_pool *tp = pp_test_pool_create_ops(test, orders[k],
								  &pp_perf_ops);
		struct pp_test_blocks *blocks;
		char r1[24], r2[24], r3[24], r4[24];
		u64 v[PP_PERF_BATCHES];

		blocks = pp_test_blocks_array(test, batch[k], orders[k]);
		for (b = 0; b < PP_PERF_BATCHES; b++)
			pp_perf_batch(test, tp, blocks, ns[b]);
		for (op = 0; op < PP_NR_OPS; op++) {
			for (b = 0; b < PP_PERF_BATCHES; b++)
				v[b] = ns[b][op];
			med[op] = pp_perf_median(v, PP_PERF_BATCHES);
		}
		pp_perf_ratio(r1, sizeof(r1), med[PP_TAKE], med[PP_ALLOC]);
		pp_perf_ratio(r2, sizeof(r2), med[PP_GIVE],
			      med[PP_CLEAR] + med[PP_FREE]);
		pp_perf_ratio(r3, sizeof(r3), med[PP_CYCLE],
			      med[PP_BUDDY_CYCLE]);
		pp_perf_ratio(r4, sizeof(r4), med[PP_CLEAR_AA] + med[PP_FREE_AA],
			      med[PP_CLEAR] + med[PP_FREE]);
		kunit_info(test, "%5u %12llu %7llu %7llu %7llu %7llu %7llu %12llu %9llu %8llu %11s %18s %12s %4s\n",
			   orders[k], med[PP_ALLOC], med[PP_FREE],
			   med[PP_CLEAR], med[PP_GIVE], med[PP_TAKE],
			   med[PP_CYCLE], med[PP_BUDDY_CYCLE],
			   med[PP_CLEAR_AA], med[PP_FREE_AA], r1, r2, r3, r4);

		KUNIT_EXPECT_EQ_MSG(test, tp->pool.misses, 0,
				    "order %u: a warm take missed", orders[k]);
		pp_test_pool_fini(tp);
	}
}

#define PP_DRAIN_REPS	5

/* Time to drain 64 MiB from a pool through the shrinker, as kswapd would */
static u64 pp_perf_drain(struct kunit *test, struct pp_test_pool *tp,
			 unsigned int n)
{
	struct shrink_control sc = { .gfp_mask = GFP_KERNEL };
	unsigned long freed = 0;
	u64 t;
	int nid;

	t = ktime_get_ns();
	fs_reclaim_acquire(GFP_KERNEL);
	for_each_online_node(nid) {
		sc.nid = nid;
		for (;;) {
			sc.nr_to_scan = 128;
			if (drm_page_pool_shrinker_scan(NULL, &sc) == SHRINK_STOP)
				break;
			freed += sc.nr_scanned;
		}
	}
	fs_reclaim_release(GFP_KERNEL);
	t = ktime_get_ns() - t;

	KUNIT_EXPECT_EQ(test, freed, (unsigned long)n << tp->pool.order);
	return t;
}

/* ns to __free_pages() the @n blocks of @order of a fresh allocation */
static u64 pp_perf_free_fresh(struct kunit *test, unsigned int n,
			      unsigned int order)
{
	struct pp_test_blocks *b;
	unsigned int i;
	u64 t;

	b = pp_test_blocks_alloc(test, n, order, true, NUMA_NO_NODE);
	t = ktime_get_ns();
	for (i = 0; i < n; i++) {
		__free_pages(b->page[i], order);
		b->page[i] = NULL;
	}
	return ktime_get_ns() - t;
}

/*
 * ns to drain 64 MiB of pooled blocks through the shrinker, beside
 * __free_pages() of the same number of blocks, timed twice: the ratio of
 * the two (A/A) is the noise floor of the drain's ratio.
 */
static void pp_test_perf_drain(struct kunit *test)
{
	static const unsigned int orders[] = { 0, 4, 8 };
	unsigned int k, r;

	kunit_info(test, "order   shrinker-drain-ns   free-ns  free-aa-ns  drain/free  a/a (64 MiB, median of 5)\n");
	for (k = 0; k < ARRAY_SIZE(orders); k++) {
		unsigned int order = orders[k];
		unsigned int n = (SZ_64M >> PAGE_SHIFT) >> order;
		struct pp_test_pool *tp = pp_test_pool_create_ops(test, order,
								  &pp_perf_ops);
		u64 drain[PP_DRAIN_REPS], freeing[PP_DRAIN_REPS];
		u64 freeing_aa[PP_DRAIN_REPS], md, mf, ma;
		char ratio[24], aa[24];

		for (r = 0; r < PP_DRAIN_REPS; r++) {
			struct pp_test_blocks *b;

			freeing[r] = pp_perf_free_fresh(test, n, order);
			freeing_aa[r] = pp_perf_free_fresh(test, n, order);
			b = pp_test_blocks_alloc(test, n, order, true,
						 NUMA_NO_NODE);
			pp_test_give_all(tp, b);
			drain[r] = pp_perf_drain(test, tp, n);
		}
		md = pp_perf_median(drain, PP_DRAIN_REPS);
		mf = pp_perf_median(freeing, PP_DRAIN_REPS);
		ma = pp_perf_median(freeing_aa, PP_DRAIN_REPS);
		pp_perf_ratio(ratio, sizeof(ratio), md, mf);
		pp_perf_ratio(aa, sizeof(aa), ma, mf);
		kunit_info(test, "%5u %19llu %9llu %11llu %11s %4s\n", order, md,
			   mf, ma, ratio, aa);
		pp_test_pool_fini(tp);
	}
}

/* Slow under emulation: only with CONFIG_DRM_PAGE_POOL_PERF_KUNIT_TEST */
static struct kunit_case drm_page_pool_perf_tests[] = {
	KUNIT_CASE_SLOW(pp_test_perf_ops),
	KUNIT_CASE_SLOW(pp_test_perf_drain),
	{}
};

static struct kunit_suite drm_page_pool_perf_test_suite = {
	.name = "drm_page_pool_perf",
	.init = pp_test_init,
	.test_cases = drm_page_pool_perf_tests,
};

kunit_test_suite(drm_page_pool_perf_test_suite);
#endif

static struct kunit_case drm_page_pool_tests[] = {
	KUNIT_CASE_PARAM(pp_test_take_give, pp_test_orders_gen_params),
	KUNIT_CASE_PARAM(pp_test_zeroed, pp_test_orders_gen_params),
	KUNIT_CASE(pp_test_take_does_not_clear),
	KUNIT_CASE(pp_test_take_allowed),
	KUNIT_CASE(pp_test_release_once),
	KUNIT_CASE(pp_test_fini_tolerant),
	KUNIT_CASE(pp_test_init_without_memory),
	KUNIT_CASE(pp_test_limit_idle_first),
	KUNIT_CASE(pp_test_limit_oldest_first),
	KUNIT_CASE(pp_test_limit_in_use_last),
	KUNIT_CASE(pp_test_limit_write_trims),
	KUNIT_CASE(pp_test_limit_zero_runtime),
	KUNIT_CASE(pp_test_reclaim_counter),
	KUNIT_CASE(pp_test_reclaim_counter_large),
	KUNIT_CASE(pp_test_count_node_direct),
	KUNIT_CASE(pp_test_group_limit),
	KUNIT_CASE(pp_test_give_trims_one_batch),
	KUNIT_CASE(pp_test_give_large_block),
	KUNIT_CASE(pp_test_give_over_both_limits),
	KUNIT_CASE(pp_test_fini_reschedules),
	KUNIT_CASE(pp_test_shrinker_reports_reclaimed),
	KUNIT_CASE(pp_test_count_notes_reclaim),
	KUNIT_CASE(pp_test_shrinker_contract),
	KUNIT_CASE(pp_test_shrinker_high_order),
	KUNIT_CASE(pp_test_shrinker_fair),
	KUNIT_CASE(pp_test_shrinker_drop_slab),
	KUNIT_CASE(pp_test_debugfs_counts),
	KUNIT_CASE(pp_test_debugfs_group),
	KUNIT_CASE(pp_test_debugfs_pools_group),
	KUNIT_CASE(pp_test_debugfs_owner),
	KUNIT_CASE(pp_test_group_reap),
	KUNIT_CASE(pp_test_fini_during_scan),
	KUNIT_CASE(pp_test_dying_pool_not_counted),
	KUNIT_CASE_SLOW(pp_test_concurrent),
	{}
};

static struct kunit_suite drm_page_pool_test_suite = {
	.name = "drm_page_pool",
	.init = pp_test_init,
	.test_cases = drm_page_pool_tests,
};

/* Cases that need a guest with two memory nodes, in a suite of their own */
static struct kunit_case drm_page_pool_numa_tests[] = {
	KUNIT_CASE(pp_test_numa_drop_slab),
	KUNIT_CASE(pp_test_numa_take_node),
	KUNIT_CASE(pp_test_numa_take_allowed_only),
	KUNIT_CASE(pp_test_numa_take_node_then_allowed),
	KUNIT_CASE(pp_test_numa_take_local_first),
	KUNIT_CASE(pp_test_numa_take_task_nodes),
	KUNIT_CASE(pp_test_numa_take_task_policy),
	KUNIT_CASE_PARAM(pp_test_numa_take_policy, pp_test_policy_gen_params),
	KUNIT_CASE(pp_test_numa_shrink_node),
	KUNIT_CASE(pp_test_numa_reclaim_counter),
	{}
};

static struct kunit_suite drm_page_pool_numa_test_suite = {
	.name = "drm_page_pool_numa",
	.init = pp_test_init,
	.test_cases = drm_page_pool_numa_tests,
};

kunit_test_suites(&drm_page_pool_test_suite, &drm_page_pool_numa_test_suite);

MODULE_DESCRIPTION("KUnit tests for the shared GPU page pool");
MODULE_LICENSE("Dual MIT/GPL");
