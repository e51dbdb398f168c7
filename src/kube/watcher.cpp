#include "meshward/kube/watcher.h"

#include <algorithm>
#include <atomic>
#include <map>
#include <set>
#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "meshward/core/json.h"
#include "meshward/core/log.h"
#include "meshward/model/decode.h"
#include "reflector.h"

namespace meshward::kube {

namespace {

constexpr std::size_t kDiscoveryBodyLimit = 16 * 1024 * 1024;

/// Versions of one API group the server serves, preferred first.
using ServedVersions = std::vector<std::string>;

std::vector<model::Kind> kinds_to_watch(const WatchOptions& options) {
  if (!options.kinds.empty()) {
    auto kinds = options.kinds;
    std::sort(kinds.begin(), kinds.end());
    kinds.erase(std::unique(kinds.begin(), kinds.end()), kinds.end());
    return kinds;
  }
  std::vector<model::Kind> all;
  for (const auto& info : model::kind_table()) {
    all.push_back(info.kind);
  }
  return all;
}

std::string string_of(const json::Value& v) {
  return v.IsString() ? std::string(v.GetString(), v.GetStringLength()) : std::string();
}

}  // namespace

struct Watcher::Impl {
  Impl(ClusterConfig c, WatchOptions o, Publish p)
      : config(std::move(c)), options(std::move(o)), publish(std::move(p)), tokens(config) {}

  ClusterConfig config;
  WatchOptions options;
  Publish publish;
  TokenSource tokens;
  ObjectStore store;
  std::shared_ptr<ssl::context> tls;
  std::unique_ptr<WatchContext> context;

  mutable std::mutex loops_mutex;
  std::vector<std::unique_ptr<Reflector>> loops;  ///< Set once, by discovery.
  std::vector<WatchStats> skipped;                ///< Kinds the server does not serve.
  std::atomic<bool> discovered{false};
  std::atomic<bool> synced{false};
  std::atomic<std::uint64_t> publishes{0};

  std::thread io_thread;
  std::thread publisher;
  bool started = false;
  bool stopped = false;  ///< Single-use: the io_context and store stay stopped.
  // Declared last so it is destroyed first: the loops' coroutine frames (and the
  // connections they own) go before the store, TLS context and loops they refer to.
  net::io_context io;

  net::awaitable<void> discover_and_run();
  /// The served path of each of `kinds` the API server serves (absent: not served).
  net::awaitable<std::map<model::Kind, WatchTarget>> discover(ApiConnection& connection,
                                                              const std::vector<model::Kind>& kinds);
  /// Starts a loop per namespace scope for each of `kinds` in `targets`; the others are
  /// (still) skipped. Returns how many kinds started.
  std::size_t start_loops(const std::map<model::Kind, WatchTarget>& targets,
                          const std::vector<model::Kind>& kinds, bool first);
  void publish_loop();
  bool all_synced() const;
};

net::awaitable<std::map<model::Kind, WatchTarget>> Watcher::Impl::discover(
    ApiConnection& connection, const std::vector<model::Kind>& kinds) {
  const auto timeout = options.request_timeout;
  auto get_json = [&](const std::string& path) -> net::awaitable<std::optional<json::Document>> {
    ApiResponse response = co_await connection.get(path, "application/json", timeout, kDiscoveryBodyLimit);
    if (response.status == 404) {
      co_return std::nullopt;
    }
    if (response.status == 401) {
      tokens.invalidate();
    }
    if (response.status != 200) {
      throw ApiCallError("discovery GET " + path + ": HTTP " + std::to_string(response.status));
    }
    json::Document doc;
    if (doc.Parse<rapidjson::kParseIterativeFlag>(response.body.data(), response.body.size()).HasParseError() || !doc.IsObject()) {
      throw ApiCallError("discovery GET " + path + ": the answer is not a JSON object");
    }
    co_return doc;
  };

  // Groups and their served versions, preferred first (APIGroupList).
  std::map<std::string, ServedVersions> groups;
  groups[""] = {"v1"};
  if (auto list = co_await get_json("/apis")) {
    auto it = list->FindMember("groups");
    if (it != list->MemberEnd() && it->value.IsArray()) {
      for (const auto& group : it->value.GetArray()) {
        if (!group.IsObject() || !group.HasMember("name")) {
          continue;
        }
        ServedVersions versions;
        if (auto pref = group.FindMember("preferredVersion"); pref != group.MemberEnd() && pref->value.IsObject()) {
          if (auto v = pref->value.FindMember("version"); v != pref->value.MemberEnd()) {
            versions.push_back(string_of(v->value));
          }
        }
        if (auto vs = group.FindMember("versions"); vs != group.MemberEnd() && vs->value.IsArray()) {
          for (const auto& v : vs->value.GetArray()) {
            if (v.IsObject() && v.HasMember("version")) {
              const std::string name = string_of(v["version"]);
              if (std::find(versions.begin(), versions.end(), name) == versions.end()) {
                versions.push_back(name);
              }
            }
          }
        }
        groups[string_of(group["name"])] = std::move(versions);
      }
    }
  }

  // Resources of each group version we may use (APIResourceList), fetched on demand.
  std::map<std::string, std::set<std::string>> resources;
  auto has_resource = [&](const std::string& group_version,
                          std::string_view resource) -> net::awaitable<bool> {
    auto found = resources.find(group_version);
    if (found == resources.end()) {
      std::set<std::string> names;
      const std::string path = group_version == "v1" ? "/api/v1" : "/apis/" + group_version;
      if (auto list = co_await get_json(path)) {
        auto it = list->FindMember("resources");
        if (it != list->MemberEnd() && it->value.IsArray()) {
          for (const auto& r : it->value.GetArray()) {
            if (r.IsObject() && r.HasMember("name")) {
              names.insert(string_of(r["name"]));
            }
          }
        }
      }
      found = resources.emplace(group_version, std::move(names)).first;
    }
    co_return found->second.count(std::string(resource)) > 0;
  };

  std::map<model::Kind, WatchTarget> targets;
  for (const model::Kind kind : kinds) {
    const auto& info = model::kind_info(kind);
    const auto group = groups.find(std::string(info.group));
    if (group == groups.end()) {
      continue;
    }
    // The server's preferred version when meshward decodes it, else the first served one
    // meshward knows (the kind table lists versions newest first).
    for (const std::string& version : group->second) {
      if (std::find(info.versions.begin(), info.versions.end(), version) == info.versions.end()) {
        continue;
      }
      const std::string group_version = info.group.empty() ? version : std::string(info.group) + "/" + version;
      if (!co_await has_resource(group_version, info.resource)) {
        continue;
      }
      WatchTarget target;
      target.kind = kind;
      target.group_version = group_version;
      target.path = (info.group.empty() ? "/api/" : "/apis/") + group_version;
      target.metadata_only = std::find(options.metadata_only.begin(), options.metadata_only.end(),
                                       kind) != options.metadata_only.end();
      targets.emplace(kind, std::move(target));
      break;
    }
  }
  co_return targets;
}

std::size_t Watcher::Impl::start_loops(const std::map<model::Kind, WatchTarget>& targets,
                                      const std::vector<model::Kind>& kinds, bool first) {
  std::vector<std::unique_ptr<Reflector>> made;
  std::vector<WatchStats> missing;
  std::size_t started_kinds = 0;
  for (const model::Kind kind : kinds) {
    const auto& info = model::kind_info(kind);
    auto found = targets.find(kind);
    if (found == targets.end()) {
      WatchStats stats;
      stats.kind = kind;
      stats.synced = true;  // Nothing to wait for: readiness does not hang on a missing CRD.
      missing.push_back(stats);
      if (first) {
        context->log("warn", "kind not served by the API server (CRD not installed?); not watched yet",
                     ",\"kind\":" + json_quote(info.name) + ",\"group\":" + json_quote(info.group));
      }
      continue;
    }
    ++started_kinds;
    if (!first) {
      context->log("info", "kind now served by the API server; watching it",
                   ",\"kind\":" + json_quote(info.name) + ",\"path\":" + json_quote(found->second.path));
    }
    std::vector<std::string> scopes = {""};
    if (info.namespaced && !options.namespaces.empty()) {
      scopes = options.namespaces;
      std::sort(scopes.begin(), scopes.end());  // Twice the same namespace would be one loop too many.
      scopes.erase(std::unique(scopes.begin(), scopes.end()), scopes.end());
    }
    for (const std::string& ns : scopes) {
      WatchTarget target = found->second;
      target.namespace_ = ns;
      target.path += (ns.empty() ? "/" : "/namespaces/" + ns + "/") + std::string(info.resource);
      made.push_back(std::make_unique<Reflector>(std::move(target), *context));
    }
  }
  std::lock_guard lock(loops_mutex);
  for (auto& loop : made) {
    net::co_spawn(io, loop->run(), net::detached);
    loops.push_back(std::move(loop));
  }
  skipped = std::move(missing);
  return started_kinds;
}

net::awaitable<void> Watcher::Impl::discover_and_run() {
  ApiConnection connection(co_await net::this_coro::executor, *tls, config, tokens);
  Backoff backoff(options.backoff_initial, options.backoff_max);
  const std::vector<model::Kind> kinds = kinds_to_watch(options);
  for (;;) {
    try {
      const auto targets = co_await discover(connection, kinds);
      start_loops(targets, kinds, true);
      break;
    } catch (const std::exception& e) {  // ApiCallError, or anything else: retry either way.
      connection.close();
      context->log("warn", "API discovery failed; retrying", ",\"error\":" + json_quote(e.what()));
    }
    co_await sleep_for(backoff.next());
  }
  discovered = true;
  {
    std::lock_guard lock(loops_mutex);
    context->log("info", "API discovery done",
                 ",\"loops\":" + std::to_string(loops.size()) + ",\"skipped\":" + std::to_string(skipped.size()));
  }
  // Istio's CRDs are often installed after meshward: look for the skipped kinds again now
  // and then, so their objects join the world without a restart.
  for (;;) {
    std::vector<model::Kind> missing;
    {
      std::lock_guard lock(loops_mutex);
      for (const auto& s : skipped) {
        missing.push_back(s.kind);
      }
    }
    if (missing.empty()) {
      co_return;
    }
    co_await sleep_for(options.rediscover_interval);
    try {
      const auto targets = co_await discover(connection, missing);
      start_loops(targets, missing, false);
    } catch (const std::exception& e) {
      connection.close();
      context->log("warn", "API discovery of skipped kinds failed; trying later",
                   ",\"error\":" + json_quote(e.what()));
    }
  }
}

bool Watcher::Impl::all_synced() const {
  if (!discovered) {
    return false;
  }
  std::lock_guard lock(loops_mutex);
  return std::all_of(loops.begin(), loops.end(), [](const auto& loop) { return loop->synced(); });
}

void Watcher::Impl::publish_loop() {
  constexpr auto kPoll = std::chrono::milliseconds(50);
  // Wait for every loop's first sync (the store changes as kinds are listed; time out to
  // look again when one lists nothing).
  while (!store.stopped() && !all_synced()) {
    store.wait_for_change(store.changes(), kPoll);
  }
  std::uint64_t published = 0;
  bool first = true;
  while (!store.stopped()) {
    if (!first) {
      if (store.wait_for_change(published, kPoll) == published) {
        continue;
      }
      // Let a burst of events land, then take them all in one snapshot.
      std::this_thread::sleep_for(options.publish_delay);
    }
    published = store.changes();
    try {
      auto snapshot = world::Snapshot::make(store.objects());
      const std::size_t size = snapshot->size();
      publish(std::move(snapshot));
      publishes.fetch_add(1);
      if (first) {
        first = false;
        synced = true;
        context->log("info", "world synced from the API server", ",\"objects\":" + std::to_string(size));
      }
    } catch (const std::exception& e) {
      // The previous world stays in use; the next change tries again.
      context->log("error", "publishing the world failed", ",\"error\":" + json_quote(e.what()));
    }
  }
}

Watcher::Watcher(ClusterConfig config, WatchOptions options, Publish publish)
    : impl_(std::make_unique<Impl>(std::move(config), std::move(options), std::move(publish))) {}

Watcher::~Watcher() { stop(); }

Result<bool> Watcher::start() {
  auto& d = *impl_;
  if (d.started) {
    return true;
  }
  if (d.stopped) {
    return Error{"kube watcher: start() after stop(); make a new Watcher"};
  }
  auto tls = make_client_tls(d.config);
  if (!tls) {
    return tls.error();
  }
  d.tls = std::move(*tls);
  d.context = std::make_unique<WatchContext>(WatchContext{d.config, d.options, *d.tls, d.tokens, d.store});
  d.started = true;
  net::co_spawn(d.io, d.discover_and_run(), net::detached);
  d.io_thread = std::thread([&d] {
    auto guard = net::make_work_guard(d.io);
    d.io.run();
  });
  d.publisher = std::thread([&d] { d.publish_loop(); });
  return true;
}

void Watcher::stop() {
  auto& d = *impl_;
  if (!d.started) {
    return;
  }
  d.started = false;
  d.stopped = true;
  d.io.stop();
  d.store.stop();
  if (d.io_thread.joinable()) {
    d.io_thread.join();
  }
  if (d.publisher.joinable()) {
    d.publisher.join();
  }
}

bool Watcher::synced() const { return impl_->synced.load(); }

std::uint64_t Watcher::publishes() const { return impl_->publishes.load(); }

std::vector<WatchStats> Watcher::stats() const {
  std::vector<WatchStats> out;
  {
    std::lock_guard lock(impl_->loops_mutex);
    for (const auto& loop : impl_->loops) {
      out.push_back(loop->stats());
    }
    out.insert(out.end(), impl_->skipped.begin(), impl_->skipped.end());
  }
  std::sort(out.begin(), out.end(), [](const WatchStats& a, const WatchStats& b) {
    return std::tie(a.kind, a.namespace_) < std::tie(b.kind, b.namespace_);
  });
  return out;
}

std::string Watcher::metrics_text() const {
  // Per kind, summed over namespaces.
  struct PerKind {
    std::uint64_t objects = 0, lists = 0, relists = 0, watches = 0, errors = 0, events = 0;
    bool synced = true;
    bool served = false;
  };
  std::map<std::string, PerKind> kinds;
  for (const auto& s : stats()) {
    auto& k = kinds[std::string(model::kind_name(s.kind))];
    k.objects += s.objects;
    k.lists += s.lists;
    k.relists += s.relists;
    k.watches += s.watches;
    k.errors += s.errors;
    k.events += s.events;
    k.synced = k.synced && s.synced;
    k.served = k.served || !s.api_path.empty();
  }
  std::string out;
  auto family = [&](const char* name, const char* type, const char* help, auto value) {
    out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
    for (const auto& [kind, k] : kinds) {
      out += std::string(name) + "{kind=\"" + kind + "\"} " + std::to_string(value(k)) + "\n";
    }
  };
  family("meshward_watch_objects", "gauge", "Objects held from the API server, by kind.",
         [](const PerKind& k) { return k.objects; });
  family("meshward_watch_synced", "gauge", "1 when the kind has been listed completely (or is not served).",
         [](const PerKind& k) { return k.synced ? 1 : 0; });
  family("meshward_watch_served", "gauge", "1 when the API server serves the kind (its CRD is installed).",
         [](const PerKind& k) { return k.served ? 1 : 0; });
  family("meshward_watch_lists_total", "counter", "Complete LISTs, first syncs and relists.",
         [](const PerKind& k) { return k.lists; });
  family("meshward_watch_restarts_total", "counter", "Relists after 410 Gone (watch history expired).",
         [](const PerKind& k) { return k.relists; });
  family("meshward_watch_streams_total", "counter", "WATCH streams opened.",
         [](const PerKind& k) { return k.watches; });
  family("meshward_watch_events_total", "counter", "Watch events applied, bookmarks included.",
         [](const PerKind& k) { return k.events; });
  family("meshward_watch_errors_total", "counter", "Failed list/watch calls (retried with backoff).",
         [](const PerKind& k) { return k.errors; });
  out += "# HELP meshward_watch_publishes_total Worlds published from the API server.\n"
         "# TYPE meshward_watch_publishes_total counter\nmeshward_watch_publishes_total " +
         std::to_string(publishes()) + "\n";
  return out;
}

}  // namespace meshward::kube
