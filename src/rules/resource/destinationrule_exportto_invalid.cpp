// DestinationRule `exportTo` entries Istio's webhook rejects (validateExportTo in
// pkg/config/validation/validation.go, pkg/config/visibility): duplicates (`.` counts as the
// own namespace), values that are not `.`, `*` or a namespace name, `*` mixed with other
// entries, and, for a rule with a workloadSelector, any namespace but its own.

#include <string>

#include "meshward/model/kinds/destination_rule.h"
#include "meshward/rules/registry.h"
#include "meshward/rules/validate.h"

namespace meshward::rules {
namespace {

constexpr RuleInfo kInfo{"MW1311", "destinationrule-exportto-invalid", Family::Resource,
                         Severity::Error, "A DestinationRule exportTo list is invalid", ""};

void check(const model::DestinationRule& dr, Sink& out) {
  const auto& entries = dr.spec.export_to;
  const auto kind = dr.spec.workload_selector ? validate::ExportToKind::DestinationRuleSelector
                                              : validate::ExportToKind::Default;
  for (const validate::ExportToProblem& p :
       validate::export_to(dr.meta.namespace_, entries, kind)) {
    const model::Loc& loc = p.index < entries.size() ? entries[p.index].loc : dr.spec.loc;
    const bool selector_scope = p.reason.find("workloadSelector") != std::string::npos;
    out.report(kInfo, dr, loc,
               p.reason + (selector_scope
                               ? ": export it only to \".\" (its own namespace)"
                               : ": list each namespace once, as \".\" (this namespace), \"*\" "
                                 "(all) or a namespace name"));
  }
}

}  // namespace

MESHWARD_REGISTER_RULE(resource_rule(kInfo, &check));

}  // namespace meshward::rules
