// A MESH_EXTERNAL ServiceEntry host and port that no egress route carries, judged per host and
// port as a sidecar builds its outbound listener for each port (istio-translation.md §2.2, §7):
// an HTTP port is routed by the `http` routes of the host's mesh VirtualServices whose match
// applies to it (no match, or a match with that `port` and with `gateways` including mesh); an
// HTTPS/TLS port by their `tls` routes whose match names the host in `sniHosts`; a TCP port by
// the first `tcp` route that applies; a sniffed port (no protocol) by `http` or `tcp` routes.
// The port goes through the egress gateway when such a route sends it to the egress gateway's
// Service and a Gateway on the egress gateway workload (labels istio: egressgateway) serves the
// host on the Service port the route names (Istio's "Egress Gateways" task: mesh -> egress
// gateway on port 80, then egress gateway -> edition.cnn.com; its TLS variant with a
// PASSTHROUGH server and `tls` routes on 443). Otherwise each sidecar sends it out itself,
// through its listener for the port to cluster outbound|<port>||<host> (or the cluster a
// VirtualService names): the traffic leaves the mesh from every node, bypassing the egress
// gateway's policy, audit and fixed source addresses. A warning: direct egress is a legitimate
// choice. A route that reaches the egress gateway on a port where no egress Gateway serves the
// host is reported too: the gateway does not carry it out.

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mesh_util.h"
#include "meshward/rules/registry.h"
#include "meshward/translate/names.h"
#include "meshward/translate/registry.h"
#include "meshward/world/facts.h"
#include "meshward/world/host.h"

namespace meshward::rules {
namespace {

using model::Kind;

constexpr RuleInfo kInfo{"MW2112", "serviceentry-external-no-egress-gateway", Family::Mesh,
                         Severity::Warning,
                         "A MESH_EXTERNAL ServiceEntry host:port is not routed through an egress "
                         "gateway (sidecars reach it directly)",
                         ""};

constexpr std::string_view kWildcardBind = "0.0.0.0";

// Which route blocks a sidecar's listener for a port consults (§2.2).
struct PortClass {
  bool http = false;
  bool tls = false;
  bool tcp = false;
  bool any() const { return http || tls || tcp; }
};

PortClass classify(translate::Protocol p) {
  if (p == translate::Protocol::Unsupported) {
    return {true, false, true};  // sniffed: an HTTP chain and TCP chains
  }
  if (translate::is_http(p)) {
    return {true, false, false};
  }
  if (translate::is_tls(p)) {
    return {false, true, false};
  }
  if (translate::is_tcp(p)) {
    return {false, false, true};
  }
  return {};  // UDP: no outbound listener
}

// The egress gateway workload's Services (by FQDN) and the Gateways on it.
struct Egress {
  std::map<std::string, const model::Object*> services;
  std::vector<const model::Gateway*> gateways;

  // Whether a Gateway serves `host`, on Service port `port` when given.
  bool serves(std::string_view host, std::optional<std::uint32_t> port) const {
    for (const model::Gateway* gw : gateways) {
      for (const model::Server& s : gw->spec.servers) {
        if (port && (!s.port || !s.port->number.present || s.port->number.value != *port)) {
          continue;
        }
        for (const auto& sh : s.hosts) {
          const auto [ns, shost] =
              mesh::split_server_host(mesh::sanitize_server_host(sh.value, gw->meta.namespace_));
          if (world::host_matches(shost, host)) {
            return true;
          }
        }
      }
    }
    return false;
  }

  std::string service_name() const {
    return services.empty() ? std::string("Service") : "Service " + services.begin()->first;
  }
};

bool port_applies(const model::Field<std::uint32_t>& port, std::uint32_t p) {
  return !port.present || port.value == 0 || port.value == p;
}

// A match's `gateways` (when set, they replace the VirtualService's) include the sidecars.
bool mesh_applies(const std::vector<model::Field<std::string>>& gateways, std::string_view ns) {
  return gateways.empty() ||
         std::any_of(gateways.begin(), gateways.end(), [&](const model::Field<std::string>& g) {
           return world::resolve_gateway_ref(g.value, ns) == world::kMeshGateway;
         });
}

// The destinations a sidecar's listener for `host`:`p` takes from `vs` (bound to mesh).
template <class Routes>
void add_destinations(const Routes& routes, std::vector<const model::Destination*>& out) {
  for (const auto& r : routes) {
    if (r.destination) {
      out.push_back(&*r.destination);
    }
  }
}

std::vector<const model::Destination*> sidecar_destinations(const model::VirtualService& vs,
                                                            std::string_view host,
                                                            std::uint32_t p, PortClass cls) {
  const std::string& ns = vs.meta.namespace_;
  std::vector<const model::Destination*> out;
  if (cls.http) {
    for (const model::HttpRoute& route : vs.spec.http) {
      const bool applies =
          route.match.empty() ||
          std::any_of(route.match.begin(), route.match.end(), [&](const model::HttpMatchRequest& m) {
            return port_applies(m.port, p) && mesh_applies(m.gateways, ns);
          });
      if (applies) {
        add_destinations(route.route, out);
      }
    }
  }
  if (cls.tls) {
    for (const model::TlsRoute& route : vs.spec.tls) {
      const bool applies = std::any_of(
          route.match.begin(), route.match.end(), [&](const model::TlsMatchAttributes& m) {
            return port_applies(m.port, p) && mesh_applies(m.gateways, ns) &&
                   (m.sni_hosts.empty() ||
                    std::any_of(m.sni_hosts.begin(), m.sni_hosts.end(),
                                [&](const model::Field<std::string>& sni) {
                                  return world::host_matches(sni.value, host);
                                }));
          });
      if (applies) {
        add_destinations(route.route, out);
      }
    }
  }
  if (cls.tcp) {
    // The first route without a match, or with a match that applies and names no subnets,
    // ends the listener's chains (buildSidecarOutboundTCPFilterChainOpts).
    for (const model::TcpRoute& route : vs.spec.tcp) {
      const bool terminal =
          route.match.empty() ||
          std::any_of(route.match.begin(), route.match.end(), [&](const model::L4MatchAttributes& m) {
            return port_applies(m.port, p) && mesh_applies(m.gateways, ns) &&
                   m.destination_subnets.empty();
          });
      if (terminal) {
        add_destinations(route.route, out);
        break;
      }
    }
  }
  return out;
}

// The Service port a route to the egress gateway's Service reaches (GetDestinationCluster).
std::uint32_t egress_port(const model::Destination& d, const model::Object& service,
                          std::uint32_t p) {
  if (d.port && d.port->number.present && d.port->number.value != 0) {
    return d.port->number.value;
  }
  const std::vector<std::uint32_t> ports = mesh::service_ports(service);
  return ports.size() == 1 ? ports.front() : p;
}

// The cluster a route's destination names, when the route and the subject say its port.
std::string destination_cluster(const model::Destination& d, const model::VirtualService& vs,
                                const model::ServiceEntry& se, std::string_view host,
                                std::uint32_t p) {
  const std::string dhost = world::resolve_short_name(d.host.value, vs.meta.namespace_);
  if (d.port && d.port->number.present && d.port->number.value != 0) {
    return "cluster " + translate::outbound_cluster_name(d.port->number.value, d.subset.value, dhost);
  }
  if (dhost == host) {
    const std::uint32_t port = se.spec.ports.size() == 1 ? se.spec.ports.front().number.value : p;
    return "cluster " + translate::outbound_cluster_name(port, d.subset.value, dhost);
  }
  return dhost;
}

// The sidecar's listener for port `p` of the entry, and what it passes the traffic through.
std::string listener_path(const model::ServiceEntry& se, std::string_view host, std::uint32_t p,
                          PortClass cls) {
  std::string bind(kWildcardBind);
  if (!cls.http || cls.tcp) {  // TCP, TLS and sniffed ports listen on the entry's VIP
    for (const auto& a : se.spec.addresses) {
      if (a.present && world::is_ip_address(*a)) {
        bind = *a;
        break;
      }
    }
  }
  const std::string listener = "listener " + translate::listener_name(bind, p);
  const std::string vhost = "route " + translate::sidecar_route_name(p) + ", vhost " +
                            translate::vhost_name(host, p);
  if (cls.http && cls.tcp) {
    return listener + " (sniffed: HTTP through " + vhost + ", other traffic through tcp_proxy)";
  }
  if (cls.http) {
    return listener + ", " + vhost;
  }
  if (cls.tls && bind == kWildcardBind) {
    return listener + ", filter chain server_names " + std::string(host) + ", tcp_proxy";
  }
  return listener + ", tcp_proxy";
}

std::string route_kind(PortClass cls, std::string_view host) {
  if (cls.tls) {
    return "tls route with sniHosts " + std::string(host);
  }
  if (cls.http && cls.tcp) {
    return "http or tcp route";
  }
  return cls.http ? "http route" : "tcp route";
}

// What a sidecar does with one uncovered port.
struct Direct {
  std::uint32_t port = 0;
  std::string path;    // listener ... to cluster ...
  std::string reason;  // why the egress gateway is not on it
};

void check_host(const Context& ctx, const Egress& egress, const model::ServiceEntry& se,
                const model::Field<std::string>& h, Sink& out) {
  const std::string& host = *h;
  // Mesh-bound VirtualServices for the host (by_host matches their resolved hosts).
  std::vector<const model::VirtualService*> mesh_vs;
  for (const model::Object* o : ctx.by_host(Kind::VirtualService, host)) {
    const auto* vs = o->as<model::VirtualService>();
    const auto refs = world::bound_gateways(*o);
    if (vs != nullptr &&
        std::find(refs.begin(), refs.end(), world::kMeshGateway) != refs.end()) {
      mesh_vs.push_back(vs);
    }
  }
  const bool served_somewhere = egress.serves(host, std::nullopt);

  std::vector<Direct> direct;
  std::vector<std::string> through;  // ports that go through the egress gateway
  for (const model::ServiceEntryPort& port : se.spec.ports) {
    if (!port.number.present || port.number.value == 0) {
      continue;
    }
    const std::uint32_t p = port.number.value;
    const PortClass cls = classify(translate::parse_protocol(port.protocol.value));
    if (!cls.any()) {
      continue;
    }
    std::vector<std::string> elsewhere;  // what the routes name instead of the egress gateway
    std::vector<std::string> unserved;   // egress clusters reached on a port nobody serves
    std::vector<std::string> unserved_ports;
    bool covered = false;
    for (const model::VirtualService* vs : mesh_vs) {
      for (const model::Destination* d : sidecar_destinations(*vs, host, p, cls)) {
        const auto svc = egress.services.find(
            world::resolve_short_name(d->host.value, vs->meta.namespace_));
        if (svc == egress.services.end()) {
          elsewhere.push_back(destination_cluster(*d, *vs, se, host, p) + " (VirtualService " +
                              mesh::full_name(*vs) + ")");
          continue;
        }
        const std::uint32_t q = egress_port(*d, *svc->second, p);
        if (egress.serves(host, q)) {
          covered = true;
        } else {
          unserved.push_back(translate::outbound_cluster_name(q, d->subset.value, svc->first) +
                             " (VirtualService " + mesh::full_name(*vs) + ")");
          unserved_ports.push_back(std::to_string(q));
        }
      }
    }
    if (covered) {
      through.push_back(std::to_string(p));
      continue;
    }
    const std::string host_port = host + ":" + std::to_string(p);
    if (!unserved.empty()) {
      for (auto* v : {&unserved, &unserved_ports}) {
        std::sort(v->begin(), v->end());
        v->erase(std::unique(v->begin(), v->end()), v->end());
      }
      out.report(kInfo, se, h.loc,
                 "sidecars send " + host_port + " to the egress gateway through cluster " +
                     mesh::join(unserved, ", ") +
                     ", but no Gateway selecting istio: egressgateway serves " + host +
                     " on port " + mesh::join(unserved_ports, ", ") +
                     ": the egress gateway does not carry it out (the request fails there)");
      continue;
    }
    Direct d;
    d.port = p;
    d.path = listener_path(se, host, p, cls) + " to ";
    if (elsewhere.empty()) {
      d.path += "cluster " + translate::outbound_cluster_name(p, "", host);
    } else {
      std::sort(elsewhere.begin(), elsewhere.end());
      elsewhere.erase(std::unique(elsewhere.begin(), elsewhere.end()), elsewhere.end());
      d.path += mesh::join(elsewhere, " and ");
    }
    if (egress.gateways.empty()) {
      d.reason = "the mesh has no egress gateway (no Gateway selects istio: egressgateway)";
    } else if (!served_somewhere) {
      d.reason = "no Gateway selecting istio: egressgateway serves " + host;
    } else {
      d.reason = "no mesh VirtualService " + route_kind(cls, host) + " for port " +
                 std::to_string(p) + " sends it to the egress gateway " + egress.service_name();
    }
    direct.push_back(std::move(d));
  }
  if (direct.empty()) {
    return;
  }
  const bool one_reason = std::all_of(direct.begin(), direct.end(), [&](const Direct& d) {
    return d.reason == direct.front().reason;
  });
  std::vector<std::string> ports;
  std::vector<std::string> clauses;
  for (const Direct& d : direct) {
    ports.push_back(host + ":" + std::to_string(d.port));
    std::string clause = direct.size() > 1 ? "port " + std::to_string(d.port) + " through " : "";
    clause += d.path;
    if (!one_reason) {
      clause += " (" + d.reason + ")";
    }
    clauses.push_back(std::move(clause));
  }
  std::string message = "traffic to " + mesh::join(ports, ", ") +
                        " leaves the mesh straight from each sidecar, not through an egress "
                        "gateway";
  if (!through.empty()) {
    message += " (only port" + std::string(through.size() > 1 ? "s " : " ") +
               mesh::join(through, ", ") + " of " + host + " go" +
               (through.size() > 1 ? "" : "es") + " through it)";
  }
  message += ": " + mesh::join(clauses, "; ");
  if (one_reason) {
    message += "; " + direct.front().reason;
  }
  out.report(kInfo, se, h.loc, std::move(message));
}

void check(const Context& ctx, Sink& out) {
  const world::ObjectList entries = ctx.subjects(Kind::ServiceEntry);
  if (entries.empty()) {
    return;
  }
  // Egress gateway Services (their FQDNs) and Gateways: those selecting istio: egressgateway.
  const model::Labels labels{{"istio", "egressgateway"}};
  Egress egress;
  for (const model::Object* o : ctx.selectors_including(Kind::Service, "", labels)) {
    egress.services.emplace(world::service_fqdn(o->meta.name, o->meta.namespace_), o);
  }
  for (const model::Object* o : ctx.selectors_including(Kind::Gateway, "", labels)) {
    if (const auto* gw = o->as<model::Gateway>()) {
      egress.gateways.push_back(gw);
    }
  }

  for (const model::Object* entry : entries) {
    const auto* se = entry->as<model::ServiceEntry>();
    if (se == nullptr || se->spec.location.value_or(model::ServiceEntryLocation::MeshExternal) !=
                             model::ServiceEntryLocation::MeshExternal) {
      continue;
    }
    for (const auto& h : se->spec.hosts) {
      if (h.present && !h->empty()) {
        check_host(ctx, egress, *se, h, out);
      }
    }
  }
}

}  // namespace

MESHWARD_REGISTER_RULE(mesh_rule(kInfo,
                                 KindSet{Kind::ServiceEntry, Kind::Gateway, Kind::VirtualService,
                                         Kind::Service},
                                 &check));

}  // namespace meshward::rules
