#pragma once
// Metrics for /metrics, in the Prometheus text exposition format (version 0.0.4).

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "meshward/admission/world_slot.h"
#include "meshward/core/diag.h"
#include "meshward/server/connections.h"

namespace meshward::server {

/// What /metrics shows besides the counters: read at render time.
struct MetricsSnapshot {
  const admission::EvaluatedWorld* world = nullptr;  ///< Null before the first world.
  std::int64_t cert_not_after = 0;                   ///< Unix seconds; 0 when unknown.
  std::uint64_t cert_loads = 0;
  std::string version;
  std::string commit;
  // Overload bounds and their current use (0 = not known: not shown).
  std::uint64_t connections_limit = 0;
  std::uint64_t pending_connections_limit = 0;
  std::uint64_t queue_limit = 0;
  std::uint64_t queue_depth = 0;
  std::uint64_t request_memory_limit = 0;
  std::uint64_t request_memory = 0;
};

/// Counters and histograms. Thread safety: every method may be called concurrently.
class Metrics {
 public:
  /// Latency histogram bucket bounds, seconds.
  static constexpr std::array<double, 12> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                      0.05,   0.1,   0.25,   0.5,   1.0,  2.5};

  /// One answered review: kind, operation, decision reason, evaluation seconds.
  void record_review(std::string_view kind, std::string_view operation, std::string_view decision,
                     double seconds);
  /// Findings a change introduced, counted by code.
  void record_findings(const std::vector<Finding>& findings);
  /// A non-200 HTTP answer.
  void record_http_error(int status);
  /// A connection closed before HTTP: "plaintext", "handshake", "limit".
  void record_rejected(std::string_view reason);
  /// A connection closed to make room for a newcomer, by the state it was in.
  void record_evicted(std::string_view state);
  /// A connection cut by a deadline, by phase: "handshake", "header", "idle", "body",
  /// "write", "shutdown".
  void record_timeout(std::string_view phase);
  /// A request answered 503 without evaluation: "queue_full", "expired", "memory".
  void record_shed(std::string_view reason);
  /// World reloads (source "files") and failed reload attempts.
  void record_world_reload(bool ok);
  /// Certificate reload attempts.
  void record_cert_reload(bool ok);
  /// Policy file reloads (a failed one keeps the previous policy).
  void record_policy_reload(bool ok);

  /// Reviews whose findings were reused (admission/findings_cache.h).
  std::atomic<std::uint64_t> findings_reused{0};
  std::atomic<std::int64_t> connections_active{0};
  std::atomic<std::uint64_t> connections_total{0};
  /// Open connections by ConnState (kept by ConnectionTable).
  std::array<std::atomic<std::int64_t>, kConnStates> connections_by_state{};

  /// The exposition text.
  std::string render(const MetricsSnapshot& snap) const;

 private:
  mutable std::mutex mutex_;
  std::map<std::tuple<std::string, std::string, std::string>, std::uint64_t> reviews_;
  std::array<std::uint64_t, kBuckets.size() + 1> latency_buckets_{};
  double latency_sum_ = 0;
  std::uint64_t latency_count_ = 0;
  std::map<std::string, std::uint64_t> findings_;
  std::map<int, std::uint64_t> http_errors_;
  std::map<std::string, std::uint64_t> rejected_;
  std::map<std::string, std::uint64_t> evicted_;
  std::map<std::string, std::uint64_t> timeouts_;
  std::map<std::string, std::uint64_t> shed_;
  std::uint64_t world_reloads_ok_ = 0;
  std::uint64_t world_reloads_failed_ = 0;
  std::uint64_t cert_reloads_ok_ = 0;
  std::uint64_t cert_reloads_failed_ = 0;
  std::uint64_t policy_reloads_ok_ = 0;
  std::uint64_t policy_reloads_failed_ = 0;
};

}  // namespace meshward::server
