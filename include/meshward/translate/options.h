#pragma once
// What the translation depends on besides the world: the Istio release it imitates and the mesh
// settings (MeshConfig) that istiod reads. Version-dependent behaviour is a predicate here, so a
// builder asks `options.vhost_port_domains()` instead of comparing versions itself
// (../shared/reference/istio-translation.md §0.2 lists each one and the release it changed in).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "meshward/translate/extension_provider.h"
#include "meshward/world/facts.h"

namespace meshward::translate {

/// An Istio minor release, `1.15`.
struct IstioVersion {
  int major = 1;
  int minor = 30;
  friend auto operator<=>(const IstioVersion&, const IstioVersion&) = default;
  friend bool operator==(const IstioVersion&, const IstioVersion&) = default;
};

/// The release imitated when none is asked for: the newest released one the reference covers.
inline constexpr IstioVersion kDefaultIstioVersion{1, 30};
/// The oldest release whose behaviour is reproduced (the project brief's dumps).
inline constexpr IstioVersion kOldestIstioVersion{1, 10};
/// The newest release accepted (HEAD of the reference: released features only up to it).
inline constexpr IstioVersion kNewestIstioVersion{1, 31};

/// Parses `1.15` (a trailing `.patch` is accepted and ignored). nullopt when malformed or
/// outside [kOldestIstioVersion, kNewestIstioVersion].
std::optional<IstioVersion> parse_istio_version(std::string_view text);
/// `1.15`.
std::string to_string(IstioVersion v);

/// meshConfig.outboundTrafficPolicy.mode.
enum class OutboundPolicy : std::uint8_t { AllowAny, RegistryOnly };

/// networking.LocalityLoadBalancerSetting, from a DestinationRule's
/// `trafficPolicy.loadBalancer.localityLbSetting` or the MeshConfig's `localityLbSetting`:
/// what locality_lb.h applies to a proxy's endpoints.
struct LocalityLbSetting {
  std::optional<bool> enabled;  ///< Unset: not said (enabled).
  /// `distribute`: traffic from proxies in `from` split over the `to` localities by weight.
  /// `to` is a map in the API; kept sorted by locality.
  struct Distribute {
    std::string from;
    std::vector<std::pair<std::string, std::uint32_t>> to;
    friend bool operator==(const Distribute&, const Distribute&) = default;
  };
  std::vector<Distribute> distribute;
  /// `failover`: from region, to region.
  std::vector<std::pair<std::string, std::string>> failover;
  /// `failoverPriority`: label names, each optionally `label=value`.
  std::vector<std::string> failover_priority;
  friend bool operator==(const LocalityLbSetting&, const LocalityLbSetting&) = default;
};

/// MeshConfig defaultHttpRetryPolicy (an HTTPRetry): the retries of routes that set none.
struct MeshRetryPolicy {
  std::int32_t attempts = 0;  ///< 0: no retries.
  std::optional<std::int64_t> per_try_timeout_ms;
  std::string retry_on;
  bool retry_remote_localities = false;
  friend bool operator==(const MeshRetryPolicy&, const MeshRetryPolicy&) = default;
};

/// The MeshConfig fields the translation reads, with pkg/config/mesh DefaultMeshConfig values.
struct MeshConfig {
  std::string root_namespace = "istio-system";
  std::string domain_suffix = "cluster.local";
  std::string trust_domain = "cluster.local";
  std::string cluster_id = "Kubernetes";
  OutboundPolicy outbound = OutboundPolicy::AllowAny;
  std::uint32_t connect_timeout_ms = 10'000;
  /// protocolDetectionTimeout: how long sniffing listeners wait for the first bytes
  /// (`listener_filters_timeout`; 0: forever).
  std::uint32_t protocol_detection_timeout_ms = 0;
  /// dnsRefreshRate: DNS clusters' `dns_refresh_rate`.
  std::uint32_t dns_refresh_rate_ms = 60'000;
  /// h2UpgradePolicy UPGRADE: HTTP/1.1 to HTTP ports upgraded to HTTP/2 unless a
  /// DestinationRule says otherwise (default DO_NOT_UPGRADE).
  bool h2_upgrade = false;
  /// defaultHttpRetryPolicy: what a route without `retries` gets instead of Istio's default.
  std::optional<MeshRetryPolicy> default_http_retry;
  bool enable_auto_mtls = true;
  /// default{Service,VirtualService,DestinationRule}ExportTo (empty: `*`).
  world::ExportDefaults exports;
  /// extensionProviders, when the given MeshConfig (`--mesh-config`) lists them (an empty list
  /// included); unset: not known, so CUSTOM AuthorizationPolicies' providers are not judged (a
  /// MeshConfig copied in part, e.g. the chart's `meshConfig` with only rootNamespace, must not
  /// make every CUSTOM policy look broken).
  std::optional<std::vector<MeshExtensionProvider>> extension_providers;
  /// localityLbSetting: enabled, nothing else, by default (a DestinationRule with outlier
  /// detection then gets failover priorities by locality).
  LocalityLbSetting locality_lb = [] {
    LocalityLbSetting enabled;
    enabled.enabled = true;
    return enabled;
  }();
  friend bool operator==(const MeshConfig&, const MeshConfig&) = default;
};

/// Everything a translation takes besides the world and the proxy.
struct Options {
  IstioVersion version = kDefaultIstioVersion;
  /// Whether `version` was asked for (`--istio-version`) rather than defaulted. Translation
  /// never reads it; a check that would judge the mesh's proxies by the release alone (no Pod
  /// shows their version) does so only when the user named the release.
  bool version_given = false;
  MeshConfig mesh;
  friend bool operator==(const Options&, const Options&) = default;

  // ---- Version-dependent behaviour (reference §0.2) ----
  /// Sidecar vhost domains also list `host:port` variants (≤1.15); from 1.16 they do not and
  /// route configurations set `ignore_port_in_host_matching`.
  bool vhost_port_domains() const { return version <= IstioVersion{1, 15}; }
  /// Vhost domains include the absolute FQDN `host.` (≥1.27).
  bool absolute_fqdn_domain() const { return version >= IstioVersion{1, 27}; }
  /// The API version in `istio.config` metadata paths: `v1` (≥1.22) or `v1alpha3`.
  std::string_view config_api_version() const {
    return version >= IstioVersion{1, 22} ? "v1" : "v1alpha3";
  }
  /// The default retry policy retries on 503 (`retriable_status_codes: [503]`, ≤1.23).
  bool default_retry_on_503() const { return version <= IstioVersion{1, 23}; }
  /// Default cluster load balancing is LEAST_REQUEST (≥1.14), else ROUND_ROBIN.
  bool least_request_default() const { return version >= IstioVersion{1, 14}; }
  /// HCM `stat_prefix` and cluster `alt_stat_name` end in `;` (≥1.24).
  bool stat_prefix_delimiter() const { return version >= IstioVersion{1, 24}; }
  /// A Kubernetes ExternalName Service is an alias: no listener, no cluster (≥1.21).
  bool external_name_alias() const { return version >= IstioVersion{1, 21}; }
  /// Non-default filter chains carry `transport_socket_connect_timeout: 15s` (≥1.30).
  bool chain_transport_socket_connect_timeout() const { return version >= IstioVersion{1, 30}; }
  /// Unhealthy endpoints are sent in EDS (≥1.31); before, they are filtered out.
  bool send_unhealthy_endpoints() const { return version >= IstioVersion{1, 31}; }
};

}  // namespace meshward::translate
