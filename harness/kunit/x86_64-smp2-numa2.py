# The guest of x86_64-smp2.py with 2 GiB in two NUMA nodes of 1 GiB
# (CONFIG_NUMA_EMU's numa=fake=2; ACPI NUMA detection would need CONFIG_PCI
# and a much larger kernel).  "-m 2048" overrides kunit.py's "-m 1024".
#
# Only the suites listed in numa-suites run here: on the base kernel the TTM
# suites stall in this guest (ttm_bo_validate_swapout fills half of RAM with
# no swap, and reclaim on two small nodes does not finish in time).
import dataclasses
import importlib.util
import os

_spec = importlib.util.spec_from_file_location(
	'x86_64_smp2', os.path.join(os.path.dirname(os.path.abspath(__file__)), 'x86_64-smp2.py'))
_one_node = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_one_node)

QEMU_ARCH = dataclasses.replace(_one_node.QEMU_ARCH,
	kernel_command_line=_one_node.QEMU_ARCH.kernel_command_line + ' numa=fake=2',
	extra_qemu_params=_one_node.QEMU_ARCH.extra_qemu_params + ['-m', '2048'])
