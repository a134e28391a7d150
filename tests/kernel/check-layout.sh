#!/usr/bin/env bash
# The patch hides its two new members from genksyms (so kvm.ko's export CRCs
# stay Debian's, see check-modules.sh). That is only safe if no member a
# stock module can use has moved: every member of struct kvm and struct
# kvm_vcpu, nested ones expanded, must keep its offset and size; ours may
# only add members at the end. Stock layout from Debian's kvm.ko (BTF, with
# the kernel's BTF from its vmlinuz as base), ours from our kvm.ko (DWARF).
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/scripts/lib.sh"
eval "$("$top/scripts/kernel-source.sh")"
apt_ensure dwarves
ours=$KMODS/kvm.ko
stock=$KSTOCK/kvm.ko
[ -f "$ours" ] || { echo "  $ours missing (make modules)"; exit 1; }

btf=$("$top/scripts/vmlinux-btf.sh")

# members FILE: "depth name offset size" per member, nested ones expanded;
# BTF and DWARF print arrays and attributes differently, offsets alike.
members() {
	awk '
	{
		line = $0
		d = 0; while (substr(line, d + 1, 1) == "\t") d++
		# "/* typedef u8 -> __u8 */ unsigned char x;": keep the member
		sub(/\/\* typedef [^*]*\*\/ /, "", line)
	}
	line ~ /^[[:space:]]*\/\*/ { next }	# cachelines, holes, sums
	match(line, /\/\*[[:space:]]+[0-9]+(:[0-9]+)?[[:space:]]+[0-9]+[[:space:]]+\*\//) {
		c = substr(line, RSTART + 2, RLENGTH - 4)
		split(c, f, " ")
		decl = substr(line, 1, RSTART - 1)
		gsub(/__attribute__\(\(__aligned__\([0-9]+\)\)\)/, "", decl)
		if (match(decl, /\(\*+[A-Za-z_0-9]+\)/)) {	# function pointer
			f0 = substr(decl, RSTART, RLENGTH); gsub(/[(*)]/, "", f0)
			print d, f0, f[1], f[2]
			next
		}
		sub(/;[[:space:]]*$/, "", decl); sub(/[[:space:]]+$/, "", decl)
		sub(/(\[[0-9]+\])+$/, "", decl)
		sub(/:[0-9]+$/, "", decl); sub(/[[:space:]]+$/, "", decl)
		n = split(decl, w, /[[:space:]*}]+/)
		print d, w[n], f[1], f[2]
	}' "$1"
}

fail=0
for t in kvm kvm_vcpu; do
	pahole -E --btf_base "$btf" -C "$t" "$stock" >"$top/build/layout-stock-$t.txt"
	pahole -F dwarf -E -C "$t" "$ours" >"$top/build/layout-ours-$t.txt"
	members "$top/build/layout-stock-$t.txt" >"$top/build/layout-stock-$t.members"
	members "$top/build/layout-ours-$t.txt" >"$top/build/layout-ours-$t.members"
	n=$(wc -l <"$top/build/layout-stock-$t.members")
	[ "$n" -gt 100 ] || { echo "  struct $t: only $n members read from stock BTF"; fail=1; continue; }
	# Stock's members, in order, must open ours; what follows is new.
	if ! cmp -s "$top/build/layout-stock-$t.members" <(head -n "$n" "$top/build/layout-ours-$t.members"); then
		echo "  struct $t: a member moved or changed (stock < > ours):"
		{ diff "$top/build/layout-stock-$t.members" \
			<(head -n "$n" "$top/build/layout-ours-$t.members") || true; } |
			head -n 6 | sed 's/^/    /' || true
		fail=1
		continue
	fi
	added=$(tail -n +"$((n + 1))" "$top/build/layout-ours-$t.members")
	if grep -qv '^1 ' <<<"$added"; then
		echo "  struct $t: members added below the top level: $added"
		fail=1
		continue
	fi
	echo "  struct $t: all $n stock members in place; added at the end: $(awk '{ printf "%s%s", s, $2; s = ", " }' <<<"$added")"
done
exit $fail
