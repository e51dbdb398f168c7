// An AuthorizationPolicy `when` condition istiod cannot evaluate: an empty key, no values and
// no notValues, an empty value, a key Istio does not know (or one it replaced:
// destination.namespace -> metadata.namespace, destination.labels -> selector,
// destination.name/user -> removed), a map key not written `a[b]`, or a value that does not
// fit the key (IP/CIDR for source.ip, remote.ip, destination.ip; port for destination.port).
// Istio's webhook rejects each (ValidateAuthorizationPolicy in
// pkg/config/validation/validation.go; ValidateAttribute in pkg/config/security/security.go).

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "meshward/model/kinds/authorization_policy.h"
#include "meshward/rules/registry.h"
#include "meshward/rules/validate.h"

namespace meshward::rules {
namespace {

constexpr RuleInfo kInfo{"MW3112", "authorizationpolicy-condition-invalid", Family::Security,
                         Severity::Error,
                         "An AuthorizationPolicy when condition has an empty, unknown or "
                         "malformed key, no values, or values that do not fit the key",
                         ""};

using Values = std::vector<model::Field<std::string>>;

enum class ValueKind : std::uint8_t { Any, Ip, Port };

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// validateMapKey: "a[b]" with non-empty a and b.
bool is_map_key(std::string_view key) {
  const auto open = key.find('[');
  return !key.empty() && key.back() == ']' && open != std::string_view::npos && open > 0 &&
         open < key.size() - 2;
}

// Problem with the key itself, or nullopt; sets `kind` for value checks.
validate::Result check_key(std::string_view key, ValueKind& kind) {
  kind = ValueKind::Any;
  const auto map_key = [&]() -> validate::Result {
    if (is_map_key(key)) {
      return std::nullopt;
    }
    return "bad key " + validate::quote(key) + ": should have the form " +
           std::string(key.substr(0, key.find('['))) + "[name]";
  };
  if (starts_with(key, "request.headers")) {
    return map_key();
  }
  if (key == "source.ip" || key == "remote.ip" || key == "destination.ip") {
    kind = ValueKind::Ip;
    return std::nullopt;
  }
  if (key == "source.namespace" || key == "source.principal" || key == "source.serviceAccount" ||
      key == "source.trustDomain" || key == "request.auth.principal" ||
      key == "request.auth.audiences" || key == "request.auth.presenter" ||
      key == "connection.sni") {
    return std::nullopt;
  }
  if (starts_with(key, "request.auth.claims") || starts_with(key, "experimental.envoy.filters.")) {
    return map_key();
  }
  if (key == "destination.port") {
    kind = ValueKind::Port;
    return std::nullopt;
  }
  if (key == "destination.namespace") {
    return "attribute destination.namespace is replaced by the policy's metadata.namespace: "
           "create the policy in that namespace instead";
  }
  if (starts_with(key, "destination.labels")) {
    return "attribute " + validate::quote(key) +
           " is replaced by the workload selector: use spec.selector.matchLabels";
  }
  if (key == "destination.name" || key == "destination.user") {
    return "deprecated attribute " + std::string(key) +
           " is only supported in v1alpha1: match on hosts or the workload selector";
  }
  return "unknown attribute " + validate::quote(key) +
         ": use request.headers[...], source.ip, remote.ip, source.namespace, source.principal, "
         "request.auth.*, destination.ip, destination.port, connection.sni or "
         "experimental.envoy.filters.*";
}

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

void check_values(const model::AuthorizationPolicy& ap, const std::string& key,
                  const Values& values, ValueKind kind, const char* field, Sink& out) {
  for (const model::Field<std::string>& v : values) {
    if (!v.present) {
      continue;
    }
    if (v.value.empty()) {
      out.report(kInfo, ap, v.loc,
                 std::string("empty value in ") + field + " for key " + key +
                     ": remove it or write a value");
    } else if (kind == ValueKind::Ip) {
      const validate::Result bad = v.value.find('/') != std::string::npos
                                       ? validate::cidr(v.value)
                                       : validate::ip_address(v.value);
      if (bad) {
        out.report(kInfo, ap, v.loc,
                   std::string(field) + " " + validate::quote(v.value) + " for key " + key +
                       " is not an IP address or CIDR (" + *bad + ")");
      }
    } else if (kind == ValueKind::Port && !is_port(v.value)) {
      out.report(kInfo, ap, v.loc,
                 std::string(field) + " " + validate::quote(v.value) + " for key " + key +
                     " is not a port number in 0..65535");
    }
  }
}

void check(const model::AuthorizationPolicy& ap, Sink& out) {
  for (const model::AuthorizationRule& rule : ap.spec.rules) {
    for (const model::AuthorizationCondition& when : rule.when) {
      if (!when.key.present) {
        continue;  // missing key: reported by the decoder (MW1004)
      }
      const std::string& key = when.key.value;
      if (key.empty()) {
        out.report(kInfo, ap, when.key.loc,
                   "when key is empty: name the attribute to match (e.g. "
                   "request.headers[x-token], source.ip)");
        continue;
      }
      if (when.values.empty() && when.not_values.empty()) {
        out.report(kInfo, ap, when.loc,
                   "when condition on " + key +
                       " has neither values nor notValues: add the values to match");
        continue;
      }
      ValueKind kind = ValueKind::Any;
      if (validate::Result bad = check_key(key, kind)) {
        out.report(kInfo, ap, when.key.loc, "invalid when key: " + *bad);
        continue;
      }
      check_values(ap, key, when.values, kind, "values", out);
      check_values(ap, key, when.not_values, kind, "notValues", out);
    }
  }
}

}  // namespace

MESHWARD_REGISTER_RULE(resource_rule(kInfo, &check));

}  // namespace meshward::rules
