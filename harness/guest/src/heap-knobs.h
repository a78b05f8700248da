/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * heap-knobs.h: the system heap's run-time knobs, for the benchmarks that
 * compare the heap as shipped with its base path in one boot (the pools
 * keep nothing: system_heap.pool_limit_pages=0; close frees at once:
 * deferred_free_helper.max_backlog_percent=0).  Only on the patched kernel.
 */
#ifndef HEAP_KNOBS_H
#define HEAP_KNOBS_H

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define HEAP_POOL_KNOB "/sys/module/system_heap/parameters/pool_limit_pages"
#define HEAP_BACKLOG_KNOB "/sys/module/deferred_free_helper/parameters/max_backlog_percent"

/* The knobs' values as shipped, saved before the first change */
struct heap_knobs {
	char pool[32];
	char backlog[32];
};

static int heap_knob_read(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "r");
	int ok = f && fgets(buf, size, f);

	if (f)
		fclose(f);
	buf[ok ? strcspn(buf, "\n") : 0] = 0;
	return ok ? 0 : -1;
}

static int heap_knob_write(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), ok;

	if (fd < 0)
		return -1;
	ok = write(fd, val, strlen(val)) == (ssize_t)strlen(val);
	close(fd);
	return ok ? 0 : -1;
}

/* Save the knobs' values into @k: 0, or -1 if the kernel has none. */
static int heap_knobs_save(struct heap_knobs *k)
{
	return heap_knob_read(HEAP_POOL_KNOB, k->pool, sizeof(k->pool)) ||
	       heap_knob_read(HEAP_BACKLOG_KNOB, k->backlog, sizeof(k->backlog)) ? -1 : 0;
}

/* The heap as shipped (@shipped, the values of @k) or its base path: 0 or -1. */
static int heap_knobs_set(const struct heap_knobs *k, int shipped)
{
	return heap_knob_write(HEAP_POOL_KNOB, shipped ? k->pool : "0") ||
	       heap_knob_write(HEAP_BACKLOG_KNOB, shipped ? k->backlog : "0") ? -1 : 0;
}

#endif
