#pragma once
// The connection table: every open connection, the state it is in, and the bounds that keep
// idle, slow or hostile clients from starving the API server's requests.
//
//   handshake  accepted; TLS detection and handshake not finished
//   new        TLS done; its first request header not complete yet
//   idle       keep-alive between requests (it has sent at least one complete request)
//   reading    reading a request: the rest of a header after its first byte, or a body
//   busy       a complete request: waiting for or in evaluation, or its answer being written
//   closing    TLS close_notify exchange before the socket closes
//
// Two bounds, checked when a connection is accepted (Listener::on_accept):
//   - pending (handshake + new) at `max_pending`: the oldest pending connection is closed;
//   - all (every state) at `max_connections`: the oldest connection not working on a
//     request is closed, in this order: closing, pending, idle, reading. Only when every
//     connection is busy is the newcomer refused (closed at once).
// So a newcomer is always served while the server is not full of real work: half-open
// handshakes, silent connections and dribbling clients give way to it.

#include <array>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace meshward::server {

class Metrics;
class Session;

enum class ConnState : std::uint8_t { Handshake, New, Idle, Reading, Busy, Closing, Evicted };
inline constexpr std::size_t kConnStates = 7;
/// "handshake", "new", "idle", "reading", "busy", "closing", "evicted".
std::string_view conn_state_name(ConnState state);

/// See the file comment. Thread safety: every method may be called from any thread.
class ConnectionTable {
 public:
  ConnectionTable(std::size_t max_connections, std::size_t max_pending, Metrics& metrics);
  ConnectionTable(const ConnectionTable&) = delete;
  ConnectionTable& operator=(const ConnectionTable&) = delete;

  struct Admission {
    bool admitted = false;
    /// Connections to close to make room (already counted as evicted); the caller closes them.
    std::vector<std::shared_ptr<Session>> evict;
  };
  /// Registers `session` in the handshake state, making room as the file comment says.
  Admission admit(const std::shared_ptr<Session>& session);
  /// Moves `session` to `state` (the newest of that state). Returns false when the session
  /// was evicted (or never admitted): it must stop at once.
  bool set_state(Session* session, ConnState state);
  /// Forgets `session` (its destructor).
  void remove(Session* session);

  /// Every registered session (for drain).
  std::vector<std::shared_ptr<Session>> all();
  /// Blocks until no session is registered or `deadline` passes; true when none is left.
  bool wait_empty(std::chrono::steady_clock::time_point deadline);
  std::size_t count(ConnState state) const;

  std::size_t max_connections() const { return max_connections_; }
  std::size_t max_pending() const { return max_pending_; }

 private:
  struct Entry {
    Session* session;
    std::weak_ptr<Session> weak;
    ConnState state;
    std::chrono::steady_clock::time_point since;
  };
  using List = std::list<Entry>;

  List& list(ConnState s) { return lists_[static_cast<std::size_t>(s)]; }
  std::size_t live() const;     // Every state but evicted.
  std::size_t pending() const;  // Handshake + new.
  // The oldest entry of the two lists (by `since`), or null when both are empty.
  List* older(ConnState a, ConnState b);
  // Moves the front of `from` to evicted and returns its session (null when expired).
  void evict_front(List& from, Admission& out);
  void move(List::iterator it, ConnState to);

  const std::size_t max_connections_;
  const std::size_t max_pending_;
  Metrics& metrics_;
  mutable std::mutex mutex_;
  std::condition_variable empty_cv_;
  std::array<List, kConnStates> lists_;
  std::unordered_map<Session*, List::iterator> index_;
};

}  // namespace meshward::server
