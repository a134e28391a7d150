#!/usr/bin/env bash
# The fleet parts (deploy/, docs/fleet.md), for real on loopback: the rules
# pass promtool's check and their unit tests; every query of the rules and
# of the Grafana dashboard names only metrics and labels the exporter
# really emits (scraped here); the systemd unit verifies; and Debian's
# Prometheus server scrapes two exporters replaying records and answers
# rate() and the recording rules per VM and reason through its HTTP API.
# One "ok -", "not ok -" or "skip -" line per case. Every server binds
# 127.0.0.1, and all run under a time limit.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib.sh"
es=$(cd "${EXITSCOPE_BIN:-$top/build/bin}" && pwd)/exitscope
fx=$top/tests/fixtures/collector
rules=$top/deploy/prometheus/exitscope-rules.yml
dash=$top/deploy/grafana/exitscope-dashboard.json
unit=$top/deploy/systemd/exitscope-exporter.service
with_tmp

# exporter PORT ARGS...: an exporter on 127.0.0.1:PORT, up to 90 s.
exporter() {
	local p=$1
	shift
	timeout $TLIMIT 90 "$es" exporter --listen 127.0.0.1:$p "$@" >>"$tmp/exporters.log" 2>&1 &
	pids+=($!)
	wait_port $p
}

# ---- the rules ----
if command -v promtool >/dev/null; then
	case_ "rules: promtool check rules" 0 "SUCCESS" -- promtool check rules "$rules"
	case_ "rules: promtool test rules (each alert fires on its fixture, not on its near miss)" 0 "SUCCESS" -- \
		promtool test rules "${rules%.yml}.test.yml"
else
	echo "skip - rules (promtool: apt install prometheus)"
fi

# ---- every query names what the exporter emits ----
# Scrapes of each kind of source, with every series setting on: the BPF
# collector's figures (times, buckets, vCPUs) and the module's (cycles).
p1=$(port) p2=$(port)
if exporter $p1 --source file:"$fx/amd-bpf" --max-requests 1 --per-vcpu --vm-histograms &&
   exporter $p2 --source file:"$fx/intel-module.json" --max-requests 1; then
	get $p1 'GET /metrics HTTP/1.1\r\n\r\n' >"$tmp/bpf.txt"
	get $p2 'GET /metrics HTTP/1.1\r\n\r\n' >"$tmp/module.txt"
	case_ "dashboard and rules: every query names only metrics and labels the exporter emits" 0 \
		"22 queries checked, 0 with unknown names" -- \
		python3 "$top/tests/fleet/check-queries.py" "$rules" "$dash" "$tmp/bpf.txt" "$tmp/module.txt"
	# The check can fail: a metric and a label the exporter does not have.
	sed -e 's/exitscope_exit_duration_seconds_bucket/exitscope_exit_duration_bucket/' \
		-e 's/by (instance, kind)/by (instance, problem)/' "$dash" >"$tmp/bad.json"
	case_ "... and says which when one does not" 1 \
		"unknown in panel 'What the collector could not do (per 5 min)': label problem" -- \
		python3 "$top/tests/fleet/check-queries.py" "$rules" "$tmp/bad.json" "$tmp/bpf.txt" "$tmp/module.txt"
else
	echo "not ok - the exporters for the query check did not listen: $(tail -2 "$tmp/exporters.log")"
fi

# ---- the systemd unit ----
if command -v systemd-analyze >/dev/null; then
	# The unit names /usr/bin/exitscope; verify this build's in its place.
	sed "s|/usr/bin/exitscope|$es|" "$unit" >"$tmp/exitscope-exporter.service"
	systemd-analyze verify --man=no "$tmp/exitscope-exporter.service" >"$tmp/verify.txt" 2>&1
	result "$([ $? -eq 0 ] && ! grep -q exitscope-exporter "$tmp/verify.txt"; echo $?)" \
		"systemd unit: systemd-analyze verify, nothing said of it" \
		"systemd unit: systemd-analyze verify: $(head -3 "$tmp/verify.txt")"
	grep -q '^DynamicUser=yes' "$unit" && ! grep -q '^User=root' "$unit" &&
		grep -q '^CapabilityBoundingSet=CAP_BPF CAP_PERFMON CAP_SYS_ADMIN CAP_DAC_READ_SEARCH CAP_SYS_RESOURCE$' "$unit"
	result $? "systemd unit: not root, only the capabilities the sources need" \
		"systemd unit: DynamicUser and the capability set are not as docs/fleet.md says"
	if systemd-analyze security --offline=true "$tmp/exitscope-exporter.service" >"$tmp/sec.txt" 2>&1; then
		score=$(sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p' "$tmp/sec.txt")
		result "$(awk -v s="${score:-10}" 'BEGIN { exit !(s <= 3) }'; echo $?)" \
			"systemd unit: exposure $score of 10 (systemd-analyze security --offline, at most 3)" \
			"systemd unit: exposure '${score:-?}', wanted at most 3"
	else
		echo "skip - systemd unit's exposure (this systemd-analyze has no --offline)"
	fi
else
	echo "skip - systemd unit (systemd-analyze)"
fi

# ---- a real Prometheus scrapes two exporters ----
if command -v prometheus >/dev/null; then
	# Two hosts: one replays the AMD BPF records (a VM with two vCPUs, its
	# counters growing), the other Intel's module record.
	pa=$(port) pb=$(port) pp=$(port)
	mkdir -p "$tmp/amd" "$tmp/prom"
	cp "$fx"/amd-bpf/*.json "$tmp/amd/"
	if exporter $pa --source file:"$tmp/amd" && exporter $pb --source file:"$fx/intel-module.json"; then
		cat >"$tmp/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files:
  - $rules
scrape_configs:
  - job_name: exitscope
    static_configs:
      - targets: ['127.0.0.1:$pa', '127.0.0.1:$pb']
EOF
		timeout $TLIMIT 60 prometheus --config.file="$tmp/prometheus.yml" --storage.tsdb.path="$tmp/prom" \
			--web.listen-address=127.0.0.1:$pp >"$tmp/prometheus.log" 2>&1 &
		pids+=($!)
		# query PROMQL: the API's answer as JSON.
		query() { curl -s --max-time 5 "http://127.0.0.1:$pp/api/v1/query" --data-urlencode "query=$1"; }
		i=0
		if wait_port $pp; then
			# fetch: the answers the checks below read.
			fetch() {
				query 'rate(exitscope_vm_exits_total[1m])' >"$tmp/rate.json"
				query 'exitscope:vm_exits:rate1m' >"$tmp/rule.json"
				query 'up{job="exitscope"}' >"$tmp/up.json"
				curl -s --max-time 5 "http://127.0.0.1:$pp/api/v1/rules" >"$tmp/rules.json"
			}
			# settled: both hosts' rates there, the AMD host's cpuid rate and rule
			# above 0, every rule evaluated. A rate needs two scrapes of a host in
			# its window, a rule an evaluation after that: 20 s at most.
			settled() {
				fetch
				jq -e --arg i "127.0.0.1:$pa" '[.data.result[] | select(.metric.instance == $i and .metric.name == "cpuid" and (.value[1] | tonumber) > 0)] | length > 0' "$tmp/rule.json" &&
				jq -e '[.data.result[].metric.instance] | unique | length == 2' "$tmp/rate.json" &&
				jq -e '[.data.groups[].rules[] | select(.health != "ok")] | length == 0' "$tmp/rules.json"
			} >/dev/null 2>&1
			while [ $i -lt 40 ] && ! settled; do
				sleep 0.5
				i=$((i + 1))
			done
			n=$(jq -r '[.data.result[].metric.instance] | unique | length' "$tmp/up.json")
			result "$([ "$n" = 2 ] && [ "$(jq -r '[.data.result[].value[1]] | unique | join(",")' "$tmp/up.json")" = 1 ]; echo $?)" \
				"prometheus: scrapes both exporters (up 1 for each)" "prometheus: up: $(cat "$tmp/up.json")"
			# The AMD host's cpuid exits grew between scrapes: a rate per VM and
			# reason, with the labels the exporter gives.
			jq -e --arg i "127.0.0.1:$pa" '.data.result[] | select(.metric.instance == $i and .metric.vm == "exitscope-vmm:4242"
				and .metric.name == "cpuid" and .metric.isa == "svm" and (.value[1] | tonumber) > 0)' \
				"$tmp/rate.json" >/dev/null
			result $? "prometheus: rate(exitscope_vm_exits_total[1m]) per VM and reason through its HTTP API (AMD host's VM exitscope-vmm:4242, cpuid > 0)" \
				"prometheus: no cpuid rate for VM exitscope-vmm:4242 of 127.0.0.1:$pa: $(head -c 600 "$tmp/rate.json")"
			jq -e --arg i "127.0.0.1:$pb" '.data.result[] | select(.metric.instance == $i)' "$tmp/rate.json" >/dev/null
			result $? "prometheus: ... and the Intel host's series too" \
				"prometheus: no series of 127.0.0.1:$pb in the rates"
			jq -e --arg i "127.0.0.1:$pa" '.data.result[] | select(.metric.instance == $i and .metric.name == "cpuid" and (.value[1] | tonumber) > 0)' \
				"$tmp/rule.json" >/dev/null
			result $? "prometheus: the recording rule exitscope:vm_exits:rate1m evaluates on the exporter's series" \
				"prometheus: exitscope:vm_exits:rate1m: $(head -c 600 "$tmp/rule.json")"
			result "$(jq -e '[.data.groups[].rules[] | select(.health != "ok")] | length == 0' "$tmp/rules.json" >/dev/null; echo $?)" \
				"prometheus: every rule loaded and healthy" "prometheus: rules: $(jq -c '[.data.groups[].rules[] | {name, health, lastError}]' "$tmp/rules.json" 2>&1 | head -c 600)"
		else
			echo "not ok - prometheus did not listen on 127.0.0.1:$pp: $(tail -3 "$tmp/prometheus.log")"
		fi
	else
		echo "not ok - the exporters for Prometheus did not listen: $(tail -2 "$tmp/exporters.log")"
	fi
else
	echo "skip - a real Prometheus (apt install prometheus)"
fi
