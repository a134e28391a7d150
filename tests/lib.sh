# Shared helpers of the test scripts (tests/*/check-*.sh). Source it.
# Each case prints one line: "ok - NAME", "not ok - NAME: why", "skip - NAME".

# A time limit for a test's command: `timeout $TLIMIT SECS COMMAND...`.
# --foreground: timeout signals the command alone, with no SIGCONT after its
# SIGTERM, which may discard the SIGSTOP LeakSanitizer waits for while it
# stops the world at exit (make asan's binaries): 3 of 30 ASan exporters
# stopped through a plain timeout spun there for ever, and one ran CI out of
# time (docs/reliability.md). -k 10: a SIGKILL 10 s later, whatever happens.
TLIMIT="--foreground -k 10"

# case_ NAME WANT-STATUS WANT-TEXT -- COMMAND...: the command's exit status,
# and a line of its output (stdout and stderr) containing WANT-TEXT; and no
# sanitizer report (for binaries of `make asan`), whatever the status.
# Commands run with no input, under a 120 s limit; $tmp must be set.
case_() {
	local name=$1 want=$2 text=$3 got; shift 4
	timeout $TLIMIT 120 "$@" </dev/null >"$tmp/out" 2>&1; got=$?
	if [ "$got" -eq "$want" ] && grep -qF -- "$text" "$tmp/out" &&
		! grep -q 'Sanitizer\|runtime error:' "$tmp/out"; then
		echo "ok - $name"
	else
		echo "not ok - $name: wanted status $want and '$text', got $got:"
		sed 's/^/    /' "$tmp/out" | tail -5
	fi
}

# check NAME CONDITION...: ok when the condition (a command) succeeds.
check() {
	local name=$1; shift
	if "$@"; then echo "ok - $name"; else echo "not ok - $name"; fi
}

# result STATUS TEXT-IF-OK TEXT-IF-NOT: "ok - TEXT-IF-OK" when STATUS is 0,
# else "not ok - TEXT-IF-NOT" (which should say what was wanted and got).
result() {
	if [ "$1" -eq 0 ]; then echo "ok - $2"; else echo "not ok - $3"; fi
}

# with_tmp: $tmp, a directory removed at exit, and $pids, the servers a
# script starts, killed at exit.
with_tmp() {
	tmp=$(mktemp -d)
	pids=()
	trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$tmp"' EXIT
}

# Servers on loopback (the exporter, Prometheus, node-exporter in tests).
# A port on 127.0.0.1 where nothing listens now: above the usual ones and
# below Linux's ephemeral ports (32768 on), which clients' sockets take.
port() {
	local p
	while :; do
		p=$((20000 + (RANDOM % 12000)))
		(exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null || { echo $p; return; }
	done
}

# get PORT REQUEST: the raw answer of a server on 127.0.0.1 (bash's /dev/tcp).
get() {
	timeout $TLIMIT 10 bash -c 'exec 3<>/dev/tcp/127.0.0.1/$0 && printf "%b" "$1" >&3 && cat <&3' "$1" "$2"
}

# Wait until something listens on PORT (5 s at most).
wait_port() {
	local i
	for i in $(seq 50); do
		(exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}
