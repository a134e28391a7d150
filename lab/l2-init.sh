#!/bin/sh
# /init of the L2 guest: run the workload named on the kernel command line
# (exitscope.workload=), then a user's --l2-extra program, then the query;
# the verdict goes to exitscope-vmm through `exitscope shutdown`.
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
arg() { sed -n "s/.*exitscope\.$1=\([^ ]*\).*/\1/p" /proc/cmdline; }
workload=$(arg workload)
rounds=$(arg rounds)
echo "exitscope-l2: workload ${workload:=seed}"
status=0
# Its commands from the lab's table (lab/workloads.txt), words as written,
# one after the other (" ; " between them).
cmds=$(sed -n "s/^$workload[[:space:]]\{1,\}linux[[:space:]]\{1,\}//p" /etc/exitscope/workloads.txt |
	sed "s/\$rounds/${rounds:-20}/g")
if [ -z "$cmds" ]; then
	echo "exitscope-l2: unknown workload '$workload'"
	status=2
fi
while [ -n "$cmds" ]; do
	one=${cmds%% ; *}
	[ "$one" = "$cmds" ] && cmds= || cmds=${cmds#* ; }
	set -- $one
	"$@" || status=1
done
if [ -x /bin/l2-extra ]; then
	echo "exitscope-l2: running the --l2-extra program"
	/bin/l2-extra
	echo "exitscope-l2: --l2-extra exited with $?"
fi
# On stock KVM (exitscope.query=no) there is nothing to ask.
if [ "$(arg query)" != no ]; then
	echo "EXITSCOPE-QUERY-BEGIN"
	/bin/exitscope query --json || status=1
	echo "EXITSCOPE-QUERY-END"
fi
echo "exitscope-l2: done, verdict $status"
/bin/exitscope shutdown $status
