#include "support/proxy_daemons.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <thread>
#include <vector>

namespace vesagent::test {
namespace {

bool accepts(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool ok = ::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

void write_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
}

bool run_shell(const std::string& command) { return std::system(command.c_str()) == 0; }

}  // namespace

std::uint16_t free_loopback_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  std::uint16_t port = 0;
  if (fd >= 0 && ::bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  if (fd >= 0) ::close(fd);
  return port;
}

ProxyDaemon::ProxyDaemon(Kind kind) : kind_(kind), port_(free_loopback_port()) {
  const auto& dir = dir_.path();
  // The daemons drop root privileges after binding and still write their logs here.
  ::chmod(dir.c_str(), 0777);
  std::vector<std::string> argv;
  const std::string port = std::to_string(port_);
  if (kind == Kind::squid) {
    write_file(dir / "squid.conf",
               "http_port 127.0.0.1:" + port + "\n"
               "http_access allow all\n"
               "cache deny all\n"
               "pid_filename none\n"
               "pinger_enable off\n"
               "access_log stdio:" + (dir / "access.log").string() + "\n"
               "cache_log " + (dir / "cache.log").string() + "\n"
               "coredump_dir " + dir.string() + "\n"
               "shutdown_lifetime 0 seconds\n");
    argv = {"/usr/sbin/squid", "-N", "-f", (dir / "squid.conf").string()};
  } else {
    write_file(dir / "danted.conf",
               "logoutput: " + (dir / "danted.log").string() + "\n"
               "internal: 127.0.0.1 port = " + port + "\n"
               "external: 127.0.0.1\n"
               "clientmethod: none\n"
               "socksmethod: none\n"
               "user.privileged: root\n"
               "user.unprivileged: nobody\n"
               "client pass { from: 127.0.0.0/8 to: 0.0.0.0/0 }\n"
               "socks pass {\n  from: 127.0.0.0/8 to: 0.0.0.0/0\n  command: connect\n  log: connect\n}\n");
    argv = {"/usr/sbin/danted", "-f", (dir / "danted.conf").string(), "-p", (dir / "danted.pid").string(), "-N",
            "1"};
  }
  if (::access(argv[0].c_str(), X_OK) != 0) {
    problem_ = argv[0] + " is not installed (packaging/dev/install-deps.sh installs it)";
    installed_ = false;
    return;
  }
  pid_ = ::fork();
  if (pid_ == 0) {
    ::setpgid(0, 0);  // its own process group: squid forks helpers, all stopped together
    const std::string out = (dir / "stdout.log").string();
    if (std::FILE* f = std::freopen(out.c_str(), "w", stdout)) (void)f;
    ::dup2(::fileno(stdout), 2);
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  if (pid_ < 0) {
    problem_ = "fork failed";
    return;
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (std::chrono::steady_clock::now() < deadline) {
    if (accepts(port_)) {
      ready_ = true;
      return;
    }
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      problem_ = argv[0] + " exited at start: " + read_text(dir / "stdout.log") +
                 read_text(dir / (kind == Kind::squid ? "cache.log" : "danted.log"));
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  problem_ = argv[0] + " did not accept connections within 15 s";
}

ProxyDaemon::~ProxyDaemon() {
  if (pid_ <= 0) return;
  ::kill(-pid_, SIGKILL);
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
}

std::string ProxyDaemon::url(bool remote_dns) const {
  const std::string scheme = kind_ == Kind::squid ? "http" : (remote_dns ? "socks5h" : "socks5");
  return scheme + "://127.0.0.1:" + std::to_string(port_);
}

std::string ProxyDaemon::log() const {
  return read_text(dir_.path() / (kind_ == Kind::squid ? "access.log" : "danted.log"));
}

bool ProxyDaemon::log_shows(const std::string& text) const {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (log().find(text) == std::string::npos) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

TestPki::TestPki() {
  const std::string d = dir_.path().string();
  const std::string pass = kPassword;
  // -days 2 keeps the certificates valid through the test; the CRL is signed by the CA and revokes revoked.pem.
  const std::string script =
      "set -e; cd '" + d + "'\n"
      "exec >openssl.log 2>&1\n"
      "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj '/CN=ves-agent test CA' -keyout ca.key -out ca.pem "
      "-addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign\n"
      "printf 'subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost\\n' > server.ext\n"
      "for n in server revoked; do\n"
      "  openssl req -newkey rsa:2048 -nodes -subj \"/CN=$n\" -keyout $n.key -out $n.csr\n"
      "  openssl x509 -req -in $n.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -extfile server.ext "
      "-out $n.pem\n"
      "done\n"
      "openssl req -newkey rsa:2048 -nodes -subj '/CN=ves-agent client' -keyout client.key -out client.csr\n"
      "openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -out client.pem\n"
      "openssl pkey -in client.key -aes256 -passout 'pass:" + pass + "' -out client-encrypted.key\n"
      "openssl pkcs12 -export -in client.pem -inkey client.key -passout 'pass:" + pass + "' -out client.p12\n"
      "mkdir -p ca-db && touch ca-db/index.txt && echo 01 > ca-db/crlnumber\n"
      "printf '[ca]\\ndefault_ca=d\\n[d]\\ndatabase=ca-db/index.txt\\ncrlnumber=ca-db/crlnumber\\n"
      "default_md=sha256\\ndefault_crl_days=2\\n' > ca.cnf\n"
      "openssl ca -config ca.cnf -keyfile ca.key -cert ca.pem -revoke revoked.pem\n"
      "openssl ca -config ca.cnf -keyfile ca.key -cert ca.pem -gencrl -out crl.pem\n"
      "mkdir capath && cp ca.pem capath/ && openssl rehash capath\n";
  write_file(dir_.path() / "make.sh", script);
  ok_ = run_shell("sh '" + d + "/make.sh'");
}

}  // namespace vesagent::test
