// Clusters (CDS) as istiod builds them (reference §5; pilot/pkg/networking/core/cluster.go,
// cluster_builder.go, cluster_traffic_policy.go, cluster_tls.go).
#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <unordered_set>
#include <vector>

#include "meshward/model/kinds/peer_authentication.h"
#include "meshward/model/kinds/service.h"
#include "meshward/model/kinds/service_entry.h"
#include "meshward/translate/names.h"
#include "meshward/translate/translate.h"
#include "meshward/world/host.h"
#include "meshward/world/selector.h"

#include "endpoint_groups.h"
#include "locality_lb.h"
#include "traffic_policy.h"

namespace meshward::translate {

namespace {

// Credentials of this kind are readable by every proxy (credentials.KubernetesConfigMapTypeURI).
constexpr std::string_view kConfigMapCredentialPrefix = "configmap://";
// The upstream idle timeout of the passthrough clusters (passthroughHttpProtocolOptions).
constexpr Millis kPassthroughIdleTimeout = 300'000;

Millis to_millis(const model::Duration& d) { return d.nanos / 1'000'000; }

template <class T>
const T* get(const model::Optional<T>& o) {
  return o ? &*o : nullptr;
}

bool lb_passthrough(const model::TrafficPolicy* tp) {
  return tp != nullptr && tp->load_balancer &&
         tp->load_balancer->simple.value == model::SimpleLb::Passthrough;
}

// convertResolution.
Cluster::Type cluster_type(const MeshService& s, bool gateway) {
  switch (s.resolution) {
    case Resolution::DnsLb:
      return Cluster::Type::StrictDns;
    case Resolution::DnsRoundRobinLb:
      return Cluster::Type::LogicalDns;
    case Resolution::Passthrough:
      // Gateways have no original-destination listeners: they fall back to EDS.
      return gateway ? Cluster::Type::Eds : Cluster::Type::OriginalDst;
    default:
      return Cluster::Type::Eds;
  }
}

bool is_dns(Cluster::Type t) {
  return t == Cluster::Type::StrictDns || t == Cluster::Type::LogicalDns;
}

// The namespace-wide (else mesh-wide) PeerAuthentication mode says DISABLE
// (AuthenticationPolicies.GetNamespaceMutualTLSMode).
bool namespace_mtls_disabled(const world::View& view, std::string_view ns, std::string_view root) {
  for (const std::string_view where : {ns, root}) {
    for (const model::Object* o : view.in_namespace(model::Kind::PeerAuthentication, where)) {
      const auto* pa = o->as<model::PeerAuthentication>();
      if (pa == nullptr || (pa->spec.selector && !pa->spec.selector->match_labels.empty())) {
        continue;
      }
      return pa->spec.mtls && pa->spec.mtls->mode.value == model::MutualTlsMode::Disable;
    }
  }
  return false;
}

enum class MtlsMode : std::uint8_t { Unknown, Disable, Permissive };

// `istio.config` metadata path of a DestinationRule (util.BuildConfigInfoMetadata).
std::string config_path(const Options& options, const model::Object& rule) {
  constexpr std::string_view kApis = "/apis/networking.istio.io/";
  constexpr std::string_view kNamespaces = "/namespaces/";
  constexpr std::string_view kKind = "/destination-rule/";
  const std::string_view version = options.config_api_version();
  std::string out;
  out.reserve(kApis.size() + version.size() + kNamespaces.size() + rule.meta.namespace_.size() +
              kKind.size() + rule.meta.name.size());
  out.append(kApis).append(version).append(kNamespaces).append(rule.meta.namespace_);
  out.append(kKind).append(rule.meta.name);
  return out;
}

// The field path of service port `port` in the Service or ServiceEntry.
std::string port_path(const model::Object* source, std::uint32_t port) {
  if (source == nullptr) {
    return {};
  }
  if (const auto* svc = source->as<model::Service>()) {
    for (std::size_t i = 0; i < svc->spec.ports.size(); ++i) {
      if (svc->spec.ports[i].port.value == static_cast<std::int32_t>(port)) {
        return "spec.ports[" + std::to_string(i) + "]";
      }
    }
  }
  if (const auto* se = source->as<model::ServiceEntry>()) {
    for (std::size_t i = 0; i < se->spec.ports.size(); ++i) {
      if (se->spec.ports[i].number.value == port) {
        return "spec.ports[" + std::to_string(i) + "]";
      }
    }
  }
  return "spec.ports";
}

// Builds the clusters of one proxy.
class ClusterBuilder {
 public:
  explicit ClusterBuilder(const Scope& scope)
      : scope_(scope),
        options_(scope.options()),
        gateway_(scope.proxy().type == Proxy::Type::Gateway) {}

  // Every cluster of a service (each non-UDP port, and each DR subset) — buildOutboundClusters;
  // `sni_dnat` builds the AUTO_PASSTHROUGH `outbound_.<port>_.<subset>_.<host>` ones instead.
  void outbound(const MeshService& s, std::vector<Cluster>& out, bool sni_dnat = false) {
    if (s.resolution == Resolution::Alias) {
      return;  // ExternalName aliases have no cluster of their own.
    }
    const AppliedDestinationRule* dr = scope_.find_destination_rule(s);
    const model::TrafficPolicy* top = dr ? dr->traffic_policy : nullptr;
    const bool dr_with_selector = dr && dr->rule->spec.workload_selector.has_value();
    const std::string config = dr ? config_path(options_, *dr->rule) : std::string();
    const std::optional<model::ObjectKey> dr_key =
        dr ? std::optional<model::ObjectKey>(model::key_of(*dr->rule)) : std::nullopt;
    sans_.reset();
    for (const MeshServicePort& port : s.ports) {
      if (port.protocol == Protocol::Udp) {
        continue;
      }
      std::string name = sni_dnat ? sni_dns_name(port.port, "", s.hostname)
                                  : outbound_cluster_name(port.port, "", s.hostname);
      Cluster& main = out.emplace_back();
      if (!fill_base(main, std::move(name), cluster_type(s, gateway_), s, port, nullptr)) {
        out.pop_back();  // A DNS cluster without endpoints is not sent, nor are its subsets.
        continue;
      }
      const Policy policy = port_policy(top, port.port);
      TlsInputs tls;
      tls.sni_dnat = sni_dnat;
      tls.sni = sni_dns_name(port.port, "", s.hostname);
      tls.mtls = infer_mtls(s, port, top);
      tls.dr_with_selector = dr_with_selector;
      apply_traffic_policy(main, policy, s, std::move(tls));
      if (s.mesh_external) {
        main.external = true;
      }
      main.istio_config = config;
      main.destination_rule = dr_key;
      const Cluster::Type main_type = main.type;  // `main` dangles once subsets are added.
      if (!dr) {
        continue;
      }
      for (const model::Subset* subset : dr->subsets) {
        const std::string& subset_name = subset->name.value;
        const model::TrafficPolicy* subset_tp = get(subset->traffic_policy);
        const bool passthrough = lb_passthrough(subset_tp);
        const Cluster::Type type = passthrough ? Cluster::Type::OriginalDst : main_type;
        std::string sub_name = sni_dnat ? sni_dns_name(port.port, subset_name, s.hostname)
                                        : outbound_cluster_name(port.port, subset_name, s.hostname);
        Cluster& c = out.emplace_back();
        if (!fill_base(c, std::move(sub_name), type, s, port, subset)) {
          out.pop_back();
          continue;
        }
        TlsInputs subset_tls;
        subset_tls.sni_dnat = sni_dnat;
        subset_tls.sni = sni_dns_name(port.port, subset_name, s.hostname);
        subset_tls.mtls = infer_mtls(s, port, subset_tp);
        subset_tls.dr_with_selector = dr_with_selector;
        apply_traffic_policy(c, merge_subset(policy, subset_tp, port.port), s,
                             std::move(subset_tls));
        c.istio_config = config;
        c.subset = subset_name;
        c.destination_rule = dr_key;
      }
    }
  }

  // `inbound|<port>||` per service target port (buildInboundClustersFromServiceInstances), or
  // per Sidecar ingress listener when the Sidecar has some (buildInboundClustersFromSidecar).
  void inbound(std::vector<Cluster>& out) {
    const auto targets =
        scope_.registry().service_targets(scope_.proxy().namespace_, scope_.proxy().labels);
    const model::Sidecar* sidecar = scope_.sidecar();
    if (sidecar != nullptr && !sidecar->spec.ingress.empty()) {
      for (const auto& ingress : sidecar->spec.ingress) {
        inbound_from_sidecar(ingress, targets, out);
      }
      return;
    }
    // Per target port, the first service (lowest service port) is the primary one.
    std::map<std::uint32_t, std::vector<const Registry::ServiceTarget*>> by_port;
    for (const auto& t : targets) {
      by_port[t.target_port].push_back(&t);
    }
    for (const auto& [target_port, instances] : by_port) {
      out.push_back(inbound_cluster(target_port, instances, "", 0));
    }
  }

  Cluster black_hole() const {
    Cluster c;
    c.name = std::string(kBlackHoleCluster);
    c.type = Cluster::Type::Static;
    c.alt_stat_name = alt_stat_name(c.name);
    c.connect_timeout = options_.mesh.connect_timeout_ms;
    c.lb_policy = "ROUND_ROBIN";
    return c;
  }

  Cluster passthrough(std::string_view name) const {
    Cluster c;
    c.name = std::string(name);
    c.type = Cluster::Type::OriginalDst;
    c.alt_stat_name = alt_stat_name(c.name);
    c.connect_timeout = options_.mesh.connect_timeout_ms;
    c.lb_policy = "CLUSTER_PROVIDED";
    c.use_downstream_protocol = true;
    c.idle_timeout = kPassthroughIdleTimeout;
    return c;
  }

 private:
  struct TlsInputs {
    bool sni_dnat = false;
    std::string sni;
    MtlsMode mtls = MtlsMode::Unknown;
    bool dr_with_selector = false;
  };

  std::string alt_stat_name(const std::string& name) const {
    std::string out;
    if (options_.stat_prefix_delimiter()) {
      out.reserve(name.size() + 1);
      out.append(name).append(";");
    }
    return out;
  }

  // buildCluster: name, type, DNS settings, inline endpoints, upstream protocol, telemetry
  // metadata. False for a DNS/STATIC cluster that would have no endpoints (not sent).
  bool fill_base(Cluster& c, std::string name, Cluster::Type type, const MeshService& s,
                 const MeshServicePort& port, const model::Subset* subset) {
    c.name = std::move(name);
    c.type = type;
    c.alt_stat_name = alt_stat_name(c.name);
    c.connect_timeout = options_.mesh.connect_timeout_ms;
    if (is_dns(type)) {
      c.dns_lookup_family =
          scope_.proxy().ip.find(':') != std::string::npos ? "V6_ONLY" : "V4_ONLY";
      c.dns_refresh_rate = options_.mesh.dns_refresh_rate_ms;
    }
    if (is_dns(type) || type == Cluster::Type::Static) {
      c.load_assignment = load_assignment(c.name, s, port, subset);
      if (c.load_assignment->endpoints.empty()) {
        return false;
      }
    }
    set_upstream_protocol(c, port.protocol);
    c.services.push_back({s.hostname, s.name, s.namespace_});
    c.direction = "outbound";
    c.port = port.port;
    c.fqdn = s.hostname;
    if (s.source != nullptr) {
      c.origin.resource = model::key_of(*s.source);
      c.origin.path = port_path(s.source, port.port);
    }
    return true;
  }

  // setUpstreamProtocol: HTTP/2-class ports speak h2; auto-detected ports on sidecars follow
  // the downstream protocol.
  void set_upstream_protocol(Cluster& c, Protocol protocol) const {
    if (is_http2(protocol)) {
      c.http2 = true;
      return;
    }
    if (!gateway_ && protocol == Protocol::Unsupported) {
      c.use_downstream_protocol = true;
    }
  }

  // The inline endpoints of a DNS cluster (EndpointBuilder.FromServiceEndpoints): the
  // service's endpoints on `port`, subset-filtered, grouped by locality.
  ClusterLoadAssignment load_assignment(const std::string& name, const MeshService& s,
                                        const MeshServicePort& port, const model::Subset* subset) {
    ClusterLoadAssignment out;
    out.cluster_name = name;
    LocalityGroups groups;
    const std::vector<MeshEndpoint> endpoints = scope_.registry().endpoints(s, &port);
    for (const MeshEndpoint& ep : endpoints) {
      if (subset != nullptr && !world::selector_matches(subset->labels, ep.labels)) {
        continue;
      }
      if (ep.health == 4 || (ep.health == 2 && !options_.send_unhealthy_endpoints())) {
        continue;  // Terminating endpoints never, unhealthy ones only from 1.31.
      }
      LbEndpoint lb = lb_endpoint(ep);
      if (ep.workload_name.empty()) {
        lb.istio_workload.clear();
      }
      lb.tls_mode_istio = ep.tls_mode_istio;
      groups.add(ep.locality, std::move(lb));
    }
    out.endpoints = groups.take();
    return out;
  }

  // BestEffortInferServiceMTLSMode.
  MtlsMode infer_mtls(const MeshService& s, const MeshServicePort& port,
                      const model::TrafficPolicy* tp) {
    if (s.mesh_external) {
      return MtlsMode::Unknown;
    }
    if (s.resolution == Resolution::Passthrough || lb_passthrough(tp)) {
      // Original-destination traffic is mTLS only when every endpoint has a sidecar.
      const auto eps = scope_.registry().endpoints(s, &port);
      if (eps.empty() || std::any_of(eps.begin(), eps.end(),
                                     [](const MeshEndpoint& e) { return !e.tls_mode_istio; })) {
        return MtlsMode::Disable;
      }
    }
    auto [it, inserted] = mtls_disabled_.try_emplace(s.namespace_, false);
    if (inserted) {
      it->second = namespace_mtls_disabled(scope_.registry().view(), s.namespace_,
                                           options_.mesh.root_namespace);
    }
    return it->second ? MtlsMode::Disable : MtlsMode::Permissive;
  }

  // The identities istiod expects behind a service (PushContext.ServiceAccounts): its
  // endpoints' service accounts and the service's own, sorted. Computed once per service.
  const std::vector<std::string>& service_accounts(const MeshService& s) {
    if (!sans_) {
      std::set<std::string> all(s.service_accounts.begin(), s.service_accounts.end());
      for (std::string& sa : scope_.registry().endpoint_service_accounts(s)) {
        all.insert(std::move(sa));
      }
      sans_.emplace(all.begin(), all.end());
    }
    return *sans_;
  }

  // applyTrafficPolicy: connection pool (both directions), then for outbound clusters outlier
  // detection, load balancing and upstream TLS.
  void apply_traffic_policy(Cluster& c, const Policy& policy, const MeshService& s,
                            TlsInputs tls) {
    const bool outbound = c.direction != "inbound";
    const model::ConnectionPoolSettings* pool = policy.pool;
    if (outbound && should_h2_upgrade(pool, s, c.port)) {
      c.http2 = true;  // applyH2Upgrade
      c.use_downstream_protocol = false;
    }
    apply_connection_pool(c, pool);
    if (outbound) {
      apply_outlier_detection(c, policy.outlier);
      apply_locality_load_balancer(c, policy.lb);
      apply_load_balancer(c, policy.lb);
      if (!tls.sni_dnat) {
        apply_tls(c, policy.tls, s, std::move(tls));
      }
    }
    if (c.type == Cluster::Type::OriginalDst) {
      c.lb_policy = "CLUSTER_PROVIDED";
    }
  }

  // shouldH2Upgrade: the rule's h2UpgradePolicy first (UPGRADE even on a sniffed port: whoever
  // wrote it knows the port speaks HTTP; none with useClientProtocol), else the mesh's, for
  // HTTP ports only.
  bool should_h2_upgrade(const model::ConnectionPoolSettings* pool, const MeshService& s,
                         std::uint32_t port) const {
    if (pool != nullptr && pool->http) {
      if (pool->http->use_client_protocol.value) {
        return false;
      }
      switch (pool->http->h2_upgrade_policy.value) {
        case model::H2UpgradePolicy::Upgrade:
          return true;
        case model::H2UpgradePolicy::DoNotUpgrade:
          return false;
        case model::H2UpgradePolicy::Default:
          break;
      }
    }
    if (const MeshServicePort* p = s.find_port(port); p != nullptr && !is_http(p->protocol)) {
      return false;
    }
    return options_.mesh.h2_upgrade;
  }

  void apply_connection_pool(Cluster& c, const model::ConnectionPoolSettings* pool) const {
    c.connect_timeout = options_.mesh.connect_timeout_ms;
    if (pool == nullptr) {
      return;
    }
    std::optional<Millis> idle;
    if (const auto* http = get(pool->http)) {
      if (http->http2_max_requests.value > 0) {
        c.max_requests = static_cast<std::uint32_t>(http->http2_max_requests.value);
      }
      if (http->http1_max_pending_requests.value > 0) {
        c.max_pending_requests = static_cast<std::uint32_t>(http->http1_max_pending_requests.value);
      }
      if (http->max_retries.value > 0) {
        c.max_retries = static_cast<std::uint32_t>(http->max_retries.value);
      }
      if (http->idle_timeout.present) {
        idle = to_millis(http->idle_timeout.value);
      }
      if (http->max_requests_per_connection.value > 0) {
        c.max_requests_per_connection =
            static_cast<std::uint32_t>(http->max_requests_per_connection.value);
      }
    }
    if (const auto* tcp = get(pool->tcp)) {
      if (tcp->connect_timeout.present) {
        c.connect_timeout = to_millis(tcp->connect_timeout.value);
      }
      if (tcp->max_connections.value > 0) {
        c.max_connections = static_cast<std::uint32_t>(tcp->max_connections.value);
      }
      if (!idle && tcp->idle_timeout.present) {
        idle = to_millis(tcp->idle_timeout.value);
      }
    }
    if (idle) {
      c.idle_timeout = idle;
    }
    if (pool->http && pool->http->use_client_protocol.value) {
      c.use_downstream_protocol = true;
      c.http2 = false;
    }
  }

  static void apply_outlier_detection(Cluster& c, const model::OutlierDetection* od) {
    if (od == nullptr) {
      return;
    }
    Cluster::OutlierDetection out;
    if (od->consecutive_5xx_errors.present) {
      out.consecutive_5xx = od->consecutive_5xx_errors.value;
    }
    if (od->consecutive_gateway_errors.present) {
      out.consecutive_gateway_failure = od->consecutive_gateway_errors.value;
    }
    if (od->interval.present) {
      out.interval = to_millis(od->interval.value);
    }
    if (od->base_ejection_time.present) {
      out.base_ejection_time = to_millis(od->base_ejection_time.value);
    }
    if (od->max_ejection_percent.value > 0) {
      out.max_ejection_percent = static_cast<std::uint32_t>(od->max_ejection_percent.value);
    }
    if (od->split_external_local_origin_errors.value) {
      out.split_external_local_origin_errors = true;
      if (od->consecutive_local_origin_failures.value > 0) {
        out.consecutive_local_origin_failure = od->consecutive_local_origin_failures.value;
      }
    }
    if (od->min_health_percent.value >= 0) {
      out.min_health_percent = static_cast<std::uint32_t>(od->min_health_percent.value);
      // istiod turns Envoy's panic mode (50% by default) off unless the rule asks for it.
      c.healthy_panic_threshold = out.min_health_percent;
    }
    c.outlier_detection = out;
  }

  // applyLoadBalancer's first half: the panic threshold when unhealthy endpoints are sent, and
  // applyLocalityLoadBalancer — the locality-weighted flag, and for clusters with inline
  // endpoints (DNS) the proxy's priorities and weights (no failoverPriority: istiod has no
  // endpoint labels there either).
  void apply_locality_load_balancer(Cluster& c, const model::LoadBalancerSettings* lb) const {
    if (options_.send_unhealthy_endpoints()) {
      c.healthy_panic_threshold = 0;
    }
    const std::optional<LocalityLbSetting> setting = applicable_locality_lb(options_.mesh, lb);
    if (!setting) {
      return;
    }
    const bool failover = c.outlier_detection.has_value();
    c.locality_weighted_lb = locality_weighted(*setting, failover);
    if (c.load_assignment && (failover || !setting->distribute.empty())) {
      apply_locality_lb(*c.load_assignment, nullptr, parse_locality(scope_.locality()),
                        scope_.topology_labels(), *setting, failover);
    }
  }

  void apply_load_balancer(Cluster& c, const model::LoadBalancerSettings* lb) const {
    if (c.type == Cluster::Type::OriginalDst) {
      c.lb_policy = "CLUSTER_PROVIDED";
      return;
    }
    const model::SimpleLb simple = lb != nullptr ? lb->simple.value : model::SimpleLb::Unspecified;
    switch (simple) {
      case model::SimpleLb::LeastConn:
      case model::SimpleLb::LeastRequest:
        c.lb_policy = "LEAST_REQUEST";
        break;
      case model::SimpleLb::Random:
        c.lb_policy = "RANDOM";
        break;
      case model::SimpleLb::RoundRobin:
        c.lb_policy = "ROUND_ROBIN";
        break;
      case model::SimpleLb::Passthrough:
        c.lb_policy = "CLUSTER_PROVIDED";
        c.type = Cluster::Type::OriginalDst;
        c.load_assignment.reset();
        c.dns_lookup_family.clear();
        break;
      default:
        c.lb_policy = options_.least_request_default() ? "LEAST_REQUEST" : "ROUND_ROBIN";
        break;
    }
    if (lb != nullptr && lb->consistent_hash) {
      c.lb_policy = lb->consistent_hash->maglev ? "MAGLEV" : "RING_HASH";
    }
  }

  // buildUpstreamTLSSettings + buildUpstreamClusterTLSContext + applyUpstreamTLSSettings.
  void apply_tls(Cluster& c, const model::ClientTlsSettings* user, const MeshService& s,
                 TlsInputs in) {
    using Mode = model::ClientTlsMode;
    bool auto_detected = false;
    Mode mode = Mode::Disable;
    UpstreamTls tls;
    if (user != nullptr) {
      mode = user->mode.value;
      tls.sni = user->sni.value;
      for (const auto& san : user->subject_alt_names) {
        tls.subject_alt_names.push_back(san.value);
      }
      if (mode == Mode::IstioMutual) {
        if (tls.sni.empty()) {
          tls.sni = std::move(in.sni);
        }
        if (tls.subject_alt_names.empty()) {
          tls.subject_alt_names = service_accounts(s);
        }
      }
    } else {
      if (s.mesh_external || !options_.mesh.enable_auto_mtls || in.mtls == MtlsMode::Unknown ||
          in.mtls == MtlsMode::Disable) {
        return;
      }
      mode = Mode::IstioMutual;
      auto_detected = true;
      tls.sni = std::move(in.sni);
      tls.subject_alt_names = service_accounts(s);
    }
    switch (mode) {
      case Mode::Disable:
        return;
      case Mode::IstioMutual:
        tls.mode = UpstreamTls::Mode::IstioMutual;
        tls.alpn_protocols.reserve(3);
        tls.alpn_protocols.emplace_back("istio-peer-exchange");
        tls.alpn_protocols.emplace_back("istio");
        if (c.http2) {
          tls.alpn_protocols.emplace_back("h2");
        }
        break;
      case Mode::Simple:
      case Mode::Mutual: {
        const std::string& credential = user->credential_name.value;
        // Sidecars get SDS credentials only from workload-scoped rules (so that one rule does
        // not make every sidecar it reaches fetch a secret).
        if (!credential.empty() && !credential.starts_with(kConfigMapCredentialPrefix) &&
            !gateway_ && !in.dr_with_selector) {
          return;
        }
        tls.mode = mode == Mode::Simple ? UpstreamTls::Mode::Simple : UpstreamTls::Mode::Mutual;
        tls.credential_name = credential;
        tls.client_certificate = user->client_certificate.value;
        tls.private_key = user->private_key.value;
        tls.ca_certificates = user->ca_certificates.value;
        tls.insecure_skip_verify = user->insecure_skip_verify.value;
        if (mode == Mode::Mutual && credential.empty() &&
            (tls.client_certificate.empty() || tls.private_key.empty())) {
          return;  // istiod logs the error and sends the cluster without TLS.
        }
        if (s.registry == MeshService::Registry::External && tls.subject_alt_names.empty()) {
          tls.subject_alt_names = service_accounts(s);
        }
        if (c.http2) {
          tls.alpn_protocols = {"h2"};
        }
        break;
      }
    }
    c.tls = std::move(tls);
    // Auto-detected mTLS is offered per endpoint (tlsMode label) except to original-destination
    // clusters.
    c.auto_mtls_match = auto_detected && c.type != Cluster::Type::OriginalDst;
  }

  // buildInboundCluster.
  Cluster inbound_cluster(std::uint32_t cluster_port,
                          const std::vector<const Registry::ServiceTarget*>& instances,
                          const std::string& bind, std::uint32_t endpoint_port) {
    const Registry::ServiceTarget& primary = *instances.front();
    Cluster c;
    c.name = inbound_cluster_name(cluster_port);
    c.alt_stat_name = alt_stat_name(c.name);
    c.connect_timeout = options_.mesh.connect_timeout_ms;
    c.direction = "inbound";
    c.port = cluster_port;
    if (bind.empty()) {
      c.type = Cluster::Type::OriginalDst;
    } else {
      c.type = Cluster::Type::Static;
      c.lb_policy = "ROUND_ROBIN";  // No load balancer is applied inbound: the enum default.
      LocalityLbEndpoints group;
      LbEndpoint ep;
      ep.address = {bind, endpoint_port};
      group.lb_endpoints.push_back(std::move(ep));
      c.load_assignment = ClusterLoadAssignment{c.name, {std::move(group)}};
    }
    set_upstream_protocol(c, primary.port.protocol);
    if (!primary.service.mesh_external) {
      std::set<std::string> seen;
      for (const auto* t : instances) {
        if (t->port.port == primary.port.port && seen.insert(t->service.hostname).second) {
          c.services.push_back({t->service.hostname, t->service.name, t->service.namespace_});
        }
      }
    }
    if (primary.service.source != nullptr) {
      c.origin.resource = model::key_of(*primary.service.source);
      c.origin.path = port_path(primary.service.source, primary.port.port);
    }
    // Connection limits from the service's DestinationRule, then the Sidecar's inbound pool.
    Policy policy;
    if (!primary.service.hostname.empty()) {
      if (const auto dr = scope_.find_destination_rule(primary.service.hostname);
          dr && !dr->rule->spec.workload_selector && dr->traffic_policy != nullptr) {
        policy = port_policy(dr->traffic_policy, primary.port.port);
        c.istio_config = config_path(options_, *dr->rule);
        c.destination_rule = model::key_of(*dr->rule);
      }
    }
    if (const auto* pool = sidecar_inbound_pool(cluster_port)) {
      policy.pool = pool;
    }
    apply_traffic_policy(c, policy, primary.service, TlsInputs{});
    return c;
  }

  // SidecarScope.InboundConnectionPoolForPort.
  const model::ConnectionPoolSettings* sidecar_inbound_pool(std::uint32_t port) const {
    const model::Sidecar* sidecar = scope_.sidecar();
    if (sidecar == nullptr) {
      return nullptr;
    }
    for (const auto& in : sidecar->spec.ingress) {
      if (in.port && in.port->number.value == port && in.connection_pool) {
        return &*in.connection_pool;
      }
    }
    return get(sidecar->spec.inbound_connection_pool);
  }

  // buildInboundClustersFromSidecar for one ingress listener.
  void inbound_from_sidecar(const model::IstioIngressListener& ingress,
                            const std::vector<Registry::ServiceTarget>& targets,
                            std::vector<Cluster>& out) {
    if (!ingress.port) {
      return;
    }
    const std::uint32_t number = ingress.port->number.value;
    std::string address;
    std::uint32_t endpoint_port = 0;
    const std::string& endpoint = ingress.default_endpoint.value;
    if (endpoint.starts_with("unix://")) {
      address = endpoint;
    } else if (!endpoint.empty()) {
      const std::size_t colon = endpoint.rfind(':');
      if (colon == std::string::npos) {
        return;
      }
      std::string host = endpoint.substr(0, colon);
      const std::string port_text = endpoint.substr(colon + 1);
      if (port_text.empty() || !std::all_of(port_text.begin(), port_text.end(),
                                            [](char ch) { return ch >= '0' && ch <= '9'; })) {
        return;
      }
      endpoint_port = static_cast<std::uint32_t>(std::stoul(port_text));
      if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
        host = host.substr(1, host.size() - 2);
      }
      const std::string& ip = scope_.proxy().ip;
      const bool ip_v4 = !ip.empty() && ip.find(':') == std::string::npos;
      const bool ip_v6 = ip.find(':') != std::string::npos;
      if (host == "0.0.0.0") {
        address = ip_v4 ? ip : "127.0.0.1";
      } else if (host == "::") {
        address = ip_v6 ? ip : "::1";
      } else {
        address = host;  // 127.0.0.1 or ::1.
      }
    }
    // The service target on that port names the cluster's service; else a stand-in.
    Registry::ServiceTarget stand_in;
    const Registry::ServiceTarget* target = nullptr;
    for (const auto& t : targets) {
      if (t.target_port == number) {
        target = &t;
        break;
      }
    }
    if (target == nullptr) {
      const model::Sidecar* sidecar = scope_.sidecar();
      stand_in.service.hostname = sidecar->meta.name + "." + sidecar->meta.namespace_;
      stand_in.service.name = sidecar->meta.name;
      stand_in.service.namespace_ = sidecar->meta.namespace_;
      stand_in.service.mesh_external = true;
      target = &stand_in;
    }
    Registry::ServiceTarget listener = *target;
    listener.port.port = number;
    listener.port.name = ingress.port->name.value;
    listener.port.protocol = parse_protocol(ingress.port->protocol.value);
    listener.target_port = endpoint_port;
    Cluster c = inbound_cluster(number, {&listener}, address, endpoint_port);
    if (target == &stand_in) {
      c.origin.resource = model::key_of(*scope_.sidecar());
      c.origin.path = ingress.loc.path;
    }
    out.push_back(std::move(c));
  }

  const Scope& scope_;
  const Options& options_;
  bool gateway_ = false;
  std::optional<std::vector<std::string>> sans_;  // service_accounts() of the current service
  std::map<std::string, bool, std::less<>>
      mtls_disabled_;  // namespace → PeerAuthentication DISABLE
};

// Whether the gateways applying to the proxy have an AUTO_PASSTHROUGH server
// (MergedGateway.ContainsAutoPassthroughGateways).
bool has_auto_passthrough(const Scope& scope) {
  for (const model::Gateway* gw : gateways_for(scope)) {
    for (const model::Server& server : gw->spec.servers) {
      if (server.tls && server.tls->mode.value == model::ServerTlsMode::AutoPassthrough) {
        return true;
      }
    }
  }
  return false;
}

// normalizeClusters: the first cluster of a name wins.
void drop_duplicates(std::vector<Cluster>& clusters) {
  // Names are nearly always distinct: when their hashes are, there is nothing to drop, and
  // sorting hashes is much cheaper than a set of the names.
  std::vector<std::size_t> hashes;
  hashes.reserve(clusters.size());
  for (const Cluster& c : clusters) {
    hashes.push_back(std::hash<std::string_view>{}(c.name));
  }
  std::sort(hashes.begin(), hashes.end());
  if (std::adjacent_find(hashes.begin(), hashes.end()) == hashes.end()) {
    return;
  }
  std::unordered_set<std::string_view> seen;
  seen.reserve(clusters.size());
  std::size_t kept = 0;
  for (std::size_t i = 0; i < clusters.size(); ++i) {
    if (seen.count(clusters[i].name) != 0) {
      continue;
    }
    if (kept != i) {
      clusters[kept] = std::move(clusters[i]);
    }
    seen.insert(clusters[kept].name);  // A view of the name where it now stays.
    ++kept;
  }
  clusters.resize(kept);
}

}  // namespace

std::vector<Cluster> build_clusters_for_hosts(const Scope& scope,
                                              const std::vector<std::string>& hosts) {
  ClusterBuilder builder(scope);
  std::vector<Cluster> out;
  for (const std::string& host : hosts) {
    if (const auto service = scope.find_service(host)) {
      builder.outbound(*service, out);
    }
  }
  drop_duplicates(out);
  return out;
}

std::vector<Cluster> build_clusters(const Scope& scope) {
  ClusterBuilder builder(scope);
  std::vector<Cluster> out;
  const std::vector<MeshService>& services = scope.scope_services();
  // A cluster per service port and per subset of its rule (Cluster is large: no regrowth).
  std::size_t count = 8;
  for (const MeshService& s : services) {
    const AppliedDestinationRule* dr = scope.find_destination_rule(s);
    count += s.ports.size() * (1 + (dr != nullptr ? dr->subsets.size() : 0));
  }
  out.reserve(count);
  for (const MeshService& s : services) {
    builder.outbound(s, out);
  }
  out.push_back(builder.black_hole());
  if (scope.proxy().type == Proxy::Type::Sidecar) {
    out.push_back(builder.passthrough(kPassthroughCluster));
    builder.inbound(out);
    out.push_back(builder.passthrough(kInboundPassthroughCluster));
  } else if (has_auto_passthrough(scope)) {
    for (const MeshService& s : services) {
      if (!s.mesh_external) {
        builder.outbound(s, out, /*sni_dnat=*/true);
      }
    }
  }
  drop_duplicates(out);
  return out;
}

}  // namespace meshward::translate
