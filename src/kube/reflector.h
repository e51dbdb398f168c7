#pragma once
// Reflector: the list/watch loop of one kind in one namespace scope, as client-go's
// reflector runs it:
//
//   list (paged) ──► store.replace ──► watch from the list's resourceVersion ──┐
//        ▲                                   │ ADDED/MODIFIED/DELETED/BOOKMARK  │ clean end
//        └── 410 Gone / ERROR 410 ◄──────────┘ (store.upsert / erase)          ◄┘ (re-watch)
//
// Any other failure (connection, timeout, HTTP status) backs off with jitter and resumes
// with a watch from the last resourceVersion seen, or a list when it has none.

#include <utility>  // Before asio's awaitable.hpp (Boost 1.74 misses it).

#include <atomic>
#include <chrono>
#include <mutex>
#include <optional>
#include <random>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "api_connection.h"
#include "meshward/kube/watcher.h"
#include "object_store.h"
#include "watch_protocol.h"  // WatchTarget, the event and page readers

namespace meshward::kube {

/// Everything loops share; owned by the Watcher, outlives every loop.
struct WatchContext {
  const ClusterConfig& config;
  const WatchOptions& options;
  ssl::context& tls;
  TokenSource& tokens;
  ObjectStore& store;
  /// Writes one log line (thread-safe); no-op without a log.
  void log(std::string_view level, std::string_view msg, std::string_view extra) const;
};

/// Doubling delays with full jitter, capped: the retry rhythm of every failing call.
class Backoff {
 public:
  Backoff(std::chrono::milliseconds initial, std::chrono::milliseconds max);
  std::chrono::milliseconds next();
  void reset();

 private:
  std::chrono::milliseconds initial_;
  std::chrono::milliseconds max_;
  std::chrono::milliseconds current_;
  std::minstd_rand random_;
};

/// Sleeps on the coroutine's executor.
net::awaitable<void> sleep_for(std::chrono::milliseconds delay);

class Reflector {
 public:
  Reflector(WatchTarget target, const WatchContext& context);

  /// Runs until the executor stops (the coroutine is then destroyed).
  net::awaitable<void> run();
  bool synced() const { return synced_.load(); }
  WatchStats stats() const;
  const WatchTarget& target() const { return target_; }

 private:
  /// How a watch stream ended, and whether it did anything before.
  struct WatchResult {
    bool gone = false;         ///< 410: the history is compacted, list again.
    std::uint64_t events = 0;  ///< Events applied (bookmarks included).
    std::chrono::steady_clock::duration lasted{};
  };

  /// One complete paged LIST into the store; returns the list's resourceVersion, or nullopt
  /// when a continue token expired mid-way (list again from the start).
  net::awaitable<std::optional<std::string>> list(ApiConnection& connection);
  /// One WATCH stream from `resource_version_` until it ends.
  net::awaitable<WatchResult> watch(ApiConnection& connection);
  /// One LIST that survives a few expired continue tokens; the list's resourceVersion.
  net::awaitable<std::string> list_fully(ApiConnection& connection);
  /// Applies one event line; returns true when it was an ERROR 410 (history gone).
  bool apply_event(std::string& line);
  void log_event(std::string_view level, std::string_view msg, std::string_view extra = {}) const;
  void record_error(const std::string& message);

  WatchTarget target_;
  const WatchContext& context_;
  std::atomic<bool> synced_{false};
  std::string resource_version_;  ///< Only touched by the loop's coroutine.

  mutable std::mutex stats_mutex_;
  WatchStats stats_;
};

}  // namespace meshward::kube
