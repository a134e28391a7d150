#!/usr/bin/env bash
# How the tests and the VMM find out whether this machine has a usable KVM,
# on every kind of machine, including the one without /dev/kvm: nothing may
# be created, and the cases that need KVM are skipped with the reason.
# Once, a shell probe (`exec 3<>/dev/kvm`) created a regular file there; the
# VMM cases then failed against it, and every later run believed in a KVM.
# EXITSCOPE_KVM_DEV stands in for /dev/kvm; where this runs as root, a mount
# namespace whose /dev has no kvm node tests the real path as well.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib.sh"
bin=$(cd "${EXITSCOPE_BIN:-$top/build/bin}" && pwd)
vmm=$bin/exitscope-vmm
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
SETUP=65

# probe_run NAME DEV WANT: check-vmm.sh with KVM's device at DEV skips every
# KVM case with a reason containing WANT, fails none, and leaves DEV as it
# found it (absent stays absent, a file keeps its content).
probe_run() {
	local name=$1 dev=$2 want=$3 before after skips
	before=$(stat -c '%F %s' "$dev" 2>/dev/null || echo absent)
	EXITSCOPE_KVM_DEV=$dev EXITSCOPE_BIN=$bin "$top/tests/vmm/check-vmm.sh" >"$tmp/run" 2>&1
	after=$(stat -c '%F %s' "$dev" 2>/dev/null || echo absent)
	skips=$(grep -c "^skip - vmm on KVM: .*no usable KVM here: .*$want" "$tmp/run")
	if [ "$before" != "$after" ]; then
		echo "not ok - $name: $dev was '$before', is '$after' after the run"
	elif grep -q '^not ok - \|^ok - vmm on KVM' "$tmp/run" || [ "$skips" -lt 10 ]; then
		echo "not ok - $name: wanted only skips naming '$want' for the KVM cases, got $skips:"
		grep -v '^ok - \(vmm\|cli\):' "$tmp/run" | head -5 | sed 's/^/    /'
	else
		echo "ok - $name ($skips cases skipped, $dev still $after)"
	fi
}

probe_run "probe: no device: the KVM cases skip, nothing is created" "$tmp/absent" "No such file"
: >"$tmp/file"
probe_run "probe: a regular file is no KVM" "$tmp/file" "not a character device but a regular file"
probe_run "probe: a character device that is not KVM" /dev/null "not KVM: KVM_GET_API_VERSION"
mkdir "$tmp/dir"
probe_run "probe: a directory is no KVM" "$tmp/dir" "not a character device but a directory"

# The VMM itself names what it found, with its setup status.
case_ "vmm: --probe without a device" $SETUP "$tmp/absent: No such file or directory" -- \
	env EXITSCOPE_KVM_DEV="$tmp/absent" "$vmm" --probe
case_ "vmm: a guest on a regular file as KVM is refused, naming it" $SETUP \
	"$tmp/file: not a character device but a regular file" -- \
	env EXITSCOPE_KVM_DEV="$tmp/file" "$vmm" --flat "$top/build/guest/cpuid-loop.bin"
case_ "vmm: --probe goes alone" 64 "--probe runs no guest" -- "$vmm" --probe --flat x
check "vmm: no probe or guest above created $tmp/absent" test ! -e "$tmp/absent"

# The real path: /dev without a kvm node (a tmpfs with the few devices the
# scripts use), the default device name, no override. Needs root for the
# mount namespace and the nodes.
if [ "$(id -u)" -eq 0 ] && unshare --mount --propagation private true 2>/dev/null; then
	EXITSCOPE_BIN=$bin unshare --mount --propagation private bash -c '
		set -e
		mount -t tmpfs -o mode=755 exitscope-test-dev /dev
		mknod -m 666 /dev/null c 1 3; mknod -m 666 /dev/zero c 1 5
		mknod -m 666 /dev/full c 1 7; mknod -m 666 /dev/urandom c 1 9
		ln -s /proc/self/fd /dev/fd
		"$1/tests/vmm/check-vmm.sh" >"$2/ns-run" 2>&1 || true
		stat -c "%F" /dev/kvm >"$2/ns-kvm" 2>&1 || echo absent >"$2/ns-kvm"
	' _ "$top" "$tmp" 2>"$tmp/ns-err"
	if [ "$(cat "$tmp/ns-kvm" 2>/dev/null)" != absent ]; then
		echo "not ok - probe: /dev without kvm: /dev/kvm is '$(cat "$tmp/ns-kvm" 2>/dev/null)' after the run $(head -c 300 "$tmp/ns-err")"
	elif grep -q '^not ok - \|^ok - vmm on KVM' "$tmp/ns-run" ||
		[ "$(grep -c '^skip - vmm on KVM: .*/dev/kvm: No such file' "$tmp/ns-run")" -lt 10 ]; then
		echo "not ok - probe: /dev without kvm: the KVM cases did not all skip:"
		grep -v '^ok - \(vmm\|cli\):' "$tmp/ns-run" | head -5 | sed 's/^/    /'
	else
		echo "ok - probe: /dev without kvm (mount namespace): KVM cases skipped, /dev/kvm still absent"
	fi
else
	echo "skip - probe: /dev without kvm (needs root and mount namespaces)"
fi
