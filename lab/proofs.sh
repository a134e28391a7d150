#!/usr/bin/env bash
# The lab's proofs of isolation, reload and "off means stock" (issue 10),
# in one L1 boot: lab/l1-proofs.sh runs them on the lab's small L1 kernel
# (with kmemleak) and exitscope's modules built for it; the host unpacks
# the raw results into DIR. tests/lab/check-proofs.sh judges them.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/lib.sh"
. "$top/lab/run-lib.sh"

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
run_lock
progress_init "$out" proofs "$cpu" "$cycles"

run_apt=(flex bison bc libelf-dev lz4)
proofs_kernels() {
	run_say kernels "L1 and L2 kernels, exitscope's modules for L1, the tools (cached after the first run)"
	l1_prepare small
	make -s -C "$top" tools >/dev/null
	l2kernel=$("$top/lab/build-kernel.sh" l2)/bzImage
}
proofs_initramfs() {
	run_say initramfs "initramfs images"
	run_workdir proofs
	"$top/lab/build-initramfs.sh" "$work" "$l2kernel" "$kvmdir" "$deps" \
		"console=ttyS0 reboot=t panic=-1 quiet exitscope.workload=boot exitscope.rounds=1" "" \
		"$top/lab/l1-proofs.sh"
}
proofs_emulator() {
	local what="L1 runs the proofs (off, $cycles reload cycles, isolation)"

	run_say emulator "emulator: $what"
	rm -f "$out"/*.txt "$out"/*.log "$out"/results-corrupt.raw
	timeout=1800
	append="console=ttyS0 quiet mitigations=off kmemleak=on exitscope.cpu=$cpu exitscope.cycles=$cycles"
	l1_boot "$what"
}
run_stages stage_packages proofs_kernels proofs_initramfs proofs_emulator
progress_done "results unpacked"
log "raw results in $out (tests/lab/check-proofs.sh $out $cpu judges them)"
