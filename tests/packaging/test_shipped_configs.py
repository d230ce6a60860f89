"""Every configuration an operator may start from loads: `ves-agent --check-config` accepts config/ves-agent.yml
and every config/examples/*.yml, with no warning (but where the example is about VESPA keys), as the packaged binary would run it. Files that reference
certificates or password files refer to paths that need not exist here: --check-config does not open them."""
import glob
import os
import subprocess
import unittest

AGENT = os.environ.get("VESAGENT_AGENT_BIN", "")
SOURCE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")


# Files that show VESPA keys ves-agent accepts but ignores: their warnings are the point of the example.
WARNINGS_EXPECTED = {"vespa-compatible.yml"}


class ShippedConfigTest(unittest.TestCase):
    def check(self, path):
        env = {k: v for k, v in os.environ.items() if not k.startswith("VES_")}
        # An example that refers to files an operator keeps next to it (openstack.yml: clouds.yaml) is checked in
        # data/<name>/, which holds stand-ins for them.
        fixture = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data",
                               os.path.splitext(os.path.basename(path))[0])
        r = subprocess.run([AGENT, "--check-config", "--config.file", os.path.abspath(path)], capture_output=True,
                           text=True, timeout=30, env=env, cwd=fixture if os.path.isdir(fixture) else None)
        self.assertEqual(r.returncode, 0, "%s:\n%s%s" % (path, r.stdout, r.stderr))
        if os.path.basename(path) not in WARNINGS_EXPECTED:
            self.assertNotIn("warning:", r.stderr, path)

    def test_default_config_is_valid(self):
        self.check(os.path.join(SOURCE_DIR, "config", "ves-agent.yml"))

    def test_every_example_is_valid(self):
        examples = sorted(glob.glob(os.path.join(SOURCE_DIR, "config", "examples", "*.yml")))
        self.assertGreaterEqual(len(examples), 3, examples)
        for path in examples:
            with self.subTest(example=os.path.basename(path)):
                self.check(path)


if __name__ == "__main__":
    if not AGENT:
        raise SystemExit("VESAGENT_AGENT_BIN must point at the ves-agent binary")
    unittest.main(verbosity=2)
