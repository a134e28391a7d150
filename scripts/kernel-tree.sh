#!/usr/bin/env bash
# The whole linux-source tree of KVER, unpacked once into the cache (for the
# lab's own kernel builds). Prints its path.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/lib.sh"
eval "$("$top/scripts/kernel-source.sh")"
tree=$EXITSCOPE_CACHE/linux-tree-$KVER
[ -f "$tree/.complete" ] || lock_wait "$tree.lock"
if [ ! -f "$tree/.complete" ]; then
	log "unpacking linux-source $KVER into $tree (once, ~1.3 GB)"
	rm -rf "$tree.tmp" && mkdir -p "$tree.tmp"
	tar -xJf "/usr/src/linux-source-$KSERIES.tar.xz" -C "$tree.tmp" --strip-components=1 ||
		die "cannot unpack linux-source (disk full? $(df -h "$EXITSCOPE_CACHE" | tail -1))"
	v=$(sed -n 's/^VERSION = //p; s/^PATCHLEVEL = //p' "$tree.tmp/Makefile" | paste -sd.)
	[ "$v" = "$KSERIES" ] || die "linux-source-$KSERIES.tar.xz holds linux $v"
	touch "$tree.tmp/.complete"
	rm -rf "$tree" && mv "$tree.tmp" "$tree"
fi
echo "$tree"
