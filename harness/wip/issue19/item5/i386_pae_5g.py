# i386 with PAE and 5 GiB of RAM: totalram_pages() above 2^20, so that the
# RAM in bytes does not fit in an unsigned long.  qemu-system-x86_64 boots
# the 32-bit bzImage as well and has no RAM limit of its own.
from qemu_config import QemuArchParams

QEMU_ARCH = QemuArchParams(linux_arch='i386',
			   kconfig='''
CONFIG_SERIAL_8250=y
CONFIG_SERIAL_8250_CONSOLE=y
CONFIG_HIGHMEM64G=y
CONFIG_SMP=y''',
			   qemu_arch='x86_64',
			   kernel_path='arch/x86/boot/bzImage',
			   kernel_command_line='console=ttyS0 tsc=unstable i8042.noaux',
			   extra_qemu_params=['-m', '5G', '-cpu', 'Nehalem', '-smp', '2'])
