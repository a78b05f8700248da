# KUnit QEMU config for the series: x86_64, 2 vCPUs (concurrency cases mean
# something), 1 GiB, one NUMA node, and a pinned CPU model without ERMS, so
# clear_page() uses "rep stosq" and figures are comparable between runs.
# Suites that need two nodes run in a second boot (x86_64-smp2-numa2.py).
#
# tsc=unstable: without an invariant TSC the kernel refines its TSC
# calibration about a second after boot and then switches clocksource; those
# two messages landed in the middle of a suite's KTAP header and kunit.py
# lost the rest of the run.  Staying off the TSC keeps the console quiet.
# i8042.noaux: the PS/2 mouse is probed asynchronously, and under TCG its
# "input: ImExPS/2 Generic Explorer Mouse" line once landed between a
# suite's "KTAP version 1" and its "# Subtest:" line (make check-bisect,
# prefix 18): kunit.py then numbered every later suite wrongly and judged
# 206 cases as not run.  Without the aux port there is no mouse to probe.
from qemu_config import QemuArchParams

QEMU_ARCH = QemuArchParams(linux_arch='x86_64',
			   kconfig='''
CONFIG_SERIAL_8250=y
CONFIG_SERIAL_8250_CONSOLE=y
CONFIG_SMP=y
CONFIG_NUMA=y
CONFIG_NUMA_EMU=y''',
			   qemu_arch='x86_64',
			   kernel_path='arch/x86/boot/bzImage',
			   kernel_command_line='console=ttyS0 tsc=unstable i8042.noaux',
			   extra_qemu_params=['-bios', 'qboot.rom',
					      '-cpu', 'Nehalem',
					      '-smp', '2'])
