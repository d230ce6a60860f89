-- wrk script: posts Alertmanager webhook payloads like webhook_load (WRK_ALERTS alerts each, every alert a new
-- fingerprint, so every alert is a new fault), as an independent client to cross-check webhook_load's numbers.
--   WRK_ALERTS=10 wrk -t1 -c4 -d5s --latency -s tests/bench/wrk_webhook.lua http://127.0.0.1:PORT/alerts
local alerts = tonumber(os.getenv("WRK_ALERTS") or "10")
local counter = 0
local prefix = 0

local thread_no = 0
function setup(thread)
  thread_no = thread_no + 1
  thread:set("thread_no", thread_no)
end

function init(args)
  -- a per-run, per-thread prefix keeps fingerprints unique across threads and runs against one agent
  math.randomseed(os.time() * 1000 + (thread_no or 0))
  prefix = math.random(0, 0x7fffffff)
end

local head = '{"version":"4","groupKey":"{}:{alertname=\\"Load\\"}","truncatedAlerts":0,"status":"firing",' ..
             '"receiver":"ves","groupLabels":{"alertname":"Load"},"commonLabels":{"alertname":"Load"},' ..
             '"commonAnnotations":{},"externalURL":"http://am:9093","alerts":['
local headers = {["Content-Type"] = "application/json"}

request = function()
  local parts = {}
  for i = 1, alerts do
    counter = counter + 1
    local vm = tostring(counter % 1000)
    parts[i] = '{"status":"firing","labels":{"alertname":"Load","instance":"vm-' .. vm ..
               '","severity":"major","VNFC":"vm-' .. vm .. '"},"annotations":{"description":"wrk alert ' ..
               counter .. '"},"startsAt":"2026-11-26T03:58:29.664Z","endsAt":"0001-01-01T00:00:00Z",' ..
               '"generatorURL":"http://prom:9090/graph","fingerprint":"' ..
               string.format("%08x%08x", prefix, counter) .. '"}'
  end
  return wrk.format("POST", nil, headers, head .. table.concat(parts, ",") .. "]}")
end
