#!/usr/bin/env bash
# exitscope lab: the seed's experiment end to end. An L1 Linux with
# exitscope's KVM boots in an emulator (Bochs with VMX and EPT for Intel, QEMU
# TCG with SVM and NPT for AMD), runs the
# L2 guest under exitscope-vmm with nested paging on and then off, counts the
# same exits with the kvm_exit tracepoint, and sends the figures back; the
# host checks them and writes results.json, results.csv, report.md, chart.png.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/lib.sh"
. "$top/lab/run-lib.sh"

usage() {
	cat <<'EOF'
usage: make lab ARGS='[options]'   (or lab/lab.sh [options])

  --cpu intel|amd|both   emulated CPU (default intel: Bochs, VMX, EPT on/off, the
                         seed's setup; amd: QEMU TCG, SVM, NPT on/off; both:
                         one after the other, into DIR/intel and DIR/amd)
  --workload NAME        L2 workload, from lab/workloads.txt: seed (default:
                         boot, paging stress, query), paging, timer, boot,
                         fuzz (a million guest queries of the interface,
                         each checked), stress (every vCPU exiting hard at once)
                         run in Linux in L2; cpuid, io (flat
                         images: 100,000 CPUIDs or port writes, no Linux)
  --l2-extra FILE        a static program run in L2 before the query
  --runs N               repeat each mode N times (1-20, default 1)
  --l2-cpus N            vCPUs of the L2 guest (1-4, default 1)
  --rounds N             rounds of the paging workload (default 4)
  --l2-append ARGS       appended to L2's kernel command line, e.g. 'pti=on'
                         (the default is the kernel's choice: on for the
                         Meltdown-affected Intel model, off on AMD) or
                         'loglevel=7' (L2 boots quietly by default)
  --l1 small|debian      L1 kernel: small (default: an LZ4 kernel built from
                         linux-source-KSERIES with exitscope's modules built
                         for it; KSERIES=6.1|6.12 in the environment, default
                         6.1 or the host's Debian kernel series)
                         or debian (Debian's own kernel with the modules of
                         `make modules`; ~3 s slower on amd, ~1 min on intel)
  --l1-append ARGS       appended to L1's kernel command line, e.g.
                         'preempt=full' (Debian's kernel is PREEMPT_DYNAMIC)
  --l1-extra FILE        a shell script (busybox sh) L1 runs as root after the
                         L2 runs: $EXITSCOPE_MODULES has exitscope's kvm.ko and
                         vendor modules, $EXITSCOPE_STOCK the stock ones of the
                         same kernel, $EXITSCOPE_VENDOR is kvm-amd or kvm-intel,
                         $EXITSCOPE_KNOB npt or ept; it finds them loaded. Its
                         output goes to l1-extra.log, files it writes into
                         $EXITSCOPE_OUT come back too; a non-zero exit status
                         fails the run (results.json, report.md)
  --modules exitscope|stock
                         KVM in L1: exitscope's (default) or stock, without
                         exitscope (Debian's own with --l1 debian, else built
                         from the same source): the counts are then the
                         tracepoint's, checked against KVM's own and the
                         collector's
  --collector            record every L2 run with exitscope's BPF collector
                         too (needs --l1 debian: BTF); its counts must equal
                         the tracepoint's (collector-MODE-RUN.json and .prom)
  --collector-attach tp_btf|tp
                         the collector in that attach mode only (default:
                         tp_btf where L1's kernel allows, else tp)
  --out DIR              results directory (default: results)
  --timeout S            limit of each emulator boot in seconds, from its start (default 900)
  --keep                 keep the work directory (images, raw serial data)
  --json                 print results.json instead of the table
  -h, --help             this text

EXAMPLES
  make lab                                  the seed's table (Intel, Bochs)
  make lab ARGS='--cpu amd --runs 3 --workload paging'
EOF
}

cpu=intel workload=seed extra= runs=1 out=$top/results timeout=900 keep= json= rounds= l2cpus=1 l1=small l2append=
l1append= l1extra=
modules=exitscope collector= attach=
# --cpu both runs this script once per vendor with every other argument as
# given: they are kept here, without --cpu and --out.
saved=()
while [ $# -gt 0 ]; do
	case $1 in
	--cpu|--out) ;;
	--keep|--json|--collector|-h|--help) saved+=("$1") ;;
	*) saved+=("$1" "${2-}") ;;
	esac
	case $1 in
	--cpu) cpu=${2:?--cpu needs a value}; shift ;;
	--workload) workload=${2:?--workload needs a value}; shift ;;
	--l2-extra) extra=${2:?--l2-extra needs a file}; shift ;;
	--runs) runs=${2:?--runs needs a number}; shift ;;
	--out) out=${2:?--out needs a directory}; shift ;;
	--timeout) timeout=${2:?--timeout needs seconds}; shift ;;
	--keep) keep=1 ;;
	--l2-cpus) l2cpus=${2:?--l2-cpus needs a number}; shift ;;
	--rounds) rounds=${2:?--rounds needs a number}; shift ;;	# paging-stress rounds
	--l2-append) l2append=${2?--l2-append needs arguments}; shift ;;
	--l1-append) l1append=${2?--l1-append needs arguments}; shift ;;
	--l1-extra) l1extra=${2:?--l1-extra needs a file}; shift ;;
	--l1) l1=${2:?--l1 needs small or debian}; shift ;;
	--modules) modules=${2:?--modules needs exitscope or stock}; shift ;;
	--collector) collector=1 ;;
	--collector-attach) attach=${2:?--collector-attach needs tp_btf or tp}; shift ;;
	--json) json=1 ;;
	-h|--help) usage; exit 0 ;;
	*) usage >&2; die "unknown option '$1'" ;;
	esac
	shift
done
case $cpu in amd|intel) ;;
both)	"$0" --cpu intel --out "$out/intel" "${saved[@]}" || exit 1
	exec "$0" --cpu amd --out "$out/amd" "${saved[@]}" ;;
*)	die "invalid --cpu: '$cpu' (intel, amd or both)" ;; esac
# Rounds of paging-stress in L2: 4 keep both labs short (Intel ~35 s, AMD
# ~9 s) and the pattern plain (tens of thousands of #PF and CR3 exits).
[ -n "$rounds" ] || rounds=4
[[ $rounds =~ ^[0-9]+$ ]] && [ "$rounds" -ge 1 ] || die "invalid --rounds: '$rounds'"
# EXITSCOPE_LAB_INJECT=stuck|spin|silent|quiet|corrupt (tests only, AMD): the
# first attempt hangs, or sends a damaged file, on purpose, to exercise the
# detection and the retry; corrupt,stuck: the first attempt sends a damaged
# file and the second hangs.
run_inject stuck spin silent quiet corrupt corrupt,stuck "stuck, spin, silent, quiet, corrupt or corrupt,stuck"
case $l1 in small|debian) ;; *) die "invalid --l1: '$l1' (small or debian)" ;; esac
case $modules in exitscope|stock) ;; *) die "invalid --modules: '$modules' (exitscope or stock)" ;; esac
[ -z "$collector" ] || [ "$l1" = debian ] ||
	die "--collector needs --l1 debian (the BPF collector needs the kernel's BTF)"
case $attach in '') ;;
tp_btf|tp) [ -n "$collector" ] || die "--collector-attach needs --collector"
	   collector=bpf:$attach ;;
*)	die "invalid --collector-attach: '$attach' (tp_btf or tp)" ;;
esac
workloads=$(awk '!/^#/ && NF >= 3 { printf "%s%s", s, $1; s = ", " }' "$top/lab/workloads.txt")
awk -v w="$workload" '!/^#/ && $1 == w { found = 1 } END { exit !found }' "$top/lab/workloads.txt" ||
	die "invalid --workload: '$workload' ($workloads)"
[[ $runs =~ ^[0-9]+$ ]] && [ "$runs" -ge 1 ] && [ "$runs" -le 20 ] || die "invalid --runs: '$runs' (1-20)"
[[ $timeout =~ ^[0-9]+$ ]] && [ "$timeout" -ge 30 ] || die "invalid --timeout: '$timeout' (seconds, at least 30)"
[[ $l2cpus =~ ^[1-4]$ ]] || die "invalid --l2-cpus: '$l2cpus' (1-4)"
if [ -n "$extra" ]; then
	[ -f "$extra" ] || die "--l2-extra: no such file '$extra'"
	extra=$(realpath "$extra")
fi
if [ -n "$l1extra" ]; then
	[ -f "$l1extra" ] && [ -r "$l1extra" ] || die "--l1-extra: no readable file '$l1extra'"
	l1extra=$(realpath "$l1extra")
fi
# L1's command line is split at spaces and read as exitscope.NAME=VALUE by
# its /init: nothing there may pose as one of the lab's own settings.
case $l1append in *exitscope.*) die "--l1-append: 'exitscope.' options are the lab's own" ;; esac
# It also goes into the Intel lab's grub.cfg: no quote, newline or other
# character that could end the kernel's line there.
[[ $l1append =~ ^[A-Za-z0-9_.,:=/+\ -]*$ ]] ||
	die "--l1-append: '$l1append': only letters, digits, spaces and _ . , : = / + - (kernel parameters)"
run_lock
run_keep=$keep
progress_init "$out" "$cpu" "$l1" "$workload" "$rounds" "$runs" "$l2cpus" "$extra" "$l2append" \
	"$modules" "$collector" "$l1append" "$l1extra"

run_apt=(gnuplot-nox flex bison bc libelf-dev lz4)
on_packages() {
	mkdir -p "$EXITSCOPE_CACHE" || die "cannot create the cache directory $EXITSCOPE_CACHE"
	free_mb=$(df -Pm "$EXITSCOPE_CACHE" | awk 'NR == 2 { print $4 }') || free_mb=0
	[ "${free_mb:-0}" -ge 3000 ] || [ -d "$EXITSCOPE_CACHE/linux-tree-$(dpkg-query -W -f='${Version}' "linux-source-$(kernel_series)" 2>/dev/null)" ] ||
		die "only ${free_mb:-?} MB free under $EXITSCOPE_CACHE: the lab needs ~3 GB the first time"
}
lab_modules() {
	if [ "$l1" = debian ]; then
		# L1 is Debian's own kernel, with the modules of `make modules`: proves
		# they load and count on the kernel users run (slower: xz, generic boot).
		run_say modules "exitscope's KVM modules for Debian's kernel (make modules)"
	else
		# L1 is a small LZ4 kernel from the same source (Debian's xz kernel
		# takes a minute just to decompress in Bochs, 3 s in QEMU), with
		# exitscope's modules built against it.
		run_say modules "L1 kernel and exitscope's KVM modules for it (the first run builds them, ~3 min; cached after)"
	fi
	l1_prepare "$l1"
	if [ "$modules" = stock ]; then kvmdir=$stockdir; fi
}
lab_tools() {
	run_say tools "tools and workloads (make tools)"
	make -s -C "$top" tools >/dev/null
}
lab_l2_kernel() {
	run_say l2-kernel "L2 kernel (the first run builds it, ~2 min; cached after)"
	l2kernel=$("$top/lab/build-kernel.sh" l2)/bzImage
}
lab_initramfs() {
	run_say initramfs "initramfs images"
	run_workdir lab
	# L2's command line: quiet (each console byte costs two I/O exits, about
	# half of L2's exits with nested paging), page-table isolation as the L2
	# kernel decides for the emulated CPU, then the user's --l2-append.
	l2cmdline="console=ttyS0 reboot=t panic=-1 quiet exitscope.workload=$workload exitscope.rounds=$rounds"
	# Stock KVM answers no query: L2 does not ask.
	if [ "$modules" = stock ]; then l2cmdline="$l2cmdline exitscope.query=no"; fi
	l2cmdline="$l2cmdline${l2append:+ $l2append}"
	EXITSCOPE_L1_EXTRA=$l1extra EXITSCOPE_STOCK_KVM=$stockdir \
		"$top/lab/build-initramfs.sh" "$work" "$l2kernel" "$kvmdir" "$deps" "$l2cmdline" "$extra"
}
lab_emulator() {
	local what="L1 boots, then L2 runs $runs time(s) with nested paging and $runs without"

	run_say emulator "emulator: $what"
	rm -f "$out"/*.log "$out"/*.txt "$out"/results.* "$out"/results-corrupt.raw "$out"/report.md "$out"/chart.*
	# Each L2 run takes 5-40 s: the VMM stops a hung one after 150 s, well
	# before the host gives up on L1, so its console log still comes back.
	l2timeout=150
	append="console=ttyS0 quiet mitigations=off exitscope.cpu=$cpu exitscope.runs=$runs exitscope.workload=$workload exitscope.l2timeout=$l2timeout exitscope.l2cpus=$l2cpus exitscope.modules=$modules exitscope.collector=${collector:-0}${l1extra:+ exitscope.l1extra=1}${l1append:+ $l1append}"
	l1_boot "$what"
}
run_stages stage_packages lab_modules lab_tools lab_l2_kernel lab_initramfs lab_emulator
# A guest exitscope-vmm had to stop: name the L2 kernel function it was in.
l2map=$(dirname "$l2kernel")/System.map
for f in "$out"/l2-*.log; do
	rip=$(sed -n 's/^exitscope-vmm: vCPU [0-9]*: rip 0x\(ffffffff[0-9a-f]*\) .*/\1/p' "$f" | head -n 1)
	[ -n "$rip" ] && [ -f "$l2map" ] || continue
	set -- $({ cat "$l2map"; echo "$rip ~ <rip>"; } | LC_ALL=C sort | grep -B1 -m1 ' ~ <rip>$' | head -n 1)
	log "$(basename "$f"): L2 was stopped at rip 0x$rip, in $3+0x$(printf '%x' $((16#$rip - 16#$1))) (L2's System.map)"
done
step done report "figures in $out; checking them"
# What ran comes from L1 (metadata.txt); the modules' source version from here.
echo "kver=$KVER" >>"$out/metadata.txt"
"$top/build/bin/exitscope" report ${json:+--json} "$out"
progress_done "report written"
