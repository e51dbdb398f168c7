#pragma once
// Watcher: keeps a live, complete world from a Kubernetes API server.
//
// For every kind the checks read it discovers the served version (kinds not served yet are
// looked for again every minute, for CRDs installed after meshward), LISTs it in pages
// (limit/continue), then WATCHes from the list's resourceVersion with bookmarks, applying
// ADDED/MODIFIED/DELETED to one object store. A watch that ends is resumed from the last
// resourceVersion seen; `410 Gone` (or an ERROR event) means the history is gone, so the kind
// is listed again and the store reconciled (objects deleted meanwhile disappear). Errors back
// off with jitter. Every call has a timeout.
//
// Publishing: once every kind has synced, and then whenever the store's content changes
// (coalesced over `publish_delay`), a new immutable world::Snapshot is handed to `publish`
// on the watcher's own publisher thread, so a slow evaluation never stalls the watch streams.
// A change of resourceVersion alone (a Pod's status churn seen through a metadata-only watch)
// is not a content change and publishes nothing.
//
//   kube::Watcher watcher(config, options, [&](auto snapshot) { slot->publish(snapshot, "kube"); });
//   watcher.start();            // returns at once; threads run until stop()
//   ...                         // watcher.synced(), watcher.stats()
//   watcher.stop();

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "meshward/kube/config.h"
#include "meshward/model/object.h"
#include "meshward/world/snapshot.h"

namespace meshward::kube {

struct WatchOptions {
  /// Kinds to watch; empty = every kind meshward models.
  std::vector<model::Kind> kinds;
  /// Namespaces to watch namespaced kinds in; empty = all namespaces (one cluster-wide
  /// list/watch per kind). Namespace objects are always watched cluster-wide.
  std::vector<std::string> namespaces;
  /// Kinds watched as metadata only (PartialObjectMetadata): large, and only their labels
  /// matter to the checks.
  std::vector<model::Kind> metadata_only = {model::Kind::Pod};
  std::size_t page_size = 500;                            ///< LIST `limit`.
  std::chrono::seconds watch_timeout{300};                ///< WATCH `timeoutSeconds` (+0–10% jitter).
  std::chrono::milliseconds request_timeout{30'000};      ///< Connect, handshake, each LIST page.
  std::chrono::milliseconds backoff_initial{500};         ///< First retry delay after an error.
  std::chrono::milliseconds backoff_max{30'000};          ///< Retry delay cap (doubling, jittered).
  std::chrono::milliseconds publish_delay{100};           ///< Coalesces bursts of events.
  /// How often kinds the API server did not serve (CRD not installed) are looked for again.
  std::chrono::milliseconds rediscover_interval{60'000};
  std::ostream* log = nullptr;  ///< JSON log lines (sync, relists, errors); null = silent.
};

/// One list/watch loop's state, for /metrics and logs.
struct WatchStats {
  model::Kind kind = model::Kind::Namespace;
  std::string namespace_;       ///< "" = all namespaces.
  std::string api_path;         ///< "/apis/networking.istio.io/v1/virtualservices", or "" when
                                ///< the API server does not serve the kind (skipped).
  bool synced = false;          ///< Listed completely at least once (or skipped).
  std::uint64_t objects = 0;    ///< Objects held now.
  std::uint64_t lists = 0;      ///< Complete LISTs (first sync and relists).
  std::uint64_t relists = 0;    ///< LISTs caused by 410 Gone / ERROR events.
  std::uint64_t watches = 0;    ///< WATCH streams opened.
  std::uint64_t events = 0;     ///< Events applied (bookmarks included).
  std::uint64_t errors = 0;     ///< Failed calls (connection, timeout, HTTP status).
  std::string last_error;       ///< The latest failure, for logs.
  std::string resource_version; ///< Last resourceVersion seen.
};

class Watcher {
 public:
  using Publish = std::function<void(std::shared_ptr<const world::Snapshot>)>;

  Watcher(ClusterConfig config, WatchOptions options, Publish publish);
  ~Watcher();  ///< stop().
  Watcher(const Watcher&) = delete;
  Watcher& operator=(const Watcher&) = delete;

  /// Starts the I/O thread (discovery, then one list/watch loop per kind and namespace) and
  /// the publisher thread. Fails when the TLS client context cannot be built from the config
  /// (bad CA or client certificate); network errors are retried, never returned.
  Result<bool> start();
  /// Stops both threads and closes every connection; idempotent. A Watcher is single-use:
  /// start() after stop() is an Error.
  void stop();
  /// Whether every loop has synced once and the first snapshot was published.
  bool synced() const;
  /// Number of snapshots published so far.
  std::uint64_t publishes() const;
  /// Per-loop state, in kind then namespace order (empty before discovery finished).
  std::vector<WatchStats> stats() const;
  /// Prometheus text for the watch loops, per kind: meshward_watch_objects, _synced, _served,
  /// _lists_total, _restarts_total (relists after 410), _streams_total, _events_total,
  /// _errors_total; and meshward_watch_publishes_total.
  std::string metrics_text() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace meshward::kube
