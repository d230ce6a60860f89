"""What reaches a collector is what the VES version promises: schema-valid bodies on the right URL, with the
credentials the operator configured (including from a password file), for both VES 7 and VES 5."""
import os
import unittest

from harness import E2ETest, agent_config, header, schema_problems, wait_until


class CollectorProtocolTest(E2ETest):
    def check_version(self, version):
        sim = self.sim("collector").start()
        extra = "ves:\n  version: %d\n" % version
        agent = self.agent(agent_config(sim.port, datadir=self.workdir, heartbeat="300ms", extra=extra)).start()
        wait_until(lambda: len(sim.events()) >= 3, 10, what="heartbeats")
        self.assertEqual(agent.terminate(), 0, agent.output())
        events = sim.events()
        self.assertEqual(schema_problems(events, version, self.workdir), "")
        if version == 7:
            self.assertEqual(header(events[0])["vesEventListenerVersion"], "7.2.1")
            self.assertEqual(header(events[0])["version"], "4.1")
        else:
            self.assertNotIn("vesEventListenerVersion", header(events[0]))
            self.assertIsInstance(header(events[0])["version"], float)
        self.assertIn("received v%d heartbeat" % version, open(os.path.join(self.workdir, "collector.log")).read())

    def test_ves7_heartbeats_are_schema_valid(self):
        self.check_version(7)

    def test_ves5_heartbeats_are_schema_valid(self):
        self.check_version(5)

    def test_basic_auth_from_password_file(self):
        secret = "pa55-w0rd"
        sim = self.sim("collector", extra=["--user", "ves", "--password", secret]).start()
        password_file = os.path.join(self.workdir, "collector-password")
        with open(password_file, "w", encoding="utf-8") as fh:
            fh.write(secret + "\n")  # a trailing newline, as editors and `echo` leave it
        extra = "  user: ves\n  passwordFile: %s\n" % password_file
        config = agent_config(sim.port, datadir=self.workdir, heartbeat="300ms")
        config = config.replace("  timeout: 3s\n", "  timeout: 3s\n" + extra, 1)
        agent = self.agent(config).start()
        wait_until(lambda: len(sim.events()) >= 2, 10, what="authenticated heartbeats")
        self.assertEqual(agent.terminate(), 0)
        self.assertNotIn(secret, agent.output())

    def test_wrong_password_keeps_the_events_and_names_the_fix(self):
        sim = self.sim("collector", extra=["--user", "ves", "--password", "right"]).start()
        config = agent_config(sim.port, datadir=self.workdir, heartbeat="300ms", shutdown="1s")
        config = config.replace("  timeout: 3s\n", "  timeout: 3s\n  user: ves\n  password: Wr0ngPa55\n", 1)
        agent = self.agent(config).start()
        wait_until(lambda: "check primaryCollector.user/password" in agent.output(), 10, what="the 401 named")
        wait_until(lambda: "No collector takes events" in agent.output(), 10, what="the queued-events error")
        self.assertEqual(agent.terminate(), 0)
        self.assertEqual(sim.events(), [])
        # A wrong password condemns the endpoint, not the events: nothing is dead-lettered, all stay queued.
        dead = os.path.join(self.workdir, "dead-letters")
        self.assertEqual([n for n in os.listdir(dead) if n.endswith(".jsonl")] if os.path.isdir(dead) else [], [])
        self.assertIn("status=401", agent.output())
        self.assertIn("undelivered=", agent.output())
        self.assertNotIn("undelivered=0", agent.output())
        self.assertNotIn("Wr0ngPa55", agent.output())


if __name__ == "__main__":
    unittest.main(verbosity=2)
