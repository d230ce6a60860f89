"""OpenStack VM states -> VES faults, end to end: the real ves-agent polls the Keystone + Nova double
(tests/support/openstack, replaying the recorded API shapes) and posts to ves-collector-sim. Timelines: a VM that
fails is raised, a change to another fault status updates the same fault, recovery clears it, deletion clears it;
a restart neither repeats a raise nor forgets a clear; one cloud down does not hold back another; the events are
valid against the official VES 7 and VES 5 schemas."""
import json
import os
import subprocess
import sys
import time
import unittest
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import E2ETest, TEST_DATA, agent_config, header, schema_problems, wait_until  # noqa: E402

DOUBLE = os.environ.get("VESAGENT_OPENSTACK_DOUBLE_BIN", "")


class Double:
    """One openstack-double process, driven over its /_control API."""

    def __init__(self, workdir, name):
        self.workdir = workdir
        self.name = name
        self.proc = None

    def start(self):
        port_file = os.path.join(self.workdir, self.name + ".port")
        self.log = open(os.path.join(self.workdir, self.name + ".log"), "ab")
        self.proc = subprocess.Popen([DOUBLE, "--port-file", port_file, "--data-dir",
                                      os.path.join(TEST_DATA, "openstack")], stdout=self.log, stderr=self.log)
        self.port = int(wait_until(lambda: _read(port_file).strip(), 10, what=self.name + " port file"))
        return self

    @property
    def auth_url(self):
        return "http://127.0.0.1:%d/identity/v3" % self.port

    def control(self, path, body=None):
        req = urllib.request.Request("http://127.0.0.1:%d/_control/%s" % (self.port, path),
                                     data=json.dumps(body or {}).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=5) as resp:
            text = resp.read().decode()
            return json.loads(text) if text else {}

    def add(self, name, status="ACTIVE"):
        return self.control("servers", {"name": name, "status": status})["id"]

    def status(self, server_id, status):
        self.control("status", {"id": server_id, "status": status})

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)
        if self.log:
            self.log.close()
            self.log = None

    def kill(self):
        self.stop()


def _read(path):
    try:
        with open(path, encoding="utf-8") as fh:
            return fh.read()
    except OSError:
        return ""


def cloud_yaml(name, double, interval="300ms"):
    return """    - name: {name}
      authUrl: {url}
      username: admin
      password: secret
      projectName: admin
      userDomainName: Default
      projectDomainName: Default
      interval: {interval}
""".format(name=name, url=double.auth_url, interval=interval)


def openstack_section(clouds, extra=""):
    return "openstack:\n  timeout: 2s\n  retryBackoffMax: 1s\n" + extra + "  clouds:\n" + clouds


def faults(events):
    return [e for e in events if header(e)["domain"] == "fault"]


def severity(e):
    return e["faultFields"]["eventSeverity"]


class OpenStackE2ETest(E2ETest):
    def setUp(self):
        super().setUp()
        if not DOUBLE:
            self.fail("VESAGENT_OPENSTACK_DOUBLE_BIN must point at openstack-double")

    def double(self, name):
        d = Double(self.workdir, name)
        self.procs.append(d)
        return d.start()

    def wait_faults(self, sim, predicate, what, timeout=15):
        return wait_until(lambda: (lambda f: f if predicate(f) else None)(faults(sim.events())), timeout, what=what)

    def test_vm_fault_lifecycle_restart_and_schema(self):
        sim = self.sim("collector").start()
        os_ = self.double("openstack")
        broken = os_.add("vnf-broken", "ERROR")
        flaky = os_.add("vnf-flaky")
        for i in range(3):
            os_.add("vnf-ok-%d" % i)
        config = agent_config(sim.port, datadir=self.workdir, heartbeat="1h",
                              extra=openstack_section(cloud_yaml("east", os_)))
        agent = self.agent(config).start()
        # t0: the VM already in ERROR is raised once.
        f = self.wait_faults(sim, lambda f: len(f) >= 1, "the ERROR VM's raise")
        self.assertEqual(header(f[0])["sourceName"], "vnf-broken")
        self.assertEqual(header(f[0])["sourceId"], broken)
        self.assertEqual(severity(f[0]), "CRITICAL")
        self.assertEqual(header(f[0])["eventName"], "Fault_e2ev_vmStatusFault")
        info = f[0]["faultFields"]["alarmAdditionalInformation"]
        self.assertEqual(info["cloud"], "east")
        self.assertEqual(info["project"], "demo")
        self.assertEqual(info["vmState"], "error")
        # t1: another VM stops -> raise; pauses -> update of the same fault; starts -> clear.
        os_.status(flaky, "SHUTOFF")
        f = self.wait_faults(sim, lambda f: len(f) >= 2, "the SHUTOFF raise")
        os_.status(flaky, "PAUSED")
        f = self.wait_faults(sim, lambda f: len(f) >= 3, "the PAUSED update")
        os_.status(flaky, "ACTIVE")
        f = self.wait_faults(sim, lambda f: len(f) >= 4, "the clear")
        raise_, update, clear = f[1], f[2], f[3]
        self.assertEqual([severity(e) for e in (raise_, update, clear)], ["MAJOR", "MINOR", "NORMAL"])
        self.assertEqual({header(e)["eventId"] for e in (raise_, update, clear)}, {header(raise_)["eventId"]})
        self.assertEqual([header(e)["sequence"] for e in (raise_, update, clear)], [1, 2, 3])
        self.assertEqual(header(clear)["startEpochMicrosec"], header(raise_)["startEpochMicrosec"])
        # t2: the agent stops; meanwhile the broken VM is repaired and another fails.
        self.assertEqual(agent.terminate(), 0)
        os_.status(broken, "ACTIVE")
        ok0 = os_.control("servers", {"name": "vnf-late", "status": "SUSPENDED"})["id"]
        agent = self.agent(config).start()
        f = self.wait_faults(sim, lambda f: len(f) >= 6, "the clear after restart and the new raise")
        time.sleep(1.5)  # several more polls: nothing may be repeated
        f = faults(sim.events())
        self.assertEqual(len(f), 6, [header(e)["sourceName"] + " " + severity(e) for e in f])
        by_source = {header(e)["sourceId"]: e for e in f[4:]}
        self.assertEqual(severity(by_source[broken]), "NORMAL")
        self.assertEqual(header(by_source[broken])["eventId"], header(f[0])["eventId"])
        self.assertEqual(header(by_source[broken])["sequence"], 2)
        self.assertEqual(severity(by_source[ok0]), "MINOR")
        # t3: deleting the failed VM clears its fault.
        os_.control("delete", {"id": ok0})
        f = self.wait_faults(sim, lambda f: len(f) >= 7, "the clear of the deleted VM")
        self.assertEqual(severity(f[6]), "NORMAL")
        self.assertIn("was deleted", f[6]["faultFields"]["specificProblem"])
        self.assertEqual(agent.terminate(), 0)
        self.assertEqual(schema_problems(sim.events(), 7, self.workdir), "")
        self.assertNotIn("secret", agent.output().replace("secure", ""))

    def test_one_cloud_down_other_fine_ves5_with_state_changes(self):
        sim = self.sim("collector").start()
        up = self.double("up")
        down = self.double("down")
        vm = up.add("vnf-a")
        down.add("vnf-b", "ERROR")
        down.control("down", {"down": True})
        extra = openstack_section(cloud_yaml("down", down) + cloud_yaml("up", up),
                                  extra="  stateChangeEvents: true\n")
        config = agent_config(sim.port, datadir=self.workdir, heartbeat="1h", extra="ves:\n  version: 5\n" + extra)
        agent = self.agent(config).start()
        time.sleep(1.0)
        started = time.monotonic()
        up.status(vm, "SHUTOFF")
        events = wait_until(lambda: (lambda e: e if len(e) >= 2 else None)(
            [e for e in sim.events() if header(e)["domain"] != "heartbeat"]), 10,
            what="fault and stateChange from the working cloud")
        self.assertLess(time.monotonic() - started, 5)
        domains = sorted(header(e)["domain"] for e in events)
        self.assertEqual(domains, ["fault", "stateChange"])
        sc = [e for e in events if header(e)["domain"] == "stateChange"][0]
        self.assertEqual(sc["stateChangeFields"]["oldState"], "inService")
        self.assertEqual(sc["stateChangeFields"]["newState"], "outOfService")
        # The broken cloud comes back: its failed VM is raised.
        down.control("down", {"down": False})
        wait_until(lambda: any(header(e)["sourceName"] == "vnf-b" for e in faults(sim.events())), 10,
                   what="the recovered cloud's fault")
        self.assertEqual(agent.terminate(), 0)
        self.assertEqual(schema_problems(sim.events(), 5, self.workdir), "")
        self.assertIn("cloud=down error_type=transport", agent.output())


if __name__ == "__main__":
    unittest.main()
