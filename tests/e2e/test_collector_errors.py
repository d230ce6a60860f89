"""End to end, one test per row of the status table in docs/operations.md: the real ves-agent against
ves-collector-sim answering 401 (rotated password), 404 (wrong path), 301 (moved collector), 400 with the ONAP
exception for one event, and 413 over a size. Endpoint errors keep every event and fail over to the backup (no
dead letter), fail back once the primary is repaired, and every alert arrives exactly once. Only a refused event
goes to the dead-letter store, and it comes back with `ves-agent dead-letters replay` on the stopped agent."""
import http.client
import json
import os
import subprocess
import unittest

import harness
from harness import E2ETest, agent_config, free_port, header, wait_until

STARTS_AT = "2026-12-07T07:00:00Z"


def payload(fingerprints, description=""):
    def annotations(fp):
        # specificProblem is the description, else the summary: "e2e <fingerprint>" finds an alert's event.
        out = {"summary": "e2e " + fp}
        if description:
            out["description"] = description
        return out
    return json.dumps({
        "version": "4", "status": "firing", "receiver": "ves", "groupKey": "{}:{}",
        "groupLabels": {}, "commonLabels": {}, "commonAnnotations": {}, "externalURL": "http://am:9093",
        "alerts": [{"status": "firing", "labels": {"alertname": "Errors", "instance": fp, "severity": "major"},
                    "annotations": annotations(fp), "startsAt": STARTS_AT,
                    "endsAt": "0001-01-01T00:00:00Z", "fingerprint": fp} for fp in fingerprints]})


def post_alerts(port, fingerprints, description=""):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("POST", "/alerts", body=payload(fingerprints, description),
                     headers={"Content-Type": "application/json"})
        resp = conn.getresponse()
        body = resp.read()
        assert resp.status == 200, (resp.status, body)
    finally:
        conn.close()


def control(port, **mode):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request("POST", "/testControl/mode", body=json.dumps(mode), headers={"Content-Type": "application/json"})
        resp = conn.getresponse()
        body = resp.read()
        assert resp.status == 200, (resp.status, body)
    finally:
        conn.close()


def event_ids(sim, domain="fault"):
    return [header(e)["eventId"] for e in sim.events() if header(e)["domain"] == domain]


def dead_letters(datadir):
    r = subprocess.run([harness.AGENT, "dead-letters", "list", "--datadir=" + datadir, "--output=json"],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


class CollectorErrorsTest(E2ETest):
    def start_agent(self, primary, backup=None, primary_extra=""):
        self.webhook = free_port()
        self.datadir = os.path.join(self.workdir, "state")
        config = agent_config(primary.port, backup.port if backup else None, datadir=self.datadir,
                              heartbeat="1h", retry="200ms", max_missed=3, webhook_port=self.webhook)
        if primary_extra:
            config = config.replace("  timeout: 3s\nevent:", "  timeout: 3s\n" + primary_extra + "event:", 1)
        agent = self.agent(config).start()

        def up():
            if agent.proc.poll() is not None:
                raise AssertionError("agent exited:\n" + agent.output()[-3000:])
            c = http.client.HTTPConnection("127.0.0.1", self.webhook, timeout=1)
            try:
                c.request("GET", "/alerts")
                c.getresponse().read()
                return True
            except OSError:
                return False
            finally:
                c.close()
        wait_until(up, 15, what="webhook listening")
        return agent

    def check_endpoint_error_row(self, primary_flags, primary_extra, repair, expected_log):
        primary = self.sim("primary", extra=primary_flags).start()
        backup = self.sim("backup").start()
        agent = self.start_agent(primary, backup, primary_extra)

        first = ["a%d" % i for i in range(5)]
        post_alerts(self.webhook, first)
        wait_until(lambda: len(event_ids(backup)) >= 5, 15, what="5 faults at the backup")
        self.assertEqual(event_ids(primary), [])
        self.assertEqual(dead_letters(self.datadir)["total"], 0)
        log = agent.output()
        self.assertEqual(log.count('msg="' + expected_log), 1, log[-3000:])

        # Repaired: the agent fails back on its own (probe) and the next alerts go to the primary.
        control(primary.port, **repair)
        wait_until(lambda: "failing back" in agent.output(), 15, what="fail-back")
        second = ["b%d" % i for i in range(5)]
        post_alerts(self.webhook, second)
        wait_until(lambda: len(event_ids(primary)) >= 5, 15, what="5 faults at the primary")
        self.assertEqual(agent.terminate(), 0, agent.output()[-3000:])

        received = event_ids(primary) + event_ids(backup)
        self.assertEqual(len(received), 10, received)
        self.assertEqual(len(set(received)), 10, "an alert arrived twice: %s" % received)
        self.assertEqual(len(event_ids(backup)), 5)
        self.assertEqual(dead_letters(self.datadir)["total"], 0)

    def test_401_rotated_password(self):
        self.check_endpoint_error_row(
            ["--user", "ves", "--password", "rotated"], "  user: ves\n  password: old\n", {"password": "old"},
            "401 from primaryCollector: check primaryCollector.user/password")

    def test_404_wrong_path(self):
        self.check_endpoint_error_row(
            ["--server-root", "ves"], "", {"serverRoot": ""},
            "404 from primaryCollector: check primaryCollector.serverRoot/topic")

    def test_301_moved_collector(self):
        self.check_endpoint_error_row(
            ["--redirect", "https://new-collector.example:8443/eventListener/v7"], "", {"redirect": None},
            "301 from primaryCollector: the collector redirects to https://new-collector.example:8443")

    def test_both_collectors_unusable_events_wait_then_go(self):
        primary = self.sim("primary", extra=["--server-root", "ves"]).start()
        backup = self.sim("backup", extra=["--user", "ves", "--password", "x"]).start()
        agent = self.start_agent(primary, backup)
        post_alerts(self.webhook, ["w%d" % i for i in range(3)])
        wait_until(lambda: "No collector takes events" in agent.output(), 15, what="the no-collector error")
        self.assertEqual(event_ids(primary) + event_ids(backup), [])
        self.assertEqual(dead_letters(self.datadir)["total"], 0)
        control(backup.port, user="", password="")
        wait_until(lambda: len(event_ids(backup)) >= 3, 15, what="3 faults at the backup")
        self.assertEqual(agent.terminate(), 0)
        self.assertEqual(len(set(event_ids(backup))), 3)

    def test_400_refused_event(self):
        primary = self.sim("primary").start()
        agent = self.start_agent(primary)
        # The collector refuses posts while it is told to; the alerts queue in one batch meanwhile.
        control(primary.port, mode="fail", status=503)
        names = ["g0", "g1", "bad", "g2", "g3"]
        post_alerts(self.webhook, names)
        wait_until(lambda: "did not take the events" in agent.output(), 15, what="a failed post")
        # Which eventId did "bad" get? The agent's outbox segments hold each event's JSON as it will be posted.
        outbox = os.path.join(self.datadir, "outbox")
        bad_id = None
        for name in sorted(os.listdir(outbox)):
            if not name.endswith(".seg"):
                continue
            with open(os.path.join(outbox, name), "rb") as fh:
                data = fh.read()
            at = data.find(b"e2e bad")
            if at >= 0:
                start = data.rfind(b'"eventId":"', 0, at)
                bad_id = data[start + 11:data.index(b'"', start + 11)].decode()
        self.assertIsNotNone(bad_id, "alert 'bad' not found in the outbox")
        control(primary.port, mode="ok", rejectEventIds=[bad_id])
        wait_until(lambda: len(event_ids(primary)) >= 4, 15, what="the 4 good faults")
        wait_until(lambda: dead_letters(self.datadir)["total"] == 1, 15, what="one dead letter")
        record = dead_letters(self.datadir)["records"][0]
        self.assertEqual(record["eventId"], bad_id)
        self.assertEqual(record["status"], 400)
        self.assertIn("SVC0002", record["reason"])
        self.assertNotIn(bad_id, event_ids(primary))

        # Offline replay is refused while the agent holds the datadir.
        r = subprocess.run([harness.AGENT, "dead-letters", "replay", "--datadir=" + self.datadir, "--all"],
                           capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 1)
        self.assertIn("is an agent running", r.stderr)
        self.assertEqual(agent.terminate(), 0)

        # The collector is fixed; replay on the stopped agent's datadir, twice: the second finds nothing.
        control(primary.port, rejectEventIds=[])
        r = subprocess.run([harness.AGENT, "dead-letters", "replay", "--datadir=" + self.datadir, "--all"],
                           capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("replayed 1 dead letter", r.stdout)
        r = subprocess.run([harness.AGENT, "dead-letters", "replay", "--datadir=" + self.datadir, "--all"],
                           capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("replayed 0 dead letters", r.stdout)
        self.assertEqual(dead_letters(self.datadir)["total"], 0)

        agent = self.start_agent(primary)
        wait_until(lambda: bad_id in event_ids(primary), 15, what="the replayed fault")
        self.assertEqual(agent.terminate(), 0)
        received = event_ids(primary)
        self.assertEqual(len(received), 5, received)
        self.assertEqual(len(set(received)), 5, "an alert arrived twice: %s" % received)

    def test_413_batch_split_and_single_event_over_the_limit(self):
        primary = self.sim("primary").start()
        agent = self.start_agent(primary)
        control(primary.port, mode="fail", status=503)
        post_alerts(self.webhook, ["s%d" % i for i in range(6)])
        post_alerts(self.webhook, ["huge"], description="x" * 20000)
        wait_until(lambda: "did not take the events" in agent.output(), 15, what="a failed post")
        # Room for about two ordinary fault events per post; the huge one never fits.
        control(primary.port, mode="ok", maxBodyBytes=6000)
        wait_until(lambda: len(event_ids(primary)) >= 6, 20, what="the 6 ordinary faults")
        wait_until(lambda: dead_letters(self.datadir)["total"] == 1, 15, what="the huge fault dead-lettered")
        record = dead_letters(self.datadir)["records"][0]
        self.assertEqual(record["status"], 413)
        self.assertIn("posting smaller batches", agent.output())
        self.assertEqual(agent.terminate(), 0)
        self.assertEqual(len(set(event_ids(primary))), 6)


if __name__ == "__main__":
    unittest.main(verbosity=2)
