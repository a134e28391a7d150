#!/usr/bin/env bash
# Unpack what L1 sent on its second serial port: for each file a line
# "EXITSCOPE-FILE NAME BYTES SHA256", the bytes, "EXITSCOPE-END NAME"; then
# "EXITSCOPE-ALL-SENT". Every file is checked against its size and digest,
# by `exitscope unframe` (tools/lib/frame/frame.c), which reads the stream in
# sequence and writes nothing unless all of it arrived whole.
# Usage: unframe.sh RAW OUTDIR
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
[ $# -eq 2 ] || { echo "usage: unframe.sh RAW OUTDIR" >&2; exit 2; }
exec "$top/build/bin/exitscope" unframe "$1" "$2"
