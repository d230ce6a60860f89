"""amqp::Consumer against a REAL RabbitMQ (Debian rabbitmq-server 3.10, started on loopback by rabbitmq_support.py),
through amqp-probe (the consumer plus the notification parser as a program). The 305 notifications recorded from a
real Nova are published the way oslo.messaging publishes them and must arrive complete and in order; a message is
not acknowledged before its handler says so (a consumer killed while holding messages gives them all back); a broker
restart loses nothing from the durable queue and the consumer reconnects by itself; a poisoned message is logged,
acknowledged once and never redelivered; an exchange Nova declared with other flags (durable) is used as it is."""
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))
from harness import wait_until  # noqa: E402
from rabbitmq_support import Publisher, RabbitMQ, message_id, oslo_wrap, recorded_messages  # noqa: E402

PROBE = os.environ.get("VESAGENT_AMQP_PROBE_BIN", "build/tests/integration/amqp-probe")
DATA = os.environ.get("VESAGENT_TEST_DATA", os.path.join(os.path.dirname(__file__), "..", "data"))
QUEUE = "ves-agent-test"


class Probe:
    """amqp-probe as a child process; its stdout lines are collected by a thread."""

    def __init__(self, broker, queue=QUEUE, hold=False, extra=(), url=None):
        args = [PROBE, "--url", url or broker.url, "--heartbeat", "2"]
        if queue:
            args += ["--queue", queue]
        if hold:
            args.append("--hold")
        args += list(extra)
        self.lines = []
        self.lock = threading.Lock()
        self.proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=None, text=True)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for line in self.proc.stdout:
            with self.lock:
                self.lines.append(json.loads(line))

    def events(self, kind):
        with self.lock:
            return [e for e in self.lines if e["event"] == kind]

    def message_ids(self):
        return [e["message_id"] for e in self.events("message")]

    def connected(self, connects=1):
        st = self.events("status")
        return bool(st) and st[-1]["connected"] and st[-1]["connects"] >= connects

    def wait_connected(self, connects=1, timeout=60):
        wait_until(lambda: self.connected(connects), timeout, interval=0.05,
                   what="the consumer to be connected (connection %d)" % connects)

    def ack(self):
        self.proc.stdin.write("ack\n")
        self.proc.stdin.flush()

    def stop(self, sig=signal.SIGTERM):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(timeout=30)
        self.reader.join(timeout=5)
        for pipe in (self.proc.stdin, self.proc.stdout):
            if pipe and not pipe.closed:
                pipe.close()


class AmqpConsumerTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="vesagent-rabbitmq-")
        cls.broker = RabbitMQ(cls.tmp.name, tls=True).start()
        cls.recorded = recorded_messages(DATA)

    @classmethod
    def tearDownClass(cls):
        cls.broker.close()
        cls.tmp.cleanup()

    def publisher(self, **kw):
        p = Publisher(self.broker, **kw)
        self.addCleanup(p.close)
        return p

    def probe(self, **kw):
        p = Probe(self.broker, **kw)
        self.addCleanup(p.stop)
        return p

    def test_1_recorded_notifications_arrive_complete_and_in_order(self):
        probe = self.probe()
        probe.wait_connected()
        pub = self.publisher()
        for key, body in self.recorded:
            pub.publish_body(body, key)
        expected = [message_id(body) for _, body in self.recorded]
        wait_until(lambda: len(probe.message_ids()) >= len(expected), 60, what="all recorded notifications")
        self.assertEqual(probe.message_ids(), expected)
        self.assertEqual(probe.events("unreadable"), [])
        by_type = {}
        for e in probe.events("message"):
            by_type[e["event_type"]] = by_type.get(e["event_type"], 0) + 1
        self.assertEqual(by_type["instance.update"], 158)
        self.assertEqual(by_type["compute_task.build_instances.error"], 2)  # routed via versioned_notifications.error
        stops = [e for e in probe.events("message") if e["event_type"] == "instance.power_off.end"]
        self.assertTrue(stops and all(e["status"] == "SHUTOFF" for e in stops))
        wait_until(lambda: pub.queue_depth(QUEUE) == 0, 10, what="every message acknowledged")
        probe.stop()
        self.assertEqual(pub.queue_depth(QUEUE), 0, "nothing left unacknowledged in the durable queue")

    def test_2_unacknowledged_messages_survive_consumer_kill_and_broker_restart(self):
        pub = self.publisher()
        holder = self.probe(hold=True)
        holder.wait_connected()
        batch = self.recorded[:40]
        for key, body in batch:
            pub.publish_body(body, key)
        ids = [message_id(body) for _, body in batch]
        wait_until(lambda: len(holder.message_ids()) == len(ids), 30, what="the held messages")
        # Delivered but not acknowledged: the broker holds them for this consumer, none is ready for another.
        self.assertEqual(pub.queue_depth(QUEUE), 0)
        holder.stop(signal.SIGKILL)  # the agent dies before its events were durable
        wait_until(lambda: pub.queue_depth(QUEUE) == len(ids), 30, what="the unacknowledged messages to return")
        pub.close()

        # Broker restart: the durable queue and its persistent messages survive it.
        self.broker.stop()
        self.broker.start()
        probe = self.probe()
        probe.wait_connected()
        wait_until(lambda: len(probe.message_ids()) >= len(ids), 60, what="the messages kept across the restart")
        self.assertEqual(sorted(set(probe.message_ids())), sorted(ids))
        self.assertEqual(probe.message_ids(), ids, "redelivered in their original order")
        self.assertTrue(all(e["redelivered"] for e in probe.events("message")))

        # Broker restart while the consumer runs: it reconnects, re-binds, and consumes what follows.
        self.broker.stop()
        wait_until(lambda: not probe.events("status")[-1]["connected"], 30, what="the consumer to notice")
        self.assertTrue(probe.events("status")[-1]["error"])
        self.broker.start()
        probe.wait_connected(connects=2)
        pub2 = self.publisher()
        more = self.recorded[40:60]
        for key, body in more:
            pub2.publish_body(body, key)
        wait_until(lambda: len(probe.message_ids()) >= len(ids) + len(more), 30, what="messages after reconnect")
        self.assertEqual(probe.message_ids()[len(ids):], [message_id(b) for _, b in more])
        wait_until(lambda: pub2.queue_depth(QUEUE) == 0, 10, what="every message acknowledged")

    def test_3_poisoned_message_is_logged_acknowledged_once_and_not_redelivered(self):
        probe = self.probe()
        probe.wait_connected()
        pub = self.publisher()
        poison = ["not json at all", json.dumps({"oslo.version": "2.0", "oslo.message": "{broken"}),
                  oslo_wrap({"event_type": "instance.update", "payload": {"nova_object.data": {"state": "active"}}})]
        for body in poison:
            pub.publish_body(body, "versioned_notifications.error")
        key, good = self.recorded[100]
        pub.publish_body(good, key)
        wait_until(lambda: message_id(good) in probe.message_ids(), 30, what="the good message after the poison")
        unreadable = probe.events("unreadable")
        self.assertEqual(len(unreadable), 3, unreadable)
        self.assertIn("not JSON", unreadable[0]["why"])
        self.assertIn("oslo.message is not JSON", unreadable[1]["why"])
        self.assertIn("no instance uuid", unreadable[2]["why"])
        wait_until(lambda: pub.queue_depth(QUEUE) == 0, 10, what="the poison acknowledged")
        probe.stop()
        stopped = probe.events("stopped")[-1]
        self.assertEqual(stopped["unreadable"], 3, "counted by the consumer")
        self.assertEqual(stopped["acked"], 4)
        # A new consumer of the same queue gets nothing: the poison was acknowledged, not requeued.
        again = self.probe()
        again.wait_connected()
        pub.publish_body(good, key)
        wait_until(lambda: len(again.message_ids()) == 1, 30, what="the marker message")
        self.assertEqual(again.events("unreadable"), [])

    def test_4_exchange_declared_durable_by_the_cloud_is_used_as_it_is(self):
        # A cloud with amqp_durable_queues=true declares its exchange durable; a consumer that declared it
        # non-durable would be refused (PRECONDITION_FAILED). The consumer's passive declaration accepts both.
        pub = self.publisher(exchange="nova_durable", durable_exchange=True)
        probe = self.probe(queue="", extra=["--exchange", "nova_durable"])
        probe.wait_connected()
        key, body = self.recorded[120]
        pub.publish_body(body, key)
        wait_until(lambda: probe.message_ids() == [message_id(body)], 30, what="the message via the durable exchange")
        self.assertEqual(probe.events("status")[-1]["failures"], 0)

    def test_5_amqps_with_the_brokers_ca_and_refused_without_it(self):
        pub = self.publisher()
        probe = self.probe(queue="", url=self.broker.tls_url, extra=["--ca", self.broker.ca_file])
        probe.wait_connected()
        self.assertTrue(probe.events("status")[-1]["broker"].startswith("amqps://guest@localhost:"))
        key, body = self.recorded[130]
        pub.publish_body(body, key)
        wait_until(lambda: probe.message_ids() == [message_id(body)], 30, what="the message over TLS")
        # The system's CAs do not know the broker's self-signed certificate: no connection, a reason, retries.
        untrusted = self.probe(queue="", url=self.broker.tls_url)
        wait_until(lambda: len(untrusted.events("status")) >= 2, 30, what="two failed TLS attempts")
        self.assertFalse(any(e["connected"] for e in untrusted.events("status")))
        self.assertIn("TLS", untrusted.events("status")[-1]["error"])

    def test_6_hung_broker_is_noticed_by_missed_heartbeats(self):
        probe = self.probe()  # heartbeat 2 s: librabbitmq gives up after two intervals without a frame
        probe.wait_connected()
        self.broker.freeze()
        try:
            wait_until(lambda: not probe.events("status")[-1]["connected"], 30, what="the missed heartbeats")
            self.assertIn("heartbeat", probe.events("status")[-1]["error"])
        finally:
            self.broker.thaw()
        probe.wait_connected(connects=2)
        pub = self.publisher()
        key, body = self.recorded[140]
        pub.publish_body(body, key)
        wait_until(lambda: message_id(body) in probe.message_ids(), 30, what="a message after the reconnect")


if __name__ == "__main__":
    unittest.main(verbosity=2)
