#!/usr/bin/env bash
# The modules from `make modules` must load on Debian's stock kernel of the
# same version, beside every stock module that depends on kvm.ko:
#  - vermagic equal to the stock modules';
#  - every symbol our modules import carries the CRC its exporter has (the
#    headers' Module.symvers for the kernel, our kvm.ko for the vendors);
#  - our kvm.ko exports every symbol stock kvm.ko exports, with the same CRC
#    (the patch keeps kvm.ko's kABI);
#  - every other module that modules.dep says depends on kvm.ko (kvmgt.ko)
#    imports from kvm.ko only symbols ours exports, with the CRCs it wants.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
eval "$("$top/scripts/kernel-source.sh")"
modversions=$top/build/test/modversions
# Ours: make modules' by default; EXITSCOPE_CHECK_MODS (a directory with the
# three .ko) and EXITSCOPE_CHECK_SYMVERS (the Module.symvers of their build)
# check others, the exitscope-dkms package's (tests/deb/check-deb.sh).
mods=${EXITSCOPE_CHECK_MODS:-$KMODS}
ours_symvers=${EXITSCOPE_CHECK_SYMVERS:-$top/build/kvm-$KVER/arch/x86/kvm/Module.symvers}
fail=0
bad() { echo "  FAIL: $*"; fail=1; }
# Without it every import count below would read 0 ("imports nothing").
[ -x "$modversions" ] || { bad "no $modversions (make build/test/modversions)"; exit 1; }

vermagic() { objcopy -O binary --only-section=.modinfo "$1" /dev/stdout | tr '\0' '\n' | sed -n 's/^vermagic=//p'; }
for m in kvm kvm-intel kvm-amd; do
	ours=$mods/$m.ko stock=$KSTOCK/$m.ko
	[ -f "$ours" ] || { bad "$ours missing (run make modules)"; continue; }
	[ -f "$stock" ] || { bad "stock $stock missing (linux-image-$KABI-unsigned)"; continue; }
	vo=$(vermagic "$ours") vs=$(vermagic "$stock")
	[ -n "$vo" ] && [ "$vo" = "$vs" ] || bad "$m vermagic '$vo', stock '$vs'"

	# CRC of every import against the exporter's Module.symvers.
	n=0
	while read -r crc sym; do
		# Our kvm.ko's exports first: the headers list stock kvm.ko's too.
		want=$(awk -v s="$sym" '$2 == s { print $1; exit }' "$ours_symvers" "$KHDR/Module.symvers")
		[ -n "$want" ] || { bad "$m imports $sym, exported by nobody"; continue; }
		[ "$((crc))" -eq "$((want))" ] || bad "$m: $sym crc $crc, exporter has $want"
		n=$((n + 1))
	done < <("$modversions" "$ours")
	echo "  $m: vermagic '$vo'; $n imported symbol CRCs match"
done

# kvm.ko's kABI: stock's exports, each with its CRC, in ours too.
stock_exports=$(awk '$3 ~ /(^|\/)arch\/x86\/kvm\/kvm$/ { print $2, $1 }' "$KHDR/Module.symvers" | sort)
[ -n "$stock_exports" ] || bad "no kvm.ko exports in $KHDR/Module.symvers"
diffs=$(join -a1 <(echo "$stock_exports") \
	<(awk '$3 ~ /\/kvm$/ { print $2, $1 }' "$ours_symvers" | sort) |
	awk 'NF < 3 { print $1 " (missing)"; next } $2 != $3 { print $1 " (crc " $2 " -> " $3 ")" }')
if [ -z "$diffs" ]; then
	echo "  kvm.ko: all $(wc -l <<<"$stock_exports") stock exports present with stock CRCs"
else
	bad "our kvm.ko changes stock exports: $(echo $diffs)"
fi

# Every other stock module that needs kvm.ko: its imports from kvm.ko.
others=$(sed -n 's|^\([^:]*\.ko\):.* kernel/arch/x86/kvm/kvm\.ko\( .*\)\?$|\1|p' \
	"$KMODROOT/modules.dep" | grep -v '/kvm-\(intel\|amd\)\.ko$' || true)
[ -n "$others" ] || bad "modules.dep of $KABI lists no other module needing kvm.ko (expected kvmgt.ko)"
for o in $others; do
	n=0 wrong=0
	while read -r crc sym; do
		# Only what it takes from kvm.ko (vmlinux, i915... are not ours).
		grep -qx "$sym" <(echo "$stock_exports" | cut -d' ' -f1) || continue
		have=$(awk -v s="$sym" '$2 == s { print $1; exit }' "$ours_symvers")
		n=$((n + 1))
		[ -n "$have" ] || { bad "$(basename "$o") imports $sym from kvm.ko; ours does not export it"; wrong=$((wrong + 1)); continue; }
		[ "$((crc))" -eq "$((have))" ] || { bad "$(basename "$o"): $sym crc $crc, our kvm.ko has $have"; wrong=$((wrong + 1)); }
	done < <("$modversions" "$KMODROOT/$o")
	[ "$n" -gt 0 ] || bad "$(basename "$o") imports nothing from kvm.ko?"
	[ "$wrong" -eq 0 ] && echo "  $(basename "$o") (stock): its $n imports from kvm.ko match ours"
done
# Where a build's Module.symvers is gone (dkms), ko-symvers.sh reads the
# export CRCs off kvm.ko: here, where both are at hand, they must agree.
if [ -z "${EXITSCOPE_CHECK_SYMVERS:-}" ]; then
	if diff <("$top/tests/kernel/ko-symvers.sh" "$mods/kvm.ko" kvm | cut -f1,2 | sort -k2) \
		<(awk -F'\t' '$3 ~ /\/kvm$/ { print $1 "\t" $2 }' "$ours_symvers" | sort -k2) >/dev/null; then
		echo "  kvm.ko: ko-symvers.sh reads the CRCs of Module.symvers off it"
	else
		bad "ko-symvers.sh reads other export CRCs off kvm.ko than its Module.symvers has"
	fi
fi
# The hooks really are in the objects (an unapplied patch builds fine too).
for m in kvm-intel kvm-amd; do
	syms=$(nm "$mods/$m.ko")
	grep -q ' U kvm_exit_stats_map$' <<<"$syms" || bad "$m.ko has no exit hook (no use of kvm_exit_stats_map)"
	grep -q ' U __kvm_exit_stats_setup$' <<<"$syms" || bad "$m.ko does not shake hands (no __kvm_exit_stats_setup)"
done
exit $fail
