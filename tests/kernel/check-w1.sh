#!/usr/bin/env bash
# A W=1 build of the patched KVM adds no warning: none in the files the
# patch adds or touches (the untouched ones carry upstream's own W=1 noise).
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
eval "$("$top/scripts/kernel-source.sh")"
"$top/scripts/build-modules.sh" >/dev/null 2>&1 || { echo "  make modules failed"; exit 1; }
w1=$top/build/kvm-w1-$KSERIES
rm -rf "$w1" && cp -a "$top/build/kvm-$KVER" "$w1"
log=$w1/build.log
make -C "$KHDR" M="$w1/arch/x86/kvm" -j"$(nproc)" W=1 modules >"$log" 2>&1 ||
	{ tail -20 "$log"; echo "  W=1 build failed"; exit 1; }
touched=$(sed -n 's|^+++ b/||p' "$KPATCHES"/0*.patch | sort -u | xargs -n1 basename | tr '\n' ' ')
touched="${touched}exit_stats.c exit_stats.h"
pattern=$(printf '/%s:|' $touched); pattern=${pattern%|}
if grep -E "warning:" "$log" | grep -E "$pattern"; then
	echo "  W=1 warnings in files of the change (full log: $log)"
	exit 1
fi
echo "  W=1: $(grep -c 'warning:' "$log" || true) warnings in all, none in: $touched"
rm -rf "$w1"
