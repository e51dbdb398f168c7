// A configPatch istiod cannot apply: no applyTo, no patch, no patch operation, or no value for
// an operation that needs one. Istio's webhook rejects each ("Envoy filter: missing applyTo",
// "missing patch", "missing patch operation", "missing patch value for non-remove operation";
// pkg/config/validation/envoyfilter/envoyfilter.go). WAYPOINT-context patches are skipped, as
// Istio does.

#include <string>

#include "meshward/model/kinds/envoy_filter.h"
#include "meshward/rules/registry.h"

namespace meshward::rules {
namespace {

constexpr RuleInfo kInfo{"MW4103", "envoyfilter-patch-invalid", Family::Extension,
                         Severity::Error,
                         "An EnvoyFilter configPatch has no applyTo, no patch, no operation, or no "
                         "value for a non-REMOVE operation",
                         ""};

using model::EnvoyFilterApplyTo;
using model::EnvoyFilterPatchContext;
using model::EnvoyFilterPatchOperation;

void check(const model::EnvoyFilter& ef, Sink& out) {
  for (const model::EnvoyConfigObjectPatch& cp : ef.spec.config_patches) {
    if (cp.match && cp.match->context.present &&
        cp.match->context.value == EnvoyFilterPatchContext::Waypoint) {
      continue;
    }
    if (!cp.apply_to.present || cp.apply_to.value == EnvoyFilterApplyTo::Invalid) {
      out.report(kInfo, ef, cp.apply_to.present ? cp.apply_to.loc : cp.loc,
                 "configPatch has no applyTo: set applyTo to the kind of Envoy object to patch "
                 "(LISTENER, FILTER_CHAIN, NETWORK_FILTER, HTTP_FILTER, ROUTE_CONFIGURATION, "
                 "VIRTUAL_HOST, HTTP_ROUTE, CLUSTER, ...)");
      continue;
    }
    if (!cp.patch) {
      out.report(kInfo, ef, cp.loc,
                 "configPatch has no patch: add patch.operation (and patch.value unless the "
                 "operation is REMOVE)");
      continue;
    }
    const model::EnvoyFilterPatch& patch = *cp.patch;
    if (!patch.operation.present || patch.operation.value == EnvoyFilterPatchOperation::Invalid) {
      out.report(kInfo, ef, patch.operation.present ? patch.operation.loc : patch.loc,
                 "patch has no operation: set patch.operation (MERGE, ADD, REMOVE, INSERT_BEFORE, "
                 "INSERT_AFTER, INSERT_FIRST or REPLACE)");
      continue;
    }
    // A `value` that is not an object was already reported by the decoder (MW1002).
    if (patch.operation.value != EnvoyFilterPatchOperation::Remove && !patch.value &&
        patch.value_loc.path.empty()) {
      out.report(kInfo, ef, patch.loc,
                 "patch operation " + std::string(model::enum_name(patch.operation.value)) +
                     " has no value: add patch.value with the Envoy configuration to apply");
    }
  }
}

}  // namespace

MESHWARD_REGISTER_RULE(resource_rule(kInfo, &check));

}  // namespace meshward::rules
