#!/usr/bin/env bash
# The BPF collector in the lab on one vendor, in one attach mode: Debian's
# kernel as L1 (its BTF), exitscope's modules, the short cpuid workload
# (flat L2 images: 100,000 CPUIDs), each L2 run recorded by the collector,
# whose every reason's count must equal the kvm_exit tracepoint's
# (exitscope report, then check-collector-run.sh once more).
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
"$top/lab/lab.sh" --cpu "$cpu" --l1 debian --collector --collector-attach "$attach" \
	--workload cpuid --out "$out" --timeout 900 >"$out.log" 2>&1
rc=$?
if [ $rc -eq 0 ]; then
	echo "ok - lab $cpu/debian, collector $attach: ran, all counts equal the tracepoint's ($((SECONDS - t0)) s)"
else
	echo "not ok - lab $cpu/debian, collector $attach: exit $rc (log: $out.log): $(tail -n 3 "$out.log" | tr '\n' ' ')"
	exit 0
fi
"$top/tests/lab/check-collector-run.sh" "$out" "$cpu" exitscope "$attach"
