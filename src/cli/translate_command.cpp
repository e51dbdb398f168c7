// `meshward translate`: the Envoy configuration istiod would push to one proxy, read from
// manifests, printed as `/config_dump` JSON or YAML or as `istioctl proxy-config` tables.

#include <ostream>

#include "meshward/cli/args.h"
#include "meshward/cli/commands.h"
#include "meshward/translate/options.h"
#include "meshward/translate/proxy.h"
#include "meshward/translate/render.h"
#include "meshward/translate/translate.h"
#include "meshward/world/loader.h"
#include "meshward/world/snapshot.h"

namespace meshward::cli {

namespace {

const std::vector<FlagSpec>& translate_flags() {
  static const std::vector<FlagSpec> specs = {
      {"filename", "f", true, "file, directory (recursive) or - for stdin; repeatable"},
      {"proxy", "", true,
       "sidecar:<namespace>[,label=value...] or gateway:<namespace>,istio=ingressgateway[,...]; "
       "proxy-version=1.17.5 sets the proxy's Istio version (default: its Pod's istio-proxy "
       "image tag, else --istio-version); locality=region/zone/subzone where it runs (default: "
       "its Pod's istio-locality label)"},
      {"type", "", true,
       "listeners, routes, clusters, endpoints, all (default), or patches (what EnvoyFilter "
       "patches did)"},
      {"output", "o", true, "table (default, as istioctl proxy-config prints), json or yaml"},
      {"istio-version", "", true, "the Istio release to imitate, e.g. 1.15 (default: the newest)"},
      {"mesh-config", "", true,
       "the mesh's MeshConfig (data.mesh of the istio ConfigMap, that ConfigMap, or an "
       "IstioOperator): rootNamespace, trustDomain, outboundTrafficPolicy, connectTimeout, "
       "enableAutoMtls, default*ExportTo, extensionProviders, localityLbSetting, "
       "protocolDetectionTimeout, dnsRefreshRate, h2UpgradePolicy, defaultHttpRetryPolicy "
       "(default: Istio's defaults)"},
      {"namespace", "n", true, "namespace for objects that name none (default \"default\")"},
      {"help", "h", false, "show this help"},
  };
  return specs;
}

std::optional<translate::DumpType> parse_type(const std::string& text) {
  if (text == "listeners" || text == "listener") {
    return translate::DumpType::Listeners;
  }
  if (text == "routes" || text == "route") {
    return translate::DumpType::Routes;
  }
  if (text == "clusters" || text == "cluster") {
    return translate::DumpType::Clusters;
  }
  if (text == "endpoints" || text == "endpoint") {
    return translate::DumpType::Endpoints;
  }
  if (text == "all") {
    return translate::DumpType::All;
  }
  if (text == "patches" || text == "patch") {
    return translate::DumpType::Patches;
  }
  return std::nullopt;
}

// Only what the output shows is built.
translate::Parts parts_for(translate::DumpType type) {
  translate::Parts p;
  p.listeners = type == translate::DumpType::Listeners || type == translate::DumpType::All ||
                type == translate::DumpType::Patches;
  // Patches: every part a patch can change (routes and clusters are patched as they are built).
  p.routes = type == translate::DumpType::Routes || type == translate::DumpType::All ||
             type == translate::DumpType::Patches;
  p.clusters = type == translate::DumpType::Clusters || type == translate::DumpType::All ||
               type == translate::DumpType::Patches;
  p.endpoints = type == translate::DumpType::Endpoints || type == translate::DumpType::All;
  return p;
}

}  // namespace

int translate_command(const std::vector<std::string>& words, std::ostream& out, std::ostream& err) {
  auto args = Args::parse(words, translate_flags());
  if (!args) {
    err << "meshward translate: " << args.error().message << "\n";
    return kExitUsage;
  }
  if (args->has("help")) {
    out << "Usage: meshward translate -f PATH [-f PATH...] --proxy PROXY [flags]\n\n"
        << "Prints the Envoy configuration istiod would send to one proxy: a workload's sidecar\n"
        << "(sidecar:<namespace>[,label=value...]) or a gateway workload\n"
        << "(gateway:<namespace>,istio=ingressgateway).\n\n"
        << describe_flags(translate_flags());
    return kExitOk;
  }
  std::vector<std::string> paths = args->values("filename");
  for (const auto& p : args->positional()) {
    paths.push_back(p);
  }
  if (paths.empty()) {
    err << "meshward translate: no input; give -f FILE, -f DIR or -f -\n";
    return kExitUsage;
  }
  const std::optional<std::string> proxy_text = args->value("proxy");
  if (!proxy_text) {
    err << "meshward translate: --proxy is required (sidecar:<namespace>[,label=value...] or "
           "gateway:<namespace>,istio=ingressgateway)\n";
    return kExitUsage;
  }
  std::string proxy_error;
  const std::optional<translate::Proxy> proxy = translate::parse_proxy(*proxy_text, &proxy_error);
  if (!proxy) {
    err << "meshward translate: --proxy: " << proxy_error << "\n";
    return kExitUsage;
  }
  const std::string type_text = args->value("type").value_or("all");
  const std::optional<translate::DumpType> type = parse_type(type_text);
  if (!type) {
    err << "meshward translate: --type must be listeners, routes, clusters, endpoints, all or "
           "patches, not "
           "\""
        << type_text << "\"\n";
    return kExitUsage;
  }
  const std::string format = args->value("output").value_or("table");
  if (format != "table" && format != "json" && format != "yaml") {
    err << "meshward translate: --output must be table, json or yaml\n";
    return kExitUsage;
  }
  auto translate_options = translator_flags(*args);
  if (!translate_options) {
    err << "meshward translate: " << translate_options.error().message << "\n";
    return kExitUsage;
  }
  const translate::Options options = std::move(*translate_options);

  world::LoadOptions load_options;
  load_options.default_namespace = args->value("namespace").value_or("default");
  auto loaded = world::load_paths(paths, load_options);
  if (!loaded) {
    err << "meshward translate: " << loaded.error().message << "\n";
    return kExitUsage;
  }
  std::size_t errors = 0;
  for (const Finding& f : loaded->findings) {
    if (f.severity == Severity::Error) {
      ++errors;
    }
  }
  if (errors > 0) {
    err << "meshward translate: " << errors
        << " error(s) in the input left some of it out of the translation; `meshward check` "
           "shows them\n";
  }
  const world::Snapshot world(std::move(loaded->objects));
  const translate::ProxyConfig config =
      translate::translate_proxy(world, *proxy, options, parts_for(*type));
  if (format == "json") {
    out << translate::render_config_dump_json(config, *type);
  } else if (format == "yaml") {
    out << translate::render_config_dump_yaml(config, *type);
  } else {
    out << translate::render_table(config, *type);
  }
  return kExitOk;
}

}  // namespace meshward::cli
