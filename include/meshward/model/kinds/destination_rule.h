#pragma once
// networking.istio.io DestinationRule: traffic policy (load balancing, connection pool,
// outlier detection, client TLS) and subsets of a destination host. Also home of
// ClientTlsSettings and the policy types Sidecar reuses (ConnectionPoolSettings).

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "meshward/model/field.h"
#include "meshward/model/kinds/common.h"
#include "meshward/model/kinds/virtual_service.h"
#include "meshward/model/object.h"
#include "meshward/model/reader.h"

namespace meshward::model {

// ---------------------------------------------------------------------------------------------
// Load balancing.

/// LoadBalancerSettings.SimpleLB, in proto order (LEAST_CONN = 1 is deprecated, kept for its
/// number).
enum class SimpleLb : std::uint8_t {
  Unspecified,
  LeastConn,
  Random,
  Passthrough,
  RoundRobin,
  LeastRequest
};
template <>
struct EnumNames<SimpleLb> {
  static constexpr std::string_view names[] = {"UNSPECIFIED", "LEAST_CONN",  "RANDOM",
                                               "PASSTHROUGH", "ROUND_ROBIN", "LEAST_REQUEST"};
};

/// ConsistentHashLB.HTTPCookie.Attribute: an extra attribute of a generated cookie.
struct HttpCookieAttribute {
  Loc loc;
  Field<std::string> name;  ///< Required.
  Field<std::string> value;
};
void decode(ObjectReader& r, HttpCookieAttribute& out);

/// ConsistentHashLB.HTTPCookie: hash on a cookie, generated with `ttl` when absent.
struct HttpCookie {
  Loc loc;
  Field<std::string> name;  ///< Required.
  Field<std::string> path;
  Field<Duration> ttl;
  std::vector<HttpCookieAttribute> attributes;
};
void decode(ObjectReader& r, HttpCookie& out);

/// ConsistentHashLB.RingHash: ring-hash algorithm settings.
struct RingHash {
  Loc loc;
  Field<std::uint64_t> minimum_ring_size;
};
void decode(ObjectReader& r, RingHash& out);

/// ConsistentHashLB.MagLev: Maglev algorithm settings.
struct MagLev {
  Loc loc;
  Field<std::uint64_t> table_size;
};
void decode(ObjectReader& r, MagLev& out);

/// ConsistentHashLB: session affinity. Hash key oneof `httpHeaderName` | `httpCookie` |
/// `useSourceIp` | `httpQueryParameterName`; algorithm oneof `ringHash` | `maglev`.
struct ConsistentHashLb {
  Loc loc;
  Field<std::string> http_header_name;
  Optional<HttpCookie> http_cookie;
  Field<bool> use_source_ip;
  Field<std::string> http_query_parameter_name;
  Optional<RingHash> ring_hash;
  Optional<MagLev> maglev;
  Field<std::uint64_t> minimum_ring_size;  ///< Deprecated: use ring_hash.
};
void decode(ObjectReader& r, ConsistentHashLb& out);

/// LocalityLoadBalancerSetting.Distribute: weights (`to`, locality -> percent) for traffic
/// from locality `from`.
struct LocalityLbDistribute {
  Loc loc;
  Field<std::string> from;
  std::map<std::string, Field<std::uint32_t>> to;
};
void decode(ObjectReader& r, LocalityLbDistribute& out);

/// LocalityLoadBalancerSetting.Failover: the region traffic from region `from` fails over to.
struct LocalityLbFailover {
  Loc loc;
  Field<std::string> from;
  Field<std::string> to;
};
void decode(ObjectReader& r, LocalityLbFailover& out);

/// LocalityLoadBalancerSetting: locality-weighted load balancing and failover.
struct LocalityLoadBalancerSetting {
  Loc loc;
  std::vector<LocalityLbDistribute> distribute;
  std::vector<LocalityLbFailover> failover;
  std::vector<Field<std::string>> failover_priority;
  Field<bool> enabled;
};
void decode(ObjectReader& r, LocalityLoadBalancerSetting& out);

/// WarmupConfiguration: slow-start ramp of new endpoints.
struct WarmupConfiguration {
  Loc loc;
  Field<Duration> duration;  ///< Required.
  Field<double> minimum_percent;
  Field<double> aggression;
};
void decode(ObjectReader& r, WarmupConfiguration& out);

/// LoadBalancerSettings: `simple` and `consistentHash` are a oneof; `warmupDurationSecs` is
/// superseded by `warmup`.
struct LoadBalancerSettings {
  Loc loc;
  Field<SimpleLb> simple;  ///< Absent (or UNSPECIFIED) means the mesh default.
  Optional<ConsistentHashLb> consistent_hash;
  Optional<LocalityLoadBalancerSetting> locality_lb_setting;
  Field<Duration> warmup_duration_secs;
  Optional<WarmupConfiguration> warmup;
};
void decode(ObjectReader& r, LoadBalancerSettings& out);

// ---------------------------------------------------------------------------------------------
// Connection pool.

/// ConnectionPoolSettings.TCPSettings.TcpKeepalive.
struct TcpKeepalive {
  Loc loc;
  Field<std::uint32_t> probes;
  Field<Duration> time;
  Field<Duration> interval;
};
void decode(ObjectReader& r, TcpKeepalive& out);

/// ConnectionPoolSettings.TCPSettings: limits common to HTTP and TCP upstream connections.
struct TcpSettings {
  Loc loc;
  Field<std::int32_t> max_connections;
  Field<Duration> connect_timeout;
  Optional<TcpKeepalive> tcp_keepalive;
  Field<Duration> max_connection_duration;
  Field<Duration> idle_timeout;
};
void decode(ObjectReader& r, TcpSettings& out);

/// ConnectionPoolSettings.HTTPSettings.H2UpgradePolicy, in proto order.
enum class H2UpgradePolicy : std::uint8_t { Default, DoNotUpgrade, Upgrade };
template <>
struct EnumNames<H2UpgradePolicy> {
  static constexpr std::string_view names[] = {"DEFAULT", "DO_NOT_UPGRADE", "UPGRADE"};
};

/// ConnectionPoolSettings.HTTPSettings: HTTP/1.1 and HTTP/2 upstream limits.
struct HttpSettings {
  Loc loc;
  Field<std::int32_t> http1_max_pending_requests;
  Field<std::int32_t> http2_max_requests;
  Field<std::int32_t> max_requests_per_connection;
  Field<std::int32_t> max_retries;
  Field<Duration> idle_timeout;
  Field<H2UpgradePolicy> h2_upgrade_policy;  ///< Absent means DEFAULT.
  Field<bool> use_client_protocol;
  Field<std::int32_t> max_concurrent_streams;
};
void decode(ObjectReader& r, HttpSettings& out);

/// ConnectionPoolSettings: upstream connection limits (also Sidecar inboundConnectionPool).
struct ConnectionPoolSettings {
  Loc loc;
  Optional<TcpSettings> tcp;
  Optional<HttpSettings> http;
};
void decode(ObjectReader& r, ConnectionPoolSettings& out);

// ---------------------------------------------------------------------------------------------
// Outlier detection, TLS, tunnelling.

/// OutlierDetection: ejection of unhealthy upstream hosts. `consecutiveErrors` is deprecated
/// in favour of `consecutive5xxErrors`.
struct OutlierDetection {
  Loc loc;
  Field<bool> split_external_local_origin_errors;
  Field<std::uint32_t> consecutive_local_origin_failures;
  Field<std::uint32_t> consecutive_gateway_errors;
  Field<std::uint32_t> consecutive_5xx_errors;
  Field<std::int32_t> consecutive_errors;
  Field<Duration> interval;
  Field<Duration> base_ejection_time;
  Field<std::int32_t> max_ejection_percent;
  Field<std::int32_t> min_health_percent;
};
void decode(ObjectReader& r, OutlierDetection& out);

/// ClientTLSSettings.TLSmode, in proto order.
enum class ClientTlsMode : std::uint8_t { Disable, Simple, Mutual, IstioMutual };
template <>
struct EnumNames<ClientTlsMode> {
  static constexpr std::string_view names[] = {"DISABLE", "SIMPLE", "MUTUAL", "ISTIO_MUTUAL"};
};

/// ClientTLSSettings: TLS a proxy originates to the upstream (also Sidecar egressProxy and
/// ServiceEntry-backed destinations).
struct ClientTlsSettings {
  Loc loc;
  Field<ClientTlsMode> mode;  ///< Absent means DISABLE (the proto default).
  Field<std::string> client_certificate;
  Field<std::string> private_key;
  Field<std::string> ca_certificates;
  Field<std::string> credential_name;
  std::vector<Field<std::string>> subject_alt_names;
  Field<std::string> sni;
  Field<bool> insecure_skip_verify;
  Field<std::string> ca_crl;
};
void decode(ObjectReader& r, ClientTlsSettings& out);

/// TrafficPolicy.PortTrafficPolicy: policy overrides for one destination port.
struct PortTrafficPolicy {
  Loc loc;
  Optional<PortSelector> port;
  Optional<LoadBalancerSettings> load_balancer;
  Optional<ConnectionPoolSettings> connection_pool;
  Optional<OutlierDetection> outlier_detection;
  Optional<ClientTlsSettings> tls;
};
void decode(ObjectReader& r, PortTrafficPolicy& out);

/// TrafficPolicy.TunnelSettings: tunnel (HTTP CONNECT/POST) traffic to `targetHost`.
struct TunnelSettings {
  Loc loc;
  Field<std::string> protocol;       ///< "CONNECT" (default) or "POST"; validated by checks.
  Field<std::string> target_host;    ///< Required.
  Field<std::uint32_t> target_port;  ///< Required.
};
void decode(ObjectReader& r, TunnelSettings& out);

/// TrafficPolicy.ProxyProtocol.VERSION, in proto order.
enum class ProxyProtocolVersion : std::uint8_t { V1, V2 };
template <>
struct EnumNames<ProxyProtocolVersion> {
  static constexpr std::string_view names[] = {"V1", "V2"};
};

/// TrafficPolicy.ProxyProtocol: PROXY protocol header sent upstream.
struct ProxyProtocol {
  Loc loc;
  Field<ProxyProtocolVersion> version;  ///< Absent means V1.
};
void decode(ObjectReader& r, ProxyProtocol& out);

/// TrafficPolicy.RetryBudget: cap on concurrent retries relative to active requests.
struct RetryBudget {
  Loc loc;
  Field<double> percent;  ///< A plain number (DoubleValue), not a Percent; absent means 20.
  Field<std::uint32_t> min_retry_concurrency;  ///< Absent means 3.
  Field<Duration> budget_interval;
};
void decode(ObjectReader& r, RetryBudget& out);

/// TrafficPolicy: how traffic to a destination (or subset) is balanced, limited, ejected,
/// secured and tunnelled.
struct TrafficPolicy {
  Loc loc;
  Optional<LoadBalancerSettings> load_balancer;
  Optional<ConnectionPoolSettings> connection_pool;
  Optional<OutlierDetection> outlier_detection;
  Optional<ClientTlsSettings> tls;
  std::vector<PortTrafficPolicy> port_level_settings;
  Optional<TunnelSettings> tunnel;
  Optional<ProxyProtocol> proxy_protocol;
  Optional<RetryBudget> retry_budget;
};
void decode(ObjectReader& r, TrafficPolicy& out);

/// networking Subset: a named set of the host's endpoints (`labels`), with its own policy.
struct Subset {
  Loc loc;
  Field<std::string> name;  ///< Required.
  StringMap labels;
  Optional<TrafficPolicy> traffic_policy;
};
void decode(ObjectReader& r, Subset& out);

// ---------------------------------------------------------------------------------------------
// The kind.

/// DestinationRule spec: the `host` it applies to, its traffic policy and subsets, the
/// namespaces it is visible in, and the workloads it is restricted to.
struct DestinationRuleSpec {
  Loc loc;
  Field<std::string> host;  ///< Required.
  Optional<TrafficPolicy> traffic_policy;
  std::vector<Subset> subsets;
  std::vector<Field<std::string>> export_to;  ///< Empty means all namespaces.
  Optional<LabelSelector> workload_selector;
};
void decode(ObjectReader& r, DestinationRuleSpec& out);

/// A decoded DestinationRule (v1, v1beta1 and v1alpha3 share this model).
class DestinationRule : public Object {
 public:
  static constexpr Kind kKind = Kind::DestinationRule;
  DestinationRule() : Object(kKind) {}
  DestinationRuleSpec spec;
};
std::shared_ptr<Object> decode_destination_rule(ObjectReader& r);

}  // namespace meshward::model
