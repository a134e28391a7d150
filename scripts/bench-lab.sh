#!/usr/bin/env bash
# The lab's speed, both vendors side by side in one sitting: runs `make lab`
# for Intel and AMD (warm caches unless told otherwise) and prints each
# stage's seconds from their timing.tsv against the issue's targets
# (Intel <= 60 s, AMD <= 15 s). Exits 1 if a lab fails; a missed target is
# reported, not an error (a benchmark measures, the tests judge).
# Usage: scripts/bench-lab.sh [LAB OPTIONS...]   e.g. --l1 debian
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/lib.sh"
out=$top/build/bench-lab
rm -rf "$out"
for cpu in intel amd; do
	log "bench: lab $cpu $*"
	"$top/lab/lab.sh" --cpu "$cpu" --out "$out/$cpu" "$@" >"$out-$cpu.log" 2>&1 ||
		{ tail -n 15 "$out-$cpu.log" >&2; die "lab $cpu failed (log: $out-$cpu.log)"; }
done

# stage START-KEY END-KEY FILE: seconds between the first lines of
# timing.tsv whose key (column 3, lab/progress.sh) matches each pattern.
stage() {
	awk -F'\t' -v a="$1" -v b="$2" '
		ta == "" && $3 ~ a { ta = $1 }
		tb == "" && $3 ~ b { tb = $1 }
		END { if (ta == "" || tb == "") print "?"; else printf "%.1f", tb - ta }' "$3"
}
row() {
	printf '| %s | %s | %s |\n' "$1" "$(stage "$2" "$3" "$out/intel/timing.tsv")" \
		"$(stage "$2" "$3" "$out/amd/timing.tsv")"
}
echo "| stage | Intel (Bochs) s | AMD (QEMU TCG) s |"
echo "|---|---:|---:|"
row "packages, kernels, modules, tools, initramfs (cached)" '^packages$' '^emulator$'
row "emulator start to L1 /init" '^emulator$' '^l1:modules$'
row "load modules" '^l1:modules$' '^l1:l2-(ept|npt)-1$'
row "L2 runs with nested paging" '^l1:l2-(ept|npt)-1$' '^l1:interface$'
row "who may read the leaves: 4 flat probes" '^l1:interface$' '^l1:reload$'
row "rmmod + insmod without nested paging" '^l1:reload$' '^l1:l2-shadow-1$'
row "L2 runs with shadow paging" '^l1:l2-shadow-1$' '^l1:send$'
row "send results, unpack, check, report" '^l1:send$' '^end$'
ti=$(stage '^packages$' '^end$' "$out/intel/timing.tsv")
ta=$(stage '^packages$' '^end$' "$out/amd/timing.tsv")
printf '| **total** | **%s** | **%s** |\n' "$ti" "$ta"
verdict() { awk -v t="$1" -v m="$2" 'BEGIN { print (t <= m ? "met" : "NOT met") }'; }
echo
echo "targets: Intel <= 60 s: $(verdict "$ti" 60) ($ti s); AMD <= 15 s: $(verdict "$ta" 15) ($ta s); AMD/Intel = $(awk -v a="$ta" -v i="$ti" 'BEGIN { printf "%.2f", a / i }')"
