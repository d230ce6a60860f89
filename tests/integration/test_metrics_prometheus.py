"""The agent's /metrics scraped by a REAL Prometheus (Debian's prometheus 2.42) on loopback: the text format parses
(the target is up with no scrape error), and the values Prometheus stores move as events flow through the real
ves-agent binary to ves-collector-sim: heartbeats delivered, webhook alerts raised as faults, the primary
collector killed (failed posts, outbox depth, failover to the backup, active collector) and back."""
import json
import os
import shutil
import subprocess
import sys
import time
import unittest
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))
from harness import E2ETest, agent_config, free_port, header, wait_until  # noqa: E402

PROMETHEUS = shutil.which("prometheus") or ("/usr/bin/prometheus" if os.path.exists("/usr/bin/prometheus") else None)


def http_get(url, timeout=2):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.status, r.read().decode()


class Prometheus:
    """One Prometheus server scraping the agent every second, with its TSDB in the test's work directory."""

    def __init__(self, workdir, target_port):
        self.port = free_port()
        config = os.path.join(workdir, "prometheus.yml")
        with open(config, "w", encoding="utf-8") as fh:
            fh.write("""
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: ves-agent
    static_configs:
      - targets: ['127.0.0.1:%d']
""" % target_port)
        self.log = open(os.path.join(workdir, "prometheus.log"), "ab")
        self.proc = subprocess.Popen(
            [PROMETHEUS, "--config.file", config, "--storage.tsdb.path", os.path.join(workdir, "tsdb"),
             "--web.listen-address", "127.0.0.1:%d" % self.port],
            stdout=self.log, stderr=self.log)
        wait_until(self.ready, 30, what="Prometheus ready")

    def ready(self):
        try:
            return http_get("http://127.0.0.1:%d/-/ready" % self.port)[0] == 200
        except OSError:
            return False

    def query(self, promql):
        """Instant query -> {frozenset(labels without __name__): float}."""
        url = "http://127.0.0.1:%d/api/v1/query?%s" % (self.port, urllib.parse.urlencode({"query": promql}))
        _, body = http_get(url, timeout=5)
        data = json.loads(body)
        assert data["status"] == "success", data
        out = {}
        for sample in data["data"]["result"]:
            labels = {k: v for k, v in sample["metric"].items() if k not in ("__name__", "job", "instance")}
            out[frozenset(labels.items())] = float(sample["value"][1])
        return out

    def value(self, promql):
        """The single value of a query, or None when it has no sample (yet)."""
        result = self.query(promql)
        if not result:
            return None
        assert len(result) == 1, (promql, result)
        return next(iter(result.values()))

    def wait_value(self, promql, predicate, timeout=20, what=None):
        def check():
            v = self.value(promql)
            return v is not None and predicate(v) and (v,)
        return wait_until(check, timeout, interval=0.25, what=what or promql)[0]

    def target(self):
        _, body = http_get("http://127.0.0.1:%d/api/v1/targets" % self.port)
        active = json.loads(body)["data"]["activeTargets"]
        return active[0] if active else None

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()

    kill = stop


def firing_payload(names):
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    alerts = [{"status": "firing", "labels": {"alertname": n, "instance": "vm-1", "severity": "critical"},
               "annotations": {"description": n + " on vm-1"}, "startsAt": now, "endsAt": "0001-01-01T00:00:00Z",
               "fingerprint": "%016x" % (abs(hash(n)) % (1 << 60))} for n in names]
    return {"version": "4", "groupKey": "{}:{alertname=\"x\"}", "status": "firing", "receiver": "ves",
            "groupLabels": {}, "commonLabels": {}, "commonAnnotations": {}, "externalURL": "http://am",
            "truncatedAlerts": 0, "alerts": alerts}


def post_webhook(port, payload):
    req = urllib.request.Request("http://127.0.0.1:%d/alerts" % port, data=json.dumps(payload).encode(),
                                 headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(req, timeout=5) as r:
        return r.status


@unittest.skipIf(PROMETHEUS is None, "prometheus is not installed (Debian package prometheus)")
class MetricsPrometheusTest(E2ETest):
    def test_prometheus_sees_the_values_move_as_events_flow(self):
        primary = self.sim("primary").start()
        backup = self.sim("backup").start()
        webhook_port = free_port()
        web_port = free_port()
        agent = self.agent(agent_config(primary.port, backup_port=backup.port, datadir=self.workdir,
                                        heartbeat="1s", retry="300ms", max_missed=2, webhook_port=webhook_port),
                           extra_args=["--web.listen-address=127.0.0.1:%d" % web_port]).start()
        wait_until(lambda: self._ready(web_port), 15, what="the agent's /-/ready")
        self.assertEqual(http_get("http://127.0.0.1:%d/-/healthy" % web_port)[0], 200)

        prom = Prometheus(self.workdir, web_port)
        self.procs.append(prom)

        # The exposition parses: Prometheus reports the target up, without a scrape error, with our families.
        prom.wait_value('up{job="ves-agent"}', lambda v: v == 1, what="target up")
        target = prom.target()
        self.assertEqual(target["health"], "up", target)
        self.assertEqual(target["lastError"], "", target)
        self.assertEqual(prom.value('vesagent_build_info'), 1)
        self.assertEqual(prom.value('vesagent_ready'), 1)
        self.assertGreaterEqual(prom.value('count({__name__=~"vesagent_.+"})'), 20)

        # Heartbeats: delivered on the primary, and the count keeps rising.
        hb = 'vesagent_publish_events_total{collector="primary",domain="heartbeat",outcome="delivered"}'
        first = prom.wait_value(hb, lambda v: v >= 1)
        prom.wait_value(hb, lambda v: v >= first + 2, what="heartbeats delivered rising")
        self.assertEqual(prom.value('vesagent_collector_active{collector="primary"}'), 1)
        self.assertEqual(prom.value('vesagent_collector_active{collector="backup"}'), 0)
        self.assertEqual(prom.value('vesagent_outbox_events'), 0)

        # Two alerts through the webhook: two raises, two faults delivered, one 200 answered.
        self.assertEqual(post_webhook(webhook_port, firing_payload(["HighCpu", "DiskFull"])), 200)
        prom.wait_value('vesagent_publish_events_total{collector="primary",domain="fault",outcome="delivered"}',
                        lambda v: v == 2)
        self.assertEqual(prom.value('vesagent_webhook_requests_total{code="200"}'), 1)
        self.assertEqual(prom.value('vesagent_webhook_alert_decisions_total{outcome="raise"}'), 2)
        prom.wait_value('vesagent_faults_active', lambda v: v == 2)
        self.assertEqual(prom.value('vesagent_pipeline_accepted_events_total{domain="fault"}'), 2)
        wait_until(lambda: len([e for e in primary.events() if header(e)["domain"] == "fault"]) == 2, 10,
                   what="two faults at the collector")

        # The primary dies: failed posts, then failover; heartbeats flow to the backup; the outbox drains.
        primary.kill()
        prom.wait_value('vesagent_collector_failovers_total', lambda v: v >= 1, what="a failover")
        prom.wait_value('vesagent_collector_active{collector="backup"}', lambda v: v == 1)
        self.assertGreaterEqual(
            prom.value('sum(vesagent_publish_events_total{collector="primary",outcome="failed"})'), 1)
        self.assertGreaterEqual(prom.value('vesagent_publish_failed_requests_total'), 2)
        prom.wait_value('vesagent_publish_events_total{collector="backup",domain="heartbeat",outcome="delivered"}',
                        lambda v: v >= 2, what="heartbeats delivered to the backup")
        prom.wait_value('vesagent_outbox_events', lambda v: v == 0)
        wait_until(lambda: any(header(e)["domain"] == "heartbeat" for e in backup.events()), 10,
                   what="a heartbeat at the backup")

        # Everything the collectors received was counted as delivered, and nothing else.
        delivered = prom.value('sum(vesagent_publish_events_total{outcome="delivered"})')
        received = len(primary.events()) + len(backup.events())
        self.assertLessEqual(abs(delivered - received), 2, (delivered, received))  # heartbeats keep coming

        # A scrape error would show here; and the agent stops cleanly with the scraper still attached.
        self.assertEqual(prom.target()["lastError"], "")
        self.assertEqual(agent.terminate(), 0, agent.output())

    @staticmethod
    def _ready(port):
        try:
            return http_get("http://127.0.0.1:%d/-/ready" % port, timeout=1)[0] == 200
        except OSError:
            return False


if __name__ == "__main__":
    unittest.main(verbosity=2)
