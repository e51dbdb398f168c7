// A VirtualService destination host (short names resolved in the VirtualService's namespace)
// that is neither a Kubernetes Service, nor a ServiceEntry host, nor covered by a wildcard
// ServiceEntry host visible there. pilot still builds the route to
// outbound|<port>||<host>, but no cluster of that name exists for the proxy, so requests get
// 503 NC (cluster_not_found) and TCP/TLS connections are closed (istio-translation.md §5.6).
// istioctl analyze: IST0101 ReferencedResourceNotFound (virtualservice/destinationhosts.go).

#include <string>
#include <vector>

#include "mesh_util.h"
#include "meshward/rules/registry.h"
#include "meshward/world/host.h"

namespace meshward::rules {
namespace {

using model::Kind;

constexpr RuleInfo kInfo{"MW2102", "virtualservice-destination-host-unknown", Family::Mesh,
                         Severity::Error,
                         "A VirtualService routes to a host that is no Service or ServiceEntry "
                         "(503 NC: the cluster does not exist)",
                         "IST0101"};

void check(const Context& ctx, Sink& out) {
  ctx.each<model::VirtualService>([&](const model::VirtualService& vs) {
    const std::string& ns = vs.meta.namespace_;
    mesh::for_each_destination(vs, [&](const model::Destination& dest,
                                       const mesh::DestinationSite& site) {
      if (!dest.host.present || dest.host->empty()) {
        return;
      }
      const std::string host = world::resolve_short_name(*dest.host, ns);
      if (world::is_wildcard(host) || world::is_ip_address(host)) {
        return;  // invalid destinations are the resource checks' business
      }
      if (!mesh::registry_entries(ctx, host, ns).empty()) {
        return;
      }
      const auto elsewhere = mesh::registry_entries_anywhere(ctx, host);
      std::string why;
      if (!elsewhere.empty()) {
        why = std::string(model::kind_name(elsewhere.front()->kind())) + " " +
              mesh::full_name(*elsewhere.front()) + " defines it but is not exported to " + ns;
      } else {
        why = "no Service or ServiceEntry defines " + host;
        if (host != *dest.host) {
          why += "; short name " + *dest.host + " is resolved in namespace " + ns;
        }
      }
      out.report_missing(kInfo, vs, dest.host.loc,
                         mesh::missing_cluster_effect(site, host) + ": cluster " +
                             mesh::destination_cluster(dest, host) + " does not exist (" + why +
                             ")");
    });
  });
}

}  // namespace

MESHWARD_REGISTER_RULE(mesh_rule(kInfo,
                                 KindSet{Kind::VirtualService, Kind::Service, Kind::ServiceEntry},
                                 &check));

}  // namespace meshward::rules
