#!/usr/bin/env bash
# A lab results directory whose runs the BPF collector recorded too (lab.sh
# --collector): every run's collector figures are in results.csv and equal
# the tracepoint's per reason (exitscope report failed the run otherwise:
# here the figures are looked at once more), and each run's Prometheus text
# passes promtool. Each ran in the attach mode ATTACH (tp_btf or tp: the
# record and the collector's own line on stderr say so) and lost nothing.
# Usage: check-collector-run.sh DIR intel|amd exitscope|stock tp_btf|tp
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib.sh"
dir=${1:?results directory}; cpu=${2:?cpu}; modules=${3:?exitscope or stock}
attach=${4:?tp_btf or tp}
nested=$([ "$cpu" = intel ] && echo ept || echo npt)
for p in "$nested" shadow; do
	rec=$dir/collector-$p-1.json
	grep -q "\"source\":\"bpf\",\"attach\":\"$attach\"" "$rec" 2>/dev/null &&
		grep -q "source bpf: the BPF collector on kvm.*, $attach (" "$dir/collector-$p-1.err" 2>/dev/null
	result $? "lab $cpu/$modules collector: $p: attached in $attach mode (its record and its stderr say so)" \
		"lab $cpu/$modules collector: $p: not in $attach mode: $(grep -o '"attach":"[a-z_]*"' "$rec" 2>/dev/null) $(grep -m1 'source bpf' "$dir/collector-$p-1.err" 2>/dev/null)"
	# Nothing lost: no exit uncounted or unread, none untimed for want of room.
	bad=$(jq -r '.health | [.stats_full, .pending_failed, .reason_unread] | map(tostring) | join(" ")' "$rec" 2>&1)
	[ "$bad" = "0 0 0" ] && jq -e '.verdict.ok' "$rec" >/dev/null 2>&1
	result $? "lab $cpu/$modules collector: $p: its health shows no exit lost, its verdict is ok ($(jq -c .health "$rec" 2>/dev/null))" \
		"lab $cpu/$modules collector: $p: stats_full, pending_failed, reason_unread: $bad; verdict: $(jq -c .verdict "$rec" 2>/dev/null)"
	bad=$(awk -F, -v p="$p" 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
		$1 == p && $2 == 1 { n++; c = $col["collector_count"]; t = $col["tracepoint_count"]
			if (c == "" || c != t) printf "%s %s: collector %s, tracepoint %s; ", $3, $4, c, t }
		END { if (!n) print "no rows" }' "$dir/results.csv" 2>&1)
	[ -z "$bad" ]
	result $? "lab $cpu/$modules collector: $p: every reason's count equals the tracepoint's" \
		"lab $cpu/$modules collector: $p: $bad"
	# The drill-down (tp_btf records it): there, with keys, none lost, and
	# exitscope report reads it back (the keys and none add up per reason).
	if [ "$attach" = tp_btf ]; then
		keys=$(jq '[.vms[].reasons[].detail[]?.keys[]] | length' "$rec" 2>/dev/null)
		# On AMD every run has keys (L2's port I/O); on Intel only MSRs and
		# hypercalls are keyed yet, which the lab's L2 may not do (the
		# witnesses below say whether it did).
		jq -e '.detail == true and .health.detail_full == 0' "$rec" >/dev/null 2>&1 &&
			{ [ "$cpu" = intel ] || [ "${keys:-0}" -gt 0 ]; } &&
			"$top/build/bin/exitscope" report --no-chart --out "$dir/detail-$p" "$rec" >"$dir/detail-$p.txt" 2>&1 &&
			grep -q '^Below the reasons' "$dir/detail-$p.txt"
		result $? "lab $cpu/$modules collector: $p: the drill-down recorded ($keys keys, none lost) and read back" \
			"lab $cpu/$modules collector: $p: the drill-down: keys ${keys:-?}, health $(jq -c .health "$rec" 2>/dev/null); $(tail -n 2 "$dir/detail-$p.txt" 2>/dev/null)"
		kernel=$(sed -n 's/^l1_kernel=//p' "$dir/metadata.txt" 2>/dev/null)
		python3 "$top/tests/lab/check-detail-witness.py" "$dir" "$p-1" "$cpu" "$kernel" >"$dir/witness-$p.txt" 2>&1
		result $? "lab $cpu/$modules collector: $p: each key's exits equal its tracepoint's ($(grep -c '^ok' "$dir/witness-$p.txt") kinds: $(grep '^ok' "$dir/witness-$p.txt" | cut -d' ' -f2- | tr '\n' ';'))" \
			"lab $cpu/$modules collector: $p: the drill-down against kvm_pio, kvm_msr, kvm_hypercall, kvm_cr, kvm_page_fault, the irq vectors: $(grep -v '^ok' "$dir/witness-$p.txt" | head -n 3)"
	fi
	promtool check metrics <"$dir/collector-$p-1.prom" >"$dir/promtool-$p.txt" 2>&1
	result $? "lab $cpu/$modules collector: $p: its Prometheus text passes promtool check metrics" \
		"lab $cpu/$modules collector: $p: promtool: $(head -n 3 "$dir/promtool-$p.txt")"
done
