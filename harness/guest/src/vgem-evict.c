// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * vgem-evict: more vgem buffers than fit in RAM, each filled with its own
 * pattern and kept mmapped, a few kept busy with vgem fences; afterwards every
 * buffer must read back its own pattern.  The same binary runs on the base
 * kernel (the control: mapped buffers stay pinned) and on the patched one.
 *
 *   vgem-evict FACTOR   buffers of 1 MiB worth FACTOR/100 x MemTotal
 *
 * Each page of buffer i holds one 64-bit word repeated, a hash of (i, page),
 * so that zram stores it as a same-filled page and the test measures GEM
 * eviction, not the compressor.  The busy buffers: their pages are touched,
 * a write fence is attached (vgem signals it by itself after 10 s), more
 * buffers are created, and then the busy ones are read again.  Had the
 * shrinker evicted one, its user mapping would have been zapped and the read
 * would take minor faults; and signalling the fence ourselves must succeed,
 * which proves it was still unsignalled over the whole window.
 *
 * Output: "vgem key value ..." lines; exit status 0 only if every check held.
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
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>
#include <drm/drm.h>
#include <drm/drm_mode.h>
#include <drm/vgem_drm.h>

#define MIB	(1024UL * 1024)
#define PAGE	4096UL
#define NBUSY	4

struct buf {
	uint32_t handle;
	uint64_t *map;
};

static int fd;

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ULL + ts.tv_nsec / 1000000;
}

static unsigned long kv(const char *file, const char *key, int meminfo)
{
	char line[256];
	unsigned long v = 0;
	size_t n = strlen(key);
	FILE *f = fopen(file, "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, n) &&
		    (meminfo ? line[n] == ':' : line[n] == ' '))
			v = strtoul(line + n + 1, NULL, 10);
	fclose(f);
	return v;
}

static long minflt(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt;
}

static uint64_t pattern(unsigned int i, unsigned long page)
{
	uint64_t x = ((uint64_t)i << 32 | page) * 0x9e3779b97f4a7c15ULL;

	return x ^ (x >> 29) ^ 0x5a5a5a5a00000000ULL;
}

static int open_vgem(void)
{
	char path[32], name[32];
	int i;

	for (i = 0; i < 8; i++) {
		struct drm_version v = { .name = name, .name_len = sizeof(name) - 1 };
		int f;

		snprintf(path, sizeof(path), "/dev/dri/card%d", i);
		f = open(path, O_RDWR | O_CLOEXEC);
		if (f < 0)
			continue;
		memset(name, 0, sizeof(name));
		if (!ioctl(f, DRM_IOCTL_VERSION, &v) && !strcmp(name, "vgem"))
			return f;
		close(f);
	}
	return -1;
}

static int create(struct buf *b)
{
	struct drm_mode_create_dumb c = { .width = 1024, .height = MIB / 4096, .bpp = 32 };
	struct drm_mode_map_dumb m = { 0 };
	void *p;

	if (ioctl(fd, DRM_IOCTL_MODE_CREATE_DUMB, &c))
		return -errno;
	m.handle = c.handle;
	if (ioctl(fd, DRM_IOCTL_MODE_MAP_DUMB, &m))
		return -errno;
	p = mmap(NULL, MIB, PROT_READ | PROT_WRITE, MAP_SHARED, fd, m.offset);
	if (p == MAP_FAILED)
		return -errno;
	b->handle = c.handle;
	b->map = p;
	return 0;
}

static void fill(struct buf *b, unsigned int i)
{
	unsigned long pg, w;

	for (pg = 0; pg < MIB / PAGE; pg++) {
		uint64_t v = pattern(i, pg);

		for (w = 0; w < PAGE / 8; w++)
			b->map[pg * (PAGE / 8) + w] = v;
	}
}

/* Number of words that differ from the pattern (sampled: 3 words a page) */
static unsigned long check(struct buf *b, unsigned int i)
{
	unsigned long pg, bad = 0;

	for (pg = 0; pg < MIB / PAGE; pg++) {
		uint64_t v = pattern(i, pg), *p = b->map + pg * (PAGE / 8);

		bad += (p[0] != v) + (p[PAGE / 16] != v) + (p[PAGE / 8 - 1] != v);
	}
	return bad;
}

int main(int argc, char **argv)
{
	unsigned long ram_mib = kv("/proc/meminfo", "MemTotal", 1) / 1024;
	unsigned int factor = argc > 1 ? atoi(argv[1]) : 150;
	unsigned int n = ram_mib * factor / 100, extra = ram_mib / 4, i, made, end;
	unsigned long oom0 = kv("/proc/vmstat", "oom_kill", 0);
	unsigned long out0 = kv("/proc/vmstat", "pswpout", 0);
	unsigned long in0 = kv("/proc/vmstat", "pswpin", 0);
	unsigned long bad = 0, badbufs = 0;
	struct drm_vgem_fence_attach fa[NBUSY];
	struct buf *bufs;
	uint64_t t0 = now_ms(), t1;
	long flt;
	int ok = 1, err = 0;

	fd = open_vgem();
	if (fd < 0) {
		printf("vgem error no_vgem_device\n");
		return 2;
	}
	bufs = calloc(n + extra, sizeof(*bufs));
	if (!bufs)
		return 2;

	/* 1. More buffers than RAM, each filled and left mapped */
	for (made = 0; made < n; made++) {
		err = create(&bufs[made]);
		if (err)
			break;
		fill(&bufs[made], made);
	}
	t1 = now_ms();
	printf("vgem ram_mib %lu buffers_mib %u created_mib %u create_errno %d fill_s %llu\n",
	       ram_mib, n, made, -err, (unsigned long long)(t1 - t0) / 1000);
	if (made < n)
		ok = 0;

	/* 2. Busy buffers: touched, fenced, then more pressure, then re-read */
	for (i = 0; i < NBUSY && i < made; i++) {
		bad += check(&bufs[i], i);
		memset(&fa[i], 0, sizeof(fa[i]));
		fa[i].handle = bufs[i].handle;
		fa[i].flags = VGEM_FENCE_WRITE;
		if (ioctl(fd, DRM_IOCTL_VGEM_FENCE_ATTACH, &fa[i])) {
			printf("vgem error fence_attach errno %d\n", errno);
			ok = 0;
		}
	}
	flt = minflt();
	for (end = made; end < made + (ok ? extra : 0); end++) {
		if (create(&bufs[end]))
			break;
		fill(&bufs[end], end);
	}
	for (i = 0; i < NBUSY && i < made; i++)
		bad += check(&bufs[i], i);
	flt = minflt() - flt;
	{
		unsigned int late = 0;

		for (i = 0; i < NBUSY && i < made; i++) {
			struct drm_vgem_fence_signal s = { .fence = fa[i].out_fence };

			if (ioctl(fd, DRM_IOCTL_VGEM_FENCE_SIGNAL, &s))
				late++;
		}
		/*
		 * Faults taken while creating and filling the extra buffers
		 * are theirs: 256 per MiB.  Anything beyond came from the
		 * busy buffers' mappings.
		 */
		printf("vgem busy %u extra_mib %u minflt %ld expected_minflt %u fences_expired %u\n",
		       NBUSY, end - made, flt, (end - made) * (unsigned int)(MIB / PAGE), late);
		if (late) {
			printf("vgem warning busy_window_expired (the fence timed out: result inconclusive)\n");
			ok = 0;
		} else if (flt > (long)((end - made) * (MIB / PAGE))) {
			printf("vgem error busy_buffer_evicted\n");
			ok = 0;
		}
		made = end;
	}

	/* 3. Every buffer reads back its own pattern */
	for (i = 0; i < made; i++) {
		unsigned long b = check(&bufs[i], i);

		bad += b;
		badbufs += !!b;
	}
	t1 = now_ms() - t1;
	{
		unsigned long out = kv("/proc/vmstat", "pswpout", 0) - out0;
		unsigned long in = kv("/proc/vmstat", "pswpin", 0) - in0;
		unsigned long oom = kv("/proc/vmstat", "oom_kill", 0) - oom0;
		uint64_t s = now_ms() - t0;

		printf("vgem verified_mib %u bad_words %lu bad_buffers %lu oom_kill %lu swapped_out_mib %lu swapped_in_mib %lu total_s %llu out_mib_per_s %.1f in_mib_per_s %.1f\n",
		       made, bad, badbufs, oom, out * 4 / 1024, in * 4 / 1024,
		       (unsigned long long)s / 1000,
		       s ? out * 4.0 / 1024 / (s / 1000.0) : 0,
		       t1 ? in * 4.0 / 1024 / (t1 / 1000.0) : 0);
		if (bad || oom)
			ok = 0;
	}
	printf("vgem result %s\n", ok ? "pass" : "fail");
	return ok ? 0 : 1;
}
