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
	promtool check metrics <"$dir/collector-$p-1.prom" >"$dir/promtool-$p.txt" 2>&1
	result $? "lab $cpu/$modules collector: $p: its Prometheus text passes promtool check metrics" \
		"lab $cpu/$modules collector: $p: promtool: $(head -n 3 "$dir/promtool-$p.txt")"
done
