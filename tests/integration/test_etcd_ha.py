"""High availability on a REAL etcd (Debian etcd-server 3.4): several real ves-agent binaries share one collector
(ves-collector-sim) and campaign for one leadership. Exactly one emits; followers answer the webhook with 503;
SIGKILL of the leader hands over within leaseTTL + pollInterval; the new leader clears, with the same eventId,
the fault the old one raised; a leader cut off from etcd stops before its lease can expire; and the collector's
timeline never shows heartbeats of two leaders at once."""
import json
import os
import subprocess
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
HEARTBEAT = 0.3   # heartbeat.defaultInterval
# Test-side allowance on top of TTL + POLL: our 50 ms polling of etcd, the new leader's state load (two etcd
# round trips) and process scheduling on a loaded 2-core machine.
SLACK = 1.0
PREFIX = "/ves-ha-test"


def alert(status):
    a = {"status": status, "labels": {"alertname": "HaAlert", "severity": "major", "VNFC": "vm-ha"},
         "annotations": {"description": "raised under one leader, cleared by another"},
         "startsAt": "2026-11-26T06:00:00Z",
         "endsAt": "2026-11-26T06:05:00Z" if status == "resolved" else "0001-01-01T00:00:00Z",
         "generatorURL": "", "fingerprint": "00ha00ha00ha00ha"}
    return {"version": "4", "status": status, "receiver": "ves", "groupKey": "{}", "truncatedAlerts": 0,
            "groupLabels": {}, "commonLabels": {}, "commonAnnotations": {}, "externalURL": "http://am",
            "alerts": [a]}


def post(port, payload):
    req = urllib.request.Request("http://127.0.0.1:%d/alerts" % port, data=json.dumps(payload).encode(),
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=5) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code
    except OSError:
        return None  # not listening yet


def sender(event):
    return header(event)["reportingEntityName"]


class EtcdHaTest(E2ETest):
    def setUp(self):
        super().setUp()
        self.etcd = None
        self.arrivals = None
        self.stop_watch = threading.Event()
        self.watcher = None

    def tearDown(self):
        self.stop_watch.set()
        if self.watcher:
            self.watcher.join()
        if self.etcd:
            self.etcd.stop()
        super().tearDown()

    # ---- helpers ----

    def watch(self, sim):
        self.arrivals = Arrivals(sim.output)

        def loop():
            while not self.stop_watch.is_set():
                self.arrivals.poll()
                time.sleep(0.02)
        self.watcher = threading.Thread(target=loop, daemon=True)
        self.watcher.start()

    def events(self):
        return list(self.arrivals.events)

    def heartbeats(self):
        return [(t, e) for t, e in self.events() if header(e)["domain"] == "heartbeat"]

    def start_agents(self, sim, endpoints, names, auth="", extra=""):
        agents = {}
        for name in names:
            d = os.path.join(self.workdir, name)
            os.makedirs(d)
            port = free_port()
            text = agent_config(sim.port, datadir=d, heartbeat="%dms" % int(HEARTBEAT * 1000), webhook_port=port,
                                extra="""cluster:
  endpoints: [{endpoints}]
  name: {name}
  prefix: {prefix}
  leaseTTL: {ttl}s
  pollInterval: {poll}ms
  requestTimeout: 1s
""".format(endpoints=", ".join(endpoints), name=name, prefix=PREFIX, ttl=int(TTL), poll=int(POLL * 1000)) + auth
                                + extra)
            text = text.replace("reportingEntityName: e2e-host", "reportingEntityName: " + name)
            agent = Agent(d, text)
            agent.log_path = os.path.join(self.workdir, name + ".log")  # printed by tearDown on failure
            agent.name = name
            agent.webhook = port
            self.procs.append(agent)
            agents[name] = agent.start()
        return agents

    def leader(self, endpoints):
        return get_key(endpoints, PREFIX + "/leader")[0]

    def wait_for_new_leader(self, endpoints, old, timeout):
        def check():
            try:
                name = self.leader(endpoints)
            except AssertionError:
                return None
            return name if name and name != old else None
        return wait_until(check, timeout, interval=0.05, what="a new leader other than %s" % old)

    def assert_one_leader_at_a_time(self, killed):
        """Heartbeats in arrival order form runs of one sender each; the runs never overlap in time (by the
        events' own creation times either), and the killed leader never emits again."""
        beats = self.heartbeats()
        runs = []
        for t, e in beats:
            who = sender(e)
            if not runs or runs[-1]["who"] != who:
                runs.append({"who": who, "first": t, "last": t, "first_ev": header(e)["lastEpochMicrosec"],
                             "last_ev": header(e)["lastEpochMicrosec"], "n": 0})
            runs[-1]["last"] = t
            runs[-1]["last_ev"] = header(e)["lastEpochMicrosec"]
            runs[-1]["n"] += 1
        summary = [(r["who"], r["n"]) for r in runs]
        for a, b in zip(runs, runs[1:]):
            self.assertLess(a["last_ev"], b["first_ev"], "two leaders emitted heartbeats at once: %s" % summary)
        self.assertEqual(runs[0]["who"], killed, summary)
        self.assertNotIn(killed, [r["who"] for r in runs[1:]], "the killed leader emitted again: %s" % summary)
        ids = [header(e)["eventId"] for _, e in beats]
        self.assertEqual(len(ids), len(set(ids)), "a heartbeat eventId was repeated across leaders")
        return runs

    # ---- tests ----

    def test_single_node_three_agents_failover_fault_continuity_and_fencing(self):
        sim = self.sim("collector").start()
        self.watch(sim)
        self.etcd = EtcdCluster(self.workdir, 1).start()
        endpoints = self.etcd.endpoints
        agents = self.start_agents(sim, endpoints, ["agent-a", "agent-b", "agent-c"])

        first = wait_until(lambda: self.leader(endpoints), 15, interval=0.05, what="a leader")
        wait_until(lambda: len(self.heartbeats()) >= 3, 10, what="the leader's heartbeats")
        time.sleep(1.0)
        self.assertEqual({sender(e) for _, e in self.heartbeats()}, {first}, "only the leader sends heartbeats")

        # Followers answer 503 (Alertmanager retries elsewhere); the leader takes the alert.
        for name, agent in agents.items():
            if name != first:
                wait_until(lambda a=agent: post(a.webhook, alert("firing")) == 503, 10, what=name + " to answer 503")
        wait_until(lambda: post(agents[first].webhook, alert("firing")) == 200, 10, what="the leader to accept")
        raise_ = wait_until(lambda: [e for _, e in self.events() if header(e)["domain"] == "fault"], 10,
                            what="the fault raise")[0]
        event_id = header(raise_)["eventId"]
        self.assertEqual(header(raise_)["sequence"], 1)
        self.assertEqual(sender(raise_), first)
        records = wait_until(lambda: get_prefix(endpoints, PREFIX + "/faults/"), 5, what="the fault in etcd")
        self.assertEqual([json.loads(v)["eventId"] for v in records.values()], [event_id])

        # SIGKILL the leader: another agent takes over within leaseTTL + pollInterval.
        killed_at = time.monotonic()
        agents[first].kill()
        second = self.wait_for_new_leader(endpoints, first, TTL + POLL + SLACK + 5)
        takeover = time.monotonic() - killed_at
        first_beat = wait_until(lambda: [t for t, e in self.heartbeats() if sender(e) == second], 5,
                                what="the new leader's heartbeats")[0]
        sys.stderr.write("takeover: leader key after %.2fs, first heartbeat after %.2fs (leaseTTL %.0fs, "
                         "pollInterval %.1fs)\n" % (takeover, first_beat - killed_at, TTL, POLL))
        self.assertLessEqual(takeover, TTL + POLL + SLACK)

        # The new leader clears the old leader's fault, with the same eventId and the next sequence.
        wait_until(lambda: post(agents[second].webhook, alert("resolved")) == 200, 10, what="the resolve")
        clear = wait_until(lambda: [e for _, e in self.events() if header(e)["domain"] == "fault" and
                                    e["faultFields"]["eventSeverity"] == "NORMAL"], 10, what="the clear")[0]
        self.assertEqual(header(clear)["eventId"], event_id)
        self.assertEqual(header(clear)["sequence"], 2)
        self.assertEqual(sender(clear), second)
        self.assertEqual(header(clear)["startEpochMicrosec"], header(raise_)["startEpochMicrosec"])

        # Freeze etcd: the leader cannot renew and must stop emitting BEFORE its lease could expire.
        time.sleep(1.0)
        frozen_at = time.monotonic()
        self.etcd.nodes[0].freeze()
        time.sleep(TTL + 1.5)
        during = [t for t, _ in self.heartbeats() if t > frozen_at]
        self.assertTrue(during, "heartbeats stopped at once instead of at the fence deadline")
        last = max(during) - frozen_at
        sys.stderr.write("fencing: last heartbeat %.2fs after etcd froze (lease TTL %.0fs)\n" % (last, TTL))
        # The last renewal was sent at most T/3 before the freeze, so the lease lives until at least
        # freeze + 2T/3; the fence deadline is a further T/3 earlier than that renewal's expiry.
        self.assertLess(last, TTL * 2 / 3 + 0.25, "a leader emitted after its lease could have expired")
        self.etcd.nodes[0].thaw()
        thawed_at = time.monotonic()
        wait_until(lambda: [t for t, _ in self.heartbeats() if t > thawed_at], TTL + POLL + SLACK + 5,
                   what="heartbeats again after etcd came back")

        self.assert_one_leader_at_a_time(first)
        for name, agent in agents.items():
            if name != first:
                self.assertEqual(agent.terminate(), 0, agent.output())

    def test_three_node_cluster_survives_a_member_and_a_leader_loss(self):
        sim = self.sim("collector").start()
        self.watch(sim)
        self.etcd = EtcdCluster(self.workdir, 3).start()
        endpoints = self.etcd.endpoints
        agents = self.start_agents(sim, endpoints, ["agent-x", "agent-y"])
        first = wait_until(lambda: self.leader(endpoints), 15, interval=0.05, what="a leader")
        wait_until(lambda: len(self.heartbeats()) >= 3, 10, what="heartbeats")

        # The etcd member both agents talk to first dies: they fail over to the others and a leader keeps
        # emitting (possibly after a short pause while etcd elects its own new raft leader).
        self.etcd.nodes[0].kill()
        lost_member_at = time.monotonic()
        wait_until(lambda: [t for t, _ in self.heartbeats() if t > lost_member_at + 1.0], TTL + POLL + SLACK + 5,
                   what="heartbeats after an etcd member died")
        survivors = endpoints[1:]
        current = wait_until(lambda: self.leader(survivors), 10, what="the leader key")

        killed_at = time.monotonic()
        agents[current].kill()
        other = self.wait_for_new_leader(survivors, current, TTL + POLL + SLACK + 5)
        takeover = time.monotonic() - killed_at
        sys.stderr.write("3-node takeover after %.2fs\n" % takeover)
        # One more second than the single-node bound: etcd's raft leader changed moments ago (the killed member),
        # a new raft leader renews every lease to its full TTL when it takes office, its expiry check runs every
        # 500 ms and the revoke itself goes through raft. Measured 2.2-4.7 s on a loaded 2-core machine.
        self.assertLessEqual(takeover, TTL + POLL + SLACK + 1.0)
        took_over = wait_until(lambda: [t for t, e in self.heartbeats() if sender(e) == other and t > killed_at], 5,
                               what="the new leader's heartbeats")[0]
        time.sleep(1.5)

        beats = self.heartbeats()
        after = [sender(e) for t, e in beats if t > took_over]
        self.assertTrue(after and set(after) == {other}, after)
        # Runs of one sender, never overlapping; the agent killed last never emits again.
        runs = []
        for t, e in beats:
            if not runs or runs[-1][0] != sender(e):
                runs.append([sender(e), header(e)["lastEpochMicrosec"], header(e)["lastEpochMicrosec"]])
            runs[-1][2] = header(e)["lastEpochMicrosec"]
        for a, b in zip(runs, runs[1:]):
            self.assertLess(a[2], b[1], "two leaders emitted heartbeats at once: %s" % [r[0] for r in runs])
        self.assertEqual(runs[-1][0], other)
        self.assertEqual(agents[other].terminate(), 0, agents[other].output())

    def test_etcd_auth_and_graceful_handover(self):
        """With etcd authentication on, the agents log in (token from /v3/auth/authenticate); a leader stopped
        with SIGTERM revokes its lease, so the other agent takes over long before the lease TTL."""
        sim = self.sim("collector").start()
        self.watch(sim)
        self.etcd = EtcdCluster(self.workdir, 1).start()
        endpoints = self.etcd.endpoints
        ctl = ["/usr/bin/etcdctl", "--endpoints", endpoints[0]]
        env = dict(os.environ, ETCDCTL_API="3")
        for args in (["role", "add", "root"], ["user", "add", "root:s3cret"], ["user", "grant-role", "root", "root"],
                     ["auth", "enable"]):
            subprocess.run(ctl + args, env=env, check=True, capture_output=True, timeout=20)
        password_file = os.path.join(self.workdir, "etcd-password")
        with open(password_file, "w", encoding="utf-8") as fh:
            fh.write("s3cret\n")
        agents = self.start_agents(sim, endpoints, ["agent-p", "agent-q"],
                                   auth="  user: root\n  passwordFile: %s\n" % password_file)
        with self.assertRaises(AssertionError):  # the gateway refuses anonymous reads now
            get_key(endpoints, PREFIX + "/leader")
        def leader_of():  # a reader with credentials
            out = subprocess.run(ctl + ["--user", "root:s3cret", "get", PREFIX + "/leader", "--print-value-only"],
                                 env=env, capture_output=True, timeout=10, text=True).stdout.strip()
            return out or None
        first = wait_until(leader_of, 15, interval=0.1, what="a leader with authentication")
        wait_until(lambda: [e for _, e in self.heartbeats() if sender(e) == first], 10, what="heartbeats")

        stopped_at = time.monotonic()
        self.assertEqual(agents[first].terminate(), 0, agents[first].output())
        other = [n for n in agents if n != first][0]
        wait_until(lambda: [t for t, e in self.heartbeats() if sender(e) == other], TTL, interval=0.02,
                   what="the other agent to take over")
        handover = min(t for t, e in self.heartbeats() if sender(e) == other) - stopped_at
        sys.stderr.write("graceful handover: first heartbeat of the new leader %.2fs after SIGTERM\n" % handover)
        self.assertLess(handover, TTL - 1.0, "the stopped leader did not revoke its lease")
        self.assertIn("Left the cluster (lease revoked)", agents[first].output())
        self.assertEqual(agents[other].terminate(), 0, agents[other].output())

    @unittest.skipIf(PROMETHEUS is None, "prometheus is not installed")
    def test_measurement_windows_continue_across_a_leader_failover(self):
        """The leader keeps its last delivered measurement window in etcd as well: the next leader continues from
        it, so the windows missed during the takeover are back-filled and none is skipped."""
        samples = SampleServer(lambda n: 'ha_load{vnfc="vm-ha"} %d\n' % n)
        self.procs.append(samples)
        prom = Prometheus(self.workdir, samples.port)
        self.procs.append(prom)
        wait_until(lambda: len(prom.query("ha_load")["result"]) == 1, 30, interval=0.3, what="the first scrape")
        interval = 2
        rules = """measurement:
  defaultInterval: %ds
  maxBufferingDuration: 2m
  prometheus:
    address: %s
    timeout: 2s
    rules:
      defaults:
        vmId: '{{.labels.vnfc}}'
      metrics:
        - target: ConcurrentSessions
          expr: ha_load
""" % (interval, prom.address)
        sim = self.sim("collector").start()
        self.watch(sim)
        self.etcd = EtcdCluster(self.workdir, 1).start()
        endpoints = self.etcd.endpoints
        agents = self.start_agents(sim, endpoints, ["agent-a", "agent-b"], extra=rules)
        first = wait_until(lambda: self.leader(endpoints), 15, interval=0.05, what="a leader")

        def windows(who=None):
            return [header(e)["lastEpochMicrosec"] // 1000000 for _, e in self.events()
                    if header(e)["domain"] == "measurement" and (who is None or sender(e) == who)]

        wait_until(lambda: len(windows(first)) >= 2, 6 * interval + 5, what="the first leader's windows")
        mark = wait_until(lambda: _try(lambda: int(get_key(endpoints, PREFIX + "/kv/measurement/last-window-end-ms")[0])),
                          5, what="the window mark in etcd")
        self.assertEqual(mark % (interval * 1000), 0, "the mark is a window end (ms)")
        agents[first].kill()
        second = self.wait_for_new_leader(endpoints, first, TTL + POLL + SLACK + 5)
        # The takeover lasts about leaseTTL + pollInterval: a window or two fall into it.
        before = max(windows(first))
        wait_until(lambda: windows(second) and max(windows(second)) >= before + 3 * interval, 8 * interval + 10,
                   what="the new leader's windows")
        ends = sorted(set(windows()))
        self.assertEqual(ends, list(range(ends[0], ends[-1] + interval, interval)),
                         "a window was skipped at the failover: %s" % ends)
        counts = {w: windows().count(w) for w in ends}
        repeated = [w for w, n in counts.items() if n > 1]
        # At least once: the one window whose mark the killed leader had not written to etcd yet may come twice.
        self.assertLessEqual(len(repeated), 1, "windows sent twice: %s (first leader up to %d)" % (repeated, before))
        self.assertIn("Continuing from the cluster's last measurement window", agents[second].output())
        self.assertEqual(agents[second].terminate(), 0, agents[second].output())


def _try(fn):
    try:
        return fn()
    except Exception:  # noqa: BLE001 - not there yet
        return None


if __name__ == "__main__":
    unittest.main(verbosity=2)
