#!/usr/bin/env bash
# Measurement benchmark: one measurement cycle of the real ves-agent (Release build) over N synthetic series from a
# REAL Prometheus (Debian's prometheus, scraping a static exposition file served on loopback), delivering to the
# bundled collector simulator. One rule maps every series: CPUUsageArray.PercentUsage, vmId from label vnfc, key
# CPUIdentifier from label cpu (100 VMs, N/100 CPUs each), so a cycle is one query of N series, N elements in 100
# events, batched to /eventBatch.
# Prints per N: query+map+encode time of a steady-state cycle (the agent's own log), time until the collector has
# every event, agent CPU seconds for that cycle, the agent's peak RSS, and the bytes of event JSON posted.
# Not part of the test suite. Usage: tests/bench/measurement/run.sh [N ...]   (default: 10000 100000)
set -euo pipefail
cd "$(dirname "$0")/../../.."
BUILD_DIR=${BUILD_DIR:-build-bench}
if [ -z "${SKIP_BUILD:-}" ]; then
  packaging/dev/install-deps.sh
  TARGETS="ves-agent ves-collector-sim" BUILD_DIR=$BUILD_DIR BUILD_TYPE=Release packaging/dev/build.sh >/dev/null
fi
INTERVAL=${INTERVAL:-15}
SIZES=${*:-10000 100000}
work=$(mktemp -d /tmp/ves-bench-measurement.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; [ -n "${KEEP:-}" ] && echo "kept $work" || rm -rf "$work"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)
wait_for() {  # seconds command...
  local limit=$1; shift
  for _ in $(seq $((limit * 10))); do "$@" && return 0; sleep 0.1; done
  echo "timed out: $*" >&2; return 1
}
cycles_logged() { grep -c 'Measurement window collected' "$1" 2>/dev/null || true; }
events_at_sim() { [ -f "$1" ] && wc -l <"$1" || echo 0; }

printf '%-8s %-7s %-6s %14s %15s %14s %12s %12s\n' series events vms query_map_ms delivered_ms agent_cpu_s peak_rss_MB posted_MB
for n in $SIZES; do
  dir=$work/$n
  mkdir -p "$dir/www"
  vms=100
  per_vm=$((n / vms))
  awk -v vms=$vms -v per=$per_vm 'BEGIN {
    print "# TYPE ves_synthetic gauge"
    for (v = 0; v < vms; v++) for (c = 0; c < per; c++)
      printf "ves_synthetic{vnfc=\"vm-%04d\",cpu=\"%d\"} %.2f\n", v, c, (v * 7 + c * 13) % 10000 / 100.0
  }' >"$dir/www/metrics"
  web=$(free_port)
  python3 -m http.server "$web" --bind 127.0.0.1 --directory "$dir/www" >/dev/null 2>&1 &
  pids+=($!)
  prom=$(free_port)
  cat >"$dir/prometheus.yml" <<YML
global: {scrape_interval: 5s, scrape_timeout: 5s}
scrape_configs:
  - job_name: synthetic
    static_configs: [{targets: ['127.0.0.1:$web']}]
YML
  prometheus --config.file "$dir/prometheus.yml" --storage.tsdb.path "$dir/prom-data" \
    --web.listen-address "127.0.0.1:$prom" >"$dir/prometheus.log" 2>&1 &
  pids+=($!)
  scraped() {
    curl -s "http://127.0.0.1:$prom/api/v1/query?query=count(ves_synthetic)" | grep -q "\"$n\"\]"
  }
  wait_for 90 scraped

  build_sim=$BUILD_DIR/src/simulator/ves-collector-sim
  $build_sim --listen 127.0.0.1:0 --port-file "$dir/sim.port" --output "$dir/events.jsonl" --log-level warn \
    >/dev/null 2>&1 &
  pids+=($!)
  wait_for 10 test -s "$dir/sim.port"
  cat >"$dir/agent.yml" <<YML
datadir: $dir/state
primaryCollector: {fqdn: 127.0.0.1, port: $(cat "$dir/sim.port")}
event: {vnfName: bench, nfNamingCode: bnch, reportingEntityName: bench-host}
heartbeat: {defaultInterval: 1h}
alertManager: {bind: "127.0.0.1:$(free_port)"}
measurement:
  defaultInterval: ${INTERVAL}s
  maxBufferingDuration: 0s
  prometheus:
    address: http://127.0.0.1:$prom
    timeout: 30s
    rules:
      metrics:
        - target: CPUUsageArray.PercentUsage
          expr: ves_synthetic
          vmId: '{{.labels.vnfc}}'
          labels: [{name: CPUIdentifier, expr: '{{.labels.cpu}}'}]
YML
  $BUILD_DIR/src/ves-agent --config.file="$dir/agent.yml" --log.level=info 2>"$dir/agent.log" &
  agent=$!
  pids+=($agent)
  # The first cycle runs at start (its window may predate the first scrape and be empty); measure the second full
  # one (steady state): CPU from the moment the first full cycle is delivered to the moment the second one is.
  full="Measurement window collected.* events=$vms "
  wait_for 120 bash -c "[ \$(grep -c '$full' '$dir/agent.log') -ge 1 ] && [ \$(wc -l <'$dir/events.jsonl') -ge $vms ]"
  before_cpu=$(cpu_ticks "$agent")
  before_bytes=$(stat -c %s "$dir/events.jsonl")
  wait_for 120 bash -c "[ \$(grep -c '$full' '$dir/agent.log') -ge 2 ] && [ \$(wc -l <'$dir/events.jsonl') -ge $((2 * vms)) ]"
  delivered_at=$(date +%s.%N)
  after_cpu=$(cpu_ticks "$agent")
  after_bytes=$(stat -c %s "$dir/events.jsonl")
  line=$(grep "$full" "$dir/agent.log" | sed -n 2p)
  query_ms=$(sed -n 's/.*duration_ms=\([0-9.]*\).*/\1/p' <<<"$line")
  events=$(sed -n 's/.* events=\([0-9]*\).*/\1/p' <<<"$line")
  window_end=$(sed -n 's/.*window_end=\([0-9.]*\).*/\1/p' <<<"$line")
  # From the window's end + settle delay (when the query starts) to the last event at the collector.
  settle=$(awk -v i=$INTERVAL 'BEGIN { s = i / 5; if (s > 5) s = 5; print s }')
  delivered_ms=$(awk -v d="$delivered_at" -v w="$window_end" -v s="$settle" 'BEGIN { printf "%.0f", (d - w - s) * 1000 }')
  printf '%-8s %-7s %-6s %14s %15s %14s %12s %12s\n' "$n" "$events" "$vms" "$query_ms" "~$delivered_ms" \
    "$(awk -v d=$((after_cpu - before_cpu)) -v hz="$hz" 'BEGIN{printf "%.3f", d/hz}')" \
    "$(awk '/VmHWM/ {printf "%.1f", $2/1024}' "/proc/$agent/status")" \
    "$(awk -v b=$((after_bytes - before_bytes)) 'BEGIN{printf "%.2f", b/1048576}')"
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  pids=()
done
