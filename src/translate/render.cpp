// Printing a translation: Envoy's `/config_dump` JSON (and YAML, the same tree) and the tables
// `istioctl proxy-config` prints (reference §9).
//
// JSON follows what Envoy's admin endpoint writes: protobuf JSON with the proto field names
// (snake_case), fields in field-number order, 1-space indentation, default scalars omitted
// (wrapper types and oneof members are printed even when zero), durations as "3s" /
// "0.500s", 64-bit integers as strings, map keys sorted.

#include "meshward/translate/render.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "meshward/core/json.h"
#include "meshward/translate/names.h"
#include "proto_merge.h"

namespace meshward::translate {

namespace {

using json::Value;

constexpr std::string_view kHcmType =
    "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3."
    "HttpConnectionManager";
constexpr std::string_view kTcpProxyType =
    "type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy";
constexpr std::string_view kStatsType = "type.googleapis.com/stats.PluginConfig";
constexpr std::string_view kTypedStructType = "type.googleapis.com/udpa.type.v1.TypedStruct";
constexpr std::string_view kDownstreamTlsType =
    "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext";
constexpr std::string_view kUpstreamTlsType =
    "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext";

/// protobuf JSON for a google.protobuf.Duration: "3s", "0.500s".
std::string duration_text(Millis ms) {
  std::string out = std::to_string(ms / 1000);
  const Millis frac = ms % 1000;
  if (frac != 0) {
    char buf[8];
    std::snprintf(buf, sizeof buf, ".%03d", static_cast<int>(frac));
    out += buf;
  }
  return out + "s";
}

/// A RapidJSON tree under construction: objects keep members in insertion order, which the
/// builders below make field-number order.
// What a MERGE patch did not merge as written (merge_problems): the object by its
// patched_by list, the patch, and why.
struct MergeReport {
  const std::vector<AppliedPatch>* object = nullptr;
  const AppliedPatch* patch = nullptr;
  std::string problem;
};

class Tree {
 public:
  explicit Tree(json::Allocator& a, std::vector<MergeReport>* reports = nullptr)
      : a_(a), reports_(reports) {}

  Value object() const { return Value(rapidjson::kObjectType); }
  Value array() const { return Value(rapidjson::kArrayType); }
  Value str(std::string_view s) const {
    return Value(s.data(), static_cast<rapidjson::SizeType>(s.size()), a_);
  }
  Value typed(std::string_view type_url) const {
    Value v = object();
    add(v, "@type", str(type_url));
    return v;
  }

  /// Adds a member; an empty list is left out, as protobuf JSON leaves out empty repeated
  /// fields (empty messages, `{}`, are printed).
  void add(Value& obj, std::string_view key, Value v) const {
    if (v.IsArray() && v.Empty()) {
      return;
    }
    obj.AddMember(str(key), v, a_);
  }
  void add(Value& obj, std::string_view key, std::string_view s) const { add(obj, key, str(s)); }
  void add(Value& obj, std::string_view key, const char* s) const { add(obj, key, str(s)); }
  void add(Value& obj, std::string_view key, const std::string& s) const { add(obj, key, str(s)); }
  void add(Value& obj, std::string_view key, bool b) const { add(obj, key, Value(b)); }
  void add_uint(Value& obj, std::string_view key, std::uint64_t n) const {
    add(obj, key, Value(n));
  }
  void add_duration(Value& obj, std::string_view key, Millis ms) const {
    add(obj, key, str(duration_text(ms)));
  }
  /// Adds `s` only when it is not empty (a proto3 string default).
  void add_nonempty(Value& obj, std::string_view key, std::string_view s) const {
    if (!s.empty()) {
      add(obj, key, str(s));
    }
  }
  void push(Value& arr, Value v) const { arr.PushBack(v, a_); }
  Value strings(const std::vector<std::string>& items) const {
    Value arr = array();
    for (const auto& s : items) {
      push(arr, str(s));
    }
    return arr;
  }

  json::Allocator& allocator() const { return a_; }
  /// A deep copy of `v` (an EnvoyFilter patch value) into this tree.
  Value copy(const json::Value& v) const { return Value(v, a_); }

  /// `out` with the MERGE patches of `patched_by` merged in, in order.
  Value merged(Value out, const std::vector<AppliedPatch>& patched_by,
               detail::MergeStyle style) const {
    for (const AppliedPatch& p : patched_by) {
      if (p.merge_value.get() == nullptr) {
        continue;
      }
      for (std::string& problem : detail::merge_patch(out, *p.merge_value.get(), a_, style)) {
        if (reports_ != nullptr) {
          reports_->push_back({&patched_by, &p, std::move(problem)});
        }
      }
    }
    return out;
  }

 private:
  json::Allocator& a_;
  std::vector<MergeReport>* reports_;
};

// ---- Common messages --------------------------------------------------------------------

Value socket_address(const Tree& t, const SocketAddress& addr) {
  Value sa = t.object();
  t.add(sa, "address", addr.address);
  t.add_uint(sa, "port_value", addr.port_value);
  Value out = t.object();
  t.add(out, "socket_address", std::move(sa));
  return out;
}

/// core.v3.ConfigSource {ads: {}, initial_fetch_timeout: 0s, resource_api_version: V3}.
Value ads_config_source(const Tree& t) {
  Value cs = t.object();
  t.add(cs, "ads", t.object());
  t.add_duration(cs, "initial_fetch_timeout", 0);
  t.add(cs, "resource_api_version", "V3");
  return cs;
}

/// core.v3.ConfigSource for SDS from the istio-agent (`sds-grpc` cluster).
Value agent_sds_config_source(const Tree& t) {
  Value cluster = t.object();
  t.add(cluster, "cluster_name", "sds-grpc");
  Value grpc = t.object();
  t.add(grpc, "envoy_grpc", std::move(cluster));
  Value grpc_services = t.array();
  t.push(grpc_services, std::move(grpc));
  Value api = t.object();
  t.add(api, "api_type", "GRPC");
  t.add(api, "grpc_services", std::move(grpc_services));
  t.add(api, "set_node_on_first_message_only", true);
  t.add(api, "transport_api_version", "V3");
  Value cs = t.object();
  t.add(cs, "api_config_source", std::move(api));
  t.add_duration(cs, "initial_fetch_timeout", 0);
  t.add(cs, "resource_api_version", "V3");
  return cs;
}

/// An SDS secret reference: `default`/`ROOTCA` come from the istio-agent, `kubernetes://...`
/// credentials from istiod over ADS.
Value sds_secret(const Tree& t, std::string_view name) {
  Value secret = t.object();
  t.add(secret, "name", name);
  if (name.rfind("kubernetes://", 0) == 0) {
    Value cs = t.object();
    t.add(cs, "ads", t.object());
    t.add(cs, "resource_api_version", "V3");
    t.add(secret, "sds_config", std::move(cs));
  } else {
    t.add(secret, "sds_config", agent_sds_config_source(t));
  }
  return secret;
}

/// filter_metadata `{key: {field: value}}` with the fields sorted by name.
Value metadata(const Tree& t, const std::map<std::string, std::map<std::string, Value*>>& data) {
  Value fm = t.object();
  for (const auto& [key, fields] : data) {
    Value inner = t.object();
    for (const auto& [name, v] : fields) {
      t.add(inner, name, std::move(*v));
    }
    t.add(fm, key, std::move(inner));
  }
  Value md = t.object();
  t.add(md, "filter_metadata", std::move(fm));
  return md;
}

/// Metadata with one `istio.config` string.
Value istio_config_metadata(const Tree& t, const std::string& config) {
  Value v = t.str(config);
  return metadata(t, {{"istio", {{"config", &v}}}});
}

/// type.v3.FractionalPercent for a percentage, as istiod converts it (per million).
Value fractional_percent(const Tree& t, double percent) {
  Value fp = t.object();
  const auto numerator = static_cast<std::uint64_t>(percent * 10000.0 + 0.5);
  if (numerator != 0) {
    t.add_uint(fp, "numerator", numerator);
  }
  t.add(fp, "denominator", "MILLION");
  return fp;
}

Value string_matcher(const Tree& t, const StringMatcher& m) {
  Value out = t.object();
  switch (m.kind) {
    case StringMatcher::Kind::Exact:
      t.add(out, "exact", m.value);
      break;
    case StringMatcher::Kind::Prefix:
      t.add(out, "prefix", m.value);
      break;
    case StringMatcher::Kind::Suffix:
      t.add(out, "suffix", m.value);
      break;
    case StringMatcher::Kind::SafeRegex: {
      Value re = t.object();
      t.add(re, "regex", m.value);
      t.add(out, "safe_regex", std::move(re));
      break;
    }
    case StringMatcher::Kind::Contains:
      break;
  }
  if (m.ignore_case) {
    t.add(out, "ignore_case", true);
  }
  if (m.kind == StringMatcher::Kind::Contains) {
    t.add(out, "contains", m.value);
  }
  return out;
}

Value header_value_options(const Tree& t, const std::vector<HeaderValueOption>& options) {
  Value arr = t.array();
  for (const auto& o : options) {
    Value header = t.object();
    t.add(header, "key", o.key);
    t.add(header, "value", o.value);
    Value hvo = t.object();
    t.add(hvo, "header", std::move(header));
    // HeaderValueOption.append_action: APPEND_IF_EXISTS_OR_ADD is the enum default (0).
    if (o.append == HeaderValueOption::Append::OverwriteIfExistsOrAdd) {
      t.add(hvo, "append_action", "OVERWRITE_IF_EXISTS_OR_ADD");
    }
    t.push(arr, std::move(hvo));
  }
  return arr;
}

/// Adds the four header-manipulation lists under the field names (whose numbers differ per
/// message, so each caller places them).
void add_request_headers_to_add(const Tree& t, Value& obj, const HeaderMutations& h) {
  if (!h.request_headers_to_add.empty()) {
    t.add(obj, "request_headers_to_add", header_value_options(t, h.request_headers_to_add));
  }
}
void add_response_headers(const Tree& t, Value& obj, const HeaderMutations& h) {
  if (!h.response_headers_to_add.empty()) {
    t.add(obj, "response_headers_to_add", header_value_options(t, h.response_headers_to_add));
  }
  if (!h.response_headers_to_remove.empty()) {
    t.add(obj, "response_headers_to_remove", t.strings(h.response_headers_to_remove));
  }
}
void add_request_headers_to_remove(const Tree& t, Value& obj, const HeaderMutations& h) {
  if (!h.request_headers_to_remove.empty()) {
    t.add(obj, "request_headers_to_remove", t.strings(h.request_headers_to_remove));
  }
}

// ---- Routes -----------------------------------------------------------------------------

Value route_match(const Tree& t, const RouteMatch& m) {
  Value out = t.object();
  // Field numbers: prefix 1, path 2, case_sensitive 4, headers 6, query_parameters 7,
  // safe_regex 10, path_separated_prefix 14.
  if (m.path_kind == RouteMatch::PathKind::Prefix) {
    t.add(out, "prefix", m.path);
  } else if (m.path_kind == RouteMatch::PathKind::Path) {
    t.add(out, "path", m.path);
  }
  if (m.case_sensitive) {
    t.add(out, "case_sensitive", *m.case_sensitive);
  }
  if (!m.headers.empty()) {
    Value headers = t.array();
    for (const auto& h : m.headers) {
      Value hm = t.object();
      t.add(hm, "name", h.name);
      if (!h.string_match) {
        t.add(hm, "present_match", true);
      }
      if (h.invert_match) {
        t.add(hm, "invert_match", true);
      }
      if (h.string_match) {
        t.add(hm, "string_match", string_matcher(t, *h.string_match));
      }
      t.push(headers, std::move(hm));
    }
    t.add(out, "headers", std::move(headers));
  }
  if (!m.query_parameters.empty()) {
    Value params = t.array();
    for (const auto& q : m.query_parameters) {
      Value qm = t.object();
      t.add(qm, "name", q.name);
      if (q.string_match) {
        t.add(qm, "string_match", string_matcher(t, *q.string_match));
      } else {
        t.add(qm, "present_match", true);
      }
      t.push(params, std::move(qm));
    }
    t.add(out, "query_parameters", std::move(params));
  }
  if (m.path_kind == RouteMatch::PathKind::SafeRegex) {
    Value re = t.object();
    t.add(re, "regex", m.path);
    t.add(out, "safe_regex", std::move(re));
  } else if (m.path_kind == RouteMatch::PathKind::PathSeparatedPrefix) {
    t.add(out, "path_separated_prefix", m.path);
  }
  return out;
}

Value retry_policy(const Tree& t, const RetryPolicy& r) {
  Value out = t.object();
  t.add_nonempty(out, "retry_on", r.retry_on);
  t.add_uint(out, "num_retries", r.num_retries);  // UInt32Value: printed even when 0.
  if (r.per_try_timeout) {
    t.add_duration(out, "per_try_timeout", *r.per_try_timeout);
  }
  if (r.retry_remote_localities) {
    Value cfg = t.typed(
        "type.googleapis.com/envoy.extensions.retry.priority.previous_priorities.v3."
        "PreviousPrioritiesConfig");
    t.add_uint(cfg, "update_frequency", 2);
    Value prio = t.object();
    t.add(prio, "name", "envoy.retry_priorities.previous_priorities");
    t.add(prio, "typed_config", std::move(cfg));
    t.add(out, "retry_priority", std::move(prio));
  }
  if (r.previous_hosts_predicate) {
    Value pred = t.object();
    t.add(pred, "name", "envoy.retry_host_predicates.previous_hosts");
    t.add(pred, "typed_config",
          t.typed("type.googleapis.com/envoy.extensions.retry.host.previous_hosts.v3."
                  "PreviousHostsPredicate"));
    Value preds = t.array();
    t.push(preds, std::move(pred));
    t.add(out, "retry_host_predicate", std::move(preds));
  }
  if (r.host_selection_retry_max_attempts != 0) {
    // int64: a string in protobuf JSON.
    t.add(out, "host_selection_retry_max_attempts",
          std::to_string(r.host_selection_retry_max_attempts));
  }
  if (!r.retriable_status_codes.empty()) {
    Value codes = t.array();
    for (auto c : r.retriable_status_codes) {
      t.push(codes, Value(c));
    }
    t.add(out, "retriable_status_codes", std::move(codes));
  }
  if (r.backoff_base_interval) {
    Value backoff = t.object();
    t.add_duration(backoff, "base_interval", *r.backoff_base_interval);
    t.add(out, "retry_back_off", std::move(backoff));
  }
  return out;
}

Value hash_policy(const Tree& t, const HashPolicy& h) {
  Value out = t.object();
  switch (h.kind) {
    case HashPolicy::Kind::Header: {
      Value v = t.object();
      t.add(v, "header_name", h.name);
      t.add(out, "header", std::move(v));
      break;
    }
    case HashPolicy::Kind::Cookie: {
      Value v = t.object();
      t.add(v, "name", h.name);
      if (h.cookie_ttl) {
        t.add_duration(v, "ttl", *h.cookie_ttl);
      }
      t.add_nonempty(v, "path", h.cookie_path);
      t.add(out, "cookie", std::move(v));
      break;
    }
    case HashPolicy::Kind::SourceIp: {
      Value v = t.object();
      t.add(v, "source_ip", true);
      t.add(out, "connection_properties", std::move(v));
      break;
    }
    case HashPolicy::Kind::QueryParameter: {
      Value v = t.object();
      t.add(v, "name", h.name);
      t.add(out, "query_parameter", std::move(v));
      break;
    }
  }
  return out;
}

Value route_action(const Tree& t, const RouteAction& a) {
  Value out = t.object();
  // Field numbers: cluster 1, weighted_clusters 3, prefix_rewrite 5, host_rewrite_literal 6,
  // timeout 8, retry_policy 9, hash_policy 15, cluster_not_found_response_code 20,
  // max_grpc_timeout 23, request_mirror_policies 30, regex_rewrite 32, max_stream_duration 36.
  if (a.weighted_clusters.empty()) {
    t.add(out, "cluster", a.cluster);
  } else {
    Value clusters = t.array();
    for (const auto& w : a.weighted_clusters) {
      Value cw = t.object();
      t.add(cw, "name", w.name);
      t.add_uint(cw, "weight", w.weight);
      add_request_headers_to_add(t, cw, w.headers);
      add_response_headers(t, cw, w.headers);
      add_request_headers_to_remove(t, cw, w.headers);
      if (w.host_rewrite_literal) {
        t.add(cw, "host_rewrite_literal", *w.host_rewrite_literal);
      }
      t.push(clusters, std::move(cw));
    }
    Value wc = t.object();
    t.add(wc, "clusters", std::move(clusters));
    t.add(out, "weighted_clusters", std::move(wc));
  }
  if (a.prefix_rewrite) {
    t.add(out, "prefix_rewrite", *a.prefix_rewrite);
  }
  if (a.host_rewrite_literal) {
    t.add(out, "host_rewrite_literal", *a.host_rewrite_literal);
  }
  t.add_duration(out, "timeout", a.timeout);
  if (a.retry_policy) {
    t.add(out, "retry_policy", retry_policy(t, *a.retry_policy));
  }
  if (!a.hash_policy.empty()) {
    Value arr = t.array();
    for (const auto& h : a.hash_policy) {
      t.push(arr, hash_policy(t, h));
    }
    t.add(out, "hash_policy", std::move(arr));
  }
  if (a.cluster_not_found_response_code) {
    t.add(out, "cluster_not_found_response_code", *a.cluster_not_found_response_code);
  }
  if (a.max_grpc_timeout) {
    t.add_duration(out, "max_grpc_timeout", *a.max_grpc_timeout);
  }
  if (!a.request_mirror_policies.empty()) {
    Value arr = t.array();
    for (const auto& m : a.request_mirror_policies) {
      Value mp = t.object();
      t.add(mp, "cluster", m.cluster);
      Value rf = t.object();
      t.add(rf, "default_value", fractional_percent(t, m.percentage));
      t.add(mp, "runtime_fraction", std::move(rf));
      t.add(mp, "trace_sampled", m.trace_sampled);
      t.push(arr, std::move(mp));
    }
    t.add(out, "request_mirror_policies", std::move(arr));
  }
  if (a.regex_rewrite) {
    Value pattern = t.object();
    t.add(pattern, "regex", a.regex_rewrite->first);
    Value rr = t.object();
    t.add(rr, "pattern", std::move(pattern));
    t.add(rr, "substitution", a.regex_rewrite->second);
    t.add(out, "regex_rewrite", std::move(rr));
  }
  if (a.max_stream_duration) {
    Value msd = t.object();
    t.add_duration(msd, "max_stream_duration", *a.max_stream_duration);
    t.add_duration(msd, "grpc_timeout_header_max", *a.max_stream_duration);
    t.add(out, "max_stream_duration", std::move(msd));
  }
  return out;
}

Value redirect_action(const Tree& t, const RedirectAction& r) {
  Value out = t.object();
  // host_redirect 1, path_redirect 2, response_code 3, prefix_rewrite 5, scheme_redirect 7,
  // port_redirect 8.
  if (r.host_redirect) {
    t.add(out, "host_redirect", *r.host_redirect);
  }
  if (r.path_redirect) {
    t.add(out, "path_redirect", *r.path_redirect);
  }
  if (r.response_code != "MOVED_PERMANENTLY") {
    t.add(out, "response_code", r.response_code);
  }
  if (r.prefix_rewrite) {
    t.add(out, "prefix_rewrite", *r.prefix_rewrite);
  }
  if (r.scheme_redirect) {
    t.add(out, "scheme_redirect", *r.scheme_redirect);
  }
  if (r.port_redirect) {
    t.add_uint(out, "port_redirect", *r.port_redirect);
  }
  return out;
}

Value fault_config(const Tree& t, const FaultConfig& f) {
  Value out = t.typed("type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault");
  if (f.fixed_delay) {
    Value delay = t.object();
    t.add_duration(delay, "fixed_delay", *f.fixed_delay);
    t.add(delay, "percentage", fractional_percent(t, f.delay_percentage));
    t.add(out, "delay", std::move(delay));
  }
  if (f.abort_http_status || f.abort_grpc_status) {
    Value abort = t.object();
    if (f.abort_http_status) {
      t.add_uint(abort, "http_status", *f.abort_http_status);
    }
    t.add(abort, "percentage", fractional_percent(t, f.abort_percentage));
    if (f.abort_grpc_status) {
      t.add_uint(abort, "grpc_status", *f.abort_grpc_status);
    }
    t.add(out, "abort", std::move(abort));
  }
  return out;
}

Value cors_config(const Tree& t, const CorsConfig& c) {
  Value out = t.typed("type.googleapis.com/envoy.extensions.filters.http.cors.v3.CorsPolicy");
  if (!c.allow_origin_string_match.empty()) {
    Value arr = t.array();
    for (const auto& m : c.allow_origin_string_match) {
      t.push(arr, string_matcher(t, m));
    }
    t.add(out, "allow_origin_string_match", std::move(arr));
  }
  t.add_nonempty(out, "allow_methods", c.allow_methods);
  t.add_nonempty(out, "allow_headers", c.allow_headers);
  t.add_nonempty(out, "expose_headers", c.expose_headers);
  if (c.max_age) {
    t.add(out, "max_age", *c.max_age);
  }
  if (c.allow_credentials) {
    t.add(out, "allow_credentials", *c.allow_credentials);
  }
  // istiod always enables the policy at 100% (denominator HUNDRED, the enum default).
  Value fraction = t.object();
  t.add_uint(fraction, "numerator", 100);
  Value enabled = t.object();
  t.add(enabled, "default_value", std::move(fraction));
  t.add(out, "filter_enabled", std::move(enabled));
  t.add(out, "forward_not_matching_preflights", c.forward_not_matching_preflights);
  return out;
}

Value route_generated(const Tree& t, const Route& r) {
  if (r.patch_value.get() != nullptr) {
    return t.copy(*r.patch_value.get());  // As the EnvoyFilter wrote it.
  }
  Value out = t.object();
  // Field numbers: match 1, route 2, redirect 3, metadata 4, decorator 5, direct_response 7,
  // request_headers_to_add 9, response_headers_to_add 10, response_headers_to_remove 11,
  // request_headers_to_remove 12, typed_per_filter_config 13, name 14.
  t.add(out, "match", route_match(t, r.match));
  if (const auto* action = std::get_if<RouteAction>(&r.action)) {
    t.add(out, "route", route_action(t, *action));
  } else if (const auto* redirect = std::get_if<RedirectAction>(&r.action)) {
    t.add(out, "redirect", redirect_action(t, *redirect));
  }
  if (!r.istio_config.empty()) {
    t.add(out, "metadata", istio_config_metadata(t, r.istio_config));
  }
  if (!r.decorator_operation.empty()) {
    Value d = t.object();
    t.add(d, "operation", r.decorator_operation);
    t.add(out, "decorator", std::move(d));
  }
  if (const auto* direct = std::get_if<DirectResponseAction>(&r.action)) {
    Value dr = t.object();
    t.add_uint(dr, "status", direct->status);
    if (direct->body) {
      Value body = t.object();
      t.add(body, "inline_string", *direct->body);
      t.add(dr, "body", std::move(body));
    }
    t.add(out, "direct_response", std::move(dr));
  }
  add_request_headers_to_add(t, out, r.headers);
  add_response_headers(t, out, r.headers);
  add_request_headers_to_remove(t, out, r.headers);
  if (r.fault || r.cors) {
    Value per_filter = t.object();
    // Map keys in sorted order: cors before fault.
    if (r.cors) {
      t.add(per_filter, "envoy.filters.http.cors", cors_config(t, *r.cors));
    }
    if (r.fault) {
      t.add(per_filter, "envoy.filters.http.fault", fault_config(t, *r.fault));
    }
    t.add(out, "typed_per_filter_config", std::move(per_filter));
  }
  t.add_nonempty(out, "name", r.name);
  return out;
}

// As istiod builds it, then with its EnvoyFilter MERGE patches.
Value route(const Tree& t, const Route& r) {
  return t.merged(route_generated(t, r), r.patched_by, detail::MergeStyle::Message);
}

Value virtual_host_generated(const Tree& t, const VirtualHost& vh) {
  if (vh.patch_value.get() != nullptr) {
    return t.copy(*vh.patch_value.get());  // As the EnvoyFilter wrote it.
  }
  Value out = t.object();
  // name 1, domains 2, routes 3, require_tls 4, include_request_attempt_count 14.
  t.add(out, "name", vh.name);
  t.add(out, "domains", t.strings(vh.domains));
  Value routes = t.array();
  for (const auto& r : vh.routes) {
    t.push(routes, route(t, r));
  }
  t.add(out, "routes", std::move(routes));
  if (vh.require_tls_all) {
    t.add(out, "require_tls", "ALL");
  }
  if (vh.include_request_attempt_count) {
    t.add(out, "include_request_attempt_count", true);
  }
  return out;
}

// As istiod builds it, then with its EnvoyFilter MERGE patches.
Value virtual_host(const Tree& t, const VirtualHost& vh) {
  return t.merged(virtual_host_generated(t, vh), vh.patched_by, detail::MergeStyle::Message);
}

Value route_configuration_generated(const Tree& t, const RouteConfiguration& rc) {
  Value out = t.typed("type.googleapis.com/envoy.config.route.v3.RouteConfiguration");
  // name 1, virtual_hosts 2, validate_clusters 7, max_direct_response_body_size_bytes 11,
  // ignore_port_in_host_matching 14.
  t.add(out, "name", rc.name);
  Value vhosts = t.array();
  for (const auto& vh : rc.virtual_hosts) {
    t.push(vhosts, virtual_host(t, vh));
  }
  t.add(out, "virtual_hosts", std::move(vhosts));
  t.add(out, "validate_clusters", rc.validate_clusters);  // BoolValue: printed when false.
  if (rc.max_direct_response_body_size_bytes) {
    t.add_uint(out, "max_direct_response_body_size_bytes", *rc.max_direct_response_body_size_bytes);
  }
  if (rc.ignore_port_in_host_matching) {
    t.add(out, "ignore_port_in_host_matching", true);
  }
  return out;
}

// As istiod builds it, then with its EnvoyFilter MERGE patches.
Value route_configuration(const Tree& t, const RouteConfiguration& rc) {
  return t.merged(route_configuration_generated(t, rc),
                  rc.patched_by, detail::MergeStyle::Message);
}

// ---- Listeners --------------------------------------------------------------------------

/// The listener filters istiod uses, by name, with their typed configs.
Value listener_filter(const Tree& t, const std::string& name) {
  Value out = t.object();
  t.add(out, "name", name);
  if (name == "envoy.filters.listener.tls_inspector") {
    Value cfg = t.typed(
        "type.googleapis.com/envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector");
    t.add_uint(cfg, "initial_read_buffer_size", 512);
    t.add(out, "typed_config", std::move(cfg));
  } else if (name == "envoy.filters.listener.http_inspector") {
    t.add(out, "typed_config",
          t.typed("type.googleapis.com/envoy.extensions.filters.listener.http_inspector.v3."
                  "HttpInspector"));
  } else if (name == "envoy.filters.listener.original_dst") {
    t.add(out, "typed_config",
          t.typed("type.googleapis.com/envoy.extensions.filters.listener.original_dst.v3."
                  "OriginalDst"));
  } else if (name == "envoy.filters.listener.proxy_protocol") {
    t.add(out, "typed_config",
          t.typed("type.googleapis.com/envoy.extensions.filters.listener.proxy_protocol.v3."
                  "ProxyProtocol"));
  }
  return out;
}

/// A TypedStruct carrying an Istio extension's config (`udpa.type.v1.TypedStruct`).
Value typed_struct(const Tree& t, std::string_view type_url, Value value) {
  Value out = t.typed(kTypedStructType);
  t.add(out, "type_url", type_url);
  t.add(out, "value", std::move(value));
  return out;
}

/// istio.metadata_exchange on an HCM: the peer metadata filter (outbound: upstream
/// discovery, inbound: downstream discovery).
Value metadata_exchange_http(const Tree& t, bool inbound) {
  auto discovery = [&t]() {
    Value list = t.array();
    Value istio_headers = t.object();
    t.add(istio_headers, "istio_headers", t.object());
    t.push(list, std::move(istio_headers));
    Value workload = t.object();
    t.add(workload, "workload_discovery", t.object());
    t.push(list, std::move(workload));
    return list;
  };
  auto propagation = [&t]() {
    Value list = t.array();
    Value istio_headers = t.object();
    t.add(istio_headers, "istio_headers", t.object());
    t.push(list, std::move(istio_headers));
    return list;
  };
  Value value = t.object();
  const std::string_view side = inbound ? "downstream" : "upstream";
  t.add(value, std::string(side) + "_discovery", discovery());
  t.add(value, std::string(side) + "_propagation", propagation());
  return typed_struct(t, "type.googleapis.com/io.istio.http.peer_metadata.Config",
                      std::move(value));
}

Value http_filter_generated(const Tree& t, const HttpFilter& filter, bool inbound) {
  if (filter.patch_value.get() != nullptr) {
    return t.copy(*filter.patch_value.get());  // As the EnvoyFilter wrote it.
  }
  // Before any MERGE renamed it: the patches are replayed over this (Tree::merged).
  const std::string& name = filter.generated_name.empty() ? filter.name : filter.generated_name;
  Value out = t.object();
  t.add(out, "name", name);
  if (filter.typed_config.get() != nullptr) {
    t.add(out, "typed_config", t.copy(*filter.typed_config.get()));
  } else if (name == "istio.metadata_exchange") {
    t.add(out, "typed_config", metadata_exchange_http(t, inbound));
  } else if (name == "envoy.filters.http.grpc_stats") {
    Value cfg =
        t.typed("type.googleapis.com/envoy.extensions.filters.http.grpc_stats.v3.FilterConfig");
    t.add(cfg, "emit_filter_state", true);
    t.add(cfg, "stats_for_all_methods", false);
    t.add(out, "typed_config", std::move(cfg));
  } else if (name == "istio.alpn") {
    Value cfg =
        t.typed("type.googleapis.com/istio.envoy.config.filter.http.alpn.v2alpha1.FilterConfig");
    Value overrides = t.array();
    const char* const protocols[] = {"HTTP10", "HTTP11", "HTTP2"};
    const std::vector<std::string> alpns[] = {{"istio-http/1.0", "istio", "http/1.0"},
                                              {"istio-http/1.1", "istio", "http/1.1"},
                                              {"istio-h2", "istio", "h2"}};
    for (int i = 0; i < 3; ++i) {
      Value o = t.object();
      // HTTP10 is the enum default (0) and so not printed.
      if (i != 0) {
        t.add(o, "upstream_protocol", protocols[i]);
      }
      t.add(o, "alpn_override", t.strings(alpns[i]));
      t.push(overrides, std::move(o));
    }
    t.add(cfg, "alpn_override", std::move(overrides));
    t.add(out, "typed_config", std::move(cfg));
  } else if (name == "envoy.filters.http.fault") {
    t.add(out, "typed_config",
          t.typed("type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault"));
  } else if (name == "envoy.filters.http.cors") {
    t.add(out, "typed_config",
          t.typed("type.googleapis.com/envoy.extensions.filters.http.cors.v3.Cors"));
  } else if (name == "istio.stats") {
    t.add(out, "typed_config", t.typed(kStatsType));
  } else if (name == "envoy.filters.http.router") {
    t.add(out, "typed_config",
          t.typed("type.googleapis.com/envoy.extensions.filters.http.router.v3.Router"));
  } else if (name == "envoy.filters.http.grpc_web") {
    t.add(out, "typed_config",
          t.typed("type.googleapis.com/envoy.extensions.filters.http.grpc_web.v3.GrpcWeb"));
  }
  return out;
}

// As istiod builds it, then with its EnvoyFilter MERGE patches.
Value http_filter(const Tree& t, const HttpFilter& filter, bool inbound) {
  return t.merged(http_filter_generated(t, filter, inbound),
                  filter.patched_by, detail::MergeStyle::Filter);
}

Value http_connection_manager(const Tree& t, const NetworkFilter& f) {
  Value out = t.typed(f.type_url.empty() ? kHcmType : std::string_view(f.type_url));
  // stat_prefix 2, rds 3, route_config 4, http_filters 5, http_protocol_options 8,
  // use_remote_address 14, forward_client_cert_details 16, set_current_client_cert_details
  // 17, upgrade_configs 23, stream_idle_timeout 24, normalize_path 30, request_id_extension
  // 36, path_with_escaped_slashes_action 45.
  t.add(out, "stat_prefix", f.stat_prefix);
  if (f.inline_route_config) {
    Value rc = route_configuration(t, *f.inline_route_config);
    rc.RemoveMember("@type");  // A plain message field, not an Any.
    t.add(out, "route_config", std::move(rc));
  } else {
    Value rds = t.object();
    t.add(rds, "config_source", ads_config_source(t));
    t.add(rds, "route_config_name", f.rds_route_config_name);
    t.add(out, "rds", std::move(rds));
  }
  const bool inbound = f.stat_prefix.rfind("inbound", 0) == 0;
  Value filters = t.array();
  for (const auto& filter : f.http_filters) {
    t.push(filters, http_filter(t, filter, inbound));
  }
  t.add(out, "http_filters", std::move(filters));
  // The connection manager's class shows in its fields: a gateway's uses the remote address
  // and sets (empty) HTTP/1 options; client certificate details follow the XFCC mode
  // (gateways SANITIZE_SET: subject, cert, dns, uri; sidecar inbound APPEND_FORWARD: subject,
  // dns, uri).
  if (f.use_remote_address) {
    t.add(out, "http_protocol_options", t.object());
  }
  t.add(out, "use_remote_address", f.use_remote_address);
  t.add_nonempty(out, "forward_client_cert_details", f.forward_client_cert_details);
  if (f.forward_client_cert_details == "SANITIZE_SET" ||
      f.forward_client_cert_details == "APPEND_FORWARD") {
    Value details = t.object();
    t.add(details, "subject", true);
    if (f.forward_client_cert_details == "SANITIZE_SET") {
      t.add(details, "cert", true);
    }
    t.add(details, "dns", true);
    t.add(details, "uri", true);
    t.add(out, "set_current_client_cert_details", std::move(details));
  }
  Value websocket = t.object();
  t.add(websocket, "upgrade_type", "websocket");
  Value upgrades = t.array();
  t.push(upgrades, std::move(websocket));
  t.add(out, "upgrade_configs", std::move(upgrades));
  t.add_duration(out, "stream_idle_timeout", 0);
  t.add(out, "normalize_path", true);
  Value uuid =
      t.typed("type.googleapis.com/envoy.extensions.request_id.uuid.v3.UuidRequestIdConfig");
  t.add(uuid, "use_request_id_for_trace_sampling", true);
  Value request_id = t.object();
  t.add(request_id, "typed_config", std::move(uuid));
  t.add(out, "request_id_extension", std::move(request_id));
  t.add(out, "path_with_escaped_slashes_action", "KEEP_UNCHANGED");
  return out;
}

Value tcp_proxy(const Tree& t, const NetworkFilter& f) {
  Value out = t.typed(f.type_url.empty() ? kTcpProxyType : std::string_view(f.type_url));
  // stat_prefix 1, cluster 2, weighted_clusters 10.
  t.add(out, "stat_prefix", f.stat_prefix);
  if (f.weighted_clusters.empty()) {
    t.add(out, "cluster", f.cluster);
  } else {
    Value clusters = t.array();
    for (const auto& w : f.weighted_clusters) {
      Value cw = t.object();
      t.add(cw, "name", w.name);
      if (w.weight != 0) {
        t.add_uint(cw, "weight", w.weight);
      }
      t.push(clusters, std::move(cw));
    }
    Value wc = t.object();
    t.add(wc, "clusters", std::move(clusters));
    t.add(out, "weighted_clusters", std::move(wc));
  }
  return out;
}

Value network_filter_generated(const Tree& t, const NetworkFilter& f) {
  if (f.patch_value.get() != nullptr) {
    return t.copy(*f.patch_value.get());  // As the EnvoyFilter wrote it.
  }
  // Before any MERGE renamed it: the patches are replayed over this (Tree::merged).
  const std::string& name = f.generated_name.empty() ? f.name : f.generated_name;
  Value out = t.object();
  t.add(out, "name", name);
  if (f.typed_config.get() != nullptr) {
    t.add(out, "typed_config", t.copy(*f.typed_config.get()));
  } else if (name == "envoy.filters.network.http_connection_manager") {
    t.add(out, "typed_config", http_connection_manager(t, f));
  } else if (name == "envoy.filters.network.tcp_proxy") {
    t.add(out, "typed_config", tcp_proxy(t, f));
  } else if (name == "istio.metadata_exchange") {
    Value value = t.object();
    t.add(value, "enable_discovery", true);
    t.add(value, "protocol", "istio-peer-exchange");
    t.add(out, "typed_config",
          typed_struct(t, "type.googleapis.com/envoy.tcp.metadataexchange.config.MetadataExchange",
                       std::move(value)));
  } else if (name == "istio.stats") {
    t.add(out, "typed_config",
          t.typed(f.type_url.empty() ? kStatsType : std::string_view(f.type_url)));
  } else if (!f.type_url.empty()) {
    t.add(out, "typed_config", t.typed(f.type_url));
  }
  return out;
}

// As istiod builds it, then with its EnvoyFilter MERGE patches.
Value network_filter(const Tree& t, const NetworkFilter& f) {
  return t.merged(network_filter_generated(t, f), f.patched_by, detail::MergeStyle::Filter);
}

Value downstream_tls(const Tree& t, const DownstreamTls& tls) {
  Value common = t.object();
  // CommonTlsContext: tls_params 1, tls_certificates 2, alpn_protocols 4,
  // tls_certificate_sds_secret_configs 6, combined_validation_context 8.
  if (!tls.min_protocol_version.empty() || !tls.max_protocol_version.empty() ||
      !tls.cipher_suites.empty()) {
    Value params = t.object();
    t.add_nonempty(params, "tls_minimum_protocol_version", tls.min_protocol_version);
    t.add_nonempty(params, "tls_maximum_protocol_version", tls.max_protocol_version);
    if (!tls.cipher_suites.empty()) {
      t.add(params, "cipher_suites", t.strings(tls.cipher_suites));
    }
    t.add(common, "tls_params", std::move(params));
  }
  if (tls.sds_certificate.empty() && !tls.certificate_file.empty()) {
    Value chain = t.object();
    t.add(chain, "filename", tls.certificate_file);
    Value key = t.object();
    t.add(key, "filename", tls.private_key_file);
    Value cert = t.object();
    t.add(cert, "certificate_chain", std::move(chain));
    t.add(cert, "private_key", std::move(key));
    Value certs = t.array();
    t.push(certs, std::move(cert));
    t.add(common, "tls_certificates", std::move(certs));
  }
  if (!tls.alpn_protocols.empty()) {
    t.add(common, "alpn_protocols", t.strings(tls.alpn_protocols));
  }
  if (!tls.sds_certificate.empty()) {
    Value secrets = t.array();
    t.push(secrets, sds_secret(t, tls.sds_certificate));
    t.add(common, "tls_certificate_sds_secret_configs", std::move(secrets));
  }
  if (!tls.sds_validation.empty() || !tls.ca_certificates_file.empty()) {
    Value validation = t.object();
    Value default_validation = t.object();
    if (!tls.subject_alt_names.empty()) {
      Value sans = t.array();
      for (const auto& san : tls.subject_alt_names) {
        Value m = t.object();
        t.add(m, "exact", san);
        t.push(sans, std::move(m));
      }
      t.add(default_validation, "match_subject_alt_names", std::move(sans));
    }
    if (tls.sds_validation.empty()) {
      Value ca = t.object();
      t.add(ca, "filename", tls.ca_certificates_file);
      t.add(default_validation, "trusted_ca", std::move(ca));
    }
    t.add(validation, "default_validation_context", std::move(default_validation));
    if (!tls.sds_validation.empty()) {
      t.add(validation, "validation_context_sds_secret_config", sds_secret(t, tls.sds_validation));
    }
    t.add(common, "combined_validation_context", std::move(validation));
  }
  Value ctx = t.typed(kDownstreamTlsType);
  t.add(ctx, "common_tls_context", std::move(common));
  t.add(ctx, "require_client_certificate", tls.require_client_certificate);
  Value socket = t.object();
  t.add(socket, "name", "envoy.transport_sockets.tls");
  t.add(socket, "typed_config", std::move(ctx));
  return socket;
}

Value cidr_range(const Tree& t, const std::string& cidr) {
  Value out = t.object();
  const auto slash = cidr.find('/');
  const std::string address = cidr.substr(0, slash);
  std::uint64_t len = address.find(':') != std::string::npos ? 128 : 32;
  if (slash != std::string::npos) {
    len = std::strtoull(cidr.c_str() + slash + 1, nullptr, 10);
  }
  t.add(out, "address_prefix", address);
  t.add_uint(out, "prefix_len", len);
  return out;
}

Value filter_chain_match(const Tree& t, const FilterChainMatch& m) {
  Value out = t.object();
  // prefix_ranges 3, destination_port 8, transport_protocol 9, application_protocols 10,
  // server_names 11.
  if (!m.prefix_ranges.empty()) {
    Value ranges = t.array();
    for (const auto& cidr : m.prefix_ranges) {
      t.push(ranges, cidr_range(t, cidr));
    }
    t.add(out, "prefix_ranges", std::move(ranges));
  }
  if (m.destination_port) {
    t.add_uint(out, "destination_port", *m.destination_port);
  }
  t.add_nonempty(out, "transport_protocol", m.transport_protocol);
  if (!m.application_protocols.empty()) {
    t.add(out, "application_protocols", t.strings(m.application_protocols));
  }
  if (!m.server_names.empty()) {
    t.add(out, "server_names", t.strings(m.server_names));
  }
  return out;
}

// The patch value of an object an EnvoyFilter added, with `field` (its children, which later
// patches may have changed) rendered from the model instead.
Value patched_in(const Tree& t, const model::RawJson& value, std::string_view field,
                 Value children) {
  Value out = t.copy(*value.get());
  if (out.IsObject()) {
    out.RemoveMember(Value(rapidjson::StringRef(field.data(), field.size())));
    t.add(out, field, std::move(children));
  }
  return out;
}

Value filter_chain_generated(const Tree& t, const FilterChain& fc, bool is_default) {
  if (fc.patch_value.get() != nullptr) {
    Value filters = t.array();
    for (const auto& f : fc.filters) {
      t.push(filters, network_filter(t, f));
    }
    return patched_in(t, fc.patch_value, "filters", std::move(filters));
  }
  Value out = t.object();
  // filter_chain_match 1, filters 3, metadata 5, transport_socket 6, name 7,
  // transport_socket_connect_timeout 9.
  // A default chain built by istiod carries an explicit empty match; other chains only when
  // they match something.
  if (!fc.match.empty() || (is_default && fc.name == "PassthroughFilterChain")) {
    t.add(out, "filter_chain_match", filter_chain_match(t, fc.match));
  }
  Value filters = t.array();
  std::string istio_config;
  for (const auto& f : fc.filters) {
    t.push(filters, network_filter(t, f));
    if (!f.istio_config.empty()) {
      istio_config = f.istio_config;
    }
  }
  t.add(out, "filters", std::move(filters));
  if (!istio_config.empty()) {
    t.add(out, "metadata", istio_config_metadata(t, istio_config));
  }
  if (fc.tls) {
    t.add(out, "transport_socket", downstream_tls(t, *fc.tls));
  }
  t.add_nonempty(out, "name", fc.name);
  if (fc.transport_socket_connect_timeout) {
    t.add_duration(out, "transport_socket_connect_timeout", *fc.transport_socket_connect_timeout);
  }
  return out;
}

// As istiod builds it, then with its EnvoyFilter MERGE patches.
Value filter_chain(const Tree& t, const FilterChain& fc, bool is_default) {
  return t.merged(filter_chain_generated(t, fc, is_default),
                  fc.patched_by, detail::MergeStyle::FilterChain);
}

Value listener_generated(const Tree& t, const Listener& l) {
  if (l.patch_value.get() != nullptr) {
    Value chains = t.array();
    for (const auto& fc : l.filter_chains) {
      t.push(chains, filter_chain(t, fc, false));
    }
    Value out = t.typed("type.googleapis.com/envoy.config.listener.v3.Listener");
    Value body = patched_in(t, l.patch_value, "filter_chains", std::move(chains));
    for (auto& m : body.GetObject()) {
      out.AddMember(m.name, m.value, t.allocator());
    }
    return out;
  }
  Value out = t.typed("type.googleapis.com/envoy.config.listener.v3.Listener");
  // name 1, address 2, filter_chains 3, use_original_dst 4, listener_filters 9,
  // listener_filters_timeout 15, traffic_direction 16, continue_on_listener_filters_timeout
  // 17, default_filter_chain 25, bind_to_port 26, additional_addresses 33.
  t.add(out, "name", l.name);
  t.add(out, "address", socket_address(t, l.address));
  Value chains = t.array();
  for (const auto& fc : l.filter_chains) {
    t.push(chains, filter_chain(t, fc, false));
  }
  t.add(out, "filter_chains", std::move(chains));
  if (l.use_original_dst) {
    t.add(out, "use_original_dst", true);
  }
  if (!l.listener_filters.empty()) {
    Value filters = t.array();
    for (const auto& name : l.listener_filters) {
      t.push(filters, listener_filter(t, name));
    }
    t.add(out, "listener_filters", std::move(filters));
  }
  if (l.listener_filters_timeout) {
    t.add_duration(out, "listener_filters_timeout", *l.listener_filters_timeout);
  }
  t.add_nonempty(out, "traffic_direction", l.traffic_direction);
  if (l.continue_on_listener_filters_timeout) {
    t.add(out, "continue_on_listener_filters_timeout", true);
  }
  if (l.default_filter_chain) {
    t.add(out, "default_filter_chain", filter_chain(t, *l.default_filter_chain, true));
  }
  if (l.bind_to_port) {
    t.add(out, "bind_to_port", *l.bind_to_port);
  }
  if (!l.additional_addresses.empty()) {
    Value extra = t.array();
    for (const auto& a : l.additional_addresses) {
      Value aa = t.object();
      t.add(aa, "address", socket_address(t, a));
      t.push(extra, std::move(aa));
    }
    t.add(out, "additional_addresses", std::move(extra));
  }
  return out;
}

// As istiod builds it, then with its EnvoyFilter MERGE patches.
Value listener(const Tree& t, const Listener& l) {
  return t.merged(listener_generated(t, l), l.patched_by, detail::MergeStyle::Message);
}

// ---- Clusters and endpoints ---------------------------------------------------------------

std::string_view cluster_type_name(Cluster::Type type) {
  switch (type) {
    case Cluster::Type::Eds:
      return "EDS";
    case Cluster::Type::StrictDns:
      return "STRICT_DNS";
    case Cluster::Type::LogicalDns:
      return "LOGICAL_DNS";
    case Cluster::Type::OriginalDst:
      return "ORIGINAL_DST";
    case Cluster::Type::Static:
      return "STATIC";
  }
  return "STATIC";
}

std::string_view health_status_name(std::uint32_t status) {
  switch (status) {
    case 1:
      return "HEALTHY";
    case 2:
      return "UNHEALTHY";
    case 3:
      return "DRAINING";
    case 4:
      return "TIMEOUT";
    case 5:
      return "DEGRADED";
    default:
      return "UNKNOWN";
  }
}

Value lb_endpoint(const Tree& t, const LbEndpoint& ep) {
  Value out = t.object();
  // endpoint 1, health_status 2, metadata 3, load_balancing_weight 4.
  Value endpoint = t.object();
  t.add(endpoint, "address", socket_address(t, ep.address));
  t.add(out, "endpoint", std::move(endpoint));
  if (ep.health_status != 0) {
    t.add(out, "health_status", health_status_name(ep.health_status));
  }
  std::map<std::string, std::map<std::string, Value*>> md;
  Value tls_mode = t.str("istio");
  Value workload = t.str(ep.istio_workload);
  if (ep.tls_mode_istio) {
    md["envoy.transport_socket_match"]["tlsMode"] = &tls_mode;
  }
  if (!ep.istio_workload.empty()) {
    md["istio"]["workload"] = &workload;
  }
  if (!md.empty()) {
    t.add(out, "metadata", metadata(t, md));
  }
  t.add_uint(out, "load_balancing_weight", ep.load_balancing_weight);
  return out;
}

/// ClusterLoadAssignment fields; `typed` adds the `@type` of a top-level resource.
Value load_assignment(const Tree& t, const ClusterLoadAssignment& cla, bool typed) {
  Value out = typed ? t.typed("type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment")
                    : t.object();
  t.add(out, "cluster_name", cla.cluster_name);
  if (!cla.endpoints.empty()) {
    Value localities = t.array();
    for (const auto& loc : cla.endpoints) {
      Value l = t.object();
      Value locality = t.object();
      t.add_nonempty(locality, "region", loc.locality.region);
      t.add_nonempty(locality, "zone", loc.locality.zone);
      t.add_nonempty(locality, "sub_zone", loc.locality.sub_zone);
      t.add(l, "locality", std::move(locality));
      Value eps = t.array();
      for (const auto& ep : loc.lb_endpoints) {
        t.push(eps, lb_endpoint(t, ep));
      }
      t.add(l, "lb_endpoints", std::move(eps));
      t.add_uint(l, "load_balancing_weight", loc.load_balancing_weight);
      if (loc.priority && *loc.priority != 0) {
        t.add_uint(l, "priority", *loc.priority);
      }
      t.push(localities, std::move(l));
    }
    t.add(out, "endpoints", std::move(localities));
  }
  if (typed) {
    // Envoy fills in its default overprovisioning factor when it stores an assignment.
    Value policy = t.object();
    t.add_uint(policy, "overprovisioning_factor", 140);
    t.add(out, "policy", std::move(policy));
  }
  return out;
}

Value upstream_tls(const Tree& t, const UpstreamTls& tls) {
  Value common = t.object();
  if (tls.mode == UpstreamTls::Mode::IstioMutual) {
    Value params = t.object();
    t.add(params, "tls_minimum_protocol_version", "TLSv1_2");
    t.add(params, "tls_maximum_protocol_version", "TLSv1_3");
    t.add(common, "tls_params", std::move(params));
  }
  if (!tls.client_certificate.empty() && tls.credential_name.empty()) {
    Value chain = t.object();
    t.add(chain, "filename", tls.client_certificate);
    Value key = t.object();
    t.add(key, "filename", tls.private_key);
    Value cert = t.object();
    t.add(cert, "certificate_chain", std::move(chain));
    t.add(cert, "private_key", std::move(key));
    Value certs = t.array();
    t.push(certs, std::move(cert));
    t.add(common, "tls_certificates", std::move(certs));
  }
  if (!tls.alpn_protocols.empty()) {
    t.add(common, "alpn_protocols", t.strings(tls.alpn_protocols));
  }
  std::string certificate_secret;
  std::string validation_secret;
  if (tls.mode == UpstreamTls::Mode::IstioMutual) {
    certificate_secret = "default";
    validation_secret = "ROOTCA";
  } else if (!tls.credential_name.empty()) {
    if (tls.mode == UpstreamTls::Mode::Mutual) {
      certificate_secret = "kubernetes://" + tls.credential_name;
    }
    validation_secret = "kubernetes://" + tls.credential_name + "-cacert";
  }
  if (!certificate_secret.empty()) {
    Value secrets = t.array();
    t.push(secrets, sds_secret(t, certificate_secret));
    t.add(common, "tls_certificate_sds_secret_configs", std::move(secrets));
  }
  if (!tls.insecure_skip_verify && (!validation_secret.empty() || !tls.ca_certificates.empty() ||
                                    !tls.subject_alt_names.empty())) {
    Value default_validation = t.object();
    if (!tls.subject_alt_names.empty()) {
      Value sans = t.array();
      for (const auto& san : tls.subject_alt_names) {
        Value m = t.object();
        t.add(m, "exact", san);
        t.push(sans, std::move(m));
      }
      t.add(default_validation, "match_subject_alt_names", std::move(sans));
    }
    if (validation_secret.empty() && !tls.ca_certificates.empty()) {
      Value ca = t.object();
      t.add(ca, "filename", tls.ca_certificates);
      t.add(default_validation, "trusted_ca", std::move(ca));
    }
    Value validation = t.object();
    t.add(validation, "default_validation_context", std::move(default_validation));
    if (!validation_secret.empty()) {
      t.add(validation, "validation_context_sds_secret_config", sds_secret(t, validation_secret));
    }
    t.add(common, "combined_validation_context", std::move(validation));
  }
  Value ctx = t.typed(kUpstreamTlsType);
  t.add(ctx, "common_tls_context", std::move(common));
  t.add_nonempty(ctx, "sni", tls.sni);
  Value socket = t.object();
  t.add(socket, "name", "envoy.transport_sockets.tls");
  t.add(socket, "typed_config", std::move(ctx));
  return socket;
}

// A patch value an EnvoyFilter added, as written, with the `@type` of a config dump's resource.
Value typed_patch_value(const Tree& t, std::string_view type_url, const model::RawJson& value) {
  Value out = t.typed(type_url);
  if (value.get() != nullptr && value.get()->IsObject()) {
    for (const auto& m : value.get()->GetObject()) {
      if (std::string_view(m.name.GetString()) != "@type") {
        t.add(out, m.name.GetString(), t.copy(m.value));
      }
    }
  }
  return out;
}

Value cluster_generated(const Tree& t, const Cluster& c) {
  if (c.patch_value.get() != nullptr && c.patch_value.get()->IsObject()) {
    // As the EnvoyFilter wrote it, typed like the clusters of a config dump.
    return typed_patch_value(t, "type.googleapis.com/envoy.config.cluster.v3.Cluster",
                             c.patch_value);
  }
  Value out = t.typed("type.googleapis.com/envoy.config.cluster.v3.Cluster");
  // name 1, type 2, eds_cluster_config 3, connect_timeout 4, lb_policy 6, circuit_breakers
  // 10, dns_refresh_rate 16, dns_lookup_family 17, outlier_detection 19, transport_socket
  // 24, metadata 25, alt_stat_name 28, load_assignment 33, typed_extension_protocol_options
  // 36, respect_dns_ttl 39, transport_socket_matches 43.
  t.add(out, "name", c.name);
  t.add(out, "type", cluster_type_name(c.type));  // A oneof member: printed even when STATIC.
  if (c.type == Cluster::Type::Eds) {
    Value eds = t.object();
    t.add(eds, "eds_config", ads_config_source(t));
    t.add(eds, "service_name", c.name);
    t.add(out, "eds_cluster_config", std::move(eds));
  }
  t.add_duration(out, "connect_timeout", c.connect_timeout);
  if (c.lb_policy != "ROUND_ROBIN") {  // ROUND_ROBIN is the enum default.
    t.add(out, "lb_policy", c.lb_policy);
  }
  // istiod's BlackHoleCluster is the one cluster without connection pool settings.
  if (c.name != kBlackHoleCluster) {
    Value threshold = t.object();
    t.add_uint(threshold, "max_connections", c.max_connections);
    t.add_uint(threshold, "max_pending_requests", c.max_pending_requests);
    t.add_uint(threshold, "max_requests", c.max_requests);
    t.add_uint(threshold, "max_retries", c.max_retries);
    t.add(threshold, "track_remaining", true);
    Value thresholds = t.array();
    t.push(thresholds, std::move(threshold));
    Value breakers = t.object();
    t.add(breakers, "thresholds", std::move(thresholds));
    t.add(out, "circuit_breakers", std::move(breakers));
  }
  const bool dns = c.type == Cluster::Type::StrictDns || c.type == Cluster::Type::LogicalDns;
  if (dns) {
    t.add_duration(out, "dns_refresh_rate", c.dns_refresh_rate);
    t.add_nonempty(out, "dns_lookup_family", c.dns_lookup_family);
  }
  if (c.outlier_detection) {
    // applyOutlierDetection: success-rate ejection off; each consecutive-error kind enforced
    // (100%) when its threshold is positive, off (0%) when it is 0. Field order: consecutive_5xx
    // 1, interval 2, base_ejection_time 3, max_ejection_percent 4, enforcing_consecutive_5xx 5,
    // enforcing_success_rate 6, consecutive_gateway_failure 10, enforcing_consecutive_gateway_
    // failure 11, split_external_local_origin_errors 12, consecutive_local_origin_failure 13,
    // enforcing_consecutive_local_origin_failure 14, enforcing_local_origin_success_rate 15.
    const auto& od = *c.outlier_detection;
    const auto enforcing = [](std::uint32_t threshold) -> std::uint32_t {
      return threshold > 0 ? 100 : 0;
    };
    Value o = t.object();
    if (od.consecutive_5xx) {
      t.add_uint(o, "consecutive_5xx", *od.consecutive_5xx);
    }
    if (od.interval) {
      t.add_duration(o, "interval", *od.interval);
    }
    if (od.base_ejection_time) {
      t.add_duration(o, "base_ejection_time", *od.base_ejection_time);
    }
    if (od.max_ejection_percent) {
      t.add_uint(o, "max_ejection_percent", *od.max_ejection_percent);
    }
    if (od.consecutive_5xx) {
      t.add_uint(o, "enforcing_consecutive_5xx", enforcing(*od.consecutive_5xx));
    }
    t.add_uint(o, "enforcing_success_rate", 0);
    if (od.consecutive_gateway_failure) {
      t.add_uint(o, "consecutive_gateway_failure", *od.consecutive_gateway_failure);
      t.add_uint(o, "enforcing_consecutive_gateway_failure",
                 enforcing(*od.consecutive_gateway_failure));
    }
    if (od.split_external_local_origin_errors) {
      t.add(o, "split_external_local_origin_errors", true);
      if (od.consecutive_local_origin_failure) {
        t.add_uint(o, "consecutive_local_origin_failure", *od.consecutive_local_origin_failure);
        t.add_uint(o, "enforcing_consecutive_local_origin_failure", 100);
      }
      t.add_uint(o, "enforcing_local_origin_success_rate", 0);
    }
    t.add(out, "outlier_detection", std::move(o));
  }
  if (c.tls && !c.auto_mtls_match) {
    t.add(out, "transport_socket", upstream_tls(t, *c.tls));
  }
  {
    std::map<std::string, std::map<std::string, Value*>> md;
    Value config = t.str(c.istio_config);
    Value subset = t.str(c.subset);
    Value external = Value(true);
    Value services = t.array();
    for (const auto& s : c.services) {
      Value svc = t.object();
      t.add(svc, "host", s.host);
      t.add(svc, "name", s.name);
      t.add(svc, "namespace", s.namespace_);
      t.push(services, std::move(svc));
    }
    if (!c.istio_config.empty()) {
      md["istio"]["config"] = &config;
    }
    if (c.external) {
      md["istio"]["external"] = &external;
    }
    if (!c.services.empty()) {
      md["istio"]["services"] = &services;
    }
    if (!c.subset.empty()) {
      md["istio"]["subset"] = &subset;
    }
    if (!md.empty()) {
      t.add(out, "metadata", metadata(t, md));
    }
  }
  // common_lb_config 27: healthy_panic_threshold 1 (a Percent), locality_weighted_lb_config 3.
  if (c.healthy_panic_threshold || c.locality_weighted_lb) {
    Value common = t.object();
    if (c.healthy_panic_threshold) {
      Value percent = t.object();
      if (*c.healthy_panic_threshold != 0) {
        t.add_uint(percent, "value", *c.healthy_panic_threshold);
      }
      t.add(common, "healthy_panic_threshold", std::move(percent));
    }
    if (c.locality_weighted_lb) {
      t.add(common, "locality_weighted_lb_config", t.object());
    }
    t.add(out, "common_lb_config", std::move(common));
  }
  t.add_nonempty(out, "alt_stat_name", c.alt_stat_name);
  if (c.load_assignment) {
    t.add(out, "load_assignment", load_assignment(t, *c.load_assignment, false));
  }
  if (c.http2 || c.use_downstream_protocol || c.idle_timeout || c.max_requests_per_connection) {
    Value opts =
        t.typed("type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions");
    if (c.idle_timeout || c.max_requests_per_connection) {
      Value common = t.object();
      if (c.idle_timeout) {
        t.add_duration(common, "idle_timeout", *c.idle_timeout);
      }
      if (c.max_requests_per_connection) {
        t.add_uint(common, "max_requests_per_connection", *c.max_requests_per_connection);
      }
      t.add(opts, "common_http_protocol_options", std::move(common));
    }
    if (c.use_downstream_protocol) {
      Value downstream = t.object();
      t.add(downstream, "http_protocol_options", t.object());
      t.add(downstream, "http2_protocol_options", t.object());
      t.add(opts, "use_downstream_protocol_config", std::move(downstream));
    } else if (c.http2) {
      Value explicit_config = t.object();
      t.add(explicit_config, "http2_protocol_options", t.object());
      t.add(opts, "explicit_http_config", std::move(explicit_config));
    } else {
      Value explicit_config = t.object();
      t.add(explicit_config, "http_protocol_options", t.object());
      t.add(opts, "explicit_http_config", std::move(explicit_config));
    }
    Value map = t.object();
    t.add(map, "envoy.extensions.upstreams.http.v3.HttpProtocolOptions", std::move(opts));
    t.add(out, "typed_extension_protocol_options", std::move(map));
  }
  if (dns) {
    t.add(out, "respect_dns_ttl", true);
  }
  if (c.auto_mtls_match && c.tls) {
    Value matches = t.array();
    Value istio = t.object();
    t.add(istio, "name", "tlsMode-istio");
    Value istio_match = t.object();
    t.add(istio_match, "tlsMode", "istio");
    t.add(istio, "match", std::move(istio_match));
    t.add(istio, "transport_socket", upstream_tls(t, *c.tls));
    t.push(matches, std::move(istio));
    Value plain = t.object();
    t.add(plain, "name", "tlsMode-disabled");
    t.add(plain, "match", t.object());
    Value raw = t.object();
    t.add(raw, "name", "envoy.transport_sockets.raw_buffer");
    t.add(
        raw, "typed_config",
        t.typed("type.googleapis.com/envoy.extensions.transport_sockets.raw_buffer.v3.RawBuffer"));
    t.add(plain, "transport_socket", std::move(raw));
    t.push(matches, std::move(plain));
    t.add(out, "transport_socket_matches", std::move(matches));
  }
  return out;
}

// As istiod builds it, then with its EnvoyFilter MERGE patches.
Value cluster(const Tree& t, const Cluster& c) {
  return t.merged(cluster_generated(t, c), c.patched_by, detail::MergeStyle::Cluster);
}

// ---- The config dump ----------------------------------------------------------------------

bool wants(DumpType type, DumpType part) { return type == DumpType::All || type == part; }

std::string patch_path(const AppliedPatch& p) {
  return "spec.configPatches[" + std::to_string(p.patch_index) + "]";
}

std::string envoy_filter_ref(const AppliedPatch& p) {
  return p.envoy_filter.namespace_ + "/" + p.envoy_filter.name;
}

// Not part of Envoy's config dump: what the EnvoyFilter patches did, one entry per effect.
void build_patch_effects(const ProxyConfig& config, json::Document& doc) {
  doc.SetObject();
  const Tree t(doc.GetAllocator());
  Value effects = t.array();
  for (const PatchEffect& e : config.patch_effects) {
    Value entry = t.object();
    t.add(entry, "envoy_filter", envoy_filter_ref(e.patch));
    t.add(entry, "patch", patch_path(e.patch));
    t.add(entry, "operation", e.patch.operation);
    t.add(entry, "resource", e.resource);
    t.add_nonempty(entry, "within", e.within);
    t.add(entry, "object", e.object);
    t.add_nonempty(entry, "skipped", e.skipped);
    t.push(effects, std::move(entry));
  }
  doc.AddMember("patch_effects", effects, doc.GetAllocator());
}

// The configs the listeners' filters discover over ECDS (EXTENSION_CONFIG patches), as
// `EcdsConfigDump` entries: each TypedExtensionConfig as the EnvoyFilter wrote it.
Value ecds_dump(const Tree& t, const std::vector<ExtensionConfig>& configs) {
  Value dump = t.typed("type.googleapis.com/envoy.admin.v3.EcdsConfigDump");
  Value filters = t.array();
  for (const ExtensionConfig& e : configs) {
    Value entry = t.object();
    t.add(entry, "ecds_filter",
          typed_patch_value(t, "type.googleapis.com/envoy.config.core.v3.TypedExtensionConfig",
                            e.patch_value));
    t.push(filters, std::move(entry));
  }
  t.add(dump, "ecds_filters", std::move(filters));
  return dump;
}

void build_config_dump(const ProxyConfig& config, DumpType type, json::Document& doc) {
  if (type == DumpType::Patches) {
    build_patch_effects(config, doc);
    return;
  }
  doc.SetObject();
  const Tree t(doc.GetAllocator());
  Value configs = t.array();
  if (wants(type, DumpType::Clusters)) {
    Value dump = t.typed("type.googleapis.com/envoy.admin.v3.ClustersConfigDump");
    Value active = t.array();
    for (const auto& c : config.clusters) {
      Value entry = t.object();
      t.add(entry, "cluster", cluster(t, c));
      t.push(active, std::move(entry));
    }
    t.add(dump, "dynamic_active_clusters", std::move(active));
    t.push(configs, std::move(dump));
  }
  if (wants(type, DumpType::Listeners)) {
    Value dump = t.typed("type.googleapis.com/envoy.admin.v3.ListenersConfigDump");
    Value dynamic = t.array();
    for (const auto& l : config.listeners) {
      Value state = t.object();
      t.add(state, "listener", listener(t, l));
      Value entry = t.object();
      t.add(entry, "name", l.name);
      t.add(entry, "active_state", std::move(state));
      t.push(dynamic, std::move(entry));
    }
    t.add(dump, "dynamic_listeners", std::move(dynamic));
    t.push(configs, std::move(dump));
    if (!config.extension_configs.empty()) {
      t.push(configs, ecds_dump(t, config.extension_configs));
    }
  }
  if (wants(type, DumpType::Routes)) {
    Value dump = t.typed("type.googleapis.com/envoy.admin.v3.RoutesConfigDump");
    Value dynamic = t.array();
    for (const auto& rc : config.routes) {
      Value entry = t.object();
      t.add(entry, "route_config", route_configuration(t, rc));
      t.push(dynamic, std::move(entry));
    }
    t.add(dump, "dynamic_route_configs", std::move(dynamic));
    t.push(configs, std::move(dump));
  }
  if (wants(type, DumpType::Endpoints)) {
    Value dump = t.typed("type.googleapis.com/envoy.admin.v3.EndpointsConfigDump");
    Value dynamic = t.array();
    for (const auto& cla : config.endpoints) {
      Value entry = t.object();
      t.add(entry, "endpoint_config", load_assignment(t, cla, true));
      t.push(dynamic, std::move(entry));
    }
    t.add(dump, "dynamic_endpoint_configs", std::move(dynamic));
    t.push(configs, std::move(dump));
  }
  doc.AddMember("configs", configs, doc.GetAllocator());
}

// ---- YAML ---------------------------------------------------------------------------------

/// Whether a YAML reader would take `s`, written plain, for something other than this string
/// (a number, a boolean, null) — those are written double-quoted.
bool needs_quotes(std::string_view s) {
  if (s.empty()) {
    return true;
  }
  static const char* const kWords[] = {"true",  "false", "yes", "no", "on",  "off", "null", "~",
                                       "True",  "False", "Yes", "No", "On",  "Off", "Null", "TRUE",
                                       "FALSE", "YES",   "NO",  "ON", "OFF", "NULL"};
  for (const char* w : kWords) {
    if (s == w) {
      return true;
    }
  }
  // A number as YAML reads one: what strtod takes whole (`50002`, `1.5`, `1e3`, `0x1f`).
  const std::string text(s);
  char* end = nullptr;
  std::strtod(text.c_str(), &end);
  return end == text.c_str() + text.size();
}

void emit_yaml(YAML::Emitter& out, const Value& v) {
  switch (v.GetType()) {
    case rapidjson::kObjectType:
      if (v.MemberCount() == 0) {
        out << YAML::Flow;  // `{}` on the key's line.
      }
      out << YAML::BeginMap;
      for (auto it = v.MemberBegin(); it != v.MemberEnd(); ++it) {
        out << YAML::Key << std::string(it->name.GetString(), it->name.GetStringLength());
        out << YAML::Value;
        emit_yaml(out, it->value);
      }
      out << YAML::EndMap;
      break;
    case rapidjson::kArrayType:
      out << YAML::BeginSeq;
      for (const auto& item : v.GetArray()) {
        emit_yaml(out, item);
      }
      out << YAML::EndSeq;
      break;
    case rapidjson::kStringType: {
      const std::string s(v.GetString(), v.GetStringLength());
      if (needs_quotes(s)) {
        out << YAML::DoubleQuoted << s;
      } else {
        out << s;
      }
      break;
    }
    case rapidjson::kTrueType:
      out << true;
      break;
    case rapidjson::kFalseType:
      out << false;
      break;
    case rapidjson::kNumberType:
      if (v.IsUint64()) {
        out << v.GetUint64();
      } else if (v.IsInt64()) {
        out << v.GetInt64();
      } else {
        out << v.GetDouble();
      }
      break;
    case rapidjson::kNullType:
      out << YAML::Null;
      break;
  }
}

// ---- Tables -------------------------------------------------------------------------------

/// Go's text/tabwriter as istioctl configures it (minwidth 0, tabwidth 8, pad char ' ', no
/// flags) for rows that all have the same number of cells: every cell but the last of a row
/// is padded to the column's widest cell plus `padding`; the last cell is written as is.
std::string tabulate(const std::vector<std::vector<std::string>>& rows, std::size_t padding) {
  std::vector<std::size_t> widths;
  for (const auto& row : rows) {
    for (std::size_t i = 0; i + 1 < row.size(); ++i) {
      if (widths.size() <= i) {
        widths.resize(i + 1, 0);
      }
      widths[i] = std::max(widths[i], row[i].size() + padding);
    }
  }
  std::string out;
  for (const auto& row : rows) {
    for (std::size_t i = 0; i < row.size(); ++i) {
      out += row[i];
      if (i + 1 < row.size()) {
        out.append(widths[i] - row[i].size(), ' ');
      }
    }
    out += '\n';
  }
  return out;
}

/// `outbound|9080|v1|reviews.bookinfo.svc.cluster.local` → direction, subset, fqdn, port
/// (model.ParseSubsetKey); names with fewer than four `|` parts parse as {"", "", name, 0}.
struct SubsetKey {
  std::string direction, subset, fqdn;
  std::uint32_t port = 0;
};
SubsetKey parse_subset_key(const std::string& name) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (std::size_t pos = name.find('|'); pos != std::string::npos; pos = name.find('|', start)) {
    parts.push_back(name.substr(start, pos - start));
    start = pos + 1;
  }
  parts.push_back(name.substr(start));
  if (parts.size() < 4) {
    return {"", "", name, 0};
  }
  return {parts[0], parts[2], parts[3],
          static_cast<std::uint32_t>(std::strtoul(parts[1].c_str(), nullptr, 10))};
}

bool subset_key_less(const SubsetKey& a, const SubsetKey& b) {
  if (a.fqdn != b.fqdn) {
    return a.fqdn < b.fqdn;
  }
  if (a.subset != b.subset) {
    return a.subset < b.subset;
  }
  if (a.port != b.port) {
    return a.port < b.port;
  }
  return a.direction < b.direction;
}

/// `<name>.<ns>` from an `istio.config` path `/apis/networking.istio.io/<v>/namespaces/<ns>/
/// <kind>/<name>` (istioctl renderConfig); "" when there is none.
std::string describe_config(const std::string& path) {
  if (path.empty()) {
    return "";
  }
  std::vector<std::string> pieces;
  std::size_t start = 0;
  for (std::size_t pos = path.find('/'); pos != std::string::npos; pos = path.find('/', start)) {
    pieces.push_back(path.substr(start, pos - start));
    start = pos + 1;
  }
  pieces.push_back(path.substr(start));
  if (path.rfind("/apis/networking.istio.io/", 0) != 0 || pieces.size() != 8) {
    return "<unknown>";
  }
  return pieces[7] + "." + pieces[5];
}

std::string join(const std::vector<std::string>& items, std::string_view sep) {
  std::string out;
  for (const auto& s : items) {
    if (!out.empty()) {
      out += sep;
    }
    out += s;
  }
  return out;
}

/// istioctl describeRouteDomains: domains without a port, `X.svc.cluster.local` / `X.svc`
/// dropped when `X` is also there, the first two and `+ N more...`.
std::string describe_domains(const std::vector<std::string>& domains) {
  if (domains.empty()) {
    return "";
  }
  if (domains.size() == 1) {
    return domains[0];
  }
  std::vector<std::string> without_port;
  for (const auto& d : domains) {
    const auto colons = std::count(d.begin(), d.end(), ':');
    if (colons == 0 || (colons > 2 && !d.empty() && d.back() == ']')) {
      without_port.push_back(d);
    }
  }
  auto has = [&without_port](std::string_view s) {
    return std::find(without_port.begin(), without_port.end(), s) != without_port.end();
  };
  std::vector<std::string> kept;
  for (const auto& h : without_port) {
    bool drop = false;
    for (std::string_view suffix :
         {std::string_view(".svc.cluster.local"), std::string_view(".svc")}) {
      if (h.size() > suffix.size() &&
          h.compare(h.size() - suffix.size(), suffix.size(), suffix) == 0 &&
          has(std::string_view(h).substr(0, h.size() - suffix.size()))) {
        drop = true;
      }
    }
    if (!drop) {
      kept.push_back(h);
    }
  }
  constexpr std::size_t kMax = 2;
  if (kept.size() > kMax) {
    return kept[0] + ", " + kept[1] + " + " + std::to_string(kept.size() - kMax) + " more...";
  }
  return join(kept, ", ");
}

/// istioctl describeMatch: `prefix*`, the exact path, `regex <re>`, `PathPrefix:<p>`.
std::string describe_match(const RouteMatch& m) {
  switch (m.path_kind) {
    case RouteMatch::PathKind::Prefix:
      return m.path + "*";
    case RouteMatch::PathKind::Path:
      return m.path;
    case RouteMatch::PathKind::SafeRegex:
      return "regex " + m.path;
    case RouteMatch::PathKind::PathSeparatedPrefix:
      return "PathPrefix:" + m.path;
  }
  return "";
}

bool routes_to_passthrough(const Route& r) {
  const RouteAction* a = r.route();
  return a != nullptr && a->weighted_clusters.empty() && a->cluster == kPassthroughCluster;
}

std::string route_table(const ProxyConfig& config, bool with_type) {
  std::vector<std::vector<std::string>> rows;
  rows.push_back({"NAME", "VHOST NAME", "DOMAINS", "MATCH", "VIRTUAL SERVICE"});
  for (const auto& rc : config.routes) {
    const std::string name = with_type ? "route/" + rc.name : rc.name;
    for (const auto& vh : rc.virtual_hosts) {
      for (const auto& r : vh.routes) {
        if (!routes_to_passthrough(r)) {
          rows.push_back({name, vh.name, describe_domains(vh.domains), describe_match(r.match),
                          describe_config(r.istio_config)});
        }
      }
      if (vh.routes.empty()) {
        rows.push_back({name, vh.name, describe_domains(vh.domains), "/*", "404"});
      }
    }
  }
  return tabulate(rows, 5);
}

std::string cluster_table(const ProxyConfig& config, bool with_type) {
  std::vector<const Cluster*> clusters;
  for (const auto& c : config.clusters) {
    clusters.push_back(&c);
  }
  std::stable_sort(clusters.begin(), clusters.end(), [](const Cluster* a, const Cluster* b) {
    return subset_key_less(parse_subset_key(a->name), parse_subset_key(b->name));
  });
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> header = {"SERVICE FQDN", "PORT", "SUBSET",
                                     "DIRECTION",    "TYPE", "DESTINATION RULE"};
  if (with_type) {
    header.insert(header.begin(), "NAME");
  }
  rows.push_back(header);
  for (const Cluster* c : clusters) {
    std::vector<std::string> row;
    const SubsetKey key = parse_subset_key(c->name);
    if (key.direction.empty() && key.port == 0) {
      row = {c->name, "-", "-", "-"};
    } else {
      row = {key.fqdn, std::to_string(key.port), key.subset.empty() ? "-" : key.subset,
             key.direction};
    }
    row.emplace_back(cluster_type_name(c->type));
    row.push_back(describe_config(c->istio_config));
    if (with_type) {
      row.insert(row.begin(), "cluster/" + c->name);
    }
    rows.push_back(row);
  }
  return tabulate(rows, 5);
}

/// istioctl's listener TYPE (HTTP, TCP, HTTP+TCP, UNKNOWN), used to order listeners.
std::string listener_type(const Listener& l) {
  int http = 0;
  int tcp = 0;
  for (const auto& fc : l.filter_chains) {
    for (const auto& f : fc.filters) {
      if (f.name == "envoy.filters.network.http_connection_manager") {
        ++http;
      } else if (f.name == "envoy.filters.network.tcp_proxy" && f.cluster != kBlackHoleCluster) {
        ++tcp;
      }
    }
  }
  if (http > 0) {
    return tcp == 0 ? "HTTP" : "HTTP+TCP";
  }
  return tcp > 0 ? "TCP" : "UNKNOWN";
}

std::string describe_chain_match(const FilterChainMatch& m) {
  std::vector<std::string> descrs;
  if (!m.server_names.empty()) {
    descrs.push_back("SNI: " + join(m.server_names, ","));
  }
  if (!m.transport_protocol.empty()) {
    descrs.push_back("Trans: " + m.transport_protocol);
  }
  if (!m.application_protocols.empty()) {
    static const std::vector<std::pair<std::string, std::vector<std::string>>> kNamed = {
        {"App: HTTP TLS",
         {"http/1.0", "http/1.1", "h2c", "istio-http/1.0", "istio-http/1.1", "istio-h2"}},
        {"App: Istio HTTP Plain", {"istio", "istio-http/1.0", "istio-http/1.1", "istio-h2"}},
        {"App: TCP TLS", {"istio-peer-exchange", "istio"}},
        {"App: HTTP", {"http/1.0", "http/1.1", "h2c"}},
    };
    std::string described = "App: " + join(m.application_protocols, ",");
    for (const auto& [name, protocols] : kNamed) {
      if (protocols == m.application_protocols) {
        described = name;
      }
    }
    descrs.push_back(described);
  }
  const std::string port = m.destination_port ? ":" + std::to_string(*m.destination_port) : "";
  if (!m.prefix_ranges.empty()) {
    std::vector<std::string> ranges;
    for (const auto& cidr : m.prefix_ranges) {
      ranges.push_back(cidr.find('/') == std::string::npos ? cidr + "/32" : cidr);
    }
    descrs.push_back("Addr: " + join(ranges, ",") + port);
  } else if (!port.empty()) {
    descrs.push_back("Addr: *" + port);
  }
  return descrs.empty() ? "ALL" : join(descrs, "; ");
}

/// The first HTTP route table description for an inline route configuration.
std::string describe_inline_route(const RouteConfiguration& rc) {
  std::vector<std::string> vhosts;
  for (const auto& vh : rc.virtual_hosts) {
    std::vector<std::string> routes;
    for (const auto& r : vh.routes) {
      routes.push_back(describe_match(r.match));
    }
    const bool any_domain = vh.domains.size() == 1 && vh.domains[0] == "*";
    vhosts.push_back(any_domain ? join(routes, ", ")
                                : join(vh.domains, "/") + " " + join(routes, ", "));
  }
  return "Inline Route: " + join(vhosts, "; ");
}

/// A tcp_proxy-like destination: bare when the name says it is a special cluster.
std::string describe_cluster(const std::string& cluster) {
  if (cluster.find("Cluster") != std::string::npos) {
    return cluster;
  }
  return "Cluster: " + cluster;
}

std::string describe_chain_destination(const FilterChain& fc) {
  for (const auto& f : fc.filters) {
    if (f.name == "envoy.filters.network.http_connection_manager") {
      if (f.inline_route_config) {
        // An inline configuration whose one route goes to one cluster (sidecar inbound
        // chains) is described by that cluster.
        const auto& vhosts = f.inline_route_config->virtual_hosts;
        if (vhosts.size() == 1 && vhosts[0].routes.size() == 1) {
          const RouteAction* a = vhosts[0].routes[0].route();
          if (a != nullptr && a->weighted_clusters.empty() && !a->cluster.empty()) {
            return describe_cluster(a->cluster);
          }
        }
        return describe_inline_route(*f.inline_route_config);
      }
      if (!f.rds_route_config_name.empty()) {
        return "Route: " + f.rds_route_config_name;
      }
      return "HTTP";
    }
    if (f.name == "envoy.filters.network.tcp_proxy") {
      if (!f.weighted_clusters.empty()) {
        return "WeightedCluster: " + f.weighted_clusters.front().name;
      }
      if (f.cluster == kBlackHoleCluster) {
        continue;
      }
      return describe_cluster(f.cluster);
    }
  }
  return "Non-HTTP/Non-TCP";
}

std::string listener_table(const ProxyConfig& config, bool with_type) {
  std::vector<const Listener*> listeners;
  for (const auto& l : config.listeners) {
    listeners.push_back(&l);
  }
  std::stable_sort(listeners.begin(), listeners.end(), [](const Listener* a, const Listener* b) {
    if (a->address.port_value != b->address.port_value) {
      return a->address.port_value < b->address.port_value;
    }
    if (a->address.address != b->address.address) {
      return a->address.address < b->address.address;
    }
    return listener_type(*a) < listener_type(*b);
  });
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> header = {"ADDRESSES", "PORT", "MATCH", "DESTINATION"};
  if (with_type) {
    header.insert(header.begin(), "NAME");
  }
  rows.push_back(header);
  for (const Listener* l : listeners) {
    std::string addresses = l->address.address;
    for (const auto& extra : l->additional_addresses) {
      addresses += "," + extra.address;
    }
    std::vector<std::pair<std::string, std::string>> chains;  // match, destination
    for (const auto& fc : l->filter_chains) {
      chains.emplace_back(describe_chain_match(fc.match), describe_chain_destination(fc));
    }
    if (l->default_filter_chain) {
      chains.emplace_back("ALL", describe_chain_destination(*l->default_filter_chain));
    }
    std::stable_sort(chains.begin(), chains.end(),
                     [](const auto& a, const auto& b) { return a.second > b.second; });
    for (const auto& [match, destination] : chains) {
      std::vector<std::string> row = {addresses, std::to_string(l->address.port_value), match,
                                      destination};
      if (with_type) {
        row.insert(row.begin(), "listener/" + l->name);
      }
      rows.push_back(row);
    }
  }
  return tabulate(rows, 1);
}

// What the EnvoyFilter patches did, in application order.
std::string patch_table(const ProxyConfig& config) {
  std::vector<std::vector<std::string>> rows;
  rows.push_back({"ENVOYFILTER", "PATCH", "OPERATION", "RESOURCE", "WITHIN", "OBJECT"});
  for (const PatchEffect& e : config.patch_effects) {
    rows.push_back({envoy_filter_ref(e.patch), patch_path(e.patch), e.patch.operation,
                    e.resource, e.within.empty() ? "-" : e.within,
                    e.skipped.empty() ? e.object : e.object + " (skipped: " + e.skipped + ")"});
  }
  return tabulate(rows, 1);
}

std::string endpoint_table(const ProxyConfig& config, bool with_type) {
  std::vector<const ClusterLoadAssignment*> assignments;
  for (const auto& cla : config.endpoints) {
    if (cla.endpoint_count() > 0) {
      assignments.push_back(&cla);
    }
  }
  std::stable_sort(assignments.begin(), assignments.end(),
                   [](const ClusterLoadAssignment* a, const ClusterLoadAssignment* b) {
                     return subset_key_less(parse_subset_key(a->cluster_name),
                                            parse_subset_key(b->cluster_name));
                   });
  std::vector<std::vector<std::string>> rows;
  rows.push_back({with_type ? "NAME" : "ENDPOINT", "STATUS", "LOCALITY", "CLUSTER"});
  for (const auto* cla : assignments) {
    for (const auto& loc : cla->endpoints) {
      for (const auto& ep : loc.lb_endpoints) {
        std::string address = ep.address.address + ":" + std::to_string(ep.address.port_value);
        if (with_type) {
          address = "endpoint/" + address;
        }
        rows.push_back({address, std::string(health_status_name(ep.health_status)),
                        loc.locality.text(), cla->cluster_name});
      }
    }
  }
  return tabulate(rows, 5);
}

}  // namespace

std::string render_config_dump_json(const ProxyConfig& config, DumpType type) {
  json::Document doc;
  build_config_dump(config, type, doc);
  json::StringBuffer buffer;
  json::PrettyWriter writer(buffer);
  writer.SetIndent(' ', 1);
  doc.Accept(writer);
  return std::string(buffer.GetString(), buffer.GetSize()) + "\n";
}

std::string render_config_dump_yaml(const ProxyConfig& config, DumpType type) {
  json::Document doc;
  build_config_dump(config, type, doc);
  YAML::Emitter out;
  out.SetIndent(2);
  emit_yaml(out, doc);
  return std::string(out.c_str()) + "\n";
}

std::string render_table(const ProxyConfig& config, DumpType type) {
  switch (type) {
    case DumpType::Patches:
      return patch_table(config);
    case DumpType::Listeners:
      return listener_table(config, false);
    case DumpType::Routes:
      return route_table(config, false);
    case DumpType::Clusters:
      return cluster_table(config, false);
    case DumpType::Endpoints:
      return endpoint_table(config, false);
    case DumpType::All:
      // `istioctl proxy-config all`: each table in turn, names prefixed with their type.
      return cluster_table(config, true) + "\n" + listener_table(config, true) + "\n" +
             route_table(config, true) + "\n" + endpoint_table(config, true);
  }
  return "";
}

namespace {

// Where each object of a configuration sits, by its patched_by list: what merge_problems
// names, in PatchEffect's terms.
class MergeWalk {
 public:
  explicit MergeWalk(const ProxyConfig& config) {
    for (const Listener& l : config.listeners) {
      bool merges = place(l.patched_by, l.name, "", "listener");
      auto chain = [&](const FilterChain& fc) {
        merges |= place(fc.patched_by, l.name, fc.name, fc.describe());
        for (const NetworkFilter& f : fc.filters) {
          merges |= place(f.patched_by, l.name, fc.name, "network filter " + f.name);
          for (const HttpFilter& h : f.http_filters) {
            merges |= place(h.patched_by, l.name, fc.name, "http filter " + h.name);
          }
          if (f.inline_route_config) {
            merges |= place_routes(*f.inline_route_config, l.name);
          }
        }
      };
      for (const FilterChain& fc : l.filter_chains) {
        chain(fc);
      }
      if (l.default_filter_chain) {
        chain(*l.default_filter_chain);
      }
      if (merges) {
        listeners_.push_back(&l);
      }
    }
    for (const RouteConfiguration& rc : config.routes) {
      if (place_routes(rc, rc.name)) {
        routes_.push_back(&rc);
      }
    }
    for (const Cluster& c : config.clusters) {
      if (place(c.patched_by, c.name, "", "cluster")) {
        clusters_.push_back(&c);
      }
    }
  }

  std::vector<MergeProblem> problems() const {
    json::Document doc;
    std::vector<MergeReport> reports;
    const Tree t(doc.GetAllocator(), &reports);
    for (const Listener* l : listeners_) {
      listener(t, *l);
    }
    for (const RouteConfiguration* rc : routes_) {
      route_configuration(t, *rc);
    }
    for (const Cluster* c : clusters_) {
      cluster(t, *c);
    }
    std::vector<MergeProblem> out;
    for (MergeReport& r : reports) {
      auto it = places_.find(r.object);
      if (it == places_.end()) {
        continue;
      }
      PatchEffect where = it->second;
      where.patch = *r.patch;
      out.push_back({std::move(where), std::move(r.problem)});
    }
    return out;
  }

 private:
  // Records where `patched_by`'s object is; true when a MERGE patch changed it.
  bool place(const std::vector<AppliedPatch>& patched_by, const std::string& resource,
             const std::string& within, std::string object) {
    bool merges = false;
    for (const AppliedPatch& p : patched_by) {
      merges |= p.merge_value.get() != nullptr;
    }
    if (merges) {
      places_[&patched_by] = PatchEffect{{}, resource, within, std::move(object), {}};
    }
    return merges;
  }

  bool place_routes(const RouteConfiguration& rc, const std::string& resource) {
    bool merges = place(rc.patched_by, resource, "", "route configuration");
    for (const VirtualHost& vh : rc.virtual_hosts) {
      merges |= place(vh.patched_by, resource, "", "virtual host " + vh.name);
      for (const Route& r : vh.routes) {
        merges |= place(r.patched_by, resource, vh.name, "route " + r.name);
      }
    }
    return merges;
  }

  std::map<const std::vector<AppliedPatch>*, PatchEffect> places_;
  std::vector<const Listener*> listeners_;
  std::vector<const RouteConfiguration*> routes_;
  std::vector<const Cluster*> clusters_;
};

}  // namespace

std::vector<MergeProblem> merge_problems(const ProxyConfig& config) {
  return MergeWalk(config).problems();
}

}  // namespace meshward::translate
