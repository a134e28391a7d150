#!/usr/bin/env bash
# Run every libFuzzer target of build/fuzz/ for SECONDS each, from the seed
# corpora of fuzz/corpus/ (real lab output and hand-made edge cases); what
# they find grows build/fuzz/corpus/. One "ok -" / "not ok -" line per
# target with the executions run; a crash, leak or sanitizer report leaves
# its input in build/fuzz/artifacts/ and fails. Usage: fuzz/run.sh [SECONDS]
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
secs=${1:-30}
out=$top/build/fuzz
[[ $secs =~ ^[1-9][0-9]*$ ]] || { echo "usage: fuzz/run.sh [SECONDS]" >&2; exit 2; }
mkdir -p "$out/artifacts"
: >"$out/executions.tsv"
n=0
for f in "$out"/fuzz_*; do
	[ -x "$f" ] || continue
	t=${f##*/fuzz_}
	n=$((n + 1))
	case $t in
	frame|results_json|record_json) max=65536 ;;
	stats|query) max=16384 ;;
	*) max=4096 ;;
	esac
	mkdir -p "$out/corpus/$t"
	# The first directory is the one libFuzzer adds to: never the seeds.
	"$f" -max_total_time="$secs" -timeout=10 -rss_limit_mb=1024 -max_len=$max \
		-print_final_stats=1 -artifact_prefix="$out/artifacts/$t-" \
		"$out/corpus/$t" "$top/fuzz/corpus/$t" >"$out/$t.log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/$t.log" | tail -n 1)
	printf '%s\t%s\t%s\n' "$t" "${runs:-0}" "$secs" >>"$out/executions.tsv"
	if [ $rc -eq 0 ] && [ -n "$runs" ]; then
		echo "ok - fuzz $t: ${runs} executions in ${secs} s, no finding"
	else
		echo "not ok - fuzz $t: exit status $rc after ${runs:-?} executions (log: $out/$t.log):"
		grep -m 3 -E 'ERROR|SUMMARY|assertion|Test unit written' "$out/$t.log" | sed 's/^/    /'
	fi
done
[ $n -gt 0 ] || echo "not ok - fuzz: no targets in $out (make fuzz-build)"
