"""End to end, as an operator sees it: the real ves-agent sends heartbeats to the primary collector, fails over
to the backup when the primary dies, fails back when it returns, and loses no heartbeat on the way."""
import os
import time
import unittest

import harness
from harness import E2ETest, agent_config, event_number, header, schema_problems, wait_until


class HeartbeatFailoverTest(E2ETest):
    def test_heartbeats_survive_primary_death_and_fail_back(self):
        primary = self.sim("primary").start()
        backup = self.sim("backup").start()
        agent = self.agent(agent_config(primary.port, backup.port, datadir=self.workdir, heartbeat="500ms",
                                         retry="200ms", max_missed=2)).start()

        # t0: heartbeats arrive at the primary.
        wait_until(lambda: len(primary.events()) >= 3, 10, what="3 heartbeats at the primary")
        self.assertEqual(backup.events(), [])

        # t1: the primary dies; heartbeats continue at the backup.
        primary.kill()
        killed_at = time.monotonic()
        at_primary_before_kill = len(primary.events())
        wait_until(lambda: len(backup.events()) >= 3, 10, what="3 heartbeats at the backup")
        failover_took = time.monotonic() - killed_at
        self.assertLess(failover_took, 5.0, "failover took %.2fs" % failover_took)

        # t2: the primary comes back on the same port; the agent fails back to it.
        primary.start()
        wait_until(lambda: len(primary.events()) > at_primary_before_kill + 2, 15,
                   what="heartbeats at the primary again (fail-back)")
        at_backup = len(backup.events())
        time.sleep(1.5)
        self.assertEqual(len(backup.events()), at_backup, "backup still receives after fail-back")

        self.assertEqual(agent.terminate(), 0, agent.output())

        # None missing: every number the agent handed out reached a collector.
        received = primary.events() + backup.events()
        numbers = sorted({event_number(e) for e in received})
        self.assertEqual(numbers, list(range(numbers[0], numbers[-1] + 1)),
                         "gaps in heartbeat eventIds: %s" % numbers)
        self.assertGreaterEqual(len(numbers), 8)
        # Duplicates are allowed only as exact resends (a crash between receipt and answer), never altered.
        by_id = {}
        for e in received:
            by_id.setdefault(header(e)["eventId"], []).append(e)
        for event_id, copies in by_id.items():
            for c in copies[1:]:
                self.assertEqual(c, copies[0], "resent %s differs" % event_id)
        # The ONAP heartbeat consumer tracks (eventName, sourceName): both must stay stable.
        self.assertEqual({(header(e)["eventName"], header(e)["sourceName"]) for e in received},
                         {("Heartbeat_e2ev", "e2e-vnf")})
        self.assertEqual(schema_problems(received, 7, self.workdir), "")
        self.assertIn("Failing over", agent.output())
        self.assertIn("failing back", agent.output())

    def test_agent_keeps_the_same_event_numbering_across_restart(self):
        primary = self.sim("primary").start()
        config = agent_config(primary.port, datadir=self.workdir, heartbeat="200ms")
        first = self.agent(config).start()
        wait_until(lambda: len(primary.events()) >= 2, 10, what="first heartbeats")
        self.assertEqual(first.terminate(), 0)
        before = {header(e)["eventId"] for e in primary.events()}
        second = self.agent(config).start()
        wait_until(lambda: len(primary.events()) >= len(before) + 2, 10, what="heartbeats after restart")
        self.assertEqual(second.terminate(), 0)
        after = [header(e)["eventId"] for e in primary.events()][len(before):]
        self.assertFalse(before & set(after), "eventIds reused after a restart")


if __name__ == "__main__":
    unittest.main(verbosity=2)
