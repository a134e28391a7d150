#!/usr/bin/env bash
# mmdebstrap's customize hook for tests/deb/check-deb.sh: in the new Debian
# ($1, with /proc, /sys and /dev mounted by mmdebstrap), install the
# packages and do what an operator would, each outcome into $ES_OUT for the
# test to judge. Never fails itself: the test reads what happened.
set -u
root=$1 o=$ES_OUT
run_in() { chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 "$@"; }

mkdir -p "$root/tmp/debs"
cp $ES_DEBS "$root/tmp/debs/"
run_in env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
	$(for d in $ES_DEBS; do echo "/tmp/debs/${d##*/}"; done) >"$o/install.log" 2>&1
echo $? >"$o/install.rc"
run_in exitscope --version >"$o/version.txt" 2>&1
run_in systemd-analyze verify /lib/systemd/system/exitscope-exporter.service >"$o/verify.txt" 2>&1
echo $? >"$o/verify.rc"
run_in systemctl is-enabled exitscope-exporter.service >"$o/enabled.txt" 2>&1
run_in man -w exitscope >"$o/man.txt" 2>&1
run_in bash -c '. /usr/share/bash-completion/completions/exitscope
	COMP_WORDS=(exitscope to) COMP_CWORD=1 COMP_LINE="exitscope to" COMP_POINT=12
	f=$(complete -p exitscope | sed -n "s/.*-F \([^ ]*\) .*/\1/p")
	"$f" exitscope to exitscope; printf "%s\n" "${COMPREPLY[@]}"' >"$o/complete.txt" 2>&1

for k in $ES_KERNELS; do
	if run_in dkms status -m exitscope -v "$ES_VER" -k "$k" | grep -q "^exitscope/$ES_VER, $k, [^:]*: installed"; then
		echo "(installed by the package's postinst)" >"$o/dkms-$k.log"
		rc=0
	else
		run_in dkms install -m exitscope -v "$ES_VER" -k "$k" >"$o/dkms-$k.log" 2>&1
		rc=$?
	fi
	echo $rc >"$o/dkms-$k.rc"
	run_in dkms status >"$o/dkms-status-$k.txt" 2>&1
	# What modprobe would load: depmod's choice between Debian's and ours.
	for m in kvm kvm-intel kvm-amd; do
		run_in modinfo -k "$k" -n "$m"
	done >"$o/modinfo-$k.txt" 2>&1
	# The modules as installed (dkms compresses them where the kernel's
	# are; dkms keeps no Module.symvers: the test reads the CRCs off kvm.ko).
	mkdir -p "$o/mods-$k"
	(cd "$root" && find "lib/modules/$k" -name 'kvm*') >"$o/find-$k.txt" 2>&1
	for m in kvm kvm-intel kvm-amd; do
		f=$root/lib/modules/$k/updates/dkms/$m.ko
		if [ -f "$f" ]; then cp "$f" "$o/mods-$k/"
		elif [ -f "$f.xz" ]; then xz -dc "$f.xz" >"$o/mods-$k/$m.ko"
		fi
	done
done

# A linux-source of another version than the kernel's: refused. dpkg-query
# is made to say so (the archive keeps one version of each).
k=${ES_KERNELS%% *}
mkdir -p "$root/tmp/fake" "$root/tmp/mismatch"
cat >"$root/tmp/fake/dpkg-query" <<'EOF'
#!/bin/sh
case "$*" in *linux-source-*) echo "installed 0.0.0-1" ;; *) exec /usr/bin/dpkg-query "$@" ;; esac
EOF
chmod +x "$root/tmp/fake/dpkg-query"
cp -r "$root/usr/src/exitscope-$ES_VER/." "$root/tmp/mismatch/"
run_in env PATH=/tmp/fake:/usr/bin:/bin sh -c "cd /tmp/mismatch && sh ./build.sh $k /lib/modules/$k/build" >"$o/mismatch.log" 2>&1
exit 0
