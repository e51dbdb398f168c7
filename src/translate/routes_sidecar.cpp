// Sidecar outbound route configurations (reference §3.1–3.3, 3.5, 3.6): pilot's
// buildSidecarOutboundHTTPRouteConfig, BuildSidecarOutboundVirtualHosts,
// generateVirtualHostDomains, GenerateAltVirtualHosts, dedupeDomains,
// getVirtualHostsForSniffedServicePort (pilot/pkg/networking/core/httproute.go) and
// route.BuildSidecarVirtualHostWrapper / separateVSHostsAndServices (route/route.go).
// build_route(), the entry point for both proxy types, is here too.
#include <algorithm>
#include <charconv>
#include <map>
#include <memory_resource>
#include <optional>
#include <set>
#include <span>
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

struct StringViewHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

// A service of the listener as the route configuration of one port sees it: the Scope's
// service (borrowed from its memo, not copied) and its ports trimmed to the listener port (all
// of them when the port is 0).
struct PortService {
  const MeshService* service = nullptr;
  std::span<const MeshServicePort> ports;
  const std::string& hostname() const { return service->hostname; }

  // Its DestinationRule, asked once per configuration (every route to it asks).
  const AppliedDestinationRule* rule(const Scope& scope) const {
    if (!rule_known_) {
      rule_ = scope.find_destination_rule(*service);
      rule_known_ = true;
    }
    return rule_;
  }

 private:
  mutable const AppliedDestinationRule* rule_ = nullptr;
  mutable bool rule_known_ = false;
};

// The proxy's view of the services on the listener port, by hostname, in SidecarScope order.
struct ServiceRegistryView {
  explicit ServiceRegistryView(std::pmr::memory_resource* arena) : by_host(arena) {}
  std::vector<PortService> services;
  // Looked up for every destination of every route. Keys view the Scope's hostnames.
  std::pmr::unordered_map<std::string_view, std::size_t> by_host;

  const PortService* find(std::string_view host) const {
    auto it = by_host.find(host);
    return it == by_host.end() ? nullptr : &services[it->second];
  }
};

ServiceRegistryView services_on_port(const Scope& scope, const EgressListener& listener,
                                     std::uint32_t listen_port, std::pmr::memory_resource* arena) {
  ServiceRegistryView out(arena);
  const std::vector<MeshService>& services = scope.listener_services(listener);
  out.services.reserve(services.size());
  out.by_host.reserve(services.size());
  for (const MeshService& svc : services) {
    std::span<const MeshServicePort> ports = svc.ports;
    if (listen_port != 0) {
      const MeshServicePort* port = svc.find_port(listen_port);
      if (port == nullptr) {
        continue;
      }
      ports = {port, 1};
    }
    PortService entry;
    entry.service = &svc;
    entry.ports = ports;
    auto [it, added] = out.by_host.try_emplace(svc.hostname, out.services.size());
    if (added) {
      out.services.push_back(entry);
    } else {
      out.services[it->second] = entry;  // Later entries of a hostname win.
    }
  }
  return out;
}

// httproute.selectVirtualServices (listener ports other than 80): VirtualServices with a host
// that is a registry service or matches one through a wildcard.
bool selects_a_service(const std::vector<std::string>& vs_hosts, const ServiceRegistryView& reg,
                       const std::vector<const PortService*>& wildcard_services) {
  for (const std::string& h : vs_hosts) {
    if (reg.find(h) != nullptr) {
      return true;
    }
    if (world::is_wildcard(h)) {
      for (const PortService& s : reg.services) {
        if (world::host_matches(h, s.hostname())) {
          return true;
        }
      }
    } else {
      for (const PortService* s : wildcard_services) {
        if (world::host_matches(h, s->hostname())) {
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
  std::vector<const PortService*> services;
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
// Holds views into `vss`, which must outlive it.
class MostSpecificVirtualService {
 public:
  MostSpecificVirtualService(const std::vector<ListenerVirtualService>& vss,
                             std::pmr::memory_resource* arena)
      : exact_(arena) {
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

  const model::VirtualService* find(std::string_view service_host) const {
    if (auto it = exact_.find(service_host); it != exact_.end()) {
      return it->second;
    }
    const model::VirtualService* best = nullptr;
    std::size_t best_len = 0;
    for (const auto& [h, vs] : wildcards_) {
      if (service_host.ends_with(h.substr(1)) &&
          (best == nullptr || h.size() > best_len)) {
        best = vs;
        best_len = h.size();
      }
    }
    return best;
  }

 private:
  std::pmr::unordered_map<std::string_view, const model::VirtualService*> exact_;
  std::vector<std::pair<std::string_view, const model::VirtualService*>> wildcards_;
};

// separateVSHostsAndServices.
void separate_hosts(const ListenerVirtualService& v, const ServiceRegistryView& reg,
                    const MostSpecificVirtualService& most_specific,
                    std::vector<std::string>& non_registry_hosts,
                    std::vector<const PortService*>& services) {
  std::vector<const std::string*> wildcard_hosts;
  for (const std::string& h : v.hosts) {
    if (world::is_wildcard(h)) {
      wildcard_hosts.push_back(&h);
    } else if (const PortService* s = reg.find(h)) {
      services.push_back(s);
    } else {
      non_registry_hosts.push_back(h);
    }
  }
  for (const std::string* h : wildcard_hosts) {
    bool found = false;
    for (const PortService& s : reg.services) {
      if (!world::host_matches(s.hostname(), *h)) {
        continue;
      }
      found = true;
      // Each service belongs to the VirtualService with its most specific host only.
      if (most_specific.find(s.hostname()) == v.vs) {
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
void append_domain_port(std::vector<std::string>& domains, std::string d, std::uint32_t port) {
  std::string with_port = port != 0 ? vhost_name(d, port) : std::string();
  domains.push_back(d.find(':') == std::string::npos ? std::move(d) : ipv6_compliant(d));
  if (port != 0) {
    domains.push_back(std::move(with_port));
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
  std::string name_ns_svc(hostname.substr(0, ih + 4));  // `<name>.<ns>.svc`
  const std::string_view name_ns = hostname.substr(0, ih);
  if (hostname.substr(ns + 1, ih - ns - 1) == proxy_domain.substr(0, id)) {
    append_domain_port(out, std::string(name), port);  // Same namespace: the short name too.
    append_domain_port(out, std::move(name_ns_svc), port);
    append_domain_port(out, std::string(name_ns), port);
    return;
  }
  append_domain_port(out, std::string(name_ns), port);
  append_domain_port(out, std::move(name_ns_svc), port);
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

// world::is_ip_address(host), answered without parsing it for the usual host name: an IPv4
// literal has only digits and dots, an IPv6 one has a colon.
bool is_ip_literal(std::string_view host) {
  const bool candidate = host.find(':') != std::string_view::npos ||
                         std::all_of(host.begin(), host.end(),
                                     [](char c) { return (c >= '0' && c <= '9') || c == '.'; });
  return candidate && world::is_ip_address(host);
}

// GenerateAltVirtualHosts: the other names a host is reachable by from the proxy's domain,
// appended to `out`.
void alt_virtual_hosts(const Options& options, std::string_view hostname, std::uint32_t port,
                       std::string_view proxy_domain, std::vector<std::string>& out) {
  if (options.absolute_fqdn_domain()) {
    std::string absolute;
    absolute.reserve(hostname.size() + 1);
    absolute.append(hostname).append(".");
    std::string with_port = port != 0 ? vhost_name(absolute, port) : std::string();
    if (!is_ip_literal(hostname)) {
      out.push_back(std::move(absolute));
    }
    if (port != 0) {
      out.push_back(std::move(with_port));
    }
  }
  if (proxy_domain.find(".svc.") != std::string_view::npos) {
    if (hostname.ends_with(svc_suffix(proxy_domain))) {
      kubernetes_alt_hosts(hostname, port, proxy_domain, out);
    }
    return;
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
    return;
  }
  const std::size_t unique_count = host_parts.size() - shared;
  std::string unique;
  for (std::size_t i = 0; i < unique_count; ++i) {
    if (i > 0) {
      unique += '.';
    }
    unique += host_parts[i];
  }
  std::string unique_and_next =
      unique_count == 2 ? unique + "." + host_parts[unique_count] : std::string();
  append_domain_port(out, std::move(unique), port);
  if (unique_count == 2) {
    append_domain_port(out, std::move(unique_and_next), port);
  }
}

// generateVirtualHostDomains: the service's names (FQDN, aliases, their alternatives), `*.`
// variants for headless Kubernetes services, then its VIPs. `alt[i]` says whether `domains[i]`
// is one of the alternative names (GenerateAltVirtualHosts).
void virtual_host_domains(const Scope& scope, std::string_view proxy_domain,
                          const MeshService& svc, std::uint32_t listen_port, std::uint32_t port,
                          std::vector<std::string>& domains, std::vector<bool>& alt) {
  const Options& options = scope.options();
  // From 1.16 Envoy sidecars ignore the port in host matching instead of listing `:port`.
  if (!options.vhost_port_domains() && listen_port != 0) {
    port = 0;
  }
  // Each name (the hostname, then the aliases), then its alternatives.
  const auto add_name = [&](const std::string& name) {
    append_domain_port(domains, name, port);
    alt.resize(domains.size(), false);
    alt_virtual_hosts(options, name, port, proxy_domain, domains);
    alt.resize(domains.size(), true);
  };
  add_name(svc.hostname);
  for (const std::string& a : svc.aliases) {
    add_name(a);
  }
  if (svc.resolution == Resolution::Passthrough &&
      svc.registry == MeshService::Registry::Kubernetes) {
    const std::size_t n = domains.size();
    for (std::size_t i = 0; i < n; ++i) {
      domains.push_back("*." + domains[i]);
    }
  }
  const auto add_address = [&](const std::string& a) {
    if (!a.empty() && a != "0.0.0.0") {
      append_domain_port(domains, a, port);
    }
  };
  add_address(svc.address);
  for (const std::string& a : svc.extra_addresses) {
    add_address(a);
  }
  alt.resize(domains.size(), false);
}

bool has_upper(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

// The vhosts of one route configuration, deduplicated as pilot does: a repeated vhost name is
// dropped, a domain already used by an earlier vhost is removed (case-insensitively), and an
// expanded alternative name equal to another service's real name is removed. Holds views into
// the wrappers' services, which must outlive it.
class VhostAssembler {
 public:
  VhostAssembler(const Scope& scope, std::uint32_t listen_port,
                 const std::vector<VhostWrapper>& wrappers, std::pmr::memory_resource* arena)
      : scope_(scope),
        listen_port_(listen_port),
        proxy_domain_(scope.proxy().dns_domain(scope.options().mesh.domain_suffix)),
        wrappers_(wrappers),
        arena_(arena),
        names_(arena),
        used_domains_(arena),
        known_hosts_(arena) {
    names_.reserve(wrappers.size());
    used_domains_.reserve(wrappers.size() * 6);
    known_hosts_.reserve(wrappers.size());
    for (const VhostWrapper& w : wrappers) {
      for (const PortService* svc : w.services) {
        known_hosts_.insert(svc->hostname());
      }
    }
  }

  // The vhost for `hostname` on the wrapper's port, without its routes (the caller adds them);
  // nullopt when its name or all its domains are taken.
  std::optional<VirtualHost> build(const std::string& hostname, const VhostWrapper& w,
                                   const MeshService* svc) {
    std::string name = vhost_name(hostname, w.port);
    if (!names_.emplace(std::string_view(name)).second) {
      return std::nullopt;  // Duplicate vhost name: the first one wins.
    }
    // Scratch buffers, reused from vhost to vhost.
    std::vector<std::string>& domains = domains_;
    std::vector<bool>& alt = alt_;
    std::vector<std::string_view>& alt_names = alt_names_;
    std::vector<bool>& keep = keep_;
    domains.clear();
    alt.clear();
    alt_names.clear();
    if (svc == nullptr) {
      domains.push_back(ipv6_compliant(hostname));
      if (scope_.options().vhost_port_domains()) {
        domains.push_back(name);
      }
      alt.resize(domains.size(), false);
    } else {
      virtual_host_domains(scope_, proxy_domain_, *svc, listen_port_, w.port, domains, alt);
    }
    // The alternative names, compared by value below (as pilot compares them).
    for (std::size_t i = 0; i < domains.size(); ++i) {
      if (alt[i]) {
        alt_names.push_back(domains[i]);
      }
    }
    // Decide first, then move the kept domains out (the views above point into `domains`).
    keep.assign(domains.size(), false);
    std::size_t kept = 0;
    for (std::size_t i = 0; i < domains.size(); ++i) {
      const std::string& d = domains[i];
      std::string lowered;
      std::string_view lower = d;
      if (has_upper(d)) {
        lowered = to_lower(d);
        lower = lowered;
      }
      // An alternative name that is another service's real name is dropped (and not recorded);
      // then the domain is kept when no earlier one took it.
      if (std::find(alt_names.begin(), alt_names.end(), d) != alt_names.end() && known_fqdn(d)) {
        continue;
      }
      if (!used_domains_.emplace(lower).second) {
        continue;
      }
      keep[i] = true;
      ++kept;
    }
    if (kept == 0) {
      return std::nullopt;
    }
    VirtualHost vh;
    vh.name = std::move(name);
    vh.domains.reserve(kept);
    for (std::size_t i = 0; i < domains.size(); ++i) {
      if (keep[i]) {
        vh.domains.push_back(std::move(domains[i]));
      }
    }
    if (w.vs != nullptr) {
      vh.virtual_services.push_back(model::key_of(*w.vs));
    }
    return vh;
  }

 private:
  // Whether `d` is the real name of a service of this configuration: its hostname, or
  // `<hostname>:<port>` on a wrapper's port (util.DomainName, which always has a `:`; those are
  // collected on first need, since from 1.16 domains carry no port).
  bool known_fqdn(std::string_view d) {
    if (known_hosts_.contains(d)) {
      return true;
    }
    if (d.find(':') == std::string_view::npos) {
      return false;
    }
    if (!known_vhost_names_) {
      known_vhost_names_.emplace(arena_);
      for (const VhostWrapper& w : wrappers_) {
        for (const PortService* svc : w.services) {
          const std::string name = vhost_name(svc->hostname(), w.port);
          known_vhost_names_->emplace(std::string_view(name));
        }
      }
    }
    return known_vhost_names_->contains(d);
  }

  using StringSet = std::pmr::unordered_set<std::pmr::string, StringViewHash, std::equal_to<>>;

  const Scope& scope_;
  std::uint32_t listen_port_;
  std::string proxy_domain_;
  const std::vector<VhostWrapper>& wrappers_;
  std::pmr::memory_resource* arena_;
  StringSet names_;
  StringSet used_domains_;  // lower-cased
  std::pmr::unordered_set<std::string_view> known_hosts_;
  std::optional<StringSet> known_vhost_names_;
  std::vector<std::string> domains_;
  std::vector<bool> alt_;
  std::vector<std::string_view> alt_names_;
  std::vector<bool> keep_;
};

// BuildSidecarOutboundVirtualHosts + BuildSidecarVirtualHostWrapper: the vhosts of the port.
std::vector<VirtualHost> sidecar_virtual_hosts(const Scope& scope, const EgressListener& listener,
                                               std::uint32_t listen_port) {
  const Options& options = scope.options();
  // The lookup tables below hold a few entries per service and live only while this
  // configuration is built: they take their memory from one arena, released at once.
  std::pmr::monotonic_buffer_resource arena(scope.listener_services(listener).size() * 512 + 4096);
  const ServiceRegistryView reg = services_on_port(scope, listener, listen_port, &arena);

  std::vector<ListenerVirtualService> vss;
  for (const model::VirtualService* vs : scope.virtual_services(listener)) {
    vss.push_back(ListenerVirtualService{vs, resolved_hosts(options, *vs)});
  }
  std::vector<const ListenerVirtualService*> selected;
  if (listen_port != 80) {
    std::vector<const PortService*> wildcard_services;
    for (const PortService& s : reg.services) {
      if (world::is_wildcard(s.hostname())) {
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

  const MostSpecificVirtualService most_specific(vss, &arena);
  std::vector<VhostWrapper> wrappers;
  std::pmr::unordered_set<std::string_view> covered(&arena);  // got a VirtualService vhost
  RouteContext ctx;
  ctx.scope = &scope;
  ctx.listen_port = listen_port;
  ctx.gateway = world::kMeshGateway;
  // The Scope's service, not trimmed to the port: the cluster port it gives a destination
  // without port is the same (the port of a service found on the listener port, when it is its
  // only one, is the listener port, which is also the fallback).
  ctx.lookup = [&reg](std::string_view host) -> const MeshService* {
    const PortService* s = reg.find(host);
    return s != nullptr ? s->service : nullptr;
  };
  // The listener's services are the Scope's own: their rules need no second lookup.
  ctx.rule_lookup = [&reg, &scope](std::string_view host) {
    const PortService* s = reg.find(host);
    return s != nullptr ? s->rule(scope) : scope.find_destination_rule(host);
  };
  // Scratch buffers, reused from VirtualService to VirtualService.
  std::vector<const PortService*> services;
  std::vector<std::pair<std::uint32_t, const PortService*>> port_of;
  for (const ListenerVirtualService* v : selected) {
    std::vector<Route> routes = build_virtual_service_routes(ctx, *v->vs);
    if (routes.empty()) {
      continue;
    }
    std::vector<std::string> hosts;
    services.clear();
    separate_hosts(*v, reg, most_specific, hosts, services);
    // Group the services by HTTP (or sniffed) port, ascending: the vhost's port. (On a
    // listener port every service has that one port: a single group.)
    port_of.clear();
    for (const PortService* s : services) {
      for (const MeshServicePort& p : s->ports) {
        if (is_http_or_sniffed(p.protocol)) {
          port_of.emplace_back(p.port, s);
        }
      }
    }
    const auto port_less = [](const auto& a, const auto& b) { return a.first < b.first; };
    if (!std::is_sorted(port_of.begin(), port_of.end(), port_less)) {
      std::stable_sort(port_of.begin(), port_of.end(), port_less);
    }
    if (port_of.empty() && listen_port == 80) {
      // Hosts outside the registry (google.com) still get a port-80 vhost.
      wrappers.push_back(VhostWrapper{80, {}, std::move(hosts), std::move(routes), v->vs});
      continue;
    }
    for (std::size_t begin = 0; begin < port_of.size();) {
      const std::uint32_t port = port_of[begin].first;
      std::size_t end = begin + 1;
      while (end < port_of.size() && port_of[end].first == port) {
        ++end;
      }
      std::vector<const PortService*> port_services;
      port_services.reserve(end - begin);
      for (std::size_t i = begin; i < end; ++i) {
        port_services.push_back(port_of[i].second);
        covered.insert(port_of[i].second->hostname());
      }
      // The last port takes the routes and hosts; earlier ones copy them.
      if (end == port_of.size()) {
        wrappers.push_back(
            VhostWrapper{port, std::move(port_services), std::move(hosts), std::move(routes), v->vs});
      } else {
        wrappers.push_back(VhostWrapper{port, std::move(port_services), hosts, routes, v->vs});
      }
      begin = end;
    }
  }
  for (const PortService& svc : reg.services) {
    if (covered.contains(svc.hostname()) || svc.service->resolution == Resolution::Alias) {
      continue;
    }
    for (const MeshServicePort& p : svc.ports) {
      if (is_http_or_sniffed(p.protocol)) {
        VhostWrapper& w = wrappers.emplace_back();
        w.port = p.port;
        w.services = {&svc};
        w.routes.push_back(build_default_route(scope, *svc.service, p.port));
      }
    }
  }

  VhostAssembler assembler(scope, listen_port, wrappers, &arena);
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
    for (const PortService* svc : w.services) {
      if (std::optional<VirtualHost> vh = assembler.build(svc->hostname(), w, svc->service)) {
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

// getVirtualHostsForSniffedServicePort: copies of the vhosts with the domain `<host>:<port>`
// (the route name) or `<host>`, in order; a single one matches any domain.
std::vector<VirtualHost> sniffed_service_vhosts(const PortVirtualHosts& port,
                                                std::string_view route_name) {
  const std::string_view host = route_name.substr(0, route_name.rfind(':'));
  std::vector<std::size_t> hits;
  for (const std::string_view domain : {route_name, host}) {
    if (const auto it = port.by_domain.find(domain); it != port.by_domain.end()) {
      hits.insert(hits.end(), it->second.begin(), it->second.end());
    }
  }
  std::sort(hits.begin(), hits.end());
  hits.erase(std::unique(hits.begin(), hits.end()), hits.end());
  std::vector<VirtualHost> kept;
  kept.reserve(hits.size());
  for (const std::size_t i : hits) {
    kept.push_back(port.vhosts[i]);
  }
  if (kept.size() == 1) {
    kept.front().domains = {"*"};
  }
  return kept;
}

}  // namespace

PortVirtualHosts::PortVirtualHosts(std::vector<VirtualHost> all) : vhosts(std::move(all)) {
  for (std::size_t i = 0; i < vhosts.size(); ++i) {
    for (const std::string& d : vhosts[i].domains) {
      by_domain[d].push_back(i);
    }
  }
}

RouteConfiguration build_sidecar_route(const Scope& scope, std::string_view route_name,
                                       PortVirtualHostsCache& cache) {
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
    if (!parsed->sniffed) {
      out.virtual_hosts = sidecar_virtual_hosts(scope, *listener, listen_port);
    } else {
      auto it = cache.find({listener, listen_port});
      if (it == cache.end()) {
        it = cache.emplace(std::make_pair(listener, listen_port),
                           PortVirtualHosts(sidecar_virtual_hosts(scope, *listener, listen_port)))
                 .first;
      }
      out.virtual_hosts = sniffed_service_vhosts(it->second, route_name);
    }
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
  return detail::RouteBuilder(scope).build(route_name);
}

namespace detail {

RouteConfiguration RouteBuilder::build(std::string_view route_name) {
  if (scope_.proxy().type == Proxy::Type::Gateway) {
    return build_gateway_route(scope_, route_name);
  }
  return build_sidecar_route(scope_, route_name, sniffed_);
}

}  // namespace detail

}  // namespace meshward::translate
