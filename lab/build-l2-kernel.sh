#!/usr/bin/env bash
# Build (once per source version and config) the small L2 guest kernel from
# linux-source-6.1: tinyconfig + lab/l2-kernel.config. Prints the bzImage path.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/lib.sh"
eval "$("$top/scripts/kernel-source.sh")"
frag=$top/lab/l2-kernel.config
hash=$(cat "$frag" | sha256sum | cut -c1-12)
out=$EXITSCOPE_CACHE/l2-kernel-$KVER-$hash
if [ ! -f "$out/bzImage" ]; then
	apt_ensure make gcc flex bison bc libelf-dev lz4
	tree=$("$top/scripts/kernel-tree.sh")
	obj=$out.build
	mkdir -p "$obj"
	log "building the L2 kernel ($KVER, config $hash) in $obj"
	make -s -C "$tree" O="$obj" tinyconfig >/dev/null
	"$tree/scripts/kconfig/merge_config.sh" -m -O "$obj" "$obj/.config" "$frag" >/dev/null
	make -s -C "$tree" O="$obj" olddefconfig >/dev/null
	# Every line of the fragment must have survived olddefconfig.
	while IFS= read -r line; do
		case "$line" in CONFIG_*) grep -qx "$line" "$obj/.config" ||
			die "L2 config lost '$line' (a dependency is missing)";; esac
	done <"$frag"
	make -s -C "$tree" O="$obj" -j"$(nproc)" bzImage >"$obj/build.log" 2>&1 ||
		{ tail -20 "$obj/build.log" >&2; die "L2 kernel build failed (log: $obj/build.log)"; }
	mkdir -p "$out" && cp "$obj/arch/x86/boot/bzImage" "$out/bzImage.tmp" &&
		mv "$out/bzImage.tmp" "$out/bzImage"
	rm -rf "$obj"
fi
echo "$out/bzImage"
