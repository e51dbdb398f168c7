// An ADD patch with applyTo ROUTE_CONFIGURATION or HTTP_ROUTE: istiod does not add whole route
// configurations or routes this way and ignores the patch, so nothing is added. Mirrors
// istioctl analyze IST0153 EnvoyFilterUsesAddOperationIncorrectly
// (pkg/config/analysis/analyzers/envoyfilter/envoyfilter.go).

#include <string>

#include "meshward/model/kinds/envoy_filter.h"
#include "meshward/rules/registry.h"

namespace meshward::rules {
namespace {

constexpr RuleInfo kInfo{"MW4109", "envoyfilter-add-operation-invalid", Family::Extension,
                         Severity::Error,
                         "An EnvoyFilter uses ADD with applyTo ROUTE_CONFIGURATION or HTTP_ROUTE, "
                         "which istiod ignores",
                         "IST0153"};

using model::EnvoyFilterApplyTo;

void check(const model::EnvoyFilter& ef, Sink& out) {
  for (const model::EnvoyConfigObjectPatch& cp : ef.spec.config_patches) {
    if (!cp.patch || cp.patch->operation.value != model::EnvoyFilterPatchOperation::Add) {
      continue;
    }
    const EnvoyFilterApplyTo a = cp.apply_to.value;
    if (a == EnvoyFilterApplyTo::RouteConfiguration || a == EnvoyFilterApplyTo::HttpRoute) {
      out.report(kInfo, ef, cp.patch->operation.loc,
                 "ADD with applyTo " + std::string(model::enum_name(a)) +
                     " is ignored by istiod: use MERGE to change the existing " +
                     (a == EnvoyFilterApplyTo::HttpRoute ? "route" : "route configuration") +
                     ", or define the route in a VirtualService");
    }
  }
}

}  // namespace

MESHWARD_REGISTER_RULE(resource_rule(kInfo, &check));

}  // namespace meshward::rules
