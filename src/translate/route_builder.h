#pragma once
// Shared by the route builders (routes_sidecar.cpp, routes_gateway.cpp): VirtualService
// `http[]` rules → Envoy routes as pilot's route package builds them (reference §3.4–3.6;
// pilot/pkg/networking/core/route/route.go BuildHTTPRoutesForVirtualService, TranslateRoute,
// retry/retry.go ConvertPolicy). Internal to src/translate.

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "meshward/model/kinds/virtual_service.h"
#include "meshward/translate/proxy.h"
#include "meshward/translate/registry.h"
#include "meshward/translate/xds.h"

namespace meshward::translate::detail {

/// The service a route destination host names, as the route's builder sees it (nullptr when
/// unknown): its ports pick the destination port when the destination names none, and an
/// ExternalName alias redirects the cluster to its target.
using ServiceLookup = std::function<const MeshService*(std::string_view host)>;

/// Where routes are being built: the proxy, the listener port (the sidecar's listener port or
/// the gateway server's port), the gateway name the routes are for (`mesh` for sidecars,
/// `<ns>/<name>` for gateways) and whether the server terminates TLS (redirect scheme).
struct RouteContext {
  const Scope* scope = nullptr;
  std::uint32_t listen_port = 0;
  std::string_view gateway;
  bool tls = false;
  ServiceLookup lookup;
  /// The DestinationRule of a destination host (consistent-hash policies); when unset,
  /// Scope::destination_rule(host). Builders that already hold the Scope's service for a host
  /// answer through it and save a second lookup.
  std::function<const AppliedDestinationRule*(std::string_view host)> rule_lookup;
};

/// BuildHTTPRoutesForVirtualService: one route per applicable `http[].match[]` (or per rule
/// without match), stopping after a rule without match or a catch-all route. Empty when no
/// rule applies to this listener port / gateway / source.
std::vector<Route> build_virtual_service_routes(const RouteContext& ctx,
                                                const model::VirtualService& vs);

/// The route of a service port without VirtualService (§3.5): `default`, prefix `/`, cluster
/// `outbound|<port>||<host>`, default retries, hash policy from a consistent-hash rule.
/// `service` is one the Scope gave.
Route build_default_route(const Scope& scope, const MeshService& service, std::uint32_t port);

/// The last vhost of a sidecar route configuration (§3.6): `allow_any` or `block_all`.
VirtualHost build_catch_all_virtual_host(const Scope& scope);

/// retry.DefaultPolicy / DefaultConsistentHashPolicy for this release.
RetryPolicy default_retry_policy(const Options& options, bool consistent_hash);
/// The retry policy of a route whose VirtualService rule has `retries` `in` (null: none set):
/// retry.ConvertPolicy of `in`, else of the MeshConfig's defaultHttpRetryPolicy, else the
/// default; nullopt when the policy asks for no attempts.
std::optional<RetryPolicy> route_retry_policy(const Options& options, const model::HttpRetry* in,
                                              bool consistent_hash);

/// `metadata.filter_metadata.istio.config` of a route built from `vs`
/// (`/apis/networking.istio.io/<v1|v1alpha3>/namespaces/<ns>/virtual-service/<name>`).
std::string virtual_service_config_path(const Options& options, const model::Object& vs);

/// The VirtualService hosts as pilot indexes them (short names resolved in its namespace).
std::vector<std::string> resolved_hosts(const Options& options, const model::VirtualService& vs);

/// `[addr]` for an IPv6 literal, else the text (util.IPv6Compliant).
std::string ipv6_compliant(std::string_view host);

/// ASCII lower case.
std::string to_lower(std::string_view text);

/// The sidecar vhosts of one listener port, their domains indexed: each sniffed service's
/// route configuration (`<host>:<port>`, one per service) keeps the vhost with its name out of
/// them, so a translation builds them once per port instead of once per service.
struct PortVirtualHosts {
  explicit PortVirtualHosts(std::vector<VirtualHost> all);
  std::vector<VirtualHost> vhosts;
  /// Domain (viewing `vhosts`) → the vhosts that have it, in order.
  std::unordered_map<std::string_view, std::vector<std::size_t>> by_domain;
};
using PortVirtualHostsCache =
    std::map<std::pair<const EgressListener*, std::uint32_t>, PortVirtualHosts>;

/// Sidecar route configurations (§3.1–3.3, 3.5, 3.6). `cache` keeps the vhosts of the
/// listener ports sniffed services' configurations are built from.
RouteConfiguration build_sidecar_route(const Scope& scope, std::string_view route_name,
                                       PortVirtualHostsCache& cache);
/// Gateway route configurations (§4.3).
RouteConfiguration build_gateway_route(const Scope& scope, std::string_view route_name);

/// build_route() for many route configurations of one Scope (translate_proxy()): keeps what
/// they share between them.
class RouteBuilder {
 public:
  explicit RouteBuilder(const Scope& scope) : scope_(scope) {}
  RouteConfiguration build(std::string_view route_name);

 private:
  const Scope& scope_;
  PortVirtualHostsCache sniffed_;
};

}  // namespace meshward::translate::detail
