#!/usr/bin/env bash
# A hung emulator in the selftests, for real: L1 goes quiet in the first
# selftest of its first attempt (EXITSCOPE_LAB_INJECT=silent); the host must
# see the stage overrun its limit, keep the evidence, boot L1 again and then
# compare as usual. One test with a 5 s limit keeps it to about a minute.
# One "ok -"/"not ok -" line per case.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
out=$top/build/lab-check-selftests-hang
rm -rf "$out"
mkdir -p "$top/build"
t0=$SECONDS
EXITSCOPE_LAB_INJECT=silent "$top/lab/selftests.sh" --cpu amd --tests x86_64/cpuid_test --limit 5 \
	--out "$out" >"$out.log" 2>&1
rc=$?
if [ $rc -eq 0 ] && grep -q "retrying once after the hang" "$out.log"; then
	echo "ok - selftests hang: detected, retried, then compared ($((SECONDS - t0)) s)"
else
	echo "not ok - selftests hang: status $rc, wanted a retry and success (log: $out.log):"
	tail -5 "$out.log" | sed 's/^/    /'
fi
grep -q "hung in stage 'selftest-stock-npt1-x86_64_cpuid_test': L1 silent for [0-9]* s, past the stage's limit of 35 s" "$out.log" &&
	echo "ok - selftests hang: the error names the stage, the silence and the limit" ||
	echo "not ok - selftests hang: no \"hung in stage 'selftest-stock-npt1-x86_64_cpuid_test': ...\" in $out.log"
grep -q "EXITSCOPE-STAGE selftest-stock-npt1" "$out/l1-hung.log" 2>/dev/null &&
	echo "ok - selftests hang: the hung attempt's console kept (l1-hung.log)" ||
	echo "not ok - selftests hang: no l1-hung.log with the selftest stage"
grep -q "^RIP=" "$out/l1-hung-cpu.txt" 2>/dev/null &&
	echo "ok - selftests hang: QEMU's view of L1's CPU saved (l1-hung-cpu.txt)" ||
	echo "not ok - selftests hang: no registers in l1-hung-cpu.txt"
n=$(awk -F'\t' 'NR > 1' "$out/selftests.tsv" 2>/dev/null | wc -l)
[ "$n" -eq 2 ] && echo "ok - selftests hang: the retry's 2 results compared (npt on and off)" ||
	echo "not ok - selftests hang: $n results in $out/selftests.tsv, wanted 2"
