#!/usr/bin/env bash
# The lab's command line: bad input is refused at once with a clear message
# and a non-zero status, before anything is built or booted. (What
# `exitscope report` does with results: tests/lab/check-report.sh.)
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib.sh"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
lab=$top/lab/lab.sh
case_ "lab: unknown option" 1 "unknown option '--frob'" -- "$lab" --frob
case_ "lab: bad --cpu" 1 "invalid --cpu: 'arm'" -- "$lab" --cpu arm
case_ "lab: bad --workload" 1 "invalid --workload: 'bogus'" -- "$lab" --workload bogus
case_ "lab: bad --runs" 1 "invalid --runs: '0'" -- "$lab" --runs 0
case_ "lab: bad --timeout" 1 "invalid --timeout: '5'" -- "$lab" --timeout 5
case_ "lab: missing --l2-extra" 1 "--l2-extra: no such file" -- "$lab" --l2-extra /nonexistent
case_ "lab: bad --l1" 1 "invalid --l1: 'tiny'" -- "$lab" --l1 tiny
case_ "lab: missing --l1-extra" 1 "--l1-extra: no readable file '/nonexistent'" -- "$lab" --l1-extra /nonexistent
case_ "lab: --l1-extra of a directory" 1 "--l1-extra: no readable file" -- "$lab" --l1-extra /tmp
case_ "lab: --l1-append cannot set the lab's own options" 1 "--l1-append: 'exitscope.' options are the lab's own" -- \
	"$lab" --l1-append 'preempt=full exitscope.runs=9'
case_ "lab: --l1-append with a quote (it goes into grub.cfg)" 1 "--l1-append: 'a\"b': only letters" -- \
	"$lab" --l1-append 'a"b'
case_ "lab: --l1-append with a newline" 1 "only letters, digits" -- "$lab" --l1-append "$(printf 'a\n}\nmenuentry x {')"
# exitscope ignores SIGPIPE for its own writes; the lab it starts must not.
printf '#!/bin/sh\nsed -n "s/^SigIgn:\t//p" /proc/self/status\n' >"$tmp/sigign.sh"
chmod +x "$tmp/sigign.sh"
ign=$(EXITSCOPE_LAB=$tmp/sigign.sh "$top/build/bin/exitscope" lab 2>&1)
result "$([ -n "$ign" ] && [ $(( 0x$ign >> 12 & 1 )) -eq 0 ]; echo $?)" \
	"exitscope lab starts the lab with SIGPIPE as any shell has it" "exitscope lab: the lab's ignored signals are '$ign' (SIGPIPE is bit 12)"
case_ "lab: bad --rounds" 1 "invalid --rounds: 'x'" -- "$lab" --rounds x
case_ "lab: bad EXITSCOPE_LAB_INJECT" 1 "invalid EXITSCOPE_LAB_INJECT: 'x' (stuck, spin, silent, quiet, corrupt or corrupt,stuck)" -- env EXITSCOPE_LAB_INJECT=x "$lab" --cpu amd
case_ "lab: --help" 0 "EXAMPLES" -- "$lab" --help
# Twice at once on one --out: the second refuses at once, naming it.
mkdir -p "$tmp/busy"
# The holder: a process that is the lock's only owner (no child to outlive
# it and keep this script's output open).
(exec 9>"$tmp/busy/.exitscope.lock" && flock 9 && exec sleep 30) >/dev/null 2>&1 &
holder=$!
sleep 0.5
case_ "lab: a second lab on the same --out refused" 1 "another run is writing '$tmp/busy'" -- "$lab" --cpu amd --out "$tmp/busy"
case_ "bench: a second benchmark on the same --out refused" 1 "another run is writing '$tmp/busy'" -- \
	"$top/lab/bench.sh" --cpu amd --out "$tmp/busy"
kill "$holder" 2>/dev/null; wait "$holder" 2>/dev/null
bench=$top/lab/bench.sh
case_ "bench: unknown option" 1 "unknown option '--frob'" -- "$bench" --frob
case_ "bench: bad --only" 1 "invalid --only: 'bogus'" -- "$bench" --cpu amd --only stock,bogus
case_ "bench: bad --vcpus" 1 "invalid --vcpus: '8'" -- "$bench" --cpu amd --vcpus 8
case_ "bench: bad --tracer-vcpus" 1 "invalid --tracer-vcpus: '1,,2'" -- "$bench" --cpu amd --tracer-vcpus 1,,2
case_ "bench: bad --rounds" 1 "invalid --rounds: '0'" -- "$bench" --cpu amd --rounds 0
case_ "bench: bad --boots" 1 "invalid --boots: '10'" -- "$bench" --cpu amd --boots 10
case_ "bench: too many rounds" 1 "more than 99 rounds" -- "$bench" --cpu amd --boots 2 --rounds 50
case_ "bench: --jit on Intel refused" 1 "--jit works with --cpu amd only" -- "$bench" --cpu intel --jit
case_ "bench: --jit-only outside --only" 1 "invalid --jit-only: 'bpftrace-count'" -- \
	"$bench" --cpu amd --only stock,bpf-floor --jit-only bpftrace-count
case_ "bench: bad --cases" 1 "invalid --cases: 'cpuid;ls'" -- "$bench" --cpu amd --cases 'cpuid;ls'
case_ "bench: tracing peers on Intel" 1 "these tracing peers run on AMD only (QEMU, with the Debian root file system): bpftrace-count" -- \
	"$bench" --cpu intel --only stock,bpf-floor,tracepoint-hist,bpftrace-count
case_ "lab: bad --collector-attach" 1 "invalid --collector-attach: 'kprobe' (tp_btf or tp)" -- \
	"$lab" --l1 debian --collector --collector-attach kprobe
case_ "lab: --collector-attach without --collector" 1 "--collector-attach needs --collector" -- \
	"$lab" --l1 debian --collector-attach tp
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
# The version, with the commit it was built from (a git checkout here).
case_ "exitscope --version" 0 "exitscope 0.1 (git " -- "$top/build/bin/exitscope" --version
case_ "exitscope --version: extra argument" 2 "unexpected argument 'x'" -- "$top/build/bin/exitscope" --version x

# Plain `make` builds the tools without the kernel: it must not resolve (and
# install) the kernel packages, that is not make build/kernel.mk.
make -n -C "$top" BUILD="$tmp/b" >"$tmp/make.out" 2>&1
if ! ls "$tmp"/b/kernel*.mk >/dev/null 2>&1 && ! grep -q 'kernel-source.sh' "$tmp/make.out" &&
	grep -q 'exitscope-vmm' "$tmp/make.out"; then
	echo "ok - make: plain make builds the tools and touches no kernel package"
else
	echo "not ok - make: plain make resolved the kernel (build/kernel.mk):"
	tail -3 "$tmp/make.out" | sed 's/^/    /'
fi
make -n -C "$top" BUILD="$tmp/b" LDSTATIC= tools-bin 2>&1 | grep 'exitscope-vmm tools' >"$tmp/make.out"
check "make: LDSTATIC= links dynamically (the sanitizer build)" bash -c "! grep -q -- ' -static ' '$tmp/make.out' && [ -s '$tmp/make.out' ]"
check "make: distclean removes build/ and results/" bash -c "make -n -C '$top' distclean | grep -q 'rm -rf results'"
