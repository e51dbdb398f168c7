// A MESH_EXTERNAL ServiceEntry host that no egress route carries. Without a Gateway on the
// egress gateway workload (labels istio: egressgateway) serving the host and a mesh-bound
// VirtualService sending the host to the egress gateway's Service, each sidecar reaches the
// external host directly through its own cluster outbound|<port>||<host> (istio-translation.md
// §7): the traffic leaves the mesh from every node, bypassing the egress gateway's policy,
// audit and fixed source addresses. A warning: direct egress is a legitimate choice.

#include <set>
#include <string>
#include <vector>

#include "mesh_util.h"
#include "meshward/rules/registry.h"
#include "meshward/translate/names.h"
#include "meshward/world/host.h"

namespace meshward::rules {
namespace {

using model::Kind;

constexpr RuleInfo kInfo{"MW2112", "serviceentry-external-no-egress-gateway", Family::Mesh,
                         Severity::Warning,
                         "A MESH_EXTERNAL ServiceEntry host is not routed through an egress "
                         "gateway (sidecars reach it directly)",
                         ""};

bool is_egress_selector(const model::StringMap& selector) {
  const auto it = selector.find("istio");
  return it != selector.end() && it->second.value == "egressgateway";
}

void check(const Context& ctx, Sink& out) {
  // Egress gateway Services (their FQDNs) and Gateways.
  std::set<std::string> egress_services;
  for (const model::Object* o : ctx.of_kind(Kind::Service)) {
    const auto* svc = o->as<model::Service>();
    if (svc != nullptr && is_egress_selector(svc->spec.selector)) {
      egress_services.insert(world::service_fqdn(svc->meta.name, svc->meta.namespace_));
    }
  }
  std::vector<const model::Gateway*> egress_gateways;
  ctx.each<model::Gateway>([&](const model::Gateway& gw) {
    if (is_egress_selector(gw.spec.selector)) {
      egress_gateways.push_back(&gw);
    }
  });
  const auto mesh_vs = ctx.binding_gateway(world::kMeshGateway);

  ctx.each<model::ServiceEntry>([&](const model::ServiceEntry& se) {
    if (se.spec.location.value_or(model::ServiceEntryLocation::MeshExternal) !=
        model::ServiceEntryLocation::MeshExternal) {
      return;
    }
    const std::uint32_t port =
        se.spec.ports.empty() ? 0 : se.spec.ports.front().number.value;
    for (const auto& h : se.spec.hosts) {
      if (!h.present || h->empty()) {
        continue;
      }
      const std::string& host = *h;
      bool served = false;
      for (const model::Gateway* gw : egress_gateways) {
        for (const model::Server& s : gw->spec.servers) {
          for (const auto& sh : s.hosts) {
            const auto [ns, shost] =
                mesh::split_server_host(mesh::sanitize_server_host(sh.value, gw->meta.namespace_));
            served = served || world::host_matches(shost, host);
          }
        }
      }
      bool routed = false;
      for (const model::Object* o : mesh_vs) {
        const auto* vs = o->as<model::VirtualService>();
        if (vs == nullptr) {
          continue;
        }
        bool for_host = false;
        for (const auto& vh : vs->spec.hosts) {
          for_host = for_host ||
                     world::host_matches(world::resolve_short_name(vh.value, vs->meta.namespace_),
                                         host);
        }
        if (!for_host) {
          continue;
        }
        mesh::for_each_destination(*vs, [&](const model::Destination& d,
                                             const mesh::DestinationSite&) {
          routed = routed ||
                   egress_services.count(
                       world::resolve_short_name(d.host.value, vs->meta.namespace_)) != 0;
        });
      }
      if (served && routed) {
        continue;
      }
      const std::string cluster =
          port != 0 ? translate::outbound_cluster_name(port, "", host) : "outbound|<port>||" + host;
      std::string why;
      if (egress_gateways.empty()) {
        why = "the mesh has no egress gateway (no Gateway selects istio: egressgateway)";
      } else if (!served) {
        why = "no Gateway selecting istio: egressgateway serves " + host;
      } else {
        why = "no mesh VirtualService for " + host + " routes it to the egress gateway " +
              (egress_services.empty() ? std::string("Service")
                                       : "Service " + *egress_services.begin());
      }
      out.report(kInfo, se, h.loc,
                 "traffic to " + host + " leaves the mesh straight from each sidecar through "
                 "cluster " + cluster + ", not through an egress gateway: " + why);
    }
  });
}

}  // namespace

MESHWARD_REGISTER_RULE(mesh_rule(kInfo,
                                 KindSet{Kind::ServiceEntry, Kind::Gateway, Kind::VirtualService,
                                         Kind::Service},
                                 &check));

}  // namespace meshward::rules
