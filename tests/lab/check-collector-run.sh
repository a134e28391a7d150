#!/usr/bin/env bash
# A lab results directory whose runs the BPF collector recorded too (lab.sh
# --collector): every run's collector figures are in results.csv and equal
# the tracepoint's per reason (exitscope report failed the run otherwise:
# here the figures are looked at once more), and each run's Prometheus text
# passes promtool. Usage: check-collector-run.sh DIR intel|amd exitscope|stock
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib.sh"
dir=${1:?results directory}; cpu=${2:?cpu}; modules=${3:?exitscope or stock}
nested=$([ "$cpu" = intel ] && echo ept || echo npt)
for p in "$nested" shadow; do
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
