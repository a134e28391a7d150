#!/usr/bin/env bash
# The BTF of Debian's kernel of this source version: the .BTF section of the
# vmlinux inside /boot/vmlinuz, extracted once per ABI into the cache. The
# base for module BTF (build-modules.sh) and for reading stock modules' BTF
# (tests/kernel/check-layout.sh). Prints its path.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/lib.sh"
eval "$("$top/scripts/kernel-source.sh")"
btf=$EXITSCOPE_CACHE/vmlinux-$KABI.btf
if [ ! -s "$btf" ]; then
	tmp=$(mktemp)
	"$KSRC/scripts/extract-vmlinux" "/boot/vmlinuz-$KABI" >"$tmp" ||
		{ rm -f "$tmp"; die "cannot extract vmlinux from /boot/vmlinuz-$KABI"; }
	objcopy -O binary --only-section=.BTF "$tmp" "$btf.tmp" && mv "$btf.tmp" "$btf" ||
		{ rm -f "$tmp" "$btf.tmp"; die "no .BTF section in /boot/vmlinuz-$KABI's vmlinux"; }
	rm -f "$tmp"
	[ -s "$btf" ] || die "empty BTF from /boot/vmlinuz-$KABI"
fi
echo "$btf"
