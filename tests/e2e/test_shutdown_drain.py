"""SIGTERM during a collector outage: the agent keeps the queued events, delivers them as soon as a collector
comes back within shutdownTimeout, and exits 0."""
import time
import unittest

from harness import E2ETest, agent_config, event_number, wait_until


class ShutdownDrainTest(E2ETest):
    def test_sigterm_during_outage_delivers_queue_when_collector_returns(self):
        collector = self.sim("collector")
        port = __import__("harness").free_port()
        collector.port = port
        agent = self.agent(agent_config(port, datadir=self.workdir, heartbeat="200ms", retry="200ms",
                                         shutdown="15s")).start()
        time.sleep(2.0)  # about 10 heartbeats queue up while nothing listens
        agent.proc.send_signal(__import__("signal").SIGTERM)
        time.sleep(1.0)
        self.assertIsNone(agent.proc.poll(), "agent exited with events still queued")
        collector.start()  # the collector returns, on the same port, within the deadline
        code = agent.proc.wait(15)
        self.assertEqual(code, 0, agent.output())
        numbers = sorted(event_number(e) for e in collector.events())
        self.assertGreaterEqual(len(numbers), 5, numbers)
        self.assertEqual(numbers, list(range(numbers[0], numbers[0] + len(numbers))), numbers)
        self.assertEqual(numbers[0], 1, "the first heartbeat, queued during the outage, is missing")

    def test_shutdown_deadline_bounds_the_wait(self):
        port = __import__("harness").free_port()
        agent = self.agent(agent_config(port, datadir=self.workdir, heartbeat="200ms", retry="200ms",
                                        shutdown="1s")).start()
        time.sleep(1.0)
        started = time.monotonic()
        agent.proc.send_signal(__import__("signal").SIGTERM)
        code = agent.proc.wait(10)
        self.assertLess(time.monotonic() - started, 4.0)
        self.assertEqual(code, 0)
        self.assertIn("Shutdown deadline reached", agent.output())


if __name__ == "__main__":
    unittest.main(verbosity=2)
