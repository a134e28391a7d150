#!/bin/busybox sh
# /init of L1 for the benchmark (lab/bench.sh): one sitting, one L1 (Debian's
# kernel), one L2 image (the flat vmexit-bench). For each configuration of
# exitscope.configs: load that KVM (Debian's stock modules or exitscope's in
# one of its modes), start the tracing peer it names, if any, from the
# Debian root file system on /dev/vda (perf, bpftrace, bcc) or exitscope's
# BPF collector, run the
# benchmark VM with 1 and more vCPUs, stop the peer and keep what it saw.
# Everything goes to the host through the results channel.
. /lib/exitscope/l1-lib.sh
l1_mounts
cpu=$(arg cpu); configs=$(arg configs); vcpus=$(arg vcpus); cases=$(arg cases)
tracer_vcpus=$(arg tracer_vcpus)
[ "$cases" = all ] && cases=	# vmexit-bench runs every case it has
case $cpu in
amd)	vendor=kvm-amd; knob=npt ;;
intel)	vendor=kvm-intel; knob=ept ;;
*)	fail "exitscope.cpu='$cpu' (amd or intel)" ;;
esac
m=/lib/modules/exitscope
for d in $(cat $m/deps); do insmod $m/$d.ko || fail "insmod $d"; done
mkdir -p /out
printf '%s\n' "cpu=$cpu" "l1_kernel=$(uname -r)" "configs=$configs" "vcpus=$vcpus" \
	"tracer_vcpus=$tracer_vcpus" >/out/bench-info.txt
# The peers' root file system: read-only, with what it needs mounted in.
peers=/peers
if [ -f /lib/exitscope/disk-modules ]; then
	for d in $(cat /lib/exitscope/disk-modules); do modprobe $d || fail "modprobe $d"; done
	t=0
	while [ ! -e /dev/vda ] && [ $t -lt 30 ]; do sleep 1; t=$((t + 1)); done
fi
if [ -e /dev/vda ]; then
	mkdir -p $peers
	mount -o ro /dev/vda $peers || fail "cannot mount the peers' root file system"
	for d in proc sys dev; do mount --bind /$d $peers/$d; done
	# A bind is not recursive: debugfs (kvm_stat finds it in /proc/mounts,
	# and tracing/ in it) again inside.
	mount -t debugfs debugfs $peers/sys/kernel/debug 2>/dev/null
	mount -t tmpfs tmpfs $peers/tmp
	mount -t tmpfs tmpfs $peers/run
	mount -t bpf bpf $peers/sys/fs/bpf 2>/dev/null
fi
in_peers() { chroot $peers /usr/bin/env -C /tmp PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/tmp "$@"; }
# peer_bg LOG CMD...: CMD from the peers' root file system in the background
# as a simple command, so that $peer is the tool itself (chroot and env exec
# it): the Ctrl-C of stop_peer reaches the tool, not a subshell around it.
# Its input is as at a terminal nobody types at: a FIFO that has no data and
# no end. A background job's /dev/null is at its end for ever, and `perf kvm
# stat live`, which polls its input for 'q', then never sleeps: it took
# 17,133 ticks per CPUID so, 5,892 so.
peer_bg() {
	log=$1
	shift
	[ -p $peers/tmp/peer-input ] || mkfifo $peers/tmp/peer-input
	chroot $peers /usr/bin/env -C /tmp PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/tmp "$@" \
		>"$log" 2>&1 0<>$peers/tmp/peer-input &
	peer=$!
}
now() { cut -d' ' -f1 /proc/uptime; }

# load SET [MODE]: kvm.ko and the vendor module of SET (stock or exitscope),
# exitscope's in accounting MODE; 1 with $why if that cannot be done.
load() {
	rmmod $vendor 2>/dev/null
	rmmod kvm 2>/dev/null
	if [ -d /sys/module/kvm ]; then
		why="kvm.ko still in use after the previous configuration (refcnt $(cat /sys/module/kvm/refcnt))"
		return 1
	fi
	insmod $m/$1/kvm.ko ${2:+exit_stats=$2} || { why="insmod $1 kvm.ko $2 failed"; return 1; }
	insmod $m/$1/$vendor.ko $knob=1 || { why="insmod $1 $vendor.ko failed"; return 1; }
}

# start_peer CONFIG: the tracing tool of CONFIG, in the background ($peer);
# 1 with $why if it cannot start.
start_peer() {
	peer=
	case $1 in
	tracepoint-hist)
		echo 'hist:keys=exit_reason:vals=hitcount:size=4096' \
			>/sys/kernel/tracing/events/kvm/kvm_exit/trigger ||
			{ why="cannot set the kvm_exit hist trigger"; return 1; } ;;
	perf-record)
		peer_bg /out/peer-$1.log perf kvm stat record -a -o /tmp/perf.data ;;
	perf-live)
		peer_bg /out/peer-$1.log perf kvm stat live -d 1 ;;
	bpftrace-count)
		peer_bg /out/peer-$1.log bpftrace -e \
			'tracepoint:kvm:kvm_exit { @exits[args->exit_reason] = count(); }' ;;
	bpftrace-hist)
		peer_bg /out/peer-$1.log bpftrace -e '
tracepoint:kvm:kvm_exit { @start[tid] = nsecs; @reason[tid] = args->exit_reason; }
tracepoint:kvm:kvm_entry /@start[tid]/ {
	@ns[@reason[tid]] = hist(nsecs - @start[tid]);
	delete(@start[tid]);
}' ;;
	bcc-kvmexit)
		peer_bg /out/peer-$1.log kvmexit-bpfcc ;;
	# The kernel's kvm_stat (tools/kvm/kvm_stat), logging a CSV line a
	# second: per-reason kvm_exit counters (perf events with a filter per
	# reason: its tracepoint mode), or KVM's own debugfs statistics.
	kvm-stat)
		cp /lib/exitscope/kvm_stat $peers/tmp/kvm_stat
		peer_bg /out/peer-$1.log python3 -u /tmp/kvm_stat -t -l -c -s 1 -f kvm_exit ;;
	kvm-stat-debugfs)
		cp /lib/exitscope/kvm_stat $peers/tmp/kvm_stat
		peer_bg /out/peer-$1.log python3 -u /tmp/kvm_stat -d -l -c -s 1 -f exits ;;
	# The collector as it chooses (tp_btf here), and in the tp fallback.
	exitscope-bpf*)
		case $1 in *-tp) src=bpf:tp ;; *) src=bpf ;; esac
		case $1 in exitscope-bpf-counts*) timing=--no-timing ;; *) timing= ;; esac
		/bin/exitscope record -v --source $src $timing --duration 0 --json \
			>/out/peer-$1.json 2>/out/peer-$1.log &
		peer=$! ;;
	bpf-floor)
		/bin/bpf-floor >/out/peer-$1.log 2>&1 &
		peer=$! ;;
	bpf-floor-*)	# the floor with one part more or less (bpf-floor.bpf.c)
		/bin/bpf-floor ${1#bpf-floor-} >/out/peer-$1.log 2>&1 &
		peer=$! ;;
	esac
	[ -n "$peer" ] || return 0
	# Attached: bpftrace and bcc say so; perf says nothing, give it time.
	t=0
	while [ $t -lt 600 ]; do
		grep -q -e 'Attaching' -e 'Hit Ctrl-C' -e 'recording until' -e '^timestamp' \
			/out/peer-$1.log 2>/dev/null &&
			break
		case $1 in perf-*) [ $t -ge 20 ] && break ;; esac
		if ! kill -0 $peer 2>/dev/null; then
			why="$1 exited before it attached: $(tail -n 2 /out/peer-$1.log | tr '\n' ' ')"
			peer=
			return 1
		fi
		sleep 1
		t=$((t + 1))
	done
	sleep 2
}

# stop_peer CONFIG: stop it the way a person would (Ctrl-C), keep its output.
stop_peer() {
	case $1 in
	tracepoint-hist)
		cat /sys/kernel/tracing/events/kvm/kvm_exit/hist >/out/peer-$1.log
		echo '!hist:keys=exit_reason:vals=hitcount:size=4096' \
			>/sys/kernel/tracing/events/kvm/kvm_exit/trigger ;;
	esac
	[ -n "$peer" ] || return 0
	# perf's live view and kvm_stat print a window each second, and a Ctrl-C
	# while they wait skips the last one: let them show the benchmark's first.
	case $1 in perf-live|kvm-stat*) sleep 3 ;; esac
	kill -INT $peer 2>/dev/null
	t=0
	while kill -0 $peer 2>/dev/null && [ $t -lt 120 ]; do sleep 1; t=$((t + 1)); done
	kill -KILL $peer 2>/dev/null
	wait $peer 2>/dev/null
	if [ "$1" = perf-record ]; then
		stage "report-$1" 1200 "$1: perf kvm stat report"
		in_peers perf kvm -i /tmp/perf.data stat report --event=vmexit >>/out/peer-$1.log 2>&1
		rm -f $peers/tmp/perf.data
	fi
	peer=
}

# skip CONFIG: it cannot run here; bench-report lists it with $why.
skip() {
	echo "$why" | head -c 200 >/out/failed-$1.txt
	echo "exitscope bench: $1 cannot run: $why"
}

# A warm-up run, discarded: right after boot L1 may still be busy (6.12's
# first configuration measured up to 3x slower in some repetitions, even
# exit-free cr3), and the first configuration must not pay for that.
stage warmup 300 "warm-up run (discarded)"
load stock && /bin/exitscope-vmm --flat /l2/vmexit-bench.bin --cpus 1 --timeout 1000 \
	--cmdline "$cases" </dev/null >/out/warmup.log 2>&1
for cfg in $(echo "$configs" | tr , ' '); do
	case $cfg in
	stock)			load stock ;;
	exitscope-off)		load exitscope off ;;
	exitscope-counts)	load exitscope counts ;;
	exitscope-cycles)	load exitscope cycles ;;
	*)			load stock ;;		# a peer on stock KVM
	esac || { skip $cfg; continue; }
	# exitscope's counting modes let the guest read its figures (the query
	# cases); elsewhere there is no interface to opt in to.
	case $cfg in exitscope-counts|exitscope-cycles) opts="--guest-stats user" ;; *) opts= ;; esac
	stage "peer-$cfg" 900 "$cfg: starting"
	if ! start_peer $cfg; then
		skip $cfg
		stop_peer $cfg
		continue
	fi
	# The tracing configurations run with their own vCPU counts (by default
	# 1: their cost per exit against counts'; the scale is the modes').
	case $cfg in
	stock|exitscope-off|exitscope-counts|exitscope-cycles) list=$vcpus ;;
	*) list=$tracer_vcpus ;;
	esac
	for n in $(echo "$list" | tr , ' '); do
		stage "bench-$cfg-$n" 1200 "$cfg: vmexit-bench, $n vCPU(s)"
		t0=$(now)
		/bin/exitscope-vmm --flat /l2/vmexit-bench.bin --cpus $n --timeout 1000 $opts \
			--cmdline "$cases" --kvm-stats /out/kvmstat-$cfg-$n.txt \
			</dev/null >/out/bench-$cfg-$n.log 2>&1
		echo "status $? seconds $(awk -v a="$t0" -v b="$(now)" 'BEGIN { print b - a }')" \
			>>/out/bench-$cfg-$n.log
	done
	stop_peer $cfg
done
dmesg >/out/l1-dmesg.txt
send_results /out
