#!/usr/bin/env bash
# ko-symvers.sh MODULE.ko NAME: the Module.symvers lines of a built module,
# read from the module itself: each export's CRC is the 4 bytes its
# __crc_SYMBOL symbol marks in __kcrctab or __kcrctab_gpl. For modules whose
# build tree is gone (dkms keeps only the .ko); NAME is the module's path
# as Module.symvers gives it (arch/x86/kvm/kvm).
set -euo pipefail
ko=$1 name=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
declare -A secname
while read -r idx sec; do
	secname[$idx]=$sec
	objcopy -O binary --only-section="$sec" "$ko" "$tmp/$sec.bin"
done < <(readelf -SW "$ko" | sed -n 's/^ *\[ *\([0-9]*\)\] \(__kcrctab[_a-z]*\) .*/\1 \2/p')
[ ${#secname[@]} -gt 0 ] || { echo "ko-symvers.sh: $ko has no __kcrctab (no exports, or no MODVERSIONS)" >&2; exit 1; }
readelf -sW "$ko" | awk '$8 ~ /^__crc_/ { print $7, $2, substr($8, 7) }' |
while read -r ndx off sym; do
	sec=${secname[$ndx]:-}
	[ -n "$sec" ] || { echo "ko-symvers.sh: __crc_$sym is in section $ndx, not a __kcrctab" >&2; exit 1; }
	crc=$(od -An -tx4 -j $((16#$off)) -N4 "$tmp/$sec.bin" | tr -d ' ')
	kind=EXPORT_SYMBOL; [ "$sec" = __kcrctab_gpl ] && kind=EXPORT_SYMBOL_GPL
	printf '0x%s\t%s\t%s\t%s\t\n' "$crc" "$sym" "$name" "$kind"
done
