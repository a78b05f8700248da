// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the dma-buf system heap, drivers/dma-buf/heaps/system_heap.c.
 *
 * How the tests know they are right: each case makes its own instance of
 * the heap, with its own pools and deferred-free list, and never registers
 * it, so nothing else allocates from or frees into those pools. A freed
 * buffer is waited for until the list's statistics count it as freed.
 * Which blocks a buffer got is read from its sg_table; whether they went to
 * a pool is seen in the pool core's block count of each pool (the buddy
 * allocator, too, hands freed pages out again first, so getting the same
 * blocks back proves nothing on its own), and that a pool is empty by
 * taking from it with drm_page_pool_take(). Failures are injected with
 * KUnit static stubs on the heap's page allocation and registration
 * functions; the allocation stub takes an extra reference on every block
 * it hands out, so that the test can tell whether the heap dropped its own.
 */

#include <linux/delay.h>
#include <linux/dma-buf.h>
#include <linux/err.h>
#include <linux/highmem.h>
#include <linux/jiffies.h>
#include <linux/mm.h>
#include <linux/nodemask.h>
#include <linux/scatterlist.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

#include <kunit/static_stub.h>
#include <kunit/test.h>

#include <drm/drm_page_pool.h>

#include "../system_heap.h"

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

/* The order table of the heap, largest first */
static const unsigned int sh_test_orders[SYSTEM_HEAP_NUM_ORDERS] = {8, 4, 0};

/* A length that needs one block of each order, and one more page */
#define SH_TEST_LEN	(SZ_1M + SZ_64K + 2 * PAGE_SIZE)
#define SH_TEST_BLOCKS	4

/* The blocks of a buffer, as its sg_table lists them */
struct sh_test_blocks {
	unsigned int n;
	struct page *page[SH_TEST_BLOCKS];
	unsigned int order[SH_TEST_BLOCKS];
};

/* Blocks the allocation stub handed out, each with a reference of ours */
struct sh_test_stub {
	/* calls that succeed before every further call fails */
	unsigned int succeed;
	unsigned int calls;
	/* calls that allowed direct reclaim */
	unsigned int reclaim_calls;
	unsigned int n;
	struct page *page[SH_TEST_BLOCKS];
};

KUNIT_DEFINE_ACTION_WRAPPER(sh_test_fini_action, system_heap_fini,
			    struct system_heap *);

/* An unregistered heap of the test, torn down at its end */
static struct system_heap *sh_test_heap(struct kunit *test)
{
	struct system_heap *sys;
	int ret;

	sys = kunit_kzalloc(test, sizeof(*sys), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, sys);
	ret = system_heap_init(sys, "kunit");
	KUNIT_ASSERT_EQ(test, ret, 0);
	ret = kunit_add_action_or_reset(test, sh_test_fini_action, sys);
	KUNIT_ASSERT_EQ(test, ret, 0);

	return sys;
}

/* What the list's kthread or shrinker does with a queued buffer, at once */
static void sh_test_deferred_free_all(struct system_heap_buffer *buffer,
				      enum deferred_free_reason reason)
{
	unsigned long n = ULONG_MAX;

	system_heap_deferred_free(&buffer->sys->deferred, &buffer->deferred,
				  reason, &n);
}

/* Release @buffer as closing its dma-buf does: the release of its ops */
static void sh_test_release(struct system_heap_buffer *buffer)
{
	struct dma_buf dmabuf = { .priv = buffer };

	system_heap_buf_ops_of(buffer)->release(&dmabuf);
}

KUNIT_DEFINE_ACTION_WRAPPER(sh_test_free_action, sh_test_release,
			    struct system_heap_buffer *);

/* Allocate @len from @sys; the buffer is freed at the end of the test */
static struct system_heap_buffer *sh_test_alloc(struct kunit *test,
						struct system_heap *sys,
						unsigned long len)
{
	struct system_heap_buffer *buffer;
	int ret;

	buffer = system_heap_alloc_buffer(sys, len);
	KUNIT_ASSERT_NOT_ERR_OR_NULL_MSG(test, buffer, "allocating %lu bytes",
					 len);
	ret = kunit_add_action_or_reset(test, sh_test_free_action, buffer);
	KUNIT_ASSERT_EQ(test, ret, 0);

	return buffer;
}

/* The statistics of the deferred-free list of @sys */
static struct deferred_free_stats sh_test_stats(struct system_heap *sys)
{
	struct deferred_free_stats stats;

	spin_lock(&sys->deferred.lock);
	stats = sys->deferred.stats;
	spin_unlock(&sys->deferred.lock);

	return stats;
}

/* Items the deferred-free list of @sys freed, by the kthread or not */
static unsigned long sh_test_deferred_done(struct system_heap *sys)
{
	struct deferred_free_stats stats = sh_test_stats(sys);

	return stats.freed_items + stats.shrunk_items;
}

/*
 * Free @buffer as the release of its dma-buf does, and wait until the
 * deferred-free list is done with it.
 */
static void sh_test_free(struct kunit *test,
			 struct system_heap_buffer *buffer)
{
	struct system_heap *sys = buffer->sys;
	unsigned long done = sh_test_deferred_done(sys);
	unsigned long timeout = jiffies + 30 * HZ;

	kunit_release_action(test, sh_test_free_action, buffer);
	while (sh_test_deferred_done(sys) == done) {
		KUNIT_ASSERT_TRUE_MSG(test, time_before(jiffies, timeout),
				      "the deferred-free kthread never freed the buffer");
		msleep(20);
	}
}

/* Record the blocks of @buffer, and check they add up to its length */
static void sh_test_get_blocks(struct kunit *test,
			       struct system_heap_buffer *buffer,
			       struct sh_test_blocks *blocks)
{
	unsigned long len = 0;
	struct scatterlist *sg;
	int i;

	memset(blocks, 0, sizeof(*blocks));
	for_each_sgtable_sg(&buffer->sg_table, sg, i) {
		KUNIT_ASSERT_LT(test, blocks->n, SH_TEST_BLOCKS);
		blocks->page[blocks->n] = sg_page(sg);
		blocks->order[blocks->n] = get_order(sg->length);
		KUNIT_EXPECT_EQ_MSG(test, sg->length,
				    page_size(sg_page(sg)),
				    "entry %d is not one whole block", i);
		len += sg->length;
		blocks->n++;
	}
	KUNIT_EXPECT_EQ(test, len, buffer->len);
}

/* Every byte of @buffer reads as @c; report the first page that does not */
static void sh_test_expect_filled(struct kunit *test,
				  struct system_heap_buffer *buffer, u8 c)
{
	unsigned long n = 0, bad_pages = 0, first = 0;
	struct sg_page_iter piter;
	ptrdiff_t offset = 0;
	u8 value = 0;

	for_each_sgtable_page(&buffer->sg_table, &piter, 0) {
		u8 *vaddr = kmap_local_page(sg_page_iter_page(&piter));
		u8 *bad = memchr_inv(vaddr, c, PAGE_SIZE);

		if (bad && !bad_pages++) {
			first = n;
			offset = bad - vaddr;
			value = *bad;
		}
		kunmap_local(vaddr);
		n++;
	}
	KUNIT_EXPECT_EQ_MSG(test, bad_pages, 0,
			    "%lu of %lu pages not all %#x; first: page %lu, byte %td is %#x",
			    bad_pages, n, c, first, offset, value);
}

static void sh_test_fill(struct system_heap_buffer *buffer, u8 c)
{
	struct sg_page_iter piter;

	for_each_sgtable_page(&buffer->sg_table, &piter, 0) {
		u8 *vaddr = kmap_local_page(sg_page_iter_page(&piter));

		memset(vaddr, c, PAGE_SIZE);
		kunmap_local(vaddr);
	}
}

/* A buffer of SH_TEST_LEN got one block of each order, largest first */
static void sh_test_expect_orders(struct kunit *test,
				  const struct sh_test_blocks *blocks)
{
	static const unsigned int want[SH_TEST_BLOCKS] = {8, 4, 0, 0};
	unsigned int i;

	KUNIT_ASSERT_EQ(test, blocks->n, SH_TEST_BLOCKS);
	for (i = 0; i < SH_TEST_BLOCKS; i++)
		KUNIT_EXPECT_EQ_MSG(test, blocks->order[i], want[i],
				    "order of block %u", i);
}

/* Whether @page is among the blocks of @blocks */
static bool sh_test_has_block(const struct sh_test_blocks *blocks,
			      struct page *page)
{
	unsigned int i;

	for (i = 0; i < blocks->n; i++)
		if (blocks->page[i] == page)
			return true;

	return false;
}

/*
 * The pools of @sys hold as many blocks as a freed buffer of SH_TEST_LEN
 * gave them, one of order 8, one of order 4, two of order 0; or none. The
 * counts are the pool core's, read without taking anything out.
 */
static void sh_test_expect_pooled(struct kunit *test, struct system_heap *sys,
				  bool full)
{
	static const unsigned long want[SYSTEM_HEAP_NUM_ORDERS] = {1, 1, 2};
	unsigned int i;

	for (i = 0; i < SYSTEM_HEAP_NUM_ORDERS; i++) {
		unsigned long count = READ_ONCE(sys->pools[i].count);

		KUNIT_EXPECT_EQ_MSG(test, count, full ? want[i] : 0,
				    "blocks in the pool of order %u",
				    sh_test_orders[i]);
	}
}

/* Each pool of @sys is empty: a take finds nothing */
static void sh_test_expect_pools_empty(struct kunit *test,
				       struct system_heap *sys)
{
	unsigned int i;

	for (i = 0; i < SYSTEM_HEAP_NUM_ORDERS; i++) {
		struct page *page = drm_page_pool_take(&sys->pools[i],
						       NUMA_NO_NODE,
						       &node_possible_map);

		KUNIT_EXPECT_NULL_MSG(test, page, "pool of order %u not empty",
				      sh_test_orders[i]);
		if (page)
			__free_pages(page, sh_test_orders[i]);
	}
}

/*
 * A buffer is made of the largest blocks that fit, from the system while
 * the pools are empty, all zeroed. Freed, its blocks go to the pools of
 * their orders, and the next buffer of the same length gets the very same
 * blocks back from them, leaving the pools empty.
 */
static void sh_test_alloc_free_through_pools(struct kunit *test)
{
	struct system_heap *sys = sh_test_heap(test);
	struct sh_test_blocks first, again;
	struct system_heap_buffer *buffer;
	unsigned int i;

	buffer = sh_test_alloc(test, sys, SH_TEST_LEN);
	sh_test_get_blocks(test, buffer, &first);
	sh_test_expect_orders(test, &first);
	sh_test_expect_filled(test, buffer, 0);
	sh_test_expect_pooled(test, sys, false);
	sh_test_free(test, buffer);
	sh_test_expect_pooled(test, sys, true);

	buffer = sh_test_alloc(test, sys, SH_TEST_LEN);
	sh_test_get_blocks(test, buffer, &again);
	sh_test_expect_orders(test, &again);
	sh_test_expect_pooled(test, sys, false);
	for (i = 0; i < again.n; i++)
		KUNIT_EXPECT_TRUE_MSG(test,
				      sh_test_has_block(&first, again.page[i]),
				      "block %u (order %u) not from a pool", i,
				      again.order[i]);
	sh_test_expect_filled(test, buffer, 0);
	sh_test_expect_pools_empty(test, sys);
}

/*
 * What a user wrote never reaches the next user: a buffer filled with a
 * pattern and freed goes to the pools and comes back, block for block,
 * zeroed.
 */
static void sh_test_freed_pattern_comes_back_zeroed(struct kunit *test)
{
	struct system_heap *sys = sh_test_heap(test);
	struct deferred_free_stats stats;
	struct sh_test_blocks first, again;
	struct system_heap_buffer *buffer;
	unsigned int i;

	buffer = sh_test_alloc(test, sys, SH_TEST_LEN);
	sh_test_get_blocks(test, buffer, &first);
	sh_test_fill(buffer, 0xa5);
	sh_test_expect_filled(test, buffer, 0xa5);
	sh_test_free(test, buffer);
	/* Zeroed by the kthread, not on the path of the caller */
	stats = sh_test_stats(sys);
	KUNIT_EXPECT_EQ(test, stats.freed_items, 1);
	KUNIT_EXPECT_EQ(test, stats.shrunk_items, 0);
	sh_test_expect_pooled(test, sys, true);

	buffer = sh_test_alloc(test, sys, SH_TEST_LEN);
	sh_test_get_blocks(test, buffer, &again);
	KUNIT_ASSERT_EQ(test, again.n, first.n);
	for (i = 0; i < again.n; i++)
		KUNIT_ASSERT_TRUE_MSG(test,
				      sh_test_has_block(&first, again.page[i]),
				      "block %u not reused: nothing to check", i);
	sh_test_expect_filled(test, buffer, 0);
}

/* Hand out real blocks until @succeed calls were served, then fail */
static struct page *sh_test_alloc_pages_stub(gfp_t gfp, unsigned int order)
{
	struct kunit *test = kunit_get_current_test();
	struct sh_test_stub *stub = test->priv;
	struct page *page;

	stub->calls++;
	if (gfp & __GFP_DIRECT_RECLAIM)
		stub->reclaim_calls++;
	if (stub->calls > stub->succeed || stub->n >= SH_TEST_BLOCKS)
		return NULL;

	page = alloc_pages(gfp, order);
	if (page) {
		get_page(page);
		stub->page[stub->n++] = page;
	}

	return page;
}

/* Drop the test's references on the blocks the stub handed out */
static void sh_test_stub_put(void *data)
{
	struct sh_test_stub *stub = data;
	unsigned int i;

	for (i = 0; i < stub->n; i++)
		put_page(stub->page[i]);
}

static struct sh_test_stub *sh_test_stub_activate(struct kunit *test,
						  unsigned int succeed)
{
	struct sh_test_stub *stub;
	int ret;

	stub = kunit_kzalloc(test, sizeof(*stub), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, stub);
	stub->succeed = succeed;
	ret = kunit_add_action_or_reset(test, sh_test_stub_put, stub);
	KUNIT_ASSERT_EQ(test, ret, 0);
	test->priv = stub;
	kunit_activate_static_stub(test, system_heap_alloc_pages,
				   sh_test_alloc_pages_stub);

	return stub;
}

/*
 * An allocation that runs out of memory half way fails with -ENOMEM and
 * hands every block it took back to the system: the test's reference is
 * the last one left on each, and none went into a pool (blocks nobody saw
 * are not zeroed again).
 */
static void sh_test_alloc_failure_frees_blocks(struct kunit *test)
{
	struct system_heap *sys = sh_test_heap(test);
	struct system_heap_buffer *buffer;
	struct sh_test_stub *stub;
	unsigned int i;

	/* Orders 8, 4 and 0 succeed, the last page fails, and nothing else */
	stub = sh_test_stub_activate(test, 3);
	buffer = system_heap_alloc_buffer(sys, SH_TEST_LEN);
	kunit_deactivate_static_stub(test, system_heap_alloc_pages);

	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(buffer), -ENOMEM);
	if (!IS_ERR(buffer))
		sh_test_release(buffer);
	/* The last page: once without reclaim, once with */
	KUNIT_EXPECT_EQ(test, stub->calls, 5);
	KUNIT_EXPECT_EQ(test, stub->reclaim_calls, 1);
	KUNIT_ASSERT_EQ(test, stub->n, 3);
	for (i = 0; i < stub->n; i++)
		KUNIT_EXPECT_EQ_MSG(test, page_ref_count(stub->page[i]), 1,
				    "block %u of order %u still held", i,
				    compound_order(stub->page[i]));
	sh_test_expect_pools_empty(test, sys);
}

/*
 * Blocks taken from a pool are handed to the system too when the
 * allocation fails later: the pool does not get them back.
 */
static void sh_test_alloc_failure_after_pool_hit(struct kunit *test)
{
	struct system_heap *sys = sh_test_heap(test);
	struct system_heap_buffer *buffer;
	struct sh_test_stub *stub;

	/* Put one order-8 block into its pool */
	buffer = sh_test_alloc(test, sys, SZ_1M);
	sh_test_free(test, buffer);

	/* The order-8 block comes from the pool, every system call fails */
	stub = sh_test_stub_activate(test, 0);
	buffer = system_heap_alloc_buffer(sys, SH_TEST_LEN);
	kunit_deactivate_static_stub(test, system_heap_alloc_pages);

	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(buffer), -ENOMEM);
	if (!IS_ERR(buffer))
		sh_test_release(buffer);
	/* Order 4, then order 0 without and with reclaim; all failed */
	KUNIT_EXPECT_EQ(test, stub->calls, 3);
	KUNIT_EXPECT_EQ(test, stub->reclaim_calls, 1);
	KUNIT_EXPECT_EQ(test, stub->n, 0);
	sh_test_expect_pools_empty(test, sys);
}

/*
 * Under memory pressure a released buffer's blocks go straight back to the
 * system: the test's reference is the last one left on each, and no pool
 * holds anything.
 */
static void sh_test_pressure_frees_to_system(struct kunit *test)
{
	struct system_heap *sys = sh_test_heap(test);
	struct system_heap_buffer *buffer;
	struct sh_test_stub *stub;
	unsigned int i;

	stub = sh_test_stub_activate(test, UINT_MAX);
	buffer = system_heap_alloc_buffer(sys, SH_TEST_LEN);
	kunit_deactivate_static_stub(test, system_heap_alloc_pages);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, buffer);
	KUNIT_ASSERT_EQ(test, stub->n, SH_TEST_BLOCKS);
	sh_test_fill(buffer, 0xa5);

	/* What the list's shrinker does with a queued buffer */
	sh_test_deferred_free_all(buffer, DEFERRED_FREE_PRESSURE);

	for (i = 0; i < stub->n; i++)
		KUNIT_EXPECT_EQ_MSG(test, page_ref_count(stub->page[i]), 1,
				    "block %u of order %u still held", i,
				    compound_order(stub->page[i]));
	sh_test_expect_pools_empty(test, sys);
}

/*
 * The deferred free hands a buffer back block by block: asked for one page
 * it frees exactly the next block, largest first, and the buffer lives on
 * until its last block, whatever the budget.
 */
static void sh_test_deferred_free_by_block(struct kunit *test)
{
	struct system_heap *sys = sh_test_heap(test);
	struct system_heap_buffer *buffer;
	struct sh_test_stub *stub;
	unsigned long freed, total = 0;
	unsigned int i;
	bool done;

	stub = sh_test_stub_activate(test, UINT_MAX);
	buffer = system_heap_alloc_buffer(sys, SH_TEST_LEN);
	kunit_deactivate_static_stub(test, system_heap_alloc_pages);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, buffer);
	KUNIT_ASSERT_EQ(test, stub->n, SH_TEST_BLOCKS);

	for (i = 0; i < SH_TEST_BLOCKS; i++) {
		freed = 1;
		done = system_heap_deferred_free(&sys->deferred,
						 &buffer->deferred,
						 DEFERRED_FREE_PRESSURE, &freed);
		KUNIT_EXPECT_EQ_MSG(test, done, i + 1 == SH_TEST_BLOCKS,
				    "call %u", i);
		KUNIT_EXPECT_EQ_MSG(test, freed,
				    1UL << compound_order(stub->page[i]),
				    "call %u", i);
		KUNIT_EXPECT_EQ_MSG(test, page_ref_count(stub->page[i]), 1,
				    "block %u not handed back", i);
		if (i + 1 < SH_TEST_BLOCKS)
			KUNIT_EXPECT_EQ_MSG(test,
					    page_ref_count(stub->page[i + 1]),
					    2, "block %u handed back early",
					    i + 1);
		total += freed;
	}
	KUNIT_EXPECT_EQ(test, total, SH_TEST_LEN >> PAGE_SHIFT);
}

/*
 * A buffer the kthread began to zero into the pools and reclaim then took
 * over: the blocks before the switch are pooled, those after go to the
 * system as they are; none is pooled twice or lost.
 */
static void sh_test_deferred_free_normal_then_pressure(struct kunit *test)
{
	struct system_heap *sys = sh_test_heap(test);
	struct system_heap_buffer *buffer;
	struct sh_test_stub *stub;
	unsigned long freed = 1;
	unsigned int i;
	bool done;

	stub = sh_test_stub_activate(test, UINT_MAX);
	buffer = system_heap_alloc_buffer(sys, SH_TEST_LEN);
	kunit_deactivate_static_stub(test, system_heap_alloc_pages);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, buffer);
	KUNIT_ASSERT_EQ(test, stub->n, SH_TEST_BLOCKS);
	drm_page_pool_forget_reclaim();

	done = system_heap_deferred_free(&sys->deferred, &buffer->deferred,
					 DEFERRED_FREE_NORMAL, &freed);
	KUNIT_EXPECT_FALSE(test, done);
	KUNIT_EXPECT_EQ(test, freed, 1UL << 8);
	sh_test_deferred_free_all(buffer, DEFERRED_FREE_PRESSURE);

	KUNIT_EXPECT_EQ(test, sys->pools[0].count, 1);
	KUNIT_EXPECT_EQ(test, sys->pools[1].count, 0);
	KUNIT_EXPECT_EQ(test, sys->pools[2].count, 0);
	/* The pool holds block 0; blocks 1.. are the test's reference alone */
	KUNIT_EXPECT_EQ(test, page_ref_count(stub->page[0]), 2);
	for (i = 1; i < stub->n; i++)
		KUNIT_EXPECT_EQ_MSG(test, page_ref_count(stub->page[i]), 1,
				    "block %u still held", i);
}

static struct page *sh_test_order0_stub(gfp_t gfp, unsigned int order)
{
	return order ? NULL : alloc_pages(gfp, order);
}

/*
 * The deferred free's cursor follows a chained sg_table: a buffer of 200
 * order-0 pages (more entries than one sg page holds) freed one block per
 * call frees one page each time and the buffer with the last.
 */
static void sh_test_deferred_free_chained_table(struct kunit *test)
{
	struct system_heap *sys = sh_test_heap(test);
	struct system_heap_buffer *buffer;
	unsigned long freed, total = 0;
	unsigned int i, n = 200;
	bool done = false;

	kunit_activate_static_stub(test, system_heap_alloc_pages,
				   sh_test_order0_stub);
	buffer = system_heap_alloc_buffer(sys, n * PAGE_SIZE);
	kunit_deactivate_static_stub(test, system_heap_alloc_pages);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, buffer);
	KUNIT_ASSERT_EQ(test, buffer->sg_table.nents, n);
	KUNIT_EXPECT_GT(test, n, SG_MAX_SINGLE_ALLOC);

	for (i = 0; i < n && !done; i++) {
		freed = 1;
		done = system_heap_deferred_free(&sys->deferred,
						 &buffer->deferred,
						 DEFERRED_FREE_PRESSURE, &freed);
		KUNIT_EXPECT_EQ_MSG(test, freed, 1, "call %u", i);
		total += freed;
	}
	KUNIT_EXPECT_TRUE(test, done);
	KUNIT_EXPECT_EQ(test, i, n);
	KUNIT_EXPECT_EQ(test, total, n);
}

/* Items and pages queued on the deferred-free list of @sys */
static unsigned long sh_test_queued(struct system_heap *sys,
				    unsigned long *pages)
{
	unsigned long items;

	spin_lock(&sys->deferred.lock);
	items = sys->deferred.nr_items;
	*pages = sys->deferred.nr_pages;
	spin_unlock(&sys->deferred.lock);

	return items;
}

/*
 * Put @buffer on the deferred-free list of @sys as its release would, but
 * without waking the kthread, once the kthread sleeps on the empty list:
 * it looks at the list again only when woken, so the buffer stays queued.
 */
static void sh_test_queue_quietly(struct kunit *test, struct system_heap *sys,
				  struct system_heap_buffer *buffer)
{
	struct deferred_free_list *dfl = &sys->deferred;
	unsigned long n = buffer->len >> PAGE_SHIFT;
	unsigned long timeout = jiffies + 30 * HZ;
	int asleep = 0;

	while (asleep < 2) {
		KUNIT_ASSERT_TRUE_MSG(test, time_before(jiffies, timeout),
				      "the kthread never went to sleep");
		asleep = task_is_running(dfl->thread) ? 0 : asleep + 1;
		msleep(20);
	}
	spin_lock(&dfl->lock);
	buffer->deferred.nr_pages = n;
	list_add_tail(&buffer->deferred.link, &dfl->items);
	WRITE_ONCE(dfl->nr_items, dfl->nr_items + 1);
	WRITE_ONCE(dfl->nr_pages, dfl->nr_pages + n);
	spin_unlock(&dfl->lock);
}

/*
 * With the pools empty and no free block in the system (every allocation
 * without reclaim fails), an allocation takes the blocks of a buffer
 * waiting on the deferred-free list, of the orders it asks for, zeroes
 * them itself and frees the waiting buffer with its last block: no block
 * comes from the system, none carries the old buffer's data, and the
 * system is not asked to reclaim.
 */
static void sh_test_alloc_reuses_queued(struct kunit *test)
{
	struct system_heap *sys = sh_test_heap(test);
	struct system_heap_buffer *buffer;
	struct deferred_free_stats stats;
	struct sh_test_blocks old, new;
	struct sh_test_stub *stub;
	unsigned long pages;
	unsigned int i;

	if (nr_node_ids > 1)
		kunit_skip(test, "queued blocks are reused on one node only");

	buffer = system_heap_alloc_buffer(sys, SH_TEST_LEN);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, buffer);
	sh_test_get_blocks(test, buffer, &old);
	sh_test_fill(buffer, 0xa5);
	sh_test_queue_quietly(test, sys, buffer);

	stub = sh_test_stub_activate(test, 0);
	buffer = sh_test_alloc(test, sys, SH_TEST_LEN);
	kunit_deactivate_static_stub(test, system_heap_alloc_pages);
	/* One attempt without reclaim per block, none with */
	KUNIT_EXPECT_EQ(test, stub->calls, old.n);
	KUNIT_EXPECT_EQ(test, stub->reclaim_calls, 0);

	sh_test_get_blocks(test, buffer, &new);
	KUNIT_ASSERT_EQ(test, new.n, old.n);
	for (i = 0; i < old.n; i++)
		KUNIT_EXPECT_PTR_EQ_MSG(test, new.page[i], old.page[i],
					"block %u", i);
	sh_test_expect_filled(test, buffer, 0);
	stats = sh_test_stats(sys);
	KUNIT_EXPECT_EQ(test, stats.reused_items, 1);
	KUNIT_EXPECT_EQ(test, stats.reused_pages, SH_TEST_LEN >> PAGE_SHIFT);
	KUNIT_EXPECT_EQ(test, sh_test_queued(sys, &pages), 0);
	KUNIT_EXPECT_EQ(test, pages, 0);
}

static void sh_test_restore_heap_limit(void *data)
{
	system_heap_set_pool_limit((unsigned long)data);
	drm_page_pool_trim_flush();
}

/* Pages in the pools of @sys */
static unsigned long sh_test_pooled(struct system_heap *sys)
{
	unsigned long pages = 0;
	unsigned int i;

	for (i = 0; i < SYSTEM_HEAP_NUM_ORDERS; i++)
		pages += READ_ONCE(sys->pools[i].count) << sh_test_orders[i];

	return pages;
}

/*
 * The heap's pools are held to system_heap.pool_limit_pages together: with
 * room for one order-8 block, a buffer of two freed by the kthread's path
 * leaves one block pooled, and the other goes back to the system.
 */
static void sh_test_pools_held_to_heap_limit(struct kunit *test)
{
	struct system_heap *sys = sh_test_heap(test);
	struct system_heap_buffer *buffer;
	unsigned long old;
	int ret;

	old = system_heap_set_pool_limit(1UL << 8);
	ret = kunit_add_action_or_reset(test, sh_test_restore_heap_limit,
					(void *)old);
	KUNIT_ASSERT_EQ(test, ret, 0);
	drm_page_pool_trim_flush();
	drm_page_pool_forget_reclaim();

	buffer = system_heap_alloc_buffer(sys, 2 * SZ_1M);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, buffer);
	KUNIT_ASSERT_EQ(test, buffer->sg_table.nents, 2);
	sh_test_deferred_free_all(buffer, DEFERRED_FREE_NORMAL);
	drm_page_pool_trim_flush();

	KUNIT_EXPECT_EQ(test, sh_test_pooled(sys), 1UL << 8);
	KUNIT_EXPECT_EQ(test, sys->pools[0].count, 1);
}

/* The default limit of the heap's pools: an eighth of RAM */
static void sh_test_default_pool_limit(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, system_heap_default_pool_limit(SZ_256M >>
							     PAGE_SHIFT),
			(SZ_32M >> PAGE_SHIFT));
	KUNIT_EXPECT_EQ(test, system_heap_default_pool_limit(0), 0);
	KUNIT_EXPECT_EQ(test, system_heap_default_pool_limit(ULONG_MAX),
			ULONG_MAX / 8);
}

/*
 * With free memory to spare, an allocation takes it rather than a queued
 * buffer, which stays for the kthread to zero into the pools beside the
 * caller.
 */
static void sh_test_alloc_prefers_free_memory(struct kunit *test)
{
	struct system_heap *sys = sh_test_heap(test);
	struct system_heap_buffer *buffer;
	struct deferred_free_stats stats;
	struct sh_test_stub *stub;
	unsigned long pages;

	if (nr_node_ids > 1)
		kunit_skip(test, "queued blocks are reused on one node only");

	buffer = system_heap_alloc_buffer(sys, SH_TEST_LEN);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, buffer);
	sh_test_queue_quietly(test, sys, buffer);

	stub = sh_test_stub_activate(test, UINT_MAX);
	buffer = sh_test_alloc(test, sys, SH_TEST_LEN);
	kunit_deactivate_static_stub(test, system_heap_alloc_pages);
	KUNIT_EXPECT_EQ(test, stub->n, SH_TEST_BLOCKS);
	KUNIT_EXPECT_EQ(test, stub->reclaim_calls, 0);

	stats = sh_test_stats(sys);
	KUNIT_EXPECT_EQ(test, stats.reused_pages, 0);
	KUNIT_EXPECT_EQ(test, sh_test_queued(sys, &pages), 1);
	KUNIT_EXPECT_EQ(test, pages, SH_TEST_LEN >> PAGE_SHIFT);
}

/* MAX_PAGE_ORDER, the first order index the heap should use */
struct sh_test_max_order {
	unsigned int max_order;
	unsigned int first;
};

static const struct sh_test_max_order sh_test_max_orders[] = {
	{ 10, 0 }, { 8, 0 }, { 7, 1 }, { 5, 1 }, { 4, 1 }, { 3, 2 }, { 0, 2 },
};

static void sh_test_max_order_desc(const struct sh_test_max_order *t,
				   char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "MAX_PAGE_ORDER %u", t->max_order);
}

KUNIT_ARRAY_PARAM(sh_test_max_orders, sh_test_max_orders,
		  sh_test_max_order_desc);

/*
 * Where the page allocator cannot give order 8 (MAX_PAGE_ORDER below 8),
 * the heap drops the orders above it and starts with the largest left,
 * down to order 0, which every kernel has.
 */
static void sh_test_first_order(struct kunit *test)
{
	const struct sh_test_max_order *t = test->param_value;
	unsigned int first = system_heap_first_order(t->max_order);

	KUNIT_EXPECT_EQ(test, first, t->first);
	KUNIT_EXPECT_LE(test, sh_test_orders[first], t->max_order);
	if (first)
		KUNIT_EXPECT_GT(test, sh_test_orders[first - 1], t->max_order);
}

/*
 * A heap set up for a kernel without order 8 allocates a buffer of 1 MiB
 * and more from order-4 and order-0 blocks only, and its order-8 pool,
 * never set up, gets nothing on free.
 */
static void sh_test_alloc_without_order_8(struct kunit *test)
{
	struct system_heap *sys = sh_test_heap(test);
	unsigned long count[SYSTEM_HEAP_NUM_ORDERS] = {}, len = 0;
	struct system_heap_buffer *buffer;
	struct scatterlist *sg;
	unsigned int j;
	int i;

	KUNIT_ASSERT_EQ(test, sys->first_order, 0);
	/* As system_heap_init() would set it up where MAX_PAGE_ORDER is 7 */
	drm_page_pool_fini(&sys->pools[0]);
	sys->first_order = system_heap_first_order(7);

	buffer = sh_test_alloc(test, sys, SH_TEST_LEN);
	for_each_sgtable_sg(&buffer->sg_table, sg, i) {
		for (j = 0; j < SYSTEM_HEAP_NUM_ORDERS; j++)
			if (sg->length == PAGE_SIZE << sh_test_orders[j])
				count[j]++;
		len += sg->length;
	}
	KUNIT_EXPECT_EQ(test, len, SH_TEST_LEN);
	KUNIT_EXPECT_EQ(test, count[0], 0);
	KUNIT_EXPECT_EQ(test, count[1], (SZ_1M + SZ_64K) / SZ_64K);
	KUNIT_EXPECT_EQ(test, count[2], 2);
	sh_test_free(test, buffer);
}

static void sh_test_restore_pool_limit(void *data)
{
	drm_page_pool_set_limit((unsigned long)data);
}

/*
 * While the pools are congested (here over a limit of 0; memory reclaim in
 * the last 100 ms has the same effect), the kthread's free hands the blocks
 * to the system as they are, instead of zeroing them into pools that would
 * give them up again at once: the blocks keep what was written to them, and
 * no pool holds anything.
 */
static void sh_test_congested_frees_unzeroed(struct kunit *test)
{
	struct system_heap *sys = sh_test_heap(test);
	struct system_heap_buffer *buffer;
	struct sh_test_stub *stub;
	unsigned long old;
	unsigned int i;
	int ret;

	stub = sh_test_stub_activate(test, UINT_MAX);
	buffer = system_heap_alloc_buffer(sys, SH_TEST_LEN);
	kunit_deactivate_static_stub(test, system_heap_alloc_pages);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, buffer);
	KUNIT_ASSERT_EQ(test, stub->n, SH_TEST_BLOCKS);
	sh_test_fill(buffer, 0xa5);

	old = drm_page_pool_set_limit(0);
	ret = kunit_add_action_or_reset(test, sh_test_restore_pool_limit,
					(void *)old);
	KUNIT_ASSERT_EQ(test, ret, 0);
	KUNIT_ASSERT_TRUE(test, drm_page_pool_congested(&sys->pools[0]));

	/* What the list's kthread does with a queued buffer */
	sh_test_deferred_free_all(buffer, DEFERRED_FREE_NORMAL);

	for (i = 0; i < stub->n; i++) {
		struct page *page = stub->page[i];
		u8 *vaddr = kmap_local_page(page);

		KUNIT_EXPECT_EQ_MSG(test, page_ref_count(page), 1,
				    "block %u still held", i);
		KUNIT_EXPECT_NULL_MSG(test, memchr_inv(vaddr, 0xa5, PAGE_SIZE),
				      "block %u of order %u was zeroed", i,
				      compound_order(page));
		kunmap_local(vaddr);
	}
	sh_test_expect_pools_empty(test, sys);
}

/*
 * A buffer shorter than SYSTEM_HEAP_DEFER_MIN_LEN (16 pages) is made of
 * order-0 pages only: the release of its dma-buf hands them straight back
 * to the system instead of queueing it, so the deferred-free list sees
 * nothing and no pool gains a page. A buffer of 16 pages gets the ops
 * whose release queues, one page less the small ones.
 */
static void sh_test_small_buffer_freed_at_once(struct kunit *test)
{
	struct system_heap *sys = sh_test_heap(test);
	struct system_heap_buffer big = { .len = SYSTEM_HEAP_DEFER_MIN_LEN };
	struct system_heap_buffer edge = { .len = big.len - PAGE_SIZE };
	const struct dma_buf_ops *ops = system_heap_buf_ops_of(&big);
	struct system_heap_buffer *buffer;
	struct deferred_free_stats before, after;
	struct sh_test_stub *stub;
	unsigned int i;

	stub = sh_test_stub_activate(test, UINT_MAX);
	buffer = system_heap_alloc_buffer(sys, 3 * PAGE_SIZE);
	kunit_deactivate_static_stub(test, system_heap_alloc_pages);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, buffer);
	KUNIT_ASSERT_EQ(test, stub->n, 3);
	sh_test_fill(buffer, 0x5a);
	KUNIT_EXPECT_PTR_NE(test, system_heap_buf_ops_of(buffer), ops);
	KUNIT_EXPECT_PTR_EQ(test, system_heap_buf_ops_of(&edge),
			    system_heap_buf_ops_of(buffer));
	KUNIT_EXPECT_PTR_NE(test, system_heap_buf_ops_of(buffer)->release,
			    ops->release);

	before = sh_test_stats(sys);
	sh_test_release(buffer);
	after = sh_test_stats(sys);

	KUNIT_EXPECT_EQ(test, READ_ONCE(sys->deferred.nr_items), 0);
	KUNIT_EXPECT_EQ(test, after.freed_items, before.freed_items);
	KUNIT_EXPECT_EQ(test, after.shrunk_items, before.shrunk_items);
	for (i = 0; i < stub->n; i++)
		KUNIT_EXPECT_EQ_MSG(test, page_ref_count(stub->page[i]), 1,
				    "page %u still held", i);
	sh_test_expect_pools_empty(test, sys);
}

/* A length beyond RAM fails at once, before a single page is allocated */
static void sh_test_alloc_beyond_ram(struct kunit *test)
{
	struct system_heap *sys = sh_test_heap(test);
	struct system_heap_buffer *buffer;
	struct sh_test_stub *stub;

	stub = sh_test_stub_activate(test, UINT_MAX);
	buffer = system_heap_alloc_buffer(sys, (totalram_pages() + 1) <<
					  PAGE_SHIFT);
	kunit_deactivate_static_stub(test, system_heap_alloc_pages);

	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(buffer), -ENOMEM);
	if (!IS_ERR(buffer))
		sh_test_release(buffer);
	KUNIT_EXPECT_EQ(test, stub->calls, 0);
}

/* Whether the registration stub found the pools and the list set up */
static bool sh_test_was_up;

static int sh_test_register_fails(struct system_heap *sys)
{
	unsigned int i;

	sh_test_was_up = !!sys->deferred.thread;
	for (i = 0; i < SYSTEM_HEAP_NUM_ORDERS; i++)
		if (!sys->pools[i].nodes)
			sh_test_was_up = false;

	return -EBUSY;
}

/*
 * When the heap cannot be registered, the pools and the deferred-free list
 * it set up are torn down again (drm_page_pool_fini() leaves a pool
 * without its node array, deferred_free_fini() a list without a kthread).
 */
static void sh_test_register_failure_tears_down(struct kunit *test)
{
	struct system_heap *sys;
	unsigned int i;
	int ret;

	sys = kunit_kzalloc(test, sizeof(*sys), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, sys);

	sh_test_was_up = false;
	kunit_activate_static_stub(test, system_heap_register,
				   sh_test_register_fails);
	ret = system_heap_setup(sys, "kunit");
	kunit_deactivate_static_stub(test, system_heap_register);

	KUNIT_EXPECT_EQ(test, ret, -EBUSY);
	KUNIT_EXPECT_TRUE_MSG(test, sh_test_was_up,
			      "pools and list not set up before the registration");
	for (i = 0; i < SYSTEM_HEAP_NUM_ORDERS; i++)
		KUNIT_EXPECT_NULL_MSG(test, sys->pools[i].nodes,
				      "pool of order %u not torn down",
				      sh_test_orders[i]);
	KUNIT_EXPECT_NULL(test, sys->deferred.thread);
	KUNIT_EXPECT_NULL(test, sys->heap);
}

static struct kunit_case system_heap_test_cases[] = {
	KUNIT_CASE(sh_test_alloc_free_through_pools),
	KUNIT_CASE(sh_test_freed_pattern_comes_back_zeroed),
	KUNIT_CASE(sh_test_alloc_failure_frees_blocks),
	KUNIT_CASE(sh_test_alloc_failure_after_pool_hit),
	KUNIT_CASE(sh_test_pressure_frees_to_system),
	KUNIT_CASE(sh_test_deferred_free_by_block),
	KUNIT_CASE(sh_test_deferred_free_normal_then_pressure),
	KUNIT_CASE(sh_test_deferred_free_chained_table),
	KUNIT_CASE(sh_test_alloc_reuses_queued),
	KUNIT_CASE(sh_test_alloc_prefers_free_memory),
	KUNIT_CASE(sh_test_pools_held_to_heap_limit),
	KUNIT_CASE(sh_test_default_pool_limit),
	KUNIT_CASE_PARAM(sh_test_first_order, sh_test_max_orders_gen_params),
	KUNIT_CASE(sh_test_alloc_without_order_8),
	KUNIT_CASE(sh_test_congested_frees_unzeroed),
	KUNIT_CASE(sh_test_small_buffer_freed_at_once),
	KUNIT_CASE(sh_test_alloc_beyond_ram),
	KUNIT_CASE(sh_test_register_failure_tears_down),
	{}
};

static struct kunit_suite system_heap_test_suite = {
	.name = "dma_heap_system",
	.test_cases = system_heap_test_cases,
};

kunit_test_suite(system_heap_test_suite);

MODULE_DESCRIPTION("KUnit tests for the dma-buf system heap");
MODULE_LICENSE("GPL");
