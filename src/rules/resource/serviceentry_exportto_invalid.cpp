// ServiceEntry `exportTo` entries Istio's webhook rejects (validateExportTo with the
// ServiceEntry flavour, pkg/config/validation/validation.go): duplicates (`.` counts as the own
// namespace), values that are not `.`, `*`, `~` or a namespace name, `*` mixed with other
// entries, and `~` (visible to no one but the selected workloads) mixed with anything else.

#include "meshward/model/kinds/service_entry.h"
#include "meshward/rules/registry.h"
#include "meshward/rules/validate.h"

namespace meshward::rules {
namespace {

constexpr RuleInfo kInfo{"MW1408", "serviceentry-exportto-invalid", Family::Resource,
                         Severity::Error, "A ServiceEntry exportTo list is invalid", ""};

void check(const model::ServiceEntry& se, Sink& out) {
  const auto& entries = se.spec.export_to;
  for (const validate::ExportToProblem& p : validate::export_to(
           se.meta.namespace_, entries, validate::ExportToKind::ServiceEntry)) {
    const model::Loc& loc = p.index < entries.size() ? entries[p.index].loc : se.spec.loc;
    out.report(kInfo, se, loc,
               p.reason +
                   ": list each namespace once, as \".\" (this namespace), \"*\" (all), a "
                   "namespace name, or \"~\" alone (no one)");
  }
}

}  // namespace

MESHWARD_REGISTER_RULE(resource_rule(kInfo, &check));

}  // namespace meshward::rules
