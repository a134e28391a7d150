#!/usr/bin/env bash
# The cycle model (scripts/cycle-model.py) on what it is given:
# - the modules' exit path from scripts/hook-cost.sh --json (make modules
#   first): every row's counts are those of the path hook-cost walked, cold
#   is hot plus an L3 hit per line, and the modes cost in their order;
# - a BPF "JIT image" assembled here, whose one run is known by
#   construction: a branch not taken, a call resolved through kallsyms to a
#   helper's name, a call into the program's other function walked, a
#   forward jump that skips an RDTSC, a program attached elsewhere (a
#   cgroup's) left out.
# One "ok -"/"not ok -" line per case.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib.sh"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
model=$top/scripts/cycle-model.py

# --- the modules ---
"$top/scripts/hook-cost.sh" --json >"$tmp/hc.json" 2>"$tmp/hc.err"
result $? "cycle model: hook-cost.sh --json ran" "cycle model: hook-cost.sh --json failed: $(tail -n 2 "$tmp/hc.err")"
"$model" --json "$tmp/hc.json" >"$tmp/m.json" 2>"$tmp/m.err"
result $? "cycle model: priced the modules' exit path" "cycle model: failed: $(tail -n 2 "$tmp/m.err")"
for v in intel amd; do
	# The path of every exit is the vendor's hooks and kvm.ko's per-exit ones.
	want=$(jq --arg v "$v" '[.parts[] | select((.part == $v or .part == "x86") and .mode == "counts") | .path | length] | add' "$tmp/hc.json")
	got=$(jq --arg v "$v" '.rows[] | select(.vendor == $v and .config == "exitscope-counts" and .what == "every exit") | .insns' "$tmp/m.json")
	[ -n "$want" ] && [ "$want" = "$got" ]
	result $? "cycle model: $v counts: the $got instructions hook-cost walked" "cycle model: $v counts: $got instructions, hook-cost walked $want"
	want=$(jq --arg v "$v" '[.parts[] | select((.part == $v or .part == "x86") and .mode == "cycles") | .path[] | select(startswith("rdtsc"))] | length' "$tmp/hc.json")
	got=$(jq --arg v "$v" '.rows[] | select(.vendor == $v and .config == "exitscope-cycles" and .what == "every exit") | .rdtsc' "$tmp/m.json")
	[ "$want" = "$got" ] && [ "$got" -ge 1 ]
	result $? "cycle model: $v cycles: its $got RDTSC counted" "cycle model: $v cycles: $got RDTSC, the path has $want"
	jq -e --arg v "$v" '[.rows[] | select(.vendor == $v and .what == "every exit")] as $r |
		($r | map({(.config): .hot_cycles}) | add) as $h |
		$h["exitscope-off"] < $h["exitscope-counts"] and $h["exitscope-counts"] < $h["exitscope-cycles"] and
		($r[] | select(.config == "exitscope-off") | .lines) == 0' "$tmp/m.json" >/dev/null
	result $? "cycle model: $v: off < counts < cycles, hot; off's NOPs touch no line of their own" \
		"cycle model: $v: the modes' hot cycles or off's lines are not as they must be"
done
jq -e '.l3_hit_cycles as $l | all(.rows[]; .cold_cycles == .hot_cycles + $l * .lines)' "$tmp/m.json" >/dev/null
result $? "cycle model: cold is hot plus an L3 hit per line, in every row" "cycle model: a row's cold is not hot + L3 x lines"
"$model" "$tmp/hc.json" >"$tmp/table" 2>&1 && grep -q '^amd  *exitscope-cycles' "$tmp/table" && grep -q 'Skylake-SP' "$tmp/table"
result $? "cycle model: the table for people names the microarchitecture" "cycle model: no table: $(head -n 3 "$tmp/table")"

# --- a BPF program, assembled ---
# Two functions, as the JIT lays out a program with a BPF-to-BPF call: the
# main one at BASE, the called one at BASE + 0x2000 (its bytes follow the
# main one's in the image); a helper at BASE + 0x10000.
d=$tmp/bench
mkdir -p "$d"
base=0xffffffffc0001000
asm() {
	cat >"$tmp/prog.s" <<ASM
	.text
	push %rbp
	mov %rsp, %rbp
	test %rdi, %rdi
	je out			# not taken by the walk
call_helper:
	.byte 0xe8		# call rel32: the helper
	.long $1
call_sub:
	.byte 0xe8		# call rel32: the program's other function
	.long $2
	lock incq 8(%rdi)
	jmp tail		# followed
	rdtsc			# jumped over
tail:
	lfence
	rdtsc
out:
	leave
	ret
main_end:
	mov 16(%rdi), %rax
	ret
ASM
	as -o "$tmp/prog.o" "$tmp/prog.s" && objcopy -O binary -j .text "$tmp/prog.o" "$d/jit-bpf-test-7.bin"
}
sym() { nm "$tmp/prog.o" | awk -v s="$1" '$3 == s { print "0x" $1 }'; }
asm 0 0 && asm $((0x10000 - $(sym call_helper) - 5)) $((0x2000 - $(sym call_sub) - 5))
result $? "cycle model: the test program assembled" "cycle model: as or objcopy failed"
main_len=$(($(sym main_end)))
printf 'func %#x %d\nfunc %#x %d\n' $((base)) "$main_len" $((base + 0x2000)) \
	$(($(stat -c %s "$d/jit-bpf-test-7.bin") - main_len)) >"$d/jit-bpf-test-7.funcs"
printf 'ffffffff81000000 T _stext\n%x T bpf_probe_read_kernel\n%x T bpf_probe_read_kernel_end\n' \
	$((base + 0x10000)) $((base + 0x10100)) | gzip -c >"$d/kallsyms.txt.gz"
printf 'cpu=amd\n' >"$d/bench-info.txt"
echo '[{"id":7,"type":"tracing","name":"on_exit","tag":"0123456789abcdef"},{"id":8,"type":"tracing","name":"loaded_only","tag":"fedcba9876543210"}]' \
	>"$d/jit-progs-bpf-test.json"
# Program 8 is a cgroup's (as systemd's on a host): not on the exit path.
echo '[{"id":1,"type":"tracing","prog_id":7,"attach_type":"trace_raw_tp"},{"id":2,"type":"cgroup","prog_id":8,"attach_type":"cgroup_inet_ingress"}]' \
	>"$d/jit-links-bpf-test.json"
echo '[]' >"$d/jit-perf-bpf-test.json"
"$model" --json "$tmp/hc.json" "$d" >"$tmp/b.json" 2>"$tmp/b.err"
result $? "cycle model: priced the BPF program" "cycle model: BPF: $(tail -n 2 "$tmp/b.err")"
row() { jq -r --arg k "$1" '.rows[] | select(.config == "bpf-test") | .[$k] | tostring' "$tmp/b.json"; }
# push mov test je call call [mov ret] lock-inc jmp lfence rdtsc leave ret:
# 14, one RDTSC (the other jumped over), two calls and two returns.
[ "$(row insns)" = 14 ] && [ "$(row rdtsc)" = 1 ] && [ "$(row lock)" = 1 ] && [ "$(row fence)" = 1 ] &&
	[ "$(row calls)" = 2 ] && [ "$(row rets)" = 2 ]
result $? "cycle model: BPF: the one run walked (14 instructions: the branch not taken, the jump followed, the other function's 2)" \
	"cycle model: BPF: insns $(row insns) rdtsc $(row rdtsc) lock $(row lock) fence $(row fence) calls $(row calls) rets $(row rets)"
[ "$(row kernel_calls)" = '{"bpf_probe_read_kernel":1}' ]
result $? "cycle model: BPF: the helper named through kallsyms, the program's own function not" \
	"cycle model: BPF: the calls are $(row kernel_calls)"
# One data line (8(%rdi) and 16(%rdi)) and each function's one code line.
[ "$(row lines)" = 3 ] && [ "$(row what)" = "every exit: on_exit (link trace_raw_tp)" ]
result $? "cycle model: BPF: 3 lines; only the program on the exit path, with how it is attached" \
	"cycle model: BPF: lines $(row lines), '$(row what)'"
rm "$d/jit-bpf-test-7.bin"
"$model" "$tmp/hc.json" "$d" >"$tmp/out" 2>&1
[ $? -eq 1 ] && grep -q "no JIT image of program 7" "$tmp/out"
result $? "cycle model: a missing image is an error, naming the program" "cycle model: a missing image: $(head -n 2 "$tmp/out")"
echo '{"schema":"other"}' >"$tmp/bad.json"
"$model" "$tmp/bad.json" >"$tmp/out" 2>&1
[ $? -eq 1 ] && grep -q "not exitscope.hook-cost/1" "$tmp/out"
result $? "cycle model: another file than hook-cost's refused" "cycle model: bad input: $(head -n 2 "$tmp/out")"

# --- QEMU's trace to the blocks that ran (lab/tb-counts.awk) ---
# A block QEMU logs and then leaves at its start ("Stopped execution of TB
# chain before", an interrupt request) did not run: seen as a run, the
# floor's program once ran one more time than KVM counted exits.
{
	echo 'Trace 0: 0x7f0000001000 [00000000/ffffffffc0001000/00c040b3/ff000000] '
	echo 'Stopped execution of TB chain before 0x7f0000001000 [ffffffffc0001000] '
	echo 'Trace 0: 0x7f0000002000 [00000000/ffffffffc0001000/00c040b3/ff000205] '
	echo 'Trace 0: 0x7f0000001000 [00000000/ffffffffc0001000/00c040b3/ff000000] '
	echo 'Trace 0: 0x7f0000004000 [00000000/ffffffffc0001008/00c040b3/ff000000] '
	echo 'Trace 0: 0x7f0000003000 [00000000/ffffffffc0001010/00c040b3/ff000000] '
	echo 'Stopped execution of TB chain before 0x7f0000003000 [ffffffffc0001010] '
} >"$tmp/exec.log"
awk -f "$top/lab/tb-counts.awk" "$tmp/exec.log" | sort >"$tmp/tb.tsv"
printf 'ffffffffc0001000\t0\t1\nffffffffc0001000\t5\t1\nffffffffc0001008\t0\t1\n' | cmp -s - "$tmp/tb.tsv"
result $? "cycle model: QEMU's trace: a block left at its start is no run; -icount's limit read from cflags" \
	"cycle model: QEMU's trace counted: $(tr '\t\n' ' ;' <"$tmp/tb.tsv")"
