#!/bin/busybox sh
# /init of L1 for KVM's own selftests: for each configuration (a module set,
# Debian's stock modules or exitscope's, and the nested-paging parameter)
# load that KVM, run every selftest of /selftests/run.txt with a time
# limit, and send each result (test, exit status, seconds) and the output
# of every test that did not pass to the host.
. /lib/exitscope/l1-lib.sh
l1_mounts
cpu=$(arg cpu); configs=$(arg configs); limit=$(arg limit)
inject=$(arg inject)	# tests only: silent (L1 goes quiet in the first selftest)
case $cpu in
amd)	vendor=kvm-amd; knob=npt ;;
intel)	vendor=kvm-intel; knob=ept ;;
*)	fail "exitscope.cpu='$cpu' (amd or intel)" ;;
esac
m=/lib/modules/exitscope
for d in $(cat $m/deps); do insmod $m/$d.ko || fail "insmod $d"; done
mkdir -p /out
uname -r >/out/l1-release.txt
# Seconds since boot, to a hundredth.
now() { cut -d' ' -f1 /proc/uptime; }
for cfg in $(echo "$configs" | tr , ' '); do
	set=${cfg%:*} paging=${cfg#*:}
	name=$set-$knob$paging
	stage modules-$name 90 "$set $vendor $knob=$paging"
	rmmod $vendor 2>/dev/null
	rmmod kvm 2>/dev/null
	# Ours with its most code on the exit path: cycles, not the default.
	insmod $m/$set/kvm.ko $([ $set = exitscope ] && echo exit_stats=cycles) ||
		fail "insmod $set kvm.ko"
	insmod $m/$set/$vendor.ko $knob=$paging || fail "insmod $set $vendor.ko $knob=$paging"
	echo "$knob=$(cat /sys/module/$(echo $vendor | tr - _)/parameters/$knob)" >/out/params-$name.txt
	# Every other module that needs kvm.ko must load beside this one
	# (once per module set): the module loader checks each symbol's CRC.
	if [ "$paging" = 1 ]; then
		while read -r mods; do
			top=${mods##* }
			for d in $mods; do
				insmod $m/dependents.d/$d.ko 2>/out/.err || break
			done
			if grep -q "^$(echo $top | tr - _) " /proc/modules; then
				echo "$top loaded" >>/out/dependents-$set.txt
			else
				echo "$top refused: $(cat /out/.err) $(dmesg | tail -n 3 | tr '\n' ' ')" >>/out/dependents-$set.txt
			fi
			for d in $(echo $mods | tr ' ' '\n' | sed '1!G;h;$!d'); do rmmod $d 2>/dev/null; done
		done <$m/dependents
	fi
	for t in $(cat /selftests/run.txt); do
		stage "selftest-$name-$(echo "$t" | tr / _)" $((limit + 30)) "$name $t"
		[ "$inject" = silent ] && sleep 100000
		t0=$(now)
		timeout "$limit" /selftests/$t </dev/null >/out/.log 2>&1
		rc=$?
		printf '%s\t%s\t%s\n' "$t" "$rc" "$(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }')" \
			>>/out/selftests-$name.tsv
		# 0 passed, 4 skipped (KSFT_SKIP): keep the output of the rest.
		case $rc in 0|4) ;; *) tail -n 30 /out/.log >"/out/selftest-$name-$(echo "$t" | tr / _).log" ;; esac
	done
done
rm -f /out/.log
dmesg >/out/l1-dmesg.txt
send_results /out
