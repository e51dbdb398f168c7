// A VirtualService route or mirror names a DestinationRule subset that the DestinationRule a
// client in the VirtualService's namespace uses for that host does not define (or no
// DestinationRule applies at all). pilot still names the cluster outbound|<port>|<subset>|<host>
// in the route (GetDestinationCluster never checks subsets) but CDS has no such cluster, and
// with validate_clusters: false Envoy accepts the route: requests get 503 NC
// (cluster_not_found); TCP/TLS connections are closed. DestinationRule lookup follows
// PushContext.destinationRule (client namespace, service namespace, root namespace; exportTo;
// most specific host); istioctl analyze reports IST0101 ReferencedResourceNotFound.

#include <algorithm>
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

constexpr RuleInfo kInfo{"MW2101", "virtualservice-subset-undefined", Family::Mesh,
                         Severity::Error,
                         "A VirtualService routes to a subset no applicable DestinationRule "
                         "defines (503 NC: the subset cluster does not exist)",
                         "IST0101"};

bool defines_subset(const model::DestinationRule& dr, std::string_view subset) {
  for (const model::Subset& s : dr.spec.subsets) {
    if (s.name.present && *s.name == subset) {
      return true;
    }
  }
  return false;
}

// The cluster the route names: the destination port, else the service's only port (pilot
// falls back to the listener port for multi-port services: one cluster per port then).
std::string cluster_name(const model::Destination& dest,
                         const std::vector<const model::Object*>& entries,
                         const std::string& subset, const std::string& host) {
  if (dest.port && dest.port->number.present) {
    return translate::outbound_cluster_name(*dest.port->number, subset, host);
  }
  std::set<std::uint32_t> ports;
  for (const model::Object* e : entries) {
    for (std::uint32_t p : mesh::service_ports(*e)) {
      ports.insert(p);
    }
  }
  if (ports.size() == 1) {
    return translate::outbound_cluster_name(*ports.begin(), subset, host);
  }
  return "outbound|<port>|" + subset + "|" + host;
}

void check(const Context& ctx, Sink& out) {
  ctx.each<model::VirtualService>([&](const model::VirtualService& vs) {
    const std::string& ns = vs.meta.namespace_;
    mesh::for_each_destination(vs, [&](const model::Destination& dest,
                                       const mesh::DestinationSite& site) {
      if (!dest.subset.present || dest.subset->empty() || !dest.host.present) {
        return;
      }
      const std::string host = world::resolve_short_name(*dest.host, ns);
      if (host.empty() || world::is_wildcard(host)) {
        return;
      }
      const std::string& subset = *dest.subset;
      auto entries = mesh::registry_entries(ctx, host, ns);
      if (entries.empty()) {
        entries = mesh::registry_entries_anywhere(ctx, host);
      }
      std::vector<std::string> service_namespaces;
      for (const model::Object* e : entries) {
        service_namespaces.push_back(e->meta.namespace_);
      }
      const mesh::DrLookup used = mesh::lookup_destination_rules(ctx, host, ns, service_namespaces);
      for (const model::DestinationRule* dr : used.rules) {
        if (defines_subset(*dr, subset)) {
          return;
        }
      }

      std::string why;
      if (used.rules.empty()) {
        why = "no DestinationRule visible from " + ns + " defines subset " + subset;
      } else {
        std::vector<std::string> names;
        std::vector<std::string> subsets;
        for (const model::DestinationRule* dr : used.rules) {
          names.push_back(mesh::full_name(*dr));
          for (const model::Subset& s : dr->spec.subsets) {
            if (s.name.present) {
              subsets.push_back(*s.name);
            }
          }
        }
        why = "DestinationRule " + mesh::join(names, " + ") + ", the one " + ns + " uses for " +
              host + ", defines " +
              (subsets.empty() ? std::string("no subsets") : "subsets " + mesh::join(subsets, ", ")) +
              " but not " + subset;
      }
      // A DestinationRule elsewhere that defines the subset but does not apply here.
      for (const model::Object* o : ctx.by_host(Kind::DestinationRule, host)) {
        const auto* dr = o->as<model::DestinationRule>();
        if (dr == nullptr || !world::host_subset_of(host, mesh::dr_host(*dr)) ||
            !defines_subset(*dr, subset)) {
          continue;
        }
        const std::string& dr_ns = dr->meta.namespace_;
        const bool consulted =
            dr_ns == ns || dr_ns == mesh::root_namespace(ctx) ||
            std::find(service_namespaces.begin(), service_namespaces.end(), dr_ns) !=
                service_namespaces.end();
        why += "; DestinationRule " + mesh::full_name(*dr) + " defines " + subset;
        if (!consulted) {
          why += " but pilot never consults namespace " + dr_ns +
                 " for clients in " + ns + " (only the client's, the service's and the root "
                 "namespace)";
        } else if (!ctx.visible_to(*dr, ns)) {
          why += " but is not exported to " + ns;
        } else {
          why += " but the one above takes precedence";
        }
        break;
      }

      const std::string name = cluster_name(dest, entries, subset, host);
      std::string message;
      if (site.block != mesh::DestinationSite::Block::Http) {
        message = std::string(site.block == mesh::DestinationSite::Block::Tls ? "TLS" : "TCP") +
                  " connections to " + host + " are closed: cluster " + name +
                  " does not exist (" + why + ")";
      } else if (site.mirror) {
        message = "mirrored requests to " + host + " are never sent: cluster " + name +
                  " does not exist (" + why + ")";
      } else {
        message = "requests to " + host + mesh::describe_match(*site.http) +
                  " get 503 NC: cluster " + name + " does not exist (" + why + ")";
      }
      out.report_missing(kInfo, vs, dest.subset.loc, std::move(message));
    });
  });
}

}  // namespace

MESHWARD_REGISTER_RULE(mesh_rule(kInfo,
                                 KindSet{Kind::VirtualService, Kind::DestinationRule,
                                         Kind::Service, Kind::ServiceEntry},
                                 &check));

}  // namespace meshward::rules
