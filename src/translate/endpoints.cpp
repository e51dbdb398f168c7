// EDS: one ClusterLoadAssignment per outbound cluster (reference §6; pilot/pkg/xds/eds.go
// buildEndpoints, pilot/pkg/xds/endpoints/endpoint_builder.go and mtls_checker.go).

#include <charconv>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "meshward/model/kinds/destination_rule.h"
#include "meshward/model/kinds/peer_authentication.h"
#include "meshward/translate/proxy.h"
#include "meshward/translate/registry.h"
#include "meshward/translate/translate.h"
#include "meshward/world/host.h"
#include "meshward/world/peer_authentication.h"
#include "meshward/world/selector.h"

#include "endpoint_groups.h"
#include "locality_lb.h"
#include "traffic_policy.h"

namespace meshward::translate {

namespace {

constexpr std::string_view kUnixPrefix = "unix://";

struct ClusterKey {
  std::uint32_t port = 0;
  std::string_view subset;
  std::string_view fqdn;
};

// model.ParseSubsetKey for `outbound|<port>|<subset>|<fqdn>`; nullopt for anything else
// (inbound clusters and special clusters have no EDS).
std::optional<ClusterKey> parse_outbound_cluster(std::string_view name) {
  std::string_view parts[4];
  std::size_t start = 0;
  for (int i = 0; i < 3; ++i) {
    const std::size_t bar = name.find('|', start);
    if (bar == std::string_view::npos) {
      return std::nullopt;
    }
    parts[i] = name.substr(start, bar - start);
    start = bar + 1;
  }
  parts[3] = name.substr(start);
  if (parts[0] != "outbound" || parts[3].empty() || parts[1].empty()) {
    return std::nullopt;
  }
  ClusterKey key;
  const auto [end, ec] = std::from_chars(parts[1].data(), parts[1].data() + parts[1].size(), key.port);
  if (ec != std::errc() || end != parts[1].data() + parts[1].size()) {
    return std::nullopt;
  }
  key.subset = parts[2];
  key.fqdn = parts[3];
  return key;
}

// trafficPolicyTLSModeForPort: the policy's TLS mode, a port-level setting for `port` winning.
std::optional<model::ClientTlsMode> tls_mode_for_port(const model::TrafficPolicy* policy,
                                                      std::uint32_t port) {
  if (policy == nullptr) {
    return std::nullopt;
  }
  std::optional<model::ClientTlsMode> mode;
  if (policy->tls) {
    mode = policy->tls->mode.value;
  }
  for (const model::PortTrafficPolicy& p : policy->port_level_settings) {
    if (p.port && p.port->number.value == port && p.tls) {
      mode = p.tls->mode.value;
      break;
    }
  }
  return mode;
}

// mtlsChecker: whether the endpoint keeps `tlsMode: istio` metadata (so the client's
// auto-mTLS transport socket match picks Istio mTLS for it).
class MtlsChecker {
 public:
  MtlsChecker(const Scope& scope, const AppliedDestinationRule* rule,
              const model::Subset* subset, std::uint32_t service_port)
      : scope_(scope) {
    if (rule != nullptr) {
      const model::TrafficPolicy* subset_policy =
          subset != nullptr && subset->traffic_policy ? &*subset->traffic_policy : nullptr;
      dr_mode_ = tls_mode_for_port(subset_policy, service_port);
      if (!dr_mode_) {
        dr_mode_ = tls_mode_for_port(rule->traffic_policy, service_port);
      }
    }
  }

  bool keeps_tls_mode(const MeshEndpoint& ep) const {
    if (!ep.tls_mode_istio) {
      return false;
    }
    if (dr_mode_) {
      return *dr_mode_ == model::ClientTlsMode::IstioMutual;
    }
    const std::string_view ns = ep.workload_namespace;
    return world::effective_peer_authentication(scope_.registry().view(),
                                                scope_.options().mesh.root_namespace, ns, ep.labels)
               .for_port(ep.port) != model::MutualTlsMode::Disable;
  }

 private:
  const Scope& scope_;
  std::optional<model::ClientTlsMode> dr_mode_;
};

// An address EDS can carry: an IP, or a unix socket with port 0.
bool eds_address(const MeshEndpoint& ep) {
  if (world::is_ip_address(ep.address)) {
    return true;
  }
  return ep.port == 0 && std::string_view(ep.address).substr(0, kUnixPrefix.size()) == kUnixPrefix;
}

}  // namespace

const EndpointsBuilder::Endpoints& EndpointsBuilder::endpoints(const MeshService& service,
                                                               const MeshServicePort& port) {
  const MeshServicePort* key_port = whole_services_ ? nullptr : &port;
  auto [it, added] = endpoints_.try_emplace({&service, key_port});
  if (added) {
    it->second.endpoints = scope_.registry().endpoints(service, key_port);
    it->second.lb_endpoints.reserve(it->second.endpoints.size());
    it->second.eds_address.reserve(it->second.endpoints.size());
    for (const MeshEndpoint& ep : it->second.endpoints) {
      it->second.lb_endpoints.push_back(lb_endpoint(ep));
      it->second.eds_address.push_back(eds_address(ep));
    }
  }
  return it->second;
}

EndpointsBuilder::EndpointsBuilder(const Scope& scope, bool whole_services)
    : scope_(scope), whole_services_(whole_services) {
  if (whole_services_) {
    const std::vector<MeshService>& services = scope.scope_services();
    by_hostname_.reserve(services.size());
    for (const MeshService& s : services) {
      by_hostname_.emplace(s.hostname, &s);  // One entry per hostname.
    }
  }
}

ClusterLoadAssignment build_endpoints(const Scope& scope, std::string_view cluster_name) {
  return EndpointsBuilder(scope, /*whole_services=*/false).build(cluster_name);
}

ClusterLoadAssignment EndpointsBuilder::build(std::string_view cluster_name) {
  const Scope& scope = scope_;
  ClusterLoadAssignment out;
  out.cluster_name = std::string(cluster_name);
  const std::optional<ClusterKey> key = parse_outbound_cluster(cluster_name);
  if (!key) {
    return out;
  }
  const MeshService* service = nullptr;
  if (const auto it = by_hostname_.find(key->fqdn); it != by_hostname_.end()) {
    service = it->second;
  } else {
    service = scope.find_service(key->fqdn);
  }
  if (service == nullptr) {
    return out;
  }
  // Only EDS clusters have endpoints here: DNS services carry theirs inline, passthrough
  // and alias services have none.
  if (service->resolution != Resolution::ClientSideLb) {
    return out;
  }
  const MeshServicePort* port = service->find_port(key->port);
  if (port == nullptr) {
    return out;
  }

  const AppliedDestinationRule* rule = scope.find_destination_rule(*service);
  const model::Subset* subset = nullptr;
  if (!key->subset.empty() && rule) {
    subset = rule->find_subset(key->subset);
  }
  const MtlsChecker mtls(scope, rule, subset, port->port);
  const bool send_unhealthy = scope.options().send_unhealthy_endpoints();

  LocalityGroups& groups = groups_;
  const Endpoints& all = endpoints(*service, *port);
  for (std::size_t i = 0; i < all.endpoints.size(); ++i) {
    const MeshEndpoint& ep = all.endpoints[i];
    // Registry::endpoints(service, port) is the service's endpoints of that port (by name).
    if (ep.service_port_name != port->name || !all.eds_address[i] ||
        (subset != nullptr && !world::selector_matches(subset->labels, ep.labels))) {
      continue;
    }
    // Terminating endpoints never; unhealthy ones only from 1.31; draining only for
    // persistent-session services (never produced by the registry).
    if (ep.health == 4 || ep.health == 3 || (ep.health == 2 && !send_unhealthy)) {
      continue;
    }
    LbEndpoint lb = all.lb_endpoints[i];
    lb.tls_mode_istio = mtls.keeps_tls_mode(ep);
    groups.add(ep.locality, std::move(lb), &ep.labels);
  }
  // Locality load balancing for this proxy (EndpointBuilder.BuildClusterLoadAssignment):
  // failover only with outlier detection, which is how Envoy learns to leave a priority.
  const Policy policy =
      cluster_policy(rule != nullptr ? rule->traffic_policy : nullptr, subset, port->port);
  std::optional<LocalityLbSetting> locality_lb =
      applicable_locality_lb(scope.options().mesh, policy.lb);
  const bool failover = policy.outlier != nullptr;
  if (locality_lb && !failover && locality_lb->distribute.empty()) {
    locality_lb.reset();  // Nothing to apply.
  }
  if (!locality_lb) {
    out.endpoints = groups.take();
    return out;
  }
  std::vector<std::vector<const model::Labels*>> labels;
  out.endpoints = groups.take(&labels);
  apply_locality_lb(out, &labels, parse_locality(scope.locality()), scope.topology_labels(),
                    *locality_lb, failover);
  return out;
}

}  // namespace meshward::translate
