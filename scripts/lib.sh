# Shared helpers for exitscope's shell scripts. Source it; do not run it.

EXITSCOPE_CACHE=${EXITSCOPE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/exitscope}

error() { printf 'exitscope: error: %s\n' "$*" >&2; }
die() { error "$@"; exit 1; }
log() { printf 'exitscope: %s\n' "$*" >&2; }

# lock_out DIR: this run alone writes DIR. A second run on the same DIR
# would delete the first one's files under it and mix their results, so it
# fails at once instead (the lock goes with the process, however it ends).
lock_out() {
	command -v flock >/dev/null || return 0
	exec 9>"$1/.exitscope.lock" && flock -n 9
}
lock_busy() { printf "another run is writing '%s' (it holds %s): wait for it, or give another --out" "$1" "$1/.exitscope.lock"; }
# lock_wait FILE: wait for the lock FILE, then hold it until this process
# ends: one builder of a thing at a time (make check's lanes may come to
# need the same thing at once); the second then finds it built.
lock_wait() {
	command -v flock >/dev/null || return 0
	mkdir -p "$(dirname "$1")"
	local fd
	exec {fd}>"$1" && flock "$fd"
}

as_root() {
	if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# apt_ensure PKG[=VERSION]...: install what is missing, quietly; run
# apt-get update once if the package lists do not know a package.
apt_ensure() {
	local want=() p name ver have
	for p in "$@"; do
		name=${p%%=*}
		ver=; [ "$name" != "$p" ] && ver=${p#*=}
		have=$(dpkg-query -W -f='${db:Status-Status} ${Version}' "$name" 2>/dev/null || true)
		if [ "${have%% *}" != installed ] ||
		   { [ -n "$ver" ] && [ "${have#* }" != "$ver" ]; }; then
			want+=("$p")
		fi
	done
	[ ${#want[@]} -eq 0 ] && return 0
	log "installing: ${want[*]}"
	# Two of exitscope's scripts at once (make check's two lanes) wait
	# for each other's apt rather than fail on its lock.
	local lock="flock /tmp/exitscope-apt.lock"
	if ! as_root $lock env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		--no-install-recommends "${want[@]}" >/tmp/exitscope-apt.log 2>&1; then
		as_root $lock apt-get update -qq >/dev/null 2>&1 ||
			die "apt-get update failed: no package mirror reachable?"
		as_root $lock env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			--no-install-recommends "${want[@]}" >/tmp/exitscope-apt.log 2>&1 ||
			die "cannot install ${want[*]} (see /tmp/exitscope-apt.log)"
	fi
}

# The kernel series exitscope builds for (6.1 or 6.12): $KSERIES if set,
# else the running kernel's if it is a Debian kernel of one of them (so
# that `make modules` on a host builds for that host), else 6.1.
kernel_series() {
	local r
	case ${KSERIES:-} in
	6.1|6.12) echo "$KSERIES"; return ;;
	'') ;;
	*) die "KSERIES=$KSERIES: the series are 6.1 and 6.12" ;;
	esac
	r=$(uname -r)
	case $r in
	6.1.0-*-amd64|6.1.0-*-cloud-amd64|6.1.0-*-rt-amd64) echo 6.1 ;;
	6.12.*+deb*-amd64) echo 6.12 ;;
	*) echo 6.1 ;;
	esac
}
