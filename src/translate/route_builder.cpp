// VirtualService http rules → Envoy routes (reference §3.4–3.6). Mirrors pilot's
// pilot/pkg/networking/core/route/route.go (BuildHTTPRoutesForVirtualService, translateRoute,
// TranslateRouteMatch, applyHTTPRouteDestination, ApplyRedirect, TranslateFault,
// TranslateCORSPolicy, GetRouteOperation, consistentHashToHashPolicy, hashForHTTPDestination)
// and route/retry/retry.go (ConvertPolicy).
#include "route_builder.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cctype>
#include <utility>

#include "meshward/model/kinds/destination_rule.h"
#include "meshward/translate/names.h"
#include "meshward/world/host.h"
#include "meshward/world/selector.h"

namespace meshward::translate::detail {

namespace {

Millis to_millis(const model::Duration& d) { return d.nanos / 1'000'000; }

// Go's net/http StatusText(code) != "": the status codes parseRetryOn accepts as numbers.
bool known_http_status(int code) {
  static constexpr int kCodes[] = {
      100, 101, 102, 103, 200, 201, 202, 203, 204, 205, 206, 207, 208, 226, 300, 301,
      302, 303, 304, 305, 307, 308, 400, 401, 402, 403, 404, 405, 406, 407, 408, 409,
      410, 411, 412, 413, 414, 415, 416, 417, 418, 421, 422, 423, 424, 425, 426, 428,
      429, 431, 451, 500, 501, 502, 503, 504, 505, 506, 507, 508, 510, 511};
  return std::find(std::begin(kCodes), std::end(kCodes), code) != std::end(kCodes);
}

// strconv.Atoi: an optional sign and decimal digits only.
std::optional<int> go_atoi(std::string_view text) {
  if (text.empty()) {
    return std::nullopt;
  }
  std::string_view digits = text;
  bool negative = false;
  if (digits.front() == '+' || digits.front() == '-') {
    negative = digits.front() == '-';
    digits.remove_prefix(1);
  }
  int value = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size()) {
    return std::nullopt;
  }
  return negative ? -value : value;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())) != 0) {
    s.remove_prefix(1);
  }
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())) != 0) {
    s.remove_suffix(1);
  }
  return s;
}

// retry.parseRetryOn: numeric parts that are HTTP status codes become retriable status codes,
// the rest is joined back as Envoy's retry_on.
void parse_retry_on(std::string_view text, std::string& retry_on,
                    std::vector<std::uint32_t>& codes) {
  retry_on.clear();
  codes.clear();
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t comma = text.find(',', start);
    if (comma == std::string_view::npos) {
      comma = text.size();
    }
    const std::string_view part = trim(text.substr(start, comma - start));
    start = comma + 1;
    if (part.empty()) {
      continue;
    }
    const std::optional<int> code = go_atoi(part);
    if (code && known_http_status(*code)) {
      codes.push_back(static_cast<std::uint32_t>(*code));
    } else {
      if (!retry_on.empty()) {
        retry_on += ',';
      }
      retry_on += part;
    }
  }
}

// The fields of an HTTPRetry, from a VirtualService route or the MeshConfig's default.
struct RetryInput {
  std::int32_t attempts = 0;
  std::string_view retry_on;
  std::optional<Millis> per_try_timeout;
  std::optional<bool> ignore_previous_hosts;
  bool retry_remote_localities = false;
  std::optional<Millis> backoff;
};

RetryInput retry_input(const model::HttpRetry& in) {
  RetryInput out;
  out.attempts = in.attempts.value;
  out.retry_on = in.retry_on.value;
  if (in.per_try_timeout.present) {
    out.per_try_timeout = to_millis(in.per_try_timeout.value);
  }
  if (in.retry_ignore_previous_hosts.present) {
    out.ignore_previous_hosts = in.retry_ignore_previous_hosts.value;
  }
  out.retry_remote_localities = in.retry_remote_localities.present && in.retry_remote_localities.value;
  if (in.backoff.present) {
    out.backoff = to_millis(in.backoff.value);
  }
  return out;
}

RetryInput retry_input(const MeshRetryPolicy& in) {
  RetryInput out;
  out.attempts = in.attempts;
  out.retry_on = in.retry_on;
  out.per_try_timeout = in.per_try_timeout_ms;
  out.retry_remote_localities = in.retry_remote_localities;
  return out;
}

// retry.ConvertPolicy: Istio's default policy, overridden by what `in` sets; none (nullopt)
// when `in` asks for no attempts.
std::optional<RetryPolicy> convert_retry_policy(const Options& options, const RetryInput& in,
                                                bool consistent_hash) {
  RetryPolicy out = default_retry_policy(options, consistent_hash);
  if (in.attempts <= 0) {
    return std::nullopt;  // attempts 0 (or absent) disables retries.
  }
  out.num_retries = static_cast<std::uint32_t>(in.attempts);
  if (!in.retry_on.empty()) {
    parse_retry_on(in.retry_on, out.retry_on, out.retriable_status_codes);
    if (!out.retriable_status_codes.empty() &&
        out.retry_on.find("retriable-status-codes") == std::string::npos) {
      out.retry_on += ",retriable-status-codes";
    }
  }
  out.per_try_timeout = in.per_try_timeout;
  if (in.ignore_previous_hosts) {
    out.previous_hosts_predicate = *in.ignore_previous_hosts;
  }
  if (in.retry_remote_localities) {
    out.retry_remote_localities = true;
  }
  out.backoff_base_interval = in.backoff;
  return out;
}

// The oneof member of a StringMatch that is set, as an Envoy StringMatcher (ConvertToEnvoyMatch);
// nullopt when none is.
std::optional<StringMatcher> to_string_matcher(const model::StringMatch& m) {
  if (m.exact.present) {
    return StringMatcher{StringMatcher::Kind::Exact, m.exact.value, false};
  }
  if (m.prefix.present) {
    return StringMatcher{StringMatcher::Kind::Prefix, m.prefix.value, false};
  }
  if (m.regex.present) {
    return StringMatcher{StringMatcher::Kind::SafeRegex, m.regex.value, false};
  }
  return std::nullopt;
}

// canBeConvertedToPresentMatch: no match type, or the regex `*` (not RE2: "any value").
bool is_present_match(const model::StringMatch& m) {
  if (!m.exact.present && !m.prefix.present && !m.regex.present) {
    return true;
  }
  return !m.exact.present && !m.prefix.present && m.regex.value == "*";
}

HeaderMatcher header_matcher(std::string name, const model::StringMatch& m) {
  HeaderMatcher out;
  out.name = std::move(name);
  if (is_present_match(m)) {
    out.present_match = true;
  } else {
    out.string_match = to_string_matcher(m);
  }
  return out;
}

QueryParameterMatcher query_matcher(std::string name, const model::StringMatch& m) {
  QueryParameterMatcher out;
  out.name = std::move(name);
  if (is_present_match(m)) {
    out.present_match = true;
  } else {
    out.string_match = to_string_matcher(m);
  }
  return out;
}

// TranslateRouteMatch. `@request.auth.claims…` headers (dynamic metadata matchers in pilot) are
// kept as header matchers under their written name so the route stays conditional.
RouteMatch translate_match(const model::HttpMatchRequest* in) {
  RouteMatch out;  // prefix "/"
  if (in == nullptr) {
    return out;
  }
  for (const auto& [name, m] : in->headers) {
    out.headers.push_back(header_matcher(name, m));
  }
  for (const auto& [name, m] : in->without_headers) {
    HeaderMatcher h = header_matcher(name, m);
    h.invert_match = true;
    out.headers.push_back(std::move(h));
  }
  const auto by_name = [](const HeaderMatcher& a, const HeaderMatcher& b) { return a.name < b.name; };
  if (!std::is_sorted(out.headers.begin(), out.headers.end(), by_name)) {
    std::stable_sort(out.headers.begin(), out.headers.end(), by_name);
  }
  if (in->uri) {
    const model::StringMatch& uri = *in->uri;
    if (uri.exact.present) {
      out.path_kind = RouteMatch::PathKind::Path;
      out.path = uri.exact.value;
    } else if (uri.prefix.present) {
      out.path_kind = RouteMatch::PathKind::Prefix;
      out.path = uri.prefix.value;
    } else if (uri.regex.present) {
      out.path_kind = RouteMatch::PathKind::SafeRegex;
      out.path = uri.regex.value;
    }
  }
  out.case_sensitive = !in->ignore_uri_case.value;
  if (in->method) {
    out.headers.push_back(header_matcher(":method", *in->method));
  }
  if (in->authority) {
    out.headers.push_back(header_matcher(":authority", *in->authority));
  }
  if (in->scheme) {
    out.headers.push_back(header_matcher(":scheme", *in->scheme));
  }
  for (const auto& [name, m] : in->query_params) {
    out.query_parameters.push_back(query_matcher(name, m));
  }
  return out;
}

// sourceMatchHTTP: the match's gateways contain the one routes are built for, or (without
// gateways) its sourceLabels ⊆ the proxy's labels and its sourceNamespace is the proxy's.
bool source_matches(const RouteContext& ctx, const model::HttpMatchRequest* match,
                    std::string_view vs_namespace) {
  if (match == nullptr) {
    return true;
  }
  if (!match->gateways.empty()) {
    for (const auto& g : match->gateways) {
      if (world::resolve_gateway_ref(g.value, vs_namespace) == ctx.gateway) {
        return true;
      }
    }
    return false;
  }
  const Proxy& proxy = ctx.scope->proxy();
  if (!world::selector_matches(match->source_labels, proxy.labels)) {
    return false;
  }
  return match->source_namespace.value.empty() ||
         match->source_namespace.value == proxy.namespace_;
}

bool is_internal_header(std::string_view key) {
  return key.starts_with(':') || to_lower(key) == "host";
}

bool is_authority_header(std::string_view key) {
  const std::string lower = to_lower(key);
  return lower == ":authority" || lower == "host";
}

// TranslateHeadersOperations.
struct HeaderOperations {
  HeaderMutations mutations;
  std::string authority;  ///< `:authority`/`host` set or added: a host rewrite.
};

void append_headers(const model::StringMap& headers, HeaderValueOption::Append append,
                    std::vector<HeaderValueOption>& out, std::string& authority) {
  // std::map is sorted by key: pilot's sort.Stable by key.
  for (const auto& [key, value] : headers) {
    if (is_authority_header(key)) {
      authority = value.value;
    }
    if (is_internal_header(key)) {
      continue;
    }
    out.push_back(HeaderValueOption{key, value.value, append});
  }
}

std::vector<std::string> drop_internal(const std::vector<model::Field<std::string>>& keys) {
  std::vector<std::string> out;
  for (const auto& k : keys) {
    if (!is_internal_header(k.value)) {
      out.push_back(k.value);
    }
  }
  return out;
}

HeaderOperations translate_headers(const model::Headers& headers) {
  HeaderOperations out;
  std::string set_authority;
  std::string add_authority;
  std::string ignored;
  if (headers.request) {
    append_headers(headers.request->set, HeaderValueOption::Append::OverwriteIfExistsOrAdd,
                   out.mutations.request_headers_to_add, set_authority);
    append_headers(headers.request->add, HeaderValueOption::Append::AppendIfExistsOrAdd,
                   out.mutations.request_headers_to_add, add_authority);
    out.mutations.request_headers_to_remove = drop_internal(headers.request->remove);
  }
  if (headers.response) {
    append_headers(headers.response->set, HeaderValueOption::Append::OverwriteIfExistsOrAdd,
                   out.mutations.response_headers_to_add, ignored);
    append_headers(headers.response->add, HeaderValueOption::Append::AppendIfExistsOrAdd,
                   out.mutations.response_headers_to_add, ignored);
    out.mutations.response_headers_to_remove = drop_internal(headers.response->remove);
  }
  out.authority = set_authority.empty() ? add_authority : set_authority;
  return out;
}

template <class T>
void append_all(std::vector<T>& to, const std::vector<T>& from) {
  to.insert(to.end(), from.begin(), from.end());
}

// The destination host as pilot stores it: resolved in the VirtualService's namespace.
// A dotted host is returned as it is (resolve_short_name() leaves it unchanged): viewed, not
// copied; a short name is resolved into `storage`.
std::string_view destination_host(const RouteContext& ctx, const model::Destination& d,
                                  std::string_view vs_namespace, std::string& storage) {
  const std::string& host = d.host.value;
  if (host.find('.') != std::string::npos) {
    return host;
  }
  storage = world::resolve_short_name(host, vs_namespace, ctx.scope->options().mesh.domain_suffix);
  return storage;
}

// GetDestinationCluster: `outbound|<p>|<subset>|<host>` with p = destination.port, else the
// service's only port, else the listener port; an ExternalName alias points at its target.
std::string destination_cluster(const RouteContext& ctx, const model::Destination& d,
                                std::string_view host) {
  if (host.empty()) {
    return "UnknownService";
  }
  const MeshService* service = ctx.lookup ? ctx.lookup(host) : nullptr;
  std::string_view cluster_host = host;
  if (service != nullptr && !service->external_name.empty() &&
      ctx.scope->options().external_name_alias()) {
    cluster_host = service->external_name;
  }
  std::uint32_t port = ctx.listen_port;
  if (d.port) {
    port = d.port->number.value;
  } else if (service != nullptr && service->ports.size() == 1) {
    port = service->ports.front().port;
  }
  return outbound_cluster_name(port, d.subset.value, cluster_host);
}

const model::ConsistentHashLb* lb_hash(const model::Optional<model::LoadBalancerSettings>& lb) {
  return lb && lb->consistent_hash ? &*lb->consistent_hash : nullptr;
}

// portLevelSettingsConsistentHash: the consistent hash of the port-level setting for the
// destination's port (the first setting for that port decides, hash or not).
const model::ConsistentHashLb* port_level_hash(const model::Destination& d,
                                               const std::vector<model::PortTrafficPolicy>& pls) {
  if (!d.port) {
    return nullptr;
  }
  for (const model::PortTrafficPolicy& setting : pls) {
    const std::uint32_t number = setting.port ? setting.port->number.value : 0;
    if (number == d.port->number.value) {
      return lb_hash(setting.load_balancer);
    }
  }
  return nullptr;
}

const AppliedDestinationRule* destination_rule_for(const RouteContext& ctx,
                                                   std::string_view host) {
  return ctx.rule_lookup ? ctx.rule_lookup(host) : ctx.scope->find_destination_rule(host);
}

// hashForHTTPDestination: subset port-level > subset > port-level > top-level consistent hash.
const model::ConsistentHashLb* destination_hash(const RouteContext& ctx, std::string_view host,
                                                const model::Destination& d) {
  const AppliedDestinationRule* dr = destination_rule_for(ctx, host);
  if (!dr || dr->rule == nullptr) {
    return nullptr;
  }
  const model::ConsistentHashLb* hash = nullptr;
  const model::ConsistentHashLb* pls_hash = nullptr;
  if (dr->traffic_policy != nullptr) {
    hash = lb_hash(dr->traffic_policy->load_balancer);
    pls_hash = port_level_hash(d, dr->traffic_policy->port_level_settings);
  }
  const model::ConsistentHashLb* subset_hash = nullptr;
  const model::ConsistentHashLb* subset_pls_hash = nullptr;
  for (const model::Subset* subset : dr->subsets) {
    if (subset->name.value == d.subset.value) {
      if (subset->traffic_policy) {
        subset_hash = lb_hash(subset->traffic_policy->load_balancer);
        subset_pls_hash = port_level_hash(d, subset->traffic_policy->port_level_settings);
      }
      break;
    }
  }
  if (subset_pls_hash != nullptr) {
    return subset_pls_hash;
  }
  if (subset_hash != nullptr) {
    return subset_hash;
  }
  if (pls_hash != nullptr) {
    return pls_hash;
  }
  return hash;
}

// hashForService: the top-level consistent hash, replaced by the port-level one of `port`.
const model::ConsistentHashLb* service_hash(const Scope& scope, const MeshService& service,
                                            std::uint32_t port) {
  const AppliedDestinationRule* dr = scope.find_destination_rule(service);
  if (!dr || dr->rule == nullptr || dr->traffic_policy == nullptr) {
    return nullptr;
  }
  const model::ConsistentHashLb* hash = lb_hash(dr->traffic_policy->load_balancer);
  for (const model::PortTrafficPolicy& setting : dr->traffic_policy->port_level_settings) {
    const std::uint32_t number = setting.port ? setting.port->number.value : 0;
    if (number == port) {
      if (const model::ConsistentHashLb* h = lb_hash(setting.load_balancer)) {
        hash = h;
      }
      break;
    }
  }
  return hash;
}

// consistentHashToHashPolicy: nullopt when the rule sets no hash key.
std::optional<HashPolicy> to_hash_policy(const model::ConsistentHashLb* hash) {
  if (hash == nullptr) {
    return std::nullopt;
  }
  HashPolicy out;
  if (hash->http_header_name.present) {
    out.kind = HashPolicy::Kind::Header;
    out.name = hash->http_header_name.value;
  } else if (hash->http_cookie) {
    out.kind = HashPolicy::Kind::Cookie;
    out.name = hash->http_cookie->name.value;
    out.cookie_path = hash->http_cookie->path.value;
    if (hash->http_cookie->ttl.present) {
      out.cookie_ttl = to_millis(hash->http_cookie->ttl.value);
    }
  } else if (hash->use_source_ip.present) {
    out.kind = HashPolicy::Kind::SourceIp;
  } else if (hash->http_query_parameter_name.present) {
    out.kind = HashPolicy::Kind::QueryParameter;
    out.name = hash->http_query_parameter_name.value;
  } else {
    return std::nullopt;
  }
  return out;
}

// MirrorPercent / MirrorPercentByPolicy: nullopt when mirroring is explicitly 0%.
std::optional<double> mirror_percent(const model::HttpRoute& in) {
  if (in.mirror_percentage) {
    const double v = in.mirror_percentage->value.value;
    return v > 0 ? std::optional<double>(v) : std::nullopt;
  }
  if (in.mirror_percent.present) {
    const auto v = in.mirror_percent.value;
    return v > 0 ? std::optional<double>(v) : std::nullopt;
  }
  return 100.0;
}

std::optional<double> mirror_percent(const model::HttpMirrorPolicy& in) {
  if (in.percentage) {
    const double v = in.percentage->value.value;
    return v > 0 ? std::optional<double>(v) : std::nullopt;
  }
  return 100.0;
}

// gRPC status names (google.golang.org/grpc/codes) as pilot's SupportedGRPCStatus maps them.
std::uint32_t grpc_status_code(std::string_view name) {
  static constexpr std::array<std::string_view, 17> kNames = {
      "OK",        "CANCELLED",         "UNKNOWN",          "INVALID_ARGUMENT",
      "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS",   "PERMISSION_DENIED",
      "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE",
      "UNIMPLEMENTED", "INTERNAL",      "UNAVAILABLE",      "DATA_LOSS",
      "UNAUTHENTICATED"};
  for (std::size_t i = 0; i < kNames.size(); ++i) {
    if (kNames[i] == name) {
      return static_cast<std::uint32_t>(i);
    }
  }
  return 0;  // A map miss in Go is 0.
}

// TranslateFault: nullopt when neither a fixed delay nor an HTTP/gRPC abort is configured.
std::optional<FaultConfig> translate_fault(const model::HttpFaultInjection& in) {
  FaultConfig out;
  bool delay = false;
  bool abort = false;
  if (in.delay && in.delay->fixed_delay.present) {
    delay = true;
    out.fixed_delay = to_millis(in.delay->fixed_delay.value);
    out.delay_percentage = in.delay->percentage ? in.delay->percentage->value.value
                                                : static_cast<double>(in.delay->percent.value);
  }
  if (in.abort) {
    if (in.abort->percentage) {
      out.abort_percentage = in.abort->percentage->value.value;
    }
    if (in.abort->http_status.present) {
      abort = true;
      out.abort_http_status = static_cast<std::uint32_t>(in.abort->http_status.value);
    } else if (in.abort->grpc_status.present) {
      abort = true;
      out.abort_grpc_status = grpc_status_code(in.abort->grpc_status.value);
    }
  }
  if (!delay && !abort) {
    return std::nullopt;
  }
  if (!abort) {
    out.abort_percentage = 0;
  }
  return out;
}

std::string join(const std::vector<model::Field<std::string>>& items) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) {
      out += ',';
    }
    out += item.value;
  }
  return out;
}

// TranslateCORSPolicy.
CorsConfig translate_cors(const model::CorsPolicy& in) {
  CorsConfig out;
  out.forward_not_matching_preflights =
      !(in.unmatched_preflights.present &&
        in.unmatched_preflights.value == model::UnmatchedPreflights::Ignore);
  if (!in.allow_origins.empty()) {
    for (const model::StringMatch& m : in.allow_origins) {
      if (auto matcher = to_string_matcher(m)) {
        out.allow_origin_string_match.push_back(std::move(*matcher));
      }
    }
  } else {
    for (const auto& origin : in.allow_origin) {
      out.allow_origin_string_match.push_back(
          StringMatcher{StringMatcher::Kind::Exact, origin.value, false});
    }
  }
  if (in.allow_credentials.present) {
    out.allow_credentials = in.allow_credentials.value;
  }
  out.allow_headers = join(in.allow_headers);
  out.allow_methods = join(in.allow_methods);
  out.expose_headers = join(in.expose_headers);
  if (in.max_age.present) {
    out.max_age = std::to_string(in.max_age.value.nanos / 1'000'000'000);
  }
  return out;
}

// Base64 (standard alphabet, padding optional) as protobuf JSON encodes `bytes`.
std::string decode_base64(std::string_view text) {
  std::string out;
  std::uint32_t buffer = 0;
  int bits = 0;
  for (char c : text) {
    int v = -1;
    if (c >= 'A' && c <= 'Z') {
      v = c - 'A';
    } else if (c >= 'a' && c <= 'z') {
      v = c - 'a' + 26;
    } else if (c >= '0' && c <= '9') {
      v = c - '0' + 52;
    } else if (c == '+' || c == '-') {
      v = 62;
    } else if (c == '/' || c == '_') {
      v = 63;
    } else {
      continue;  // padding, whitespace
    }
    buffer = (buffer << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> bits) & 0xFF);
    }
  }
  return out;
}

// ApplyRedirect. False when the redirect code has no Envoy equivalent (pilot then leaves the
// route without action, which Envoy rejects; the route is dropped here).
bool apply_redirect(Route& out, const model::HttpRedirect& in, std::uint32_t port, bool tls) {
  RedirectAction action;
  if (!in.authority.value.empty()) {
    action.host_redirect = in.authority.value;
  }
  action.path_redirect = in.uri.value;
  if (!in.scheme.value.empty()) {
    action.scheme_redirect = in.scheme.value;
  }
  if (in.port.present || in.derive_port.present) {
    std::uint32_t redirect_port = 0;
    if (in.port.present) {
      redirect_port = in.port.value;
    } else if (in.derive_port.value == model::RedirectPortSelection::FromRequestPort) {
      redirect_port = port;
    }
    std::string scheme = in.scheme.value;
    if (scheme.empty()) {
      scheme = tls ? "https" : "http";
    }
    // No explicit :80 for http or :443 for https.
    if ((redirect_port == 80 && scheme == "http") || (redirect_port == 443 && scheme == "https")) {
      redirect_port = 0;
    }
    if (redirect_port != 0) {
      action.port_redirect = redirect_port;
    }
  }
  switch (in.redirect_code.value) {
    case 0:
    case 301:
      action.response_code = "MOVED_PERMANENTLY";
      break;
    case 302:
      action.response_code = "FOUND";
      break;
    case 303:
      action.response_code = "SEE_OTHER";
      break;
    case 307:
      action.response_code = "TEMPORARY_REDIRECT";
      break;
    case 308:
      action.response_code = "PERMANENT_REDIRECT";
      break;
    default:
      return false;
  }
  out.action = std::move(action);
  return true;
}

void apply_direct_response(Route& out, const model::HttpDirectResponse& in) {
  DirectResponseAction action;
  action.status = in.status.value;
  if (in.body) {
    if (in.body->string.present) {
      action.body = in.body->string.value;
    } else if (in.body->bytes.present) {
      action.body = decode_base64(in.body->bytes.value);
    }
  }
  out.action = std::move(action);
}

// applyHTTPRouteDestination.
void apply_destination(const RouteContext& ctx, const model::VirtualService& vs,
                       const model::HttpRoute& in, std::string authority, Route& out) {
  const std::string_view ns = vs.meta.namespace_;
  RouteAction action;
  action.timeout = in.timeout.present ? to_millis(in.timeout.value) : 0;
  action.max_grpc_timeout = action.timeout;
  if (in.rewrite) {
    if (in.rewrite->uri_regex_rewrite) {
      action.regex_rewrite = std::make_pair(in.rewrite->uri_regex_rewrite->match.value,
                                            in.rewrite->uri_regex_rewrite->rewrite.value);
    } else if (!in.rewrite->uri.value.empty()) {
      action.prefix_rewrite = in.rewrite->uri.value;
    }
    if (!in.rewrite->authority.value.empty()) {
      authority = in.rewrite->authority.value;
    }
  }
  if (!authority.empty()) {
    action.host_rewrite_literal = authority;
  }
  if (in.mirror) {
    if (const std::optional<double> percent = mirror_percent(in)) {
      std::string storage;
      const std::string_view host = destination_host(ctx, *in.mirror, ns, storage);
      action.request_mirror_policies.push_back(
          MirrorPolicy{destination_cluster(ctx, *in.mirror, host), *percent, false});
    }
  }
  for (const model::HttpMirrorPolicy& mirror : in.mirrors) {
    const std::optional<double> percent = mirror_percent(mirror);
    if (percent && mirror.destination) {
      std::string storage;
      const std::string_view host = destination_host(ctx, *mirror.destination, ns, storage);
      action.request_mirror_policies.push_back(
          MirrorPolicy{destination_cluster(ctx, *mirror.destination, host), *percent, false});
    }
  }
  bool consistent_hash = false;
  const model::Destination empty_destination;
  if (in.route.size() == 1) {
    const model::HttpRouteDestination& dst = in.route.front();
    const model::Destination& d = dst.destination ? *dst.destination : empty_destination;
    std::string storage;
    const std::string_view host = destination_host(ctx, d, ns, storage);
    action.cluster = destination_cluster(ctx, d, host);
    if (dst.headers) {
      const HeaderOperations ops = translate_headers(*dst.headers);
      append_all(out.headers.request_headers_to_add, ops.mutations.request_headers_to_add);
      append_all(out.headers.request_headers_to_remove, ops.mutations.request_headers_to_remove);
      append_all(out.headers.response_headers_to_add, ops.mutations.response_headers_to_add);
      append_all(out.headers.response_headers_to_remove,
                 ops.mutations.response_headers_to_remove);
      if (!ops.authority.empty() && !action.host_rewrite_literal) {
        action.host_rewrite_literal = ops.authority;
      }
    }
    const model::ConsistentHashLb* hash =
        host.empty() ? nullptr : destination_hash(ctx, host, d);
    if (std::optional<HashPolicy> policy = to_hash_policy(hash)) {
      action.hash_policy.push_back(std::move(*policy));
    }
    consistent_hash = hash != nullptr;
  } else {
    action.weighted_clusters.reserve(in.route.size());
    for (const model::HttpRouteDestination& dst : in.route) {
      if (dst.weight.value == 0) {
        continue;  // Weight-0 destinations get no traffic; pilot drops them.
      }
      const model::Destination& d = dst.destination ? *dst.destination : empty_destination;
      std::string storage;
      const std::string_view host = destination_host(ctx, d, ns, storage);
      ClusterWeight weight;
      weight.name = destination_cluster(ctx, d, host);
      weight.weight = static_cast<std::uint32_t>(dst.weight.value);
      if (dst.headers) {
        HeaderOperations ops = translate_headers(*dst.headers);
        weight.headers = std::move(ops.mutations);
        if (!ops.authority.empty()) {
          weight.host_rewrite_literal = ops.authority;
        }
      }
      action.weighted_clusters.push_back(std::move(weight));
      const model::ConsistentHashLb* hash =
          host.empty() ? nullptr : destination_hash(ctx, host, d);
      if (std::optional<HashPolicy> policy = to_hash_policy(hash)) {
        action.hash_policy.push_back(std::move(*policy));
      }
    }
  }
  action.retry_policy = route_retry_policy(ctx.scope->options(),
                                           in.retries ? &*in.retries : nullptr, consistent_hash);
  out.action = std::move(action);
}

// GetRouteOperation: `<host>:<port><path>` for a single cluster, else `<vs-name>:<port><path>`.
std::string route_operation(const Route& route, std::string_view vs_name, std::uint32_t port) {
  std::string_view path = "/*";
  std::string_view path_suffix;
  switch (route.match.path_kind) {
    case RouteMatch::PathKind::Prefix:
      path = route.match.path;
      path_suffix = "*";
      break;
    case RouteMatch::PathKind::Path:
    case RouteMatch::PathKind::SafeRegex:
      path = route.match.path;
      break;
    case RouteMatch::PathKind::PathSeparatedPrefix:
      break;
  }
  // `<name>:<port><path>`, built in one string.
  const auto operation = [&](std::string_view name, std::int64_t number) {
    const std::string number_text = std::to_string(number);
    std::string out;
    out.reserve(name.size() + 1 + number_text.size() + path.size() + path_suffix.size());
    out.append(name).append(":").append(number_text).append(path).append(path_suffix);
    return out;
  };
  if (const RouteAction* action = route.route(); action != nullptr && !action->cluster.empty()) {
    const std::string_view c = action->cluster;
    // model.IsValidSubsetKey / ParseSubsetKey: `direction|port|subset|host`.
    if (std::count(c.begin(), c.end(), '|') == 3) {
      const std::size_t p1 = c.find('|');
      const std::size_t p2 = c.find('|', p1 + 1);
      const std::size_t p3 = c.find('|', p2 + 1);
      const std::optional<int> cluster_port = go_atoi(c.substr(p1 + 1, p2 - p1 - 1));
      return operation(c.substr(p3 + 1), cluster_port.value_or(0));
    }
  }
  return operation(vs_name, port);
}

// translateRoute, appended to `routes` (built in place: a Route is a large object). False,
// with nothing appended, when the match does not apply here (port, gateway, source).
bool translate_route(const RouteContext& ctx, const model::VirtualService& vs,
                     const model::HttpRoute& in, std::size_t index,
                     const model::HttpMatchRequest* match, std::vector<Route>& routes) {
  if (match != nullptr && match->port.value != 0 && match->port.value != ctx.listen_port) {
    return false;
  }
  if (!source_matches(ctx, match, vs.meta.namespace_)) {
    return false;
  }
  Route& out = routes.emplace_back();
  out.name = in.name.value;
  if (match != nullptr && !match->name.value.empty()) {
    out.name += '.';
    out.name += match->name.value;
  }
  out.match = translate_match(match);
  out.istio_config = virtual_service_config_path(ctx.scope->options(), vs);
  out.origin.resource = model::key_of(vs);
  out.origin.path =
      in.loc.path.empty() ? "spec.http[" + std::to_string(index) + "]" : in.loc.path;

  std::string authority;
  if (in.headers) {
    HeaderOperations ops = translate_headers(*in.headers);
    out.headers = std::move(ops.mutations);
    authority = std::move(ops.authority);
  }
  if (in.redirect) {
    if (!apply_redirect(out, *in.redirect, ctx.listen_port, ctx.tls)) {
      routes.pop_back();
      return false;
    }
  } else if (in.direct_response) {
    apply_direct_response(out, *in.direct_response);
  } else {
    apply_destination(ctx, vs, in, std::move(authority), out);
  }
  out.decorator_operation = route_operation(out, vs.meta.name, ctx.listen_port);
  if (in.fault) {
    out.fault = translate_fault(*in.fault);
  }
  if (in.cors_policy) {
    out.cors = translate_cors(*in.cors_policy);
  }
  return true;
}

}  // namespace

std::string to_lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

std::string ipv6_compliant(std::string_view host) {
  if (host.find(':') != std::string_view::npos) {
    return "[" + std::string(host) + "]";
  }
  return std::string(host);
}

std::optional<RetryPolicy> route_retry_policy(const Options& options, const model::HttpRetry* in,
                                              bool consistent_hash) {
  // A route that sets no retries gets the mesh's defaultHttpRetryPolicy, else Istio's default.
  if (in != nullptr) {
    return convert_retry_policy(options, retry_input(*in), consistent_hash);
  }
  if (options.mesh.default_http_retry) {
    return convert_retry_policy(options, retry_input(*options.mesh.default_http_retry),
                                consistent_hash);
  }
  return default_retry_policy(options, consistent_hash);
}

RetryPolicy default_retry_policy(const Options& options, bool consistent_hash) {
  RetryPolicy out;
  out.retry_on = "connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes";
  out.num_retries = 2;
  out.host_selection_retry_max_attempts = 5;
  // With consistent hashing a retry must not move to another host.
  out.previous_hosts_predicate = !consistent_hash;
  if (options.default_retry_on_503()) {
    out.retriable_status_codes = {503};
  }
  return out;
}

std::string virtual_service_config_path(const Options& options, const model::Object& vs) {
  // One allocation: this is written on every route.
  constexpr std::string_view kApis = "/apis/networking.istio.io/";
  constexpr std::string_view kNamespaces = "/namespaces/";
  constexpr std::string_view kKind = "/virtual-service/";
  const std::string_view version = options.config_api_version();
  std::string out;
  out.reserve(kApis.size() + version.size() + kNamespaces.size() + vs.meta.namespace_.size() +
              kKind.size() + vs.meta.name.size());
  out.append(kApis).append(version).append(kNamespaces).append(vs.meta.namespace_);
  out.append(kKind).append(vs.meta.name);
  return out;
}

std::vector<std::string> resolved_hosts(const Options& options, const model::VirtualService& vs) {
  std::vector<std::string> out;
  out.reserve(vs.spec.hosts.size());
  for (const auto& h : vs.spec.hosts) {
    out.push_back(world::resolve_short_name(h.value, vs.meta.namespace_, options.mesh.domain_suffix));
  }
  return out;
}

std::vector<Route> build_virtual_service_routes(const RouteContext& ctx,
                                                const model::VirtualService& vs) {
  std::vector<Route> out;
  out.reserve(vs.spec.http.size());
  for (std::size_t i = 0; i < vs.spec.http.size(); ++i) {
    const model::HttpRoute& http = vs.spec.http[i];
    bool catch_all = false;
    if (http.match.empty()) {
      translate_route(ctx, vs, http, i, nullptr, out);
      catch_all = true;  // A rule without match takes everything that reaches it.
    } else {
      for (const model::HttpMatchRequest& match : http.match) {
        if (translate_route(ctx, vs, http, i, &match, out) && out.back().match.is_catch_all()) {
          catch_all = true;  // Later routes could never match.
          break;
        }
      }
    }
    if (catch_all) {
      break;
    }
  }
  return out;
}

Route build_default_route(const Scope& scope, const MeshService& service, std::uint32_t port) {
  Route out;
  out.name = "default";
  RouteAction action;
  action.cluster = outbound_cluster_name(port, "", service.hostname);
  action.timeout = 0;
  action.max_grpc_timeout = 0;
  action.retry_policy = route_retry_policy(scope.options(), nullptr, false);
  if (std::optional<HashPolicy> policy =
          to_hash_policy(service_hash(scope, service, port))) {
    action.hash_policy.push_back(std::move(*policy));
  }
  out.action = std::move(action);
  out.decorator_operation = service.hostname + ":" + std::to_string(port) + "/*";
  if (service.source != nullptr) {
    out.origin.resource = model::key_of(*service.source);
  }
  return out;
}

VirtualHost build_catch_all_virtual_host(const Scope& scope) {
  VirtualHost vh;
  vh.domains = {"*"};
  Route route;
  if (scope.outbound_policy() == OutboundPolicy::AllowAny) {
    vh.name = "allow_any";
    route.name = "allow_any";
    RouteAction action;
    action.cluster = std::string(kPassthroughCluster);
    // A Sidecar's egressProxy takes unknown traffic instead (GetDestinationCluster, port 0
    // unless the destination names one).
    const model::Sidecar* sidecar = scope.sidecar();
    if (sidecar != nullptr && sidecar->spec.outbound_traffic_policy &&
        sidecar->spec.outbound_traffic_policy->egress_proxy) {
      const model::Destination& egress = *sidecar->spec.outbound_traffic_policy->egress_proxy;
      if (!egress.host.value.empty()) {
        action.cluster = outbound_cluster_name(egress.port ? egress.port->number.value : 0,
                                               egress.subset.value, egress.host.value);
      }
    }
    action.timeout = 0;
    action.max_grpc_timeout = 0;
    route.action = std::move(action);
  } else {
    vh.name = "block_all";
    route.name = "block_all";
    route.action = DirectResponseAction{502, std::nullopt};
  }
  vh.routes.push_back(std::move(route));
  return vh;
}

}  // namespace meshward::translate::detail
