// A DestinationRule's `localityLbSetting.distribute` sends the clients of one locality only to
// localities where the host has no endpoint. istiod's applyLocalityWeights (loadbalancer.go)
// gives each locality group of the cluster's EDS its share of the `to` weights and empties the
// groups no `to` entry names; when no group is named, a client in `from` gets an assignment with
// no endpoint at all: Envoy answers 503 UH (no_healthy_upstream) to every request from that
// locality, while clients elsewhere are fine. A typo in a region name (`us-east1/*` for
// `us-east-1/*`), or moving the workloads before the rule, does it.
//
// Judged with the translator's own EDS: the cluster as a client in `from` gets it, against the
// same cluster for a client in no named locality (which distribute leaves alone). The finding
// needs the second to have endpoints and the first none — so a subset no endpoint carries
// (MW2116) or a port-level or subset policy that overrides the entry says nothing here — and
// every endpoint's region to be known: the world has no Nodes, so an endpoint's locality is
// known only from its Pod's `istio-locality` (or topology) labels or its WorkloadEntry; an
// endpoint without one may run anywhere. The client is a sidecar in the DestinationRule's
// namespace, judged only when the rule is the one that applies to it; a `from` of `*` matches
// every client, the reference one included, and is not judged.

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "mesh_util.h"
#include "meshward/core/text.h"
#include "meshward/rules/registry.h"
#include "meshward/translate/names.h"
#include "meshward/translate/proxy.h"
#include "meshward/translate/registry.h"
#include "meshward/translate/translate.h"
#include "meshward/world/host.h"

namespace meshward::rules {
namespace {

constexpr RuleInfo kInfo{"MW2119", "destinationrule-distribute-no-endpoints", Family::Mesh,
                         Severity::Warning,
                         "A DestinationRule localityLbSetting.distribute sends the clients of a "
                         "locality only to localities where the host has no endpoint (503 UH "
                         "for every request from there)",
                         ""};

// What the translator's EDS reads (mesh_util.h).
constexpr KindSet kTranslatorReads = mesh::kEndpointTranslatorReads;

// A locality no `from` names but `*`: the reference client, which distribute leaves alone.
constexpr const char* kNoNamedLocality = "~";

// One distribute entry and the clusters it may shape: every port's (`port` 0) or one port's,
// the default cluster or one subset's.
struct DistributeSite {
  const model::LocalityLbDistribute* entry;
  std::uint32_t port;   // 0: every port
  std::string subset;   // "": the default cluster
};

void collect(const model::TrafficPolicy& tp, const std::string& subset,
             std::vector<DistributeSite>& out) {
  const auto add = [&](const model::Optional<model::LoadBalancerSettings>& lb,
                       std::uint32_t port) {
    if (lb && lb->locality_lb_setting) {
      for (const model::LocalityLbDistribute& entry : lb->locality_lb_setting->distribute) {
        out.push_back({&entry, port, subset});
      }
    }
  };
  add(tp.load_balancer, 0);
  for (const model::PortTrafficPolicy& p : tp.port_level_settings) {
    if (p.port && p.port->number.present) {
      add(p.load_balancer, *p.port->number);
    }
  }
}

// The client locality that `from` names: its parts, a `*` left empty (which `*` matches);
// empty when it names no part (`*`, `*/*`).
std::string client_locality(std::string_view from) {
  std::string out;
  for (std::size_t start = 0;;) {
    const std::size_t slash = from.find('/', start);
    const std::string_view part = from.substr(start, slash - start);
    if (start > 0) {
      out += '/';
    }
    if (part != "*") {
      out += part;
    }
    if (slash == std::string_view::npos) {
      break;
    }
    start = slash + 1;
  }
  return out.find_first_not_of('/') == std::string::npos ? std::string() : out;
}

translate::Proxy sidecar(const std::string& ns, std::string locality) {
  translate::Proxy proxy;
  proxy.type = translate::Proxy::Type::Sidecar;
  proxy.namespace_ = ns;
  proxy.locality = std::move(locality);
  return proxy;
}

// Whether `applied` (the rule a client gets for the host) is, or merges, `dr`.
bool applies(const translate::AppliedDestinationRule* applied, const model::DestinationRule& dr) {
  if (applied == nullptr) {
    return false;
  }
  for (const model::DestinationRule* d : applied->merged) {
    if (d == &dr) {
      return true;
    }
  }
  return applied->rule == &dr;
}

void check(const Context& ctx, Sink& out) {
  // Built for the first rule with a distribute entry: most worlds have none.
  std::optional<translate::Registry> registry_slot;
  ctx.each<model::DestinationRule>([&](const model::DestinationRule& dr) {
    std::vector<DistributeSite> sites;
    if (dr.spec.traffic_policy) {
      collect(*dr.spec.traffic_policy, "", sites);
    }
    for (const model::Subset& s : dr.spec.subsets) {
      if (s.traffic_policy && s.name.present) {
        collect(*s.traffic_policy, *s.name, sites);
      }
    }
    if (sites.empty()) {
      return;
    }
    const std::string host = mesh::dr_host(dr);
    if (host.empty() || world::is_wildcard(host)) {
      return;
    }
    if (!registry_slot) {
      registry_slot.emplace(ctx.translator_view(kTranslatorReads), ctx.translate_options(),
                            ctx.endpoint_cache());
    }
    const translate::Registry& registry = *registry_slot;
    const std::string& ns = dr.meta.namespace_;
    const translate::Scope reference(registry, sidecar(ns, kNoNamedLocality));
    const translate::MeshService* service = reference.find_service(host);
    if (service == nullptr || service->resolution != translate::Resolution::ClientSideLb ||
        !applies(reference.find_destination_rule(*service), dr)) {
      return;
    }
    for (const DistributeSite& site : sites) {
      const model::LocalityLbDistribute& entry = *site.entry;
      if (!entry.from.present || entry.from->empty() || client_locality(*entry.from).empty()) {
        continue;  // `*`: every client, the reference one too
      }
      const translate::Scope client(registry, sidecar(ns, client_locality(*entry.from)));
      for (const translate::MeshServicePort& port : service->ports) {
        if (port.protocol == translate::Protocol::Udp || (site.port != 0 && port.port != site.port)) {
          continue;
        }
        const std::string name =
            translate::outbound_cluster_name(port.port, site.subset, service->hostname);
        const translate::ClusterLoadAssignment usual = translate::build_endpoints(reference, name);
        if (usual.endpoint_count() == 0) {
          continue;  // nothing to lose (MW2116's case, or no endpoints in the world)
        }
        std::set<std::string> localities;
        bool all_known = true;
        for (const translate::LocalityLbEndpoints& group : usual.endpoints) {
          if (group.lb_endpoints.empty()) {
            continue;
          }
          all_known = all_known && !group.locality.region.empty();
          localities.insert(group.locality.text());
        }
        if (!all_known) {
          continue;  // an endpoint may run in a named locality: its Node would say
        }
        if (translate::build_endpoints(client, name).endpoint_count() > 0) {
          continue;
        }
        std::vector<std::string> to;
        for (const auto& [locality, weight] : entry.to) {
          to.push_back(locality + " (" + std::to_string(weight.value) + ")");
        }
        const std::size_t count = usual.endpoint_count();
        std::string message =
            "requests from clients in " + *entry.from + " to " + host + " get 503 UH "
            "(no_healthy_upstream): distribute sends them only to " +
            (to.empty() ? std::string("no locality") : meshward::join(to, ", ")) +
            ", where none of the " + std::to_string(count) +
            (count == 1 ? " endpoint" : " endpoints") + " of cluster " + name + " runs (" +
            (count == 1 ? "it is" : "they are") + " in " +
            meshward::join({localities.begin(), localities.end()}, ", ") +
            "); EDS leaves that cluster empty for them";
        out.report(kInfo, dr, entry.loc, std::move(message));
        break;  // one finding per entry: the other ports say the same
      }
    }
  });
}

}  // namespace

MESHWARD_REGISTER_RULE(mesh_rule(kInfo, kTranslatorReads, &check));

}  // namespace meshward::rules
