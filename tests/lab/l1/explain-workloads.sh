# shellcheck shell=sh
# A --l1-extra script (lab/lab.sh): runs in L1 (busybox sh, as root) after
# the L2 runs. `exitscope explain`'s rules against real exits: each row of
# the table below runs one case of vmexit-bench (a flat L2 image) with
# nested paging on or off, recorded by the BPF collector with the
# drill-down and the times (exitscope record --detail), into
# rules-NAME.json. The table goes beside the records (rules.tsv):
# tests/lab/check-lab-explain.sh runs explain on each record on the host
# and wants exactly the rules of its row, no fewer and no more, so that a
# workload is the firing case of its rules and a look-alike for all the
# others. The CPU's flags go too (cpuinfo-flags.txt): what the L1 CPU
# cannot do (a pause filter) says why a rule has no workload here.
# The exit status is the number of workloads that did not run.
. /lib/exitscope/l1-lib.sh	# irq_witness_start, irq_witness_stop
m=$EXITSCOPE_MODULES vendor=$EXITSCOPE_VENDOR knob=$EXITSCOPE_KNOB out=$EXITSCOPE_OUT
failed=0

# NAME CPUS SETTING VMEXIT-BENCH-WORDS RULES (comma-separated, "-" for
# none). CPUS: the L1 CPUs the row runs on (amd, intel or both); the rows
# of this L1's go to rules.tsv, without that column. SETTING: nested or
# shadow paging, ",stall" for a VMM stopped for 5 ms every 15 ms or so
# (SIGSTOP, SIGCONT), as a host's CPU quota (cgroup cpu.max) or a freezer
# stops it: the exits in flight then take that long; ",hog" for a busy
# loop beside the VMM on L1's one CPU, an overcommitted host: the vCPU's
# thread is scheduled out and back in, again and again; ",twin" for a
# second collector recording the same (rules-NAME-twin.json), as when
# two operators run top or an exporter at once; ",hrtimer" for kvm_intel
# without the VMX preemption timer (preemption_timer=0): a guest's timer is
# then the host's hrtimer, each expiry a host interrupt, an exit from the
# guest, as on SVM; ",tp" for the collector in its fallback attach mode
# (bpf:tp, docs/collector.md), without the drill-down, which needs tp_btf:
# on Intel, the witness that tp's counts are the tracepoint's too, in the
# same Bochs boot as tp_btf's (tests/lab/check-lab-explain.sh checks its
# counts, attach mode and health, not rules).
# Each case runs exactly $ops operations (a row's own ops= wins), the same
# exits on a fast machine and a slow one: some thousands, well above any
# rule's floor of 100 and 20 times the exits the image makes for its own
# console (some 240 bytes to COM1); the halts fewer, each a chance to lose
# the timer (below). Where the operations exit not at all
# (cr3 and pf with nested paging) the console's exits are all there is,
# and the console is rightly that VM's hot spot.
ops=5000
cpu=$(case $vendor in kvm-intel) echo intel ;; *) echo amd ;; esac)
awk -F '\t' -v OFS='\t' -v cpu="$cpu" '$2 == cpu || $2 == "both" { $2 = ""; sub(/\t\t/, "\t"); print }' >"$out/rules.tsv" <<'EOF'
cr3-shadow	amd	shadow	cr3	shadow-paging
pf-shadow	amd	shadow	pf	shadow-paging
cr3-nested	amd	nested	cr3	port-hotspot
pf-nested	amd	nested	pf	port-hotspot
hlt	amd	nested	hlt timer=100000 ops=1000	short-halts,timer-msr,irq-windows?
hlt-soon	amd	nested	hlt timer=1 ops=800	short-halts,timer-msr,irq-windows
msr-write	amd	nested	msr_write	timer-msr
msr-read	amd	nested	msr_read	-
mmio-vmm	amd	nested	mmio_vmm	emulated-mmio
mmio-ioapic	amd	nested	mmio_kernel	emulated-mmio
pio-vmm	amd	nested	pio_vmm	port-hotspot
pio-pit	amd	nested	pio_kernel	port-hotspot
ipi	amd	nested	ipi ops=2500	-
cpuid	amd	nested	cpuid	-
mixed	amd	nested,twin	mixed	port-hotspot,emulated-mmio
tick	amd	nested	tick timer=1000000 ops=2000	host-irqs
tick-stall	amd	nested,stall	tick timer=1000000 ops=2000	host-irqs,time-outliers,irq-windows?
tick-intel	intel	nested,hrtimer	tick timer=1000000 ops=2000	host-irqs
pause-spin	intel	nested,hog	pause ops=10000000	pause-loops,port-hotspot
pause-alone	intel	nested	pause ops=10000000	port-hotspot
cpuid-intel	intel	nested	cpuid	-
pf-shadow-intel	intel	shadow	pf	shadow-paging
mmio-vmm-intel	intel	nested	mmio_vmm	emulated-mmio
mixed-tp	intel	nested,tp	mixed	-
mixed-shadow-tp	intel	shadow,tp	mixed	-
EOF
sed -n 's/^flags[[:space:]]*: //p' /proc/cpuinfo | head -n 1 | tr ' ' '\n' >"$out/cpuinfo-flags.txt"
# Pause-loop exiting as KVM set it up: it zeroes ple_gap (VMX) or
# pause_filter_count (SVM) where the CPU has none.
for p in ple_gap ple_window pause_filter_count pause_filter_thresh; do
	f=/sys/module/$(echo "$vendor" | tr - _)/parameters/$p
	[ -r "$f" ] && echo "$p=$(cat "$f")"
done >"$out/pause-exiting.txt"

loaded() { grep -q "^$(echo "$1" | tr - _) " /proc/modules; }
# paging nested|shadow [hrtimer]: the vendor module again with the knob on
# or off; with hrtimer, kvm_intel without the VMX preemption timer, so
# that it arms a guest's timer as its own hrtimer (every other row: the
# module's default).
paging() {
	want=1 pt=
	[ "$1" = shadow ] && want=0
	[ "${2:-}" = hrtimer ] && pt=0
	params=/sys/module/$(echo "$vendor" | tr - _)/parameters
	have=$(cat "$params/$knob" 2>/dev/null)
	case $have in Y|1) have=1 ;; N|0) have=0 ;; esac
	have_pt=
	case $(cat "$params/preemption_timer" 2>/dev/null) in N|0) have_pt=0 ;; esac
	[ "$have" = "$want" ] && [ "$have_pt" = "$pt" ] && return 0
	loaded "$vendor" && rmmod "$vendor"
	insmod "$m/$vendor.ko" "$knob=$want" ${pt:+preemption_timer=$pt}
}

# record NAME tp_btf|tp: the collector records into rules-NAME.json until
# stopped, in that attach mode (tp_btf with the drill-down).
record() {
	rm -f "$out/rules-$1.err"	# a try before said 'recording until' there
	detail=--detail
	[ "$2" = tp ] && detail=
	/bin/exitscope record --source "bpf:$2" $detail --duration 0 --json --label "$1" \
		>"$out/rules-$1.json" 2>"$out/rules-$1.err" &
	rec=$!
	t=0
	until grep -q 'recording until' "$out/rules-$1.err" 2>/dev/null; do
		kill -0 $rec 2>/dev/null || return 1
		[ $t -lt 120 ] || return 1
		sleep 1
		t=$((t + 1))
	done
}

# The witness of each record: KVM's kvm_exit tracepoint, counted per reason
# by a hist trigger over the same window (rules-NAME-hist.txt); and of its
# host-vector keys, the interrupts the VMM's threads took meanwhile, by
# vector (rules-NAME-irq.txt).
trigger=/sys/kernel/tracing/events/kvm/kvm_exit/trigger
hist='hist:keys=exit_reason:vals=hitcount:size=4096'
# And of VMX's exception keys with shadow paging: the #PFs KVM intercepted,
# which kvm_page_fault traces each of (rules-NAME-pf.txt).
pf_trigger=/sys/kernel/tracing/events/kvm/kvm_page_fault/trigger
pf_hist='hist:keys=error_code:vals=hitcount'
# hist_stop: the kvm_exit and kvm_page_fault triggers removed.
hist_stop() {
	echo "!$hist" >$trigger
	echo "!$pf_hist" >$pf_trigger
}

# run NAME WORDS SETTING: one case recorded; 0, or why not on stdout.
run() {
	echo "$hist" >$trigger || { echo "cannot set the kvm_exit hist trigger"; return 1; }
	if ! echo "$pf_hist" >$pf_trigger; then
		echo "!$hist" >$trigger
		echo "cannot set the kvm_page_fault hist trigger"
		return 1
	fi
	rm -f "$out/rules-$1-irq.txt"
	if ! w=$(irq_witness_start); then
		hist_stop
		irq_witness_stop /dev/null 2>/dev/null
		echo "cannot set the $w hist trigger"
		return 1
	fi
	attach=tp_btf
	case $3 in *,tp) attach=tp ;; esac
	# twin: a second collector, as a second operator's top or exporter.
	twin=
	case $3 in
	*,twin)
		if ! record "$1-twin" $attach; then
			kill $rec 2>/dev/null
			hist_stop
			irq_witness_stop /dev/null
			echo "the second collector did not start: $(tail -n 1 "$out/rules-$1-twin.err")"
			return 1
		fi
		twin=$rec
		;;
	esac
	if ! record "$1" $attach; then
		kill $rec $twin 2>/dev/null
		hist_stop
		irq_witness_stop /dev/null
		echo "the collector did not start: $(tail -n 1 "$out/rules-$1.err")"
		return 1
	fi
	/bin/exitscope-vmm --flat /l2/vmexit-bench.bin --cpus 1 --timeout 20 \
		--cmdline "ops=$ops reps=1 $2" </dev/null >"$out/rules-$1.log" 2>&1 &
	vmm=$!
	stall=
	case $3 in
	*,hog)
		while :; do :; done </dev/null >/dev/null 2>&1 &
		stall=$!
		;;
	*,stall)
		while kill -STOP $vmm 2>/dev/null; do
			sleep 0.005
			kill -CONT $vmm
			sleep 0.01
		done </dev/null >/dev/null 2>&1 &
		stall=$!
		;;
	esac
	wait $vmm
	status=$?
	[ -z "$stall" ] || { kill $stall; wait $stall 2>/dev/null; }
	kill -TERM $rec $twin
	wait $rec
	rstatus=$?
	if [ -n "$twin" ]; then
		wait $twin || rstatus=$?
	fi
	cat "${trigger%/trigger}/hist" >"$out/rules-$1-hist.txt"
	cat "${pf_trigger%/trigger}/hist" >"$out/rules-$1-pf.txt"
	hist_stop
	irq_witness_stop "$out/rules-$1-irq.txt"
	[ $status -eq 0 ] && [ $rstatus -eq 0 ] && return 0
	echo "vmexit-bench '$2' exited $status, the collector $rstatus: $(tail -n 1 "$out/rules-$1.log")"
	# 68: the VMM's timeout. In hlt, the vCPU halted for good; in tick,
	# it waits for ticks that no longer come: either way the timer lost.
	case $status:$2 in 68:hlt* | 68:tick*) return 2 ;; esac
	return 1
}

while IFS='	' read -r name setting words _; do
	mode=${setting%%,*}
	timer=
	case $setting in *,hrtimer*) timer=hrtimer ;; esac
	if ! paging "$mode" $timer; then
		echo "not ok - $name: cannot load $vendor with $knob for $mode paging"
		failed=$((failed + 1))
		continue
	fi
	# A guest timer interrupt is lost now and then while the vCPU halts
	# with the collector attached (KVM 6.1 under QEMU's nested SVM: no
	# APIC timer armed, the vCPU blocked, the guest halted with IF=1;
	# docs/explain.md): up to three tries, each failed one said, its log
	# kept. A hlt or tick case lost three times is a skip that says why,
	# not a finding of explain's.
	try=1 lost=0
	until why=$(run "$name" "$words" "$setting"); do
		[ $? -eq 2 ] && lost=$((lost + 1))
		echo "# $name: try $try failed: $why"
		cp "$out/rules-$name.log" "$out/rules-$name-try$try.log"
		try=$((try + 1))
		[ $try -le 3 ] || break
	done
	if [ $try -le 3 ]; then
		echo "ok - $name: vmexit-bench '$words', $setting, recorded (try $try)"
	elif [ $lost -eq 3 ]; then
		echo "skip - $name: the guest's timer interrupt was lost in all three tries (the vCPU halted for good)"
		: >"$out/rules-$name.lost"
	else
		echo "not ok - $name: $why"
		failed=$((failed + 1))
	fi
done <"$out/rules.tsv"
exit "$failed"
