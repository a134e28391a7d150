#!/usr/bin/env bash
# make bench-model: the cycle model of docs/benchmarks.md ("A cycle model
# next to the emulated figures"), about 5 minutes: one AMD sitting of the
# configurations that attach BPF programs, each with a boot of its own for
# its JIT images and QEMU's trace of them (lab/bench.sh --jit), then the
# modules' hooks (scripts/hook-cost.sh --json) and both priced for
# Skylake-SP (scripts/cycle-model.py). Results in results/bench/model/:
# the sitting, hook-cost.json, cycle-model.json and cycle-model.txt.
# Usage: bench-model.sh [OUT]
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/lib.sh"
out=${1:-$top/results/bench/model}
"$top/lab/bench.sh" --cpu amd \
	--only stock,bpf-floor,exitscope-bpf-counts,exitscope-bpf,exitscope-bpf-counts-tp,bpftrace-count \
	--vcpus 1 --cases cpuid,budget=200000 --jit --out "$out"
"$top/scripts/hook-cost.sh" --json >"$out/hook-cost.json.tmp" 2>/dev/null
mv "$out/hook-cost.json.tmp" "$out/hook-cost.json"
"$top/scripts/cycle-model.py" --json "$out/hook-cost.json" "$out" >"$out/cycle-model.json.tmp"
mv "$out/cycle-model.json.tmp" "$out/cycle-model.json"
"$top/scripts/cycle-model.py" "$out/hook-cost.json" "$out" | tee "$out/cycle-model.txt"
