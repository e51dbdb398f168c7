#pragma once
// security.istio.io AuthorizationPolicy (v1, v1beta1): ALLOW/DENY/AUDIT/CUSTOM rules over a
// request's source, operation and extra conditions.
//
// The proto's top-level messages Rule, Source, Operation and Condition are prefixed with
// "Authorization" here: the bare names are too generic for the shared model namespace.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "meshward/model/field.h"
#include "meshward/model/kinds/common.h"
#include "meshward/model/object.h"
#include "meshward/model/reader.h"

namespace meshward::model {

/// AuthorizationPolicy.Action, in proto order.
enum class AuthorizationAction : std::uint8_t { Allow, Deny, Audit, Custom };
template <>
struct EnumNames<AuthorizationAction> {
  static constexpr std::string_view names[] = {"ALLOW", "DENY", "AUDIT", "CUSTOM"};
};

/// Source: who sends the request. Fields are ANDed; entries of one list are ORed.
struct AuthorizationSource {
  Loc loc;
  std::vector<Field<std::string>> principals;
  std::vector<Field<std::string>> not_principals;
  std::vector<Field<std::string>> request_principals;
  std::vector<Field<std::string>> not_request_principals;
  std::vector<Field<std::string>> namespaces;
  std::vector<Field<std::string>> not_namespaces;
  std::vector<Field<std::string>> ip_blocks;
  std::vector<Field<std::string>> not_ip_blocks;
  std::vector<Field<std::string>> remote_ip_blocks;
  std::vector<Field<std::string>> not_remote_ip_blocks;
  /// "<namespace>/<name>"; exclusive with principals and namespaces (and their not_ forms).
  std::vector<Field<std::string>> service_accounts;
  std::vector<Field<std::string>> not_service_accounts;
};
void decode(ObjectReader& r, AuthorizationSource& out);

/// Operation: what the request does. Fields are ANDed; entries of one list are ORed.
struct AuthorizationOperation {
  Loc loc;
  std::vector<Field<std::string>> hosts;
  std::vector<Field<std::string>> not_hosts;
  std::vector<Field<std::string>> ports;  ///< Port numbers as strings, as the API has them.
  std::vector<Field<std::string>> not_ports;
  std::vector<Field<std::string>> methods;
  std::vector<Field<std::string>> not_methods;
  std::vector<Field<std::string>> paths;
  std::vector<Field<std::string>> not_paths;
};
void decode(ObjectReader& r, AuthorizationOperation& out);

/// Condition: an extra attribute match (`request.headers[x-token]`, `source.ip`, ...).
struct AuthorizationCondition {
  Loc loc;
  Field<std::string> key;  ///< Required.
  std::vector<Field<std::string>> values;
  std::vector<Field<std::string>> not_values;
};
void decode(ObjectReader& r, AuthorizationCondition& out);

/// Rule.From.
struct RuleFrom {
  Loc loc;
  Optional<AuthorizationSource> source;
};
void decode(ObjectReader& r, RuleFrom& out);

/// Rule.To.
struct RuleTo {
  Loc loc;
  Optional<AuthorizationOperation> operation;
};
void decode(ObjectReader& r, RuleTo& out);

/// Rule: matches when one `from`, one `to` and every `when` match; an empty rule matches
/// every request.
struct AuthorizationRule {
  Loc loc;
  std::vector<RuleFrom> from;
  std::vector<RuleTo> to;
  std::vector<AuthorizationCondition> when;
};
void decode(ObjectReader& r, AuthorizationRule& out);

/// AuthorizationPolicy.ExtensionProvider: a MeshConfig extension provider (CUSTOM action).
struct ExtensionProvider {
  Loc loc;
  Field<std::string> name;
};
void decode(ObjectReader& r, ExtensionProvider& out);

/// AuthorizationPolicy spec. At most one of selector, target_ref, target_refs may be set
/// (a check reports otherwise).
struct AuthorizationPolicySpec {
  Loc loc;
  Optional<LabelSelector> selector;
  Optional<PolicyTargetReference> target_ref;  ///< Deprecated in favour of target_refs.
  std::vector<PolicyTargetReference> target_refs;
  /// Empty: the policy matches no request (an ALLOW policy then denies everything it selects).
  std::vector<AuthorizationRule> rules;
  Field<AuthorizationAction> action;  ///< Absent means ALLOW (the proto default).
  Optional<ExtensionProvider> provider;  ///< Only with action CUSTOM.
};
void decode(ObjectReader& r, AuthorizationPolicySpec& out);

/// A decoded AuthorizationPolicy.
class AuthorizationPolicy : public Object {
 public:
  static constexpr Kind kKind = Kind::AuthorizationPolicy;
  AuthorizationPolicy() : Object(kKind) {}
  AuthorizationPolicySpec spec;
};
std::shared_ptr<Object> decode_authorization_policy(ObjectReader& r);

}  // namespace meshward::model
