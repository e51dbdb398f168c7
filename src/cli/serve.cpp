#include <charconv>
#include <ostream>
#include <thread>

#include "meshward/cli/args.h"
#include "meshward/cli/commands.h"
#include "meshward/server/server.h"

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
      {"world", "", true, "manifests (file or directory) the cluster is made of; repeatable"},
      {"policy", "", true, "policy file (YAML, docs/policy.md); reloaded when it changes"},
      {"threads", "", true, "I/O threads (default: one per core)"},
      {"help", "h", false, "show this help"},
  };
  return specs;
}

}  // namespace

int serve(const std::vector<std::string>& words, std::ostream& out, std::ostream& err) {
  auto args = Args::parse(words, serve_flags());
  if (!args) {
    err << "meshward serve: " << args.error().message << "\n";
    return kExitUsage;
  }
  if (args->has("help")) {
    out << "Usage: meshward serve --world PATH [--listen HOST:PORT] [--tls-cert FILE --tls-key FILE]\n"
        << "                      [--client-ca FILE] [--policy FILE] [--threads N]\n\n"
        << "Serves the validating admission webhook: POST /validate (AdmissionReview v1/v1beta1),\n"
        << "GET /healthz, /readyz, /metrics. SIGTERM drains in-flight requests, then exits 0.\n"
        << "Certificates, world and policy files are reloaded when they change; a file that no\n"
        << "longer loads is logged and the previous version stays in use.\n\n"
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
  if (config.world_paths.empty()) {
    err << "meshward serve: no world; give --world DIR|FILE (the manifests the cluster holds)\n";
    return kExitUsage;
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
  config.version = MESHWARD_VERSION;
  config.commit = MESHWARD_GIT_COMMIT;
  config.log = &err;

  auto created = server::Server::create(std::move(config));
  if (!created) {
    err << "meshward serve: " << created.error().message << "\n";
    return kExitUsage;
  }
  server::Server& srv = **created;
  srv.start();
  const auto endpoint = srv.local_endpoint();
  const auto world = srv.slot()->current();
  const std::string host = endpoint.address().is_v6() ? "[" + endpoint.address().to_string() + "]"
                                                      : endpoint.address().to_string();
  out << "meshward: serving on https://" << host << ":" << endpoint.port()
      << " (world: " << (world ? world->snapshot->size() : 0) << " objects, " << srv.threads()
      << (srv.threads() == 1 ? " thread)" : " threads)") << std::endl;
  // A drain that hit its bound is logged by the server; the stop itself was still orderly,
  // so the exit status is 0 either way (Kubernetes reads non-zero as a crash).
  srv.wait_for_signal();
  return kExitOk;
}

}  // namespace meshward::cli
