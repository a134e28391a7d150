#!/usr/bin/env bash
# Build KVM's own selftests (tools/testing/selftests/kvm, x86_64 and the
# generic ones) from the same linux-source as the modules, statically
# linked and stripped so that they run in the lab's L1 initramfs. Cached
# per source version. Prints the output directory, which holds the test
# binaries, list.txt (one built test per line) and unbuilt.txt (each test
# that does not build from this source, with the compiler's first error).
# Where the kernel series adds selftests of its own (6.12: exit_stats_test),
# they are built too, from the source with the series' selftest and uapi
# parts applied, and listed in series.txt.
# Usage: build-selftests.sh
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/lib.sh"
eval "$("$top/scripts/kernel-source.sh")"
out=$EXITSCOPE_CACHE/kvm-selftests-$KVER
# The series' patches that touch the selftests, if any: part of the key.
series=$(grep -l '^+++ b/tools/testing/selftests/kvm/' "$KPATCHES"/0*.patch || true)
[ -z "$series" ] || out=$out-$(cat $series "$top/kernel/uapi/asm/kvm_exit_stats.h" | sha256sum | cut -c1-12)
# One build of a version at a time: a second caller (make check builds
# them in one lane while the lab's lane may come to need them) waits for
# the first, then finds them built.
mkdir -p "$EXITSCOPE_CACHE"
exec 8>"$out.lock"
command -v flock >/dev/null && flock 8
if [ ! -f "$out/list.txt" ]; then
	apt_ensure make gcc libc6-dev rsync
	tree=$("$top/scripts/kernel-tree.sh")
	work=$out.work
	rm -rf "$out" "$work" && mkdir -p "$work/hdr" "$work/bin"
	if [ -n "$series" ]; then
		# The series' selftests, on a copy of the source that shares
		# every file it does not change (git apply replaces, never
		# writes into, the files it patches).
		cp -al "$tree" "$work/src" || die "cannot link a copy of $tree"
		tree=$work/src
		for p in $series; do
			git --git-dir=/dev/null --work-tree="$tree" -C "$tree" apply \
				--include='tools/testing/selftests/kvm/*' "$p" ||
				die "$(basename "$p"): its selftest part does not apply to linux-source $KVER"
		done
	fi
	kst=$tree/tools/testing/selftests/kvm
	log "building KVM's selftests from linux-source $KVER (once, ~2 min)"
	make -s -C "$tree" O="$work/obj" headers_install INSTALL_HDR_PATH="$work/hdr" \
		>"$work/headers.log" 2>&1 ||
		{ tail -5 "$work/headers.log" >&2; die "headers_install failed"; }
	# The interface's numbers, which the series' selftests include.
	install -m644 "$top/kernel/uapi/asm/kvm_exit_stats.h" "$work/hdr/include/asm/"
	# -k: a test that does not build from this source is listed, not fatal.
	make -k -C "$kst" OUTPUT="$work/bin" LINUX_HDR_PATH="$work/hdr/include/" \
		LDFLAGS="-static -pthread" -j"$(nproc)" >"$work/build.log" 2>&1 || true
	want=$(make -s -C "$kst" OUTPUT="$work/bin" LINUX_HDR_PATH="$work/hdr/include/" \
		-f Makefile -f - print-tests <<<'print-tests: ; @echo $(TEST_GEN_PROGS)' 2>/dev/null |
		tr ' ' '\n' | sed -n "s|^$work/bin/||p")
	[ -n "$want" ] || die "cannot list the selftests of $kst"
	mkdir -p "$out.tmp/x86_64"
	: >"$out.tmp/list.txt"
	: >"$out.tmp/unbuilt.txt"
	sed -n 's|^+++ b/tools/testing/selftests/kvm/\(.*_test\)\.c$|\1|p' $series /dev/null >"$out.tmp/series.txt"
	for t in $want; do
		if [ -x "$work/bin/$t" ]; then
			strip -o "$out.tmp/$t" "$work/bin/$t"
			echo "$t" >>"$out.tmp/list.txt"
		else
			# Again alone, for its own first error.
			why=$(make -C "$kst" OUTPUT="$work/bin" LINUX_HDR_PATH="$work/hdr/include/" \
				LDFLAGS="-static -pthread" "$work/bin/$t" 2>&1 |
				grep -m1 -E "error:|undefined reference" | sed 's|^[^ ]*/||' || true)
			printf '%s\t%s\n' "$t" "${why:-did not build (see $work/build.log)}" >>"$out.tmp/unbuilt.txt"
		fi
	done
	# The series' own tests must build: they are what proves it.
	while read -r t; do
		grep -qx "$t" "$out.tmp/list.txt" ||
			die "the series' selftest $t does not build: $(grep "^$t	" "$out.tmp/unbuilt.txt" | cut -f2)"
	done <"$out.tmp/series.txt"
	rm -rf "$out" && mv "$out.tmp" "$out"
	rm -rf "$work"
fi
echo "$out"
