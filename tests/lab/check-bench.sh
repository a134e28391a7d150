#!/usr/bin/env bash
# One short sitting of the benchmark (make bench), so that it cannot rot:
# AMD, stock KVM, exitscope's counts mode, the collector counting and the
# floor peer (bpf-floor), 1 vCPU, the cpuid case with a small budget, in 4
# interleaved rounds over 2 L1 boots, and the floor's JIT image with QEMU's
# trace of it (--jit-only, a boot more) for the cycle model. Not a
# measurement: the checks are that it runs, that bench.json has the
# schema's fields with figures, that the figures are sane (each a round
# trip of thousands of emulated instructions), and that a peer that could
# not run is a line of the table, not a failed benchmark.
# One "ok -"/"not ok -" line per case.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib.sh"
out=$top/build/lab-check-bench
rm -rf "$out"
mkdir -p "$top/build"
t0=$SECONDS
"$top/lab/bench.sh" --cpu amd --only stock,exitscope-counts,exitscope-bpf-counts,bpf-floor --vcpus 1 \
	--rounds 2 --boots 2 --cases cpuid,query_total,budget=2000000,reps=3 --jit-only bpf-floor --out "$out" >"$out.log" 2>&1
result $? "bench: stock, exitscope-counts, exitscope-bpf-counts and bpf-floor, 1 vCPU, 2 rounds in each of 2 boots, ran ($((SECONDS - t0)) s)" \
	"bench: failed (log: $out.log): $(tail -n 3 "$out.log" | tr '\n' ' ')"
# get CONFIG CASE FIELD: one figure of bench.json.
get() { jq -r --arg c "$1" --arg b "$2" --arg k "$3" \
	'.configs[] | select(.name == $c) | .benchmarks[] | select(.name == $b) | .[$k] // empty' \
	"$out/bench.json" 2>/dev/null; }
s=$(get stock cpuid per_op) c=$(get exitscope-counts cpuid per_op) a=$(get exitscope-counts cpuid added_per_exit)
[[ $s =~ ^[0-9]+$ && $c =~ ^[0-9]+$ && $a =~ ^-?[0-9]+$ ]] && [ "$s" -gt 500 ] && [ "$c" -gt 500 ]
result $? "bench: bench.json: cpuid $s ticks on stock, $c on counts, $a added per exit" \
	"bench: bench.json: cpuid stock '$s', counts '$c', added per exit '$a'"
# Added is the median of the rounds' paired differences, from the logs
# themselves: each round's counts minus stock's of the same round, the
# rounds of both boots (the 4 of an even count: the mean of the middle two,
# rounded down).
fig() { sed -n "s/^vmexit-bench: cpuid per_op=\([0-9]*\) .*/\1/p" "$out/bench-$1-1-r$2.log" 2>/dev/null; }
diffs=$(for r in 1 2 3 4; do echo $(($(fig exitscope-counts $r) - $(fig stock $r))); done | sort -n | tr '\n' ' ')
read -r d1 d2 d3 d4 <<<"$diffs"
[ "$a" = $((d2 + (d3 - d2) / 2)) ] && [ "$(get exitscope-counts cpuid added_min)" = "$d1" ] &&
	[ "$(get exitscope-counts cpuid added_max)" = "$d4" ] &&
	jq -e '.rounds == 4 and all(.configs[]; .rounds == 4)' "$out/bench.json" >/dev/null &&
	[ -s "$out/boot-1/bench-stock-1-r1.log" ] && [ -s "$out/boot-2/bench-stock-1-r4.log" ]
result $? "bench: added per exit $a is the median of the 4 rounds' paired differences ($diffs), over 2 boots" \
	"bench: added '$a', min '$(get exitscope-counts cpuid added_min)', max '$(get exitscope-counts cpuid added_max)', the rounds' differences $diffs"
# The peers' own CPU while the VMs ran: measured in every round, and in
# bench.json (both sleep until stopped: near 0 here; a polling peer's is
# not, docs/benchmarks.md).
cpu=$(jq '.configs[] | select(.name == "exitscope-bpf-counts") | .peer_cpu_ns' "$out/bench.json" 2>/dev/null)
[[ $cpu =~ ^[0-9]+$ ]] &&
	(for r in 1 2 3 4; do grep -q '^cpu_ns=[0-9]*$' "$out/peer-bpf-floor-r$r.cpu" || exit 1; done)
result $? "bench: the collector's own CPU while the VMs ran: $cpu ns, and the floor's in each round" \
	"bench: the collector's own CPU '$cpu', bpf-floor's file: $(cat "$out/peer-bpf-floor-r3.cpu" 2>&1)"
[ -n "$(get stock query_total skipped)" ] && [ -n "$(get exitscope-counts query_total per_op)" ]
result $? "bench: query_total skipped on stock KVM (no interface), measured on exitscope's" \
	"bench: query_total: stock '$(get stock query_total skipped)', counts '$(get exitscope-counts query_total per_op)'"

# The tracing configurations saw the benchmark's exits: the floor's total
# and the collector's are KVM's own count of the VM's exits (kvmstat), on
# SVM where every exit passes the tracepoint. Two witnesses, one each.
kvm_exits() { sed -n 's/^exits \([0-9]*\)$/\1/p' "$out/kvmstat-$1-1-r2.txt" 2>/dev/null; }
floor=$(sed -n 's/^total \([0-9]*\)$/\1/p' "$out/peer-bpf-floor-r2.log" 2>/dev/null)
k=$(kvm_exits bpf-floor)
[ -n "$floor" ] && [ -n "$k" ] && [ "$floor" -ge "$k" ] && [ "$k" -gt 0 ]
result $? "bench: bpf-floor counted $floor exits, KVM's exits of the VM $k (the floor counts every VM: at least as many)" \
	"bench: bpf-floor counted '$floor', KVM's exits '$k' ($(tail -n 2 "$out/peer-bpf-floor-r2.log" 2>/dev/null | tr '\n' ' '))"
col=$(jq '[.vms[].total.count] | add' "$out/peer-exitscope-bpf-counts-r2.json" 2>/dev/null)
k=$(kvm_exits exitscope-bpf-counts)
[ -n "$col" ] && [ "$col" = "$k" ] && grep -q '"attach":"tp_btf"' "$out/peer-exitscope-bpf-counts-r2.json"
result $? "bench: exitscope-bpf-counts (tp_btf) counted $col exits, KVM's exits of the VM $k" \
	"bench: exitscope-bpf-counts counted '$col', KVM's exits '$k', attach $(grep -o '"attach":"[a-z_]*"' "$out/peer-exitscope-bpf-counts-r2.json" 2>/dev/null)"

# The floor's JIT image (--jit-only bpf-floor, a boot of its own): as long
# as bpftool says the program's JIT code is; QEMU's trace of it ran the
# program exactly as often as KVM counted exits of the VM (two witnesses);
# the cycle model prices what ran: the floor's one program, which reads the
# reason through bpf_probe_read_kernel twice (SVM: the VMCB behind a
# pointer), named through L1's kallsyms.
f=$(ls "$out"/jit/bpf-floor/jit-bpf-floor-[0-9]*.bin 2>/dev/null | head -n 1)
id=${f##*-}; id=${id%.bin}
want=$(jq --argjson id "${id:-0}" '.[] | select(.id == $id) | .bytes_jited' "$out/jit/bpf-floor/jit-progs-bpf-floor.json" 2>/dev/null)
[ -n "$f" ] && [ -n "$want" ] && [ "$want" = "$(stat -c %s "$f")" ] && [ ! -d "$out/jit/exitscope-bpf-counts" ]
result $? "bench: --jit-only bpf-floor: its JIT image, of the $want bytes bpftool gives, and no other configuration's" \
	"bench: --jit-only: image '$f', bpftool's length '$want', in $out/jit: $(ls "$out/jit" 2>&1 | tr '\n' ' ')"
"$top/scripts/hook-cost.sh" --json >"$out-hc.json" 2>/dev/null &&
	"$top/scripts/cycle-model.py" --json "$out-hc.json" "$out" >"$out-model.json" 2>"$out-model.err"
result $? "bench: --jit: the cycle model priced the floor's program" \
	"bench: --jit: cycle-model failed: $(tail -n 2 "$out-model.err" 2>/dev/null)"
m() { jq -r --arg c "$1" --arg k "$2" '.rows[] | select(.config == $c) | .[$k] | tostring' "$out-model.json" 2>/dev/null; }
runs=$(jq -r '.rows[] | select(.config == "bpf-floor") | .traced_runs[0] // empty' "$out-model.json" 2>/dev/null)
k=$(sed -n 's/^exits \([0-9]*\)$/\1/p' "$out/jit/bpf-floor/kvmstat-bpf-floor-1.txt" 2>/dev/null)
[ -n "$runs" ] && [ "$runs" = "$k" ] && [ "$(m bpf-floor path_from)" = traced ]
result $? "bench: --jit: QEMU's trace ran the floor's program $runs times, KVM's exits of the VM $k" \
	"bench: --jit: the floor's traced runs '$runs', KVM's exits '$k', path '$(m bpf-floor path_from)'"
[[ $(m bpf-floor what) == "every exit: floor_exit (link "*")" ]] &&
	[ "$(m bpf-floor insns)" -gt 0 ] && [ "$(m bpf-floor insns)" -le "$(m bpf-floor image_insns)" ] &&
	jq -e '.rows[] | select(.config == "bpf-floor") | .kernel_calls.bpf_probe_read_kernel == 2' "$out-model.json" >/dev/null 2>&1
result $? "bench: --jit: floor_exit ran $(m bpf-floor insns) of its $(m bpf-floor image_insns) instructions a run, calling $(m bpf-floor kernel_calls)" \
	"bench: --jit: floor '$(m bpf-floor what)', $(m bpf-floor insns) of $(m bpf-floor image_insns), calls $(m bpf-floor kernel_calls)"

# A peer that cannot run (as bcc's kvmexit on AMD) is listed with L1's
# reason, and the report still succeeds; stock or exitscope's own that
# cannot run fail it. On copies of this sitting's real results.
peerless=$out-peerless
rm -rf "$peerless" && cp -r "$out" "$peerless"
sed -i 's/^configs=\(.*\)$/configs=\1,bcc-kvmexit/' "$peerless/bench-info.txt"
echo "kvmexit: this CPU is not supported" >"$peerless/failed-bcc-kvmexit.txt"
"$top/build/bin/exitscope" bench-report "$peerless" >"$peerless.txt" 2>&1
rc=$?
[ $rc -eq 0 ] && grep -q 'bcc-kvmexit .*could not run: kvmexit: this CPU is not supported' "$peerless.txt" &&
	jq -e '.configs[] | select(.name == "bcc-kvmexit") | .failed' "$peerless/bench.json" >/dev/null 2>&1
result $? "bench: a peer that could not run is in the table and bench.json, and bench-report exits 0" \
	"bench: a peer that could not run: bench-report exited $rc: $(grep -m2 -e 'bcc' -e 'exitscope bench' "$peerless.txt" | tr '\n' ' ')"
rm -f "$peerless"/bench-exitscope-counts-* "$peerless/bench.json"
echo "insmod exitscope kvm.ko counts failed" >"$peerless/failed-exitscope-counts.txt"
"$top/build/bin/exitscope" bench-report "$peerless" >"$peerless.txt" 2>&1
rc=$?
[ $rc -eq 1 ]
result $? "bench: exitscope-counts that could not run fails bench-report (exit 1)" \
	"bench: exitscope-counts that could not run: bench-report exited $rc"
