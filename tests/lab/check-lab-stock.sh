#!/usr/bin/env bash
# The lab on stock KVM (issue 12, part 7): Debian's own kernel and its own
# unpatched modules in L1, the BPF collector recording each L2 run. No
# exitscope in the kernel at all: the collector's counts must equal the
# tracepoint's (and those KVM's own exits statistic; exitscope report
# checks both), its Prometheus text pass promtool.
# One "ok -"/"not ok -" line per case. Usage: check-lab-stock.sh [amd|intel]
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib.sh"
cpu=${1:-amd}
out=$top/build/lab-check-$cpu-stock
rm -rf "$out"
mkdir -p "$top/build"
t0=$SECONDS
"$top/lab/lab.sh" --cpu "$cpu" --l1 debian --modules stock --collector --out "$out" >"$out.log" 2>&1
result $? "lab $cpu/stock: Debian's modules, the collector recording: every check passed ($((SECONDS - t0)) s)" \
	"lab $cpu/stock: failed (log: $out.log): $(tail -n 3 "$out.log" | tr '\n' ' ')"
grep -q '"modules":"stock"' "$out/results.json" 2>/dev/null && [ ! -e "$out/stats-npt-1.txt" ]
result $? "lab $cpu/stock: results.json says stock modules, no exitscope figures" \
	"lab $cpu/stock: not a stock run (results.json, stats files)"
# Debian's own modules carry BTF: the collector must choose tp_btf.
"$top/tests/lab/check-collector-run.sh" "$out" "$cpu" stock tp_btf
