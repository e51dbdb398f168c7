#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <memory>
#include <optional>
#include <ostream>
#include <thread>

#include "meshward/cli/args.h"
#include "meshward/cli/commands.h"
#include "meshward/core/log.h"
#include "meshward/kube/watcher.h"
#include "meshward/model/object.h"
#include "meshward/server/server.h"
#include "meshward/translate/options.h"

#ifndef MESHWARD_VERSION
#define MESHWARD_VERSION "0.0.0"
#endif
#ifndef MESHWARD_GIT_COMMIT
#define MESHWARD_GIT_COMMIT "unknown"
#endif

namespace meshward::cli {

namespace {

constexpr const char* kDefaultCert = "/etc/meshward/tls/tls.crt";
constexpr const char* kDefaultKey = "/etc/meshward/tls/tls.key";

const std::vector<FlagSpec>& serve_flags() {
  static const std::vector<FlagSpec> specs = {
      {"listen", "", true, "address to serve HTTPS on, HOST:PORT or :PORT (default :8443)"},
      {"tls-cert", "", true, "PEM certificate chain (default /etc/meshward/tls/tls.crt)"},
      {"tls-key", "", true, "PEM private key, ECDSA or RSA (default /etc/meshward/tls/tls.key)"},
      {"client-ca", "", true, "PEM CA bundle; when set, clients must present a certificate"},
      {"world", "", true, "manifests (file or directory) to serve instead of a live cluster; repeatable"},
      {"kubeconfig", "", true, "kubeconfig to watch the cluster with (default: $KUBECONFIG, in-cluster, ~/.kube/config)"},
      {"context", "", true, "kubeconfig context (default: its current-context)"},
      {"watch-namespace", "", true, "watch namespaced kinds in this namespace only; repeatable (default: all)"},
      {"watch-kind", "", true, "watch only this kind (e.g. VirtualService); repeatable (default: every kind checks read)"},
      {"policy", "", true, "policy file (YAML, docs/policy.md); reloaded when it changes"},
      {"istio-version", "", true,
       "the Istio release the mesh runs, e.g. 1.24: checks translate as its istiod does and "
       "judge proxies of unknown version by it (default: the newest meshward reproduces)"},
      {"mesh-config", "", true,
       "the mesh's MeshConfig (data.mesh of the istio ConfigMap, that ConfigMap, or an "
       "IstioOperator): rootNamespace, trustDomain, outboundTrafficPolicy, connectTimeout, "
       "enableAutoMtls, default*ExportTo, extensionProviders, localityLbSetting, "
       "protocolDetectionTimeout, dnsRefreshRate, h2UpgradePolicy, defaultHttpRetryPolicy "
       "(default: Istio's defaults)"},
      {"threads", "", true, "I/O threads (default: one per core)"},
      {"eval-threads", "", true, "admission evaluation threads (default: as --threads)"},
      {"max-connections", "", true,
       "open connections; at the bound the oldest idle or unfinished one is closed for a newcomer (default 1024)"},
      {"max-pending-connections", "", true,
       "connections in the TLS handshake or before a complete request header (default 256)"},
      {"max-queued-requests", "", true,
       "admission requests read and not yet answered; more get 503 at once (default 256)"},
      {"max-request-memory", "", true,
       "request bodies being read or waiting, e.g. 128Mi; a request over it gets 503 (default 128Mi)"},
      {"help", "h", false, "show this help"},
  };
  return specs;
}

}  // namespace

namespace {

// A count flag: a whole number from `min` to `max`. False (and a message) when it is not.
bool count_flag(const Args& args, std::string_view name, std::size_t min, std::size_t max,
                std::size_t& out, std::ostream& err) {
  const auto text = args.value(name);
  if (!text) {
    return true;
  }
  std::size_t n = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), n);
  if (ec != std::errc() || end != text->data() + text->size() || n < min || n > max) {
    err << "meshward serve: --" << name << " must be a number from " << min << " to " << max << "\n";
    return false;
  }
  out = n;
  return true;
}

// A size in bytes with an optional binary suffix: 1048576, 1024Ki, 128Mi, 1Gi.
std::optional<std::size_t> parse_bytes(std::string_view text) {
  std::size_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end == text.data()) {
    return std::nullopt;
  }
  const std::string_view suffix(end, static_cast<std::size_t>(text.data() + text.size() - end));
  std::size_t scale = 1;
  if (suffix == "Ki") {
    scale = std::size_t{1} << 10;
  } else if (suffix == "Mi") {
    scale = std::size_t{1} << 20;
  } else if (suffix == "Gi") {
    scale = std::size_t{1} << 30;
  } else if (!suffix.empty()) {
    return std::nullopt;
  }
  if (n > (std::size_t{1} << 40) / scale) {
    return std::nullopt;
  }
  return n * scale;
}

}  // namespace

int serve(const std::vector<std::string>& words, std::ostream& out, std::ostream& err) {
  auto args = Args::parse(words, serve_flags());
  if (!args) {
    err << "meshward serve: " << args.error().message << "\n";
    return kExitUsage;
  }
  if (args->has("help")) {
    out << "Usage: meshward serve [--kubeconfig FILE [--context NAME] | --world PATH]\n"
        << "                      [--listen HOST:PORT] [--tls-cert FILE --tls-key FILE]\n"
        << "                      [--client-ca FILE] [--policy FILE] [--threads N] [--eval-threads N]\n"
        << "                      [--max-connections N] [--max-pending-connections N]\n"
        << "                      [--max-queued-requests N] [--max-request-memory SIZE]\n"
        << "                      [--watch-namespace NS]... [--watch-kind KIND]...\n"
        << "                      [--istio-version X.Y] [--mesh-config FILE]\n\n"
        << "Serves the validating admission webhook: POST /validate (AdmissionReview v1/v1beta1),\n"
        << "GET /healthz, /readyz, /metrics. SIGTERM drains in-flight requests, then exits 0.\n"
        << "The world is the live cluster (list/watch through the API server; /readyz answers\n"
        << "200 once every kind has synced), or with --world a fixed set of manifests.\n"
        << "Certificates, world and policy files are reloaded when they change; a file that no\n"
        << "longer loads is logged and the previous version stays in use.\n"
        << "Under overload a request that cannot be evaluated within the API server's ?timeout=\n"
        << "(or over the queue bound) gets 503 at once; slow and idle connections give way to new ones.\n\n"
        << describe_flags(serve_flags());
    return kExitOk;
  }
  if (!args->positional().empty()) {
    err << "meshward serve: unexpected argument \"" << args->positional().front() << "\"\n";
    return kExitUsage;
  }
  server::ServerConfig config;
  config.listen = args->value("listen").value_or(":8443");
  config.tls.cert_file = args->value("tls-cert").value_or(kDefaultCert);
  config.tls.key_file = args->value("tls-key").value_or(kDefaultKey);
  config.tls.client_ca_file = args->value("client-ca").value_or("");
  config.world_paths = args->values("world");
  config.policy_file = args->value("policy").value_or("");
  if (args->has("policy") && config.policy_file.empty()) {
    err << "meshward serve: --policy needs a file name\n";
    return kExitUsage;
  }
  const bool live = config.world_paths.empty();
  if (!live && (args->has("kubeconfig") || args->has("context") || args->has("watch-namespace") ||
                args->has("watch-kind"))) {
    err << "meshward serve: --world serves fixed manifests; --kubeconfig, --context, --watch-namespace and "
           "--watch-kind are for a live cluster\n";
    return kExitUsage;
  }
  kube::ClusterConfig cluster;
  kube::WatchOptions watch;
  if (live) {
    watch.namespaces = args->values("watch-namespace");
    for (const std::string& ns : watch.namespaces) {
      // A namespace name is a DNS-1123 label; anything else would end up inside a URL path.
      const bool label = !ns.empty() && ns.size() <= 63 && std::isalnum(static_cast<unsigned char>(ns.front())) &&
                         std::isalnum(static_cast<unsigned char>(ns.back())) &&
                         std::all_of(ns.begin(), ns.end(), [](char c) {
                           return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
                         });
      if (!label) {
        err << "meshward serve: --watch-namespace \"" << ns << "\" is not a namespace name\n";
        return kExitUsage;
      }
    }
    for (const std::string& name : args->values("watch-kind")) {
      const auto kind = model::parse_kind(name);
      if (!kind) {
        err << "meshward serve: --watch-kind \"" << name << "\" is not a kind meshward reads (see meshward rules)\n";
        return kExitUsage;
      }
      watch.kinds.push_back(*kind);
    }
    auto resolved = kube::resolve_config(args->value("kubeconfig").value_or(""),
                                         args->value("context").value_or(""));
    if (!resolved) {
      err << "meshward serve: " << resolved.error().message
          << "\n(give --kubeconfig FILE, run in a pod, or serve fixed manifests with --world PATH)\n";
      return kExitUsage;
    }
    cluster = std::move(*resolved);
    watch.log = &err;
  }
  if (auto threads = args->value("threads")) {
    unsigned n = 0;
    auto [end, ec] = std::from_chars(threads->data(), threads->data() + threads->size(), n);
    if (ec != std::errc() || end != threads->data() + threads->size() || n == 0 || n > 1024) {
      err << "meshward serve: --threads must be a number from 1 to 1024\n";
      return kExitUsage;
    }
    config.threads = n;
  }
  if (auto threads = args->value("eval-threads")) {
    unsigned n = 0;
    auto [end, ec] = std::from_chars(threads->data(), threads->data() + threads->size(), n);
    if (ec != std::errc() || end != threads->data() + threads->size() || n == 0 || n > 1024) {
      err << "meshward serve: --eval-threads must be a number from 1 to 1024\n";
      return kExitUsage;
    }
    config.eval_threads = n;
  }
  server::Limits& limits = config.limits;
  if (!count_flag(*args, "max-connections", 1, 1'000'000, limits.max_connections, err) ||
      !count_flag(*args, "max-pending-connections", 1, 1'000'000, limits.max_pending_connections, err) ||
      !count_flag(*args, "max-queued-requests", 1, 1'000'000, limits.max_queued_requests, err)) {
    return kExitUsage;
  }
  if (auto text = args->value("max-request-memory")) {
    const auto bytes = parse_bytes(*text);
    if (!bytes || *bytes < (std::size_t{1} << 20)) {
      err << "meshward serve: --max-request-memory must be a size of at least 1Mi (e.g. 128Mi, 1Gi)\n";
      return kExitUsage;
    }
    limits.max_request_memory = *bytes;
  }
  auto translate_options = translator_flags(*args);
  if (!translate_options) {
    err << "meshward serve: " << translate_options.error().message << "\n";
    return kExitUsage;
  }
  config.version = MESHWARD_VERSION;
  config.commit = MESHWARD_GIT_COMMIT;
  config.log = &err;

  // Live mode: the watcher publishes each new world into the slot the server reads.
  auto slot = std::make_shared<admission::WorldSlot>(*translate_options);
  std::unique_ptr<kube::Watcher> watcher;
  if (live) {
    const std::string source = "kube: " + cluster.source;
    std::ostream* log = &err;
    watcher = std::make_unique<kube::Watcher>(
        cluster, watch, [slot, source, log](std::shared_ptr<const world::Snapshot> snapshot) {
          const auto started = std::chrono::steady_clock::now();
          slot->publish(std::move(snapshot), source);
          const auto world = slot->current();
          const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                              std::chrono::steady_clock::now() - started).count();
          write_log_line(*log, log_line("info", "world published",
                                        ",\"source\":" + json_quote(source) +
                                            ",\"objects\":" + std::to_string(world->snapshot->size()) +
                                            ",\"findings\":" + std::to_string(world->findings.size()) +
                                            ",\"generation\":" + std::to_string(world->generation) +
                                            ",\"evaluate_ms\":" + std::to_string(ms)));
        });
    config.world_source_metrics = [w = watcher.get()] { return w->metrics_text(); };
  }

  auto created = server::Server::create(std::move(config), slot);
  if (!created) {
    err << "meshward serve: " << created.error().message << "\n";
    return kExitUsage;
  }
  server::Server& srv = **created;
  if (watcher) {
    if (auto started = watcher->start(); !started) {
      err << "meshward serve: " << started.error().message << "\n";
      return kExitUsage;
    }
  }
  srv.start();
  const auto endpoint = srv.local_endpoint();
  const auto world = srv.slot()->current();
  const std::string host = endpoint.address().is_v6() ? "[" + endpoint.address().to_string() + "]"
                                                      : endpoint.address().to_string();
  out << "meshward: serving on https://" << host << ":" << endpoint.port() << " (world: ";
  if (live) {
    out << "watching " << cluster.host << ":" << cluster.port << ", ready once synced";
  } else {
    out << (world ? world->snapshot->size() : 0) << " objects";
  }
  out << ", " << srv.threads() << (srv.threads() == 1 ? " thread)" : " threads)") << std::endl;
  // A drain that hit its bound is logged by the server; the stop itself was still orderly,
  // so the exit status is 0 either way (Kubernetes reads non-zero as a crash).
  srv.wait_for_signal();
  return kExitOk;
}

}  // namespace meshward::cli
