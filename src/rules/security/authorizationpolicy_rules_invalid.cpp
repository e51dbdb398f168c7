// An AuthorizationPolicy rule with a `from` entry that has no source, or an empty source, or a
// `to` entry that has no operation, or an empty operation. Such an entry matches nothing (or
// is ambiguous), so Istio's webhook rejects it ("`from.source` must not be nil/empty",
// "`to.operation` must not be nil/empty"; ValidateAuthorizationPolicy in
// pkg/config/validation/validation.go).

#include "meshward/model/kinds/authorization_policy.h"
#include "meshward/rules/registry.h"

namespace meshward::rules {
namespace {

constexpr RuleInfo kInfo{"MW3109", "authorizationpolicy-rules-invalid", Family::Security,
                         Severity::Error,
                         "An AuthorizationPolicy rule has a from without a source, a to without an "
                         "operation, or an empty source or operation",
                         ""};

bool empty_source(const model::AuthorizationSource& s) {
  return s.principals.empty() && s.not_principals.empty() && s.request_principals.empty() &&
         s.not_request_principals.empty() && s.namespaces.empty() && s.not_namespaces.empty() &&
         s.ip_blocks.empty() && s.not_ip_blocks.empty() && s.remote_ip_blocks.empty() &&
         s.not_remote_ip_blocks.empty() && s.service_accounts.empty() &&
         s.not_service_accounts.empty();
}

bool empty_operation(const model::AuthorizationOperation& o) {
  return o.hosts.empty() && o.not_hosts.empty() && o.ports.empty() && o.not_ports.empty() &&
         o.methods.empty() && o.not_methods.empty() && o.paths.empty() && o.not_paths.empty();
}

void check(const model::AuthorizationPolicy& ap, Sink& out) {
  for (const model::AuthorizationRule& rule : ap.spec.rules) {
    for (const model::RuleFrom& from : rule.from) {
      if (!from.source) {
        out.report(kInfo, ap, from.loc,
                   "from entry has no source: add source with principals, namespaces, "
                   "ipBlocks, ... or remove the entry");
      } else if (empty_source(*from.source)) {
        out.report(kInfo, ap, from.source->loc,
                   "from.source is empty: list at least one of principals, requestPrincipals, "
                   "namespaces, serviceAccounts, ipBlocks, remoteIpBlocks (or a not- form), or "
                   "remove the from entry");
      }
    }
    for (const model::RuleTo& to : rule.to) {
      if (!to.operation) {
        out.report(kInfo, ap, to.loc,
                   "to entry has no operation: add operation with hosts, ports, methods or "
                   "paths, or remove the entry");
      } else if (empty_operation(*to.operation)) {
        out.report(kInfo, ap, to.operation->loc,
                   "to.operation is empty: list at least one of hosts, ports, methods, paths (or "
                   "a not- form), or remove the to entry");
      }
    }
  }
}

}  // namespace

MESHWARD_REGISTER_RULE(resource_rule(kInfo, &check));

}  // namespace meshward::rules
