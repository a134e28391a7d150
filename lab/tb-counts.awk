# QEMU's -d exec log (with nochain: one "Trace" line a translation block
# run) to the blocks that ran: address, instruction limit (cflags' low 9
# bits: a block -icount cut short, or 0), how often; one tab-separated line
# each. A "Trace" line is written before the block is entered; when the
# block then exits at its start without running an instruction (an
# interrupt or exit request, an -icount deadline), QEMU follows it with
# "Stopped execution of TB chain before HOSTPTR [PC]": that block did not
# run, and counted as a run it made the floor's program run once more
# than KVM counted exits (lab/bench.sh --jit, tests/lab/check-bench.sh).
# Usage: awk -f tb-counts.awk EXEC_LOG
function hexlow9(s,    v, i) {
	v = 0
	s = substr(s, length(s) - 2)
	for (i = 1; i <= length(s); i++)
		v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
	return v % 512
}
function bare(pc) { sub(/^0+/, "", pc); return pc }
/^Trace [0-9]+: / {
	if (match($0, /\[[0-9a-f]+\/[0-9a-f]+\/[0-9a-f]+\/[0-9a-f]+\]/)) {
		split(substr($0, RSTART + 1, RLENGTH - 2), f, "/")
		last = f[2] "\t" hexlow9(f[4])
		lastpc = bare(f[2])
		n[last]++
	}
	next
}
/^Stopped execution of TB chain before / {
	if (last != "" && match($0, /\[[0-9a-f]+\]/) &&
	    bare(substr($0, RSTART + 1, RLENGTH - 2)) == lastpc) {
		if (--n[last] == 0)
			delete n[last]
		last = ""
	}
	next
}
END { for (k in n) print k "\t" n[k] }
