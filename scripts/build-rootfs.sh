#!/usr/bin/env bash
# The root file system the benchmark's L1 runs the tracing peers from: a
# Debian 12 system built from Debian's packages with mmdebstrap (perf of
# the same kernel version, bpftrace, bcc's tools, the kernel's headers for
# bcc), as an ext4 image that L1 mounts read-only from a virtio disk.
# Cached per kernel version and package list. Prints the image's path.
# Usage: build-rootfs.sh
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/lib.sh"
eval "$("$top/scripts/kernel-source.sh")"
packages=(busybox-static kmod linux-perf "linux-headers-$KABI" bpftrace bpfcc-tools)
key=$(printf '%s\n' "$KVER" "${packages[@]}" | sha256sum | cut -c1-12)
# EXITSCOPE_ROOTFS_DIR: another directory for the image (tests: a cold one).
img=${EXITSCOPE_ROOTFS_DIR:-$EXITSCOPE_CACHE}/peers-rootfs-$KVER-$key.img
if [ ! -f "$img" ]; then
	apt_ensure mmdebstrap e2fsprogs
	sources=/etc/apt/sources.list.d/debian.sources
	[ -f "$sources" ] || sources=/etc/apt/sources.list
	[ -f "$sources" ] || die "no apt sources on this machine for mmdebstrap"
	work=$img.work
	rm -rf "$work" && mkdir -p "$work/root"
	log "building the peers' root file system from Debian's packages (once, ~1 min, ~800 MB)"
	mmdebstrap --quiet --variant=essential --include="$(IFS=,; echo "${packages[*]}")" \
		bookworm "$work/root" "$sources" >"$work/mmdebstrap.log" 2>&1 ||
		{ tail -n 5 "$work/mmdebstrap.log" >&2; die "mmdebstrap failed (log: $work/mmdebstrap.log)"; }
	# perf must be the kernel's own version: a different one misreads KVM's events.
	perf=$(chroot "$work/root" dpkg-query -W -f='${Version}' linux-perf)
	[ "$perf" = "$KVER" ] || die "linux-perf $perf in the root file system, the kernel is $KVER"
	size=$(( $(du -sm "$work/root" | cut -f1) * 5 / 4 + 200 ))
	# stdout is the image's path alone: mke2fs -d prints "Creating regular
	# file ..." there even with -q.
	mke2fs -q -t ext4 -L exitscope-peers -d "$work/root" "$img.tmp" "${size}M" >&2 ||
		die "mke2fs failed"
	mv "$img.tmp" "$img"
	rm -rf "$work"
fi
echo "$img"
