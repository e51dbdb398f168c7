// Two VirtualServices claim the same host for the same proxies.
// - Bound to `mesh`: each sidecar builds one vhost per host and port; the first VirtualService
//   in precedence order (the client namespace's own, then exported to it, then public; each
//   group oldest first) wins and the later one's routes for that host are dropped
//   (`pilot_vservice_dup_domain`; istio-translation.md §3.2, §8.3). istioctl analyze: IST0109
//   ConflictingMeshGatewayVirtualServiceHosts.
// - Bound to the same Gateway: pilot concatenates the routes of all VirtualServices for the
//   host and moves catch-all routes last (SortVHostRoutes), so both work unless both end in a
//   catch-all: the newer one's catch-all is never reached.

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "mesh_util.h"
#include "meshward/rules/registry.h"
#include "meshward/world/facts.h"
#include "meshward/world/host.h"

namespace meshward::rules {
namespace {

using model::Kind;

constexpr RuleInfo kInfo{"MW2107", "virtualservice-host-conflict", Family::Mesh,
                         Severity::Error,
                         "Two VirtualServices claim the same host for the same gateway or mesh "
                         "(only the first one's routes are used)",
                         "IST0109"};
constexpr RuleInfo kInfoGateway{kInfo.code,     kInfo.name,        kInfo.family,
                                kInfo.severity, kInfo.description, ""};

// Whether some namespace sees both VirtualServices.
bool share_a_namespace(const Context& ctx, const model::VirtualService& a,
                       const model::VirtualService& b) {
  std::set<std::string> candidates{a.meta.namespace_, b.meta.namespace_,
                                   "\x01any-other-namespace"};
  for (const auto* vs : {&a, &b}) {
    for (const auto& e : vs->spec.export_to) {
      if (e.present && e.value != "." && e.value != "*" && e.value != "~") {
        candidates.insert(e.value);
      }
    }
  }
  for (const std::string& ns : candidates) {
    if (ctx.visible_to(a, ns) && ctx.visible_to(b, ns)) {
      return true;
    }
  }
  return false;
}

// pilot's isCatchAllRoute for an HTTP route: no match, or a match of only uri prefix "/" or
// regex "*"/".*".
bool is_catch_all(const model::HttpRoute& http) {
  if (http.match.empty()) {
    return true;
  }
  for (const model::HttpMatchRequest& m : http.match) {
    const bool uri_all =
        !m.uri || (m.uri->prefix.present && *m.uri->prefix == "/") ||
        (m.uri->regex.present && (*m.uri->regex == "*" || *m.uri->regex == ".*"));
    if (uri_all && !m.scheme && !m.method && !m.authority && m.headers.empty() &&
        !m.port.present && m.source_labels.empty() && m.gateways.empty() &&
        m.query_params.empty() && m.without_headers.empty() && !m.source_namespace.present) {
      return true;
    }
  }
  return false;
}

const model::HttpRoute* catch_all(const model::VirtualService& vs) {
  for (const model::HttpRoute& http : vs.spec.http) {
    if (is_catch_all(http)) {
      return &http;
    }
  }
  return nullptr;
}

// Whether `vs` claims `host` (a present, non-empty entry of spec.hosts resolving to it).
bool claims(const model::VirtualService& vs, const std::string& host) {
  for (const auto& h : vs.spec.hosts) {
    if (h.present && !h->empty() && world::resolve_short_name(*h, vs.meta.namespace_) == host) {
      return true;
    }
  }
  return false;
}

void check(const Context& ctx, Sink& out) {
  ctx.each<model::VirtualService>([&](const model::VirtualService& b) {
    const std::vector<std::string> refs = world::bound_gateways(b);
    std::set<std::string> hosts;
    for (const auto& h : b.spec.hosts) {
      if (!h.present || h->empty()) {
        continue;
      }
      const std::string host = world::resolve_short_name(*h, b.meta.namespace_);
      if (!hosts.insert(host).second) {
        continue;
      }
      // Earlier (higher-precedence) VirtualServices claiming the host: found by host, oldest
      // first (by_host lists in stable order, so they come before b), instead of comparing
      // every pair.
      std::vector<const model::VirtualService*> earlier;
      for (const model::Object* o : ctx.by_host(Kind::VirtualService, host)) {
        if (o == &b) {
          break;
        }
        const auto* a = o->as<model::VirtualService>();
        if (a != nullptr && claims(*a, host)) {
          earlier.push_back(a);
        }
      }
      if (earlier.empty()) {
        continue;
      }
      for (const std::string& ref : refs) {
        const bool mesh_ref = ref == world::kMeshGateway;
        for (const model::VirtualService* a_ptr : earlier) {
          const model::VirtualService& a = *a_ptr;
          const auto a_refs = world::bound_gateways(a);
          if (std::find(a_refs.begin(), a_refs.end(), ref) == a_refs.end() ||
              !share_a_namespace(ctx, a, b)) {
            continue;
          }
          if (mesh_ref) {
            out.report(kInfo, b, h.loc,
                       "VirtualService " + mesh::full_name(a) + " (older) also claims host " +
                           host + " for sidecars (mesh): sidecars that see both build one vhost " +
                           host + ":<port> from the first in precedence (own namespace, then oldest) "
                           "and drop the other's routes, so clients get " +
                           mesh::full_name(a) + "'s routing, not this one's; merge them into "
                           "one VirtualService");
            break;
          }
          const model::HttpRoute* a_all = catch_all(a);
          const model::HttpRoute* b_all = catch_all(b);
          if (a_all != nullptr && b_all != nullptr) {
            out.report(kInfoGateway, b, b_all->loc,
                       "VirtualService " + mesh::full_name(a) + " (older) also routes host " +
                           host + " on gateway " + ref + " and also ends in a catch-all route: "
                           "the gateway concatenates both into vhost " + host +
                           ":<port> and the older catch-all matches first, so requests this "
                           "route should take go to " + mesh::full_name(a) + "'s destination");
            break;
          }
        }
      }
    }
  });
}

}  // namespace

MESHWARD_REGISTER_RULE(mesh_rule(kInfo, KindSet{Kind::VirtualService}, &check));

}  // namespace meshward::rules
