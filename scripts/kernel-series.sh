#!/usr/bin/env bash
# The kernel change of KSERIES (6.1 or 6.12) as a git tree to work in, and
# back (docs/kernel.md, "Changing the kernel patches"):
#   kernel-series.sh tree DIR    the KVM parts of linux-source-KSERIES in a
#                                new git repository DIR, one commit for the
#                                source, then one per patch of
#                                kernel/patches/KSERIES/
#   kernel-series.sh export DIR  the commits on top of DIR's first one,
#                                back into kernel/patches/KSERIES/
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/lib.sh"
usage() { echo "usage: kernel-series.sh tree|export DIR" >&2; exit 2; }
[ $# -eq 2 ] || usage
cmd=$1 dir=$2
eval "$("$top/scripts/kernel-source.sh")"
git() { command git -C "$dir" -c user.name="exitscope developers" \
	-c user.email=exitscope@example.org "$@"; }
case $cmd in
tree)
	[ ! -e "$dir" ] || [ -z "$(ls -A "$dir")" ] || die "$dir exists and is not empty"
	mkdir -p "$dir"
	# KSRC holds exactly the parts of the source the patches touch.
	cp -a "$KSRC"/. "$dir"/
	rm -f "$dir/.complete"
	git init -q && git add -A && git commit -q -m "linux-source $KVER (the KVM parts)"
	git am -q --keep-cr "$KPATCHES"/0*.patch ||
		{ git am --abort 2>/dev/null || true; die "${KPATCHES#$top/}/ does not apply to linux-source $KVER"; }
	log "$dir: linux-source $KVER and $(ls "$KPATCHES"/0*.patch | wc -l) patches of ${KPATCHES#$top/}/"
	;;
export)
	base=$(git rev-list --max-parents=0 HEAD) || die "$dir is no git tree of kernel-series.sh"
	n=$(git rev-list --count "$base..HEAD")
	[ "$n" -gt 0 ] || die "$dir has no commits on top of the source"
	rm -f "$KPATCHES"/0*.patch
	git format-patch -q --no-signature --zero-commit -o "$KPATCHES" "$base"
	log "$n patches into ${KPATCHES#$top/}/"
	;;
*) usage ;;
esac
