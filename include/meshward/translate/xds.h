#pragma once
// The Envoy configuration the translator produces, as plain typed structs: only the fields
// istiod sets and a check or a dump needs, named as in Envoy's v3 API (snake_case), so that
// render.h can print `/config_dump` JSON by walking them. Optional fields are std::optional or
// empty; render omits them as protobuf JSON omits defaults.
//
// Every object keeps `origin`: the Istio or Kubernetes resource (and field path) it came from,
// so a finding can name both the Envoy object and the line a user wrote.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "meshward/model/field.h"
#include "meshward/model/object.h"

namespace meshward::translate {

/// The resource (and field inside it) an Envoy object was built from. Empty key kind/name when
/// it came from no resource (defaults, catch-alls).
struct Origin {
  std::optional<model::ObjectKey> resource;
  std::string path;  ///< Field path inside the resource: `spec.http[1].route[0]`.
  bool empty() const { return !resource; }
};

/// An EnvoyFilter configPatch that changed or added an object (`spec.configPatches[i]` of
/// `envoy_filter`), with its operation (`MERGE`, `INSERT_BEFORE`, ...) after istiod's rewrites
/// (INSERT_* on a kind that has no order becomes ADD).
struct AppliedPatch {
  model::ObjectKey envoy_filter;
  std::size_t patch_index = 0;
  std::string operation;
  /// A MERGE's `patch.value`, which render merges into the object's JSON (the typed model
  /// keeps only what a check reads, such as a merged filter name); empty for other operations.
  model::RawJson merge_value;
  /// The same patch (EnvoyFilter, index, operation).
  friend bool operator==(const AppliedPatch& a, const AppliedPatch& b) {
    return a.envoy_filter == b.envoy_filter && a.patch_index == b.patch_index &&
           a.operation == b.operation;
  }
};

/// Durations are kept in milliseconds; render prints `1.500s` style protobuf JSON.
using Millis = std::int64_t;

// ======================================================================================
// Routes (RDS): envoy.config.route.v3
// ======================================================================================

/// envoy.type.matcher.v3.StringMatcher / RegexMatcher, one of.
struct StringMatcher {
  enum class Kind : std::uint8_t { Exact, Prefix, Suffix, SafeRegex, Contains };
  Kind kind = Kind::Exact;
  std::string value;
  bool ignore_case = false;
};

/// route.v3.HeaderMatcher: `string_match` or `present_match`, optionally inverted.
struct HeaderMatcher {
  std::string name;
  std::optional<StringMatcher> string_match;  ///< nullopt: present_match.
  bool present_match = false;
  bool invert_match = false;
};

/// route.v3.QueryParameterMatcher.
struct QueryParameterMatcher {
  std::string name;
  std::optional<StringMatcher> string_match;  ///< nullopt: present_match.
  bool present_match = false;
};

/// route.v3.RouteMatch.
struct RouteMatch {
  enum class PathKind : std::uint8_t { Prefix, Path, SafeRegex, PathSeparatedPrefix };
  PathKind path_kind = PathKind::Prefix;
  std::string path = "/";                  ///< The prefix, exact path or regex.
  std::optional<bool> case_sensitive;      ///< Set whenever the route came from a VS match.
  std::vector<HeaderMatcher> headers;
  std::vector<QueryParameterMatcher> query_parameters;
  /// `prefix: "/"` or `safe_regex: ".*"` with no header/query condition: matches everything.
  bool is_catch_all() const;
};

/// route.v3.HeaderValueOption with append_action.
struct HeaderValueOption {
  enum class Append : std::uint8_t { OverwriteIfExistsOrAdd, AppendIfExistsOrAdd };
  std::string key;
  std::string value;
  Append append = Append::OverwriteIfExistsOrAdd;
};

/// Header manipulation at one level (route, weighted cluster, vhost).
struct HeaderMutations {
  std::vector<HeaderValueOption> request_headers_to_add;
  std::vector<std::string> request_headers_to_remove;
  std::vector<HeaderValueOption> response_headers_to_add;
  std::vector<std::string> response_headers_to_remove;
  bool empty() const;
};

/// RouteAction.WeightedCluster.ClusterWeight.
struct ClusterWeight {
  std::string name;
  std::uint32_t weight = 0;
  HeaderMutations headers;
  std::optional<std::string> host_rewrite_literal;
};

/// route.v3.RetryPolicy as istiod writes it (route/retry/retry.go).
struct RetryPolicy {
  std::string retry_on;
  std::uint32_t num_retries = 0;
  std::optional<Millis> per_try_timeout;
  bool previous_hosts_predicate = true;  ///< retry_host_predicate previous_hosts.
  std::uint32_t host_selection_retry_max_attempts = 5;
  std::vector<std::uint32_t> retriable_status_codes;
  bool retry_remote_localities = false;  ///< retry_priority previous_priorities.
  std::optional<Millis> backoff_base_interval;
};

/// RouteAction.RequestMirrorPolicy.
struct MirrorPolicy {
  std::string cluster;
  double percentage = 100.0;  ///< runtime_fraction default_value numerator (percent).
  bool trace_sampled = false;
};

/// RouteAction.HashPolicy (from a consistent-hash DestinationRule).
struct HashPolicy {
  enum class Kind : std::uint8_t { Header, Cookie, SourceIp, QueryParameter };
  Kind kind = Kind::Header;
  std::string name;                 ///< Header, cookie or parameter name.
  std::optional<Millis> cookie_ttl;
  std::string cookie_path;
};

/// route.v3.RouteAction.
struct RouteAction {
  std::string cluster;                   ///< Set when there is one destination.
  std::vector<ClusterWeight> weighted_clusters;  ///< Set when there are several.
  std::optional<std::string> cluster_not_found_response_code;  ///< Gateway-API VSs only.
  Millis timeout = 0;
  std::optional<Millis> max_grpc_timeout;  ///< Same as timeout (istiod), `0s` when 0.
  /// max_stream_duration {max_stream_duration, grpc_timeout_header_max}, both this value
  /// (inbound default routes: 0s).
  std::optional<Millis> max_stream_duration;
  std::optional<RetryPolicy> retry_policy;
  std::optional<std::string> prefix_rewrite;
  std::optional<std::pair<std::string, std::string>> regex_rewrite;  ///< pattern, substitution.
  std::optional<std::string> host_rewrite_literal;
  std::vector<MirrorPolicy> request_mirror_policies;
  std::vector<HashPolicy> hash_policy;
  /// Every cluster the action may send a request to (cluster or weighted names).
  std::vector<std::string> clusters() const;
};

/// route.v3.RedirectAction.
struct RedirectAction {
  std::optional<std::string> path_redirect;
  std::optional<std::string> prefix_rewrite;
  std::optional<std::string> host_redirect;
  std::optional<std::uint32_t> port_redirect;
  std::optional<std::string> scheme_redirect;
  std::string response_code = "MOVED_PERMANENTLY";  ///< Envoy enum name (301 default).
};

/// route.v3.DirectResponseAction.
struct DirectResponseAction {
  std::uint32_t status = 200;
  std::optional<std::string> body;  ///< inline_string (bytes are decoded).
};

/// The fault filter's per-route config (typed_per_filter_config envoy.filters.http.fault).
struct FaultConfig {
  std::optional<Millis> fixed_delay;
  double delay_percentage = 0;
  std::optional<std::uint32_t> abort_http_status;
  std::optional<std::uint32_t> abort_grpc_status;
  double abort_percentage = 0;
};

/// The CORS filter's per-route config (typed_per_filter_config envoy.filters.http.cors).
struct CorsConfig {
  std::vector<StringMatcher> allow_origin_string_match;
  std::string allow_methods;
  std::string allow_headers;
  std::string expose_headers;
  std::optional<std::string> max_age;  ///< Seconds, as a string.
  std::optional<bool> allow_credentials;
  bool forward_not_matching_preflights = true;
};

/// route.v3.Route.
struct Route {
  std::string name;
  RouteMatch match;
  std::variant<RouteAction, RedirectAction, DirectResponseAction> action;
  std::string decorator_operation;  ///< decorator.operation; empty: none.
  std::string istio_config;         ///< metadata.filter_metadata.istio.config; empty: none.
  HeaderMutations headers;
  std::optional<FaultConfig> fault;
  std::optional<CorsConfig> cors;
  Origin origin;  ///< The VirtualService http rule (path `spec.http[i]`); empty for defaults.
  model::RawJson patch_value;  ///< The `patch.value` of an EnvoyFilter that added it; else empty.
  std::vector<AppliedPatch> patched_by;  ///< Patches that added or changed it, in order.

  const RouteAction* route() const { return std::get_if<RouteAction>(&action); }
};

/// route.v3.VirtualHost.
struct VirtualHost {
  std::string name;
  std::vector<std::string> domains;
  std::vector<Route> routes;
  bool include_request_attempt_count = true;
  bool require_tls_all = false;  ///< require_tls: ALL (gateway httpsRedirect).
  /// The VirtualServices whose routes it holds (in order); empty for default/catch-all vhosts.
  std::vector<model::ObjectKey> virtual_services;
  model::RawJson patch_value;  ///< The `patch.value` of an EnvoyFilter that added it; else empty.
  std::vector<AppliedPatch> patched_by;  ///< Patches that added or changed it, in order.
};

/// route.v3.RouteConfiguration.
struct RouteConfiguration {
  std::string name;
  std::vector<VirtualHost> virtual_hosts;
  bool validate_clusters = false;
  bool ignore_port_in_host_matching = false;
  std::optional<std::uint32_t> max_direct_response_body_size_bytes;
  std::vector<AppliedPatch> patched_by;  ///< Patches that changed it (MERGE), in order.
  /// The vhost Envoy picks for a request's `:authority` (exact domain, then longest suffix
  /// wildcard `*.x`, then longest prefix wildcard `x.*`, then `*`, as Envoy's router does);
  /// nullptr when none (Envoy answers 404 NR).
  const VirtualHost* select_virtual_host(std::string_view authority) const;
};

// ======================================================================================
// Clusters (CDS): envoy.config.cluster.v3
// ======================================================================================

/// Envoy's `envoy.config.core.v3.SocketAddress` for an endpoint or listener.
struct SocketAddress {
  std::string address;
  std::uint32_t port_value = 0;
};

/// endpoint.v3.LbEndpoint.
struct LbEndpoint {
  SocketAddress address;
  /// core.v3.HealthStatus: 0 UNKNOWN (omitted), 1 HEALTHY, 2 UNHEALTHY, 3 DRAINING.
  std::uint32_t health_status = 0;
  std::uint32_t load_balancing_weight = 1;
  std::string istio_workload;  ///< metadata istio.workload; empty: none.
  bool tls_mode_istio = false; ///< metadata envoy.transport_socket_match.tlsMode: istio.
  Origin origin;               ///< The EndpointSlice/Endpoints/WorkloadEntry/ServiceEntry.
};

/// core.v3.Locality.
struct Locality {
  std::string region;
  std::string zone;
  std::string sub_zone;
  bool empty() const { return region.empty() && zone.empty() && sub_zone.empty(); }
  /// `region/zone/subzone` as istioctl prints it (util.LocalityToString): parts up to the
  /// first empty one.
  std::string text() const;
};

/// endpoint.v3.LocalityLbEndpoints.
struct LocalityLbEndpoints {
  Locality locality;
  std::vector<LbEndpoint> lb_endpoints;
  std::uint32_t load_balancing_weight = 0;
  std::optional<std::uint32_t> priority;
};

/// endpoint.v3.ClusterLoadAssignment.
struct ClusterLoadAssignment {
  std::string cluster_name;
  std::vector<LocalityLbEndpoints> endpoints;
  std::size_t endpoint_count() const;
};

/// Upstream TLS (transport_socket envoy.transport_sockets.tls UpstreamTlsContext).
struct UpstreamTls {
  enum class Mode : std::uint8_t { IstioMutual, Simple, Mutual };
  Mode mode = Mode::IstioMutual;
  std::string sni;
  std::vector<std::string> alpn_protocols;
  std::vector<std::string> subject_alt_names;
  std::string credential_name;  ///< SDS `kubernetes://<name>` when set.
  std::string client_certificate, private_key, ca_certificates;  ///< File-based.
  bool insecure_skip_verify = false;
};

/// cluster.v3.Cluster.
struct Cluster {
  enum class Type : std::uint8_t { Eds, StrictDns, LogicalDns, OriginalDst, Static };
  std::string name;
  Type type = Type::Eds;
  std::string alt_stat_name;
  Millis connect_timeout = 10'000;
  /// Envoy LbPolicy enum name: LEAST_REQUEST, ROUND_ROBIN, RANDOM, RING_HASH, MAGLEV,
  /// CLUSTER_PROVIDED.
  std::string lb_policy = "LEAST_REQUEST";
  /// Circuit breaker thresholds (default priority).
  std::uint32_t max_connections = 4294967295u;
  std::uint32_t max_pending_requests = 4294967295u;
  std::uint32_t max_requests = 4294967295u;
  std::uint32_t max_retries = 4294967295u;
  std::optional<std::uint32_t> max_requests_per_connection;
  std::optional<Millis> idle_timeout;
  /// Outlier detection from the DestinationRule, when set.
  struct OutlierDetection {
    std::optional<std::uint32_t> consecutive_5xx;
    std::optional<std::uint32_t> consecutive_gateway_failure;
    std::optional<Millis> interval;
    std::optional<Millis> base_ejection_time;
    std::optional<std::uint32_t> max_ejection_percent;
    std::optional<std::uint32_t> min_health_percent;
    /// splitExternalLocalOriginErrors, with consecutiveLocalOriginFailures when positive.
    bool split_external_local_origin_errors = false;
    std::optional<std::uint32_t> consecutive_local_origin_failure;
  };
  std::optional<OutlierDetection> outlier_detection;
  /// common_lb_config.healthy_panic_threshold (percent): set with outlier detection (its
  /// minHealthPercent, 0 unless given: panic mode off) and, from 1.31, to 0 when unhealthy
  /// endpoints are sent.
  std::optional<std::uint32_t> healthy_panic_threshold;
  /// common_lb_config.locality_weighted_lb_config: Envoy honours the locality weights EDS sends
  /// (a DestinationRule distributes them, or fails over by region or priority labels).
  bool locality_weighted_lb = false;
  bool http2 = false;                     ///< explicit http2_protocol_options.
  bool use_downstream_protocol = false;   ///< AUTO ports on sidecars.
  std::optional<UpstreamTls> tls;         ///< User-specified (DR) or ISTIO_MUTUAL transport.
  bool auto_mtls_match = false;           ///< transport_socket_matches tlsMode-istio/disabled.
  /// Inline endpoints (STATIC and DNS clusters) — EDS clusters get theirs from endpoints().
  std::optional<ClusterLoadAssignment> load_assignment;
  std::string dns_lookup_family;          ///< V4_ONLY for DNS clusters.
  Millis dns_refresh_rate = 60'000;       ///< DNS clusters: meshConfig.dnsRefreshRate.
  // Metadata filter_metadata.istio.
  std::string istio_config;               ///< The DestinationRule applied; empty: none.
  std::string subset;                     ///< Subset clusters.
  bool external = false;                  ///< MeshExternal services.
  struct ServiceRef {
    std::string host, name, namespace_;
  };
  std::vector<ServiceRef> services;       ///< metadata istio.services (outbound clusters).
  // Parsed name, for tables and lookups.
  std::string direction;                  ///< "outbound", "inbound" or "" (special clusters).
  std::uint32_t port = 0;
  std::string fqdn;
  std::optional<model::ObjectKey> destination_rule;  ///< The DR applied (first of a merge).
  Origin origin;                          ///< The Service/ServiceEntry it came from.
  model::RawJson patch_value;  ///< The `patch.value` of an EnvoyFilter that added it; else empty.
  std::vector<AppliedPatch> patched_by;  ///< Patches that added or changed it, in order.
};

// ======================================================================================
// Listeners (LDS): envoy.config.listener.v3
// ======================================================================================

/// listener.v3.FilterChainMatch.
struct FilterChainMatch {
  std::optional<std::uint32_t> destination_port;
  std::vector<std::string> prefix_ranges;        ///< CIDRs `10.0.0.0/8`.
  std::vector<std::string> server_names;
  std::string transport_protocol;                ///< "", "tls", "raw_buffer".
  std::vector<std::string> application_protocols;
  bool empty() const;
};

/// Downstream TLS on a gateway chain.
struct DownstreamTls {
  bool require_client_certificate = false;
  std::vector<std::string> alpn_protocols;
  std::string sds_certificate;     ///< `default` (ISTIO_MUTUAL) or `kubernetes://<name>`.
  std::string sds_validation;      ///< `ROOTCA` or `kubernetes://<name>-cacert`; empty: none.
  std::string certificate_file, private_key_file, ca_certificates_file;
  std::vector<std::string> subject_alt_names;
  std::string min_protocol_version, max_protocol_version;  ///< TLSv1_2 etc.; empty: default.
  std::vector<std::string> cipher_suites;
};

/// One effect of a patch on a proxy's configuration: what it changed, added or removed
/// (removed objects are gone from the configuration; this is where their removal shows).
struct PatchEffect {
  AppliedPatch patch;
  /// The xDS resource it touched (or added): a listener, route configuration or cluster name.
  std::string resource;
  /// Where in the resource: the filter chain's name for filters in a named chain, the virtual
  /// host's name for routes; else empty.
  std::string within;
  /// `listener`, `listener filter <name>`, `filter chain <name>`, `network filter <name>`,
  /// `http filter <name>`, `route configuration`, `virtual host <name>`, `route <name>` or
  /// `cluster`.
  std::string object;
  /// Set when the patch matched the object but istiod skipped it there, changing nothing: why
  /// (a MERGE into a filter without typed_config). Empty for a patch that took effect.
  std::string skipped;
};

/// One HTTP filter of a connection manager. istiod's own filters are a name (render knows
/// their typed_config); a filter an EnvoyFilter added keeps the patch value as written.
struct HttpFilter {
  std::string name;
  model::RawJson patch_value;  ///< The `patch.value` it came from; empty for istiod's filters.
  std::vector<AppliedPatch> patched_by;  ///< Patches that added or changed it, in order.
  /// The typed_config istiod builds from policies (jwt_authn, RBAC, ext_authz); empty for
  /// filters whose config is fixed (rendered from the name).
  model::RawJson typed_config;
  /// The name istiod built it under, when an EnvoyFilter MERGE has renamed it since (istiod
  /// keeps the typed_config): render builds the generated filter under this name and replays
  /// the patches over it. Empty: `name`.
  std::string generated_name;
  std::string type_url() const;  ///< typed_config `@type` of a patched-in filter; "" otherwise.
};

/// One network filter. The two istiod builds with content a check reads are typed; the policy
/// filters (RBAC, ext_authz) carry their typed_config as JSON; others (istio.stats, metadata
/// exchange) are names with their `@type`.
struct NetworkFilter {
  std::string name;  ///< `envoy.filters.network.http_connection_manager`, `...tcp_proxy`, ...
  /// As HttpFilter::generated_name.
  std::string generated_name;
  std::string type_url;
  // http_connection_manager:
  std::string stat_prefix;
  std::string rds_route_config_name;          ///< RDS name; empty when the route is inline.
  std::optional<RouteConfiguration> inline_route_config;
  std::vector<HttpFilter> http_filters;       ///< In order.
  bool use_remote_address = false;
  std::string forward_client_cert_details;    ///< Gateways: SANITIZE_SET.
  // tcp_proxy:
  std::string cluster;                        ///< tcp_proxy cluster.
  std::vector<ClusterWeight> weighted_clusters;
  std::string istio_config;                   ///< Chain metadata istio.config (from a VS).
  model::RawJson patch_value;  ///< The `patch.value` of an EnvoyFilter that added it; else empty.
  std::vector<AppliedPatch> patched_by;  ///< Patches that added or changed it, in order.
  /// The typed_config istiod builds from policies (network RBAC, ext_authz); else empty.
  model::RawJson typed_config;
  /// The names of the HTTP filters in order (empty for other filters).
  std::vector<std::string> http_filter_names() const;
};

/// listener.v3.FilterChain.
struct FilterChain {
  std::string name;
  FilterChainMatch match;
  std::vector<NetworkFilter> filters;
  std::optional<DownstreamTls> tls;
  std::optional<Millis> transport_socket_connect_timeout;
  Origin origin;  ///< The Gateway server / VS tls or tcp rule / Service port it came from.
  model::RawJson patch_value;  ///< The `patch.value` of an EnvoyFilter that added it; else empty.
  std::vector<AppliedPatch> patched_by;  ///< Patches that added or changed it, in order.
  /// The HCM or tcp_proxy filter, nullptr when the chain has neither.
  const NetworkFilter* terminal() const;
  /// `filter chain <name>`, or for an unnamed chain its match (`filter chain sni
  /// old.example.com`, `filter chain port 9080 tls`; `filter chain *` matches everything):
  /// how patch effects and findings name it.
  std::string describe() const;
};

/// listener.v3.Listener.
struct Listener {
  std::string name;
  SocketAddress address;
  std::vector<SocketAddress> additional_addresses;
  std::string traffic_direction;  ///< OUTBOUND / INBOUND.
  std::vector<std::string> listener_filters;  ///< tls_inspector, http_inspector, original_dst.
  std::vector<FilterChain> filter_chains;
  std::optional<FilterChain> default_filter_chain;
  std::optional<bool> bind_to_port;           ///< false on sidecar outbound listeners.
  bool use_original_dst = false;              ///< virtualOutbound / virtualInbound.
  bool continue_on_listener_filters_timeout = false;
  std::optional<Millis> listener_filters_timeout;
  model::RawJson patch_value;  ///< The `patch.value` of an EnvoyFilter that added it; else empty.
  std::vector<AppliedPatch> patched_by;  ///< Patches that added or changed it, in order.
};

// ======================================================================================
// One proxy's configuration
// ======================================================================================

/// config.core.v3.TypedExtensionConfig that an EnvoyFilter EXTENSION_CONFIG ADD supplies, served
/// over ECDS to a proxy whose filters discover it by name (`config_discovery`).
struct ExtensionConfig {
  std::string name;
  model::RawJson patch_value;  ///< The patch value, printed as written.
  std::vector<AppliedPatch> patched_by;  ///< The ADD that supplied it.
};

/// Everything translated for one proxy: what `/config_dump` would show.
struct ProxyConfig {
  std::vector<Listener> listeners;
  std::vector<RouteConfiguration> routes;  ///< RDS, sorted by name as istioctl prints them.
  std::vector<Cluster> clusters;
  std::vector<ClusterLoadAssignment> endpoints;  ///< EDS, one per EDS cluster.
  /// ECDS: the EXTENSION_CONFIG patches' configs the listeners' filters discover, by name.
  std::vector<ExtensionConfig> extension_configs;
  /// What the proxy's EnvoyFilter patches did to its listeners, in application order.
  std::vector<PatchEffect> patch_effects;

  const Listener* find_listener(std::string_view name) const;
  const RouteConfiguration* find_route(std::string_view name) const;
  const Cluster* find_cluster(std::string_view name) const;
  const ClusterLoadAssignment* find_endpoints(std::string_view cluster_name) const;
};

}  // namespace meshward::translate
