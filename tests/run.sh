#!/usr/bin/env bash
# Run every test of exitscope; the last line is "N passed, N failed".
# Unit tests (cmocka) count one per test case; each checks/ script counts one.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
passed=0 failed=0 skipped=0
# Both kernel series: the suite runs on KSERIES (default 6.1, whatever the
# host runs), and the kernel checks and Debian's-kernel lab on the other
# series too (docs/kernel.md).
export KSERIES=${KSERIES:-6.1}
case $KSERIES in 6.1) other=6.12 ;; 6.12) other=6.1 ;; *) echo "KSERIES=$KSERIES: 6.1 or 6.12" >&2; exit 2 ;; esac
# What the run cost the machine, said at its end: the machine's CPU time
# busy and idle (/proc/stat, in USER_HZ ticks), and when each lane ended,
# so that a slow run says whether it was short of CPUs or waiting.
cpu_ticks() { awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8 + $9, $5 + $6 }' /proc/stat 2>/dev/null; }
cpu_start=$(cpu_ticks)

run_cmocka() {
	local out
	out=$("$@" 2>&1); echo "$out"
	passed=$((passed + $(sed -n 's/^\[  PASSED  \] \([0-9]*\) test(s)\./\1/p' <<<"$out" | head -n1)))
	local f; f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test(s), listed below:/\1/p' <<<"$out" | head -n1)
	failed=$((failed + ${f:-0}))
	if ! grep -q '^\[  PASSED  \]' <<<"$out" && [ -z "$f" ]; then
		failed=$((failed + 1)); echo "FAILED: $1 ran no test"
	fi
}

# A cmocka binary built with sanitizers (make asan): a leak is reported at
# exit, after cmocka's own summary, so its status and report count too.
run_cmocka_asan() {
	local out rc
	out=$("$@" 2>&1); rc=$?; echo "$out"
	passed=$((passed + $(sed -n 's/^\[  PASSED  \] \([0-9]*\) test(s)\./\1/p' <<<"$out" | head -n1)))
	local f; f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test(s), listed below:/\1/p' <<<"$out" | head -n1)
	failed=$((failed + ${f:-0}))
	if [ $rc -ne 0 ] || grep -q 'Sanitizer\|runtime error:' <<<"$out"; then
		failed=$((failed + 1)); echo "FAILED: $1: exit status $rc, or a sanitizer report"
	elif ! grep -q '^\[  PASSED  \]' <<<"$out" && [ -z "$f" ]; then
		failed=$((failed + 1)); echo "FAILED: $1 ran no test"
	fi
}
# Sanitizer findings get a status of their own, not one a test expects.
export ASAN_OPTIONS=exitcode=86:detect_leaks=1 LSAN_OPTIONS=exitcode=86 \
	UBSAN_OPTIONS=exitcode=86:print_stacktrace=1

# Each script runs under a time limit (SCRIPT_LIMIT seconds; its group
# gets SIGKILL 30 s after SIGTERM): a script that hangs fails by name, with
# what it printed, and the suite goes on, instead of CI running out of time
# with nothing said.
# The lab's scripts that build nothing on a cold machine (the first of
# their kind builds the kernels) get less (SCRIPT_LIMIT=... before
# run_cases): a few times their usual time on a slow machine, a retried
# hang included.
# Past the limit, the end of the newest log the script wrote in build/
# (the lab's own progress) says where it was.
# The logs of the lab's lane are build/lab-*.log, the host lane's the rest
# (the wait lane's scripts write none).
SCRIPT_LIMIT=${SCRIPT_LIMIT:-1800}
lane=all
limited() {
	local rc log
	touch "$top/build/.script-start-$lane"
	timeout -k 30 "$SCRIPT_LIMIT" "$@"; rc=$?
	case $rc in
	124 | 137) echo "FAILED: $* ran past its ${SCRIPT_LIMIT} s"
		log=$(find "$top/build" -maxdepth 1 -name '*.log' -newer "$top/build/.script-start-$lane" \
			-printf '%T@ %p\n' 2>/dev/null |
			{ case $lane in lab) grep ' .*/lab-[^/]*$' ;; host) grep -v ' .*/lab-[^/]*$' ;; wait) grep -v . ;; *) cat ;; esac; } |
			sort -rn | head -n 1 | cut -d' ' -f2-)
		[ -z "$log" ] || { echo "   the end of $log:"; tail -n 20 "$log" | sed 's/^/   | /'; } ;;
	esac
	return $rc
}

# timed CMD...: CMD (limited), in a subshell that then writes the CPU
# seconds (user and system) of what it waited for, CMD and everything it
# started (the emulators of a lab script among them), to the file $timesf
# (bash's times, its children's line). A subshell of its own: the lane's
# shell also reaps other lanes, whose time is not the script's.
timed() {
	limited "$@"
	local rc=$?
	times >"$timesf"
	return $rc
}
# script_cpu: what timed wrote, in whole seconds.
script_cpu() {
	awk 'NR == 2 { for (i = 1; i <= 2; i++) { split($i, t, /[ms]/); n += t[1] * 60 + t[2] }
		printf "%.0f\n", n }' "$timesf" 2>/dev/null
}

# A script printing one "ok - ", "not ok - " or "skip - " line per case.
run_cases() {
	local out t0=$SECONDS timesf=$top/build/.times-$lane
	rm -f "$timesf"
	out=$(timed "$@" 2>&1); echo "$out"
	echo "   ($((SECONDS - t0)) s, $(script_cpu) s of CPU: $*)"
	grep -q '^FAILED: .* ran past its' <<<"$out" && failed=$((failed + 1))
	passed=$((passed + $(grep -c '^ok - ' <<<"$out")))
	failed=$((failed + $(grep -c '^not ok - ' <<<"$out")))
	skipped=$((skipped + $(grep -c '^skip - ' <<<"$out")))
	grep -qE '^(ok|not ok|skip) - ' <<<"$out" || { failed=$((failed + 1)); echo "FAILED: $* ran no case"; }
}

run_check() {
	local name=$1; shift
	local t0=$SECONDS timesf=$top/build/.times-$lane
	echo "== $name"
	rm -f "$timesf"
	if (timed "$@"); then
		passed=$((passed + 1)); echo "   ok ($((SECONDS - t0)) s, $(script_cpu) s of CPU)"
	else
		failed=$((failed + 1)); echo "   FAILED: $name"
	fi
}

# The lanes: the host's (builds, unit tests, kernel checks, packages,
# fuzzing), the waiting scripts' (the tools end to end), and the lab (one
# emulator at a time, on one CPU).
host_lane() {
	build_selftests
	echo "== unit: exit accounting (kernel/kvm/exit_stats.c through tests/shim), linux $KSERIES's reasons and handler tables"
	run_cmocka build/test/test_exit_stats
	echo "== unit: exit accounting again, with linux $other's reasons and handler tables"
	if make -s BUILD="build/unit-$other" KSERIES="$other" "build/unit-$other/test/test_exit_stats" >"build/unit-$other.log" 2>&1; then
		run_cmocka "build/unit-$other/test/test_exit_stats"
	else
		failed=$((failed + 1)); echo "FAILED: test_exit_stats does not build for linux $other (build/unit-$other.log)"
	fi
	echo "== unit: VMM boot protocol, e820, MP table (against $EXITSCOPE_VMLINUZ)"
	run_cmocka build/test/test_boot
	echo "== unit: VMM 8250 UART"
	run_cmocka build/test/test_uart
	echo "== unit: vmexit-bench's command line and figures (guest code, on the host)"
	run_cmocka build/test/test_bench
	echo "== unit: guest query decoding (fake CPUID)"
	run_cmocka build/test/test_query
	run_cmocka build/test/test_query_seed
	echo "== unit: lab result parsers and the tracepoint comparison"
	run_cmocka build/test/test_results
	echo "== unit: one number parser, bounded text, serial frames, VMM ABI, reason names"
	run_cmocka build/test/test_num
	run_cmocka build/test/test_text
	run_cmocka build/test/test_frame
	run_cmocka build/test/test_vmm
	run_cmocka build/test/test_reasons
	echo "== unit: the names below a reason (MSRs, ports, hypercalls)"
	run_cmocka build/test/test_names
	echo "== unit: explain's rules (each fires, and not on a look-alike), baselines, JSON"
	run_cmocka build/test/test_explain
	echo "== unit: results model, checks, writers, results.json both ways, chart"
	run_cmocka build/test/test_report
	echo "== unit: the benchmark's report (vmexit-bench's log, added cost, bench.json)"
	run_cmocka build/test/test_bench_report
	echo "== unit: the collector's logic (folding, buckets, percentiles, snapshots, records, metrics, top, HTTP)"
	run_cmocka build/test/test_collector
	run_check "unit: test_collector catches each of the mutations of tests/unit/mutate-collector.py" \
		python3 tests/unit/mutate-collector.py
	echo "== the library's layers: includes against tools/README.md's table, no call cycles (nm)"
	run_cases tests/unit/check-lib-layers.py
	echo "== unit under ASan+UBSan: the tools' unit tests again (build/asan/test)"
	for t in build/asan/test/test_*; do run_cmocka_asan "$t"; done
	echo "== tools: exitscope-vmm and exitscope, end to end"
	run_cases tests/vmm/check-vmm.sh
	run_cases tests/vmm/check-kvm-probe.sh
	run_cases tests/vmm/check-bench-host.sh
	for s in "$KSERIES" "$other"; do
		run_check "kernel $s: patches apply, checkpatch --strict" env KSERIES=$s tests/kernel/check-patch.sh
		run_check "kernel $s: make modules; vermagic and CRCs match Debian's kernel, kvmgt.ko loads beside" \
			env KSERIES=$s bash -c 'scripts/build-modules.sh >/dev/null && tests/kernel/check-modules.sh'
		run_check "kernel $s: no member of struct kvm / kvm_vcpu moved (stock BTF against ours)" \
			env KSERIES=$s tests/kernel/check-layout.sh
		run_check "kernel $s: W=1 adds no warning" env KSERIES=$s tests/kernel/check-w1.sh
		# A series of several patches: each must build on its own.
		if [ "$(ls kernel/patches/$s/0*.patch | wc -l)" -gt 1 ]; then
			echo "== kernel $s: every patch of the series builds on its own"
			run_cases env KSERIES=$s tests/kernel/check-series.sh
		fi
		echo "== kernel $s: the cycle model of the hooks (hook-cost.sh --json, cycle-model.py) and of a BPF program"
		run_cases env KSERIES=$s tests/bench/check-cycle-model.sh
	done
	echo "== names: the MSR and hypercall tables are the kernel headers' of both series"
	run_cases tests/unit/check-names.sh
	echo "== Debian packages: make deb, lintian; apt install in a fresh Debian 12; dkms builds for Debian's 6.1 and 6.12, checked as make modules' are"
	run_cases tests/deb/check-deb.sh
	echo "== tools under ASan+UBSan: exitscope-vmm and exitscope, end to end"
	run_cases env EXITSCOPE_BIN=build/asan/bin tests/vmm/check-vmm.sh
	run_cases env EXITSCOPE_BIN=build/asan/bin tests/vmm/check-kvm-probe.sh
	echo "== fuzz: each parser of outside data for 6 s (libFuzzer, ASan+UBSan; docs/reliability.md)"
	run_cases fuzz/run.sh 6
}

# The tools end to end on recorded figures: scripts that mostly wait (on
# their servers, terminals, intervals and timeouts), not compute. They run
# beside the other two lanes: in the host lane they waited on its kernel
# builds for 6 of its minutes (check-collector.sh: 40 s alone, 106 s there).
wait_lane() {
	echo "== lab: command line on bad input"
	run_cases tests/lab/check-lab-cli.sh
	echo "== lab: the emulator's watch against a fake emulator (--timeout from the emulator's start)"
	run_cases tests/lab/check-emulator-watch.sh
	echo "== report: results good and hostile (static build, then ASan+UBSan)"
	run_cases tests/lab/check-report.sh
	run_cases env EXITSCOPE_BIN=build/asan/bin tests/lab/check-report.sh
	echo "== collector: record, top, exporter on recorded figures; promtool, node-exporter (static, then ASan+UBSan)"
	run_cases tests/collector/check-collector.sh
	run_cases env EXITSCOPE_BIN=build/asan/bin tests/collector/check-collector.sh
	echo "== explain: the seed's lab run and records with the drill-down, its JSON and rule table, bad input (static, then ASan+UBSan)"
	run_cases tests/explain/check-explain.sh
	run_cases env EXITSCOPE_BIN=build/asan/bin tests/explain/check-explain.sh
	echo "== top in a real terminal (tmux): views, sorts, filter, reset, help, a narrow screen (static, then ASan+UBSan)"
	run_cases tests/collector/check-top-tmux.sh
	run_cases env EXITSCOPE_BIN=build/asan/bin tests/collector/check-top-tmux.sh
	echo "== fleet: the rules (promtool), the dashboard's queries, the systemd unit, a real Prometheus scraping two exporters"
	run_cases tests/fleet/check-fleet.sh
	echo "== manual pages and bash completion: each page renders, lists every option of its command's --help; completion from the help"
	run_cases tests/deb/check-man.sh
	run_cases tests/deb/check-completion.sh
	run_cases env EXITSCOPE_BIN=build/asan/bin tests/deb/check-completion.sh
}

lab_lane() {
	echo "== lab: Intel (Bochs), L1 with exitscope's KVM, L2 with EPT and shadow paging"
	run_cases tests/lab/check-lab.sh intel
	echo "== lab: AMD (QEMU TCG), L1 with exitscope's KVM, L2 with NPT and shadow paging"
	run_cases tests/lab/check-lab.sh amd
	echo "== lab: a hung emulator is caught, explained and retried (AMD, injected; corrupt's second boot is stuck)"
	SCRIPT_LIMIT=600 run_cases tests/lab/check-lab-hang.sh spin
	SCRIPT_LIMIT=600 run_cases tests/lab/check-lab-hang.sh silent
	SCRIPT_LIMIT=600 run_cases tests/lab/check-lab-hang.sh quiet
	SCRIPT_LIMIT=600 run_cases tests/lab/check-lab-hang.sh corrupt
	# The collector's attach modes (docs/collector.md): tp_btf on both series
	# (chosen by itself: the check is that it did) and on Debian's own modules,
	# the tp fallback asked for on one.
	echo "== lab: AMD on Debian's own kernel as L1, with the modules of make modules, the BPF collector recording (tp, the fallback)"
	SCRIPT_LIMIT=900 run_cases env COLLECTOR_ATTACH=tp tests/lab/check-lab.sh amd debian
	echo "== lab: AMD on Debian's $other kernel as L1, with the modules of make modules KSERIES=$other, the BPF collector recording (tp_btf)"
	run_cases env KSERIES="$other" tests/lab/check-lab.sh amd debian
	# Intel's tp: two rows of explain's workloads in the same Bochs boot
	# (a boot of its own took 137 s, most of it booting).
	echo "== lab: Intel (Bochs) on Debian's own kernel, the BPF collector recording in both attach modes (tp in explain's workloads)"
	SCRIPT_LIMIT=1200 run_cases tests/lab/check-lab-collector.sh intel tp_btf
	echo "== lab: AMD on Debian's own kernel and its own stock modules, the BPF collector recording (tp_btf)"
	SCRIPT_LIMIT=600 run_cases tests/lab/check-lab-stock.sh amd
	echo "== lab: explain's rules against real exits: a workload per rule that fires exactly its own, the seed explained (AMD)"
	SCRIPT_LIMIT=1200 run_cases tests/lab/check-lab-explain.sh amd
	echo "== lab: guest fuzzing of the interface, 4 vCPUs exiting at once (AMD)"
	SCRIPT_LIMIT=600 run_cases tests/lab/check-lab-workloads.sh amd
	echo "== lab: proofs of off, reload and isolation in one L1 (AMD)"
	SCRIPT_LIMIT=600 run_cases tests/lab/check-proofs.sh --run build/lab-check-proofs amd
	echo "== bench: one short configuration of make bench (AMD, stock and counts, cpuid and query_total)"
	run_cases tests/lab/check-bench.sh
	selftests_checks
}

# KVM's selftests of both series, which the lab's lane runs last: built at
# the host lane's start, on a new machine, where the lab's lane would build
# them itself (build-selftests.sh locks its cache entry: whichever comes
# second waits, then finds them built). A lane of their own beside the
# others, from the start, made a cold run 2 minutes shorter (the CPUs 98%
# busy), but on a warm machine it ran two emulators at once for 17
# minutes, and three of the lab's timing checks failed under that load.
build_selftests() {
	for s in "$KSERIES" "$other"; do
		KSERIES=$s scripts/build-selftests.sh >"build/selftests-$s.log" 2>&1 ||
			echo "(KVM's selftests of linux $s failed to build, see build/selftests-$s.log: the lab will say so)"
	done
}
selftests_checks() {
	echo "== lab: KVM's selftests in L1 (AMD), Debian's stock modules against exitscope's; a hang among them retried, a one-off difference rerun"
	run_cases tests/lab/check-selftests.sh
	SCRIPT_LIMIT=600 run_cases tests/lab/check-selftests-hang.sh
	SCRIPT_LIMIT=600 run_cases tests/lab/check-selftests-unsteady.sh
	echo "== lab: KVM's selftests in L1 (AMD) on Debian's $other kernel, the series' own test among them"
	run_cases env KSERIES="$other" tests/lab/check-selftests.sh
}

# A lane run in the background: its output kept in build/check-NAME.out,
# printed once the host lane is done, as it comes from then on, its counts
# then added.
start_lane() {	# start_lane NAME: runs NAME_lane
	rm -f "build/check-$1.out" "build/check-$1.counts"
	(
		lane=$1 passed=0 failed=0 skipped=0
		"${1}_lane"
		echo "   (the $1 lane ended $((SECONDS / 60)) min $((SECONDS % 60)) s after the start)"
		echo "$passed $failed $skipped" >"build/check-$1.counts"
	) >"build/check-$1.out" 2>&1 &
}
join_lane() {	# join_lane NAME PID
	echo "== (the $1 lane, run beside the rest: build/check-$1.out)"
	tail -n +1 -f --pid="$2" "build/check-$1.out"
	wait "$2"
	if read -r p f s <"build/check-$1.counts" 2>/dev/null; then
		passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
	else
		failed=$((failed + 1)); echo "FAILED: the $1 lane ended without its counts"
	fi
}

# Both lanes load the modules of make modules for both series: built
# once, before either starts (the kernel checks then find them up to date,
# and report a failure to build).
# The lab's own kernels (L1's, with exitscope's modules built against it,
# and L2's), on a new machine: built before the lanes too, on every CPU.
# Built by the lab lane's first script instead, beside the host lane's
# kernel builds, they took 24 minutes where alone they take 4, and the
# lab's lane ended 18 minutes after the other. Cached: nothing to do on a
# machine that has them.
# The two run at once: each has its stretches on one CPU (unpacking
# linux-source with xz, linking vmlinux, modpost), which the other fills.
t0=$SECONDS
(
	for s in "$KSERIES" "$other"; do
		KSERIES=$s scripts/build-modules.sh >"build/modules-$s.log" 2>&1 ||
			echo "(make modules KSERIES=$s failed, see build/modules-$s.log: the kernel checks will say so)"
	done
) &
modpid=$!
if { l1dir=$(lab/build-kernel.sh l1) &&
     EXITSCOPE_KDIR=$l1dir/obj EXITSCOPE_KNAME=l1 scripts/build-modules.sh &&
     lab/build-kernel.sh l2; } >build/lab-kernels.log 2>&1; then
	lab_kernels=ok
else
	lab_kernels=failed
fi
wait "$modpid"
if [ "$lab_kernels" = failed ]; then
	echo "(the lab's kernels failed to build, see build/lab-kernels.log: the lab will say so)"
elif [ $((SECONDS - t0)) -ge 5 ]; then
	echo "(make modules and the lab's kernels built in $((SECONDS - t0)) s)"
fi

# On 2 CPUs or more the three lanes run at once (the lab's and the waiting
# scripts' in the background). EXITSCOPE_CHECK_SERIAL=1 runs them one
# after the other.
if [ -n "${EXITSCOPE_CHECK_SERIAL:-}" ] || [ "$(nproc)" -lt 2 ]; then
	host_lane
	wait_lane
	lab_lane
else
	trap 'trap - INT TERM; kill 0' INT TERM
	start_lane lab
	labpid=$!
	start_lane wait
	waitpid=$!
	lane=host
	host_lane
	echo "   (the host lane ended $((SECONDS / 60)) min $((SECONDS % 60)) s after the start)"
	join_lane wait "$waitpid"
	join_lane lab "$labpid"
fi

read -r b0 i0 <<<"${cpu_start:-0 0}"
read -r b1 i1 <<<"$(cpu_ticks || echo 0 0)"
awk -v b=$((b1 - b0)) -v i=$((i1 - i0)) -v t="$SECONDS" -v hz="$(getconf CLK_TCK 2>/dev/null || echo 100)" -v n="$(nproc)" 'BEGIN {
	if (b + i > 0)
		printf "(%d min %d s; the machine'"'"'s %d CPUs %.0f%% busy: %.0f CPU-minutes of work)\n", t / 60, t % 60, n, 100 * b / (b + i), b / hz / 60 }'
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
