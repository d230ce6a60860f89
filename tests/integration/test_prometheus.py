"""Prometheus rules -> VES measurement events, against a REAL Prometheus (Debian's prometheus 2.42) on loopback that
scrapes a local file of known samples whose values change with every scrape, the real ves-agent and the bundled
collector simulator. Timeline: windows of 5 s are collected; the collector dies for a window and comes back; the
agent is stopped for a window and restarted, then run with --once. Afterwards every window from the first to the
last reached the collector exactly once, aligned and consecutive, and every value equals what /api/v1/query
answers for the same expression at the window's end. A second test runs VES 5 and the collector's
measurementIntervalChange."""
import collections
import json
import math
import os
import re
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))
from harness import E2ETest, agent_config, header, schema_problems, wait_until  # noqa: E402
from prometheus_peer import PROMETHEUS, Prometheus, SampleServer  # noqa: E402

INTERVAL = 5  # seconds
VMS = {"vm-a": 3, "vm-b": 5}  # per-VM step of the counter


def exposition(n):
    """The n-th scrape: values move with n so that a value belongs to one scrape time only."""
    lines = []
    for vm, step in VMS.items():
        for cpu in (0, 1):
            lines.append('ves_cpu_percent{vnfc="%s",cpu="%d"} %s' % (vm, cpu, 10 + ((n * step + cpu) % 37) * 1.25))
        lines.append('ves_mem_used_kib{vnfc="%s"} %d' % (vm, 1000000 + n * step))
        lines.append('ves_mem_free_kib{vnfc="%s"} %d' % (vm, 500000 - n))
        lines.append('ves_fs_percent{vnfc="%s",mount="/"} %s' % (vm, 40 + (n % 10) / 4))
        lines.append('ves_fs_percent{vnfc="%s",mount="/var"} %s' % (vm, 60 + (n % 8) / 8))
        lines.append('ves_requests_total{vnfc="%s"} %d' % (vm, n * step))
    lines.append('ves_broken{vnfc="vm-a"} NaN')
    lines.append('ves_orphan{host="no-vnfc-label"} 1')
    return "\n".join(lines) + "\n"


RULES = """
measurement:
  domainAbbreviation: Measurement
  defaultInterval: %ds
  maxBufferingDuration: 2m
  prometheus:
    address: {address}
    timeout: 3s
    rules:
      defaults:
        vmId: '{{{{.labels.vnfc}}}}'
        labels:
          - name: CPUIdentifier
            expr: '{{{{.labels.cpu}}}}'
          - name: VMIdentifier
            expr: '{{{{.vmId}}}}'
      metrics:
        - target: CPUUsageArray.PercentUsage
          expr: ves_cpu_percent
        - target: MemoryUsageArray.MemoryUsed
          expr: ves_mem_used_kib
        - target: MemoryUsageArray.MemoryFree
          expr: ves_mem_free_kib
        - target: AdditionalObjects
          expr: ves_fs_percent
          object_name: filesystemCounters
          object_instance: percentUsed
          object_keys:
            - name: mountpoint
              expr: '{{{{.labels.mount}}}}'
        - target: ConcurrentSessions
          expr: ves_requests_total
        - target: requestRate
          expr: ves_requests_total / {{{{.interval}}}}
        - target: CPUUsageArray.PercentUsage
          expr: ves_cpu_percent[1m]
        - target: CPUUsageArray.CPUIdle
          expr: ves_broken
        - target: MemoryUsageArray.MemoryBuffered
          expr: ves_orphan
""" % INTERVAL


def end_seconds(event):
    return header(event)["lastEpochMicrosec"] // 1000000


@unittest.skipIf(PROMETHEUS is None, "prometheus is not installed")
class PrometheusMeasurementTest(E2ETest):
    def start_prometheus(self):
        samples = SampleServer(exposition)
        self.procs.append(samples)
        prom = Prometheus(self.workdir, samples.port)
        self.procs.append(prom)
        # Service discovery takes ~5 s before the first scrape.
        wait_until(lambda: len(prom.query("ves_cpu_percent")["result"]) == 4, 30, interval=0.3,
                   what="Prometheus has scraped the samples")
        return prom

    def test_windows_exactly_once_with_prometheus_values_across_collector_outage_and_agent_restart(self):
        prom = self.start_prometheus()
        sim = self.sim("collector").start()
        config = agent_config(sim.port, datadir=self.workdir, heartbeat="1h", retry="300ms",
                              extra=RULES.format(address=prom.address))
        agent = self.agent(config).start()

        def measurements():
            return [e for e in sim.events() if header(e)["domain"] == "measurement"]

        def windows():
            return sorted({end_seconds(e) for e in measurements()})

        wait_until(lambda: len(windows()) >= 2, 4 * INTERVAL, what="two measurement windows")

        # Collector outage for at least one window: the agent keeps collecting and queueing.
        sim.kill()
        time.sleep(INTERVAL + 1)
        sim = self.sim("collector", port=sim.port).start()
        before_restart = wait_until(lambda: len(windows()) >= 4 and windows(), 4 * INTERVAL,
                                    what="windows queued during the outage")

        # Agent down for at least one window: the restart back-fills from Prometheus what it missed.
        self.assertEqual(agent.terminate(), 0, agent.output())
        time.sleep(INTERVAL + 1)
        agent = self.agent(config).start()
        wait_until(lambda: windows()[-1] >= before_restart[-1] + 3 * INTERVAL, 5 * INTERVAL,
                   what="windows back-filled after the restart")
        self.assertEqual(agent.terminate(), 0, agent.output())

        # --once: one cycle (the windows missed since the last one handed on), delivered, then the agent exits.
        time.sleep(INTERVAL)
        last = windows()[-1]
        once = self.agent(config, extra_args=["--once"]).start()
        self.assertEqual(once.proc.wait(30), 0, once.output())
        once.log.close()
        self.assertGreater(windows()[-1], last)

        events = measurements()
        ends = windows()
        # Aligned and consecutive: every window from the first to the last, each exactly once per VM.
        self.assertEqual(ends, list(range(ends[0], ends[-1] + INTERVAL, INTERVAL)), ends)
        per_vm = collections.Counter((header(e)["sourceName"], end_seconds(e)) for e in events)
        self.assertEqual(set(per_vm.values()), {1}, [k for k, v in per_vm.items() if v > 1])
        self.assertEqual({vm for vm, _ in per_vm}, set(VMS))
        self.assertEqual(len(per_vm), len(VMS) * len(ends))
        self.assertEqual(len({header(e)["eventId"] for e in events}), len(events))

        for e in events:
            h = header(e)
            self.assertEqual(h["lastEpochMicrosec"] % (INTERVAL * 1000000), 0)
            self.assertEqual(h["startEpochMicrosec"], h["lastEpochMicrosec"] - INTERVAL * 1000000)
            self.assertEqual(h["eventName"], "Measurement_e2ev_Measurements")
            self.assertEqual(e["measurementFields"]["measurementInterval"], INTERVAL)
            self.check_values_equal_prometheus(prom, e, "measurementFields")

        # A window's events travel together in /eventBatch posts (the backlog after the outage in bigger ones).
        with open(os.path.join(self.workdir, "collector.log"), encoding="utf-8") as fh:
            self.assertRegex(fh.read(), r"received v7 measurement .* batch=2/\d+")

        # The broken rules were logged once each, not once per window, and did not stop the others.
        log = agent.output()
        # (three agent processes: the first run, the restart, --once)
        self.assertEqual(len(re.findall(r'Measurement rule failed.*metrics\[6\].*wrong_result_type', log)), 3, log)
        self.assertEqual(len(re.findall(r'Series skipped.*metrics\[7\].*not_finite', log)), 3, log)
        self.assertEqual(len(re.findall(r'Series skipped.*metrics\[8\].*missing_vm_id', log)), 3, log)
        self.assertEqual(schema_problems(events, 7, self.workdir), "")

    def test_ves5_events_follow_the_collectors_measurement_interval_change(self):
        prom = self.start_prometheus()
        command = {"commandList": [{"commandType": "measurementIntervalChange", "measurementInterval": 2}]}
        sim = self.sim("collector", extra=["--command-list", json.dumps(command), "--command-list-once"]).start()
        config = "ves:\n  version: 5\n" + agent_config(sim.port, datadir=self.workdir, heartbeat="1h",
                                                       extra=RULES.format(address=prom.address))
        agent = self.agent(config).start()

        def changed():
            return [e for e in sim.events() if header(e)["domain"] == "measurementsForVfScaling"
                    and e["measurementsForVfScalingFields"]["measurementInterval"] == 2]

        wait_until(lambda: len({end_seconds(e) for e in changed()}) >= 3, 6 * INTERVAL,
                   what="three windows at the collector's 2 s interval")
        self.assertEqual(agent.terminate(), 0, agent.output())
        events = changed()
        ends = sorted({end_seconds(e) for e in events})
        self.assertEqual(ends, list(range(ends[0], ends[-1] + 2, 2)), ends)
        self.assertEqual(len(events), len(VMS) * len(ends))
        for e in events:
            h = header(e)
            self.assertEqual(h["lastEpochMicrosec"] % 2000000, 0)
            self.assertEqual(h["startEpochMicrosec"], h["lastEpochMicrosec"] - 2000000)
            self.check_values_equal_prometheus(prom, e, "measurementsForVfScalingFields", interval=2)
        measurements = [e for e in sim.events() if header(e)["domain"] == "measurementsForVfScaling"]
        self.assertEqual(schema_problems(measurements, 5, self.workdir), "")

    def check_values_equal_prometheus(self, prom, event, block, interval=INTERVAL):
        vm = header(event)["sourceName"]
        at = end_seconds(event)
        fields = event[block]

        def series(expr):
            return [s for s in prom.query(expr, at)["result"] if s["metric"].get("vnfc") == vm]

        expected_cpu = {s["metric"]["cpu"]: float(s["value"][1]) for s in series("ves_cpu_percent")}
        got_cpu = {c["cpuIdentifier"]: c["percentUsage"] for c in fields["cpuUsageArray"]}
        self.assertEqual(got_cpu, expected_cpu, (vm, at))
        self.assertTrue(all("cpuIdle" not in c for c in fields["cpuUsageArray"]), "NaN must not be sent")

        mem = fields["memoryUsageArray"]
        self.assertEqual(len(mem), 1)
        self.assertEqual(mem[0]["vmIdentifier"], vm)
        for key, expr in (("memoryUsed", "ves_mem_used_kib"), ("memoryFree", "ves_mem_free_kib")):
            want = series(expr)[0]["value"][1]
            self.assertEqual(mem[0][key], int(want), (vm, at, key))
            self.assertIsInstance(mem[0][key], int, "integer values keep their type")

        objects = fields["additionalObjects"]
        self.assertEqual([o["objectName"] for o in objects], ["filesystemCounters"])
        got_fs = {i["objectKeys"][0]["keyValue"]: i["objectInstance"]["percentUsed"]
                  for i in objects[0]["objectInstances"]}
        self.assertEqual(got_fs, {s["metric"]["mount"]: float(s["value"][1]) for s in series("ves_fs_percent")})

        requests = series("ves_requests_total")[0]["value"][1]
        self.assertEqual(fields["concurrentSessions"], int(requests))
        rate = series("ves_requests_total / %d" % interval)[0]["value"][1]
        self.assertTrue(math.isclose(fields["requestRate"], float(rate), rel_tol=0, abs_tol=0), (vm, at))


if __name__ == "__main__":
    unittest.main(verbosity=2)
