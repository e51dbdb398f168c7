#pragma once
// FindingsCache: the findings a review introduced, kept for the next review of the same change
// against the same world.
//
// The API server sends the same change more than once: GitOps controllers dry-run every
// object they manage on each reconcile to detect drift (Flux's server-side apply, Argo CD's
// server-side diff), `kubectl apply --dry-run=server` precedes many applies, and a webhook
// call that timed out is retried. Such reviews differ only in `request.uid`, so the key is
// the body with the characters of `request.uid` cut out (Review::reuse_key); the full key is
// compared, never only its hash, so no crafted body can pass for another. The findings depend
// on the world and the body alone (the policy applies after, per request), and the cache
// belongs to one EvaluatedWorld: a new world starts empty.

#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "meshward/core/diag.h"

namespace meshward::admission {

/// Bounded by the bytes it holds (keys and findings); the oldest entries go first.
/// Thread safety: every method may be called from any thread.
class FindingsCache {
 public:
  /// 16 MiB holds about 4 000 kubectl-sized reviews (3 KB of key each, and their findings).
  static constexpr std::size_t kDefaultMaxBytes = 16 * 1024 * 1024;
  /// A body larger than this is not kept (one entry must not evict hundreds).
  static constexpr std::size_t kMaxKeyBytes = 256 * 1024;

  explicit FindingsCache(std::size_t max_bytes = kDefaultMaxBytes) : max_bytes_(max_bytes) {}

  /// The findings kept for `key`, or nullopt.
  std::optional<std::vector<Finding>> find(std::string_view key) const;
  /// Keeps `findings` for `key` (an empty key, or one over kMaxKeyBytes, is not kept).
  void put(std::string_view key, const std::vector<Finding>& findings);

  std::size_t entries() const;
  std::size_t bytes() const;

 private:
  struct Entry {
    std::vector<Finding> findings;
    std::size_t bytes = 0;
  };
  const std::size_t max_bytes_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;
  std::deque<std::string> order_;  // Keys, oldest first.
  std::size_t bytes_ = 0;
};

}  // namespace meshward::admission
