#!/usr/bin/env bash
# make bench-host: the benchmark on a real host (issue 21, part 6). The same
# flat vmexit-bench under exitscope-vmm, on the host's /dev/kvm, the vCPUs
# pinned, each configuration in turn and the whole list again in each
# round (reversed every other round: A B C, C B A, A B C), so that what a
# configuration adds is paired with stock's run of the same round. perf
# stat counts the VMM's cycles and instructions, divided by KVM's own exits
# of the VM. Writes DIR/bench.json (exitscope.bench/1, "clock": "cycles")
# and prints the same table as make bench. docs/benchmarks.md, "On your own
# hardware".
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/lib.sh"

peer_configs=exitscope-bpf-counts,exitscope-bpf,exitscope-bpf-counts-detail,exitscope-bpf-detail,exitscope-bpf-counts-tp,exitscope-bpf-tp,bpf-floor,bpf-floor-noread,tracepoint-hist,perf-record,perf-live,bpftrace-count,bpftrace-hist,bcc-kvmexit,kvm-stat,kvm-stat-debugfs
module_configs=exitscope-off,exitscope-counts,exitscope-cycles
default_configs=stock,exitscope-bpf-counts,exitscope-bpf,bpf-floor,tracepoint-hist,bpftrace-count
usage() {
	cat <<EOF
usage: make bench-host HOST='[options]'   (or scripts/bench-host.sh [options])

The benchmark on this machine's own /dev/kvm, which must be hardware
virtualization (Intel VT-x or AMD-V). Tracing tools run on the host's KVM
modules as they are; exitscope's modules only with --modules.

  --only LIST        configurations, comma-separated (default
                     $default_configs), from: stock,
                     $peer_configs
                     and, with --modules, $module_configs
  --rounds N         rounds, each running every configuration (default 3)
  --cases LIST       vmexit-bench's command line (default
                     cpuid,vmcall,pio_kernel,pio_vmm,cr3,hlt)
  --vcpus LIST       vCPU counts (default 1); the tracing tools run with the
                     first
  --pin LIST         host CPUs the VMM's threads are pinned to, one per vCPU
                     (default: the last online CPUs)
  --modules DIR      also exitscope's modules: DIR has kvm.ko and the vendor
                     module (make modules). They replace the host's KVM for
                     their runs, which needs no VM running; the host's own
                     modules are loaded again at the end
  --smoke            run on a software KVM too (no VT-x/AMD-V), the stock
                     part only (the default --only then): a test that the
                     benchmark works, its figures mean nothing (make check)
  --out DIR          results directory (default results/bench/host)
  -h, --help         this text

Exit status: 0; 1 if stock or one of exitscope's configurations failed; 2 on
a wrong option or a machine it cannot measure on (no /dev/kvm, no hardware
virtualization).
EOF
}

only= rounds=3 cases=cpuid,vmcall,pio_kernel,pio_vmm,cr3,hlt vcpus=1 pin= modules= smoke=0
out=$top/results/bench/host
while [ $# -gt 0 ]; do
	case $1 in
	--only) only=${2:?--only needs a list}; shift ;;
	--rounds) rounds=${2:?--rounds needs a number}; shift ;;
	--cases) cases=${2:?--cases needs a list}; shift ;;
	--vcpus) vcpus=${2:?--vcpus needs a list}; shift ;;
	--pin) pin=${2:?--pin needs a CPU list}; shift ;;
	--modules) modules=${2:?--modules needs a directory}; shift ;;
	--smoke) smoke=1 ;;
	--out) out=${2:?--out needs a directory}; shift ;;
	-h|--help) usage; exit 0 ;;
	*) usage >&2; error "unknown option '$1'"; exit 2 ;;
	esac
	shift
done
refuse() { error "$@"; exit 2; }
[[ $rounds =~ ^[1-9][0-9]?$ ]] || refuse "invalid --rounds: '$rounds' (1 to 99)"
[[ $vcpus =~ ^[1-9][0-9]*(,[1-9][0-9]*)*$ ]] || refuse "invalid --vcpus: '$vcpus'"
[[ $cases =~ ^[a-z0-9_,=]*$ ]] || refuse "invalid --cases: '$cases'"
[ -z "$pin" ] || [[ $pin =~ ^[0-9]+(,[0-9]+)*$ ]] || refuse "invalid --pin: '$pin' (CPU numbers, comma-separated)"
[ $smoke = 1 ] && [ -z "$only" ] && only=stock
only=${only:-$default_configs}
allowed=,stock,$peer_configs,${modules:+$module_configs,}
for c in ${only//,/ }; do
	[[ $allowed == *,$c,* ]] && continue
	[[ ,$module_configs, == *,$c,* ]] && refuse "$c needs exitscope's modules: --modules DIR"
	refuse "unknown configuration '$c' (see --help)"
done
[[ ,$only, == *,stock,* ]] || refuse "--only must include stock: every figure is paired with it"
[ -z "$modules" ] || [ -f "$modules/kvm.ko" ] || refuse "--modules $modules: no kvm.ko there (make modules)"

# What this machine is. A software KVM (no vmx/svm flag: PVM, a nested
# hypervisor's emulation) runs the VMM, but its cost per exit is nothing a
# real host would see.
[ -e /dev/kvm ] || refuse "no /dev/kvm on this machine: nothing to measure (load kvm-intel or kvm-amd, or run make bench for the emulated lab)"
[ -r /dev/kvm ] && [ -w /dev/kvm ] || refuse "/dev/kvm is not readable and writable by $(id -un): run as root or join the kvm group"
case $(sed -n 's/^vendor_id[[:space:]]*: *//p' /proc/cpuinfo | head -n 1) in
GenuineIntel) cpu=intel flag=vmx ;;
AuthenticAMD|HygonGenuine) cpu=amd flag=svm ;;
*) refuse "this CPU is neither Intel nor AMD: $(sed -n 's/^vendor_id[[:space:]]*: *//p' /proc/cpuinfo | head -n 1)" ;;
esac
if ! grep -qw $flag /proc/cpuinfo; then
	[ $smoke = 1 ] || refuse "no hardware virtualization here (no '$flag' flag in /proc/cpuinfo): /dev/kvm is a software KVM, whose cost per exit means nothing for a real host. --smoke runs the stock part as a test"
	[ "$only" = stock ] || refuse "--smoke runs stock only: a software KVM has no kvm tracepoints for the tracing tools"
	log "bench-host: a smoke test on a software KVM: the figures mean nothing"
fi
[ -z "$modules" ] || [ -f "$modules/kvm-$cpu.ko" ] || refuse "--modules $modules: no kvm-$cpu.ko there (make modules)"

vmm=$top/build/bin/exitscope-vmm image=$top/build/guest/vmexit-bench.bin
es_bin=$top/build/bin/exitscope floor_bin=$top/build/bench/bpf-floor
for f in "$vmm" "$image" "$es_bin"; do [ -e "$f" ] || refuse "$f is missing: run make bench-host, not this script alone"; done

# Pinning: one host CPU per vCPU, by default the last ones (CPU 0 takes
# most of the host's interrupts).
online=$(awk -F- '{ print $NF }' /sys/devices/system/cpu/online 2>/dev/null | tr ',' '\n' | tail -n 1)
online=${online:-$(($(nproc) - 1))}
max_vcpus=$(tr ',' '\n' <<<"$vcpus" | sort -n | tail -n 1)
if [ -z "$pin" ]; then
	first=$((online + 1 - max_vcpus))
	[ $first -ge 0 ] || refuse "--vcpus $max_vcpus: this machine has $((online + 1)) CPUs"
	pin=$(seq -s, $first "$online")
fi
[ "$(tr ',' '\n' <<<"$pin" | wc -l)" -ge "$max_vcpus" ] || refuse "--pin $pin: fewer CPUs than --vcpus $max_vcpus"

mkdir -p "$out" || refuse "cannot create $out"
lock_out "$out" || refuse "$(lock_busy "$out")"
rm -f "$out"/bench-*.log "$out"/kvmstat-*.txt "$out"/perf-*.txt "$out"/failed-*.txt \
	"$out"/peer-* "$out"/bench.json "$out"/bench-info.txt
work=$(mktemp -d "${TMPDIR:-/tmp}/exitscope-bench-host.XXXXXX")
mounted=() loaded_vendor=
cleanup() {
	local m
	[ -n "${peer-}" ] && kill -INT "$peer" 2>/dev/null
	# The host's own KVM back, if this run replaced it.
	if [ -n "$loaded_vendor" ]; then
		rmmod "kvm_$cpu" kvm 2>/dev/null
		modprobe "kvm_$cpu" || error "could not load the host's kvm_$cpu again: modprobe kvm_$cpu"
	fi
	for m in "${mounted[@]}"; do umount "$m" 2>/dev/null; done
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# KVM's own statistics of the VM (its exits) are in debugfs; the hist
# trigger needs tracefs.
if [ "$(id -u)" = 0 ]; then
	if [ ! -d /sys/kernel/debug/kvm ] && mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null; then
		mounted+=(/sys/kernel/debug)
	fi
	if [ ! -d /sys/kernel/tracing/events ] && mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null; then
		mounted+=(/sys/kernel/tracing)
	fi
fi
[ -d /sys/kernel/debug/kvm ] ||
	log "bench-host: no /sys/kernel/debug/kvm (not root, or debugfs locked down): no KVM exits, so no cycles per exit"

# perf stat, where it can count (a PMU, perf_event_paranoid); without it
# the TSC figures of vmexit-bench still stand.
perf_ok=0
if [ "$(id -u)" != 0 ] && [ "$(cat /proc/sys/kernel/perf_event_paranoid 2>/dev/null || echo 2)" -gt 0 ]; then
	# Above 0, perf counts a user's process in user space only: KVM's
	# side of each exit, the whole point, would be missing.
	log "bench-host: perf would count user space only (kernel.perf_event_paranoid > 0, not root): TSC figures only"
elif command -v perf >/dev/null && perf stat -x, -e cycles -o "$work/probe" true 2>/dev/null; then
	perf_ok=1
	if grep -q '^<not' "$work/probe"; then
		log "bench-host: perf cannot count cycles here (no PMU?): TSC figures only"
	fi
else
	log "bench-host: perf stat cannot run (install linux-perf, or lower kernel.perf_event_paranoid): TSC figures only"
fi

# What lab/bench-peers.sh needs: the peers are the host's own tools.
peer_prefix="env PATH=/usr/sbin:/usr/bin:/sbin:/bin"
peer_tmp=$work peer_tmp_here=$work
kvm_stat=$(command -v kvm_stat || true)
stage() { log "bench-host: $3"; }
# shellcheck source=lab/bench-peers.sh
. "$top/lab/bench-peers.sh"

# load SET: the host's KVM (stock) or exitscope's in a mode (--modules).
load() {
	local mode=${2-}
	[ -n "$modules" ] || return 0
	if [ -z "$loaded_vendor" ] && [ "$1" = stock ]; then
		return 0	# the host's own, as it is
	fi
	rmmod "kvm_$cpu" kvm 2>/dev/null
	if [ -d /sys/module/kvm ]; then
		why="cannot replace the host's KVM: kvm is built in or in use (refcnt $(cat /sys/module/kvm/refcnt 2>/dev/null || echo built-in))"
		return 1
	fi
	loaded_vendor=1
	if [ "$1" = stock ]; then
		modprobe "kvm_$cpu" || { why="modprobe kvm_$cpu failed"; return 1; }
		return 0
	fi
	insmod "$modules/kvm.ko" exit_stats="$mode" || { why="insmod $modules/kvm.ko failed"; return 1; }
	insmod "$modules/kvm-$cpu.ko" || { why="insmod $modules/kvm-$cpu.ko failed"; return 1; }
}

skip() {
	echo "$why" | head -c 200 >"$out/failed-$1.txt"
	log "bench-host: $1 cannot run: $why"
}

# run CONFIG N ROUND: one benchmark VM.
run() {
	local sfx=-$2 cpus
	[ "$rounds" -gt 1 ] && sfx=-$2-r$3
	cpus=$(tr ',' '\n' <<<"$pin" | head -n "$2" | paste -sd,)
	local vm=(taskset -c "$cpus" "$vmm" --flat "$image" --cpus "$2" --timeout 600
		--cmdline "$cases")
	[ -z "$opts" ] || vm+=(--guest-stats user)
	[ -d /sys/kernel/debug/kvm ] && vm+=(--kvm-stats "$out/kvmstat-$1$sfx.txt")
	[ $perf_ok = 1 ] && vm=(perf stat -x, -e cycles,instructions -o "$out/perf-$1$sfx.txt" -- "${vm[@]}")
	local t0=$SECONDS rc=0
	"${vm[@]}" </dev/null >"$out/bench-$1$sfx.log" 2>&1 || rc=$?
	echo "status $rc seconds $((SECONDS - t0))" >>"$out/bench-$1$sfx.log"
}

# From here on each step's failure is handled where it happens (the peers'
# functions are busybox sh, written without set -e).
set +e
log "bench-host: $cpu, $(uname -r), configurations $only, $rounds round(s), vCPUs on CPU(s) $pin"
stage warmup 0 "warm-up run (discarded)"
"$vmm" --flat "$image" --cpus 1 --timeout 600 --cmdline "$cases" </dev/null >"$out/warmup.log" 2>&1 ||
	log "bench-host: the warm-up run exited $? (see $out/warmup.log)"
order=$only
for r in $(seq 1 "$rounds"); do
	for cfg in ${order//,/ }; do
		[ -e "$out/failed-$cfg.txt" ] && continue
		case $cfg in
		exitscope-off|exitscope-counts|exitscope-cycles) load exitscope "${cfg#exitscope-}" ;;
		*) load stock ;;
		esac || { skip "$cfg"; continue; }
		case $cfg in exitscope-counts|exitscope-cycles) opts=guest ;; *) opts= ;; esac
		if [ "$cfg" != stock ] && [ "$(id -u)" != 0 ]; then
			why="the tracing tools and exitscope's modules need root"
			skip "$cfg"
			continue
		fi
		if [[ $cfg == kvm-stat* && -z $kvm_stat ]]; then
			why="no kvm_stat on this host (Debian: the linux-kvm-stat or kvm_stat of linux-source, on PATH)"
			skip "$cfg"
			continue
		fi
		peer=
		start_peer "$cfg" || { skip "$cfg"; stop_peer "$cfg"; continue; }
		case $cfg in stock|exitscope-off|exitscope-counts|exitscope-cycles) list=$vcpus ;; *) list=${vcpus%%,*} ;; esac
		for n in ${list//,/ }; do
			stage "bench-$cfg-$n" 0 "round $r/$rounds: $cfg, $n vCPU(s)"
			run "$cfg" "$n" "$r"
		done
		stop_peer "$cfg"
		for f in "$out"/peer-"$cfg".*; do
			[ -e "$f" ] && [ "$rounds" -gt 1 ] && mv "$f" "${f%.*}-r$r.${f##*.}"
		done
	done
	# A B C, then C B A: a drift over the sitting lands on both sides.
	order=$(tr ',' '\n' <<<"$order" | tac | paste -sd,)
done

model=$(sed -n 's/^model name[[:space:]]*: *//p' /proc/cpuinfo | head -n 1)
{
	echo "cpu=$cpu"
	echo "l1_kernel=$(uname -r)"
	echo "configs=$only"
	echo "vcpus=$vcpus"
	echo "tracer_vcpus=${vcpus%%,*}"
	echo "emulator=$(printf 'none (host: %s)' "$model" | tr -cd '[:print:]' | cut -c1-63)"
	echo "kver=$(uname -r | cut -c1-63)"
	echo "clock=cycles"
	echo "rounds=$rounds"
} >"$out/bench-info.txt"
"$es_bin" bench-report "$out"
