#pragma once
// Shared by the listener builders (listeners_sidecar.cpp, listeners_virtual.cpp,
// listeners_gateway.cpp): filter chain options as pilot keeps them before it turns them into
// Envoy chains (filterChainOpts in pilot/pkg/networking/core/listener.go), and the network
// filters every chain is made of (networkfilter.go, listener_builder.go). Internal to
// src/translate.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "meshward/model/kinds/gateway.h"
#include "meshward/model/kinds/virtual_service.h"
#include "meshward/translate/envoy_filter.h"
#include "meshward/translate/names.h"
#include "meshward/translate/proxy.h"
#include "meshward/translate/registry.h"
#include "meshward/translate/xds.h"

namespace meshward::translate::detail {

inline constexpr std::string_view kHttpConnectionManager =
    "envoy.filters.network.http_connection_manager";
inline constexpr std::string_view kTcpProxy = "envoy.filters.network.tcp_proxy";
inline constexpr std::string_view kTlsInspector = "envoy.filters.listener.tls_inspector";
inline constexpr std::string_view kHttpInspector = "envoy.filters.listener.http_inspector";
inline constexpr std::string_view kOriginalDst = "envoy.filters.listener.original_dst";
inline constexpr std::string_view kWildcard = "0.0.0.0";
/// Chain transport socket connect timeout (PILOT_GATEWAY_TRANSPORT_SOCKET_CONNECT_TIMEOUT).
inline constexpr Millis kChainConnectTimeout = 15'000;

/// ALPNs (pilot listener.go / util): plaintext HTTP as the HTTP inspector reports it, the
/// mTLS HTTP ALPNs a sidecar client sends, and every Istio mTLS ALPN.
inline const std::vector<std::string> kPlaintextHttpAlpns = {"http/1.1", "h2c"};
inline const std::vector<std::string> kMtlsHttpAlpns = {"istio-http/1.0", "istio-http/1.1",
                                                        "istio-h2"};
inline const std::vector<std::string> kMtlsTcpAlpns = {"istio-peer-exchange", "istio"};
inline const std::vector<std::string> kAllIstioMtlsAlpns = {
    "istio", "istio-peer-exchange", "istio-http/1.0", "istio-http/1.1", "istio-h2"};

/// filterChainOpts: what a chain matches and what it does, before finalisation.
struct ChainOpts {
  std::vector<std::string> sni_hosts;
  std::vector<std::string> destination_cidrs;
  std::vector<std::string> application_protocols;
  std::string transport_protocol;
  std::optional<DownstreamTls> tls;
  /// HTTP chains get their connection manager when the listener is finalised (its stat
  /// prefix depends on the listener name); network chains carry their filters.
  bool http = false;
  std::string rds;
  Protocol http_protocol = Protocol::Http;
  std::string http_stat_prefix;  ///< Set when it does not derive from the listener name.
  std::vector<NetworkFilter> network_filters;
  std::string name;
  Origin origin;

  /// isMatchAll: no SNI (or `*`), no ALPN, no transport, no CIDR.
  bool is_match_all() const;
  /// conflictsWith: the same transport, ALPNs, SNI set (ignoring `*`) and CIDR set.
  bool conflicts_with(const ChainOpts& other) const;
  /// toFilterChainMatch: SNI sorted (none when `*` is among them), CIDRs sorted without
  /// `0.0.0.0`.
  FilterChainMatch to_match() const;
};

/// `<prefix>;` from 1.24 (util.DelimitedStatsPrefix), else the prefix.
std::string delimited_stat_prefix(const Options& options, std::string prefix);

/// The `istio.stats` network filter (Telemetry TCP filters with the default providers).
NetworkFilter stats_network_filter();
/// The TCP `istio.metadata_exchange` network filter.
NetworkFilter metadata_exchange_network_filter();
/// `envoy.filters.network.tcp_proxy` to one cluster.
NetworkFilter tcp_proxy_filter(std::string stat_prefix, std::string cluster);

/// buildOutboundNetworkFiltersWithSingleDestination: [MX], istio.stats, tcp_proxy.
std::vector<NetworkFilter> single_destination_filters(std::string stat_prefix, std::string cluster,
                                                      bool include_mx);

/// buildOutboundNetworkFilters for the destinations of a VirtualService `tcp`/`tls` rule on
/// `port`: one destination → tcp_proxy to its cluster; several → weighted clusters with stat
/// prefix `<vs-name>.<vs-ns>`. The tcp_proxy carries the VirtualService's `istio.config`
/// when `with_metadata` (the chain's metadata).
std::vector<NetworkFilter> virtual_service_route_filters(
    const Scope& scope, const model::VirtualService& vs,
    const std::vector<model::RouteDestination>& routes, std::uint32_t port, bool include_mx,
    bool with_metadata);

/// The HTTP filters istiod puts in a connection manager, in its order.
std::vector<HttpFilter> istio_http_filters(bool inbound, Protocol protocol);

/// An `envoy.filters.network.http_connection_manager` with RDS `rds`.
NetworkFilter rds_connection_manager(std::string stat_prefix, std::string rds, Protocol protocol,
                                     bool gateway);

/// The cluster unmatched outbound traffic goes to: PassthroughCluster (ALLOW_ANY, or the
/// Sidecar's egressProxy) or BlackHoleCluster (REGISTRY_ONLY).
std::string catch_all_cluster(const Scope& scope);

/// The resource key and path an Envoy object came from.
Origin origin_of(const model::Object* object, std::string path);

/// The `gateways` of a VirtualService match as pilot resolves them (`mesh`, `ns/name`).
bool gateway_matches(const std::vector<model::Field<std::string>>& gateways,
                     std::string_view vs_namespace, std::string_view gateway);

// ---- Builders (one file each) ----

/// Per-port outbound listeners of a sidecar (§2.1, §2.2).
std::vector<Listener> build_sidecar_outbound_listeners(const Scope& scope);
/// `virtualOutbound` (§2.3).
Listener build_virtual_outbound_listener(const Scope& scope);
/// `virtualInbound` with passthrough chains and one chain set per ServiceTarget port (§2.4).
Listener build_virtual_inbound_listener(const Scope& scope);
/// BuildListenerTLSContext: the downstream TLS context of a gateway server's or a Sidecar
/// ingress listener's ServerTLSSettings (`tcp_termination`: a gateway TCP server terminating
/// ISTIO_MUTUAL, which adds the `istio-peer-exchange` ALPN).
DownstreamTls listener_tls(const model::ServerTlsSettings& settings, bool tcp_termination);
/// Gateway listeners (§4.2).
std::vector<Listener> build_gateway_listeners(const Scope& scope);

/// build_listeners with the proxy's patches already selected (translate_proxy selects them
/// once for listeners, routes and clusters). The EXTENSION_CONFIG patches are applied to the
/// patched listeners too (their effects logged); their configs go to `extension_configs` when
/// it is not null.
std::vector<Listener> build_patched_listeners(
    const Scope& scope, const ProxyPatches& patches, std::vector<PatchEffect>* effects,
    std::vector<ExtensionConfig>* extension_configs = nullptr);

}  // namespace meshward::translate::detail
