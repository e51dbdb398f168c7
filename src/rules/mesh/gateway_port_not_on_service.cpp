// A Gateway server port that no Service in front of the gateway's pods exposes, as a port or a
// targetPort. pilot still builds the listener (0.0.0.0_<port>: resolvePorts finds no service
// port and keeps the number, istio-translation.md §4.1), but nothing routes to it: clients
// going through the gateway's Service (its LoadBalancer, NodePort or ClusterIP) never reach it.
// A typical cause is a Gateway written for port 8443 behind a Service that only maps 443→8444.
// istioctl analyze: IST0162 GatewayPortNotDefinedOnService (gateway/gateway.go).
//
// Judged only where the answer is known: the selector matches pods, Services select them, and
// every target port is a number (a named targetPort resolves through the container spec, which
// the world does not hold).

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "mesh_util.h"
#include "meshward/model/kinds/service.h"
#include "meshward/rules/registry.h"
#include "meshward/world/selector.h"

namespace meshward::rules {
namespace {

using model::Kind;

constexpr RuleInfo kInfo{"MW2115", "gateway-port-not-on-service", Family::Mesh,
                         Severity::Warning,
                         "A Gateway server port is neither a port nor a targetPort of any Service "
                         "in front of the gateway's pods (the listener is unreachable)",
                         "IST0162"};

// The ports clients can reach the gateway pods on through their Services: every service port
// and numeric target port. nullopt when unknown (no Service selects the pods, or a named
// target port leaves the mapping open).
std::optional<std::set<std::uint32_t>> reachable_ports(const Context& ctx,
                                                      const world::ObjectList& pods,
                                                      std::vector<std::string>& services) {
  std::set<std::uint32_t> ports;
  std::set<const model::Object*> seen;
  for (const model::Object* pod : pods) {
    for (const model::Object* o : ctx.selecting(Kind::Service, pod->meta.namespace_,
                                                pod->meta.labels)) {
      if (!seen.insert(o).second) {
        continue;
      }
      services.push_back(o->meta.namespace_ + "/" + o->meta.name);
      for (const model::ServicePort& p : o->as<model::Service>()->spec.ports) {
        if (p.protocol.present && *p.protocol == model::TransportProtocol::UDP) {
          continue;
        }
        if (p.port.present && *p.port > 0) {
          ports.insert(static_cast<std::uint32_t>(*p.port));
        }
        if (p.target_port.present) {
          if (!p.target_port->is_int) {
            return std::nullopt;
          }
          ports.insert(static_cast<std::uint32_t>(p.target_port->number));
        }
      }
    }
  }
  if (seen.empty()) {
    return std::nullopt;
  }
  return ports;
}

void check(const Context& ctx, Sink& out) {
  ctx.each<model::Gateway>([&](const model::Gateway& gw) {
    if (gw.spec.selector.empty()) {
      return;
    }
    const world::ObjectList pods =
        ctx.selected_by(Kind::Pod, "", world::to_labels(gw.spec.selector));
    if (pods.empty()) {
      return;  // MW2110 reports a selector without workloads.
    }
    std::vector<std::string> services;
    const auto ports = reachable_ports(ctx, pods, services);
    if (!ports) {
      return;
    }
    for (const model::Server& s : gw.spec.servers) {
      if (!s.port || !s.port->number.present || ports->count(*s.port->number) != 0) {
        continue;
      }
      const std::string port = std::to_string(*s.port->number);
      out.report(kInfo, gw, s.port->number.loc,
                 "port " + port + " is neither a port nor a targetPort of Service" +
                     (services.size() > 1 ? "s " : " ") + mesh::join(services, ", ") +
                     " in front of the pods selected by " +
                     mesh::render_selector(gw.spec.selector) + ": the gateway builds listener " +
                     "0.0.0.0_" + port + ", but no client going through those Services " +
                     "reaches it (use the Service's port number, or add it to the Service)");
    }
  });
}

MESHWARD_REGISTER_RULE(mesh_rule(kInfo, KindSet{Kind::Gateway, Kind::Pod, Kind::Service}, check));

}  // namespace
}  // namespace meshward::rules
