"""Against a REAL Alertmanager (Debian's prometheus-alertmanager 0.25) on loopback: alerts injected through its
own API reach the collector as exactly one VES fault raise each, across several repeat intervals, and exactly one
matching clear after they resolve."""
import datetime
import json
import os
import shutil
import subprocess
import sys
import time
import unittest
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))
from harness import E2ETest, agent_config, free_port, header, schema_problems, wait_until  # noqa: E402

ALERTMANAGER = shutil.which("prometheus-alertmanager") or shutil.which("alertmanager")


def port_open(port):
    import socket
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def iso(t):
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class Alertmanager:
    def __init__(self, workdir, webhook_port):
        self.workdir = workdir
        self.port = free_port()
        config = os.path.join(workdir, "alertmanager.yml")
        with open(config, "w", encoding="utf-8") as fh:
            fh.write("""
route:
  receiver: ves
  group_by: ['alertname']
  group_wait: 500ms
  group_interval: 1s
  repeat_interval: 2s
receivers:
  - name: ves
    webhook_configs:
      - url: http://127.0.0.1:%d/alerts
        send_resolved: true
""" % webhook_port)
        self.log = open(os.path.join(workdir, "alertmanager.log"), "ab")
        self.proc = subprocess.Popen(
            [ALERTMANAGER, "--config.file", config, "--storage.path", os.path.join(workdir, "am-data"),
             "--web.listen-address", "127.0.0.1:%d" % self.port, "--cluster.listen-address="],
            stdout=self.log, stderr=self.log)
        wait_until(self.ready, 20, what="Alertmanager ready")

    def ready(self):
        try:
            with urllib.request.urlopen("http://127.0.0.1:%d/-/ready" % self.port, timeout=1) as r:
                return r.status == 200
        except OSError:
            return False

    def post_alerts(self, alerts):
        req = urllib.request.Request("http://127.0.0.1:%d/api/v2/alerts" % self.port, data=json.dumps(alerts).encode(),
                                     headers={"Content-Type": "application/json"}, method="POST")
        with urllib.request.urlopen(req, timeout=5) as r:
            return r.status

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)
        self.log.close()

    kill = stop


def alert(name, instance, severity, starts, ends=None):
    a = {"labels": {"alertname": name, "instance": instance, "severity": severity, "VNFC": instance},
         "annotations": {"description": "%s on %s" % (name, instance)}, "startsAt": iso(starts)}
    if ends is not None:
        a["endsAt"] = iso(ends)
    return a


@unittest.skipIf(ALERTMANAGER is None, "prometheus-alertmanager is not installed")
class AlertmanagerTest(E2ETest):
    def test_one_raise_per_alert_across_repeats_and_one_clear_after_resolve(self):
        sim = self.sim("collector").start()
        webhook_port = free_port()
        agent = self.agent(agent_config(sim.port, datadir=self.workdir, heartbeat="1h",
                                        webhook_port=webhook_port)).start()
        wait_until(lambda: port_open(webhook_port), 10, what="the webhook listener")
        am = Alertmanager(self.workdir, webhook_port)
        self.procs.append(am)

        start = time.time() - 5
        alerts = [alert("HighCpu", "vm-1", "critical", start), alert("HighCpu", "vm-2", "major", start),
                  alert("DiskFull", "vm-1", "warning", start)]
        # Keep them firing across several repeat intervals (Alertmanager re-sends every 2 s).
        deadline = time.time() + 8
        while time.time() < deadline:
            self.assertEqual(am.post_alerts([dict(a, endsAt=iso(time.time() + 60)) for a in alerts]), 200)
            time.sleep(1)

        def faults():
            return [e for e in sim.events() if header(e)["domain"] == "fault"]

        raises = [e for e in faults() if e["faultFields"]["eventSeverity"] != "NORMAL"]
        self.assertEqual(len(raises), 3, [header(e)["eventId"] for e in raises])
        self.assertEqual(len({header(e)["eventId"] for e in raises}), 3)
        self.assertEqual({(e["faultFields"]["alarmCondition"], e["commonEventHeader"]["sourceName"],
                           e["faultFields"]["eventSeverity"]) for e in raises},
                         {("HighCpu", "vm-1", "CRITICAL"), ("HighCpu", "vm-2", "MAJOR"),
                          ("DiskFull", "vm-1", "WARNING")})

        # Resolve them: endsAt in the past.
        now = time.time()
        self.assertEqual(am.post_alerts([dict(a, endsAt=iso(now - 1)) for a in alerts]), 200)
        wait_until(lambda: len([e for e in faults() if e["faultFields"]["eventSeverity"] == "NORMAL"]) >= 3, 15,
                   what="three clears")
        time.sleep(4)  # resolved alerts keep coming back; clears must stay single
        clears = [e for e in faults() if e["faultFields"]["eventSeverity"] == "NORMAL"]
        self.assertEqual(len(clears), 3)
        by_id = {header(e)["eventId"]: e for e in raises}
        for c in clears:
            raise_event = by_id.get(header(c)["eventId"])
            self.assertIsNotNone(raise_event, "clear %s matches no raise" % header(c)["eventId"])
            self.assertEqual(header(c)["sequence"], header(raise_event)["sequence"] + 1)
            self.assertEqual(header(c)["startEpochMicrosec"], header(raise_event)["startEpochMicrosec"])
            self.assertEqual(header(c)["priority"], "Normal")
        self.assertEqual(schema_problems(faults(), 7, self.workdir), "")
        self.assertEqual(agent.terminate(), 0, agent.output())


if __name__ == "__main__":
    unittest.main(verbosity=2)
