#!/usr/bin/env bash
# The AMD lab for real: QEMU TCG boots L1 with exitscope's KVM, L2 runs with
# NPT and with shadow paging. Asserts on the real output: every count equal
# to the kvm_exit tracepoint's (exitscope report's exit status), the files
# exist, and the seed's pattern in SVM terms. One "ok -"/"not ok -" per case.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
out=$top/build/lab-check-amd
rm -rf "$out"
t0=$SECONDS
if "$top/lab/lab.sh" --cpu amd --out "$out" --timeout 600 >"$out.log" 2>&1; then
	echo "ok - lab amd: ran, all counts equal the tracepoint's ($((SECONDS - t0)) s)"
else
	echo "not ok - lab amd: failed (log: $out.log):"
	tail -15 "$out.log" | sed 's/^/    /'
fi
for f in results.json results.csv report.md chart.png l1.log l2-npt-1.log l2-shadow-1.log; do
	[ -s "$out/$f" ] && echo "ok - lab amd: $f written" || echo "not ok - lab amd: no $f"
done
grep -q '"cpu":"amd"' "$out/results.json" 2>/dev/null &&
	echo "ok - lab amd: results.json says cpu amd" || echo "not ok - lab amd: results.json lacks cpu amd"

# count PAGING CODE: run 1's count of one reason from results.csv.
count() { awk -F, -v p="$1" -v c="$2" '$1 == p && $2 == 1 && $3 == c { n = $5 } END { print n + 0 }' "$out/results.csv" 2>/dev/null; }
expect() {	# NAME CONDITION: a case from a shell arithmetic test
	if (( $2 )); then echo "ok - lab amd: $1"; else echo "not ok - lab amd: $1 (got: $3)"; fi
}
pf_n=$(count npt 0x4e) pf_s=$(count shadow 0x4e)
cr3_n=$(count npt 0x13) cr3_s=$(count shadow 0x13)
inv_n=$(count npt 0x79) inv_s=$(count shadow 0x79)
npf_n=$(count npt 0x400) npf_s=$(count shadow 0x400)
expect "#PF intercepts only with shadow paging" "pf_n == 0 && pf_s >= 1000" "npt $pf_n, shadow $pf_s"
expect "CR3 writes only with shadow paging" "cr3_n == 0 && cr3_s >= 1000" "npt $cr3_n, shadow $cr3_s"
expect "INVLPG only with shadow paging" "inv_n == 0 && inv_s > 0" "npt $inv_n, shadow $inv_s"
expect "NPF only with NPT" "npf_n > 0 && npf_s == 0" "npt $npf_n, shadow $npf_s"
