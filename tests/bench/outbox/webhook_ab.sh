#!/usr/bin/env bash
# Webhook throughput of already built binaries, for before/after comparisons of the durable outbox:
#   BIN_DIR=/tmp/old tests/bench/outbox/webhook_ab.sh [extra ves-agent flags...]
# BIN_DIR holds ves-agent, ves-collector-sim and webhook_load (default: build-outbox-rel). Same rows and columns
# as tests/bench/run.sh (which builds build-bench itself). Not part of the test suite.
set -euo pipefail
cd "$(dirname "$0")/../../.."
BIN_DIR=${BIN_DIR:-build-outbox-rel}
find_bin() { for p in "$BIN_DIR/$1" "$BIN_DIR/src/$1" "$BIN_DIR/src/simulator/$1" "$BIN_DIR/tests/bench/$1"; do
  [ -x "$p" ] && { echo "$p"; return; }; done; echo "missing $1 in $BIN_DIR" >&2; exit 1; }
AGENT=$(find_bin ves-agent); SIM=$(find_bin ves-collector-sim); LOAD=$(find_bin webhook_load)
SECONDS_PER_RUN=${SECONDS_PER_RUN:-8}
work=$(mktemp -d /tmp/ves-outbox-bench.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

"$SIM" --listen 127.0.0.1:0 --port-file "$work/sim.port" --log-level warn >/dev/null 2>&1 &
for _ in $(seq 100); do [ -s "$work/sim.port" ] && break; sleep 0.1; done
webhook=$(free_port)
"$AGENT" --config.file=/dev/null --primaryCollector.fqdn=127.0.0.1 \
  --primaryCollector.port="$(cat "$work/sim.port")" --alertManager.bind="127.0.0.1:$webhook" \
  --heartbeat.defaultInterval=1h --datadir="$work/state" --log.level=warn "$@" 2>"$work/agent.log" &
agent=$!
for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$webhook") 2>/dev/null && break; sleep 0.1; done
hz=$(getconf CLK_TCK)

printf '%-11s %-6s %-6s %12s %9s %9s %9s %16s %12s\n' scenario alerts conns alerts/s p50_ms p99_ms p999_ms agent_cpu_s/10k peak_rss_MB
run() {  # name alerts_per_payload connections rate
  local before after line accepted
  before=$(cpu_ticks "$agent")
  line=$("$LOAD" --target "127.0.0.1:$webhook" --alerts "$2" --connections "$3" --seconds "$SECONDS_PER_RUN" --rate "$4")
  after=$(cpu_ticks "$agent")
  accepted=$(sed -n 's/.*alerts_accepted_per_s=\([0-9.]*\).*/\1/p' <<<"$line")
  local total_alerts; total_alerts=$(awk -v a="$accepted" -v s="$SECONDS_PER_RUN" 'BEGIN{print a*s}')
  printf '%-11s %-6s %-6s %12s %9s %9s %9s %16s %12s\n' "$1" "$2" "$3" "$accepted" \
    "$(sed -n 's/.*p50_ms=\([0-9.]*\).*/\1/p' <<<"$line")" "$(sed -n 's/.*p99_ms=\([0-9.]*\).*/\1/p' <<<"$line")" \
    "$(sed -n 's/.*p999_ms=\([0-9.]*\).*/\1/p' <<<"$line")" \
    "$(awk -v d=$((after - before)) -v hz="$hz" -v n="$total_alerts" 'BEGIN{ if (n>0) printf "%.3f", d/hz/n*10000; else print "-"}')" \
    "$(awk '/VmHWM/ {printf "%.1f", $2/1024}' "/proc/$agent/status")"
}
for row in ${ROWS:-"max-rate:1:4:0" "max-rate:10:4:0" "max-rate:100:4:0" "max-rate:10:1:0" "fixed-1k/s:10:2:100"}; do
  IFS=: read -r name alerts conns rate <<<"$row"
  run "$name" "$alerts" "$conns" "$rate"
done
if [ -n "${SHOW_LOG:-}" ]; then tail -n 20 "$work/agent.log"; fi
