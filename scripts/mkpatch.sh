#!/usr/bin/env bash
# Compose the whole kernel change as one upstream-style patch: the hook lines
# (kernel/patches/) plus the files it adds (kernel/kvm/), against pristine
# linux-source. Prints the patch's path. Usage: mkpatch.sh OUTDIR
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/lib.sh"
out=$(realpath -m "${1:?usage: mkpatch.sh OUTDIR}")
eval "$("$top/scripts/kernel-source.sh")"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/arch/x86/include/uapi/asm" "$work/include/linux" "$out"
cp -a "$KSRC/arch/x86/kvm" "$work/arch/x86/"
cp "$KSRC/include/linux/kvm_host.h" "$work/include/linux/"
git() { command git -C "$work" -c user.name=exitscope -c user.email=exitscope@example.org "$@"; }
git init -q && git add -A && git commit -q -m base
git am -q --keep-cr "$top"/kernel/patches/0001-*.patch ||
	die "kernel/patches/0001-*.patch does not apply to linux-source $KVER"
cp "$top"/kernel/kvm/exit_stats.[ch] "$work/arch/x86/kvm/"
cp "$top"/kernel/uapi/asm/kvm_exit_stats.h "$work/arch/x86/include/uapi/asm/"
git add -A && git commit -q --amend --no-edit
rm -f "$out"/0001-*.patch
git format-patch -1 --no-signature --zero-commit -o "$out" >/dev/null
ls "$out"/0001-*.patch
