#!/usr/bin/env bash
# Every patch of the kernel series KSERIES builds on its own: kvm.ko,
# kvm-intel.ko and kvm-amd.ko are built at each prefix of the series,
# against Debian's headers of the same source. The patches before the
# distribution-only ones change asm/kvm_host.h (the new members are in
# struct kvm_vcpu_arch and struct kvm_arch there), so the series' own copy
# of it comes first on the include path. Each prefix rebuilds only what its
# patch changed (files are copied only when they change).
# One "ok -"/"not ok -" line per patch.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/scripts/lib.sh"
eval "$("$top/scripts/kernel-source.sh")" || exit 1
work=$top/build/series-$KSERIES
src=$work/src obj=$work/obj
rm -rf "$src"
"$top/scripts/kernel-series.sh" tree "$src" 2>/dev/null ||
	{ echo "not ok - series $KSERIES: does not apply to linux-source $KVER"; exit 0; }
g() { git -C "$src" "$@"; }
base=$(g rev-list --max-parents=0 HEAD)
commits=$(g rev-list --reverse "$base..HEAD")
# The build tree: the parts kbuild needs, laid out as build-modules.sh does.
rm -rf "$obj"
mkdir -p "$obj"
sync_files() {	# sync_files FILE...: copy those that the commit changed
	local f
	for f in "$@"; do
		# Only the headers the series may change shadow the headers
		# tree's (a copy of uapi/asm/vmx.h would hide asm/vmx.h).
		case $f in
		arch/x86/kvm/*|virt/kvm/*|include/linux/kvm_host.h) ;;
		arch/x86/include/asm/kvm_host.h|arch/x86/include/uapi/asm/kvm_exit_stats.h) ;;
		*) continue ;;
		esac
		if [ -e "$src/$f" ]; then
			mkdir -p "$(dirname "$obj/$f")" && cp "$src/$f" "$obj/$f"
		else
			rm -f "$obj/$f"
		fi
	done
}
g checkout -q "$base"
sync_files $(g ls-files arch/x86/kvm virt/kvm include/linux/kvm_host.h arch/x86/include)
kvm=$obj/arch/x86/kvm
makefile_fixup() {
	sed -i -e 's|\$(srctree)/arch/x86/kvm|$(src)|' \
	    -e 's|include \$(srctree)/virt/kvm/Makefile.kvm|include $(src)/../../../virt/kvm/Makefile.kvm|' \
	    "$kvm/Makefile"
	cat >>"$kvm/Makefile" <<'MK'
NOSTDINC_FLAGS += -I$(src)/../../../include -I$(src)/../include -I$(src)/../include/uapi
ccflags-y += -I$(src)/../../../trace-include/x
MK
}
makefile_fixup
mkdir -p "$obj/trace-include/x"
prev=$base i=0
for c in $commits; do
	i=$((i + 1))
	subject=$(g log -1 --format=%s "$c")
	changed=$(g diff --name-only "$prev" "$c")
	g checkout -q "$c"
	sync_files $changed
	grep -qx 'arch/x86/kvm/Makefile' <<<"$changed" && makefile_fixup
	t0=$SECONDS
	if make -s -C "$KHDR" M="$kvm" -j"$(nproc)" modules >"$work/build-$i.log" 2>&1 &&
	   [ -f "$kvm/kvm.ko" ] && [ -f "$kvm/kvm-intel.ko" ] && [ -f "$kvm/kvm-amd.ko" ] &&
	   ! grep -q 'warning:' "$work/build-$i.log"; then
		echo "ok - series $KSERIES: patch $i builds on its own, no warning ($((SECONDS - t0)) s): $subject"
	else
		echo "not ok - series $KSERIES: patch $i does not build on its own: $subject (log: $work/build-$i.log)"
		grep -m5 -E 'error|warning' "$work/build-$i.log" | sed 's/^/    /'
	fi
	prev=$c
done
[ "$i" -gt 0 ] || echo "not ok - series $KSERIES: no patches"
