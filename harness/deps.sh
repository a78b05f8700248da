#!/usr/bin/env bash
# Install what the harness needs, from Debian's archive.  As root this runs
# apt-get; otherwise it prints the exact line to run and stops.
. "$(dirname "$0")/lib.sh"

pkgs=("$DEBIAN_PACKAGE=$DEBIAN_VERSION" qemu-system-x86 busybox-static sparse ccache
      git-absorb flex bison libelf-dev libssl-dev bc xz-utils cpio kmod rsync gcc make python3
      gnuplot-nox git-email clang lld llvm python3-ply python3-git
      python3-sphinx python3-yaml graphviz)
missing=()
for p in "${pkgs[@]}"; do
	name=${p%%=*}
	have=$(dpkg-query -W -f='${db:Status-Status} ${Version}' "$name" 2>/dev/null || true)
	case "$p" in
	*=*) [ "$have" = "installed ${p#*=}" ] || missing+=("$p") ;;
	*) [ "${have%% *}" = installed ] || missing+=("$p") ;;
	esac
done
[ ${#missing[@]} -eq 0 ] && exit 0

line="apt-get install -y ${missing[*]}"
if [ "$(id -u)" != 0 ]; then
	die "missing packages; as root run: apt-get update && $line"
fi
mkdir -p "$CACHE"
step "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
if ! apt-get install -y -q "${missing[@]}" >"$CACHE/apt.log" 2>&1; then
	apt-get update -q >>"$CACHE/apt.log" 2>&1 || true
	apt-get install -y -q "${missing[@]}" >>"$CACHE/apt.log" 2>&1 ||
		die "apt-get could not install ${missing[*]} (log: $CACHE/apt.log); run: apt-get update && $line"
fi
