# A --l1-extra script (lab/lab.sh): runs in L1 (busybox sh, as root) after
# the L2 runs. Which kvm.ko may load with which vendor module: exitscope's
# kvm.ko refuses a vendor module built without the change (Debian's own,
# whose struct vcpu_svm / vcpu_vmx embeds the smaller struct kvm_vcpu),
# Debian's kvm.ko cannot take exitscope's vendor module (its symbols are
# missing), the matching pairs load and run a VM, and the kernel logs no
# warning, bug or oops on the way. One "ok - "/"not ok - " line per case;
# the exit status is the number of failed cases.
m=$EXITSCOPE_MODULES stock=$EXITSCOPE_STOCK vendor=$EXITSCOPE_VENDOR
failed=0
ok() { echo "ok - $*"; }
no() { echo "not ok - $*"; failed=$((failed + 1)); }
loaded() { grep -q "^$(echo "$1" | tr - _) " /proc/modules; }
unload() { for x in kvm_amd kvm_intel kvm; do loaded $x && rmmod $x; done; }
# ins FILE ARGS...: insmod, its message kept for the log and in $said.
ins() { said=$(insmod "$@" 2>&1); r=$?; [ -z "$said" ] || echo "    $said"; return $r; }
# refused WHY NAME FILE ARGS...: FILE must not load, for WHY (an extended
# regular expression, matched in insmod's message and the kernel log), and
# leave no vendor module behind.
refused() {
	why=$1 name=$2
	shift 2
	if ins "$@"; then
		no "$name: loaded"
	elif ! { echo "$said"; klog; } | grep -qE "$why"; then
		no "$name: refused, but not for '$why': $said"
	elif loaded "$vendor"; then
		no "$name: $vendor is loaded after its refusal"
	else
		ok "$name ($why)"
	fi
}

unload
loaded kvm && no "kvm.ko still loaded before the cases" && exit "$failed"
# The kernel log from here on (the lab keeps the whole log).
base=$(dmesg | wc -l)
klog() { dmesg | tail -n +$((base + 1)); }

# Our kvm.ko, the stock vendor module: refused, by name, and nothing left.
ins $m/kvm.ko || no "exitscope's kvm.ko did not load"
refused "invalid module format|Exec format error" "exitscope's kvm.ko refuses the stock $vendor.ko" $stock/$vendor.ko
if klog | grep -q "was built without per-reason exit accounting.*refused"; then
	ok "the refusal names the module and says what to load"
else
	no "no refusal message in the kernel log: $(klog | tail -n 3)"
fi
[ -e /dev/kvm ] && no "/dev/kvm exists without a vendor module"
# Refused in every mode, accounting off too: the vCPU layout is the same.
unload
ins $m/kvm.ko exit_stats=off || no "exitscope's kvm.ko exit_stats=off did not load"
refused "invalid module format|Exec format error" "...with kvm.exit_stats=off too" $stock/$vendor.ko
unload

# The stock kvm.ko, our vendor module: its symbols are missing.
ins $stock/kvm.ko || no "the stock kvm.ko did not load"
refused "Unknown symbol __kvm_exit_stats_setup" "the stock kvm.ko refuses exitscope's $vendor.ko" $m/$vendor.ko
unload

# The matching pairs load and run a VM: ours, then stock, then ours again
# (a refusal leaves nothing behind that stops the right module).
for set in "$m" "$stock" "$m"; do
	name=$([ "$set" = "$m" ] && echo "exitscope's" || echo stock)
	if ins $set/kvm.ko ignore_msrs=1 && ins $set/$vendor.ko; then
		if vm=$(/bin/exitscope-vmm --flat /l2/cpuid-loop.bin --timeout 120 </dev/null 2>&1); then
			ok "$name kvm.ko and $vendor.ko load and run a VM"
		else
			no "$name modules: the VM failed: $(echo "$vm" | tail -n 2)"
		fi
	else
		no "$name kvm.ko and $vendor.ko did not load together"
	fi
	unload
done

# Nothing went wrong in the kernel on the way.
bad=$(klog | grep -E 'WARNING:|BUG:|Oops|general protection|Call Trace|kernel BUG')
if [ -n "$bad" ]; then
	no "the kernel log has: $(echo "$bad" | head -n 3)"
else
	ok "no WARN, BUG or oops in the kernel log"
fi
klog >"$EXITSCOPE_OUT/dmesg.txt"
echo "$failed failed"
exit "$failed"
