#pragma once
// networking.istio.io VirtualService: HTTP, TLS and TCP routing rules for a set of hosts.
// Also home of the routing types other kinds share (Destination, PortSelector, StringMatch,
// Percent): DestinationRule and Sidecar include this header for them.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "meshward/model/field.h"
#include "meshward/model/object.h"
#include "meshward/model/reader.h"

namespace meshward::model {

// ---------------------------------------------------------------------------------------------
// Shared routing types.

/// networking PortSelector: a port of a destination service, by number.
struct PortSelector {
  Loc loc;
  Field<std::uint32_t> number;
};
void decode(ObjectReader& r, PortSelector& out);

/// networking Percent: a fraction in [0, 100] (`value`), as a double.
struct Percent {
  Loc loc;
  Field<double> value;
};
void decode(ObjectReader& r, Percent& out);

/// networking Destination: the service (`host`, required), optional DestinationRule
/// `subset`, and port a routed request or connection goes to.
struct Destination {
  Loc loc;
  Field<std::string> host;  ///< Required.
  Field<std::string> subset;
  Optional<PortSelector> port;
};
void decode(ObjectReader& r, Destination& out);

/// networking StringMatch: oneof `exact` | `prefix` | `regex` (RE2). Plain optional members;
/// a check reports when none or more than one is set.
struct StringMatch {
  Loc loc;
  Field<std::string> exact;
  Field<std::string> prefix;
  Field<std::string> regex;
};
void decode(ObjectReader& r, StringMatch& out);

/// Header/query-parameter name -> StringMatch (HTTPMatchRequest headers, queryParams,
/// withoutHeaders); each entry keeps its own location (`...headers[end-user]`).
using StringMatchMap = std::map<std::string, StringMatch>;

// ---------------------------------------------------------------------------------------------
// HTTP routes.

/// HTTPMatchRequest: conditions (all must hold) for an HTTP route to apply.
struct HttpMatchRequest {
  Loc loc;
  Field<std::string> name;
  Optional<StringMatch> uri;
  Optional<StringMatch> scheme;
  Optional<StringMatch> method;
  Optional<StringMatch> authority;
  StringMatchMap headers;
  Field<std::uint32_t> port;
  StringMap source_labels;
  std::vector<Field<std::string>> gateways;
  StringMatchMap query_params;
  Field<bool> ignore_uri_case;
  StringMatchMap without_headers;
  Field<std::string> source_namespace;
  Field<std::string> stat_prefix;
};
void decode(ObjectReader& r, HttpMatchRequest& out);

/// Headers.HeaderOperations: headers to set (overwrite), add (append) and remove.
struct HeaderOperations {
  Loc loc;
  StringMap set;
  StringMap add;
  std::vector<Field<std::string>> remove;
};
void decode(ObjectReader& r, HeaderOperations& out);

/// networking Headers: header manipulation for requests and responses.
struct Headers {
  Loc loc;
  Optional<HeaderOperations> request;
  Optional<HeaderOperations> response;
};
void decode(ObjectReader& r, Headers& out);

/// HTTPRouteDestination: a weighted destination of an HTTP route, with its own header
/// manipulation.
struct HttpRouteDestination {
  Loc loc;
  Optional<Destination> destination;  ///< Required.
  Field<std::int32_t> weight;              ///< Absent means 0 (100 when it is the only one).
  Optional<Headers> headers;
};
void decode(ObjectReader& r, HttpRouteDestination& out);

/// HTTPRedirect.RedirectPortSelection, in proto order.
enum class RedirectPortSelection : std::uint8_t { FromProtocolDefault, FromRequestPort };
template <>
struct EnumNames<RedirectPortSelection> {
  static constexpr std::string_view names[] = {"FROM_PROTOCOL_DEFAULT", "FROM_REQUEST_PORT"};
};

/// HTTPRedirect: a 301 (or `redirectCode`) response instead of forwarding.
/// `port` and `derivePort` are a oneof.
struct HttpRedirect {
  Loc loc;
  Field<std::string> uri;
  Field<std::string> authority;
  Field<std::uint32_t> port;
  Field<RedirectPortSelection> derive_port;
  Field<std::string> scheme;
  Field<std::uint32_t> redirect_code;  ///< Absent means 301.
};
void decode(ObjectReader& r, HttpRedirect& out);

/// HTTPBody: oneof `string` | `bytes` (base64 in JSON, kept as written).
struct HttpBody {
  Loc loc;
  Field<std::string> string;
  Field<std::string> bytes;
};
void decode(ObjectReader& r, HttpBody& out);

/// HTTPDirectResponse: a fixed response (`status` required) instead of forwarding.
struct HttpDirectResponse {
  Loc loc;
  Field<std::uint32_t> status;  ///< Required.
  Optional<HttpBody> body;
};
void decode(ObjectReader& r, HttpDirectResponse& out);

/// networking Delegate: another VirtualService the route's matching is handed to.
struct Delegate {
  Loc loc;
  Field<std::string> name;
  Field<std::string> namespace_;  ///< Absent means the delegating VirtualService's namespace.
};
void decode(ObjectReader& r, Delegate& out);

/// RegexRewrite: rewrites the path with an RE2 `match` and a `rewrite` template.
struct RegexRewrite {
  Loc loc;
  Field<std::string> match;
  Field<std::string> rewrite;
};
void decode(ObjectReader& r, RegexRewrite& out);

/// HTTPRewrite: path/authority rewrite before forwarding. `uri` and `uriRegexRewrite` are
/// mutually exclusive.
struct HttpRewrite {
  Loc loc;
  Field<std::string> uri;
  Field<std::string> authority;
  Optional<RegexRewrite> uri_regex_rewrite;
};
void decode(ObjectReader& r, HttpRewrite& out);

/// HTTPRetry: retry policy of an HTTP route.
struct HttpRetry {
  Loc loc;
  Field<std::int32_t> attempts;
  Field<Duration> per_try_timeout;
  Field<std::string> retry_on;  ///< Comma-separated Envoy retry conditions.
  Field<bool> retry_remote_localities;
  Field<bool> retry_ignore_previous_hosts;  ///< Absent means true.
  Field<Duration> backoff;
};
void decode(ObjectReader& r, HttpRetry& out);

/// CorsPolicy.UnmatchedPreflights, in proto order.
enum class UnmatchedPreflights : std::uint8_t { Unspecified, Forward, Ignore };
template <>
struct EnumNames<UnmatchedPreflights> {
  static constexpr std::string_view names[] = {"UNSPECIFIED", "FORWARD", "IGNORE"};
};

/// CorsPolicy: Cross-Origin Resource Sharing settings of an HTTP route.
struct CorsPolicy {
  Loc loc;
  std::vector<Field<std::string>> allow_origin;  ///< Deprecated: use allow_origins.
  std::vector<StringMatch> allow_origins;
  std::vector<Field<std::string>> allow_methods;
  std::vector<Field<std::string>> allow_headers;
  std::vector<Field<std::string>> expose_headers;
  Field<Duration> max_age;
  Field<bool> allow_credentials;
  Field<UnmatchedPreflights> unmatched_preflights;  ///< Absent means FORWARD.
};
void decode(ObjectReader& r, CorsPolicy& out);

/// HTTPFaultInjection.Delay: delays a fraction of requests. `fixedDelay` and
/// `exponentialDelay` are a oneof; `percent` is deprecated in favour of `percentage`.
struct HttpFaultInjectionDelay {
  Loc loc;
  Field<Duration> fixed_delay;
  Field<Duration> exponential_delay;
  Field<std::int32_t> percent;
  Optional<Percent> percentage;
};
void decode(ObjectReader& r, HttpFaultInjectionDelay& out);

/// HTTPFaultInjection.Abort: fails a fraction of requests. `httpStatus`, `grpcStatus` and
/// `http2Error` are a oneof.
struct HttpFaultInjectionAbort {
  Loc loc;
  Field<std::int32_t> http_status;
  Field<std::string> grpc_status;
  Field<std::string> http2_error;
  Optional<Percent> percentage;
};
void decode(ObjectReader& r, HttpFaultInjectionAbort& out);

/// HTTPFaultInjection: delay and/or abort faults of an HTTP route.
struct HttpFaultInjection {
  Loc loc;
  Optional<HttpFaultInjectionDelay> delay;
  Optional<HttpFaultInjectionAbort> abort;
};
void decode(ObjectReader& r, HttpFaultInjection& out);

/// HTTPMirrorPolicy: one of several mirror destinations of an HTTP route.
struct HttpMirrorPolicy {
  Loc loc;
  Optional<Destination> destination;  ///< Required.
  Optional<Percent> percentage;
};
void decode(ObjectReader& r, HttpMirrorPolicy& out);

/// HTTPRoute: one HTTP routing rule: match conditions and what to do with matching requests
/// (route / redirect / directResponse / delegate, plus rewrite, retries, faults, mirroring).
struct HttpRoute {
  Loc loc;
  Field<std::string> name;
  std::vector<HttpMatchRequest> match;
  std::vector<HttpRouteDestination> route;
  Optional<HttpRedirect> redirect;
  Optional<HttpDirectResponse> direct_response;
  Optional<Delegate> delegate;
  Optional<HttpRewrite> rewrite;
  Field<Duration> timeout;
  Optional<HttpRetry> retries;
  Optional<HttpFaultInjection> fault;
  Optional<Destination> mirror;
  Field<std::uint32_t> mirror_percent;  ///< Deprecated: use mirror_percentage.
  Optional<Percent> mirror_percentage;
  std::vector<HttpMirrorPolicy> mirrors;
  Optional<CorsPolicy> cors_policy;
  Optional<Headers> headers;
};
void decode(ObjectReader& r, HttpRoute& out);

// ---------------------------------------------------------------------------------------------
// TLS and TCP routes.

/// RouteDestination: a weighted destination of a TLS or TCP route.
struct RouteDestination {
  Loc loc;
  Optional<Destination> destination;  ///< Required.
  Field<std::int32_t> weight;
};
void decode(ObjectReader& r, RouteDestination& out);

/// TLSMatchAttributes: conditions for a TLS route (`sniHosts` required).
struct TlsMatchAttributes {
  Loc loc;
  std::vector<Field<std::string>> sni_hosts;  ///< Required.
  std::vector<Field<std::string>> destination_subnets;
  Field<std::uint32_t> port;
  StringMap source_labels;
  std::vector<Field<std::string>> gateways;
  Field<std::string> source_namespace;
};
void decode(ObjectReader& r, TlsMatchAttributes& out);

/// L4MatchAttributes: conditions for a TCP route.
struct L4MatchAttributes {
  Loc loc;
  std::vector<Field<std::string>> destination_subnets;
  Field<std::uint32_t> port;
  StringMap source_labels;
  std::vector<Field<std::string>> gateways;
  Field<std::string> source_namespace;
};
void decode(ObjectReader& r, L4MatchAttributes& out);

/// TLSRoute: routing rule for unterminated TLS, matched on SNI.
struct TlsRoute {
  Loc loc;
  std::vector<TlsMatchAttributes> match;  ///< Required.
  std::vector<RouteDestination> route;
};
void decode(ObjectReader& r, TlsRoute& out);

/// TCPRoute: routing rule for opaque TCP traffic.
struct TcpRoute {
  Loc loc;
  std::vector<L4MatchAttributes> match;
  std::vector<RouteDestination> route;
};
void decode(ObjectReader& r, TcpRoute& out);

// ---------------------------------------------------------------------------------------------
// The kind.

/// VirtualService spec: the hosts it routes for, the gateways (or `mesh`) it applies to,
/// ordered HTTP/TLS/TCP routes, and the namespaces it is visible in.
struct VirtualServiceSpec {
  Loc loc;
  std::vector<Field<std::string>> hosts;
  std::vector<Field<std::string>> gateways;  ///< Empty means `mesh`.
  std::vector<HttpRoute> http;
  std::vector<TlsRoute> tls;
  std::vector<TcpRoute> tcp;
  std::vector<Field<std::string>> export_to;  ///< Empty means all namespaces.
};
void decode(ObjectReader& r, VirtualServiceSpec& out);

/// A decoded VirtualService (v1, v1beta1 and v1alpha3 share this model).
class VirtualService : public Object {
 public:
  static constexpr Kind kKind = Kind::VirtualService;
  VirtualService() : Object(kKind) {}
  VirtualServiceSpec spec;
};
std::shared_ptr<Object> decode_virtual_service(ObjectReader& r);

}  // namespace meshward::model
