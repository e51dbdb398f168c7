// A VirtualService binds (spec.gateways) a Gateway that does not exist. pilot indexes the
// VirtualService under that gateway name only; no gateway proxy merges a Gateway of that name,
// so its routes appear in no gateway route configuration and requests for its hosts through
// the intended gateway get 404 NR (or the blackhole vhost). Names resolve like pilot's
// resolveGatewayName: `gw` and `./gw` are in the VirtualService's namespace, `ns/gw` as
// written. istioctl analyze: IST0101 ReferencedResourceNotFound (gateway/gateway.go).

#include <string>

#include "mesh_util.h"
#include "meshward/rules/registry.h"
#include "meshward/world/host.h"

namespace meshward::rules {
namespace {

using model::Kind;

constexpr RuleInfo kInfo{"MW2104", "virtualservice-gateway-missing", Family::Mesh,
                         Severity::Error,
                         "A VirtualService is bound to a Gateway that does not exist (its routes "
                         "reach no gateway: 404 NR)",
                         "IST0101"};

void check(const Context& ctx, Sink& out) {
  ctx.each<model::VirtualService>([&](const model::VirtualService& vs) {
    const std::string& ns = vs.meta.namespace_;
    std::vector<std::string> hosts;
    for (const auto& h : vs.spec.hosts) {
      if (h.present) {
        hosts.push_back(*h);
      }
    }
    for (const auto& gw : vs.spec.gateways) {
      if (!gw.present || gw->empty()) {
        continue;
      }
      const std::string ref = world::resolve_gateway_ref(*gw, ns);
      if (ref == world::kMeshGateway) {
        continue;
      }
      const auto slash = ref.find('/');
      if (slash == std::string::npos) {
        continue;
      }
      const std::string gw_ns = ref.substr(0, slash);
      const std::string gw_name = ref.substr(slash + 1);
      if (ctx.find(Kind::Gateway, gw_ns, gw_name) != nullptr) {
        continue;
      }
      std::string message = "Gateway " + ref + " does not exist: no gateway proxy gets this "
                            "VirtualService's routes";
      if (!hosts.empty()) {
        message += " for " + mesh::join(hosts, ", ") +
                   ", so requests for them through the intended gateway get 404 NR";
      }
      if (gw->find('/') == std::string::npos && gw->find('.') == std::string::npos) {
        message += " (a name without namespace refers to " + ns +
                   "; write <namespace>/" + *gw + " for a Gateway elsewhere)";
      }
      out.report_missing(kInfo, vs, gw.loc, std::move(message));
    }
  });
}

}  // namespace

MESHWARD_REGISTER_RULE(mesh_rule(kInfo, KindSet{Kind::VirtualService, Kind::Gateway}, &check));

}  // namespace meshward::rules
