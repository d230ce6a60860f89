"""The binary as an operator drives it: --check-config, --help, --version, and SIGHUP reload."""
import os
import signal
import socket
import subprocess
import time
import unittest

from harness import AGENT, E2ETest, agent_config, free_port, header, wait_until


def run(args, env=None):
    e = dict(os.environ)
    e.update(env or {})
    return subprocess.run([AGENT] + args, capture_output=True, text=True, timeout=30, env=e)


class CliTest(E2ETest):
    def write(self, name, text):
        path = os.path.join(self.workdir, name)
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)
        return path

    def test_check_config_accepts_a_valid_file(self):
        path = self.write("ok.yml", agent_config(8443, datadir=self.workdir))
        r = run(["--check-config", "--config.file", path])
        self.assertEqual(r.returncode, 0, r.stderr)

    def test_check_config_reports_every_error_with_key_and_line(self):
        path = self.write("bad.yml", "primaryCollector:\n  fqdn: h\n  port: abc\nevent:\n  retryInterval: 5\n"
                                     "  maxMisssed: 2\n")
        r = run(["--check-config", "--config.file", path])
        self.assertEqual(r.returncode, 1)
        self.assertIn("primaryCollector.port", r.stderr)
        self.assertIn("event.retryInterval", r.stderr)
        self.assertIn("maxMisssed", r.stderr)
        self.assertIn("bad.yml:3", r.stderr)
        self.assertIn("bad.yml:5", r.stderr)

    def test_environment_and_flags_override_the_file(self):
        path = self.write("ok.yml", agent_config(8443, datadir=self.workdir))
        r = run(["--check-config", "--config.file", path, "--primaryCollector.port=notaport"])
        self.assertEqual(r.returncode, 1)
        self.assertIn("primaryCollector.port", r.stderr)
        r = run(["--check-config", "--config.file", path], env={"VES_EVENT_MAXMISSED": "zero"})
        self.assertEqual(r.returncode, 1)
        self.assertIn("VES_EVENT_MAXMISSED", r.stderr)

    def test_missing_explicit_config_file_is_an_error(self):
        r = run(["--check-config", "--config.file", os.path.join(self.workdir, "nope.yml")])
        self.assertEqual(r.returncode, 1)
        self.assertIn("nope.yml", r.stderr)

    def test_help_and_version(self):
        r = run(["--help"])
        self.assertEqual(r.returncode, 0)
        for flag in ["--config.file", "--check-config", "--primaryCollector.fqdn", "VES_PRIMARYCOLLECTOR_FQDN",
                     "--heartbeat.defaultInterval", "--event.maxMissed", "--backupCollector.fqdn"]:
            self.assertIn(flag, r.stdout)
        r = run(["--version"])
        self.assertEqual(r.returncode, 0)
        self.assertIn("ves-agent", r.stdout)
        r = run(["--no-such-flag"])
        self.assertEqual(r.returncode, 2)

    def test_secret_never_printed(self):
        secret = "s3cr3t-Pa55"
        path = self.write("ok.yml", agent_config(8443, datadir=self.workdir) +
                          "backupCollector:\n  fqdn: h\n  password: %s\n  port: nope\n" % secret)
        r = run(["--check-config", "--config.file", path])
        self.assertNotIn(secret, r.stdout + r.stderr)


class ReloadTest(E2ETest):
    def test_sighup_applies_a_valid_config_and_keeps_running_on_a_broken_one(self):
        primary = self.sim("primary").start()
        agent = self.agent(agent_config(primary.port, datadir=self.workdir, heartbeat="30s")).start()
        wait_until(lambda: len(primary.events()) >= 1, 10, what="the first heartbeat")

        # A broken file: the agent says why and keeps its configuration.
        with open(agent.config, "w", encoding="utf-8") as fh:
            fh.write("primaryCollector: [not, a, map]\n")
        agent.proc.send_signal(signal.SIGHUP)
        wait_until(lambda: "Reload refused" in agent.output(), 5, what="the reload refusal")
        self.assertIsNone(agent.proc.poll())

        # A valid file with a 1 s interval: heartbeats speed up without a restart.
        with open(agent.config, "w", encoding="utf-8") as fh:
            fh.write(agent_config(primary.port, datadir=self.workdir, heartbeat="1s"))
        agent.proc.send_signal(signal.SIGHUP)
        wait_until(lambda: len(primary.events()) >= 4, 8, what="heartbeats at the reloaded 1 s interval")
        self.assertEqual(agent.terminate(), 0, agent.output())


class ServiceManagerTest(E2ETest):
    """The unit is Type=notify with WatchdogSec: systemd must hear READY=1 once the webhook accepts connections,
    RELOADING=1 then READY=1 around a SIGHUP, WATCHDOG=1 pings from the event loop, and STOPPING=1 at SIGTERM."""

    def test_notifies_ready_reload_watchdog_and_stopping(self):
        primary = self.sim("primary").start()
        sock_path = os.path.join(self.workdir, "notify.sock")
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        sock.bind(sock_path)
        sock.settimeout(15)
        self.addCleanup(sock.close)
        webhook_port = free_port()
        agent = self.agent(agent_config(primary.port, datadir=self.workdir, heartbeat="30s",
                                        webhook_port=webhook_port),
                           env={"NOTIFY_SOCKET": sock_path, "WATCHDOG_USEC": "400000"}).start()

        def next_message():
            return sock.recv(4096).decode()

        self.assertEqual(next_message(), "READY=1")
        # READY means ready: the webhook already takes connections.
        socket.create_connection(("127.0.0.1", webhook_port), timeout=2).close()
        self.assertEqual(next_message(), "WATCHDOG=1")  # every 200 ms (half of WATCHDOG_USEC)

        agent.proc.send_signal(signal.SIGHUP)
        seen = [next_message() for _ in range(6)]
        seen = [m for m in seen if m != "WATCHDOG=1"]
        self.assertEqual(seen[:2], ["RELOADING=1", "READY=1"], seen)

        agent.proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if next_message() == "STOPPING=1":
                break
        else:
            self.fail("no STOPPING=1 after SIGTERM")
        self.assertEqual(agent.proc.wait(30), 0, agent.output())


if __name__ == "__main__":
    unittest.main(verbosity=2)
