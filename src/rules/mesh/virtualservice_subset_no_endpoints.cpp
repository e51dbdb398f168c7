// A VirtualService routes to a DestinationRule subset whose labels no endpoint of the service
// carries. pilot builds the cluster outbound|<port>|<subset>|<host> (the subset exists, so
// this is not MW2101's 503 NC), but its EDS ClusterLoadAssignment keeps only the endpoints
// whose labels contain the subset's (istio-translation.md §6), so it is empty: Envoy answers
// requests with 503 and the UH flag (no_healthy_upstream) and closes TCP connections.
// istioctl analyze reports the same mistake from the DestinationRule's side as IST0173
// DestinationRuleSubsetNotSelectPods (destinationrule/subset.go: subset labels, merged with
// the ServiceEntry's workloadSelector, match no pod); here it is stated in Envoy's terms and
// only for subsets a route uses, from the translator's own EDS (build_endpoints): the
// client's Scope decides which service and DestinationRule apply, as for a sidecar in the
// VirtualService's namespace (a gateway's default scope for gateway-only VirtualServices).
//
// A DNS service (a ServiceEntry with resolution DNS or DNS_ROUND_ROBIN) carries its endpoints
// inline in the cluster instead of EDS, and pilot does not build a DNS cluster without
// endpoints (buildDefaultCluster: "cluster without endpoints"): its subset cluster is never
// sent, so the route names a cluster Envoy does not have, 503 NC (cluster_not_found). A DNS
// ServiceEntry without endpoints has one endpoint per host, the host itself, with no labels:
// any subset with labels selects nothing there.
//
// Judged only where the world shows the service's endpoints at all (EndpointSlices or
// Endpoints of a Service, ServiceEntry endpoints or selected workloads): manifests without
// endpoint objects say nothing about which pods run. Endpoints that carry the labels but are
// not ready count as matching (they join the assignment once ready); terminating ones do not
// (they are leaving). Which endpoints are terminating is the release's reading of the
// EndpointSlice conditions (1.31 reads not-ready without `terminating` as terminating), so
// `--istio-version` can change the outcome.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "mesh_util.h"
#include "meshward/rules/registry.h"
#include "meshward/translate/names.h"
#include "meshward/translate/proxy.h"
#include "meshward/translate/registry.h"
#include "meshward/translate/translate.h"
#include "meshward/world/facts.h"
#include "meshward/world/host.h"
#include "meshward/world/selector.h"

namespace meshward::rules {
namespace {

constexpr RuleInfo kInfo{"MW2116", "virtualservice-subset-no-endpoints", Family::Mesh,
                         Severity::Error,
                         "A VirtualService routes to a DestinationRule subset whose labels match "
                         "no endpoint of the service (503 UH: the subset cluster's EDS is empty; "
                         "503 NC for a DNS ServiceEntry: the subset cluster is not sent)",
                         "IST0173"};

// What the translator's EDS reads (mesh_util.h).
constexpr KindSet kTranslatorReads = mesh::kEndpointTranslatorReads;

// Endpoint health as the registry gives it (MeshEndpoint::health).
constexpr std::uint32_t kDraining = 3;
constexpr std::uint32_t kTerminating = 4;

// The clients judged, one Scope per (proxy type, namespace), built on first use, each with the
// endpoints its subset routes asked for. One evaluation shares them across all its subjects:
// the routes of every VirtualService of a namespace to one service port cost one endpoint
// collection, and only the services those routes reach are ever converted (nothing is
// computed for the rest of the world). Shared answers are the ones each route would compute
// (the Scope's and the Registry's answers depend only on the world, the options and the proxy),
// so a subject's findings still come from lookups alone.
class Clients {
 public:
  explicit Clients(const translate::Registry& registry) : registry_(registry) {}

  struct Client {
    std::unique_ptr<translate::Scope> scope;
    // Registry::endpoints(service, port) per (service hostname, port name): a Scope gives one
    // service per hostname (memoized), so the key names the same service every time.
    std::map<std::pair<std::string, std::string>,
             std::shared_ptr<const std::vector<translate::MeshEndpoint>>>
        endpoints;
  };

  Client& get(translate::Proxy::Type type, const std::string& ns) {
    Client& slot = clients_[{type, ns}];
    if (!slot.scope) {
      translate::Proxy proxy;
      proxy.type = type;
      proxy.namespace_ = ns;
      slot.scope = std::make_unique<translate::Scope>(registry_, proxy);  // keeps its own copy
    }
    return slot;
  }

  const std::vector<translate::MeshEndpoint>& endpoints(Client& client,
                                                        const translate::MeshService& service,
                                                        const translate::MeshServicePort& port) {
    auto [it, added] = client.endpoints.try_emplace({service.hostname, port.name});
    if (added) {
      // From the run's EndpointCache when it has one (admission: shared by every review
      // against the same world that changes no endpoint source).
      it->second = registry_.shared_endpoints(service, port);
    }
    return *it->second;
  }

 private:
  const translate::Registry& registry_;
  std::map<std::pair<translate::Proxy::Type, std::string>, Client> clients_;
};

// "version=v3, app=reviews".
std::string render_labels(const model::Labels& labels) {
  std::vector<std::string> parts;
  for (const auto& [k, v] : labels) {
    parts.push_back(k + "=" + v);
  }
  return mesh::join(parts, ", ");
}

// What the endpoints carry for the subset's label keys: "version v1, v2" per key, or "no
// version label".
std::string describe_endpoint_labels(const model::Labels& subset,
                                     const std::vector<translate::MeshEndpoint>& endpoints) {
  std::vector<std::string> parts;
  for (const auto& [key, value] : subset) {
    std::set<std::string> values;
    for (const translate::MeshEndpoint& ep : endpoints) {
      if (const auto it = ep.labels.find(key); it != ep.labels.end()) {
        values.insert(it->second);
      }
    }
    if (values.empty()) {
      parts.push_back("no " + key + " label");
    } else {
      parts.push_back(key + " " + mesh::join({values.begin(), values.end()}, ", "));
    }
  }
  return mesh::join(parts, "; ");
}

// The DestinationRule (of those pilot merged) whose spec defines `subset`.
const model::DestinationRule* defining_rule(const translate::AppliedDestinationRule& applied,
                                            std::string_view subset) {
  for (const model::DestinationRule* dr : applied.merged) {
    for (const model::Subset& s : dr->spec.subsets) {
      if (s.name.present && *s.name == subset) {
        return dr;
      }
    }
  }
  return applied.rule;
}

// One port whose subset cluster is empty although the service has endpoints there.
struct EmptyCluster {
  std::string name;                                       // outbound|<port>|<subset>|<host>
  const std::vector<translate::MeshEndpoint>* endpoints;  // the service's endpoints on the port
  std::size_t terminating_matches = 0;  // endpoints with the labels, but leaving
};

bool is_dns(const translate::MeshService& service) {
  return service.resolution == translate::Resolution::DnsLb ||
         service.resolution == translate::Resolution::DnsRoundRobinLb;
}

// Whether the proxy gets cluster `name` of DNS service `host` (the translator drops a DNS
// cluster whose inline endpoints would be empty, as pilot does).
bool dns_cluster_sent(const translate::Scope& scope, const std::string& host,
                      const std::string& name) {
  const std::vector<translate::Cluster> clusters =
      translate::build_clusters_for_hosts(scope, {host});
  return std::any_of(clusters.begin(), clusters.end(),
                     [&](const translate::Cluster& c) { return c.name == name; });
}

void check(const Context& ctx, Sink& out) {
  const translate::Registry registry(ctx.translator_view(kTranslatorReads),
                                     ctx.translate_options(), ctx.endpoint_cache());
  Clients clients(registry);

  ctx.each<model::VirtualService>([&](const model::VirtualService& vs) {
    const std::string& ns = vs.meta.namespace_;
    // Sidecars in the VirtualService's namespace are its usual clients; a VirtualService bound
    // only to gateways is read by gateway proxies, whose scope ignores Sidecar resources.
    const std::vector<std::string> refs = world::bound_gateways(vs);
    const bool mesh_bound =
        std::find(refs.begin(), refs.end(), std::string(world::kMeshGateway)) != refs.end();
    const auto type =
        mesh_bound ? translate::Proxy::Type::Sidecar : translate::Proxy::Type::Gateway;

    mesh::for_each_destination(vs, [&](const model::Destination& dest,
                                       const mesh::DestinationSite& site) {
      if (!dest.subset.present || dest.subset->empty() || !dest.host.present) {
        return;
      }
      const std::string host = world::resolve_short_name(*dest.host, ns);
      if (host.empty() || world::is_wildcard(host)) {
        return;
      }
      Clients::Client& client = clients.get(type, ns);
      const translate::Scope& scope = *client.scope;
      // The Scope's memoized answers, by pointer (valid while the Scope lives): no copies.
      const translate::MeshService* service = scope.find_service(host);
      // No service (MW2102), or no endpoints of its own (passthrough and alias services):
      // nothing to say here.
      if (!service || (service->resolution != translate::Resolution::ClientSideLb &&
                       !is_dns(*service))) {
        return;
      }
      const bool dns = is_dns(*service);
      const translate::AppliedDestinationRule* rule = scope.find_destination_rule(*service);
      const model::Subset* subset = rule ? rule->find_subset(*dest.subset) : nullptr;
      if (subset == nullptr) {
        return;  // no such subset cluster at all: MW2101
      }
      const model::Labels labels = world::to_labels(subset->labels);
      if (labels.empty()) {
        return;  // selects every endpoint the service has
      }

      // The ports the route's cluster can be on: the destination port, else every port (a
      // sidecar builds the route once per listener port of the service).
      std::vector<const translate::MeshServicePort*> ports;
      if (dest.port && dest.port->number.present) {
        const translate::MeshServicePort* p = service->find_port(*dest.port->number);
        if (p == nullptr) {
          return;  // MW2103
        }
        ports.push_back(p);
      } else {
        for (const translate::MeshServicePort& p : service->ports) {
          if (p.protocol != translate::Protocol::Udp) {
            ports.push_back(&p);
          }
        }
      }

      std::vector<EmptyCluster> empty;
      for (const translate::MeshServicePort* port : ports) {
        const std::vector<translate::MeshEndpoint>& endpoints =
            clients.endpoints(client, *service, *port);
        if (endpoints.empty()) {
          continue;  // the world shows no endpoint for this port: nothing to compare with
        }
        std::size_t live = 0;
        std::size_t leaving = 0;
        for (const translate::MeshEndpoint& ep : endpoints) {
          if (world::selector_matches(labels, ep.labels)) {
            ++(ep.health == kTerminating || ep.health == kDraining ? leaving : live);
          }
        }
        // Matching endpoints that are not ready yet: the assignment fills when they are; a
        // rollout in progress, not a configuration mistake. (Asked first: it is cheap, and a
        // subset with live endpoints is the common case, so the EDS is built only to confirm
        // a finding.)
        if (live > 0) {
          continue;
        }
        const std::string name =
            translate::outbound_cluster_name(port->port, *dest.subset, service->hostname);
        if (dns ? dns_cluster_sent(scope, service->hostname, name)
                : translate::build_endpoints(scope, name).endpoint_count() > 0) {
          continue;
        }
        empty.push_back({name, &endpoints, leaving});
      }
      if (empty.empty()) {
        return;
      }

      const EmptyCluster& first = empty.front();
      const model::DestinationRule* dr = defining_rule(*rule, *dest.subset);
      std::string why = "subset " + *dest.subset + " of DestinationRule " +
                        (dr != nullptr ? mesh::full_name(*dr) : std::string("?")) + " selects " +
                        render_labels(labels) + ", which ";
      const std::size_t total = first.endpoints->size();
      if (first.terminating_matches > 0) {
        // Name what the endpoints that stay carry: the labels the subset could select instead.
        std::vector<translate::MeshEndpoint> staying;
        for (const translate::MeshEndpoint& ep : *first.endpoints) {
          if (ep.health != kTerminating && ep.health != kDraining) {
            staying.push_back(ep);
          }
        }
        why += "only terminating endpoints carry (" + std::to_string(first.terminating_matches) +
               " of the service's " + std::to_string(total) +
               "; terminating endpoints never enter EDS";
        why += staying.empty() ? std::string(")")
                               : "; the others have " +
                                     describe_endpoint_labels(labels, staying) + ")";
      } else {
        why += "none of the service's " + std::to_string(total) +
               (total == 1 ? " endpoint" : " endpoints") + " carries (they have " +
               describe_endpoint_labels(labels, *first.endpoints) + ")";
      }
      std::string clusters = "cluster " + first.name;
      if (empty.size() > 1) {
        clusters += " (and " + std::to_string(empty.size() - 1) + " other port" +
                    (empty.size() > 2 ? "s" : "") + " of the service)";
      }
      const std::string eds =
          dns ? clusters + " is never sent: istiod builds no DNS cluster without endpoints (" +
                    (service->source != nullptr ? "ServiceEntry " + mesh::full_name(*service->source)
                                                : host) +
                    " resolves by DNS: its endpoints go inline in the cluster), and " + why
              : "the EDS ClusterLoadAssignment of " + clusters + " is empty: " + why;

      std::string message;
      if (site.block != mesh::DestinationSite::Block::Http) {
        message = std::string(site.block == mesh::DestinationSite::Block::Tls ? "TLS" : "TCP") +
                  " connections to " + host +
                  (dns ? " are closed (cluster not found): " : " are closed (UH, no healthy upstream): ") +
                  eds;
      } else if (site.mirror) {
        message = "mirrored requests to " + host +
                  (dns ? " are dropped (cluster not found): " : " are dropped (no healthy upstream): ") +
                  eds;
      } else {
        message = "requests to " + host + mesh::describe_match(*site.http) +
                  (dns ? " get 503 NC (cluster_not_found): " : " get 503 UH (no_healthy_upstream): ") +
                  eds;
      }
      out.report(kInfo, vs, dest.subset.loc, std::move(message));
    });
  });
}

}  // namespace

MESHWARD_REGISTER_RULE(mesh_rule(kInfo, kTranslatorReads, &check));

}  // namespace meshward::rules
