// A VirtualService exportTo list with duplicates (`.` counts as the own namespace), entries
// that are not `.`, `*` or a namespace name (`~` is ServiceEntry-only), or `*` mixed with
// other entries. Istio's webhook rejects it (validateExportTo, pkg/config/validation/
// validation.go; pkg/config/visibility): the visibility would not be what was written.

#include "meshward/model/kinds/virtual_service.h"
#include "meshward/rules/registry.h"
#include "meshward/rules/validate.h"

namespace meshward::rules {
namespace {

constexpr RuleInfo kInfo{"MW1222", "virtualservice-exportto-invalid", Family::Resource,
                         Severity::Error, "A VirtualService exportTo list is invalid", ""};

void check(const model::VirtualService& vs, Sink& out) {
  for (const auto& p : validate::export_to(vs.meta.namespace_, vs.spec.export_to)) {
    out.report(kInfo, vs, vs.spec.export_to[p.index].loc, p.reason);
  }
}

}  // namespace

MESHWARD_REGISTER_RULE(resource_rule(kInfo, &check));

}  // namespace meshward::rules
