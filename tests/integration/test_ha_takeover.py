"""High availability without holes, on a REAL 3-node etcd (Debian etcd-server 3.4) and real ves-agent binaries:
what a leader accepted and no collector acknowledged is held in etcd too (the replicated log), so a new leader
delivers it when the old one dies. Timelines:

(a) collector down; the leader accepts N alerts and queues measurement windows; SIGKILL; a new leader takes over;
    the collector comes back: every raise and every window arrives, each (eventId, sequence) once, in order per
    fault.
(b) three takeovers in a row with heartbeats, measurements and faults flowing: no eventId names two different
    events.
(c) the heartbeat interval a collector set through its commandList survives a takeover.
(d) a leader killed between its local commit and its etcd commit (test hook) causes no duplicate raise, even when
    it comes back and leads again with the raise still in its own outbox."""
import json
import os
import re
import sys
import threading
import time
import unittest
import urllib.error
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))
from harness import Agent, E2ETest, agent_config, free_port, header, wait_until  # noqa: E402
from etcd_support import Arrivals, EtcdCluster, get_key, get_prefix  # noqa: E402
from prometheus_peer import PROMETHEUS, Prometheus, SampleServer  # noqa: E402

TTL = 3.0         # cluster.leaseTTL
POLL = 0.5        # cluster.pollInterval
HEARTBEAT = 0.5   # heartbeat.defaultInterval
TAKEOVER = TTL + POLL + 6.0  # a dead leader's lease expiry, one campaign, the state load, a loaded 2-core machine
PREFIX = "/ves-takeover-test"


def alert(n, status="firing", severity="major"):
    a = {"status": status, "labels": {"alertname": "Takeover%d" % n, "severity": severity, "VNFC": "vm-%d" % n},
         "annotations": {"description": "alert %d" % n},
         "startsAt": "2026-11-26T06:00:%02dZ" % (n % 60),
         "endsAt": "2026-11-26T06:05:00Z" if status == "resolved" else "0001-01-01T00:00:00Z",
         "generatorURL": "", "fingerprint": "%016x" % (0x7a0000 + n)}
    return {"version": "4", "status": status, "receiver": "ves", "groupKey": "{}", "truncatedAlerts": 0,
            "groupLabels": {}, "commonLabels": {}, "commonAnnotations": {}, "externalURL": "http://am",
            "alerts": [a]}


def post(port, payload, timeout=5):
    req = urllib.request.Request("http://127.0.0.1:%d/alerts" % port, data=json.dumps(payload).encode(),
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code
    except OSError:
        return None  # not listening, or the process died while answering


def sender(event):
    return header(event)["reportingEntityName"]


def identity(event):
    h = header(event)
    return (h["eventId"], h.get("sequence", 0))


class TakeoverTest(E2ETest):
    def setUp(self):
        super().setUp()
        self.etcd = EtcdCluster(self.workdir, 3).start()
        self.endpoints = self.etcd.endpoints
        self.arrivals = None
        self.stop_watch = threading.Event()
        self.watcher = None
        self.agents = {}

    def tearDown(self):
        self.stop_watch.set()
        if self.watcher:
            self.watcher.join()
        if self.etcd:
            self.etcd.stop()
        super().tearDown()

    # ---- helpers ----

    def watch(self, output):
        self.arrivals = Arrivals(output)

        def loop():
            while not self.stop_watch.is_set():
                self.arrivals.poll()
                time.sleep(0.02)
        self.watcher = threading.Thread(target=loop, daemon=True)
        self.watcher.start()

    def events(self, domain=None):
        return [e for _, e in list(self.arrivals.events) if domain is None or header(e)["domain"] == domain]

    def agent(self, name, collector_port, extra="", env=None):
        """Creates (first call) or restarts (same state directory) the agent `name`."""
        d = os.path.join(self.workdir, name)
        first = not os.path.isdir(d)
        if first:
            os.makedirs(d)
            port = free_port()
        else:
            port = self.agents[name].webhook
        text = agent_config(collector_port, datadir=d, heartbeat="%dms" % int(HEARTBEAT * 1000), webhook_port=port,
                            retry="200ms", extra="""cluster:
  endpoints: [{endpoints}]
  name: {name}
  prefix: {prefix}
  leaseTTL: {ttl}s
  pollInterval: {poll}ms
  requestTimeout: 1s
""".format(endpoints=", ".join(self.endpoints), name=name, prefix=PREFIX, ttl=int(TTL),
                   poll=int(POLL * 1000)) + extra)
        text = text.replace("reportingEntityName: e2e-host", "reportingEntityName: " + name)
        agent = Agent(d, text, env=env)
        agent.log_path = os.path.join(self.workdir, name + ".log")  # kept across restarts, printed on failure
        agent.name = name
        agent.webhook = port
        self.procs.append(agent)
        self.agents[name] = agent.start()
        return agent

    def leader(self):
        try:
            return get_key(self.endpoints, PREFIX + "/leader")[0]
        except AssertionError:
            return None

    def wait_for_leader(self, other_than=None, timeout=TAKEOVER + 10):
        def ready():
            name = self.leader()
            if not name or name == other_than:
                return None
            # Elected and done loading: its webhook takes alerts.
            return name if _ready(self.agents[name]) else None
        return wait_until(ready, timeout, interval=0.1, what="a leader other than %s" % other_than)

    def log_keys(self):
        return sorted(get_prefix(self.endpoints, PREFIX + "/log/"))

    def assert_each_identity_once(self, events, what):
        seen = {}
        for e in events:
            seen.setdefault(identity(e), []).append(e)
        dup = {k: len(v) for k, v in seen.items() if len(v) > 1}
        self.assertEqual(dup, {}, "%s delivered more than once (eventId, sequence): %s" % (what, dup))

    def assert_no_event_id_names_two_events(self, events):
        """The same (eventId, sequence) must always be the same event: a repeat is a redelivery, not a new event
        under a used name."""
        by_id = {}
        for e in events:
            h = header(e)
            by_id.setdefault(identity(e), set()).add((h["domain"], h["startEpochMicrosec"], h["lastEpochMicrosec"]))
        shared = {k: v for k, v in by_id.items() if len(v) > 1}
        self.assertEqual(shared, {}, "an eventId was reused for different events")

    # ---- (a) ----

    def test_collector_down_leader_killed_new_leader_delivers_everything_once(self):
        collector_port = free_port()  # nothing listens yet: the collector is down
        measurement = ""
        prom = None
        if PROMETHEUS is not None:
            samples = SampleServer(lambda n: 'takeover_load{vnfc="vm-m"} %d\n' % n)
            self.procs.append(samples)
            prom = Prometheus(self.workdir, samples.port)
            self.procs.append(prom)
            wait_until(lambda: len(prom.query("takeover_load")["result"]) == 1, 30, interval=0.3,
                       what="the first scrape")
            measurement = """measurement:
  defaultInterval: 2s
  maxBufferingDuration: 5m
  prometheus:
    address: %s
    timeout: 2s
    rules:
      defaults:
        vmId: '{{.labels.vnfc}}'
      metrics:
        - target: ConcurrentSessions
          expr: takeover_load
""" % prom.address
        for name in ("agent-a", "agent-b", "agent-c"):
            self.agent(name, collector_port, extra=measurement)
        first = self.wait_for_leader()

        n = 20
        for i in range(n):
            self.assertEqual(post(self.agents[first].webhook, alert(i)), 200, "alert %d" % i)
        windows_before = []
        if prom is not None:
            # Windows the leader collected and committed (their mark is in etcd only after the commit).
            mark_key = PREFIX + "/kv/measurement/last-window-end-ms"
            start = wait_until(lambda: _try(lambda: int(get_key(self.endpoints, mark_key)[0])), 15,
                               what="the first window mark in etcd")
            wait_until(lambda: _try(lambda: int(get_key(self.endpoints, mark_key)[0])) >= start + 4000, 15,
                       what="two more committed windows")
            marked = int(get_key(self.endpoints, mark_key)[0]) // 1000
            # The committed windows that had data (the first may be empty: Prometheus had not scraped yet).
            windows_before = [int(w) for w, n in re.findall(r'Measurement window collected" window_end=(\d+) events=(\d+)',
                                                            self.agents[first].output())
                              if int(n) > 0 and int(w) <= marked]
            self.assertTrue(windows_before, "no committed window with data before the kill")
        self.assertTrue(self.log_keys(), "the leader's undelivered work is in etcd")

        self.agents[first].kill()
        second = self.wait_for_leader(other_than=first)
        self.assertIn("Took over the previous leader's undelivered events", self.agents[second].output())

        sim = self.sim("collector", port=collector_port).start()
        self.watch(sim.output)
        wait_until(lambda: len(self.events("fault")) >= n, 30, what="the %d raises at the collector" % n)
        if windows_before:
            def windows():
                return {header(e)["lastEpochMicrosec"] // 1000000 for e in self.events("measurement")}
            wait_until(lambda: set(windows_before) <= windows(), 30, what="the queued windows %s" % windows_before)
        time.sleep(2)  # anything delivered twice would have arrived by now

        faults = self.events("fault")
        self.assertEqual(len(faults), n, [identity(e) for e in faults])
        self.assertEqual({header(e)["eventName"] for e in faults}, {"Fault_e2ev_Takeover%d" % i for i in range(n)})
        self.assertEqual({header(e)["sequence"] for e in faults}, {1})
        self.assert_each_identity_once(self.events(), "an event")
        # The new leader's log keys go once the collector has everything.
        wait_until(lambda: not self.log_keys(), 15, what="the delivered log keys to be deleted from etcd")
        self.assertEqual(self.agents[second].terminate(), 0, self.agents[second].output())

    # ---- (b) ----

    def test_three_takeovers_in_a_row_never_reuse_an_event_id(self):
        sim = self.sim("collector").start()
        self.watch(sim.output)
        names = ("agent-a", "agent-b", "agent-c")
        for name in names:
            self.agent(name, sim.port)
        leader = self.wait_for_leader()
        sent = 0
        for _ in range(3):
            for _ in range(3):
                self.assertEqual(post(self.agents[leader].webhook, alert(sent)), 200)
                sent += 1
            wait_until(lambda: len(self.events("fault")) >= sent, 15, what="the raises so far")
            self.agents[leader].kill()
            old = leader
            leader = self.wait_for_leader(other_than=old)
            self.agent(old, sim.port)  # back as a follower, with everything it had on disk
            wait_until(lambda: len([e for e in self.events("heartbeat") if sender(e) == leader]) >= 2, 15,
                       what="the new leader's heartbeats")
        # The last leader clears every fault: same eventIds, next sequence.
        for i in range(sent):
            self.assertEqual(post(self.agents[leader].webhook, alert(i, "resolved")), 200)
        wait_until(lambda: len({identity(e) for e in self.events("fault")}) >= 2 * sent, 15, what="the clears")
        time.sleep(1)
        events = self.events()
        self.assert_no_event_id_names_two_events(events)
        heartbeat_ids = [header(e)["eventId"] for e in self.events("heartbeat")]
        self.assertEqual(len(heartbeat_ids), len(set(heartbeat_ids)), "a heartbeat eventId came twice")
        # A leader killed right after the collector's 2xx, before it deleted that batch from etcd's log, has the
        # batch sent again by the next leader: the same events (checked above), never new ones under old names.
        raises = {header(e)["eventId"] for e in self.events("fault") if header(e)["sequence"] == 1}
        clears = {header(e)["eventId"] for e in self.events("fault") if header(e)["sequence"] == 2}
        self.assertEqual(len(raises), sent)
        self.assertEqual(raises, clears)

    # ---- (c) ----

    def test_a_collector_set_heartbeat_interval_survives_a_takeover(self):
        # The collector asks for 2 s heartbeats once; the configured interval is 0.5 s.
        command = {"commandList": [{"commandType": "heartbeatIntervalChange", "heartbeatInterval": 2}]}
        sim = self.sim("collector", extra=["--command-list", json.dumps(command), "--command-list-once"]).start()
        self.watch(sim.output)
        for name in ("agent-a", "agent-b"):
            self.agent(name, sim.port)
        first = self.wait_for_leader()
        wait_until(lambda: "Collector changed the heartbeat interval" in self.agents[first].output(), 10,
                   what="the command to be applied")
        wait_until(lambda: _try(lambda: get_key(self.endpoints, PREFIX + "/kv/collector-intervals")[0]), 10,
                   what="the interval in etcd")
        self.agents[first].kill()
        second = self.wait_for_leader(other_than=first)
        wait_until(lambda: len([e for e in self.events("heartbeat") if sender(e) == second]) >= 4, 15,
                   what="the new leader's heartbeats")
        beats = [header(e) for e in self.events("heartbeat") if sender(e) == second]
        gaps = [(b["lastEpochMicrosec"] - a["lastEpochMicrosec"]) / 1e6 for a, b in zip(beats[1:], beats[2:])]
        self.assertTrue(all(g > 1.5 for g in gaps), "the new leader went back to 0.5 s heartbeats: %s" % gaps)
        intervals = [e["heartbeatFields"]["heartbeatInterval"] for e in self.events("heartbeat")
                     if sender(e) == second]
        self.assertEqual(set(intervals), {2})

    # ---- (d) ----

    def test_leader_dying_between_local_and_cluster_commit_raises_once(self):
        sim = self.sim("collector").start()
        self.watch(sim.output)
        self.agent("agent-a", sim.port, env={"VESAGENT_TEST_CRASH": "before-cluster-commit"})
        self.assertEqual(self.wait_for_leader(), "agent-a")
        self.agent("agent-b", sim.port)
        # The raise reaches agent-a's disk, then agent-a dies before etcd has it: Alertmanager gets no answer.
        self.assertIsNone(post(self.agents["agent-a"].webhook, alert(1)))
        self.agents["agent-a"].proc.wait(10)
        self.assertIn("Test hook: terminating between the local commit and the cluster commit",
                      self.agents["agent-a"].output())
        second = self.wait_for_leader(other_than="agent-a")
        self.assertEqual(second, "agent-b")
        # Alertmanager retries on the new leader.
        self.assertEqual(post(self.agents["agent-b"].webhook, alert(1)), 200)
        wait_until(lambda: len(self.events("fault")) >= 1, 10, what="the raise")
        # agent-a comes back (its outbox still holds the raise) and leads again.
        self.agent("agent-a", sim.port)
        time.sleep(2)
        self.agents["agent-b"].kill()
        self.assertEqual(self.wait_for_leader(other_than="agent-b"), "agent-a")
        wait_until(lambda: len([e for e in self.events("heartbeat") if sender(e) == "agent-a"]) >= 3, 15,
                   what="agent-a's heartbeats as the new leader")
        faults = self.events("fault")
        self.assertEqual([identity(e) for e in faults], [identity(faults[0])], "the raise came more than once")
        self.assertEqual(header(faults[0])["sequence"], 1)


def _ready(agent):
    """The webhook of a leader that finished its takeover answers a malformed body with 400 (503 otherwise)."""
    req = urllib.request.Request("http://127.0.0.1:%d/alerts" % agent.webhook, data=b"{}",
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=2):
            return False
    except urllib.error.HTTPError as e:
        return e.code == 400
    except OSError:
        return False


def _try(fn):
    try:
        return fn()
    except Exception:  # noqa: BLE001 - not there yet
        return None


if __name__ == "__main__":
    unittest.main(verbosity=2)
