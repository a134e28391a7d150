#!/bin/busybox sh
# /init of L1 for the lab's proofs (lab/proofs.sh), each writing its raw
# results into /out for the host to check:
#   off        kvm.exit_stats=off: CPUID as stock KVM answers it (the VMM's
#              table), no debugfs file, the capability absent
#   reload     20 rmmod/insmod cycles of the vendor module, nested paging on
#              and off in turn, a VM between (its figures from zero);
#              kmemleak and the kernel log afterwards
#   isolation  two VMs at once: a CPUID loop of known length and a Linux
#              guest that boots and queries; each sees only its own exits
. /lib/exitscope/l1-lib.sh
l1_mounts
cpu=$(arg cpu); cycles=$(arg cycles)
l1_vendor "$cpu"
l1_deps
mkdir -p /out
uname -r >/out/l1-release.txt
vmm=/bin/exitscope-vmm
now() { cut -d' ' -f1 /proc/uptime; }
table="--cpuid 0x4ffffffd=0xd0d0d0d0,0xd1d1d1d1,0xd2d2d2d2,0xd3d3d3d3"

stage off 120 "kvm.exit_stats=off"
insmod $m/kvm.ko exit_stats=off ignore_msrs=1 || fail "insmod kvm.ko exit_stats=off"
insmod $m/$vendor.ko $knob=1 || fail "insmod $vendor.ko"
cat /sys/module/kvm/parameters/exit_stats >/out/off-param.txt
$vmm --flat /l2/cpuid-probe.bin --timeout 60 $table --stats /out/off-stats.txt \
	</dev/null >/out/off-probe.log 2>&1
echo "status $?" >>/out/off-probe.log
$vmm --flat /l2/cpuid-probe.bin --timeout 60 --guest-stats user </dev/null >/out/off-cap.log 2>&1
echo "status $?" >>/out/off-cap.log
rmmod $vendor kvm || fail "rmmod after off"

echo clear >/sys/kernel/debug/kmemleak 2>/dev/null
dmesg -c >/out/reload-dmesg-before.txt
insmod $m/kvm.ko exit_stats=cycles ignore_msrs=1 || fail "insmod kvm.ko"
i=1
while [ $i -le "$cycles" ]; do
	p=$((i % 2))
	stage cycle-$i 120 "$i/$cycles: rmmod/insmod $vendor $knob=$p, a VM"
	insmod $m/$vendor.ko $knob=$p || fail "insmod $vendor.ko $knob=$p (cycle $i)"
	$vmm --flat /l2/cpuid-loop.bin --timeout 60 --guest-stats user \
		--stats /out/reload-$i.txt </dev/null >/out/reload-$i.log 2>&1
	echo "status $?" >>/out/reload-$i.log
	echo "$knob $(cat /sys/module/$(echo $vendor | tr - _)/parameters/$knob)" >>/out/reload-$i.log
	rmmod $vendor || fail "rmmod $vendor (cycle $i)"
	i=$((i + 1))
done
rmmod kvm || fail "rmmod kvm after the cycles"
# kmemleak reports objects unreferenced for 5 s and more: wait, scan twice.
sleep 6
echo scan >/sys/kernel/debug/kmemleak 2>/dev/null
echo scan >/sys/kernel/debug/kmemleak 2>/dev/null
cat /sys/kernel/debug/kmemleak >/out/kmemleak.txt 2>/out/kmemleak.err
dmesg >/out/reload-dmesg.txt

stage isolation 240 "a CPUID loop and a Linux guest at once"
insmod $m/kvm.ko exit_stats=cycles ignore_msrs=1 || fail "insmod kvm.ko"
insmod $m/$vendor.ko $knob=1 || fail "insmod $vendor.ko"
trigger=/sys/kernel/tracing/events/kvm/kvm_exit/trigger
echo 'hist:keys=exit_reason:vals=hitcount:size=4096' >$trigger || fail "kvm_exit hist trigger"
# The Linux guest first: it is still booting while the loop runs.
echo "b start $(now)" >/out/iso-times.txt
$vmm --kernel /l2/bzImage --initrd /l2/initrd.cpio --guest-stats user --mem 192 \
	--cmdline "$(cat /l2/cmdline | sed 's/exitscope.workload=[^ ]*/exitscope.workload=boot/')" \
	--timeout 150 --stats /out/iso-b-stats.txt </dev/null >/out/iso-b.log 2>&1 &
b=$!
echo "a start $(now)" >>/out/iso-times.txt
$vmm --flat /l2/cpuid-loop.bin --timeout 60 --guest-stats user --stats /out/iso-a-stats.txt \
	</dev/null >/out/iso-a.log 2>&1
echo "status $?" >>/out/iso-a.log
echo "a end $(now)" >>/out/iso-times.txt
wait $b
echo "status $?" >>/out/iso-b.log
echo "b end $(now)" >>/out/iso-times.txt
cat /sys/kernel/tracing/events/kvm/kvm_exit/hist >/out/iso-hist.txt
echo '!hist:keys=exit_reason:vals=hitcount:size=4096' >$trigger
dmesg >/out/l1-dmesg.txt
send_results /out
