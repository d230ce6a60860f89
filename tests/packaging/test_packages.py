"""The packages as an operator installs them. Builds the .deb with CPack, installs it on this Debian machine with
dpkg -i, and checks what the operator gets: the ves-agent user, a configuration only that user can read, a packaged
configuration that `ves-agent --check-config` accepts (run as the service user), a unit that `systemd-analyze
verify` accepts, a man page, and a changed /etc/ves-agent/ves-agent.yml kept across a reinstall. The package is
purged afterwards when this test installed it. Needs root (dpkg -i): skipped with a message otherwise.
The .rpm is built too and its metadata checked (%config(noreplace), user creation), which needs no root."""
import glob
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

BUILD_DIR = os.environ.get("VESAGENT_BINARY_DIR", "")
CPACK_CONFIG = os.path.join(BUILD_DIR, "CPackConfig.cmake")
UNIT = "/usr/lib/systemd/system/ves-agent.service"
CONFIG = "/etc/ves-agent/ves-agent.yml"


def run(args, **kw):
    kw.setdefault("capture_output", True)
    kw.setdefault("text", True)
    kw.setdefault("timeout", 600)
    return subprocess.run(args, **kw)


def build_package(generator, outdir):
    r = run(["cpack", "--config", CPACK_CONFIG, "-G", generator, "-B", outdir])
    if r.returncode != 0:
        raise AssertionError("cpack -G %s failed:\n%s\n%s" % (generator, r.stdout[-3000:], r.stderr[-3000:]))
    pattern = "*.deb" if generator == "DEB" else "*.rpm"
    found = glob.glob(os.path.join(outdir, pattern))
    if len(found) != 1:
        raise AssertionError("expected one %s in %s, found %s" % (pattern, outdir, found))
    return found[0]


class PackageTest(unittest.TestCase):
    def setUp(self):
        if not os.path.exists(CPACK_CONFIG):
            self.fail("VESAGENT_BINARY_DIR must point at a configured build directory (%s missing)" % CPACK_CONFIG)
        self.workdir = tempfile.mkdtemp(prefix="vesagent-pkg-")

    def tearDown(self):
        shutil.rmtree(self.workdir, ignore_errors=True)

    @unittest.skipIf(shutil.which("dpkg") is None, "dpkg is not installed")
    def test_deb_installs_a_working_service(self):
        if os.geteuid() != 0:
            self.skipTest("installing the .deb needs root (dpkg -i); run the tests as root to include it")
        deb = build_package("DEB", self.workdir)

        listing = run(["dpkg-deb", "--contents", deb]).stdout
        for path in ["./usr/bin/ves-agent", "./etc/ves-agent/ves-agent.yml", "./etc/default/ves-agent",
                     "." + UNIT, "./usr/share/man/man1/ves-agent.1"]:
            self.assertIn(path, listing)
        conffiles = run(["dpkg-deb", "--info", deb, "conffiles"]).stdout.split()
        self.assertEqual(sorted(conffiles), ["/etc/default/ves-agent", CONFIG])

        was_installed = run(["dpkg-query", "-W", "-f=${Status}", "ves-agent"]).stdout.startswith("install ok")
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        try:
            r = run(["dpkg", "-i", deb], env=env)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

            # The service user exists and owns the state directory; the config is root:ves-agent 0640.
            self.assertEqual(run(["getent", "passwd", "ves-agent"]).returncode, 0)
            st = os.stat(CONFIG)
            self.assertEqual(oct(st.st_mode & 0o777), oct(0o640))
            self.assertEqual(run(["stat", "-c", "%U:%G", CONFIG]).stdout.strip(), "root:ves-agent")
            self.assertEqual(run(["stat", "-c", "%U", "/var/lib/ves-agent"]).stdout.strip(), "ves-agent")

            # ExecStartPre, as the unit runs it: the service user validates the packaged config.
            r = run(["runuser", "-u", "ves-agent", "--", "/usr/bin/ves-agent", "--check-config",
                     "--config.file=" + CONFIG])
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            self.assertIn("configuration is valid", r.stdout)
            # Someone else cannot read it (it may hold passwords).
            r = run(["runuser", "-u", "nobody", "--", "/usr/bin/ves-agent", "--check-config",
                     "--config.file=" + CONFIG])
            self.assertNotEqual(r.returncode, 0)

            r = run(["systemd-analyze", "verify", UNIT])
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            self.assertEqual(r.stderr.strip(), "", r.stderr)

            r = run(["man", "-l", "/usr/share/man/man1/ves-agent.1"], env=dict(env, MANPAGER="cat", PAGER="cat"))
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn("--dry-run", r.stdout.replace("\u2010", "-"))

            # An operator's change to the conffile survives a reinstall/upgrade of the same package.
            with open(CONFIG, "a", encoding="utf-8") as fh:
                fh.write("# local change kept across upgrades\n")
            r = run(["dpkg", "-i", "--force-confold", deb], env=env)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            with open(CONFIG, encoding="utf-8") as fh:
                self.assertIn("# local change kept across upgrades", fh.read())
        finally:
            if not was_installed:
                run(["dpkg", "--purge", "ves-agent"], env=env)

    @unittest.skipIf(shutil.which("rpmbuild") is None, "rpmbuild is not installed (Debian package rpm)")
    def test_rpm_marks_the_config_noreplace_and_creates_the_user(self):
        rpm = build_package("RPM", self.workdir)
        files = run(["rpm", "-qp", "--qf", "[%{FILENAMES} %{FILEFLAGS:fflags}\n]", rpm]).stdout
        flags = dict(line.rsplit(" ", 1) if " " in line else (line, "") for line in files.splitlines())
        self.assertIn(CONFIG, flags, files)
        self.assertIn("c", flags[CONFIG])  # %config
        self.assertIn("n", flags[CONFIG])  # noreplace
        self.assertIn("/usr/bin/ves-agent", flags)
        self.assertIn(UNIT, flags)
        self.assertNotIn("/etc/default", flags)  # directories of the filesystem package are not claimed
        scripts = run(["rpm", "-qp", "--scripts", rpm]).stdout
        self.assertIn("useradd --system", scripts)
        self.assertIn("try-restart ves-agent.service", scripts)


if __name__ == "__main__":
    # `test_packages.py deb|rpm` runs one of the two; exit 77 (CTest SKIP_RETURN_CODE) when it was skipped, so
    # ctest reports "Skipped" with the reason instead of a pass.
    which = sys.argv[1] if len(sys.argv) > 1 else ""
    names = {"deb": "test_deb_installs_a_working_service",
             "rpm": "test_rpm_marks_the_config_noreplace_and_creates_the_user"}
    suite = unittest.TestSuite()
    for key, name in names.items():
        if which in ("", key):
            suite.addTest(PackageTest(name))
    result = unittest.TextTestRunner(verbosity=2).run(suite)
    if not result.wasSuccessful():
        sys.exit(1)
    if result.skipped and len(result.skipped) == suite.countTestCases():
        for _, reason in result.skipped:
            print("SKIPPED: " + reason)
        sys.exit(77)
