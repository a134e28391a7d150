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
jit=$(arg jit)		# 1: keep each configuration's JIT images (dump_jit)
rounds=$(arg rounds)
[ -n "$rounds" ] || rounds=1
# Over several L1 boots (lab/bench.sh --boots), this boot's rounds are
# round_base + 1 to round_base + rounds of rounds_total.
round_base=$(arg round_base)
[ -n "$round_base" ] || round_base=0
rounds_total=$(arg rounds_total)
[ -n "$rounds_total" ] || rounds_total=$rounds
[ "$cases" = all ] && cases=	# vmexit-bench runs every case it has
l1_vendor "$cpu"
l1_deps
mkdir -p /out
printf '%s\n' "cpu=$cpu" "l1_kernel=$(uname -r)" "configs=$configs" "vcpus=$vcpus" \
	"tracer_vcpus=$tracer_vcpus" "rounds=$rounds_total" >/out/bench-info.txt
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
# What lab/bench-peers.sh needs: the peers run chrooted in their root file
# system, with L1's kvm_stat copied in.
out=/out
peer_prefix="chroot $peers /usr/bin/env -C /tmp PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/tmp"
peer_tmp=/tmp
peer_tmp_here=$peers/tmp
es_bin=/bin/exitscope
floor_bin=/bin/bpf-floor
jited_bin=/bin/bpf-jited
kvm_stat=/tmp/kvm_stat
[ -d $peers/tmp ] && cp /lib/exitscope/kvm_stat $peers/tmp/kvm_stat
. /lib/exitscope/bench-peers.sh
now() { cut -d' ' -f1 /proc/uptime; }

# load SET [MODE]: kvm.ko and the vendor module of SET (stock, stock-rebuilt
# or exitscope),
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
# The configurations in rounds (exitscope.rounds, default 1): each round
# runs every one, the order reversed in every even round of the sitting
# (A B C, C B A), so that bench-report pairs each run with stock's of the
# same round and a drift lands on both sides.
reversed=
for c in $(echo "$configs" | tr , ' '); do reversed=$c${reversed:+,$reversed}; done
round=1
while [ "$round" -le "$rounds" ]; do
	k=$((round_base + round))	# the round's number in the whole sitting
	order=$configs
	[ $((k % 2)) -eq 0 ] && order=$reversed
	round_text=
	[ "$rounds_total" -gt 1 ] && round_text=", round $k/$rounds_total"
	for cfg in $(echo "$order" | tr , ' '); do
		[ -e /out/failed-$cfg.txt ] && continue	# it could not run in an earlier round
		case $cfg in
		stock)			load stock ;;
		stock-rebuilt)		load stock-rebuilt ;;
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
		# Once a sitting: in its first boot (the same programs in each).
		[ "$jit" = 1 ] && [ "$round_base" = 0 ] && dump_jit $cfg
		case $cfg in
		stock|stock-rebuilt|exitscope-off|exitscope-counts|exitscope-cycles) list=$vcpus ;;
		*) list=$tracer_vcpus ;;
		esac
		for n in $(echo "$list" | tr , ' '); do
			sfx=-$n
			[ "$rounds_total" -gt 1 ] && sfx=-$n-r$k
			stage "bench-$cfg$sfx" 1200 "$cfg: vmexit-bench, $n vCPU(s)${round_text}"
			t0=$(now)
			/bin/exitscope-vmm --flat /l2/vmexit-bench.bin --cpus $n --timeout 1000 $opts \
				--cmdline "$cases" --kvm-stats /out/kvmstat-$cfg$sfx.txt \
				</dev/null >/out/bench-$cfg$sfx.log 2>&1
			echo "status $? seconds $(awk -v a="$t0" -v b="$(now)" 'BEGIN { print b - a }')" \
				>>/out/bench-$cfg$sfx.log
		done
		stop_peer $cfg
		if [ "$rounds_total" -gt 1 ]; then
			for f in /out/peer-$cfg.*; do
				[ -e "$f" ] && mv "$f" "${f%.*}-r$k.${f##*.}"
			done
		fi
	done
	round=$((round + 1))
done
dmesg >/out/l1-dmesg.txt
send_results /out
