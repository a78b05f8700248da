// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The planted leak of the harness self-test (harness/selftest.sh): a module
 * that allocates on load and drops the only pointer, so that kmemleak in the
 * debug kernel reports it and "make check" must reject the run.  Never part
 * of the series.
 */
#include <linux/module.h>
#include <linux/slab.h>

static noinline int gpupool_selftest_leak(void)
{
	void *p = kmalloc(192, GFP_KERNEL);

	if (!p)
		return -ENOMEM;
	/* Forget p: from here on nothing refers to the 192 bytes. */
	OPTIMIZER_HIDE_VAR(p);
	return 0;
}

static int __init gpupool_selftest_leak_init(void)
{
	return gpupool_selftest_leak();
}
module_init(gpupool_selftest_leak_init);

MODULE_DESCRIPTION("harness self-test: a planted kmemleak report");
MODULE_LICENSE("Dual MIT/GPL");
