// A relative patch (INSERT_BEFORE, INSERT_AFTER, REPLACE, REMOVE) in an EnvoyFilter without a
// priority, on a filter that another patch selects by proxyVersion. During an upgrade the
// versioned patch stops (or starts) matching, the relative patch then finds a different
// neighbour or none, and proxies of the two versions end up with different filter chains.
// Mirrors istioctl analyze IST0155 EnvoyFilterUsesRelativeOperationWithProxyVersion
// (pkg/config/analysis/analyzers/envoyfilter/envoyfilter.go); Istio compares the filter names
// in analysis order, this check compares every other patch with a non-empty name.

#include <cstddef>
#include <string>

#include "envoyfilter_util.h"
#include "meshward/model/kinds/envoy_filter.h"
#include "meshward/rules/registry.h"

namespace meshward::rules {
namespace {

constexpr RuleInfo kInfo{"MW4112", "envoyfilter-relative-operation-with-proxy-version",
                         Family::Extension, Severity::Warning,
                         "An EnvoyFilter with priority 0 uses a relative patch operation on a "
                         "filter another patch selects by proxyVersion",
                         "IST0155"};

void check(const Context& ctx, Sink& out) {
  for_each_relative_patch_without_priority(ctx, [&](const model::EnvoyFilter& ef,
                                                    const model::EnvoyConfigObjectPatch& cp,
                                                    const std::string& name, std::size_t others) {
    if (name.empty() || others == 0) {
      return;  // MW4111 (or nothing to compare with)
    }
    out.report(kInfo, ef, cp.patch->operation.loc,
               "relative operation " +
                   std::string(model::enum_name(cp.patch->operation.value)) + " on \"" + name +
                   "\" in an EnvoyFilter without priority, while another patch on that filter "
                   "is restricted by proxyVersion: an upgrade can change what this patch is "
                   "relative to; set spec.priority");
  });
}

}  // namespace

MESHWARD_REGISTER_RULE(mesh_rule(kInfo, KindSet{Kind::EnvoyFilter}, &check));

}  // namespace meshward::rules
