#!/usr/bin/env bash
# Resolve and cache the kernel pieces exitscope builds against, then print
# them as shell assignments (eval "$(scripts/kernel-source.sh)"):
#   KVER  Debian package version of linux-source-6.1, e.g. 6.1.192-2
#   KABI  the matching kernel ABI, e.g. 6.1.0-56-amd64
#   KHDR  its headers tree, for out-of-tree module builds
#   KSRC  the parts of the source this project needs, unpacked once per
#         version under the cache directory
#   KSTOCK the stock modules of that ABI (for the vermagic/CRC checks)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

apt_ensure linux-source-6.1
KVER=$(dpkg-query -W -f='${Version}' linux-source-6.1)

# The headers meta package of the same version names the ABI.
abi_of() {
	apt-cache show "linux-headers-amd64=$KVER" 2>/dev/null |
		sed -n 's/^Depends: linux-headers-\([^ ]*-amd64\) .*/\1/p' | head -n1
}
# A version's ABI never changes: remember it (apt-cache takes 0.4 s, and
# every lab run resolves the kernel four times).
abi_cache=$EXITSCOPE_CACHE/abi-$KVER
KABI=$(cat "$abi_cache" 2>/dev/null || true)
if [ -z "$KABI" ]; then
	KABI=$(abi_of)
	if [ -z "$KABI" ]; then
		as_root apt-get update -qq >/dev/null 2>&1 || true
		KABI=$(abi_of)
	fi
	[ -n "$KABI" ] || die "no linux-headers-amd64 of version $KVER in the package lists"
	mkdir -p "$EXITSCOPE_CACHE" && echo "$KABI" >"$abi_cache"
fi
apt_ensure "linux-headers-$KABI=$KVER" "linux-image-$KABI-unsigned=$KVER"
KHDR=/usr/src/linux-headers-$KABI
[ -f "$KHDR/Module.symvers" ] || die "$KHDR has no Module.symvers"

# What this project reads from the source; the cache is redone if it grows.
parts=(arch/x86/kvm virt/kvm
	arch/x86/include/asm/kvm_host.h
	include/linux/kvm_host.h
	arch/x86/include/uapi/asm/kvm.h
	arch/x86/include/uapi/asm/vmx.h
	arch/x86/include/uapi/asm/svm.h
	scripts/checkpatch.pl scripts/spelling.txt scripts/const_structs.checkpatch
	scripts/extract-vmlinux)
KSRC=$EXITSCOPE_CACHE/linux-source-$KVER
if [ "$(cat "$KSRC/.complete" 2>/dev/null)" != "${parts[*]}" ]; then
	tarball=/usr/src/linux-source-6.1.tar.xz
	[ -f "$tarball" ] || die "$tarball missing (package linux-source-6.1)"
	log "unpacking the KVM parts of linux-source $KVER into $KSRC"
	rm -rf "$KSRC.tmp" && mkdir -p "$KSRC.tmp"
	tar -xJf "$tarball" -C "$KSRC.tmp" --strip-components=1 \
		"${parts[@]/#/linux-source-6.1/}" ||
		die "cannot unpack $tarball"
	echo "${parts[*]}" >"$KSRC.tmp/.complete"
	rm -rf "$KSRC" && mv "$KSRC.tmp" "$KSRC"
fi
KSTOCK=/lib/modules/$KABI/kernel/arch/x86/kvm

printf 'KVER=%s\nKABI=%s\nKHDR=%s\nKSRC=%s\nKSTOCK=%s\n' \
	"$KVER" "$KABI" "$KHDR" "$KSRC" "$KSTOCK"
