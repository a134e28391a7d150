#!/usr/bin/env bash
# The lab for real, on one emulated CPU: L1 with exitscope's KVM, L2 with
# nested paging and with shadow paging. Asserts on the real output: every
# count equal to the kvm_exit tracepoint's (exitscope report's status), the
# files exist, and the seed's pattern in that vendor's terms.
# One "ok -"/"not ok -" line per case. L1 is the lab's small kernel, or
# with "debian" Debian's own kernel running the modules of `make modules`
# (and the BPF collector recording every run: its counts must equal the
# tracepoint's, which exitscope report checks, and its Prometheus text pass
# promtool).
# Usage: check-lab.sh intel|amd [small|debian]
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cpu=${1:?usage: check-lab.sh intel|amd [small|debian]}
l1=${2:-small}
out=$top/build/lab-check-$cpu-$l1${KSERIES:+-$KSERIES}
tag=$cpu/$l1${KSERIES:+/linux-$KSERIES}
nested=$([ "$cpu" = intel ] && echo ept || echo npt)
rm -rf "$out"
mkdir -p "$top/build"
t0=$SECONDS
# On Debian's kernel, L1 also tries its own stock modules beside exitscope's
# (tests/lab/l1/module-safety.sh, through --l1-extra), and runs fully
# preemptible (its PREEMPT_DYNAMIC kernel with preempt=full), where the
# time-away hooks can be preempted in the middle.
# The collector attaches as it chooses (tp_btf: exitscope's modules carry
# BTF too), or in the mode COLLECTOR_ATTACH names.
more=()
[ "$l1" = debian ] && more=(--collector --l1-extra "$top/tests/lab/l1/module-safety.sh"
			    --l1-append preempt=full
			    ${COLLECTOR_ATTACH:+--collector-attach "$COLLECTOR_ATTACH"})
"$top/lab/lab.sh" --cpu "$cpu" --l1 "$l1" "${more[@]}" --out "$out" --timeout 900 >"$out.log" 2>&1
rc=$?
# lab.sh retries once by itself after an emulator hang (docs/lab.md);
# say so when it did.
grep -q "retrying once after the hang" "$out.log" &&
	echo "# lab $tag: $(grep -m1 'hung in stage' "$out.log"); lab.sh retried"
if [ $rc -eq 0 ]; then
	echo "ok - lab $tag: ran, all counts equal the tracepoint's ($((SECONDS - t0)) s)"
else
	echo "not ok - lab $tag: failed (log: $out.log):"
	tail -15 "$out.log" | sed 's/^/    /'
fi
for f in results.json results.csv report.md chart.png l1.log l2-$nested-1.log l2-shadow-1.log; do
	[ -s "$out/$f" ] && echo "ok - lab $tag: $f written" || echo "not ok - lab $tag: no $f"
done
if [ "$l1" = debian ]; then
	# Each case of the module-safety script, as L1 judged it.
	if grep -qE '^(ok|not ok) - ' "$out/l1-extra.log" 2>/dev/null; then
		sed -n "s%^\(ok\|not ok\) - %\1 - lab $tag: L1 modules: %p" "$out/l1-extra.log"
	else
		echo "not ok - lab $tag: L1 modules: no l1-extra.log with cases"
	fi
	# Time is charged once: in every run, everything charged to the VM's
	# vCPU (in KVM, halted, in the VMM, preempted, asleep) fits in its life
	# from creation to the read (exitscope-vmm's line), to the cycle. It
	# catches an interval charged twice over any stretch (not one of a
	# few cycles: the unit test test_preemption_charges_once does that).
	if grep -q 'Dynamic Preempt: full' "$out/l1.log" "$out/l1-dmesg.txt" 2>/dev/null; then
		echo "ok - lab $tag: L1 ran with preempt=full"
	else
		echo "not ok - lab $tag: L1 did not run with preempt=full (no 'Dynamic Preempt: full')"
	fi
	for f in "$out"/stats-*-1.txt; do
		run=$(basename "$f" .txt | sed 's/^stats-//')
		life=$(sed -n 's/^exitscope-vmm: the vCPUs lived \([0-9]*\) TSC cycles.*/\1/p' "$out/l2-$run.log" 2>/dev/null)
		sum=$(awk 'NR == 1 { for (i = 2; i < NF; i += 2) if ($i ~ /^(cycles|halted|vmm|preempted|sleep)$/) s += $(i + 1); printf "%.0f\n", s }' "$f")
		if [ -n "$life" ] && [ "$sum" -gt 0 ] && [ "$sum" -le "$life" ]; then
			echo "ok - lab $tag: $run: time charged once: $sum TSC cycles charged in a life of $life"
		else
			echo "not ok - lab $tag: $run: $sum TSC cycles charged in a life of '${life:-no line}'"
		fi
	done
	grep -q '"l1_extra_status":0' "$out/results.json" 2>/dev/null &&
		echo "ok - lab $tag: results.json has the --l1-extra script's status 0" ||
		echo "not ok - lab $tag: results.json lacks l1_extra_status 0"
fi
grep -q "\"cpu\":\"$cpu\"" "$out/results.json" 2>/dev/null &&
	echo "ok - lab $tag: results.json says cpu $cpu" || echo "not ok - lab $tag: results.json lacks cpu $cpu"

# count PAGING CODE: run 1's count of one reason, from results.csv.
count() { awk -F, -v p="$1" -v c="$2" '$1 == p && $2 == 1 && $3 == c { n = $5 } END { print n + 0 }' "$out/results.csv" 2>/dev/null; }
# only_shadow NAME CODE MIN: none with nested paging, at least MIN without.
only_shadow() {
	local n s
	n=$(count "$nested" "$2") s=$(count shadow "$2")
	if [ "$n" -eq 0 ] && [ "$s" -ge "$3" ]; then echo "ok - lab $tag: $1 only with shadow paging ($s)"
	else echo "not ok - lab $tag: $1 only with shadow paging (got $nested $n, shadow $s)"; fi
}
# much_more NAME CODE: shadow at least 10x nested and at least 1000.
much_more() {
	local n s
	n=$(count "$nested" "$2") s=$(count shadow "$2")
	if [ "$s" -ge 1000 ] && [ "$s" -ge $((10 * n)) ]; then echo "ok - lab $tag: $1 much higher with shadow paging ($n -> $s)"
	else echo "not ok - lab $tag: $1 much higher with shadow paging (got $nested $n, shadow $s)"; fi
}
only_nested() {
	local n s
	n=$(count "$nested" "$2") s=$(count shadow "$2")
	if [ "$n" -gt 0 ] && [ "$s" -eq 0 ]; then echo "ok - lab $tag: $1 only with $nested ($n)"
	else echo "not ok - lab $tag: $1 only with $nested (got $nested $n, shadow $s)"; fi
}
if [ "$cpu" = intel ]; then	# the seed's four reasons, VMX numbers
	much_more "0 (#PF)" 0
	much_more "28 (CR access)" 28
	only_shadow "14 (INVLPG)" 14 1
	only_shadow "58 (INVPCID)" 58 1
	only_nested "48 (EPT violation)" 48
else				# the same story in SVM exit codes
	only_shadow "0x4e (#PF intercept)" 0x4e 1000
	only_shadow "0x13 (CR3 write)" 0x13 1000
	only_shadow "0x79 (INVLPG)" 0x79 1
	only_nested "0x400 (NPF)" 0x400
fi

# Where the time after an exit went (issue 13): the seed's L2 sleeps a
# little (HLT: the vCPU waits halted) and prints (I/O: the VMM emulates the
# UART, KVM waits in it). The witness for "halted" is KVM's own: its
# halt_wait_ns and halt-polling time (kvmstat-*.txt, read by exitscope-vmm
# before the VM went), measured in L1's clock inside exitscope's hooks
# (vcpu_block() around kvm_vcpu_halt()). A runnable vCPU scheduled out
# in that window (halt-polling, or at a preemption point just before or
# after KVM's clock reads: preempt=full, Debian's kernel) is preempted for
# exitscope, and halted or not seen at all for KVM. So halted is at most
# KVM's plus 5% (and a tick per halt where L1's clock is not its TSC:
# jiffies, 10 ms at HZ 100 at least), halted plus the HLT row's preempted
# at least KVM's less as much, and halted at least half of KVM's (a
# change that charged the halt to preempted would pass the rest). Before
# a preemption in the window went to preempted, halted was once 9.6 ms
# (+32%) over KVM's in 12 halts (Debian's 6.12, preempt=full, a loaded
# machine); after, once 9.8 ms (+39%) in 10 halts, with 16 ms preempted
# (Debian's 6.1, f3c3743's CI, the machine 85% busy). Neither was a
# preemption: the time between KVM's clock reads and the hooks, which
# KVM does not count, holds the interrupts run in the vCPU's context and,
# under the emulator, any stall of the emulator's thread on the machine
# (a timeslice: ~10 ms here); L1's timers that expire in such a stall wake
# the tasks that then preempt the vCPU. So where the HLT row has preempted
# time, halted may exceed KVM's by as much again. That slack would let a
# change that charged a preemption twice (halted and preempted) pass:
# where the collector recorded the run, the HLT exits' whole time
# (in KVM, halted, in the VMM, preempted) must equal its exit-to-entry
# time, measured apart from the hooks, within 5% (and a tick per halt). Comparing halted with the HLT exits' time in KVM instead fell
# with the machine's load: under the emulator KVM's work takes real time
# (40x to 1.8x seen); a slow host is not a wrong split.
# field PAGING CODE COLUMN: run 1's figure of one reason, from results.csv;
# code "all" sums the column over the reasons.
field() { awk -F, -v p="$1" -v c="$2" -v k="$3" 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
	$1 == p && $2 == 1 && (c == "all" || $3 == c) { n += $col[k] } END { printf "%.0f\n", n }' "$out/results.csv" 2>/dev/null; }
kvmstat() { awk -v k="$2" '$1 == k { n = $2 } END { printf "%.0f\n", n }' "$out/kvmstat-$1-1.txt" 2>/dev/null; }
# L1's clock source and TSC MHz, as l1-init.sh logged them.
clock=$(grep -m1 '^EXITSCOPE-CLOCK' "$out/l1.log" 2>/dev/null)
clocksrc=$(awk '{ print $2 }' <<<"$clock")
mhz=$(sed -n 's/.*Detected \([0-9.]*\) MHz.*/\1/p' <<<"$clock" | head -1)
hlt=$([ "$cpu" = intel ] && echo 12 || echo 0x78) io=$([ "$cpu" = intel ] && echo 30 || echo 0x7b)
for p in "$nested" shadow; do
	hh=$(field "$p" "$hlt" halted) all=$(field "$p" all halted) hp=$(field "$p" "$hlt" preempted)
	ik=$(field "$p" "$io" cycles) iv=$(field "$p" "$io" vmm)
	halts=$(kvmstat "$p" halt_exits)
	kns=$(( $(kvmstat "$p" halt_wait_ns) + $(kvmstat "$p" halt_poll_success_ns) + $(kvmstat "$p" halt_poll_fail_ns) ))
	# verdict: exitscope's halted in ns, and whether it is KVM's within
	# the tolerance; the HLT row must hold at least 90% of it.
	verdict=$(awk -v all="$all" -v hh="$hh" -v hp="$hp" -v mhz="${mhz:-0}" -v kns="$kns" -v halts="$halts" \
		-v src="$clocksrc" 'BEGIN {
		if (mhz <= 0) { print "no TSC MHz in l1.log: (no figures)"; exit }
		ns = all * 1000 / mhz; pns = hp * 1000 / mhz
		tol = 0.05 * kns + (src ~ /^tsc/ ? 0 : halts * 10000000)
		why = kns <= 0 ? "KVM counted no halt time" : \
			ns + pns < kns - tol ? "halted and preempted below KVM'"'"'s halt time" : \
			ns < 0.5 * kns ? "halted under half KVM'"'"'s halt time" : \
			ns > kns + tol + pns ? "halted above KVM'"'"'s halt time and the HLT row'"'"'s preempted" : \
			hh < 0.9 * all ? "the HLT row holds under 90% of halted" : ""
		printf "%s %.0f ns halted and %.0f preempted, KVM %.0f ns over %d halts (%+.1f%%, clock %s)\n",
			why == "" ? "ok" : why ":", ns, pns, kns, halts, kns ? 100 * (ns - kns) / kns : 0, src }')
	why=
	[ "$(count "$p" "$hlt")" -gt 0 ] || why="no HLT exit; "
	case $verdict in ok\ *) ;; *) why="$why${verdict%%:*}; " ;; esac
	[ "$ik" -gt 0 ] || why="${why}no I/O time in KVM; "
	[ "$iv" -gt 0 ] || why="${why}no I/O time in the VMM; "
	if [ -z "$why" ]; then
		echo "ok - lab $tag: $p: HLT's time halted, against KVM's halt time: ${verdict#* }; I/O $ik cycles in KVM, $iv in the VMM"
	else
		echo "not ok - lab $tag: $p: time away: ${why%; }: HLT $hh of $all cycles halted, ${verdict#*: }; I/O $ik in KVM, $iv in the VMM"
	fi
	# The second witness, for the HLT exits' whole time: the collector's.
	rec=$out/collector-$p-1.json
	[ -f "$rec" ] || continue
	whole=$(( $(field "$p" "$hlt" cycles) + hh + $(field "$p" "$hlt" vmm) + hp + $(field "$p" "$hlt" sleep) ))
	cns=$(jq --argjson r "$((hlt))" '[.vms[].reasons[] | select(.reason == $r) | .time_ns] | add // 0' "$rec" 2>/dev/null)
	verdict=$(awk -v whole="$whole" -v mhz="${mhz:-0}" -v cns="${cns:-0}" -v halts="$halts" -v src="$clocksrc" 'BEGIN {
		if (mhz <= 0) { print "no TSC MHz in l1.log"; exit }
		ns = whole * 1000 / mhz
		tol = 0.05 * cns + (src ~ /^tsc/ ? 0 : halts * 10000000)
		why = cns <= 0 ? "the collector timed no HLT exit" : ns > cns + tol ? "above" : ns < cns - tol ? "below" : "ok"
		printf "%s: %.0f ns, the collector %.0f ns (%+.1f%%)\n", why, ns, cns, cns ? 100 * (ns - cns) / cns : 0 }')
	case $verdict in
	ok:*) echo "ok - lab $tag: $p: HLT's whole time (in KVM, halted, in the VMM, preempted) equals the collector's exit-to-entry time${verdict#ok}" ;;
	*) echo "not ok - lab $tag: $p: HLT's whole time (in KVM, halted, in the VMM, preempted) against the collector's exit-to-entry time: $verdict" ;;
	esac
done

if [ "$l1" = debian ]; then
	"$top/tests/lab/check-collector-run.sh" "$out" "$cpu" exitscope "${COLLECTOR_ATTACH:-tp_btf}"
fi

# The guest interface is the host's to allow, per VM and CPL (issue 13).
"$top/tests/lab/check-interface.sh" "$out" "$cpu"

# Exact counts: the flat cpuid-loop guest executes 100,000 CPUIDs and writes
# 43 console bytes and its verdict: exactly that many exits, in both modes.
# What ran: L1's kernel and L2's command line, as L1 reported them.
want=$([ "$l1" = debian ] && echo '"l1_kernel":"[0-9]+\.[0-9]+\.[0-9]+[-+][0-9a-z+-]*-amd64"' || echo '"l1_kernel":"[0-9]+\.[0-9]+\.[0-9]+"')
grep -qE "$want" "$out/results.json" 2>/dev/null && grep -q '"l2_cmdline":"console=ttyS0 ' "$out/results.json" &&
	echo "ok - lab $tag: results.json names L1's kernel and L2's command line" ||
	echo "not ok - lab $tag: results.json lacks l1_kernel $want or l2_cmdline"
# The series asked for is the one L1 ran.
if [ -n "${KSERIES:-}" ]; then
	grep -q "\"l1_kernel\":\"${KSERIES//./\\.}\\." "$out/results.json" 2>/dev/null &&
		echo "ok - lab $tag: L1 ran linux $KSERIES" ||
		echo "not ok - lab $tag: L1 did not run linux $KSERIES ($(grep -o '"l1_kernel":"[^"]*"' "$out/results.json" 2>/dev/null))"
fi

if [ "$cpu" = intel ] && [ "$l1" = small ]; then
	out=$out-cpuid
	if "$top/lab/lab.sh" --cpu intel --workload cpuid --out "$out" --timeout 600 >"$out.log" 2>&1; then
		for p in ept shadow; do
			c=$(count "$p" 10) i=$(count "$p" 30)
			if [ "$c" -eq 100000 ] && [ "$i" -eq 44 ]; then
				echo "ok - lab intel cpuid-loop: exactly 100000 CPUID and 44 I/O exits with $p"
			else
				echo "not ok - lab intel cpuid-loop: $p: wanted 100000 CPUID and 44 I/O exits, got $c and $i"
			fi
		done
	else
		echo "not ok - lab intel cpuid-loop: failed (log: $out.log)"
	fi
fi
