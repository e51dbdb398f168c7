// Gateway listeners (reference §4.2): pilot's buildGatewayListeners,
// buildGatewayTCPBasedFilterChains, createGatewayHTTPFilterChainOpts,
// createGatewayTCPFilterChainOpts, builtAutoPassthroughFilterChains (pilot/pkg/networking/core/
// gateway.go), BuildListenerTLSContext and buildGatewayListener (listener.go). The servers
// come merged and port-resolved from gateway_servers() (§4.1).

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <utility>

#include "listeners.h"
#include "meshward/translate/names.h"
#include "meshward/translate/translate.h"
#include "meshward/world/host.h"
#include "route_builder.h"
#include "security_filters.h"

namespace meshward::translate::detail {

namespace {

std::string_view tls_version_name(model::TlsProtocolVersion v) {
  switch (v) {
    case model::TlsProtocolVersion::V1_0:
      return "TLSv1_0";
    case model::TlsProtocolVersion::V1_1:
      return "TLSv1_1";
    case model::TlsProtocolVersion::V1_2:
      return "TLSv1_2";
    case model::TlsProtocolVersion::V1_3:
      return "TLSv1_3";
    case model::TlsProtocolVersion::Auto:
      break;
  }
  return "";
}

// The mode of a server's TLS settings; an absent mode is the proto default, PASSTHROUGH.
model::ServerTlsMode tls_mode(const model::ServerTlsSettings& tls) {
  return tls.mode.present ? tls.mode.value : model::ServerTlsMode::Passthrough;
}

bool is_passthrough(const model::Server& s) {
  if (!s.tls) {
    return false;
  }
  const auto mode = tls_mode(*s.tls);
  return mode == model::ServerTlsMode::Passthrough || mode == model::ServerTlsMode::AutoPassthrough;
}

// getSNIHostsForServer: the server hosts without `ns/`, deduplicated and sorted.
std::vector<std::string> sni_hosts(const GatewayServer& server) {
  std::set<std::string> hosts;
  for (const auto& h : server.hosts) {
    const auto slash = h.find('/');
    hosts.insert(slash == std::string::npos ? h : h.substr(slash + 1));
  }
  return {hosts.begin(), hosts.end()};
}

// pickMatchingGatewayHosts is not empty: a server host (of the VirtualService's namespace when
// it names one) Matches a VirtualService host.
bool binds_server_hosts(const Options& options, const GatewayServer& server,
                        const model::VirtualService& vs) {
  for (const auto& vs_host : resolved_hosts(options, vs)) {
    for (const auto& h : server.hosts) {
      std::string_view name = h;
      if (const auto slash = h.find('/'); slash != std::string::npos) {
        if (std::string_view(h).substr(0, slash) != vs.meta.namespace_) {
          continue;
        }
        name = std::string_view(h).substr(slash + 1);
      }
      if (world::host_matches(name, vs_host)) {
        return true;
      }
    }
  }
  return false;
}

// l4SingleMatch: the match's port (if any) is the server port and its gateways (if any) name
// this gateway.
template <class Match>
bool l4_match(const Match& m, const model::VirtualService& vs, const GatewayServer& server) {
  const bool port_match =
      !m.port.present || m.port.value == 0 || m.port.value == server.server_port;
  return port_match && gateway_matches(m.gateways, vs.meta.namespace_, server.gateway_ref);
}

struct Routed {
  std::vector<NetworkFilter> filters;
  Origin origin;
};

// buildGatewayNetworkFiltersFromTCPRoutes: the first `tcp` rule of a bound VirtualService
// whose matches fit the server.
std::optional<Routed> tcp_route_filters(const Scope& scope, const GatewayServer& server,
                                        const model::Server& spec,
                                        const std::vector<const model::VirtualService*>& vss) {
  const bool include_mx = spec.tls && tls_mode(*spec.tls) == model::ServerTlsMode::IstioMutual;
  for (const model::VirtualService* vs : vss) {
    if (!binds_server_hosts(scope.options(), server, *vs)) {
      continue;
    }
    for (std::size_t t = 0; t < vs->spec.tcp.size(); ++t) {
      const model::TcpRoute& tcp = vs->spec.tcp[t];
      const bool matches =
          tcp.match.empty() || std::any_of(tcp.match.begin(), tcp.match.end(),
                                           [&](const auto& m) { return l4_match(m, *vs, server); });
      if (!matches || tcp.route.empty()) {
        continue;
      }
      Routed r;
      r.filters = virtual_service_route_filters(scope, *vs, tcp.route, server.server_port,
                                                include_mx, false);
      r.origin = origin_of(vs, "spec.tcp[" + std::to_string(t) + "]");
      return r;
    }
  }
  return std::nullopt;
}

// CheckDuplicates: whether a host is already taken on the port with the same bind; records
// the hosts when none is.
bool duplicate_sni(const std::vector<std::string>& hosts, const std::string& bind,
                   std::map<std::string, std::string>& known) {
  for (const auto& h : hosts) {
    if (auto it = known.find(h); it != known.end() && it->second == bind) {
      return true;
    }
  }
  for (const auto& h : hosts) {
    known[h] = bind;
  }
  return false;
}

// buildGatewayNetworkFiltersFromTLSRoutes for PASSTHROUGH: one chain per matching `tls`
// match, SNI = its sniHosts.
std::vector<ChainOpts> tls_route_chains(const Scope& scope, const GatewayServer& server,
                                        const model::Server& spec,
                                        const std::vector<const model::VirtualService*>& vss,
                                        std::map<std::string, std::string>& tls_hosts) {
  std::vector<ChainOpts> out;
  for (const model::VirtualService* vs : vss) {
    if (!binds_server_hosts(scope.options(), server, *vs)) {
      continue;
    }
    for (std::size_t t = 0; t < vs->spec.tls.size(); ++t) {
      const model::TlsRoute& tls = vs->spec.tls[t];
      if (tls.route.empty()) {
        continue;
      }
      for (std::size_t m = 0; m < tls.match.size(); ++m) {
        const auto& match = tls.match[m];
        if (!l4_match(match, *vs, server)) {
          continue;
        }
        std::vector<std::string> sni;
        for (const auto& h : match.sni_hosts) {
          sni.push_back(h.value);
        }
        if (duplicate_sni(sni, spec.bind.value, tls_hosts)) {
          continue;  // Envoy rejects two chains with the same match.
        }
        ChainOpts c;
        c.sni_hosts = std::move(sni);
        c.network_filters =
            virtual_service_route_filters(scope, *vs, tls.route, server.server_port, false, false);
        c.origin =
            origin_of(vs, "spec.tls[" + std::to_string(t) + "].match[" + std::to_string(m) + "]");
        out.push_back(std::move(c));
      }
    }
  }
  return out;
}

// builtAutoPassthroughFilterChains: an SNI-DNAT chain per mesh service port (and DR subset)
// whose host the server hosts cover, matched on the `outbound_.<port>_.<subset>_.<host>` SNI
// Istio clients send.
std::vector<ChainOpts> auto_passthrough_chains(const Scope& scope, const GatewayServer& server) {
  const std::vector<std::string> hosts = sni_hosts(server);
  std::vector<ChainOpts> out;
  for (const MeshService& service : scope.scope_services()) {
    if (service.mesh_external) {
      continue;
    }
    const bool covered = std::any_of(hosts.begin(), hosts.end(), [&](const std::string& h) {
      return world::host_subset_of(service.hostname, h);
    });
    if (!covered) {
      continue;
    }
    const AppliedDestinationRule* dr = scope.find_destination_rule(service.hostname);
    for (const MeshServicePort& port : service.ports) {
      if (port.protocol == Protocol::Udp) {
        continue;
      }
      std::vector<std::string> subsets = {""};
      if (dr) {
        for (const model::Subset* s : dr->subsets) {
          subsets.push_back(s->name.value);
        }
      }
      for (const auto& subset : subsets) {
        const std::string cluster = sni_dns_name(port.port, subset, service.hostname);
        ChainOpts c;
        c.sni_hosts = {cluster};
        c.application_protocols = kAllIstioMtlsAlpns;
        c.network_filters = single_destination_filters(cluster, cluster, false);
        c.origin = origin_of(service.source, "spec.ports");
        out.push_back(std::move(c));
      }
    }
  }
  return out;
}

Origin server_origin(const GatewayServer& s) {
  return origin_of(s.gateway, "spec.servers[" + std::to_string(s.server_index) + "]");
}

// createGatewayTCPFilterChainOpts.
std::vector<ChainOpts> tcp_server_chains(const Scope& scope, const GatewayServer& server,
                                         const model::Server& spec,
                                         std::map<std::string, std::string>& tls_hosts) {
  const auto vss = scope.virtual_services(server.gateway_ref);
  std::vector<ChainOpts> out;
  if (!spec.tls) {
    if (auto r = tcp_route_filters(scope, server, spec, vss)) {
      ChainOpts c;
      c.network_filters = std::move(r->filters);
      c.origin = std::move(r->origin);
      out.push_back(std::move(c));
    }
  } else if (!is_passthrough(spec)) {
    // TCP with TLS termination.
    if (auto r = tcp_route_filters(scope, server, spec, vss)) {
      ChainOpts c;
      c.sni_hosts = sni_hosts(server);
      c.tls = listener_tls(*spec.tls, true);
      c.network_filters = std::move(r->filters);
      c.origin = std::move(r->origin);
      out.push_back(std::move(c));
    }
  } else if (tls_mode(*spec.tls) == model::ServerTlsMode::AutoPassthrough) {
    out = auto_passthrough_chains(scope, server);
  } else {
    out = tls_route_chains(scope, server, spec, vss, tls_hosts);
  }
  return out;
}

struct PortGroup {
  std::string bind;
  std::uint32_t port = 0;
  std::vector<const GatewayServer*> servers;
};

}  // namespace

DownstreamTls listener_tls(const model::ServerTlsSettings& settings, bool tcp_termination) {
  const auto mode = tls_mode(settings);
  DownstreamTls tls;
  tls.alpn_protocols = {"h2", "http/1.1"};
  if (tcp_termination && mode == model::ServerTlsMode::IstioMutual) {
    tls.alpn_protocols = {"istio-peer-exchange", "h2", "http/1.1"};
  }
  tls.require_client_certificate =
      mode == model::ServerTlsMode::Mutual || mode == model::ServerTlsMode::IstioMutual;
  const bool validate_client =
      tls.require_client_certificate || mode == model::ServerTlsMode::OptionalMutual;
  for (const auto& san : settings.subject_alt_names) {
    tls.subject_alt_names.push_back(san.value);
  }
  if (mode == model::ServerTlsMode::IstioMutual) {
    tls.sds_certificate = "default";
    tls.sds_validation = "ROOTCA";
  } else if (!settings.credential_name.value.empty()) {
    tls.sds_certificate = "kubernetes://" + settings.credential_name.value;
    if (validate_client) {
      tls.sds_validation = "kubernetes://" + settings.credential_name.value + "-cacert";
    }
  } else {
    // Certificates from files, served by the istio-agent's SDS.
    tls.sds_certificate =
        "file-cert:" + settings.server_certificate.value + "~" + settings.private_key.value;
    if (validate_client && !settings.ca_certificates.value.empty()) {
      tls.sds_validation = "file-root:" + settings.ca_certificates.value;
    }
  }
  if (mode == model::ServerTlsMode::Simple || mode == model::ServerTlsMode::Mutual ||
      mode == model::ServerTlsMode::OptionalMutual) {
    if (settings.min_protocol_version.present) {
      tls.min_protocol_version = tls_version_name(settings.min_protocol_version.value);
    }
    if (settings.max_protocol_version.present) {
      tls.max_protocol_version = tls_version_name(settings.max_protocol_version.value);
    }
    for (const auto& c : settings.cipher_suites) {
      tls.cipher_suites.push_back(c.value);
    }
  }
  return tls;
}

std::vector<Listener> build_gateway_listeners(const Scope& scope) {
  const Options& options = scope.options();
  const std::vector<GatewayServer> servers = gateway_servers(scope);
  const SecurityFilters security = security_filters(scope);

  // One listener per (bind, resolved port), in the order the ports first appear.
  std::vector<PortGroup> groups;
  for (const GatewayServer& s : servers) {
    const std::string& bind = s.gateway->spec.servers[s.server_index].bind.value;
    const std::string listen = bind.empty() ? std::string(kWildcard) : bind;
    auto it = std::find_if(groups.begin(), groups.end(), [&](const PortGroup& g) {
      return g.bind == listen && g.port == s.target_port;
    });
    if (it == groups.end()) {
      groups.push_back({listen, s.target_port, {}});
      it = std::prev(groups.end());
    }
    it->servers.push_back(&s);
  }

  std::vector<Listener> out;
  for (const PortGroup& g : groups) {
    std::map<std::string, std::string> tls_hosts;
    std::vector<ChainOpts> chains;
    const GatewayServer& first = *g.servers.front();
    if (is_http(parse_protocol(first.protocol))) {
      // Plaintext HTTP servers share one connection manager and route `http.<port>`.
      ChainOpts c;
      c.http = true;
      c.http_protocol = parse_protocol(first.protocol);
      for (const GatewayServer* s : g.servers) {
        if (!s->route_name.empty()) {
          c.rds = s->route_name;
          break;
        }
      }
      c.origin = server_origin(first);
      chains.push_back(std::move(c));
    } else {
      for (const GatewayServer* s : g.servers) {
        const model::Server& spec = s->gateway->spec.servers[s->server_index];
        const Protocol p = parse_protocol(s->protocol);
        if (p == Protocol::Https && spec.tls && !is_passthrough(spec)) {
          // HTTPS terminated here: SNI chain, TLS context, route `https.<port>.<name>.<gw>.<ns>`.
          ChainOpts c;
          c.http = true;
          c.http_protocol = p;
          c.rds = s->route_name;
          c.http_stat_prefix = spec.name.value;
          c.sni_hosts = sni_hosts(*s);
          c.tls = listener_tls(*spec.tls, false);
          c.origin = server_origin(*s);
          chains.push_back(std::move(c));
          continue;
        }
        for (auto& c : tcp_server_chains(scope, *s, spec, tls_hosts)) {
          chains.push_back(std::move(c));
        }
      }
    }
    if (chains.empty()) {
      continue;  // Envoy would reject a listener without chains.
    }
    Listener l;
    l.name = listener_name(g.bind, g.port);
    l.address = {g.bind, g.port};
    l.traffic_direction = "OUTBOUND";
    const bool needs_tls_inspector =
        std::any_of(chains.begin(), chains.end(), [](const ChainOpts& c) {
          return !c.sni_hosts.empty() || (c.tls && !c.tls->alpn_protocols.empty());
        });
    if (needs_tls_inspector) {
      l.listener_filters.emplace_back(kTlsInspector);
    }
    l.listener_filters_timeout = 0;  // Gateways wait for TLS as long as it takes.
    for (auto& opt : chains) {
      FilterChain chain;
      chain.match = opt.to_match();
      chain.tls = opt.tls;
      chain.origin = opt.origin;
      if (opt.http) {
        std::string stat_prefix = opt.http_stat_prefix;
        if (stat_prefix.empty()) {
          stat_prefix = delimited_stat_prefix(options, "outbound_" + l.name);
        }
        chain.filters.push_back(
            rds_connection_manager(std::move(stat_prefix), opt.rds, opt.http_protocol, true));
        insert_http_security_filters(chain.filters.back().http_filters, security.http);
      } else {
        chain.filters = std::move(opt.network_filters);
        insert_tcp_security_filters(chain.filters, security.tcp);
      }
      if (options.chain_transport_socket_connect_timeout()) {
        chain.transport_socket_connect_timeout = kChainConnectTimeout;
      }
      l.filter_chains.push_back(std::move(chain));
    }
    out.push_back(std::move(l));
  }
  return out;
}

}  // namespace meshward::translate::detail
