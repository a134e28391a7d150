# Sourced by L1's /init scripts (busybox sh): the markers the host follows
# on the console, the kernel command line, and the results channel.
# stage KEY LIMIT [TEXT...]: a new stage. KEY names it for good (timing.tsv,
# expected times, benchmarks), LIMIT is how many seconds it may take before
# the host calls it hung, TEXT is for people.
stage() { echo "EXITSCOPE-STAGE $*"; }
fail() { echo "EXITSCOPE-FAIL $*"; poweroff -f; }
# alive_start: a line on the console every 15 s for the rest of the run.
# Once the host has seen one, silence in any stage means L1 stopped (QEMU's
# nested SVM hang, docs/lab.md), found in a minute rather than at the end
# of a long stage's limit. alive_stop: tests only, an L1 going quiet.
alive_start() { (while :; do echo EXITSCOPE-ALIVE; sleep 15; done) & alive_pid=$!; }
alive_stop() { kill "$alive_pid" 2>/dev/null; }
# arg NAME: exitscope.NAME= of the kernel command line.
arg() { sed -n "s/.*exitscope\.$1=\([^ ]*\).*/\1/p" /proc/cmdline; }

# The first mounts of an initramfs /init.
l1_mounts() {
	/bin/busybox --install -s /bin
	mount -t proc proc /proc
	mount -t sysfs sys /sys
	mount -t devtmpfs dev /dev
	mount -t debugfs debugfs /sys/kernel/debug
	mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
}

# l1_vendor CPU: the vendor module (vendor) and its nested paging
# parameter (knob) of exitscope.cpu.
l1_vendor() {
	case $1 in
	amd)	vendor=kvm-amd; knob=npt ;;
	intel)	vendor=kvm-intel; knob=ept ;;
	*)	fail "exitscope.cpu='$1' (amd or intel)" ;;
	esac
}

# l1_deps: the kernel's own modules KVM needs (irqbypass; on Debian's AMD
# kernel also ccp), in the order the host wrote them (lab/run-lib.sh's
# strip_deps); m is their directory from then on.
l1_deps() {
	m=/lib/modules/exitscope
	for d in $(cat $m/deps); do insmod $m/$d.ko || fail "insmod $d"; done
}

# The host's interrupts that the VMM's threads took: the timer's and the
# IPIs' tracepoints by vector, the devices' (irq_handler_entry) by IRQ
# number (a device's vector is the kernel's choice, not in its tracepoint),
# counted by hist triggers filtered by the thread's name. The witness of
# the collector's host-vector keys (tests/lab/check-detail-witness.py): an
# interrupt exit's system vector must be one the thread took at least as
# often, and the exits of the devices' vectors at most the devices'
# interrupts it took. On SVM the collector's own programs for INTR exits
# attach to the system vectors' tracepoints too (so a bound there, not a
# witness of each exit); VMX reads the vector from the VMCS.
irq_witness="irq_vectors/local_timer_entry:vector irq_vectors/reschedule_entry:vector
	irq_vectors/call_function_entry:vector irq_vectors/call_function_single_entry:vector
	irq_vectors/irq_work_entry:vector irq_vectors/x86_platform_ipi_entry:vector
	irq/irq_handler_entry:irq"
# irq_trigger FIELD: the hist trigger of one of them.
irq_trigger() { echo "hist:keys=$1:vals=hitcount if comm == \"exitscope-vmm\""; }
# irq_witness_start: the triggers set; 1 (and the event) if one cannot be.
irq_witness_start() {
	local w
	for w in $irq_witness; do
		irq_trigger "${w#*:}" >/sys/kernel/tracing/events/${w%:*}/trigger ||
			{ echo "${w%:*}"; return 1; }
	done
}
# irq_witness_stop FILE: the counts appended to FILE, the triggers removed.
irq_witness_stop() {
	local w
	for w in $irq_witness; do
		cat /sys/kernel/tracing/events/${w%:*}/hist >>"$1"
		echo "!$(irq_trigger "${w#*:}")" >/sys/kernel/tracing/events/${w%:*}/trigger
	done
}

# send_results DIR: every file of DIR to the host on the second serial
# port, each framed with its size and SHA-256 (lab/unframe.sh), then the
# end marker; then power off. The port is opened once for all of it: each
# last close of a serial port shuts the UART down, which clears its
# transmit FIFO, and under Bochs bytes still in it were lost (a transfer
# cut by a few hundred bytes, a NUL in their place, twice in a row).
send_results() {
	local f n
	stage send 90 "sending the results"
	exec 3>/dev/ttyS1
	stty -F /dev/ttyS1 raw -echo 115200 2>/dev/null
	for f in "$1"/*; do
		n=$(basename "$f")
		sum=$(sha256sum <"$f" | cut -d' ' -f1)
		# Tests only (EXITSCOPE_LAB_INJECT=corrupt): one file arrives damaged.
		[ "$(arg inject)" = corrupt ] && [ "$n" = metadata.txt ] &&
			sum=$(echo damaged | sha256sum | cut -d' ' -f1)
		echo "EXITSCOPE-FILE $n $(wc -c <"$f") $sum" >&3
		cat "$f" >&3
		echo "EXITSCOPE-END $n" >&3
	done
	echo "EXITSCOPE-ALL-SENT" >&3
	# The last close waits until the port has sent everything.
	exec 3>&-
	stage done 30 "all sent"
	sleep 1
	poweroff -f
}
