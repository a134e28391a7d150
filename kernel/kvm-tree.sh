#!/bin/sh
# Make an out-of-tree build tree of KVM with exit accounting, for a
# distribution's headers tree. One recipe for `make modules`
# (scripts/build-modules.sh) and for the exitscope-dkms package, which
# ships this file.
#
#   kvm-tree.sh create SRC TREE [PATCH...]
#       TREE (new) gets SRC's arch/x86/kvm, virt/kvm and the two kvm_host.h,
#       the patches applied in order, and a Makefile that kbuild can run
#       with M=TREE/arch/x86/kvm against the headers tree. No patch: stock
#       KVM built the same way (the benchmark's stock-rebuilt).
#   kvm-tree.sh add FILES TREE
#       copies the files the change adds (FILES/kvm/exit_stats.[ch],
#       FILES/uapi/asm/kvm_exit_stats.h) into TREE, touching only those that
#       differ, so that kbuild rebuilds only what changed.
#
# POSIX sh and coreutils, and git or patch(1): it runs on hosts at dkms time.
set -eu

die() { printf 'kvm-tree.sh: error: %s\n' "$*" >&2; exit 1; }

# put SRC DST: copy when different (keeps an unchanged file's timestamp).
put() { cmp -s "$1" "$2" 2>/dev/null || cp "$1" "$2"; }

# apply TREE PATCH: the kernel parts of a patch (not its documentation or
# selftest, which are not built here). Without git, patch(1): the dkms
# package ships the patches cut down to their kernel parts.
apply() {
	if command -v git >/dev/null 2>&1; then
		# --git-dir: apply to this tree even where it sits inside a
		# git work tree (git would skip paths outside the subdirectory).
		git --git-dir=/dev/null --work-tree="$1" -C "$1" apply \
			--exclude='Documentation/*' --exclude='tools/*' "$2"
	else
		patch -s -d "$1" -p1 -N -F0 -r - <"$2"
	fi
}

case ${1:-} in
create)
	[ $# -ge 3 ] || die "usage: kvm-tree.sh create SRC TREE [PATCH...]"
	src=$2 tree=$3
	shift 3
	npatches=$#
	[ -d "$src/arch/x86/kvm" ] || die "$src: no arch/x86/kvm (not a linux source tree)"
	[ ! -e "$tree" ] || die "$tree exists"
	mkdir -p "$tree/arch/x86/include/uapi/asm" "$tree/arch/x86/include/asm" \
		"$tree/include/linux" "$tree/virt" "$tree/trace-include/x"
	cp -a "$src/arch/x86/kvm" "$tree/arch/x86/"
	cp -a "$src/virt/kvm" "$tree/virt/"
	cp "$src/include/linux/kvm_host.h" "$tree/include/linux/"
	cp "$src/arch/x86/include/asm/kvm_host.h" "$tree/arch/x86/include/asm/"
	for patch in "$@"; do
		apply "$tree" "$patch" || die "$(basename "$patch") does not apply to $src"
	done
	kvm=$tree/arch/x86/kvm
	[ "$npatches" -eq 0 ] || grep -q kvm_exit_stats_count "$kvm/vmx/vmx.c" ||
		die "the patches applied to nothing: $kvm/vmx/vmx.c has no hook"
	# The modules are built against the distribution's headers: a series
	# that changed asm/kvm_host.h could not be built so.
	cmp -s "$src/arch/x86/include/asm/kvm_host.h" "$tree/arch/x86/include/asm/kvm_host.h" ||
		die "the patches change asm/kvm_host.h: kvm.ko would no longer match the distribution's headers"
	# The headers tree has neither arch/x86/kvm nor virt/kvm: point the
	# Makefile at this copy. The patched linux/kvm_host.h and the new uapi
	# header must win over the headers tree's, hence NOSTDINC_FLAGS
	# (searched before it), and trace.h's TRACE_INCLUDE_PATH
	# (../../arch/x86/kvm) must resolve here.
	sed -i -e 's|\$(srctree)/arch/x86/kvm|$(src)|' \
	    -e 's|include \$(srctree)/virt/kvm/Makefile.kvm|include $(src)/../../../virt/kvm/Makefile.kvm|' \
	    "$kvm/Makefile"
	cat >>"$kvm/Makefile" <<'MK'

# Out-of-tree build against a distribution's headers tree (kvm-tree.sh)
NOSTDINC_FLAGS += -I$(src)/../../../include -I$(src)/../include/uapi
ccflags-y += -I$(src)/../../../trace-include/x
MK
	;;
add)
	[ $# -eq 3 ] || die "usage: kvm-tree.sh add FILES TREE"
	files=$2 tree=$3
	put "$files/kvm/exit_stats.c" "$tree/arch/x86/kvm/exit_stats.c"
	put "$files/kvm/exit_stats.h" "$tree/arch/x86/kvm/exit_stats.h"
	put "$files/uapi/asm/kvm_exit_stats.h" "$tree/arch/x86/include/uapi/asm/kvm_exit_stats.h"
	;;
*)
	die "usage: kvm-tree.sh create SRC TREE PATCH... | add FILES TREE"
	;;
esac
