#!/usr/bin/env bash
# The bash completion (deploy/bash-completion/exitscope), in a plain
# non-interactive bash without the bash-completion package, under set -u:
# each case sources it afresh, sets COMP_WORDS, COMP_CWORD, COMP_LINE and
# COMP_POINT as bash does for a line with the cursor at its end, calls the
# function it registered for the command, and checks COMPREPLY (and that
# nothing was said on stderr). The binaries are those of EXITSCOPE_BIN, put
# first in PATH. One "ok -", "not ok -" or "skip -" line per case.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib.sh"
bin=$(cd "${EXITSCOPE_BIN:-$top/build/bin}" && pwd)
comp=$top/deploy/bash-completion/exitscope
with_tmp

# bash's own default, which a non-interactive bash may not have.
breaks=$' \t\n"\'><=;|&(:'

# complete_ LINE: complete LINE as bash would with the cursor at its end:
# the replies, one a line, sorted, in $tmp/reply; stderr in $tmp/err; the
# status of the completion function returned.
complete_() {
	PATH="$bin:$PATH" EXITSCOPE_LAB=$top/lab/lab.sh timeout $TLIMIT 20 bash --norc --noprofile -c '
		set -u
		. "$1" || exit 90
		COMP_WORDBREAKS=$3
		COMP_LINE=$2
		COMP_POINT=${#2}
		read -ra COMP_WORDS <<<"$2"
		[[ $2 == *[[:space:]] ]] && COMP_WORDS+=("")
		COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
		# The function registered for the command, as bash would find it.
		spec=$(complete -p "${COMP_WORDS[0]##*/}" 2>/dev/null) || exit 91
		[[ $spec =~ -F\ ([^ ]+) ]] || exit 92
		COMPREPLY=()
		"${BASH_REMATCH[1]}" "${COMP_WORDS[0]}" "${COMP_WORDS[COMP_CWORD]}" \
			"${COMP_WORDS[COMP_CWORD-1]-}" || exit
		[[ ${#COMPREPLY[@]} -eq 0 ]] || printf "%s\n" "${COMPREPLY[@]}"
	' bash "$comp" "$1" "$breaks" </dev/null 2>"$tmp/err" | sort >"$tmp/reply"
	return "${PIPESTATUS[0]}"
}

# offers NAME LINE WANT...: completing LINE offers exactly WANT, each once
# (no WANT: nothing at all), returns 0, and says nothing on stderr.
offers() {
	local name=$1 line=$2 rc want got
	shift 2
	complete_ "$line"; rc=$?
	want=$(printf '%s\n' "$@" | sed '/^$/d' | sort -u | tr '\n' ' ')
	got=$(tr '\n' ' ' <"$tmp/reply")
	if [ $rc -eq 0 ] && [ "$got" = "$want" ] && [ ! -s "$tmp/err" ]; then
		echo "ok - $name"
	else
		echo "not ok - $name: '$line' wanted [${want% }], got [${got% }], status $rc$(
			[ -s "$tmp/err" ] && printf ', stderr: %s' "$(head -c 200 "$tmp/err")")"
	fi
}

if [ ! -x "$bin/exitscope" ] || [ ! -x "$bin/exitscope-vmm" ]; then
	echo "skip - bash completion (no exitscope and exitscope-vmm in $bin: make)"
	exit 0
fi

check "bash -n: the completion parses" bash -n "$comp"
check "... it registers one function for exitscope and exitscope-vmm" bash --norc --noprofile -c '
	. "$1" && complete -p exitscope | grep -q -- "-F " && complete -p exitscope-vmm | grep -q -- "-F "' _ "$comp"

# The commands: those of `exitscope --help`, and only those.
mapfile -t cmds < <("$bin/exitscope" --help | sed -n '/^commands:/,/^$/{s/^  \([a-z][a-z0-9-]*\) .*/\1/p}')
[ ${#cmds[@]} -gt 0 ] || echo "not ok - exitscope --help lists no command"
offers "exitscope <tab>: the commands of exitscope --help" "exitscope " "${cmds[@]}"
offers "exitscope to<tab>: top" "exitscope to" top
offers "exitscope -<tab>: --help, --version" "exitscope -" --help --version

# The options: those each command's --help lists (its option lines).
options_of() {
	"$@" --help </dev/null 2>/dev/null |
		sed -nE 's/^[[:space:]]+(-[[:alnum:]]( [^ ,]+)?, )?(--[[:alnum:]][[:alnum:]-]*).*/\3/p'
}
offers "exitscope top --so<tab>: --source" "exitscope top --so" --source
for cmd in "${cmds[@]}"; do
	[ "$cmd" = lab ] && continue	# lab/lab.sh's options: below
	mapfile -t opts < <(options_of "$bin/exitscope" "$cmd")
	offers "exitscope $cmd --<tab>: the options of its --help" "exitscope $cmd --" "${opts[@]}" --help
done
mapfile -t opts < <(EXITSCOPE_LAB=$top/lab/lab.sh options_of "$bin/exitscope" lab)
offers "exitscope lab --<tab>: lab/lab.sh's options" "exitscope lab --" "${opts[@]}" --help
mapfile -t opts < <(options_of "$bin/exitscope-vmm")
offers "exitscope-vmm --<tab>: the options of its --help" "exitscope-vmm --" "${opts[@]}"
offers "exitscope-vmm --fl<tab>: --flat (and --flat-mode)" "exitscope-vmm --fl" --flat --flat-mode
offers "a path to the binary: build/bin/exitscope exp<tab>: explain and exporter" "$bin/exitscope exp" explain exporter

# --source: the sources the help names, and only those.
offers "exitscope record --source m<tab>: module and module:" "exitscope record --source m" module module:
offers "... --source=m too" "exitscope record --source=m" module module:
mapfile -t srcs < <("$bin/exitscope" record --help | sed -n '/^  --source S/,/^  -/p' | sed '$d' |
	sed -E 's/--source S//; s/\([^)]*\)//g; s/([a-z]+):[A-Z]+/\1:/g' | tr ', ' '\n\n' | grep -E '^[a-z]+(:[a-z_]*)?$')
[ ${#srcs[@]} -ge 5 ] || echo "not ok - the sources of exitscope record --help: only [${srcs[*]}]"
offers "exitscope top --source <tab>: the sources its help names (${srcs[*]})" \
	"exitscope top --source " "${srcs[@]}"
mkdir -p "$tmp/d/sub" "$tmp/d/sub2" && : >"$tmp/d/subfile"
offers "--source module:DIR<tab>: directories, what follows the colon" \
	"exitscope top --source module:$tmp/d/s" "$tmp/d/sub" "$tmp/d/sub2"
offers "--source file:PATH<tab>: files and directories" \
	"exitscope exporter --source file:$tmp/d/s" "$tmp/d/sub" "$tmp/d/sub2" "$tmp/d/subfile"

# Values and paths, from the help's words.
offers "exitscope record --textfile-dir <tab>: directories only" \
	"exitscope record --textfile-dir $tmp/d/" "$tmp/d/sub" "$tmp/d/sub2"
offers "exitscope report -o <tab>: the short option too" "exitscope report -o $tmp/d/s" "$tmp/d/sub" "$tmp/d/sub2"
offers "exitscope report <tab>: its SOURCE, files" "exitscope report $tmp/d/sub" "$tmp/d/sub" "$tmp/d/sub2" "$tmp/d/subfile"
offers "exitscope stats --vendor <tab>: intel|amd of its usage" "exitscope stats --vendor " intel amd
offers "exitscope lab --cpu <tab>: intel|amd|both" "exitscope lab --cpu " intel amd both
offers "exitscope-vmm --flat-mode <tab>: real|long" "exitscope-vmm --flat-mode " real long
offers "exitscope-vmm --guest-stats <tab>" "exitscope-vmm --guest-stats " default off kernel user
offers "exitscope-vmm -k <tab>: files" "exitscope-vmm -k $tmp/d/subf" "$tmp/d/subfile"
offers "an option's argument that is no path: nothing (top --interval)" "exitscope top --interval "

# Nothing, and no error, where there is nothing to complete.
offers "an unknown command: nothing, and no error" "exitscope bogus --"
offers "... nor after an option" "exitscope bogus --source "
offers "exitscope top x<tab>: top takes no arguments" "exitscope top x"
offers "no exitscope at all: nothing, and no error" "$tmp/d/exitscope to"
