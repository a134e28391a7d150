#!/usr/bin/env bash
# The benchmark (issue 11): what exitscope costs per exit, side by side with
# stock KVM and the tracing tools people use instead, in deterministic
# emulated time. One sitting per vendor: one L1 (Debian's kernel), one L2
# image (the flat vmexit-bench, guest/bench/), every configuration in turn
# (lab/l1-bench.sh). QEMU runs with -icount (a tick per instruction), Bochs
# with a fixed ips, so figures repeat. Writes DIR/bench.json
# (exitscope.bench/1, docs/json.md) and prints the table.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/lib.sh"
. "$top/lab/run-lib.sh"

all_configs=stock,stock-rebuilt,exitscope-off,exitscope-counts,exitscope-cycles,exitscope-bpf-counts,exitscope-bpf,exitscope-bpf-counts-detail,exitscope-bpf-detail,exitscope-bpf-counts-tp,exitscope-bpf-tp,bpf-floor,bpf-floor-noread,bpf-floor-pid,bpf-floor-hash16,bpf-floor-hash8,bpf-floor-storage,bpf-floor-ktime,tracepoint-hist,perf-record,perf-live,bpftrace-count,bpftrace-hist,bcc-kvmexit,kvm-stat,kvm-stat-debugfs
usage() {
	cat <<EOF
usage: make bench ARGS='[options]'   (or lab/bench.sh [options])

  --cpu amd|intel|both   emulated CPU (default both: AMD, QEMU -icount, every
                         configuration; Intel, Bochs, all but the peers of the
                         Debian root file system: perf, bpftrace, bcc)
  --only LIST            configurations, comma-separated, from:
                         $all_configs
  --cases LIST           vmexit-bench's command line, comma-separated: cases
                         and options (default: every case, budget=2000000)
  --vcpus LIST           vCPU counts, comma-separated (default 1,2,4)
  --tracer-vcpus LIST    vCPU counts of the tracing configurations (the peers,
                         exitscope-bpf*; default 1)
  --rounds N             run every configuration N times in L1, interleaved
                         (A B C, C B A, ...): what each adds is then the median
                         of its differences to stock's run of the same round
                         (default 1; 1 to 99)
  --boots N              boot L1 N times, --rounds rounds in each (default 1;
                         1 to 9): rounds over boots, each boot's in
                         DIR/boot-K/
  --jit                  a boot more for each configuration that attaches BPF
                         programs: their JIT images (this machine's bpftool
                         and bpf-jited, in L1) and QEMU's trace of what ran in
                         them, in DIR/jit/, for scripts/cycle-model.py (AMD;
                         with --cpu both, the AMD sitting)
  --jit-only LIST        --jit for these configurations only (a boot each)
  --out DIR              results directory (default results/bench)
  -h, --help             this text

EXAMPLES
  make bench                                          everything, both vendors
  make bench ARGS='--cpu amd --only stock,exitscope-counts --vcpus 1'
EOF
}

cpu=both only= cases= vcpus=1,2,4 tracer_vcpus=1 rounds=1 boots=1 out=$top/results/bench jit=0 jit_only=
saved=()
while [ $# -gt 0 ]; do
	case $1 in --cpu|--out) ;; --jit) saved+=("$1") ;; *) saved+=("$1" "${2-}") ;; esac
	case $1 in
	--cpu) cpu=${2:?--cpu needs a value}; shift ;;
	--only) only=${2:?--only needs a list}; shift ;;
	--cases) cases=${2:?--cases needs a list}; shift ;;
	--vcpus) vcpus=${2:?--vcpus needs a list}; shift ;;
	--tracer-vcpus) tracer_vcpus=${2:?--tracer-vcpus needs a list}; shift ;;
	--rounds) rounds=${2:?--rounds needs a number}; shift ;;
	--boots) boots=${2:?--boots needs a number}; shift ;;
	--out) out=${2:?--out needs a directory}; shift ;;
	--jit) jit=1; shift; continue ;;
	--jit-only) jit=1 jit_only=${2:?--jit-only needs a list}; shift ;;
	-h|--help) usage; exit 0 ;;
	*) usage >&2; die "unknown option '$1'" ;;
	esac
	shift
done
case $cpu in
amd|intel) ;;
both)	"$0" --cpu amd --out "$out/amd" "${saved[@]}" || exit 1
	# --jit is AMD's alone: QEMU traces the images, Bochs cannot.
	intel=() skip=
	for a in "${saved[@]}"; do
		if [ -n "$skip" ]; then skip=; continue; fi
		case $a in --jit) ;; --jit-only) skip=1 ;; *) intel+=("$a") ;; esac
	done
	exec "$0" --cpu intel --out "$out/intel" "${intel[@]}" ;;
*)	die "invalid --cpu: '$cpu' (amd, intel or both)" ;;
esac
[[ $vcpus =~ ^[1-4](,[1-4])*$ ]] || die "invalid --vcpus: '$vcpus' (1-4, comma-separated)"
[[ $tracer_vcpus =~ ^[1-4](,[1-4])*$ ]] ||
	die "invalid --tracer-vcpus: '$tracer_vcpus' (1-4, comma-separated)"
[[ $cases =~ ^[a-z0-9_,=]*$ ]] || die "invalid --cases: '$cases'"
[[ $rounds =~ ^[1-9][0-9]?$ ]] || die "invalid --rounds: '$rounds' (1 to 99)"
[[ $boots =~ ^[1-9]$ ]] || die "invalid --boots: '$boots' (1 to 9)"
[ $((boots * rounds)) -le 99 ] || die "--boots $boots x --rounds $rounds: more than 99 rounds"
# Emulated time repeats (min and max of the repetitions a few ticks apart):
# a fifth of vmexit-bench's own budget is enough, and the emulator's wall
# time goes into the exits, not the instructions.
[[ ,$cases, == *,budget=* ]] || cases=${cases:+$cases,}budget=2000000
if [ -z "$only" ]; then
	# Intel (Bochs) has no disk for the Debian root file system: the
	# peers that need no more than L1's initramfs run there too.
	[ "$cpu" = amd ] && only=$all_configs ||
		only=stock,stock-rebuilt,exitscope-off,exitscope-counts,exitscope-cycles,exitscope-bpf-counts,exitscope-bpf,exitscope-bpf-counts-tp,exitscope-bpf-tp,bpf-floor,bpf-floor-noread,tracepoint-hist
fi
for c in $(tr , ' ' <<<"$only"); do
	grep -qw -- "$c" <<<"${all_configs//,/ }" || die "invalid --only: '$c' (from $all_configs)"
done
[ "$jit" = 1 ] && [ "$cpu" = intel ] &&
	die "--jit works with --cpu amd only (QEMU traces the JIT images; Bochs cannot)"
for c in $(tr , ' ' <<<"$jit_only"); do
	[[ ,$only, == *,$c,* ]] || die "invalid --jit-only: '$c' (from --only: $only)"
done
# The peers that need the Debian root file system (bpf-floor is built here,
# the hist trigger is the kernel's).
peers=$(tr , '\n' <<<"$only" | grep -e '^perf-' -e '^bpftrace-' -e '^bcc-' -e '^kvm-stat' || true)
[ "$cpu" = intel ] && [ -n "$peers" ] &&
	die "these tracing peers run on AMD only (QEMU, with the Debian root file system): $peers"

run_lock
progress_init "$out" bench "$cpu" "$only" "$cases" "$vcpus" "$tracer_vcpus" "$rounds" "$boots"

if [ "$jit" = 1 ]; then run_apt=(bpftool); fi
bench_build() {
	run_say build "exitscope's modules for Debian's kernel, the tools, the benchmark image"
	l1_prepare debian
	# stock-rebuilt: the same source without the change, built the same way.
	rebuilt=
	if [[ ,$only, == *,stock-rebuilt,* ]]; then
		EXITSCOPE_STOCK_REBUILT=1 "$top/scripts/build-modules.sh" >/dev/null
		rebuilt=$KMODS-stock-rebuilt
	fi
	make -s -C "$top" tools bench-tools >/dev/null
	[ -f "$top/build/guest/vmexit-bench.bin" ] || die "no build/guest/vmexit-bench.bin (guest/bench/)"
}
bench_rootfs() {
	rootfs=
	[ -n "$peers" ] || return 0
	run_say rootfs "the peers' root file system from Debian's packages (cached after the first run)"
	rootfs=$("$top/scripts/build-rootfs.sh")
	[ -f "$rootfs" ] || die "build-rootfs.sh printed '$rootfs', which is not the image"
}
bench_initramfs() {
	run_say initramfs "initramfs: Debian's and exitscope's modules, the benchmark"
	run_workdir bench
	r=$work/root
	m=$r/lib/modules/exitscope
	mdir=$KMODROOT rmdir=$r/lib/modules/$KABI
	l1_root "$r" "$top/lab/l1-bench.sh" sbin proc sys dev out l2 tmp "${rmdir#"$r"/}"
	ln -s ../bin/busybox "$r/sbin/modprobe"
	install -D -m644 "$top/lab/bench-peers.sh" "$r/lib/exitscope/bench-peers.sh"
	install -m755 "$top/build/bin/exitscope-vmm" "$top/build/bin/exitscope" "$top/build/bench/bpf-floor" \
		"$top/build/bench/bpf-jited" "$r/bin/"
	# The kernel's own kvm_stat, of the same source as L1's kernel (linux-source):
	# the kvm-stat peers run it with the root file system's python3.
	install -D -m644 "$KSRC/tools/kvm/kvm_stat/kvm_stat" "$r/lib/exitscope/kvm_stat"
	# --jit: this machine's bpftool (Debian 12's, as L1's libc is), with the
	# libraries it links and their loader, run through that loader: it lists
	# the programs and what they are attached to; bpf-jited reads the images.
	if [ "$jit" = 1 ]; then
		bt=$(command -v bpftool || echo /usr/sbin/bpftool)
		[ -x "$bt" ] || die "--jit needs bpftool (apt install bpftool)"
		mkdir -p "$r/lib/exitscope/bpftool"
		cp "$bt" "$r/lib/exitscope/bpftool/bpftool"
		for lib in $(ldd "$bt" | awk '$3 ~ /^\// { print $3 } $1 ~ /^\/.*ld-linux/ { print $1 }'); do
			cp -L "$lib" "$r/lib/exitscope/bpftool/"
		done
		printf '#!/bin/sh\nd=/lib/exitscope/bpftool\nexec $d/ld-linux-x86-64.so.2 --library-path $d $d/bpftool "$@"\n' \
			>"$r/bin/bpftool"
		chmod 755 "$r/bin/bpftool"
	fi
	install -m644 "$top/build/guest/vmexit-bench.bin" "$r/l2/"
	# shellcheck disable=SC2086 # the modules, one word each
	strip_deps "$m" $deps
	strip_kos "$stockdir" "$m/stock"
	strip_kos "$kvmdir" "$m/exitscope"
	if [ -n "$rebuilt" ]; then strip_kos "$rebuilt" "$m/stock-rebuilt"; fi
	# The virtio disk and ext4, for the peers' root file system: those modules
	# and their dependencies, for busybox's modprobe.
	if [ -n "$rootfs" ]; then
		for want in kernel/drivers/virtio/virtio_pci.ko kernel/drivers/block/virtio_blk.ko \
			    kernel/fs/ext4/ext4.ko kernel/crypto/crc32c_generic.ko; do
			for f in $want $(sed -n "s|^$want: ||p" "$mdir/modules.dep"); do
				install -D -m644 "$mdir/$f" "$rmdir/$f"
			done
		done
		cp "$mdir/modules.dep" "$mdir/modules.alias" "$rmdir/" 2>/dev/null || true
		printf '%s\n' virtio_pci virtio_blk crc32c_generic ext4 >"$r/lib/exitscope/disk-modules"
	fi
	mkcpio "$r" "$work/l1.cpio"
}
bench_emulator() {
	run_say emulator "emulator: L1 (Debian $KABI) runs the benchmark in $(tr , ' ' <<<"$only")"
	rm -f "$out"/bench-* "$out"/peer-* "$out"/failed-* "$out"/kvmstat-* "$out"/*.txt "$out"/bench.json "$out"/l1-hung.log "$out"/results-corrupt.raw \
		"$out"/jit-* "$out"/kallsyms.txt.gz
	rm -rf "$out"/boot-[1-9] "$out"/jit
	timeout=7200
	base_append="console=ttyS0 quiet mitigations=off exitscope.cpu=$cpu exitscope.configs=$only exitscope.vcpus=$vcpus exitscope.tracer_vcpus=$tracer_vcpus exitscope.rounds=$rounds exitscope.rounds_total=$((boots * rounds)) exitscope.cases=${cases:-all} exitscope.jit=0"
	emulator_qemu_extra=()
	if [ "$cpu" = amd ]; then
		# Deterministic time: a tick per emulated instruction, idle time warped.
		# One L1 CPU: QEMU 7.2's -icount round robin starves the other CPUs (a
		# Debian kernel hangs in "Booting SMP configuration"), so L2's vCPUs
		# take turns on it: a case's median is a vCPU's uninterrupted figure,
		# its max a batch that a switch interrupted; compare at equal N
		# (docs/benchmarks.md).
		emulator_qemu_extra=(-icount shift=0,sleep=off -m 4G)
		emulator_tsc_khz=1000000
		if [ -n "$rootfs" ]; then
			emulator_qemu_extra+=(-drive "file=$rootfs,if=virtio,format=raw,readonly=on")
		fi
	fi
	# Each boot runs its rounds (round_base + 1 on) into its own directory;
	# their files, named by their round in the whole sitting, then meet in $out.
	final=$out
	for k in $(seq 1 "$boots"); do
		append="$base_append exitscope.round_base=$(((k - 1) * rounds))"
		text="L1 (Debian $KABI) runs the benchmark in $(tr , ' ' <<<"$only")"
		if [ "$boots" -gt 1 ]; then
			out=$final/boot-$k
			mkdir -p "$out"
			text="boot $k/$boots: $text"
			[ "$k" -eq 1 ] || run_say "boot-$k" "emulator: $text"
		fi
		l1_boot "$text"
	done
	out=$final
	if [ "$boots" -gt 1 ]; then
		cp "$out/boot-1/bench-info.txt" "$out/"
		for k in $(seq 1 "$boots"); do
			for f in "$out/boot-$k"/bench-*.log "$out/boot-$k"/kvmstat-*.txt "$out/boot-$k"/peer-* \
				 "$out/boot-$k"/failed-*.txt; do
				if [ -e "$f" ]; then cp "$f" "$out/"; fi
			done
		done
	fi
	# --jit: one boot more for each configuration that attaches BPF programs,
	# on a short budget: L1 keeps each program's JIT image (dump_jit), and
	# QEMU logs every translation block it runs in the module area
	# (-d exec,nochain, -dfilter: the JIT images and KVM's modules; not the
	# kernel's text, where the helpers are). What ran in the images, and how
	# often, becomes jit/CONFIG/tb-counts.tsv (address, instruction limit,
	# count): the path each program took, for scripts/cycle-model.py. A boot
	# each, because the kernel puts the next configuration's programs where
	# the last one's were. Not measured: boots of their own.
	jit_configs=$(tr , '\n' <<<"$only" | grep -E '^(exitscope-bpf|bpf-floor|bpftrace-|bcc-)' || true)
	[ "$jit" = 1 ] || jit_configs=
	[ -z "$jit_only" ] || jit_configs=$(tr , '\n' <<<"$jit_only")
	for c in $jit_configs; do
		out=$final/jit/$c
		mkdir -p "$out"
		append="console=ttyS0 quiet mitigations=off exitscope.cpu=$cpu exitscope.configs=$c exitscope.vcpus=1 exitscope.tracer_vcpus=1 exitscope.rounds=1 exitscope.rounds_total=1 exitscope.cases=cpuid,budget=20000,reps=3 exitscope.jit=1 exitscope.round_base=0"
		saved_extra=("${emulator_qemu_extra[@]}")
		emulator_qemu_extra+=(-d exec,nochain -dfilter 0xffffffffc0000000..0xffffffffffffffff -D "$work/exec.log")
		rm -f "$work/exec.log"
		run_say "jit-$c" "emulator: L1 keeps the JIT images of $c, QEMU traces them"
		l1_boot "the JIT images of $c"
		emulator_qemu_extra=("${saved_extra[@]}")
		if [ -s "$work/exec.log" ]; then
			# Address, the block's instruction limit, how often it ran.
			awk -f "$top/lab/tb-counts.awk" "$work/exec.log" | sort >"$out/tb-counts.tsv"
			rm -f "$work/exec.log"
		fi
	done
}
run_stages stage_packages bench_build bench_rootfs bench_initramfs bench_emulator
out=$final console=$final/l1.log
emulator=$([ "$cpu" = amd ] && echo "QEMU $(qemu-system-x86_64 --version | sed -n 's/^QEMU emulator version \([^ ]*\).*/\1/p') TCG, -icount shift=0 (a tick per instruction)" ||
	echo "Bochs $(dpkg-query -W -f='${Version}' bochs), ips=75000000")
printf '%s\n' "emulator=$emulator" "kver=$KVER" >>"$out/bench-info.txt"
step done report "results in $out"
"$top/build/bin/exitscope" bench-report "$out"
progress_done "report written"
