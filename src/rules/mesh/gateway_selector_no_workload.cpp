// A Gateway whose selector matches no Pod and no WorkloadEntry in any namespace. pilot merges a
// Gateway only into the gateway proxies its selector picks (PushContext.mergeGateways), so no
// proxy builds listeners (0.0.0.0_<port>) or routes for its servers: clients of its hosts are
// not served by any Istio gateway. Only judged when the world holds workloads at all (a
// manifest set without Pods says nothing about them). istioctl analyze: IST0101
// ReferencedResourceNotFound (gateway/gateway.go, selector).

#include <string>
#include <vector>

#include "mesh_util.h"
#include "meshward/rules/registry.h"
#include "meshward/world/selector.h"

namespace meshward::rules {
namespace {

using model::Kind;

constexpr RuleInfo kInfo{"MW2110", "gateway-selector-no-workload", Family::Mesh,
                         Severity::Error,
                         "A Gateway's selector matches no gateway workload (no proxy serves it)",
                         "IST0101"};

void check(const Context& ctx, Sink& out) {
  if (!mesh::workloads_known(ctx)) {
    return;
  }
  ctx.each<model::Gateway>([&](const model::Gateway& gw) {
    if (gw.spec.selector.empty()) {
      return;  // applies to every gateway proxy
    }
    const model::Labels selector = world::to_labels(gw.spec.selector);
    if (!ctx.selected_by(Kind::Pod, "", selector).empty() ||
        !ctx.selected_by(Kind::WorkloadEntry, "", selector).empty()) {
      return;
    }
    std::vector<std::string> ports;
    std::vector<std::string> hosts;
    for (const model::Server& s : gw.spec.servers) {
      if (s.port && s.port->number.present) {
        ports.push_back(std::to_string(*s.port->number));
      }
      for (const auto& h : s.hosts) {
        if (h.present) {
          hosts.push_back(*h);
        }
      }
    }
    std::string message = "no Pod or WorkloadEntry carries the labels " +
                          mesh::render_selector(gw.spec.selector) +
                          ": no gateway proxy merges this Gateway, so no listener is built for "
                          "port" + (ports.size() > 1 ? "s " : " ") + mesh::join(ports, ", ");
    if (!hosts.empty()) {
      message += " and clients of " + mesh::join(hosts, ", ") +
                 " are not served by any Istio gateway";
    }
    message += " (check the selector against the ingress/egress gateway Deployment's pod labels)";
    out.report(kInfo, gw, gw.spec.selector.begin()->second.loc, std::move(message));
  });
}

}  // namespace

MESHWARD_REGISTER_RULE(mesh_rule(kInfo, KindSet{Kind::Gateway, Kind::Pod, Kind::WorkloadEntry},
                                 &check));

}  // namespace meshward::rules
