// A REMOVE patch with applyTo ROUTE_CONFIGURATION or HTTP_ROUTE: istiod ignores it, so the
// route configuration or route stays. Mirrors istioctl analyze IST0154
// EnvoyFilterUsesRemoveOperationIncorrectly
// (pkg/config/analysis/analyzers/envoyfilter/envoyfilter.go).

#include <string>

#include "meshward/model/kinds/envoy_filter.h"
#include "meshward/rules/registry.h"

namespace meshward::rules {
namespace {

constexpr RuleInfo kInfo{"MW4110", "envoyfilter-remove-operation-invalid", Family::Extension,
                         Severity::Error,
                         "An EnvoyFilter uses REMOVE with applyTo ROUTE_CONFIGURATION or "
                         "HTTP_ROUTE, which istiod ignores",
                         "IST0154"};

using model::EnvoyFilterApplyTo;

void check(const model::EnvoyFilter& ef, Sink& out) {
  for (const model::EnvoyConfigObjectPatch& cp : ef.spec.config_patches) {
    if (!cp.patch || cp.patch->operation.value != model::EnvoyFilterPatchOperation::Remove) {
      continue;
    }
    const EnvoyFilterApplyTo a = cp.apply_to.value;
    if (a == EnvoyFilterApplyTo::RouteConfiguration || a == EnvoyFilterApplyTo::HttpRoute) {
      out.report(kInfo, ef, cp.patch->operation.loc,
                 "REMOVE with applyTo " + std::string(model::enum_name(a)) +
                     " is ignored by istiod: remove the route from the VirtualService that "
                     "defines it instead");
    }
  }
}

}  // namespace

MESHWARD_REGISTER_RULE(resource_rule(kInfo, &check));

}  // namespace meshward::rules
