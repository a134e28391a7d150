#!/usr/bin/env bash
# exitscope lab: the seed's experiment end to end. An L1 Linux with
# exitscope's KVM boots in an emulator (QEMU TCG with SVM for AMD), runs the
# L2 guest under exitscope-vmm with nested paging on and then off, counts the
# same exits with the kvm_exit tracepoint, and sends the figures back; the
# host checks them and writes results.json, results.csv, report.md, chart.png.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/lib.sh"

usage() {
	cat <<'EOF'
usage: make lab ARGS='[options]'   (or lab/lab.sh [options])

  --cpu amd|intel|both   emulated CPU (default amd: QEMU TCG, SVM, NPT on/off;
                         intel needs Bochs and is not in yet)
  --workload NAME        L2 workload: seed (default: boot, paging stress, query),
                         paging, timer, boot
  --l2-extra FILE        a static program run in L2 before the query
  --runs N               repeat each mode N times (1-20, default 1)
  --out DIR              results directory (default: results)
  --timeout S            whole emulator run limit in seconds (default 900)
  --keep                 keep the work directory (images, raw serial data)
  --json                 print results.json instead of the table
  -h, --help             this text

EXAMPLES
  make lab                                  the seed's table on AMD
  make lab ARGS='--runs 3 --workload paging'
EOF
}

cpu=amd workload=seed extra= runs=1 out=$top/results timeout=900 keep= json=
while [ $# -gt 0 ]; do
	case $1 in
	--cpu) cpu=${2:?--cpu needs a value}; shift ;;
	--workload) workload=${2:?--workload needs a value}; shift ;;
	--l2-extra) extra=${2:?--l2-extra needs a file}; shift ;;
	--runs) runs=${2:?--runs needs a number}; shift ;;
	--out) out=${2:?--out needs a directory}; shift ;;
	--timeout) timeout=${2:?--timeout needs seconds}; shift ;;
	--keep) keep=1 ;;
	--json) json=1 ;;
	-h|--help) usage; exit 0 ;;
	*) usage >&2; die "unknown option '$1'" ;;
	esac
	shift
done
case $cpu in amd) ;; intel|both) die "--cpu $cpu: the Intel (Bochs) lab is not in yet; use --cpu amd" ;;
	*) die "invalid --cpu: '$cpu' (amd, intel or both)" ;; esac
case $workload in seed|paging|timer|boot) ;; *) die "invalid --workload: '$workload' (seed, paging, timer, boot)" ;; esac
[[ $runs =~ ^[0-9]+$ ]] && [ "$runs" -ge 1 ] && [ "$runs" -le 20 ] || die "invalid --runs: '$runs' (1-20)"
[[ $timeout =~ ^[0-9]+$ ]] && [ "$timeout" -ge 30 ] || die "invalid --timeout: '$timeout' (seconds, at least 30)"
if [ -n "$extra" ]; then
	[ -f "$extra" ] || die "--l2-extra: no such file '$extra'"
	extra=$(realpath "$extra")
fi
mkdir -p "$out" || die "cannot create --out '$out'"
out=$(realpath "$out")

t0=$SECONDS
step() { printf 'exitscope lab: [%s] %s (%d s)\n' "$1" "$2" $((SECONDS - t0)) >&2; }

step 1/6 "packages"
apt_ensure qemu-system-x86 busybox-static cpio gnuplot-nox file make gcc libc6-dev \
	binutils flex bison bc libelf-dev lz4
free_mb=$(df -Pm "$EXITSCOPE_CACHE" 2>/dev/null | awk 'NR == 2 { print $4 }')
[ "${free_mb:-0}" -ge 3000 ] || [ -d "$EXITSCOPE_CACHE/linux-tree-$(dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null)" ] ||
	die "only ${free_mb:-?} MB free under $EXITSCOPE_CACHE: the lab needs ~3 GB the first time"

step 2/6 "exitscope's KVM modules (make modules)"
"$top/scripts/build-modules.sh" >/dev/null
eval "$("$top/scripts/kernel-source.sh")"

step 3/6 "tools and workloads (make tools)"
make -s -C "$top" tools >/dev/null

step 4/6 "L2 kernel (cached after the first run, ~4 min then)"
l2kernel=$("$top/lab/build-kernel.sh" l2)/bzImage

step 5/6 "initramfs images"
work=$(mktemp -d "${TMPDIR:-/tmp}/exitscope-lab.XXXXXX")
qemu_pid=
cleanup() {
	[ -n "$qemu_pid" ] && kill "$qemu_pid" 2>/dev/null
	if [ -n "$keep" ]; then log "work directory kept: $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
"$top/lab/build-initramfs.sh" "$work" "$l2kernel" "$extra"

step 6/6 "emulator: L1 boots, then L2 runs $runs time(s) with $cpu nested paging and $runs time(s) without"
rm -f "$out"/*.log "$out"/*.txt "$out"/results.* "$out"/report.md "$out"/chart.png
console=$out/l1.log
l2timeout=$((timeout / (2 * runs) > 60 ? timeout / (2 * runs) : 60))
qemu-system-x86_64 -accel tcg,thread=single -cpu EPYC,+svm,+npt -m 2G -smp 1 \
	-kernel "/boot/vmlinuz-$KABI" -initrd "$work/l1.cpio" \
	-append "console=ttyS0 quiet mitigations=off exitscope.cpu=$cpu exitscope.runs=$runs exitscope.workload=$workload exitscope.rounds=20 exitscope.l2timeout=$l2timeout" \
	-display none -monitor none -no-reboot \
	-serial "file:$console" -serial "file:$work/results.raw" &
qemu_pid=$!

# Follow the console: stage markers show progress; no progress in time, a
# failure marker or QEMU dying early ends the run with the evidence.
last=boot since=$SECONDS
stage_limit() { case $1 in boot) echo 120 ;; modules|reload|send) echo 60 ;; l2) echo $((l2timeout + 30)) ;; *) echo 120 ;; esac; }
seen=0
while kill -0 "$qemu_pid" 2>/dev/null; do
	sleep 1
	while IFS= read -r line; do
		case $line in
		EXITSCOPE-STAGE*) set -- ${line#EXITSCOPE-STAGE }; last=$1 since=$SECONDS
			step 6/6 "L1: ${line#EXITSCOPE-STAGE }" ;;
		EXITSCOPE-FAIL*) kill "$qemu_pid"; tail -n 15 "$console" >&2
			die "L1 failed in stage '$last': ${line#EXITSCOPE-FAIL } (full log: $console)" ;;
		esac
	done < <(tail -n +$((seen + 1)) "$console" 2>/dev/null | tr -d '\r')
	seen=$(wc -l <"$console" 2>/dev/null || echo 0)
	if [ $((SECONDS - since)) -gt "$(stage_limit "$last")" ] || [ $((SECONDS - t0)) -gt "$timeout" ]; then
		kill "$qemu_pid"; tail -n 15 "$console" >&2
		die "timeout in stage '$last' after $((SECONDS - since)) s (full log: $console)"
	fi
done
wait "$qemu_pid" || true
qemu_pid=
grep -q "EXITSCOPE-STAGE done" "$console" || {
	tail -n 15 "$console" >&2
	die "the emulator stopped in stage '$last' (full log: $console)"
}

# Unpack the framed files; every one must arrive whole.
"$top/lab/unframe.sh" "$work/results.raw" "$out" ||
	die "results from L1 are corrupt or incomplete (raw data kept: --keep)"
step done "figures in $out; checking them"
report_args=(--dir "$out" --cpu "$cpu" --workload "$workload" --runs "$runs" --kernel "$KVER")
[ -n "$json" ] && report_args+=(--json)
"$top/build/bin/exitscope" report "${report_args[@]}"
