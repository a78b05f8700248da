// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * PROPOSED addition to harness/bench/gpupool_bench.c for issue 15 (not
 * wired in: changing the live bench file makes the recorded results stale).
 * Untested: it needs the six patches of ../patches in main first.
 *
 * gpupool_bench.backup (writable, 0200): writing 1 runs, in the running
 * guest (after its workload made a zram swap device of >= 128 MiB, since
 * ttm_tt_backup() refuses without swap room for the tt), BENCH_REPS rounds
 * of, for one 64 MiB cached tt of the bench device:
 *   6.12's path:  populate, fill, ttm_tt_swapout() [timed], ttm_tt_populate()
 *                 = swapin [timed], check, unpopulate, fini
 *   the series':  EXTERNAL|EXTERNAL_MAPPABLE tt, ttm_tt_setup_backup(),
 *                 populate, fill, ttm_tt_backup() [timed, no writeback],
 *                 ttm_tt_populate() = restore [timed], check, unpopulate,
 *                 fini
 * then copy_page_bench() of the same boot.
 * Output: "ttm_backup_bench: 64MiB swapout <median> [<min>-<max>] backup
 * <median> [...] swapin <median> [...] restore <median> [...]" in ns (guest
 * instructions under -icount shift=0).  The table takes the ratios
 * swapout/backup and swapin/restore within each boot (bar: >= 0.9, i.e.
 * the series' path at least 0.9x the throughput of 6.12's).
 * Against the base tree (no ttm_backup.h) the parameter prints "n/a".
 */
#if __has_include(<drm/ttm/ttm_backup.h>)
#define BENCH_HAVE_BACKUP 1
#endif

#ifdef BENCH_HAVE_BACKUP
/* Fill a populated tt with a pattern of its page index; check it */
static void bench_fill(struct ttm_tt *tt)
{
	pgoff_t i;

	for (i = 0; i < tt->num_pages; i++) {
		void *v = kmap_local_page(tt->pages[i]);

		memset(v, (int)(i * 7 + 1), PAGE_SIZE);
		kunmap_local(v);
	}
}

static bool bench_check(struct ttm_tt *tt)
{
	pgoff_t i;
	bool ok = true;

	for (i = 0; ok && i < tt->num_pages; i += 97) {
		u8 *v = kmap_local_page(tt->pages[i]);

		ok = v[0] == (u8)(i * 7 + 1) && v[PAGE_SIZE - 1] == (u8)(i * 7 + 1);
		kunmap_local(v);
	}
	return ok;
}

/* One round of one path: out (swapout or backup) and in (populate) */
static int bench_backup_round(struct ttm_device *bdev,
			      struct ttm_buffer_object *bo, bool series,
			      u64 *out_ns, u64 *in_ns)
{
	struct ttm_operation_ctx ctx = { };
	struct ttm_backup_flags flags = { };
	struct ttm_tt tt = { };
	long ret;
	u64 t;
	int r;

	r = ttm_tt_init(&tt, bo, series ? TTM_TT_FLAG_EXTERNAL |
			TTM_TT_FLAG_EXTERNAL_MAPPABLE : 0, ttm_cached, 0);
	if (r)
		return r;
	if (series) {
		r = ttm_tt_setup_backup(&tt);
		if (r)
			goto fini;
	}
	r = ttm_tt_populate(bdev, &tt, &ctx);
	if (r)
		goto fini;
	bench_fill(&tt);

	t = ktime_get_ns();
	if (series)
		ret = ttm_tt_backup(bdev, &tt, flags);
	else
		ret = ttm_tt_swapout(bdev, &tt, GFP_KERNEL);
	*out_ns = ktime_get_ns() - t;
	if (ret != tt.num_pages) {
		r = ret < 0 ? ret : -EIO;
		goto fini;
	}

	t = ktime_get_ns();
	r = ttm_tt_populate(bdev, &tt, &ctx);
	*in_ns = ktime_get_ns() - t;
	if (!r && !bench_check(&tt))
		r = -EIO;
	ttm_tt_unpopulate(bdev, &tt);
fini:
	ttm_tt_fini(&tt);
	return r;
}
#endif
