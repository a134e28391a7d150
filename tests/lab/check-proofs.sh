#!/usr/bin/env bash
# The lab's proofs (lab/proofs.sh, lab/l1-proofs.sh) judged from their raw
# results, each figure read with `exitscope stats` (the tools' parsers):
#   off        CPUID answers are the VMM's table at CPL 0 and 3, exitscope
#              makes no debugfs file, and the capability is absent
#   reload     every cycle's VM counts exactly the loop's 100,000 CPUIDs
#              (figures start at zero), paging alternates, kmemleak finds
#              nothing, the kernel log has no warning, bug or oops
#   isolation  the loop's VM counts exactly 100,000 CPUIDs, the other VM
#              (which ran meanwhile) far fewer, its own query no more than
#              its file, and the tracepoint's count for both VMs is the sum
# Usage: check-proofs.sh [--run] DIR amd|intel   (--run: run lab/proofs.sh
# into DIR first). One "ok -"/"not ok -" line per case.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
run=
[ "${1:-}" = --run ] && { run=1; shift; }
dir=${1:?results directory}; cpu=${2:?amd or intel}
st=${EXITSCOPE_BIN:-$top/build/bin}/exitscope
mine=$([ "$cpu" = intel ] && echo 10 || echo 0x72)
knob=$([ "$cpu" = intel ] && echo ept || echo npt)
loop=100000
. "$top/tests/lib.sh"
ok() { result "$1" "proofs $cpu: $2" "proofs $cpu: $3"; }

if [ -n "$run" ]; then
	t0=$SECONDS
	"$top/lab/proofs.sh" --cpu "$cpu" --out "$dir" >"$dir.log" 2>&1
	ok $? "L1 ran the proofs ($((SECONDS - t0)) s)" "lab/proofs.sh failed (log: $dir.log): $(tail -n 2 "$dir.log")"
fi

# off means stock
grep -qx off "$dir/off-param.txt" 2>/dev/null
ok $? "kvm.exit_stats=off as loaded" "kvm's exit_stats parameter was '$(cat "$dir/off-param.txt" 2>/dev/null)'"
bad=$(awk '$1 == "cpuid-probe:" {
		n++
		# The table defines 0x4ffffffd; the others are stock KVM'\''s:
		# no signature at the discovery leaf.
		if ($3 == "4ffffffd" && $5 " " $6 " " $7 " " $8 != "d0d0d0d0 d1d1d1d1 d2d2d2d2 d3d3d3d3")
			print $2, $3, $4
		if ($3 == "4ffffffc" && $6 " " $7 == "74697845 74617453")
			print $2, $3, "signature"
	}
	$1 == "status" && $2 != 0 { print "status", $2 }
	END { if (n != 10) print n, "answers" }' "$dir/off-probe.log" 2>/dev/null || echo "no off-probe.log")
[ -z "$bad" ]
ok $? "off: at CPL 0 and 3 the VMM's table answers the leaf it defines, no exitscope signature elsewhere, as on stock KVM" "off: not as on stock KVM: $bad"
grep -q 'no exit statistics: .*exit_stats: No such file' "$dir/off-probe.log" 2>/dev/null && [ ! -e "$dir/off-stats.txt" ]
ok $? "off: no exit_stats file in the VM's debugfs directory" "off: an exit_stats file, or no word of its absence"
grep -q 'this KVM has no exitscope accounting' "$dir/off-cap.log" 2>/dev/null && grep -qx 'status 65' "$dir/off-cap.log"
ok $? "off: KVM_CAP_X86_EXIT_STATS absent, the VMM refuses --guest-stats (status 65)" \
	"off: the capability answered: $(tail -n 2 "$dir/off-cap.log" 2>/dev/null | tr '\n' ' ')"

# reload
cycles=$(ls "$dir"/reload-[0-9]*.txt 2>/dev/null | wc -l)
bad=
for i in $(seq 1 "$cycles"); do
	c=$("$st" stats --count "$mine" "$dir/reload-$i.txt" 2>&1)
	p=$(awk -v k="$knob" '$1 == k { print $2 }' "$dir/reload-$i.log" 2>/dev/null)
	want_p=$([ $((i % 2)) -eq 1 ] && echo Y || echo N)
	grep -qx 'status 0' "$dir/reload-$i.log" 2>/dev/null || bad="$bad cycle $i: VM failed;"
	[ "$c" = "$loop" ] || bad="$bad cycle $i: $c CPUID exits, wanted $loop;"
	[ "$p" = "$want_p" ] || bad="$bad cycle $i: $knob=$p, wanted $want_p;"
done
[ "$cycles" -ge 20 ] && [ -z "$bad" ]
ok $? "reload: $cycles cycles, paging on and off in turn, each VM counted exactly $loop CPUIDs from zero" \
	"reload ($cycles cycles):$bad"
grep -q 'kmemleak: Kernel memory leak detector initialized' "$dir/reload-dmesg-before.txt" "$dir/l1-dmesg.txt" 2>/dev/null &&
	[ -f "$dir/kmemleak.txt" ] && [ ! -s "$dir/kmemleak.txt" ] && [ ! -s "$dir/kmemleak.err" ]
ok $? "reload: kmemleak (on) reports nothing" "reload: kmemleak: $(head -c 300 "$dir/kmemleak.txt" "$dir/kmemleak.err" 2>&1)"
bad=$(grep -E 'WARNING:|BUG:|Oops|general protection|Call Trace' "$dir/reload-dmesg.txt" 2>/dev/null | head -n 3)
[ -f "$dir/reload-dmesg.txt" ] && [ -z "$bad" ]
ok $? "reload: no warning, bug or oops in the kernel log" "reload: kernel log: $bad"

# isolation
a=$("$st" stats --count "$mine" "$dir/iso-a-stats.txt" 2>&1)
b=$("$st" stats --count "$mine" "$dir/iso-b-stats.txt" 2>&1)
q=$("$st" stats --count "$mine" "$dir/iso-b.log" 2>&1)
h=$("$st" stats --vendor "$cpu" --count "$mine" "$dir/iso-hist.txt" 2>&1)
ta=$("$st" stats --total "$dir/iso-a-stats.txt" 2>&1)
tb=$("$st" stats --total "$dir/iso-b-stats.txt" 2>&1)
th=$("$st" stats --vendor "$cpu" --total "$dir/iso-hist.txt" 2>&1)
overlap=$(awk '{ t[$1 " " $2] = $3 } END { print (t["a start"] < t["b end"] && t["b start"] < t["a end"]) ? 1 : 0 }' \
	"$dir/iso-times.txt" 2>/dev/null)
grep -qx 'status 0' "$dir/iso-a.log" 2>/dev/null && grep -qx 'status 0' "$dir/iso-b.log" 2>/dev/null &&
	[ "$overlap" = 1 ]
ok $? "isolation: both VMs ran at the same time and ended well" "isolation: a VM failed or they did not overlap"
[ "$a" = "$loop" ] && [[ $b =~ ^[0-9]+$ ]] && [ "$b" -gt 0 ] && [ "$b" -lt $((loop / 2)) ]
ok $? "isolation: the loop's VM counts its $loop CPUIDs exactly, the other its own $b" \
	"isolation: CPUID exits: loop VM '$a' (wanted $loop), other VM '$b' (wanted a few)"
[[ $q =~ ^[0-9]+$ ]] && [ "$q" -gt 0 ] && [ "$q" -le "$b" ]
ok $? "isolation: the other VM's own query saw $q CPUID exits, none of the loop's" \
	"isolation: the other VM's query saw '$q' CPUID exits, its file $b"
[[ $h =~ ^[0-9]+$ ]] && [ "$h" -eq $((a + b)) ] && [ "$th" -eq $((ta + tb)) ] 2>/dev/null
ok $? "isolation: the tracepoint saw both VMs: CPUID $h = $a + $b, all $th = $ta + $tb" \
	"isolation: tracepoint CPUID '$h' vs $a + $b, all '$th' vs $ta + $tb"
