#!/usr/bin/env bash
# The BPF collector in the lab on one vendor, in one attach mode: Debian's
# kernel as L1 (its BTF), exitscope's modules, the short detail workload
# (a flat L2 image: exits of known drill-down keys, each with a count of
# its own), each L2 run recorded by the collector, whose every reason's
# count must equal the kvm_exit tracepoint's (exitscope report, then
# check-collector-run.sh once more), and in tp_btf each key its known count.
# On Intel this is the one place the collector meets Bochs' VMX.
# Usage: check-lab-collector.sh intel|amd tp_btf|tp
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cpu=${1:?usage: check-lab-collector.sh intel|amd tp_btf|tp}
attach=${2:?usage: check-lab-collector.sh intel|amd tp_btf|tp}
out=$top/build/lab-check-collector-$cpu-$attach
rm -rf "$out"
mkdir -p "$top/build"
t0=$SECONDS
# On Intel in tp_btf the same L1 then runs explain's Intel workloads
# (check-lab-explain.sh --from, below): Bochs is slow, one boot serves both.
extra=()
[ "$cpu:$attach" = intel:tp_btf ] && extra=(--l1-extra "$top/tests/lab/l1/explain-workloads.sh")
"$top/lab/lab.sh" --cpu "$cpu" --l1 debian --collector --collector-attach "$attach" \
	--workload detail "${extra[@]}" --out "$out" --timeout 900 >"$out.log" 2>&1
rc=$?
if [ $rc -eq 0 ]; then
	echo "ok - lab $cpu/debian, collector $attach: ran, all counts equal the tracepoint's ($((SECONDS - t0)) s)"
else
	echo "not ok - lab $cpu/debian, collector $attach: exit $rc (log: $out.log): $(tail -n 3 "$out.log" | tr '\n' ' ')"
	exit 0
fi
"$top/tests/lab/check-collector-run.sh" "$out" "$cpu" exitscope "$attach"
[ ${#extra[@]} -eq 0 ] || "$top/tests/lab/check-lab-explain.sh" "$cpu" --from "$out"
# The keys guest/flat/detail-loop.S makes, with the counts it gives them.
[ "$attach" = tp_btf ] || exit 0
. "$top/tests/lib.sh"
for p in $([ "$cpu" = intel ] && echo ept || echo npt) shadow; do
	rec=$out/collector-$p-1.json
	got=$(jq -r '[.vms[].reasons[].detail[]? | .kind as $k | .keys[] |
		select(($k == "io" and .key == "0x80" and .dir == "out") or
		       ($k == "msr" and .key == "0x1b" and .dir == "read") or
		       ($k == "hypercall" and .key == "2047")) | "\($k)=\(.count)"] | sort | join(" ")' "$rec" 2>&1)
	# Both vendors: VMX's port is read at the next kvm_entry.
	want="hypercall=3000 io=1000 msr=2000"
	[ "$got" = "$want" ]
	result $? "lab $cpu/debian collector: $p: each of detail-loop's keys has its count ($want)" \
		"lab $cpu/debian collector: $p: detail-loop's keys: '$got', wanted '$want'"
done
