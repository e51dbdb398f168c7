// Two VirtualServices claim the same host for the same proxies.
// - Bound to `mesh`: each sidecar builds one vhost per host and port; the first VirtualService
//   in precedence order (the client namespace's own, then exported to it, then public; each
//   group oldest first) wins and the later one's routes for that host are dropped
//   (`pilot_vservice_dup_domain`; istio-translation.md §3.2, §8.3). Only sidecars of a
//   namespace that sees both are affected: pilot indexes VirtualServices per exportTo scope
//   (push_context.go initVirtualServices: private per namespace, exported per target
//   namespace, public) and SelectVirtualServices reads the proxy namespace's three lists, so
//   two VirtualServices whose exportTo never meet (each `.` in its own namespace) are two
//   independent local rules, not a conflict. A private one and a public one do meet in the
//   private one's namespace: there the private one wins and the public one is dropped for
//   that namespace's clients, which istioctl analyze also reports (IST0109
//   ConflictingMeshGatewayVirtualServiceHosts: scoped hosts are compared with the hosts
//   exported to all namespaces). The message names the namespaces that see both and which
//   one each of them uses.
// - Bound to the same Gateway: pilot concatenates the routes of all VirtualServices for the
//   host and moves catch-all routes last (SortVHostRoutes), so both work unless both end in a
//   catch-all: the newer one's catch-all is never reached.

#include <algorithm>
#include <set>
#include <string>
#include <string_view>
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

// Where `vs` sits in the precedence order of the sidecars of namespace `ns`
// (SelectVirtualServices reads privateByNamespaceAndGateway, exportedToNamespaceByGateway,
// publicByGateway in that order; initVirtualServices files a VirtualService by its exportTo).
enum class Group : int { Private = 0, Exported = 1, Public = 2 };

Group precedence_group(const model::VirtualService& vs, std::string_view ns) {
  bool any = false;
  bool is_public = false;
  bool named = false;
  for (const auto& e : vs.spec.export_to) {
    any = true;
    is_public = is_public || e.value == "*";
    named = named || e.value == ns || (e.value == "." && ns == vs.meta.namespace_);
  }
  if (!any || is_public) {
    return Group::Public;
  }
  // visible_to() was checked by the caller, so `named` holds here.
  return ns == vs.meta.namespace_ && named ? Group::Private : Group::Exported;
}

std::string describe_group(Group g, std::string_view ns) {
  switch (g) {
    case Group::Private:
      return "private to " + std::string(ns);
    case Group::Exported:
      return "exported to " + std::string(ns) + " by name";
    case Group::Public:
      break;
  }
  return "public";
}

std::string describe_groups_after(Group g) {
  switch (g) {
    case Group::Private:
      break;
    case Group::Exported:
      return "VirtualServices exported to it by name";
    case Group::Public:
      return "public VirtualServices";
  }
  return "";
}

// Stands for every namespace that neither VirtualService names in its exportTo: there only
// public VirtualServices are seen.
constexpr std::string_view kOtherNamespaces = "\x01other";

// The namespaces whose sidecars see both `older` and `newer`, grouped by the one they use,
// as message clauses. Candidates are the two own namespaces, every namespace an exportTo
// names, and one stand-in for all the others (reached only by two public VirtualServices).
struct Overlap {
  std::vector<std::string> namespaces;  // who sees both ("every other namespace" last)
  std::vector<std::string> clauses;     // "in <nss>, <whose routes are used> (<why>)"
};

Overlap overlap(const Context& ctx, const model::VirtualService& older,
                const model::VirtualService& newer) {
  std::set<std::string> named{older.meta.namespace_, newer.meta.namespace_};
  for (const auto* vs : {&older, &newer}) {
    for (const auto& e : vs->spec.export_to) {
      if (!e.value.empty() && e.value != "." && e.value != "*" && e.value != "~") {
        named.insert(e.value);
      }
    }
  }
  std::vector<std::string> candidates(named.begin(), named.end());
  candidates.emplace_back(kOtherNamespaces);  // listed last in messages

  // One clause per (which one wins, why), with the namespaces it holds for.
  struct Clause {
    bool older_wins;
    std::string why;
    std::vector<std::string> namespaces;
  };
  std::vector<Clause> clauses;
  Overlap out;
  bool everywhere = true;
  for (const std::string& ns : candidates) {
    if (!ctx.visible_to(older, ns) || !ctx.visible_to(newer, ns)) {
      everywhere = false;
      continue;
    }
    const std::string label = ns == kOtherNamespaces ? "every other namespace" : ns;
    out.namespaces.push_back(label);
    const Group go = precedence_group(older, ns);
    const Group gn = precedence_group(newer, ns);
    // Same group: creation time decides, and `older` comes first in by_host's stable order.
    const bool older_wins = static_cast<int>(go) <= static_cast<int>(gn);
    const model::VirtualService& winner = older_wins ? older : newer;
    const Group gw = older_wins ? go : gn;
    const Group gl = older_wins ? gn : go;
    const std::string why =
        gw == gl ? "both " + describe_group(gw, ns) + ", " + mesh::full_name(winner) + " is older"
                 : mesh::full_name(winner) + " is " + describe_group(gw, ns) + ", ahead of " +
                       describe_groups_after(gl);
    auto it = std::find_if(clauses.begin(), clauses.end(), [&](const Clause& c) {
      return c.older_wins == older_wins && c.why == why;
    });
    if (it == clauses.end()) {
      clauses.push_back({older_wins, why, {}});
      it = clauses.end() - 1;
    }
    it->namespaces.push_back(label);
  }
  if (everywhere) {
    out.namespaces = {"every namespace"};
  }
  for (const Clause& c : clauses) {
    const std::string where = everywhere ? "everywhere" : "in " + mesh::join(c.namespaces, ", ");
    out.clauses.push_back(where + ", " +
                          (c.older_wins ? mesh::full_name(older) +
                                              "'s routes are used and this one's dropped"
                                        : "this one's routes are used and " +
                                              mesh::full_name(older) + "'s dropped") +
                          " (" + c.why + ")");
  }
  return out;
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
          if (std::find(a_refs.begin(), a_refs.end(), ref) == a_refs.end()) {
            continue;
          }
          if (mesh_ref) {
            // Sidecars of a namespace meet both only when both are exported to it.
            const Overlap o = overlap(ctx, a, b);
            if (o.namespaces.empty()) {
              continue;
            }
            out.report(kInfo, b, h.loc,
                       "VirtualService " + mesh::full_name(a) + " (older) also claims host " +
                           host + " for sidecars (mesh), and sidecars in " +
                           mesh::join(o.namespaces, ", ") +
                           " see both; each builds one vhost " + host +
                           ":<port> from the first in precedence and drops the other's "
                           "routes: " +
                           mesh::join(o.clauses, "; ") +
                           "; merge them into one VirtualService, or narrow exportTo so that "
                           "no namespace sees both");
            break;
          }
          if (!share_a_namespace(ctx, a, b)) {
            continue;
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
