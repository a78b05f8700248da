// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * vgem-mappings: every way user space can map a vgem object survives its
 * eviction by the shmem shrinker.  One 4 MiB object per kind of mapping,
 * each with its own pattern:
 *
 *   drm-fd           mmap of the DRM fd at the MODE_MAP_DUMB offset
 *   dmabuf-kept      PRIME export, mmap of the dma-buf fd, handle kept
 *   dmabuf-closed    PRIME export, GEM_CLOSE of the handle, then two mmaps
 *                    (A and B) of the dma-buf fd
 *   fork             a DRM fd mapping inherited by a child process, which
 *                    reads and writes it and reports over a pipe
 *   reimport         export, close, PRIME_FD_TO_HANDLE of the dma-buf,
 *                    MODE_MAP_DUMB of the new handle, mmap of the DRM fd
 *
 * Every object is filled through its mapping and read once more, so that
 * every page of every mapping is present; then drop_caches runs the
 * shrinkers, and an anonymous hog pushes memory to swap.  Each old mapping
 * is then read in full: the minor faults that takes tell whether the
 * shrinker zapped it (an evicted object's pages come back one fault at a
 * time), and every word must hold its pattern.  A new pattern written
 * through the old mapping must show in a fresh one (for fork: the child
 * writes, the parent's own mapping and a fresh one read; for dmabuf-closed:
 * A writes, B reads).
 *
 * Every mapping must have been zapped, or the test proved nothing: that
 * fails, as on the base kernel (the control, which evicts nothing).  The
 * shrinker evicts exported objects like the others (dmabuf-kept and
 * reimport have a live export), and eviction zaps the mappings of their
 * dma-bufs too.
 *
 * Output: "vgem-maps kind NAME faults N zapped 0|1 bad_words W", one line
 * a mapping, and last "vgem-maps result pass" or "vgem-maps result fail
 * REASONS"; exit status 0 only on pass.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <drm/drm.h>
#include <drm/drm_mode.h>

#define MIB	(1024UL * 1024)
#define PAGE	4096UL
#define OBJ	(4 * MIB)
#define NWORDS	(OBJ / 4)
#define NPAGES	(OBJ / PAGE)
#define NOBJ	5
#define HOG_EXTRA_MIB	32

enum { K_DRM = 1, K_KEPT, K_CLOSED, K_FORK, K_REIMPORT };

static int fd;
static char reasons[512];

static void fail(const char *why)
{
	size_t n = strlen(reasons);

	if (n + strlen(why) + 2 < sizeof(reasons))
		snprintf(reasons + n, sizeof(reasons) - n, "%s%s", n ? "," : "", why);
}

/* An ioctl or mmap that failed: one line, and the test fails. */
static void error(const char *what, const char *kind)
{
	printf("vgem-maps error %s %s errno %d\n", what, kind, errno);
	fail("error");
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

/* Word i of the object of KIND: generation 0 at first, 1 after the check. */
static uint32_t pattern(unsigned int kind, unsigned int gen, unsigned long i)
{
	if (!gen)
		return (uint32_t)kind << 24 ^ (uint32_t)(i * 0x9e3779b1u);
	return (uint32_t)(kind | 0x80) << 24 ^ (uint32_t)(i * 0x85ebca77u);
}

static void fill(volatile uint32_t *map, unsigned int kind, unsigned int gen)
{
	unsigned long i;

	for (i = 0; i < NWORDS; i++)
		map[i] = pattern(kind, gen, i);
}

static unsigned long count_bad(const volatile uint32_t *map, unsigned int kind,
			       unsigned int gen)
{
	unsigned long i, bad = 0;

	for (i = 0; i < NWORDS; i++)
		bad += map[i] != pattern(kind, gen, i);
	return bad;
}

/* count_bad(), and the minor faults it took in *flt */
static unsigned long read_back(const volatile uint32_t *map, unsigned int kind,
			       unsigned int gen, long *flt)
{
	long f0 = minflt();
	unsigned long bad = count_bad(map, kind, gen);

	*flt = minflt() - f0;
	return bad;
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

static int create(uint32_t *handle, const char *kind)
{
	struct drm_mode_create_dumb c = { .width = 1024, .height = OBJ / 4096, .bpp = 32 };

	if (ioctl(fd, DRM_IOCTL_MODE_CREATE_DUMB, &c)) {
		error("create_dumb", kind);
		return -1;
	}
	if (c.size < OBJ) {
		printf("vgem-maps error create_dumb %s size %llu\n", kind,
		       (unsigned long long)c.size);
		fail("error");
		return -1;
	}
	*handle = c.handle;
	return 0;
}

static void gem_close(uint32_t handle, const char *kind)
{
	struct drm_gem_close c = { .handle = handle };

	if (ioctl(fd, DRM_IOCTL_GEM_CLOSE, &c))
		error("gem_close", kind);
}

static int export(uint32_t handle, const char *kind)
{
	struct drm_prime_handle p = { .handle = handle, .flags = DRM_CLOEXEC | DRM_RDWR };

	if (ioctl(fd, DRM_IOCTL_PRIME_HANDLE_TO_FD, &p)) {
		error("prime_handle_to_fd", kind);
		return -1;
	}
	return p.fd;
}

static uint32_t *map_fd(int f, off_t off, const char *kind)
{
	void *p = mmap(NULL, OBJ, PROT_READ | PROT_WRITE, MAP_SHARED, f, off);

	if (p == MAP_FAILED) {
		error("mmap", kind);
		return NULL;
	}
	return p;
}

/* A mapping of HANDLE through the DRM fd */
static uint32_t *map_drm(uint32_t handle, const char *kind)
{
	struct drm_mode_map_dumb m = { .handle = handle };

	if (ioctl(fd, DRM_IOCTL_MODE_MAP_DUMB, &m)) {
		error("map_dumb", kind);
		return NULL;
	}
	return map_fd(fd, m.offset, kind);
}

/* Bad words in a fresh mapping of generation 1; -1 if none could be made */
static long check_fresh(uint32_t *fresh, unsigned int kind)
{
	long bad;

	if (!fresh)
		return -1;
	bad = count_bad(fresh, kind, 1);
	munmap(fresh, OBJ);
	return bad;
}

static void report(const char *name, long flt, unsigned long bad, int must_zap)
{
	int zapped = flt >= (long)NPAGES / 2;
	char why[64];

	printf("vgem-maps kind %s faults %ld zapped %d bad_words %lu\n",
	       name, flt, zapped, bad);
	if (bad) {
		snprintf(why, sizeof(why), "bad_words_%s", name);
		fail(why);
	}
	if (must_zap && !zapped) {
		snprintf(why, sizeof(why), "not_zapped_%s", name);
		fail(why);
	}
}

/* The fork child's side: commands over one pipe, answers over the other. */
struct answer {
	long flt;
	unsigned long bad;
};

static void fork_child(volatile uint32_t *map, int in, int out)
{
	struct answer a;
	char cmd;

	while (read(in, &cmd, 1) == 1) {
		switch (cmd) {
		case 'r':	/* read the inherited mapping */
			a.bad = read_back(map, K_FORK, 0, &a.flt);
			break;
		case 'v':	/* read it after the eviction, write generation 1 */
			a.bad = read_back(map, K_FORK, 0, &a.flt);
			fill(map, K_FORK, 1);
			break;
		default:
			_exit(0);
		}
		if (write(out, &a, sizeof(a)) != sizeof(a))
			_exit(1);
	}
	_exit(0);
}

static int ask(int to, int from, char cmd, struct answer *a)
{
	if (write(to, &cmd, 1) != 1 || read(from, a, sizeof(*a)) != sizeof(*a)) {
		printf("vgem-maps error fork_child_pipe fork errno %d\n", errno);
		fail("error");
		return -1;
	}
	return 0;
}

/*
 * Anonymous memory past MemAvailable, in a child: pushes what can go to
 * swap there.  Same-filled pages, which zram stores without memory.  Stops
 * once TARGET pages went to swap, or at MemAvailable + 32 MiB.
 */
static int hog(unsigned long target)
{
	unsigned long avail_mib = kv("/proc/meminfo", "MemAvailable", 1) / 1024;
	unsigned long out0 = kv("/proc/vmstat", "pswpout", 0), out = 0, mib;
	int st, f;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		f = open("/proc/self/oom_score_adj", O_WRONLY);
		if (f >= 0) {
			if (write(f, "1000", 4) != 4)
				_exit(3);
			close(f);
		}
		for (mib = 0; mib < avail_mib + HOG_EXTRA_MIB; mib += 4) {
			uint64_t *p = mmap(NULL, 4 * MIB, PROT_READ | PROT_WRITE,
					   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			unsigned long w;

			if (p == MAP_FAILED)
				break;
			for (w = 0; w < 4 * MIB / 8; w++)
				p[w] = (mib << 32 | w / (PAGE / 8)) * 0x9e3779b97f4a7c15ULL;
			out = kv("/proc/vmstat", "pswpout", 0) - out0;
			if (out >= target) {
				mib += 4;
				break;
			}
		}
		printf("vgem-maps hog avail_mib %lu touched_mib %lu swapped_out_mib %lu\n",
		       avail_mib, mib, out * 4 / 1024);
		fflush(stdout);
		_exit(0);
	}
	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) && !WEXITSTATUS(st) ? 0 : -1;
}

int main(void)
{
	uint32_t h_drm = 0, h_kept = 0, h_fork = 0, h_re = 0, h;
	uint32_t *m_drm = NULL, *m_kept = NULL, *m_a = NULL, *m_b = NULL;
	uint32_t *m_fork = NULL, *m_re = NULL;
	int fd_kept = -1, fd_closed = -1, fd_re = -1, to[2], from[2], f;
	int have_child = 0, st = 0;
	unsigned long oom0 = kv("/proc/vmstat", "oom_kill", 0);
	unsigned long out0 = kv("/proc/vmstat", "pswpout", 0);
	unsigned long in0 = kv("/proc/vmstat", "pswpin", 0);
	unsigned long bad;
	struct answer a, pre = { 0, 0 };
	long flt, b;
	pid_t child = -1;

	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	fd = open_vgem();
	if (fd < 0) {
		printf("vgem-maps error no_vgem_device\n");
		printf("vgem-maps result fail no_vgem_device\n");
		return 2;
	}

	/* 1. The objects, each filled through its mapping and read once */
	if (!create(&h_drm, "drm-fd") && (m_drm = map_drm(h_drm, "drm-fd")))
		fill(m_drm, K_DRM, 0);

	if (!create(&h_kept, "dmabuf-kept") &&
	    (fd_kept = export(h_kept, "dmabuf-kept")) >= 0 &&
	    (m_kept = map_fd(fd_kept, 0, "dmabuf-kept")))
		fill(m_kept, K_KEPT, 0);

	/* The object is evictable again only once its last handle is gone. */
	if (!create(&h, "dmabuf-closed") &&
	    (fd_closed = export(h, "dmabuf-closed")) >= 0) {
		gem_close(h, "dmabuf-closed");
		m_a = map_fd(fd_closed, 0, "dmabuf-closed-A");
		m_b = map_fd(fd_closed, 0, "dmabuf-closed-B");
		if (m_a && m_b) {
			fill(m_a, K_CLOSED, 0);
			bad = count_bad(m_b, K_CLOSED, 0);
			if (bad) {
				printf("vgem-maps error b_does_not_see_a dmabuf-closed bad_words %lu\n", bad);
				fail("error");
			}
		}
	}

	if (!create(&h_fork, "fork") && (m_fork = map_drm(h_fork, "fork"))) {
		fill(m_fork, K_FORK, 0);
		if (pipe(to) || pipe(from)) {
			error("pipe", "fork");
		} else {
			fflush(stdout);
			child = fork();
			if (child < 0) {
				error("fork", "fork");
			} else if (!child) {
				close(to[1]);
				close(from[0]);
				fork_child(m_fork, to[0], from[1]);
			}
			close(to[0]);
			close(from[1]);
			have_child = child > 0;
			/* The child reads once: its page table entries are all there. */
			if (have_child && !ask(to[1], from[0], 'r', &pre) && pre.bad) {
				printf("vgem-maps error child_does_not_see_parent fork bad_words %lu\n", pre.bad);
				fail("error");
			}
		}
	}

	if (!create(&h, "reimport") && (fd_re = export(h, "reimport")) >= 0) {
		struct drm_prime_handle p = { .fd = fd_re };

		gem_close(h, "reimport");
		if (ioctl(fd, DRM_IOCTL_PRIME_FD_TO_HANDLE, &p)) {
			error("prime_fd_to_handle", "reimport");
		} else {
			h_re = p.handle;
			m_re = map_drm(h_re, "reimport");
			if (m_re)
				fill(m_re, K_REIMPORT, 0);
		}
	}

	/* 2. The shrinkers run, then memory goes to swap */
	fflush(stdout);
	f = open("/proc/sys/vm/drop_caches", O_WRONLY);
	if (f < 0 || write(f, "3\n", 2) != 2)
		error("drop_caches", "all");
	if (f >= 0)
		close(f);
	if (hog(NOBJ * NPAGES))
		error("hog", "all");

	/* 3. Each old mapping reads back its pattern; a fresh one sees a write */
	if (m_drm) {
		bad = read_back(m_drm, K_DRM, 0, &flt);
		fill(m_drm, K_DRM, 1);
		b = check_fresh(map_drm(h_drm, "drm-fd"), K_DRM);
		report("drm-fd", flt, bad + (b > 0 ? b : 0), 1);
	} else {
		fail("no_drm-fd");
	}

	if (m_kept) {
		bad = read_back(m_kept, K_KEPT, 0, &flt);
		fill(m_kept, K_KEPT, 1);
		b = check_fresh(map_fd(fd_kept, 0, "dmabuf-kept"), K_KEPT);
		report("dmabuf-kept", flt, bad + (b > 0 ? b : 0), 1);
	} else {
		fail("no_dmabuf-kept");
	}

	if (m_a && m_b) {
		long flt_b;
		unsigned long bad_b;

		bad = read_back(m_a, K_CLOSED, 0, &flt);
		bad_b = read_back(m_b, K_CLOSED, 0, &flt_b);
		fill(m_a, K_CLOSED, 1);
		bad_b += count_bad(m_b, K_CLOSED, 1);
		b = check_fresh(map_fd(fd_closed, 0, "dmabuf-closed"), K_CLOSED);
		report("dmabuf-closed-A", flt, bad + (b > 0 ? b : 0), 1);
		report("dmabuf-closed-B", flt_b, bad_b, 1);
	} else {
		fail("no_dmabuf-closed");
	}

	if (have_child && !ask(to[1], from[0], 'v', &a)) {
		long pflt;

		/* The parent's own old mapping sees what the child wrote. */
		bad = read_back(m_fork, K_FORK, 1, &pflt);
		b = check_fresh(map_drm(h_fork, "fork"), K_FORK);
		printf("vgem-maps fork child_faults_before_drop %ld parent_faults %ld parent_bad_words %lu child_bad_words %lu\n",
		       pre.flt, pflt, bad, a.bad);
		report("fork", a.flt, a.bad + bad + (b > 0 ? b : 0), 1);
	} else {
		fail("no_fork");
	}
	if (have_child) {
		char x = 'x';

		if (write(to[1], &x, 1) != 1 || waitpid(child, &st, 0) != child ||
		    !WIFEXITED(st) || WEXITSTATUS(st)) {
			printf("vgem-maps error fork_child_exit fork status %d\n", st);
			fail("error");
		}
	}

	if (m_re) {
		bad = read_back(m_re, K_REIMPORT, 0, &flt);
		fill(m_re, K_REIMPORT, 1);
		b = check_fresh(map_drm(h_re, "reimport"), K_REIMPORT);
		report("reimport", flt, bad + (b > 0 ? b : 0), 1);
	} else {
		fail("no_reimport");
	}

	{
		unsigned long oom = kv("/proc/vmstat", "oom_kill", 0) - oom0;

		printf("vgem-maps swapped_out_mib %lu swapped_in_mib %lu oom_kill %lu\n",
		       (kv("/proc/vmstat", "pswpout", 0) - out0) * 4 / 1024,
		       (kv("/proc/vmstat", "pswpin", 0) - in0) * 4 / 1024, oom);
		if (oom)
			fail("oom_kill");
	}
	if (reasons[0])
		printf("vgem-maps result fail %s\n", reasons);
	else
		printf("vgem-maps result pass\n");
	return reasons[0] ? 1 : 0;
}
