#!/usr/bin/env bash
# Who may read exitscope's CPUID leaves, from a lab results directory: L1
# ran the flat cpuid-probe guest (CPL 0, then CPL 3) once per setting of
# exitscope-vmm --guest-stats, with the VMM's CPUID table defining one of
# the leaves, 0x4ffffffd (lab/l1-init.sh). Wanted, per setting:
#   default, off  stock KVM's answers: no signature at the discovery leaf
#   kernel        CPL 0 reads exitscope's figures, CPL 3 stock KVM's
#   user          both read exitscope's figures
# and 0x4ffffffd always the table's: a leaf the VMM defines is the VMM's.
# exitscope's figures: the discovery leaf the highest leaf, "ExitStat" and
# ABI version 1; the CPUID code of the vendor a count and EDX=0, the other
# vendor's code EDX=0xffffffff and zeroes; the total leaf a total. And the
# kvm_cpuid tracepoint fires for every probe either way.
# One "ok -"/"not ok -" line per setting. Usage: check-interface.sh DIR intel|amd
set -uo pipefail
dir=${1:?results directory}; cpu=${2:?intel or amd}
mine=$([ "$cpu" = intel ] && echo 0000000a || echo 00000072)

for g in default off kernel user; do
	log=$dir/interface-$g.log hist=$dir/interface-$g-hist.txt
	why=$(awk -v g="$g" -v mine="$mine" '
		$1 == "status" { status = $2 }
		$1 != "cpuid-probe:" { next }
		{
			n++
			got = $5 " " $6 " " $7 " " $8
			ours = (g == "user" || (g == "kernel" && $2 == "cpl0"))
			if ($3 == "4ffffffd") {
				if (got != "d0d0d0d0 d1d1d1d1 d2d2d2d2 d3d3d3d3")
					printf "%s 4ffffffd (in the table): wanted the table, got %s; ", $2, got
				next
			}
			if ($3 == "4ffffffc") {
				signed = ($6 " " $7 == "74697845 74617453")
				if (ours && ($5 != "4fffffff" || !signed || $8 !~ /^000[01]0001$/))
					printf "%s discovery leaf: wanted 4fffffff 74697845 74617453 and version 1, got %s; ", $2, got
				if (!ours && signed)
					printf "%s discovery leaf: exitscope'\''s signature where the interface is off; ", $2
				next
			}
			if (!ours)
				next		# stock KVM: zeros, or the highest basic leaf (Intel)
			if ($3 == "4fffffff" && $5 $8 == "0000000000000000")
				printf "%s total: wanted the VM'\''s exits, got %s; ", $2, got
			if ($3 != "4ffffffe")
				next
			if ($4 == mine && ($8 != "00000000" || $5 == "00000000"))
				printf "%s code %s: wanted a count and EDX 0, got %s; ", $2, $4, got
			if ($4 != mine && got != "00000000 00000000 00000000 ffffffff")
				printf "%s code %s (other vendor): wanted undefined, got %s; ", $2, $4, got
		}
		END {
			if (n != 10) printf "%d answers, wanted 10; ", n
			if (status != "0") printf "exitscope-vmm status %s; ", status
		}' "$log" 2>/dev/null)
	[ -f "$log" ] || why="no $log"
	# The kvm_cpuid hist: function keys in decimal.
	for leaf in 1342177276:2 1342177277:2 1342177278:4 1342177279:2; do
		hits=$(sed -n "s/^{ function: *${leaf%:*} } hitcount: *\([0-9]*\).*/\1/p" "$hist" 2>/dev/null)
		[ "${hits:-0}" -ge "${leaf#*:}" ] ||
			why="${why}kvm_cpuid fired ${hits:-0} times for leaf $(printf '%#x' "${leaf%:*}"), wanted ${leaf#*:}; "
	done
	if [ -z "$why" ]; then
		echo "ok - guest interface $cpu --guest-stats $g: CPL 0 and 3 as wanted, the table's leaf the table's, kvm_cpuid fired"
	else
		echo "not ok - guest interface $cpu --guest-stats $g: $why"
	fi
done
