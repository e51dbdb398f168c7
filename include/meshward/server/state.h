#pragma once
// Configuration and the state every part of the server shares (listener, sessions, router,
// reload thread). One ServerState per Server, held by shared_ptr so a session outliving a
// shutdown race still finds it.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <ostream>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "meshward/admission/decide.h"
#include "meshward/core/log.h"
#include "meshward/admission/policy.h"
#include "meshward/admission/world_slot.h"
#include "meshward/server/connections.h"
#include "meshward/server/metrics.h"
#include "meshward/server/tls.h"

namespace meshward::server {

/// Per-connection and overload limits (docs/hardening.md, "Overload and slow clients").
struct Limits {
  std::size_t body_bytes = 3 * 1024 * 1024;  ///< Larger request bodies get 413.
  std::uint32_t header_bytes = 16 * 1024;     ///< Larger request headers get 431.
  /// Open connections. At the bound the oldest connection not working on a request is
  /// closed to make room (ConnectionTable); a newcomer is refused only when all are busy.
  std::size_t max_connections = 1024;
  /// Connections in the TLS handshake or before their first complete request header; at
  /// the bound the oldest of them is closed to make room.
  std::size_t max_pending_connections = 256;
  /// Admission requests read and not yet answered (waiting for or in evaluation); more get
  /// a 503 at once.
  std::size_t max_queued_requests = 256;
  /// Request bodies being read or waiting for evaluation, by their Content-Length (the body
  /// limit when chunked); a request that would go over gets a 503 before its body is read.
  std::size_t max_request_memory = 128 * 1024 * 1024;
};

/// Deadlines, each set once before the phase it bounds (Beast's expires_after sets a point
/// in time that every read and write of the phase shares: a byte received does not extend it).
struct Timeouts {
  std::chrono::milliseconds handshake{5'000};  ///< Accept to the end of the TLS handshake
                                               ///< (detection included).
  std::chrono::milliseconds header{10'000};    ///< End of the handshake, or first byte of a
                                               ///< later request, to the end of its header.
  std::chrono::milliseconds idle{60'000};      ///< Keep-alive: waiting for a request's first byte.
  std::chrono::milliseconds body{10'000};      ///< Reading a request body.
  std::chrono::milliseconds write{10'000};     ///< Writing a response.
  std::chrono::milliseconds shutdown{5'000};   ///< TLS close_notify exchange.
};

/// Everything `meshward serve` configures.
struct ServerConfig {
  std::string listen = ":8443";  ///< host:port; empty host = all IPv4 addresses; port 0 = any.
  TlsFiles tls;
  std::vector<std::string> world_paths;  ///< Files/dirs of the standalone world; may be empty
                                         ///< when the caller publishes to the slot itself.
  unsigned threads = 0;                  ///< 0 = std::thread::hardware_concurrency().
  unsigned eval_threads = 0;             ///< Admission evaluation threads; 0 = as `threads`.
  Limits limits;
  Timeouts timeouts;
  std::chrono::milliseconds drain_timeout{15'000};   ///< Bound on in-flight work at shutdown.
  std::chrono::milliseconds reload_interval{2'000};  ///< Poll period for certs, world and
                                                     ///< policy files.
  admission::Policy policy;  ///< Used as is when `policy_file` is empty.
  std::string policy_file;   ///< `--policy`: loaded at start, reloaded when it changes.
  admission::WarningLimits warning_limits;
  std::string version = "unknown";
  std::string commit = "unknown";
  std::ostream* log = nullptr;  ///< JSON log lines (decisions, reloads); null = silent.
  /// More Prometheus text for /metrics from whatever feeds the world (the kube watcher's
  /// per-kind watch state); called on each scrape, from any I/O thread. Null = none.
  std::function<std::string()> world_source_metrics;
  /// Tests only (no flag sets it): called on an evaluation thread before each admission
  /// request is evaluated, to make evaluation slow on demand.
  std::function<void()> evaluate_hook;
};

class Session;
class EvalQueue;

/// The policy requests decide with, swapped when the policy file changes. Thread safety:
/// every method may be called from any thread; a request keeps the policy it got.
class PolicyStore {
 public:
  explicit PolicyStore(const admission::Policy& initial)
      : current_(std::make_shared<const admission::Policy>(initial)) {}
  std::shared_ptr<const admission::Policy> current() const {
    std::lock_guard lock(mutex_);
    return current_;
  }
  void set(admission::Policy policy) {
    auto next = std::make_shared<const admission::Policy>(std::move(policy));
    std::lock_guard lock(mutex_);
    current_ = std::move(next);
  }

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const admission::Policy> current_;
};

/// State shared by the listener, sessions, router and reload thread. Thread-safe members
/// only (atomics, mutex-guarded maps, thread-safe stores).
struct ServerState {
  ServerState(ServerConfig cfg, std::shared_ptr<admission::WorldSlot> world_slot)
      : config(std::move(cfg)), slot(std::move(world_slot)), tls(config.tls), policy(config.policy) {}

  const ServerConfig config;
  std::shared_ptr<admission::WorldSlot> slot;
  TlsStore tls;
  PolicyStore policy;  ///< config.policy, or the policy file's current content.
  Metrics metrics;
  std::atomic<bool> draining{false};
  /// Every open connection and its state; the connection bounds (connections.h).
  ConnectionTable connections{config.limits.max_connections, config.limits.max_pending_connections,
                              metrics};
  /// Where admission requests are evaluated (overload.h); set by Server::create. Null: the
  /// I/O thread evaluates them itself.
  std::shared_ptr<EvalQueue> eval_queue;

  /// Reserves `bytes` of request memory (Limits::max_request_memory); false when that
  /// would go over the bound. A request larger than the whole bound is let through alone.
  bool reserve_request_memory(std::size_t bytes);
  void release_request_memory(std::size_t bytes);
  std::size_t request_memory() const { return request_memory_.load(std::memory_order_relaxed); }

  /// Writes one JSON log line (newline added) if a log sink is configured: at once, after the
  /// routine lines still held (so lines keep their order).
  void log(std::string_view json_line);
  /// A routine line (an admission allowed without findings or warnings: most of the traffic
  /// under load) is held and written in a batch, one write for many lines instead of one (or
  /// two) per request: with the next log() line, when the held lines reach kLogBatchBytes, or
  /// by flush_log(), which the server calls every kLogFlushInterval and at shutdown. A crash
  /// can lose at most that much of them; denials, warnings and errors are never held.
  void log_routine(std::string_view json_line);
  /// Writes the held routine lines now.
  void flush_log();
  static constexpr std::size_t kLogBatchBytes = 16 * 1024;
  static constexpr std::chrono::milliseconds kLogFlushInterval{100};
  ~ServerState();

  /// Session registry for drain (the connection table): the listener admits sessions,
  /// which remove themselves when destroyed.
  void remove_session(Session* s) { connections.remove(s); }
  std::vector<std::shared_ptr<Session>> sessions() { return connections.all(); }
  /// Blocks until no session is left or `deadline` passes; true when none is left.
  bool wait_no_sessions(std::chrono::steady_clock::time_point deadline) {
    return connections.wait_empty(deadline);
  }

 private:
  // Writes the held lines and then `line` (if any) as one batch. Caller holds log_write_mutex_.
  void write_held(std::string_view line);

  std::mutex log_write_mutex_;  // Held while a batch is written: batches reach the sink in order.
  std::mutex log_hold_mutex_;   // Guards held_.
  std::string held_;            // Routine lines not written yet, each ending in '\n'.
  std::string writing_;         // The batch being written (keeps its capacity); log_write_mutex_.
  std::atomic<std::size_t> request_memory_{0};
};

using meshward::utc_timestamp;

}  // namespace meshward::server
