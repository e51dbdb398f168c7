#pragma once
// Istio's names for the Envoy objects it generates (pilot/pkg/model/service.go BuildSubsetKey,
// BuildInboundSubsetKey, BuildDNSSrvSubsetKey; pilot/pkg/networking/core/gateway.go
// gatewayRDSRouteName, getListenerName; pilot/pkg/networking/util DomainName;
// pilot/pkg/networking/core/route BlackHoleRouteName-style `blackhole:<port>`). Findings cite
// them; the translator builds its output with them. Pure functions; safe from any thread.

#include <cstdint>
#include <string>
#include <string_view>

namespace meshward::translate {

/// `outbound|<port>|<subset>|<fqdn>` (model.BuildSubsetKey, direction outbound); an empty
/// subset gives `outbound|9080||reviews.bookinfo.svc.cluster.local`.
std::string outbound_cluster_name(std::uint32_t port, std::string_view subset,
                                  std::string_view fqdn);

/// `inbound|<target_port>||` (model.BuildInboundSubsetKey).
std::string inbound_cluster_name(std::uint32_t target_port);

/// istiod's fixed clusters (pilot/pkg/networking/util): traffic to nowhere, outbound traffic to
/// its original destination, inbound traffic to ports no Service declares.
inline constexpr std::string_view kBlackHoleCluster = "BlackHoleCluster";
inline constexpr std::string_view kPassthroughCluster = "PassthroughCluster";
inline constexpr std::string_view kInboundPassthroughCluster = "InboundPassthroughCluster";

/// `outbound_.<port>_.<subset>_.<fqdn>` (model.BuildDNSSrvSubsetKey): the SNI Istio uses for
/// mTLS to a service and the name of AUTO_PASSTHROUGH chains and SNI-DNAT clusters.
std::string sni_dns_name(std::uint32_t port, std::string_view subset, std::string_view fqdn);

/// The RDS name of a gateway's plaintext HTTP servers: `http.<port>` (`port` is the resolved
/// target port). A non-empty `bind` is appended as `.<bind>`.
std::string gateway_http_route_name(std::uint32_t port, std::string_view bind = {});

/// The RDS name of a gateway's terminating HTTPS server:
/// `https.<server_port>.<port_name>.<gateway_name>.<gateway_namespace>` (gatewayRDSRouteName),
/// `.<bind>` appended when `bind` is set.
std::string gateway_https_route_name(std::uint32_t server_port, std::string_view port_name,
                                     std::string_view gateway_name,
                                     std::string_view gateway_namespace,
                                     std::string_view bind = {});

/// The RDS name of a sidecar's outbound HTTP listener on `port`: `<port>`.
std::string sidecar_route_name(std::uint32_t port);

/// A virtual host's name: `<host>:<port>` (util.DomainName; an IPv6 literal is bracketed).
std::string vhost_name(std::string_view host, std::uint32_t port);

/// The single vhost of a gateway route with no bound host: `blackhole:<port>` (Envoy answers
/// 404 NR through it).
std::string blackhole_vhost_name(std::uint32_t port);

/// A listener's name: `<bind>_<port>` (getListenerName), e.g. `0.0.0.0_8080`.
std::string listener_name(std::string_view bind, std::uint32_t port);

}  // namespace meshward::translate
