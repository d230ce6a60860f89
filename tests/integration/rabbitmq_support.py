"""A real RabbitMQ (Debian rabbitmq-server 3.10) on loopback for the notification tests: its own data and log
directories, its own Erlang node name and cookie (HOME), epmd on its own port (ERL_EPMD_PORT) bound to loopback,
the AMQP port and the distribution port free ports on 127.0.0.1, no plugins (management off). Plus a publisher
that sends messages the way Nova's oslo.messaging does (py-amqp, Debian python3-amqp, the client oslo uses):
exchange `nova` declared topic, durable=false, auto_delete=false; routing key `<topic>.<priority>`; persistent
messages with content_type application/json. The broker keeps its data directory across stop()/start(), so a
restart keeps durable queues and persistent messages."""
import json
import os
import shutil
import signal
import subprocess
import sys

from harness import free_port, wait_until

RABBITMQ_SERVER = os.environ.get("VESAGENT_RABBITMQ_SERVER", "/usr/lib/rabbitmq/bin/rabbitmq-server")
EPMD = "/usr/bin/epmd"


def _rabbit_home():
    base = "/usr/lib/rabbitmq/lib"
    for name in sorted(os.listdir(base)):
        if name.startswith("rabbitmq_server-"):
            return os.path.join(base, name)
    raise RuntimeError("rabbitmq-server is not installed (Debian package rabbitmq-server)")


class RabbitMQ:
    """One broker node. start() returns once the AMQP port accepts connections. With tls=True it also listens for
    amqps on tls_port, with a self-signed certificate for localhost (`ca_file`: the certificate to trust)."""

    def __init__(self, workdir, name="vesagent-test", tls=False):
        self.dir = os.path.join(workdir, "rabbitmq")
        os.makedirs(self.dir, exist_ok=True)
        self.port = free_port()
        self.tls_port = free_port() if tls else None
        self.ca_file = os.path.join(self.dir, "broker.crt") if tls else None
        self.dist_port = free_port()
        self.epmd_port = free_port()
        self.node = "%s-%d@localhost" % (name, os.getpid())
        self.proc = None
        self.log = None
        with open(os.path.join(self.dir, "enabled_plugins"), "w") as f:
            f.write("[].\n")
        with open(os.path.join(self.dir, "rabbitmq.conf"), "w") as f:
            # guest may log in over 127.0.0.1 anyway; keep the broker quiet and local.
            f.write("listeners.tcp.1 = 127.0.0.1:%d\n" % self.port)
            f.write("log.console = true\nlog.console.level = warning\nlog.file = false\n")
            if tls:
                key = os.path.join(self.dir, "broker.key")
                subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                                "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                                "-keyout", key, "-out", self.ca_file], check=True, capture_output=True)
                f.write("listeners.ssl.default = 127.0.0.1:%d\n" % self.tls_port)
                f.write("ssl_options.cacertfile = %s\nssl_options.certfile = %s\nssl_options.keyfile = %s\n"
                        % (self.ca_file, self.ca_file, key))
                f.write("ssl_options.verify = verify_none\nssl_options.fail_if_no_peer_cert = false\n")

    def env(self):
        env = dict(os.environ)
        env.update({
            "HOME": self.dir,  # the Erlang cookie lives here, not in the invoking user's home
            "RABBITMQ_HOME": _rabbit_home(),
            "RABBITMQ_NODENAME": self.node,
            "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
            "RABBITMQ_NODE_PORT": str(self.port),
            "RABBITMQ_DIST_PORT": str(self.dist_port),
            "ERL_EPMD_PORT": str(self.epmd_port),
            "ERL_EPMD_ADDRESS": "127.0.0.1",
            "RABBITMQ_MNESIA_BASE": os.path.join(self.dir, "mnesia"),
            "RABBITMQ_LOG_BASE": os.path.join(self.dir, "log"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": os.path.join(self.dir, "enabled_plugins"),
            "RABBITMQ_CONFIG_FILE": os.path.join(self.dir, "rabbitmq"),
            "RABBITMQ_PID_FILE": os.path.join(self.dir, "rabbitmq.pid"),
            "RABBITMQ_LOGS": "-",
            # The distribution port on loopback too (it defaults to every interface).
            "RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS": "-kernel inet_dist_use_interface {127,0,0,1}",
        })
        return env

    @property
    def url(self):
        return "amqp://guest:guest@127.0.0.1:%d/" % self.port

    @property
    def tls_url(self):
        return "amqps://guest:guest@localhost:%d/" % self.tls_port

    def accepting(self):
        import socket
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                return True
        except OSError:
            return False

    def start(self, timeout=180):
        self.log = open(os.path.join(self.dir, "rabbitmq.log"), "ab")
        self.proc = subprocess.Popen([RABBITMQ_SERVER], env=self.env(), cwd=self.dir, stdout=self.log,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        try:
            wait_until(lambda: self.accepting() or self.proc.poll() is not None, timeout, interval=0.2,
                       what="RabbitMQ to accept AMQP connections")
        except Exception:
            print(self.tail())
            raise
        if self.proc.poll() is not None:
            raise RuntimeError("rabbitmq-server exited with %s:\n%s" % (self.proc.returncode, self.tail()))
        return self

    def tail(self, n=40):
        try:
            with open(os.path.join(self.dir, "rabbitmq.log"), "rb") as f:
                return b"\n".join(f.read().splitlines()[-n:]).decode(errors="replace")
        except OSError:
            return ""

    def stop(self):
        """Stops the node (SIGTERM to its process group: a clean shutdown that keeps durable state)."""
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGCONT)
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.proc = None
        if self.log:
            self.log.close()
            self.log = None
        wait_until(lambda: not self.accepting(), 30, interval=0.1, what="RabbitMQ to close its port")

    def freeze(self):
        """SIGSTOP: connections stay open but the broker says nothing, heartbeats included (a hung broker)."""
        os.killpg(self.proc.pid, signal.SIGSTOP)

    def thaw(self):
        os.killpg(self.proc.pid, signal.SIGCONT)

    def close(self):
        """stop() plus the epmd this node started, and the data directory."""
        self.stop()
        subprocess.run([EPMD, "-port", str(self.epmd_port), "-kill"], env=self.env(),
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        shutil.rmtree(self.dir, ignore_errors=True)


class Publisher:
    """Publishes like oslo.messaging's notifier (py-amqp): one connection, one channel."""

    def __init__(self, broker, exchange="nova", durable_exchange=False):
        try:
            import amqp  # Debian python3-amqp
        except ImportError:
            # An interpreter other than Debian's (pyenv, venv) does not see Debian's packages by default.
            sys.path.append("/usr/lib/python3/dist-packages")
            import amqp
        self._amqp = amqp
        self.conn = amqp.Connection(host="127.0.0.1:%d" % broker.port, userid="guest", password="guest",
                                    virtual_host="/", connect_timeout=10)
        self.conn.connect()
        self.channel = self.conn.channel()
        self.exchange = exchange
        self.channel.exchange_declare(exchange, "topic", durable=durable_exchange, auto_delete=False)

    def publish_body(self, body, routing_key="versioned_notifications.info"):
        msg = self._amqp.Message(body, content_type="application/json", content_encoding="utf-8",
                                 delivery_mode=2, priority=0, application_headers={})
        self.channel.basic_publish(msg, exchange=self.exchange, routing_key=routing_key)

    def queue_depth(self, queue):
        """Messages ready in `queue` (not counting those delivered and not yet acknowledged)."""
        _, ready, _ = self.channel.queue_declare(queue, passive=True)
        return ready

    def close(self):
        try:
            self.conn.close()
        except Exception:  # noqa: BLE001 - the broker may be gone
            pass


def oslo_wrap(notification):
    """An oslo.messaging 2.0 envelope around a notification dict."""
    return json.dumps({"oslo.version": "2.0", "oslo.message": json.dumps(notification)})


def recorded_messages(data_dir):
    """The 305 recorded (routing_key, body) pairs, in arrival order."""
    out = []
    with open(os.path.join(data_dir, "openstack", "notifications", "capture.jsonl")) as f:
        for line in f:
            if line.strip():
                r = json.loads(line)
                out.append((r["routing_key"], r["body"]))
    return out


def message_id(body):
    return json.loads(json.loads(body)["oslo.message"])["message_id"]

