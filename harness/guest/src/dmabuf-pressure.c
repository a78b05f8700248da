// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * dmabuf-pressure: the system heap under bad input, under memory pressure and
 * as a benchmark.  Runs in the project's QEMU guests, the same binary on the
 * base kernel and on the patched one.
 *
 *   dmabuf-pressure errno          one line per bad input: errno and ms
 *   dmabuf-pressure huge           one buffer of 1 TiB: errno and ms
 *   dmabuf-pressure churn FACTOR   hold half of RAM in 1 MiB buffers, free
 *                                  it, again, until FACTOR x RAM went through
 *   dmabuf-pressure fill           1 MiB buffers until the heap says no
 *                                  (at most 2 x RAM), then free them all
 *   dmabuf-pressure bench KTHREAD  allocate-then-close rounds at 4 KiB,
 *                                  1, 8 and 32 MiB: p50/p99 of each call and
 *                                  CPU time per MiB, the caller's and the
 *                                  kthread's (comm KTHREAD, "-" for none)
 *   dmabuf-pressure sameboot QUADS ROUNDS
 *                                  the heap as shipped (S) against its
 *                                  base path (B: pool and deferred free
 *                                  off) in one boot: QUADS quads of
 *                                  blocks A S B S (A and B both the base
 *                                  path) of ROUNDS paced allocate-then-
 *                                  close rounds, at 4 KiB and 1 MiB: the
 *                                  p50 of each call per block (on a kernel
 *                                  without the knobs every block runs its
 *                                  one path)
 *   dmabuf-pressure busy SECONDS MIN_MB MAX_MB
 *                                  allocate and close buffers back to back
 *                                  for SECONDS, their sizes cycling through
 *                                  MIN_MB, 2 x MIN_MB, ... up to MAX_MB MiB:
 *                                  rounds, MiB freed per second, failed
 *                                  allocations and the lowest MemAvailable,
 *                                  sampled every 50 ms by a thread (run it
 *                                  while other tasks keep every CPU busy)
 *   dmabuf-pressure queue SECONDS MIN_MB MAX_MB
 *                                  the same loop, lines "freeze queue ..."
 *   dmabuf-pressure anon BYTES     mmap BYTES of anonymous memory and write
 *                                  to every page: errno 0 on success
 *   dmabuf-pressure zero MIN MAX   4 KiB to 32 MiB buffers written with a
 *                                  secret and closed come back all zero,
 *                                  MIN to MAX rounds, until a pool served
 *                                  every size (pool hits, debugfs)
 *   dmabuf-pressure zero-selftest  the zero check reports a buffer it did
 *                                  not zero, and one byte planted at its end
 *   dmabuf-pressure check-alloc TAG MIB
 *                                  one buffer of MIB MiB, checked all zero
 *   dmabuf-pressure exhaust MIB    hold MIB MiB buffers until the heap
 *                                  refuses one: its errno, no OOM kill
 *   dmabuf-pressure sentinel MIB   hold MIB MiB of anonymous memory, sleep
 *   dmabuf-pressure memcg DIR MIB  in the memory cgroup DIR (the caller put
 *                                  it there): 1 MiB buffers until the heap
 *                                  refuses one, at most MIB; memory.current
 *                                  before, at the peak and right after
 *                                  closing them all
 *
 * Every line of output starts with the subcommand's name ("zero" for
 * zero-selftest, "freeze queue" for queue, TAG for check-alloc), "key value"
 * pairs follow, for the host to parse.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <linux/dma-buf.h>
#include <linux/dma-heap.h>

#include "heap-knobs.h"

#define MIB (1024UL * 1024)

static int heap_fd;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static unsigned long meminfo_kb(const char *key)
{
	char line[256];
	unsigned long v = 0;
	size_t n = strlen(key);
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, n) && line[n] == ':')
			v = strtoul(line + n + 1, NULL, 10);
	fclose(f);
	return v;
}

static unsigned long vmstat(const char *key)
{
	char name[128];
	unsigned long v;
	FILE *f = fopen("/proc/vmstat", "r");

	if (!f)
		return 0;
	while (fscanf(f, "%127s %lu", name, &v) == 2)
		if (!strcmp(name, key)) {
			fclose(f);
			return v;
		}
	fclose(f);
	return 0;
}

/* Allocate @len bytes; the dma-buf fd, or -errno */
static int heap_alloc(uint64_t len, uint32_t fd_flags, uint64_t heap_flags)
{
	struct dma_heap_allocation_data data = {
		.len = len, .fd_flags = fd_flags, .heap_flags = heap_flags,
	};

	if (ioctl(heap_fd, DMA_HEAP_IOCTL_ALLOC, &data) < 0)
		return -errno;
	return data.fd;
}

static int open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n - 1;	/* the directory's own fd */
}

static void errno_case(const char *name, uint64_t len, uint32_t fd_flags,
		       uint64_t heap_flags, int bad_pointer)
{
	int before = open_fds(), fd, err;
	uint64_t t = now_ns();

	if (bad_pointer)
		fd = ioctl(heap_fd, DMA_HEAP_IOCTL_ALLOC, (void *)16) < 0 ? -errno : 0;
	else
		fd = heap_alloc(len, fd_flags, heap_flags);
	t = now_ns() - t;
	err = fd < 0 ? -fd : 0;
	if (fd >= 0 && !bad_pointer)
		close(fd);
	printf("errno case %s errno %d name %s ms %llu fds_leaked %d\n", name,
	       err, err ? strerrorname_np(err) : "none",
	       (unsigned long long)(t / 1000000), open_fds() - before);
	fflush(stdout);
}

static int cmd_errno(void)
{
	errno_case("len0", 0, O_RDWR | O_CLOEXEC, 0, 0);
	errno_case("fd_flags", 4096, O_RDWR | O_CLOEXEC | O_APPEND, 0, 0);
	errno_case("heap_flags", 4096, O_RDWR | O_CLOEXEC, 1, 0);
	errno_case("bad_pointer", 0, 0, 0, 1);
	errno_case("len_unaligned", 1, O_RDWR | O_CLOEXEC, 0, 0);
	return 0;
}

/* On the base kernel this one wakes the OOM killer: run it on its own */
static int cmd_huge(void)
{
	unsigned long oom = vmstat("oom_kill");

	errno_case("len_1TiB", 1ULL << 40, O_RDWR | O_CLOEXEC, 0, 0);
	printf("huge oom_kill %lu\n", vmstat("oom_kill") - oom);
	return 0;
}

static int cmd_churn(unsigned int factor)
{
	unsigned long ram_mib = meminfo_kb("MemTotal") / 1024;
	unsigned long hold = ram_mib / 2, total = 0, failed = 0, rounds = 0;
	unsigned long oom = vmstat("oom_kill");
	int *fds = calloc(hold, sizeof(*fds));
	uint64_t t = now_ns();
	unsigned long i;

	if (!fds)
		return 1;
	while (total < factor * ram_mib) {
		for (i = 0; i < hold; i++) {
			fds[i] = heap_alloc(MIB, O_RDWR | O_CLOEXEC, 0);
			if (fds[i] < 0)
				failed++;
			else
				total++;
		}
		for (i = 0; i < hold; i++)
			if (fds[i] >= 0)
				close(fds[i]);
		rounds++;
	}
	printf("churn ram_mib %lu hold_mib %lu rounds %lu allocated_mib %lu failed %lu oom_kill %lu s %llu\n",
	       ram_mib, hold, rounds, total, failed, vmstat("oom_kill") - oom,
	       (unsigned long long)((now_ns() - t) / 1000000000));
	return failed != 0;
}

static int cmd_fill(void)
{
	unsigned long ram_mib = meminfo_kb("MemTotal") / 1024;
	unsigned long avail0 = meminfo_kb("MemAvailable"), avail1 = 0;
	unsigned long oom = vmstat("oom_kill"), n, max = 2 * ram_mib;
	int *fds = calloc(max, sizeof(*fds));
	uint64_t t = now_ns(), t_fail = 0;
	int err = 0, i;

	if (!fds)
		return 1;
	for (n = 0; n < max; n++) {
		fds[n] = heap_alloc(MIB, O_RDWR | O_CLOEXEC, 0);
		if (fds[n] < 0) {
			err = -fds[n];
			t_fail = now_ns() - t;
			break;
		}
	}
	printf("fill ram_mib %lu got_mib %lu errno %d name %s ms_to_fail %llu oom_kill %lu\n",
	       ram_mib, n, err, err ? strerrorname_np(err) : "none",
	       (unsigned long long)(t_fail / 1000000), vmstat("oom_kill") - oom);
	fflush(stdout);
	for (i = 0; i < (int)n; i++)
		close(fds[i]);
	/* Freeing may be deferred: give it up to 20 s to come back */
	for (i = 0; i < 200; i++) {
		avail1 = meminfo_kb("MemAvailable");
		if (avail1 * 100 >= avail0 * 95)
			break;
		usleep(100000);
	}
	printf("fill avail_before_kb %lu avail_after_kb %lu pct %lu waited_ms %d\n",
	       avail0, avail1, avail0 ? avail1 * 100 / avail0 : 0, i * 100);
	return 0;
}

/* Sum of run time in ns of the tasks whose comm starts with @name */
static uint64_t kthread_cpu_ns(const char *name)
{
	char path[300], comm[64], buf[128];
	DIR *d = opendir("/proc");
	struct dirent *e;
	uint64_t sum = 0;

	if (!d || !strcmp(name, "-")) {
		if (d)
			closedir(d);
		return 0;
	}
	while ((e = readdir(d))) {
		FILE *f;

		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/comm", e->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (!fgets(comm, sizeof(comm), f))
			comm[0] = 0;
		fclose(f);
		if (strncmp(comm, name, strlen(name)))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/schedstat", e->d_name);
		f = fopen(path, "r");
		if (f && fgets(buf, sizeof(buf), f))
			sum += strtoull(buf, NULL, 10);
		if (f)
			fclose(f);
	}
	closedir(d);
	return sum;
}

static uint64_t self_cpu_ns(void)
{
	char buf[128] = "";
	FILE *f = fopen("/proc/self/schedstat", "r");

	if (f) {
		if (!fgets(buf, sizeof(buf), f))
			buf[0] = 0;
		fclose(f);
	}
	return strtoull(buf, NULL, 10);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int cmd_bench(const char *kthread)
{
	static const struct { uint64_t len; int rounds; } sizes[] = {
		{ 4096, 400 }, { MIB, 100 }, { 8 * MIB, 30 }, { 32 * MIB, 15 },
	};
	unsigned int s;

	for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		uint64_t len = sizes[s].len, *ta, *tc, cpu0, kt0, cpu, kt;
		int n = sizes[s].rounds, i, warm = 3, fd;
		/* Time for deferred work to finish between rounds, the same on both kernels */
		useconds_t settle = 2000 + (len / MIB) * 3000;
		double mib;

		ta = calloc(n, sizeof(*ta));
		tc = calloc(n, sizeof(*tc));
		if (!ta || !tc)
			return 1;
		/* Warm up: the pool (if any) holds blocks of this size */
		for (i = 0; i < warm; i++) {
			fd = heap_alloc(len, O_RDWR | O_CLOEXEC, 0);
			if (fd < 0)
				return 1;
			close(fd);
			usleep(settle);
		}
		cpu0 = self_cpu_ns();
		kt0 = kthread_cpu_ns(kthread);
		for (i = 0; i < n; i++) {
			uint64_t t = now_ns();

			fd = heap_alloc(len, O_RDWR | O_CLOEXEC, 0);
			ta[i] = now_ns() - t;
			if (fd < 0) {
				printf("bench len %llu errno %d\n", (unsigned long long)len, -fd);
				return 1;
			}
			t = now_ns();
			close(fd);
			tc[i] = now_ns() - t;
			usleep(settle);
		}
		usleep(settle * 4);
		/* The caller's CPU includes its sleeps' wake-ups, the same on both */
		cpu = self_cpu_ns() - cpu0;
		kt = kthread_cpu_ns(kthread) - kt0;
		qsort(ta, n, sizeof(*ta), cmp_u64);
		qsort(tc, n, sizeof(*tc), cmp_u64);
		mib = (double)len * n / MIB;
		printf("bench len %llu rounds %d alloc_p50_ns %llu alloc_p99_ns %llu close_p50_ns %llu close_p99_ns %llu caller_cpu_ns_per_mib %.0f kthread_cpu_ns_per_mib %.0f\n",
		       (unsigned long long)len, n,
		       (unsigned long long)ta[n / 2], (unsigned long long)ta[(n * 99) / 100],
		       (unsigned long long)tc[n / 2], (unsigned long long)tc[(n * 99) / 100],
		       cpu / mib, kt / mib);
		fflush(stdout);
		free(ta);
		free(tc);
	}
	return 0;
}

/*
 * The busy case's sampler: every 50 ms the lowest MemAvailable so far and
 * the largest backlog of the system heap's deferred-free list seen so far
 * (its queued_pages; no file on the base kernel).  The kernel's own
 * high-water mark, if it has one, is read by the workload script.
 */
#define SAMPLE_US 50000
#define DEFERRED_STATS "/sys/kernel/debug/deferred_free/system/stats"

static struct {
	atomic_int stop;
	unsigned long min_avail_kb, max_queued_pages, samples;
	uint64_t max_gap_ns;
	int queued_seen;
} smp;

static long deferred_stat(const char *key)
{
	char line[128];
	size_t n = strlen(key);
	long v = -1;
	FILE *f = fopen(DEFERRED_STATS, "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, n) && line[n] == ':')
			v = strtol(line + n + 1, NULL, 10);
	fclose(f);
	return v;
}

static void sample(void)
{
	unsigned long a = meminfo_kb("MemAvailable");
	long q = deferred_stat("queued_pages");

	if (!smp.samples || a < smp.min_avail_kb)
		smp.min_avail_kb = a;
	if (q >= 0) {
		smp.queued_seen = 1;
		if ((unsigned long)q > smp.max_queued_pages)
			smp.max_queued_pages = q;
	}
	smp.samples++;
}

static void *sampler(void *arg)
{
	uint64_t last = now_ns(), t;

	(void)arg;
	while (!atomic_load(&smp.stop)) {
		usleep(SAMPLE_US);
		sample();
		t = now_ns();
		if (t - last > smp.max_gap_ns)
			smp.max_gap_ns = t - last;
		last = t;
	}
	return NULL;
}

static int cmd_busy(const char *tag, unsigned int seconds, unsigned long min_mb,
		    unsigned long max_mb)
{
	unsigned long ram_mib = meminfo_kb("MemTotal") / 1024;
	unsigned long avail0 = meminfo_kb("MemAvailable");
	unsigned long oom = vmstat("oom_kill");
	unsigned long rounds = 0, failed = 0, freed_mib = 0, mb = min_mb;
	uint64_t t0, t, end;
	int first_err = 0, last_err = 0;
	pthread_t th;
	char seen[32] = "absent";
	double s;

	if (!min_mb || max_mb < min_mb || !seconds) {
		fprintf(stderr, "%s: need SECONDS > 0 and 0 < MIN_MB <= MAX_MB\n", tag);
		return 2;
	}
	sample();
	if (pthread_create(&th, NULL, sampler, NULL)) {
		perror("pthread_create");
		return 1;
	}
	t0 = now_ns();
	end = t0 + seconds * 1000000000ULL;
	do {
		int fd = heap_alloc(mb * MIB, O_RDWR | O_CLOEXEC, 0);

		if (fd < 0) {
			if (!failed)
				first_err = -fd;
			last_err = -fd;
			failed++;
		} else {
			close(fd);
			freed_mib += mb;
		}
		rounds++;
		mb = mb * 2 > max_mb ? min_mb : mb * 2;
		t = now_ns();
	} while (t < end);
	atomic_store(&smp.stop, 1);
	pthread_join(th, NULL);
	sample();
	s = (t - t0) / 1e9;
	if (smp.queued_seen)
		snprintf(seen, sizeof(seen), "%lu", smp.max_queued_pages);
	printf("%s rounds %lu ms %llu min_mib %lu max_mib %lu freed_mib %lu mib_per_s %.1f failed %lu errno %d name %s last_errno %d oom_kill %lu\n",
	       tag, rounds, (unsigned long long)((t - t0) / 1000000), min_mb, max_mb,
	       freed_mib, freed_mib / s, failed, first_err,
	       first_err ? strerrorname_np(first_err) : "none", last_err,
	       vmstat("oom_kill") - oom);
	printf("%s ram_mib %lu avail_start_kb %lu min_avail_kb %lu avail_end_kb %lu samples %lu max_gap_ms %llu max_queued_pages_seen %s\n",
	       tag, ram_mib, avail0, smp.min_avail_kb, meminfo_kb("MemAvailable"),
	       smp.samples, (unsigned long long)(smp.max_gap_ns / 1000000),
	       seen);
	return failed != 0;
}

/* Anonymous memory of @bytes, every page written; run beside CPU hogs */
static int cmd_anon(uint64_t bytes)
{
	long page = sysconf(_SC_PAGESIZE);
	unsigned long oom = vmstat("oom_kill");
	unsigned long avail0 = meminfo_kb("MemAvailable");
	uint64_t t = now_ns(), off, touched = 0;
	char *p;
	int err = 0;

	printf("anon start bytes %llu mib %llu avail_kb %lu\n", (unsigned long long)bytes,
	       (unsigned long long)(bytes / MIB), avail0);
	fflush(stdout);
	p = bytes ? mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) : MAP_FAILED;
	if (p == MAP_FAILED) {
		err = bytes ? errno : EINVAL;
	} else {
		/* A different word on every page: none of them is same-filled */
		for (off = 0; off < bytes; off += page) {
			*(uint64_t *)(p + off) = off / page + 1;
			touched += page;
		}
	}
	printf("anon bytes %llu touched_mib %llu errno %d name %s ms %llu oom_kill %lu avail_after_kb %lu\n",
	       (unsigned long long)bytes, (unsigned long long)(touched / MIB), err,
	       err ? strerrorname_np(err) : "none",
	       (unsigned long long)((now_ns() - t) / 1000000), vmstat("oom_kill") - oom,
	       meminfo_kb("MemAvailable"));
	if (p != MAP_FAILED)
		munmap(p, bytes);
	return err != 0;
}

/*
 * Zeroing (issue 19 item 5, R17 end to end): a buffer released with a
 * secret in it comes back zeroed, from a pool (the patched kernel: the
 * kthread zeroes it into the pool, or a small or pressure-freed buffer goes
 * to the system unzeroed and __GFP_ZERO clears it on the way out) or from
 * the buddy allocator (the base kernel's __GFP_ZERO).
 */
#define POOLS_FILE "/sys/kernel/debug/drm_page_pool/pools"
#define HEAP_POOL "dma-heap-system"

/*
 * The pages (@hits 0) or the hits (@hits 1) of the system heap's pools,
 * summed over orders; -1 with no file
 */
static long heap_pool_sum(int hits)
{
	char line[512], name[64];
	unsigned long v[2];
	unsigned int order;
	size_t n = strlen(HEAP_POOL);
	long sum = 0;
	FILE *f = fopen(POOLS_FILE, "r");

	if (!f)
		return -1;
	/* "pool order pages hits ...": the header and "total" do not match */
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%63s %u %lu %lu", name, &order, &v[0], &v[1]) == 4 &&
		    !strncmp(name, HEAP_POOL, n) && (!name[n] || name[n] == '@'))
			sum += v[!!hits];
	fclose(f);
	return sum;
}

static long heap_pool_hits(void)
{
	return heap_pool_sum(1);
}

/*
 * Wait until the system heap's deferred-free list is empty and no pass of
 * its kthread holds pages, at most @max_ms: the ms waited (@max_ms if it
 * never got there), -1 if there is no list (the base kernel)
 */
static long wait_deferred_idle(long max_ms)
{
	long w = 0;

	if (deferred_stat("queued_items") < 0)
		return -1;
	while (w < max_ms && (deferred_stat("queued_items") > 0 ||
			      deferred_stat("inflight_pages") > 0)) {
		usleep(10000);
		w += 10;
	}
	return w;
}

static void buf_sync(int fd, uint64_t flags)
{
	struct dma_buf_sync sync = { .flags = flags };

	ioctl(fd, DMA_BUF_IOCTL_SYNC, &sync);
}

struct scan {
	unsigned long bad;		/* non-zero 64-bit words */
	uint64_t first_off, first_val;	/* the first of them */
};

/* Every 64-bit word of @len bytes at @p: the non-zero ones */
static void scan_zero(const volatile uint64_t *p, uint64_t len, struct scan *s)
{
	uint64_t i, v;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < len / 8; i++) {
		v = p[i];
		if (v && !s->bad++) {
			s->first_off = i * 8;
			s->first_val = v;
		}
	}
}

static void fill_words(volatile uint64_t *p, uint64_t len, uint64_t v)
{
	uint64_t i;

	for (i = 0; i < len / 8; i++)
		p[i] = v;
}

/* A secret per size and round, every byte of it non-zero (round < 15) */
static uint64_t secret(unsigned int size_idx, unsigned int round)
{
	return 0x5ec2e7a500000000ULL | 0x01010101ULL * (1 + size_idx * 16 + round);
}

/* 4 KiB: the order-0 pool; 64 KiB: order 4; 1, 8 MiB: order 8; 32 MiB:
 * over the 12% cap of a 256 MiB guest, never deferred; 1 MiB + 68 KiB:
 * one block of each order, which feeds the order-0 pool the 4 KiB buffers
 * can hit (a 4 KiB buffer is freed at once, never pooled) */
static const uint64_t zero_sizes[] = {
	4096, 64 << 10, MIB, 8 * MIB, 32 * MIB, MIB + (68 << 10),
};
#define NR_ZERO_SIZES (sizeof(zero_sizes) / sizeof(zero_sizes[0]))

struct zero_res {
	unsigned long allocs, hit_allocs, bad, errors;
	int err, first_bad_round;
	uint64_t first_off, first_val;
};

/*
 * One buffer of size @idx in @round: allocate it (did a pool serve it?),
 * check that every word is zero, write the round's secret into every word,
 * close it
 */
static void zero_round(unsigned int idx, unsigned int round, struct zero_res *z)
{
	uint64_t len = zero_sizes[idx];
	long h0 = heap_pool_hits(), h1;
	int fd = heap_alloc(len, O_RDWR | O_CLOEXEC, 0);
	uint64_t *p;
	struct scan s;

	h1 = heap_pool_hits();
	if (fd < 0) {
		z->errors++;
		z->err = -fd;
		return;
	}
	z->allocs++;
	/* Round 0's buffers come from wherever; later ones may reuse ours */
	z->hit_allocs += round > 0 && h0 >= 0 && h1 > h0;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		z->errors++;
		z->err = errno;
		close(fd);
		return;
	}
	buf_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW);
	scan_zero(p, len, &s);
	if (s.bad && !z->bad) {
		z->first_bad_round = round;
		z->first_off = s.first_off;
		z->first_val = s.first_val;
	}
	z->bad += s.bad;
	fill_words(p, len, secret(idx, round));
	buf_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW);
	munmap(p, len);
	close(fd);
}

/*
 * Round 0 writes a secret into one buffer of each size and closes it; each
 * further round allocates the sizes again, checks them, writes a new secret
 * and closes them, waiting between rounds for the deferred-free kthread
 * to go idle (at most 10 s), until a pool served every size or @max_rounds
 * ran (at least @min_rounds; without pools, @min_rounds)
 */
static int cmd_zero(unsigned int min_rounds, unsigned int max_rounds)
{
	struct zero_res z[NR_ZERO_SIZES];
	unsigned int i, round, all_hit = 0;
	long waited, max_wait = -1, freed0 = deferred_stat("freed_items");
	int pools = heap_pool_hits() >= 0, fail = 0;
	uint64_t t = now_ns();

	if (max_rounds > 14 || min_rounds > max_rounds || !min_rounds) {
		fprintf(stderr, "zero: need 0 < MIN_ROUNDS <= MAX_ROUNDS <= 14\n");
		return 2;
	}
	memset(z, 0, sizeof(z));
	for (round = 0; round <= max_rounds; round++) {
		if (round > min_rounds && (!pools || all_hit))
			break;
		for (i = 0; i < NR_ZERO_SIZES; i++)
			zero_round(i, round, &z[i]);
		waited = wait_deferred_idle(10000);
		if (waited > max_wait)
			max_wait = waited;
		all_hit = 1;
		for (i = 0; i < NR_ZERO_SIZES; i++)
			all_hit &= z[i].hit_allocs > 0;
	}
	for (i = 0; i < NR_ZERO_SIZES; i++) {
		char hits[24] = "absent";

		if (pools)
			snprintf(hits, sizeof(hits), "%lu", z[i].hit_allocs);
		printf("zero len %llu allocs %lu pool_hit_allocs %s bad_words %lu first_bad_round %d first_bad_offset %llu first_bad_value 0x%016llx errors %lu errno %d\n",
		       (unsigned long long)zero_sizes[i], z[i].allocs, hits, z[i].bad,
		       z[i].bad ? z[i].first_bad_round : -1,
		       (unsigned long long)z[i].first_off,
		       (unsigned long long)z[i].first_val, z[i].errors, z[i].err);
		fail |= z[i].bad || z[i].errors || z[i].allocs < min_rounds + 1;
	}
	printf("zero rounds %u pools %s deferred %s kthread_freed_items %ld max_wait_ms %ld s %llu result %s\n",
	       round, pools ? "present" : "absent", freed0 >= 0 ? "present" : "absent",
	       freed0 >= 0 ? deferred_stat("freed_items") - freed0 : 0, max_wait,
	       (unsigned long long)((now_ns() - t) / 1000000000), fail ? "fail" : "pass");
	return fail;
}

/*
 * The check of cmd_zero shown to detect what it must: a buffer written with
 * a secret and checked as it is (every word bad), and a fresh buffer with
 * one byte planted in its last word (one bad word, at the end); "detected"
 * is 1 only if the scan reports exactly that
 */
static int cmd_zero_selftest(void)
{
	uint64_t len = 64 << 10, words = len / 8;
	int fd = heap_alloc(len, O_RDWR | O_CLOEXEC, 0), ok1, ok2;
	volatile uint64_t *p;
	struct scan s;

	if (fd < 0) {
		printf("zero selftest errno %d\n", -fd);
		return 1;
	}
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		printf("zero selftest errno %d\n", errno);
		return 1;
	}
	buf_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW);
	fill_words(p, len, secret(0, 0));
	scan_zero(p, len, &s);
	ok1 = s.bad == words && s.first_off == 0 && s.first_val == secret(0, 0);
	printf("zero selftest kind unzeroed words %llu bad_words %lu first_bad_offset %llu first_bad_value 0x%016llx detected %d\n",
	       (unsigned long long)words, s.bad, (unsigned long long)s.first_off,
	       (unsigned long long)s.first_val, ok1);
	fill_words(p, len, 0);
	((volatile uint8_t *)p)[len - 1] = 0x5e;
	scan_zero(p, len, &s);
	ok2 = s.bad == 1 && s.first_off == len - 8;
	printf("zero selftest kind last_byte words %llu bad_words %lu first_bad_offset %llu first_bad_value 0x%016llx detected %d\n",
	       (unsigned long long)words, s.bad, (unsigned long long)s.first_off,
	       (unsigned long long)s.first_val, ok2);
	buf_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW);
	munmap((void *)p, len);
	close(fd);
	return !(ok1 && ok2);
}

/* One buffer of @mib MiB: allocated, every word zero, closed (after a freeze) */
static int cmd_check_alloc(const char *tag, unsigned long mib)
{
	uint64_t len = mib * MIB;
	int fd = heap_alloc(len, O_RDWR | O_CLOEXEC, 0), err = 0;
	struct scan s = { 0 };
	uint64_t *p;

	if (fd < 0) {
		err = -fd;
	} else {
		p = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
		if (p == MAP_FAILED) {
			err = errno;
		} else {
			buf_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ);
			scan_zero(p, len, &s);
			buf_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ);
			munmap(p, len);
		}
		close(fd);
	}
	printf("%s alloc len %llu errno %d name %s bad_words %lu\n", tag,
	       (unsigned long long)len, err, err ? strerrorname_np(err) : "none", s.bad);
	return err || s.bad;
}

/*
 * Exhaustion by requests below RAM (issue 19 item 6): hold buffers of @mib
 * MiB, fds kept, pages never touched, until the heap refuses one (at most
 * 2 x RAM), then close them all. A progress line every 32 MiB shows how
 * far it got should the OOM killer end it.
 */
static int cmd_exhaust(unsigned long mib)
{
	unsigned long ram_mib = meminfo_kb("MemTotal") / 1024;
	unsigned long oom = vmstat("oom_kill"), n, max = 2 * ram_mib / mib + 1;
	int *fds = calloc(max, sizeof(*fds)), err = 0;
	uint64_t t = now_ns(), t_fail = 0;

	if (!fds || !mib)
		return 2;
	printf("exhaust start ram_mib %lu buf_mib %lu avail_kb %lu\n", ram_mib, mib,
	       meminfo_kb("MemAvailable"));
	for (n = 0; n < max; n++) {
		fds[n] = heap_alloc(mib * MIB, O_RDWR | O_CLOEXEC, 0);
		if (fds[n] < 0) {
			err = -fds[n];
			t_fail = now_ns() - t;
			break;
		}
		if ((n + 1) * mib % 32 == 0)
			printf("exhaust progress held_mib %lu avail_kb %lu oom_kill %lu\n",
			       (n + 1) * mib, meminfo_kb("MemAvailable"), vmstat("oom_kill") - oom);
	}
	printf("exhaust held_mib %lu buffers %lu errno %d name %s ms_to_refusal %llu oom_kill %lu avail_at_refusal_kb %lu\n",
	       n * mib, n, err, err ? strerrorname_np(err) : "none",
	       (unsigned long long)(t_fail / 1000000), vmstat("oom_kill") - oom,
	       meminfo_kb("MemAvailable"));
	while (n)
		close(fds[--n]);
	printf("exhaust closed avail_kb %lu\n", meminfo_kb("MemAvailable"));
	return err != ENOMEM;
}

/* A cgroup file's number, in bytes; ULONG_MAX if it cannot be read */
static unsigned long cg_read(const char *dir, const char *file)
{
	unsigned long v = ULONG_MAX;
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	f = fopen(path, "r");
	if (!f)
		return v;
	if (fscanf(f, "%lu", &v) != 1)
		v = ULONG_MAX;
	fclose(f);
	return v;
}

/*
 * Heap buffers charged to their owner's memcg (issue 14): in the cgroup
 * @dir, 1 MiB buffers, fds held, until the heap refuses one or @max_mib
 * are held; memory.current before, at the peak, and at once after the
 * buffers are closed (a close releases the buffer before it returns).
 * Everything this process needs is allocated and touched before, so that
 * at the limit nothing but the heap asks the cgroup for memory.
 */
static int cmd_memcg(const char *dir, unsigned long max_mib)
{
	unsigned long before, peak, closed, oom = vmstat("oom_kill"), n, i;
	int *fds = calloc(max_mib + 1, sizeof(*fds)), err = 0;
	uint64_t t = now_ns(), t_fail = 0;

	if (!fds)
		return 2;
	memset(fds, 0xff, (max_mib + 1) * sizeof(*fds));
	before = cg_read(dir, "memory.current");
	for (n = 0; n < max_mib; n++) {
		fds[n] = heap_alloc(MIB, O_RDWR | O_CLOEXEC, 0);
		if (fds[n] < 0) {
			err = -fds[n];
			t_fail = now_ns() - t;
			break;
		}
	}
	peak = cg_read(dir, "memory.current");
	for (i = 0; i < n; i++)
		close(fds[i]);
	closed = cg_read(dir, "memory.current");
	printf("memcg held_mib %lu errno %d name %s ms_to_refusal %llu current_before_kb %lu current_peak_kb %lu current_closed_kb %lu max_kb %lu oom_kill %lu\n",
	       n, err, err ? strerrorname_np(err) : "none",
	       (unsigned long long)(t_fail / 1000000), before / 1024, peak / 1024,
	       closed / 1024, cg_read(dir, "memory.max") / 1024,
	       vmstat("oom_kill") - oom);
	return 0;
}

/*
 * One block of sameboot: @rounds paced allocate-then-close rounds of @len
 * after three warm-up rounds, with the pacing of cmd_bench(); the p50 of
 * each call into @alloc_p50 and @close_p50.
 */
static int sameboot_block(uint64_t len, int rounds, uint64_t *ta, uint64_t *tc,
			  uint64_t *alloc_p50, uint64_t *close_p50)
{
	useconds_t settle = 2000 + (len / MIB) * 3000;
	int i, fd;

	for (i = -3; i < rounds; i++) {
		uint64_t t = now_ns(), a;

		fd = heap_alloc(len, O_RDWR | O_CLOEXEC, 0);
		a = now_ns() - t;
		if (fd < 0) {
			printf("sameboot len %llu errno %d\n", (unsigned long long)len, -fd);
			return -1;
		}
		t = now_ns();
		close(fd);
		if (i >= 0) {
			tc[i] = now_ns() - t;
			ta[i] = a;
		}
		usleep(settle);
	}
	qsort(ta, rounds, sizeof(*ta), cmp_u64);
	qsort(tc, rounds, sizeof(*tc), cmp_u64);
	*alloc_p50 = ta[rounds / 2];
	*close_p50 = tc[rounds / 2];
	return 0;
}

/* What a sameboot block did, from the debugfs files of the patched kernel */
struct sb_stats {
	long direct, listed, hits, pool_pages;
};

/* Read them into @st: 0, or -1 if a file or a key is missing */
static int sb_stats_read(struct sb_stats *st)
{
	long freed = deferred_stat("freed_items"), shrunk = deferred_stat("shrunk_items");
	long reused = deferred_stat("reused_items");

	st->direct = deferred_stat("direct_items");
	st->listed = freed + shrunk + reused;
	st->hits = heap_pool_hits();
	st->pool_pages = heap_pool_sum(0);
	return st->direct < 0 || freed < 0 || shrunk < 0 || reused < 0 ||
	       st->hits < 0 || st->pool_pages < 0 ? -1 : 0;
}

/*
 * Before a block: the deferred-free list idle and, for a base-path block,
 * the pools trimmed to nothing (the trim is queued work), at most 2 s;
 * 0 or -1.
 */
static int sb_settle(int base_path)
{
	int ms;

	if (wait_deferred_idle(2000) >= 2000)
		return -1;
	for (ms = 0; base_path && heap_pool_sum(0) > 0; ms += 10) {
		if (ms >= 2000)
			return -1;
		usleep(10000);
	}
	return 0;
}

/*
 * sameboot: the heap as shipped (S) against its base path (B) in one boot,
 * the first of BENCHMARKING.md's two protocols.  The base path is the
 * patched heap with system_heap.pool_limit_pages=0 (the pools keep nothing)
 * and deferred_free_helper.max_backlog_percent=0 (close frees at once): the
 * allocation and the free of 6.12 plus a pool lookup and a list lock.
 * Blocks run in quads A S B S, A and B both the base path, so that per quad
 * B/A is an A/A ratio and (S + S) / (A + B) the A/B ratio, taken over the
 * same seconds of the host.  After a knob change the program waits until
 * the kthread is idle and, before a base-path block, the pools have trimmed
 * themselves to nothing; each block's line then says what its closes went
 * through (the deltas of the deferred-free list's and the pools' debugfs
 * counts), which the table checks against the mode.  On a kernel without
 * the knobs (the base kernel) every block runs the same path, so that the
 * same program measures the base kernel for the stand-in check.
 */
static int cmd_sameboot(int quads, int rounds)
{
	static const uint64_t lens[] = { 4096, MIB };
	static const char modes[] = "ASBS";
	struct heap_knobs k;
	uint64_t *ta, *tc;
	int q, m, s, ret = 0, knobs;

	if (quads < 1 || rounds < 1)
		return 2;
	ta = calloc(rounds, sizeof(*ta));
	tc = calloc(rounds, sizeof(*tc));
	if (!ta || !tc)
		return 1;
	knobs = !heap_knobs_save(&k);
	if (knobs)
		printf("sameboot knobs pool_limit_pages %s max_backlog_percent %s quads %d rounds %d\n",
		       k.pool, k.backlog, quads, rounds);
	else
		printf("sameboot knobs absent quads %d rounds %d\n", quads, rounds);
	for (s = 0; s < 2 && !ret; s++) {
		for (q = 0; q < quads && !ret; q++) {
			for (m = 0; m < 4 && !ret; m++) {
				struct sb_stats st0, st1;
				char counts[128];
				uint64_t ap, cp;

				if (knobs && heap_knobs_set(&k, modes[m] == 'S')) {
					printf("sameboot error knob write %d\n", errno);
					ret = 1;
					break;
				}
				usleep(50000);
				if (knobs && sb_settle(modes[m] != 'S')) {
					printf("sameboot error not settled len %llu quad %d slot %d\n",
					       (unsigned long long)lens[s], q, m);
					ret = 1;
					break;
				}
				if (knobs && sb_stats_read(&st0)) {
					printf("sameboot error no debugfs counts\n");
					ret = 1;
					break;
				}
				if (sameboot_block(lens[s], rounds, ta, tc, &ap, &cp)) {
					ret = 1;
					break;
				}
				/* After the timed rounds: what the block's closes went through */
				counts[0] = 0;
				if (knobs) {
					if (wait_deferred_idle(2000) >= 2000 || sb_stats_read(&st1)) {
						printf("sameboot error not idle after len %llu quad %d slot %d\n",
						       (unsigned long long)lens[s], q, m);
						ret = 1;
						break;
					}
					snprintf(counts, sizeof(counts),
						 " direct_items %ld listed_items %ld pool_hits %ld pool_pages_before %ld",
						 st1.direct - st0.direct, st1.listed - st0.listed,
						 st1.hits - st0.hits, st0.pool_pages);
				}
				printf("sameboot len %llu quad %d slot %d mode %c alloc_p50_ns %llu close_p50_ns %llu%s\n",
				       (unsigned long long)lens[s], q, m, modes[m],
				       (unsigned long long)ap, (unsigned long long)cp, counts);
			}
		}
	}
	if (knobs && heap_knobs_set(&k, 1)) {
		printf("sameboot error knob restore %d\n", errno);
		ret = 1;
	}
	if (!ret)
		printf("sameboot done\n");
	free(ta);
	free(tc);
	return ret;
}

/* A bystander: @mib MiB of anonymous memory, every page written, then sleep */
static int cmd_sentinel(unsigned long mib)
{
	uint64_t len = mib * MIB, off;
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return 1;
	for (off = 0; off < len; off += 4096)
		p[off] = 1 + off / 4096 % 255;
	printf("sentinel pid %d mib %lu\n", getpid(), mib);
	for (;;)
		pause();
}

int main(int argc, char **argv)
{
	if (argc < 2)
		goto usage;
	heap_fd = open("/dev/dma_heap/system", O_RDONLY | O_CLOEXEC);
	if (heap_fd < 0) {
		perror("/dev/dma_heap/system");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(argv[1], "errno"))
		return cmd_errno();
	if (!strcmp(argv[1], "huge"))
		return cmd_huge();
	if (!strcmp(argv[1], "churn") && argc > 2)
		return cmd_churn(atoi(argv[2]));
	if (!strcmp(argv[1], "fill"))
		return cmd_fill();
	if (!strcmp(argv[1], "bench") && argc > 2)
		return cmd_bench(argv[2]);
	if (!strcmp(argv[1], "sameboot") && argc > 3)
		return cmd_sameboot(atoi(argv[2]), atoi(argv[3]));
	if (!strcmp(argv[1], "busy") && argc > 4)
		return cmd_busy("busy", atoi(argv[2]), strtoul(argv[3], NULL, 0),
				strtoul(argv[4], NULL, 0));
	/* The same loop, its lines prefixed "freeze queue" (26-freeze.sh) */
	if (!strcmp(argv[1], "queue") && argc > 4)
		return cmd_busy("freeze queue", atoi(argv[2]), strtoul(argv[3], NULL, 0),
				strtoul(argv[4], NULL, 0));
	if (!strcmp(argv[1], "anon") && argc > 2)
		return cmd_anon(strtoull(argv[2], NULL, 0));
	if (!strcmp(argv[1], "zero") && argc > 3)
		return cmd_zero(atoi(argv[2]), atoi(argv[3]));
	if (!strcmp(argv[1], "zero-selftest"))
		return cmd_zero_selftest();
	if (!strcmp(argv[1], "check-alloc") && argc > 3)
		return cmd_check_alloc(argv[2], strtoul(argv[3], NULL, 0));
	if (!strcmp(argv[1], "exhaust") && argc > 2)
		return cmd_exhaust(strtoul(argv[2], NULL, 0));
	if (!strcmp(argv[1], "sentinel") && argc > 2)
		return cmd_sentinel(strtoul(argv[2], NULL, 0));
	if (!strcmp(argv[1], "memcg") && argc > 3)
		return cmd_memcg(argv[2], strtoul(argv[3], NULL, 0));
usage:
	fprintf(stderr, "usage: dmabuf-pressure errno|huge|churn FACTOR|fill|bench KTHREAD|sameboot QUADS ROUNDS|busy SECONDS MIN_MB MAX_MB|queue SECONDS MIN_MB MAX_MB|anon BYTES|zero MIN_ROUNDS MAX_ROUNDS|zero-selftest|check-alloc TAG MIB|exhaust MIB|sentinel MIB|memcg DIR MIB\n");
	return 2;
}
