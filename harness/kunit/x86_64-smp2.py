# KUnit QEMU config for the series: x86_64, 2 vCPUs (concurrency cases mean
# something), two NUMA nodes of 512 MiB each (kunit.py gives the guest
# 1024 MiB; the nodes come from CONFIG_NUMA_EMU's numa=fake=2, since ACPI NUMA
# detection would need CONFIG_PCI and a much larger kernel), and a pinned CPU
# model without ERMS, so clear_page() uses "rep stosq" and figures are
# comparable between runs.
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
			   kernel_command_line='console=ttyS0 numa=fake=2',
			   extra_qemu_params=['-bios', 'qboot.rom',
					      '-cpu', 'Nehalem',
					      '-smp', '2'])
