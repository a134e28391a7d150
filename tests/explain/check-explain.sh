#!/usr/bin/env bash
# exitscope explain on real figures: the lab's seed run (Intel under Bochs,
# EPT then shadow paging), the collector's records with the drill-down; its
# JSON read back; docs/explain.md's rule table against the binary's; bad
# input and a full disk. One "ok -", "not ok -" or "skip -" line per case.
# EXITSCOPE_BIN picks the binary (default build/bin).
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib.sh"
es=$(cd "${EXITSCOPE_BIN:-$top/build/bin}" && pwd)/exitscope
fx=$top/tests/fixtures
with_tmp

# ---- the rule table: one source, the binary; the page holds its output ----
"$es" explain --rules >"$tmp/rules.md"
awk '/^<!-- rules:/ { on = 1; next } /^<!-- end of rules -->/ { on = 0 } on' \
	"$top/docs/explain.md" >"$tmp/doc-rules.md"
check "docs/explain.md's rule table is what explain --rules prints" cmp -s "$tmp/rules.md" "$tmp/doc-rules.md"
check "... a row per rule, at least the nine the issue asks for" \
	test "$(grep -c '^| `' "$tmp/rules.md")" -ge 9

# ---- the seed's experiment: shadow paging found in the shadow mode only ----
"$es" explain "$fx/lab-intel-small" >"$tmp/lab.txt" 2>&1
check "lab run: shadow paging, new against EPT, high confidence" \
	grep -q '^  Shadow paging \[high, new\]  (shadow-paging)$' "$tmp/lab.txt"
check "... in the shadow mode, not in EPT's" \
	bash -c "sed -n '/^ept:/,/^shadow:/p' '$tmp/lab.txt' | grep -qv 'shadow-paging)' && ! sed -n '/^ept:/,/^shadow:/p' '$tmp/lab.txt' | grep -q '(shadow-paging)'"
check "... its evidence: page-table work, nested paging off" \
	bash -c "grep -q 'page-table work is 95.9% of exits' '$tmp/lab.txt' && grep -q 'nested paging  *off' '$tmp/lab.txt'"
"$es" explain --json "$fx/lab-intel-small" >"$tmp/lab.json"
check "--json: exitscope.explain/1, the modes, the finding and its change" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["schema"] == "exitscope.explain/1", d["schema"]
p = {x["label"]: x for x in d["profiles"]}
assert set(p) == {"ept", "shadow"}, p.keys()
assert p["ept"]["nested_paging"] is True and p["shadow"]["nested_paging"] is False
assert p["shadow"]["against"] == "ept"
f = [x for x in p["shadow"]["findings"] if x["rule"] == "shadow-paging"]
assert len(f) == 1 and f[0]["change"] == "new" and f[0]["confidence"] == "high", f
assert all(x["rule"] != "shadow-paging" for x in p["ept"]["findings"])
assert f[0]["share"] == 95.9 and f[0]["sources"] and f[0]["evidence"]
' "$tmp/lab.json"
# A baseline given: the same modes, each against its namesake: nothing new.
"$es" explain "$fx/lab-intel-small" "$fx/lab-intel-small" >"$tmp/same.txt" 2>&1
check "against itself: no finding is new, none gone" \
	bash -c "! grep -q -e ', new\]' -e '\[gone\]' '$tmp/same.txt' && grep -q 'still\]' '$tmp/same.txt'"

# ---- a record with the drill-down: the port and the timer MSRs ----
"$es" explain "$fx/collector/amd-bpf-detail/0002.json" >"$tmp/rec.txt" 2>&1
check "record: the UART as the port hot spot, with its advice" bash -c \
	"grep -q 'on ports 0x3f8-0x3ff, COM1' '$tmp/rec.txt' && grep -q 'advice:   a serial console' '$tmp/rec.txt'"
check "... and the TSC-deadline writes as timer re-arming" grep -q '^  Timer re-arming \[high\]  (timer-msr)$' "$tmp/rec.txt"
"$es" explain "$fx/collector/amd-bpf/0001.json" >"$tmp/nodetail.txt" 2>&1
check "a record without the drill-down says so" grep -q 'no drill-down: record --detail says more' "$tmp/nodetail.txt"

# ---- bad input, bad usage, a full disk ----
case_ "a missing input: status 3" 3 "No such file" -- "$es" explain "$tmp/none.json"
printf '{"schema":"exitscope.record/1"' >"$tmp/cut.json"
case_ "a cut JSON: status 3, said" 3 "cut.json" -- "$es" explain "$tmp/cut.json"
case_ "a bad baseline: status 3" 3 "none.json" -- "$es" explain "$fx/lab-intel-small" "$tmp/none.json"
case_ "three inputs: status 2" 2 "SOURCE [BASELINE]" -- "$es" explain a b c
case_ "--rules with an input: status 2" 2 "--rules takes nothing else" -- "$es" explain --rules x
case_ "an unknown option: status 2" 2 "see --help" -- "$es" explain --nope x
# A results directory whose collector record is damaged, or another VM's.
cp -r "$fx/lab-intel-small" "$tmp/labbad"
printf '{"schema":"exitscope.record/1"' >"$tmp/labbad/collector-ept-1.json"
case_ "a results directory with a cut collector record: status 3, the file named" 3 \
	"collector-ept-1.json:1:30: not JSON" -- "$es" explain "$tmp/labbad"
cp "$fx/collector/amd-bpf-detail/0002.json" "$tmp/labbad/collector-ept-1.json"
case_ "... with an AMD host's record in an Intel run: status 3, said" 3 \
	"collector-ept-1.json: not a record of one vmx VM" -- "$es" explain "$tmp/labbad"
check "... and explain wrote nothing into it" test "$(ls "$tmp/labbad" | wc -l)" -eq "$(($(ls "$fx/lab-intel-small" | wc -l) + 1))"
timeout $TLIMIT 20 "$es" explain "$fx/lab-intel-small" >/dev/full 2>"$tmp/full.err"
r=$?
check "a full disk: status 1, said" bash -c "[ $r -eq 1 ] && grep -q 'write error' '$tmp/full.err'"

# ---- report.md's why: the same findings, from explain ----
"$es" report --out "$tmp/rep" --no-chart "$fx/lab-intel-small" >/dev/null 2>&1
check "report.md: explain's findings, shadow paging new in the shadow mode" bash -c \
	"sed -n '/^## Why: what .exitscope explain. finds/,\$p' '$tmp/rep/report.md' | sed -n '/^\*\*shadow\*\* against ept:/,\$p' | grep -q '^- \*\*Shadow paging\*\* (high, new; .shadow-paging.)'"
"$es" report --out "$tmp/rec" --no-chart "$fx/collector/amd-bpf-detail/0002.json" >/dev/null 2>&1
check "report.md of a record: its findings, with the port's advice" bash -c \
	"grep -q '^- \*\*An I/O port hot spot\*\* (high; .port-hotspot.)' '$tmp/rec/report.md' && grep -q 'Here:\* a serial console' '$tmp/rec/report.md'"
