// An AuthorizationPolicy with the istio.io/dry-run annotation that istiod cannot honour: the
// value is not a boolean (true/false/1/0/t/f, as Go's strconv.ParseBool reads it), or the
// action is CUSTOM or AUDIT, for which Istio has no dry-run mode. Istio's webhook rejects both
// (validateMetadata / checkDryRunAnnotation in pkg/config/validation/validation.go).

#include <string>
#include <string_view>

#include "meshward/model/kinds/authorization_policy.h"
#include "meshward/rules/registry.h"
#include "meshward/rules/validate.h"

namespace meshward::rules {
namespace {

constexpr RuleInfo kInfo{"MW3114", "authorizationpolicy-dry-run-invalid", Family::Security,
                         Severity::Error,
                         "An AuthorizationPolicy's istio.io/dry-run annotation is not a boolean, "
                         "or the action is not ALLOW or DENY",
                         ""};

constexpr std::string_view kAnnotation = "istio.io/dry-run";

bool parse_bool_ok(std::string_view v) {
  for (std::string_view ok : {"1", "t", "T", "TRUE", "true", "True", "0", "f", "F", "FALSE",
                              "false", "False"}) {
    if (v == ok) {
      return true;
    }
  }
  return false;
}

void check(const model::AuthorizationPolicy& ap, Sink& out) {
  auto it = ap.meta.annotations.find(std::string(kAnnotation));
  if (it == ap.meta.annotations.end()) {
    return;
  }
  const model::AuthorizationAction action =
      ap.spec.action.value_or(model::AuthorizationAction::Allow);
  if (action != model::AuthorizationAction::Allow && action != model::AuthorizationAction::Deny) {
    out.report(kInfo, ap, ap.spec.action.present ? ap.spec.action.loc : ap.meta.loc,
               "annotation istio.io/dry-run only supports action ALLOW or DENY, found " +
                   std::string(model::enum_name(action)) + ": remove the annotation");
    return;
  }
  if (!parse_bool_ok(it->second)) {
    out.report(kInfo, ap, ap.meta.loc,
               "annotation istio.io/dry-run has invalid value " + validate::quote(it->second) +
                   ": use \"true\" or \"false\"");
  }
}

}  // namespace

MESHWARD_REGISTER_RULE(resource_rule(kInfo, &check));

}  // namespace meshward::rules
