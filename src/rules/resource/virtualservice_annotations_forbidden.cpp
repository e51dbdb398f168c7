// Annotations Istio's webhook rejects on every networking object (validateMetadata,
// pkg/config/validation/validation.go): `istio.io/dry-run` (only AuthorizationPolicy supports
// it), `internal.istio.io/webhook-always-reject` (the webhook's fail-close self-test marker)
// and `internal.istio.io/parent-namespace` / `internal.istio.io/parents` (internal markers
// that would let a user claim another namespace's routes: privilege escalation).

#include <string>
#include <string_view>

#include "meshward/model/kinds/virtual_service.h"
#include "meshward/rules/registry.h"
#include "meshward/rules/validate.h"

namespace meshward::rules {
namespace {

constexpr RuleInfo kInfo{"MW1225", "virtualservice-annotations-forbidden", Family::Resource,
                         Severity::Error,
                         "A VirtualService carries an annotation Istio's webhook rejects", ""};

void check(const model::VirtualService& obj, Sink& out) {
  for (const auto& [key, value] : obj.meta.annotations) {
    std::string why;
    if (key == "istio.io/dry-run") {
      why = "is only supported on AuthorizationPolicy";
    } else if (key == "internal.istio.io/webhook-always-reject") {
      why = "is reserved for the webhook's self-test and is always rejected";
    } else if (key == "internal.istio.io/parent-namespace" || key == "internal.istio.io/parents") {
      why = "is set by Istio internally and must not be set by users";
    } else {
      continue;
    }
    out.report(kInfo, obj, obj.meta.loc,
               "annotation " + validate::quote(key) + " " + why + ": remove it");
  }
}

}  // namespace

MESHWARD_REGISTER_RULE(resource_rule(kInfo, &check));

}  // namespace meshward::rules
