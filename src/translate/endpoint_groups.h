#pragma once
// Turning registry endpoints into Envoy's ClusterLoadAssignment shape, shared by EDS
// (endpoints.cpp) and the inline endpoints of DNS/STATIC clusters (clusters.cpp): istiod builds
// both with the same EndpointBuilder (pilot/pkg/xds/endpoints/endpoint_builder.go), so the
// locality grouping and LbEndpoint fields live here once. Internal to the translate module.

#include <map>
#include <string>
#include <unordered_map>
#include <utility>
#include <string_view>
#include <vector>

#include "meshward/translate/proxy.h"
#include "meshward/translate/registry.h"
#include "meshward/translate/xds.h"

namespace meshward::translate {

/// `region/zone/subzone` → Locality (missing parts empty).
Locality parse_locality(std::string_view label);

/// The LbEndpoint of `ep`: address, health, weight (1 when unset), `istio.workload` metadata
/// and origin. `tls_mode_istio` is left to the caller (EDS runs the mTLS checker on it).
LbEndpoint lb_endpoint(const MeshEndpoint& ep);

/// LbEndpoints grouped per locality label, groups sorted by label, weights summed. Kept flat
/// and grouped in take(), so that each group is allocated once, at its size (an assignment
/// is built per cluster; most have one locality).
class LocalityGroups {
 public:
  /// `locality_label` and `labels` (the endpoint's, optional) are viewed: they must outlive
  /// take().
  void add(const std::string& locality_label, LbEndpoint endpoint,
           const model::Labels* labels = nullptr);
  /// The groups in label order, endpoints in the order added; leaves this empty. With
  /// `labels`, also the labels given to add() in the same shape (`labels[group][endpoint]`),
  /// which locality load balancing's failoverPriority reads.
  std::vector<LocalityLbEndpoints> take(
      std::vector<std::vector<const model::Labels*>>* labels = nullptr);

 private:
  struct Entry {
    const std::string* label;
    LbEndpoint endpoint;
    const model::Labels* labels;
  };
  std::vector<Entry> endpoints_;
};

/// EDS for the clusters of one Scope (build_endpoints() builds one with it; translate_proxy()
/// all of them). Every cluster of a service (each port, each subset) reads the same registry
/// endpoints: with `whole_services`, they are collected once per service (every port), with
/// their LbEndpoint, and kept; else once per service port (what one cluster needs).
/// `whole_services` also finds a cluster's service among Scope::scope_services() (what the
/// clusters were built from) by hostname, instead of asking Scope::find_service() per host:
/// the entry is the same service (only its `aliases`, which EDS does not read, may differ).
class EndpointsBuilder {
 public:
  EndpointsBuilder(const Scope& scope, bool whole_services);
  /// The assignment of `cluster_name` (build_endpoints()).
  ClusterLoadAssignment build(std::string_view cluster_name);

 private:
  struct Endpoints {
    std::vector<MeshEndpoint> endpoints;   ///< Registry::endpoints() of the key.
    std::vector<LbEndpoint> lb_endpoints;  ///< lb_endpoint() of each.
    std::vector<bool> eds_address;         ///< Whether each has an address EDS can carry.
  };
  /// Registry::endpoints(service) or (service, &port); both belong to the Scope's memo (their
  /// addresses are the key).
  const Endpoints& endpoints(const MeshService& service, const MeshServicePort& port);

  const Scope& scope_;
  bool whole_services_ = false;
  std::unordered_map<std::string_view, const MeshService*> by_hostname_;  // whole_services
  LocalityGroups groups_;  // reused: its buffer outlives one assignment
  std::map<std::pair<const MeshService*, const MeshServicePort*>, Endpoints> endpoints_;
};

}  // namespace meshward::translate
