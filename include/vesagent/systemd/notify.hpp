#pragma once
/// The service manager's notification protocol (sd_notify(3)), spoken directly: systemd passes a Unix datagram
/// socket in NOTIFY_SOCKET and reads "READY=1", "RELOADING=1", "STOPPING=1", "WATCHDOG=1" lines from it.
///
/// Why not libsystemd: the protocol is one sendto() of a text datagram, while linking libsystemd maps it and its
/// compression and crypto libraries (libgcrypt, liblz4, liblzma, libzstd, libgpg-error: about 0.9 MB of resident
/// pages) into an agent that must idle small (issue 8).
#include <chrono>
#include <string>
#include <string_view>

namespace vesagent::systemd {

/// Sends `state` (one or more "KEY=VALUE" lines) to $NOTIFY_SOCKET: a file system path, or an abstract socket
/// when it starts with '@'. Returns false when no socket is set (not started by systemd) or the send failed;
/// `error` then says why (empty when NOTIFY_SOCKET is simply unset). Never blocks: the socket is non-blocking.
bool notify(std::string_view state, std::string* error = nullptr);

/// How often to send "WATCHDOG=1": half of $WATCHDOG_USEC when the watchdog is enabled for this process
/// ($WATCHDOG_PID unset or equal to getpid()), else zero.
std::chrono::microseconds watchdog_ping_interval();

}  // namespace vesagent::systemd
