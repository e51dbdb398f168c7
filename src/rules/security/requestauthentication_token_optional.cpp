// A RequestAuthentication on workloads where no AuthorizationPolicy requires a request
// principal: requests without a token are still allowed. A RequestAuthentication only makes the
// proxy reject a request whose token is invalid (istiod's jwt_authn filter is configured to
// allow a missing token, `allow_missing`); demanding a token is an AuthorizationPolicy's job
// (https://istio.io/latest/docs/tasks/security/authentication/authn-policy/#require-a-valid-token).
// This is the most frequent surprise with JWT in Istio.
//
// For each workload the RequestAuthentication applies to (the selected Pods and WorkloadEntries;
// without workloads in the world, one with the selector's labels in its namespace), the
// AuthorizationPolicies that apply there (its namespace and the root namespace; selector
// contained in its labels; not dry-run; no targetRefs) are read as the RBAC filters enforce
// them: a token-less request is refused when a DENY rule names notRequestPrincipals "*", or when
// some ALLOW policy applies and every one of them requires a principal (each rule has a source
// with requestPrincipals in every `from`, or a `request.auth.*` condition; a policy without rules
// allows nothing). A CUSTOM policy may check the token itself: not judged.

#include <string>
#include <vector>

#include "../mesh/mesh_util.h"
#include "meshward/model/kinds/authorization_policy.h"
#include "meshward/model/kinds/request_authentication.h"
#include "meshward/rules/registry.h"
#include "meshward/world/facts.h"
#include "meshward/world/selector.h"

namespace meshward::rules {
namespace {

using model::AuthorizationAction;
using model::Kind;

constexpr RuleInfo kInfo{"MW3115", "requestauthentication-token-optional", Family::Security,
                         Severity::Warning,
                         "A RequestAuthentication applies to workloads where no "
                         "AuthorizationPolicy requires a request principal, so requests without a "
                         "token are still allowed",
                         ""};

// Whether an ALLOW rule can only match requests that carry a valid token.
bool rule_requires_principal(const model::AuthorizationRule& rule) {
  for (const auto& c : rule.when) {
    if (c.key.value.rfind("request.auth.", 0) == 0) {
      return true;
    }
  }
  if (rule.from.empty()) {
    return false;
  }
  for (const auto& from : rule.from) {
    if (!from.source || from.source->request_principals.empty()) {
      return false;
    }
  }
  return true;
}

bool allow_requires_principal(const model::AuthorizationPolicy& ap, std::size_t* open_rule) {
  for (std::size_t i = 0; i < ap.spec.rules.size(); ++i) {
    if (!rule_requires_principal(ap.spec.rules[i])) {
      *open_rule = i;
      return false;
    }
  }
  return true;  // A policy without rules allows nothing.
}

bool deny_refuses_missing_token(const model::AuthorizationPolicy& ap) {
  for (const auto& rule : ap.spec.rules) {
    for (const auto& from : rule.from) {
      if (from.source) {
        for (const auto& p : from.source->not_request_principals) {
          if (p.value == "*") {
            return true;
          }
        }
      }
    }
  }
  return false;
}

// Why a token-less request reaches a workload in `ns` with `labels`; empty when it does not (or
// cannot be judged).
std::string why_open(const Context& ctx, const std::string& ns, const model::Labels& labels) {
  std::vector<const model::AuthorizationPolicy*> allows;
  for (const std::string& where : {ns, mesh::root_namespace(ctx)}) {
    for (const model::Object* o : ctx.selecting(Kind::AuthorizationPolicy, where, labels)) {
      const auto* ap = o->as<model::AuthorizationPolicy>();
      if (ap == nullptr || world::is_dry_run(*ap) || !ap->spec.target_refs.empty() || ap->spec.target_ref) {
        continue;
      }
      const AuthorizationAction action =
          ap->spec.action.present ? ap->spec.action.value : AuthorizationAction::Allow;
      if (action == AuthorizationAction::Custom) {
        return "";  // An external authorizer may demand the token.
      }
      if (action == AuthorizationAction::Deny && deny_refuses_missing_token(*ap)) {
        return "";
      }
      if (action == AuthorizationAction::Allow) {
        allows.push_back(ap);
      }
    }
    if (ns == mesh::root_namespace(ctx)) {
      break;
    }
  }
  if (allows.empty()) {
    return "no AuthorizationPolicy applies there, so every request is allowed";
  }
  for (const auto* ap : allows) {
    std::size_t open_rule = 0;
    if (!allow_requires_principal(*ap, &open_rule)) {
      return "ALLOW AuthorizationPolicy " + ap->meta.namespace_ + "/" + ap->meta.name +
             " spec.rules[" + std::to_string(open_rule) +
             "] matches requests without a request principal";
    }
  }
  return "";
}

void check(const Context& ctx, Sink& out) {
  ctx.each<model::RequestAuthentication>([&](const model::RequestAuthentication& ra) {
    if (!ra.spec.target_refs.empty() || ra.spec.target_ref || ra.spec.jwt_rules.empty()) {
      return;  // Gateway-API targets are not modelled; no rule, no token to require.
    }
    std::string workload;
    std::string why;
    mesh::for_each_policy_workload(
        ctx, ra, ra.spec.selector ? &ra.spec.selector->match_labels : nullptr,
        [&](const mesh::PolicyWorkload& w) {
          why = why_open(ctx, w.namespace_, w.labels);
          workload = w.description;
          return !why.empty();
        });
    if (why.empty()) {
      return;
    }
    out.report(kInfo, ra, ra.spec.selector ? ra.spec.selector->loc : ra.spec.loc,
               "requests without a token still reach " + workload + ": " + why +
                   "; a RequestAuthentication only rejects invalid tokens, so require one with "
                   "an AuthorizationPolicy (ALLOW with from.source.requestPrincipals: [\"*\"], "
                   "or DENY with notRequestPrincipals: [\"*\"])");
  });
}

}  // namespace

MESHWARD_REGISTER_RULE(mesh_rule(kInfo,
                                 KindSet{Kind::RequestAuthentication, Kind::AuthorizationPolicy,
                                         Kind::Pod, Kind::WorkloadEntry},
                                 &check));

}  // namespace meshward::rules
