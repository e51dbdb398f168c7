#pragma once
// Listener: accepts connections, admits each into the connection table (connections.h) and
// starts a Session for it on one of the I/O threads' io_contexts, in turn.

#include <cstddef>
#include <memory>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "meshward/core/result.h"
#include "meshward/server/asio.h"
#include "meshward/server/state.h"

namespace meshward::server {

/// Parses "host:port", ":port", "[v6]:port" ("localhost" is 127.0.0.1; an empty host is
/// 0.0.0.0). The Error says what is wrong with `listen`.
Result<tcp::endpoint> parse_listen(std::string_view listen);

/// Accepts connections until stop(). Owned by shared_ptr (the accept in flight holds it).
class Listener : public std::enable_shared_from_this<Listener> {
 public:
  /// Opens, binds and listens (reuse_address on). The Error names the step and the address.
  /// The listening socket lives on contexts[0]; accepted connections go to each context in
  /// turn. Every context must be run by exactly one thread (a session then needs no strand).
  static Result<std::shared_ptr<Listener>> create(std::vector<net::io_context*> contexts,
                                                  const tcp::endpoint& endpoint,
                                                  std::shared_ptr<ServerState> state);

  /// Starts accepting.
  void run();
  /// Stops accepting (the listening socket closes; accepted connections go on). Thread-safe.
  void stop();
  /// The bound address (the real port when asked for port 0).
  tcp::endpoint local_endpoint() const { return endpoint_; }

  Listener(std::vector<net::io_context*> contexts, std::shared_ptr<ServerState> state);

 private:
  void do_accept();
  void on_accept(error_code ec, tcp::socket socket);

  std::vector<net::io_context*> contexts_;
  std::size_t next_context_ = 0;  // Only the accepting thread reads and advances it.
  tcp::acceptor acceptor_;
  net::steady_timer backoff_;  // After an accept error, before the next accept.
  std::shared_ptr<ServerState> state_;
  tcp::endpoint endpoint_;
};

}  // namespace meshward::server
