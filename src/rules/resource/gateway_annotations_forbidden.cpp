// Annotations Istio's webhook rejects on every networking object (validateMetadata,
// pkg/config/validation/validation.go): `istio.io/dry-run` (only AuthorizationPolicy supports
// it), `internal.istio.io/webhook-always-reject` (the webhook's fail-close self-test marker)
// and `internal.istio.io/parent-namespace` / `internal.istio.io/parents` (internal markers
// that would let a user claim another namespace's routes: privilege escalation).

#include "meshward/model/kinds/gateway.h"
#include "meshward/rules/registry.h"
#include "annotations_util.h"

namespace meshward::rules {
namespace {

constexpr RuleInfo kInfo{"MW1111", "gateway-annotations-forbidden", Family::Resource,
                         Severity::Error,
                         "A Gateway carries an annotation Istio's webhook rejects", ""};

void check(const model::Gateway& obj, Sink& out) {
  check_forbidden_annotations(kInfo, obj, out);
}

}  // namespace

MESHWARD_REGISTER_RULE(resource_rule(kInfo, &check));

}  // namespace meshward::rules
