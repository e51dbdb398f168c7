// A REPLACE patch on an applyTo other than HTTP_FILTER, NETWORK_FILTER or VIRTUAL_HOST: istiod
// only implements REPLACE for those, and ignores the patch elsewhere, so the configuration the
// author meant to swap out stays in place. Mirrors istioctl analyze IST0152
// EnvoyFilterUsesReplaceOperationIncorrectly (pkg/config/analysis/analyzers/envoyfilter).

#include <string>

#include "meshward/model/kinds/envoy_filter.h"
#include "meshward/rules/registry.h"

namespace meshward::rules {
namespace {

constexpr RuleInfo kInfo{"MW4108", "envoyfilter-replace-operation-invalid", Family::Extension,
                         Severity::Error,
                         "An EnvoyFilter uses REPLACE with an applyTo other than HTTP_FILTER, "
                         "NETWORK_FILTER or VIRTUAL_HOST",
                         "IST0152"};

using model::EnvoyFilterApplyTo;

void check(const model::EnvoyFilter& ef, Sink& out) {
  for (const model::EnvoyConfigObjectPatch& cp : ef.spec.config_patches) {
    if (!cp.patch || cp.patch->operation.value != model::EnvoyFilterPatchOperation::Replace ||
        !cp.apply_to.present) {
      continue;
    }
    const EnvoyFilterApplyTo a = cp.apply_to.value;
    if (a != EnvoyFilterApplyTo::HttpFilter && a != EnvoyFilterApplyTo::NetworkFilter &&
        a != EnvoyFilterApplyTo::VirtualHost && a != EnvoyFilterApplyTo::Invalid) {
      out.report(kInfo, ef, cp.patch->operation.loc,
                 "REPLACE is not supported with applyTo " + std::string(model::enum_name(a)) +
                     " and the patch is ignored: use MERGE, or REMOVE then ADD, or apply REPLACE "
                     "to an HTTP_FILTER, NETWORK_FILTER or VIRTUAL_HOST");
    }
  }
}

}  // namespace

MESHWARD_REGISTER_RULE(resource_rule(kInfo, &check));

}  // namespace meshward::rules
