#!/usr/bin/env bash
# exitscope report on results directories, good and hostile: each damage is
# refused with the file, line and reason, a failed check never reads as a
# success, and no input makes it hang, crash or run a command. One "ok -" or
# "not ok -" line per case. EXITSCOPE_BIN picks the binary (default
# build/bin; make check runs this with build/asan/bin too).
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib.sh"
rep=$(cd "${EXITSCOPE_BIN:-$top/build/bin}" && pwd)/exitscope
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
OK=0 FAILED=1 USAGE=2 BAD=3

# good DIR amd|intel: a consistent results directory, one run per mode.
good() {
	local d=$1 cpu=$2 isa code nested p
	rm -rf "$d" && mkdir -p "$d"
	if [ "$cpu" = amd ]; then isa=svm code=0x72 nested=npt; else isa=vmx code=10 nested=ept; fi
	printf '%s\n' "cpu=$cpu" workload=seed runs=1 rounds=4 l2_cpus=1 l1_kernel=6.1.192 \
		"l2_cmdline=console=ttyS0 quiet pti=on" "paging.$nested=1" paging.shadow=0 kver=6.1.192-3 >"$d/metadata.txt"
	for p in $nested shadow; do
		printf '# isa %s mode cycles exits 3 cycles 30\n#   reason name count cycles\n %s cpuid 3 30\n' $isa $code >"$d/stats-$p-1.txt"
		printf '{ exit_reason: %d } hitcount: 3\n\nTotals:\n    Hits: 3\n    Entries: 1\n    Dropped: 0\n' $((code)) >"$d/hist-$p-1.txt"
		echo 0 >"$d/status-$p-1.txt"
		echo "exits 3" >"$d/kvmstat-$p-1.txt"
		echo "no query here" >"$d/l2-$p-1.log"
	done
}
r=$tmp/res
good "$r" amd
case_ "consistent AMD results accepted" $OK "all 2 runs passed" -- "$rep" report "$r"
check "results.json, results.csv, report.md written" test -s "$r/results.json" -a -s "$r/results.csv" -a -s "$r/report.md"
check "results.csv's header is the one docs/json.md documents" \
	grep -qxF "\`$(head -1 "$r/results.csv")\`" "$top/docs/json.md"
check "report.md says the checks passed" grep -q '^All checks passed: every count equals' "$r/report.md"
case_ "results.json read back" $OK "cpuid" -- "$rep" report "$r/results.json"
case_ "results.json re-rendered into --out" $OK "all 2 runs passed" -- "$rep" report --no-chart --out "$tmp" "$r/results.json"
check "--out got the files" test -s "$tmp/report.md" -a -s "$tmp/results.csv"
# --out makes its directory, as the help's example needs; a file in the way fails.
case_ "--out makes a missing directory and its parents" $OK "all 2 runs passed" -- \
	"$rep" report --no-chart --out "$tmp/new/again" "$r/results.json"
check "... with the files in it" test -s "$tmp/new/again/report.md" -a -s "$tmp/new/again/results.json"
: >"$tmp/a-file"
case_ "--out under a file fails, naming it" 3 "--out: $tmp/a-file/x: Not a directory" -- \
	"$rep" report --no-chart --out "$tmp/a-file/x" "$r/results.json"
if command -v python3 >/dev/null; then
	check "results.json is JSON to another reader" python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$r/results.json"
fi
good "$r" intel
case_ "consistent Intel results accepted" $OK "all 2 runs passed" -- "$rep" report "$r"
# Real lab output (Bochs, 2026-12-01; tests/fixtures/README.md).
fx=$top/tests/fixtures
case_ "real Intel lab results accepted" $OK "all 2 runs passed" -- \
	"$rep" report --no-chart --out "$tmp" "$fx/lab-intel-small"
check "... with the seed's pattern: CR_ACCESS 28 only, or nearly, with shadow paging" \
	grep -q '^| 28 | CR_ACCESS | 6 | 175125 |' "$tmp/report.md"
case_ "real Intel cpuid-loop results accepted" $OK "all 2 runs passed" -- \
	"$rep" report --no-chart --out "$tmp" "$fx/lab-intel-small-cpuid"
check "... exactly 100000 CPUID exits in both modes" grep -q '^| 10 | CPUID | 100000 | 100000 |' "$tmp/report.md"

# A failed check: status 1, and no output claims success.
good "$r" amd
printf '{ exit_reason: 114 } hitcount: 4\nTotals:\n    Hits: 4\n    Entries: 1\n    Dropped: 0\n' >"$r/hist-shadow-1.txt"
case_ "a count off by one fails loudly" $FAILED "run shadow 1: reason 0x72 (cpuid): exitscope 3, tracepoint 4" -- "$rep" report "$r"
check "report.md of a failed report says FAILED" grep -q '^\*\*FAILED: 2 check(s) failed' "$r/report.md"
check "report.md of a failed report claims no success" bash -c "! grep -q 'passed\|equals' '$r/report.md'"
check "results.json carries the verdict" grep -q '"verdict":{"ok":false,"failures":\["run shadow 1: reason 0x72' "$r/results.json"
good "$r" amd
echo "exits 4" >"$r/kvmstat-npt-1.txt"
case_ "all exits against KVM's exits statistic" $FAILED "all exits: exitscope 3, KVM's exits statistic 4" -- "$rep" report "$r"
good "$r" amd
echo 66 >"$r/status-shadow-1.txt"
case_ "an L2 run without a verdict fails the report" $FAILED "exitscope-vmm exited with status 66: the guest stopped without a verdict" -- "$rep" report "$r"
good "$r" amd
sed -i 's/paging.shadow=0/paging.shadow=1/' "$r/metadata.txt"
case_ "the paging parameter is checked against the mode" $FAILED "mode shadow: kvm_amd.npt was 1 while it ran, not off" -- "$rep" report "$r"
good "$r" amd
printf 'EXITSCOPE-QUERY-BEGIN\r\n{"schema":"exitscope.query/2",\r\nEXITSCOPE-QUERY-END\r\n' >"$r/l2-npt-1.log"
case_ "a malformed query block is a failure, named" $FAILED "l2-npt-1.log:2: query document: not JSON" -- "$rep" report "$r"

# Corrupt input: status 3, file:line: reason, and no results files left.
corrupt() {	# NAME FILE CONTENT WANT
	good "$r" amd
	"$rep" report "$r" >/dev/null 2>&1	# results files of an earlier report
	printf '%b' "$3" >"$r/$2"
	case_ "$1" $BAD "$4" -- "$rep" report "$r"
}
corrupt "a count of -10" stats-npt-1.txt '# isa svm mode cycles exits 3 cycles 30\n#   reason name count cycles\n 0x72 cpuid -10 30\n' \
	"stats-npt-1.txt:3: count '-10'"
check "a refused directory keeps no results files of an earlier report" \
	test ! -e "$r/results.json" -a ! -e "$r/report.md" -a ! -e "$r/results.csv" -a ! -e "$r/chart.png"
corrupt "a count past 2^63" stats-npt-1.txt '# isa svm mode cycles exits 3 cycles 30\n#   reason name count cycles\n 0x72 cpuid 18446744073709551606 30\n' \
	"out of range"
corrupt "a stats row with words for numbers" stats-npt-1.txt '# isa svm mode cycles exits 3 cycles 30\n#   reason name count cycles\n 0x72 cpuid three 30\n' \
	"stats-npt-1.txt:3: count 'three'"
good "$r" amd
{ head -c 4000 /dev/urandom; cat "$r/hist-npt-1.txt"; } >"$tmp/junk" && mv "$tmp/junk" "$r/hist-npt-1.txt"
case_ "4000 random bytes before a valid hist" $BAD "hist-npt-1.txt:" -- "$rep" report "$r"
corrupt "a hist cut before Dropped" hist-npt-1.txt '{ exit_reason: 114 } hitcount: 3\nTotals:\n    Hits: 3\n    Entries: 1\n' \
	"hist-npt-1.txt: ends before its 'Dropped:' line"
for s in '0x10' '0junk' '0\n5' '99999999999' ' 5' '+5' '010' ''; do
	corrupt "status file '$s'" status-npt-1.txt "$s\n" "status-npt-1.txt:"
done
corrupt "a non-UTF-8 l1_kernel" metadata.txt 'cpu=amd\nworkload=seed\nruns=1\nrounds=4\nl2_cpus=1\nl1_kernel=6.1\xff\n' \
	"metadata.txt:6: byte 0xff at column 14 is not UTF-8 text"
corrupt "a metadata file missing a key" metadata.txt 'cpu=amd\n' "metadata.txt: no workload line"
corrupt "wrong vendor" stats-npt-1.txt '# isa vmx mode cycles exits 3 cycles 30\n#   reason name count cycles\n 10 CPUID 3 30\n' \
	"stats-npt-1.txt is from vmx, not svm"
good "$r" amd
rm "$r/hist-npt-1.txt"
case_ "a missing file is named" $BAD "hist-npt-1.txt: No such file" -- "$rep" report "$r"
good "$r" amd
ln -sf /dev/zero "$r/hist-npt-1.txt"
case_ "a hist linked to /dev/zero is refused at once" $BAD "hist-npt-1.txt: not a regular file" -- "$rep" report "$r"
good "$r" amd
rm "$r/hist-npt-1.txt" && mkfifo "$r/hist-npt-1.txt"
case_ "a FIFO for a hist does not hang" $BAD "hist-npt-1.txt: not a regular file" -- "$rep" report "$r"
good "$r" amd
head -c 2000000 /dev/zero | tr '\0' '#' >"$r/hist-npt-1.txt"
case_ "an oversized file is refused by its size" $BAD "hist-npt-1.txt: 2000000 bytes, more than the 1048576" -- "$rep" report "$r"
good "$r" amd
cp "$r/stats-npt-1.txt" "$r/stats-npt-2.txt"
case_ "a run the metadata does not list" $BAD "stats-npt-2.txt: a run that" -- "$rep" report "$r"
case_ "a file that is no results.json" $BAD "/etc/passwd:1:4: not JSON" -- "$rep" report /etc/passwd
case_ "a source that does not exist" $BAD "none: No such file or directory" -- "$rep" report "$tmp/none"
mkdir -p "$tmp/none"
case_ "a directory without metadata.txt" $BAD "metadata.txt: no such file: not a lab results directory" -- "$rep" report "$tmp/none"
echo '{"schema":"exitscope.lab/1"}' >"$tmp/old.json"
case_ "a results.json of schema 1" $BAD "schema 'exitscope.lab/1', not exitscope.lab/2" -- "$rep" report "$tmp/old.json"
case_ "the old flags are gone, with a hint" $USAGE "metadata.txt says what ran" -- "$rep" report --dir "$r" --cpu amd
case_ "no source" $USAGE "give a results directory or a results.json" -- "$rep" report

# Hostile text in the files: JSON stays JSON, no command runs.
good "$r" amd
sed -i 's/ cpuid 3 30/ wr"ite,cr3 3 30/' "$r/stats-npt-1.txt"
sed -i 's/^l2_cmdline=.*/l2_cmdline=x="a\\b" '"'"'$(touch PWNED)'"'"' `id`/' "$r/metadata.txt"
case_ "quotes in names and the command line" $OK "all 2 runs passed" -- "$rep" report "$r"
case_ "and results.json with them reads back" $OK 'wr"ite,cr3' -- "$rep" report "$r/results.json"
check "results.json escapes the quote" grep -qF '"name":"wr\"ite,cr3"' "$r/results.json"
check "results.csv doubles the quote" grep -qF ',"wr""ite,cr3",' "$r/results.csv"
evil="$tmp/x';touch PWNED;'"
good "$evil" amd
(cd "$tmp" && "$rep" report "$evil" >/dev/null 2>&1)
check "a directory named x';touch PWNED;' runs nothing" test ! -e "$tmp/PWNED" -a ! -e PWNED -a ! -e "$evil/PWNED"
if command -v gnuplot >/dev/null; then
	check "... and still gets its chart" test -s "$evil/chart.png" -a -s "$evil/chart.svg"
	good "$tmp/it's" amd
	case_ "a directory named it's gets its chart" $OK "all 2 runs passed" -- "$rep" report "$tmp/it's"
	check "... chart.png there" test -s "$tmp/it's/chart.png"
	check "... the SVG on an opaque white background" \
		grep -q '^<rect x="0" y="0" width="1200" height="[0-9]*" fill="#ffffff"/>' "$tmp/it's/chart.svg"
	"$rep" record --source file:"$top/tests/fixtures/collector/amd-bpf" --json >"$tmp/rec.json" 2>/dev/null
	mkdir -p "$tmp/rec-chart"
	"$rep" report --out "$tmp/rec-chart" "$tmp/rec.json" >/dev/null 2>&1
	check "a record's chart: counts and, under them, the time from exit to entry per reason" \
		bash -c "grep -q 'time from exit to entry, ms' '$tmp/rec-chart/chart.svg' && grep -q 'record of 2 VMs, 2.0 s, svm' '$tmp/rec-chart/chart.svg'"
else
	echo "skip - charts (no gnuplot here)"
fi
good "$r" amd
case_ "no gnuplot: a warning, not a failed report" $OK "warning: no chart: gnuplot is not installed" -- \
	env PATH=/nonexistent "$rep" report "$r"
check "... and no chart, no link to one" test ! -e "$r/chart.png" -a -s "$r/report.md"

# A record with the drill-down: its keys below the reasons, named, in the terminal and report.md.
mkdir -p "$tmp/detail"
"$rep" report --no-chart --out "$tmp/detail" "$top/fuzz/corpus/record_json/amd-bpf-detail.json" >"$tmp/detail.txt" 2>&1
check "a record's drill-down: each key below its reason, its share and its name" \
	grep -qE '^      0x7c  msr +msr +0x838 +write +3 +100.0%  X2APIC_TMICT$' "$tmp/detail.txt"
check "... the reason's exits without a key" grep -qE '^ +\(no key\) +1 +14.3%  exits of the reason' "$tmp/detail.txt"
check "... and in report.md" grep -qF '| 0x7b | io | io | 0x3f8 | out | 4 | 57.1% | COM1 (8250 UART) |' "$tmp/detail/report.md"
check "... and back into results.json, the same drill-down" \
	grep -qF '"detail":[{"kind":"msr","keys":[{"key":"0x838","dir":"write","name":"X2APIC_TMICT","count":3}],"none":0}]' \
	"$tmp/detail/results.json"

# report.md's why column on the seed's own run: explain's shadow-paging
# finding for the reasons it covers, "no finding" and the note for the rest.
mkdir -p "$tmp/seed"
"$rep" report --no-chart --out "$tmp/seed" "$top/tests/fixtures/lab-intel-small" >/dev/null 2>&1
check "report.md's why column: CR_ACCESS from explain's shadow-paging finding, with its shares" \
	grep -qF '| 28 | CR_ACCESS | 6 | 175125 | 29187.50x | 21660 | 467511520 | shadow-paging (high, in shadow; of all exits: ept 0.0%, shadow 84.1%): CR3 writes' "$tmp/seed/report.md"
check "... a reason no finding covers says so, with its note" \
	grep -qF '| INTERRUPT_WINDOW | 282 | 2205 | 7.82x | 955106 | 7441398 | no finding (of all exits: ept 2.1%, shadow 1.1%): a slower guest' "$tmp/seed/report.md"

# The table ends with one line on why each strongly changed reason changed.
good "$r" amd
printf '# isa svm mode cycles exits 703 cycles 730\n#   reason name count cycles\n 0x72 cpuid 3 30\n 0x4e PF excp 500 500\n 0x7b io 200 200\n' >"$r/stats-shadow-1.txt"
printf '{ exit_reason: 114 } hitcount: 3\n{ exit_reason: 78 } hitcount: 500\n{ exit_reason: 123 } hitcount: 200\nTotals:\n    Hits: 703\n    Entries: 3\n    Dropped: 0\n' >"$r/hist-shadow-1.txt"
echo "exits 703" >"$r/kvmstat-shadow-1.txt"
"$rep" report "$r" >"$tmp/table" 2>&1
# Each from explain's finding that covers it (its rule, confidence and
# column), the reason's share in each column, and its note or the finding.
if grep -qF '      0x4e  PF excp: shadow-paging (high, in shadow; of all exits: npt 0.0%, shadow 71.1%): #PF intercepts: KVM must see guest page faults' "$tmp/table" &&
	grep -qF '      0x7b  io: port-hotspot (low, in shadow; of all exits: npt 0.0%, shadow 28.4%): I/O instructions are 28.4% of exits; which port is not known' "$tmp/table" &&
	! grep -q '0x72  cpuid:' "$tmp/table"; then
	echo "ok - a why line for each strongly changed reason, none for the rest"
else
	echo "not ok - why lines wrong:"
	sed 's/^/    /' "$tmp/table" | tail -6
fi

# What L1 sends over serial, framed by l1-init.sh's own loop, back to files.
good "$r" amd
mkdir -p "$tmp/sent"
for f in "$r"/*; do
	n=$(basename "$f")
	echo "EXITSCOPE-FILE $n $(wc -c <"$f") $(sha256sum <"$f" | cut -d' ' -f1)"
	cat "$f"
	echo "EXITSCOPE-END $n"
done >"$tmp/raw"
echo "EXITSCOPE-ALL-SENT" >>"$tmp/raw"
case_ "unframe: l1-init's framing unpacked" 0 "unframe: 11 files" -- "$top/lab/unframe.sh" "$tmp/raw" "$tmp/sent"
check "unframe: every file as sent" diff -r "$r" "$tmp/sent"
head -c -30 "$tmp/raw" >"$tmp/raw.cut"
case_ "unframe: a stream cut short" 1 "' expected after the file's bytes" -- "$top/lab/unframe.sh" "$tmp/raw.cut" "$tmp/sent"
: >"$tmp/raw.empty"
case_ "unframe: nothing sent" 1 "empty: L1 sent nothing" -- "$top/lab/unframe.sh" "$tmp/raw.empty" "$tmp/sent"
