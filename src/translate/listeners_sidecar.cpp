// Sidecar outbound listeners (reference §2.1, §2.2): pilot's buildSidecarOutboundListeners,
// buildSidecarOutboundListener, buildListenerFromEntry (pilot/pkg/networking/core/listener.go),
// buildSidecarOutboundTLSFilterChainOpts / buildSidecarOutboundTCPFilterChainOpts (tls.go) and
// the network filters of networkfilter.go. Also the helpers the other listener builders share,
// and build_listeners(), the entry point for both proxy types.

#include <algorithm>
#include <iterator>
#include <map>
#include <set>
#include <string>
#include <utility>

#include "listeners.h"
#include "meshward/translate/envoy_filter.h"
#include "meshward/translate/names.h"
#include "meshward/translate/translate.h"
#include "meshward/world/host.h"
#include "meshward/world/selector.h"
#include "route_builder.h"

namespace meshward::translate {
namespace detail {

namespace {

// Sorted set of the SNI hosts a chain matches, `*` ignored (conflictsWith).
std::set<std::string> sni_set(const std::vector<std::string>& hosts) {
  std::set<std::string> out;
  for (const auto& h : hosts) {
    if (h != "*") {
      out.insert(h);
    }
  }
  return out;
}

// A CIDR as netip.Prefix.Masked() prints it: `10.1.2.3` → `10.1.2.3/32`, `10.1.2.3/8` →
// `10.0.0.0/8`; empty for `0.0.0.0` prefixes, which conflictsWith ignores. IPv6 kept as
// written (with `/128` when bare).
std::string masked_cidr(const std::string& cidr) {
  const auto slash = cidr.find('/');
  const std::string address = cidr.substr(0, slash);
  if (address == kWildcard) {
    return "";
  }
  if (address.find(':') != std::string::npos) {
    return slash == std::string::npos ? cidr + "/128" : cidr;
  }
  int len = 32;
  if (slash != std::string::npos) {
    len = std::atoi(cidr.c_str() + slash + 1);
  }
  std::uint32_t value = 0;
  int octets = 0;
  std::size_t start = 0;
  while (octets < 4) {
    const auto dot = address.find('.', start);
    value = (value << 8) | static_cast<std::uint32_t>(std::atoi(address.c_str() + start) & 0xff);
    ++octets;
    if (dot == std::string::npos) {
      break;
    }
    start = dot + 1;
  }
  if (octets != 4 || len < 0 || len > 32) {
    return cidr;
  }
  const std::uint32_t mask = len == 0 ? 0 : ~std::uint32_t{0} << (32 - len);
  value &= mask;
  return std::to_string(value >> 24) + "." + std::to_string((value >> 16) & 0xff) + "." +
         std::to_string((value >> 8) & 0xff) + "." + std::to_string(value & 0xff) + "/" +
         std::to_string(len);
}

std::set<std::string> cidr_set(const std::vector<std::string>& cidrs) {
  std::set<std::string> out;
  for (const auto& c : cidrs) {
    if (c == "*") {
      continue;
    }
    if (std::string m = masked_cidr(c); !m.empty()) {
      out.insert(std::move(m));
    }
  }
  return out;
}

}  // namespace

bool ChainOpts::is_match_all() const {
  return (sni_hosts.empty() ||
          std::find(sni_hosts.begin(), sni_hosts.end(), "*") != sni_hosts.end()) &&
         application_protocols.empty() && transport_protocol.empty() && destination_cidrs.empty();
}

bool ChainOpts::conflicts_with(const ChainOpts& other) const {
  return transport_protocol == other.transport_protocol &&
         application_protocols == other.application_protocols &&
         sni_set(sni_hosts) == sni_set(other.sni_hosts) &&
         cidr_set(destination_cidrs) == cidr_set(other.destination_cidrs);
}

FilterChainMatch ChainOpts::to_match() const {
  FilterChainMatch m;
  if (is_match_all()) {
    return m;
  }
  m.application_protocols = application_protocols;
  m.transport_protocol = transport_protocol;
  if (!sni_hosts.empty() && std::find(sni_hosts.begin(), sni_hosts.end(), "*") == sni_hosts.end()) {
    m.server_names = sni_hosts;
    std::stable_sort(m.server_names.begin(), m.server_names.end());
  }
  std::vector<std::string> cidrs = destination_cidrs;
  std::stable_sort(cidrs.begin(), cidrs.end());
  for (const auto& c : cidrs) {
    if (c.substr(0, c.find('/')) != kWildcard) {
      m.prefix_ranges.push_back(c);
    }
  }
  return m;
}

std::string delimited_stat_prefix(const Options& options, std::string prefix) {
  if (options.stat_prefix_delimiter()) {
    prefix += ';';
  }
  return prefix;
}

NetworkFilter stats_network_filter() {
  NetworkFilter f;
  f.name = "istio.stats";
  f.type_url = "type.googleapis.com/stats.PluginConfig";
  return f;
}

NetworkFilter metadata_exchange_network_filter() {
  NetworkFilter f;
  f.name = "istio.metadata_exchange";
  f.type_url = "type.googleapis.com/udpa.type.v1.TypedStruct";
  return f;
}

NetworkFilter tcp_proxy_filter(std::string stat_prefix, std::string cluster) {
  NetworkFilter f;
  f.name = std::string(kTcpProxy);
  f.type_url = "type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy";
  f.stat_prefix = std::move(stat_prefix);
  f.cluster = std::move(cluster);
  return f;
}

std::vector<NetworkFilter> single_destination_filters(std::string stat_prefix, std::string cluster,
                                                      bool include_mx) {
  std::vector<NetworkFilter> out;
  if (include_mx) {
    out.push_back(metadata_exchange_network_filter());
  }
  out.push_back(stats_network_filter());
  out.push_back(tcp_proxy_filter(std::move(stat_prefix), std::move(cluster)));
  return out;
}

namespace {

// route.GetDestinationCluster: `outbound|<p>|<subset>|<host>` with p the destination port,
// else the service's only port, else the listener port; an alias points at its target.
std::string destination_cluster(const model::Destination& d, const MeshService* service,
                                std::uint32_t listen_port, std::string_view host) {
  std::uint32_t port = listen_port;
  if (d.port && d.port->number.present) {
    port = d.port->number.value;
  } else if (service != nullptr && service->ports.size() == 1) {
    port = service->ports.front().port;
  }
  std::string_view h = host;
  if (service != nullptr && !service->external_name.empty()) {
    h = service->external_name;
  }
  return outbound_cluster_name(port, d.subset.value, h);
}

}  // namespace

std::vector<NetworkFilter> virtual_service_route_filters(
    const Scope& scope, const model::VirtualService& vs,
    const std::vector<model::RouteDestination>& routes, std::uint32_t port, bool include_mx,
    bool with_metadata) {
  const Options& options = scope.options();
  auto host_of = [&](const model::RouteDestination& r) {
    return world::resolve_short_name(r.destination ? r.destination->host.value : "",
                                     vs.meta.namespace_, options.mesh.domain_suffix);
  };
  std::vector<NetworkFilter> out;
  if (routes.empty() || !routes.front().destination) {
    return out;
  }
  if (routes.size() == 1) {
    const std::string host = host_of(routes.front());
    const MeshService* service = scope.find_service(host);
    const std::string cluster = destination_cluster(*routes.front().destination, service, port, host);
    out = single_destination_filters(cluster, cluster, include_mx);
  } else {
    NetworkFilter tcp = tcp_proxy_filter(vs.meta.name + "." + vs.meta.namespace_, "");
    for (const auto& r : routes) {
      if (!r.destination || r.weight.value <= 0) {
        continue;
      }
      const std::string host = host_of(r);
      const MeshService* service = scope.find_service(host);
      ClusterWeight w;
      w.name = destination_cluster(*r.destination, service, port, host);
      w.weight = static_cast<std::uint32_t>(r.weight.value);
      tcp.weighted_clusters.push_back(std::move(w));
    }
    if (include_mx) {
      out.push_back(metadata_exchange_network_filter());
    }
    out.push_back(stats_network_filter());
    out.push_back(std::move(tcp));
  }
  if (with_metadata) {
    out.back().istio_config = virtual_service_config_path(options, vs);
  }
  return out;
}

std::vector<HttpFilter> istio_http_filters(bool inbound, Protocol protocol) {
  std::vector<HttpFilter> out;
  auto add = [&out](std::string name) { out.push_back(HttpFilter{std::move(name), {}, {}, {}, {}}); };
  add("istio.metadata_exchange");
  if (protocol == Protocol::GrpcWeb) {
    add("envoy.filters.http.grpc_web");
  }
  add("envoy.filters.http.grpc_stats");
  if (!inbound) {
    add("istio.alpn");
  }
  add("envoy.filters.http.fault");
  add("envoy.filters.http.cors");
  add("istio.stats");
  add("envoy.filters.http.router");
  return out;
}

NetworkFilter rds_connection_manager(std::string stat_prefix, std::string rds, Protocol protocol,
                                     bool gateway) {
  NetworkFilter f;
  f.name = std::string(kHttpConnectionManager);
  f.type_url =
      "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3."
      "HttpConnectionManager";
  f.stat_prefix = std::move(stat_prefix);
  f.rds_route_config_name = std::move(rds);
  f.http_filters = istio_http_filters(false, protocol);
  f.use_remote_address = gateway;
  if (gateway) {
    f.forward_client_cert_details = "SANITIZE_SET";
  }
  return f;
}

Origin origin_of(const model::Object* object, std::string path) {
  Origin o;
  if (object != nullptr) {
    o.resource = model::key_of(*object);
    o.path = std::move(path);
  }
  return o;
}

bool gateway_matches(const std::vector<model::Field<std::string>>& gateways,
                     std::string_view vs_namespace, std::string_view gateway) {
  if (gateways.empty()) {
    return true;
  }
  for (const auto& g : gateways) {
    if (world::resolve_gateway_ref(g.value, vs_namespace) == gateway) {
      return true;
    }
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// Outbound listeners

namespace {

enum class ListenerProtocol : std::uint8_t { Http, Tcp, Auto, Unknown };

// ModelProtocolToListenerProtocol.
ListenerProtocol listener_protocol(Protocol p) {
  if (is_http(p)) {
    return ListenerProtocol::Http;
  }
  if (is_tcp(p)) {
    return ListenerProtocol::Tcp;
  }
  if (p == Protocol::Unsupported) {
    return ListenerProtocol::Auto;
  }
  return ListenerProtocol::Unknown;
}

// outboundListenerEntry.
struct Entry {
  MeshServicePort port;
  std::string bind;
  bool bind_to_port = false;
  bool locked = false;
  std::vector<ChainOpts> chains;
  Protocol protocol = Protocol::Unsupported;
};

// Entries keyed by (bind, port), kept in the order they were first created.
class EntryMap {
 public:
  Entry* find(const std::string& bind, std::uint32_t port) {
    auto it = index_.find({bind, port});
    return it == index_.end() ? nullptr : &entries_[it->second];
  }
  void put(Entry e) {
    const std::pair<std::string, std::uint32_t> key{e.bind, e.port.port};
    if (auto it = index_.find(key); it != index_.end()) {
      entries_[it->second] = std::move(e);
      return;
    }
    index_.emplace(key, entries_.size());
    entries_.push_back(std::move(e));
  }
  void lock_all() {
    for (auto& e : entries_) {
      e.locked = true;
    }
  }
  const std::vector<Entry>& entries() const { return entries_; }

 private:
  std::map<std::pair<std::string, std::uint32_t>, std::size_t> index_;
  std::vector<Entry> entries_;
};

// outboundListenerOpts.
struct ListenerOpts {
  std::string bind;
  bool bind_to_port = false;
  std::string cidr;
  MeshServicePort port;
  const MeshService* service = nullptr;
};

// The VirtualServices an egress listener imports, indexed by host so that finding those of
// one service (getConfigsForHost: a VS host Matches the service hostname) does not scan them
// all. Built on first use: listeners of HTTP-only meshes never need it.
class HostConfigs {
 public:
  HostConfigs(const Scope& scope, const EgressListener& listener)
      : scope_(scope), listener_(listener) {}

  std::vector<const model::VirtualService*> for_host(const std::string& hostname) {
    if (!built_) {
      build();
    }
    std::vector<std::size_t> hits;
    if (world::is_wildcard(hostname)) {
      for (std::size_t i = 0; i < ordered_.size(); ++i) {
        for (const auto& h : hosts_[i]) {
          if (world::host_matches(h, hostname)) {
            hits.push_back(i);
            break;
          }
        }
      }
    } else {
      if (auto it = exact_.find(hostname); it != exact_.end()) {
        hits = it->second;
      }
      for (const auto& [suffix_host, i] : wildcards_) {
        if (world::host_matches(suffix_host, hostname)) {
          hits.push_back(i);
        }
      }
      std::sort(hits.begin(), hits.end());
      hits.erase(std::unique(hits.begin(), hits.end()), hits.end());
    }
    std::vector<const model::VirtualService*> out;
    out.reserve(hits.size());
    for (std::size_t i : hits) {
      out.push_back(ordered_[i]);
    }
    return out;
  }

 private:
  void build() {
    built_ = true;
    ordered_ = scope_.virtual_services(listener_);
    hosts_.reserve(ordered_.size());
    for (std::size_t i = 0; i < ordered_.size(); ++i) {
      hosts_.push_back(resolved_hosts(scope_.options(), *ordered_[i]));
      for (const auto& h : hosts_.back()) {
        if (world::is_wildcard(h)) {
          wildcards_.emplace_back(h, i);
        } else {
          auto& list = exact_[h];
          if (list.empty() || list.back() != i) {
            list.push_back(i);
          }
        }
      }
    }
  }

  const Scope& scope_;
  const EgressListener& listener_;
  bool built_ = false;
  std::vector<const model::VirtualService*> ordered_;
  std::vector<std::vector<std::string>> hosts_;
  std::map<std::string, std::vector<std::size_t>, std::less<>> exact_;
  std::vector<std::pair<std::string, std::size_t>> wildcards_;
};

bool source_matches(const model::StringMap& source_labels,
                    const model::Field<std::string>& source_ns, const Proxy& proxy) {
  return world::selector_matches(source_labels, proxy.labels) &&
         (!source_ns.present || source_ns.value.empty() || source_ns.value == proxy.namespace_);
}

// matchTLS / matchTCP for a sidecar (gateway set {mesh}).
template <class Match>
bool sidecar_match(const Match& m, const model::VirtualService& vs, const Proxy& proxy,
                   std::uint32_t port) {
  const bool port_match = !m.port.present || m.port.value == 0 || m.port.value == port;
  return gateway_matches(m.gateways, vs.meta.namespace_, world::kMeshGateway) &&
         source_matches(m.source_labels, m.source_namespace, proxy) && port_match;
}

// The cluster and stat prefix of a TCP/TLS chain without VirtualService: the service's only
// port if it has one, else the listener port.
std::string default_cluster(const MeshService& service, std::uint32_t listen_port) {
  const std::uint32_t port = service.ports.size() == 1 ? service.ports.front().port : listen_port;
  return outbound_cluster_name(port, "", service.hostname);
}

std::string joined(const std::vector<model::Field<std::string>>& items) {
  std::string out;
  for (const auto& i : items) {
    out += (out.empty() ? "" : ",") + i.value;
  }
  return out;
}

std::vector<std::string> values(const std::vector<model::Field<std::string>>& items) {
  std::vector<std::string> out;
  out.reserve(items.size());
  for (const auto& i : items) {
    out.push_back(i.value);
  }
  return out;
}

// buildSidecarOutboundTLSFilterChainOpts.
std::vector<ChainOpts> tls_chains(const Scope& scope, std::vector<std::string> cidrs,
                                  const MeshService& service, const std::string& bind,
                                  const MeshServicePort& port,
                                  const std::vector<const model::VirtualService*>& configs) {
  std::vector<ChainOpts> out;
  if (!is_tls(port.protocol)) {
    return out;
  }
  std::set<std::string> handled;
  bool has_tls_match = false;
  for (const model::VirtualService* vs : configs) {
    for (std::size_t t = 0; t < vs->spec.tls.size(); ++t) {
      const model::TlsRoute& tls = vs->spec.tls[t];
      for (std::size_t m = 0; m < tls.match.size(); ++m) {
        const model::TlsMatchAttributes& match = tls.match[m];
        if (!sidecar_match(match, *vs, scope.proxy(), port.port)) {
          continue;
        }
        // A match's subnets replace the service's CIDRs for this and later matches.
        if (!match.destination_subnets.empty() && port.port > 0) {
          cidrs = values(match.destination_subnets);
        }
        const std::string hash = joined(match.sni_hosts) + "|" + joined(match.destination_subnets);
        if (handled.insert(hash).second) {
          ChainOpts c;
          c.sni_hosts = values(match.sni_hosts);
          c.destination_cidrs = cidrs;
          c.network_filters =
              virtual_service_route_filters(scope, *vs, tls.route, port.port, false, true);
          c.origin =
              origin_of(vs, "spec.tls[" + std::to_string(t) + "].match[" + std::to_string(m) + "]");
          out.push_back(std::move(c));
          has_tls_match = true;
        }
      }
    }
  }
  if (!has_tls_match) {
    const std::string cluster = default_cluster(service, port.port);
    std::string listen_address = service.address;
    if (listen_address.find('/') != std::string::npos) {
      listen_address.clear();  // A CIDR: already in `cidrs`.
    }
    ChainOpts c;
    // Only SNI tells services apart on a wildcard bind; a VIP identifies the service.
    if (!cidrs.empty() || listen_address.empty() ||
        (listen_address == kWildcard && bind == kWildcard)) {
      c.sni_hosts.push_back(service.hostname);
      for (const auto& alias : service.aliases) {
        c.sni_hosts.push_back(alias);
      }
    }
    c.destination_cidrs = cidrs;
    c.network_filters = single_destination_filters(cluster, cluster, false);
    c.origin = origin_of(service.source, "spec.ports");
    out.push_back(std::move(c));
  }
  return out;
}

// buildSidecarOutboundTCPFilterChainOpts.
std::vector<ChainOpts> tcp_chains(const Scope& scope, std::vector<std::string> cidrs,
                                  const MeshService& service, const MeshServicePort& port,
                                  const std::vector<const model::VirtualService*>& configs) {
  std::vector<ChainOpts> out;
  if (is_tls(port.protocol)) {
    return out;
  }
  bool default_added = false;
  for (const model::VirtualService* vs : configs) {
    for (std::size_t t = 0; t < vs->spec.tcp.size() && !default_added; ++t) {
      const model::TcpRoute& tcp = vs->spec.tcp[t];
      const std::string path = "spec.tcp[" + std::to_string(t) + "]";
      if (tcp.match.empty()) {
        ChainOpts c;
        c.destination_cidrs = cidrs;
        c.network_filters =
            virtual_service_route_filters(scope, *vs, tcp.route, port.port, false, true);
        c.origin = origin_of(vs, path);
        out.push_back(std::move(c));
        default_added = true;
        break;
      }
      std::vector<std::string> subnets;
      for (const auto& match : tcp.match) {
        if (!sidecar_match(match, *vs, scope.proxy(), port.port)) {
          continue;
        }
        if (match.destination_subnets.empty() || port.port == 0) {
          ChainOpts c;
          c.destination_cidrs = cidrs;
          c.network_filters =
              virtual_service_route_filters(scope, *vs, tcp.route, port.port, false, true);
          c.origin = origin_of(vs, path);
          out.push_back(std::move(c));
          default_added = true;
          break;
        }
        for (const auto& s : match.destination_subnets) {
          subnets.push_back(s.value);
        }
      }
      if (default_added) {
        break;
      }
      if (!subnets.empty()) {
        ChainOpts c;
        c.destination_cidrs = subnets;
        c.network_filters =
            virtual_service_route_filters(scope, *vs, tcp.route, port.port, false, false);
        c.origin = origin_of(vs, path);
        out.push_back(std::move(c));
        // The same CIDRs as the service's own default chain: that one would be a duplicate.
        std::sort(subnets.begin(), subnets.end());
        std::sort(cidrs.begin(), cidrs.end());
        if (subnets == cidrs) {
          default_added = true;
        }
      }
    }
    if (default_added) {
      break;
    }
  }
  if (!default_added) {
    const std::string cluster = default_cluster(service, port.port);
    ChainOpts c;
    c.destination_cidrs = cidrs;
    c.network_filters = single_destination_filters(cluster, cluster, false);
    c.origin = origin_of(service.source, "spec.ports");
    out.push_back(std::move(c));
  }
  return out;
}

// buildSidecarOutboundHTTPListenerOpts.
ChainOpts http_chain(const ListenerOpts& opts, ListenerProtocol lp) {
  ChainOpts c;
  c.http = true;
  c.http_protocol = opts.port.protocol;
  if (opts.port.port == 0) {
    c.rds = opts.bind;  // A unix domain socket.
  } else if (lp == ListenerProtocol::Auto && opts.bind != kWildcard && opts.service != nullptr) {
    // A sniffed service on its own VIP gets a route of its own.
    c.rds = opts.service->hostname + ":" + std::to_string(opts.port.port);
  } else {
    c.rds = sidecar_route_name(opts.port.port);
  }
  if (opts.service != nullptr) {
    c.origin = origin_of(opts.service->source, "spec.ports");
  }
  return c;
}

// mergeTCPFilterChains: the incoming chains whose match no existing chain has.
void merge_chains(Entry& current, std::vector<ChainOpts> incoming) {
  for (auto& in : incoming) {
    const bool conflict = std::any_of(current.chains.begin(), current.chains.end(),
                                      [&](const ChainOpts& c) { return c.conflicts_with(in); });
    if (!conflict) {
      current.chains.push_back(std::move(in));
    }
  }
}

// isConflictWithWellKnownPort: Mongo and MySQL never share a port with another protocol.
bool well_known_port_ok(Protocol incoming, Protocol existing) {
  const auto special = [](Protocol p) { return p == Protocol::Mongo || p == Protocol::MySql; };
  return !((special(incoming) || special(existing)) && incoming != existing);
}

class OutboundBuilder {
 public:
  explicit OutboundBuilder(const Scope& scope) : scope_(scope) {}

  // buildSidecarOutboundListener.
  void add(ListenerOpts opts, HostConfigs& configs) {
    if (opts.service->resolution == Resolution::Alias) {
      return;  // Aliases get neither listener nor cluster.
    }
    const ListenerProtocol lp = listener_protocol(opts.port.protocol);
    Protocol entry_protocol = opts.port.protocol;
    switch (lp) {
      case ListenerProtocol::Tcp:
      case ListenerProtocol::Auto:
        if (opts.bind.empty()) {
          const std::string& address = opts.service->address;
          if (!address.empty()) {
            if (address.find('/') == std::string::npos) {
              opts.bind = address;
            } else {
              opts.bind = std::string(kWildcard);
              opts.cidr = address;
            }
          }
        }
        break;
      case ListenerProtocol::Http:
        if (opts.bind.empty()) {
          opts.bind = std::string(kWildcard);
        }
        break;
      case ListenerProtocol::Unknown:
        return;  // UDP.
    }
    Entry* current = entries_.find(opts.bind, opts.port.port);
    if (current != nullptr && current->locked) {
      return;  // The port belongs to an egress listener with an explicit port.
    }

    enum class Conflict {
      None,
      HttpOverTcp,
      TcpOverHttp,
      TcpOverTcp,
      TcpOverAuto,
      AutoOverHttp,
      AutoOverTcp
    };
    Conflict conflict = Conflict::None;
    std::vector<ChainOpts> chains;
    const std::vector<std::string> cidrs =
        opts.cidr.empty() ? std::vector<std::string>{} : std::vector<std::string>{opts.cidr};
    auto tcp_opts = [&] {
      const auto vss = configs.for_host(opts.service->hostname);
      std::vector<ChainOpts> out =
          tls_chains(scope_, cidrs, *opts.service, opts.bind, opts.port, vss);
      for (auto& c : tcp_chains(scope_, cidrs, *opts.service, opts.port, vss)) {
        out.push_back(std::move(c));
      }
      return out;
    };

    if (opts.port.protocol == Protocol::HttpProxy) {
      chains.push_back(http_chain(opts, lp));
    } else {
      switch (lp) {
        case ListenerProtocol::Http: {
          if (current != nullptr) {
            if (!is_tcp(current->protocol)) {
              return;  // An HTTP (or sniffed) listener already serves the port through RDS.
            }
            conflict = Conflict::HttpOverTcp;
          }
          ChainOpts c = http_chain(opts, lp);
          if (opts.bind == kWildcard) {
            // Match plaintext HTTP only, so other TCP traffic to the port falls through.
            c.application_protocols = kPlaintextHttpAlpns;
            c.transport_protocol = "raw_buffer";
            entry_protocol = Protocol::Unsupported;
          }
          chains.push_back(std::move(c));
          break;
        }
        case ListenerProtocol::Tcp:
          chains = tcp_opts();
          if (current != nullptr) {
            conflict = is_http(current->protocol)  ? Conflict::TcpOverHttp
                       : is_tcp(current->protocol) ? Conflict::TcpOverTcp
                                                   : Conflict::TcpOverAuto;
          }
          break;
        case ListenerProtocol::Auto: {
          if (current != nullptr) {
            if (is_http(current->protocol)) {
              conflict = Conflict::AutoOverHttp;
            } else if (is_tcp(current->protocol)) {
              conflict = Conflict::AutoOverTcp;
            } else {
              return;
            }
          }
          chains = tcp_opts();
          ChainOpts c = http_chain(opts, lp);
          c.application_protocols = kPlaintextHttpAlpns;
          c.transport_protocol = "raw_buffer";
          chains.push_back(std::move(c));
          break;
        }
        case ListenerProtocol::Unknown:
          return;
      }
    }
    if (current != nullptr && conflict != Conflict::None &&
        !well_known_port_ok(opts.port.protocol, current->protocol)) {
      return;
    }
    switch (conflict) {
      case Conflict::None:
      case Conflict::AutoOverHttp: {
        Entry e;
        e.port = opts.port;
        e.bind = opts.bind;
        e.bind_to_port = opts.bind_to_port;
        e.chains = std::move(chains);
        e.protocol = entry_protocol;
        entries_.put(std::move(e));
        break;
      }
      case Conflict::HttpOverTcp:
      case Conflict::TcpOverHttp:
      case Conflict::AutoOverTcp:
        merge_chains(*current, std::move(chains));
        current->protocol = Protocol::Unsupported;
        break;
      case Conflict::TcpOverTcp:
      case Conflict::TcpOverAuto:
        merge_chains(*current, std::move(chains));
        break;
    }
  }

  EntryMap& entries() { return entries_; }

 private:
  const Scope& scope_;
  EntryMap entries_;
};

// CanBindToPort / conflictWithReservedListener: an HTTP service port (bound to the wildcard)
// may not take a port of the proxy's own listeners.
bool conflicts_with_reserved_listener(const std::string& bind, const MeshServicePort& port) {
  if (!bind.empty() ? bind != kWildcard : !is_http(port.protocol)) {
    return false;
  }
  return port.port == 15001 || port.port == 15006 || port.port == 15021 || port.port == 15090;
}

// buildListenerFromEntry.
Listener listener_from_entry(const Scope& scope, const Entry& e, const std::string& catch_all) {
  const Options& options = scope.options();
  Listener l;
  l.name = listener_name(e.bind, e.port.port);
  l.address = {e.bind, e.port.port};
  l.traffic_direction = "OUTBOUND";
  l.continue_on_listener_filters_timeout = true;
  if (!e.bind_to_port) {
    l.bind_to_port = false;
  }
  bool need_tls_inspector = false;
  bool need_http_inspector = false;
  for (const auto& c : e.chains) {
    if (!c.sni_hosts.empty() || (c.tls && !c.tls->alpn_protocols.empty())) {
      need_tls_inspector = true;
    }
    if (!c.application_protocols.empty()) {
      need_http_inspector = true;
    }
  }
  // A TLS inspector also goes with the HTTP inspector: Envoy would add one anyway for an ALPN
  // match (envoyproxy/envoy#13601).
  if (need_tls_inspector || need_http_inspector) {
    l.listener_filters.emplace_back(kTlsInspector);
  }
  if (need_http_inspector) {
    l.listener_filters.emplace_back(kHttpInspector);
  }
  l.listener_filters_timeout = options.mesh.protocol_detection_timeout_ms;
  for (const auto& opt : e.chains) {
    FilterChain chain;
    chain.tls = opt.tls;
    chain.origin = opt.origin;
    if (opt.http) {
      chain.filters.push_back(rds_connection_manager(
          delimited_stat_prefix(options, "outbound_" + l.name), opt.rds, opt.http_protocol, false));
    } else {
      chain.filters = opt.network_filters;
    }
    if (opt.is_match_all()) {
      l.default_filter_chain = std::move(chain);
    } else {
      chain.match = opt.to_match();
      l.filter_chains.push_back(std::move(chain));
    }
  }
  if (l.default_filter_chain && l.filter_chains.empty()) {
    // A single match-all chain stays a plain chain.
    l.filter_chains.push_back(std::move(*l.default_filter_chain));
    l.default_filter_chain.reset();
  } else if (!l.default_filter_chain) {
    FilterChain passthrough;
    passthrough.name = "PassthroughFilterChain";
    passthrough.filters = single_destination_filters(catch_all, catch_all, false);
    l.default_filter_chain = std::move(passthrough);
  }
  if (options.chain_transport_socket_connect_timeout()) {
    for (auto& c : l.filter_chains) {
      c.transport_socket_connect_timeout = kChainConnectTimeout;
    }
  }
  return l;
}

}  // namespace

// The cluster unmatched outbound traffic goes to: PassthroughCluster (ALLOW_ANY; the
// Sidecar's egressProxy when it names one) or BlackHoleCluster (REGISTRY_ONLY).
std::string catch_all_cluster(const Scope& scope) {
  if (scope.outbound_policy() == OutboundPolicy::RegistryOnly) {
    return std::string(kBlackHoleCluster);
  }
  const model::Sidecar* sidecar = scope.sidecar();
  if (sidecar != nullptr && sidecar->spec.outbound_traffic_policy &&
      sidecar->spec.outbound_traffic_policy->egress_proxy) {
    const model::Destination& d = *sidecar->spec.outbound_traffic_policy->egress_proxy;
    return destination_cluster(d, nullptr, 0, d.host.value);
  }
  return std::string(kPassthroughCluster);
}

std::vector<Listener> build_sidecar_outbound_listeners(const Scope& scope) {
  OutboundBuilder builder(scope);
  const model::Sidecar* sidecar = scope.sidecar();
  const auto& egress = scope.egress_listeners();
  for (std::size_t i = 0; i < egress.size(); ++i) {
    const EgressListener& listener = egress[i];
    // captureMode NONE binds a real port, on 127.0.0.1 unless `bind` says otherwise.
    bool bind_to_port = false;
    if (sidecar != nullptr && i < sidecar->spec.egress.size()) {
      const auto& mode = sidecar->spec.egress[i].capture_mode;
      bind_to_port = (mode.present && mode.value == model::CaptureMode::None) ||
                     listener.bind.rfind("unix://", 0) == 0;
    }
    std::string bind = listener.bind;
    if (bind.empty() && bind_to_port) {
      bind = "127.0.0.1";
    }
    HostConfigs configs(scope, listener);
    const std::vector<MeshService>& services = scope.listener_services(listener);
    if (listener.port) {
      MeshServicePort port;
      port.port = *listener.port;
      port.protocol = parse_protocol(listener.port_protocol);
      if (conflicts_with_reserved_listener(bind, port)) {
        continue;
      }
      for (const MeshService& s : services) {
        ListenerOpts opts{bind, bind_to_port, "", port, &s};
        builder.add(std::move(opts), configs);
      }
      continue;
    }
    // The catch-all egress listener adds nothing to ports an explicit one took.
    builder.entries().lock_all();
    for (const MeshService& s : services) {
      for (const MeshServicePort& port : s.ports) {
        if (conflicts_with_reserved_listener(bind, port)) {
          continue;
        }
        ListenerOpts opts{bind, bind_to_port, "", port, &s};
        const bool sniffed_or_tcp = is_tcp(port.protocol) || port.protocol == Protocol::Unsupported;
        if (bind.empty() && s.resolution == Resolution::Passthrough && s.address == kWildcard &&
            sniffed_or_tcp) {
          // Headless: one listener per endpoint IP (a plain NONE ServiceEntry without
          // endpoints or selector keeps the wildcard listener).
          const std::vector<MeshEndpoint> endpoints = scope.registry().endpoints(s, &port);
          if (s.registry != MeshService::Registry::Kubernetes && endpoints.empty() &&
              s.selector.empty()) {
            builder.add(std::move(opts), configs);
            continue;
          }
          for (const MeshEndpoint& ep : endpoints) {
            if (!world::is_ip_address(ep.address) || ep.address == scope.proxy().ip) {
              continue;
            }
            ListenerOpts per_pod = opts;
            per_pod.bind = ep.address;
            builder.add(std::move(per_pod), configs);
          }
          continue;
        }
        builder.add(std::move(opts), configs);
      }
    }
  }
  const std::string catch_all = catch_all_cluster(scope);
  std::vector<Listener> out;
  out.reserve(builder.entries().entries().size());
  for (const Entry& e : builder.entries().entries()) {
    out.push_back(listener_from_entry(scope, e, catch_all));
  }
  return out;
}

}  // namespace detail

namespace {

// EnvoyFilter patches as ListenerBuilder.patchListeners applies them: per group of listeners,
// each in its context; the virtual listeners take no listener ADDs.
std::vector<Listener> patched_listeners(const Scope& scope, const ProxyPatches& patches,
                                        std::vector<PatchEffect>* effects) {
  using Context = model::EnvoyFilterPatchContext;
  if (scope.proxy().type == Proxy::Type::Gateway) {
    std::vector<Listener> out = detail::build_gateway_listeners(scope);
    apply_listener_patches(Context::Gateway, patches, out, false, effects);
    return out;
  }
  std::vector<Listener> outbound = detail::build_sidecar_outbound_listeners(scope);
  std::vector<Listener> virtual_outbound = {detail::build_virtual_outbound_listener(scope)};
  std::vector<Listener> virtual_inbound = {detail::build_virtual_inbound_listener(scope)};
  std::vector<Listener> inbound;  // Only what SIDECAR_INBOUND listener ADDs bring.
  // The inline routes of inbound chains are patched as they are built, before the listeners.
  for (FilterChain& chain : virtual_inbound.front().filter_chains) {
    for (NetworkFilter& f : chain.filters) {
      if (f.inline_route_config) {
        apply_route_patches(Context::SidecarInbound, patches, *f.inline_route_config, effects);
      }
    }
  }
  apply_listener_patches(Context::SidecarOutbound, patches, virtual_outbound, true, effects);
  apply_listener_patches(Context::SidecarInbound, patches, virtual_inbound, true, effects);
  apply_listener_patches(Context::SidecarInbound, patches, inbound, false, effects);
  apply_listener_patches(Context::SidecarOutbound, patches, outbound, false, effects);
  // getListeners order: outbound, virtualOutbound, then inbound (virtualInbound first).
  for (auto* group : {&virtual_outbound, &virtual_inbound, &inbound}) {
    std::move(group->begin(), group->end(), std::back_inserter(outbound));
  }
  return outbound;
}

}  // namespace

std::vector<Listener> build_listeners(const Scope& scope, std::vector<PatchEffect>* effects) {
  const ProxyPatches patches(scope.registry().view(), scope.proxy(), scope.options());
  return detail::build_patched_listeners(scope, patches, effects);
}

std::vector<Listener> detail::build_patched_listeners(
    const Scope& scope, const ProxyPatches& patches, std::vector<PatchEffect>* effects,
    std::vector<ExtensionConfig>* extension_configs) {
  std::vector<Listener> out = patched_listeners(scope, patches, effects);
  std::vector<ExtensionConfig> configs = apply_extension_config_patches(patches, out, effects);
  if (extension_configs != nullptr) {
    *extension_configs = std::move(configs);
  }
  return out;
}

}  // namespace meshward::translate
