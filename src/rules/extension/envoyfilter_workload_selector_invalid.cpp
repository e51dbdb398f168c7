// An EnvoyFilter workloadSelector with an empty label key or a `*` in a key or value (Istio's
// webhook rejects both: selectors match labels exactly), or with no labels at all, which
// istiod treats as "every workload in the namespace" (a warning: "Envoy filter: workload
// selector specified without labels, will be applied to all services in namespace";
// ValidateAlphaWorkloadSelector in pkg/config/validation/validation.go and
// pkg/config/validation/envoyfilter/envoyfilter.go).

#include "meshward/model/kinds/envoy_filter.h"
#include "meshward/rules/registry.h"
#include "meshward/rules/validate.h"

namespace meshward::rules {
namespace {

constexpr RuleInfo kInfo{"MW4102", "envoyfilter-workload-selector-invalid", Family::Extension,
                         Severity::Error,
                         "An EnvoyFilter workloadSelector has an empty or wildcard label, or no "
                         "labels",
                         ""};

void check(const model::EnvoyFilter& ef, Sink& out) {
  if (!ef.spec.workload_selector) {
    return;
  }
  const model::WorkloadSelector& sel = *ef.spec.workload_selector;
  for (const auto& [key, value] : sel.labels) {
    const model::Loc& loc = value.loc.path.empty() ? sel.loc : value.loc;
    if (validate::Result bad = validate::selector_label(key, value.value)) {
      out.report(kInfo, ef, loc,
                 "workloadSelector label invalid: " + *bad +
                     "; selectors match labels exactly, write the exact label key and value");
    }
  }
  if (sel.labels.empty()) {
    out.report(kInfo, ef, sel.loc,
               "workloadSelector has no labels, so the filter applies to every workload in the "
               "namespace: add labels, or remove workloadSelector if that is intended",
               Severity::Warning, "Istio only warns, for backwards compatibility");
  }
}

}  // namespace

MESHWARD_REGISTER_RULE(resource_rule(kInfo, &check));

}  // namespace meshward::rules
