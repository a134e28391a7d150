#!/usr/bin/env bash
# The man pages (docs/man/*.scd): each renders with scdoc, and groff -ww has
# nothing to warn about in it; every command that `exitscope --help` lists
# is documented (a page of its own, or a section of exitscope(1)); and every
# --long-option that a command's --help prints is on that command's page
# (exitscope-CMD.1, else exitscope.1; exitscope-vmm.1 for exitscope-vmm),
# each option the help lists as one described as one there, with its short
# form: so that the help and the pages cannot drift apart. One "ok -",
# "not ok -" or "skip -" line per case.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib.sh"
bin=$(cd "${EXITSCOPE_BIN:-$top/build/bin}" && pwd)
es=$bin/exitscope
vmm=$bin/exitscope-vmm
mandir=$top/docs/man
if ! command -v scdoc >/dev/null; then
	echo "skip - man pages (apt install scdoc)"
	exit 0
fi
with_tmp

# ---- rendering ----
pages=()
for scd in "$mandir"/*.scd; do
	[ -e "$scd" ] || continue
	page=$(basename "$scd" .scd)
	pages+=("$page")
	if scdoc <"$scd" >"$tmp/$page" 2>"$tmp/scdoc.err"; then
		echo "ok - $page: scdoc renders it"
	else
		echo "not ok - $page: scdoc fails: $(head -c 300 "$tmp/scdoc.err")"
		continue
	fi
	# The title line names the page as its file does: NAME(SECTION).
	want="${page%.*}(${page##*.})"
	check "... its title is $want" bash -c '[ "$(head -n1 "$1" | cut -d" " -f1)" = "$2" ]' _ "$scd" "$want"
	if command -v groff >/dev/null; then
		LC_ALL=C.UTF-8 groff -man -Tutf8 -ww -z "$tmp/$page" >"$tmp/groff.out" 2>&1
		if [ $? -eq 0 ] && [ ! -s "$tmp/groff.out" ]; then
			echo "ok - ... groff -ww has no warning"
		else
			echo "not ok - ... groff -ww: $(head -n 3 "$tmp/groff.out")"
		fi
	else
		echo "skip - ... groff -ww (apt install groff-base)"
	fi
done
[ ${#pages[@]} -gt 0 ] || echo "not ok - no man pages in $mandir"

# Every exitscope-NAME(1) a page refers to is a page here.
missing=$(grep -ohE 'exitscope(-[a-z-]+)?\*?\(1\)' "$mandir"/*.scd | tr -d '*' | sort -u |
	while read -r ref; do
		[ -e "$mandir/${ref%(1)}.1.scd" ] || printf '%s ' "$ref"
	done)
result "$([ -z "$missing" ]; echo $?)" "every exitscope page the pages refer to exists" \
	"pages referred to but missing: $missing"

# ---- the help against the pages ----
# help PROGRAM ARGS...: the help text into $tmp/help (the lab's help is its
# script's: the source tree's, whichever binaries are tested).
help() {
	EXITSCOPE_LAB=$top/lab/lab.sh timeout $TLIMIT 20 "$@" --help </dev/null >"$tmp/help" 2>"$tmp/help.err"
}

# options_of: "LONG SHORT" (SHORT "-" if none) of each option line of
# $tmp/help: an indented line beginning with the option, as --help lists them.
options_of() {
	sed -nE 's/^[[:space:]]+(-([[:alnum:]])( [^ ,]+)?, )?--([[:alnum:]][[:alnum:]-]*).*/\4 \2/p' "$tmp/help" |
		awk '{ print $1, ($2 == "" ? "-" : $2) }'
}

# against NAME PAGE: the help in $tmp/help against docs/man/PAGE.scd.
against() {
	local name=$1 page=$2 scd=$mandir/$2.scd words=() absent=() undescribed=() w long short
	if [ ! -s "$tmp/help" ]; then
		echo "not ok - $name --help: printed nothing ($(head -c 200 "$tmp/help.err"))"
		return
	fi
	if [ ! -e "$scd" ]; then
		echo "not ok - $name: no page $page.scd"
		return
	fi
	# Every --word the help prints, in prose too, is on the page.
	mapfile -t words < <(grep -oE -- '(^|[^[:alnum:]-])--[[:alnum:]][[:alnum:]-]*' "$tmp/help" |
		sed -E 's/^[^-]*//; s/-+$//' | sort -u)
	for w in "${words[@]}"; do
		grep -qE -- "${w}([^[:alnum:]-]|$)" "$scd" || absent+=("$w")
	done
	result "$([ ${#absent[@]} -eq 0 ]; echo $?)" \
		"$name: the ${#words[@]} --options its help prints are on $page" \
		"$name: on its help, not on $page: ${absent[*]}"
	# Every option it lists is an item of the page's (OPTIONS) lists:
	# a line "*--long*..." or "*-s* ..., *--long*...".
	while read -r long short; do
		[ -n "$long" ] || continue
		if [ "$short" = - ]; then
			grep -qE -- "^\*--$long\*" "$scd"
		else
			grep -qE -- "^\*-$short\*[^,]*, \*--$long\*" "$scd"
		fi || undescribed+=("$([ "$short" = - ] || echo "-$short/")--$long")
	done < <(options_of)
	result "$([ ${#undescribed[@]} -eq 0 ]; echo $?)" \
		"... each option its help lists is described on $page, with its short form" \
		"$name: options its help lists, not described as one on $page: ${undescribed[*]}"
}

if ! help "$es"; then
	echo "not ok - exitscope --help: status $? ($(head -c 200 "$tmp/help.err"))"
	exit 0
fi
against "exitscope" exitscope.1
commands=$(help "$es" && sed -n '/^commands:/,/^$/{s/^  \([a-z][a-z0-9-]*\) .*/\1/p}' "$tmp/help")
[ -n "$commands" ] || echo "not ok - exitscope --help lists no command"
for cmd in $commands; do
	if [ -e "$mandir/exitscope-$cmd.1.scd" ]; then
		page=exitscope-$cmd.1
		check "exitscope $cmd: a page of its own, listed in exitscope.1" \
			grep -qx "\*$cmd\*" "$mandir/exitscope.1.scd"
	else
		page=exitscope.1
		check "exitscope $cmd: a section of exitscope.1" grep -qx "## $cmd" "$mandir/exitscope.1.scd"
	fi
	help "$es" "$cmd"
	against "exitscope $cmd" "$page"
done
help "$vmm"
against exitscope-vmm exitscope-vmm.1
