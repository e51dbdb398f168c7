#pragma once
// Server: the webhook process's engine. Owns the I/O threads (each runs its own io_context),
// the listener,
// the shared state, and a reload thread that polls certificate, world and policy files.
//
//   auto server = Server::create(config);      // certs, world and socket, or an Error
//   server.value()->start();                   // threads run their io_contexts
//   server.value()->wait_for_signal();         // SIGTERM/SIGINT -> shutdown() -> return
//
// Shutdown is graceful: stop accepting, let requests in flight finish (bounded by
// config.drain_timeout), close idle keep-alive connections, then stop the threads.

#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "meshward/admission/world_slot.h"
#include "meshward/core/result.h"
#include "meshward/server/asio.h"
#include "meshward/server/state.h"

namespace meshward::server {

class Listener;

/// See the file comment.
class Server {
 public:
  /// Loads the certificate, the policy file (when config.policy_file is set), the world
  /// (when config.world_paths is set; published into `slot`) and binds the listening
  /// socket. `slot` null: the server makes its own. Fails with a message naming the
  /// unusable flag, file or address.
  static Result<std::unique_ptr<Server>> create(ServerConfig config,
                                                std::shared_ptr<admission::WorldSlot> slot = nullptr);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  /// Starts the I/O threads, the reload thread and the log flusher. Call once.
  void start();
  /// Graceful stop; idempotent; blocks until the threads have finished. Returns true when
  /// every connection finished within the drain bound.
  bool shutdown();
  /// Blocks until SIGINT or SIGTERM, then shutdown().
  bool wait_for_signal();

  /// The bound address (the real port when asked for port 0).
  tcp::endpoint local_endpoint() const;
  /// The world slot requests read (feed it from another source to replace the files).
  const std::shared_ptr<admission::WorldSlot>& slot() const { return state_->slot; }
  /// Shared state (metrics, TLS store): for tests and the CLI's ready line.
  ServerState& state() { return *state_; }
  /// Number of I/O threads.
  unsigned threads() const { return threads_count_; }
  /// Checks certificate, world and policy files now (the reload thread does this every
  /// config.reload_interval). Thread-safe.
  void poll_files();

 private:
  explicit Server(std::shared_ptr<ServerState> state);
  void reload_loop();
  void log_flush_loop();
  Result<bool> load_world();
  Result<bool> load_policy();

  std::shared_ptr<ServerState> state_;
  // One per I/O thread (concurrency hint 1); the listener spreads connections over them.
  std::vector<std::unique_ptr<net::io_context>> contexts_;
  std::shared_ptr<Listener> listener_;
  unsigned threads_count_ = 1;
  std::vector<std::thread> threads_;
  std::thread reload_thread_;
  std::thread log_flush_thread_;  // Writes held routine log lines (ServerState::flush_log).
  std::mutex reload_mutex_;
  std::condition_variable reload_cv_;
  bool stopping_ = false;
  bool stopped_ = false;
  bool drained_ = true;
  std::mutex poll_mutex_;
  std::string world_stamp_;
  std::string policy_stamp_;
  std::mutex shutdown_mutex_;
};

}  // namespace meshward::server
