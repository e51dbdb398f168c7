// A VirtualService destination names a port the Service/ServiceEntry does not expose, or names
// none although the service exposes several and the VirtualService is bound to a gateway.
// pilot builds the cluster name from destination.port, else the service's only port, else the
// listener port (GetDestinationCluster): a port the service lacks gives a route to
// outbound|<port>||<host>, a cluster that does not exist, so requests get 503 NC. On a
// sidecar the listener port is one of the service's own ports, so an omitted port is harmless
// there; on a gateway the listener port is the Gateway server port (80, 443) and the cluster
// exists only if the service happens to expose it (istio-translation.md §3.4, §4.3, §5.6).
// istioctl analyze: IST0101 (host:port not found), IST0112
// VirtualServiceDestinationPortSelectorRequired.

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

constexpr RuleInfo kInfo{"MW2103", "virtualservice-destination-port-invalid", Family::Mesh,
                         Severity::Error,
                         "A VirtualService destination port is not a port of the service, or is "
                         "missing for a multi-port service behind a gateway",
                         "IST0112"};
// The same rule when the port is named but does not exist (istioctl: IST0101 host:port).
constexpr RuleInfo kInfoNotFound{kInfo.code,     kInfo.name,        kInfo.family,
                                 kInfo.severity, kInfo.description, "IST0101"};

void check(const Context& ctx, Sink& out) {
  ctx.each<model::VirtualService>([&](const model::VirtualService& vs) {
    const std::string& ns = vs.meta.namespace_;
    bool gateway_bound = false;
    for (const std::string& ref : world::resolve_gateway_refs(vs.spec.gateways, ns)) {
      gateway_bound = gateway_bound || ref != world::kMeshGateway;
    }
    mesh::for_each_destination(vs, [&](const model::Destination& dest,
                                       const mesh::DestinationSite& site) {
      if (!dest.host.present || dest.host->empty()) {
        return;
      }
      const std::string host = world::resolve_short_name(*dest.host, ns);
      if (world::is_wildcard(host)) {
        return;
      }
      const auto entries = mesh::registry_entries(ctx, host, ns);
      if (entries.empty()) {
        return;  // MW2102
      }
      std::set<std::uint32_t> ports;
      std::vector<std::string> port_list;
      for (const model::Object* e : entries) {
        for (std::uint32_t p : mesh::service_ports(*e)) {
          if (ports.insert(p).second) {
            port_list.push_back(std::to_string(p));
          }
        }
      }
      if (ports.empty()) {
        return;  // a ServiceEntry without ports (or a selector-only Service): nothing to compare
      }
      // The wording, built only for a finding (most destinations have none).
      const auto what = [&] {
        return std::string(model::kind_name(entries.front()->kind())) + " " +
               mesh::full_name(*entries.front());
      };
      const auto who = [&] {
        return site.block == mesh::DestinationSite::Block::Http
                   ? (site.mirror ? std::string("mirrored requests to ") : "requests routed to ")
                   : std::string("connections routed to ");
      };
      const auto effect = [&] {
        return site.block == mesh::DestinationSite::Block::Http
                   ? (site.mirror ? std::string(" are never sent") : std::string(" get 503 NC"))
                   : std::string(" are closed");
      };
      const auto match = [&] {
        return site.http != nullptr && !site.mirror ? mesh::describe_match(*site.http)
                                                    : std::string();
      };
      if (dest.port && dest.port->number.present) {
        const std::uint32_t port = *dest.port->number;
        if (ports.count(port) != 0) {
          return;
        }
        out.report_missing(kInfoNotFound, vs, dest.port->number.loc,
                   who() + host + match() + effect() + ": cluster " +
                       translate::outbound_cluster_name(port, dest.subset.value, host) +
                       " does not exist (" + what() + " exposes port" +
                       (port_list.size() > 1 ? "s " : " ") + mesh::join(port_list, ", ") +
                       ", not " + std::to_string(port) + ")");
        return;
      }
      if (ports.size() > 1 && gateway_bound) {
        out.report(kInfo, vs, dest.loc,
                   who() + host + match() + " through a gateway name no port: the gateway routes to "
                   "outbound|<server port>|" + dest.subset.value + "|" + host +
                   ", which exists only if the Gateway server port is one of " + what() +
                   "'s ports " + mesh::join(port_list, ", ") +
                   " (otherwise 503 NC); set destination.port");
      }
    });
  });
}

}  // namespace

MESHWARD_REGISTER_RULE(mesh_rule(kInfo,
                                 KindSet{Kind::VirtualService, Kind::Service, Kind::ServiceEntry},
                                 &check));

}  // namespace meshward::rules
