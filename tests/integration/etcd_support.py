"""A real etcd (Debian etcd-server 3.4, /usr/bin/etcd) on loopback for the HA tests: one node or a cluster of
several, on free ports with temporary data directories, plus a minimal v3 JSON gateway client (stdlib only)."""
import base64
import json
import os
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.request

from harness import free_port, wait_until

ETCD = os.environ.get("VESAGENT_ETCD_BIN", "/usr/bin/etcd")


class EtcdNode:
    def __init__(self, workdir, name, client_port, peer_port):
        self.name = name
        self.client_port = client_port
        self.peer_port = peer_port
        self.data_dir = os.path.join(workdir, name + ".etcd")
        self.log_path = os.path.join(workdir, name + ".log")
        self.proc = None
        self.log = None

    @property
    def endpoint(self):
        return "http://127.0.0.1:%d" % self.client_port

    @property
    def peer_url(self):
        return "http://127.0.0.1:%d" % self.peer_port

    def start(self, initial_cluster, token):
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [ETCD, "--name", self.name, "--data-dir", self.data_dir,
             "--listen-client-urls", self.endpoint, "--advertise-client-urls", self.endpoint,
             "--listen-peer-urls", self.peer_url, "--initial-advertise-peer-urls", self.peer_url,
             "--initial-cluster", initial_cluster, "--initial-cluster-state", "new",
             "--initial-cluster-token", token, "--logger", "zap", "--log-outputs", "stderr"],
            stdout=self.log, stderr=self.log)
        return self

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if self.log:
            self.log.close()
            self.log = None

    def freeze(self):
        """SIGSTOP: connections are still accepted by the kernel, but nothing answers (a hung member)."""
        self.proc.send_signal(signal.SIGSTOP)

    def thaw(self):
        self.proc.send_signal(signal.SIGCONT)

    def healthy(self):
        try:
            with urllib.request.urlopen(self.endpoint + "/health", timeout=1) as r:
                return json.loads(r.read()).get("health") == "true"
        except Exception:  # noqa: BLE001 - not up yet
            return False


class EtcdCluster:
    """`size` members on 127.0.0.1; start() returns once every member reports healthy."""

    def __init__(self, workdir, size=1):
        self.workdir = workdir
        self.nodes = [EtcdNode(workdir, "etcd%d" % i, free_port(), free_port()) for i in range(size)]

    def start(self):
        initial = ",".join("%s=%s" % (n.name, n.peer_url) for n in self.nodes)
        token = "vesagent-test-%d-%d" % (os.getpid(), self.nodes[0].client_port)
        for n in self.nodes:
            n.start(initial, token)
        wait_until(lambda: all(n.healthy() for n in self.nodes), 30, interval=0.1, what="etcd to become healthy")
        return self

    def stop(self):
        for n in self.nodes:
            try:
                n.thaw()
            except Exception:  # noqa: BLE001 - not running
                pass
            n.kill()
        for n in self.nodes:
            shutil.rmtree(n.data_dir, ignore_errors=True)

    @property
    def endpoints(self):
        return [n.endpoint for n in self.nodes]


def _b64(text):
    return base64.b64encode(text.encode()).decode()


def gateway(endpoint, path, body, timeout=2):
    req = urllib.request.Request(endpoint + path, data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=timeout) as r:
        return json.loads(r.read())


def get_key(endpoints, key):
    """(value, create_revision) of `key`, or (None, 0); tries each endpoint."""
    last = None
    for ep in endpoints:
        try:
            answer = gateway(ep, "/v3/kv/range", {"key": _b64(key)})
            kvs = answer.get("kvs", [])
            if not kvs:
                return None, 0
            return base64.b64decode(kvs[0].get("value", "")).decode(), int(kvs[0]["create_revision"])
        except Exception as e:  # noqa: BLE001 - next endpoint
            last = e
    raise AssertionError("no etcd endpoint answered: %s" % last)


def get_prefix(endpoints, prefix):
    """{key: value} of every key below `prefix`."""
    end = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    for ep in endpoints:
        try:
            answer = gateway(ep, "/v3/kv/range", {"key": _b64(prefix), "range_end": _b64(end)})
            return {base64.b64decode(kv["key"]).decode(): base64.b64decode(kv.get("value", "")).decode()
                    for kv in answer.get("kvs", [])}
        except Exception:  # noqa: BLE001 - next endpoint
            continue
    raise AssertionError("no etcd endpoint answered")


class Arrivals:
    """Stamps each line the simulator appends to its output file with the (monotonic) time the test saw it,
    polling every 20 ms, so timelines can be checked against receive times, not event times."""

    def __init__(self, path):
        self.path = path
        self.offset = 0
        self.partial = b""
        self.events = []  # (monotonic seconds, event)

    def poll(self):
        try:
            with open(self.path, "rb") as fh:
                fh.seek(self.offset)
                data = fh.read()
        except OSError:
            return self.events
        self.offset += len(data)
        data = self.partial + data
        lines = data.split(b"\n")
        self.partial = lines.pop()
        now = time.monotonic()
        for line in lines:
            if line.strip():
                self.events.append((now, json.loads(line)))
        return self.events
