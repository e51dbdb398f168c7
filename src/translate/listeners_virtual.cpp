// The sidecar's virtual listeners: `virtualOutbound` (reference §2.3, pilot's
// buildVirtualOutboundListener in listener_builder.go) and `virtualInbound` with the inbound
// chains of the workload's ServiceTargets (§2.4, listener_inbound.go, filterchain_options.go).
//
// Inbound mTLS follows the workload's PeerAuthentication (world::effective_peer_authentication):
// each port gets the chain set of its mode (getFilterChainMatchOptions, filterchain_options.go),
// and port-level settings for ports no Service (or Sidecar ingress) declares get passthrough
// chains of their own (authn Builder.ForPassthrough).

#include <algorithm>
#include <map>
#include <string>
#include <utility>

#include "listeners.h"
#include "meshward/translate/names.h"
#include "meshward/translate/translate.h"
#include "meshward/world/peer_authentication.h"
#include "route_builder.h"
#include "security_filters.h"

namespace meshward::translate::detail {

namespace {

enum class ChainProtocol : std::uint8_t { Http, Tcp };

// FilterChainMatchOptions.
struct MatchOption {
  std::vector<std::string> alpns;
  std::string transport;
  ChainProtocol protocol = ChainProtocol::Tcp;
  bool tls = false;  ///< The chain terminates Istio mTLS.
};

// getFilterChainMatchOptions: the chains a port gets for its mTLS mode and protocol (HTTP,
// TCP, or sniffed when the port declares none). STRICT accepts only Istio mTLS; PERMISSIVE adds
// plaintext (and one-way TLS passed through, for TCP); DISABLE takes plaintext only.
std::vector<MatchOption> match_options(model::MutualTlsMode mode, Protocol p) {
  const bool strict = mode == model::MutualTlsMode::Strict;
  const bool permissive = mode == model::MutualTlsMode::Permissive;
  if (is_http(p)) {
    if (strict) {
      return {{{}, "tls", ChainProtocol::Http, true}};
    }
    if (permissive) {
      return {{kAllIstioMtlsAlpns, "tls", ChainProtocol::Http, true},
              {{}, "raw_buffer", ChainProtocol::Http, false}};
    }
    return {{{}, "raw_buffer", ChainProtocol::Http, false}};
  }
  if (p == Protocol::Unsupported) {
    if (strict) {
      return {{kMtlsHttpAlpns, "tls", ChainProtocol::Http, true},
              {{}, "tls", ChainProtocol::Tcp, true}};
    }
    if (permissive) {
      return {{kMtlsHttpAlpns, "tls", ChainProtocol::Http, true},
              {kPlaintextHttpAlpns, "raw_buffer", ChainProtocol::Http, false},
              {kMtlsTcpAlpns, "tls", ChainProtocol::Tcp, true},
              {{}, "raw_buffer", ChainProtocol::Tcp, false},
              {{}, "tls", ChainProtocol::Tcp, false}};
    }
    return {{kPlaintextHttpAlpns, "raw_buffer", ChainProtocol::Http, false},
            {{}, "raw_buffer", ChainProtocol::Tcp, false}};
  }
  if (strict) {
    return {{{}, "tls", ChainProtocol::Tcp, true}};
  }
  if (permissive) {
    return {{kAllIstioMtlsAlpns, "tls", ChainProtocol::Tcp, true},
            {{}, "raw_buffer", ChainProtocol::Tcp, false},
            {{}, "tls", ChainProtocol::Tcp, false}};
  }
  return {{{}, "raw_buffer", ChainProtocol::Tcp, false}};
}

// The inbound Istio mTLS context (authn MTLSSettings HTTP / TCP).
DownstreamTls istio_mutual_tls(ChainProtocol protocol) {
  DownstreamTls tls;
  tls.require_client_certificate = true;
  tls.alpn_protocols = protocol == ChainProtocol::Http
                           ? std::vector<std::string>{"h2", "http/1.1"}
                           : std::vector<std::string>{"istio-peer-exchange", "h2", "http/1.1"};
  tls.sds_certificate = "default";
  tls.sds_validation = "ROOTCA";
  tls.min_protocol_version = "TLSv1_2";
  tls.max_protocol_version = "TLSv1_3";
  tls.cipher_suites = {"ECDHE-ECDSA-AES256-GCM-SHA384",
                       "ECDHE-RSA-AES256-GCM-SHA384",
                       "ECDHE-ECDSA-AES128-GCM-SHA256",
                       "ECDHE-RSA-AES128-GCM-SHA256",
                       "AES256-GCM-SHA384",
                       "AES128-GCM-SHA256"};
  return tls;
}

// inboundChainConfig.
struct InboundChain {
  std::string cluster;
  std::uint32_t service_port = 0;
  std::uint32_t target_port = 0;
  Protocol protocol = Protocol::Unsupported;
  std::string bind = std::string(kWildcard);
  std::string hostname;      ///< For the route decorator.
  std::string istio_config;  ///< From a Sidecar ingress listener.
  /// A Sidecar ingress listener's `tls`: istiod terminates TLS with it (STRICT, whatever the
  /// PeerAuthentication says) instead of Istio mTLS.
  const model::ServerTlsSettings* tls = nullptr;
  bool passthrough = false;
  Origin origin;

  std::string name(ChainProtocol p) const {
    if (passthrough) {
      return p == ChainProtocol::Http ? "virtualInbound-catchall-http" : "virtualInbound";
    }
    return listener_name(bind, target_port);
  }
};

// buildSidecarInboundHTTPRouteConfig: one vhost `inbound|http|<port>` matching every
// authority, one `default` route to the inbound cluster.
RouteConfiguration inbound_route_config(const InboundChain& cc) {
  Route route;
  route.name = "default";
  route.match.path = "/";
  RouteAction action;
  action.cluster = cc.cluster;
  action.timeout = 0;
  action.max_stream_duration = 0;
  route.action = std::move(action);
  route.decorator_operation = cc.hostname + ":" + std::to_string(cc.service_port) + "/*";
  VirtualHost vh;
  vh.name = "inbound|http|" + std::to_string(cc.service_port);
  vh.domains = {"*"};
  vh.include_request_attempt_count = false;
  vh.routes.push_back(std::move(route));
  RouteConfiguration rc;
  rc.name = cc.cluster;
  rc.virtual_hosts.push_back(std::move(vh));
  return rc;
}

std::vector<NetworkFilter> inbound_http_filters(const Options& options, const InboundChain& cc,
                                                const SecurityFilters& security) {
  NetworkFilter hcm;
  hcm.name = std::string(kHttpConnectionManager);
  hcm.type_url =
      "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3."
      "HttpConnectionManager";
  hcm.stat_prefix = delimited_stat_prefix(
      options, cc.passthrough ? cc.cluster : "inbound_" + cc.name(ChainProtocol::Http));
  hcm.inline_route_config = inbound_route_config(cc);
  hcm.http_filters = istio_http_filters(true, cc.protocol);
  insert_http_security_filters(hcm.http_filters, security.http);
  hcm.forward_client_cert_details = "APPEND_FORWARD";
  hcm.istio_config = cc.istio_config;
  return {metadata_exchange_network_filter(), std::move(hcm)};
}

std::vector<NetworkFilter> inbound_tcp_filters(const InboundChain& cc,
                                               const SecurityFilters& security) {
  std::vector<NetworkFilter> out = single_destination_filters(cc.cluster, cc.cluster, true);
  insert_tcp_security_filters(out, security.tcp);
  out.back().istio_config = cc.istio_config;
  return out;
}

// inboundChainForOpts.
std::vector<FilterChain> chains_for(const Options& options, const InboundChain& cc,
                                    model::MutualTlsMode mode, const SecurityFilters& security) {
  std::vector<FilterChain> out;
  for (const MatchOption& opt : match_options(mode, cc.protocol)) {
    FilterChain chain;
    chain.match.application_protocols = opt.alpns;
    chain.match.transport_protocol = opt.transport;
    if (cc.target_port > 0) {
      chain.match.destination_port = cc.target_port;
    }
    chain.filters = opt.protocol == ChainProtocol::Http
                        ? inbound_http_filters(options, cc, security)
                        : inbound_tcp_filters(cc, security);
    if (opt.tls) {
      chain.tls =
          cc.tls != nullptr ? listener_tls(*cc.tls, false) : istio_mutual_tls(opt.protocol);
    }
    chain.name = cc.name(opt.protocol);
    chain.origin = cc.origin;
    out.push_back(std::move(chain));
  }
  return out;
}

// buildInboundChainConfigs: a Sidecar's ingress listeners when it has any, else one chain set
// per ServiceTarget port (the first Service of a target port wins), by target port.
std::vector<InboundChain> inbound_chain_configs(const Scope& scope) {
  std::map<std::uint32_t, InboundChain> by_port;
  const model::Sidecar* sidecar = scope.sidecar();
  if (sidecar != nullptr && !sidecar->spec.ingress.empty()) {
    for (std::size_t i = 0; i < sidecar->spec.ingress.size(); ++i) {
      const model::IstioIngressListener& in = sidecar->spec.ingress[i];
      if (!in.port ||
          (in.capture_mode.present && in.capture_mode.value == model::CaptureMode::None)) {
        continue;  // Listeners bound to a real port are not built (see docs/translate.md).
      }
      InboundChain cc;
      cc.service_port = in.port->number.value;
      cc.target_port = in.port->number.value;
      cc.protocol = parse_protocol(in.port->protocol.value);
      cc.cluster = inbound_cluster_name(cc.target_port);
      if (!in.bind.value.empty()) {
        cc.bind = in.bind.value;
      }
      cc.hostname = sidecar->meta.name + "." + sidecar->meta.namespace_;
      cc.istio_config = "/apis/networking.istio.io/" +
                        std::string(scope.options().config_api_version()) + "/namespaces/" +
                        sidecar->meta.namespace_ + "/sidecar/" + sidecar->meta.name;
      cc.origin = origin_of(sidecar, "spec.ingress[" + std::to_string(i) + "]");
      if (in.tls) {
        cc.tls = &*in.tls;
      }
      by_port.try_emplace(cc.target_port, std::move(cc));
    }
  } else {
    const Proxy& proxy = scope.proxy();
    for (const Registry::ServiceTarget& t :
         scope.registry().service_targets(proxy.namespace_, proxy.labels)) {
      if (t.port.protocol == Protocol::Udp || t.target_port == 15001 || t.target_port == 15006 ||
          t.target_port == 15021 || t.target_port == 15090) {
        continue;
      }
      InboundChain cc;
      cc.service_port = t.port.port;
      cc.target_port = t.target_port;
      cc.protocol = t.port.protocol;
      cc.cluster = inbound_cluster_name(t.target_port);
      cc.hostname = t.service.hostname;
      cc.origin = origin_of(t.service.source, "spec.ports");
      by_port.try_emplace(cc.target_port, std::move(cc));
    }
  }
  std::vector<InboundChain> out;
  out.reserve(by_port.size());
  for (auto& [port, cc] : by_port) {
    out.push_back(std::move(cc));
  }
  return out;
}

bool has_plaintext_http_alpn(const FilterChainMatch& m) {
  for (const auto& a : m.application_protocols) {
    if (a == "http/1.1" || a == "h2c") {
      return true;
    }
  }
  return false;
}

}  // namespace

Listener build_virtual_outbound_listener(const Scope& scope) {
  const std::string catch_all = catch_all_cluster(scope);
  Listener l;
  l.name = "virtualOutbound";
  l.address = {std::string(kWildcard), 15001};
  l.use_original_dst = true;
  l.traffic_direction = "OUTBOUND";
  // Connections sent to 15001 itself would loop.
  FilterChain blackhole;
  blackhole.name = "virtualOutbound-blackhole";
  blackhole.match.destination_port = 15001;
  blackhole.filters = single_destination_filters(std::string(kBlackHoleCluster),
                                                 std::string(kBlackHoleCluster), false);
  l.filter_chains.push_back(std::move(blackhole));
  FilterChain catch_all_tcp;
  catch_all_tcp.name = "virtualOutbound-catchall-tcp";
  catch_all_tcp.filters = single_destination_filters(catch_all, catch_all, false);
  l.filter_chains.push_back(std::move(catch_all_tcp));
  return l;
}

Listener build_virtual_inbound_listener(const Scope& scope) {
  const Options& options = scope.options();
  Listener l;
  l.name = "virtualInbound";
  l.address = {std::string(kWildcard), 15006};
  l.traffic_direction = "INBOUND";
  l.continue_on_listener_filters_timeout = true;
  l.listener_filters_timeout = options.mesh.protocol_detection_timeout_ms;

  // Connections sent to 15006 itself would loop.
  FilterChain blackhole;
  blackhole.name = "virtualInbound-blackhole";
  blackhole.match.destination_port = 15006;
  blackhole.filters = single_destination_filters(std::string(kBlackHoleCluster),
                                                 std::string(kBlackHoleCluster), true);
  l.filter_chains.push_back(std::move(blackhole));

  const Proxy& proxy = scope.proxy();
  const world::EffectivePeerAuthentication mtls = world::effective_peer_authentication(
      scope.registry().view(), options.mesh.root_namespace, proxy.namespace_, proxy.labels);
  const std::vector<InboundChain> configs = inbound_chain_configs(scope);
  const SecurityFilters security = security_filters(scope);

  // Passthrough chains for traffic to ports no Service declares: one set in the workload's
  // mode, then one per port-level setting on a port the chains below do not cover (istiod
  // walks a Go map there, so its order varies between pushes; here it is by port).
  InboundChain passthrough;
  passthrough.cluster = std::string(kInboundPassthroughCluster);
  passthrough.passthrough = true;
  passthrough.origin = origin_of(mtls.mode_source, "spec.mtls");
  for (auto& c : chains_for(options, passthrough, mtls.mode, security)) {
    l.filter_chains.push_back(std::move(c));
  }
  for (const auto& [port, mode] : mtls.per_port) {
    const std::uint32_t p = port;  // clang 14 cannot capture a structured binding.
    const bool covered = std::any_of(configs.begin(), configs.end(), [p](const InboundChain& cc) {
      return cc.target_port == p;
    });
    if (covered) {
      continue;
    }
    InboundChain per_port = passthrough;
    per_port.target_port = port;
    per_port.origin =
        origin_of(mtls.workload_policy, "spec.portLevelMtls." + std::to_string(port));
    for (auto& c : chains_for(options, per_port, mode, security)) {
      l.filter_chains.push_back(std::move(c));
    }
  }
  for (const InboundChain& cc : configs) {
    // buildInboundListeners: TLS settings of a Sidecar ingress listener make the port STRICT,
    // terminated with them.
    const model::MutualTlsMode mode =
        cc.tls != nullptr ? model::MutualTlsMode::Strict : mtls.for_port(cc.target_port);
    for (auto& c : chains_for(options, cc, mode, security)) {
      l.filter_chains.push_back(std::move(c));
    }
  }

  bool tls_inspector = false;
  bool http_inspector = false;
  for (const auto& c : l.filter_chains) {
    tls_inspector = tls_inspector || c.match.transport_protocol == "tls";
    http_inspector = http_inspector || has_plaintext_http_alpn(c.match);
  }
  l.listener_filters.emplace_back(kOriginalDst);
  if (tls_inspector) {
    l.listener_filters.emplace_back(kTlsInspector);
  }
  if (http_inspector) {
    l.listener_filters.emplace_back(kHttpInspector);
  }
  return l;
}

}  // namespace meshward::translate::detail
