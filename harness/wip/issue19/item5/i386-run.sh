#!/bin/bash
# i386 (PAE, 5 GiB) KUnit run of the heap and pool suites for item 5 point 4
export CCACHE_DIR=/var/cache/gpupool/ccache CCACHE_BASEDIR=/var/cache/gpupool
cd /var/cache/gpupool/wt-item5-i386 && python3 tools/testing/kunit/kunit.py run \
	--build_dir=/var/cache/gpupool/build/kunit-item5-i386 \
	--kunitconfig=/work/main/harness/wip/issue19/item5/i386.kunitconfig \
	--qemu_config=/work/main/harness/wip/issue19/item5/i386_pae_5g.py \
	--make_options "CC=ccache gcc" --jobs 2 --timeout 1200 "${1:-dma_heap*}"
