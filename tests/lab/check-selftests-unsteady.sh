#!/usr/bin/env bash
# The reruns of a test that ended differently, for real: the first pass on
# ours with nested paging reads x86_64/cpuid_test as failed
# (EXITSCOPE_LAB_INJECT=unsteady); L1 must run it again on both module sets
# in turn, send the reruns, and the host must report it unsteady, not as a
# difference, since both sets pass in the reruns. One test with a 5 s limit
# keeps it to about a minute. One "ok -"/"not ok -" line per case.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
out=$top/build/lab-check-selftests-unsteady
rm -rf "$out"
mkdir -p "$top/build"
t0=$SECONDS
EXITSCOPE_LAB_INJECT=unsteady "$top/lab/selftests.sh" --cpu amd --tests x86_64/cpuid_test --limit 5 \
	--reruns 3 --out "$out" >"$out.log" 2>&1
rc=$?
if [ $rc -eq 0 ] && grep -q "1 result(s) differed once and ended the same" "$out.log"; then
	echo "ok - selftests reruns: a difference the reruns do not repeat is reported unsteady ($((SECONDS - t0)) s)"
else
	echo "not ok - selftests reruns: status $rc, wanted 0 and one unsteady result (log: $out.log):"
	tail -5 "$out.log" | sed 's/^/    /'
fi
for set in stock exitscope; do
	got=$(cut -f1,2 "$out/rerun-$set-npt1.tsv" 2>/dev/null | tr '\t\n' ':,')
	[ "$got" = "x86_64/cpuid_test:0,x86_64/cpuid_test:0,x86_64/cpuid_test:0," ] &&
		echo "ok - selftests reruns: L1 ran the test 3 more times on $set's modules (npt=1), each passed" ||
		echo "not ok - selftests reruns: rerun-$set-npt1.tsv: '$got', wanted 3 passes"
	[ ! -e "$out/rerun-$set-npt0.tsv" ] &&
		echo "ok - selftests reruns: nothing rerun on $set's modules where both sets agreed (npt=0)" ||
		echo "not ok - selftests reruns: rerun-$set-npt0.tsv exists, though npt=0 agreed"
done
grep -q $'^x86_64/cpuid_test\tnpt=1\tpass\tfail(1)\t[0-9.]*\t[0-9.]*\tpass,pass,pass\tpass,pass,pass$' "$out/selftests.tsv" 2>/dev/null &&
	echo "ok - selftests reruns: selftests.tsv keeps the first outcomes and both sets' reruns" ||
	echo "not ok - selftests reruns: no row 'x86_64/cpuid_test npt=1 pass fail(1) ... pass,pass,pass pass,pass,pass' in $out/selftests.tsv"
