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
files=$(sed -n 's|^+++ b/||p' "$KPATCHES"/0*.patch | sort -u)
# Only the objects of the C files the change touches are built (kbuild's
# single targets): the others' W=1 output is upstream's, not the change's,
# and a touched header is checked in each touched file that includes it
# (all of them include kvm_host.h). A touched C file of the modules
# outside arch/x86/kvm builds everything; the selftests' are not built here.
objs="exit_stats.o"
for f in $files; do
	case $f in
	arch/x86/kvm/*.c) objs="$objs ${f#arch/x86/kvm/}" ;;
	virt/kvm/*.c | arch/x86/*.c) objs=modules; break ;;
	esac
done
[ "$objs" = modules ] || objs=$(printf '%s\n' $objs | sed 's/\.c$/.o/' | sort -u | paste -sd' ')
make -C "$KHDR" M="$w1/arch/x86/kvm" -j"$(nproc)" W=1 $objs >"$log" 2>&1 ||
	{ tail -20 "$log"; echo "  W=1 build failed"; exit 1; }
touched=$(printf '%s\n' $files | xargs -n1 basename | tr '\n' ' ')
touched="${touched}exit_stats.c exit_stats.h"
pattern=$(printf '/%s:|' $touched); pattern=${pattern%|}
if grep -E "warning:" "$log" | grep -E "$pattern"; then
	echo "  W=1 warnings in files of the change (full log: $log)"
	exit 1
fi
echo "  W=1 ($objs): $(grep -c 'warning:' "$log" || true) warnings in all, none in: $touched"
rm -rf "$w1"
