#!/usr/bin/env bash
# Unpack what L1 sent on its second serial port: for each file a line
# "EXITSCOPE-FILE NAME BYTES SHA256", the bytes, "EXITSCOPE-END NAME"; then
# "EXITSCOPE-ALL-SENT". Every file is checked against its size and digest.
# Usage: unframe.sh RAW OUTDIR
set -euo pipefail
raw=${1:?RAW}; out=${2:?OUTDIR}
[ -s "$raw" ] || { echo "unframe: $raw is empty: L1 sent nothing" >&2; exit 1; }
grep -aq '^EXITSCOPE-ALL-SENT' "$raw" || { echo "unframe: $raw ends early (no EXITSCOPE-ALL-SENT)" >&2; exit 1; }
n=0
while IFS=' ' read -r off name size sum; do
	case $name in */*|.*|'') echo "unframe: bad file name '$name'" >&2; exit 1 ;; esac
	# The data starts after the header line, at byte offset $off.
	dd if="$raw" of="$out/$name" iflag=skip_bytes,count_bytes skip="$off" \
		count="$size" bs=64k status=none
	got=$(sha256sum <"$out/$name" | cut -d' ' -f1)
	if [ "$got" != "$sum" ] || [ "$(wc -c <"$out/$name")" -ne "$size" ]; then
		echo "unframe: $name: checksum or size mismatch (corrupt transfer)" >&2
		exit 1
	fi
	n=$((n + 1))
done < <(grep -abo '^EXITSCOPE-FILE [^ ]* [0-9]* [0-9a-f]*' "$raw" |
	 awk -F'[: ]' '{ print $1 + length($0) - length($1 ":") + 1, $3, $4, $5 }')
[ "$n" -gt 0 ] || { echo "unframe: no files in $raw" >&2; exit 1; }
echo "unframe: $n files" >&2
