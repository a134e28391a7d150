#!/usr/bin/env bash
# make bench-host (scripts/bench-host.sh): its refusals, on any machine; on
# a software /dev/kvm its stock part as a smoke test (--smoke: two rounds,
# bench.json with "clock": "cycles"); on a machine with VT-x or AMD-V a short
# real run of stock; with no /dev/kvm, the refusal that says so.
# One "ok -"/"not ok -"/"skip -" line per case.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib.sh"
with_tmp
bh=$top/scripts/bench-host.sh
make -s -C "$top" tools-bin build/guest/vmexit-bench.bin >"$tmp/make.log" 2>&1 ||
	{ echo "not ok - bench-host: make tools-bin failed: $(tail -n 3 "$tmp/make.log" | tr '\n' ' ')"; exit 0; }

case_ "bench-host: --rounds 0 refused" 2 "invalid --rounds" -- "$bh" --rounds 0
case_ "bench-host: an unknown configuration refused" 2 "unknown configuration 'nope'" -- "$bh" --only stock,nope
case_ "bench-host: exitscope's modes need --modules" 2 "exitscope-counts needs exitscope's modules" -- \
	"$bh" --only stock,exitscope-counts
case_ "bench-host: every figure pairs with stock" 2 "must include stock" -- "$bh" --only bpf-floor
case_ "bench-host: --modules without modules refused" 2 "no kvm.ko" -- "$bh" --modules "$tmp" --only stock
case_ "bench-host: --cases is checked" 2 "invalid --cases" -- "$bh" --cases 'cpuid;reboot'

if [ ! -e /dev/kvm ]; then
	case_ "bench-host: no /dev/kvm refused" 2 "no /dev/kvm on this machine" -- "$bh"
	echo "skip - bench-host: a run needs /dev/kvm, which this machine does not have"
	exit 0
fi
echo "skip - bench-host: refusal without /dev/kvm (this machine has one)"
flag=svm
grep -q GenuineIntel /proc/cpuinfo && flag=vmx
smoke=
if ! grep -qw $flag /proc/cpuinfo; then
	case_ "bench-host: a software KVM refused without --smoke" 2 "no hardware virtualization here" -- "$bh"
	case_ "bench-host: --smoke runs stock only" 2 "--smoke runs stock only" -- "$bh" --smoke --only stock,bpf-floor
	smoke=--smoke
fi

out=$tmp/host
timeout $TLIMIT 300 "$bh" $smoke --only stock --rounds 2 --cases cpuid,pio_kernel,budget=1000000,reps=3 \
	--out "$out" >"$tmp/run.log" 2>&1
result $? "bench-host: ${smoke:-a real run}: stock, 2 rounds, ran" \
	"bench-host: ${smoke:-a real run} failed: $(tail -n 3 "$tmp/run.log" | tr '\n' ' ')"
# bench.json: the host's clock, the rounds, a figure per case that is each
# round's median in the middle of the rounds' repetitions.
j=$out/bench.json
jq -e '.schema == "exitscope.bench/1" and .clock == "cycles" and .rounds == 2 and
	(.configs | length) == 1 and .configs[0].rounds == 2 and
	(.configs[0].benchmarks | map(select(.name == "cpuid" or .name == "pio_kernel")) | length) == 2 and
	all(.configs[0].benchmarks[]; .per_op > 0 and .min <= .per_op and .per_op <= .max)' "$j" >/dev/null 2>&1
result $? "bench-host: bench.json: clock cycles, 2 rounds, cpuid and pio_kernel with figures" \
	"bench-host: bench.json is not as wanted: $(head -c 300 "$j" 2>/dev/null | tr '\n' ' ')"
r1=$(sed -n 's/^vmexit-bench: cpuid per_op=\([0-9]*\) .*/\1/p' "$out/bench-stock-1-r1.log")
r2=$(sed -n 's/^vmexit-bench: cpuid per_op=\([0-9]*\) .*/\1/p' "$out/bench-stock-1-r2.log")
m=$(jq '.configs[0].benchmarks[] | select(.name == "cpuid") | .per_op' "$j" 2>/dev/null)
[ -n "$r1" ] && [ -n "$r2" ] && [ "$m" = $(((r1 < r2 ? r1 : r2) + (r1 > r2 ? r1 - r2 : r2 - r1) / 2)) ]
result $? "bench-host: cpuid's figure $m is the median of its rounds ($r1, $r2)" \
	"bench-host: cpuid's figure '$m', its rounds '$r1' and '$r2'"
grep -q '^cpuid .* stock ' "$tmp/run.log" && grep -q 'cycles/exit' "$tmp/run.log"
result $? "bench-host: the table, and the cycles' table" "bench-host: no table in: $(tail -n 5 "$tmp/run.log" | tr '\n' ' ')"
# Twice at once on one --out: the second refuses before touching a file.
(exec 9>"$out/.exitscope.lock" && flock 9 && exec sleep 20) >/dev/null 2>&1 &
holder=$!
sleep 0.5
case_ "bench-host: a second run on the same --out refused" 2 "another run is writing '$out'" -- \
	"$bh" $smoke --only stock --rounds 1 --out "$out"
kill "$holder" 2>/dev/null; wait "$holder" 2>/dev/null
[ -s "$out/bench.json" ] && [ -s "$out/bench-stock-1-r2.log" ]
result $? "bench-host: the refused run left the first run's files alone" "bench-host: the refused run deleted files in $out"
# A round that is missing: the report refuses, and writes no bench.json.
rm -f "$j" "$out/bench-stock-1-r2.log"
case_ "bench-host: a missing round refused" 3 "bench-stock-1-r2.log" -- "$top/build/bin/exitscope" bench-report "$out"
[ ! -e "$j" ]
result $? "bench-host: no bench.json after the refusal" "bench-host: bench.json written after a refusal"
