// Two DestinationRules in one namespace for the same host (both without workloadSelector, or
// with equal selectors, and the same exportTo). pilot merges them into the oldest
// (mergeDestinationRule, istio-translation.md §8.4): subsets are concatenated with duplicate
// names dropped, and the top-level trafficPolicy of the first rule that has one is kept, so
// the newer rule's trafficPolicy (TLS mode, load balancing, connection pool, outlier
// detection: everything on the outbound|<port>||<host> cluster) and its duplicate subsets are
// silently lost. Reported on the newer rule, at each lost field; a merge that loses nothing is
// not reported.

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "mesh_util.h"
#include "meshward/rules/registry.h"
#include "meshward/world/facts.h"

namespace meshward::rules {
namespace {

using model::Kind;

constexpr RuleInfo kInfo{"MW2109", "destinationrule-host-conflict", Family::Mesh,
                         Severity::Warning,
                         "Two DestinationRules in one namespace for the same host are merged and "
                         "the newer one's trafficPolicy or subsets are lost",
                         ""};

// With the mesh's defaults: istiod compares the exportTo sets it computed (initDestinationRules).
std::vector<std::string> sorted_export(const Context& ctx, const model::Object& o) {
  auto v = world::export_to(o, ctx.translate_options().mesh.exports);
  std::sort(v.begin(), v.end());
  return v;
}

bool same_selector(const model::DestinationRule& a, const model::DestinationRule& b) {
  if (a.spec.workload_selector.has_value() != b.spec.workload_selector.has_value()) {
    return false;
  }
  if (!a.spec.workload_selector) {
    return true;
  }
  return mesh::render_selector(a.spec.workload_selector->match_labels) ==
         mesh::render_selector(b.spec.workload_selector->match_labels);
}

void check(const Context& ctx, Sink& out) {
  ctx.each<model::DestinationRule>([&](const model::DestinationRule& rule) {
    const model::DestinationRule* b = &rule;
    if (!b->spec.host.present) {
      return;
    }
    const std::string host = mesh::dr_host(*b);
    // The rules b merges into, oldest first: older rules with the same host (by_host lists
    // in stable order, so they come before b).
    std::vector<const model::DestinationRule*> earlier;
    for (const model::Object* o : ctx.by_host(Kind::DestinationRule, host)) {
      if (o == b) {
        break;
      }
      const auto* a = o->as<model::DestinationRule>();
      if (a != nullptr && a->spec.host.present && a->meta.namespace_ == b->meta.namespace_ &&
          mesh::dr_host(*a) == host && same_selector(*a, *b) &&
          sorted_export(ctx, *a) == sorted_export(ctx, *b)) {
        earlier.push_back(a);
      }
    }
    if (earlier.empty()) {
      return;
    }
    const std::string into = mesh::full_name(*earlier.front());
    if (b->spec.traffic_policy) {
      for (const model::DestinationRule* a : earlier) {
        if (a->spec.traffic_policy) {
          out.report(kInfo, *b, b->spec.traffic_policy->loc,
                     "merged into DestinationRule " + into + " (older, same host " + host +
                         "): its trafficPolicy is dropped because " + mesh::full_name(*a) +
                         " already has one, so clusters such as outbound|<port>||" + host +
                         " never get these settings; move them into " + mesh::full_name(*a));
          break;
        }
      }
    }
    std::set<std::string> names;
    for (const model::DestinationRule* a : earlier) {
      for (const model::Subset& s : a->spec.subsets) {
        if (s.name.present) {
          names.insert(*s.name);
        }
      }
    }
    for (const model::Subset& s : b->spec.subsets) {
      if (s.name.present && names.count(*s.name) != 0) {
        out.report(kInfo, *b, s.name.loc,
                   "merged into DestinationRule " + into + " (older, same host " + host +
                       "): subset " + *s.name + " is already defined there, so this "
                       "definition (labels, trafficPolicy) is dropped and cluster outbound|<port>|" +
                       *s.name + "|" + host + " uses the older one");
      }
    }
  });
}

}  // namespace

MESHWARD_REGISTER_RULE(mesh_rule(kInfo, KindSet{Kind::DestinationRule}, &check));

}  // namespace meshward::rules
