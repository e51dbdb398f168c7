#include "meshward/server/connections.h"

#include "meshward/server/metrics.h"

namespace meshward::server {

std::string_view conn_state_name(ConnState state) {
  switch (state) {
    case ConnState::Handshake:
      return "handshake";
    case ConnState::New:
      return "new";
    case ConnState::Idle:
      return "idle";
    case ConnState::Reading:
      return "reading";
    case ConnState::Busy:
      return "busy";
    case ConnState::Closing:
      return "closing";
    case ConnState::Evicted:
      return "evicted";
  }
  return "unknown";
}

ConnectionTable::ConnectionTable(std::size_t max_connections, std::size_t max_pending, Metrics& metrics)
    : max_connections_(max_connections == 0 ? 1 : max_connections),
      max_pending_(max_pending == 0 ? 1 : max_pending),
      metrics_(metrics) {}

std::size_t ConnectionTable::live() const { return index_.size() - lists_[static_cast<std::size_t>(ConnState::Evicted)].size(); }

std::size_t ConnectionTable::pending() const {
  return lists_[static_cast<std::size_t>(ConnState::Handshake)].size() +
         lists_[static_cast<std::size_t>(ConnState::New)].size();
}

ConnectionTable::List* ConnectionTable::older(ConnState a, ConnState b) {
  List& la = list(a);
  List& lb = list(b);
  if (la.empty()) {
    return lb.empty() ? nullptr : &lb;
  }
  if (lb.empty()) {
    return &la;
  }
  return la.front().since <= lb.front().since ? &la : &lb;
}

void ConnectionTable::move(List::iterator it, ConnState to) {
  const ConnState from = it->state;
  List& dest = list(to);
  dest.splice(dest.end(), list(from), it);
  it->state = to;
  it->since = std::chrono::steady_clock::now();
  metrics_.connections_by_state[static_cast<std::size_t>(from)].fetch_sub(1, std::memory_order_relaxed);
  metrics_.connections_by_state[static_cast<std::size_t>(to)].fetch_add(1, std::memory_order_relaxed);
}

void ConnectionTable::evict_front(List& from, Admission& out) {
  auto it = from.begin();
  metrics_.record_evicted(conn_state_name(it->state));
  if (auto victim = it->weak.lock()) {
    out.evict.push_back(std::move(victim));
  }
  move(it, ConnState::Evicted);
}

ConnectionTable::Admission ConnectionTable::admit(const std::shared_ptr<Session>& session) {
  Admission out;
  std::lock_guard lock(mutex_);
  // Pending bound: the oldest connection that has not sent a complete request header goes.
  if (pending() >= max_pending_) {
    evict_front(*older(ConnState::Handshake, ConnState::New), out);
  }
  // Total bound: the oldest connection not working on a request goes; all busy: refuse.
  if (live() >= max_connections_) {
    List* victim = nullptr;
    if (!list(ConnState::Closing).empty()) {
      victim = &list(ConnState::Closing);
    } else if (List* p = older(ConnState::Handshake, ConnState::New)) {
      victim = p;
    } else if (!list(ConnState::Idle).empty()) {
      victim = &list(ConnState::Idle);
    } else if (!list(ConnState::Reading).empty()) {
      victim = &list(ConnState::Reading);
    }
    if (victim == nullptr) {
      return out;  // Every connection is answering a request: refuse the newcomer.
    }
    evict_front(*victim, out);
  }
  List& hs = list(ConnState::Handshake);
  hs.push_back(Entry{session.get(), session, ConnState::Handshake, std::chrono::steady_clock::now()});
  index_.emplace(session.get(), std::prev(hs.end()));
  metrics_.connections_by_state[static_cast<std::size_t>(ConnState::Handshake)].fetch_add(1, std::memory_order_relaxed);
  metrics_.connections_active.fetch_add(1, std::memory_order_relaxed);
  metrics_.connections_total.fetch_add(1, std::memory_order_relaxed);
  out.admitted = true;
  return out;
}

bool ConnectionTable::set_state(Session* session, ConnState state) {
  std::lock_guard lock(mutex_);
  auto found = index_.find(session);
  if (found == index_.end() || found->second->state == ConnState::Evicted) {
    return false;
  }
  if (found->second->state != state) {
    move(found->second, state);
  }
  return true;
}

void ConnectionTable::remove(Session* session) {
  {
    std::lock_guard lock(mutex_);
    auto found = index_.find(session);
    if (found == index_.end()) {
      return;
    }
    const ConnState state = found->second->state;
    list(state).erase(found->second);
    index_.erase(found);
    metrics_.connections_by_state[static_cast<std::size_t>(state)].fetch_sub(1, std::memory_order_relaxed);
    metrics_.connections_active.fetch_sub(1, std::memory_order_relaxed);
  }
  empty_cv_.notify_all();
}

std::vector<std::shared_ptr<Session>> ConnectionTable::all() {
  std::vector<std::shared_ptr<Session>> out;
  std::lock_guard lock(mutex_);
  out.reserve(index_.size());
  for (const auto& [raw, it] : index_) {
    if (auto p = it->weak.lock()) {
      out.push_back(std::move(p));
    }
  }
  return out;
}

bool ConnectionTable::wait_empty(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(mutex_);
  return empty_cv_.wait_until(lock, deadline, [&] { return index_.empty(); });
}

std::size_t ConnectionTable::count(ConnState state) const {
  std::lock_guard lock(mutex_);
  return lists_[static_cast<std::size_t>(state)].size();
}

}  // namespace meshward::server
