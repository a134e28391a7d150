#!/usr/bin/env bash
# tools/lib/model/names_gen.h, the MSR and hypercall names every output
# uses, is what scripts/gen-names.py makes of the kernel headers of both
# series (the linux-source parts scripts/kernel-source.sh unpacks): a new
# Debian kernel with a new MSR name shows here, as a diff to commit.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
trees=()
for s in 6.1 6.12; do
	eval "$(KSERIES=$s "$top/scripts/kernel-source.sh")"
	trees+=("$KSRC")
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if ! python3 "$top/scripts/gen-names.py" "${trees[@]}" >"$tmp/names_gen.h" 2>"$tmp/err"; then
	echo "not ok - names: scripts/gen-names.py failed: $(cat "$tmp/err")"
	exit 1
fi
if diff -u "$top/tools/lib/model/names_gen.h" "$tmp/names_gen.h" >"$tmp/diff"; then
	echo "ok - names: tools/lib/model/names_gen.h is gen-names.py's output for Linux ${trees[*]##*/linux-source-}"
else
	echo "not ok - names: tools/lib/model/names_gen.h differs from gen-names.py's output (scripts/gen-names.py ${trees[*]} > tools/lib/model/names_gen.h):"
	head -n 40 "$tmp/diff" | sed 's/^/#   /'
	exit 1
fi
# The generator must notice what it reads: a tree without the headers fails.
mkdir -p "$tmp/empty"
if python3 "$top/scripts/gen-names.py" "$tmp/empty" >/dev/null 2>&1; then
	echo "not ok - names: gen-names.py accepted a tree without the headers"
	exit 1
fi
echo "ok - names: gen-names.py refuses a tree without the headers"
