# KUnit QEMU config for the series: x86_64, 2 vCPUs (concurrency cases mean
# something), 1 GiB, one NUMA node, and a pinned CPU model without ERMS, so
# clear_page() uses "rep stosq" and figures are comparable between runs.
# Suites that need two nodes run in a second boot (x86_64-smp2-numa2.py).
#
# tsc=unstable: without an invariant TSC the kernel refines its TSC
# calibration about a second after boot and then switches clocksource; those
# two messages landed in the middle of a suite's KTAP header and kunit.py
# lost the rest of the run.  Staying off the TSC keeps the console quiet.
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
			   kernel_command_line='console=ttyS0 tsc=unstable',
			   extra_qemu_params=['-bios', 'qboot.rom',
					      '-cpu', 'Nehalem',
					      '-smp', '2'])
