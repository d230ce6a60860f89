"""The operator's command line on the real binaries: --dry-run prints VES JSON and posts nothing, --once runs one
cycle and says with its exit code whether everything was delivered, --print-config hides secrets, --log.format=json
writes JSON lines, and a flood of identical failures is rate-limited with its count."""
import json
import os
import signal
import subprocess
import sys
import time
import unittest
import urllib.error
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))
from harness import AGENT, E2ETest, agent_config, free_port, header, schema_problems, wait_until  # noqa: E402


def run(args, timeout=60):
    env = {k: v for k, v in os.environ.items() if not k.startswith("VES_") and k != "JOURNAL_STREAM"}
    return subprocess.run([AGENT] + args, capture_output=True, text=True, timeout=timeout, env=env)


def port_open(port):
    import socket
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


class OperatorCommandsTest(E2ETest):
    def write_config(self, text):
        path = os.path.join(self.workdir, "agent.yml")
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)
        return path

    def test_dry_run_once_prints_valid_ves_json_and_touches_neither_collector_nor_state(self):
        sim = self.sim("collector").start()
        datadir = os.path.join(self.workdir, "state")
        path = self.write_config(agent_config(sim.port, datadir=datadir))
        r = run(["--config.file", path, "--dry-run", "--once"])
        self.assertEqual(r.returncode, 0, r.stderr)
        lines = [json.loads(line) for line in r.stdout.splitlines() if line.strip()]
        self.assertEqual(len(lines), 1, r.stdout)
        self.assertEqual(header(lines[0]["event"])["domain"], "heartbeat")
        self.assertEqual(header(lines[0]["event"])["eventName"], "Heartbeat_e2ev")
        self.assertEqual(schema_problems([lines[0]["event"]], 7, self.workdir), "")
        self.assertNotIn("{", r.stderr.split("\n")[0][:1])  # logs stay on stderr, in logfmt
        time.sleep(0.3)
        self.assertEqual(sim.events(), [])
        self.assertFalse(os.path.exists(datadir), "a dry run must not create or change the state directory")

    def test_dry_run_prints_webhook_faults_until_stopped(self):
        sim = self.sim("collector").start()
        webhook = free_port()
        agent = self.agent(agent_config(sim.port, datadir=os.path.join(self.workdir, "state"), heartbeat="1h",
                                        webhook_port=webhook), extra_args=["--dry-run"])
        # stdout separately from the log, to read the JSON lines.
        agent.log = open(agent.log_path, "ab")
        out_path = os.path.join(self.workdir, "stdout.jsonl")
        out = open(out_path, "wb")
        agent.proc = subprocess.Popen([AGENT, "--config.file", agent.config, "--dry-run"], stdout=out,
                                      stderr=agent.log)
        wait_until(lambda: port_open(webhook), 10, what="webhook")
        body = {"version": "4", "status": "firing", "receiver": "ves", "groupLabels": {}, "commonLabels": {},
                "commonAnnotations": {}, "externalURL": "http://am", "groupKey": "{}:{}", "truncatedAlerts": 0,
                "alerts": [{"status": "firing", "labels": {"alertname": "HighCpu", "instance": "vm-1",
                                                           "severity": "major"},
                            "annotations": {}, "startsAt": "2026-01-01T00:00:00Z",
                            "endsAt": "0001-01-01T00:00:00Z", "fingerprint": "0123456789abcdef"}]}
        req = urllib.request.Request("http://127.0.0.1:%d/alerts" % webhook, data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
        self.assertEqual(urllib.request.urlopen(req, timeout=5).status, 200)

        def faults():
            with open(out_path, encoding="utf-8") as fh:
                return [json.loads(x)["event"] for x in fh if '"fault"' in x]
        found = wait_until(faults, 10, what="the fault on stdout")
        self.assertEqual(found[0]["faultFields"]["alarmCondition"], "HighCpu")
        self.assertEqual(agent.terminate(), 0)
        out.close()
        self.assertEqual(sim.events(), [])
        self.assertFalse(os.path.exists(os.path.join(self.workdir, "state")))

    def test_once_delivers_one_cycle_and_exits_0(self):
        sim = self.sim("collector").start()
        path = self.write_config(agent_config(sim.port, datadir=os.path.join(self.workdir, "state")))
        start = time.monotonic()
        r = run(["--config.file", path, "--once"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertLess(time.monotonic() - start, 20)
        events = sim.events()
        self.assertEqual([header(e)["domain"] for e in events], ["heartbeat"])

    def test_once_exits_1_when_events_stay_undelivered(self):
        port = free_port()  # nobody listens
        path = self.write_config(agent_config(port, datadir=os.path.join(self.workdir, "state"), shutdown="1s"))
        r = run(["--config.file", path, "--once"])
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("undelivered=1", r.stderr)

    def test_print_config_redacts_secrets(self):
        path = self.write_config(agent_config(8443, datadir=self.workdir))
        r = run(["--config.file", path, "--print-config", "--primaryCollector.password=s3cret-value",
                 "--web.listen-address=127.0.0.1:9999"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotIn("s3cret-value", r.stdout)
        self.assertIn("<redacted>", r.stdout)
        self.assertIn("listenAddress: \"127.0.0.1:9999\"", r.stdout)

    def test_json_logs_and_rate_limited_repeats(self):
        sim = self.sim("collector").start()
        webhook = free_port()
        agent = self.agent(agent_config(sim.port, datadir=os.path.join(self.workdir, "state"), heartbeat="1h",
                                        webhook_port=webhook), extra_args=["--log.format=json"]).start()
        wait_until(lambda: port_open(webhook), 10, what="webhook")
        # 30 identical mistakes within a second: a handful of lines, and the rest counted.
        for _ in range(30):
            req = urllib.request.Request("http://127.0.0.1:%d/alerts" % webhook, data=b"x",
                                         headers={"Content-Type": "text/plain"})
            with self.assertRaises(urllib.error.HTTPError) as ctx:
                urllib.request.urlopen(req, timeout=5)
            self.assertEqual(ctx.exception.code, 415)
        self.assertEqual(agent.terminate(), 0)
        lines = [json.loads(x) for x in agent.output().splitlines() if x.strip()]  # every line is JSON
        for line in lines:
            self.assertIn("level", line)
            self.assertIn("component", line)
            self.assertIn("msg", line)
        rejected = [x for x in lines if x["msg"].startswith("Rejected a webhook request that is not JSON")]
        self.assertLessEqual(len(rejected), 6, rejected)
        self.assertEqual(sum(int(x.get("repeated", "1")) for x in rejected), 30, rejected)


if __name__ == "__main__":
    unittest.main(verbosity=2)
