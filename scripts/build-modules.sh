#!/usr/bin/env bash
# Build kvm.ko, kvm-intel.ko and kvm-amd.ko with the exitscope change, out of
# tree, against Debian's headers of the same linux-source version, so that
# vermagic and symbol CRCs match Debian's stock kernel. KSERIES (6.1, 6.12)
# picks the series (scripts/kernel-source.sh). Output: build/modules/KSERIES/.
# With EXITSCOPE_KDIR=DIR (a kernel build tree of the same source, e.g. the
# Intel lab's L1), build against that instead, into
# build/modules/KSERIES-NAME/ where NAME is EXITSCOPE_KNAME.
# With EXITSCOPE_STOCK_REBUILT=1: the same source without the change, built
# the same way with the same toolchain, into build/modules/KSERIES-stock-rebuilt/
# (the benchmark's stock-rebuilt: what the build alone makes of stock).
# Usage: build-modules.sh [W=1]
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/lib.sh"
eval "$("$top/scripts/kernel-source.sh")"

patches=("$KPATCHES"/0*.patch)
[ -f "${patches[0]}" ] || die "no hook patches for linux $KSERIES in ${KPATCHES#$top/}/"
tree=$top/build/kvm-$KVER
outdir=$KMODS
if [ -n "${EXITSCOPE_STOCK_REBUILT:-}" ]; then
	patches=()
	tree=$top/build/kvm-$KVER-stock
	outdir=$KMODS-stock-rebuilt
elif [ -n "${EXITSCOPE_KDIR:-}" ]; then
	KHDR=$EXITSCOPE_KDIR
	[ -f "$KHDR/Module.symvers" ] || die "$KHDR: not a built kernel tree (no Module.symvers)"
	tree=$top/build/kvm-$KVER-${EXITSCOPE_KNAME:?EXITSCOPE_KNAME with EXITSCOPE_KDIR}
	outdir=$KMODS-$EXITSCOPE_KNAME
fi
kvm=$tree/arch/x86/kvm
# One build of a tree at a time (make check's lanes may need the same
# modules at once): a second caller waits, then finds them up to date.
lock_wait "$tree.lock"
stamp=$(cat ${patches[@]+"${patches[@]}"} "$0" "$top/kernel/kvm-tree.sh" | sha256sum | cut -c1-16)

# Recreate the tree only when the patch (or this recipe) changed, so that an
# unchanged tree keeps its timestamps and kbuild rebuilds nothing.
if [ "$(cat "$tree/.stamp" 2>/dev/null)" != "$stamp" ]; then
	log "preparing $tree"
	rm -rf "$tree"
	"$top/kernel/kvm-tree.sh" create "$KSRC" "$tree" ${patches[@]+"${patches[@]}"} ||
		die "cannot prepare $tree from linux-source $KVER"
	echo "$stamp" >"$tree/.stamp"
fi
# The files the change adds, refreshed without touching unchanged ones.
[ -n "${EXITSCOPE_STOCK_REBUILT:-}" ] || "$top/kernel/kvm-tree.sh" add "$top/kernel" "$tree"

# Nothing that goes into the modules changed since the last build: skip
# kbuild's own check (0.7 s, paid on every lab run).
built=$(cat ${patches[@]+"${patches[@]}"} "$0" "$top/kernel/kvm-tree.sh" "$top"/kernel/kvm/exit_stats.[ch] "$top"/kernel/uapi/asm/*.h \
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
