#include "meshward/server/state.h"

#include <ctime>

namespace meshward::server {

std::string utc_timestamp() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
  return buf;
}

void ServerState::log(const std::string& json_line) {
  if (config.log == nullptr) {
    return;
  }
  std::lock_guard lock(log_mutex_);
  *config.log << json_line << '\n';
  config.log->flush();
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
