// A MERGE whose value does not merge into what istiod generated as written. istiod merges a
// MERGE value with protobuf semantics, with special cases that surprise:
//   - a field of another JSON kind than Envoy's (`connect_timeout: {seconds: 5}` where Envoy
//     has a Duration string): the value does not convert to the proto, istiod's webhook rejects
//     it, and without the webhook istiod drops the patch;
//   - a filter typed_config of another type than the filter's: istiod swaps the type URL and
//     re-reads the patch's fields as the filter's type, by field number (listener_patch.go), so
//     the merge is dropped or sets other fields than written;
//   - (a MERGE into a filter without typed_config, which istiod skips, is MW4118's: it changes
//     nothing);
//   - a cluster or filter chain patch that names the generated transport socket: istiod merges
//     into the socket only, and the patch's other fields are ignored (cluster_patch.go).
//
// Judged on what the translator generates for each proxy the EnvoyFilter reaches
// (envoyfilter_proxies.h), through translate::merge_problems: the generated object's JSON is
// the schema the value is compared with.

#include <set>
#include <string>
#include <utility>

#include "../mesh/mesh_util.h"
#include "envoyfilter_proxies.h"
#include "meshward/model/kinds/envoy_filter.h"
#include "meshward/rules/registry.h"

namespace meshward::rules {
namespace {

using extension::describe_proxies;
using extension::kTranslatorReads;
using extension::proxies_reached;
using extension::Translations;

constexpr RuleInfo kInfo{"MW4120", "envoyfilter-merge-value-mismatch", Family::Extension,
                         Severity::Warning,
                         "An EnvoyFilter MERGE value does not fit the object it merges into: a "
                         "field of another type than Envoy's, a filter typed_config of another "
                         "type, or fields ignored beside a transport socket",
                         ""};

bool merges(const model::EnvoyFilter& ef) {
  for (const auto& cp : ef.spec.config_patches) {
    if (cp.patch && cp.patch->operation.value == model::EnvoyFilterPatchOperation::Merge) {
      return true;
    }
  }
  return false;
}

void check(const Context& ctx, Sink& out) {
  Translations translations(ctx);
  ctx.each<model::EnvoyFilter>([&](const model::EnvoyFilter& ef) {
    if (!merges(ef)) {
      return;
    }
    bool hypothetical = false;
    const auto proxies = proxies_reached(ctx, ef, &hypothetical);
    if (!proxies || proxies->empty()) {
      return;
    }
    const model::ObjectKey key = model::key_of(ef);
    std::set<std::pair<std::size_t, std::string>> reported;
    for (const translate::Proxy& p : *proxies) {
      for (const translate::MergeProblem& m : translations.merge_problems(p)) {
        const std::size_t i = m.where.patch.patch_index;
        if (m.where.patch.envoy_filter != key || i >= ef.spec.config_patches.size() ||
            !reported.emplace(i, m.problem).second) {
          continue;
        }
        const auto& cp = ef.spec.config_patches[i];
        const auto& w = m.where;
        out.report(kInfo, ef, cp.patch ? cp.patch->value_loc : cp.loc,
                   std::string(model::enum_name(cp.apply_to.value)) + " MERGE into " + w.object +
                       " of " + w.resource + (w.within.empty() ? "" : " (" + w.within + ")") +
                       " on " + describe_proxies({&p}, hypothetical) + ": " + m.problem);
      }
    }
  });
}

}  // namespace

// Admission re-judges it when an EnvoyFilter changes (or a workload one selects), as MW4118.
MESHWARD_REGISTER_RULE(mesh_rule(kInfo, kTranslatorReads,
                                 KindSet{Kind::EnvoyFilter, Kind::Pod, Kind::WorkloadEntry},
                                 &check));

}  // namespace meshward::rules
