#!/usr/bin/env bash
# Build (once per source version and config) one of the lab's own kernels
# from linux-source-KSERIES (6.1 or 6.12): tinyconfig + lab/NAME-kernel.config
# + lab/NAME-kernel-KSERIES.config if there is one (options the series names
# differently).
#   l2  the L2 guest kernel (bzImage only)
#   l1  the labs' L1 kernel (Bochs and QEMU) (bzImage, modules, and the
#       build tree kept for building exitscope's KVM modules against it)
# Prints the output directory (bzImage and System.map inside; obj/ too for l1).
# Usage: build-kernel.sh l1|l2
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/lib.sh"
name=${1:?usage: build-kernel.sh l1|l2}
frag=$top/lab/$name-kernel.config
[ -f "$frag" ] || die "no kernel config $frag"
# L2 is the workload, not what is measured: the same guest kernel under
# either series of L1 (6.1's, where Debian has it), so that their figures
# compare and a second series costs no second guest build.
if [ "$name" = l2 ] && [ -z "${EXITSCOPE_L2_SERIES:-}" ] &&
   apt-cache show linux-source-6.1 >/dev/null 2>&1; then
	export KSERIES=6.1
elif [ "$name" = l2 ] && [ -n "${EXITSCOPE_L2_SERIES:-}" ]; then
	export KSERIES=$EXITSCOPE_L2_SERIES
fi
eval "$("$top/scripts/kernel-source.sh")"
frags=("$frag")
[ -f "$top/lab/$name-kernel-$KSERIES.config" ] && frags+=("$top/lab/$name-kernel-$KSERIES.config")
# Keyed by the config lines only: a comment edit must not cost a rebuild.
hash=$(cat "${frags[@]}" | grep '^CONFIG_' | sha256sum | cut -c1-12)
out=$EXITSCOPE_CACHE/$name-kernel-$KVER-$hash
# One build of a kernel at a time: a second caller waits, then finds it.
[ -f "$out/bzImage" ] || lock_wait "$out.lock"
if [ ! -f "$out/bzImage" ]; then
	apt_ensure make gcc flex bison bc libelf-dev lz4
	tree=$("$top/scripts/kernel-tree.sh")
	obj=$out/obj
	rm -rf "$out" && mkdir -p "$obj"
	log "building the $name kernel ($KVER, config $hash) in $obj"
	make -s -C "$tree" O="$obj" tinyconfig >/dev/null
	"$tree/scripts/kconfig/merge_config.sh" -m -O "$obj" "$obj/.config" "${frags[@]}" >/dev/null
	make -s -C "$tree" O="$obj" olddefconfig >/dev/null
	# Every line of the fragment must have survived olddefconfig.
	while IFS= read -r line; do
		case "$line" in CONFIG_*) grep -qx "$line" "$obj/.config" ||
			die "$name config lost '$line' (a dependency is missing)";; esac
	done < <(cat "${frags[@]}")
	targets=bzImage
	grep -q '^CONFIG_MODULES=y' "$obj/.config" && targets="bzImage modules"
	make -s -C "$tree" O="$obj" -j"$(nproc)" $targets >"$obj/build.log" 2>&1 ||
		{ tail -20 "$obj/build.log" >&2; die "$name kernel build failed (log: $obj/build.log)"; }
	cp "$obj/arch/x86/boot/bzImage" "$out/bzImage.tmp"
	# The symbols stay, to name where a hung guest stopped.
	cp "$obj/System.map" "$out/System.map"
	[ "$targets" = bzImage ] && rm -rf "$obj"
	mv "$out/bzImage.tmp" "$out/bzImage"
fi
echo "$out"
