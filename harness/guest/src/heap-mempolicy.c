// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * heap-mempolicy: the system heap honours a task's set_mempolicy(MPOL_BIND)
 * on a machine with two memory nodes (the numa=fake=2 boot of "make run"),
 * whether a block comes from the heap's page pool or from the buddy
 * allocator.
 *
 * The heap maps its buffers as PFN maps, so user space cannot ask which node
 * a page is on (move_pages(2), numa_maps and pagemap all skip such a
 * mapping).  The program measures instead, in the quiet guest where both
 * sources are exact:
 *
 *   pool side   the rows named "dma-heap-system" of
 *               /sys/kernel/debug/drm_page_pool/pools (pool, order, pages,
 *               hits, misses, shrunk, group, then pages per node)
 *   buddy side  "Node N MemFree:" of /sys/devices/system/node/nodeN/meminfo
 *               (order-8 blocks bypass the per-CPU lists, so MemFree falls
 *               by what the buddy allocator hands out)
 *
 * Steps, with nodes A and B the first two memory nodes (0 and 1 there), every
 * buffer a multiple of 1 MiB so that the heap uses order-8 blocks only:
 *
 *   1. let the deferred-free lists go idle, empty the pools (drop_caches)
 *   2. bound to A, allocate 32 x 1 MiB and close them: the pool then holds
 *      32 MiB on A and nothing on B
 *   3. bound to B, allocate 16 MiB: no block of A may leave the pool, every
 *      order-8 take misses (test 1), and B pays for the memory (test 2)
 *   4. bound to A, allocate 16 MiB: it comes from A's pooled blocks (test 3,
 *      the control that shows step 3 was not vacuous)
 *
 * Output is TAP: "1..3", one "ok N"/"not ok N" line per test, "#" lines for
 * people, "1..0 # SKIP needs two memory nodes" with fewer than two memory
 * nodes.  A step that cannot be carried out prints "Bail out! ..." and exits
 * 1; a failed test makes the exit status 1 as well.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <linux/dma-heap.h>
#include <linux/mempolicy.h>

#define MIB		(1024L * 1024)
#define BLOCK_ORDER	8		/* the heap's largest order */
#define FILL_BUFS	32		/* 1 MiB buffers that fill the pool */
#define TEST_LEN	(16 * MIB)	/* each bound allocation */
#define SAME_KB		(4 * 1024L)	/* MemFree fell less: the node did not pay */
#define PAID_KB		(15 * 1024L)	/* MemFree fell at least: the node paid */
#define MAX_NODES	1024		/* bits of the set_mempolicy() mask */
#define MAX_COLS	64		/* columns of a row of the pools file */
#define DRAIN_S		30		/* at most, for the deferred-free lists */
#define FILL_WAIT_MS	60000		/* at most, for the pool to fill */
#define POLL_MS		100

#define HEAP_DEV	"/dev/dma_heap/system"
#define POOLS		"/sys/kernel/debug/drm_page_pool/pools"
#define POOL_NAME	"dma-heap-system"
#define DEFERRED	"/sys/kernel/debug/deferred_free"
#define HAS_MEMORY	"/sys/devices/system/node/has_memory"
#define DROP_CACHES	"/proc/sys/vm/drop_caches"

/* What one look at the pool and the nodes found */
struct snap {
	unsigned long pool[2];		/* pages the heap's pools hold per node */
	unsigned long hits, misses;	/* of the order-8 pool */
	unsigned long memfree[2];	/* kB, per node */
};

static int node[2];			/* the two memory nodes, ascending */
static long page_kb;
static char why[512];			/* why a step failed, for "Bail out!" */
static char text[256 * 1024];		/* the file read last */

/* Record why a step failed; returns -1 for the caller to return */
static int __attribute__((format(printf, 1, 2))) failed(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	return -1;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = ms % 1000 * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* Close @fd; a failure is recorded unless an earlier one is */
static int close_fd(int fd, const char *what)
{
	if (close(fd) == 0)
		return 0;
	if (why[0])
		return -1;
	return failed("close %s: %s", what, strerror(errno));
}

/*
 * Read @path into text[], NUL-terminated: its length, or -1 (why[] says
 * why; *@err holds the errno, EFBIG for a file larger than text[]).
 */
static long read_text(const char *path, int *err)
{
	long len = 0;
	ssize_t n;
	int fd;

	*err = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		*err = errno;
		return failed("open %s: %s", path, strerror(errno));
	}
	for (;;) {
		n = read(fd, text + len, sizeof(text) - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			*err = errno;
			failed("read %s: %s", path, strerror(errno));
			close_fd(fd, path);
			return -1;
		}
		if (n == 0)
			break;
		len += n;
		if (len == (long)sizeof(text) - 1) {
			*err = EFBIG;
			failed("%s is larger than %zu bytes", path, sizeof(text) - 1);
			close_fd(fd, path);
			return -1;
		}
	}
	text[len] = '\0';
	if (close_fd(fd, path) < 0) {
		*err = EIO;
		return -1;
	}
	return len;
}

/* A whole token of decimal digits into *@v: 0, or -1 */
static int parse_ul(const char *s, unsigned long *v)
{
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	*v = strtoul(s, &end, 10);
	return errno || *end ? -1 : 0;
}

/* Split @line in place at blanks: the number of tokens, -1 beyond @max */
static int split(char *line, char **tok, int max)
{
	char *save, *t;
	int n = 0;

	for (t = strtok_r(line, " \t", &save); t; t = strtok_r(NULL, " \t", &save)) {
		if (n == max)
			return -1;
		tok[n++] = t;
	}
	return n;
}

/*
 * The memory nodes of has_memory (a node list such as "0-1" or "0,2-3"):
 * their number, the first two in node[].  No such file: the kernel has no
 * NUMA, one node.
 */
static int memory_nodes(void)
{
	unsigned long a, b;
	char *save, *r, *dash;
	int count = 0, err;

	if (read_text(HAS_MEMORY, &err) < 0) {
		if (err != ENOENT)
			return -1;
		why[0] = '\0';
		return 1;
	}
	text[strcspn(text, "\n")] = '\0';
	for (r = strtok_r(text, ",", &save); r; r = strtok_r(NULL, ",", &save)) {
		dash = strchr(r, '-');
		if (dash)
			*dash = '\0';
		if (parse_ul(r, &a) || (dash && parse_ul(dash + 1, &b)))
			return failed("%s: cannot parse the node list", HAS_MEMORY);
		if (!dash)
			b = a;
		if (b < a || b >= MAX_NODES)
			return failed("%s: node range %lu-%lu is not within 0-%d", HAS_MEMORY,
				      a, b, MAX_NODES - 1);
		for (; a <= b; a++) {
			if (count < 2)
				node[count] = a;
			count++;
		}
	}
	return count;
}

/* The columns of the pools file that read_pools() reads */
struct pools_cols {
	int n, order, hits, misses, node[2];
};

/* The header: "pool order pages hits misses shrunk group node0 node1..." */
static int pools_header(char **tok, int n, struct pools_cols *c)
{
	unsigned long v;
	int i;

	*c = (struct pools_cols){
		.n = n, .order = -1, .hits = -1, .misses = -1, .node = { -1, -1 },
	};
	if (n == 0 || strcmp(tok[0], "pool"))
		return failed("%s: the first line is not the header", POOLS);
	for (i = 1; i < n; i++) {
		if (!strcmp(tok[i], "order"))
			c->order = i;
		else if (!strcmp(tok[i], "hits"))
			c->hits = i;
		else if (!strcmp(tok[i], "misses"))
			c->misses = i;
		else if (!strncmp(tok[i], "node", 4) && !parse_ul(tok[i] + 4, &v) &&
			 v < MAX_NODES && ((int)v == node[0] || (int)v == node[1]))
			c->node[(int)v == node[1]] = i;
	}
	if (c->order < 0 || c->hits < 0 || c->misses < 0 || c->node[0] < 0 || c->node[1] < 0)
		return failed("%s: the header lacks order, hits, misses, node%d or node%d",
			      POOLS, node[0], node[1]);
	return 0;
}

/*
 * The heap's rows of the pools file into @s: pages per node summed over the
 * orders, hits and misses of the order-8 row.  Every row of the heap must
 * have as many columns as the header.
 */
static int read_pools(struct snap *s)
{
	char *tok[MAX_COLS], *line, *save;
	struct pools_cols c = { .n = -1 };
	unsigned long v, order;
	int n, i, err, rows8 = 0;

	s->pool[0] = s->pool[1] = s->hits = s->misses = 0;
	if (read_text(POOLS, &err) < 0)
		return -1;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		n = split(line, tok, MAX_COLS);
		if (n < 0)
			return failed("%s: a line with more than %d columns", POOLS, MAX_COLS);
		if (c.n < 0) {
			if (pools_header(tok, n, &c) < 0)
				return -1;
			continue;
		}
		if (n == 0 || strcmp(tok[0], POOL_NAME))
			continue;
		if (n != c.n)
			return failed("%s: a %s row has %d columns, the header %d", POOLS,
				      POOL_NAME, n, c.n);
		if (parse_ul(tok[c.order], &order))
			return failed("%s: a %s row's order '%s'", POOLS, POOL_NAME,
				      tok[c.order]);
		for (i = 0; i < 2; i++) {
			if (parse_ul(tok[c.node[i]], &v))
				return failed("%s: a %s row's node%d '%s'", POOLS, POOL_NAME,
					      node[i], tok[c.node[i]]);
			s->pool[i] += v;
		}
		if (order != BLOCK_ORDER)
			continue;
		if (parse_ul(tok[c.hits], &s->hits) || parse_ul(tok[c.misses], &s->misses))
			return failed("%s: the order-%d %s row's hits or misses", POOLS,
				      BLOCK_ORDER, POOL_NAME);
		rows8++;
	}
	if (c.n < 0)
		return failed("%s is empty", POOLS);
	if (rows8 != 1)
		return failed("%s: %d order-%d rows named %s, want 1", POOLS, rows8,
			      BLOCK_ORDER, POOL_NAME);
	return 0;
}

/* "Node N MemFree: K kB" of node @nid's meminfo, in *@kb */
static int read_memfree(int nid, unsigned long *kb)
{
	char path[96], key[48], *line, *save, *num, *end;
	int err, found = 0;
	size_t klen;

	snprintf(path, sizeof(path), "/sys/devices/system/node/node%d/meminfo", nid);
	klen = snprintf(key, sizeof(key), "Node %d MemFree:", nid);
	if (read_text(path, &err) < 0)
		return -1;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, key, klen))
			continue;
		num = line + klen + strspn(line + klen, " \t");
		errno = 0;
		*kb = strtoul(num, &end, 10);
		if (*num < '0' || *num > '9' || errno || strcmp(end, " kB"))
			return failed("%s: cannot parse '%s'", path, line);
		found++;
	}
	if (found != 1)
		return failed("%s: %d '%s' lines, want 1", path, found, key);
	return 0;
}

static int snapshot(struct snap *s)
{
	if (read_pools(s) < 0)
		return -1;
	if (read_memfree(node[0], &s->memfree[0]) < 0 ||
	    read_memfree(node[1], &s->memfree[1]) < 0)
		return -1;
	return 0;
}

/*
 * queued_items and freed_items summed over the deferred-free lists.  No
 * such directory: the kernel frees in place, nothing is ever queued.
 */
static int deferred_stats(unsigned long *queued, unsigned long *freed)
{
	char path[512], *line, *save;
	int err, found, ret = 0;
	unsigned long v;
	struct dirent *e;
	DIR *d;

	*queued = *freed = 0;
	d = opendir(DEFERRED);
	if (!d)
		return errno == ENOENT ? 0 : failed("opendir %s: %s", DEFERRED, strerror(errno));
	for (errno = 0; (e = readdir(d)); errno = 0) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s/stats", DEFERRED, e->d_name);
		if (read_text(path, &err) < 0) {
			ret = -1;
			break;
		}
		found = 0;
		for (line = strtok_r(text, "\n", &save); line;
		     line = strtok_r(NULL, "\n", &save)) {
			bool q = !strncmp(line, "queued_items: ", 14);

			if (!q && strncmp(line, "freed_items: ", 13))
				continue;
			if (parse_ul(line + (q ? 14 : 13), &v)) {
				ret = failed("%s: cannot parse '%s'", path, line);
				break;
			}
			*(q ? queued : freed) += v;
			found++;
		}
		if (!ret && found != 2)
			ret = failed("%s: no queued_items or freed_items", path);
		if (ret)
			break;
	}
	if (!ret && errno)
		ret = failed("readdir %s: %s", DEFERRED, strerror(errno));
	if (closedir(d) && !ret)
		ret = failed("closedir %s: %s", DEFERRED, strerror(errno));
	return ret;
}

/* set_mempolicy(@mode) on node @nid alone, or with no nodes for @nid < 0 */
static int set_policy(int mode, int nid)
{
	unsigned long mask[MAX_NODES / (8 * sizeof(unsigned long))] = { 0 };
	const unsigned long bits = 8 * sizeof(unsigned long);

	if (nid >= 0)
		mask[nid / bits] |= 1UL << (nid % bits);
	if (syscall(SYS_set_mempolicy, mode, nid >= 0 ? mask : NULL,
		    nid >= 0 ? MAX_NODES + 1 : 0))
		return failed("set_mempolicy(%s, node %d): %s",
			      mode == MPOL_BIND ? "MPOL_BIND" : "MPOL_DEFAULT", nid,
			      strerror(errno));
	return 0;
}

/* A dma-buf of @len bytes from the heap: its fd, or -1 */
static int heap_alloc(int heap, long len)
{
	struct dma_heap_allocation_data data = {
		.len = len, .fd_flags = O_RDWR | O_CLOEXEC,
	};

	if (ioctl(heap, DMA_HEAP_IOCTL_ALLOC, &data) < 0)
		return failed("DMA_HEAP_IOCTL_ALLOC of %ld kB: %s", len / 1024, strerror(errno));
	return data.fd;
}

/* Allocate @len bytes bound to node @nid; MPOL_DEFAULT again after it */
static int bound_alloc(int heap, int nid, long len)
{
	int fd;

	if (set_policy(MPOL_BIND, nid) < 0)
		return -1;
	fd = heap_alloc(heap, len);
	if (set_policy(MPOL_DEFAULT, -1) < 0) {
		if (fd >= 0)
			close_fd(fd, "the bound buffer");
		return -1;
	}
	return fd;
}

/*
 * Step 1: wait (at most DRAIN_S seconds) until the deferred-free lists are
 * idle, nothing queued and nothing freed for a second, so that no pass still
 * running refills a pool; then empty the pools and let 200 ms pass, longer
 * than the 100 ms for which a shrinker call makes the pools congested.
 */
static int drain(void)
{
	unsigned long q, f, prev = (unsigned long)-1;
	ssize_t n;
	int i, fd;

	for (i = 0; i < DRAIN_S; i++) {
		if (deferred_stats(&q, &f) < 0)
			return -1;
		if (q == 0 && f == prev)
			break;
		prev = f;
		sleep_ms(1000);
	}
	if (i == DRAIN_S)
		printf("# deferred-free lists not idle after %d s\n", DRAIN_S);
	fd = open(DROP_CACHES, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return failed("open %s: %s", DROP_CACHES, strerror(errno));
	n = write(fd, "2", 1);
	if (n != 1) {
		failed("write %s: %s", DROP_CACHES, n < 0 ? strerror(errno) : "short write");
		close_fd(fd, DROP_CACHES);
		return -1;
	}
	if (close_fd(fd, DROP_CACHES) < 0)
		return -1;
	sleep_ms(200);
	return 0;
}

/*
 * Step 2: FILL_BUFS buffers of 1 MiB allocated bound to node[0] and closed;
 * wait until the pool holds them on node[0] and the deferred-free lists are
 * empty.  node[1] must then hold nothing.
 */
static int fill(int heap, struct snap *s)
{
	unsigned long want = FILL_BUFS * (MIB / 1024) / page_kb, q, f;
	int fds[FILL_BUFS], n, i, ms, ret = 0;

	if (set_policy(MPOL_BIND, node[0]) < 0)
		return -1;
	for (n = 0; n < FILL_BUFS; n++) {
		fds[n] = heap_alloc(heap, MIB);
		if (fds[n] < 0) {
			ret = -1;
			break;
		}
	}
	for (i = 0; i < n; i++)
		if (close_fd(fds[i], "a buffer of the fill") < 0)
			ret = -1;
	if (set_policy(MPOL_DEFAULT, -1) < 0 || ret < 0)
		return -1;

	for (ms = 0;; ms += POLL_MS) {
		if (read_pools(s) < 0 || deferred_stats(&q, &f) < 0)
			return -1;
		if (s->pool[0] >= want && q == 0)
			break;
		if (ms >= FILL_WAIT_MS)
			return failed("after %d s the pool holds %lu pages on node %d (want %lu), "
				      "%lu items queued", FILL_WAIT_MS / 1000, s->pool[0],
				      node[0], want, q);
		sleep_ms(POLL_MS);
	}
	if (s->pool[1])
		return failed("the pool holds %lu pages on node %d after drop_caches, want 0",
			      s->pool[1], node[1]);
	return 0;
}

/* @from -> @to of a quantity expected to fall: "-N", or "+N" if it rose */
static const char *fell(char *buf, unsigned long from, unsigned long to,
			unsigned long unit)
{
	if (to <= from)
		sprintf(buf, "-%lu", (from - to) * unit);
	else
		sprintf(buf, "+%lu", (to - from) * unit);
	return buf;
}

/* @from -> @to of a counter: "+N", or "-N" if it fell */
static const char *rose(char *buf, unsigned long from, unsigned long to)
{
	if (to >= from)
		sprintf(buf, "+%lu", to - from);
	else
		sprintf(buf, "-%lu", from - to);
	return buf;
}

/* How many kB MemFree of node index @i fell from @a to @b (negative: rose) */
static long memfree_fall(const struct snap *a, const struct snap *b, int i)
{
	return (long)a->memfree[i] - (long)b->memfree[i];
}

static int pass, fail;

static void result(bool ok, const char *fmt, ...)
{
	static int num;
	va_list ap;

	printf("%sok %d ", ok ? "" : "not ", ++num);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (ok)
		pass++;
	else
		fail++;
}

int main(void)
{
	char p0[32], p1[32], m0[32], m1[32], h[32], x[32];
	int heap = -1, fd0 = -1, fd1 = -1, count;
	unsigned long blocks, pages;
	struct snap a, b, c;
	long page_size;

	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("TAP version 13\n");
	page_size = sysconf(_SC_PAGESIZE);
	if (page_size < 1024) {
		printf("Bail out! setup: sysconf(_SC_PAGESIZE) = %ld\n", page_size);
		return 1;
	}
	page_kb = page_size / 1024;
	pages = TEST_LEN / page_size;
	blocks = pages >> BLOCK_ORDER;
	count = memory_nodes();
	if (count < 0) {
		printf("Bail out! setup: %s\n", why);
		return 1;
	}
	if (count < 2) {
		printf("1..0 # SKIP needs two memory nodes\n");
		return 0;
	}
	printf("1..3\n");

	heap = open(HEAP_DEV, O_RDWR | O_CLOEXEC);
	if (heap < 0) {
		failed("open %s: %s", HEAP_DEV, strerror(errno));
		goto setup_failed;
	}
	if (drain() < 0 || fill(heap, &a) < 0 || snapshot(&a) < 0)
		goto setup_failed;
	printf("# heap-mempolicy: pooled node%d %lu kB node%d %lu kB\n",
	       node[0], a.pool[0] * page_kb, node[1], a.pool[1] * page_kb);

	/* Step 3: bound to node[1], with node[0]'s blocks pooled */
	fd1 = bound_alloc(heap, node[1], TEST_LEN);
	if (fd1 < 0 || snapshot(&b) < 0) {
		printf("Bail out! bind %d: %s\n", node[1], why);
		goto out;
	}
	printf("# bind %d, %ld kB: pool node%d %s kB node%d %s kB, misses %s hits %s, "
	       "MemFree node%d %s kB node%d %s kB\n",
	       node[1], TEST_LEN / 1024,
	       node[0], fell(p0, a.pool[0], b.pool[0], page_kb),
	       node[1], fell(p1, a.pool[1], b.pool[1], page_kb),
	       rose(x, a.misses, b.misses), rose(h, a.hits, b.hits),
	       node[0], fell(m0, a.memfree[0], b.memfree[0], 1),
	       node[1], fell(m1, a.memfree[1], b.memfree[1], 1));
	result(b.pool[0] == a.pool[0] && b.misses - a.misses == blocks,
	       "bind to node %d takes no node-%d block from the pool", node[1], node[0]);
	result(memfree_fall(&a, &b, 1) >= PAID_KB && memfree_fall(&a, &b, 0) < SAME_KB,
	       "bind to node %d gets its memory from node %d", node[1], node[1]);

	/* Step 4, the control: bound to node[0], served from its pooled blocks */
	fd0 = bound_alloc(heap, node[0], TEST_LEN);
	if (fd0 < 0 || snapshot(&c) < 0) {
		printf("Bail out! bind %d: %s\n", node[0], why);
		goto out;
	}
	printf("# bind %d, %ld kB: pool node%d %s kB, hits %s, MemFree node%d %s kB node%d %s kB\n",
	       node[0], TEST_LEN / 1024,
	       node[0], fell(p0, b.pool[0], c.pool[0], page_kb),
	       rose(h, b.hits, c.hits),
	       node[0], fell(m0, b.memfree[0], c.memfree[0], 1),
	       node[1], fell(m1, b.memfree[1], c.memfree[1], 1));
	result(b.pool[0] - c.pool[0] == pages && c.hits - b.hits == blocks &&
	       memfree_fall(&b, &c, 0) < SAME_KB,
	       "bind to node %d is served from the node-%d pool", node[0], node[0]);
	printf("# Totals: pass:%d fail:%d xfail:0 xpass:0 skip:0 error:0\n", pass, fail);
	goto out;

setup_failed:
	printf("Bail out! setup: %s\n", why);
out:
	/* every fd is closed; a close that fails is reported and fails the run */
	why[0] = '\0';
	if (fd0 >= 0)
		close_fd(fd0, "the buffer bound to the first node");
	if (fd1 >= 0)
		close_fd(fd1, "the buffer bound to the second node");
	if (heap >= 0)
		close_fd(heap, HEAP_DEV);
	if (why[0])
		printf("# %s\n", why);
	return fail || pass != 3 || why[0] ? 1 : 0;
}
