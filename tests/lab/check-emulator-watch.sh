#!/usr/bin/env bash
# lab/emulator.sh's watch of L1, against a fake emulator (no KVM, no QEMU:
# a script in its place that prints what L1 would). The run's --timeout
# counts from the emulator's start: a lab run whose first build took longer
# than --timeout (a new machine builds two kernels first) still boots L1;
# and an emulator that runs past --timeout is stopped, with a message that
# names that limit.
# Usage: check-emulator-watch.sh
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib.sh"
with_tmp
. "$top/scripts/lib.sh"
. "$top/lab/progress.sh"
. "$top/lab/emulator.sh"

# The fake L1: each stage marker of $FAKE_STAGES on the console ("-serial
# file:..." first), each after $FAKE_PAUSE s, then everything sent on the
# second serial port; then it waits to be stopped, as Bochs does.
mkdir -p "$tmp/bin"
cat >"$tmp/bin/qemu-system-x86_64" <<'EOF'
#!/usr/bin/env bash
serial=()
while [ $# -gt 0 ]; do
	[ "$1" = -serial ] && serial+=("${2#file:}")
	shift
done
for s in $FAKE_STAGES; do
	sleep "$FAKE_PAUSE"
	echo "EXITSCOPE-STAGE $s 60 a stage" >>"${serial[0]}"
done
echo EXITSCOPE-ALL-SENT >>"${serial[1]}"
exec sleep 600
EOF
chmod +x "$tmp/bin/qemu-system-x86_64"
export PATH=$tmp/bin:$PATH

# watch TIMEOUT LAB-AGE STAGES PAUSE: run_emulator as a lab run whose clock
# started LAB-AGE s ago; its status, and what it said, in $tmp/said.
watch() {
	(
		cpu=amd work=$tmp/work out=$tmp/out console=$tmp/work/l1.log append='' l1kernel=/dev/null
		inject='' emulator_tsc_khz=1000 timeout=$1
		mkdir -p "$work" "$out"
		progress_init "$out" fake
		# shellcheck disable=SC2034 # progress.sh's clock, which must not limit L1
		t0=$((SECONDS - $2))
		export FAKE_STAGES=$3 FAKE_PAUSE=$4
		run_emulator
	) >"$tmp/said" 2>&1
}

watch 30 1000 "load l2-npt-1" 1
st=$?
result $st "emulator watch: a lab run 1,000 s old (its builds) with --timeout 30: L1 still gets its 30 s, and runs" \
	"emulator watch: a lab run 1,000 s old with --timeout 30: status $st: $(tail -n 2 "$tmp/said" | tr '\n' ' ')"

watch 30 0 "load l2-npt-1 l2-shadow-1 send" 12
st=$?
[ $st -ne 0 ] && grep -q 'past --timeout 30 s' "$tmp/said"
result $? "emulator watch: an emulator still running after --timeout 30 is stopped, and the message names --timeout" \
	"emulator watch: past --timeout: status $st: $(tail -n 2 "$tmp/said" | tr '\n' ' ')"
