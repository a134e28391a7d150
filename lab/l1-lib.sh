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
