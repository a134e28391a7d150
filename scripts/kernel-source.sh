#!/usr/bin/env bash
# Resolve and cache the kernel pieces exitscope builds against, then print
# them as shell assignments (eval "$(scripts/kernel-source.sh)"):
#   KSERIES the kernel series: KSERIES from the environment (6.1 or 6.12),
#         else the running kernel's where that is a Debian kernel of one of
#         them (a host), else 6.1
#   KVER  Debian package version of linux-source-KSERIES, e.g. 6.1.192-2
#   KABI  the matching kernel ABI, e.g. 6.1.0-56-amd64 or 6.12.118+deb12-amd64
#   KHDR  its headers tree, for out-of-tree module builds
#   KSRC  the parts of the source this project needs, unpacked once per
#         version under the cache directory
#   KMODROOT Debian's module tree of that ABI, uncompressed: /lib/modules/KABI,
#         or, where Debian ships the modules xz-compressed (6.12), a copy with
#         each decompressed, made once in the cache (~5 s, ~0.5 GB)
#   KSTOCK the stock KVM modules in it (for the vermagic/CRC checks)
#   KMODS where build-modules.sh puts exitscope's modules for KABI
#   KPATCHES the series' hook patches, applied in order (kernel/patches/KSERIES)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

KSERIES=$(kernel_series)
apt_ensure "linux-source-$KSERIES"
KVER=$(dpkg-query -W -f='${Version}' "linux-source-$KSERIES")

# The headers meta package of the same version names the ABI: Debian 12
# calls 6.1's linux-headers-amd64 and its 6.12 backport's
# linux-headers-6.12-amd64.
abi_of() {
	local meta
	for meta in "linux-headers-$KSERIES-amd64" linux-headers-amd64; do
		apt-cache show "$meta=$KVER" 2>/dev/null |
			sed -n 's/^Depends: linux-headers-\([^ ]*-amd64\) .*/\1/p' | head -n1
	done | head -n1
}
# A version's ABI never changes: remember it (apt-cache takes 0.4 s, and
# every lab run resolves the kernel four times).
abi_cache=$EXITSCOPE_CACHE/abi-$KVER
KABI=$(cat "$abi_cache" 2>/dev/null || true)
if [ -z "$KABI" ]; then
	KABI=$(abi_of)
	if [ -z "$KABI" ]; then
		as_root flock /tmp/exitscope-apt.lock apt-get update -qq >/dev/null 2>&1 || true
		KABI=$(abi_of)
	fi
	[ -n "$KABI" ] || die "no linux-headers-amd64 of version $KVER in the package lists"
	mkdir -p "$EXITSCOPE_CACHE" && echo "$KABI" >"$abi_cache"
fi
apt_ensure "linux-headers-$KABI=$KVER" "linux-image-$KABI-unsigned=$KVER"
KHDR=/usr/src/linux-headers-$KABI
[ -f "$KHDR/Module.symvers" ] || die "$KHDR has no Module.symvers"

# What this project reads from the source (the 6.12 series also patches the
# documentation and the selftests; the names below a reason come from the
# headers at the end, scripts/gen-names.py); the cache is redone if it grows.
parts=(arch/x86/kvm virt/kvm
	arch/x86/include/asm/kvm_host.h
	Documentation/virt/kvm Documentation/admin-guide/kernel-parameters.txt
	tools/testing/selftests/kvm/Makefile
	tools/kvm/kvm_stat/kvm_stat
	include/linux/kvm_host.h
	arch/x86/include/uapi/asm/kvm.h
	arch/x86/include/uapi/asm/vmx.h
	arch/x86/include/uapi/asm/svm.h
	scripts/checkpatch.pl scripts/spelling.txt scripts/const_structs.checkpatch
	scripts/extract-vmlinux
	Makefile arch/x86/include/asm/msr-index.h arch/x86/include/asm/apicdef.h
	arch/x86/include/asm/hyperv-tlfs.h arch/x86/include/asm/trapnr.h
	arch/x86/include/asm/irq_vectors.h
	arch/x86/include/uapi/asm/kvm_para.h include/uapi/linux/kvm_para.h)
KSRC=$EXITSCOPE_CACHE/linux-source-$KVER
if [ "$(cat "$KSRC/.complete" 2>/dev/null)" != "${parts[*]}" ]; then
	lock_wait "$KSRC.lock"
fi
if [ "$(cat "$KSRC/.complete" 2>/dev/null)" != "${parts[*]}" ]; then
	tarball=/usr/src/linux-source-$KSERIES.tar.xz
	[ -f "$tarball" ] || die "$tarball missing (package linux-source-$KSERIES)"
	log "unpacking the KVM parts of linux-source $KVER into $KSRC"
	rm -rf "$KSRC.tmp" && mkdir -p "$KSRC.tmp"
	tar -xJf "$tarball" -C "$KSRC.tmp" --strip-components=1 \
		"${parts[@]/#/linux-source-$KSERIES/}" ||
		die "cannot unpack $tarball"
	echo "${parts[*]}" >"$KSRC.tmp/.complete"
	rm -rf "$KSRC" && mv "$KSRC.tmp" "$KSRC"
fi
KMODROOT=/lib/modules/$KABI
if [ ! -f "$KMODROOT/kernel/arch/x86/kvm/kvm.ko" ] &&
   [ -f "$KMODROOT/kernel/arch/x86/kvm/kvm.ko.xz" ]; then
	plain=$EXITSCOPE_CACHE/modules-$KABI
	[ -f "$plain/.complete" ] || lock_wait "$plain.lock"
	if [ ! -f "$plain/.complete" ]; then
		log "decompressing Debian's modules of $KABI into $plain (once)"
		rm -rf "$plain.tmp" && mkdir -p "$plain.tmp"
		(cd "$KMODROOT" && find . -name '*.ko.xz' -printf '%h\0' | sort -zu |
			(cd "$plain.tmp" && xargs -0 mkdir -p)) ||
			die "cannot copy the module tree of $KABI"
		(cd "$KMODROOT" && find . -name '*.ko.xz' -print0 |
			xargs -0 -P"$(nproc)" -n64 sh -c \
				'for f; do xz -dc "$f" >"$0/${f%.xz}" || exit 1; done' "$plain.tmp") ||
			die "cannot decompress the modules of $KABI (disk full? $(df -h "$EXITSCOPE_CACHE" | tail -1))"
		sed 's/\.ko\.xz\b/.ko/g' "$KMODROOT/modules.dep" >"$plain.tmp/modules.dep"
		cp "$KMODROOT/modules.alias" "$plain.tmp/"
		touch "$plain.tmp/.complete"
		rm -rf "$plain" && mv "$plain.tmp" "$plain"
	fi
	KMODROOT=$plain
fi
KSTOCK=$KMODROOT/kernel/arch/x86/kvm

KMODS=$(dirname "$here")/build/modules/$KSERIES
KPATCHES=$(dirname "$here")/kernel/patches/$KSERIES

printf 'KSERIES=%s\nKVER=%s\nKABI=%s\nKHDR=%s\nKSRC=%s\nKMODROOT=%s\nKSTOCK=%s\nKMODS=%s\nKPATCHES=%s\n' \
	"$KSERIES" "$KVER" "$KABI" "$KHDR" "$KSRC" "$KMODROOT" "$KSTOCK" "$KMODS" "$KPATCHES"
