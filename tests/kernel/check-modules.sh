#!/usr/bin/env bash
# The modules from `make modules` must load on Debian's stock kernel of the
# same version: same vermagic as the stock modules, and every kernel symbol
# they import carries the CRC the kernel exports (the headers' Module.symvers,
# which Debian's own kvm modules were also checked against).
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
eval "$("$top/scripts/kernel-source.sh")"
modversions=$top/build/test/modversions
mods=$top/build/modules
tree=$top/build/kvm-$KVER/arch/x86/kvm
fail=0
bad() { echo "  FAIL: $*"; fail=1; }

for m in kvm kvm-intel kvm-amd; do
	ours=$mods/$m.ko stock=$KSTOCK/$m.ko
	[ -f "$ours" ] || { bad "$ours missing (run make modules)"; continue; }
	[ -f "$stock" ] || { bad "stock $stock missing (linux-image-$KABI-unsigned)"; continue; }
	vo=$(objcopy -O binary --only-section=.modinfo "$ours" /dev/stdout | tr '\0' '\n' | sed -n 's/^vermagic=//p')
	vs=$(objcopy -O binary --only-section=.modinfo "$stock" /dev/stdout | tr '\0' '\n' | sed -n 's/^vermagic=//p')
	[ -n "$vo" ] && [ "$vo" = "$vs" ] || bad "$m vermagic '$vo', stock '$vs'"

	# CRC of every import against the exporter's Module.symvers.
	n=0
	while read -r crc sym; do
		# Our kvm.ko's exports first: the headers list stock kvm.ko's too.
		want=$(awk -v s="$sym" '$2 == s { print $1; exit }' "$tree/Module.symvers" "$KHDR/Module.symvers")
		[ -n "$want" ] || { bad "$m imports $sym, exported by nobody"; continue; }
		[ "$((crc))" -eq "$((want))" ] || bad "$m: $sym crc $crc, exporter has $want"
		n=$((n + 1))
	done < <("$modversions" "$ours")
	# And the kernel symbols it shares with Debian's own module agree. (Those
	# of kvm.ko differ by design: the patch changes struct kvm_vcpu_arch,
	# and our modules are loaded as a set.)
	shared=$(join -j2 <("$modversions" "$ours" | sort -k2) <("$modversions" "$stock" | sort -k2) |
		awk 'NR == FNR { if ($3 == "vmlinux") k[$2] = 1; next }
		     ($1 in k) && $2 != $3 { print $1 }' "$KHDR/Module.symvers" -)
	[ -z "$shared" ] || bad "$m: CRCs differ from stock for: $shared"
	echo "  $m: vermagic '$vo'; $n imported symbol CRCs match"
done
# The hooks really are in the objects (an unapplied patch builds fine too).
for m in kvm-intel kvm-amd; do
	syms=$(nm "$mods/$m.ko")
	grep -q ' U __kvm_exit_stats_count$' <<<"$syms" || bad "$m.ko has no exit hook"
done
exit $fail
