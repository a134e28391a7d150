#!/usr/bin/env bash
# exitscope top in a real terminal: tmux runs it on recorded figures, the
# keys go in with send-keys and what the screen shows comes back with
# capture-pane: the views, the sorts, a filter, a reset, the help, a narrow
# terminal, and q. One "ok -", "not ok -" or "skip -" line per case.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib.sh"
es=$(cd "${EXITSCOPE_BIN:-$top/build/bin}" && pwd)/exitscope
fx=$top/tests/fixtures/collector
if ! command -v tmux >/dev/null; then
	echo "skip - top under tmux (apt install tmux)"
	exit 0
fi
with_tmp
s=es-top-$$
export TMUX_TMPDIR=$tmp	# a tmux server of our own, gone with $tmp
trap 'tmux kill-server 2>/dev/null; rm -rf "$tmp"' EXIT

# screen: the pane as text, once it has settled.
screen() { sleep 0.6; tmux capture-pane -p -t "$s"; }
# press KEYS...: send them, then the screen.
press() { tmux send-keys -t "$s" "$@"; screen >"$tmp/screen"; }
# shows TEXT NAME: ok when the screen shows TEXT.
shows() { check "$2" grep -qF -- "$1" "$tmp/screen"; }

tmux new-session -d -s "$s" -x 100 -y 30 \
	"'$es' top --source file:'$fx/amd-bpf' --interval 1 2>'$tmp/top.err'; echo exited \$? >'$tmp/status'; sleep 5"
screen >"$tmp/screen"
shows "reasons by rate" "top under tmux: the first frame, per reason by rate"
shows "(h: keys, q quits)" "... and says where the keys are"
check "... the busiest reason first" bash -c "grep -A1 'reason  name' '$tmp/screen' | tail -1 | grep -q cpuid"
press v
shows "VMs by rate" "v: per VM"
shows "       pid  vm " "... with a pid and a vm column"
shows "      4242  exitscope-vmm:4242 " "... each VM by its name (none here: COMM:PID)"
press s
shows "VMs by total" "s: sorted by total"
press s s s
shows "VMs by rate" "... by time, by name, then by rate again"
press v
shows "vCPUs by rate" "v again: per vCPU"
shows "    pid/vcpu  vm " "... with a PID/VCPU column"
press f 5 1 Enter
shows "vCPUs by rate, VMs named with '51'" "f in the vCPU view: a filter on VM names"
check "... only the VMs it matches" bash -c "grep -q '5151/' '$tmp/screen' && ! grep -q '4242/' '$tmp/screen'"
press f BSpace BSpace Enter v
press f i o Enter
shows "reasons by rate, names with 'io'" "f: a filter on reason names"
check "... only the reasons it matches" bash -c "grep -q '  io ' '$tmp/screen' && ! grep -q cpuid '$tmp/screen'"
press f BSpace BSpace Enter
check "... and an empty one shows all again" grep -q cpuid "$tmp/screen"
press p
shows "reasons by rate, VM 4242" "p: the reasons of one VM"
press p
shows "reasons by rate, VM 5151" "... the next VM"
press p
check "... after the last, all VMs again" bash -c "grep -q 'reasons by rate' '$tmp/screen' && ! grep -q 'VM [0-9]' '$tmp/screen'"
press r
shows " 0 in all;" "r: the totals count from now (the rate is the last interval's)"
press h
shows "exitscope top: keys" "h: the keys"
press x
shows "reasons by rate" "... any key goes back"
tmux resize-window -t "$s" -x 40 -y 20 2>/dev/null || tmux resize-pane -t "$s" -x 40 -y 20
press Space
check "a 40-column terminal: no line longer" bash -c "! awk 'length > 40' '$tmp/screen' | grep -q ."
check "... names stay, the totals go first" bash -c "grep -q 'reason  name' '$tmp/screen' && ! grep -q 'total' '$tmp/screen'"
press q
sleep 0.5
check "q: top ends, status 0" grep -qx "exited 0" "$tmp/status"
check "... nothing said on stderr but the source" bash -c "! grep -v '^exitscope top: source ' '$tmp/top.err' | grep -q ."
