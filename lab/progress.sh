# Sourced by the lab's host scripts: progress for people on stderr, the same
# timed in OUT/timing.tsv (seconds, counter, key, text: a stage's KEY is
# its stable name, for expected() and scripts/bench-lab.sh, the text is for
# people), and what to expect of each stage (how long it took the last time
# this very setup ran). Needs scripts/lib.sh.

# progress_init OUT SETUP...: start the clock; SETUP names the setup.
progress_init() {
	progress_out=$1
	shift
	t0=$SECONDS t0us=${EPOCHREALTIME//[.,]/}
	rm -f "$progress_out/timing.tsv"
	last_timing=$EXITSCOPE_CACHE/timing-$(printf '%s\n' "$@" | sha256sum | cut -c1-12).tsv
}

# Seconds since the start, to a tenth.
elapsed() {
	local d=$((${EPOCHREALTIME//[.,]/} - t0us))
	printf '%d.%d' $((d / 1000000)) $((d / 100000 % 10))
}

# expected KEY: "; last time N s", if this setup ran before.
expected() {
	[ -f "$last_timing" ] && awk -F'\t' -v k="$1" '
		found && $3 != "heartbeat" {
			d = $1 - t
			if (d < 1) printf "; last time <1 s"; else printf "; last time %.0f s", d
			exit
		}
		$3 == k { t = $1; found = 1 }' "$last_timing"
}

# step COUNTER KEY TEXT
step() {
	local t
	t=$(elapsed)
	printf 'exitscope lab: [%s] %s (%s s%s)\n' "$1" "$3" "$t" \
		"$([ "$2" = heartbeat ] || expected "$2")" >&2
	printf '%s\t%s\t%s\t%s\n' "$t" "$1" "$2" "$3" >>"$progress_out/timing.tsv"
}

# progress_done TEXT: the last line (key "end"), and this run becomes
# "last time".
progress_done() {
	printf '%s\tend\tend\t%s\n' "$(elapsed)" "$1" >>"$progress_out/timing.tsv"
	cp "$progress_out/timing.tsv" "$last_timing" 2>/dev/null || true
}
