#!/usr/bin/env bash
# make deb: the Debian packages exitscope and exitscope-dkms, built with
# dpkg-buildpackage from a copy of the tree (it writes its .debs beside the
# source tree, so the copy's parent is build/deb/). Then lintian on both,
# with the tags that remain justified in debian/*.lintian-overrides.
# Output: build/deb/exitscope_VERSION_amd64.deb,
# build/deb/exitscope-dkms_VERSION_all.deb, build/deb/lintian.txt.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/lib.sh"
cd "$top"

apt_ensure dpkg-dev debhelper dh-dkms fakeroot scdoc patchutils lintian \
	libjansson-dev libbpf-dev libelf-dev zlib1g-dev clang llvm bpftool
ver=$(head -n1 debian/changelog | cut -d' ' -f2 | tr -d '()')
[ -n "$ver" ] || die "debian/changelog: no version on its first line"
out=$top/build/deb
src=$out/exitscope-$ver
rm -rf "$out"
mkdir -p "$src"

# The tree as it is now, without what is built or generated: git's files
# (tracked, and new ones not ignored) where this is a clone, else all but
# build/ and results/.
if git -C "$top" rev-parse --git-dir >/dev/null 2>&1; then
	git -C "$top" ls-files -co --exclude-standard -z |
		tar -C "$top" --null -T - -cf - | tar -C "$src" -xf -
else
	tar -C "$top" --exclude=./build --exclude=./results -cf - . | tar -C "$src" -xf -
fi

log "building the packages of exitscope $ver (log: ${out#$top/}/build.log)"
if ! (cd "$src" && dpkg-buildpackage -b -us -uc) >"$out/build.log" 2>&1; then
	tail -n 20 "$out/build.log" >&2
	die "dpkg-buildpackage failed (${out#$top/}/build.log)"
fi
debs=("$out/exitscope_${ver}_amd64.deb" "$out/exitscope-dkms_${ver}_all.deb")
for d in "${debs[@]}"; do
	[ -f "$d" ] || die "dpkg-buildpackage made no ${d##*/}"
done

# Lintian: no error and no warning, except the overrides (each with why).
lintian --fail-on error,warning --info "${debs[@]}" >"$out/lintian.txt" 2>&1 || {
	cat "$out/lintian.txt" >&2
	die "lintian: the packages have errors or warnings (${out#$top/}/lintian.txt)"
}
log "lintian: no error, no warning ($(grep -c '^[IPX]: ' "$out/lintian.txt" || true) notes in ${out#$top/}/lintian.txt)"
for d in "${debs[@]}"; do echo "${d#$top/}"; done
