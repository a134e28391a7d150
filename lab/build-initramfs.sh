#!/usr/bin/env bash
# The lab's two initramfs images, from this tree's build outputs:
#   l2.cpio  busybox, exitscope, the Linux workloads, lab/l2-init.sh
#   l1.cpio  busybox, the L1 kernel's own modules KVM needs (DEP, loaded in
#            order), exitscope's kvm modules from KVM-DIR, exitscope-vmm,
#            the L2 kernel, its command line and l2.cpio, lab/l1-init.sh
# Usage: build-initramfs.sh OUTDIR L2-BZIMAGE KVM-DIR "DEP.ko..." L2-CMDLINE [L2-EXTRA [L1-INIT]]
# (L1-INIT: the script L1 runs as /init, default lab/l1-init.sh)
# EXITSCOPE_STOCK_KVM=DIR: the stock kvm modules of L1's kernel too, into
# /lib/modules/exitscope/stock; EXITSCOPE_L1_EXTRA=FILE: lab --l1-extra's
# script, as /l1-extra.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/lib.sh"
. "$top/lab/run-lib.sh"
out=${1:?OUTDIR}; l2kernel=${2:?L2 bzImage}; kvmdir=${3:?KVM-DIR}
deps=${4?DEP modules}; l2cmdline=${5:?L2 command line}; extra=${6:-}
l1init=${7:-$top/lab/l1-init.sh}
apt_ensure busybox-static cpio
bb=$(static_busybox)

rm -rf "$out/l2root" "$out/l1root"
# L2
r=$out/l2root
mkdir -p "$r"/{bin,proc,sys,dev,etc/exitscope}
cp "$bb" "$r/bin/busybox"
for a in sh mount sed echo cat true; do ln -s busybox "$r/bin/$a"; done
install -m755 "$top/lab/l2-init.sh" "$r/init"
install -m644 "$top/lab/workloads.txt" "$r/etc/exitscope/workloads.txt"
install -m755 "$top/build/bin/exitscope" "$r/bin/"
# Every Linux workload program (guest/linux/), for lab/workloads.txt.
for p in "$top"/build/guest/*; do
	case $p in *.bin|*.o|*.elf) continue ;; esac
	[ -f "$p" ] && [ -x "$p" ] || continue
	install -m755 "$p" "$r/bin/"
done
if [ -n "$extra" ]; then
	file -L "$extra" | grep -q 'statically linked' ||
		die "--l2-extra $extra: not a static executable (L2 has no libraries)"
	install -m755 "$extra" "$r/bin/l2-extra"
fi
mkcpio "$r" "$out/l2.cpio"

# L1
r=$out/l1root
mkdir -p "$r"/{bin,proc,sys,dev,l2,lib/modules/exitscope}
cp "$bb" "$r/bin/busybox"
ln -s busybox "$r/bin/sh"
install -m755 "$l1init" "$r/init"
install -D -m644 "$top/lab/l1-lib.sh" "$r/lib/exitscope/l1-lib.sh"
install -m755 "$top/build/bin/exitscope-vmm" "$top/build/bin/exitscope" "$r/bin/"
cp "$l2kernel" "$r/l2/bzImage"
cp "$out/l2.cpio" "$r/l2/initrd.cpio"
printf '%s\n' "$l2cmdline" >"$r/l2/cmdline"
# Every flat image (guest/flat/), and the table of workloads.
cp "$top"/build/guest/*.bin "$r/l2/"
cp "$top/lab/workloads.txt" "$r/l2/"
# shellcheck disable=SC2086 # the modules, one word each
strip_deps "$r/lib/modules/exitscope" $deps
strip_kos "$kvmdir" "$r/lib/modules/exitscope"
if [ -n "${EXITSCOPE_STOCK_KVM:-}" ]; then
	strip_kos "$EXITSCOPE_STOCK_KVM" "$r/lib/modules/exitscope/stock"
fi
[ -z "${EXITSCOPE_L1_EXTRA:-}" ] || install -m755 "$EXITSCOPE_L1_EXTRA" "$r/l1-extra"
mkcpio "$r" "$out/l1.cpio"
rm -rf "$out/l1root" "$out/l2root"
