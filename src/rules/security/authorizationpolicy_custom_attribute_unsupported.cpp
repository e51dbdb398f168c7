// A CUSTOM AuthorizationPolicy matching on identity attributes: the CUSTOM action runs before
// the peer and request identities are available to it, so namespaces, principals,
// serviceAccounts and requestPrincipals (and their not- forms) and the `when` keys
// source.namespace / source.principal / source.serviceAccount / source.trustDomain /
// request.auth.* are not supported. Istio's webhook rejects them ("... is currently not
// supported with CUSTOM action", ValidateAuthorizationPolicy in
// pkg/config/validation/validation.go).

#include <string>
#include <vector>

#include "meshward/model/kinds/authorization_policy.h"
#include "meshward/rules/registry.h"

namespace meshward::rules {
namespace {

constexpr RuleInfo kInfo{"MW3108", "authorizationpolicy-custom-attribute-unsupported",
                         Family::Security, Severity::Error,
                         "A CUSTOM AuthorizationPolicy matches on an identity attribute CUSTOM "
                         "does not support",
                         ""};

void check_list(const model::AuthorizationPolicy& ap,
                const std::vector<model::Field<std::string>>& values, const char* field,
                const model::Loc& source_loc, Sink& out) {
  if (values.empty()) {
    return;
  }
  const model::Loc& loc = values.front().loc.path.empty() ? source_loc : values.front().loc;
  out.report(kInfo, ap, loc,
             std::string("source.") + field +
                 " is not supported with action CUSTOM: match on ipBlocks, remoteIpBlocks, "
                 "operations or request headers, or move identity checks to an ALLOW/DENY "
                 "policy");
}

bool unsupported_key(const std::string& key) {
  return key == "source.namespace" || key == "source.principal" ||
         key == "source.serviceAccount" || key == "source.trustDomain" ||
         key.rfind("request.auth.", 0) == 0;
}

void check(const model::AuthorizationPolicy& ap, Sink& out) {
  if (ap.spec.action.value_or(model::AuthorizationAction::Allow) !=
      model::AuthorizationAction::Custom) {
    return;
  }
  for (const model::AuthorizationRule& rule : ap.spec.rules) {
    for (const model::RuleFrom& from : rule.from) {
      if (!from.source) {
        continue;
      }
      const model::AuthorizationSource& s = *from.source;
      check_list(ap, s.namespaces, "namespaces", s.loc, out);
      check_list(ap, s.not_namespaces, "notNamespaces", s.loc, out);
      check_list(ap, s.principals, "principals", s.loc, out);
      check_list(ap, s.not_principals, "notPrincipals", s.loc, out);
      check_list(ap, s.request_principals, "requestPrincipals", s.loc, out);
      check_list(ap, s.not_request_principals, "notRequestPrincipals", s.loc, out);
      check_list(ap, s.service_accounts, "serviceAccounts", s.loc, out);
      check_list(ap, s.not_service_accounts, "notServiceAccounts", s.loc, out);
    }
    for (const model::AuthorizationCondition& when : rule.when) {
      if (unsupported_key(when.key.value)) {
        out.report(kInfo, ap, when.key.loc,
                   "when key \"" + when.key.value +
                       "\" is not supported with action CUSTOM: the external authorizer cannot "
                       "see it; check it in an ALLOW/DENY policy instead");
      }
    }
  }
}

}  // namespace

MESHWARD_REGISTER_RULE(resource_rule(kInfo, &check));

}  // namespace meshward::rules
