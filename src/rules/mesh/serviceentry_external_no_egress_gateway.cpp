// A MESH_EXTERNAL ServiceEntry host that no egress route carries. Without a Gateway on the
// egress gateway workload (labels istio: egressgateway) serving the host and a mesh-bound
// VirtualService sending the host to the egress gateway's Service, each sidecar reaches the
// external host directly through its own cluster outbound|<port>||<host> (istio-translation.md
// §7): the traffic leaves the mesh from every node, bypassing the egress gateway's policy,
// audit and fixed source addresses. A warning: direct egress is a legitimate choice.

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "mesh_util.h"
#include "meshward/rules/registry.h"
#include "meshward/translate/names.h"
#include "meshward/world/facts.h"
#include "meshward/world/host.h"

namespace meshward::rules {
namespace {

using model::Kind;

constexpr RuleInfo kInfo{"MW2112", "serviceentry-external-no-egress-gateway", Family::Mesh,
                         Severity::Warning,
                         "A MESH_EXTERNAL ServiceEntry host is not routed through an egress "
                         "gateway (sidecars reach it directly)",
                         ""};

void check(const Context& ctx, Sink& out) {
  const world::ObjectList entries = ctx.subjects(Kind::ServiceEntry);
  if (entries.empty()) {
    return;
  }
  // Egress gateway Services (their FQDNs) and Gateways: those selecting istio: egressgateway.
  const model::Labels egress{{"istio", "egressgateway"}};
  std::set<std::string> egress_services;
  for (const model::Object* o : ctx.selectors_including(Kind::Service, "", egress)) {
    egress_services.insert(world::service_fqdn(o->meta.name, o->meta.namespace_));
  }
  std::vector<const model::Gateway*> egress_gateways;
  for (const model::Object* o : ctx.selectors_including(Kind::Gateway, "", egress)) {
    if (const auto* gw = o->as<model::Gateway>()) {
      egress_gateways.push_back(gw);
    }
  }

  for (const model::Object* entry : entries) {
    const auto* se_ptr = entry->as<model::ServiceEntry>();
    if (se_ptr == nullptr) {
      continue;
    }
    const model::ServiceEntry& se = *se_ptr;
    if (se.spec.location.value_or(model::ServiceEntryLocation::MeshExternal) !=
        model::ServiceEntryLocation::MeshExternal) {
      continue;
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
      // Mesh-bound VirtualServices for the host (by_host matches their resolved hosts).
      bool routed = false;
      for (const model::Object* o : ctx.by_host(Kind::VirtualService, host)) {
        const auto* vs = o->as<model::VirtualService>();
        const auto refs = world::bound_gateways(*o);
        if (vs == nullptr ||
            std::find(refs.begin(), refs.end(), world::kMeshGateway) == refs.end()) {
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
  }
}

}  // namespace

MESHWARD_REGISTER_RULE(mesh_rule(kInfo,
                                 KindSet{Kind::ServiceEntry, Kind::Gateway, Kind::VirtualService,
                                         Kind::Service},
                                 &check));

}  // namespace meshward::rules
