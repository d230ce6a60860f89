"""Faults as 3GPP notifications (event.faultFormat: stndDefined) and the VES 5 collector's throttling commands,
end to end: the real agent, the simulator, and the Alertmanager webhook."""
import http.client
import json
import os
import subprocess
import unittest
import urllib.request

from harness import E2ETest, agent_config, free_port, header, wait_until

STARTS_AT = "2026-01-02T03:04:05Z"
STND_VALIDATOR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support", "validate_stnd.py")


def post_alert(port, status, severity, fingerprint="fp-e2e-1", instance="node-7:9100"):
    body = json.dumps({
        "version": "4", "status": status, "receiver": "ves", "groupKey": "{}:{}", "groupLabels": {},
        "commonLabels": {}, "commonAnnotations": {}, "externalURL": "http://am:9093",
        "alerts": [{"status": status,
                    "labels": {"alertname": "DiskFull", "instance": instance, "severity": severity},
                    "annotations": {"summary": "disk almost full"}, "startsAt": STARTS_AT,
                    "endsAt": "2026-01-02T04:00:00Z" if status == "resolved" else "0001-01-01T00:00:00Z",
                    "fingerprint": fingerprint}]})
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request("POST", "/alerts", body=body, headers={"Content-Type": "application/json"})
        resp = conn.getresponse()
        resp.read()
        return resp.status
    finally:
        conn.close()


def post_alert_when_up(port, agent, status, severity, **kw):
    def attempt():
        if agent.proc.poll() is not None:
            raise AssertionError("agent exited:\n" + agent.output()[-3000:])
        try:
            return post_alert(port, status, severity, **kw) == 200
        except OSError:
            return False
    wait_until(attempt, 15, what="the webhook to take the alert")


def sim_get(port, path):
    with urllib.request.urlopen("http://127.0.0.1:%d%s" % (port, path), timeout=5) as resp:
        return json.loads(resp.read())


def sim_post(port, path, body):
    req = urllib.request.Request("http://127.0.0.1:%d%s" % (port, path), data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(req, timeout=5) as resp:
        return resp.status


def with_event_keys(config_text, lines):
    """Adds keys to the event: section of a harness config."""
    return config_text.replace("\nevent:\n", "\nevent:\n" + "".join("  %s\n" % l for l in lines), 1)


def stnd_events(sim):
    return [e for e in sim.events() if header(e)["domain"] == "stndDefined"]


def faults(sim):
    return [e for e in sim.events() if header(e)["domain"] == "fault"]


def nv(fields, name):
    return {p["name"]: p["value"] for p in fields.get(name, [])}


class StndDefinedFaultTest(E2ETest):
    def test_raise_change_clear_arrive_as_new_changed_cleared_with_one_alarm_id(self):
        sim = self.sim("stnd").start()
        webhook = free_port()
        config = with_event_keys(agent_config(sim.port, datadir=self.workdir, heartbeat="1h", webhook_port=webhook),
                                 ["faultFormat: stndDefined"])
        agent = self.agent(config).start()
        post_alert_when_up(webhook, agent, "firing", "warning")
        wait_until(lambda: len(stnd_events(sim)) >= 1, 10, what="notifyNewAlarm")
        self.assertEqual(post_alert(webhook, "firing", "critical"), 200)
        wait_until(lambda: len(stnd_events(sim)) >= 2, 10, what="notifyChangedAlarm")
        self.assertEqual(post_alert(webhook, "resolved", "critical"), 200)
        wait_until(lambda: len(stnd_events(sim)) >= 3, 10, what="notifyClearedAlarm")

        events = stnd_events(sim)
        self.assertEqual(len(faults(sim)), 0, "no faultFields event is sent with faultFormat stndDefined")
        data = [e["stndDefinedFields"]["data"] for e in events]
        self.assertEqual([d["notificationType"] for d in data],
                         ["notifyNewAlarm", "notifyChangedAlarm", "notifyClearedAlarm"])
        self.assertEqual([d["perceivedSeverity"] for d in data], ["WARNING", "CRITICAL", "CLEARED"])
        self.assertEqual(len({d["alarmId"] for d in data}), 1, data)
        self.assertEqual(len({d["notificationId"] for d in data}), 3, data)
        for e in events:
            self.assertEqual(header(e)["stndDefinedNamespace"], "3GPP-FaultSupervision")
            self.assertEqual(e["stndDefinedFields"]["schemaReference"].split("#")[0],
                             "https://forge.3gpp.org/rep/sa5/MnS/blob/SA88-Rel16/OpenAPI/faultMnS.yaml")

        # What the ONAP collector would answer to each received event (VES 7.2.1 schema + faultMnS.yaml).
        paths = []
        for i, e in enumerate(events):
            path = os.path.join(self.workdir, "stnd-%d.json" % i)
            with open(path, "w", encoding="utf-8") as fh:
                json.dump({"event": e}, fh)
            paths.append(path)
        r = subprocess.run(["/usr/bin/python3", STND_VALIDATOR, "--strict"] + paths, capture_output=True, text=True,
                           timeout=120)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertEqual(agent.terminate(), 0, agent.output())

    def test_ves5_with_stnd_defined_is_refused_at_load(self):
        sim = self.sim("stnd5").start()
        config = with_event_keys(agent_config(sim.port, datadir=self.workdir), ["faultFormat: stndDefined"])
        agent = self.agent(config + "ves:\n  version: 5\n").start()
        code = agent.proc.wait(timeout=20)
        self.assertNotEqual(code, 0)
        self.assertIn("event.faultFormat", agent.output())
        self.assertIn("VES 5.4.1", agent.output())


FAULT_SPEC = {"commandType": "throttlingSpecification",
              "eventDomainThrottleSpecification": {
                  "eventDomain": "fault",
                  "suppressedFieldNames": ["eventCategory", "alarmInterfaceA"],
                  "suppressedNvPairsList": [{"nvPairFieldName": "alarmAdditionalInformation",
                                             "suppressedNvPairNames": ["instance", "summary"]}]}}
FAULT_FIELD = {"commandType": "throttlingSpecification",
               "eventDomainThrottleSpecification": {"eventDomain": "fault",
                                                    "suppressedFieldNames": ["alarmAdditionalInformation"]}}
FAULT_OFF = {"commandType": "throttlingSpecification", "eventDomainThrottleSpecification": {"eventDomain": "fault"}}


class ThrottlingTest(E2ETest):
    def config(self, sim_port, webhook):
        return agent_config(sim_port, datadir=os.path.join(self.workdir, "state"), heartbeat="1s",
                            webhook_port=webhook) + "ves:\n  version: 5\n"

    def test_throttling_specification_suppresses_exactly_the_named_fields_and_survives_a_restart(self):
        sim = self.sim("v5", extra=["--throttling-state"]).start()
        webhook = free_port()
        agent = self.agent(self.config(sim.port, webhook)).start()

        # Unthrottled reference fault.
        post_alert_when_up(webhook, agent, "firing", "major", fingerprint="fp-before")
        wait_until(lambda: len(faults(sim)) >= 1, 10, what="the unthrottled fault")
        before = faults(sim)[0]["faultFields"]
        self.assertIn("instance", nv(before, "alarmAdditionalInformation"))

        # The reply to the next event carries the specification and a request for the state.
        self.assertEqual(sim_post(sim.port, "/testControl/mode",
                                  {"commandList": [FAULT_SPEC, {"commandType": "provideThrottlingState"}],
                                   "once": True}), 200)
        state = wait_until(lambda: sim_get(sim.port, "/testControl/stats")["lastThrottlingState"], 10,
                           what="the provideThrottlingState report")
        self.assertEqual(state, {"eventThrottlingState": {
            "eventThrottlingMode": "throttled",
            "eventDomainThrottleSpecificationList": [FAULT_SPEC["eventDomainThrottleSpecification"]]}})

        post_alert(webhook, "firing", "major", fingerprint="fp-after")
        wait_until(lambda: len(faults(sim)) >= 2, 10, what="the throttled fault")
        after = faults(sim)[1]["faultFields"]
        self.assertEqual(header(faults(sim)[1])["version"], 3.0)
        self.assertNotIn("eventCategory", after)
        self.assertNotIn("alarmInterfaceA", after)
        pairs = nv(after, "alarmAdditionalInformation")
        self.assertNotIn("instance", pairs)
        self.assertNotIn("summary", pairs)
        # Everything else is as before: the same keys, and the same name/value pairs but the two named.
        self.assertEqual(set(after), set(before))
        self.assertEqual(pairs, {k: v for k, v in nv(before, "alarmAdditionalInformation").items()
                                 if k not in ("instance", "summary")})
        # Heartbeats are another domain: untouched.
        self.assertIn("heartbeatFields", [e for e in sim.events() if header(e)["domain"] == "heartbeat"][-1])

        # The state is kept across a restart.
        self.assertEqual(agent.terminate(), 0, agent.output())
        agent = self.agent(self.config(sim.port, webhook)).start()
        post_alert_when_up(webhook, agent, "firing", "major", fingerprint="fp-restarted")
        wait_until(lambda: len(faults(sim)) >= 3, 10, what="the fault after the restart")
        self.assertNotIn("instance", nv(faults(sim)[2]["faultFields"], "alarmAdditionalInformation"))

        # A new specification replaces the domain's lists: now the whole optional field goes, nothing else.
        sim_post(sim.port, "/testControl/mode",
                 {"commandList": [FAULT_FIELD, {"commandType": "provideThrottlingState"}], "once": True})
        wait_until(lambda: sim_get(sim.port, "/testControl/stats")["lastThrottlingState"] ==
                   {"eventThrottlingState": {"eventThrottlingMode": "throttled", "eventDomainThrottleSpecificationList":
                                             [FAULT_FIELD["eventDomainThrottleSpecification"]]}},
                   10, what="the replaced specification")
        post_alert(webhook, "firing", "major", fingerprint="fp-field")
        wait_until(lambda: len(faults(sim)) >= 4, 10, what="the fault without alarmAdditionalInformation")
        self.assertEqual(set(faults(sim)[3]["faultFields"]), set(before) - {"alarmAdditionalInformation"})

        # A specification without lists ends throttling for the domain.
        sim_post(sim.port, "/testControl/mode",
                 {"commandList": [FAULT_OFF, {"commandType": "provideThrottlingState"}], "once": True})
        wait_until(lambda: sim_get(sim.port, "/testControl/stats")["lastThrottlingState"] ==
                   {"eventThrottlingState": {"eventThrottlingMode": "normal"}}, 10, what="the normal state")
        post_alert(webhook, "firing", "major", fingerprint="fp-off")
        wait_until(lambda: len(faults(sim)) >= 5, 10, what="the fault after throttling ended")
        self.assertEqual(nv(faults(sim)[4]["faultFields"], "alarmAdditionalInformation"),
                         nv(before, "alarmAdditionalInformation"))
        self.assertEqual(agent.terminate(), 0, agent.output())


if __name__ == "__main__":
    unittest.main(verbosity=2)
