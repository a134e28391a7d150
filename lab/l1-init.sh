#!/bin/busybox sh
# /init of L1: load exitscope's KVM, run the L2 guest with nested paging on
# and off (the seed's experiment), count the same exits with the kvm_exit
# tracepoint, and send every result to the host on the second serial port.
# Stage markers on the console let the host show progress and time out.
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t debugfs debugfs /sys/kernel/debug
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
stage() { echo "EXITSCOPE-STAGE $*"; }
fail() { echo "EXITSCOPE-FAIL $*"; poweroff -f; }
arg() { sed -n "s/.*exitscope\.$1=\([^ ]*\).*/\1/p" /proc/cmdline; }
cpu=$(arg cpu); runs=$(arg runs); workload=$(arg workload)
l2timeout=$(arg l2timeout); rounds=$(arg rounds); l2cpus=$(arg l2cpus)
case $cpu in
amd)	vendor=kvm-amd; knob=npt; nested=npt ;;
intel)	vendor=kvm-intel; knob=ept; nested=ept ;;
*)	fail "exitscope.cpu='$cpu' (amd or intel)" ;;
esac
stage modules
m=/lib/modules/exitscope
# The kernel's own modules KVM needs first (irqbypass; ccp for kvm-amd).
for d in $(cat $m/deps); do insmod $m/$d.ko || fail "insmod $d"; done
insmod $m/kvm.ko ignore_msrs=1 || fail "insmod kvm.ko (exitscope's)"
insmod $m/$vendor.ko $knob=1 || fail "insmod $vendor.ko $knob=1"
mkdir -p /out
trigger=/sys/kernel/tracing/events/kvm/kvm_exit/trigger
for paging in $nested shadow; do
	if [ $paging = shadow ]; then
		stage reload "$vendor $knob=0"
		rmmod $vendor || fail "rmmod $vendor"
		insmod $m/$vendor.ko $knob=0 || fail "insmod $vendor.ko $knob=0"
	fi
	echo "$paging: $(cat /sys/module/${vendor#kvm-}/parameters/$knob 2>/dev/null)" >>/out/params.txt
	r=1
	while [ $r -le "$runs" ]; do
		stage l2 "$paging $r/$runs"
		echo 'hist:keys=exit_reason:vals=hitcount:size=4096' >$trigger ||
			fail "cannot set the kvm_exit hist trigger"
		case $workload in
		cpuid|io)	# flat images, no Linux in L2
			guest="--flat /l2/$workload-loop.bin" ;;
		*)	guest="--kernel /l2/bzImage --initrd /l2/initrd.cpio" ;;
		esac
		/bin/exitscope-vmm $guest --cpus "${l2cpus:-1}" \
			--mem 192 --timeout "$l2timeout" --verdict-required --stats /out/stats-$paging-$r.txt \
			--cmdline "console=ttyS0 reboot=t panic=-1 pti=on exitscope.workload=$workload exitscope.rounds=$rounds" \
			</dev/null >/out/l2-$paging-$r.log 2>&1 &
		vmm=$!
		# A heartbeat while L2 runs: its exits so far and where the VMM's
		# threads wait in the kernel, so that a hang says where it is.
		t=0
		while kill -0 $vmm 2>/dev/null; do
			sleep 1
			t=$((t + 1))
			[ $((t % 30)) -eq 0 ] || continue
			echo "EXITSCOPE-HEARTBEAT $paging $r ${t}s exits $(sed -n 's/^# isa .* exits \([0-9]*\) .*/\1/p' /sys/kernel/debug/kvm/*/exit_stats 2>/dev/null | head -n 1)" \
				"threads $(for d in /proc/$vmm/task/*; do printf '%s:%s ' "$(cat $d/stat 2>/dev/null | cut -d' ' -f3)" "$(cat $d/wchan 2>/dev/null)"; done)"
		done
		wait $vmm
		echo $? >/out/status-$paging-$r.txt
		cat /sys/kernel/tracing/events/kvm/kvm_exit/hist >/out/hist-$paging-$r.txt
		echo '!hist:keys=exit_reason:vals=hitcount:size=4096' >$trigger
		tail -n 3 /out/l2-$paging-$r.log
		r=$((r + 1))
	done
done
stage send
dmesg >/out/l1-dmesg.txt
stty -F /dev/ttyS1 raw -echo 115200 2>/dev/null
for f in /out/*; do
	n=$(basename $f)
	echo "EXITSCOPE-FILE $n $(wc -c <$f) $(sha256sum <$f | cut -d' ' -f1)" >/dev/ttyS1
	cat $f >/dev/ttyS1
	echo "EXITSCOPE-END $n" >/dev/ttyS1
done
echo "EXITSCOPE-ALL-SENT" >/dev/ttyS1
stage done
sleep 1
poweroff -f
