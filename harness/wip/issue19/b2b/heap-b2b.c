// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * heap-b2b: back-to-back allocate+close rounds on the system heap, no pause
 * between them, as a camera or media pipeline does.  For each size, ROUNDS
 * rounds; prints p50/p90/p99/max of the allocation and of close(), and
 * MemAvailable before, right after the burst and after SETTLE_MS.
 *
 *   heap-b2b ROUNDS SETTLE_MS [TOUCH]
 *
 * TOUCH=1 mmaps each buffer and writes one byte per page, as a user of the
 * buffer would (off the timed calls).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <linux/dma-heap.h>

#define MIB (1024UL * 1024)

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
		if (!strncmp(line, key, n) && line[n] == ':') {
			v = strtoul(line + n + 1, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	static const uint64_t sizes[] = { 4096, MIB, 8 * MIB, 32 * MIB };
	int rounds = argc > 1 ? atoi(argv[1]) : 100;
	int settle = argc > 2 ? atoi(argv[2]) : 2000;
	int touch = argc > 3 ? atoi(argv[3]) : 0;
	int heap = open("/dev/dma_heap/system", O_RDONLY | O_CLOEXEC);
	unsigned int s;

	if (heap < 0) {
		printf("b2b error open %d\n", errno);
		return 1;
	}
	for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		uint64_t len = sizes[s], *ta, *tc;
		unsigned long before = meminfo_kb("MemAvailable"), after;
		int i;

		ta = calloc(rounds, sizeof(*ta));
		tc = calloc(rounds, sizeof(*tc));
		for (i = 0; i < rounds; i++) {
			struct dma_heap_allocation_data d = {
				.len = len, .fd_flags = O_RDWR | O_CLOEXEC,
			};
			uint64_t t = now_ns();
			int r = ioctl(heap, DMA_HEAP_IOCTL_ALLOC, &d);

			ta[i] = now_ns() - t;
			if (r < 0) {
				printf("b2b len %llu round %d errno %d\n",
				       (unsigned long long)len, i, errno);
				return 1;
			}
			if (touch) {
				char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
					       MAP_SHARED, d.fd, 0);
				uint64_t o;

				if (p == MAP_FAILED)
					return 1;
				for (o = 0; o < len; o += 4096)
					p[o] = 1;
				munmap(p, len);
			}
			t = now_ns();
			close(d.fd);
			tc[i] = now_ns() - t;
		}
		after = meminfo_kb("MemAvailable");
		usleep(settle * 1000);
		qsort(ta, rounds, sizeof(*ta), cmp_u64);
		qsort(tc, rounds, sizeof(*tc), cmp_u64);
		printf("b2b len %llu rounds %d alloc_p50_ns %llu alloc_p90_ns %llu alloc_p99_ns %llu alloc_max_ns %llu close_p50_ns %llu close_p99_ns %llu memavail_before_kb %lu memavail_after_kb %lu memavail_settled_kb %lu\n",
		       (unsigned long long)len, rounds,
		       (unsigned long long)ta[rounds / 2],
		       (unsigned long long)ta[rounds * 9 / 10],
		       (unsigned long long)ta[rounds * 99 / 100],
		       (unsigned long long)ta[rounds - 1],
		       (unsigned long long)tc[rounds / 2],
		       (unsigned long long)tc[rounds * 99 / 100],
		       before, after, meminfo_kb("MemAvailable"));
		fflush(stdout);
		free(ta);
		free(tc);
	}
	return 0;
}
