// A relative patch (INSERT_BEFORE, INSERT_AFTER, REPLACE, REMOVE) in an EnvoyFilter without a
// priority: it depends on objects other EnvoyFilters may add, move or remove, and filters of
// equal priority apply in creation order, so the result changes with the order objects were
// created (e.g. after a restore or a re-install). Mirrors istioctl analyze IST0151
// EnvoyFilterUsesRelativeOperation (pkg/config/analysis/analyzers/envoyfilter/envoyfilter.go);
// the proxyVersion variant is MW4112 (IST0155), which is reported instead when it applies.

#include <cstddef>
#include <string>

#include "envoyfilter_util.h"
#include "meshward/model/kinds/envoy_filter.h"
#include "meshward/rules/registry.h"

namespace meshward::rules {
namespace {

constexpr RuleInfo kInfo{"MW4111", "envoyfilter-relative-operation-without-priority",
                         Family::Extension, Severity::Warning,
                         "An EnvoyFilter with priority 0 uses a relative patch operation "
                         "(INSERT_BEFORE, INSERT_AFTER, REPLACE or REMOVE)",
                         "IST0151"};

void check(const Context& ctx, Sink& out) {
  for_each_relative_patch_without_priority(ctx, [&](const model::EnvoyFilter& ef,
                                                    const model::EnvoyConfigObjectPatch& cp,
                                                    const std::string& name, std::size_t others) {
    if (!name.empty() && others > 0) {
      return;  // MW4112
    }
    out.report(kInfo, ef, cp.patch->operation.loc,
               "relative operation " +
                   std::string(model::enum_name(cp.patch->operation.value)) +
                   " in an EnvoyFilter without priority: its result depends on the order "
                   "EnvoyFilters were created; set spec.priority (or use ADD, INSERT_FIRST or "
                   "MERGE)");
  });
}

}  // namespace

MESHWARD_REGISTER_RULE(mesh_rule(kInfo, KindSet{Kind::EnvoyFilter}, &check));

}  // namespace meshward::rules
