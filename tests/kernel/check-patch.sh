#!/usr/bin/env bash
# The kernel change of the series KSERIES applies to the current
# linux-source-KSERIES and each patch is `checkpatch.pl --strict` clean.
# FILE_PATH_CHANGES is ignored: it asks whether MAINTAINERS needs updating,
# and arch/x86/kvm/ is covered already.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
eval "$("$top/scripts/kernel-source.sh")"
patches=$("$top/scripts/mkpatch.sh" "$top/build/patch/$KSERIES")
for patch in $patches; do
	perl "$KSRC/scripts/checkpatch.pl" --strict --no-tree --ignore FILE_PATH_CHANGES \
		--quiet --show-types "$patch"
	echo "  $KSERIES/$(basename "$patch"): applies to linux-source $KVER, checkpatch --strict clean"
done
