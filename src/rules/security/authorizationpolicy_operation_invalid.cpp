// An AuthorizationPolicy operation with values istiod cannot turn into RBAC matchers: an empty
// entry in any list, a ports/notPorts entry that is not a number in 0..65535, or a path
// template ({*}, {**}) Envoy's URI template matcher rejects (named variables, `{}`, bare `*`
// segments, operators inside a segment, anything after {**}). Istio's webhook rejects each
// (ValidateAuthorizationPolicy in pkg/config/validation/validation.go; ValidatePorts,
// CheckEmptyValues and CheckValidPathTemplate in pkg/config/security/security.go).

#include <cstdint>
#include <string>
#include <vector>

#include "meshward/model/kinds/authorization_policy.h"
#include "meshward/rules/registry.h"
#include "meshward/rules/validate.h"

namespace meshward::rules {
namespace {

constexpr RuleInfo kInfo{"MW3111", "authorizationpolicy-operation-invalid", Family::Security,
                         Severity::Error,
                         "An AuthorizationPolicy operation has an empty value, a port that is not "
                         "a number up to 65535, or an unsupported path template",
                         ""};

using Values = std::vector<model::Field<std::string>>;

void check_empty(const model::AuthorizationPolicy& ap, const Values& values, const char* field,
                 Sink& out) {
  for (const model::Field<std::string>& v : values) {
    if (v.present && v.value.empty()) {
      out.report(kInfo, ap, v.loc,
                 std::string("empty value in operation.") + field +
                     ": remove it or write a value");
    }
  }
}

// strconv.ParseUint(port, 10, 32) and <= 65535.
bool is_port(const std::string& v) {
  if (v.empty() || v.size() > 10) {
    return false;
  }
  std::uint64_t n = 0;
  for (char c : v) {
    if (c < '0' || c > '9') {
      return false;
    }
    n = n * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return n <= 65535;
}

void check_ports(const model::AuthorizationPolicy& ap, const Values& values, const char* field,
                 Sink& out) {
  for (const model::Field<std::string>& v : values) {
    if (v.present && !v.value.empty() && !is_port(v.value)) {
      out.report(kInfo, ap, v.loc,
                 std::string("operation.") + field + " entry " + validate::quote(v.value) +
                     " is not a port number in 0..65535: write the numeric port (names and "
                     "ranges are not supported)");
    }
  }
}

void check_paths(const model::AuthorizationPolicy& ap, const Values& values, const char* field,
                 Sink& out) {
  for (const model::Field<std::string>& v : values) {
    if (v.present && !v.value.empty()) {
      if (validate::Result bad = validate::authz_path(v.value)) {
        out.report(kInfo, ap, v.loc,
                   std::string("operation.") + field + ": invalid or unsupported " + *bad +
                       "; use {*} for one segment and {**} (last) for several, as whole "
                       "segments");
      }
    }
  }
}

void check_operation(const model::AuthorizationPolicy& ap, const model::AuthorizationOperation& o,
                     Sink& out) {
  check_empty(ap, o.hosts, "hosts", out);
  check_empty(ap, o.not_hosts, "notHosts", out);
  check_empty(ap, o.ports, "ports", out);
  check_empty(ap, o.not_ports, "notPorts", out);
  check_empty(ap, o.methods, "methods", out);
  check_empty(ap, o.not_methods, "notMethods", out);
  check_empty(ap, o.paths, "paths", out);
  check_empty(ap, o.not_paths, "notPaths", out);
  check_ports(ap, o.ports, "ports", out);
  check_ports(ap, o.not_ports, "notPorts", out);
  check_paths(ap, o.paths, "paths", out);
  check_paths(ap, o.not_paths, "notPaths", out);
}

void check(const model::AuthorizationPolicy& ap, Sink& out) {
  for (const model::AuthorizationRule& rule : ap.spec.rules) {
    for (const model::RuleTo& to : rule.to) {
      if (to.operation) {
        check_operation(ap, *to.operation, out);
      }
    }
  }
}

}  // namespace

MESHWARD_REGISTER_RULE(resource_rule(kInfo, &check));

}  // namespace meshward::rules
