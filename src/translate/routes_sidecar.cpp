// Sidecar outbound route configurations (reference §3.1–3.3, 3.5, 3.6): pilot's
// buildSidecarOutboundHTTPRouteConfig, BuildSidecarOutboundVirtualHosts,
// generateVirtualHostDomains, GenerateAltVirtualHosts, dedupeDomains,
// getVirtualHostsForSniffedServicePort (pilot/pkg/networking/core/httproute.go) and
// route.BuildSidecarVirtualHostWrapper / separateVSHostsAndServices (route/route.go).
// build_route(), the entry point for both proxy types, is here too.
#include <algorithm>
#include <charconv>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "meshward/translate/names.h"
#include "meshward/translate/translate.h"
#include "meshward/world/host.h"
#include "route_builder.h"

namespace meshward::translate {

namespace detail {

namespace {

bool is_http_or_sniffed(Protocol p) { return is_http(p) || p == Protocol::Unsupported; }

// extractListenerPort: `<port>`, or `<host>:<port>` for a sniffed (AUTO) listener on a
// service VIP. nullopt when the name carries no port.
struct RouteNamePort {
  std::uint32_t port = 0;
  bool sniffed = false;
};
std::optional<RouteNamePort> parse_route_name(std::string_view name) {
  const std::size_t colon = name.find(':');
  const std::string_view text = colon == std::string_view::npos ? name : name.substr(colon + 1);
  std::uint32_t port = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), port);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
    return std::nullopt;
  }
  return RouteNamePort{port, colon != std::string_view::npos};
}

// SidecarScope.GetEgressListenerForRDS: the listener for the port, or the catch-all one.
const EgressListener* egress_listener_for(const Scope& scope, std::uint32_t port) {
  for (const EgressListener& l : scope.egress_listeners()) {
    if (!l.port || *l.port == port) {
      return &l;
    }
  }
  return nullptr;
}

// The proxy's view of the services on the listener port, each trimmed to that port (all ports
// when the port is 0), by hostname, in SidecarScope order.
struct ServiceRegistryView {
  std::vector<MeshService> services;
  std::unordered_map<std::string, std::size_t> by_host;

  const MeshService* find(std::string_view host) const {
    auto it = by_host.find(std::string(host));
    return it == by_host.end() ? nullptr : &services[it->second];
  }
};

ServiceRegistryView services_on_port(const Scope& scope, const EgressListener& listener,
                                     std::uint32_t listen_port) {
  ServiceRegistryView out;
  for (MeshService& svc : scope.services(listener)) {
    if (listen_port != 0) {
      const MeshServicePort* port = svc.find_port(listen_port);
      if (port == nullptr) {
        continue;
      }
      const MeshServicePort kept = *port;
      svc.ports = {kept};
    }
    auto [it, added] = out.by_host.try_emplace(svc.hostname, out.services.size());
    if (added) {
      out.services.push_back(std::move(svc));
    } else {
      out.services[it->second] = std::move(svc);  // Later entries of a hostname win (map).
    }
  }
  return out;
}

// httproute.selectVirtualServices (listener ports other than 80): VirtualServices with a host
// that is a registry service or matches one through a wildcard.
bool selects_a_service(const std::vector<std::string>& vs_hosts, const ServiceRegistryView& reg,
                       const std::vector<const MeshService*>& wildcard_services) {
  for (const std::string& h : vs_hosts) {
    if (reg.find(h) != nullptr) {
      return true;
    }
    if (world::is_wildcard(h)) {
      for (const MeshService& s : reg.services) {
        if (world::host_matches(h, s.hostname)) {
          return true;
        }
      }
    } else {
      for (const MeshService* s : wildcard_services) {
        if (world::host_matches(h, s->hostname)) {
          return true;
        }
      }
    }
  }
  return false;
}

// A VirtualService (or none, for a default vhost) with the hosts it covers on one port.
struct VhostWrapper {
  std::uint32_t port = 0;
  std::vector<const MeshService*> services;
  std::vector<std::string> vs_hosts;  ///< Non-registry hosts.
  std::vector<Route> routes;
  const model::VirtualService* vs = nullptr;
};

// The VirtualServices of the listener with their resolved hosts.
struct ListenerVirtualService {
  const model::VirtualService* vs = nullptr;
  std::vector<std::string> hosts;
};

// MostSpecificHostMatch over the listener's VirtualService hosts (computeWildcardHostVirtual-
// ServiceIndex): for a service hostname, the first VirtualService with that exact host, else
// the one with the most specific matching wildcard host (longest; the first one on ties).
class MostSpecificVirtualService {
 public:
  explicit MostSpecificVirtualService(const std::vector<ListenerVirtualService>& vss) {
    for (const ListenerVirtualService& v : vss) {
      for (const std::string& h : v.hosts) {
        if (!world::is_wildcard(h)) {
          exact_.try_emplace(h, v.vs);
        } else if (std::none_of(wildcards_.begin(), wildcards_.end(),
                                [&](const auto& w) { return w.first == h; })) {
          wildcards_.emplace_back(h, v.vs);
        }
      }
    }
  }

  const model::VirtualService* find(const std::string& service_host) const {
    if (auto it = exact_.find(service_host); it != exact_.end()) {
      return it->second;
    }
    const model::VirtualService* best = nullptr;
    std::size_t best_len = 0;
    for (const auto& [h, vs] : wildcards_) {
      if (std::string_view(service_host).ends_with(std::string_view(h).substr(1)) &&
          (best == nullptr || h.size() > best_len)) {
        best = vs;
        best_len = h.size();
      }
    }
    return best;
  }

 private:
  std::unordered_map<std::string, const model::VirtualService*> exact_;
  std::vector<std::pair<std::string, const model::VirtualService*>> wildcards_;
};

// separateVSHostsAndServices.
void separate_hosts(const ListenerVirtualService& v, const ServiceRegistryView& reg,
                    const MostSpecificVirtualService& most_specific,
                    std::vector<std::string>& non_registry_hosts,
                    std::vector<const MeshService*>& services) {
  std::vector<const std::string*> wildcard_hosts;
  for (const std::string& h : v.hosts) {
    if (world::is_wildcard(h)) {
      wildcard_hosts.push_back(&h);
    } else if (const MeshService* s = reg.find(h)) {
      services.push_back(s);
    } else {
      non_registry_hosts.push_back(h);
    }
  }
  for (const std::string* h : wildcard_hosts) {
    bool found = false;
    for (const MeshService& s : reg.services) {
      if (!world::host_matches(s.hostname, *h)) {
        continue;
      }
      found = true;
      // Each service belongs to the VirtualService with its most specific host only.
      if (most_specific.find(s.hostname) == v.vs) {
        services.push_back(&s);
      }
    }
    if (!found) {
      non_registry_hosts.push_back(*h);
    }
  }
}

// "/" "foo.ns1.svc.cluster.local" minus the namespace: removeSvcNamespace.
std::string_view svc_suffix(std::string_view proxy_domain) {
  const std::size_t idx = proxy_domain.find(".svc.");
  return idx != std::string_view::npos && idx > 0 ? proxy_domain.substr(idx) : proxy_domain;
}

// appendDomainPort: `d` and, when a port is used, `d:port`.
void append_domain_port(std::vector<std::string>& domains, std::string_view d, std::uint32_t port) {
  domains.push_back(ipv6_compliant(d));
  if (port != 0) {
    domains.push_back(vhost_name(d, port));
  }
}

// generateAltVirtualHostsForKubernetesService.
void kubernetes_alt_hosts(std::string_view hostname, std::uint32_t port,
                          std::string_view proxy_domain, std::vector<std::string>& out) {
  const std::size_t id = proxy_domain.find(".svc.");
  const std::size_t ih = hostname.find(".svc.");
  if (ih == std::string_view::npos || ih == 0) {
    return;  // Proxy in Kubernetes, service not.
  }
  const std::size_t ns = hostname.find('.');
  if (ns + 1 >= hostname.size() || ns + 1 > ih) {
    return;
  }
  const std::string_view name = hostname.substr(0, ns);
  const std::string name_ns_svc = std::string(hostname.substr(0, ih)) + ".svc";
  const std::string_view name_ns = hostname.substr(0, ih);
  if (hostname.substr(ns + 1, ih - ns - 1) == proxy_domain.substr(0, id)) {
    append_domain_port(out, name, port);  // Same namespace: the short name works too.
    append_domain_port(out, name_ns_svc, port);
    append_domain_port(out, name_ns, port);
    return;
  }
  append_domain_port(out, name_ns, port);
  append_domain_port(out, name_ns_svc, port);
}

std::vector<std::string> split_dots(std::string_view s) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = s.find('.', start);
    out.emplace_back(s.substr(start, dot == std::string_view::npos ? dot : dot - start));
    if (dot == std::string_view::npos) {
      return out;
    }
    start = dot + 1;
  }
}

// GenerateAltVirtualHosts: the other names a host is reachable by from the proxy's domain.
std::vector<std::string> alt_virtual_hosts(const Options& options, std::string_view hostname,
                                           std::uint32_t port, std::string_view proxy_domain) {
  std::vector<std::string> out;
  if (options.absolute_fqdn_domain()) {
    const std::string absolute = std::string(hostname) + ".";
    if (!world::is_ip_address(hostname)) {
      out.push_back(absolute);
    }
    if (port != 0) {
      out.push_back(vhost_name(absolute, port));
    }
  }
  if (proxy_domain.find(".svc.") != std::string_view::npos) {
    if (hostname.ends_with(svc_suffix(proxy_domain))) {
      kubernetes_alt_hosts(hostname, port, proxy_domain, out);
    }
    return out;
  }
  // getUniqueAndSharedDNSDomain: strip the longest common dot-suffix.
  const std::vector<std::string> host_parts = split_dots(hostname);
  const std::vector<std::string> domain_parts = split_dots(proxy_domain);
  std::size_t shared = 0;
  while (shared < host_parts.size() && shared < domain_parts.size() &&
         host_parts[host_parts.size() - 1 - shared] ==
             domain_parts[domain_parts.size() - 1 - shared]) {
    ++shared;
  }
  if (shared == 0) {
    return out;
  }
  const std::size_t unique_count = host_parts.size() - shared;
  std::string unique;
  for (std::size_t i = 0; i < unique_count; ++i) {
    if (i > 0) {
      unique += '.';
    }
    unique += host_parts[i];
  }
  append_domain_port(out, unique, port);
  if (unique_count == 2) {
    append_domain_port(out, unique + "." + host_parts[unique_count], port);
  }
  return out;
}

// generateVirtualHostDomains: the service's names (FQDN, aliases, their alternatives), `*.`
// variants for headless Kubernetes services, then its VIPs.
void virtual_host_domains(const Scope& scope, std::string_view proxy_domain,
                          const MeshService& svc, std::uint32_t listen_port, std::uint32_t port,
                          std::vector<std::string>& domains, std::vector<std::string>& alt_hosts) {
  const Options& options = scope.options();
  // From 1.16 Envoy sidecars ignore the port in host matching instead of listing `:port`.
  if (!options.vhost_port_domains() && listen_port != 0) {
    port = 0;
  }
  std::vector<std::string_view> names = {svc.hostname};
  for (const std::string& a : svc.aliases) {
    names.push_back(a);
  }
  for (std::string_view name : names) {
    std::vector<std::string> alt = alt_virtual_hosts(options, name, port, proxy_domain);
    append_domain_port(domains, name, port);
    domains.insert(domains.end(), alt.begin(), alt.end());
    alt_hosts.insert(alt_hosts.end(), alt.begin(), alt.end());
  }
  if (svc.resolution == Resolution::Passthrough &&
      svc.registry == MeshService::Registry::Kubernetes) {
    const std::size_t n = domains.size();
    for (std::size_t i = 0; i < n; ++i) {
      domains.push_back("*." + domains[i]);
    }
  }
  std::vector<std::string_view> addresses = {svc.address};
  for (const std::string& a : svc.extra_addresses) {
    addresses.push_back(a);
  }
  for (std::string_view a : addresses) {
    if (!a.empty() && a != "0.0.0.0") {
      append_domain_port(domains, a, port);
    }
  }
}

bool has_upper(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

// The vhosts of one route configuration, deduplicated as pilot does: a repeated vhost name is
// dropped, a domain already used by an earlier vhost is removed (case-insensitively), and an
// expanded alternative name equal to another service's real name is removed.
class VhostAssembler {
 public:
  VhostAssembler(const Scope& scope, std::uint32_t listen_port,
                 const std::vector<VhostWrapper>& wrappers)
      : scope_(scope),
        listen_port_(listen_port),
        proxy_domain_(scope.proxy().dns_domain(scope.options().mesh.domain_suffix)) {
    names_.reserve(wrappers.size());
    used_domains_.reserve(wrappers.size() * 6);
    known_fqdn_.reserve(wrappers.size() * 2);
    for (const VhostWrapper& w : wrappers) {
      for (const MeshService* svc : w.services) {
        known_fqdn_.insert(vhost_name(svc->hostname, w.port));
        known_fqdn_.insert(svc->hostname);
      }
    }
  }

  // The vhost for `hostname` on the wrapper's port, without its routes (the caller adds them);
  // nullopt when its name or all its domains are taken.
  std::optional<VirtualHost> build(const std::string& hostname, const VhostWrapper& w,
                                   const MeshService* svc) {
    std::string name = vhost_name(hostname, w.port);
    if (!names_.insert(name).second) {
      return std::nullopt;  // Duplicate vhost name: the first one wins.
    }
    std::vector<std::string> domains;
    std::vector<std::string> alt_hosts;
    if (svc == nullptr) {
      domains.push_back(ipv6_compliant(hostname));
      if (scope_.options().vhost_port_domains()) {
        domains.push_back(name);
      }
    } else {
      virtual_host_domains(scope_, proxy_domain_, *svc, listen_port_, w.port, domains, alt_hosts);
    }
    std::vector<std::string> kept;
    kept.reserve(domains.size());
    for (std::string& d : domains) {
      std::string lower = has_upper(d) ? to_lower(d) : d;
      if (used_domains_.contains(lower)) {
        continue;
      }
      if (std::find(alt_hosts.begin(), alt_hosts.end(), d) != alt_hosts.end() &&
          known_fqdn_.contains(d)) {
        continue;
      }
      used_domains_.insert(std::move(lower));
      kept.push_back(std::move(d));
    }
    if (kept.empty()) {
      return std::nullopt;
    }
    VirtualHost vh;
    vh.name = std::move(name);
    vh.domains = std::move(kept);
    if (w.vs != nullptr) {
      vh.virtual_services.push_back(model::key_of(*w.vs));
    }
    return vh;
  }

 private:
  const Scope& scope_;
  std::uint32_t listen_port_;
  std::string proxy_domain_;
  std::unordered_set<std::string> names_;
  std::unordered_set<std::string> used_domains_;
  std::unordered_set<std::string> known_fqdn_;
};

// BuildSidecarOutboundVirtualHosts + BuildSidecarVirtualHostWrapper: the vhosts of the port.
std::vector<VirtualHost> sidecar_virtual_hosts(const Scope& scope, const EgressListener& listener,
                                               std::uint32_t listen_port) {
  const Options& options = scope.options();
  const ServiceRegistryView reg = services_on_port(scope, listener, listen_port);

  std::vector<ListenerVirtualService> vss;
  for (const model::VirtualService* vs : scope.virtual_services(listener)) {
    vss.push_back(ListenerVirtualService{vs, resolved_hosts(options, *vs)});
  }
  std::vector<const ListenerVirtualService*> selected;
  if (listen_port != 80) {
    std::vector<const MeshService*> wildcard_services;
    for (const MeshService& s : reg.services) {
      if (world::is_wildcard(s.hostname)) {
        wildcard_services.push_back(&s);
      }
    }
    for (const ListenerVirtualService& v : vss) {
      if (selects_a_service(v.hosts, reg, wildcard_services)) {
        selected.push_back(&v);
      }
    }
  } else {
    for (const ListenerVirtualService& v : vss) {
      selected.push_back(&v);
    }
  }

  const MostSpecificVirtualService most_specific(vss);
  std::vector<VhostWrapper> wrappers;
  std::unordered_set<std::string> covered;  // services that got a VirtualService vhost
  for (const ListenerVirtualService* v : selected) {
    RouteContext ctx;
    ctx.scope = &scope;
    ctx.listen_port = listen_port;
    ctx.gateway = world::kMeshGateway;
    ctx.lookup = [&reg](std::string_view host) { return reg.find(host); };
    // The listener's services are the Scope's own: their rules need no second lookup.
    ctx.rule_lookup = [&reg, &scope](std::string_view host) {
      const MeshService* service = reg.find(host);
      return service != nullptr ? scope.destination_rule(*service) : scope.destination_rule(host);
    };
    std::vector<Route> routes = build_virtual_service_routes(ctx, *v->vs);
    if (routes.empty()) {
      continue;
    }
    std::vector<std::string> hosts;
    std::vector<const MeshService*> services;
    separate_hosts(*v, reg, most_specific, hosts, services);
    // Group the services by HTTP (or sniffed) port: the vhost's port.
    std::map<std::uint32_t, std::vector<const MeshService*>> by_port;
    for (const MeshService* s : services) {
      for (const MeshServicePort& p : s->ports) {
        if (is_http_or_sniffed(p.protocol)) {
          by_port[p.port].push_back(s);
        }
      }
    }
    if (by_port.empty() && listen_port == 80) {
      by_port[80];  // Hosts outside the registry (google.com) still get a port-80 vhost.
    }
    for (auto& [port, port_services] : by_port) {
      for (const MeshService* s : port_services) {
        covered.insert(s->hostname);
      }
      wrappers.push_back(VhostWrapper{port, std::move(port_services), hosts, routes, v->vs});
    }
  }
  for (const MeshService& svc : reg.services) {
    if (covered.contains(svc.hostname) || svc.resolution == Resolution::Alias) {
      continue;
    }
    for (const MeshServicePort& p : svc.ports) {
      if (is_http_or_sniffed(p.protocol)) {
        VhostWrapper& w = wrappers.emplace_back();
        w.port = p.port;
        w.services = {&svc};
        w.routes.push_back(build_default_route(scope, svc, p.port));
      }
    }
  }

  VhostAssembler assembler(scope, listen_port, wrappers);
  std::map<std::uint32_t, std::vector<VirtualHost>> by_port;
  for (VhostWrapper& w : wrappers) {
    if (w.routes.empty()) {
      continue;
    }
    std::vector<VirtualHost>& out = by_port[w.port];
    const std::size_t first = out.size();
    for (const std::string& h : w.vs_hosts) {
      if (std::optional<VirtualHost> vh = assembler.build(to_lower(h), w, nullptr)) {
        out.push_back(std::move(*vh));
      }
    }
    for (const MeshService* svc : w.services) {
      if (std::optional<VirtualHost> vh = assembler.build(svc->hostname, w, svc)) {
        out.push_back(std::move(*vh));
      }
    }
    // Every vhost of the wrapper holds its routes; the last one takes them.
    for (std::size_t i = first; i < out.size(); ++i) {
      out[i].routes = i + 1 == out.size() ? std::move(w.routes) : w.routes;
    }
  }
  if (listen_port != 0) {
    return std::move(by_port[listen_port]);
  }
  // mergeAllVirtualHosts (HTTP_PROXY listeners): port 80 vhosts as they are, others only with
  // their `host:port` domains.
  std::vector<VirtualHost> out;
  for (auto& [port, vhosts] : by_port) {
    for (VirtualHost& vh : vhosts) {
      if (port != 80) {
        std::erase_if(vh.domains,
                      [](const std::string& d) { return d.find(':') == std::string::npos; });
        if (vh.domains.empty()) {
          continue;
        }
      }
      out.push_back(std::move(vh));
    }
  }
  return out;
}

// getVirtualHostsForSniffedServicePort: only the vhost of `<host>:<port>`, matching any
// domain.
void keep_sniffed_service_vhost(std::vector<VirtualHost>& vhosts, std::string_view route_name) {
  const std::string_view host = route_name.substr(0, route_name.rfind(':'));
  std::vector<VirtualHost> kept;
  for (VirtualHost& vh : vhosts) {
    for (const std::string& d : vh.domains) {
      if (d == route_name || d == host) {
        kept.push_back(std::move(vh));
        break;
      }
    }
  }
  if (kept.size() == 1) {
    kept.front().domains = {"*"};
  }
  vhosts = std::move(kept);
}

}  // namespace

RouteConfiguration build_sidecar_route(const Scope& scope, std::string_view route_name) {
  RouteConfiguration out;
  out.name = std::string(route_name);
  out.validate_clusters = false;
  const std::optional<RouteNamePort> parsed = parse_route_name(route_name);
  if (!parsed) {
    return out;  // Not a route name pilot builds for sidecars: an empty configuration.
  }
  std::uint32_t listen_port = parsed->port;
  const EgressListener* listener = egress_listener_for(scope, listen_port);
  if (listener != nullptr) {
    // An HTTP_PROXY egress port serves the vhosts of every port.
    if (listener->port && parse_protocol(listener->port_protocol) == Protocol::HttpProxy) {
      listen_port = 0;
    }
    out.virtual_hosts = sidecar_virtual_hosts(scope, *listener, listen_port);
  }
  if (parsed->sniffed) {
    keep_sniffed_service_vhost(out.virtual_hosts, route_name);
  }
  std::stable_sort(out.virtual_hosts.begin(), out.virtual_hosts.end(),
                   [](const VirtualHost& a, const VirtualHost& b) { return a.name < b.name; });
  if (!parsed->sniffed) {
    out.virtual_hosts.push_back(build_catch_all_virtual_host(scope));
  }
  out.max_direct_response_body_size_bytes = 1048576;
  out.ignore_port_in_host_matching = !scope.options().vhost_port_domains();
  return out;
}

}  // namespace detail

RouteConfiguration build_route(const Scope& scope, std::string_view route_name) {
  if (scope.proxy().type == Proxy::Type::Gateway) {
    return detail::build_gateway_route(scope, route_name);
  }
  return detail::build_sidecar_route(scope, route_name);
}

}  // namespace meshward::translate
