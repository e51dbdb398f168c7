// An EnvoyFilter whose workloadSelector matches no Pod and no WorkloadEntry: in its namespace,
// or in any namespace for an EnvoyFilter in the root namespace (whose filters every proxy
// inherits). istiod gives a proxy the EnvoyFilters of the root namespace and of its own
// namespace whose selector is a subset of its labels (PushContext.getMatchedEnvoyFilters), so
// no proxy receives this one's patches: the listener, route or cluster it means to change stays
// as istiod generates it, with no error anywhere. Judged as MW2111 judges Sidecar and policy
// selectors (the same helper), only when the world holds workloads; an EnvoyFilter without
// selector labels applies to the whole namespace and one attached by targetRefs is not judged
// (meshward does not model the Gateway API targets).

#include <string>

#include "../mesh/mesh_util.h"
#include "meshward/model/kinds/envoy_filter.h"
#include "meshward/rules/registry.h"

namespace meshward::rules {
namespace {

using model::Kind;

constexpr RuleInfo kInfo{"MW4115", "envoyfilter-selector-no-workload", Family::Extension,
                         Severity::Warning,
                         "An EnvoyFilter's workloadSelector matches no Pod or WorkloadEntry (its "
                         "patches apply to no proxy)",
                         ""};

void check(const Context& ctx, Sink& out) {
  if (!mesh::workloads_known(ctx)) {
    return;
  }
  ctx.each<model::EnvoyFilter>([&](const model::EnvoyFilter& ef) {
    const auto empty = mesh::selects_no_workload(ctx, ef);
    if (!empty) {
      return;
    }
    const std::size_t patches = ef.spec.config_patches.size();
    out.report(kInfo, ef, empty->labels->begin()->second.loc,
               "no Pod or WorkloadEntry " + empty->where + " carries " +
                   mesh::render_selector(*empty->labels) + ": this EnvoyFilter's " +
                   (patches == 1 ? std::string("patch applies")
                                 : std::to_string(patches) + " patches apply") +
                   " to no proxy (check the workloadSelector against the workload's labels)");
  });
}

}  // namespace

MESHWARD_REGISTER_RULE(mesh_rule(kInfo, KindSet{Kind::EnvoyFilter, Kind::Pod, Kind::WorkloadEntry},
                                 &check));

}  // namespace meshward::rules
