// DestinationRule `workloadSelector` problems (validateWorkloadSelector in
// pkg/config/validation/validation.go): an empty key or a `*` in a key or value is rejected
// (labels are matched literally, so it would select nothing), and a selector without labels is
// accepted with a warning: it then applies to every workload in the namespace.

#include "meshward/model/kinds/destination_rule.h"
#include "meshward/rules/registry.h"
#include "meshward/rules/validate.h"

namespace meshward::rules {
namespace {

constexpr RuleInfo kInfo{"MW1312", "destinationrule-workload-selector-invalid", Family::Resource,
                         Severity::Error,
                         "A DestinationRule workloadSelector has an empty key, a wildcard, or no "
                         "labels",
                         ""};

void check(const model::DestinationRule& dr, Sink& out) {
  if (!dr.spec.workload_selector) {
    return;
  }
  const model::LabelSelector& sel = *dr.spec.workload_selector;
  if (sel.match_labels.empty()) {
    out.report(kInfo, dr, sel.loc,
               "workloadSelector has no matchLabels, so it selects every workload in the "
               "namespace: add matchLabels or remove workloadSelector",
               Severity::Warning, "Istio accepts a label-less selector with a warning");
  }
  for (const auto& [key, value] : sel.match_labels) {
    if (auto why = validate::selector_label(key, value.value)) {
      out.report(kInfo, dr, value.loc,
                 "workloadSelector: " + *why + ": use literal label keys and values");
    }
  }
}

}  // namespace

MESHWARD_REGISTER_RULE(resource_rule(kInfo, &check));

}  // namespace meshward::rules
