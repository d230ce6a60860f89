"""The collector's commandList (VES 5 heartbeatIntervalChange) retunes the heartbeat at once, observed in the
arrival times of the heartbeats at the collector."""
import json
import time
import unittest
import urllib.request

from harness import E2ETest, agent_config, header, wait_until

TO_ONE_SECOND = {"commandList": [{"commandType": "heartbeatIntervalChange", "heartbeatInterval": 1}]}
TO_DEFAULT = {"commandList": [{"commandType": "heartbeatIntervalChange", "heartbeatInterval": 0}]}


def post_mode(port, body):
    req = urllib.request.Request("http://127.0.0.1:%d/testControl/mode" % port, data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(req, timeout=5) as resp:
        return resp.status


class CommandListTest(E2ETest):
    def test_heartbeat_interval_change_is_applied_at_once(self):
        # The reply to the first heartbeat carries the command.
        primary = self.sim("primary", extra=["--command-list", json.dumps(TO_ONE_SECOND),
                                             "--command-list-once"]).start()
        # A 30 s default: without the command only the first, immediate heartbeat would arrive in this test.
        agent = self.agent(agent_config(primary.port, datadir=self.workdir, heartbeat="30s")).start()
        wait_until(lambda: len(primary.events()) >= 5, 8, what="heartbeats at the commanded 1 s interval")
        times = [header(e)["startEpochMicrosec"] / 1e6 for e in primary.events()]
        gaps = [b - a for a, b in zip(times, times[1:])]
        for gap in gaps:
            self.assertGreater(gap, 0.7, gaps)
            self.assertLess(gap, 1.6, gaps)
        # heartbeatFields announce the new interval (v7 is the default version).
        self.assertEqual(primary.events()[-1]["heartbeatFields"]["heartbeatInterval"], 1)

        # 0 means "back to the configured default": after the next reply, no heartbeat for 30 s.
        self.assertEqual(post_mode(primary.port, {"mode": "ok", "once": True, "commandList": TO_DEFAULT}), 200)
        before = len(primary.events())
        wait_until(lambda: len(primary.events()) > before, 3, what="the heartbeat that gets the reset")
        settled = len(primary.events())
        time.sleep(3)
        self.assertEqual(len(primary.events()), settled, "heartbeats continue at 1 s after the reset to 30 s")
        self.assertEqual(agent.terminate(), 0, agent.output())


if __name__ == "__main__":
    unittest.main(verbosity=2)
