#pragma once
// Overload: what happens when admission requests arrive faster than they can be evaluated.
//
// I/O threads read, parse and write; complete `POST /validate` requests go to an
// EvalQueue, whose own threads evaluate them. So a slow evaluation never stops the server
// from reading, answering /healthz, or refusing fast:
//   - queue full (`Limits::max_queued_requests` requests read and not yet answered): the
//     request is answered 503 at once, on the I/O thread;
//   - a request whose evaluation would start after its deadline (the API server's
//     `?timeout=` less a margin: queue_budget()) is answered 503 without being evaluated:
//     the API server has given up on it, or will before the answer arrives.
// Both answers carry a JSON Status body and `Retry-After: 1`, and are counted in
// `meshward_requests_shed_total{reason}`.

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string_view>
#include <thread>
#include <vector>

#include "meshward/server/router.h"

namespace meshward::server {

/// Kubernetes' default webhook timeoutSeconds, used when the URL carries no `timeout`.
inline constexpr std::chrono::milliseconds kDefaultRequestTimeout{10'000};

/// A Go duration as the API server writes `?timeout=` ("10s", "1m30s", "500ms", "1.5s");
/// nullopt when `text` is not one or is not positive.
std::optional<std::chrono::milliseconds> parse_go_duration(std::string_view text);

/// The `timeout` query parameter of a request target, clamped to 1 s..30 s (the range of a
/// webhook's timeoutSeconds); kDefaultRequestTimeout when absent or unreadable.
std::chrono::milliseconds request_timeout(std::string_view target);

/// How long a request may wait before its evaluation starts: its timeout less 1 s for the
/// evaluation and the answer, but at least half of it (10 s -> 9 s, 1 s -> 500 ms).
std::chrono::milliseconds queue_budget(std::chrono::milliseconds timeout);

/// The 503 a shed request gets: JSON Status body, `Retry-After: 1`.
Response shed_response(unsigned version, std::string_view message);

/// A bounded FIFO of evaluations and the threads that run them. Thread safety: every method
/// may be called from any thread.
class EvalQueue {
 public:
  /// Runs an evaluation; `expired` when its deadline passed while it waited (the job must
  /// then answer without evaluating).
  using Job = std::function<void(bool expired)>;

  explicit EvalQueue(std::size_t limit) : limit_(limit == 0 ? 1 : limit) {}
  ~EvalQueue() { stop(); }
  EvalQueue(const EvalQueue&) = delete;
  EvalQueue& operator=(const EvalQueue&) = delete;

  /// Starts `threads` workers (at least one). Call once.
  void start(unsigned threads);
  /// Stops the workers after the job each is running; jobs still waiting are dropped
  /// (destroyed without running). Idempotent.
  void stop();

  /// Queues `job`; false (and `job` untouched) when `limit` requests are already queued or
  /// being evaluated, or the queue is stopped.
  bool push(std::chrono::steady_clock::time_point deadline, Job& job);

  /// Requests queued or in evaluation.
  std::size_t depth() const;
  std::size_t limit() const { return limit_; }

 private:
  struct Item {
    std::chrono::steady_clock::time_point deadline;
    Job job;
  };
  void work();

  const std::size_t limit_;
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<Item> items_;
  std::size_t running_ = 0;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace meshward::server
