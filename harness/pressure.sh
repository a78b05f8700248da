#!/usr/bin/env bash
# pressure.sh KBUILD LABEL heap|vgem|fill|memcg|ttmswap: boot the kernel of KBUILD in a
# 256 MiB guest with zram swap and run one pressure workload: "heap" (the
# system heap under bad input and memory pressure, guest/pressure/heap/*.sh)
# or "vgem" (more mmapped vgem buffers than RAM; every kind of user mapping
# of a vgem object through eviction; guest/pressure/vgem/*.sh); "memcg" boots
# with dma_heap.mem_accounting=1 and runs the heap set's memory cgroup case
# alone (guest/pressure/heap/27-memcg.sh); "ttmswap" boots with the KUnit
# suite ttm_bo_shrink_swap enabled (it runs at boot, before swap is on) and
# runs it again with zram swap through KUnit's debugfs
# (guest/pressure/ttmswap/*.sh).  Programs come from guest/src/.
# Prints the guest's result lines prefixed with LABEL; the console is in
# logs/pressure-LABEL-SET.log.  PRESSURE_APPEND adds to the kernel command
# line.
. "$(dirname "$0")/lib.sh"

kb=$1 label=$2 set=$3
logs="$CACHE/logs"
bindir="$CACHE/guest-bin-pressure"
mkdir -p "$logs" "$bindir"
log="$logs/pressure-$label-$set.log"
# A console log left by an earlier boot must never be judged as this one's:
# it goes before anything can fail, so a boot that does not happen leaves no
# log at all.
rm -f "$log"
[ -d "$H/guest/pressure/$set" ] || [ "$set" = memcg ] ||
	die "no workload set '$set' in $H/guest/pressure"
# The series changes no uapi: the headers of any 6.12 build will do, the
# same for the base and the patched kernel.
inc=
for d in "$kb/usr/include" "$BUILD/kunit/usr/include"; do
	[ -f "$d/drm/vgem_drm.h" ] && { inc=$d; break; }
done
if [ -z "$inc" ]; then
	# The build directory's own Makefile knows its source tree: this works
	# whichever tree KBUILD was built from, on an empty cache too.
	[ -f "$kb/Makefile" ] || die "no kernel build in $kb"
	make -s -C "$kb" ARCH=x86_64 headers_install >/dev/null 2>&1 ||
		die "headers_install failed in $kb"
	inc="$kb/usr/include"
fi
gcc -static -O2 -Wall -I"$inc" -o "$bindir/dmabuf-pressure" "$H/guest/src/dmabuf-pressure.c" ||
	die "could not build dmabuf-pressure"
gcc -static -O2 -Wall -I"$inc" -o "$bindir/vgem-evict" "$H/guest/src/vgem-evict.c" ||
	die "could not build vgem-evict"
gcc -static -O2 -Wall -I"$inc" -o "$bindir/vgem-mappings" "$H/guest/src/vgem-mappings.c" ||
	die "could not build vgem-mappings"
scripts="$H/guest/pressure/10-zram.sh $(echo "$H"/guest/pressure/$set/*.sh)"
# fill ends with the heap set's drop_caches check
[ "$set" != fill ] || scripts="$scripts $H/guest/pressure/heap/29-drop.sh"
# memcg: the heap set's memory cgroup case, with accounting on, then the
# drop_caches check (its oom_kill total covers the whole boot)
if [ "$set" = memcg ]; then
	scripts="$H/guest/pressure/10-zram.sh $H/guest/pressure/heap/27-memcg.sh $H/guest/pressure/heap/29-drop.sh"
	PRESSURE_APPEND="dma_heap.mem_accounting=1${PRESSURE_APPEND:+ $PRESSURE_APPEND}"
fi
# ttmswap: the built-in suite at boot (no swap yet), again after swapon
if [ "$set" = ttmswap ]; then
	scripts="$scripts $H/guest/pressure/heap/29-drop.sh"
	PRESSURE_APPEND="kunit.enable=1 kunit.filter_glob=ttm_bo_shrink_swap${PRESSURE_APPEND:+ $PRESSURE_APPEND}"
fi
GUEST_MEM=256 WORKLOAD="$scripts" "$H/guest.sh" workload "$kb" "$log" \
	"${PRESSURE_TIMEOUT:-900}" "console=ttyS0 kunit.enable=0 tsc=unstable${PRESSURE_APPEND:+ $PRESSURE_APPEND}" \
	"$bindir" || true
grep -aE '^(@@ |errno |churn |exhaust |fill |memcg |pools |deferred |oom_kill |zram |vgem |vgem-maps |busy |anon |zero |freeze |ttmswap )|copy_page_bench: [0-9]|Out of memory|Killed process|Kernel panic|Freezing .* (failed|aborted)|refusing to freeze' "$log" |
	sed "s/^/$label: /"
