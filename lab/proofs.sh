#!/usr/bin/env bash
# The lab's proofs of isolation, reload and "off means stock" (issue 10),
# in one L1 boot: lab/l1-proofs.sh runs them on the lab's small L1 kernel
# (with kmemleak) and exitscope's modules built for it; the host unpacks
# the raw results into DIR. tests/lab/check-proofs.sh judges them.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/lib.sh"

usage() {
	cat <<'EOF'
usage: lab/proofs.sh [--cpu amd|intel] [--cycles N] [--out DIR]

  --cpu amd|intel   emulated CPU (default amd: QEMU TCG; intel: Bochs)
  --cycles N        rmmod/insmod cycles of the vendor module (default 20)
  --out DIR         results directory (default results/proofs)
  -h, --help        this text
EOF
}

cpu=amd cycles=20 out=$top/results/proofs
while [ $# -gt 0 ]; do
	case $1 in
	--cpu) cpu=${2:?--cpu needs a value}; shift ;;
	--cycles) cycles=${2:?--cycles needs a number}; shift ;;
	--out) out=${2:?--out needs a directory}; shift ;;
	-h|--help) usage; exit 0 ;;
	*) usage >&2; die "unknown option '$1'" ;;
	esac
	shift
done
case $cpu in amd|intel) ;; *) die "invalid --cpu: '$cpu' (amd or intel)" ;; esac
[[ $cycles =~ ^[1-9][0-9]*$ ]] && [ "$cycles" -le 200 ] || die "invalid --cycles: '$cycles' (1-200)"
mkdir -p "$out" || die "cannot create --out '$out'"
lock_out "$out" || die "$(lock_busy "$out")"
out=$(realpath "$out")

. "$top/lab/progress.sh"
progress_init "$out" proofs "$cpu" "$cycles"

step 1/4 packages "packages"
apt_ensure busybox-static cpio file make gcc libc6-dev libjansson-dev binutils flex \
	bison bc libelf-dev lz4
if [ "$cpu" = amd ]; then
	apt_ensure qemu-system-x86
else
	apt_ensure bochs bochsbios vgabios grub-pc-bin grub-common xorriso mtools
fi
eval "$("$top/scripts/kernel-source.sh")"

step 2/4 kernels "L1 and L2 kernels, exitscope's modules for L1, the tools (cached after the first run)"
l1dir=$("$top/lab/build-kernel.sh" l1)
EXITSCOPE_KDIR=$l1dir/obj EXITSCOPE_KNAME=l1 "$top/scripts/build-modules.sh" >/dev/null
make -s -C "$top" tools >/dev/null
l2kernel=$("$top/lab/build-kernel.sh" l2)/bzImage

step 3/4 initramfs "initramfs images"
work=$(mktemp -d "${TMPDIR:-/tmp}/exitscope-proofs.XXXXXX")
emu_pid=
cleanup() {
	[ -n "$emu_pid" ] && kill "$emu_pid" 2>/dev/null
	[ -n "$emu_pid" ] && wait "$emu_pid" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
l2cmdline="console=ttyS0 reboot=t panic=-1 quiet exitscope.workload=boot exitscope.rounds=1"
"$top/lab/build-initramfs.sh" "$work" "$l2kernel" "$KMODS-l1" \
	"$(find "$l1dir/obj/virt/lib" -name irqbypass.ko)" "$l2cmdline" "" "$top/lab/l1-proofs.sh"

step 4/4 emulator "emulator: L1 runs the proofs (off, $cycles reload cycles, isolation)"
rm -f "$out"/*.txt "$out"/*.log "$out"/results-corrupt.raw
console=$out/l1.log
l1kernel=$l1dir/bzImage
l2timeout=0 inject= emulator_step=4/4 timeout=1800
append="console=ttyS0 quiet mitigations=off kmemleak=on exitscope.cpu=$cpu exitscope.cycles=$cycles"
. "$top/lab/emulator.sh"
emulator_prepare
emulator_run "L1 runs the proofs (off, $cycles reload cycles, isolation)"
progress_done "results unpacked"
log "raw results in $out (tests/lab/check-proofs.sh $out $cpu judges them)"
