#!/usr/bin/env bash
# Compose the whole kernel change for the series KSERIES as upstream-style
# patches against pristine linux-source, into OUTDIR; prints their paths.
#  - 6.1: one patch, the hook lines (kernel/patches/6.1/) plus the files the
#    change adds (kernel/kvm/, kernel/uapi/), folded in;
#  - 6.12: the series of kernel/patches/6.12/ as it is, which adds those
#    files itself: what it ends with must be kernel/kvm/'s and
#    kernel/uapi/'s exactly (one source for both series), or this fails.
# Usage: mkpatch.sh OUTDIR
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/lib.sh"
out=$(realpath -m "${1:?usage: mkpatch.sh OUTDIR}")
eval "$("$top/scripts/kernel-source.sh")"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
patches=("$KPATCHES"/0*.patch)
"$top/scripts/kernel-series.sh" tree "$work" >/dev/null
git() { command git -C "$work" -c user.name=exitscope -c user.email=exitscope@example.org "$@"; }
files=(arch/x86/kvm/exit_stats.c arch/x86/kvm/exit_stats.h
       arch/x86/include/uapi/asm/kvm_exit_stats.h)
ours=("$top/kernel/kvm/exit_stats.c" "$top/kernel/kvm/exit_stats.h"
      "$top/kernel/uapi/asm/kvm_exit_stats.h")
if [ -f "$work/${files[0]}" ]; then
	for i in "${!files[@]}"; do
		cmp -s "$work/${files[$i]}" "${ours[$i]}" ||
			die "${KPATCHES#$top/}/ ends with another ${files[$i]##*/} than ${ours[$i]#$top/}: refresh the series (docs/kernel.md)"
	done
else
	for i in "${!files[@]}"; do cp "${ours[$i]}" "$work/${files[$i]}"; done
	git add -A && git commit -q --amend --no-edit
fi
mkdir -p "$out"
rm -f "$out"/0*.patch
git format-patch --no-signature --zero-commit -o "$out" HEAD~"${#patches[@]}" >/dev/null
ls "$out"/0*.patch
