// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * heap-b2b: back-to-back allocate+close rounds on the system heap, no pause
 * between them, as a camera or media pipeline recycles its buffers (make
 * bench's back-to-back case, issue 19 item 2).  The same static binary runs
 * on the base kernel and on the patched one.
 *
 *   heap-b2b ROUNDS [STATS]
 *
 * For 4 KiB, 1, 8 and 32 MiB in turn: ROUNDS rounds of DMA_HEAP_IOCTL_ALLOC
 * then close(), each call timed (CLOCK_MONOTONIC, into arrays allocated
 * before the burst), then "echo 3 > /proc/sys/vm/drop_caches" (which runs
 * every shrinker: the pools and the deferred-free backlog), so that each
 * size starts from drained pools on both kernels.  One line per size:
 *
 *   b2b len LEN rounds N alloc_p50_ns .. alloc_p90_ns .. alloc_p99_ns ..
 *       alloc_max_ns .. close_p50_ns .. close_p99_ns .. memavail_before_kb ..
 *       memavail_after_kb .. memavail_dropped_kb ..
 *
 * Percentiles are nearest-rank (p99 of 100 rounds is the second largest);
 * MemAvailable before the burst, right after it, and after drop_caches.
 * If the file STATS (the deferred-free list's debugfs stats) exists, every
 * "key: value" line of it follows, read after drop_caches (cumulative since
 * boot):
 *
 *   b2b-stats len LEN queued_items .. reused_pages .. freed_pages .. ...
 *
 * and "b2b-stats len LEN absent" if it does not (the base kernel).  The
 * last line is "b2b done".  Any failure (an allocation, a close, reading
 * /proc/meminfo, writing drop_caches, memory for the samples) prints
 * "b2b error ..." with the errno and exits 1: a result line is never
 * printed for a size whose rounds did not all succeed.
 *
 *   heap-b2b sameboot QUADS ROUNDS
 *
 * The heap as shipped (S) against its base path (B: heap-knobs.h) in one
 * boot of the patched kernel: one untimed burst of every size in each
 * mode, so that the guest has written all the memory the bursts use,
 * then QUADS quads; in each quad, for every size, four bursts of ROUNDS
 * rounds in the modes A S B S (A and B both the base path), each from
 * drained pools (drop_caches before it).  One line per burst:
 *
 *   b2b-sb len LEN quad Q slot I mode M alloc_p50_ns .. alloc_p99_ns ..
 *       alloc_max_ns .. close_p50_ns ..
 *
 * after a first line "b2b-sb knobs pool_limit_pages .. max_backlog_percent
 * .. quads .. rounds ..", and then "b2b-sb done"; failures print
 * "b2b error ..." as above.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>
#include <linux/dma-heap.h>

#include "heap-knobs.h"

#define MIB (1024ULL * 1024)

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void fail(const char *what, unsigned long long len, int round, int err)
{
	printf("b2b error %s len %llu round %d errno %d (%s)\n", what, len, round,
	       err, strerror(err));
	fflush(stdout);
	exit(1);
}

/* KEY's value in /proc/meminfo, in kB; exits on failure. */
static unsigned long meminfo_kb(const char *key, unsigned long long len)
{
	char line[256];
	size_t n = strlen(key);
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		fail("meminfo", len, -1, errno);
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, key, n) && line[n] == ':') {
			fclose(f);
			return strtoul(line + n + 1, NULL, 10);
		}
	}
	fclose(f);
	fail("meminfo-key", len, -1, ENOENT);
	return 0;
}

static void drop_caches(unsigned long long len)
{
	int fd = open("/proc/sys/vm/drop_caches", O_WRONLY | O_CLOEXEC);

	if (fd < 0)
		fail("drop_caches-open", len, -1, errno);
	if (write(fd, "3\n", 2) != 2)
		fail("drop_caches-write", len, -1, errno);
	if (close(fd) < 0)
		fail("drop_caches-close", len, -1, errno);
}

static void print_stats(const char *path, unsigned long long len)
{
	char line[256], key[128];
	unsigned long long v;
	FILE *f = fopen(path, "r");

	printf("b2b-stats len %llu", len);
	if (!f) {
		if (errno != ENOENT)
			fail("stats-open", len, -1, errno);
		printf(" absent\n");
		return;
	}
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%127[a-z_]: %llu", key, &v) == 2)
			printf(" %s %llu", key, v);
	if (ferror(f))
		fail("stats-read", len, -1, EIO);
	fclose(f);
	printf("\n");
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Nearest-rank percentile P (0 < P <= 100) of N sorted samples. */
static unsigned long long pct(const uint64_t *v, int n, int p)
{
	int i = (n * p + 99) / 100 - 1;

	return v[i < 0 ? 0 : i];
}

/*
 * ROUNDS back-to-back rounds of LEN into @ta and @tc (sorted on return);
 * exits on failure.
 */
static void burst(int heap, unsigned long long len, int rounds, uint64_t *ta, uint64_t *tc)
{
	int i;

	for (i = 0; i < rounds; i++) {
		struct dma_heap_allocation_data d = {
			.len = len, .fd_flags = O_RDWR | O_CLOEXEC,
		};
		uint64_t t = now_ns();
		int r = ioctl(heap, DMA_HEAP_IOCTL_ALLOC, &d);

		ta[i] = now_ns() - t;
		if (r < 0)
			fail("alloc", len, i, errno);
		t = now_ns();
		r = close(d.fd);
		tc[i] = now_ns() - t;
		if (r < 0)
			fail("close", len, i, errno);
	}
	qsort(ta, rounds, sizeof(*ta), cmp_u64);
	qsort(tc, rounds, sizeof(*tc), cmp_u64);
}

static const unsigned long long sizes[] = { 4096, MIB, 8 * MIB, 32 * MIB };
#define NR_SIZES (sizeof(sizes) / sizeof(sizes[0]))

static int sameboot(int heap, int quads, int rounds, uint64_t *ta, uint64_t *tc)
{
	static const char modes[] = "ASBS";
	struct heap_knobs k;
	unsigned int s;
	int q, m;

	if (heap_knobs_save(&k))
		fail("knobs", 0, -1, ENOENT);
	printf("b2b-sb knobs pool_limit_pages %s max_backlog_percent %s quads %d rounds %d\n",
	       k.pool, k.backlog, quads, rounds);
	for (q = -1; q < quads; q++) {
		for (s = 0; s < NR_SIZES; s++) {
			for (m = 0; m < 4; m++) {
				/* The untimed first pass runs each mode once */
				if (q < 0 && m > 1)
					continue;
				if (heap_knobs_set(&k, modes[m] == 'S'))
					fail("knob-write", sizes[s], -1, errno);
				drop_caches(sizes[s]);
				burst(heap, sizes[s], rounds, ta, tc);
				if (q < 0)
					continue;
				printf("b2b-sb len %llu quad %d slot %d mode %c alloc_p50_ns %llu alloc_p99_ns %llu alloc_max_ns %llu close_p50_ns %llu\n",
				       sizes[s], q, m, modes[m], pct(ta, rounds, 50),
				       pct(ta, rounds, 99), (unsigned long long)ta[rounds - 1],
				       pct(tc, rounds, 50));
				fflush(stdout);
			}
		}
	}
	if (heap_knobs_set(&k, 1))
		fail("knob-restore", 0, -1, errno);
	drop_caches(0);
	printf("b2b-sb done\n");
	return 0;
}

int main(int argc, char **argv)
{
	int sb = argc == 4 && !strcmp(argv[1], "sameboot");
	const char *stats = !sb && argc > 2 ? argv[2] : NULL;
	int rounds = argc > 1 ? atoi(argv[sb ? 3 : 1]) : 0;
	int quads = sb ? atoi(argv[2]) : 1;
	uint64_t *ta, *tc;
	unsigned int s;
	int heap;

	if (argc < 2 || rounds < 1 || quads < 1 || (!sb && argc > 3)) {
		fprintf(stderr, "usage: heap-b2b ROUNDS [STATS] | heap-b2b sameboot QUADS ROUNDS\n");
		return 2;
	}
	ta = calloc(rounds, sizeof(*ta));
	tc = calloc(rounds, sizeof(*tc));
	if (!ta || !tc)
		fail("calloc", 0, -1, ENOMEM);
	heap = open("/dev/dma_heap/system", O_RDONLY | O_CLOEXEC);
	if (heap < 0)
		fail("open-heap", 0, -1, errno);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (sb)
		return sameboot(heap, quads, rounds, ta, tc);
	for (s = 0; s < NR_SIZES; s++) {
		unsigned long long len = sizes[s];
		unsigned long before, after, dropped;

		before = meminfo_kb("MemAvailable", len);
		burst(heap, len, rounds, ta, tc);
		after = meminfo_kb("MemAvailable", len);
		drop_caches(len);
		dropped = meminfo_kb("MemAvailable", len);
		printf("b2b len %llu rounds %d alloc_p50_ns %llu alloc_p90_ns %llu alloc_p99_ns %llu alloc_max_ns %llu close_p50_ns %llu close_p99_ns %llu memavail_before_kb %lu memavail_after_kb %lu memavail_dropped_kb %lu\n",
		       len, rounds, pct(ta, rounds, 50), pct(ta, rounds, 90),
		       pct(ta, rounds, 99), (unsigned long long)ta[rounds - 1],
		       pct(tc, rounds, 50), pct(tc, rounds, 99),
		       before, after, dropped);
		if (stats)
			print_stats(stats, len);
		fflush(stdout);
	}
	printf("b2b done\n");
	return 0;
}
