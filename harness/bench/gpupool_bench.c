// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Benchmarks the harness builds into its bench kernels (harness/bench-kernels.sh),
 * base and patched alike; never part of the series. Each runs at
 * late_initcall time, only when asked on the kernel command line:
 *
 * gpupool_bench.ttm=1
 *	Populate and unpopulate of ttm_tts through TTM's public API only
 *	(ttm_device_init, ttm_pool_init, ttm_tt_init, ttm_pool_alloc,
 *	ttm_pool_free), so that the same file builds against the base tree
 *	and the patched one. Cells: 1 MiB and 64 MiB tts, cached and write-combined,
 *	warm pool (the tt's pages were just given back) and cold pool (the
 *	pool was torn down and set up again before each populate). The tts
 *	ask for zeroed pages (TTM_TT_FLAG_ZERO_ALLOC), as TTM gives every
 *	buffer object userspace can see. The pool is bound to node 0, so that
 *	write-combined pages go to pool types of its own on x86 and a cold
 *	pool is one ttm_pool_fini() away.
 *	Output: "ttm_pool_bench: <size> <caching> <warm|cold> populate <median>
 *	[<min>-<max>] unpopulate <median> [<min>-<max>]" in ns per operation,
 *	which under QEMU -icount shift=0 are guest instructions.
 *
 * gpupool_bench.copy_page=1
 *	The guest's copy_page() bandwidth: 16 MiB of pages copied into
 *	another 16 MiB, best of 5 rounds.
 *	Output: "copy_page_bench: <MiB> MiB best <ns> ns <MiB/s> MiB/s".
 *
 * echo 1 >/sys/module/gpupool_bench/parameters/ttm_backup
 *	At run time, once swap is on (a backup needs swap room for the tt):
 *	a cached 64 MiB tt, filled with data, taken out of memory and brought
 *	back, 5 measured rounds after one unmeasured. Every kernel times 6.12's
 *	way, ttm_tt_swapout() then ttm_tt_populate() of the swapped tt (pool
 *	pages, then ttm_tt_swapin()); a kernel with the series' backup
 *	(TTM_TT_FLAG_BACKED_UP defined) also times ttm_tt_backup() without
 *	writeback then ttm_tt_populate() of the backed-up tt (the restore),
 *	the rounds of the two ways alternating. The restore frees the shmem
 *	copies block by block; 6.12's swap-in leaves that to the task work of
 *	its fput(), so its time here includes truncating the file. The data
 *	is checked after every round, untimed.
 *	Output: "ttm_backup_bench: 64MiB <swapout|backup> <median> [<min>-<max>]
 *	<swapin|restore> <median> [<min>-<max>]" in ns per operation, then
 *	"ttm_backup_bench: done (<err>)".
 */

#include <linux/file.h>
#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/shmem_fs.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/sizes.h>
#include <linux/vmalloc.h>

#include <drm/drm_vma_manager.h>
#include <drm/ttm/ttm_bo.h>
#include <drm/ttm/ttm_device.h>
#include <drm/ttm/ttm_pool.h>
#include <drm/ttm/ttm_tt.h>

static bool ttm;
module_param(ttm, bool, 0444);
static bool copy_page_bw;
module_param_named(copy_page, copy_page_bw, bool, 0444);

#define BENCH_REPS	9

static struct ttm_device_funcs bench_funcs;

static int bench_cmp(const void *a, const void *b)
{
	const u64 *x = a, *y = b;

	return *x < *y ? -1 : *x > *y;
}

static void bench_print(const char *size, const char *caching,
			const char *temp, u64 *pop, u64 *unpop)
{
	sort(pop, BENCH_REPS, sizeof(*pop), bench_cmp, NULL);
	sort(unpop, BENCH_REPS, sizeof(*unpop), bench_cmp, NULL);
	pr_info("ttm_pool_bench: %s %s %s populate %llu [%llu-%llu] unpopulate %llu [%llu-%llu]\n",
		size, caching, temp, pop[BENCH_REPS / 2], pop[0],
		pop[BENCH_REPS - 1], unpop[BENCH_REPS / 2], unpop[0],
		unpop[BENCH_REPS - 1]);
}

static int bench_cell(struct ttm_buffer_object *bo, enum ttm_caching caching,
		      bool warm, const char *size, u64 *pop, u64 *unpop)
{
	struct ttm_operation_ctx ctx = { };
	struct ttm_pool pool;
	struct ttm_tt tt;
	int i, r = 0;
	u64 t0, t1;

	ttm_pool_init(&pool, NULL, 0, false, false);
	for (i = -1; i < BENCH_REPS; i++) {
		if (!warm) {
			ttm_pool_fini(&pool);
			ttm_pool_init(&pool, NULL, 0, false, false);
		}
		memset(&tt, 0, sizeof(tt));
		r = ttm_tt_init(&tt, bo, TTM_TT_FLAG_ZERO_ALLOC, caching, 0);
		if (r)
			break;
		t0 = ktime_get_ns();
		r = ttm_pool_alloc(&pool, &tt, &ctx);
		t1 = ktime_get_ns();
		if (r) {
			ttm_tt_fini(&tt);
			break;
		}
		if (i >= 0)
			pop[i] = t1 - t0;
		t0 = ktime_get_ns();
		ttm_pool_free(&pool, &tt);
		t1 = ktime_get_ns();
		if (i >= 0)
			unpop[i] = t1 - t0;
		ttm_tt_fini(&tt);
	}
	ttm_pool_fini(&pool);
	if (!r)
		bench_print(size, caching == ttm_cached ? "cached" : "wc",
			    warm ? "warm" : "cold", pop, unpop);
	else
		pr_info("ttm_pool_bench: %s error %d\n", size, r);

	return r;
}

static int ttm_bench(void)
{
	static const size_t sizes[] = { SZ_1M, SZ_64M };
	static const enum ttm_caching cachings[] = {
		ttm_cached, ttm_write_combined,
	};
	struct drm_vma_offset_manager *vma;
	struct ttm_buffer_object *bo;
	struct ttm_device *bdev;
	u64 *pop, *unpop;
	int s, c, w, r;

	bdev = kzalloc(sizeof(*bdev), GFP_KERNEL);
	vma = kzalloc(sizeof(*vma), GFP_KERNEL);
	bo = kzalloc(sizeof(*bo), GFP_KERNEL);
	pop = kcalloc(2 * BENCH_REPS, sizeof(*pop), GFP_KERNEL);
	if (!bdev || !vma || !bo || !pop) {
		r = -ENOMEM;
		goto out;
	}
	unpop = pop + BENCH_REPS;

	/* TTM's global pools exist while a device does */
	drm_vma_offset_manager_init(vma, 0, 1);
	r = ttm_device_init(bdev, &bench_funcs, NULL, NULL, vma, false, false);
	if (r)
		goto out_vma;

	for (s = 0; s < ARRAY_SIZE(sizes); s++) {
		bo->base.size = sizes[s];
		for (c = 0; c < ARRAY_SIZE(cachings); c++)
			for (w = 1; w >= 0; w--)
				bench_cell(bo, cachings[c], w,
					   s ? "64MiB" : "1MiB", pop, unpop);
	}

	ttm_device_fini(bdev);
out_vma:
	drm_vma_offset_manager_destroy(vma);
out:
	kfree(pop);
	kfree(bo);
	kfree(vma);
	kfree(bdev);
	return r;
}

#define BACKUP_REPS	5
#define BACKUP_SIZE	SZ_64M

/* Data that no page of the tt shares with another, nor with zeroes */
static void backup_fill(struct ttm_tt *tt, u32 seed, bool check, int *err)
{
	pgoff_t i;
	u32 *p, x;
	int j;

	for (i = 0; i < tt->num_pages; i++) {
		p = kmap_local_page(tt->pages[i]);
		x = seed ^ (i * 2654435761u) ^ 0x9e3779b9u;
		for (j = 0; j < PAGE_SIZE / sizeof(*p); j++) {
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			if (!check)
				p[j] = x;
			else if (p[j] != x)
				*err = -EIO;
		}
		kunmap_local(p);
	}
}

/*
 * One round: populate, fill, take the pages out (6.12's swapout, or the
 * series' backup), populate again (swap-in, or restore), check.
 */
static int backup_round(struct ttm_device *bdev, struct ttm_buffer_object *bo,
			bool backup, u32 seed, u64 *down, u64 *up)
{
	struct ttm_operation_ctx ctx = { };
	struct file *swap;
	struct ttm_tt tt;
	int err = 0;
	long ret;
	u64 t0;

	memset(&tt, 0, sizeof(tt));
	err = ttm_tt_init(&tt, bo, TTM_TT_FLAG_EXTERNAL |
			  TTM_TT_FLAG_EXTERNAL_MAPPABLE, ttm_cached, 0);
	if (err)
		return err;
#ifdef TTM_TT_FLAG_BACKED_UP
	if (backup) {
		err = ttm_tt_setup_backup(&tt);
		if (err)
			goto out_fini;
	}
#endif
	err = ttm_tt_populate(bdev, &tt, &ctx);
	if (err)
		goto out_fini;
	backup_fill(&tt, seed, false, &err);

	t0 = ktime_get_ns();
#ifdef TTM_TT_FLAG_BACKED_UP
	if (backup)
		ret = ttm_tt_backup(bdev, &tt, (struct ttm_backup_flags){});
	else
#endif
		ret = ttm_tt_swapout(bdev, &tt, GFP_KERNEL);
	*down = ktime_get_ns() - t0;
	if (ret != tt.num_pages) {
		err = ret < 0 ? ret : -EIO;
		goto out_unpopulate;
	}

	/*
	 * 6.12's swap-in ends with fput() of the shmem file, which frees its
	 * pages later, in task work; the series' restore frees its copies as
	 * it goes. So that both times include the same job, 6.12's way frees
	 * the file's pages before the clock stops.
	 */
	swap = tt.swap_storage ? get_file(tt.swap_storage) : NULL;
	t0 = ktime_get_ns();
	err = ttm_tt_populate(bdev, &tt, &ctx);
	if (swap)
		shmem_truncate_range(file_inode(swap), 0, (loff_t)-1);
	*up = ktime_get_ns() - t0;
	if (swap)
		fput(swap);
	if (!err)
		backup_fill(&tt, seed, true, &err);

out_unpopulate:
	/* On an error, whatever state the tt is in, this frees it all */
	ttm_tt_unpopulate(bdev, &tt);
out_fini:
	ttm_tt_fini(&tt);
	return err;
}

static int ttm_backup_bench(void)
{
	struct drm_vma_offset_manager *vma;
	struct ttm_buffer_object *bo;
	struct ttm_device *bdev;
	u64 *t[4];
	int i, m, r, ways = 1;

#ifdef TTM_TT_FLAG_BACKED_UP
	ways = 2;
#endif
	bdev = kzalloc(sizeof(*bdev), GFP_KERNEL);
	vma = kzalloc(sizeof(*vma), GFP_KERNEL);
	bo = kzalloc(sizeof(*bo), GFP_KERNEL);
	t[0] = kcalloc(4 * BACKUP_REPS, sizeof(u64), GFP_KERNEL);
	if (!bdev || !vma || !bo || !t[0]) {
		r = -ENOMEM;
		goto out;
	}
	for (i = 1; i < 4; i++)
		t[i] = t[0] + i * BACKUP_REPS;

	drm_vma_offset_manager_init(vma, 0, 1);
	r = ttm_device_init(bdev, &bench_funcs, NULL, NULL, vma, false, false);
	if (r)
		goto out_vma;
	bo->base.size = BACKUP_SIZE;

	/* The ways alternate within each round: both see the same memory */
	for (i = -1; i < BACKUP_REPS && !r; i++) {
		for (m = 0; m < ways && !r; m++) {
			u64 down, up;

			r = backup_round(bdev, bo, m, i + 2, &down, &up);
			if (i >= 0) {
				t[2 * m][i] = down;
				t[2 * m + 1][i] = up;
			}
			cond_resched();
		}
	}
	for (m = 0; m < ways && !r; m++) {
		sort(t[2 * m], BACKUP_REPS, sizeof(u64), bench_cmp, NULL);
		sort(t[2 * m + 1], BACKUP_REPS, sizeof(u64), bench_cmp, NULL);
		pr_info("ttm_backup_bench: 64MiB %s %llu [%llu-%llu] %s %llu [%llu-%llu]\n",
			m ? "backup" : "swapout", t[2 * m][BACKUP_REPS / 2],
			t[2 * m][0], t[2 * m][BACKUP_REPS - 1],
			m ? "restore" : "swapin", t[2 * m + 1][BACKUP_REPS / 2],
			t[2 * m + 1][0], t[2 * m + 1][BACKUP_REPS - 1]);
	}

	ttm_device_fini(bdev);
out_vma:
	drm_vma_offset_manager_destroy(vma);
out:
	kfree(t[0]);
	kfree(bo);
	kfree(vma);
	kfree(bdev);
	return r;
}

static bool ttm_backup;

/* Runs the benchmark when user space writes 1, not from the command line */
static int ttm_backup_set(const char *val, const struct kernel_param *kp)
{
	bool run;
	int r;

	r = kstrtobool(val, &run);
	if (r)
		return r;
	if (!run)
		return 0;
	if (system_state != SYSTEM_RUNNING)
		return -EBUSY;
	r = ttm_backup_bench();
	pr_info("ttm_backup_bench: done (%d)\n", r);
	return r;
}

static const struct kernel_param_ops ttm_backup_ops = {
	.set = ttm_backup_set,
	.get = param_get_bool,
};
module_param_cb(ttm_backup, &ttm_backup_ops, &ttm_backup, 0644);

#define COPY_PAGES	(SZ_16M / PAGE_SIZE)
#define COPY_ROUNDS	5

static int copy_page_bench(void)
{
	struct page **src, **dst;
	u64 best = U64_MAX, t;
	unsigned int i, r;
	int ret = 0;

	src = kvcalloc(2 * COPY_PAGES, sizeof(*src), GFP_KERNEL);
	if (!src)
		return -ENOMEM;
	dst = src + COPY_PAGES;
	for (i = 0; i < 2 * COPY_PAGES; i++) {
		src[i] = alloc_page(GFP_KERNEL);
		if (!src[i]) {
			ret = -ENOMEM;
			goto out;
		}
	}
	for (i = 0; i < COPY_PAGES; i++)
		memset(page_address(src[i]), i, PAGE_SIZE);

	for (r = 0; r < COPY_ROUNDS; r++) {
		t = ktime_get_ns();
		for (i = 0; i < COPY_PAGES; i++)
			copy_page(page_address(dst[i]), page_address(src[i]));
		best = min(best, ktime_get_ns() - t);
		cond_resched();
	}
	for (i = 0; i < COPY_PAGES; i++)
		if (memcmp(page_address(dst[i]), page_address(src[i]), PAGE_SIZE))
			ret = -EIO;
	if (!ret)
		pr_info("copy_page_bench: %u MiB best %llu ns %llu MiB/s\n",
			SZ_16M / SZ_1M, best,
			div64_u64((u64)(SZ_16M / SZ_1M) * NSEC_PER_SEC, best ?: 1));
out:
	for (i = 0; i < 2 * COPY_PAGES && src[i]; i++)
		__free_page(src[i]);
	kvfree(src);
	return ret;
}

static int __init gpupool_bench_init(void)
{
	int r;

	if (ttm) {
		r = ttm_bench();
		pr_info("ttm_pool_bench: done (%d)\n", r);
	}
	if (copy_page_bw) {
		r = copy_page_bench();
		pr_info("copy_page_bench: done (%d)\n", r);
	}
	return 0;
}
late_initcall(gpupool_bench_init);
