// An AuthorizationPolicy source with values istiod cannot turn into RBAC matchers: an empty
// entry in any list, an ipBlocks/remoteIpBlocks entry (or not- form) that is neither an IP nor
// a CIDR, a serviceAccounts entry that is not `sa` or `ns/sa` (no `*`, ≤320 characters, ≤16
// entries), or serviceAccounts combined with principals or namespaces. Istio's webhook rejects
// each (ValidateAuthorizationPolicy in pkg/config/validation/validation.go; ValidateIPs and
// CheckEmptyValues in pkg/config/security/security.go).

#include <string>
#include <vector>

#include "meshward/model/kinds/authorization_policy.h"
#include "meshward/rules/registry.h"
#include "meshward/rules/validate.h"

namespace meshward::rules {
namespace {

constexpr RuleInfo kInfo{"MW3110", "authorizationpolicy-source-invalid", Family::Security,
                         Severity::Error,
                         "An AuthorizationPolicy source has an empty value, an invalid IP/CIDR or "
                         "service account, or combines serviceAccounts with principals/namespaces",
                         ""};

using Values = std::vector<model::Field<std::string>>;

void check_empty(const model::AuthorizationPolicy& ap, const Values& values, const char* field,
                 Sink& out) {
  for (const model::Field<std::string>& v : values) {
    if (v.present && v.value.empty()) {
      out.report(kInfo, ap, v.loc,
                 std::string("empty value in source.") + field + ": remove it or write a value");
    }
  }
}

void check_ips(const model::AuthorizationPolicy& ap, const Values& values, const char* field,
               Sink& out) {
  for (const model::Field<std::string>& v : values) {
    if (!v.present || v.value.empty()) {
      continue;  // check_empty
    }
    const validate::Result bad = v.value.find('/') != std::string::npos
                                     ? validate::cidr(v.value)
                                     : validate::ip_address(v.value);
    if (bad) {
      out.report(kInfo, ap, v.loc,
                 std::string("source.") + field + " entry " + validate::quote(v.value) +
                     " is not an IP address or CIDR (" + *bad +
                     "): write e.g. 10.0.0.1 or 10.0.0.0/16");
    }
  }
}

void check_service_accounts(const model::AuthorizationPolicy& ap, const Values& values,
                            const char* field, Sink& out) {
  if (values.size() > validate::kMaxServiceAccounts) {
    out.report(kInfo, ap, values[validate::kMaxServiceAccounts].loc,
               std::string("source.") + field + " lists " + std::to_string(values.size()) +
                   " service accounts, more than the 16 allowed: split the rule or use "
                   "principals");
  }
  for (const model::Field<std::string>& v : values) {
    if (!v.present || v.value.empty()) {
      continue;  // check_empty
    }
    if (validate::Result bad = validate::authz_service_account(v.value)) {
      out.report(kInfo, ap, v.loc,
                 std::string("source.") + field + ": " + *bad +
                     "; write \"<name>\" (same namespace) or \"<namespace>/<name>\"");
    }
  }
}

void check_source(const model::AuthorizationPolicy& ap, const model::AuthorizationSource& s,
                  Sink& out) {
  check_empty(ap, s.principals, "principals", out);
  check_empty(ap, s.not_principals, "notPrincipals", out);
  check_empty(ap, s.request_principals, "requestPrincipals", out);
  check_empty(ap, s.not_request_principals, "notRequestPrincipals", out);
  check_empty(ap, s.namespaces, "namespaces", out);
  check_empty(ap, s.not_namespaces, "notNamespaces", out);
  check_empty(ap, s.ip_blocks, "ipBlocks", out);
  check_empty(ap, s.not_ip_blocks, "notIpBlocks", out);
  check_empty(ap, s.remote_ip_blocks, "remoteIpBlocks", out);
  check_empty(ap, s.not_remote_ip_blocks, "notRemoteIpBlocks", out);
  check_empty(ap, s.service_accounts, "serviceAccounts", out);
  check_empty(ap, s.not_service_accounts, "notServiceAccounts", out);

  check_ips(ap, s.ip_blocks, "ipBlocks", out);
  check_ips(ap, s.not_ip_blocks, "notIpBlocks", out);
  check_ips(ap, s.remote_ip_blocks, "remoteIpBlocks", out);
  check_ips(ap, s.not_remote_ip_blocks, "notRemoteIpBlocks", out);

  check_service_accounts(ap, s.service_accounts, "serviceAccounts", out);
  check_service_accounts(ap, s.not_service_accounts, "notServiceAccounts", out);

  const bool has_sa = !s.service_accounts.empty() || !s.not_service_accounts.empty();
  const bool has_identity = !s.principals.empty() || !s.not_principals.empty() ||
                            !s.namespaces.empty() || !s.not_namespaces.empty();
  if (has_sa && has_identity) {
    const Values& sa = !s.service_accounts.empty() ? s.service_accounts : s.not_service_accounts;
    out.report(kInfo, ap, sa.front().loc.path.empty() ? s.loc : sa.front().loc,
               "serviceAccounts cannot be combined with principals or namespaces in one source: "
               "use one form, or put them in separate from entries");
  }
}

void check(const model::AuthorizationPolicy& ap, Sink& out) {
  for (const model::AuthorizationRule& rule : ap.spec.rules) {
    for (const model::RuleFrom& from : rule.from) {
      if (from.source) {
        check_source(ap, *from.source, out);
      }
    }
  }
}

}  // namespace

MESHWARD_REGISTER_RULE(resource_rule(kInfo, &check));

}  // namespace meshward::rules
