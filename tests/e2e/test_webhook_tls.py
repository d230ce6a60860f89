"""The Alertmanager webhook over HTTPS, as an operator configures it with alertManager.tlsCertFile/tlsKeyFile:
an alert posted over TLS becomes a VES fault at the collector, and plain HTTP to that port gets nowhere."""
import json
import os
import ssl
import subprocess
import unittest
import urllib.request

from harness import E2ETest, agent_config, free_port, header, wait_until

ALERT = {"version": "4", "status": "firing", "receiver": "ves", "groupKey": "{}", "truncatedAlerts": 0,
         "groupLabels": {}, "commonLabels": {}, "commonAnnotations": {}, "externalURL": "http://am",
         "alerts": [{"status": "firing", "labels": {"alertname": "TlsAlert", "severity": "critical",
                                                     "VNFC": "vm-tls"},
                     "annotations": {"description": "posted over TLS"}, "startsAt": "2026-11-26T06:00:00Z",
                     "endsAt": "0001-01-01T00:00:00Z", "generatorURL": "", "fingerprint": "0123456789abcdef"}]}


class WebhookTlsTest(E2ETest):
    def test_alert_over_https_reaches_the_collector(self):
        cert = os.path.join(self.workdir, "webhook.crt")
        key = os.path.join(self.workdir, "webhook.key")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                        "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", cert],
                       check=True, capture_output=True)
        sim = self.sim("collector").start()
        port = free_port()
        config = agent_config(sim.port, datadir=self.workdir, heartbeat="1h", webhook_port=port)
        config = config.replace("  bind: 127.0.0.1:%d\n" % port, "  bind: 127.0.0.1:%d\n  tlsCertFile: %s\n"
                                "  tlsKeyFile: %s\n" % (port, cert, key))
        agent = self.agent(config).start()
        context = ssl.create_default_context(cafile=cert)

        def post(url, ctx=None):
            req = urllib.request.Request(url, data=json.dumps(ALERT).encode(),
                                         headers={"Content-Type": "application/json"})
            with urllib.request.urlopen(req, timeout=5, context=ctx) as resp:
                return resp.status

        wait_until(lambda: _try(lambda: post("https://127.0.0.1:%d/alerts" % port, context)) == 200, 10,
                   what="the webhook to answer over HTTPS")
        wait_until(lambda: any(header(e)["domain"] == "fault" for e in sim.events()), 10, what="the fault")
        fault = [e for e in sim.events() if header(e)["domain"] == "fault"][0]
        self.assertEqual(fault["faultFields"]["alarmCondition"], "TlsAlert")
        self.assertEqual(fault["faultFields"]["eventSeverity"], "CRITICAL")
        with self.assertRaises(Exception):
            post("http://127.0.0.1:%d/alerts" % port)
        self.assertEqual(agent.terminate(), 0, agent.output())


def _try(fn):
    try:
        return fn()
    except Exception:  # noqa: BLE001 - not up yet
        return None


if __name__ == "__main__":
    unittest.main(verbosity=2)
