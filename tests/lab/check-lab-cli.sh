#!/usr/bin/env bash
# The lab's command line: bad input is refused at once with a clear message
# and a non-zero status, before anything is built or booted; and
# `exitscope report` refuses corrupt or inconsistent results directories.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
case_() {
	local name=$1 want=$2 text=$3; shift 4
	"$@" </dev/null >"$tmp/out" 2>&1; local got=$?
	if [ "$got" -eq "$want" ] && grep -qF -- "$text" "$tmp/out"; then
		echo "ok - $name"
	else
		echo "not ok - $name: wanted status $want and '$text', got $got:"
		sed 's/^/    /' "$tmp/out" | tail -3
	fi
}
lab=$top/lab/lab.sh
case_ "lab: unknown option" 1 "unknown option '--frob'" -- "$lab" --frob
case_ "lab: bad --cpu" 1 "invalid --cpu: 'arm'" -- "$lab" --cpu arm
case_ "lab: bad --workload" 1 "invalid --workload: 'bogus'" -- "$lab" --workload bogus
case_ "lab: bad --runs" 1 "invalid --runs: '0'" -- "$lab" --runs 0
case_ "lab: bad --timeout" 1 "invalid --timeout: '5'" -- "$lab" --timeout 5
case_ "lab: missing --l2-extra" 1 "--l2-extra: no such file" -- "$lab" --l2-extra /nonexistent
case_ "lab: bad --l1" 1 "invalid --l1: 'tiny'" -- "$lab" --l1 tiny
case_ "lab: bad --rounds" 1 "invalid --rounds: 'x'" -- "$lab" --rounds x
case_ "lab: bad EXITSCOPE_LAB_INJECT" 1 "invalid EXITSCOPE_LAB_INJECT: 'x' (stuck, spin or silent)" -- env EXITSCOPE_LAB_INJECT=x "$lab" --cpu amd
case_ "lab: --help" 0 "EXAMPLES" -- "$lab" --help
case_ "exitscope lab runs lab.sh" 1 "unknown option '--frob'" -- "$top/build/bin/exitscope" lab --frob
cp "$top/build/bin/exitscope" "$tmp/exitscope"
case_ "exitscope lab away from its tree" 1 "lab/lab.sh not found next to this binary" -- "$tmp/exitscope" lab

# The TSC frequency the lab hands to L1 under QEMU: plausible and steady.
a=$("$top/build/bin/exitscope" tsc-khz 2>&1) b=$("$top/build/bin/exitscope" tsc-khz 2>&1)
if [[ $a =~ ^[0-9]+$ && $b =~ ^[0-9]+$ ]] && [ "$a" -ge 100000 ] &&
	[ $(( (a > b ? a - b : b - a) * 100 )) -le "$a" ]; then
	echo "ok - exitscope tsc-khz: $a and $b kHz, within 1%"
else
	echo "not ok - exitscope tsc-khz: wanted two steady kHz figures, got '$a' and '$b'"
fi
case_ "exitscope tsc-khz: extra argument" 2 "unexpected argument 'x'" -- "$top/build/bin/exitscope" tsc-khz x

# exitscope report on damaged results (from a known-good set made here).
r=$tmp/res
good() {	# a consistent results directory for MODE (npt or ept)
	rm -rf "$r" && mkdir -p "$r"
	local isa=$([ "$1" = npt ] && echo svm || echo vmx) code=$([ "$1" = npt ] && echo 0x72 || echo 10)
	for p in "$1" shadow; do
		printf '# isa %s mode cycles exits 3 cycles 30\n %s cpuid 3 30\n' $isa $code >"$r/stats-$p-1.txt"
		printf '{ exit_reason: %d } hitcount: 3\nTotals:\n    Hits: 3\n    Dropped: 0\n' $((code)) >"$r/hist-$p-1.txt"
		echo 0 >"$r/status-$p-1.txt"
		echo "no query here" >"$r/l2-$p-1.log"
	done
}
rep=$top/build/bin/exitscope
good npt
case_ "report: consistent results accepted" 0 "agree with the kvm_exit tracepoint" -- "$rep" report --dir "$r" --cpu amd
printf '{ exit_reason: 114 } hitcount: 4\nTotals:\n    Hits: 4\n    Dropped: 0\n' >"$r/hist-shadow-1.txt"
case_ "report: a count off by one fails loudly" 1 "MISMATCH in run shadow 1: reason 0x72 (cpuid): exitscope 3, tracepoint 4" -- \
	"$rep" report --dir "$r" --cpu amd
good npt
printf '# isa svm mode cycles exits 3 cycles 30\n      0x72 cpuid three 30\n' >"$r/stats-npt-1.txt"
case_ "report: a corrupt file is refused" 1 "stats-npt-1.txt: line 2" -- "$rep" report --dir "$r" --cpu amd
good npt
rm "$r/hist-npt-1.txt"
case_ "report: a missing file is named" 1 "hist-npt-1.txt: No such file" -- "$rep" report --dir "$r" --cpu amd
good npt
echo 3 >"$r/status-shadow-1.txt"
case_ "report: a failed L2 run fails the report" 1 "L2 run shadow 1 ended with status 3" -- "$rep" report --dir "$r" --cpu amd
good ept
sed -i 's/isa vmx/isa svm/' "$r/stats-ept-1.txt"
case_ "report: wrong vendor" 1 "is from svm, not vmx" -- "$rep" report --dir "$r" --cpu intel
good ept
case_ "report: Intel results accepted" 0 "agree with the kvm_exit tracepoint" -- "$rep" report --dir "$r" --cpu intel

# What L1 says about the run goes into results.json, escaped; junk is refused.
good npt
echo 6.1.192 >"$r/l1-release.txt"
printf '%s\n' 'console=ttyS0 quiet pti=on x="a\b"' >"$r/l2-cmdline.txt"
"$rep" report --dir "$r" --cpu amd --json >"$tmp/json" 2>/dev/null
if grep -qF '"l1_kernel":"6.1.192","l2_cmdline":"console=ttyS0 quiet pti=on x=\"a\\b\""' "$tmp/json" &&
	grep -qF 'L2 command line: `console=ttyS0 quiet pti=on' "$r/report.md"; then
	echo "ok - report: L1 kernel and L2 command line recorded, JSON-escaped"
else
	echo "not ok - report: L1 kernel and L2 command line not recorded right:"
	head -c 300 "$tmp/json" | sed 's/^/    /'
fi
printf 'one\ntwo\n' >"$r/l2-cmdline.txt"
case_ "report: a two-line l2-cmdline.txt is refused" 1 "l2-cmdline.txt: not one line" -- "$rep" report --dir "$r" --cpu amd
head -c 2000 /dev/zero | tr '\0' x >"$r/l2-cmdline.txt"
case_ "report: an overlong l2-cmdline.txt is refused" 1 "l2-cmdline.txt: not one line of at most 1023 bytes" -- "$rep" report --dir "$r" --cpu amd

# The table ends with one line on why each strongly changed reason changed.
good npt
printf '# isa svm mode cycles exits 703 cycles 730\n 0x72 cpuid 3 30\n 0x4e PF excp 500 500\n 0x7b io 200 200\n' >"$r/stats-shadow-1.txt"
printf '{ exit_reason: 114 } hitcount: 3\n{ exit_reason: 78 } hitcount: 500\n{ exit_reason: 123 } hitcount: 200\nTotals:\n    Hits: 703\n    Dropped: 0\n' >"$r/hist-shadow-1.txt"
"$rep" report --dir "$r" --cpu amd >"$tmp/table" 2>&1
if grep -q '^    0x4e  PF excp: #PF intercepts: KVM must see guest page faults' "$tmp/table" &&
	grep -q '^    0x7b  io: changed with the paging mode; no note' "$tmp/table" &&
	! grep -q '0x72  cpuid:' "$tmp/table"; then
	echo "ok - report: a why line for each strongly changed reason, none for the rest"
else
	echo "not ok - report: why lines wrong:"
	sed 's/^/    /' "$tmp/table" | tail -6
fi
