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
//
// Keys are written one after another into one ring of bytes, allocated on first use, and the
// oldest entries make room for a new one: a review the cache cannot answer costs two hashes
// and a copy of its key, about 7% of its evaluation (admission_bench: BM_DecideDistinct beside
// BM_DecideDistinctBaseline); a heap block per key made it 22%, in glibc's consolidation of
// the freed blocks.

#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "meshward/core/diag.h"

namespace meshward::admission {

/// Bounded by the bytes of its keys (the ring) and of its findings; the oldest entries go
/// first. Thread safety: every method may be called from any thread.
class FindingsCache {
 public:
  /// 16 MiB of keys holds about 5 000 kubectl-sized reviews (3 KB each).
  static constexpr std::size_t kDefaultKeyBytes = 16 * 1024 * 1024;
  /// The findings kept, counted by their text: a fourth of the keys' room.
  static constexpr std::size_t kDefaultFindingBytes = 4 * 1024 * 1024;
  /// A body larger than this is not kept (one entry must not evict hundreds).
  static constexpr std::size_t kMaxKeyBytes = 256 * 1024;

  explicit FindingsCache(std::size_t key_bytes = kDefaultKeyBytes,
                         std::size_t finding_bytes = kDefaultFindingBytes)
      : key_bytes_(key_bytes), finding_bytes_limit_(finding_bytes) {}

  /// The findings kept for `key`, or nullopt.
  std::optional<std::vector<Finding>> find(std::string_view key) const;
  /// Keeps `findings` for `key` (an empty key, or one over kMaxKeyBytes or the ring, is not).
  void put(std::string_view key, const std::vector<Finding>& findings);

  std::size_t entries() const;
  /// Bytes of findings kept (the ring's keys are key_bytes at most).
  std::size_t finding_bytes() const;

 private:
  // A key with its hash, computed once per call.
  struct Key {
    std::string_view text;
    std::size_t hash;
    bool operator==(const Key& other) const { return text == other.text; }
  };
  struct KeyHash {
    std::size_t operator()(const Key& k) const { return k.hash; }
  };
  struct Entry {
    std::vector<Finding> findings;
    std::size_t finding_bytes = 0;
  };
  static Key make_key(std::string_view text);
  void evict_oldest();

  const std::size_t key_bytes_;
  const std::size_t finding_bytes_limit_;
  mutable std::mutex mutex_;
  std::unique_ptr<char[]> ring_;  // key_bytes_, allocated by the first put().
  std::size_t head_ = 0;          // Where the next key goes.
  // Keys view the ring; `order_` lists them oldest first, which is also their order in the
  // ring from head_ on (each key is written after the previous one, wrapping to the start).
  std::unordered_map<Key, Entry, KeyHash> entries_;
  std::deque<Key> order_;
  std::size_t finding_bytes_ = 0;
};

}  // namespace meshward::admission
