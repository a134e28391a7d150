#!/usr/bin/env bash
# Build kvm.ko, kvm-intel.ko and kvm-amd.ko with the exitscope change, out of
# tree, against Debian's headers of the same linux-source version, so that
# vermagic and symbol CRCs match Debian's stock kernel. KSERIES (6.1, 6.12)
# picks the series (scripts/kernel-source.sh). Output: build/modules/KSERIES/.
# With EXITSCOPE_KDIR=DIR (a kernel build tree of the same source, e.g. the
# Intel lab's L1), build against that instead, into
# build/modules/KSERIES-NAME/ where NAME is EXITSCOPE_KNAME.
# Usage: build-modules.sh [W=1]
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/lib.sh"
eval "$("$top/scripts/kernel-source.sh")"

patches=("$KPATCHES"/0*.patch)
[ -f "${patches[0]}" ] || die "no hook patches for linux $KSERIES in ${KPATCHES#$top/}/"
tree=$top/build/kvm-$KVER
outdir=$KMODS
if [ -n "${EXITSCOPE_KDIR:-}" ]; then
	KHDR=$EXITSCOPE_KDIR
	[ -f "$KHDR/Module.symvers" ] || die "$KHDR: not a built kernel tree (no Module.symvers)"
	tree=$top/build/kvm-$KVER-${EXITSCOPE_KNAME:?EXITSCOPE_KNAME with EXITSCOPE_KDIR}
	outdir=$KMODS-$EXITSCOPE_KNAME
fi
kvm=$tree/arch/x86/kvm
stamp=$(cat "${patches[@]}" "$0" | sha256sum | cut -c1-16)

# Recreate the tree only when the patch (or this recipe) changed, so that an
# unchanged tree keeps its timestamps and kbuild rebuilds nothing.
if [ "$(cat "$tree/.stamp" 2>/dev/null)" != "$stamp" ]; then
	log "preparing $tree"
	rm -rf "$tree"
	mkdir -p "$tree/arch/x86/include/uapi/asm" "$tree/arch/x86/include/asm" \
		"$tree/include/linux" "$tree/virt" "$tree/trace-include/x"
	cp -a "$KSRC/arch/x86/kvm" "$tree/arch/x86/"
	cp -a "$KSRC/virt/kvm" "$tree/virt/"
	cp "$KSRC/include/linux/kvm_host.h" "$tree/include/linux/"
	cp "$KSRC/arch/x86/include/asm/kvm_host.h" "$tree/arch/x86/include/asm/"
	# --git-dir: apply to this tree even though it sits inside a git
	# work tree (git would otherwise skip paths outside the subdirectory).
	# The documentation and the selftest are not built here.
	for patch in "${patches[@]}"; do
		git --git-dir=/dev/null --work-tree="$tree" -C "$tree" apply \
			--exclude='Documentation/*' --exclude='tools/*' "$patch" ||
			die "$(basename "$patch") does not apply to linux-source $KVER"
	done
	grep -q kvm_exit_stats_count "$kvm/vmx/vmx.c" ||
		die "patch applied to nothing: $kvm/vmx/vmx.c has no hook"
	# The modules are built against the distribution's headers: a series
	# that ends with asm/kvm_host.h changed cannot be built so.
	cmp -s "$KSRC/arch/x86/include/asm/kvm_host.h" "$tree/arch/x86/include/asm/kvm_host.h" ||
		die "${KPATCHES#$top/}/ changes asm/kvm_host.h: kvm.ko would no longer match Debian's headers"
	# The headers tree has neither arch/x86/kvm nor virt/kvm: point the
	# Makefile at this copy. The patched linux/kvm_host.h and the new uapi
	# header must win over the headers tree's, hence NOSTDINC_FLAGS
	# (searched before it), and trace.h's TRACE_INCLUDE_PATH
	# (../../arch/x86/kvm) must resolve here.
	sed -i -e 's|\$(srctree)/arch/x86/kvm|$(src)|' \
	    -e 's|include \$(srctree)/virt/kvm/Makefile.kvm|include $(src)/../../../virt/kvm/Makefile.kvm|' \
	    "$kvm/Makefile"
	cat >>"$kvm/Makefile" <<'MK'

# exitscope: out-of-tree build against a distribution's headers tree
NOSTDINC_FLAGS += -I$(src)/../../../include -I$(src)/../include/uapi
ccflags-y += -I$(src)/../../../trace-include/x
MK
	echo "$stamp" >"$tree/.stamp"
fi
# The files the change adds, refreshed without touching unchanged ones.
add() { cmp -s "$1" "$2" || cp "$1" "$2"; }
add "$top/kernel/kvm/exit_stats.c" "$kvm/exit_stats.c"
add "$top/kernel/kvm/exit_stats.h" "$kvm/exit_stats.h"
add "$top/kernel/uapi/asm/kvm_exit_stats.h" "$tree/arch/x86/include/uapi/asm/kvm_exit_stats.h"

# Nothing that goes into the modules changed since the last build: skip
# kbuild's own check (0.7 s, paid on every lab run).
built=$(cat "${patches[@]}" "$0" "$top"/kernel/kvm/exit_stats.[ch] "$top"/kernel/uapi/asm/*.h \
	"$KHDR/Module.symvers" |
	sha256sum | cut -c1-16)-$KHDR-$*
if [ "$(cat "$outdir/.built" 2>/dev/null)" = "$built" ] &&
   [ -f "$outdir/kvm.ko" ] && [ -f "$outdir/kvm-intel.ko" ] && [ -f "$outdir/kvm-amd.ko" ]; then
	log "modules for ${EXITSCOPE_KNAME:-$KABI} (linux-source $KVER) in ${outdir#$top/}/ (up to date)"
	exit 0
fi
make -s -C "$KHDR" M="$kvm" -j"$(nproc)" "$@" modules 2> >(grep -v '^Skipping BTF generation' >&2)
mkdir -p "$outdir"
for m in kvm kvm-intel kvm-amd; do
	cp "$kvm/$m.ko" "$outdir/$m.ko"
done
# Module BTF, as Debian's own modules have it (kbuild skips it: the headers
# package has no vmlinux): BPF programs, the collector's among them, find
# kvm's tracepoint structs there. Against Debian's kernel only; the lab's
# small L1 kernel has no BTF at all.
if [ -z "${EXITSCOPE_KDIR:-}" ]; then
	apt_ensure dwarves
	btf=$("$top/scripts/vmlinux-btf.sh")
	for m in kvm kvm-intel kvm-amd; do
		LLVM_OBJCOPY=objcopy pahole -J --btf_gen_floats -j --lang_exclude=rust \
			--btf_base "$btf" "$outdir/$m.ko" >/dev/null ||
			die "pahole could not add BTF to $m.ko"
	done
fi
printf '%s\n' "$KVER" >"$outdir/VERSION"
echo "$built" >"$outdir/.built"
log "modules for ${EXITSCOPE_KNAME:-$KABI} (linux-source $KVER) in ${outdir#$top/}/"
