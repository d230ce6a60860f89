#!/usr/bin/env bash
# Sets up, builds, and runs ves-agent on its built-in defaults against the bundled collector simulator,
# showing the events as they arrive. DEMO_SECONDS=0 runs until Ctrl-C (default: 20 seconds).
set -euo pipefail
cd "$(dirname "$0")/../.."
packaging/dev/install-deps.sh
BUILD_DIR=build packaging/dev/build.sh --log-level=WARNING

work=$(mktemp -d /tmp/ves-agent-demo.XXXXXX)
cleanup() {
  [ -n "${agent_pid:-}" ] && kill -TERM "$agent_pid" 2>/dev/null && wait "$agent_pid" 2>/dev/null
  [ -n "${sim_pid:-}" ] && kill -TERM "$sim_pid" 2>/dev/null && wait "$sim_pid" 2>/dev/null
  echo
  echo "Events received by the simulator: $(wc -l < "$work/events.jsonl" 2>/dev/null || echo 0) (one JSON line each in $work/events.jsonl)"
}
trap cleanup EXIT

echo "== starting the bundled VES collector simulator"
build/src/simulator/ves-collector-sim --listen 127.0.0.1:0 --port-file "$work/port" --output "$work/events.jsonl" &
sim_pid=$!
for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.1; done
port=$(cat "$work/port")
echo "   simulator listening on 127.0.0.1:$port"

webhook=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
echo "== starting ves-agent (built-in defaults; collector, webhook port and state directory given as flags)"
build/src/ves-agent --config.file=/dev/null \
  --primaryCollector.fqdn=127.0.0.1 --primaryCollector.port="$port" \
  --alertManager.bind="127.0.0.1:$webhook" --heartbeat.defaultInterval=2s --datadir="$work/state" &
agent_pid=$!

# Play Alertmanager: one alert fires, is re-sent (no new event: a repeat), then resolves (the clear).
post_alert() {  # status
  python3 - "$webhook" "$1" config/examples/alertmanager-webhook.json <<'PY'
import json, sys, urllib.request
port, status, path = sys.argv[1], sys.argv[2], sys.argv[3]
body = json.load(open(path))
body["status"] = status
for a in body["alerts"]:
    a["status"] = status
    if status == "resolved":
        a["endsAt"] = "2026-11-26T06:10:00Z"
req = urllib.request.Request("http://127.0.0.1:%s/alerts" % port, data=json.dumps(body).encode(),
                             headers={"Content-Type": "application/json"})
print("   Alertmanager -> ves-agent: %s alert, answer %d" % (status, urllib.request.urlopen(req).status))
PY
}
(sleep 3 && post_alert firing && sleep 2 && post_alert firing && sleep 2 && post_alert resolved) &

if [ "${DEMO_SECONDS:-20}" = "0" ]; then
  wait "$agent_pid"
else
  sleep "${DEMO_SECONDS:-20}"
fi
