#!/usr/bin/env bash
# guest.sh MODE KBUILD LOG TIMEOUT APPEND [BINDIR]: boot KBUILD's bzImage
# under QEMU (TCG, 2 vCPUs, pinned CPU model) with a busybox initramfs whose
# /init is guest/init-MODE, the workload scripts of guest/workload/ (or the
# scripts listed in $WORKLOAD) and the programs of BINDIR in /bin.  The
# console goes to LOG; GUEST_MODULES lists .ko files to put in /modules.
# Exit status 124 if the guest had to be killed after TIMEOUT seconds.
. "$(dirname "$0")/lib.sh"

mode=$1 kbuild=$2 log=$3 tmo=$4 append=$5 bindir=${6:-}
kernel="$kbuild/arch/x86/boot/bzImage"
[ -f "$kernel" ] || die "no kernel at $kernel: the build failed"
busybox=$(command -v busybox || echo /bin/busybox)
file -L "$busybox" 2>/dev/null | grep -q 'statically linked' || busybox=/bin/busybox
[ -x "$busybox" ] || die "busybox-static is missing: run 'make deps'"

root="$CACHE/initramfs-$mode"
rm -rf "$root"
mkdir -p "$root"/{bin,dev,modules,proc,sys,tmp,workload}
cp "$busybox" "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
cp "$H/guest/init-$mode" "$root/init"
chmod +x "$root/init"
[ "$mode" != workload ] || cp ${WORKLOAD:-"$H"/guest/workload/*.sh} "$root/workload/"
[ -z "$bindir" ] || cp "$bindir"/* "$root/bin/"
# Modules for /init to load (the self-test's planted leak): GUEST_MODULES.
for m in ${GUEST_MODULES:-}; do cp "$m" "$root/modules/"; done
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet | gzip -1) >"$root.cpio.gz"

mem=${GUEST_MEM:-512}
rc=0
timeout -k 10 "$tmo" qemu-system-x86_64 -nodefaults -display none -no-reboot \
	-bios qboot.rom -cpu Nehalem -smp "${GUEST_SMP:-2}" -m "$mem" \
	${GUEST_QEMU_ARGS:-} \
	-kernel "$kernel" -initrd "$root.cpio.gz" \
	-append "$append panic=-1 rdinit=/init" \
	-serial stdio </dev/null >"$log" 2>&1 || rc=$?
if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
	say "guest timed out after ${tmo}s and was killed (console: $log)"
	exit 124
fi
exit 0
