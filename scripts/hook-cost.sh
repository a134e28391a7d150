#!/usr/bin/env bash
# Show what the exit accounting adds to the VM-exit path, read from the built
# modules: the disassembly of the three hooks inlined in vmx_vcpu_run
# (kvm-intel.ko) and svm_vcpu_run (kvm-amd.ko), each cut
# at the static-key site that guards it. Usage: hook-cost.sh [intel|amd]
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
mods=$top/build/modules
[ -f "$mods/kvm-intel.ko" ] || { echo "hook-cost: run make modules first" >&2; exit 1; }

# dis MODULE FUNCTION: objdump of one function with relocations.
dis() { objdump -dr --no-show-raw-insn "$mods/$1.ko" --disassemble="$2" | grep -v '^$'; }

# The count hook: from the load of the reason to the store of the pending
# slot, found by its relocation against kvm_exit_stats_direct_slots.
count_hook() { dis "$1" "$2" | grep -B2 -A8 'kvm_exit_stats_direct_slots'; }
# The timing hooks: each rdtsc with the lines that guard and follow it.
timing_hooks() { dis "$1" "$2" | grep -B9 -A8 'rdtsc'; }

for cpu in ${1:-intel amd}; do
	case $cpu in
	intel) echo "== kvm-intel.ko: vmx_vcpu_run, count hook"; count_hook kvm-intel vmx_vcpu_run
	       echo "== kvm-intel.ko: vmx_vcpu_run, timing hooks (enter, stamp)"; timing_hooks kvm-intel vmx_vcpu_run ;;
	amd)   echo "== kvm-amd.ko: svm_vcpu_run, count hook"; count_hook kvm-amd svm_vcpu_run
	       echo "== kvm-amd.ko: svm_vcpu_run, timing hooks (enter, stamp)"; timing_hooks kvm-amd svm_vcpu_run ;;
	*) echo "hook-cost: unknown cpu '$cpu' (intel or amd)" >&2; exit 2 ;;
	esac
done
