// ServiceEntry `workloadSelector` problems (ValidateServiceEntry, ValidateAlphaWorkloadSelector
// in pkg/config/validation/validation.go): an empty key or a `*` is rejected, and so is a
// selector together with `endpoints`; a selector without labels (it selects every workload in
// the namespace) and a selector with resolution NONE, DNS or DNS_ROUND_ROBIN (where selected
// workloads are not used as endpoints) are accepted with a warning.

#include <string>

#include "meshward/model/kinds/service_entry.h"
#include "meshward/rules/registry.h"
#include "meshward/rules/validate.h"

namespace meshward::rules {
namespace {

constexpr RuleInfo kInfo{"MW1407", "serviceentry-workload-selector-invalid", Family::Resource,
                         Severity::Error,
                         "A ServiceEntry workloadSelector is malformed, empty, or conflicts with "
                         "endpoints or resolution",
                         ""};

void check(const model::ServiceEntry& se, Sink& out) {
  if (!se.spec.workload_selector) {
    return;
  }
  using model::ServiceEntryResolution;
  const model::WorkloadSelector& sel = *se.spec.workload_selector;
  for (const auto& [key, value] : sel.labels) {
    if (auto why = validate::selector_label(key, value.value)) {
      out.report(kInfo, se, value.loc,
                 "workloadSelector: " + *why + ": use literal label keys and values");
    }
  }
  if (sel.labels.empty()) {
    out.report(kInfo, se, sel.loc,
               "workloadSelector has no labels, so it applies to every workload in the "
               "namespace: add labels or remove workloadSelector",
               Severity::Warning, "Istio accepts a label-less selector with a warning");
  }
  if (!se.spec.endpoints.empty()) {
    out.report(kInfo, se, sel.loc,
               "only one of workloadSelector or endpoints may be set: keep the selector for "
               "WorkloadEntries/pods, or the static endpoints");
  }
  const auto r = se.spec.resolution.value_or(ServiceEntryResolution::None);
  if (r == ServiceEntryResolution::None || r == ServiceEntryResolution::Dns ||
      r == ServiceEntryResolution::DnsRoundRobin) {
    out.report(kInfo, se, sel.loc,
               "workloadSelector has no effect with resolution " +
                   std::string(model::enum_name(r)) +
                   ": use resolution STATIC to send traffic to the selected workloads",
               Severity::Warning, "Istio accepts it with a warning");
  }
}

}  // namespace

MESHWARD_REGISTER_RULE(resource_rule(kInfo, &check));

}  // namespace meshward::rules
