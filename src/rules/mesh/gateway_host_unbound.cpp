// A Gateway server host that no VirtualService bound to that Gateway carries. For plaintext
// HTTP (and terminating HTTPS) servers pilot builds vhosts only for the intersection of server
// hosts and the hosts of VirtualServices whose spec.gateways names the Gateway
// (VirtualServicesForGateway; `ns/host` server entries admit only VirtualServices of `ns`), so
// the host has no vhost in RDS http.<targetPort> (https.<port>.<name>.<gw>.<ns>) and requests
// for it get 404 NR; when no host of the route is bound, the route is the single vhost
// blackhole:<port>. For TLS PASSTHROUGH servers a filter chain exists only per VirtualService
// `tls` route whose sniHosts match: without one, connections are reset. The HTTP route name
// uses the target port of the gateway workload's Service (resolvePorts; istio-translation.md
// §4.1-4.3). httpsRedirect servers, AUTO_PASSTHROUGH and TCP servers are not checked.
// Only this Gateway's own servers are considered for the blackhole case (another Gateway
// merged on the same port can add vhosts to the same route).

#include <map>
#include <string>
#include <vector>

#include "mesh_util.h"
#include "meshward/rules/registry.h"
#include "meshward/rules/validate.h"
#include "meshward/translate/names.h"
#include "meshward/world/host.h"
#include "meshward/world/selector.h"

namespace meshward::rules {
namespace {

using model::Kind;

constexpr RuleInfo kInfo{"MW2106", "gateway-host-unbound", Family::Mesh, Severity::Warning,
                         "A Gateway server host is bound by no VirtualService (404 NR from the "
                         "gateway, or connection reset for TLS passthrough)",
                         ""};

enum class ServerKind { Http, Https, Passthrough, Other };

ServerKind server_kind(const model::Server& server) {
  const auto proto = validate::parse_protocol(server.port->protocol.value);
  if (!proto) {
    return ServerKind::Other;
  }
  const bool has_tls = server.tls.has_value();
  if (validate::is_http(*proto)) {
    if (has_tls && server.tls->https_redirect.value) {
      return ServerKind::Other;  // vhosts with require_tls exist without a VirtualService
    }
    return ServerKind::Http;
  }
  if (*proto == validate::Protocol::Https || *proto == validate::Protocol::Tls) {
    if (!has_tls) {
      return ServerKind::Other;
    }
    const auto mode = server.tls->mode.value_or(model::ServerTlsMode::Passthrough);
    if (mode == model::ServerTlsMode::Passthrough) {
      return ServerKind::Passthrough;
    }
    if (mode == model::ServerTlsMode::AutoPassthrough || *proto == validate::Protocol::Tls) {
      return ServerKind::Other;
    }
    return ServerKind::Https;
  }
  return ServerKind::Other;
}

std::uint32_t target_port(const model::Service* svc, std::uint32_t server_port) {
  if (svc == nullptr) {
    return server_port;
  }
  for (const model::ServicePort& p : svc->spec.ports) {
    if (p.port.present && static_cast<std::uint32_t>(p.port.value) == server_port) {
      if (p.target_port.present && p.target_port->is_int && p.target_port->number > 0) {
        return static_cast<std::uint32_t>(p.target_port->number);
      }
      return server_port;
    }
  }
  return server_port;
}

bool ns_admits(const std::string& server_ns, const std::string& vs_ns) {
  return server_ns.empty() || server_ns == "*" || server_ns == vs_ns;
}

// A VirtualService bound to the Gateway, with its hosts resolved once (every server host is
// compared with every bound VirtualService's hosts).
struct BoundVs {
  const model::VirtualService* vs;
  std::vector<std::string> hosts;  // the present spec.hosts, short names resolved
};

BoundVs bound_vs(const model::VirtualService& vs) {
  BoundVs out{&vs, {}};
  for (const auto& h : vs.spec.hosts) {
    if (h.present) {
      out.hosts.push_back(world::resolve_short_name(*h, vs.meta.namespace_));
    }
  }
  return out;
}

bool http_bound(const BoundVs& bound, const std::string& server_ns, const std::string& host) {
  const model::VirtualService& vs = *bound.vs;
  if (vs.spec.http.empty() || !ns_admits(server_ns, vs.meta.namespace_)) {
    return false;
  }
  for (const std::string& h : bound.hosts) {
    if (world::host_matches(host, h)) {
      return true;
    }
  }
  return false;
}

bool passthrough_bound(const model::VirtualService& vs, const std::string& server_ns,
                       const std::string& host, std::uint32_t port, const std::string& gw_ref) {
  if (!ns_admits(server_ns, vs.meta.namespace_)) {
    return false;
  }
  for (const model::TlsRoute& tls : vs.spec.tls) {
    for (const model::TlsMatchAttributes& m : tls.match) {
      if (m.port.present && *m.port != port) {
        continue;
      }
      if (!m.gateways.empty()) {
        bool listed = false;
        for (const auto& g : m.gateways) {
          listed = listed || world::resolve_gateway_ref(g.value, vs.meta.namespace_) == gw_ref;
        }
        if (!listed) {
          continue;
        }
      }
      for (const auto& sni : m.sni_hosts) {
        if (sni.present && world::host_matches(host, *sni)) {
          return true;
        }
      }
    }
  }
  return false;
}

struct Unbound {
  const model::Field<std::string>* field;
  std::string host;
  std::string foreign;  // a VirtualService with the host in a namespace the entry excludes
};

void check(const Context& ctx, Sink& out) {
  ctx.each<model::Gateway>([&](const model::Gateway& gw) {
    const std::string gw_ref = mesh::full_name(gw);
    const model::Service* svc = mesh::gateway_workload_service(ctx, gw);
    const std::string& proxy_ns = mesh::gateway_proxy_namespace(ctx, gw);
    std::vector<BoundVs> bound;
    for (const model::Object* o : ctx.binding_gateway(gw_ref)) {
      const auto* vs = o->as<model::VirtualService>();
      if (vs != nullptr && ctx.visible_to(*vs, proxy_ns)) {
        bound.push_back(bound_vs(*vs));
      }
    }
    // Per route name: hosts bound / unbound.
    struct RouteState {
      std::uint32_t server_port = 0;
      bool any_bound = false;
      std::vector<Unbound> unbound;
    };
    std::map<std::string, RouteState> routes;
    for (const model::Server& server : gw.spec.servers) {
      if (!server.port || !server.port->number.present) {
        continue;
      }
      const std::uint32_t port = *server.port->number;
      const ServerKind kind = server_kind(server);
      if (kind == ServerKind::Other) {
        continue;
      }
      std::string route;
      if (kind == ServerKind::Http) {
        route = translate::gateway_http_route_name(target_port(svc, port), server.bind.value);
      } else if (kind == ServerKind::Https) {
        route = translate::gateway_https_route_name(port, server.port->name.value, gw.meta.name,
                                                    gw.meta.namespace_, server.bind.value);
      } else {
        route = "passthrough:" + std::to_string(port);
      }
      RouteState& state = routes[route];
      state.server_port = port;
      for (const auto& sh : server.hosts) {
        if (!sh.present) {
          continue;
        }
        const auto [sns, host] =
            mesh::split_server_host(mesh::sanitize_server_host(*sh, gw.meta.namespace_));
        bool ok = false;
        for (const BoundVs& vs : bound) {
          ok = kind == ServerKind::Passthrough ? passthrough_bound(*vs.vs, sns, host, port, gw_ref)
                                               : http_bound(vs, sns, host);
          if (ok) {
            break;
          }
        }
        if (ok) {
          state.any_bound = true;
          continue;
        }
        std::string foreign;
        for (const BoundVs& vs : bound) {
          if (kind != ServerKind::Passthrough && http_bound(vs, "", host)) {
            foreign = mesh::full_name(*vs.vs);
            break;
          }
        }
        state.unbound.push_back({&sh, host, foreign});
      }
    }
    for (const auto& [route, state] : routes) {
      for (const Unbound& u : state.unbound) {
        std::string message;
        if (route.starts_with("passthrough:")) {
          message = "TLS connections for " + u.host + " on port " +
                    std::to_string(state.server_port) + " of Gateway " + gw_ref +
                    " are reset: no VirtualService bound to " + gw_ref +
                    " has a tls route with a matching sniHosts entry, so the listener has no "
                    "filter chain for that SNI";
        } else {
          message = "requests for " + u.host + " on port " + std::to_string(state.server_port) +
                    " of Gateway " + gw_ref + " get 404 NR: no VirtualService bound to " +
                    gw_ref + " has an http route for " + u.host + ", so RDS " + route +
                    (state.any_bound ? " has no vhost for it"
                                     : " has only vhost " +
                                           translate::blackhole_vhost_name(state.server_port));
        }
        if (!u.foreign.empty()) {
          message += " (VirtualService " + u.foreign + " has the host, but server host " +
                     u.field->value + " admits only VirtualServices of its own namespace)";
        }
        out.report(kInfo, gw, u.field->loc, std::move(message));
      }
    }
  });
}

}  // namespace

MESHWARD_REGISTER_RULE(mesh_rule(kInfo,
                                 KindSet{Kind::Gateway, Kind::VirtualService, Kind::Service},
                                 &check));

}  // namespace meshward::rules
