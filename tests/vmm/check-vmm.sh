#!/usr/bin/env bash
# exitscope-vmm and exitscope on the machine itself: bad input first (needs
# no KVM), then flat guests on /dev/kvm when this machine has a usable one
# (skipped otherwise; Linux guests run in the lab). One line per case:
# "ok - ...", "not ok - ...", "skip - ...".
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
vmm=$top/build/bin/exitscope-vmm cli=$top/build/bin/exitscope g=$top/build/guest
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

# case NAME WANT-STATUS WANT-TEXT -- COMMAND...: status and a line of output.
case_() {
	local name=$1 want=$2 text=$3; shift 4
	timeout 120 "$@" </dev/null >"$tmp/out" 2>&1; local got=$?
	if [ "$got" -eq "$want" ] && grep -qF -- "$text" "$tmp/out"; then
		echo "ok - $name"
	else
		echo "not ok - $name: wanted status $want and '$text', got $got:"
		sed 's/^/    /' "$tmp/out" | tail -5
	fi
}

case_ "vmm: no arguments" 2 "give either --kernel or --flat" -- "$vmm"
case_ "vmm: bad --cpus" 2 "invalid --cpus: '0'" -- "$vmm" --flat x --cpus 0
case_ "vmm: bad --mem" 2 "invalid --mem: '4096'" -- "$vmm" --flat x --mem 4096
case_ "vmm: --kernel and --flat" 2 "either --kernel or --flat" -- "$vmm" --kernel a --flat b
case_ "vmm: --help" 0 "EXAMPLES" -- "$vmm" --help
case_ "cli: unknown command" 2 "unknown command 'frob'" -- "$cli" frob
case_ "cli: bad reason" 2 "invalid reason: 'ten'" -- "$cli" query --reason ten
case_ "cli: shutdown status range" 2 "invalid status: '300'" -- "$cli" shutdown 300
# Here the host is bare metal or a VM without exitscope's KVM: refuse.
case_ "cli: query without the interface" 1 "exitscope query: " -- "$cli" query

if ! { exec 3<>/dev/kvm; } 2>/dev/null; then
	for c in "missing kernel" "not a bzImage" "too little memory" "real-mode flat guest" \
		 "cpuid-loop" "io-loop" "timeout"; do
		echo "skip - vmm on KVM: $c (no usable /dev/kvm here)"
	done
	exit 0
fi
exec 3>&-
case_ "vmm on KVM: missing kernel" 1 "/nonexistent: No such file" -- "$vmm" --kernel /nonexistent
case_ "vmm on KVM: not a bzImage" 1 "not a bzImage" -- "$vmm" --kernel "$g/cpuid-loop.elf"
case_ "vmm on KVM: too little memory" 1 "too little memory" -- \
	"$vmm" --kernel "${EXITSCOPE_VMLINUZ:-/boot/vmlinuz-$(uname -r)}" --mem 8
case_ "vmm on KVM: real-mode flat guest, verdict" 42 "hello from real mode" -- \
	"$vmm" --flat "$g/hello-real.bin" --flat-mode real --timeout 60
case_ "vmm on KVM: cpuid-loop" 0 "cpuid-loop: done" -- "$vmm" --flat "$g/cpuid-loop.bin" --timeout 100
case_ "vmm on KVM: io-loop" 0 "io-loop: done" -- "$vmm" --flat "$g/io-loop.bin" --timeout 100
case_ "vmm on KVM: timeout stops a hung guest" 124 "timeout: the guest ran for 2 s" -- \
	"$vmm" --flat "$g/spin.bin" --timeout 2
