# The same guest as x86_64-smp2.py with 2 GiB in two NUMA nodes of 1 GiB
# (CONFIG_NUMA_EMU's numa=fake=2; ACPI NUMA detection would need CONFIG_PCI
# and a much larger kernel).  "-m 2048" overrides kunit.py's "-m 1024".
#
# Only the suites listed in numa-suites run here: on the base kernel the TTM
# suites stall in this guest (ttm_bo_validate_swapout fills half of RAM with
# no swap, and reclaim on two small nodes does not finish in time).
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
					      '-smp', '2', '-m', '2048'])
