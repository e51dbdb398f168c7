// Sidecar `workloadSelector` problems (ValidateSidecar, ValidateAlphaWorkloadSelector in
// pkg/config/validation/validation.go): an empty key or a `*` is rejected (labels match
// literally), and a selector without labels is accepted with a warning: the Sidecar then
// applies to every workload in the namespace, competing with the namespace default.

#include "meshward/model/kinds/sidecar.h"
#include "meshward/rules/registry.h"
#include "meshward/rules/validate.h"

namespace meshward::rules {
namespace {

constexpr RuleInfo kInfo{"MW1506", "sidecar-workload-selector-invalid", Family::Resource,
                         Severity::Error,
                         "A Sidecar workloadSelector has an empty key, a wildcard, or no labels",
                         ""};

void check(const model::Sidecar& sc, Sink& out) {
  if (!sc.spec.workload_selector) {
    return;
  }
  const model::WorkloadSelector& sel = *sc.spec.workload_selector;
  for (const auto& [key, value] : sel.labels) {
    if (auto why = validate::selector_label(key, value.value)) {
      out.report(kInfo, sc, value.loc,
                 "workloadSelector: " + *why + ": use literal label keys and values");
    }
  }
  if (sel.labels.empty()) {
    out.report(kInfo, sc, sel.loc,
               "workloadSelector has no labels, so the Sidecar applies to every workload in the "
               "namespace: add labels, or remove workloadSelector for a namespace default",
               Severity::Warning, "Istio accepts a label-less selector with a warning");
  }
}

}  // namespace

MESHWARD_REGISTER_RULE(resource_rule(kInfo, &check));

}  // namespace meshward::rules
