#pragma once
// Helper the *_annotations_forbidden checks (src/rules/resource/) share; internal, not a check.

#include "meshward/model/object.h"
#include "meshward/rules/rule.h"

namespace meshward::rules {

/// Reports (as `info`, at the object's metadata) every annotation Istio's webhook rejects on a
/// networking object (validateMetadata, pkg/config/validation/validation.go):
/// `istio.io/dry-run` (only AuthorizationPolicy supports it),
/// `internal.istio.io/webhook-always-reject`, `internal.istio.io/parent-namespace` and
/// `internal.istio.io/parents`.
void check_forbidden_annotations(const RuleInfo& info, const model::Object& object, Sink& out);

}  // namespace meshward::rules
