"""Shared helpers for the end-to-end tests: run the real ves-agent and ves-collector-sim binaries on loopback
and read what the simulator received. Standard library only (python3 from Debian)."""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest

AGENT = os.environ.get("VESAGENT_AGENT_BIN", "")
SIM = os.environ.get("VESAGENT_SIM_BIN", "")


def free_port():
    """A port nobody listens on right now (bind to 0, read it, close)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(predicate, timeout, interval=0.05, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError("timed out after %.1fs waiting for %s" % (timeout, what))


class Sim:
    """One ves-collector-sim process writing every received event as a JSON line."""

    def __init__(self, workdir, name, port=0, extra=()):
        self.workdir = workdir
        self.name = name
        self.output = os.path.join(workdir, name + ".jsonl")
        self.port = port
        self.extra = list(extra)
        self.proc = None
        self.log = None

    def start(self):
        port_file = os.path.join(self.workdir, self.name + ".port")
        if os.path.exists(port_file):
            os.unlink(port_file)
        self.log = open(os.path.join(self.workdir, self.name + ".log"), "ab")
        self.proc = subprocess.Popen(
            [SIM, "--listen", "127.0.0.1:%d" % self.port, "--port-file", port_file, "--output", self.output]
            + self.extra, stdout=self.log, stderr=self.log)
        text = wait_until(lambda: _read(port_file).strip(), 10, what=self.name + " port file")
        self.port = int(text)
        return self

    def kill(self):
        """SIGKILL: the collector dies without closing anything cleanly."""
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.log:
            self.log.close()
            self.log = None

    def events(self):
        return read_events(self.output)


def _read(path):
    try:
        with open(path, encoding="utf-8") as fh:
            return fh.read()
    except OSError:
        return ""


def read_events(path):
    out = []
    for line in _read(path).splitlines():
        line = line.strip()
        if line:
            out.append(json.loads(line))
    return out


def header(event):
    return event["commonEventHeader"]


def event_number(event):
    """heartbeat0000000042 -> 42"""
    return int(header(event)["eventId"][len("heartbeat"):])


class Agent:
    def __init__(self, workdir, yaml_text, extra_args=(), env=None):
        self.workdir = workdir
        self.config = os.path.join(workdir, "ves-agent.yml")
        with open(self.config, "w", encoding="utf-8") as fh:
            fh.write(yaml_text)
        self.extra_args = list(extra_args)
        self.env = dict(os.environ)
        self.env.update(env or {})
        self.proc = None
        self.log_path = os.path.join(workdir, "agent.log")

    def start(self):
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen([AGENT, "--config.file", self.config] + self.extra_args,
                                     stdout=self.log, stderr=self.log, env=self.env)
        return self

    def terminate(self, timeout=30):
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        finally:
            self.log.close()

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def output(self):
        return _read(self.log_path)


class E2ETest(unittest.TestCase):
    """Gives each test a work directory and makes sure no process outlives it."""

    def setUp(self):
        if not AGENT or not SIM:
            self.fail("VESAGENT_AGENT_BIN and VESAGENT_SIM_BIN must point at the binaries")
        self.workdir = tempfile.mkdtemp(prefix="vesagent-e2e-")
        self.procs = []

    def tearDown(self):
        for p in self.procs:
            try:
                p.kill() if isinstance(p, Agent) else p.stop()
            except Exception:  # noqa: BLE001 - best effort cleanup
                pass
        failed = any(err for _, err in getattr(self._outcome, "errors", []) if err) or \
            (hasattr(self._outcome, "result") and (self._outcome.result.failures or self._outcome.result.errors))
        if failed:
            # Leave the evidence where a developer can read it.
            for name in sorted(os.listdir(self.workdir)):
                if name.endswith(".log"):
                    sys.stderr.write("---- %s ----\n%s\n" % (name, _read(os.path.join(self.workdir, name))[-4000:]))
        shutil.rmtree(self.workdir, ignore_errors=True)

    def sim(self, name, port=0, extra=()):
        s = Sim(self.workdir, name, port, extra)
        self.procs.append(s)
        return s

    def agent(self, yaml_text, extra_args=(), env=None):
        a = Agent(self.workdir, yaml_text, extra_args, env)
        self.procs.append(a)
        return a


def agent_config(primary_port, backup_port=None, datadir=".", heartbeat="1s", retry="300ms", max_missed=2,
                 shutdown="10s", extra="", webhook_port=None):
    """A complete agent config on loopback. The Alertmanager webhook always gets its own free port, so tests
    running in parallel (and other programs holding 9095) never collide."""
    text = """
datadir: {datadir}
shutdownTimeout: {shutdown}
primaryCollector:
  fqdn: 127.0.0.1
  port: {primary}
  connectTimeout: 1s
  timeout: 3s
event:
  vnfName: e2e-vnf
  nfNamingCode: e2ev
  reportingEntityName: e2e-host
  retryInterval: {retry}
  maxMissed: {max_missed}
heartbeat:
  defaultInterval: {heartbeat}
alertManager:
  bind: 127.0.0.1:{webhook}
""".format(datadir=datadir, shutdown=shutdown, primary=primary_port, retry=retry, max_missed=max_missed,
           heartbeat=heartbeat, webhook=webhook_port or free_port())
    if backup_port:
        text += """backupCollector:
  fqdn: 127.0.0.1
  port: {backup}
  connectTimeout: 1s
  timeout: 3s
""".format(backup=backup_port)
    return text + extra


TEST_DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data")
SCHEMAS = {
    7: os.path.join(TEST_DATA, "ves", "schemas", "CommonEventFormat_30.2.1_ONAP.json"),
    5: os.path.join(TEST_DATA, "ves", "schemas", "CommonEventFormat_28.4.1.json"),
}
VALIDATOR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support", "validate_ves.py")


def schema_problems(events, version, workdir):
    """Runs the official JSON schema of `version` over every received event; returns the checker's complaints."""
    paths = []
    for i, event in enumerate(events):
        path = os.path.join(workdir, "received-%d.json" % i)
        with open(path, "w", encoding="utf-8") as fh:
            json.dump({"event": event}, fh)
        paths.append(path)
    r = subprocess.run(["/usr/bin/python3", VALIDATOR, SCHEMAS[version]] + paths, capture_output=True, text=True,
                       timeout=120)
    return "" if r.returncode == 0 else (r.stdout + r.stderr)
