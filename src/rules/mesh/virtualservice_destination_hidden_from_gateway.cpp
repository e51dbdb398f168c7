// A VirtualService bound to a Gateway routes to a Service or ServiceEntry that is not exported
// to the namespace the gateway's proxies run in. A gateway proxy sees the services visible to
// its own namespace (exportTo, or the mesh's defaultServiceExportTo for services that name
// none; gateways ignore Sidecar resources), so pilot builds the route to
// outbound|<port>|<subset>|<host> but sends no such cluster to the gateway: requests get
// 503 NC (cluster_not_found), TCP/TLS connections are closed. The VirtualService's own
// namespace can see the service, so MW2102 says nothing; a common way in is
// `defaultServiceExportTo: ["."]` for a mesh whose ingress gateway has a namespace of its own.
// The gateway proxies' namespace is that of the gateway workload's Service, else the
// Gateway's (mesh::gateway_proxy_namespace).

#include <string>
#include <vector>

#include "mesh_util.h"
#include "meshward/rules/registry.h"
#include "meshward/world/facts.h"
#include "meshward/world/host.h"

namespace meshward::rules {
namespace {

using model::Kind;

constexpr RuleInfo kInfo{"MW2118", "virtualservice-destination-hidden-from-gateway",
                         Family::Mesh, Severity::Error,
                         "A VirtualService routes gateway traffic to a service not exported to "
                         "the gateway's namespace (503 NC at the gateway)",
                         ""};

// A Gateway of the VirtualService and the namespace its proxies run in.
struct BoundGateway {
  std::string ref;
  std::string proxy_ns;
};

// The namespaces an exportTo list names, for people: `.` is the object's own namespace.
std::string audience(const std::vector<std::string>& entries, const std::string& own) {
  std::vector<std::string> names;
  for (const std::string& e : entries) {
    if (e != "~") {
      names.push_back(e == "." ? own : e);
    }
  }
  return names.empty() ? "no namespace" : mesh::join(names, ", ");
}

// Why `entry` is not visible from `ns`: its exportTo, or the mesh default it takes.
std::string why_hidden(const Context& ctx, const model::Object& entry, const std::string& ns) {
  const std::string what =
      std::string(model::kind_name(entry.kind())) + " " + mesh::full_name(entry);
  const std::string& own = entry.meta.namespace_;
  const std::vector<std::string> listed = world::export_to(entry);
  if (!listed.empty()) {
    return what + " is exported only to " + audience(listed, own) + " (exportTo: " +
           mesh::join(listed, ",") + "), not to " + ns;
  }
  const std::vector<std::string>& fallback = ctx.translate_options().mesh.exports.services;
  return what + " names no exportTo, and the mesh's defaultServiceExportTo (" +
         mesh::join(fallback, ",") + ") exports it only to " + audience(fallback, own) +
         ", not to " + ns;
}

void check(const Context& ctx, Sink& out) {
  ctx.each<model::VirtualService>([&](const model::VirtualService& vs) {
    const std::string& ns = vs.meta.namespace_;
    std::vector<BoundGateway> gateways;
    for (const std::string& ref : world::bound_gateways(vs)) {
      const model::Gateway* gw = mesh::find_gateway(ctx, ref);
      if (gw == nullptr) {
        continue;  // the mesh, or no such Gateway (MW2104)
      }
      const std::string& proxy_ns = mesh::gateway_proxy_namespace(ctx, *gw);
      if (proxy_ns != ns && ctx.visible_to(vs, proxy_ns)) {
        gateways.push_back({ref, proxy_ns});
      }
    }
    if (gateways.empty()) {
      return;
    }
    mesh::for_each_destination(vs, [&](const model::Destination& dest,
                                       const mesh::DestinationSite& site) {
      if (!dest.host.present || dest.host->empty()) {
        return;
      }
      const std::string host = world::resolve_short_name(*dest.host, ns);
      if (world::is_wildcard(host) || world::is_ip_address(host)) {
        return;
      }
      const auto entries = mesh::registry_entries(ctx, host, ns);
      if (entries.empty()) {
        return;  // no service the VirtualService's namespace sees: MW2102
      }
      std::vector<std::string> blind;  // "Gateway ref (proxies in ns)"
      std::string why;
      for (const BoundGateway& gw : gateways) {
        if (!mesh::registry_entries(ctx, host, gw.proxy_ns).empty()) {
          continue;
        }
        blind.push_back("Gateway " + gw.ref + " (its proxies run in " + gw.proxy_ns + ")");
        if (why.empty()) {
          why = why_hidden(ctx, *entries.front(), gw.proxy_ns);
        }
      }
      if (blind.empty()) {
        return;
      }
      out.report(kInfo, vs, dest.host.loc,
                 mesh::missing_cluster_effect(site, host, " through " + mesh::join(blind, " and ")) +
                     ": the gateway gets no cluster " + mesh::destination_cluster(dest, host) +
                     " (" + why + ")");
    });
  });
}

}  // namespace

MESHWARD_REGISTER_RULE(mesh_rule(kInfo,
                                 KindSet{Kind::VirtualService, Kind::Gateway, Kind::Service,
                                         Kind::ServiceEntry},
                                 &check));

}  // namespace meshward::rules
