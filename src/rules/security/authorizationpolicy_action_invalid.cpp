// An AuthorizationPolicy whose action and rules/provider do not fit: CUSTOM or DENY without
// rules never triggers (Istio: "add an empty rule `{}` if you want it be triggered for every
// request"), CUSTOM without provider.name has no external authorizer to call, and a provider on
// a non-CUSTOM action is never used. Istio's webhook rejects each (ValidateAuthorizationPolicy
// in pkg/config/validation/validation.go).

#include <string>

#include "meshward/model/kinds/authorization_policy.h"
#include "meshward/rules/registry.h"

namespace meshward::rules {
namespace {

constexpr RuleInfo kInfo{"MW3107", "authorizationpolicy-action-invalid", Family::Security,
                         Severity::Error,
                         "An AuthorizationPolicy's action does not fit its rules or provider "
                         "(CUSTOM/DENY without rules, CUSTOM without provider, provider without "
                         "CUSTOM)",
                         ""};

using model::AuthorizationAction;

void check(const model::AuthorizationPolicy& ap, Sink& out) {
  const model::AuthorizationPolicySpec& spec = ap.spec;
  const AuthorizationAction action = spec.action.value_or(AuthorizationAction::Allow);
  const model::Loc& action_loc = spec.action.present ? spec.action.loc : spec.loc;
  if ((action == AuthorizationAction::Custom || action == AuthorizationAction::Deny) &&
      spec.rules.empty()) {
    out.report(kInfo, ap, action_loc,
               std::string(model::enum_name(action)) +
                   " action without rules is meaningless as it never triggers: add rules, or an "
                   "empty rule `rules: [{}]` to trigger on every request");
  }
  if (action == AuthorizationAction::Custom && !spec.rules.empty() &&
      (!spec.provider || spec.provider->name.value.empty())) {
    out.report(kInfo, ap,
               spec.provider ? (spec.provider->name.present ? spec.provider->name.loc
                                                            : spec.provider->loc)
                             : action_loc,
               "CUSTOM action needs provider.name: name the MeshConfig extensionProvider that "
               "authorizes the requests");
  }
  if (spec.provider && action != AuthorizationAction::Custom) {
    out.report(kInfo, ap, spec.provider->loc,
               "provider is only used with action CUSTOM, found " +
                   std::string(model::enum_name(action)) +
                   ": set action: CUSTOM or remove provider");
  }
}

}  // namespace

MESHWARD_REGISTER_RULE(resource_rule(kInfo, &check));

}  // namespace meshward::rules
