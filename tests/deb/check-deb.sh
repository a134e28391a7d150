#!/usr/bin/env bash
# The Debian packages as an operator meets them: `make deb` (lintian clean),
# then a fresh Debian 12 (mmdebstrap) with dkms and Debian's headers and
# linux-source of both kernel series, where
#   apt install ./exitscope_*.deb ./exitscope-dkms_*.deb
# installs the tools, their manual pages, bash completion and the unit, and
# dkms builds the modules for Debian's 6.1 and 6.12 kernels. Those modules
# must pass what `make modules`' pass: vermagic equal to Debian's, every
# CRC, kvm.ko's kABI, kvmgt.ko's imports (tests/kernel/check-modules.sh).
# One "ok -", "not ok -" or "skip -" line per case.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib.sh"
. "$top/scripts/lib.sh"
if [ "$(id -u)" != 0 ]; then
	echo "skip - Debian packages (needs root for the chroot)"
	exit 0
fi
with_tmp
cd "$top"

if make -s deb >"$tmp/deb.log" 2>&1; then
	echo "ok - make deb: exitscope and exitscope-dkms, lintian clean (build/deb/lintian.txt)"
else
	echo "not ok - make deb: $(tail -3 "$tmp/deb.log" | tr '\n' ' ')"
	exit 0
fi
ver=$(head -n1 debian/changelog | cut -d' ' -f2 | tr -d '()')
debs=("$top/build/deb/exitscope_${ver}_amd64.deb" "$top/build/deb/exitscope-dkms_${ver}_all.deb")
check "... exitscope holds the tools, the manual pages, the completion and the unit" bash -c "
	dpkg-deb -c '${debs[0]}' >'$tmp/contents' &&
	for f in ./usr/bin/exitscope ./usr/bin/exitscope-vmm ./usr/share/man/man1/exitscope.1.gz \
		./usr/share/bash-completion/completions/exitscope ./lib/systemd/system/exitscope-exporter.service \
		./usr/share/exitscope/prometheus/exitscope-rules.yml ./usr/share/exitscope/grafana/exitscope-dashboard.json; do
		grep -q \" \$f\\( \\|\$\\)\" '$tmp/contents' || { echo \"missing \$f\"; exit 1; }
	done"
check "... and is linked dynamically, as Debian wants (make's own tools are static)" bash -c "
	dpkg-deb -x '${debs[0]}' '$tmp/x' && file '$tmp/x/usr/bin/exitscope' | grep -q 'dynamically linked'"

# Both series' Debian packages, resolved as make modules resolves them: a
# host's kernel image (Debian's kvm modules, which ours must win over), its
# headers, and the linux-source of the same version.
for s in 6.1 6.12; do
	eval "$(KSERIES=$s scripts/kernel-source.sh | sed "s/^\([A-Z]*\)=/S${s/./_}_\1=/")"
done
k61=$S6_1_KABI k612=$S6_12_KABI
apt_ensure mmdebstrap systemd-container libcap2-bin
export ES_DEBS="${debs[*]}" ES_OUT=$tmp/out ES_KERNELS="$k61 $k612" ES_VER=$ver
mkdir -p "$ES_OUT"
t0=$SECONDS
# The host's package cache, hard-linked in, spares the downloads.
if mmdebstrap --variant=apt --mode=root \
	--include="dkms,systemd,systemd-sysv,curl,man-db,linux-image-$k61-unsigned=$S6_1_KVER,linux-image-$k612-unsigned=$S6_12_KVER,linux-headers-$k61=$S6_1_KVER,linux-source-6.1=$S6_1_KVER,linux-headers-$k612=$S6_12_KVER,linux-source-6.12=$S6_12_KVER" \
	--setup-hook='mkdir -p "$1/var/cache/apt/archives" && { cp -al /var/cache/apt/archives/*.deb "$1/var/cache/apt/archives/" 2>/dev/null || true; }' \
	--essential-hook="$top/tests/deb/no-initramfs.sh" \
	--customize-hook="$top/tests/deb/in-chroot.sh" \
	bookworm "$tmp/root" /etc/apt/sources.list.d/debian.sources >"$tmp/mmdebstrap.log" 2>&1; then
	echo "ok - a fresh Debian 12 with dkms, and the images, headers and linux-source of $S6_1_KVER and $S6_12_KVER ($((SECONDS - t0)) s)"
else
	echo "not ok - mmdebstrap: $(grep -v '^I: ' "$tmp/mmdebstrap.log" | tail -3 | tr '\n' ' ')"
	exit 0
fi
o=$ES_OUT
# EXITSCOPE_DEB_KEEP=DIR: what happened in the chroot (logs, modules), kept.
[ -n "${EXITSCOPE_DEB_KEEP:-}" ] && rm -rf "$EXITSCOPE_DEB_KEEP" && cp -r "$o" "$EXITSCOPE_DEB_KEEP"
check "apt install ./exitscope_${ver}_amd64.deb ./exitscope-dkms_${ver}_all.deb" grep -qx 0 "$o/install.rc"
check "... exitscope --version: $(cat "$o/version.txt" 2>/dev/null)" grep -qx "exitscope $ver" "$o/version.txt"
check "... systemd-analyze verify exitscope-exporter.service" bash -c "grep -qx 0 '$o/verify.rc' && ! grep -q . '$o/verify.txt'"
check "... the unit is installed, not enabled (an operator enables it)" grep -qx disabled "$o/enabled.txt"
check "... man exitscope finds its page" grep -q '/usr/share/man/man1/exitscope.1.gz' "$o/man.txt"
check "... bash completes 'exitscope to' to top" grep -qx top "$o/complete.txt"
for k in $k61 $k612; do
	s=6.1; [ "$k" = "$k612" ] && s=6.12
	check "dkms builds and installs exitscope/$ver for Debian's $k" grep -qx 0 "$o/dkms-$k.rc"
	check "... modprobe would load ours, not Debian's: $(tr '\n' ' ' <"$o/modinfo-$k.txt")" \
		bash -c "[ \$(grep -c '^/lib/modules/$k/updates/dkms/kvm\(-intel\|-amd\)\?\.ko' '$o/modinfo-$k.txt') = 3 ]"
	if [ -f "$o/mods-$k/kvm.ko" ] &&
		tests/kernel/ko-symvers.sh "$o/mods-$k/kvm.ko" arch/x86/kvm/kvm >"$o/mods-$k/Module.symvers"; then
		if KSERIES=$s EXITSCOPE_CHECK_MODS="$o/mods-$k" EXITSCOPE_CHECK_SYMVERS="$o/mods-$k/Module.symvers" \
			tests/kernel/check-modules.sh >"$tmp/mods-$k.txt" 2>&1; then
			echo "ok - ... its modules: $(grep -m1 'kvm: vermagic' "$tmp/mods-$k.txt" | sed 's/^ *//'), every CRC, kvm.ko's kABI, kvmgt.ko's imports"
		else
			echo "not ok - ... its modules against Debian's $k: $(grep FAIL "$tmp/mods-$k.txt" | head -3 | tr '\n' ' ')"
		fi
	else
		echo "not ok - ... no modules of $k came out of the chroot: $(tail -3 "$o/dkms-$k.log" 2>/dev/null | tr '\n' ' '); found: $(tr '\n' ' ' <"$o/find-$k.txt")"
	fi
done
check "dkms refuses a linux-source of another version than the kernel's" \
	grep -q "KVM would be built from another version than the kernel's" "$o/mismatch.log"

# The unit under systemd as PID 1: the chroot booted (systemd-nspawn -b,
# given the capabilities the unit asks for: nspawn's own set lacks three),
# the exporter started by the unit as installed, on recorded figures (a
# drop-in changes ExecStart's source only), and a oneshot that scrapes it,
# notes what the process runs as, and powers the container off.
r=$tmp/root
mkdir -p "$r/etc/systemd/system/exitscope-exporter.service.d" "$r/usr/share/exitscope-test" \
	"$r/etc/systemd/system/multi-user.target.wants"
cp "$top"/tests/fixtures/collector/amd-bpf/*.json "$r/usr/share/exitscope-test/"
printf '%s\n' '[Service]' 'ExecStart=' \
	'ExecStart=/usr/bin/exitscope exporter --listen 127.0.0.1:9792 --source file:/usr/share/exitscope-test' \
	>"$r/etc/systemd/system/exitscope-exporter.service.d/test.conf"
printf '%s\n' '[Unit]' 'After=exitscope-exporter.service' 'Wants=exitscope-exporter.service' \
	'[Service]' 'Type=oneshot' "ExecStart=/bin/sh /usr/share/exitscope-test/probe.sh" \
	>"$r/etc/systemd/system/es-test.service"
printf '%s\n' 'for i in $(seq 50); do curl -sf http://127.0.0.1:9792/metrics >/root/metrics.txt && break; sleep 0.2; done' \
	'systemctl is-active exitscope-exporter >/root/active.txt' \
	'p=$(systemctl show -p MainPID --value exitscope-exporter)' \
	'grep -E "^(Uid|CapEff|NoNewPrivs|Seccomp):" /proc/$p/status >/root/proc.txt' \
	'systemctl poweroff' >"$r/usr/share/exitscope-test/probe.sh"
ln -sf /etc/systemd/system/es-test.service "$r/etc/systemd/system/multi-user.target.wants/es-test.service"
caps=$(sed -n 's/^AmbientCapabilities=//p' deploy/systemd/exitscope-exporter.service)
timeout $TLIMIT 120 systemd-nspawn --register=no --keep-unit -q -D "$r" -b \
	--capability="${caps// /,}" </dev/null >"$tmp/boot.log" 2>&1
check "the unit under systemd as PID 1 (systemd-nspawn -b): active, and it serves /metrics" bash -c "
	grep -qx active '$r/root/active.txt' && grep -q '^exitscope_vm_exits_total{' '$r/root/metrics.txt'"
uid=$(awk '/^Uid:/ { print $2 }' "$r/root/proc.txt" 2>/dev/null)
result "$([ -n "$uid" ] && [ "$uid" != 0 ]; echo $?)" "... as a user of its own (DynamicUser: uid $uid), not root" \
	"... the exporter's uid: '$uid' ($(tail -3 "$tmp/boot.log" | tr '\n' ' '))"
eff=$(awk '/^CapEff:/ { print $2 }' "$r/root/proc.txt" 2>/dev/null)
got=$(capsh --decode="0x${eff:-0}" | cut -d= -f2 | tr ',' '\n' | sort | tr '\n' ' ')
# What the unit gives, less what this machine's own bounding set lacks (no
# container gets more; here, a sandbox without CAP_SYS_RESOURCE).
bnd=$(capsh --decode="0x$(awk '/^CapBnd:/ { print $2 }' /proc/self/status)" | cut -d= -f2 | tr ',' '\n')
want= lack=
for c in $(echo "$caps" | tr 'A-Z' 'a-z'); do
	if grep -qx "$c" <<<"$bnd"; then want="$want $c"; else lack="$lack $c"; fi
done
want=$(echo $want | tr ' ' '\n' | sort | tr '\n' ' ')
result "$([ "$got" = "$want" ]; echo $?)" \
	"... with exactly the unit's capabilities: $want${lack:+(not$lack: not in the bounding set of this machine)}" \
	"... capabilities: got '$got', the unit gives '$want'"
check "... no new privileges, a seccomp filter" bash -c "
	grep -q '^NoNewPrivs:.1' '$r/root/proc.txt' && grep -q '^Seccomp:.2' '$r/root/proc.txt'"
