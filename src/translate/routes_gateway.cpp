// Gateway route configurations (reference §4.3): pilot's buildGatewayHTTPRouteConfig,
// buildNameToServiceMapForHTTPRoutes, collapseDuplicateRoutes (pilot/pkg/networking/core/
// gateway.go) and route.SortVHostRoutes.
#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "meshward/translate/names.h"
#include "meshward/translate/translate.h"
#include "meshward/world/host.h"
#include "route_builder.h"

namespace meshward::translate::detail {

namespace {

// host.NamesForNamespace: the server hosts that apply to a VirtualService in `ns` (`ns/h` and
// `*/h` entries stripped of their namespace; entries of other namespaces dropped).
std::vector<std::string> names_for_namespace(const std::vector<std::string>& hosts,
                                             std::string_view ns) {
  std::vector<std::string> out;
  for (const std::string& h : hosts) {
    const std::size_t slash = h.find('/');
    if (slash == std::string::npos) {
      out.push_back(h);
      continue;
    }
    const std::string_view host_ns = std::string_view(h).substr(0, slash);
    if (host_ns != ns && host_ns != "*") {
      continue;
    }
    const std::string_view name = std::string_view(h).substr(slash + 1);
    out.emplace_back(name.substr(0, name.find('/')));
  }
  return out;
}

// host.Names.Intersection: for each pair, the more specific name when one covers the other.
std::vector<std::string> intersect_hosts(const std::vector<std::string>& server_hosts,
                                         const std::vector<std::string>& vs_hosts) {
  std::vector<std::string> out;
  auto add = [&out](const std::string& h) {
    if (std::find(out.begin(), out.end(), h) == out.end()) {
      out.push_back(h);
    }
  };
  for (const std::string& s : server_hosts) {
    for (const std::string& v : vs_hosts) {
      if (world::host_subset_of(s, v)) {
        add(s);
      } else if (world::host_subset_of(v, s)) {
        add(v);
      }
    }
  }
  return out;
}

// host.Names ordering: non-wildcards first, longer first, then alphabetical.
bool host_names_less(const std::string& a, const std::string& b) {
  const bool aw = !a.empty() && a.front() == '*';
  const bool bw = !b.empty() && b.front() == '*';
  if (aw != bw) {
    return !aw;
  }
  if (a.size() == b.size()) {
    return a < b;
  }
  return a.size() > b.size();
}

// The routes one VirtualService produces for one gateway (pilot builds them once per gateway
// and VirtualService, with the port of the first server that needs them).
struct RouteSet {
  std::vector<Route> routes;
  std::size_t first_id = 0;
};

// A vhost being assembled: its routes as references into the route sets (copied out at the
// end), with the identity of each route — pilot compares route pointers when collapsing
// vhosts, and the routes of one VirtualService on one gateway share them.
struct VhostBuild {
  VirtualHost vhost;
  std::vector<std::pair<RouteSet*, std::size_t>> routes;
  std::vector<std::size_t> route_ids;
};

void add_virtual_service(VirtualHost& vh, const model::VirtualService& vs) {
  model::ObjectKey key = model::key_of(vs);
  if (std::find(vh.virtual_services.begin(), vh.virtual_services.end(), key) ==
      vh.virtual_services.end()) {
    vh.virtual_services.push_back(std::move(key));
  }
}

void append_routes(VhostBuild& vb, RouteSet& set) {
  for (std::size_t i = 0; i < set.routes.size(); ++i) {
    vb.routes.emplace_back(&set, i);
    vb.route_ids.push_back(set.first_id + i);
  }
}

// Copies the routes into the vhosts, moving each route into its last user.
void materialize_routes(std::vector<VhostBuild>& vhosts, std::size_t route_count) {
  std::vector<std::uint32_t> uses(route_count, 0);
  for (const VhostBuild& vb : vhosts) {
    for (std::size_t id : vb.route_ids) {
      ++uses[id];
    }
  }
  for (VhostBuild& vb : vhosts) {
    vb.vhost.routes.reserve(vb.routes.size());
    for (std::size_t i = 0; i < vb.routes.size(); ++i) {
      Route& r = vb.routes[i].first->routes[vb.routes[i].second];
      if (--uses[vb.route_ids[i]] == 0) {
        vb.vhost.routes.push_back(std::move(r));
      } else {
        vb.vhost.routes.push_back(r);
      }
    }
  }
}

// collapseDuplicateRoutes: vhosts with identical route lists and flags become one, named after
// the first host in host.Names order, with the others' domains appended.
std::vector<VhostBuild> collapse_duplicate_routes(std::map<std::string, VhostBuild>& input) {
  std::vector<std::string> keys;
  keys.reserve(input.size());
  for (const auto& entry : input) {
    keys.push_back(entry.first);
  }
  std::sort(keys.begin(), keys.end(), host_names_less);
  std::vector<VhostBuild> out;
  std::map<std::vector<std::size_t>, std::size_t> known;  // route ids → index in `out`
  for (const std::string& h : keys) {
    VhostBuild& vb = input[h];
    if (auto it = known.find(vb.route_ids); it != known.end()) {
      VirtualHost& primary = out[it->second].vhost;
      if (primary.include_request_attempt_count == vb.vhost.include_request_attempt_count &&
          primary.require_tls_all == vb.vhost.require_tls_all) {
        primary.domains.insert(primary.domains.end(), vb.vhost.domains.begin(),
                               vb.vhost.domains.end());
        continue;
      }
    }
    known[vb.route_ids] = out.size();
    out.push_back(std::move(vb));
  }
  return out;
}

// route.SortVHostRoutes: catch-all routes moved last, others keep their order.
void sort_vhost_routes(std::vector<Route>& routes) {
  std::stable_partition(routes.begin(), routes.end(),
                        [](const Route& r) { return !r.match.is_catch_all(); });
}

// buildNameToServiceMapForHTTPRoutes: a destination host's service is the one in the
// VirtualService's namespace when the proxy may see it, else the one the proxy sees.
class GatewayServiceLookup {
 public:
  GatewayServiceLookup(const Scope& scope, const model::VirtualService& vs)
      : scope_(scope), vs_(vs) {}

  const MeshService* service(std::string_view host) { return entry(host).service(); }

  // The DestinationRule for `host` (SidecarScope.DestinationRule by hostname): through the
  // service when it is the one the Scope holds for the hostname, else by host.
  const AppliedDestinationRule* rule(std::string_view host) {
    const Entry& e = entry(host);
    if (e.service() != nullptr && e.scope_service) {
      return scope_.find_destination_rule(*e.service());
    }
    return scope_.find_destination_rule(host);
  }

 private:
  struct Entry {
    std::optional<MeshService> own;       ///< A service of the VirtualService's namespace.
    const MeshService* scoped = nullptr;  ///< Else the Scope's entry (owned by the Scope).
    bool scope_service = false;           ///< The Scope's own entry for the hostname.
    const MeshService* service() const { return own ? &*own : scoped; }
  };

  const Entry& entry(std::string_view host) {
    auto it = cache_.find(host);
    if (it == cache_.end()) {
      it = cache_.emplace(std::string(host), find(host)).first;
    }
    return it->second;
  }

  Entry find(std::string_view host) const {
    for (MeshService& s : scope_.registry().services_for_host(host)) {
      if (s.namespace_ == vs_.meta.namespace_ &&
          (s.source == nullptr || world::visible_to(*s.source, scope_.proxy().namespace_,
                                                    scope_.options().mesh.exports))) {
        // A Kubernetes hostname names one Service, which the Scope holds too.
        const bool kubernetes = s.registry == MeshService::Registry::Kubernetes;
        return Entry{std::move(s), nullptr, kubernetes};
      }
    }
    return Entry{std::nullopt, scope_.find_service(host), true};
  }

  const Scope& scope_;
  const model::VirtualService& vs_;
  std::map<std::string, Entry, std::less<>> cache_;
};

}  // namespace

RouteConfiguration build_gateway_route(const Scope& scope, std::string_view route_name) {
  RouteConfiguration out;
  out.name = std::string(route_name);
  out.validate_clusters = false;

  std::vector<GatewayServer> servers;
  for (GatewayServer& s : gateway_servers(scope)) {
    if (s.route_name == route_name) {
      servers.push_back(std::move(s));
    }
  }
  if (servers.empty()) {
    return out;  // No server asks for this route (e.g. its Gateway was deleted): empty.
  }

  const Options& options = scope.options();
  std::map<std::string, std::vector<const model::VirtualService*>> vs_by_gateway;
  std::map<std::pair<std::string, const model::VirtualService*>, RouteSet> route_sets;
  std::size_t next_route_id = 0;
  std::map<std::string, VhostBuild> vhosts;  // by lower-cased host

  for (const GatewayServer& server : servers) {
    const model::Server& spec = server.gateway->spec.servers[server.server_index];
    const bool https_redirect = spec.tls && spec.tls->https_redirect.value;
    const std::uint32_t port = server.server_port;
    auto [vs_it, fresh] = vs_by_gateway.try_emplace(server.gateway_ref);
    if (fresh) {
      vs_it->second = scope.virtual_services(server.gateway_ref);
    }
    for (const model::VirtualService* vs : vs_it->second) {
      const std::vector<std::string> server_hosts =
          names_for_namespace(server.hosts, vs->meta.namespace_);
      const std::vector<std::string> hosts =
          intersect_hosts(server_hosts, resolved_hosts(options, *vs));
      if (hosts.empty()) {
        continue;
      }
      const auto key = std::make_pair(server.gateway_ref, vs);
      auto set_it = route_sets.find(key);
      if (set_it == route_sets.end()) {
        GatewayServiceLookup lookup(scope, *vs);
        RouteContext ctx;
        ctx.scope = &scope;
        ctx.listen_port = port;
        ctx.gateway = server.gateway_ref;
        ctx.tls = static_cast<bool>(spec.tls);
        ctx.lookup = [&lookup](std::string_view host) { return lookup.service(host); };
        ctx.rule_lookup = [&lookup](std::string_view host) { return lookup.rule(host); };
        RouteSet set;
        set.routes = build_virtual_service_routes(ctx, *vs);
        if (set.routes.empty()) {
          continue;  // Nothing of this VirtualService applies to the gateway.
        }
        set.first_id = next_route_id;
        next_route_id += set.routes.size();
        set_it = route_sets.emplace(key, std::move(set)).first;
      }
      for (const std::string& raw : hosts) {
        const std::string host = to_lower(raw);
        auto [it, created] = vhosts.try_emplace(host);
        VhostBuild& vb = it->second;
        if (created) {
          vb.vhost.name = vhost_name(host, port);
          vb.vhost.domains = {host};
        }
        append_routes(vb, set_it->second);
        add_virtual_service(vb.vhost, *vs);
        if (https_redirect) {
          vb.vhost.require_tls_all = true;
        }
      }
    }
    // httpsRedirect hosts without a VirtualService still answer, with a redirect to TLS.
    // pilot walks the server's hosts as written here (an `ns/h` host stays `ns/h`).
    if (https_redirect) {
      for (const std::string& raw : server.hosts) {
        const std::string host = to_lower(raw);
        auto [it, created] = vhosts.try_emplace(host);
        if (created) {
          it->second.vhost.name = vhost_name(host, port);
          it->second.vhost.domains = {host};
        }
        it->second.vhost.require_tls_all = true;
      }
    }
  }

  if (vhosts.empty()) {
    // Envoy answers every request 404 (NR) through an empty vhost.
    VirtualHost blackhole;
    blackhole.name = blackhole_vhost_name(servers.front().server_port);
    blackhole.domains = {"*"};
    out.virtual_hosts.push_back(std::move(blackhole));
  } else {
    std::vector<VhostBuild> collapsed = collapse_duplicate_routes(vhosts);
    materialize_routes(collapsed, next_route_id);
    for (VhostBuild& vb : collapsed) {
      sort_vhost_routes(vb.vhost.routes);
      out.virtual_hosts.push_back(std::move(vb.vhost));
    }
    std::stable_sort(out.virtual_hosts.begin(), out.virtual_hosts.end(),
                     [](const VirtualHost& a, const VirtualHost& b) { return a.name < b.name; });
  }
  out.ignore_port_in_host_matching = true;
  out.max_direct_response_body_size_bytes = 1048576;
  return out;
}

}  // namespace meshward::translate::detail
