#!/usr/bin/env bash
# make bench without ARGS: the whole benchmark in about half an hour warm,
# in four sittings of lab/bench.sh (docs/benchmarks.md, "How long it takes"):
#   method   the configurations the goals are judged on, both vendors,
#            1 vCPU, 3 L1 boots: paired differences over 3 rounds
#            (results/bench/amd, results/bench/intel)
#   peers    every other tracing peer and the floor's variants, AMD (the
#            peers' root file system), 1 vCPU, 1 boot (results/bench/peers)
#   scale    exitscope's counting modes with 4 vCPUs against stock, AMD,
#            1 boot, half the budget (results/bench/scale)
#   query    a guest query against the VM's vCPU count (results/bench/query)
# (the cycle model is make bench-model's: scripts/bench-model.sh),
# then the lab's stages (scripts/bench-lab.sh). Exits non-zero when a
# sitting fails (a peer that cannot run is no failure: bench-report).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/lib.sh"
bench=$top/lab/bench.sh out=$top/results/bench
method=stock,stock-rebuilt,exitscope-off,exitscope-counts,exitscope-cycles,bpf-floor,exitscope-bpf-counts,exitscope-bpf,tracepoint-hist
peers=exitscope-bpf-counts-detail,exitscope-bpf-detail,bpf-floor-noread,bpf-floor-pid,bpf-floor-hash16,bpf-floor-hash8,bpf-floor-storage,bpf-floor-ktime,exitscope-bpf-counts-tp,exitscope-bpf-tp,perf-record,perf-live,bpftrace-count,bpftrace-hist,bcc-kvmexit,kvm-stat,kvm-stat-debugfs
t0=$SECONDS
part() { log "bench: $1 ($((SECONDS - t0)) s so far)"; }
part "method: AMD and Intel, 3 boots"
"$bench" --cpu both --only "$method" --vcpus 1 --boots 3 --out "$out"
part "peers: AMD, 1 boot"
"$bench" --cpu amd --only "stock,$peers" --vcpus 1 --out "$out/peers"
part "scale: AMD, 4 vCPUs"
# 4 vCPUs only, half the method's budget, the two counting modes: 75 s a
# configuration (2 vCPUs and exitscope-off made this part 7 min, and make
# bench 33); emulated figures repeat within a few ticks at either budget.
"$bench" --cpu amd --only stock,exitscope-counts,exitscope-cycles --vcpus 4 \
	--cases budget=1000000 --out "$out/scale"
part "query against the vCPU count: AMD"
"$bench" --cpu amd --only exitscope-counts --cases cpuid,query_total,query_code,solo \
	--out "$out/query"
part "the lab's stages"
"$top/scripts/bench-lab.sh"
log "bench: done in $((SECONDS - t0)) s"
