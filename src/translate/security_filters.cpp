// Security filters from RequestAuthentication and AuthorizationPolicy (see security_filters.h).
// The RBAC policies follow pilot/pkg/security/authz/model: one policy per rule, named
// `ns[<ns>]-policy[<name>]-rule[<i>]`; each `from` is an AND of the source's fields (principals,
// requestPrincipals, serviceAccounts, namespaces, remoteIpBlocks, ipBlocks, then the `when`
// conditions on the source), each `to` an AND of (hosts, methods, paths, ports, then the
// destination conditions); values OR, notValues NOT(OR). A field the chain cannot match (HTTP
// fields on a TCP chain, an unparseable port or CIDR) drops the whole rule of an ALLOW policy
// (it allows less) and only that field of a DENY or AUDIT one (it denies more).

#include "security_filters.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "meshward/core/json.h"
#include "meshward/model/kinds/authorization_policy.h"
#include "meshward/model/kinds/request_authentication.h"
#include "meshward/translate/extension_provider.h"
#include "meshward/translate/registry.h"
#include "meshward/world/facts.h"
#include "meshward/world/host.h"

namespace meshward::translate::detail {

namespace {

using json::Value;
using model::AuthorizationAction;

constexpr std::string_view kJwtAuthn = "envoy.filters.http.jwt_authn";
constexpr std::string_view kHttpRbac = "envoy.filters.http.rbac";
constexpr std::string_view kNetworkRbac = "envoy.filters.network.rbac";
constexpr std::string_view kHttpExtAuthz = "envoy.filters.http.ext_authz";
constexpr std::string_view kNetworkExtAuthz = "envoy.filters.network.ext_authz";
constexpr std::string_view kSpiffePrefix = "spiffe://";
constexpr std::string_view kExtAuthzPrefix = "istio-ext-authz";

/// Builds one filter's typed_config in its own document (what RawJson holds).
class JsonBuilder {
 public:
  JsonBuilder() : doc_(std::make_shared<json::Document>()) { doc_->SetObject(); }
  json::Allocator& alloc() { return doc_->GetAllocator(); }
  Value str(std::string_view v) {
    return Value(v.data(), static_cast<rapidjson::SizeType>(v.size()), alloc());
  }
  static Value obj() { return Value(rapidjson::kObjectType); }
  static Value arr() { return Value(rapidjson::kArrayType); }
  void add(Value& o, std::string_view key, Value v) { o.AddMember(str(key), v, alloc()); }
  void add(Value& o, std::string_view key, std::string_view v) { add(o, key, str(v)); }
  void push(Value& a, Value v) { a.PushBack(v, alloc()); }
  /// `{key: inner}`.
  Value wrap(std::string_view key, Value inner) {
    Value o = obj();
    add(o, key, std::move(inner));
    return o;
  }
  Value strings(const std::vector<std::string>& values) {
    Value a = arr();
    for (const auto& v : values) {
      push(a, str(v));
    }
    return a;
  }
  Value& root() { return *doc_; }
  model::RawJson finish() { return model::RawJson{std::move(doc_)}; }

 private:
  std::shared_ptr<json::Document> doc_;
};

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }
bool ends_with(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.substr(s.size() - p.size()) == p;
}

// matcher.StringMatcherWithPrefix: `*` any non-empty value, `*x` suffix, `x*` prefix, else exact.
Value string_matcher(JsonBuilder& j, std::string_view v, std::string_view prefix = {}) {
  Value m = JsonBuilder::obj();
  if (v == "*") {
    Value re = JsonBuilder::obj();
    j.add(re, "regex", ".+");
    j.add(m, "safe_regex", std::move(re));
  } else if (starts_with(v, "*")) {
    if (prefix.empty()) {
      j.add(m, "suffix", v.substr(1));
    } else {
      Value re = JsonBuilder::obj();
      j.add(re, "regex", std::string(prefix) + ".*" + std::string(v.substr(1)));
      j.add(m, "safe_regex", std::move(re));
    }
  } else if (ends_with(v, "*")) {
    j.add(m, "prefix", std::string(prefix) + std::string(v.substr(0, v.size() - 1)));
  } else {
    j.add(m, "exact", std::string(prefix) + std::string(v));
  }
  return m;
}

Value regex_matcher(JsonBuilder& j, std::string_view regex) {
  Value re = JsonBuilder::obj();
  j.add(re, "regex", regex);
  return j.wrap("safe_regex", std::move(re));
}

// matcher.HeaderMatcher / HostMatcher: `*` is a presence match.
Value header_matcher(JsonBuilder& j, std::string_view name, std::string_view v, bool ignore_case) {
  Value h = JsonBuilder::obj();
  j.add(h, "name", name);
  if (v == "*") {
    j.add(h, "present_match", Value(true));
    return h;
  }
  Value m = string_matcher(j, v);
  if (ignore_case) {
    j.add(m, "ignore_case", Value(true));
  }
  j.add(h, "string_match", std::move(m));
  return h;
}

// util.AddrStrToCidrRange.
std::optional<Value> cidr_range(JsonBuilder& j, std::string_view v) {
  std::string_view addr = v;
  std::uint32_t len = 0;
  const bool v6 = v.find(':') != std::string_view::npos;
  const std::size_t slash = v.find('/');
  if (slash != std::string_view::npos) {
    addr = v.substr(0, slash);
    const std::string_view bits = v.substr(slash + 1);
    const auto [end, ec] = std::from_chars(bits.data(), bits.data() + bits.size(), len);
    if (ec != std::errc() || end != bits.data() + bits.size() || len > (v6 ? 128U : 32U)) {
      return std::nullopt;
    }
  } else {
    len = v6 ? 128 : 32;
  }
  if (!world::is_ip_address(addr)) {
    return std::nullopt;
  }
  Value r = JsonBuilder::obj();
  j.add(r, "address_prefix", addr);
  j.add(r, "prefix_len", Value(len));
  return r;
}

std::optional<std::uint32_t> port_number(std::string_view v) {
  std::uint32_t port = 0;
  const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), port);
  if (ec != std::errc() || end != v.data() + v.size() || port > 65535) {
    return std::nullopt;
  }
  return port;
}

// MetadataStringMatcherForJWTClaim / MetadataListValueMatcherForJWTClaims: the jwt_authn
// payload (`payload_in_metadata: payload`) at `claims`.
Value jwt_claim_matcher(JsonBuilder& j, const std::vector<std::string>& claims, Value value) {
  Value path = JsonBuilder::arr();
  for (std::string_view key : {std::string_view("payload")}) {
    j.push(path, j.wrap("key", j.str(key)));
  }
  for (const auto& c : claims) {
    j.push(path, j.wrap("key", j.str(c)));
  }
  Value m = JsonBuilder::obj();
  j.add(m, "filter", kJwtAuthn);
  j.add(m, "path", std::move(path));
  j.add(m, "value", std::move(value));
  return j.wrap("metadata", std::move(m));
}

// A list claim (aud, azp, request.auth.claims[...]) containing one of `values`.
Value jwt_list_claim(JsonBuilder& j, const std::vector<std::string>& claims,
                     const std::vector<std::string>& values) {
  Value matchers = JsonBuilder::arr();
  for (const auto& v : values) {
    j.push(matchers, j.wrap("string_match", string_matcher(j, v)));
  }
  Value one_of = j.wrap("or_match", j.wrap("value_matchers", std::move(matchers)));
  return jwt_claim_matcher(j, claims, j.wrap("list_match", j.wrap("one_of", std::move(one_of))));
}

// requestPrincipalGenerator: `iss/sub`, split at the last `/`.
Value request_principal(JsonBuilder& j, std::string_view v) {
  const std::size_t idx = v.rfind('/');
  const bool found = idx != std::string_view::npos;
  const std::string_view iss = found ? v.substr(0, idx) : v;
  const std::string_view sub = found ? v.substr(idx + 1) : std::string_view();
  auto any = [&j]() { return regex_matcher(j, ".+"); };
  auto exact = [&j](std::string_view s) { return j.wrap("exact", j.str(s)); };
  Value match_iss;
  Value match_sub;
  if (v == "*") {
    match_iss = any();
    match_sub = any();
  } else if (starts_with(v, "*")) {
    if (found) {
      match_iss = iss == "*" ? any() : j.wrap("suffix", j.str(iss.substr(1)));
      match_sub = exact(sub);
    } else {
      match_iss = any();
      match_sub = j.wrap("suffix", j.str(v.substr(1)));
    }
  } else if (ends_with(v, "*")) {
    if (found) {
      match_iss = exact(iss);
      match_sub = sub == "*" ? any() : j.wrap("prefix", j.str(sub.substr(0, sub.size() - 1)));
    } else {
      match_iss = j.wrap("prefix", j.str(v.substr(0, v.size() - 1)));
      match_sub = any();
    }
  } else {
    match_iss = exact(iss);
    match_sub = exact(sub);
  }
  Value ids = JsonBuilder::arr();
  j.push(ids, jwt_claim_matcher(j, {"iss"}, j.wrap("string_match", std::move(match_iss))));
  j.push(ids, jwt_claim_matcher(j, {"sub"}, j.wrap("string_match", std::move(match_sub))));
  return j.wrap("and_ids", j.wrap("ids", std::move(ids)));
}

// `request.headers[name]` → name; `request.auth.claims[a][b]` → [a, b].
std::vector<std::string> bracketed(std::string_view rest) {
  std::vector<std::string> out;
  while (starts_with(rest, "[")) {
    const std::size_t close = rest.find(']');
    if (close == std::string_view::npos || close == 1) {
      return {};
    }
    out.emplace_back(rest.substr(1, close - 1));
    rest.remove_prefix(close + 1);
  }
  if (!rest.empty()) {
    return {};
  }
  return out;
}

/// One field of a rule: its attribute key (`paths`, `source.principal`, a `when` key), its
/// values and notValues, and which side of the RBAC policy it goes to.
struct Field {
  std::string key;
  std::vector<std::string> values;
  std::vector<std::string> not_values;
  bool principal = false;  ///< Principal (source) side; else permission (destination).
};

class PolicyGenerator {
 public:
  PolicyGenerator(JsonBuilder& j, bool tcp, AuthorizationAction action, std::string_view policy_ns)
      : j_(j), tcp_(tcp), allow_(action == AuthorizationAction::Allow), policy_ns_(policy_ns) {}

  /// rbacpb.Policy for `rule`, or nullopt when an ALLOW rule is dropped.
  std::optional<Value> policy(const model::AuthorizationRule& rule) {
    std::vector<Field> base_permission;
    std::vector<Field> base_principal;
    for (const auto& when : rule.when) {
      Field f{when.key.value, values_of(when.values), values_of(when.not_values), false};
      const std::string_view k = f.key;
      f.principal = !(k == "destination.ip" || k == "destination.port" || k == "connection.sni" ||
                      starts_with(k, "experimental.envoy.filters."));
      (f.principal ? base_principal : base_permission).push_back(std::move(f));
    }
    // One AND per `to` (each with the destination conditions), and per `from` (each with the
    // source conditions); a rule without any has one AND of the conditions alone.
    std::vector<std::vector<Field>> to_lists;
    for (const auto& to : rule.to) {
      std::vector<Field>& fields = to_lists.emplace_back();
      if (to.operation) {
        const auto& o = *to.operation;
        push_field(fields, "hosts", o.hosts, o.not_hosts, false);
        push_field(fields, "methods", o.methods, o.not_methods, false);
        push_field(fields, "paths", o.paths, o.not_paths, false);
        push_field(fields, "ports", o.ports, o.not_ports, false);
      }
      fields.insert(fields.end(), base_permission.begin(), base_permission.end());
    }
    if (rule.to.empty()) {
      to_lists.push_back(base_permission);
    }
    std::vector<std::vector<Field>> from_lists;
    for (const auto& from : rule.from) {
      std::vector<Field>& fields = from_lists.emplace_back();
      if (from.source) {
        const auto& s = *from.source;
        push_field(fields, "source.principal", s.principals, s.not_principals, true);
        push_field(fields, "request.auth.principal", s.request_principals,
                   s.not_request_principals, true);
        push_field(fields, "source.serviceAccount", s.service_accounts, s.not_service_accounts,
                   true);
        push_field(fields, "source.namespace", s.namespaces, s.not_namespaces, true);
        push_field(fields, "remote.ip", s.remote_ip_blocks, s.not_remote_ip_blocks, true);
        push_field(fields, "source.ip", s.ip_blocks, s.not_ip_blocks, true);
      }
      fields.insert(fields.end(), base_principal.begin(), base_principal.end());
    }
    if (rule.from.empty()) {
      from_lists.push_back(base_principal);
    }
    auto permissions = ands_of(to_lists, "and_rules", "rules");
    auto principals = ands_of(from_lists, "and_ids", "ids");
    if (!permissions || !principals) {
      return std::nullopt;
    }
    Value out = JsonBuilder::obj();
    j_.add(out, "permissions", std::move(*permissions));
    j_.add(out, "principals", std::move(*principals));
    return out;
  }

 private:
  // The list of one AND per field list; nullopt when an ALLOW rule is dropped.
  std::optional<Value> ands_of(const std::vector<std::vector<Field>>& lists,
                               std::string_view and_key, std::string_view list_key) {
    Value out = JsonBuilder::arr();
    for (const auto& fields : lists) {
      auto a = and_of(fields, and_key, list_key);
      if (!a) {
        return std::nullopt;
      }
      j_.push(out, std::move(*a));
    }
    return out;
  }

  static std::vector<std::string> values_of(const std::vector<model::Field<std::string>>& in) {
    std::vector<std::string> out;
    out.reserve(in.size());
    for (const auto& f : in) {
      out.push_back(f.value);
    }
    return out;
  }
  static void push_field(std::vector<Field>& fields, std::string key,
                         const std::vector<model::Field<std::string>>& values,
                         const std::vector<model::Field<std::string>>& not_values,
                         bool principal) {
    if (values.empty() && not_values.empty()) {
      return;
    }
    fields.push_back(Field{std::move(key), values_of(values), values_of(not_values), principal});
  }

  // The AND of the fields' matchers (`any` when none); nullopt when an ALLOW rule is dropped.
  std::optional<Value> and_of(const std::vector<Field>& fields, std::string_view and_key,
                              std::string_view list_key) {
    Value list = JsonBuilder::arr();
    for (const Field& f : fields) {
      for (const bool negated : {false, true}) {
        const auto& values = negated ? f.not_values : f.values;
        if (values.empty()) {
          continue;
        }
        auto m = matcher(f, values);
        if (!m) {
          if (allow_) {
            return std::nullopt;
          }
          continue;  // The field is left out: a wider DENY/AUDIT.
        }
        if (negated) {
          m = j_.wrap(f.principal ? "not_id" : "not_rule", std::move(*m));
        }
        j_.push(list, std::move(*m));
      }
    }
    if (list.Empty()) {
      Value any = JsonBuilder::obj();
      j_.add(any, "any", Value(true));
      j_.push(list, std::move(any));
    }
    return j_.wrap(and_key, j_.wrap(list_key, std::move(list)));
  }

  // The matcher of `values` of a field: an OR of one matcher per value (extended generators
  // take the list at once). nullopt when a value cannot be matched on this chain.
  std::optional<Value> matcher(const Field& f, const std::vector<std::string>& values) {
    const std::string_view k = f.key;
    const bool http_only = k == "hosts" || k == "methods" || k == "paths" ||
                           k == "request.auth.principal" || k == "request.auth.audiences" ||
                           k == "request.auth.presenter" || starts_with(k, "request.headers") ||
                           starts_with(k, "request.auth.claims");
    if (http_only && tcp_) {
      return std::nullopt;
    }
    if (k == "request.auth.principal") {
      // An extended generator: one matcher for the values, not wrapped in an OR of one.
      Value list = JsonBuilder::arr();
      for (const auto& v : values) {
        j_.push(list, request_principal(j_, v));
      }
      if (list.Size() == 1) {
        return Value(std::move(list[0]));
      }
      return j_.wrap("or_ids", j_.wrap("ids", std::move(list)));
    }
    if (k == "request.auth.audiences" || k == "request.auth.presenter") {
      return jwt_list_claim(j_, {k == "request.auth.audiences" ? "aud" : "azp"}, values);
    }
    if (starts_with(k, "request.auth.claims")) {
      const auto claims = bracketed(k.substr(std::string_view("request.auth.claims").size()));
      if (claims.empty()) {
        return std::nullopt;
      }
      return jwt_list_claim(j_, claims, values);
    }
    Value list = JsonBuilder::arr();
    for (const auto& v : values) {
      auto one = value_matcher(f, v);
      if (!one) {
        if (allow_) {
          return std::nullopt;
        }
        continue;
      }
      j_.push(list, std::move(*one));
    }
    if (list.Empty()) {
      return std::nullopt;
    }
    if (f.principal) {
      return j_.wrap("or_ids", j_.wrap("ids", std::move(list)));
    }
    return j_.wrap("or_rules", j_.wrap("rules", std::move(list)));
  }

  std::optional<Value> value_matcher(const Field& f, const std::string& v) {
    const std::string_view k = f.key;
    auto authenticated = [this](Value m) {
      return j_.wrap("authenticated", j_.wrap("principal_name", std::move(m)));
    };
    if (k == "hosts") {
      return j_.wrap("header", header_matcher(j_, ":authority", v, true));
    }
    if (k == "methods") {
      return j_.wrap("header", header_matcher(j_, ":method", v, false));
    }
    if (k == "paths") {
      return j_.wrap("url_path", j_.wrap("path", string_matcher(j_, v)));
    }
    if (k == "ports" || k == "destination.port") {
      const auto port = port_number(v);
      if (!port) {
        return std::nullopt;
      }
      return j_.wrap("destination_port", Value(*port));
    }
    if (k == "destination.ip") {
      auto r = cidr_range(j_, v);
      return r ? std::optional<Value>(j_.wrap("destination_ip", std::move(*r))) : std::nullopt;
    }
    if (k == "connection.sni") {
      return j_.wrap("requested_server_name", string_matcher(j_, v));
    }
    if (k == "source.ip" || k == "remote.ip") {
      auto r = cidr_range(j_, v);
      if (!r) {
        return std::nullopt;
      }
      return j_.wrap(k == "source.ip" ? "direct_remote_ip" : "remote_ip", std::move(*r));
    }
    if (k == "source.principal") {
      return authenticated(string_matcher(j_, v, kSpiffePrefix));
    }
    if (k == "source.namespace") {
      std::string ns = v;
      for (std::size_t at = ns.find('*'); at != std::string::npos; at = ns.find('*', at + 2)) {
        ns.replace(at, 1, ".*");
      }
      return authenticated(regex_matcher(j_, ".*/ns/" + ns + "/.*"));
    }
    if (k == "source.serviceAccount") {
      const std::size_t slash = v.find('/');
      const std::string ns = slash == std::string::npos ? std::string(policy_ns_) : v.substr(0, slash);
      const std::string sa = slash == std::string::npos ? v : v.substr(slash + 1);
      return authenticated(
          regex_matcher(j_, "spiffe://.+/ns/" + ns + "/(.+/|)sa/" + sa + "(/.+)?"));
    }
    if (starts_with(k, "request.headers")) {
      const auto name = bracketed(k.substr(std::string_view("request.headers").size()));
      if (name.size() != 1) {
        return std::nullopt;
      }
      return j_.wrap("header", header_matcher(j_, name.front(), v, false));
    }
    return std::nullopt;  // experimental.envoy.filters.* and unknown keys: not generated.
  }

  JsonBuilder& j_;
  bool tcp_;
  bool allow_;
  std::string_view policy_ns_;
};

std::string policy_name(const model::Object& ap, std::size_t rule, bool custom) {
  std::string out = custom ? std::string(kExtAuthzPrefix) + "-" : std::string();
  out += "ns[" + ap.meta.namespace_ + "]-policy[" + ap.meta.name + "]-rule[" +
         std::to_string(rule) + "]";
  return out;
}

// rbacPolicyMatchNever: a policy without rules matches nothing.
Value match_never(JsonBuilder& j) {
  auto any = [&j]() {
    Value a = JsonBuilder::obj();
    j.add(a, "any", Value(true));
    return a;
  };
  Value permissions = JsonBuilder::arr();
  j.push(permissions, j.wrap("not_rule", any()));
  Value principals = JsonBuilder::arr();
  j.push(principals, j.wrap("not_id", any()));
  Value out = JsonBuilder::obj();
  j.add(out, "permissions", std::move(permissions));
  j.add(out, "principals", std::move(principals));
  return out;
}

// Builder.build + buildHTTP/buildTCP for one action: the RBAC typed_config, or nullopt with no
// policies. CUSTOM builds DENY rules into shadow rules only (ext_authz reads the result).
std::optional<model::RawJson> rbac_config(const std::vector<const model::AuthorizationPolicy*>& aps,
                                          AuthorizationAction action, bool tcp) {
  if (aps.empty()) {
    return std::nullopt;
  }
  const bool custom = action == AuthorizationAction::Custom;
  const AuthorizationAction generate_as = custom ? AuthorizationAction::Deny : action;
  JsonBuilder j;
  Value enforce = JsonBuilder::obj();
  Value shadow = JsonBuilder::obj();
  bool has_enforce = false;
  bool has_shadow = false;
  for (const model::AuthorizationPolicy* ap : aps) {
    const bool dry_run = custom || world::is_dry_run(*ap);
    Value& target = dry_run ? shadow : enforce;
    (dry_run ? has_shadow : has_enforce) = true;
    PolicyGenerator gen(j, tcp, generate_as, ap->meta.namespace_);
    for (std::size_t i = 0; i < ap->spec.rules.size(); ++i) {
      auto p = gen.policy(ap->spec.rules[i]);
      if (p) {
        j.add(target, policy_name(*ap, i, custom), std::move(*p));
      }
    }
    if (ap->spec.rules.empty()) {
      j.add(target, policy_name(*ap, 0, custom), match_never(j));
    }
  }
  std::string_view action_name;
  switch (generate_as) {
    case AuthorizationAction::Deny:
      action_name = "DENY";
      break;
    case AuthorizationAction::Audit:
      action_name = "LOG";
      break;
    default:
      break;  // ALLOW is the enum default: not printed.
  }
  auto rules = [&](Value policies) {
    Value r = JsonBuilder::obj();
    if (!action_name.empty()) {
      j.add(r, "action", action_name);
    }
    j.add(r, "policies", std::move(policies));
    return r;
  };
  Value& cfg = j.root();
  j.add(cfg, "@type",
        tcp ? "type.googleapis.com/envoy.extensions.filters.network.rbac.v3.RBAC"
            : "type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBAC");
  if (has_enforce) {
    j.add(cfg, "rules", rules(std::move(enforce)));
  }
  if (has_shadow) {
    j.add(cfg, "shadow_rules", rules(std::move(shadow)));
    if (custom) {
      j.add(cfg, "shadow_rules_stat_prefix", "istio_ext_authz_");
    } else if (generate_as == AuthorizationAction::Allow) {
      j.add(cfg, "shadow_rules_stat_prefix", "istio_dry_run_allow_");
    } else if (generate_as == AuthorizationAction::Deny) {
      j.add(cfg, "shadow_rules_stat_prefix", "istio_dry_run_deny_");
    }
  }
  if (tcp) {
    j.add(cfg, "stat_prefix", "tcp.");
  }
  return j.finish();
}

// The ext_authz filter of CUSTOM policies when the mesh's extensionProviders are not known (no
// --mesh-config): enabled only for requests the shadow RBAC matched, its provider named in
// `meshward_provider` instead of its service.
model::RawJson ext_authz_config(const std::vector<const model::AuthorizationPolicy*>& aps,
                                bool tcp) {
  JsonBuilder j;
  Value& cfg = j.root();
  j.add(cfg, "@type",
        tcp ? "type.googleapis.com/envoy.extensions.filters.network.ext_authz.v3.ExtAuthz"
            : "type.googleapis.com/envoy.extensions.filters.http.ext_authz.v3.ExtAuthz");
  std::vector<std::string> providers;
  for (const auto* ap : aps) {
    if (ap->spec.provider && std::find(providers.begin(), providers.end(),
                                       ap->spec.provider->name.value) == providers.end()) {
      providers.push_back(ap->spec.provider->name.value);
    }
  }
  std::sort(providers.begin(), providers.end());
  Value path = JsonBuilder::arr();
  j.push(path, j.wrap("key", j.str("istio-ext-authz-shadow-effective-policy-id")));
  Value metadata = JsonBuilder::obj();
  j.add(metadata, "filter", tcp ? kNetworkRbac : kHttpRbac);
  j.add(metadata, "path", std::move(path));
  j.add(metadata, "value", j.wrap("string_match", j.wrap("prefix", j.str(kExtAuthzPrefix))));
  j.add(cfg, "filter_enabled_metadata", std::move(metadata));
  j.add(cfg, "meshward_provider", j.strings(providers));
  return j.finish();
}

// istiod's answer to a CUSTOM action it cannot configure (rbacDefaultDenyAll): every request,
// or connection, is denied.
model::RawJson deny_all_config(bool tcp) {
  JsonBuilder j;
  Value& cfg = j.root();
  j.add(cfg, "@type",
        tcp ? "type.googleapis.com/envoy.extensions.filters.network.rbac.v3.RBAC"
            : "type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBAC");
  Value any_permission = JsonBuilder::arr();
  j.push(any_permission, j.wrap("any", Value(true)));
  Value any_principal = JsonBuilder::arr();
  j.push(any_principal, j.wrap("any", Value(true)));
  Value policy = JsonBuilder::obj();
  j.add(policy, "permissions", std::move(any_permission));
  j.add(policy, "principals", std::move(any_principal));
  Value rules = JsonBuilder::obj();
  j.add(rules, "action", "DENY");
  j.add(rules, "policies", j.wrap("default-deny-all-due-to-bad-CUSTOM-action", std::move(policy)));
  j.add(cfg, "rules", std::move(rules));
  if (tcp) {
    j.add(cfg, "stat_prefix", "tcp.");
  }
  return j.finish();
}

// google.protobuf.Duration in protobuf JSON: "600s", "0.500s" (3, 6 or 9 fraction digits).
std::string duration_json(std::int64_t nanos) {
  std::string out = std::to_string(nanos / 1'000'000'000);
  std::int64_t frac = nanos % 1'000'000'000;
  if (frac != 0) {
    int digits = 9;
    while (digits > 3 && frac % 1000 == 0) {
      frac /= 1000;
      digits -= 3;
    }
    char buf[16];
    std::snprintf(buf, sizeof buf, ".%0*lld", digits, static_cast<long long>(frac));
    out += buf;
  }
  return out + "s";
}

// envoy.type.v3.StatusCode's name for `code` (protobuf JSON prints enums by name).
std::string status_code_name(int code) {
  static const std::map<int, const char*> kNames = {
      {0, "Empty"}, {100, "Continue"}, {200, "OK"}, {201, "Created"}, {202, "Accepted"},
      {203, "NonAuthoritativeInformation"}, {204, "NoContent"}, {205, "ResetContent"},
      {206, "PartialContent"}, {207, "MultiStatus"}, {208, "AlreadyReported"}, {226, "IMUsed"},
      {300, "MultipleChoices"}, {301, "MovedPermanently"}, {302, "Found"}, {303, "SeeOther"},
      {304, "NotModified"}, {305, "UseProxy"}, {307, "TemporaryRedirect"},
      {308, "PermanentRedirect"}, {400, "BadRequest"}, {401, "Unauthorized"},
      {402, "PaymentRequired"}, {403, "Forbidden"}, {404, "NotFound"},
      {405, "MethodNotAllowed"}, {406, "NotAcceptable"}, {407, "ProxyAuthenticationRequired"},
      {408, "RequestTimeout"}, {409, "Conflict"}, {410, "Gone"}, {411, "LengthRequired"},
      {412, "PreconditionFailed"}, {413, "PayloadTooLarge"}, {414, "URITooLong"},
      {415, "UnsupportedMediaType"}, {416, "RangeNotSatisfiable"}, {417, "ExpectationFailed"},
      {421, "MisdirectedRequest"}, {422, "UnprocessableEntity"}, {423, "Locked"},
      {424, "FailedDependency"}, {426, "UpgradeRequired"}, {428, "PreconditionRequired"},
      {429, "TooManyRequests"}, {431, "RequestHeaderFieldsTooLarge"},
      {500, "InternalServerError"}, {501, "NotImplemented"}, {502, "BadGateway"},
      {503, "ServiceUnavailable"}, {504, "GatewayTimeout"}, {505, "HTTPVersionNotSupported"},
      {506, "VariantAlsoNegotiates"}, {507, "InsufficientStorage"}, {508, "LoopDetected"},
      {510, "NotExtended"}, {511, "NetworkAuthenticationRequired"}};
  const auto it = kNames.find(code);
  return it != kNames.end() ? it->second : std::to_string(code);
}

// generateHeaders: case-insensitive matchers, `*x` a suffix, `x*` a prefix, else exact.
Value header_list(JsonBuilder& j, const std::vector<std::string>& headers) {
  Value patterns = JsonBuilder::arr();
  for (const std::string& h : headers) {
    Value m = JsonBuilder::obj();
    if (starts_with(h, "*")) {
      j.add(m, "suffix", std::string_view(h).substr(1));
    } else if (ends_with(h, "*")) {
      j.add(m, "prefix", std::string_view(h).substr(0, h.size() - 1));
    } else {
      j.add(m, "exact", h);
    }
    j.add(m, "ignore_case", Value(true));
    j.push(patterns, std::move(m));
  }
  return j.wrap("patterns", std::move(patterns));
}

// generateHTTPConfig / generateGRPCConfig: the ext_authz filter of the provider the CUSTOM
// policies resolved to, enabled only for requests (connections) their shadow RBAC matched.
model::RawJson resolved_ext_authz_config(const ResolvedExtAuthz& resolved, bool tcp) {
  const MeshExtensionProvider& p = *resolved.provider;
  const bool grpc = p.type == MeshExtensionProvider::Type::ExtAuthzGrpc;
  const std::string timeout = duration_json(p.timeout_nanos.value_or(600'000'000'000));
  JsonBuilder j;
  Value& cfg = j.root();
  j.add(cfg, "@type",
        tcp ? "type.googleapis.com/envoy.extensions.filters.network.ext_authz.v3.ExtAuthz"
            : "type.googleapis.com/envoy.extensions.filters.http.ext_authz.v3.ExtAuthz");
  auto grpc_service = [&] {
    Value envoy_grpc = JsonBuilder::obj();
    j.add(envoy_grpc, "cluster_name", resolved.cluster);
    std::string authority = resolved.cluster;
    for (std::size_t at = authority.find('|'); at != std::string::npos;
         at = authority.find('|', at + 2)) {
      authority.replace(at, 1, "_.");
    }
    j.add(envoy_grpc, "authority", authority);
    Value service = JsonBuilder::obj();
    j.add(service, "envoy_grpc", std::move(envoy_grpc));
    j.add(service, "timeout", timeout);
    return service;
  };
  auto enabled_metadata = [&] {
    Value path = JsonBuilder::arr();
    j.push(path, j.wrap("key", j.str("istio-ext-authz-shadow-effective-policy-id")));
    Value metadata = JsonBuilder::obj();
    j.add(metadata, "filter", tcp ? kNetworkRbac : kHttpRbac);
    j.add(metadata, "path", std::move(path));
    j.add(metadata, "value", j.wrap("string_match", j.wrap("prefix", j.str(kExtAuthzPrefix))));
    return metadata;
  };
  if (tcp) {
    j.add(cfg, "stat_prefix", "tcp.");
    j.add(cfg, "grpc_service", grpc_service());
    if (p.fail_open) {
      j.add(cfg, "failure_mode_allow", Value(true));
    }
    j.add(cfg, "transport_api_version", "V3");
    j.add(cfg, "filter_enabled_metadata", enabled_metadata());
    return j.finish();
  }
  // Fields in field-number order, as protobuf JSON prints them.
  if (grpc) {
    j.add(cfg, "grpc_service", grpc_service());
  }
  if (p.fail_open) {
    j.add(cfg, "failure_mode_allow", Value(true));
  }
  if (!grpc) {
    Value server_uri = JsonBuilder::obj();
    j.add(server_uri, "uri", "http://" + resolved.hostname);
    j.add(server_uri, "cluster", resolved.cluster);
    j.add(server_uri, "timeout", timeout);
    Value service = JsonBuilder::obj();
    j.add(service, "server_uri", std::move(server_uri));
    if (!p.path_prefix.empty()) {
      j.add(service, "path_prefix", p.path_prefix);
    }
    const auto& allowed = !p.include_request_headers_in_check.empty()
                              ? p.include_request_headers_in_check
                              : p.include_headers_in_check;
    if (!allowed.empty() || !p.include_additional_headers_in_check.empty()) {
      Value request = JsonBuilder::obj();
      if (!allowed.empty()) {
        j.add(request, "allowed_headers", header_list(j, allowed));
      }
      if (!p.include_additional_headers_in_check.empty()) {
        Value add = JsonBuilder::arr();
        for (const auto& [key, value] : p.include_additional_headers_in_check) {
          Value h = JsonBuilder::obj();
          j.add(h, "key", key);
          j.add(h, "value", value);
          j.push(add, std::move(h));
        }
        j.add(request, "headers_to_add", std::move(add));
      }
      j.add(service, "authorization_request", std::move(request));
    }
    if (!p.headers_to_upstream_on_allow.empty() || !p.headers_to_downstream_on_deny.empty() ||
        !p.headers_to_downstream_on_allow.empty()) {
      Value response = JsonBuilder::obj();
      const std::pair<const char*, const std::vector<std::string>*> lists[] = {
          {"allowed_upstream_headers", &p.headers_to_upstream_on_allow},
          {"allowed_client_headers", &p.headers_to_downstream_on_deny},
          {"allowed_client_headers_on_success", &p.headers_to_downstream_on_allow}};
      for (const auto& [key, list] : lists) {
        if (!list->empty()) {
          j.add(response, key, header_list(j, *list));
        }
      }
      j.add(service, "authorization_response", std::move(response));
    }
    j.add(cfg, "http_service", std::move(service));
  }
  if (p.include_request_body_in_check) {
    const auto& b = *p.include_request_body_in_check;
    Value body = JsonBuilder::obj();
    if (b.max_request_bytes != 0) {
      j.add(body, "max_request_bytes", Value(b.max_request_bytes));
    }
    if (b.allow_partial_message) {
      j.add(body, "allow_partial_message", Value(true));
    }
    if (b.pack_as_bytes) {
      j.add(body, "pack_as_bytes", Value(true));
    }
    j.add(cfg, "with_request_body", std::move(body));
  }
  if (!p.status_on_error.empty()) {
    j.add(cfg, "status_on_error",
          j.wrap("code", j.str(status_code_name(std::atoi(p.status_on_error.c_str())))));
  }
  j.add(cfg, "transport_api_version", "V3");
  j.add(cfg, "filter_enabled_metadata", enabled_metadata());
  return j.finish();
}

// convertToEnvoyJwtConfig: one provider `origins-<i>` per JWT rule (rules sorted by issuer),
// each required when its token is present.
std::optional<model::RawJson> jwt_config(std::vector<const model::JwtRule*> rules, bool gateway) {
  if (rules.empty()) {
    return std::nullopt;
  }
  std::stable_sort(rules.begin(), rules.end(), [](const auto* a, const auto* b) {
    return a->issuer.value < b->issuer.value;
  });
  JsonBuilder j;
  Value providers = JsonBuilder::obj();
  Value inner_and = JsonBuilder::arr();
  Value outer_or = JsonBuilder::arr();
  for (std::size_t i = 0; i < rules.size(); ++i) {
    const model::JwtRule& r = *rules[i];
    const std::string name = "origins-" + std::to_string(i);
    Value p = JsonBuilder::obj();
    j.add(p, "issuer", r.issuer.value);
    if (!r.audiences.empty()) {
      Value aud = JsonBuilder::arr();
      for (const auto& a : r.audiences) {
        j.push(aud, j.str(a.value));
      }
      j.add(p, "audiences", std::move(aud));
    }
    // PILOT_JWT_ENABLE_REMOTE_JWKS defaults to istiod fetching the keys and inlining them.
    Value local = JsonBuilder::obj();
    j.add(local, "inline_string",
          !r.jwks.value.empty() ? r.jwks.value
                                : "<JWKS istiod fetches from " + r.jwks_uri.value + ">");
    j.add(p, "local_jwks", std::move(local));
    if (r.forward_original_token.value) {
      j.add(p, "forward", Value(true));
    }
    if (!r.from_headers.empty()) {
      Value headers = JsonBuilder::arr();
      for (const auto& h : r.from_headers) {
        Value hv = JsonBuilder::obj();
        j.add(hv, "name", h.name.value);
        if (!h.prefix.value.empty()) {
          j.add(hv, "value_prefix", h.prefix.value);
        }
        j.push(headers, std::move(hv));
      }
      j.add(p, "from_headers", std::move(headers));
    }
    if (!r.from_params.empty()) {
      Value params = JsonBuilder::arr();
      for (const auto& v : r.from_params) {
        j.push(params, j.str(v.value));
      }
      j.add(p, "from_params", std::move(params));
    }
    if (!r.from_cookies.empty()) {
      Value cookies = JsonBuilder::arr();
      for (const auto& v : r.from_cookies) {
        j.push(cookies, j.str(v.value));
      }
      j.add(p, "from_cookies", std::move(cookies));
    }
    if (!r.output_payload_to_header.value.empty()) {
      j.add(p, "forward_payload_header", r.output_payload_to_header.value);
    }
    j.add(p, "payload_in_metadata", "payload");
    std::vector<std::string> space = {"permission", "scope"};
    for (const auto& c : r.space_delimited_claims) {
      space.push_back(c.value);
    }
    std::sort(space.begin(), space.end());
    space.erase(std::unique(space.begin(), space.end()), space.end());
    j.add(p, "normalize_payload_in_metadata",
          j.wrap("space_delimited_claims", j.strings(space)));
    if (!r.output_claim_to_headers.empty()) {
      Value claims = JsonBuilder::arr();
      for (const auto& c : r.output_claim_to_headers) {
        Value cv = JsonBuilder::obj();
        j.add(cv, "header_name", c.header.value);
        j.add(cv, "claim_name", c.claim.value);
        j.push(claims, std::move(cv));
      }
      j.add(p, "claim_to_headers", std::move(claims));
    }
    if (gateway) {
      j.add(p, "clear_route_cache", Value(true));
    }
    j.add(providers, name, std::move(p));
    Value either = JsonBuilder::arr();
    j.push(either, j.wrap("provider_name", j.str(name)));
    j.push(either, j.wrap("allow_missing", JsonBuilder::obj()));
    j.push(inner_and, j.wrap("requires_any", j.wrap("requirements", std::move(either))));
    j.push(outer_or, j.wrap("provider_name", j.str(name)));
  }
  Value requirement;
  if (inner_and.Size() == 1) {
    requirement = std::move(inner_and[0]);
  } else {
    j.push(outer_or, j.wrap("requires_all", j.wrap("requirements", std::move(inner_and))));
    requirement = j.wrap("requires_any", j.wrap("requirements", std::move(outer_or)));
  }
  Value rule = JsonBuilder::obj();
  j.add(rule, "match", j.wrap("prefix", j.str("/")));
  j.add(rule, "requires", std::move(requirement));
  Value rules_list = JsonBuilder::arr();
  j.push(rules_list, std::move(rule));
  Value& cfg = j.root();
  j.add(cfg, "@type",
        "type.googleapis.com/envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication");
  j.add(cfg, "providers", std::move(providers));
  j.add(cfg, "rules", std::move(rules_list));
  j.add(cfg, "bypass_cors_preflight", Value(true));
  return j.finish();
}

HttpFilter http_filter(std::string_view name, model::RawJson config) {
  HttpFilter f;
  f.name = std::string(name);
  f.typed_config = std::move(config);
  return f;
}

NetworkFilter network_filter(std::string_view name, model::RawJson config) {
  NetworkFilter f;
  f.name = std::string(name);
  f.typed_config = std::move(config);
  return f;
}

// The objects of `kind` that apply to the proxy: the root namespace's, then its namespace's.
template <class T>
std::vector<const T*> applying(const Scope& scope) {
  const world::View& view = scope.registry().view();
  const Proxy& proxy = scope.proxy();
  const std::string& root = scope.options().mesh.root_namespace;
  std::vector<const T*> out;
  if (view.count(T::kKind) == 0) {
    return out;
  }
  for (const std::string_view ns : {std::string_view(root), std::string_view(proxy.namespace_)}) {
    if (ns == root && !out.empty()) {
      break;  // A proxy in the root namespace: already listed.
    }
    for (const model::Object* o : view.selecting(T::kKind, ns, proxy.labels)) {
      if (const T* t = o->as<T>(); t != nullptr) {
        out.push_back(t);
      }
    }
  }
  return out;
}

}  // namespace

SecurityFilters security_filters(const Scope& scope) {
  SecurityFilters out;
  const bool gateway = scope.proxy().type == Proxy::Type::Gateway;
  std::map<AuthorizationAction, std::vector<const model::AuthorizationPolicy*>> by_action;
  for (const auto* ap : applying<model::AuthorizationPolicy>(scope)) {
    by_action[ap->spec.action.present ? ap->spec.action.value : AuthorizationAction::Allow]
        .push_back(ap);
  }
  std::vector<const model::JwtRule*> jwt_rules;
  for (const auto* ra : applying<model::RequestAuthentication>(scope)) {
    for (const auto& r : ra->spec.jwt_rules) {
      jwt_rules.push_back(&r);
    }
  }
  const auto& custom = by_action[AuthorizationAction::Custom];
  // With the mesh's extensionProviders known, the provider the CUSTOM policies name, or
  // istiod's deny-all when it cannot use it; without, the provider's name stands in.
  std::optional<Result<ResolvedExtAuthz>> resolved;
  if (!custom.empty() && scope.options().mesh.extension_providers) {
    std::vector<std::string> named;
    for (const auto* ap : custom) {
      named.push_back(ap->spec.provider ? ap->spec.provider->name.value : std::string());
    }
    resolved = resolve_ext_authz(scope.registry().view(), *scope.options().mesh.extension_providers,
                                 named, scope.options().mesh.domain_suffix);
  }
  for (const bool tcp : {false, true}) {
    if (resolved && !*resolved) {
      if (tcp) {
        out.tcp.push_back(network_filter(kNetworkRbac, deny_all_config(true)));
      } else {
        out.http.push_back(http_filter(kHttpRbac, deny_all_config(false)));
      }
      continue;
    }
    if (tcp && resolved &&
        (*resolved)->provider->type != MeshExtensionProvider::Type::ExtAuthzGrpc) {
      continue;  // an HTTP authorizer has no TCP filter: istiod leaves TCP chains alone
    }
    if (auto cfg = rbac_config(custom, AuthorizationAction::Custom, tcp)) {
      model::RawJson ext_authz =
          resolved ? resolved_ext_authz_config(**resolved, tcp) : ext_authz_config(custom, tcp);
      if (tcp) {
        out.tcp.push_back(network_filter(kNetworkRbac, std::move(*cfg)));
        out.tcp.push_back(network_filter(kNetworkExtAuthz, std::move(ext_authz)));
      } else {
        out.http.push_back(http_filter(kHttpRbac, std::move(*cfg)));
        out.http.push_back(http_filter(kHttpExtAuthz, std::move(ext_authz)));
      }
    }
  }
  if (auto cfg = jwt_config(std::move(jwt_rules), gateway)) {
    out.http.push_back(http_filter(kJwtAuthn, std::move(*cfg)));
  }
  for (const AuthorizationAction action :
       {AuthorizationAction::Audit, AuthorizationAction::Deny, AuthorizationAction::Allow}) {
    const auto& aps = by_action[action];
    if (auto cfg = rbac_config(aps, action, false)) {
      out.http.push_back(http_filter(kHttpRbac, std::move(*cfg)));
    }
    if (auto cfg = rbac_config(aps, action, true)) {
      out.tcp.push_back(network_filter(kNetworkRbac, std::move(*cfg)));
    }
  }
  return out;
}

void insert_http_security_filters(std::vector<HttpFilter>& http_filters,
                                  const std::vector<HttpFilter>& filters) {
  auto at = http_filters.begin();
  if (at != http_filters.end() && at->name == "istio.metadata_exchange") {
    ++at;
  }
  http_filters.insert(at, filters.begin(), filters.end());
}

void insert_tcp_security_filters(std::vector<NetworkFilter>& chain_filters,
                                 const std::vector<NetworkFilter>& filters) {
  auto at = std::find_if(chain_filters.begin(), chain_filters.end(),
                         [](const NetworkFilter& f) { return f.name == "istio.stats"; });
  if (at == chain_filters.end() && !chain_filters.empty()) {
    at = chain_filters.end() - 1;
  }
  chain_filters.insert(at, filters.begin(), filters.end());
}

}  // namespace meshward::translate::detail
