#include "meshward/server/state.h"

#include <ctime>

namespace meshward::server {

ServerState::~ServerState() { flush_log(); }

void ServerState::log(std::string_view json_line) {
  if (config.log == nullptr) {
    return;
  }
  std::lock_guard write(log_write_mutex_);
  write_held(json_line);
}

void ServerState::log_routine(std::string_view json_line) {
  if (config.log == nullptr) {
    return;
  }
  {
    std::lock_guard hold(log_hold_mutex_);
    held_ += json_line;
    held_ += '\n';
    if (held_.size() < kLogBatchBytes) {
      return;
    }
  }
  std::lock_guard write(log_write_mutex_);
  write_held({});
}

void ServerState::flush_log() {
  if (config.log == nullptr) {
    return;
  }
  std::lock_guard write(log_write_mutex_);
  write_held({});
}

void ServerState::write_held(std::string_view line) {
  {
    std::lock_guard hold(log_hold_mutex_);
    writing_.swap(held_);
  }
  if (!line.empty()) {
    writing_ += line;
    writing_ += '\n';
  }
  if (writing_.empty()) {
    return;
  }
  // write_log_line() adds the last newline itself, and takes the process-wide log lock, so a
  // batch never interleaves with the kube watcher's lines on the same stream.
  writing_.pop_back();
  write_log_line(*config.log, writing_);
  writing_.clear();
  if (writing_.capacity() > 4 * kLogBatchBytes) {
    writing_ = std::string();  // After an outsized line: do not keep its memory.
  }
}

bool ServerState::reserve_request_memory(std::size_t bytes) {
  const std::size_t limit = config.limits.max_request_memory;
  std::size_t used = request_memory_.load(std::memory_order_relaxed);
  do {
    // Over the bound, unless nothing else is in flight (a single request larger than the
    // bound is still served; the body limit bounds it).
    if (used != 0 && used + bytes > limit) {
      return false;
    }
  } while (!request_memory_.compare_exchange_weak(used, used + bytes, std::memory_order_relaxed));
  return true;
}

void ServerState::release_request_memory(std::size_t bytes) {
  request_memory_.fetch_sub(bytes, std::memory_order_relaxed);
}

}  // namespace meshward::server
