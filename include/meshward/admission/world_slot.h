#pragma once
// WorldSlot: the current world admission decides against, swapped atomically when a source
// (manifest files today, the Kubernetes watcher later) publishes a new snapshot.
//
// Publishing also evaluates the snapshot once (every check over the whole world), so each
// request only evaluates its overlay and subtracts the precomputed "before" findings.

#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "meshward/admission/findings_cache.h"
#include "meshward/core/diag.h"
#include "meshward/translate/registry.h"
#include "meshward/world/snapshot.h"

namespace meshward::admission {

/// A snapshot with the findings every check reports on it: the "before" of every request.
/// Immutable; shared between requests through shared_ptr.
struct EvaluatedWorld {
  std::shared_ptr<const world::Snapshot> snapshot;
  std::vector<Finding> findings;  ///< check_world(*snapshot).
  std::unordered_set<std::string> finding_ids;  ///< finding_identity() of each of `findings`.
  std::string source;             ///< Who published it ("files: examples/bookinfo").
  std::uint64_t generation = 0;   ///< 1 for the first world published, then +1 per publish.
  /// Service endpoints the mesh checks asked for, computed on first use and shared by every
  /// review against this world that changes no object they are read from (the cache is
  /// internally synchronized; it goes with the world, so a new world starts empty).
  std::shared_ptr<translate::EndpointCache> endpoints;
  /// The Istio release and MeshConfig the checks translate with (`serve --istio-version`):
  /// the findings above were computed with them, and every review against this world uses them.
  translate::Options translate;
  /// The findings of changes already reviewed against this world, for reviews that repeat
  /// them (findings_cache.h); internally synchronized. Null: every review is evaluated.
  std::shared_ptr<FindingsCache> findings_cache;
};

/// Holds the current EvaluatedWorld. Thread safety: publish() and current() may be called
/// from any thread at any time; a reader keeps the world it got alive for as long as it
/// holds the pointer, so a swap never disturbs a request in flight.
class WorldSlot {
 public:
  /// `options`: what every world published here is evaluated with (EvaluatedWorld::translate).
  explicit WorldSlot(translate::Options options = {}) : options_(std::move(options)) {}

  /// Evaluates `snapshot` (on the caller's thread) and makes it current. `snapshot` must
  /// not be null.
  void publish(std::shared_ptr<const world::Snapshot> snapshot, std::string source);
  /// The current world, or null before the first publish().
  std::shared_ptr<const EvaluatedWorld> current() const;
  /// Whether a world has been published (readiness).
  bool ready() const { return current() != nullptr; }

 private:
  const translate::Options options_;
  mutable std::mutex mutex_;
  std::shared_ptr<const EvaluatedWorld> current_;
  std::uint64_t generation_ = 0;
};

/// The identity admission diffs findings by: code, resource kind/namespace/name, path and
/// message (not apiVersion, which an update may change, nor severity or source).
std::string finding_identity(const Finding& finding);

/// Evaluates a snapshot without publishing it (tests, tools).
std::shared_ptr<const EvaluatedWorld> evaluate_world(std::shared_ptr<const world::Snapshot> snapshot,
                                                     std::string source = {},
                                                     const translate::Options& options = {});

}  // namespace meshward::admission
