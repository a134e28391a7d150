# Sourced by the lab's entry scripts (lab.sh, bench.sh, selftests.sh,
# proofs.sh), after scripts/lib.sh: what every kind of lab run does the
# same way, so that a new kind is its options, a few stage functions and
# its results, not a copy of the lock, packages, L1 preparation and boot.
#
# A run is a stage list: `run_stages stage_packages my_build my_boot`. Each
# stage is a function that announces itself with `run_say KEY TEXT` (the
# key goes into timing.tsv, where progress.sh's estimates and
# scripts/bench-lab.sh read it) and may also return without a word (a step
# it has nothing for today); its number K/N comes from its place in the list.
# Stages set globals (work, kvmdir, append...): nothing they make is local,
# and none is called in a condition, where `set -e` would be off.
#
# What a script provides: its options and checks, then `run_lock`,
# progress_init, `run_apt` (packages beyond the common ones) and optionally
# an `on_packages` function; before `l1_boot`: append, timeout, and
# optionally inject, emulator_qemu_extra, emulator_tsc_khz (lab/emulator.sh).
# shellcheck disable=SC2034 # kvmdir, stockdir, l1dir...: the scripts' to use
: "${top:?lab/run-lib.sh: top (the tree) is not set}"
. "$top/lab/progress.sh"
. "$top/lab/emulator.sh"
inject='' run_keep='' run_step='' emu_pid='' work=''
run_apt=()

# run_lock: the results directory --out names, made, locked for this run
# alone (a second run on it refuses at once) and made absolute.
run_lock() {
	mkdir -p "$out" || die "cannot create --out '$out'"
	lock_out "$out" || die "$(lock_busy "$out")"
	out=$(realpath "$out")
}

# run_inject WORD... HELP: EXITSCOPE_LAB_INJECT (tests only, AMD), one of
# WORDs or empty, into $inject; HELP lists them for the error.
run_inject() {
	local help=${*: -1} w
	inject=${EXITSCOPE_LAB_INJECT:-}
	[ -n "$inject" ] || return 0
	for w in "${@:1:$#-1}"; do
		if [ "$inject" = "$w" ]; then
			[ "$cpu" = amd ] || die "EXITSCOPE_LAB_INJECT works with --cpu amd only"
			return 0
		fi
	done
	die "invalid EXITSCOPE_LAB_INJECT: '$inject' ($help)"
}

# run_stages FN...: each stage in turn, numbered K/N.
run_stages() {
	local run_k=0 run_s
	for run_s in "$@"; do
		run_k=$((run_k + 1))
		run_step=$run_k/$#
		"$run_s"
	done
}

# run_say KEY TEXT: the current stage's line (and timing.tsv's).
run_say() {
	step "$run_step" "$1" "$2"
}

# stage_packages: every run's first stage. The packages all need, the
# script's run_apt, the emulator's; its on_packages; the kernel source's
# variables (KVER, KSRC, KMODS, KSTOCK, KABI...: scripts/kernel-source.sh).
stage_packages() {
	run_say packages "packages"
	apt_ensure busybox-static cpio file make gcc libc6-dev libjansson-dev binutils "${run_apt[@]}"
	if [ "$cpu" = amd ]; then
		apt_ensure qemu-system-x86
	else
		apt_ensure bochs bochsbios vgabios grub-pc-bin grub-common xorriso mtools
	fi
	if declare -F on_packages >/dev/null; then on_packages; fi
	eval "$("$top/scripts/kernel-source.sh")"
}

# l1_prepare small|debian: L1's kernel and exitscope's modules for it,
# built or taken from the cache; sets l1kernel, kvmdir (exitscope's
# modules), stockdir (the kernel's own) and deps (the modules KVM needs,
# in load order).
#   small: the lab's small LZ4 kernel from the same source, built here
#          (Debian's xz kernel takes a minute to decompress in Bochs);
#   debian: Debian's own kernel, as users run it, with `make modules`.
l1_prepare() {
	case $1 in
	small)
		l1dir=$("$top/lab/build-kernel.sh" l1)
		EXITSCOPE_KDIR=$l1dir/obj EXITSCOPE_KNAME=l1 "$top/scripts/build-modules.sh" >/dev/null
		l1kernel=$l1dir/bzImage
		kvmdir=$KMODS-l1
		# The unpatched modules the L1 kernel's build made itself.
		stockdir=$l1dir/obj/arch/x86/kvm
		deps=$(find "$l1dir/obj/virt/lib" -name irqbypass.ko)
		;;
	debian)
		"$top/scripts/build-modules.sh" >/dev/null
		l1kernel=/boot/vmlinuz-$KABI
		[ -r "$l1kernel" ] || die "no readable $l1kernel (package linux-image-$KABI-unsigned)"
		kvmdir=$KMODS
		stockdir=$KSTOCK
		deps="$KMODROOT/kernel/virt/lib/irqbypass.ko"
		if [ "$cpu" = amd ]; then deps="$deps $KMODROOT/kernel/drivers/crypto/ccp/ccp.ko"; fi
		;;
	*) die "l1_prepare: '$1' (small or debian)" ;;
	esac
}

# run_workdir NAME: a fresh work directory, removed at exit (kept with
# run_keep set) after the emulator, if one still runs, is stopped.
run_workdir() {
	work=$(mktemp -d "${TMPDIR:-/tmp}/exitscope-$1.XXXXXX")
	emu_pid=
	trap run_cleanup EXIT
}
run_cleanup() {
	if [ -n "$emu_pid" ]; then
		kill "$emu_pid" 2>/dev/null
		wait "$emu_pid" 2>/dev/null
	fi
	if [ -n "$run_keep" ]; then log "work directory kept: $work"; else rm -rf "$work"; fi
}

# static_busybox: the path of a statically linked busybox (L1 and L2 have
# no libraries).
static_busybox() {
	local bb=/bin/busybox
	file -L "$bb" 2>/dev/null | grep -q 'statically linked' || bb=$(dpkg -L busybox-static | grep -m1 '/busybox$')
	echo "$bb"
}

# l1_root ROOT INIT DIR...: an L1 root: ROOT/DIR..., busybox as sh, INIT as
# /init, lab/l1-lib.sh beside it.
l1_root() {
	local r=$1 init=$2 d
	shift 2
	mkdir -p "$r/bin"
	for d in "$@"; do mkdir -p "$r/$d"; done
	cp "$(static_busybox)" "$r/bin/busybox"
	ln -s busybox "$r/bin/sh"
	install -m755 "$init" "$r/init"
	install -D -m644 "$top/lab/l1-lib.sh" "$r/lib/exitscope/l1-lib.sh"
}

# strip_deps DEST KO...: each module, stripped of its debug information,
# into DEST, and its name into DEST/deps in load order (L1 loads them).
strip_deps() {
	local dest=$1 d
	shift
	mkdir -p "$dest"
	: >"$dest/deps"
	for d in "$@"; do
		[ -f "$d" ] || die "module $d missing"
		strip --strip-debug -o "$dest/$(basename "$d")" "$d"
		basename "$d" .ko >>"$dest/deps"
	done
}

# strip_kos SRC DEST: kvm, kvm-amd and kvm-intel of SRC, stripped, into DEST.
strip_kos() {
	local k
	mkdir -p "$2"
	for k in kvm kvm-amd kvm-intel; do
		strip --strip-debug -o "$2/$k.ko" "$1/$k.ko"
	done
}

# mkcpio DIR FILE: DIR as an initramfs (newc), in a stable order.
mkcpio() {
	(cd "$1" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) >"$2"
}

# l1_boot TEXT: boot L1 from $work/l1.cpio (and $l1kernel, $append) and
# follow it until it has sent every result into $out; its console goes to
# $out/l1.log. A hang or a damaged transfer is retried (lab/emulator.sh).
l1_boot() {
	console=$out/l1.log emulator_step=$run_step
	emulator_prepare
	emulator_run "$1"
}
