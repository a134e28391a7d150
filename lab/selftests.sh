#!/usr/bin/env bash
# KVM's own selftests, in the emulated lab, on Debian's stock KVM modules
# and on exitscope's, nested paging on and off: the same tests must pass on
# ours as on stock. L1 is Debian's own kernel (its stock modules are the
# baseline). Writes DIR/selftests.tsv and prints a table; exits 1 if any
# test ends differently on exitscope's modules than on stock.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/lib.sh"
. "$top/lab/run-lib.sh"

usage() {
	cat <<'EOF'
usage: make selftests ARGS='[options]'   (or lab/selftests.sh [options])

  --cpu amd|intel      emulated CPU (default amd: QEMU TCG with SVM and NPT;
                       intel: Bochs with VMX and EPT, much slower)
  --tests all|quick|LIST  the selftests to run: all that build (default),
                       quick (all but the six that take over 10 s each
                       under QEMU, seven on 6.12: make check runs these),
                       or comma-separated
                       names as in tools/testing/selftests/kvm
                       (x86_64/cpuid_test, kvm_binary_stats_test...)
  --limit S            time limit of one test in seconds (default 100)
  --reruns N           a test that ends differently on the two module sets
                       runs N more times on each, in turn (default 3, 0-9):
                       it differs only if the outcomes the two sets reach
                       most often in those runs differ (a timing test can
                       fail once under an emulator on a loaded machine)
  --out DIR            results directory (default results/selftests)
  --timeout S          limit of the emulator's boot in seconds, from its start (default 3600)
  --compare DIR        only compare the results already in DIR (no emulator)
  -h, --help           this text

Each configuration is a module set and the nested-paging parameter:
stock:1, stock:0, exitscope:1, exitscope:0 (npt= or ept=). KSERIES=6.1|6.12
in the environment picks L1's kernel (Debian's image of that series) and the
source the selftests are built from; the 6.12 series adds a test of its own,
x86_64/exit_stats_test, which must skip on stock and pass on ours.

EXAMPLES
  make selftests                                   every test, about 40 min
  make selftests ARGS='--tests kvm_binary_stats_test,x86_64/cpuid_test'
EOF
}

# outcome STATUS: what a selftest's exit status means.
outcome() { case $1 in 0) echo pass ;; 4) echo skip ;; 124|137|143) echo timeout ;; *) echo "fail($1)" ;; esac; }

# mostly TSV TEST: the outcome TEST reached most often in TSV's rows (the
# reruns), "none" without a row, "mixed" when no outcome has a majority.
mostly() {
	local t=$2 rc
	[ -f "$1" ] || { echo none; return; }
	for rc in $(awk -F'\t' -v t="$t" '$1 == t { print $2 }' "$1"); do outcome "$rc"; done |
		sort | uniq -c | sort -rn | awk 'NR == 1 { top = $1; o = $2; n = $1; next } { n += $1 }
			END { if (!n) print "none"; else if (2 * top > n) print o; else print "mixed" }'
}

# runs TSV TEST: TEST's outcomes in TSV's rows, comma-separated.
runs() {
	local rc s=
	[ -f "$1" ] || return 0
	for rc in $(awk -F'\t' -v t="$2" '$1 == t { print $2 }' "$1"); do s=$s${s:+,}$(outcome "$rc"); done
	echo "$s"
}

# compare_results DIR CPU TEST...: the table of stock against exitscope's
# results in DIR, selftests.tsv, and the reasons of stock's failures; dies
# if a test ends differently on ours. A first difference stands unless the
# test's reruns (DIR/rerun-SET-KNOBP.tsv, written by L1) reach the same
# outcome most often on both sets: then the test is reported as unsteady in
# this emulator, not as a difference. The kernel series' own tests (listed
# in DIR/series-tests.txt) must skip on stock, which lacks what they test,
# and pass on ours.
compare_results() {
	local out=$1 cpu=$2 knob p s o f want t a b sa sb oa ob ra rb mark why differ=0 unsteady=0
	shift 2
	knob=$([ "$cpu" = amd ] && echo npt || echo ept)
	differ=0
	printf 'test\tpaging\tstock\texitscope\tstock_s\texitscope_s\tstock_reruns\texitscope_reruns\n' >"$out/selftests.tsv"
	printf '%-44s %-7s %-10s %-10s %s\n' test paging stock exitscope "seconds (stock/ours)"
	for p in 1 0; do
		s=$out/selftests-stock-$knob$p.tsv o=$out/selftests-exitscope-$knob$p.tsv
		[ -s "$s" ] && [ -s "$o" ] || die "no results for $knob=$p ($s, $o)"
		for f in "$out"/params-stock-$knob$p.txt "$out"/params-exitscope-$knob$p.txt; do
			case $(cat "$f") in "$knob=Y"|"$knob=1") want=1 ;; *) want=0 ;; esac
			[ "$want" = "$p" ] || die "$(basename "$f"): L1 ran with $(cat "$f"), not $knob=$p"
		done
		for t in "$@"; do
			a=$(awk -F'\t' -v t="$t" '$1 == t { print $2; exit }' "$s")
			b=$(awk -F'\t' -v t="$t" '$1 == t { print $2; exit }' "$o")
			[ -n "$a" ] && [ -n "$b" ] || die "$t: no result with $knob=$p"
			sa=$(awk -F'\t' -v t="$t" '$1 == t { print $3; exit }' "$s")
			sb=$(awk -F'\t' -v t="$t" '$1 == t { print $3; exit }' "$o")
			oa=$(outcome "$a") ob=$(outcome "$b")
			ra=$(runs "$out/rerun-stock-$knob$p.tsv" "$t") rb=$(runs "$out/rerun-exitscope-$knob$p.tsv" "$t")
			mark=
			if grep -qx "$t" "$out/series-tests.txt" 2>/dev/null; then
				mark="  (the series' own test)"
				[ "$oa" = skip ] && [ "$ob" = pass ] ||
					{ mark="  <-- the series' own test: wanted skip on stock, pass on ours"; differ=$((differ + 1)); }
			elif [ "$oa" != "$ob" ]; then
				a=$(mostly "$out/rerun-stock-$knob$p.tsv" "$t") b=$(mostly "$out/rerun-exitscope-$knob$p.tsv" "$t")
				if [ "$a" = "$b" ] && [ "$a" != none ] && [ "$a" != mixed ]; then
					mark="  (unsteady: reruns stock $ra, ours $rb)"; unsteady=$((unsteady + 1))
				else
					mark="  <-- differs${ra:+ (reruns stock $ra, ours $rb)}"; differ=$((differ + 1))
				fi
			fi
			printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$t" "$knob=$p" "$oa" "$ob" "$sa" "$sb" "$ra" "$rb" >>"$out/selftests.tsv"
			printf '%-44s %-7s %-10s %-10s %s/%s%s\n' "$t" "$knob=$p" "$oa" "$ob" "$sa" "$sb" "$mark"
		done
	done
	# Why a test fails on stock too, in its own words: the assertion and its
	# message, or its last line (a signal).
	echo
	echo "fails on stock KVM too, in this emulator:"
	: >"$out/stock-failures.txt"
	for f in "$out"/selftest-stock-*.log; do
		[ -f "$f" ] || continue
		why=$(awk '/Test Assertion Failure/ { getline; sub(/^ +/, ""); a = $0 }
			NF { last = $0 } END { sub(/^ +/, "", last); print (a != "" ? a " -- " last : last) }' "$f")
		printf '  %s: %s\n' "$(basename "$f" .log | sed 's/^selftest-stock-//')" "${why:0:200}" |
			tee -a "$out/stock-failures.txt"
	done
	# Debian's modules that need kvm.ko, loaded beside each kvm.ko.
	echo
	for f in "$out"/dependents-stock.txt "$out"/dependents-exitscope.txt; do
		[ -f "$f" ] || continue
		sed "s/^/  beside $(basename "$f" .txt | sed 's/dependents-//')'s kvm.ko: /" "$f"
	done
	if [ -f "$out/dependents-exitscope.txt" ] && grep -qv ' loaded$' "$out/dependents-exitscope.txt"; then
		differ=$((differ + 1))
		error "a stock module that needs kvm.ko does not load beside exitscope's"
	fi
	if [ "$differ" -gt 0 ]; then
		die "$differ result(s) differ between stock and exitscope's modules"
	fi
	[ "$unsteady" -eq 0 ] ||
		log "$unsteady result(s) differed once and ended the same on both module sets in their reruns (unsteady in this emulator)"
	log "every selftest ends the same on exitscope's modules as on stock ($# tests, 2 paging modes)"
}

cpu=amd tests=all limit=100 reruns=3 compare= out=$top/results/selftests timeout=3600
while [ $# -gt 0 ]; do
	case $1 in
	--cpu) cpu=${2:?--cpu needs a value}; shift ;;
	--tests) tests=${2:?--tests needs a list}; shift ;;
	--limit) limit=${2:?--limit needs seconds}; shift ;;
	--reruns) reruns=${2:?--reruns needs a count}; shift ;;
	--out) out=${2:?--out needs a directory}; shift ;;
	--timeout) timeout=${2:?--timeout needs seconds}; shift ;;
	--compare) compare=${2:?--compare needs a directory}; shift ;;
	-h|--help) usage; exit 0 ;;
	*) usage >&2; die "unknown option '$1'" ;;
	esac
	shift
done
case $cpu in amd|intel) ;; *) die "invalid --cpu: '$cpu' (amd or intel)" ;; esac
if [ -n "$compare" ]; then
	[ -d "$compare" ] || die "--compare: no directory '$compare'"
	ls "$compare"/params-stock-ept1.txt >/dev/null 2>&1 && cpu=intel || cpu=amd
	f=$(ls "$compare"/selftests-stock-*1.tsv 2>/dev/null | head -n 1)
	[ -n "$f" ] || die "--compare: no selftests-stock-*1.tsv in '$compare'"
	compare_results "$compare" "$cpu" $(cut -f1 "$f")
	exit 0
fi
[[ $limit =~ ^[1-9][0-9]*$ ]] && [ "$limit" -le 1000 ] || die "invalid --limit: '$limit' (1-1000 seconds)"
[[ $reruns =~ ^[0-9]$ ]] || die "invalid --reruns: '$reruns' (0-9)"
[[ $timeout =~ ^[1-9][0-9]*$ ]] && [ "$timeout" -ge 60 ] || die "invalid --timeout: '$timeout' (seconds, at least 60)"
[[ $tests =~ ^[A-Za-z0-9_/,]+$ ]] || die "invalid --tests: '$tests' (all, or comma-separated test names)"
run_lock
configs=stock:1,stock:0,exitscope:1,exitscope:0
# EXITSCOPE_LAB_INJECT (tests only, AMD): silent, L1 goes quiet in the first
# selftest of its first attempt, to exercise the hang's detection and retry;
# unsteady, every test of the first pass on ours with nested paging reads as
# failed, to exercise the reruns.
run_inject silent unsteady "silent or unsteady"
progress_init "$out" selftests "$cpu" "$tests" "$limit"

st_modules() {
	run_say modules "exitscope's KVM modules for Debian's kernel (make modules), the tools"
	l1_prepare debian
	make -s -C "$top" tools-bin >/dev/null
}
st_build() {
	run_say selftests-build "KVM's selftests from linux-source $KVER (the first run builds them)"
	kst=$("$top/scripts/build-selftests.sh")
	# The selftests that take 12-90 s each under QEMU TCG (the rest < 5 s);
	# on 6.12 also dirty_log_test (about 100 s: 6.1's runs in seconds).
	slow="demand_paging_test dirty_log_perf_test kvm_page_table_test"
	slow="$slow memslot_modification_stress_test memslot_perf_test set_memory_region_test"
	[ "$KSERIES" = 6.12 ] && slow="$slow dirty_log_test"
	if [ "$tests" = all ]; then
		run=$(cat "$kst/list.txt")
	elif [ "$tests" = quick ]; then
		run=$(grep -vxF -f <(tr ' ' '\n' <<<"$slow") "$kst/list.txt")
	else
		run=$(tr , '\n' <<<"$tests")
		for t in $run; do
			grep -qx "$t" "$kst/list.txt" || die "--tests: no selftest '$t' built (see $kst/list.txt, $kst/unbuilt.txt)"
		done
	fi
}
st_initramfs() {
	run_say initramfs "initramfs: Debian's and exitscope's modules, $(wc -w <<<"$run") selftests"
	run_workdir selftests
	r=$work/root
	m=$r/lib/modules/exitscope
	l1_root "$r" "$top/lab/l1-selftests.sh" proc sys dev out selftests
	# shellcheck disable=SC2086 # the modules, one word each
	strip_deps "$m" $deps
	strip_kos "$stockdir" "$m/stock"
	strip_kos "$kvmdir" "$m/exitscope"
	# Every other stock module that needs kvm.ko (kvmgt.ko), with the modules it
	# needs in load order (modules.dep lists them last-loaded first): L1 loads
	# each beside both module sets, as the kernel's module loader is the judge.
	mdir=$KMODROOT
	: >"$m/dependents"
	while read -r mod deps; do
		mkdir -p "$m/dependents.d"
		line=
		for d in $(tr ' ' '\n' <<<"$deps" | tac) "$mod"; do
			case $d in */kvm.ko|*/irqbypass.ko|*/kvm-intel.ko|*/kvm-amd.ko|*/ccp.ko) continue ;; esac
			strip --strip-debug -o "$m/dependents.d/$(basename "$d")" "$mdir/$d"
			line="$line $(basename "$d" .ko)"
		done
		echo "${line# }" >>"$m/dependents"
	done < <(sed -n 's|^\([^:]*\.ko\):\(.* kernel/arch/x86/kvm/kvm\.ko.*\)$|\1\2|p' "$mdir/modules.dep" |
		 grep -v '^kernel/arch/x86/kvm/kvm-\(intel\|amd\)\.ko ')
	[ -s "$m/dependents" ] || die "$mdir/modules.dep lists no module needing kvm.ko besides the vendors'"
	for t in $run; do
		install -D -m755 "$kst/$t" "$r/selftests/$t"
	done
	printf '%s\n' $run >"$r/selftests/run.txt"
	cp "$kst/series.txt" "$r/selftests/series.txt" 2>/dev/null || : >"$r/selftests/series.txt"
	mkcpio "$r" "$work/l1.cpio"
}
st_emulator() {
	run_say emulator "emulator: L1 (Debian $KABI) runs the selftests in $(tr , ' ' <<<"$configs")"
	rm -f "$out"/selftest* "$out"/rerun-* "$out"/params-* "$out"/*.log "$out"/*.txt "$out"/stock-failures.txt "$out"/results-corrupt.raw
	cp "$kst/series.txt" "$out/series-tests.txt" 2>/dev/null || : >"$out/series-tests.txt"
	append="console=ttyS0 quiet mitigations=off exitscope.cpu=$cpu exitscope.configs=$configs exitscope.limit=$limit exitscope.reruns=$reruns"
	l1_boot "L1 (Debian $KABI) runs the selftests in $(tr , ' ' <<<"$configs")"
}
run_stages stage_packages st_modules st_build st_initramfs st_emulator
step done compare "results in $out; comparing stock and exitscope"

compare_results "$out" "$cpu" $run
progress_done "compared"
