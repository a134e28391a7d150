#!/bin/sh
# dkms's MAKE for exitscope-dkms: kvm.ko, kvm-intel.ko and kvm-amd.ko of
# one Debian kernel, built again with exit accounting.
#   sh ./build.sh KERNELVER KERNEL_SOURCE_DIR   (in dkms's build directory)
#
# KVM's source comes from Debian's linux-source package of the series, and
# only where its version is the kernel's own (the headers package's): a
# KVM built from another point release would still load (vermagic and the
# CRCs come from the headers) on structs it does not know. That is refused.
set -eu

die() { printf 'exitscope-dkms: error: %s\n' "$*" >&2; exit 1; }
say() { printf 'exitscope-dkms: %s\n' "$*"; }

[ $# -eq 2 ] || die "usage: build.sh KERNELVER KERNEL_SOURCE_DIR"
kver=$1 kdir=$2
here=$(pwd)
case $kver in
6.1.0-*) series=6.1 ;;
6.12.*+deb*) series=6.12 ;;
*) die "kernel $kver: not a Debian kernel of the 6.1 or 6.12 series" ;;
esac
[ -f "$kdir/Module.symvers" ] || die "$kdir: no kernel headers (apt install linux-headers-$kver)"

# dpkg's version of a package, or nothing.
version() { dpkg-query -W -f='${db:Status-Status} ${Version}' "$1" 2>/dev/null | sed -n 's/^installed //p'; }
hv=$(version "linux-headers-$kver")
[ -n "$hv" ] || die "linux-headers-$kver is not installed as a package: the kernel's version is unknown"
sv=$(version "linux-source-$series")
tarball=/usr/src/linux-source-$series.tar.xz
[ -n "$sv" ] && [ -f "$tarball" ] ||
	die "KVM's source is needed: apt install linux-source-$series=$hv"
[ "$sv" = "$hv" ] ||
	die "linux-source-$series is $sv, kernel $kver is $hv: KVM would be built from another version than the kernel's (apt install linux-source-$series=$hv, or boot the kernel of $sv)"

say "KVM of linux-source $sv for $kver"
rm -rf src tree
mkdir src
top=linux-source-$series
tar -xJf "$tarball" -C src --strip-components=1 \
	"$top/arch/x86/kvm" "$top/virt/kvm" "$top/include/linux/kvm_host.h" \
	"$top/arch/x86/include/asm/kvm_host.h" ||
	die "cannot unpack KVM from $tarball"
sh ./kvm-tree.sh create src tree patches/"$series"/0*.patch
sh ./kvm-tree.sh add . tree
rm -rf src
make -C "$kdir" M="$here/tree/arch/x86/kvm" -j"$(nproc 2>/dev/null || echo 1)" modules

# Module BTF, which Debian's own modules carry and kbuild cannot make
# without vmlinux: the BPF collector reads kvm's structs there. Only for
# the running kernel, whose BTF is in /sys/kernel/btf/vmlinux.
if [ "$kver" = "$(uname -r)" ] && [ -r /sys/kernel/btf/vmlinux ] && command -v pahole >/dev/null; then
	for m in kvm kvm-intel kvm-amd; do
		LLVM_OBJCOPY=objcopy pahole -J --btf_gen_floats -j --lang_exclude=rust \
			--btf_base /sys/kernel/btf/vmlinux "tree/arch/x86/kvm/$m.ko" >/dev/null ||
			say "pahole could not add BTF to $m.ko: the BPF collector will not see kvm's structs"
	done
else
	say "modules without BTF (it is added for the running kernel, with dwarves installed)"
fi
