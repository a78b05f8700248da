# KUnit QEMU config for the series: x86_64, 2 vCPUs (concurrency cases mean
# something), 1 GiB, one NUMA node, and a pinned CPU model without ERMS, so
# clear_page() uses "rep stosq" and figures are comparable between runs.
# Suites that need two nodes run in a second boot (x86_64-smp2-numa2.py).
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
			   kernel_command_line='console=ttyS0',
			   extra_qemu_params=['-bios', 'qboot.rom',
					      '-cpu', 'Nehalem',
					      '-smp', '2'])
