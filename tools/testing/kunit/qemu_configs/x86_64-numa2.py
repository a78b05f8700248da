# SPDX-License-Identifier: GPL-2.0
#
# x86_64 with 2 vCPUs and two memory nodes of 1 GiB (CONFIG_NUMA_EMU's
# numa=fake=2), for suites that need more than one node, such as
# drm_page_pool_numa:
#
#   tools/testing/kunit/kunit.py run --kunitconfig=drivers/gpu/drm/tests \
#	--qemu_config=<this file> 'drm_page_pool*'
#
# tsc=unstable keeps the kernel from switching clocksource a second into the
# run, whose console messages can land inside the KTAP output under TCG.
from ..qemu_config import QemuArchParams

QEMU_ARCH = QemuArchParams(linux_arch='x86_64',
			   kconfig='''
CONFIG_SERIAL_8250=y
CONFIG_SERIAL_8250_CONSOLE=y
CONFIG_SMP=y
CONFIG_NUMA=y
CONFIG_NUMA_EMU=y''',
			   qemu_arch='x86_64',
			   kernel_path='arch/x86/boot/bzImage',
			   kernel_command_line='console=ttyS0 numa=fake=2 tsc=unstable',
			   extra_qemu_params=['-bios', 'qboot.rom',
					      '-smp', '2', '-m', '2048'])
