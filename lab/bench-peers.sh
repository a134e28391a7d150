# The benchmark's tracing peers, started and stopped the way a person
# would: sourced by lab/l1-bench.sh (in L1, each tool from the peers' Debian
# root file system) and scripts/bench-host.sh (on a host, its own tools).
# One list of what each configuration runs, so that the lab and a host
# measure the same thing. The caller sets:
#   out            the directory for each peer's output (peer-CONFIG.log)
#   peer_prefix    the words that run a command in the peers' environment
#                  and exec it (in L1: chroot and env; on a host: env)
#   peer_tmp       a scratch directory as the peers see it,
#   peer_tmp_here  the same directory as the caller sees it
#   es_bin, floor_bin, kvm_stat   exitscope, bpf-floor, the kernel's kvm_stat
#                  (that one as the peers see it)
#   jited_bin      bpf-jited (dump_jit only)
# and provides stage NAME SECONDS TEXT (progress).

# peer_bg LOG CMD...: CMD in the peers' environment ($peer_prefix) in the
# background as a simple command, so that $peer is the tool itself (chroot
# and env exec it): the Ctrl-C of stop_peer reaches the tool, not a
# subshell around it.
# Its input is as at a terminal nobody types at: a FIFO that has no data and
# no end. A background job's /dev/null is at its end for ever, and `perf kvm
# stat live`, which polls its input for 'q', then never sleeps: it took
# 17,133 ticks per CPUID so, 5,892 so.
peer_bg() {
	log=$1
	shift
	[ -p "$peer_tmp_here/peer-input" ] || mkfifo "$peer_tmp_here/peer-input"
	# shellcheck disable=SC2086 # $peer_prefix is words: chroot, env and theirs
	$peer_prefix "$@" >"$log" 2>&1 0<>"$peer_tmp_here/peer-input" &
	peer=$!
}
# peer_cpu_ns: the CPU time of the peer's threads so far, user and system,
# in ns (the first field of each thread's schedstat). Not the BPF programs:
# those run in the vCPU's thread, and are the per-exit cost.
peer_cpu_ns() {
	cpu_sum=0
	for f in /proc/$peer/task/*/schedstat; do
		[ -r "$f" ] && read -r cpu_ns cpu_rest <"$f" && cpu_sum=$((cpu_sum + cpu_ns))
	done
	echo $cpu_sum
}

# start_peer CONFIG: the tracing tool of CONFIG, in the background ($peer);
# 1 with $why if it cannot start.
start_peer() {
	peer=
	case $1 in
	tracepoint-hist)
		echo 'hist:keys=exit_reason:vals=hitcount:size=4096' \
			>/sys/kernel/tracing/events/kvm/kvm_exit/trigger ||
			{ why="cannot set the kvm_exit hist trigger"; return 1; } ;;
	perf-record)
		peer_bg $out/peer-$1.log perf kvm stat record -a -o "$peer_tmp/perf.data" ;;
	perf-live)
		peer_bg $out/peer-$1.log perf kvm stat live -d 1 ;;
	bpftrace-count)
		peer_bg $out/peer-$1.log bpftrace -e \
			'tracepoint:kvm:kvm_exit { @exits[args->exit_reason] = count(); }' ;;
	bpftrace-hist)
		peer_bg $out/peer-$1.log bpftrace -e '
tracepoint:kvm:kvm_exit { @start[tid] = nsecs; @reason[tid] = args->exit_reason; }
tracepoint:kvm:kvm_entry /@start[tid]/ {
	@ns[@reason[tid]] = hist(nsecs - @start[tid]);
	delete(@start[tid]);
}' ;;
	bcc-kvmexit)
		peer_bg $out/peer-$1.log kvmexit-bpfcc ;;
	# The kernel's kvm_stat (tools/kvm/kvm_stat), logging a CSV line a
	# second: per-reason kvm_exit counters (perf events with a filter per
	# reason: its tracepoint mode), or KVM's own debugfs statistics.
	kvm-stat)
		peer_bg $out/peer-$1.log python3 -u "$kvm_stat" -t -l -c -s 1 -f kvm_exit ;;
	kvm-stat-debugfs)
		peer_bg $out/peer-$1.log python3 -u "$kvm_stat" -d -l -c -s 1 -f exits ;;
	# The collector as it chooses (tp_btf here), and in the tp fallback;
	# -detail with its drill-down (tp_btf only).
	exitscope-bpf*)
		case $1 in *-tp) src=bpf:tp ;; *) src=bpf ;; esac
		case $1 in exitscope-bpf-counts*) timing=--no-timing ;; *) timing= ;; esac
		case $1 in *-detail) detail=--detail ;; *) detail= ;; esac
		"$es_bin" record -v --source $src $timing $detail --duration 0 --json \
			>$out/peer-$1.json 2>$out/peer-$1.log &
		peer=$! ;;
	bpf-floor)
		"$floor_bin" >$out/peer-$1.log 2>&1 &
		peer=$! ;;
	bpf-floor-*)	# the floor with one part more or less (bpf-floor.bpf.c)
		"$floor_bin" ${1#bpf-floor-} >$out/peer-$1.log 2>&1 &
		peer=$! ;;
	esac
	[ -n "$peer" ] || return 0
	# Attached: bpftrace and bcc say so; perf says nothing, give it time.
	t=0
	while [ $t -lt 600 ]; do
		grep -q -e 'Attaching' -e 'Hit Ctrl-C' -e 'recording until' -e '^timestamp' \
			$out/peer-$1.log 2>/dev/null &&
			break
		case $1 in perf-*) [ $t -ge 20 ] && break ;; esac
		if ! kill -0 $peer 2>/dev/null; then
			why="$1 exited before it attached: $(tail -n 2 $out/peer-$1.log | tr '\n' ' ')"
			peer=
			return 1
		fi
		sleep 1
		t=$((t + 1))
	done
	sleep 2
	peer_cpu0=$(peer_cpu_ns)	# from here on, what it costs while the VMs run
}

# dump_jit CONFIG: what the BPF programs attached now were JITed into, for
# scripts/cycle-model.py: bpftool's lists of the programs, their links and
# perf attachments (jit-{progs,links,perf}-CONFIG.json), each program's image
# and where its functions sit (jit-CONFIG-ID.bin, .funcs: bpf-jited, as
# $jited_bin), and once the kernel's text symbols (kallsyms.txt.gz: what the
# images' calls reach). Once per configuration; what failed is in
# jit-dump-CONFIG.log. bpftool is L1's own (lab/bench.sh --jit) or the host's.
dump_jit() {
	local id
	[ -e "$out/jit-progs-$1.json" ] && return 0
	bpftool -j prog show >"$out/jit-progs-$1.json" 2>&1 </dev/null || return 0
	bpftool -j link show >"$out/jit-links-$1.json" 2>&1 </dev/null
	bpftool -j perf show >"$out/jit-perf-$1.json" 2>&1 </dev/null
	for id in $(grep -o '"id":[0-9]*' "$out/jit-progs-$1.json" | cut -d: -f2); do
		"$jited_bin" "$id" "$out/jit-$1-$id.bin" </dev/null >"$out/jit-$1-$id.funcs" 2>>"$out/jit-dump-$1.log" ||
			rm -f "$out/jit-$1-$id.funcs"
	done
	[ -e "$out/kallsyms.txt.gz" ] ||
		grep ' [tT] ' /proc/kallsyms | gzip -c >"$out/kallsyms.txt.gz"
}

# stop_peer CONFIG: stop it the way a person would (Ctrl-C), keep its output.
stop_peer() {
	case $1 in
	tracepoint-hist)
		cat /sys/kernel/tracing/events/kvm/kvm_exit/hist >$out/peer-$1.log
		echo '!hist:keys=exit_reason:vals=hitcount:size=4096' \
			>/sys/kernel/tracing/events/kvm/kvm_exit/trigger ;;
	esac
	[ -n "$peer" ] || return 0
	echo "cpu_ns=$(($(peer_cpu_ns) - peer_cpu0))" >$out/peer-$1.cpu
	# perf's live view and kvm_stat print a window each second, and a Ctrl-C
	# while they wait skips the last one: let them show the benchmark's first.
	case $1 in perf-live|kvm-stat*) sleep 3 ;; esac
	kill -INT $peer 2>/dev/null
	t=0
	while kill -0 $peer 2>/dev/null && [ $t -lt 120 ]; do sleep 1; t=$((t + 1)); done
	kill -KILL $peer 2>/dev/null
	wait $peer 2>/dev/null
	if [ "$1" = perf-record ]; then
		stage "report-$1" 1200 "$1: perf kvm stat report"
		# shellcheck disable=SC2086
		$peer_prefix perf kvm -i "$peer_tmp/perf.data" stat report --event=vmexit \
			>>$out/peer-$1.log 2>&1 </dev/null
		rm -f "$peer_tmp_here/perf.data"
	fi
	peer=
}
