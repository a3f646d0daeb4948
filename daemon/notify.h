// The systemd notification protocol (sd_notify) without libsystemd: one
// datagram to $NOTIFY_SOCKET. Does nothing when not started by systemd.
// Safe from any thread.
#pragma once

#include <chrono>
#include <string>

namespace sellertrust {

// Sends `state` (e.g. "READY=1", "STOPPING=1", "WATCHDOG=1") and returns
// true iff a NOTIFY_SOCKET is set and the datagram was sent.
bool notifySystemd(const std::string& state);

// The watchdog interval systemd asked for (WatchdogSec=), or zero if none.
std::chrono::microseconds systemdWatchdogInterval();

}  // namespace sellertrust
