#!/bin/busybox sh
# /init of L1: load exitscope's KVM, run the L2 guest with nested paging on
# and off (the seed's experiment), count the same exits with the kvm_exit
# tracepoint, and send every result to the host on the second serial port.
# Stage markers on the console let the host show progress and time out.
. /lib/exitscope/l1-lib.sh
l1_mounts
alive_start
cpu=$(arg cpu); runs=$(arg runs); workload=$(arg workload)
l2timeout=$(arg l2timeout); l2cpus=$(arg l2cpus)
modules=$(arg modules); collector=$(arg collector)
inject=$(arg inject)	# tests only: stuck (no VM), spin (L2 spins), silent (L1's
			# markers stop while L2 runs, kernel-like lines go on),
			# quiet (L1 quiet loading the modules),
			# corrupt (a damaged file, lab/l1-lib.sh)
l1_vendor "$cpu"
nested=$knob
# L1's clock, for the log; a TSC it could not calibrate (tsc_khz 0) leaves
# KVM asking for a clock update before every entry, forever: a hang.
echo "EXITSCOPE-CLOCK $(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)" \
	"$(dmesg | grep -o -e 'Detected [0-9.]* MHz [a-zA-Z]*' -e 'could not calculate TSC khz' | tr '\n' ' ')"
dmesg | grep -q 'could not calculate TSC khz' &&
	fail "stuck: L1 could not calibrate its TSC, so KVM could never enter a guest"
stage modules 90 "loading exitscope's kvm and $vendor $knob=1"
[ "$inject" = quiet ] && alive_stop && sleep 100000
l1_deps
# exitscope's kvm.ko keeps cycles and time away for the lab's tables (its
# default is counts alone); the stock one has no such parameter.
insmod $m/kvm.ko ignore_msrs=1 $([ "$modules" = stock ] || echo exit_stats=cycles) ||
	fail "insmod kvm.ko ($modules)"
insmod $m/$vendor.ko $knob=1 || fail "insmod $vendor.ko $knob=1"
# L2 looks stuck (see the heartbeat): what KVM still does for that VM over
# one second (trace events, statistics that move), the VMM threads' kernel
# stacks and L1's clock, for the console.
stuck_report() {
	vm=$(ls -d /sys/kernel/debug/kvm/*-* 2>/dev/null | head -n 1)
	snap() { for f in $vm/*; do [ -f $f ] && [ ${f##*/} != exit_stats ] && echo "${f##*/} $(cat $f)"; done; }
	snap >/out/.stuck.1
	echo 1 >/sys/kernel/tracing/events/kvm/enable
	sleep 1
	echo 0 >/sys/kernel/tracing/events/kvm/enable
	snap >/out/.stuck.2
	echo "# KVM's trace events in that second (last 40)"
	grep -v '^#' /sys/kernel/tracing/trace | tail -n 40
	echo "# clocksource $(cat /sys/devices/system/clocksource/clocksource0/current_clocksource); kernel log on clocks:"
	dmesg | grep -i -e tsc -e clocksource -e kvm | tail -n 8
	echo "# kernel stacks of the VMM's threads"
	for d in /proc/$vmm/task/*; do echo "${d##*/}:"; cat $d/stack 2>/dev/null; done
	echo "# KVM statistics of $vm that changed in 1 s: name before after"
	awk 'NR == FNR { a[$1] = $2; next } a[$1] != $2 { print $1, a[$1], $2 }' /out/.stuck.1 /out/.stuck.2
	rm -f /out/.stuck.1 /out/.stuck.2
	echo >/sys/kernel/tracing/trace
}
mkdir -p /out
# What ran, one key=value a line, for `exitscope report` (the host adds kver).
l2cmdline=$(cat /l2/cmdline)
printf '%s\n' "cpu=$cpu" "workload=$workload" "runs=$runs" \
	"rounds=$(echo "$l2cmdline" | sed -n 's/.*exitscope\.rounds=\([^ ]*\).*/\1/p')" \
	"l2_cpus=${l2cpus:-1}" "l1_kernel=$(uname -r)" "l2_cmdline=$l2cmdline" \
	"modules=${modules:-exitscope}" >/out/metadata.txt
# exitscope's KVM: the VM opts in to the guest interface (the seed's
# experiment reads its figures from L2 user space; kvm.exit_stats_guest
# stays off) and its figures are kept. Stock KVM has neither.
vmm_opts=
[ "$modules" = stock ] || vmm_opts="--guest-stats user"
# start_collector NAME: exitscope's BPF collector records until stopped.
start_collector() {
	collector_pid=
	# The drill-down (--detail) too, where the collector reads the vCPU (tp_btf).
	case $collector in
	1|bpf:tp_btf) src=bpf detail=--detail ;;
	bpf:*) src=$collector detail= ;;
	*) return 0 ;;
	esac
	[ "$collector" = 1 ] || src=$collector
	/bin/exitscope record -v --source $src $detail --duration 0 --json --textfile-dir /out \
		--textfile-name collector-$1.prom >/out/collector-$1.json 2>/out/collector-$1.err &
	collector_pid=$!
	t=0
	until grep -q 'recording until' /out/collector-$1.err 2>/dev/null; do
		if ! kill -0 $collector_pid 2>/dev/null; then
			tail -n 60 /out/collector-$1.err
			fail "the collector did not start: $(tail -n 1 /out/collector-$1.err)"
		fi
		[ $t -lt 120 ] || fail "the collector did not start in 120 s"
		sleep 1
		t=$((t + 1))
	done
}
# The drill-down's independent witnesses, beside a collector that keys
# (tp_btf): the tracepoints that carry the same keys, which the collector
# does not read, counted by hist triggers: kvm_pio by port and direction,
# kvm_msr by index and direction, kvm_hypercall by number, kvm_cr by
# register and direction, kvm_page_fault by address and error code (the
# NPF and EPT-violation addresses, one key per fault: a bigger table).
witness_hists="kvm_pio:port,rw:4096 kvm_msr:ecx,write:4096 kvm_hypercall:nr:4096 kvm_cr:cr,rw:4096
	kvm_page_fault:fault_address,error_code:65536"
# And the host's interrupts the VMM's threads took (l1-lib.sh, irq_witness).
witness_start() {
	case $collector in 1|bpf:tp_btf) ;; *) return 0 ;; esac
	for w in $witness_hists; do
		set -- $(echo "$w" | tr ':' ' ')
		echo "hist:keys=$2:vals=hitcount:size=$3" >/sys/kernel/tracing/events/kvm/$1/trigger ||
			fail "cannot set the $1 hist trigger"
	done
	w=$(irq_witness_start) || fail "cannot set the $w hist trigger"
}
witness_stop() {
	case $collector in 1|bpf:tp_btf) ;; *) return 0 ;; esac
	run=$1
	for w in $witness_hists; do
		set -- $(echo "$w" | tr ':' ' ')
		cat /sys/kernel/tracing/events/kvm/$1/hist >/out/witness-$1-$run.txt
		echo "!hist:keys=$2:vals=hitcount:size=$3" >/sys/kernel/tracing/events/kvm/$1/trigger
	done
	irq_witness_stop /out/witness-irq-$run.txt
}
stop_collector() {
	[ -n "$collector_pid" ] || return 0
	kill -TERM $collector_pid
	wait $collector_pid
	echo "status $?" >>/out/collector-$1.err
	collector_pid=
}
# Who may read the leaves: a flat guest reads them at CPL 0 and CPL 3, once
# per setting of the VMM (none: kvm.exit_stats_guest's default, off), with
# the VMM's CPUID table defining one of them (0x4ffffffd), which the table
# must answer in every setting. A hist trigger counts the kvm_cpuid events
# meanwhile: they must fire either way.
interface_probes() {
	local g cpuid=/sys/kernel/tracing/events/kvm/kvm_cpuid/trigger
	stage interface 120 "cpuid-probe with --guest-stats default, off, kernel, user"
	for g in default off kernel user; do
		echo 'hist:keys=function:vals=hitcount' >$cpuid || fail "cannot set the kvm_cpuid hist trigger"
		/bin/exitscope-vmm --flat /l2/cpuid-probe.bin --timeout 60 \
			$([ $g = default ] || echo --guest-stats $g) \
			--cpuid 0x4ffffffd=0xd0d0d0d0,0xd1d1d1d1,0xd2d2d2d2,0xd3d3d3d3 \
			</dev/null >/out/interface-$g.log 2>&1
		echo "status $?" >>/out/interface-$g.log
		cat /sys/kernel/tracing/events/kvm/kvm_cpuid/hist >/out/interface-$g-hist.txt
		echo '!hist:keys=function:vals=hitcount' >$cpuid
	done
}
trigger=/sys/kernel/tracing/events/kvm/kvm_exit/trigger
for paging in $nested shadow; do
	if [ $paging = shadow ]; then
		stage reload 90 "$vendor $knob=0"
		rmmod $vendor || fail "rmmod $vendor"
		insmod $m/$vendor.ko $knob=0 || fail "insmod $vendor.ko $knob=0"
	fi
	echo "paging.$paging=$(cat /sys/module/$(echo $vendor | tr - _)/parameters/$knob 2>/dev/null)" >>/out/metadata.txt
	r=1
	while [ $r -le "$runs" ]; do
		stage l2-$paging-$r $((l2timeout + 90)) "L2 $paging $r/$runs"
		echo 'hist:keys=exit_reason:vals=hitcount:size=4096' >$trigger ||
			fail "cannot set the kvm_exit hist trigger"
		witness_start
		# A flat workload is an image run directly, no Linux in L2.
		image=$(awk -v w="$workload" '$1 == w && $2 == "flat" { print $3 }' /l2/workloads.txt)
		if [ -n "$image" ]; then
			guest="--flat /l2/$image"
		else
			guest="--kernel /l2/bzImage --initrd /l2/initrd.cpio"
		fi
		# silent: L1's scripts stop, but lines not of L1's own still come,
		# as a stuck kernel's soft-lockup reports do (lab/emulator.sh).
		if [ "$inject" = silent ]; then
			alive_stop
			while :; do echo "watchdog: BUG: soft lockup - CPU#0 stuck (injected)"; sleep 5; done
		fi
		[ "$inject" = spin ] && guest="--flat /l2/spin.bin"	# jmp . with interrupts off
		start_collector $paging-$r
		if [ "$inject" = stuck ]; then
			sleep 100000 &
		else
			/bin/exitscope-vmm $guest --cpus "${l2cpus:-1}" $vmm_opts \
				--mem 192 --timeout "$l2timeout" --stats /out/stats-$paging-$r.txt \
				--kvm-stats /out/kvmstat-$paging-$r.txt \
				--cmdline "$(cat /l2/cmdline)" </dev/null >/out/l2-$paging-$r.log 2>&1 &
		fi
		vmm=$!
		# A heartbeat every 10 s while L2 runs: its exits so far, and per
		# VMM thread its state, kernel wait channel and user/system ticks.
		# Two signs that the emulator, not L2, is stuck (docs/lab.md), each
		# for 20 s: no exit at all (L2 never entered), or no exit but the
		# host's own interrupts (L2 spins with its interrupts off; a live
		# L2 exits on its own timer ticks). Report what KVM still does and
		# fail, so the host can retry. An idle L2 (no exits) is left alone.
		(
			t=0 still=0 lastn=0 lastw=0
			while sleep 10; do
				t=$((t + 10))
				# All exits, and those but the host's interrupts: from
				# exitscope's file (per reason), or on stock KVM from its
				# own statistics (irq_exits: not every exit of an
				# interrupt, under nested SVM; the hang tests use ours).
				if [ "$modules" = stock ]; then
					n=$(cat /sys/kernel/debug/kvm/*-*/exits 2>/dev/null | head -n 1)
					i=$(cat /sys/kernel/debug/kvm/*-*/irq_exits 2>/dev/null | head -n 1)
					n=${n:-0}
					w=$((n - ${i:-0}))
				else
					stats=$(cat /sys/kernel/debug/kvm/*/exit_stats 2>/dev/null)
					n=$(echo "$stats" | sed -n 's/^# isa .* exits \([0-9]*\) .*/\1/p' | head -n 1)
					n=${n:-0}
					w=$(echo "$stats" | awk '!/^#/ && $1 != "0x60" && $1 != "1" { s += $(NF - 5) } END { print s + 0 }')
				fi
				echo "EXITSCOPE-HEARTBEAT $paging $r ${t}s exits $n threads" \
					"$(for d in /proc/$vmm/task/*; do
						set -- $(cut -d' ' -f3,14,15 $d/stat 2>/dev/null)
						printf '%s:%s:%s/%s ' "$1" "$(cat $d/wchan 2>/dev/null)" "$2" "$3"
					done)"
				if [ "$n" -eq 0 ]; then
					why="L2 made no exit in 20 s: it was never entered"
				elif [ "$w" = "$lastw" ] && [ "$n" != "$lastn" ]; then
					why="L2 made no exit in 20 s but for the host's interrupts: it spins with its interrupts off"
				else
					why=
				fi
				[ -n "$why" ] && still=$((still + 1)) || still=0
				lastn=$n lastw=$w
				[ $still -ge 2 ] || continue
				echo "EXITSCOPE-STUCK $why; what KVM did in 1 s:"
				stuck_report
				fail "stuck: $why ($paging run $r)"
			done
		) &
		heartbeat=$!
		wait $vmm
		echo $? >/out/status-$paging-$r.txt
		kill $heartbeat
		stop_collector $paging-$r
		cat /sys/kernel/tracing/events/kvm/kvm_exit/hist >/out/hist-$paging-$r.txt
		echo '!hist:keys=exit_reason:vals=hitcount:size=4096' >$trigger
		witness_stop $paging-$r
		tail -n 3 /out/l2-$paging-$r.log
		r=$((r + 1))
	done
	if [ $paging = $nested ]; then
		case $inject$modules in stuck*|spin*|silent*|*stock) ;; *) interface_probes ;; esac
	fi
done
# lab --l1-extra: the user's script, as root, after the L2 runs; its status
# goes into metadata.txt (a failure fails the run), its output and files
# come back with the rest.
if [ "$(arg l1extra)" = 1 ]; then
	stage l1-extra 600 "the --l1-extra script"
	mkdir -p /out/l1-extra /tmp
	EXITSCOPE_MODULES=$m EXITSCOPE_STOCK=$m/stock EXITSCOPE_VENDOR=$vendor EXITSCOPE_KNOB=$knob \
	EXITSCOPE_CPU=$cpu EXITSCOPE_OUT=/out/l1-extra \
		sh /l1-extra </dev/null >/out/l1-extra.log 2>&1
	status=$?
	echo "l1_extra=$status" >>/out/metadata.txt
	tail -n 5 /out/l1-extra.log
	echo "the --l1-extra script exited with status $status"
	# Its files come back flat, beside the rest (send_results sends files),
	# those whose names the framing takes ([A-Za-z0-9._-]); the others are
	# named in its log, so that one odd name cannot lose the whole run.
	for f in /out/l1-extra/*; do
		[ -f "$f" ] || continue
		case ${f##*/} in
		*[!A-Za-z0-9._-]*|.*) echo "not sent: '${f##*/}' (a name of [A-Za-z0-9._-] only)" >>/out/l1-extra.log ;;
		*) mv "$f" "/out/l1-extra-${f##*/}" ;;
		esac
	done
	rm -rf /out/l1-extra
fi
dmesg >/out/l1-dmesg.txt
send_results /out
