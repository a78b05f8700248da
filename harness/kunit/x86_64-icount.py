# The guest of x86_64-smp2.py with one vCPU and "-icount shift=0": guest time
# advances one nanosecond per guest instruction, so the ns that the
# performance cases print become deterministic instruction counts.
# For per-operation cost only (single-threaded TCG, no concurrency).
import dataclasses
import importlib.util
import os

_spec = importlib.util.spec_from_file_location(
	'x86_64_smp2', os.path.join(os.path.dirname(os.path.abspath(__file__)), 'x86_64-smp2.py'))
_smp2 = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_smp2)

_params = [p for p in _smp2.QEMU_ARCH.extra_qemu_params]
_params[_params.index('-smp') + 1] = '1'

QEMU_ARCH = dataclasses.replace(_smp2.QEMU_ARCH,
	extra_qemu_params=_params + ['-icount', 'shift=0'])
