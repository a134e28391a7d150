# Sourced by lab/run-lib.sh: boot L1 in the emulator (Bochs for intel, QEMU
# TCG for amd) and follow its console until L1 has sent every result.
# Uses the run's settings: cpu, top, work, out, console, append, l1kernel,
# timeout, inject, emulator_step (optional: the step counter to show;
# l1_boot sets it), emulator_qemu_extra (optional array: more QEMU
# arguments) and emulator_tsc_khz (optional: L1's TSC frequency, where it
# is not the host's); and its step/log/error/die helpers (lab/progress.sh).
emulator_qemu_extra=("${emulator_qemu_extra[@]}")

# emulator_prepare: what the emulator boots from. Bochs boots only from
# disks: a GRUB rescue ISO holds kernel and initrd. QEMU loads them itself.
emulator_prepare() {
	[ "$cpu" = intel ] || return 0
	mkdir -p "$work/iso/boot/grub"
	cp "$l1kernel" "$work/iso/boot/bzImage"
	cp "$work/l1.cpio" "$work/iso/boot/l1.cpio"	# again for the next boot (bench --boots)
	printf 'set timeout=0\nmenuentry exitscope {\n\tlinux /boot/bzImage %s\n\tinitrd /boot/l1.cpio\n}\n' \
		"$append" >"$work/iso/boot/grub/grub.cfg"
	grub-mkrescue -o "$work/l1.iso" "$work/iso" >/dev/null 2>&1 ||
		die "grub-mkrescue failed (packages grub-pc-bin, xorriso, mtools)"
	cat >"$work/bochsrc" <<BOCHS
megs: 1024
cpu: model=corei7_haswell_4770, count=1, ips=75000000, reset_on_triple_fault=1
clock: sync=none, time0=1
romimage: file=/usr/share/bochs/BIOS-bochs-latest
vgaromimage: file=/usr/share/bochs/VGABIOS-lgpl-latest
ata0-master: type=cdrom, path="$work/l1.iso", status=inserted
boot: cdrom
com1: enabled=1, mode=file, dev="$console"
com2: enabled=1, mode=file, dev="$work/results.raw"
display_library: rfb, options="timeout=0"
log: $work/bochs.log
error: action=report, cpu0=ignore
panic: action=fatal
sound: driver=dummy
speaker: enabled=0
BOCHS
	echo c >"$work/bochs.rc"
}

# hung WHY: the emulator stopped making progress (L1 silent, or L2 never
# entered): show the evidence, save QEMU's view of the CPU, stop it.
hung() {
	if [ -p "$work/monitor.in" ]; then
		echo "info registers" >"$work/monitor.in"
		timeout 2 cat "$work/monitor.out" 2>/dev/null | sed -n '/^CPU#/,$p' >"$out/l1-hung-cpu.txt"
	fi
	kill "$emu_pid" 2>/dev/null
	tail -n 15 "$console" >&2
	error "the emulator hung in stage '$last': $1 (full log: $console)"
}

# run_emulator: boot L1 and follow it until it has sent everything (0),
# or it hangs (2, see hung); any other failure ends the lab.
run_emulator() {
	: >"$console"
	rm -f "$work/results.raw"
	if [ "$cpu" = amd ]; then
		# TCG's TSC is the host's: tell L1 its frequency rather than have
		# it calibrate against the emulated PIT, which fails now and then
		# (tsc_khz 0, and KVM then never enters a guest; docs/lab.md).
		# Under -icount (the benchmark), time is the emulator's own: a
		# tick per instruction, emulator_tsc_khz says so.
		tsckhz=${emulator_tsc_khz:-$("$top/build/bin/exitscope" tsc-khz)} || tsckhz=
		# A monitor on two pipes: on a hang, QEMU says where L1's CPU is.
		rm -f "$work"/monitor.*
		mkfifo "$work/monitor.in" "$work/monitor.out"
		# L1's TSC is the host's: it runs on while the machine's other
		# work holds QEMU's thread off its CPU (a timeslice, ~10 ms), and
		# such a stall between two clock reads a few instructions apart
		# lands in one figure and not the other (the lab's time-away
		# checks, tests/lab/check-lab.sh). Bochs' clock is its own
		# instruction count and has none. As root, QEMU goes first.
		local prio=()
		[ "$(id -u)" != 0 ] || prio=(nice -n -10)
		"${prio[@]}" qemu-system-x86_64 -accel tcg,thread=single -cpu EPYC,+svm,+npt -m 2G -smp 1 \
			-kernel "$l1kernel" -initrd "$work/l1.cpio" -append "$append${tsckhz:+ tsc_early_khz=$tsckhz}${inject:+ exitscope.inject=${inject%%,*}}" \
			-display none -monitor "pipe:$work/monitor" -no-reboot \
			-serial "file:$console" -serial "file:$work/results.raw" \
			"${emulator_qemu_extra[@]}" 2>"$work/emulator.err" &
	else
		bochs-bin -q -f "$work/bochsrc" -rc "$work/bochs.rc" </dev/null >"$work/emulator.err" 2>&1 &
	fi
	emu_pid=$!

	# Follow the console: stage markers show progress; no progress in
	# time, a failure marker or the emulator dying early end the run.
	# L1 names each stage and its time limit (lab/l1-lib.sh); booting is
	# the host's own stage.
	# The run's --timeout counts from here, the emulator's start: not the
	# lab's, whose first run on a new machine builds two kernels first (a
	# cold CI's build took 20 of its 15 minutes before L1 booted).
	last=boot since=$SECONDS heard=$SECONDS
	local seen=0 lines line limit alive= quiet started=$SECONDS
	# L1's alive line comes every 15 s of its own time; Bochs' time runs
	# slower than the wall's and has shown no hang (docs/lab.md).
	quiet=$([ "$cpu" = amd ] && echo 60 || echo 240)
	# The heartbeat's 10 s likewise: ~19 s of the wall under Bochs here.
	local beat; beat=$([ "$cpu" = amd ] && echo 45 || echo 150)
	# A hang injected by a test (AMD only): the same watch, sooner, so
	# that make check waits less (L1's lines come every 10 and 15 s); the
	# alive line's limit still after a selftest's stage limit (35 s) and
	# 30 s of silence, which check-selftests-hang.sh wants to see first.
	[ -z "$inject" ] || quiet=40 beat=20
	limit=$([ "$cpu" = amd ] && echo 120 || echo 300)
	while kill -0 "$emu_pid" 2>/dev/null; do
		sleep 0.25
		# One snapshot of what is new, so that the lines handled and the
		# lines counted are the same ones: a line still being written has
		# no newline yet, is not counted, and comes again next time.
		tail -n +$((seen + 1)) "$console" 2>/dev/null | tr -d '\r' >"$work/console.new"
		while IFS= read -r line; do
			[[ $line == EXITSCOPE-* ]] && heard=$SECONDS
			case $line in
			EXITSCOPE-STAGE*) set -- ${line#EXITSCOPE-STAGE }
				last=$1 limit=${2:-120} since=$SECONDS
				[[ $limit =~ ^[0-9]+$ ]] || limit=120
				shift 2
				step "${emulator_step:-6/6}" "l1:$last" "L1: $*" ;;
			EXITSCOPE-ALIVE*) alive=1 ;;
			EXITSCOPE-HEARTBEAT*) step "${emulator_step:-6/6}" heartbeat "L1: still running L2: ${line#EXITSCOPE-HEARTBEAT }" ;;
			"EXITSCOPE-FAIL stuck: "*) sleep 1; hung "${line#EXITSCOPE-FAIL stuck: }"; return 2 ;;
			EXITSCOPE-FAIL*) kill "$emu_pid"; tail -n 15 "$console" >&2
				die "L1 failed in stage '$last': ${line#EXITSCOPE-FAIL } (full log: $console)" ;;
			esac
		done <"$work/console.new"
		lines=$(wc -l <"$work/console.new")
		# Only L1's own markers are signs of life: a kernel that prints
		# (a soft lockup or an RCU stall, every 20 s or so) while its one
		# CPU is stuck is not running L1's scripts (a CI run waited 900 s
		# on such a chatty hang).
		[ "$lines" -gt 0 ] && [ "$last" = boot ] && heard=$SECONDS
		seen=$((seen + lines))
		# While L2 runs, L1 prints a heartbeat every 10 s: silence is a hang.
		if [[ $last == l2-* ]] && [ $((SECONDS - heard)) -gt "$beat" ]; then
			hung "L1 silent for $((SECONDS - heard)) s, no heartbeat"
			return 2
		fi
		# In any other stage, once L1 has said it is alive (lab/l1-lib.sh).
		if [ -n "$alive" ] && [ $((SECONDS - heard)) -gt "$quiet" ]; then
			hung "L1 silent for $((SECONDS - heard)) s, no alive line"
			return 2
		fi
		# Everything sent (the data channel says so, not the console, where
		# kernel messages can cut into a line): stop the emulator; Bochs has
		# no ACPI power-off with this L1.
		if grep -aq '^EXITSCOPE-ALL-SENT' "$work/results.raw" 2>/dev/null; then
			kill "$emu_pid" 2>/dev/null || true
			break
		fi
		# Past its limit and silent for 30 s: L1 no longer runs (its own
		# time limits, as a selftest's, would have ended the stage).
		if [ $((SECONDS - since)) -gt "$limit" ] && [ $((SECONDS - heard)) -gt 30 ]; then
			hung "L1 silent for $((SECONDS - heard)) s, past the stage's limit of $limit s"
			return 2
		fi
		if [ $((SECONDS - since)) -gt "$limit" ]; then
			kill "$emu_pid"; tail -n 15 "$console" >&2
			die "timeout in stage '$last' after $((SECONDS - since)) s, its limit $limit s (full log: $console)"
		fi
		if [ $((SECONDS - started)) -gt "$timeout" ]; then
			kill "$emu_pid"; tail -n 15 "$console" >&2
			die "timeout: the emulator ran $((SECONDS - started)) s, past --timeout $timeout s, in stage '$last' (full log: $console)"
		fi
	done
	wait "$emu_pid" 2>/dev/null || true
	emu_pid=
	grep -aq '^EXITSCOPE-ALL-SENT' "$work/results.raw" 2>/dev/null || {
		tail -n 5 "$work/emulator.err" >&2
		tail -n 15 "$console" >&2
		die "the emulator stopped in stage '$last' before L1 sent its results (full log: $console)"
	}
}

# emulator_run TEXT: run_emulator, then unpack L1's results into $out.
# QEMU 7.2's nested SVM has hung now and then, and Bochs' serial port has
# changed or lost bytes of the results (docs/lab.md): a hang, and a
# transfer whose checksum fails, each get one more try (a corrupt transfer
# and then a hang are two different accidents: 3 attempts at most), TEXT
# the progress line; the evidence is kept. A wrong result never does.
emulator_run() {
	local rc hung_once= corrupt_once=
	while :; do
		rc=0
		run_emulator || rc=$?
		# Tests: an injected accident per attempt, in the order given.
		[[ $inject == *,* ]] && inject=${inject#*,} || inject=
		if [ $rc -eq 2 ]; then
			[ -z "$hung_once" ] ||
				die "the emulator hung on the second try too (logs: $out/l1-hung.log, $console)"
			hung_once=1
			mv "$console" "$out/l1-hung.log"
			log "retrying once after the hang (its console: $out/l1-hung.log)"
			step "${emulator_step:-6/6}" emulator-again "emulator again: $1"
			continue
		fi
		"$top/lab/unframe.sh" "$work/results.raw" "$out" && return 0
		cp "$work/results.raw" "$out/results-corrupt.raw"
		[ -z "$corrupt_once" ] ||
			die "results from L1 are corrupt or incomplete twice (raw data: $out/results-corrupt.raw)"
		corrupt_once=1
		log "retrying once after a corrupt transfer (raw data kept: $out/results-corrupt.raw)"
		step "${emulator_step:-6/6}" emulator-again "emulator again: $1"
	done
}
