"""Chaos tests of the durable outbox with the real binaries: the agent is SIGKILLed in the middle of a burst of
webhook alerts, restarted, and every alert that got a 200 must reach the collector. Duplicates are allowed (at
least once) but only as identical events: same eventId, same sequence, same bytes."""
import calendar
import glob
import http.client
import json
import os
import threading
import time
import unittest

from harness import E2ETest, agent_config, free_port, wait_until, header

STARTS_AT = "2026-11-26T07:00:00Z"
STARTS_AT_US = calendar.timegm(time.strptime(STARTS_AT, "%Y-%m-%dT%H:%M:%SZ")) * 1000000


def fnv1a64(data, h=14695981039346656037):
    for b in data:
        h ^= b
        h = (h * 1099511628211) & 0xFFFFFFFFFFFFFFFF
    return h


def event_id(fingerprint):
    """state::FaultStore::make_event_id for the webhook's key am/<fingerprint> and episode STARTS_AT."""
    h = fnv1a64(("am/%s-%d" % (fingerprint, STARTS_AT_US)).encode())
    return "fault-%016x-%d" % (h, STARTS_AT_US // 1000000)


def payload(fingerprints):
    return json.dumps({
        "version": "4", "status": "firing", "receiver": "ves", "groupKey": "{}:{}",
        "groupLabels": {}, "commonLabels": {}, "commonAnnotations": {}, "externalURL": "http://am:9093",
        "alerts": [{"status": "firing", "labels": {"alertname": "Chaos", "instance": fp, "severity": "critical"},
                    "annotations": {"summary": "chaos " + fp}, "startsAt": STARTS_AT,
                    "endsAt": "0001-01-01T00:00:00Z", "fingerprint": fp} for fp in fingerprints]})


class Burst:
    """Posts payloads of `per_payload` new alerts from `threads` keep-alive connections until stop() or `total`
    payloads; remembers the fingerprints of every payload answered 200."""

    def __init__(self, port, total, per_payload=5, threads=4):
        self.port = port
        self.total = total
        self.per_payload = per_payload
        self.threads = threads
        self.accepted = set()
        self.answers = {}
        self.lock = threading.Lock()
        self.next = 0
        self.stopped = False
        self.workers = []

    def _take(self):
        with self.lock:
            if self.stopped or self.next >= self.total:
                return None
            n = self.next
            self.next += 1
            return ["chaos-%05d-%d" % (n, i) for i in range(self.per_payload)]

    def _run(self):
        conn = None
        while True:
            fps = self._take()
            if fps is None:
                break
            status = None
            try:
                if conn is None:
                    conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
                conn.request("POST", "/alerts", body=payload(fps), headers={"Content-Type": "application/json"})
                resp = conn.getresponse()
                resp.read()
                status = resp.status
            except (OSError, http.client.HTTPException):
                if conn is not None:
                    conn.close()
                conn = None  # the agent died (or is not up): these alerts were not accepted
                time.sleep(0.02)
            with self.lock:
                self.answers[status] = self.answers.get(status, 0) + 1
                if status == 200:
                    self.accepted.update(fps)
        if conn is not None:
            conn.close()

    def start(self):
        for _ in range(self.threads):
            t = threading.Thread(target=self._run, daemon=True)
            t.start()
            self.workers.append(t)
        return self

    def accepted_count(self):
        with self.lock:
            return len(self.accepted)

    def join(self, timeout=60):
        for t in self.workers:
            t.join(timeout)

    def stop(self):
        with self.lock:
            self.stopped = True
        self.join()


def set_sim_mode(port, **mode):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request("POST", "/testControl/mode", body=json.dumps(mode),
                     headers={"Content-Type": "application/json"})
        resp = conn.getresponse()
        resp.read()
        assert resp.status == 200
    finally:
        conn.close()


class OutboxChaosTest(E2ETest):
    def config(self, sim_port, webhook_port, extra=""):
        return agent_config(sim_port, datadir=os.path.join(self.workdir, "state"), heartbeat="1h", retry="200ms",
                            webhook_port=webhook_port, extra=extra)

    def wait_webhook(self, port, agent):
        def up():
            if agent.proc.poll() is not None:
                raise AssertionError("agent exited:\n" + agent.output()[-3000:])
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            try:
                c.request("GET", "/alerts")
                c.getresponse().read()
                return True
            except OSError:
                return False
            finally:
                c.close()
        wait_until(up, 15, what="webhook listening")

    def check_delivery(self, sim, accepted, timeout=60):
        """Every accepted alert arrives; duplicates are byte-identical copies (same eventId and sequence)."""
        expected = {event_id(fp) for fp in accepted}

        def faults():
            return [e for e in sim.events() if header(e)["domain"] == "fault"]

        def all_there():
            got = {header(e)["eventId"] for e in faults()}
            return expected <= got
        try:
            wait_until(all_there, timeout, interval=0.2, what="every accepted alert at the collector")
        except AssertionError:
            got = {header(e)["eventId"] for e in faults()}
            missing = sorted(expected - got)
            raise AssertionError("%d of %d accepted alerts never reached the collector, e.g. %s" %
                                 (len(missing), len(expected), missing[:5]))
        by_id = {}
        for e in faults():
            by_id.setdefault(header(e)["eventId"], []).append(e)
        duplicates = 0
        for eid, copies in by_id.items():
            self.assertEqual(header(copies[0])["sequence"], 1, eid)  # every alert is a new fault: a raise
            for c in copies[1:]:
                duplicates += 1
                self.assertEqual(c, copies[0], "a duplicate of %s differs from the first copy" % eid)
        return duplicates

    def test_sigkill_during_a_burst_with_a_slow_collector_loses_no_accepted_alert(self):
        sim = self.sim("collector", extra=["--delay", "150"]).start()
        webhook = free_port()
        agent = self.agent(self.config(sim.port, webhook)).start()
        self.wait_webhook(webhook, agent)
        burst = Burst(webhook, total=100000).start()
        wait_until(lambda: burst.accepted_count() >= 1500, 30, what="1500 accepted alerts")
        agent.kill()  # SIGKILL in the middle of the burst, while the collector is behind
        burst.stop()
        before_restart = len(sim.events())
        self.assertLess(before_restart, burst.accepted_count(), "the collector was meant to be behind")
        set_sim_mode(sim.port, delayMs=0)
        agent2 = self.agent(self.config(sim.port, webhook)).start()
        self.wait_webhook(webhook, agent2)
        self.assertIn("Outbox holds events from a previous run", agent2.output())
        duplicates = self.check_delivery(sim, burst.accepted)
        if os.environ.get("VESAGENT_E2E_VERBOSE"):
            print("accepted=%d at_collector_before_restart=%d duplicates=%d answers=%s" %
                  (burst.accepted_count(), before_restart, duplicates, burst.answers))
        # At least once, not "many times": a replay resends at most what was in flight or not yet acknowledged
        # on disk when the agent died.
        self.assertLess(duplicates, burst.accepted_count())
        self.assertEqual(agent2.terminate(), 0)

    def test_collector_down_for_the_whole_burst_then_up(self):
        collector_port = free_port()  # nothing listens there yet
        webhook = free_port()
        agent = self.agent(self.config(collector_port, webhook)).start()
        self.wait_webhook(webhook, agent)
        burst = Burst(webhook, total=100000).start()
        wait_until(lambda: burst.accepted_count() >= 1000, 30, what="1000 accepted alerts")
        agent.kill()
        burst.stop()
        agent2 = self.agent(self.config(collector_port, webhook)).start()
        self.wait_webhook(webhook, agent2)
        # More alerts while the collector is still down, then the collector comes up.
        burst2 = Burst(webhook, total=40).start()
        burst2.join()
        self.assertEqual(burst2.answers.get(200), 40, burst2.answers)
        sim = self.sim("collector", port=collector_port).start()
        self.check_delivery(sim, burst.accepted | burst2.accepted)
        self.assertEqual(agent2.terminate(), 0)

    def test_corrupt_last_segment_is_reported_and_everything_before_it_delivered(self):
        collector_port = free_port()
        webhook = free_port()
        agent = self.agent(self.config(collector_port, webhook)).start()
        self.wait_webhook(webhook, agent)
        burst = Burst(webhook, total=60, threads=1).start()
        burst.join()
        self.assertEqual(burst.answers.get(200), 60, burst.answers)
        agent.kill()
        segments = sorted(glob.glob(os.path.join(self.workdir, "state", "outbox", "*.seg")))
        self.assertTrue(segments)
        last = segments[-1]
        with open(last, "rb") as fh:
            data = bytearray(fh.read())
        # Damage the newest alert's event record: the last event in the file is the last payload's last alert.
        # (After it comes a state record with the fault decisions of that payload, which has no JSON.)
        last_fp = "chaos-%05d-%d" % (59, 4)
        at = data.rfind(b'"commonEventHeader"')
        self.assertGreater(at, 0)
        self.assertGreater(data.find(last_fp.encode(), at - 2000), 0)  # it is that alert's record
        data[at] ^= 0x20
        with open(last, "wb") as fh:
            fh.write(data)
        sim = self.sim("collector", port=collector_port).start()
        agent2 = self.agent(self.config(collector_port, webhook)).start()
        self.wait_webhook(webhook, agent2)
        wait_until(lambda: "Outbox damaged" in agent2.output(), 10, what="the damage reported")
        self.assertIn("corrupt_records=1", agent2.output())
        self.check_delivery(sim, burst.accepted - {last_fp})
        time.sleep(0.5)
        got = {header(e)["eventId"] for e in sim.events()}
        self.assertNotIn(event_id(last_fp), got)  # the damaged record is cut, not half-delivered
        self.assertEqual(agent2.terminate(), 0)


if __name__ == "__main__":
    unittest.main()
