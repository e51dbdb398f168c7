#include "meshward/server/server.h"

#include <sys/resource.h>

#include <algorithm>
#include <csignal>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/signal_set.hpp>

#include "meshward/core/log.h"
#include "meshward/server/listener.h"
#include "meshward/server/overload.h"
#include "meshward/server/session.h"
#include "meshward/world/loader.h"

namespace meshward::server {


static unsigned io_threads(const ServerConfig& config) {
  return config.threads != 0 ? config.threads : std::max(1u, std::thread::hardware_concurrency());
}

// Raises the soft limit on open files to the hard limit (as Go's runtime does), so the
// connection bound, not EMFILE, is what limits connections. Returns the soft limit.
static rlim_t raise_file_limit() {
  rlimit rl{};
  if (::getrlimit(RLIMIT_NOFILE, &rl) != 0) {
    return 0;
  }
  if (rl.rlim_cur < rl.rlim_max) {
    rlimit want = rl;
    want.rlim_cur = rl.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &want) == 0) {
      rl = want;
    }
  }
  return rl.rlim_cur;
}

Server::Server(std::shared_ptr<ServerState> state)
    : state_(std::move(state)),
      threads_count_(io_threads(state_->config)) {
  for (unsigned i = 0; i < threads_count_; ++i) {
    // The concurrency hint tells Asio that one thread runs the context.
    contexts_.push_back(std::make_unique<net::io_context>(1));
  }
}

Server::~Server() { shutdown(); }

Result<std::unique_ptr<Server>> Server::create(ServerConfig config,
                                               std::shared_ptr<admission::WorldSlot> slot) {
  auto endpoint = parse_listen(config.listen);
  if (!endpoint) {
    return endpoint.error();
  }
  if (!slot) {
    slot = std::make_shared<admission::WorldSlot>();
  }
  auto state = std::make_shared<ServerState>(std::move(config), std::move(slot));
  state->eval_queue = std::make_shared<EvalQueue>(state->config.limits.max_queued_requests);
  std::unique_ptr<Server> server(new Server(state));
  const rlim_t files = raise_file_limit();
  if (files != 0 && files != RLIM_INFINITY && files < state->config.limits.max_connections + 64) {
    state->log(log_line("warn", "the open-file limit is below the connection bound: connections will "
                                "fail with EMFILE first",
                        ",\"nofile\":" + std::to_string(files) + ",\"max_connections\":" +
                            std::to_string(state->config.limits.max_connections)));
  }

  // Certificates first: without them nothing can be served.
  if (auto loaded = state->tls.load(); !loaded) {
    return loaded.error();
  }
  if (!state->config.policy_file.empty()) {
    if (auto loaded = server->load_policy(); !loaded) {
      return loaded.error();
    }
  }
  if (!state->config.world_paths.empty()) {
    if (auto loaded = server->load_world(); !loaded) {
      return loaded.error();
    }
  }
  std::vector<net::io_context*> contexts;
  for (const auto& c : server->contexts_) {
    contexts.push_back(c.get());
  }
  auto listener = Listener::create(std::move(contexts), *endpoint, state);
  if (!listener) {
    return listener.error();
  }
  server->listener_ = std::move(*listener);
  return server;
}

Result<bool> Server::load_world() {
  const auto& paths = state_->config.world_paths;
  world_stamp_ = stamp_paths(paths);
  auto loaded = world::load_paths(paths);
  if (!loaded) {
    return Error{"--world: " + loaded.error().message};
  }
  std::string source = "files:";
  for (const auto& p : paths) {
    source += " " + p;
  }
  const std::size_t findings = loaded->findings.size();
  state_->slot->publish(world::Snapshot::make(std::move(loaded->objects)), source);
  const auto current = state_->slot->current();
  state_->log(log_line("info", "world loaded",
                       ",\"source\":" + json_quote(source) + ",\"objects\":" +
                           std::to_string(current->snapshot->size()) + ",\"decode_findings\":" +
                           std::to_string(findings) + ",\"findings\":" +
                           std::to_string(current->findings.size()) + ",\"generation\":" +
                           std::to_string(current->generation)));
  return true;
}

Result<bool> Server::load_policy() {
  const std::string& file = state_->config.policy_file;
  policy_stamp_ = stamp_paths({file});
  auto loaded = admission::load_policy_file(file);
  if (!loaded) {
    return Error{"--policy: " + loaded.error().message};
  }
  const admission::Policy& p = *loaded;
  state_->log(log_line("info", "policy loaded",
                       ",\"file\":" + json_quote(file) + ",\"rules\":" + std::to_string(p.rules.size()) +
                           ",\"namespaces\":" + std::to_string(p.namespaces.size()) +
                           ",\"default_enforcement\":" +
                           json_quote(std::string(admission::enforcement_name(p.default_enforcement)))));
  state_->policy.set(std::move(*loaded));
  return true;
}

void Server::start() {
  state_->eval_queue->start(state_->config.eval_threads != 0 ? state_->config.eval_threads : threads_count_);
  listener_->run();
  threads_.reserve(threads_count_);
  for (const auto& context : contexts_) {
    // Connections come and go: the thread waits for them even while its context is idle.
    threads_.emplace_back([ioc = context.get()] {
      auto work = net::make_work_guard(*ioc);
      ioc->run();
    });
  }
  reload_thread_ = std::thread([this] { reload_loop(); });
  log_flush_thread_ = std::thread([this] { log_flush_loop(); });
}

void Server::poll_files() {
  std::lock_guard poll_lock(poll_mutex_);  // The reload thread and a caller may race.
  // Certificates: a new context for new connections; connections in flight keep theirs.
  auto reloaded = state_->tls.reload_if_changed();
  if (!reloaded) {
    state_->metrics.record_cert_reload(false);
    state_->log(log_line("error", "certificate reload failed; keeping the previous one",
                         ",\"error\":" + json_quote(reloaded.error().message)));
  } else if (*reloaded) {
    state_->metrics.record_cert_reload(true);
    const auto tls = state_->tls.current();
    state_->log(log_line("info", "certificate reloaded",
                         ",\"subject\":" + json_quote(tls->subject) +
                             ",\"not_after\":" + std::to_string(tls->not_after)));
  }
  // World files: reload and swap the snapshot atomically.
  const auto& paths = state_->config.world_paths;
  if (!paths.empty() && stamp_paths(paths) != world_stamp_) {
    auto loaded = load_world();
    state_->metrics.record_world_reload(loaded.ok());
    if (!loaded) {
      state_->log(log_line("error", "world reload failed; keeping the previous world",
                           ",\"error\":" + json_quote(loaded.error().message)));
    }
  }
  // Policy file (a ConfigMap mount swaps a symlink; stamp_paths follows it).
  const std::string& policy_file = state_->config.policy_file;
  if (!policy_file.empty() && stamp_paths({policy_file}) != policy_stamp_) {
    auto loaded = load_policy();
    state_->metrics.record_policy_reload(loaded.ok());
    if (!loaded) {
      state_->log(log_line("error", "policy reload failed; keeping the previous policy",
                           ",\"error\":" + json_quote(loaded.error().message)));
    }
  }
}

void Server::reload_loop() {
  std::unique_lock lock(reload_mutex_);
  while (!stopping_) {
    reload_cv_.wait_for(lock, state_->config.reload_interval, [&] { return stopping_; });
    if (stopping_) {
      break;
    }
    lock.unlock();
    poll_files();
    lock.lock();
  }
}

void Server::log_flush_loop() {
  // Held routine lines reach the log within kLogFlushInterval even when traffic is too light
  // to fill a batch.
  std::unique_lock lock(reload_mutex_);
  while (!stopping_) {
    reload_cv_.wait_for(lock, ServerState::kLogFlushInterval, [&] { return stopping_; });
    lock.unlock();
    state_->flush_log();
    lock.lock();
  }
}

bool Server::shutdown() {
  std::lock_guard guard(shutdown_mutex_);
  if (stopped_) {
    return drained_;
  }
  stopped_ = true;
  if (threads_.empty()) {
    // Never started: nothing in flight.
    if (listener_) {
      listener_->stop();
      contexts_.front()->run_for(std::chrono::milliseconds(100));
    }
    return true;
  }
  state_->log(log_line("info", "shutting down: no new connections, draining in-flight requests"));
  // Step 1: stop accepting; readiness turns false.
  state_->draining = true;
  listener_->stop();
  // Step 2: idle keep-alive connections close now; busy ones after their response.
  for (const auto& session : state_->sessions()) {
    session->drain();
  }
  // Step 3: wait, bounded, for every connection to finish.
  drained_ = state_->wait_no_sessions(std::chrono::steady_clock::now() + state_->config.drain_timeout);
  // Step 4: stop the threads (cuts whatever exceeded the bound), then the evaluation
  // threads (requests still queued are dropped with their connections, while the
  // io_context their sockets belong to still exists).
  for (const auto& context : contexts_) {
    context->stop();
  }
  for (auto& t : threads_) {
    t.join();
  }
  state_->eval_queue->stop();
  {
    std::lock_guard lock(reload_mutex_);
    stopping_ = true;
  }
  reload_cv_.notify_all();
  if (reload_thread_.joinable()) {
    reload_thread_.join();
  }
  if (log_flush_thread_.joinable()) {
    log_flush_thread_.join();
  }
  state_->log(log_line(drained_ ? "info" : "warn",
                       drained_ ? "stopped" : "stopped with connections cut at the drain bound"));
  return drained_;
}

bool Server::wait_for_signal() {
  net::io_context signals_ioc;
  net::signal_set signals(signals_ioc, SIGINT, SIGTERM);
  signals.async_wait([](error_code, int) {});
  signals_ioc.run();
  return shutdown();
}

tcp::endpoint Server::local_endpoint() const { return listener_->local_endpoint(); }

}  // namespace meshward::server
