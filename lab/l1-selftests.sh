#!/bin/busybox sh
# /init of L1 for KVM's own selftests: for each configuration (a module set,
# Debian's stock modules or exitscope's, and the nested-paging parameter)
# load that KVM, run every selftest of /selftests/run.txt with a time
# limit, and send each result (test, exit status, seconds) and the output
# of every test that did not pass to the host.
. /lib/exitscope/l1-lib.sh
l1_mounts
alive_start
cpu=$(arg cpu); configs=$(arg configs); limit=$(arg limit); reruns=$(arg reruns)
# Tests only: silent (L1 goes quiet in the first selftest), unsteady (every
# test of the first pass on ours with nested paging reads as failed, once).
inject=$(arg inject)
l1_vendor "$cpu"
l1_deps
mkdir -p /out
uname -r >/out/l1-release.txt
# Seconds since boot, to a hundredth.
now() { cut -d' ' -f1 /proc/uptime; }
# load SET PAGING: that module set's kvm.ko and vendor module, that paging.
load() {
	stage "modules-$1-$knob$2" 90 "$1 $vendor $knob=$2"
	rmmod $vendor 2>/dev/null
	rmmod kvm 2>/dev/null
	# Ours with its most code on the exit path: cycles, not the default.
	insmod $m/$1/kvm.ko $([ $1 = exitscope ] && echo exit_stats=cycles) ||
		fail "insmod $1 kvm.ko"
	insmod $m/$1/$vendor.ko $knob=$2 || fail "insmod $1 $vendor.ko $knob=$2"
}
# run_test NAME TEST TSV: run TEST with the time limit, append its row
# (test, exit status, seconds) to TSV, keep the output of a test that did
# not pass or skip (status 0 or 4, KSFT_SKIP).
run_test() {
	local t0 rc
	stage "selftest-$1-$(echo "$2" | tr / _)" $((limit + 30)) "$1 $2"
	[ "$inject" = silent ] && alive_stop && sleep 100000
	t0=$(now)
	timeout "$limit" /selftests/$2 </dev/null >/out/.log 2>&1
	rc=$?
	[ "$inject" = unsteady ] && [ "$1" = "exitscope-${knob}1" ] && rc=1
	printf '%s\t%s\t%s\n' "$2" "$rc" "$(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }')" >>"$3"
	case $rc in 0|4) ;; *) tail -n 30 /out/.log >"/out/selftest-$1-$(echo "$2" | tr / _).log" ;; esac
}
for cfg in $(echo "$configs" | tr , ' '); do
	set=${cfg%:*} paging=${cfg#*:}
	name=$set-$knob$paging
	load $set $paging
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
		run_test $name "$t" /out/selftests-$name.tsv
	done
done
# A test whose exit status differs between the module sets runs again,
# $reruns times on each, stock and ours in turn: a timing test can fail
# once under an emulator on a loaded machine, and the host judges by what
# the reruns show. Not the series' own tests (they differ by design), and
# not when more than 5 differ (that is a difference, not chance).
for p in 1 0; do
	s=/out/selftests-stock-$knob$p.tsv o=/out/selftests-exitscope-$knob$p.tsv
	[ -s $s ] && [ -s $o ] || continue
	awk -F'\t' -v series=/selftests/series.txt -v s=$s '
		FILENAME == series { own[$1] = 1; next }
		FILENAME == s { rc[$1] = $2; next }
		($1 in rc) && rc[$1] != $2 && !($1 in own) { print $1 }' /selftests/series.txt $s $o >/out/.differ
	n=$(wc -l </out/.differ)
	[ "$n" -ge 1 ] && [ "$n" -le 5 ] || continue
	i=1
	while [ $i -le "$reruns" ]; do
		for set in stock exitscope; do
			load $set $p
			for t in $(cat /out/.differ); do
				run_test rerun$i-$set-$knob$p "$t" /out/rerun-$set-$knob$p.tsv
			done
		done
		i=$((i + 1))
	done
done
rm -f /out/.log /out/.differ /out/.err
dmesg >/out/l1-dmesg.txt
send_results /out
