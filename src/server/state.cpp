#include "meshward/server/state.h"

#include <ctime>

namespace meshward::server {

void ServerState::log(const std::string& json_line) {
  if (config.log == nullptr) {
    return;
  }
  write_log_line(*config.log, json_line);
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
