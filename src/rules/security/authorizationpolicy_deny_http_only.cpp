// A DENY AuthorizationPolicy rule that only uses HTTP attributes (paths, methods, hosts,
// requestPrincipals, ...) and no port or TCP-level source: on a TCP (non-HTTP) port the HTTP
// attributes cannot be evaluated, so Envoy's network RBAC filter treats the rule as matching
// and denies ALL TCP traffic to the workloads in scope. Istio's webhook warns ("configured
// AuthorizationPolicy will deny all traffic to TCP ports under its scope due to the use of
// only HTTP attributes in a DENY rule"; ValidateAuthorizationPolicy in
// pkg/config/validation/validation.go).

#include <string>

#include "meshward/model/kinds/authorization_policy.h"
#include "meshward/rules/registry.h"

namespace meshward::rules {
namespace {

constexpr RuleInfo kInfo{"MW3113", "authorizationpolicy-deny-http-only", Family::Security,
                         Severity::Warning,
                         "A DENY AuthorizationPolicy rule uses only HTTP attributes and so denies "
                         "all TCP traffic in its scope",
                         ""};

bool tcp_source(const model::AuthorizationSource& s) {
  return !s.principals.empty() || !s.not_principals.empty() || !s.ip_blocks.empty() ||
         !s.not_ip_blocks.empty() || !s.namespaces.empty() || !s.not_namespaces.empty() ||
         !s.remote_ip_blocks.empty() || !s.not_remote_ip_blocks.empty() ||
         !s.service_accounts.empty() || !s.not_service_accounts.empty();
}

void check(const model::AuthorizationPolicy& ap, Sink& out) {
  if (ap.spec.action.value_or(model::AuthorizationAction::Allow) !=
      model::AuthorizationAction::Deny) {
    return;
  }
  std::size_t index = 0;
  for (const model::AuthorizationRule& rule : ap.spec.rules) {
    bool from_exists = false;
    bool to_exists = false;
    bool tcp_in_from = false;
    bool tcp_in_to = false;
    for (const model::RuleFrom& from : rule.from) {
      if (from.source) {
        from_exists = true;
        tcp_in_from = tcp_in_from || tcp_source(*from.source);
      }
    }
    for (const model::RuleTo& to : rule.to) {
      if (to.operation) {
        to_exists = true;
        tcp_in_to = tcp_in_to || !to.operation->ports.empty() || !to.operation->not_ports.empty();
      }
    }
    if ((from_exists && !to_exists && !tcp_in_from) || (to_exists && !tcp_in_to)) {
      out.report(kInfo, ap, rule.loc,
                 "DENY rule " + std::to_string(index) +
                     " uses only HTTP attributes, so it denies all traffic to TCP ports of the "
                     "workloads in scope: add to.operation.ports with the HTTP port(s) it is "
                     "meant for");
    }
    ++index;
  }
}

}  // namespace

MESHWARD_REGISTER_RULE(resource_rule(kInfo, &check));

}  // namespace meshward::rules
