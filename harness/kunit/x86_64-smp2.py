# KUnit QEMU config for the series: x86_64, 2 vCPUs (concurrency cases mean
# something), two NUMA nodes of 512 MiB with one CPU each (kunit.py gives the
# guest 1024 MiB), and a pinned CPU model without ERMS, so clear_page() uses
# "rep stosq" and figures are comparable between runs.
from qemu_config import QemuArchParams

QEMU_ARCH = QemuArchParams(linux_arch='x86_64',
			   kconfig='''
CONFIG_SERIAL_8250=y
CONFIG_SERIAL_8250_CONSOLE=y
CONFIG_SMP=y
CONFIG_NUMA=y''',
			   qemu_arch='x86_64',
			   kernel_path='arch/x86/boot/bzImage',
			   kernel_command_line='console=ttyS0',
			   extra_qemu_params=['-bios', 'qboot.rom',
					      '-cpu', 'Nehalem',
					      '-smp', '2',
					      '-object', 'memory-backend-ram,id=m0,size=512M',
					      '-object', 'memory-backend-ram,id=m1,size=512M',
					      '-numa', 'node,nodeid=0,cpus=0,memdev=m0',
					      '-numa', 'node,nodeid=1,cpus=1,memdev=m1'])
