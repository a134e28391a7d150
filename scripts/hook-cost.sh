#!/usr/bin/env bash
# What the exit accounting adds to the VM-exit path, counted from the built
# modules (`make modules` first) against Debian's stock modules of the same
# version: per mode, the instructions an exit executes in the hooks, their
# RDTSCs, locked instructions, fences, calls, returns and cache lines, and
# any other instruction the change costs outside them (scripts/hook-cost.py
# says how). Usage: hook-cost.sh [intel|amd|x86|kvm ...]
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/lib.sh"
eval "$("$top/scripts/kernel-source.sh")"
mods=${EXITSCOPE_MODULES:-$KMODS}
[ -f "$mods/kvm-intel.ko" ] || die "hook-cost: no modules in $mods (run make modules first)"
exec python3 "$top/scripts/hook-cost.py" "$mods" "$KSTOCK" "$@"
