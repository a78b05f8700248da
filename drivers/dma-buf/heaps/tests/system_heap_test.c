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
 * KUnit static stubs on the heap's page allocation, memcg charge,
 * reused-block zeroing, sg_table allocation, export, pool init and
 * registration functions; the allocation stub takes an extra reference on
 * every block it hands out, and the test one on each block it put into a
 * pool or on the deferred-free list, so that the test can tell whether the
 * heap dropped its own. A fatal signal is a real SIGKILL, which the KUnit
 * thread is made to take for that case. To act while the allocation is in
 * a step that may reclaim, a case runs it in a thread of its own, which
 * the stubs hold there until the case lets them go on.
 *
 * Memory cgroups: the cases that charge buffers make a cgroup of their own
 * in the default hierarchy (mounted for the case), with the memory
 * controller, and allocate with it as the KUnit thread's active memcg. A
 * block's charge is read from the block itself (its memcg_data); blocks
 * the heap hands back are held by a reference of the test, so the check
 * sees whether the heap uncharged them, not whether the page allocator did
 * when it freed them. The cgroup's memory.current counts per-CPU charge
 * stocks too, so it is compared within MEMCG_CHARGE_BATCH pages a CPU.
 */

#include <linux/delay.h>
#include <linux/dma-buf.h>
#include <linux/err.h>
#include <linux/fcntl.h>
#include <linux/highmem.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/memcontrol.h>
#include <linux/mm.h>
#include <linux/mount.h>
#include <linux/namei.h>
#include <linux/nodemask.h>
#include <linux/overflow.h>
#include <linux/page_counter.h>
#include <linux/scatterlist.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/shrinker.h>
#include <linux/signal.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>

#include <kunit/static_stub.h>
#include <kunit/test.h>

#include <drm/drm_page_pool.h>

#include "../system_heap.h"

MODULE_IMPORT_NS(DMA_BUF);
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

/* The order table of the heap, largest first */
static const unsigned int sh_test_orders[SYSTEM_HEAP_NUM_ORDERS] = {8, 4, 0};

/*
 * The length of one block of @order, and a length that needs one block of
 * each order, and one more page; in pages, so that the layout is the same
 * whatever the page size
 */
#define SH_TEST_BLOCK_LEN(order)	(PAGE_SIZE << (order))
#define SH_TEST_LEN	(SH_TEST_BLOCK_LEN(8) + SH_TEST_BLOCK_LEN(4) + \
			 2 * PAGE_SIZE)
#define SH_TEST_BLOCKS	4

/* The blocks of a buffer, as its sg_table lists them */
struct sh_test_blocks {
	unsigned int n;
	struct page *page[SH_TEST_BLOCKS];
	unsigned int order[SH_TEST_BLOCKS];
};

/*
 * Blocks the allocation stub handed out, each with a reference of ours, and
 * what the other stubs of the allocation path saw
 */
struct sh_test_stub {
	/* calls that succeed before every further call fails */
	unsigned int succeed;
	unsigned int calls;
	/* calls that allowed direct reclaim */
	unsigned int reclaim_calls;
	/* calls of the charge stub that allowed reclaim in the cgroup */
	unsigned int reclaim_charges;
	/* if set, the calls that may reclaim wait here until let go on */
	struct sh_test_held_alloc *held;
	unsigned int n;
	struct page *page[SH_TEST_BLOCKS];
	/* send SIGKILL to the test's thread with this block, 0 for never */
	unsigned int kill_at;
	/* calls of the stub that zeroes reused blocks; SIGKILL with this one */
	unsigned int clears;
	/* of them, calls with a block no memcg was charged for */
	unsigned int clears_uncharged;
	unsigned int kill_at_clear;
	/* calls of the sg_table stub and the entries it was asked for */
	unsigned int table_calls;
	unsigned int table_nents;
	/* calls of the export stub and what it was asked to export */
	unsigned int export_calls;
	struct dma_buf_export_info exp_info;
	/*
	 * calls of the stub that frees a released block, and the deferred
	 * list as the first call saw it
	 */
	unsigned int free_calls;
	unsigned long free_queued;
	unsigned long free_queued_pages;
	bool free_in_flight;
	/*
	 * the deferred list as the first zeroing of a block taken from a
	 * queued buffer saw it
	 */
	struct system_heap *sys;
	unsigned long clear_queued;
	unsigned long clear_queued_pages;
	unsigned long clear_inflight_pages;
};

KUNIT_DEFINE_ACTION_WRAPPER(sh_test_fini_action, system_heap_fini,
			    struct system_heap *);

/* The name of the cgroup of the memcg cases, under the root */
#define SH_TEST_CGROUP	"kunit-dma-heap"

/* The cgroup a case charges to, and what undoes its setup */
struct sh_test_memcg {
	struct vfsmount *mnt;
	struct cgroup *cgrp;
	struct cgroup_subsys_state *css;
	struct mem_cgroup *memcg;
	bool made;
};

/*
 * The cgroup of the running memcg case, NULL in the other cases: heaps of
 * sh_test_new_heap() charge their buffers while it is set
 */
static struct sh_test_memcg *sh_test_cur_memcg;

/* The block @page is charged to, as a kernel page; NULL if none */
static struct mem_cgroup *sh_test_block_memcg(struct page *page)
{
	struct folio *folio = page_folio(page);
	struct mem_cgroup *memcg;

	if (!folio_memcg_kmem(folio))
		return NULL;
	rcu_read_lock();
	memcg = folio_memcg(folio);
	rcu_read_unlock();

	/* Only compared, never used: the charge may be gone meanwhile */
	return memcg ?: ERR_PTR(-ENOENT);
}

/* @page, a block the heap handed back or holds unused, is charged to none */
static void sh_test_expect_uncharged(struct kunit *test, struct page *page,
				     const char *what, unsigned int i)
{
	KUNIT_EXPECT_NULL_MSG(test, sh_test_block_memcg(page),
			      "%s %u (order %u) still charged", what, i,
			      compound_order(page));
}

#ifdef CONFIG_MEMCG
/*
 * Write @val to the cgroup file @name, relative to the hierarchy's root,
 * charging nothing to the case's cgroup: what the write allocates would
 * take it over a memory.max set at its usage, and the write would call
 * the cgroup's OOM killer
 */
static int sh_test_cg_write(struct vfsmount *mnt, const char *name,
			    const char *val)
{
	struct mem_cgroup *old = set_active_memcg(NULL);
	struct file *file = file_open_root_mnt(mnt, name, O_WRONLY, 0);
	loff_t pos = 0;
	ssize_t ret;

	if (IS_ERR(file)) {
		ret = PTR_ERR(file);
	} else {
		ret = kernel_write(file, val, strlen(val), &pos);
		fput(file);
	}
	set_active_memcg(old);

	return ret < 0 ? ret : 0;
}

/* Make (@make) or remove the directory @name under the root of @mnt */
static int sh_test_cg_dir(struct vfsmount *mnt, const char *name, bool make)
{
	struct inode *dir = d_inode(mnt->mnt_root);
	struct dentry *dentry;
	int ret;

	inode_lock_nested(dir, I_MUTEX_PARENT);
	dentry = lookup_one_len(name, mnt->mnt_root, strlen(name));
	if (IS_ERR(dentry)) {
		ret = PTR_ERR(dentry);
	} else {
		if (make)
			ret = d_really_is_positive(dentry) ? -EEXIST :
				vfs_mkdir(&nop_mnt_idmap, dir, dentry, 0755);
		else
			ret = d_really_is_positive(dentry) ?
				vfs_rmdir(&nop_mnt_idmap, dir, dentry) : 0;
		dput(dentry);
	}
	inode_unlock(dir);

	return ret;
}

static void sh_test_memcg_teardown(void *data)
{
	struct sh_test_memcg *cg = data;

	sh_test_cur_memcg = NULL;
	if (cg->css)
		css_put(cg->css);
	if (cg->cgrp)
		cgroup_put(cg->cgrp);
	if (cg->made)
		sh_test_cg_dir(cg->mnt, SH_TEST_CGROUP, false);
	kern_unmount(cg->mnt);
}

/*
 * A cgroup of its own for the case, with the memory controller and a
 * kernel memory counter, as the KUnit thread's active memcg; torn down at
 * the end of the case. The memory controller stays enabled in the root's
 * subtree_control. The case is skipped where the kernel cannot charge
 * kernel pages to it (cgroup_disable=memory, cgroup.memory=nokmem, the
 * controller bound to a v1 hierarchy).
 */
static struct sh_test_memcg *sh_test_memcg(struct kunit *test)
{
	struct file_system_type *type;
	struct sh_test_memcg *cg;
	struct cgroup *cgrp;
	int ret;

	if (mem_cgroup_disabled())
		kunit_skip(test, "the memory controller is disabled");
	type = get_fs_type("cgroup2");
	if (!type)
		kunit_skip(test, "no cgroup2 file system");

	cg = kunit_kzalloc(test, sizeof(*cg), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, cg);
	/* cgroup2 is built in: get_fs_type() took no module reference */
	cg->mnt = kern_mount(type);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, cg->mnt);
	ret = kunit_add_action_or_reset(test, sh_test_memcg_teardown, cg);
	KUNIT_ASSERT_EQ(test, ret, 0);

	ret = sh_test_cg_write(cg->mnt, "cgroup.subtree_control", "+memory");
	if (ret)
		kunit_skip(test, "cannot enable the memory controller: %d",
			   ret);
	ret = sh_test_cg_dir(cg->mnt, SH_TEST_CGROUP, true);
	KUNIT_ASSERT_TRUE_MSG(test, !ret || ret == -EEXIST,
			      "mkdir %s: %d", SH_TEST_CGROUP, ret);
	cg->made = true;

	cgrp = cgroup_get_from_path("/" SH_TEST_CGROUP);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, cgrp);
	cg->cgrp = cgrp;
	cg->css = cgroup_get_e_css(cg->cgrp, &memory_cgrp_subsys);
	KUNIT_ASSERT_NOT_NULL(test, cg->css);
	KUNIT_ASSERT_PTR_EQ_MSG(test, cg->css->cgroup, cg->cgrp,
				"the cgroup has no memory controller");
	cg->memcg = mem_cgroup_from_css(cg->css);
	if (!memcg_kmem_online())
		kunit_skip(test, "kernel memory is not charged to cgroups");

	/* The KUnit thread charges its allocations to the cgroup */
	set_active_memcg(cg->memcg);
	sh_test_cur_memcg = cg;

	return cg;
}

/* The pages charged to the cgroup, with the per-CPU stocks */
static unsigned long sh_test_memcg_current(struct sh_test_memcg *cg)
{
	return page_counter_read(&cg->memcg->memory);
}

/* How often the cgroup hit memory.max, or called the OOM killer */
static unsigned long sh_test_memcg_events(struct sh_test_memcg *cg,
					  enum memcg_memory_event event)
{
	return atomic_long_read(&cg->memcg->memory_events[event]);
}

/* Set memory.max of the cgroup, in bytes, or "max" for @bytes 0 */
static void sh_test_memcg_set_max(struct kunit *test,
				  struct sh_test_memcg *cg, unsigned long bytes)
{
	char val[24] = "max";
	int ret;

	if (bytes)
		snprintf(val, sizeof(val), "%lu", bytes);
	ret = sh_test_cg_write(cg->mnt, SH_TEST_CGROUP "/memory.max", val);
	KUNIT_ASSERT_EQ_MSG(test, ret, 0, "memory.max = %s", val);
}

/* How far memory.current may be off the pages charged: the CPU stocks */
#define SH_TEST_STOCK_PAGES	(MEMCG_CHARGE_BATCH * num_possible_cpus())
#else
static struct sh_test_memcg *sh_test_memcg(struct kunit *test)
{
	kunit_skip(test, "no memory cgroups (CONFIG_MEMCG=n)");
	return NULL;
}
#endif

/*
 * An unregistered heap of the test, torn down at its end, with the orders
 * of this kernel
 */
static struct system_heap *sh_test_new_heap(struct kunit *test)
{
	struct system_heap *sys;
	int ret;

	sys = kunit_kzalloc(test, sizeof(*sys), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, sys);
	ret = system_heap_init(sys, "kunit");
	KUNIT_ASSERT_EQ(test, ret, 0);
	/* As with dma_heap.mem_accounting=1, in the memcg cases */
	sys->mem_accounting = sh_test_cur_memcg;
	ret = kunit_add_action_or_reset(test, sh_test_fini_action, sys);
	KUNIT_ASSERT_EQ(test, ret, 0);

	return sys;
}

/*
 * An unregistered heap of the test, torn down at its end, with every order
 * of the table: the layouts the cases expect (SH_TEST_LEN in blocks of
 * orders 8, 4, 0 and 0) need order 8, which a kernel whose MAX_PAGE_ORDER
 * is below 8 does not have; the case is skipped there.
 */
static struct system_heap *sh_test_heap(struct kunit *test)
{
	if (system_heap_first_order(MAX_PAGE_ORDER))
		kunit_skip(test, "no order-8 blocks: MAX_PAGE_ORDER is %d",
			   MAX_PAGE_ORDER);

	return sh_test_new_heap(test);
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

	raw_spin_lock(&sys->deferred.lock);
	stats = sys->deferred.stats;
	raw_spin_unlock(&sys->deferred.lock);

	return stats;
}

/* NR_GPU_RECLAIM of node @nid, or of all nodes for NUMA_NO_NODE, exactly */
static long sh_test_reclaim(int nid)
{
	long sum = 0;

	if (nid != NUMA_NO_NODE)
		return drm_page_pool_kunit_node_stat(nid, NR_GPU_RECLAIM);
	for_each_online_node(nid)
		sum += drm_page_pool_kunit_node_stat(nid, NR_GPU_RECLAIM);
	return sum;
}

/* Items the deferred-free list of @sys freed, by the kthread or not */
static unsigned long sh_test_deferred_done(struct system_heap *sys)
{
	struct deferred_free_stats stats = sh_test_stats(sys);

	return stats.freed_items + stats.shrunk_items;
}

/* Wait until the deferred-free list of @sys freed more than @done items */
static void sh_test_wait_done(struct kunit *test, struct system_heap *sys,
			      unsigned long done)
{
	unsigned long timeout = jiffies + 30 * HZ;

	while (sh_test_deferred_done(sys) == done) {
		KUNIT_ASSERT_TRUE_MSG(test, time_before(jiffies, timeout),
				      "the kthread never freed the buffer");
		msleep(20);
	}
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

	kunit_release_action(test, sh_test_free_action, buffer);
	sh_test_wait_done(test, sys, done);
}

KUNIT_DEFINE_ACTION_WRAPPER(sh_test_put_page, put_page, struct page *);

/*
 * Put one order-8 block into the order-8 pool of @sys, as a freed buffer of
 * that length does, and return it with a reference of the test, dropped at the
 * end of the test: the pool's reference is the block's other one.
 */
static struct page *sh_test_pool_one(struct kunit *test,
				     struct system_heap *sys)
{
	struct system_heap_buffer *buffer;
	struct page *page;
	int ret;

	buffer = sh_test_alloc(test, sys, SH_TEST_BLOCK_LEN(8));
	KUNIT_ASSERT_EQ(test, buffer->sg_table.nents, 1);
	page = sg_page(buffer->sg_table.sgl);
	get_page(page);
	ret = kunit_add_action_or_reset(test, sh_test_put_page, page);
	KUNIT_ASSERT_EQ(test, ret, 0);

	/* Memory reclaim in the last 100 ms would send it to the system */
	drm_page_pool_forget_reclaim();
	sh_test_free(test, buffer);
	KUNIT_ASSERT_EQ(test, READ_ONCE(sys->pools[0].count), 1);
	KUNIT_ASSERT_EQ(test, page_ref_count(page), 2);

	return page;
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

	for (i = sys->first_order; i < SYSTEM_HEAP_NUM_ORDERS; i++) {
		struct page *page = drm_page_pool_take(&sys->pools[i],
						       NUMA_NO_NODE,
						       &node_possible_map);

		KUNIT_EXPECT_NULL_MSG(test, page, "pool of order %u not empty",
				      sh_test_orders[i]);
		if (page) {
			sh_test_expect_uncharged(test, page, "pooled block", i);
			__free_pages(page, sh_test_orders[i]);
		}
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

/*
 * An allocation in a thread of its own, which a stub holds in a step that
 * may reclaim, so that the test can act meanwhile
 */
struct sh_test_held_alloc {
	struct kunit *test;
	struct system_heap *sys;
	/* the thread's active memcg, the case's cgroup in memcg cases */
	struct mem_cgroup *memcg;
	unsigned long len;
	struct task_struct *task;
	/* a stub reached the step that may reclaim, and waits */
	struct completion held;
	/* the stub may go on */
	struct completion go_on;
	/* the allocation returned, with @buffer */
	struct completion done;
	struct system_heap_buffer *buffer;
};

/* Hold the calling stub until the test lets it go on */
static void sh_test_hold(struct sh_test_held_alloc *h)
{
	complete(&h->held);
	wait_for_completion(&h->go_on);
}

/*
 * Hand out real blocks until @succeed calls were served, then fail; hold a
 * call that may reclaim first if the test asks for it
 */
static struct page *sh_test_alloc_pages_stub(gfp_t gfp, unsigned int order)
{
	struct kunit *test = kunit_get_current_test();
	struct sh_test_stub *stub = test->priv;
	struct page *page;

	stub->calls++;
	if (gfp & __GFP_DIRECT_RECLAIM) {
		stub->reclaim_calls++;
		if (stub->held)
			sh_test_hold(stub->held);
	}
	if (stub->calls > stub->succeed || stub->n >= SH_TEST_BLOCKS)
		return NULL;

	page = alloc_pages(gfp, order);
	if (page) {
		get_page(page);
		stub->page[stub->n++] = page;
		/* As if the task were killed while it allocated this block */
		if (stub->n == stub->kill_at)
			send_sig(SIGKILL, current, 1);
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
	for (i = 0; i < stub->n; i++) {
		KUNIT_EXPECT_EQ_MSG(test, page_ref_count(stub->page[i]), 1,
				    "block %u of order %u still held", i,
				    compound_order(stub->page[i]));
		sh_test_expect_uncharged(test, stub->page[i], "block", i);
	}
	sh_test_expect_pools_empty(test, sys);
}

/*
 * Blocks taken from a pool are handed to the system too when the
 * allocation fails later: the pool does not get them back, and the heap
 * keeps no reference on them (the test's reference on the pooled block is
 * the last one left on it).
 */
static void sh_test_alloc_failure_after_pool_hit(struct kunit *test)
{
	struct system_heap *sys = sh_test_heap(test);
	struct system_heap_buffer *buffer;
	struct sh_test_stub *stub;
	struct page *pooled;

	pooled = sh_test_pool_one(test, sys);

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
	KUNIT_EXPECT_EQ_MSG(test, page_ref_count(pooled), 1,
			    "the block taken from the pool is still held");
	sh_test_expect_uncharged(test, pooled, "pooled block", 0);
	sh_test_expect_pools_empty(test, sys);
}

/*
 * A task that gets a fatal signal while it allocates fails with -EINTR
 * before it takes another block, and hands back every block it took, the
 * one from a pool as the one from the buddy allocator. KUnit's thread
 * ignores signals: it takes SIGKILL for this case only, and the allocation
 * stub sends it with the first block from the system.
 */
static void sh_test_alloc_fatal_signal(struct kunit *test)
{
	struct system_heap *sys = sh_test_heap(test);
	struct system_heap_buffer *buffer;
	struct sh_test_stub *stub;
	struct page *pooled;
	bool killed;

	pooled = sh_test_pool_one(test, sys);

	/* Order 8 from the pool, order 4 from the system, then the signal */
	stub = sh_test_stub_activate(test, UINT_MAX);
	stub->kill_at = 1;
	allow_signal(SIGKILL);
	buffer = system_heap_alloc_buffer(sys, SH_TEST_LEN);
	killed = fatal_signal_pending(current);
	/* Drops the pending SIGKILL too */
	disallow_signal(SIGKILL);
	kunit_deactivate_static_stub(test, system_heap_alloc_pages);

	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(buffer), -EINTR);
	if (!IS_ERR(buffer))
		sh_test_release(buffer);
	KUNIT_ASSERT_TRUE_MSG(test, killed,
			      "SIGKILL never reached the test's thread");
	KUNIT_EXPECT_FALSE(test, fatal_signal_pending(current));
	KUNIT_EXPECT_EQ(test, stub->calls, 1);
	KUNIT_ASSERT_EQ(test, stub->n, 1);
	KUNIT_EXPECT_EQ(test, compound_order(stub->page[0]), 4);
	KUNIT_EXPECT_EQ_MSG(test, page_ref_count(pooled), 1,
			    "the block taken from the pool is still held");
	sh_test_expect_uncharged(test, pooled, "pooled block", 0);
	KUNIT_EXPECT_EQ_MSG(test, page_ref_count(stub->page[0]), 1,
			    "the block from the system is still held");
	sh_test_expect_uncharged(test, stub->page[0], "block", 0);
	sh_test_expect_pools_empty(test, sys);
}

static int sh_test_alloc_table_fails(struct sg_table *table,
				     unsigned int nents)
{
	struct kunit *test = kunit_get_current_test();
	struct sh_test_stub *stub = test->priv;

	stub->table_calls++;
	stub->table_nents = nents;

	return -ENOMEM;
}

/*
 * When the buffer's sg_table cannot be allocated, after all its blocks
 * were, the allocation fails with -ENOMEM and hands every block back to
 * the system, the one from a pool as those from the buddy allocator.
 */
static void sh_test_alloc_table_failure(struct kunit *test)
{
	struct system_heap *sys = sh_test_heap(test);
	struct system_heap_buffer *buffer;
	struct sh_test_stub *stub;
	struct page *pooled;
	unsigned int i;

	pooled = sh_test_pool_one(test, sys);

	stub = sh_test_stub_activate(test, UINT_MAX);
	kunit_activate_static_stub(test, system_heap_alloc_table,
				   sh_test_alloc_table_fails);
	buffer = system_heap_alloc_buffer(sys, SH_TEST_LEN);
	kunit_deactivate_static_stub(test, system_heap_alloc_table);
	kunit_deactivate_static_stub(test, system_heap_alloc_pages);

	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(buffer), -ENOMEM);
	if (!IS_ERR(buffer))
		sh_test_release(buffer);
	/* Asked for once, with every block: the pool's and three others */
	KUNIT_EXPECT_EQ(test, stub->table_calls, 1);
	KUNIT_EXPECT_EQ(test, stub->table_nents, SH_TEST_BLOCKS);
	KUNIT_ASSERT_EQ(test, stub->n, SH_TEST_BLOCKS - 1);
	KUNIT_EXPECT_EQ_MSG(test, page_ref_count(pooled), 1,
			    "the block taken from the pool is still held");
	sh_test_expect_uncharged(test, pooled, "pooled block", 0);
	for (i = 0; i < stub->n; i++) {
		KUNIT_EXPECT_EQ_MSG(test, page_ref_count(stub->page[i]), 1,
				    "block %u of order %u still held", i,
				    compound_order(stub->page[i]));
		sh_test_expect_uncharged(test, stub->page[i], "block", i);
	}
	sh_test_expect_pools_empty(test, sys);
}

/* The error of the export stub: one the heap itself never returns */
#define SH_TEST_EXPORT_ERR	(-EMFILE)

static struct dma_buf *
sh_test_export_fails(const struct dma_buf_export_info *exp_info)
{
	struct kunit *test = kunit_get_current_test();
	struct sh_test_stub *stub = test->priv;

	stub->export_calls++;
	stub->exp_info = *exp_info;

	return ERR_PTR(SH_TEST_EXPORT_ERR);
}

/*
 * When the export of a buffer fails, the heap's allocate op returns the
 * export's error and hands every block of the buffer back to the system
 * at once, the one from a pool as those from the buddy allocator: nobody
 * saw them, so neither the deferred-free list nor the pools get them.
 */
static void sh_test_export_failure(struct kunit *test)
{
	struct system_heap *sys = sh_test_heap(test);
	struct deferred_free_stats before, after;
	struct sh_test_stub *stub;
	struct dma_buf *dmabuf;
	struct page *pooled;
	unsigned int i;

	pooled = sh_test_pool_one(test, sys);

	stub = sh_test_stub_activate(test, UINT_MAX);
	kunit_activate_static_stub(test, system_heap_dma_buf_export,
				   sh_test_export_fails);
	before = sh_test_stats(sys);
	dmabuf = system_heap_alloc_dmabuf(sys, SH_TEST_LEN, O_RDWR);
	after = sh_test_stats(sys);
	kunit_deactivate_static_stub(test, system_heap_dma_buf_export);
	kunit_deactivate_static_stub(test, system_heap_alloc_pages);

	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(dmabuf), SH_TEST_EXPORT_ERR);
	if (!IS_ERR(dmabuf))
		dma_buf_put(dmabuf);
	KUNIT_EXPECT_EQ(test, stub->export_calls, 1);
	KUNIT_EXPECT_EQ(test, stub->exp_info.size, SH_TEST_LEN);
	KUNIT_EXPECT_PTR_EQ(test, stub->exp_info.exp_name, sys->name);
	KUNIT_EXPECT_EQ(test, stub->exp_info.flags, O_RDWR);

	/* Freed at once, in the caller, not queued */
	KUNIT_EXPECT_EQ(test, READ_ONCE(sys->deferred.nr_items), 0);
	KUNIT_EXPECT_EQ(test, after.direct_items, before.direct_items);
	KUNIT_EXPECT_EQ(test, after.freed_items, before.freed_items);
	KUNIT_EXPECT_EQ(test, after.shrunk_items, before.shrunk_items);
	KUNIT_ASSERT_EQ(test, stub->n, SH_TEST_BLOCKS - 1);
	KUNIT_EXPECT_EQ_MSG(test, page_ref_count(pooled), 1,
			    "the block taken from the pool is still held");
	sh_test_expect_uncharged(test, pooled, "pooled block", 0);
	for (i = 0; i < stub->n; i++) {
		KUNIT_EXPECT_EQ_MSG(test, page_ref_count(stub->page[i]), 1,
				    "block %u of order %u still held", i,
				    compound_order(stub->page[i]));
		sh_test_expect_uncharged(test, stub->page[i], "block", i);
	}
	sh_test_expect_pools_empty(test, sys);
}

/*
 * The heap's allocate op exports the buffer as a dma-buf of its length,
 * named after the heap, with the ops its length calls for; the last put of
 * the dma-buf releases the buffer through the deferred-free list, which
 * pools its blocks.
 */
static void sh_test_alloc_dmabuf(struct kunit *test)
{
	struct system_heap *sys = sh_test_heap(test);
	struct system_heap_buffer *buffer;
	struct dma_buf *dmabuf;
	unsigned long done;

	drm_page_pool_forget_reclaim();
	dmabuf = system_heap_alloc_dmabuf(sys, SH_TEST_LEN, O_RDWR);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dmabuf);
	buffer = dmabuf->priv;
	KUNIT_EXPECT_PTR_EQ(test, buffer->sys, sys);
	KUNIT_EXPECT_EQ(test, buffer->len, SH_TEST_LEN);
	KUNIT_EXPECT_EQ(test, dmabuf->size, SH_TEST_LEN);
	KUNIT_EXPECT_PTR_EQ(test, dmabuf->exp_name, sys->name);
	KUNIT_EXPECT_PTR_EQ(test, dmabuf->ops, system_heap_buf_ops_of(buffer));
	sh_test_expect_filled(test, buffer, 0);

	/* The file's last reference goes from a workqueue for a kthread */
	done = sh_test_deferred_done(sys);
	dma_buf_put(dmabuf);
	sh_test_wait_done(test, sys, done);
	sh_test_expect_pooled(test, sys, true);
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
	long base;

	stub = sh_test_stub_activate(test, UINT_MAX);
	buffer = system_heap_alloc_buffer(sys, SH_TEST_LEN);
	kunit_deactivate_static_stub(test, system_heap_alloc_pages);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, buffer);
	KUNIT_ASSERT_EQ(test, stub->n, SH_TEST_BLOCKS);
	sh_test_fill(buffer, 0xa5);
	base = sh_test_reclaim(NUMA_NO_NODE);
	/* Counted as queued, as the release does before queueing it */
	system_heap_count_queued(buffer);

	/* What the list's shrinker does with a queued buffer */
	sh_test_deferred_free_all(buffer, DEFERRED_FREE_PRESSURE);
	KUNIT_EXPECT_EQ_MSG(test, sh_test_reclaim(NUMA_NO_NODE) - base, 0,
			    "GPUReclaim pages once every block left");

	for (i = 0; i < stub->n; i++) {
		KUNIT_EXPECT_EQ_MSG(test, page_ref_count(stub->page[i]), 1,
				    "block %u of order %u still held", i,
				    compound_order(stub->page[i]));
		sh_test_expect_uncharged(test, stub->page[i], "block", i);
	}
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
	/* Counted as queued, as the release does before queueing it */
	system_heap_count_queued(buffer);

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
	/* Counted as queued, as the release does before queueing it */
	system_heap_count_queued(buffer);
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
 * The deferred free's cursor follows a chained sg_table: a buffer of
 * 2 * SG_MAX_SINGLE_ALLOC + 1 order-0 pages (a table of three chunks, on
 * any page size and scatterlist size) freed one block per call frees one
 * page each time and the buffer with the last. With large pages that is
 * hundreds of MiB: skipped where it is more than an eighth of the RAM.
 */
static void sh_test_deferred_free_chained_table(struct kunit *test)
{
	const unsigned int n = 2 * SG_MAX_SINGLE_ALLOC + 1;
	struct system_heap_buffer *buffer;
	unsigned long freed, total = 0;
	struct system_heap *sys;
	struct scatterlist *sg;
	bool done = false;
	unsigned int i;

	if (IS_ENABLED(CONFIG_ARCH_NO_SG_CHAIN))
		kunit_skip(test, "sg_tables do not chain on this architecture");
	if (n > totalram_pages() / 8)
		kunit_skip(test, "a buffer of %u pages is over an eighth of RAM",
			   n);

	sys = sh_test_new_heap(test);
	kunit_activate_static_stub(test, system_heap_alloc_pages,
				   sh_test_order0_stub);
	buffer = system_heap_alloc_buffer(sys, (unsigned long)n * PAGE_SIZE);
	kunit_deactivate_static_stub(test, system_heap_alloc_pages);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, buffer);
	KUNIT_ASSERT_EQ(test, buffer->sg_table.nents, n);
	/* The last entry of each full chunk links to the next chunk */
	sg = &buffer->sg_table.sgl[SG_MAX_SINGLE_ALLOC - 1];
	KUNIT_ASSERT_TRUE(test, sg_is_chain(sg));
	/* Counted as queued, as the release does before queueing it */
	system_heap_count_queued(buffer);

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

	raw_spin_lock(&sys->deferred.lock);
	items = sys->deferred.nr_items;
	*pages = sys->deferred.nr_pages;
	raw_spin_unlock(&sys->deferred.lock);

	return items;
}

/*
 * Whether @p sleeps in wait_event_freezable(): its state is set before it
 * checks its condition and calls schedule(), so a task preempted in between
 * looks asleep yet still runs and checks the condition once more. Only off
 * the run queue (and off its CPU) is it committed to sleep until woken.
 */
static bool sh_test_asleep(const struct task_struct *p)
{
	if (!(READ_ONCE(p->__state) & TASK_INTERRUPTIBLE) ||
	    READ_ONCE(p->on_rq))
		return false;
#ifdef CONFIG_SMP
	if (READ_ONCE(p->on_cpu))
		return false;
#endif
	return true;
}

/*
 * Wait until the kthread of @sys sleeps on its empty list: it looks at the
 * list again only when woken.
 */
static void sh_test_wait_kthread_asleep(struct kunit *test,
					struct system_heap *sys)
{
	struct deferred_free_list *dfl = &sys->deferred;
	unsigned long timeout = jiffies + 30 * HZ;

	while (!sh_test_asleep(dfl->thread)) {
		KUNIT_ASSERT_TRUE_MSG(test, time_before(jiffies, timeout),
				      "the kthread never went to sleep: state %#x",
				      READ_ONCE(dfl->thread->__state));
		msleep(20);
	}
}

/*
 * A buffer of @len to be queued by sh_test_queue_quietly(): charged to
 * nobody, as the release leaves a buffer it queues
 */
static struct system_heap_buffer *sh_test_alloc_to_queue(struct system_heap *sys,
							 unsigned long len)
{
	bool account = sys->mem_accounting;
	struct system_heap_buffer *buffer;

	sys->mem_accounting = false;
	buffer = system_heap_alloc_buffer(sys, len);
	sys->mem_accounting = account;

	return buffer;
}

/* The allocations of the case do not wake the kthread as they begin */
static void sh_test_no_wake_stub(struct system_heap *sys)
{
}

/*
 * Put @buffer, charged to nobody, on the deferred-free list of @sys as its
 * release would, but without waking the kthread, once the kthread sleeps
 * on the empty list, so the buffer stays queued: allocations no longer
 * wake the kthread as they begin, only where they would after claims.
 */
static void sh_test_queue_quietly(struct kunit *test, struct system_heap *sys,
				  struct system_heap_buffer *buffer)
{
	struct deferred_free_list *dfl = &sys->deferred;
	unsigned long n = buffer->len >> PAGE_SHIFT;

	KUNIT_ASSERT_FALSE(test, buffer->charged);
	kunit_activate_static_stub(test, system_heap_wake_kthread,
				   sh_test_no_wake_stub);
	sh_test_wait_kthread_asleep(test, sys);
	system_heap_count_queued(buffer);
	raw_spin_lock(&dfl->lock);
	buffer->deferred.nr_pages = n;
	list_add_tail(&buffer->deferred.link, &dfl->items);
	WRITE_ONCE(dfl->nr_items, dfl->nr_items + 1);
	WRITE_ONCE(dfl->nr_pages, dfl->nr_pages + n);
	raw_spin_unlock(&dfl->lock);
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

	buffer = sh_test_alloc_to_queue(sys, SH_TEST_LEN);
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

/*
 * Queue a buffer of SH_TEST_LEN on the deferred-free list of @sys, its blocks
 * (of orders 8, 4, 0 and 0) recorded in @old, each with a reference of the
 * test, dropped at the end of the test.
 */
static void sh_test_queue_held(struct kunit *test, struct system_heap *sys,
			       struct sh_test_blocks *old)
{
	struct system_heap_buffer *buffer;
	unsigned int i;
	int ret;

	buffer = sh_test_alloc_to_queue(sys, SH_TEST_LEN);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, buffer);
	sh_test_get_blocks(test, buffer, old);
	sh_test_expect_orders(test, old);
	for (i = 0; i < old->n; i++) {
		get_page(old->page[i]);
		ret = kunit_add_action_or_reset(test, sh_test_put_page,
						old->page[i]);
		KUNIT_ASSERT_EQ(test, ret, 0);
	}
	drm_page_pool_forget_reclaim();
	sh_test_queue_quietly(test, sys, buffer);
}

/*
 * After an allocation took block 0 (order 8) of the buffer that
 * sh_test_queue_held() queued, and failed: the rest of the buffer is back on
 * the list, unclaimed, and the kthread, woken by the allocation's kick, frees
 * it into the pools.
 */
static void sh_test_expect_reuse_ended(struct kunit *test,
				       struct system_heap *sys,
				       struct page *const *old)
{
	struct deferred_free_stats stats = sh_test_stats(sys);
	unsigned long inflight;
	unsigned int i;

	/* Only the put-back counts reused pages: the claim ended */
	KUNIT_ASSERT_EQ_MSG(test, stats.reused_pages, 1UL << 8,
			    "the waiting buffer was not put back");
	KUNIT_EXPECT_EQ(test, stats.reused_items, 0);

	sh_test_wait_done(test, sys, 0);
	raw_spin_lock(&sys->deferred.lock);
	inflight = sys->deferred.inflight_pages;
	stats = sys->deferred.stats;
	raw_spin_unlock(&sys->deferred.lock);
	KUNIT_EXPECT_EQ(test, READ_ONCE(sys->deferred.nr_items), 0);
	KUNIT_EXPECT_EQ(test, inflight, 0);
	KUNIT_EXPECT_EQ(test, stats.freed_items, 1);
	KUNIT_EXPECT_EQ(test, stats.freed_pages,
			(SH_TEST_LEN - SH_TEST_BLOCK_LEN(8)) >> PAGE_SHIFT);
	KUNIT_EXPECT_EQ(test, READ_ONCE(sys->pools[0].count), 0);
	KUNIT_EXPECT_EQ(test, READ_ONCE(sys->pools[1].count), 1);
	KUNIT_EXPECT_EQ(test, READ_ONCE(sys->pools[2].count), 2);
	/* Each of them is the pool's and the test's */
	for (i = 1; i < SH_TEST_BLOCKS; i++)
		KUNIT_EXPECT_EQ_MSG(test, page_ref_count(old[i]), 2,
				    "block %u of the waiting buffer", i);
}

/*
 * An allocation that fails after it took a block of a buffer waiting on the
 * deferred-free list hands that block to the system, as the others, and
 * puts the rest of the waiting buffer back on the list, claimed by nobody:
 * the kthread frees the rest into the pools as usual.
 */
static void sh_test_alloc_failure_after_reuse(struct kunit *test)
{
	struct system_heap *sys = sh_test_heap(test);
	struct system_heap_buffer *buffer;
	struct sh_test_blocks old;
	struct sh_test_stub *stub;

	if (nr_node_ids > 1)
		kunit_skip(test, "queued blocks are reused on one node only");

	sh_test_queue_held(test, sys, &old);

	/*
	 * No free memory: order 8 from the waiting buffer, whose next block,
	 * of order 4, is too large for the 2 pages left; order 0 from the
	 * system fails without reclaim and with it
	 */
	stub = sh_test_stub_activate(test, 0);
	buffer = system_heap_alloc_buffer(sys, SH_TEST_BLOCK_LEN(8) +
					  2 * PAGE_SIZE);
	kunit_deactivate_static_stub(test, system_heap_alloc_pages);

	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(buffer), -ENOMEM);
	if (!IS_ERR(buffer))
		sh_test_release(buffer);
	KUNIT_EXPECT_EQ(test, stub->calls, 3);
	KUNIT_EXPECT_EQ(test, stub->reclaim_calls, 1);
	KUNIT_EXPECT_EQ_MSG(test, page_ref_count(old.page[0]), 1,
			    "the reused block is still held");
	sh_test_expect_uncharged(test, old.page[0], "reused block", 0);
	sh_test_expect_reuse_ended(test, sys, old.page);
}

/* Zero a reused block as the heap does; send SIGKILL with the chosen one */
static void sh_test_clear_block_stub(struct page *page, unsigned int order)
{
	struct kunit *test = kunit_get_current_test();
	struct sh_test_stub *stub = test->priv;
	unsigned int i;

	for (i = 0; i < (1U << order); i++)
		clear_highpage(nth_page(page, i));
	if (++stub->clears == stub->kill_at_clear)
		send_sig(SIGKILL, current, 1);
}

/*
 * A task killed while it takes blocks from a buffer waiting on the
 * deferred-free list (here as it zeroes the first) fails with -EINTR, hands
 * the block it took to the system and puts the rest of the waiting buffer
 * back on the list, claimed by nobody: the kthread frees the rest into the
 * pools as usual.
 */
static void sh_test_alloc_fatal_signal_during_reuse(struct kunit *test)
{
	struct system_heap *sys = sh_test_heap(test);
	struct system_heap_buffer *buffer;
	struct sh_test_blocks old;
	struct sh_test_stub *stub;
	bool killed;

	if (nr_node_ids > 1)
		kunit_skip(test, "queued blocks are reused on one node only");

	sh_test_queue_held(test, sys, &old);

	/* No free memory: every block comes from the waiting buffer */
	stub = sh_test_stub_activate(test, 0);
	stub->kill_at_clear = 1;
	kunit_activate_static_stub(test, system_heap_clear_block,
				   sh_test_clear_block_stub);
	allow_signal(SIGKILL);
	buffer = system_heap_alloc_buffer(sys, SH_TEST_LEN);
	killed = fatal_signal_pending(current);
	/* Drops the pending SIGKILL too */
	disallow_signal(SIGKILL);
	kunit_deactivate_static_stub(test, system_heap_clear_block);
	kunit_deactivate_static_stub(test, system_heap_alloc_pages);

	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(buffer), -EINTR);
	if (!IS_ERR(buffer))
		sh_test_release(buffer);
	KUNIT_ASSERT_TRUE_MSG(test, killed,
			      "SIGKILL never reached the test's thread");
	/* Order 8 was asked of the system without reclaim, then reused */
	KUNIT_EXPECT_EQ(test, stub->clears, 1);
	KUNIT_EXPECT_EQ(test, stub->calls, 1);
	KUNIT_EXPECT_EQ(test, stub->reclaim_calls, 0);
	KUNIT_EXPECT_EQ_MSG(test, page_ref_count(old.page[0]), 1,
			    "the reused block is still held");
	sh_test_expect_uncharged(test, old.page[0], "reused block", 0);
	sh_test_expect_reuse_ended(test, sys, old.page);
}

/* Nothing queued on the deferred-free list of @sys and nothing in flight */
static bool sh_test_list_idle(struct system_heap *sys)
{
	bool idle;

	raw_spin_lock(&sys->deferred.lock);
	idle = !sys->deferred.nr_items && !sys->deferred.inflight_pages;
	raw_spin_unlock(&sys->deferred.lock);

	return idle;
}

/* Zero a reused block as the heap does; record the list at the first one */
static void sh_test_clear_seen_stub(struct page *page, unsigned int order)
{
	struct kunit *test = kunit_get_current_test();
	struct sh_test_stub *stub = test->priv;
	struct system_heap *sys = stub->sys;

	if (!stub->clears) {
		stub->clear_queued = sh_test_queued(sys,
						    &stub->clear_queued_pages);
		raw_spin_lock(&sys->deferred.lock);
		stub->clear_inflight_pages = sys->deferred.inflight_pages;
		raw_spin_unlock(&sys->deferred.lock);
	}
	sh_test_clear_block_stub(page, order);
}

/*
 * An allocation that takes a block of a queued buffer puts the rest back
 * on the list before it zeroes the block, as the kthread does: reclaim can
 * free the rest meanwhile, and nothing of the buffer is left in flight.
 * Once it takes no more, it wakes the kthread, which frees the rest.
 */
static void sh_test_alloc_reuse_puts_back_before_zeroing(struct kunit *test)
{
	struct system_heap *sys = sh_test_heap(test);
	struct system_heap_buffer *buffer;
	struct sh_test_blocks old;
	struct sh_test_stub *stub;
	unsigned long n = SH_TEST_LEN >> PAGE_SHIFT, timeout;

	if (nr_node_ids > 1)
		kunit_skip(test, "queued blocks are reused on one node only");

	sh_test_queue_held(test, sys, &old);

	/* No free memory: the blocks come from the queued buffer */
	stub = sh_test_stub_activate(test, 0);
	stub->sys = sys;
	kunit_activate_static_stub(test, system_heap_clear_block,
				   sh_test_clear_seen_stub);
	buffer = system_heap_alloc_buffer(sys, SH_TEST_BLOCK_LEN(8) +
					  SH_TEST_BLOCK_LEN(4));
	kunit_deactivate_static_stub(test, system_heap_clear_block);
	kunit_deactivate_static_stub(test, system_heap_alloc_pages);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, buffer);
	/*
	 * The allocation's kick has the kthread free the two order-0 blocks:
	 * nothing queued and nothing in flight, seen at once
	 */
	timeout = jiffies + 10 * HZ;
	while (!sh_test_list_idle(sys) && time_before(jiffies, timeout))
		msleep(20);
	KUNIT_EXPECT_TRUE_MSG(test, sh_test_list_idle(sys),
			      "the rest of the queued buffer waited: no kick");
	sh_test_expect_filled(test, buffer, 0);
	sh_test_release(buffer);

	KUNIT_EXPECT_EQ(test, stub->clears, 2);
	KUNIT_EXPECT_EQ_MSG(test, stub->clear_queued, 1,
			    "the queued buffer was off the list while its first block was zeroed");
	KUNIT_EXPECT_EQ(test, stub->clear_queued_pages, n - (1UL << 8));
	KUNIT_EXPECT_EQ(test, stub->clear_inflight_pages, 0);
}

/* Allocate in the thread of @data, as the KUnit thread would */
static int sh_test_held_alloc_fn(void *data)
{
	struct sh_test_held_alloc *h = data;
	struct mem_cgroup *old;

	/* The test's static stubs apply in this thread too */
	current->kunit_test = h->test;
	old = set_active_memcg(h->memcg);
	h->buffer = system_heap_alloc_buffer(h->sys, h->len);
	set_active_memcg(old);
	current->kunit_test = NULL;
	complete(&h->done);

	return 0;
}

/*
 * Whatever the case got to: let the stub go on, wait for the thread and
 * release what it allocated
 */
static void sh_test_held_alloc_stop(void *data)
{
	struct sh_test_held_alloc *h = data;

	complete_all(&h->go_on);
	kthread_stop_put(h->task);
	if (!IS_ERR_OR_NULL(h->buffer))
		sh_test_release(h->buffer);
	h->buffer = NULL;
}

/*
 * Allocate @len from @sys in a thread of its own, whose calls of the stubs
 * that may reclaim @stub holds; the thread is stopped at the end of the
 * test, the stub let go on first
 */
static struct sh_test_held_alloc *
sh_test_held_alloc_start(struct kunit *test, struct system_heap *sys,
			 struct sh_test_stub *stub, unsigned long len)
{
	struct sh_test_held_alloc *h;
	struct task_struct *task;
	int ret;

	h = kunit_kzalloc(test, sizeof(*h), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, h);
	h->test = test;
	h->sys = sys;
	h->memcg = sh_test_cur_memcg ? sh_test_cur_memcg->memcg : NULL;
	h->len = len;
	init_completion(&h->held);
	init_completion(&h->go_on);
	init_completion(&h->done);
	stub->held = h;

	task = kthread_create(sh_test_held_alloc_fn, h, "kunit-sh-alloc");
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, task);
	get_task_struct(task);
	h->task = task;
	ret = kunit_add_action_or_reset(test, sh_test_held_alloc_stop, h);
	KUNIT_ASSERT_EQ(test, ret, 0);
	wake_up_process(task);

	return h;
}

/* Let the held allocation go on, and wait until it returns */
static void sh_test_held_alloc_finish(struct kunit *test,
				      struct sh_test_held_alloc *h)
{
	unsigned long left;

	complete_all(&h->go_on);
	left = wait_for_completion_timeout(&h->done, 30 * HZ);
	KUNIT_ASSERT_NE_MSG(test, left, 0, "the allocation never returned");
}

/*
 * Once @h is held in a step that may reclaim, release @other, a buffer long
 * enough to be queued, behind what the allocation put back: the kthread
 * frees all of it meanwhile, not once the allocation ends. The kthread's
 * own count of freed items says it ran: reclaim in the VM emptying the
 * list would not.
 */
static void sh_test_release_while_held(struct kunit *test,
				       struct system_heap *sys,
				       struct sh_test_held_alloc *h,
				       struct system_heap_buffer *other)
{
	unsigned long timeout, pages, items, left, freed;
	bool idle;

	left = wait_for_completion_timeout(&h->held, 30 * HZ);
	KUNIT_ASSERT_NE_MSG(test, left, 0,
			    "the allocation never reached a step that may reclaim");
	freed = sh_test_stats(sys).freed_items;
	kunit_release_action(test, sh_test_free_action, other);

	timeout = jiffies + 10 * HZ;
	while (!(idle = sh_test_list_idle(sys)) &&
	       time_before(jiffies, timeout))
		msleep(20);
	items = sh_test_queued(sys, &pages);
	KUNIT_EXPECT_TRUE_MSG(test, idle,
			      "the kthread slept through the allocation's reclaim: %lu items, %lu pages queued",
			      items, pages);
	KUNIT_EXPECT_GT_MSG(test, sh_test_stats(sys).freed_items, freed,
			    "the list emptied, but not by the kthread");
}

/*
 * An allocation that took blocks from a queued buffer and put its rest back
 * wakes the kthread before it asks the system for a block with reclaim:
 * buffers released meanwhile queue behind that rest, and the kthread frees
 * them while the allocation reclaims, not only once it ends.
 */
static void sh_test_alloc_wakes_kthread_before_reclaim(struct kunit *test)
{
	struct system_heap *sys = sh_test_heap(test);
	struct system_heap_buffer *other;
	struct sh_test_held_alloc *h;
	struct sh_test_blocks old;
	struct sh_test_stub *stub;
	unsigned long timeout;

	if (nr_node_ids > 1)
		kunit_skip(test, "queued blocks are reused on one node only");

	other = sh_test_alloc(test, sys, SYSTEM_HEAP_DEFER_MIN_LEN);
	sh_test_queue_held(test, sys, &old);

	/*
	 * No free memory: order 8 from the queued buffer, whose next block,
	 * of order 4, is too large for the 2 pages left; order 0 from the
	 * system fails without reclaim, and is held with it
	 */
	stub = sh_test_stub_activate(test, 0);
	h = sh_test_held_alloc_start(test, sys, stub,
				     SH_TEST_BLOCK_LEN(8) + 2 * PAGE_SIZE);
	sh_test_release_while_held(test, sys, h, other);
	sh_test_held_alloc_finish(test, h);

	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(h->buffer), -ENOMEM);
	KUNIT_EXPECT_EQ(test, stub->reclaim_calls, 1);
	KUNIT_EXPECT_EQ_MSG(test, page_ref_count(old.page[0]), 1,
			    "the reused block is still held");
	timeout = jiffies + 10 * HZ;
	while (!sh_test_list_idle(sys) && time_before(jiffies, timeout))
		msleep(20);
	KUNIT_EXPECT_TRUE(test, sh_test_list_idle(sys));
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
	long base;
	int ret;

	old = system_heap_set_pool_limit(1UL << 8);
	ret = kunit_add_action_or_reset(test, sh_test_restore_heap_limit,
					(void *)old);
	KUNIT_ASSERT_EQ(test, ret, 0);
	drm_page_pool_trim_flush();
	drm_page_pool_forget_reclaim();

	buffer = system_heap_alloc_buffer(sys, 2 * SH_TEST_BLOCK_LEN(8));
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, buffer);
	KUNIT_ASSERT_EQ(test, buffer->sg_table.nents, 2);
	base = sh_test_reclaim(NUMA_NO_NODE);
	/* Counted as queued, as the release does before queueing it */
	system_heap_count_queued(buffer);
	sh_test_deferred_free_all(buffer, DEFERRED_FREE_NORMAL);
	drm_page_pool_trim_flush();

	KUNIT_EXPECT_EQ(test, sh_test_pooled(sys), 1UL << 8);
	KUNIT_EXPECT_EQ(test, sys->pools[0].count, 1);
	/* The block trimmed stopped counting; the one kept counts once */
	KUNIT_EXPECT_EQ_MSG(test, sh_test_reclaim(NUMA_NO_NODE) - base,
			    1L << 8, "GPUReclaim pages after the trim");
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

/*
 * A release has the kthread woken from the next tick only; an allocation
 * that begins while a buffer is queued and the kthread sleeps wakes it at
 * once, so that the kthread zeroes the buffer into the pools beside the
 * caller. Here the buffer was queued with no wake-up at all: only the
 * allocation can wake the kthread, which then frees the buffer. An
 * allocation shorter than %SYSTEM_HEAP_DEFER_MIN_LEN, which would not be
 * queued either, does not.
 */
static void sh_test_alloc_wakes_kthread(struct kunit *test)
{
	struct system_heap *sys = sh_test_heap(test);
	struct system_heap_buffer *buffer;
	unsigned long timeout, freed, pages;
	bool idle;

	buffer = sh_test_alloc_to_queue(sys, SH_TEST_LEN);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, buffer);
	freed = sh_test_stats(sys).freed_items;
	sh_test_queue_quietly(test, sys, buffer);
	msleep(100);
	KUNIT_ASSERT_EQ_MSG(test, sh_test_queued(sys, &pages), 1,
			    "the quietly queued buffer did not stay queued");
	kunit_deactivate_static_stub(test, system_heap_wake_kthread);

	sh_test_alloc(test, sys, SYSTEM_HEAP_DEFER_MIN_LEN - PAGE_SIZE);
	msleep(100);
	KUNIT_EXPECT_EQ_MSG(test, sh_test_queued(sys, &pages), 1,
			    "a small allocation woke the kthread");

	sh_test_alloc(test, sys, SH_TEST_LEN);
	timeout = jiffies + 10 * HZ;
	while (!(idle = sh_test_list_idle(sys)) &&
	       time_before(jiffies, timeout))
		msleep(20);
	KUNIT_EXPECT_TRUE_MSG(test, idle,
			      "the kthread slept through the allocation: %lu items queued",
			      sh_test_queued(sys, &pages));
	KUNIT_EXPECT_GT_MSG(test, sh_test_stats(sys).freed_items, freed,
			    "the list emptied, but not by the kthread");
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
 * A heap set up for a kernel without order 8 allocates a buffer of an
 * order-8 block and more from order-4 and order-0 blocks only, and its
 * order-8 pool, never set up, gets nothing on free. Where this kernel has
 * order 8, the heap is set up as for MAX_PAGE_ORDER 7; where it has no
 * order 4 either, there is nothing to check.
 */
static void sh_test_alloc_without_order_8(struct kunit *test)
{
	struct system_heap *sys = sh_test_new_heap(test);
	unsigned long count[SYSTEM_HEAP_NUM_ORDERS] = {}, len = 0;
	struct system_heap_buffer *buffer;
	struct scatterlist *sg;
	unsigned int j;
	int i;

	if (!sys->first_order) {
		/* As system_heap_init() sets it up where MAX_PAGE_ORDER is 7 */
		drm_page_pool_fini(&sys->pools[0]);
		sys->first_order = system_heap_first_order(7);
	}
	if (sh_test_orders[sys->first_order] != 4)
		kunit_skip(test, "no order-4 blocks: MAX_PAGE_ORDER is %d",
			   MAX_PAGE_ORDER);

	buffer = sh_test_alloc(test, sys, SH_TEST_LEN);
	for_each_sgtable_sg(&buffer->sg_table, sg, i) {
		for (j = 0; j < SYSTEM_HEAP_NUM_ORDERS; j++)
			if (sg->length == PAGE_SIZE << sh_test_orders[j])
				count[j]++;
		len += sg->length;
	}
	KUNIT_EXPECT_EQ(test, len, SH_TEST_LEN);
	KUNIT_EXPECT_EQ(test, count[0], 0);
	KUNIT_EXPECT_EQ(test, count[1],
			(SH_TEST_BLOCK_LEN(8) + SH_TEST_BLOCK_LEN(4)) /
			SH_TEST_BLOCK_LEN(4));
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
	/* Counted as queued, as the release does before queueing it */
	system_heap_count_queued(buffer);

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
	struct system_heap *sys = sh_test_new_heap(test);
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
	for (i = 0; i < stub->n; i++) {
		KUNIT_EXPECT_EQ_MSG(test, page_ref_count(stub->page[i]), 1,
				    "page %u still held", i);
		sh_test_expect_uncharged(test, stub->page[i], "page", i);
	}
	sh_test_expect_pools_empty(test, sys);
}

/* The largest page-aligned length, and its pages */
#define SH_TEST_MAX_LEN		(ULONG_MAX & PAGE_MASK)
#define SH_TEST_MAX_PAGES	(ULONG_MAX >> PAGE_SHIFT)

/* A length, the RAM in pages, and whether the length is beyond the RAM */
struct sh_test_ram {
	const char *desc;
	unsigned long len;
	unsigned long ram_pages;
	bool beyond;
};

static const struct sh_test_ram sh_test_rams[] = {
	{ "no RAM, nothing asked", 0, 0, false },
	{ "no RAM, one page", PAGE_SIZE, 0, true },
	{ "1 GiB of RAM, one page less", SZ_1G - PAGE_SIZE,
	  SZ_1G >> PAGE_SHIFT, false },
	{ "1 GiB of RAM, exactly", SZ_1G, SZ_1G >> PAGE_SHIFT, false },
	{ "1 GiB of RAM, one page more", SZ_1G + PAGE_SIZE,
	  SZ_1G >> PAGE_SHIFT, true },
	{ "largest length, one page less of RAM", SH_TEST_MAX_LEN,
	  SH_TEST_MAX_PAGES - 1, true },
	{ "largest length, as much RAM", SH_TEST_MAX_LEN, SH_TEST_MAX_PAGES,
	  false },
	/*
	 * RAM whose size in bytes an unsigned long cannot hold, as 4 GiB and
	 * more on a 32-bit machine: no length is beyond it
	 */
	{ "largest length, RAM one page past the address space",
	  SH_TEST_MAX_LEN, SH_TEST_MAX_PAGES + 1, false },
	{ "one page, RAM one page past the address space", PAGE_SIZE,
	  SH_TEST_MAX_PAGES + 1, false },
	{ "largest length, RAM 1.5 times the address space", SH_TEST_MAX_LEN,
	  SH_TEST_MAX_PAGES + SH_TEST_MAX_PAGES / 2, false },
	{ "largest length, ULONG_MAX pages of RAM", SH_TEST_MAX_LEN, ULONG_MAX,
	  false },
};

KUNIT_ARRAY_PARAM_DESC(sh_test_rams, sh_test_rams, desc);

/*
 * A length is beyond the RAM when it is more pages than the RAM has, also
 * where the RAM in bytes is more than an unsigned long holds.
 */
static void sh_test_len_beyond_ram(struct kunit *test)
{
	const struct sh_test_ram *t = test->param_value;

	KUNIT_EXPECT_EQ_MSG(test,
			    system_heap_len_beyond_ram(t->len, t->ram_pages),
			    t->beyond, "length %#lx, RAM %#lx pages", t->len,
			    t->ram_pages);
}

/*
 * A length beyond RAM fails at once, before a single page is allocated.
 * Where the RAM is as large as the address space or larger, no length is
 * beyond it: nothing to test.
 */
static void sh_test_alloc_beyond_ram(struct kunit *test)
{
	unsigned long ram = totalram_pages(), len;
	struct system_heap_buffer *buffer;
	struct sh_test_stub *stub;
	struct system_heap *sys;

	if (check_shl_overflow(ram + 1, PAGE_SHIFT, &len))
		kunit_skip(test, "%lu pages of RAM: every length fits",
			   ram);

	sys = sh_test_new_heap(test);
	stub = sh_test_stub_activate(test, UINT_MAX);
	buffer = system_heap_alloc_buffer(sys, len);
	kunit_deactivate_static_stub(test, system_heap_alloc_pages);

	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(buffer), -ENOMEM);
	if (!IS_ERR(buffer))
		sh_test_release(buffer);
	KUNIT_EXPECT_EQ(test, stub->calls, 0);
}

/* Whether the registration stub found the pools and the list set up */
static bool sh_test_was_up;

/* What the registration stub leaves in sys->heap */
static char sh_test_partial_heap;

static int sh_test_register_fails(struct system_heap *sys)
{
	unsigned int i;

	sh_test_was_up = !!sys->deferred.thread;
	for (i = sys->first_order; i < SYSTEM_HEAP_NUM_ORDERS; i++)
		if (!sys->pools[i].nodes)
			sh_test_was_up = false;

	/* As a registration that failed after dma_heap_add() would */
	sys->heap = (struct dma_heap *)&sh_test_partial_heap;

	return -EBUSY;
}

/*
 * When the heap cannot be registered, the pools and the deferred-free list
 * it set up are torn down again (drm_page_pool_fini() leaves a pool
 * without its node array, deferred_free_fini() a list without a kthread),
 * and the heap refers to no dma-heap, whatever the failed registration
 * left in it.
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
	KUNIT_EXPECT_NULL_MSG(test, sys->heap,
			      "the failed registration's dma-heap is left");
}

/* What the pool init and kthread stubs saw */
struct sh_test_init {
	struct system_heap *sys;
	/* the pool init call that fails, from 1 */
	unsigned int fail_at;
	unsigned int calls;
	/* pools set up when the failing call came */
	unsigned int up;
	unsigned int threads;
};

static int sh_test_pool_init_stub(struct drm_page_pool *pool,
				  unsigned int order,
				  const struct drm_page_pool_ops *ops)
{
	struct kunit *test = kunit_get_current_test();
	struct sh_test_init *init = test->priv;
	unsigned int i;

	if (++init->calls < init->fail_at)
		return drm_page_pool_init(pool, order, ops);

	for (i = 0; i < SYSTEM_HEAP_NUM_ORDERS; i++)
		if (init->sys->pools[i].nodes)
			init->up++;

	return -EINVAL;
}

static struct task_struct *
sh_test_create_thread_stub(struct deferred_free_list *dfl)
{
	struct kunit *test = kunit_get_current_test();
	struct sh_test_init *init = test->priv;

	init->threads++;

	return ERR_PTR(-EAGAIN);
}

/* The pool init call that fails */
static const unsigned int sh_test_pool_failures[] = { 1, 2, 3 };

static void sh_test_pool_failure_desc(const unsigned int *fail_at,
				      char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "pool %u of %u fails", *fail_at,
		 SYSTEM_HEAP_NUM_ORDERS);
}

KUNIT_ARRAY_PARAM(sh_test_pool_failures, sh_test_pool_failures,
		  sh_test_pool_failure_desc);

/*
 * When one of its pools cannot be set up, the heap's init returns the
 * pool's error, sets up no further pool, tears down the pools it set up
 * before and never starts the deferred-free list.
 */
static void sh_test_pool_init_failure_unwinds(struct kunit *test)
{
	const unsigned int *fail_at = test->param_value;
	unsigned int first = system_heap_first_order(MAX_PAGE_ORDER);
	struct sh_test_init *init;
	struct system_heap *sys;
	unsigned int i;
	int ret;

	if (*fail_at > SYSTEM_HEAP_NUM_ORDERS - first)
		kunit_skip(test, "this kernel's heap has %u pools",
			   SYSTEM_HEAP_NUM_ORDERS - first);

	sys = kunit_kzalloc(test, sizeof(*sys), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, sys);
	/* Whatever init left set up goes before the memory */
	ret = kunit_add_action_or_reset(test, sh_test_fini_action, sys);
	KUNIT_ASSERT_EQ(test, ret, 0);
	init = kunit_kzalloc(test, sizeof(*init), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, init);
	init->sys = sys;
	init->fail_at = *fail_at;
	test->priv = init;

	kunit_activate_static_stub(test, system_heap_pool_init,
				   sh_test_pool_init_stub);
	kunit_activate_static_stub(test, deferred_free_create_thread,
				   sh_test_create_thread_stub);
	ret = system_heap_init(sys, "kunit");
	kunit_deactivate_static_stub(test, deferred_free_create_thread);
	kunit_deactivate_static_stub(test, system_heap_pool_init);

	KUNIT_EXPECT_EQ(test, ret, -EINVAL);
	KUNIT_EXPECT_EQ(test, init->calls, *fail_at);
	KUNIT_EXPECT_EQ_MSG(test, init->up, *fail_at - 1,
			    "pools set up before the failing one");
	for (i = 0; i < SYSTEM_HEAP_NUM_ORDERS; i++)
		KUNIT_EXPECT_NULL_MSG(test, sys->pools[i].nodes,
				      "pool of order %u left set up",
				      sh_test_orders[i]);
	KUNIT_EXPECT_EQ_MSG(test, init->threads, 0,
			    "the deferred-free list was started");
	KUNIT_EXPECT_NULL(test, sys->deferred.thread);
	KUNIT_EXPECT_NULL(test, sys->deferred.shrinker);
}

/*
 * Frees a released block as the heap does, after noting what the deferred
 * list held at that moment
 */
static void sh_test_free_block_stub(struct system_heap *sys, struct page *page,
				    enum deferred_free_reason reason)
{
	struct kunit *test = kunit_get_current_test();
	struct sh_test_stub *stub = test->priv;

	if (!stub->free_calls++) {
		stub->free_queued = sh_test_queued(sys,
						   &stub->free_queued_pages);
		stub->free_in_flight = READ_ONCE(sys->deferred.flight);
	}
	/* Only the first block is looked at: the rest go straight through */
	kunit_deactivate_static_stub(test, system_heap_free_block);
	system_heap_free_block(sys, page, reason);
}

/*
 * From the list's kthread, the release callback takes one block off the
 * buffer and puts the rest back on the list before it zeroes the block,
 * so that reclaim can take the rest meanwhile. Here the test plays the
 * kthread's part (the list's thread and its item in flight are the
 * test's, the real kthread asleep): after one call the rest of the buffer
 * is queued again, as it was when block 0 went to its pool.
 */
static void sh_test_put_back_before_zeroing(struct kunit *test)
{
	struct system_heap *sys = sh_test_heap(test);
	struct deferred_free_list *dfl = &sys->deferred;
	struct system_heap_buffer *buffer;
	struct task_struct *thread;
	struct sh_test_stub *stub;
	unsigned long n, first, freed = 1, pages;
	bool done;

	stub = sh_test_stub_activate(test, UINT_MAX);
	buffer = system_heap_alloc_buffer(sys, SH_TEST_LEN);
	kunit_deactivate_static_stub(test, system_heap_alloc_pages);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, buffer);
	KUNIT_ASSERT_GT(test, stub->n, 1);
	n = SH_TEST_LEN >> PAGE_SHIFT;
	first = 1UL << compound_order(stub->page[0]);
	drm_page_pool_forget_reclaim();
	/* Nothing queued wakes it: the put-back below is the kthread's own */
	sh_test_wait_kthread_asleep(test, sys);

	kunit_activate_static_stub(test, system_heap_free_block,
				   sh_test_free_block_stub);
	/* What deferred_free() and the kthread's pop do, with us as kthread */
	system_heap_count_queued(buffer);
	thread = dfl->thread;
	raw_spin_lock(&dfl->lock);
	buffer->deferred.nr_pages = n;
	dfl->inflight_pages += n;
	raw_spin_unlock(&dfl->lock);
	dfl->thread = current;
	dfl->flight = &buffer->deferred;
	dfl->flight_left = n;
	/* The stub deactivates itself: no assertion while we are the kthread */
	done = system_heap_deferred_free(dfl, &buffer->deferred,
					 DEFERRED_FREE_NORMAL, &freed);
	dfl->thread = thread;

	/* The rest was back on the list when block 0 went to be zeroed */
	KUNIT_EXPECT_EQ(test, stub->free_calls, 1);
	KUNIT_EXPECT_EQ(test, stub->free_queued, 1);
	KUNIT_EXPECT_EQ(test, stub->free_queued_pages, n - first);
	KUNIT_EXPECT_FALSE(test, stub->free_in_flight);

	KUNIT_EXPECT_FALSE(test, done);
	KUNIT_EXPECT_EQ(test, freed, first);
	KUNIT_EXPECT_NULL_MSG(test, dfl->flight, "the rest was not put back");
	KUNIT_EXPECT_EQ(test, dfl->flight_taken, first);
	KUNIT_EXPECT_EQ(test, sh_test_queued(sys, &pages), 1);
	KUNIT_EXPECT_EQ(test, pages, n - first);
	/* Block 0 is pooled and the test's reference */
	KUNIT_EXPECT_EQ(test, page_ref_count(stub->page[0]), 2);

	/* The kthread's bookkeeping after its callback; fini frees the rest */
	raw_spin_lock(&dfl->lock);
	dfl->inflight_pages -= dfl->flight ? n : first;
	raw_spin_unlock(&dfl->lock);
	if (dfl->flight) {
		dfl->flight = NULL;
		sh_test_deferred_free_all(buffer, DEFERRED_FREE_PRESSURE);
	}
}

/*
 * The blocks of a released buffer count in GPUReclaim once, whether they
 * wait on the deferred-free list or sit in a pool after the kthread zeroed
 * them there, and no more once the pools gave them back to the system.
 */
static void sh_test_reclaim_counter_pooled(struct kunit *test)
{
	struct system_heap *sys = sh_test_heap(test);
	long n = SH_TEST_LEN >> PAGE_SHIFT, base;
	struct system_heap_buffer *buffer;

	buffer = sh_test_alloc(test, sys, SH_TEST_LEN);
	drm_page_pool_forget_reclaim();
	base = sh_test_reclaim(NUMA_NO_NODE);
	sh_test_free(test, buffer);
	sh_test_expect_pooled(test, sys, true);
	KUNIT_EXPECT_EQ_MSG(test, sh_test_reclaim(NUMA_NO_NODE) - base, n,
			    "GPUReclaim pages once the kthread pooled them");

	kunit_release_action(test, sh_test_fini_action, sys);
	KUNIT_EXPECT_EQ_MSG(test, sh_test_reclaim(NUMA_NO_NODE) - base, 0,
			    "GPUReclaim pages after the heap's teardown");
}

/* The kthread of a list that frees nothing: queued buffers stay queued */
static int sh_test_idle_fn(void *data)
{
	set_current_state(TASK_INTERRUPTIBLE);
	while (!kthread_should_stop()) {
		schedule();
		set_current_state(TASK_INTERRUPTIBLE);
	}
	__set_current_state(TASK_RUNNING);

	return 0;
}

static struct task_struct *sh_test_idle_thread(struct deferred_free_list *dfl)
{
	return kthread_create(sh_test_idle_fn, NULL, "kunit-dfree-idle");
}

/*
 * A released buffer counts in GPUReclaim of the nodes of its blocks while
 * it waits on the deferred-free list, and each block stops counting as it
 * leaves the list: to the system through the list's shrinker, into a new
 * buffer through a claim, to the system when the list is torn down.
 */
static void sh_test_reclaim_counter_queued(struct kunit *test)
{
	struct shrink_control sc = { .gfp_mask = GFP_KERNEL, .nr_to_scan = 1 };
	long n = SH_TEST_LEN >> PAGE_SHIFT, base, *node_base, *node_want;
	struct system_heap_buffer *buffer, *reused;
	struct deferred_free_list *dfl;
	struct system_heap *sys;
	struct sh_test_blocks b;
	unsigned long pages;
	unsigned int i;
	int nid;

	kunit_activate_static_stub(test, deferred_free_create_thread,
				   sh_test_idle_thread);
	sys = sh_test_heap(test);
	kunit_deactivate_static_stub(test, deferred_free_create_thread);
	dfl = &sys->deferred;
	node_base = kunit_kcalloc(test, nr_node_ids, sizeof(long), GFP_KERNEL);
	node_want = kunit_kcalloc(test, nr_node_ids, sizeof(long), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, node_base);
	KUNIT_ASSERT_NOT_NULL(test, node_want);

	buffer = sh_test_alloc(test, sys, SH_TEST_LEN);
	sh_test_get_blocks(test, buffer, &b);
	sh_test_expect_orders(test, &b);
	for (i = 0; i < b.n; i++)
		node_want[page_to_nid(b.page[i])] += 1L << b.order[i];
	for_each_online_node(nid)
		node_base[nid] = sh_test_reclaim(nid);
	base = sh_test_reclaim(NUMA_NO_NODE);

	kunit_release_action(test, sh_test_free_action, buffer);
	KUNIT_ASSERT_EQ(test, sh_test_queued(sys, &pages), 1);
	KUNIT_EXPECT_EQ(test, pages, n);
	for_each_online_node(nid)
		KUNIT_EXPECT_EQ_MSG(test, sh_test_reclaim(nid) - node_base[nid],
				    node_want[nid],
				    "GPUReclaim pages of node %d, queued", nid);

	/* The shrinker hands the first block, of order 8, to the system */
	fs_reclaim_acquire(GFP_KERNEL);
	KUNIT_EXPECT_EQ(test, dfl->shrinker->scan_objects(dfl->shrinker, &sc),
			1UL << 8);
	fs_reclaim_release(GFP_KERNEL);
	KUNIT_EXPECT_EQ_MSG(test, sh_test_reclaim(NUMA_NO_NODE) - base,
			    n - 256, "GPUReclaim pages after a scan");

	/* With no free memory, an allocation takes the next block, order 4 */
	if (nr_node_ids == 1) {
		sh_test_stub_activate(test, 0);
		reused = sh_test_alloc(test, sys, SH_TEST_BLOCK_LEN(4));
		kunit_deactivate_static_stub(test, system_heap_alloc_pages);
		KUNIT_EXPECT_EQ(test, sh_test_stats(sys).reused_pages, 16);
		KUNIT_EXPECT_EQ_MSG(test, sh_test_reclaim(NUMA_NO_NODE) - base,
				    n - 256 - 16,
				    "GPUReclaim pages after a reuse");
		/* Queued too, as long as the list is there */
		kunit_release_action(test, sh_test_free_action, reused);
		KUNIT_EXPECT_EQ(test, sh_test_queued(sys, &pages), 2);
		KUNIT_EXPECT_EQ_MSG(test, sh_test_reclaim(NUMA_NO_NODE) - base,
				    n - 256, "GPUReclaim pages, reused queued");
	}

	kunit_release_action(test, sh_test_fini_action, sys);
	KUNIT_EXPECT_EQ_MSG(test, sh_test_reclaim(NUMA_NO_NODE) - base, 0,
			    "GPUReclaim pages after the list's teardown");
}

#ifdef CONFIG_MEMCG
/* Each block of @blocks is charged to the cgroup of @cg */
static void sh_test_expect_charged(struct kunit *test,
				   struct sh_test_memcg *cg,
				   const struct sh_test_blocks *blocks,
				   const char *what)
{
	unsigned int i;

	for (i = 0; i < blocks->n; i++)
		KUNIT_EXPECT_PTR_EQ_MSG(test, sh_test_block_memcg(blocks->page[i]),
					cg->memcg,
					"%s block %u (order %u) not charged to the cgroup",
					what, i, blocks->order[i]);
}

/* Hold each block of @blocks until the end of the test */
static void sh_test_hold_blocks(struct kunit *test,
				const struct sh_test_blocks *blocks)
{
	unsigned int i;
	int ret;

	for (i = 0; i < blocks->n; i++) {
		get_page(blocks->page[i]);
		ret = kunit_add_action_or_reset(test, sh_test_put_page,
						blocks->page[i]);
		KUNIT_ASSERT_EQ(test, ret, 0);
	}
}

/* memory.current of @cg is @pages above @before, give or take the stocks */
static void sh_test_expect_current(struct kunit *test,
				   struct sh_test_memcg *cg,
				   unsigned long before, unsigned long pages)
{
	long delta = sh_test_memcg_current(cg) - before;

	KUNIT_EXPECT_LE_MSG(test, abs(delta - (long)pages),
			    (long)SH_TEST_STOCK_PAGES,
			    "memory.current moved by %ld pages, not %lu",
			    delta, pages);
}

/*
 * With accounting on, every block of a buffer is charged to the memory
 * cgroup of the task that allocates it, from the system as from a pool.
 * The release uncharges them all at once, before the kthread zeroes them
 * into the pools (the test holds them, to read their charge afterwards),
 * and memory.current goes back down at once.
 */
static void sh_test_memcg_charges_buffer(struct kunit *test)
{
	struct sh_test_memcg *cg = sh_test_memcg(test);
	struct system_heap *sys = sh_test_heap(test);
	struct sh_test_blocks first, again;
	struct system_heap_buffer *buffer;
	unsigned long before, done;
	unsigned int i;

	before = sh_test_memcg_current(cg);
	buffer = sh_test_alloc(test, sys, SH_TEST_LEN);
	KUNIT_EXPECT_TRUE(test, buffer->charged);
	sh_test_get_blocks(test, buffer, &first);
	sh_test_expect_orders(test, &first);
	sh_test_expect_charged(test, cg, &first, "fresh");
	sh_test_expect_current(test, cg, before, SH_TEST_LEN >> PAGE_SHIFT);
	sh_test_hold_blocks(test, &first);

	done = sh_test_deferred_done(sys);
	drm_page_pool_forget_reclaim();
	kunit_release_action(test, sh_test_free_action, buffer);
	/* Queued, maybe not yet freed, and uncharged already */
	for (i = 0; i < first.n; i++)
		sh_test_expect_uncharged(test, first.page[i], "released block",
					 i);
	sh_test_expect_current(test, cg, before, 0);
	sh_test_wait_done(test, sys, done);
	sh_test_expect_pooled(test, sys, true);
	for (i = 0; i < first.n; i++)
		sh_test_expect_uncharged(test, first.page[i], "pooled block", i);

	buffer = sh_test_alloc(test, sys, SH_TEST_LEN);
	sh_test_get_blocks(test, buffer, &again);
	sh_test_expect_pooled(test, sys, false);
	for (i = 0; i < again.n; i++)
		KUNIT_EXPECT_TRUE_MSG(test,
				      sh_test_has_block(&first, again.page[i]),
				      "block %u (order %u) not from a pool", i,
				      again.order[i]);
	sh_test_expect_charged(test, cg, &again, "pooled");
	sh_test_expect_current(test, cg, before, SH_TEST_LEN >> PAGE_SHIFT);
}

/*
 * Blocks an allocation takes from a buffer waiting on the deferred-free
 * list, which its release uncharged, are charged to the allocating task's
 * cgroup as fresh ones are.
 */
static void sh_test_memcg_charges_reused(struct kunit *test)
{
	struct sh_test_memcg *cg = sh_test_memcg(test);
	struct system_heap *sys = sh_test_heap(test);
	struct system_heap_buffer *buffer;
	struct sh_test_blocks old, new;
	struct sh_test_stub *stub;
	unsigned int i;

	if (nr_node_ids > 1)
		kunit_skip(test, "queued blocks are reused on one node only");

	buffer = sh_test_alloc_to_queue(sys, SH_TEST_LEN);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, buffer);
	sh_test_get_blocks(test, buffer, &old);
	sh_test_queue_quietly(test, sys, buffer);

	/* No free memory: every block comes from the waiting buffer */
	stub = sh_test_stub_activate(test, 0);
	buffer = sh_test_alloc(test, sys, SH_TEST_LEN);
	kunit_deactivate_static_stub(test, system_heap_alloc_pages);
	KUNIT_EXPECT_EQ(test, stub->n, 0);

	sh_test_get_blocks(test, buffer, &new);
	KUNIT_ASSERT_EQ(test, new.n, old.n);
	for (i = 0; i < old.n; i++)
		KUNIT_EXPECT_PTR_EQ_MSG(test, new.page[i], old.page[i],
					"block %u", i);
	sh_test_expect_charged(test, cg, &new, "reused");
}

/*
 * With accounting off, as in 6.12, nothing is charged, even in a cgroup:
 * neither fresh blocks nor blocks from the pools.
 */
static void sh_test_memcg_off_charges_nothing(struct kunit *test)
{
	struct sh_test_memcg *cg = sh_test_memcg(test);
	struct system_heap *sys = sh_test_heap(test);
	struct system_heap_buffer *buffer;
	struct sh_test_blocks blocks;
	unsigned long before;
	unsigned int i;

	sys->mem_accounting = false;
	before = sh_test_memcg_current(cg);
	buffer = sh_test_alloc(test, sys, SH_TEST_LEN);
	KUNIT_EXPECT_FALSE(test, buffer->charged);
	sh_test_get_blocks(test, buffer, &blocks);
	for (i = 0; i < blocks.n; i++)
		sh_test_expect_uncharged(test, blocks.page[i], "fresh block", i);
	sh_test_expect_current(test, cg, before, 0);
	sh_test_free(test, buffer);

	buffer = sh_test_alloc(test, sys, SH_TEST_LEN);
	sh_test_get_blocks(test, buffer, &blocks);
	sh_test_expect_pooled(test, sys, false);
	for (i = 0; i < blocks.n; i++)
		sh_test_expect_uncharged(test, blocks.page[i], "pooled block",
					 i);
	sh_test_expect_current(test, cg, before, 0);
}

/*
 * The room of the limit case in pages: 8 MiB, or four times what the CPU
 * stocks may hold beside the charges (many CPUs, large pages), in whole MiB
 */
static unsigned long sh_test_limit_pages(void)
{
	unsigned long mib = SZ_1M >> PAGE_SHIFT;

	return roundup(max_t(unsigned long, SZ_8M >> PAGE_SHIFT,
			     4UL * SH_TEST_STOCK_PAGES), mib);
}

/*
 * A cgroup at its memory.max gets -ENOMEM from the allocation, at every
 * order, and never calls its OOM killer: buffers of 1 MiB fit up to about
 * the limit, then one fails (orders 8 and 4 without reclaim, order 0
 * after reclaim in the cgroup). The cgroup counts memory.max events but
 * no OOM; nothing of the failed allocation stays charged, and what fit is
 * uncharged as it is released.
 */
static void sh_test_memcg_limit_fails_with_enomem(struct kunit *test)
{
	struct sh_test_memcg *cg = sh_test_memcg(test);
	struct system_heap *sys = sh_test_heap(test);
	unsigned long before, oom, kills, max_events, limit, mib, nbufs;
	struct system_heap_buffer *buffer, **bufs;
	unsigned int n, i;
	int ret;

	mib = SZ_1M >> PAGE_SHIFT;
	limit = sh_test_limit_pages();
	nbufs = limit / mib + 2;
	bufs = kunit_kcalloc(test, nbufs, sizeof(*bufs), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, bufs);
	before = sh_test_memcg_current(cg);
	oom = sh_test_memcg_events(cg, MEMCG_OOM);
	kills = sh_test_memcg_events(cg, MEMCG_OOM_KILL);
	max_events = sh_test_memcg_events(cg, MEMCG_MAX);
	sh_test_memcg_set_max(test, cg, (before + limit) << PAGE_SHIFT);

	for (n = 0; n < nbufs; n++) {
		buffer = system_heap_alloc_buffer(sys, SZ_1M);
		if (IS_ERR(buffer))
			break;
		bufs[n] = buffer;
		ret = kunit_add_action_or_reset(test, sh_test_free_action,
						buffer);
		KUNIT_ASSERT_EQ(test, ret, 0);
	}
	KUNIT_ASSERT_LT_MSG(test, n, nbufs, "%u MiB fit in a cgroup of %lu MiB",
			    n, limit / mib);
	KUNIT_EXPECT_EQ(test, PTR_ERR(buffer), -ENOMEM);
	/* The stocks may hold up to a quarter of the room */
	KUNIT_EXPECT_GE(test, n, (limit - SH_TEST_STOCK_PAGES) / mib);
	KUNIT_EXPECT_LE(test, n, limit / mib);
	KUNIT_EXPECT_EQ(test, sh_test_memcg_events(cg, MEMCG_OOM), oom);
	KUNIT_EXPECT_EQ(test, sh_test_memcg_events(cg, MEMCG_OOM_KILL), kills);
	KUNIT_EXPECT_GT(test, sh_test_memcg_events(cg, MEMCG_MAX), max_events);
	sh_test_expect_current(test, cg, before, n * (SZ_1M >> PAGE_SHIFT));

	for (i = 0; i < n; i++)
		kunit_release_action(test, sh_test_free_action, bufs[i]);
	sh_test_expect_current(test, cg, before, 0);
}

/*
 * At the limit, a block the allocation took from a pool and could not
 * charge goes back to the pool, uncharged, and the allocation fails with
 * -ENOMEM: however often a cgroup at its limit tries, the pool it shares
 * with everybody keeps its block.
 */
static void sh_test_memcg_limit_pool_hit(struct kunit *test)
{
	struct sh_test_memcg *cg = sh_test_memcg(test);
	struct system_heap *sys = sh_test_heap(test);
	struct system_heap_buffer *buffer;
	unsigned long oom, blocks;
	struct page *pooled;
	unsigned int i;

	pooled = sh_test_pool_one(test, sys);
	sh_test_expect_uncharged(test, pooled, "pooled block", 0);

	oom = sh_test_memcg_events(cg, MEMCG_OOM);
	sh_test_memcg_set_max(test, cg, sh_test_memcg_current(cg) << PAGE_SHIFT);
	for (i = 0; i < 3; i++) {
		/* A give in the last 100 ms of reclaim would free it */
		drm_page_pool_forget_reclaim();
		buffer = system_heap_alloc_buffer(sys, SH_TEST_BLOCK_LEN(8));
		KUNIT_EXPECT_EQ_MSG(test, PTR_ERR_OR_ZERO(buffer), -ENOMEM,
				    "attempt %u", i);
		if (!IS_ERR(buffer))
			sh_test_release(buffer);
		blocks = READ_ONCE(sys->pools[0].count);
		KUNIT_EXPECT_EQ_MSG(test, blocks, 1,
				    "order-8 blocks pooled after attempt %u", i);
		KUNIT_EXPECT_EQ_MSG(test, page_ref_count(pooled), 2,
				    "references to the pooled block, attempt %u",
				    i);
	}
	KUNIT_EXPECT_EQ(test, sh_test_memcg_events(cg, MEMCG_OOM), oom);
	sh_test_expect_uncharged(test, pooled, "pooled block", 0);
}

/* Zero a reused block, counting those zeroed before they were charged */
static void sh_test_clear_charged_stub(struct page *page, unsigned int order)
{
	struct kunit *test = kunit_get_current_test();
	struct sh_test_stub *stub = test->priv;

	if (!sh_test_block_memcg(page))
		stub->clears_uncharged++;
	sh_test_clear_block_stub(page, order);
}

/*
 * At the limit, a block taken from a queued buffer is charged before it is
 * zeroed: the order-8 block, more than the per-CPU charge stocks hold, goes
 * back to the system unzeroed and uncharged, and no block is zeroed before
 * its charge; the allocation fails with -ENOMEM. A cgroup at its limit does
 * not zero other users' released memory for nothing.
 */
static void sh_test_memcg_limit_queued_not_zeroed(struct kunit *test)
{
	struct sh_test_memcg *cg = sh_test_memcg(test);
	struct system_heap *sys = sh_test_heap(test);
	struct system_heap_buffer *buffer;
	struct sh_test_blocks old;
	struct sh_test_stub *stub;

	if (nr_node_ids > 1)
		kunit_skip(test, "queued blocks are reused on one node only");

	sh_test_queue_held(test, sys, &old);
	sh_test_memcg_set_max(test, cg, sh_test_memcg_current(cg) << PAGE_SHIFT);

	/* No free memory: every block comes from the queued buffer */
	stub = sh_test_stub_activate(test, 0);
	kunit_activate_static_stub(test, system_heap_clear_block,
				   sh_test_clear_charged_stub);
	buffer = system_heap_alloc_buffer(sys, SH_TEST_BLOCK_LEN(8));
	kunit_deactivate_static_stub(test, system_heap_clear_block);
	kunit_deactivate_static_stub(test, system_heap_alloc_pages);

	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(buffer), -ENOMEM);
	if (!IS_ERR(buffer))
		sh_test_release(buffer);
	KUNIT_EXPECT_EQ_MSG(test, stub->clears_uncharged, 0,
			    "%u of %u reused blocks zeroed before their charge",
			    stub->clears_uncharged, stub->clears);
	KUNIT_EXPECT_EQ_MSG(test, page_ref_count(old.page[0]), 1,
			    "the order-8 block is still held");
	sh_test_expect_uncharged(test, old.page[0], "reused block", 0);
}

/*
 * Charge nothing, as a cgroup at its limit: fail without reclaim; with
 * reclaim, fail once the test lets the held call go on
 */
static int sh_test_charge_held_stub(struct page *page, gfp_t gfp,
				    unsigned int order)
{
	struct kunit *test = kunit_get_current_test();
	struct sh_test_stub *stub = test->priv;

	if (gfp & __GFP_DIRECT_RECLAIM) {
		stub->reclaim_charges++;
		if (stub->held)
			sh_test_hold(stub->held);
	}

	return -ENOMEM;
}

/*
 * An allocation that took a block from a queued buffer and put its rest
 * back wakes the kthread before its cgroup reclaims to charge the block:
 * buffers released meanwhile queue behind that rest, and the kthread frees
 * them while the cgroup reclaims, not only once the allocation ends.
 */
static void sh_test_memcg_wakes_kthread_before_reclaim(struct kunit *test)
{
	struct system_heap_buffer *other, *queued;
	struct sh_test_held_alloc *h;
	struct sh_test_stub *stub;
	struct system_heap *sys;
	unsigned long timeout;

	sh_test_memcg(test);
	sys = sh_test_heap(test);
	if (nr_node_ids > 1)
		kunit_skip(test, "queued blocks are reused on one node only");

	other = sh_test_alloc(test, sys, SYSTEM_HEAP_DEFER_MIN_LEN);
	/* Two order-0 pages: the first is what the allocation takes */
	queued = sh_test_alloc_to_queue(sys, 2 * PAGE_SIZE);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, queued);
	KUNIT_ASSERT_EQ(test, queued->sg_table.nents, 2);
	sh_test_queue_quietly(test, sys, queued);

	/*
	 * No free memory: the page comes from the queued buffer, the cgroup
	 * refuses it without reclaim, and the charge with reclaim is held
	 */
	stub = sh_test_stub_activate(test, 0);
	kunit_activate_static_stub(test, system_heap_charge_page,
				   sh_test_charge_held_stub);
	h = sh_test_held_alloc_start(test, sys, stub, PAGE_SIZE);
	sh_test_release_while_held(test, sys, h, other);
	sh_test_held_alloc_finish(test, h);

	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(h->buffer), -ENOMEM);
	KUNIT_EXPECT_EQ(test, stub->reclaim_charges, 1);
	KUNIT_EXPECT_EQ(test, stub->reclaim_calls, 0);
	KUNIT_EXPECT_EQ(test, sh_test_stats(sys).reused_pages, 1);
	timeout = jiffies + 10 * HZ;
	while (!sh_test_list_idle(sys) && time_before(jiffies, timeout))
		msleep(20);
	KUNIT_EXPECT_TRUE(test, sh_test_list_idle(sys));
}
#else
static void sh_test_memcg_none(struct kunit *test)
{
	sh_test_memcg(test);
}

#define sh_test_memcg_charges_buffer		sh_test_memcg_none
#define sh_test_memcg_charges_reused		sh_test_memcg_none
#define sh_test_memcg_off_charges_nothing	sh_test_memcg_none
#define sh_test_memcg_limit_fails_with_enomem	sh_test_memcg_none
#define sh_test_memcg_limit_pool_hit		sh_test_memcg_none
#define sh_test_memcg_limit_queued_not_zeroed	sh_test_memcg_none
#define sh_test_memcg_wakes_kthread_before_reclaim	sh_test_memcg_none
#endif

/*
 * Cases of the allocation again, with accounting on in a cgroup: the error
 * cases hand back every block they took uncharged, whether it came from a
 * pool, the system or a queued buffer, as their checks read; the others
 * still find every block zeroed, charged as it is.
 */
#define SH_TEST_MEMCG_CASE(name)					\
static void name##_memcg(struct kunit *test)				\
{									\
	sh_test_memcg(test);						\
	name(test);							\
}

SH_TEST_MEMCG_CASE(sh_test_alloc_failure_frees_blocks)
SH_TEST_MEMCG_CASE(sh_test_alloc_failure_after_pool_hit)
SH_TEST_MEMCG_CASE(sh_test_alloc_fatal_signal)
SH_TEST_MEMCG_CASE(sh_test_alloc_table_failure)
SH_TEST_MEMCG_CASE(sh_test_export_failure)
SH_TEST_MEMCG_CASE(sh_test_alloc_failure_after_reuse)
SH_TEST_MEMCG_CASE(sh_test_alloc_fatal_signal_during_reuse)
SH_TEST_MEMCG_CASE(sh_test_small_buffer_freed_at_once)
SH_TEST_MEMCG_CASE(sh_test_freed_pattern_comes_back_zeroed)
SH_TEST_MEMCG_CASE(sh_test_alloc_reuses_queued)
SH_TEST_MEMCG_CASE(sh_test_alloc_reuse_puts_back_before_zeroing)
SH_TEST_MEMCG_CASE(sh_test_alloc_wakes_kthread_before_reclaim)

static struct kunit_case system_heap_test_cases[] = {
	KUNIT_CASE(sh_test_alloc_free_through_pools),
	KUNIT_CASE(sh_test_freed_pattern_comes_back_zeroed),
	KUNIT_CASE(sh_test_alloc_failure_frees_blocks),
	KUNIT_CASE(sh_test_alloc_failure_after_pool_hit),
	KUNIT_CASE(sh_test_alloc_fatal_signal),
	KUNIT_CASE(sh_test_alloc_table_failure),
	KUNIT_CASE(sh_test_export_failure),
	KUNIT_CASE(sh_test_alloc_dmabuf),
	KUNIT_CASE(sh_test_pressure_frees_to_system),
	KUNIT_CASE(sh_test_deferred_free_by_block),
	KUNIT_CASE(sh_test_deferred_free_normal_then_pressure),
	KUNIT_CASE(sh_test_deferred_free_chained_table),
	KUNIT_CASE(sh_test_alloc_reuses_queued),
	KUNIT_CASE(sh_test_alloc_failure_after_reuse),
	KUNIT_CASE(sh_test_alloc_fatal_signal_during_reuse),
	KUNIT_CASE(sh_test_alloc_reuse_puts_back_before_zeroing),
	KUNIT_CASE(sh_test_alloc_wakes_kthread_before_reclaim),
	KUNIT_CASE(sh_test_alloc_prefers_free_memory),
	KUNIT_CASE(sh_test_alloc_wakes_kthread),
	KUNIT_CASE(sh_test_pools_held_to_heap_limit),
	KUNIT_CASE(sh_test_default_pool_limit),
	KUNIT_CASE_PARAM(sh_test_first_order, sh_test_max_orders_gen_params),
	KUNIT_CASE(sh_test_alloc_without_order_8),
	KUNIT_CASE(sh_test_congested_frees_unzeroed),
	KUNIT_CASE(sh_test_put_back_before_zeroing),
	KUNIT_CASE(sh_test_reclaim_counter_pooled),
	KUNIT_CASE(sh_test_reclaim_counter_queued),
	KUNIT_CASE(sh_test_small_buffer_freed_at_once),
	KUNIT_CASE_PARAM(sh_test_len_beyond_ram, sh_test_rams_gen_params),
	KUNIT_CASE(sh_test_alloc_beyond_ram),
	KUNIT_CASE(sh_test_register_failure_tears_down),
	KUNIT_CASE_PARAM(sh_test_pool_init_failure_unwinds,
			 sh_test_pool_failures_gen_params),
	KUNIT_CASE(sh_test_memcg_charges_buffer),
	KUNIT_CASE(sh_test_memcg_charges_reused),
	KUNIT_CASE(sh_test_memcg_off_charges_nothing),
	KUNIT_CASE(sh_test_memcg_limit_fails_with_enomem),
	KUNIT_CASE(sh_test_memcg_limit_pool_hit),
	KUNIT_CASE(sh_test_memcg_limit_queued_not_zeroed),
	KUNIT_CASE(sh_test_memcg_wakes_kthread_before_reclaim),
	KUNIT_CASE(sh_test_alloc_failure_frees_blocks_memcg),
	KUNIT_CASE(sh_test_alloc_failure_after_pool_hit_memcg),
	KUNIT_CASE(sh_test_alloc_fatal_signal_memcg),
	KUNIT_CASE(sh_test_alloc_table_failure_memcg),
	KUNIT_CASE(sh_test_export_failure_memcg),
	KUNIT_CASE(sh_test_alloc_failure_after_reuse_memcg),
	KUNIT_CASE(sh_test_alloc_fatal_signal_during_reuse_memcg),
	KUNIT_CASE(sh_test_small_buffer_freed_at_once_memcg),
	KUNIT_CASE(sh_test_freed_pattern_comes_back_zeroed_memcg),
	KUNIT_CASE(sh_test_alloc_reuses_queued_memcg),
	KUNIT_CASE(sh_test_alloc_reuse_puts_back_before_zeroing_memcg),
	KUNIT_CASE(sh_test_alloc_wakes_kthread_before_reclaim_memcg),
	{}
};

static struct kunit_suite system_heap_test_suite = {
	.name = "dma_heap_system",
	.test_cases = system_heap_test_cases,
};

kunit_test_suite(system_heap_test_suite);

MODULE_DESCRIPTION("KUnit tests for the dma-buf system heap");
MODULE_LICENSE("GPL");
