#!/usr/bin/env bash
# A hung emulator, for real: the AMD lab with a hang injected into its first
# attempt (EXITSCOPE_LAB_INJECT, see docs/lab.md) must notice it in time,
# say where it hung, save the hung console and QEMU's CPU state, retry once
# and then succeed. With "corrupt", the first attempt sends a damaged file:
# the checksum must catch it, the raw data be kept; the retry then hangs
# (stuck), and must get a retry of its own, which succeeds, with all that
# "stuck" alone checks.
# One "ok -"/"not ok -" line per case.
# "quiet" goes silent outside L2's runs, loading the modules, where only
# L1's alive line (lab/l1-lib.sh) tells a stopped L1 from a slow stage.
# Usage: check-lab-hang.sh stuck|spin|silent|quiet|corrupt
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
kind=${1:?usage: check-lab-hang.sh stuck|spin|silent|quiet|corrupt}
out=$top/build/lab-check-hang-$kind
stage=l2-npt-1
case $kind in
stuck | corrupt) want="L2 made no exit in 20 s: it was never entered" ;;
spin)	want="L2 made no exit in 20 s but for the host's interrupts" ;;
quiet)	want="L1 silent for [0-9]* s, no alive line" stage=modules ;;
*)	want="L1 silent for [0-9]* s, no heartbeat" ;;
esac
rm -rf "$out"
mkdir -p "$top/build"
t0=$SECONDS
# corrupt: then the retry hangs, and gets a retry of its own.
inject=$kind
[ "$kind" = corrupt ] && inject=corrupt,stuck
EXITSCOPE_LAB_INJECT=$inject "$top/lab/lab.sh" --cpu amd --out "$out" >"$out.log" 2>&1
rc=$?
t=$((SECONDS - t0))
if [ "$kind" = corrupt ]; then
	[ $rc -eq 0 ] && grep -q "retrying once after a corrupt transfer" "$out.log" &&
		echo "ok - lab corrupt transfer: caught by its checksum, retried, then succeeded ($((SECONDS - t0)) s)" ||
		echo "not ok - lab corrupt transfer: status $rc, wanted a retry and success (log: $out.log)"
	# The order of the log: corrupt, retry, hang, retry; the third boot ran.
	sed -n 's/.*\(retrying once after [a-z ]*[a-z]\).*/\1/p' "$out.log" | paste -sd, - |
		grep -qx "retrying once after a corrupt transfer,retrying once after the hang" &&
		echo "ok - lab corrupt transfer: then a hang on the retry: a retry of its own, a third boot" ||
		echo "not ok - lab corrupt transfer: a hang after a corrupt transfer was not retried (log: $out.log)"
	grep -q "metadata.txt: SHA-256 .*a corrupt transfer" "$out.log" &&
		echo "ok - lab corrupt transfer: the error names the file and the checksum" ||
		echo "not ok - lab corrupt transfer: no checksum error for metadata.txt in $out.log"
	[ -s "$out/results-corrupt.raw" ] && echo "ok - lab corrupt transfer: the raw data kept (results-corrupt.raw)" ||
		echo "not ok - lab corrupt transfer: no results-corrupt.raw"
	# The hang of the second boot is "stuck"'s: checked below as that one
	# is (make check runs no separate "stuck": this boot covers it).
	kind="stuck, after a corrupt transfer"
fi
if [ $rc -eq 0 ] && grep -q "retrying once after the hang" "$out.log"; then
	echo "ok - lab hang ($kind): detected, retried, then succeeded (${t} s)"
else
	echo "not ok - lab hang ($kind): status $rc, wanted a retry and success (log: $out.log):"
	tail -5 "$out.log" | sed 's/^/    /'
fi
grep -q "the emulator hung in stage '$stage': $want" "$out.log" &&
	echo "ok - lab hang ($kind): the error names the stage and the symptom" ||
	echo "not ok - lab hang ($kind): no \"hung in stage '$stage': $want\" in $out.log"
grep -q "EXITSCOPE-STAGE $stage" "$out/l1-hung.log" 2>/dev/null &&
	echo "ok - lab hang ($kind): the hung attempt's console kept (l1-hung.log)" ||
	echo "not ok - lab hang ($kind): no l1-hung.log with the $stage stage"
grep -q "^RIP=" "$out/l1-hung-cpu.txt" 2>/dev/null &&
	echo "ok - lab hang ($kind): QEMU's view of L1's CPU saved (l1-hung-cpu.txt)" ||
	echo "not ok - lab hang ($kind): no registers in l1-hung-cpu.txt"
