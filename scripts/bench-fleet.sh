#!/usr/bin/env bash
# The operator tools at fleet scale (issue 22's goal): a synthetic recorded
# host of VMS x VCPUS x REASONS rows with exit -> entry times replayed
# through --source file:, what top spends per redraw, and the exporter's
# scrape over loopback, its body and its series in each series setting.
# Prints a table against the goals (a redraw <= 50 ms, a scrape <= 100 ms)
# and writes OUT/fleet.tsv. Measures and prints: it judges nothing.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/lib.sh"

usage() {
	cat <<'EOF'
usage: make bench-fleet [FLEET='options']   (or scripts/bench-fleet.sh [options])

  --vms N        VMs on the host (default 256)
  --vcpus N      vCPUs per VM (default 4)
  --reasons N    exit reasons each vCPU has exited on (default 40)
  --frames N     redraws and texts measured in-process (default 20)
  --scrapes N    scrapes of the running exporter per setting (default 20)
  --out DIR      where the record and fleet.tsv go (default results/bench-fleet)
  -h, --help     this text
EOF
}

vms=256 vcpus=4 reasons=40 frames=20 scrapes=20 out=$top/results/bench-fleet
while [ $# -gt 0 ]; do
	case $1 in
	--vms) vms=${2:?--vms needs a count}; shift ;;
	--vcpus) vcpus=${2:?--vcpus needs a count}; shift ;;
	--reasons) reasons=${2:?--reasons needs a count}; shift ;;
	--frames) frames=${2:?--frames needs a count}; shift ;;
	--scrapes) scrapes=${2:?--scrapes needs a count}; shift ;;
	--out) out=${2:?--out needs a directory}; shift ;;
	-h|--help) usage; exit 0 ;;
	*) usage >&2; die "unknown option '$1'" ;;
	esac
	shift
done
es=${OUT:-$top/build}/bin/exitscope
bf=${OUT:-$top/build}/test/bench_fleet
[ -x "$es" ] && [ -x "$bf" ] || die "build first: make tools-bin $bf"
mkdir -p "$out" || die "cannot create --out '$out'"
rm -f "$out"/*.json "$out/fleet.tsv"
tsv=$out/fleet.tsv.tmp
: >"$tsv"

log "fleet: a recorded host of $vms VMs x $vcpus vCPUs x $reasons reasons"
"$bf" make "$out" "$vms" "$vcpus" "$reasons" >>"$tsv"
printf 'record_bytes\t%s\n' "$(stat -c %s "$out/0001.json")" >>"$tsv"
log "fleet: $frames redraws and metrics texts in-process"
"$bf" frames "$out" "$frames" >>"$tsv"

ex=
trap '[ -n "$ex" ] && kill "$ex" 2>/dev/null; wait 2>/dev/null; true' EXIT
# scrape_setting NAME ARGS...: an exporter with ARGS on a free port, scraped.
scrape_setting() {
	local name=$1 p i hwm
	shift
	for i in 1 2 3 4 5; do
		p=$((20000 + RANDOM % 12000))	# below the ephemeral ports
		"$es" exporter --listen 127.0.0.1:$p --source file:"$out" "$@" 2>"$out/exporter.log" &
		ex=$!
		for _ in $(seq 50); do
			(exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null && break
			kill -0 "$ex" 2>/dev/null || break
			sleep 0.1
		done
		kill -0 "$ex" 2>/dev/null && break
		wait "$ex" 2>/dev/null || true
		ex=
	done
	[ -n "$ex" ] || die "the exporter did not start: $(tail -2 "$out/exporter.log")"
	log "fleet: $scrapes scrapes of the exporter ($name)"
	"$bf" scrape "$p" "$scrapes" | sed "s/^/$name\t/" >>"$tsv"
	printf '%s\texporter_kib\t%s\t%s\n' "$name" \
		"$(awk '/^VmRSS:/ { print $2 }' "/proc/$ex/status")" "$(awk '/^VmHWM:/ { print $2 }' "/proc/$ex/status")" >>"$tsv"
	kill "$ex"
	wait "$ex" 2>/dev/null || true
	ex=
}
scrape_setting default
scrape_setting per-vcpu --per-vcpu
mv "$tsv" "$out/fleet.tsv"

# The table for people, from fleet.tsv alone.
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
awk -F'\t' -v scrapes="$scrapes" -v vms="$vms" -v vcpus="$vcpus" -v reasons="$reasons" -v cpu="$cpu" -v cores="$(nproc)" '
	{ f[$1] = $2; g[$1] = $3 }
	$1 == "body" { body[$2] = $3; ser[$2] = $4; line[$2] = $5 }
	$1 == "text" { tm[$2] = $3; tx[$2] = $4 }
	$2 == "first_scrape_ms" { s1[$1] = $3 }
	$2 == "scrape_ms" { sm[$1] = $3; sx[$1] = $4 }
	$2 == "exporter_kib" { rss[$1] = $3; hwm[$1] = $4 }
	END {
		V = vms; C = vcpus; R = reasons
		# The budget of docs/collector.md ("Series budget"), BPF rows.
		want["default"] = 4 * V * R + 34 * R + 9
		want["per-vcpu"] = V * C * R + 3 * V * R + 34 * R + 9
		want["per-vcpu+vm-histograms"] = V * C * R + 34 * V * R + 34 * R + 9
		printf "fleet host: %d VMs x %d vCPUs x %d reasons = %d rows (BPF: times and buckets), record %.1f MB\n",
			V, C, R, f["rows"], f["record_bytes"] / 1e6
		printf "machine: %s, %d cores\n\n", cpu, cores
		printf "top: a redraw (read, view, table) %.1f ms median, %.1f ms max (goal <= 50 ms); the first read (parse) %.0f ms\n\n",
			f["top_frame_ms"], g["top_frame_ms"], f["first_read_ms"]
		printf "%-24s %8s %8s %8s %5s %8s %8s %8s %8s %8s\n", "exporter setting", "series", "budget",
			"body MB", "line", "text ms", "scrape", "max ms", "RSS MiB", "peak"
		n = split("default per-vcpu per-vcpu+vm-histograms", s, " ")
		for (i = 1; i <= n; i++) {
			k = s[i]
			printf "%-24s %8d %8d %8.1f %5d %8.1f %8s %8s %8s %8s\n", k, ser[k], want[k], body[k] / 1e6,
				line[k], tm[k], (k in sm) ? sprintf("%.1f", sm[k]) : "-",
				(k in sx) ? sprintf("%.1f", sx[k]) : "-",
				(k in rss) ? sprintf("%.1f", rss[k] / 1024) : "-", (k in hwm) ? sprintf("%.1f", hwm[k] / 1024) : "-"
		}
		printf "\n(text ms: the source read and the metrics text in-process, median; scrape: over loopback, median\n"
		printf "of %d after the first, which parses the record: %.0f ms; line: the longest, bytes)\n", scrapes, s1["default"]
		printf "\ngoal: a scrape <= 100 ms at the default setting: %.1f ms median, %.1f ms max\n", sm["default"], sx["default"]
	}' "$out/fleet.tsv"
