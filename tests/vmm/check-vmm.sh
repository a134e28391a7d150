#!/usr/bin/env bash
# exitscope-vmm and exitscope on the machine itself: bad input first (needs
# no KVM), then flat guests on /dev/kvm when this machine has a usable one
# (skipped otherwise; Linux guests run in the lab). One line per case:
# "ok - ...", "not ok - ...", "skip - ...". EXITSCOPE_BIN picks the
# binaries (default build/bin; build/asan/bin for the sanitizer build).
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib.sh"
bin=$(cd "${EXITSCOPE_BIN:-$top/build/bin}" && pwd)
vmm=$bin/exitscope-vmm cli=$bin/exitscope g=$top/build/guest
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

# Exit statuses (tools/lib/abi/vmm_abi.h).
USAGE=64 SETUP=65 NO_VERDICT=66 TIMEOUT=68

case_ "vmm: no arguments" $USAGE "give either --kernel or --flat" -- "$vmm"
case_ "vmm: bad --cpus" $USAGE "invalid --cpus: '0'" -- "$vmm" --flat x --cpus 0
case_ "vmm: bad --mem" $USAGE "invalid --mem: '4096'" -- "$vmm" --flat x --mem 4096
case_ "vmm: --timeout 010 is no octal 8" $USAGE "invalid --timeout: '010': a leading zero" -- "$vmm" --flat x --timeout 010
case_ "vmm: --cpus ' 5'" $USAGE "invalid --cpus: ' 5': not a number" -- "$vmm" --flat x --cpus ' 5'
case_ "vmm: --cpus +5" $USAGE "invalid --cpus: '+5'" -- "$vmm" --flat x --cpus +5
case_ "vmm: --timeout 0x10 is hex" $USAGE "either --kernel or --flat" -- "$vmm" --timeout 0x10
case_ "vmm: --kernel and --flat" $USAGE "either --kernel or --flat" -- "$vmm" --kernel a --flat b
case_ "vmm: bad --cpuid" $USAGE "invalid --cpuid: EDX '': empty" -- "$vmm" --flat x --cpuid 0x4ffffffe=1,2,3,
case_ "vmm: bad --guest-stats" $USAGE "invalid --guest-stats: 'on' (default, off, kernel or user)" -- "$vmm" --flat x --guest-stats on
case_ "vmm: a flat image's --cmdline over 4095 bytes is refused" $USAGE "--cmdline: 4096 bytes, a flat image takes at most 4095" -- \
	"$vmm" --flat x --cmdline "$(head -c 4096 /dev/zero | tr '\0' x)"
case_ "vmm: --help names the exit statuses" 0 "66     the guest stopped without a verdict" -- "$vmm" --help
case_ "cli: unknown command" 2 "unknown command 'frob'" -- "$cli" frob
case_ "cli: bad reason" 2 "invalid reason: 'ten'" -- "$cli" query --reason ten
case_ "cli: reason 010 is no octal 8" 2 "invalid reason: '010': a leading zero" -- "$cli" query --reason 010
case_ "cli: shutdown status range" 2 "invalid status: '64'" -- "$cli" shutdown 64
# Here the host is bare metal or a VM without exitscope's KVM: refuse.
case_ "cli: query without the interface" 1 "exitscope query: " -- "$cli" query
# shutdown outside exitscope-vmm refuses before touching a port. Run in a
# user and PID namespace anyway: were the check broken, neither ioperm nor
# a real power-off could happen there (reboot() ends only that namespace).
if unshare --user --map-root-user --pid --fork true 2>/dev/null; then
	case_ "cli: shutdown refuses outside exitscope-vmm" 1 "exitscope shutdown: refused: " -- \
		unshare --user --map-root-user --pid --fork "$cli" shutdown 0
else
	echo "skip - cli: shutdown refuses outside exitscope-vmm (no user namespaces here)"
fi
# Help printed before exec'ing lab.sh reaches a pipe whole.
"$cli" lab --help 2>/dev/null | head -n 2 >"$tmp/head"
check "cli: exitscope lab --help | head keeps its first lines" grep -q '^usage: exitscope lab' "$tmp/head"

# Whether KVM is usable here, asked without creating anything: a shell's
# `exec 3<>/dev/kvm` creates a regular file where there is no device, and
# everything after it then believed in a KVM. The VMM's probe opens the
# device without O_CREAT, wants a character device answering KVM's API
# version, and creates a VM (EXITSCOPE_KVM_DEV stands in for /dev/kvm).
if ! "$vmm" --probe >"$tmp/probe" 2>&1; then
	why=$(sed -n 's/^exitscope-vmm: //p' "$tmp/probe" | head -n 1)
	for c in "missing kernel" "not a bzImage" "truncated bzImage" "too little memory" "--cmdline limit" \
		 "real-mode flat guest" "cpuid-loop" "io-loop" "timeout" "triple fault" \
		 "random bytes" "verdict 63" "verdict 68" "--cpuid" "--guest-stats" "--kvm-stats" \
		 "flat ABI" "flat --cmdline" "vmexit-bench" "rt-fault"; do
		echo "skip - vmm on KVM: $c (no usable KVM here: ${why:-the probe failed})"
	done
	exit 0
fi
vmlinuz=${EXITSCOPE_VMLINUZ:-$(ls /boot/vmlinuz-* 2>/dev/null | head -n 1)}
case_ "vmm on KVM: missing kernel" $SETUP "/nonexistent: No such file" -- "$vmm" --kernel /nonexistent
case_ "vmm on KVM: not a bzImage" $SETUP "not a bzImage" -- "$vmm" --kernel "$g/cpuid-loop.elf"
head -c $(( $(stat -c %s "$vmlinuz") - 4096 )) "$vmlinuz" >"$tmp/cut"
case_ "vmm on KVM: truncated bzImage" $SETUP "truncated: the header says" -- "$vmm" --kernel "$tmp/cut"
case_ "vmm on KVM: too little memory" $SETUP "too little memory" -- "$vmm" --kernel "$vmlinuz" --mem 8
# The boot protocol's cmdline_size counts the bytes without the NUL (2047 on
# Debian's kernel): that many are taken (the memory check comes next), one
# more is not.
limit=$(od -An -tu4 -j $((0x238)) -N4 "$vmlinuz" | tr -d ' ')
case_ "vmm on KVM: a --cmdline of cmdline_size bytes is taken" $SETUP "too little memory" -- \
	"$vmm" --kernel "$vmlinuz" --mem 8 --cmdline "$(head -c "$limit" /dev/zero | tr '\0' x)"
case_ "vmm on KVM: one byte more is refused" $SETUP "--cmdline: $((limit + 1)) bytes, this kernel takes at most $limit" -- \
	"$vmm" --kernel "$vmlinuz" --mem 8 --cmdline "$(head -c $((limit + 1)) /dev/zero | tr '\0' x)"
case_ "vmm on KVM: real-mode flat guest, verdict" 42 "hello from real mode" -- \
	"$vmm" --flat "$g/hello-real.bin" --flat-mode real --timeout 60
case_ "vmm on KVM: cpuid-loop" 0 "cpuid-loop: done" -- "$vmm" --flat "$g/cpuid-loop.bin" --timeout 100
case_ "vmm on KVM: io-loop" 0 "io-loop: done" -- "$vmm" --flat "$g/io-loop.bin" --timeout 100
case_ "vmm on KVM: timeout stops a hung guest" $TIMEOUT "timeout: the guest ran for 2 s" -- \
	"$vmm" --flat "$g/spin.bin" --timeout 2
# A guest that dies is no success: real-mode code entered in long mode.
case_ "vmm on KVM: triple fault is a failure" $NO_VERDICT "without a verdict: a failure" -- \
	"$vmm" --flat "$g/hello-real.bin" --flat-mode long --timeout 30
# What a flat image is promised (lib/abi/vmm_abi.h), seen from inside by vmm-abi:
# every vCPU enters, with its index in RDI, the count in RSI, its own stack
# and the matching APIC IDs; the arguments at 0x6000.
case_ "vmm on KVM: flat ABI, 1 vCPU" 0 "vmm-abi: vcpu 0 of 1 rsp 0x9f000 x2apic 0 cpuid 0" -- \
	"$vmm" --flat "$g/vmm-abi.bin" --timeout 60
case_ "vmm on KVM: flat ABI, every one of 4 vCPUs enters with its own stack" 0 \
	"vmm-abi: vcpu 3 of 4 rsp 0x10c000 x2apic 3 cpuid 3" -- "$vmm" --flat "$g/vmm-abi.bin" --cpus 4 --timeout 60
case_ "vmm on KVM: flat --cmdline absent: an empty string" 0 "vmm-abi: cmdline 0 bytes ''" -- \
	"$vmm" --flat "$g/vmm-abi.bin" --timeout 60
case_ "vmm on KVM: flat --cmdline reaches the image" 0 "vmm-abi: cmdline 15 bytes 'cpuid, budget=1'" -- \
	"$vmm" --flat "$g/vmm-abi.bin" --cmdline "cpuid, budget=1" --timeout 60
case_ "vmm on KVM: flat --cmdline of 4095 bytes, whole" 0 "vmm-abi: cmdline 4095 bytes 'xxx" -- \
	"$vmm" --flat "$g/vmm-abi.bin" --cmdline "$(head -c 4095 /dev/zero | tr '\0' x)" --timeout 60
case_ "vmm on KVM: the runtime refuses more vCPUs than it knows" 17 "rt: 17 vCPUs, this image runs on at most 16" -- \
	"$vmm" --flat "$g/vmm-abi.bin" --cpus 17 --timeout 60
# A fault, on any vCPU, ends the run with the runtime's verdict 16 at once.
case_ "vmm on KVM: rt-fault: an unexpected #PF ends the run" 16 "rt: vCPU 0: unexpected #PF (vector 14" -- \
	"$vmm" --flat "$g/rt-fault.bin" --timeout 60
case_ "vmm on KVM: rt-fault: ...also on an AP, the others waiting" 16 "rt: vCPU 1: unexpected #PF (vector 14" -- \
	"$vmm" --flat "$g/rt-fault.bin" --cpus 2 --timeout 60

# vmexit-bench (docs/benchmarks.md): every case prints one line, measured
# with plausible figures or skipped with a reason, and the run ends with
# verdict 0. Small budgets: this /dev/kvm may be slow.
bench=$g/vmexit-bench.bin
bench_cases="cpuid vmcall pio_kernel pio_vmm pf cr3 hlt msr_read msr_write ipi mmio_kernel mmio_vmm mixed query_total query_code"
# bench_line CASE FILE [CPUS [RUNNING]]: one "ok"/"not ok" line for CASE's line in FILE.
bench_line() {
	local c=$1 f=$2 cpus=${3:-1} line p min max it
	local running=${4:-$cpus}
	line=$(grep -E "^vmexit-bench: $c (per_op=|skipped \()" "$f")
	if [[ $line =~ ^vmexit-bench:\ $c\ per_op=([0-9]+)\ min=([0-9]+)\ max=([0-9]+)\ iterations=([0-9]+)\ reps=3\ cpus=$cpus\ running=$running$ ]]; then
		p=${BASH_REMATCH[1]} min=${BASH_REMATCH[2]} max=${BASH_REMATCH[3]} it=${BASH_REMATCH[4]}
		# Every case exits at least under shadow paging; an exit costs
		# hundreds of cycles at the very least, a round trip to the VMM more.
		local floor=1; case $c in cpuid) floor=200 ;; pio_vmm) floor=500 ;; esac
		if [ "$min" -le "$p" ] && [ "$p" -le "$max" ] && [ "$it" -ge $((3 * running)) ] && [ "$p" -ge $floor ]; then
			echo "ok - vmm on KVM: vmexit-bench $c, $running of $cpus vCPU(s): per_op $p (min $min, max $max, $it iterations)"
		else
			echo "not ok - vmm on KVM: vmexit-bench $c, $running of $cpus vCPU(s): implausible: $line (floor $floor)"
		fi
	elif [[ $line =~ ^vmexit-bench:\ $c\ skipped\ \((.+)\)$ ]]; then
		echo "ok - vmm on KVM: vmexit-bench $c, $running of $cpus vCPU(s): skipped here (${BASH_REMATCH[1]})"
	else
		echo "not ok - vmm on KVM: vmexit-bench $c, $running of $cpus vCPU(s): wanted a figure or a reason, got '$line'"
	fi
}
# bench_vcpu_lines CASE FILE CPUS: each vCPU's own line, with plausible figures too.
bench_vcpu_lines() {
	local c=$1 f=$2 cpus=$3 i line bad=
	for ((i = 0; i < cpus; i++)); do
		line=$(grep -E "^vmexit-bench: $c vcpu=$i " "$f")
		if ! [[ $line =~ ^vmexit-bench:\ $c\ vcpu=$i\ per_op=([0-9]+)\ min=([0-9]+)\ max=([0-9]+)\ iterations=([0-9]+)$ ]] ||
			[ "${BASH_REMATCH[1]}" -lt "${BASH_REMATCH[2]}" ] || [ "${BASH_REMATCH[1]}" -gt "${BASH_REMATCH[3]}" ] ||
			[ "${BASH_REMATCH[2]}" -eq 0 ] || [ "${BASH_REMATCH[4]}" -lt 3 ]; then
			bad="$bad [vCPU $i: '$line']"
		fi
	done
	if [ -z "$bad" ]; then
		echo "ok - vmm on KVM: vmexit-bench $c on $cpus vCPUs: a plausible line per vCPU"
	else
		echo "not ok - vmm on KVM: vmexit-bench $c on $cpus vCPUs:$bad"
	fi
}
"$vmm" --flat "$bench" --cmdline 'budget=300000 reps=3' --timeout 100 </dev/null >"$tmp/bench" 2>&1; rc=$?
check "vmm on KVM: vmexit-bench, all cases: verdict 0, all $(wc -w <<<"$bench_cases") ran or skipped, none failed" \
	bash -c "[ $rc -eq 0 ] && grep -qE '^vmexit-bench: end ran=[0-9]+ skipped=[0-9]+ failed=0$' '$tmp/bench' &&
		[ \$(grep -cE '^vmexit-bench: [a-z_0-9]+ (per_op=|skipped )' '$tmp/bench') -eq $(wc -w <<<"$bench_cases") ]"
for c in $bench_cases; do bench_line $c "$tmp/bench"; done
# Cases without a valid() must run anywhere KVM does.
for c in cpuid pio_vmm cr3 msr_read; do
	check "vmm on KVM: vmexit-bench $c is never skipped" grep -q "^vmexit-bench: $c per_op=" "$tmp/bench"
done
"$vmm" --flat "$bench" --cmdline 'cpuid,pio_vmm,pf budget=300000 reps=3' --cpus 2 --timeout 100 </dev/null >"$tmp/bench2" 2>&1; rc=$?
check "vmm on KVM: vmexit-bench on 2 vCPUs: verdict 0" [ $rc -eq 0 ]
for c in cpuid pio_vmm pf; do
	bench_line $c "$tmp/bench2" 2
	bench_vcpu_lines $c "$tmp/bench2" 2
done
# solo: vCPU 0 alone exits, in a VM of 2 (a query against the VM's vCPU count).
"$vmm" --flat "$bench" --cmdline 'cpuid solo budget=300000 reps=3' --cpus 2 --timeout 100 </dev/null >"$tmp/solo" 2>&1; rc=$?
check "vmm on KVM: vmexit-bench solo on 2 vCPUs: verdict 0, no per-vCPU lines" \
	bash -c "[ $rc -eq 0 ] && grep -q '^vmexit-bench: start vendor=[a-z]* cpus=2 running=1 ' '$tmp/solo' && ! grep -q ' vcpu=' '$tmp/solo'"
bench_line cpuid "$tmp/solo" 2 1
check "vmm on KVM: vmexit-bench runs only the cases named" \
	bash -c "! grep -qE '^vmexit-bench: (vmcall|hlt|cr3) ' '$tmp/bench2'"
case_ "vmm on KVM: vmexit-bench refuses an unknown case" 2 "vmexit-bench: unknown case 'frob'" -- \
	"$vmm" --flat "$bench" --cmdline 'cpuid,frob' --timeout 60
case_ "vmm on KVM: vmexit-bench refuses a bad number" 2 "vmexit-bench: invalid reps: '16' (a number from 1 to 15)" -- \
	"$vmm" --flat "$bench" --cmdline 'cpuid reps=16' --timeout 60
case_ "vmm on KVM: vmexit-bench refuses an unknown option" 2 "vmexit-bench: unknown option 'budgets=1'" -- \
	"$vmm" --flat "$bench" --cmdline 'budgets=1' --timeout 60
# A VMM's CPUID table can fake the "undefined" answer, not a moving total.
case_ "vmm on KVM: vmexit-bench skips the query cases on a faked interface" 0 \
	"vmexit-bench: query_total skipped (leaf 0x4fffffff does not move" -- \
	"$vmm" --flat "$bench" --cmdline 'query_total budget=300000' --cpuid 0x4ffffffe=0,0,0,0xffffffff --timeout 60
# Without x2APIC (CPUID.1 with PAE alone), hlt has no timer and vmcall no watchdog.
case_ "vmm on KVM: vmexit-bench skips hlt without an x2APIC" 0 "vmexit-bench: hlt skipped (vCPU 0 has no x2APIC" -- \
	"$vmm" --flat "$bench" --cmdline 'hlt budget=300000' --cpuid 1=0,0,0,0x40 --timeout 60
head -c 4096 /dev/urandom >"$tmp/random"
"$vmm" --flat "$tmp/random" --timeout 10 </dev/null >"$tmp/out" 2>&1; rc=$?
if [ $rc -eq $NO_VERDICT ] || [ $rc -eq $TIMEOUT ] || [ $rc -eq 69 ]; then
	echo "ok - vmm on KVM: random bytes as --flat fail ($rc)"
else
	echo "not ok - vmm on KVM: random bytes as --flat: status $rc"; tail -3 "$tmp/out"
fi
# Verdicts at the edge of their range, from a 10-byte long-mode image:
# mov $0x501,%dx; mov $V,%al; out %al,(%dx); hlt; jmp .
verdict_image() { printf "\\x66\\xba\\x01\\x05\\xb0\\x$(printf %02x "$1")\\xee\\xf4\\xeb\\xfe" >"$tmp/v$1.bin"; }
verdict_image 63
case_ "vmm on KVM: verdict 63 is the guest's" 63 "guest verdict 63" -- "$vmm" --flat "$tmp/v63.bin" --timeout 30
verdict_image 68
case_ "vmm on KVM: verdict 68 is no timeout" 67 "guest verdict 68: not one (0 to 63)" -- "$vmm" --flat "$tmp/v68.bin" --timeout 30
case_ "vmm on KVM: --cpuid accepted into the table" 0 "cpuid-loop: done" -- \
	"$vmm" --flat "$g/cpuid-loop.bin" --timeout 100 --cpuid 0x4ffffffe=1,2,3,4 --cpuid 0x40000100=0,0,0,0
if [ -d /sys/kernel/debug/kvm ]; then
	"$vmm" --flat "$g/hello-real.bin" --flat-mode real --timeout 60 --kvm-stats "$tmp/kvm" </dev/null >/dev/null 2>&1
	check "vmm on KVM: --kvm-stats writes KVM's exits" grep -qE '^exits [0-9]+$' "$tmp/kvm"
else
	case_ "vmm on KVM: --kvm-stats without debugfs fails" $SETUP "--kvm-stats: /sys/kernel/debug/kvm/" -- \
		"$vmm" --flat "$g/hello-real.bin" --flat-mode real --timeout 60 --kvm-stats "$tmp/kvm"
fi
if "$vmm" --flat "$g/cpuid-loop.bin" --timeout 5 --guest-stats user </dev/null >"$tmp/out" 2>&1 ||
	! grep -q "this KVM has no exitscope accounting" "$tmp/out"; then
	echo "skip - vmm on KVM: --guest-stats on a KVM without exitscope (this one has it)"
else
	echo "ok - vmm on KVM: --guest-stats refused by a KVM without exitscope"
fi
