"""A real Prometheus (Debian's `prometheus` 2.42) on loopback for the measurement tests, scraping a tiny local HTTP
server that serves an exposition text of known samples (values change with every scrape). Standard library only."""
import http.server
import json
import os
import shutil
import subprocess
import threading
import urllib.parse
import urllib.request

from harness import free_port, wait_until

PROMETHEUS = shutil.which("prometheus")


class SampleServer:
    """Serves /metrics. `render(n)` returns the exposition text for the n-th scrape (n = 1, 2, ...)."""

    def __init__(self, render):
        self.render = render
        self.scrapes = 0
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's naming
                outer.scrapes += 1
                body = outer.render(outer.scrapes).encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/plain; version=0.0.4")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()

    kill = stop


class Prometheus:
    def __init__(self, workdir, target_port, scrape_interval="1s"):
        self.port = free_port()
        config = os.path.join(workdir, "prometheus.yml")
        with open(config, "w", encoding="utf-8") as fh:
            fh.write("""
global:
  scrape_interval: %s
  evaluation_interval: %s
scrape_configs:
  - job_name: samples
    static_configs:
      - targets: ['127.0.0.1:%d']
""" % (scrape_interval, scrape_interval, target_port))
        self.log = open(os.path.join(workdir, "prometheus.log"), "ab")
        self.proc = subprocess.Popen(
            [PROMETHEUS, "--config.file", config, "--storage.tsdb.path", os.path.join(workdir, "prom-data"),
             "--web.listen-address", "127.0.0.1:%d" % self.port], stdout=self.log, stderr=self.log)
        wait_until(self.ready, 30, what="Prometheus ready")

    @property
    def address(self):
        return "http://127.0.0.1:%d" % self.port

    def ready(self):
        try:
            with urllib.request.urlopen(self.address + "/-/ready", timeout=1) as r:
                return r.status == 200
        except OSError:
            return False

    def query(self, expr, at=None):
        """The data of /api/v1/query for `expr` at time `at` (seconds, float) or now."""
        params = {"query": expr}
        if at is not None:
            params["time"] = repr(at)
        url = self.address + "/api/v1/query?" + urllib.parse.urlencode(params)
        with urllib.request.urlopen(url, timeout=10) as r:
            answer = json.loads(r.read())
        assert answer["status"] == "success", answer
        return answer["data"]

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()

    kill = stop
