#pragma once
// The translator's entry points: a world and a proxy in, Envoy configuration out, as istiod
// would push it (reference: ../shared/reference/istio-translation.md, cited by section in each
// builder). The whole proxy, or only the parts a check needs — one route configuration, the
// clusters of some hosts — so that admission translates what a change touches, not the mesh.
//
// Pure functions of (View, Proxy, Options); safe from any thread on an immutable View.

#include <string>
#include <string_view>
#include <vector>

#include "meshward/model/kinds/gateway.h"
#include "meshward/translate/options.h"
#include "meshward/translate/proxy.h"
#include "meshward/translate/registry.h"
#include "meshward/translate/xds.h"
#include "meshward/world/view.h"

namespace meshward::translate {

/// Which parts to build.
struct Parts {
  bool listeners = true;
  bool routes = true;
  bool clusters = true;
  bool endpoints = true;
};

/// Everything for `proxy`.
ProxyConfig translate_proxy(const world::View& view, const Proxy& proxy,
                            const Options& options = {}, Parts parts = {});

// ---- Building blocks (each takes the Scope of one proxy) ----

/// The Gateways that apply to a gateway proxy (selector ⊆ labels, or no selector), oldest
/// first (§4.1). Empty for sidecars.
std::vector<const model::Gateway*> gateways_for(const Scope& scope);

/// A gateway server after merging and port resolution (§4.1): what listeners and route
/// configurations are built from.
struct GatewayServer {
  const model::Gateway* gateway = nullptr;
  std::size_t server_index = 0;       ///< spec.servers[i].
  std::string gateway_ref;            ///< `<ns>/<name>`.
  std::uint32_t server_port = 0;      ///< spec.servers[i].port.number.
  std::uint32_t target_port = 0;      ///< Resolved through the gateway Service (§4.1).
  std::string port_name;
  std::string protocol;               ///< Upper-cased server protocol.
  std::vector<std::string> hosts;     ///< Normalised (`./h` → `<ns>/h`, `*/h` → `h`).
  std::string route_name;             ///< `http.<port>` / `https.<...>`; empty for TCP/TLS.
};
std::vector<GatewayServer> gateway_servers(const Scope& scope);

/// Listeners (§2, §4.2), with the proxy's EnvoyFilter patches applied (envoy_filter.h); what
/// the patches did is appended to `effects` when it is not null.
std::vector<Listener> build_listeners(const Scope& scope,
                                      std::vector<PatchEffect>* effects = nullptr);
/// The names of the RDS route configurations the proxy's listeners ask for.
std::vector<std::string> route_names(const Scope& scope);
/// One route configuration by its RDS name (§3, §4.3). An unknown name gives Envoy's answer
/// for it: an empty configuration.
RouteConfiguration build_route(const Scope& scope, std::string_view route_name);
/// Outbound clusters for the given service hosts only (every port and DR subset), in order.
std::vector<Cluster> build_clusters_for_hosts(const Scope& scope,
                                              const std::vector<std::string>& hosts);
/// Every cluster of the proxy (§5).
std::vector<Cluster> build_clusters(const Scope& scope);
/// EDS for one cluster name (§6); empty assignment for unknown clusters.
ClusterLoadAssignment build_endpoints(const Scope& scope, std::string_view cluster_name);

}  // namespace meshward::translate
