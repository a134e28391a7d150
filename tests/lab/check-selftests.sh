#!/usr/bin/env bash
# KVM's own selftests in L1 (AMD, QEMU TCG; L1 is Debian's kernel), quick
# set: every test must end the same on exitscope's modules as on Debian's
# stock ones, with nested paging and without; the tests that read what the
# change touches (binary stats, CPUID) must pass on ours. One "ok -"/"not
# ok -" line per case.
set -uo pipefail
name=selftests${KSERIES:+/linux-$KSERIES}
top=$(cd "$(dirname "$0")/../.." && pwd)
out=$top/build/lab-check-selftests${KSERIES:+-$KSERIES}
rm -rf "$out"
mkdir -p "$top/build"
t0=$SECONDS
"$top/lab/selftests.sh" --cpu amd --tests quick --out "$out" >"$out.log" 2>&1
rc=$?
if [ $rc -eq 0 ]; then
	echo "ok - $name: every test ends the same on exitscope's modules as on stock ($((SECONDS - t0)) s)"
else
	echo "not ok - $name: status $rc (log: $out.log):"
	grep -e differs -e error "$out.log" | head -n 8 | sed 's/^/    /'
fi
n=$(awk -F'\t' 'NR > 1' "$out/selftests.tsv" 2>/dev/null | wc -l)
[ "$n" -ge 100 ] && echo "ok - $name: $n results (tests x paging modes) in selftests.tsv" ||
	echo "not ok - $name: only $n results in $out/selftests.tsv"
for t in kvm_binary_stats_test x86_64/cpuid_test x86_64/hyperv_cpuid x86_64/kvm_pv_test; do
	got=$(awk -F'\t' -v t="$t" '$1 == t { printf "%s%s", s, $4; s = "," }' "$out/selftests.tsv" 2>/dev/null)
	[ "$got" = "pass,pass" ] && echo "ok - $name: $t passes on exitscope's modules, npt on and off" ||
		echo "not ok - $name: $t on exitscope's modules: wanted pass,pass, got '$got'"
done
# Debian's modules that need kvm.ko (kvmgt.ko) loaded beside ours: the
# kernel's module loader checked every CRC they import.
for f in "$out"/dependents-stock.txt "$out"/dependents-exitscope.txt; do
	if [ -s "$f" ] && ! grep -qv ' loaded$' "$f"; then
		echo "ok - $name: beside $(basename "$f" .txt | sed 's/dependents-//')'s kvm.ko, $(cut -d' ' -f1 "$f" | tr '\n' ' ')loaded"
	else
		echo "not ok - $name: $(basename "$f"): $(cat "$f" 2>/dev/null || echo missing)"
	fi
done
# The series' own selftests (6.12: exit_stats_test): skipped on stock, which
# lacks the capability, passed on ours, npt on and off.
if [ "${KSERIES:-}" = 6.12 ] && ! grep -qx x86_64/exit_stats_test "$out/series-tests.txt" 2>/dev/null; then
	echo "not ok - $name: the 6.12 series' x86_64/exit_stats_test did not run"
fi
for t in $(cat "$out/series-tests.txt" 2>/dev/null); do
	a=$(awk -F'\t' -v t="$t" '$1 == t { printf "%s%s", s, $3; s = "," }' "$out/selftests.tsv")
	b=$(awk -F'\t' -v t="$t" '$1 == t { printf "%s%s", s, $4; s = "," }' "$out/selftests.tsv")
	[ "$a" = "skip,skip" ] && [ "$b" = "pass,pass" ] &&
		echo "ok - $name: the series' own $t skips on stock and passes on ours, npt on and off" ||
		echo "not ok - $name: the series' own $t: stock '$a' (wanted skip,skip), ours '$b' (wanted pass,pass)"
done
# The comparison can fail: one of ours flipped from pass to fail.
cp -r "$out" "$out-flipped"
sed -i 's|^x86_64/cpuid_test\t0\t|x86_64/cpuid_test\t1\t|' "$out-flipped/selftests-exitscope-npt1.tsv"
"$top/lab/selftests.sh" --compare "$out-flipped" >"$out-flipped.log" 2>&1 && rc=0 || rc=$?
[ "$rc" -eq 1 ] && grep -q 'x86_64/cpuid_test .*<-- differs' "$out-flipped.log" &&
	echo "ok - $name: a test that ends differently on ours fails the comparison" ||
	echo "not ok - $name: a flipped result was not caught (status $rc, log: $out-flipped.log)"
rm -rf "$out-flipped"
# A first difference that the reruns do not repeat (both sets pass most
# often) is reported as unsteady, not as a difference; one they repeat
# (ours fails most often) still fails the comparison.
rerun_case() {	# NAME OURS-RERUN-STATUSES WANTED-STATUS WANTED-PATTERN WHAT
	local d=$out-$1 rc r
	cp -r "$out" "$d"
	sed -i 's|^x86_64/cpuid_test\t0\t|x86_64/cpuid_test\t1\t|' "$d/selftests-exitscope-npt1.tsv"
	# Appended: the run's own reruns of other tests stay as L1 wrote them.
	for r in 0 0 0; do printf 'x86_64/cpuid_test\t%s\t0.1\n' $r >>"$d/rerun-stock-npt1.tsv"; done
	for r in $2; do printf 'x86_64/cpuid_test\t%s\t0.1\n' $r >>"$d/rerun-exitscope-npt1.tsv"; done
	"$top/lab/selftests.sh" --compare "$d" >"$d.log" 2>&1 && rc=0 || rc=$?
	if [ "$rc" -eq "$3" ] && grep -q "x86_64/cpuid_test .*$4" "$d.log"; then
		echo "ok - $name: $5"
	else
		echo "not ok - $name: reruns $2 on ours: status $rc, wanted $3 and '$4' (log: $d.log)"
	fi
	rm -rf "$d"
}
rerun_case unsteady "0 1 0" 0 "(unsteady: reruns stock pass,pass,pass, ours pass,fail(1),pass)" \
	"a first difference that ours' reruns do not repeat (2 of 3 pass) is unsteady, not a failure"
rerun_case repeated "1 0 1" 1 "<-- differs (reruns stock pass,pass,pass, ours fail(1),pass,fail(1))" \
	"a first difference that ours' reruns repeat (2 of 3 fail) fails the comparison"
