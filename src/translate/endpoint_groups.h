#pragma once
// Turning registry endpoints into Envoy's ClusterLoadAssignment shape, shared by EDS
// (endpoints.cpp) and the inline endpoints of DNS/STATIC clusters (clusters.cpp): istiod builds
// both with the same EndpointBuilder (pilot/pkg/xds/endpoints/endpoint_builder.go), so the
// locality grouping and LbEndpoint fields live here once. Internal to the translate module.

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "meshward/translate/registry.h"
#include "meshward/translate/xds.h"

namespace meshward::translate {

/// `region/zone/subzone` → Locality (missing parts empty).
Locality parse_locality(std::string_view label);

/// The LbEndpoint of `ep`: address, health, weight (1 when unset), `istio.workload` metadata
/// and origin. `tls_mode_istio` is left to the caller (EDS runs the mTLS checker on it).
LbEndpoint lb_endpoint(const MeshEndpoint& ep);

/// LbEndpoints grouped per locality label, groups sorted by label, weights summed.
class LocalityGroups {
 public:
  void add(const std::string& locality_label, LbEndpoint endpoint);
  /// The groups in label order; leaves this empty.
  std::vector<LocalityLbEndpoints> take();

 private:
  std::map<std::string, LocalityLbEndpoints> groups_;
};

}  // namespace meshward::translate
