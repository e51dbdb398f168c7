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

void ServerState::add_session(Session* s, const std::shared_ptr<Session>& p) {
  std::lock_guard lock(sessions_mutex_);
  sessions_.emplace(s, p);
}

void ServerState::remove_session(Session* s) {
  {
    std::lock_guard lock(sessions_mutex_);
    sessions_.erase(s);
  }
  sessions_cv_.notify_all();
}

std::vector<std::shared_ptr<Session>> ServerState::sessions() {
  std::vector<std::shared_ptr<Session>> out;
  std::lock_guard lock(sessions_mutex_);
  for (auto& [raw, weak] : sessions_) {
    if (auto p = weak.lock()) {
      out.push_back(std::move(p));
    }
  }
  return out;
}

bool ServerState::wait_no_sessions(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(sessions_mutex_);
  return sessions_cv_.wait_until(lock, deadline, [&] { return sessions_.empty(); });
}

}  // namespace meshward::server
