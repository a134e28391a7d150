#!/usr/bin/env bash
# One short configuration of the benchmark (make bench), so that it cannot
# rot: AMD, stock KVM and exitscope's counts mode, 1 vCPU, the cpuid case
# with a small budget. Not a measurement: the checks are that it runs, that
# bench.json has the schema's fields with figures, and that the figures
# are sane (each a round trip of thousands of emulated instructions).
# One "ok -"/"not ok -" line per case.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib.sh"
out=$top/build/lab-check-bench
rm -rf "$out"
mkdir -p "$top/build"
t0=$SECONDS
"$top/lab/bench.sh" --cpu amd --only stock,exitscope-counts --vcpus 1 \
	--cases cpuid,query_total,budget=2000000,reps=3 --out "$out" >"$out.log" 2>&1
result $? "bench: stock and exitscope-counts, 1 vCPU, ran ($((SECONDS - t0)) s)" \
	"bench: failed (log: $out.log): $(tail -n 3 "$out.log" | tr '\n' ' ')"
# get CONFIG CASE FIELD: one figure of bench.json.
get() { jq -r --arg c "$1" --arg b "$2" --arg k "$3" \
	'.configs[] | select(.name == $c) | .benchmarks[] | select(.name == $b) | .[$k] // empty' \
	"$out/bench.json" 2>/dev/null; }
s=$(get stock cpuid per_op) c=$(get exitscope-counts cpuid per_op) a=$(get exitscope-counts cpuid added_per_exit)
[[ $s =~ ^[0-9]+$ && $c =~ ^[0-9]+$ && $a =~ ^-?[0-9]+$ ]] && [ "$s" -gt 500 ] && [ "$c" -gt 500 ] &&
	[ $((c - s)) -eq "$a" ]
result $? "bench: bench.json: cpuid $s ticks on stock, $c on counts, $a added per exit" \
	"bench: bench.json: cpuid stock '$s', counts '$c', added per exit '$a'"
[ -n "$(get stock query_total skipped)" ] && [ -n "$(get exitscope-counts query_total per_op)" ]
result $? "bench: query_total skipped on stock KVM (no interface), measured on exitscope's" \
	"bench: query_total: stock '$(get stock query_total skipped)', counts '$(get exitscope-counts query_total per_op)'"
