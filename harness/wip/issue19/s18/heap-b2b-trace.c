// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * heap-b2b-trace (wip, s18: heap-b2b.c printing every round): back-to-back allocate+close rounds on the system heap, no pause
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

/* cpu time and run delay (ns) of this task, /proc/self/schedstat */
static void sched_ns(uint64_t *cpu, uint64_t *wait)
{
	unsigned long long c = 0, w = 0;
	FILE *f = fopen("/proc/self/schedstat", "r");

	if (f) {
		if (fscanf(f, "%llu %llu", &c, &w) != 2)
			c = w = 0;
		fclose(f);
	}
	*cpu = c;
	*wait = w;
}

static uint64_t rc[4096], rw[4096];

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

int main(int argc, char **argv)
{
	static const unsigned long long sizes[] = { 4096, MIB, 8 * MIB, 32 * MIB };
	const char *stats = argc > 2 ? argv[2] : NULL;
	int rounds = argc > 1 ? atoi(argv[1]) : 0;
	uint64_t *ta, *tc;
	unsigned int s;
	int heap;

	if (rounds < 1 || argc > 3) {
		fprintf(stderr, "usage: heap-b2b ROUNDS [STATS]\n");
		return 2;
	}
	ta = calloc(rounds, sizeof(*ta));
	tc = calloc(rounds, sizeof(*tc));
	if (!ta || !tc)
		fail("calloc", 0, -1, ENOMEM);
	heap = open("/dev/dma_heap/system", O_RDONLY | O_CLOEXEC);
	if (heap < 0)
		fail("open-heap", 0, -1, errno);
	for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		unsigned long long len = sizes[s];
		unsigned long before, after, dropped;
		int i;

		before = meminfo_kb("MemAvailable", len);
		for (i = 0; i < rounds; i++) {
			struct dma_heap_allocation_data d = {
				.len = len, .fd_flags = O_RDWR | O_CLOEXEC,
			};
			uint64_t c0, w0, c1, w1, t;
			int r;

			sched_ns(&c0, &w0);
			t = now_ns();
			r = ioctl(heap, DMA_HEAP_IOCTL_ALLOC, &d);
			ta[i] = now_ns() - t;
			sched_ns(&c1, &w1);
			rc[i] = c1 - c0;
			rw[i] = w1 - w0;
			if (r < 0)
				fail("alloc", len, i, errno);
			t = now_ns();
			r = close(d.fd);
			tc[i] = now_ns() - t;
			if (r < 0)
				fail("close", len, i, errno);
		}
		for (i = 0; i < rounds; i++)
			printf("b2b-round len %llu i %d alloc_ns %llu close_ns %llu cpu_ns %llu wait_ns %llu\n",
			       len, i, (unsigned long long)ta[i],
			       (unsigned long long)tc[i], (unsigned long long)rc[i],
			       (unsigned long long)rw[i]);
		after = meminfo_kb("MemAvailable", len);
		drop_caches(len);
		dropped = meminfo_kb("MemAvailable", len);
		qsort(ta, rounds, sizeof(*ta), cmp_u64);
		qsort(tc, rounds, sizeof(*tc), cmp_u64);
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
