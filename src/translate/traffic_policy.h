#pragma once
// The parts of a DestinationRule traffic policy that apply to one cluster: port-level settings
// and subset merging as istiod resolves them (util.GetPortLevelTrafficPolicy,
// util.MergeSubsetTrafficPolicy). Clusters (CDS) and endpoints (EDS: locality load balancing)
// read the same answer. Internal to the translate module.

#include <cstdint>

#include "meshward/model/kinds/destination_rule.h"

namespace meshward::translate {

/// The blocks of a TrafficPolicy a cluster reads, after port-level settings and subset merging.
struct Policy {
  const model::LoadBalancerSettings* lb = nullptr;
  const model::ConnectionPoolSettings* pool = nullptr;
  const model::OutlierDetection* outlier = nullptr;
  const model::ClientTlsSettings* tls = nullptr;
};

/// util.GetPortLevelTrafficPolicy: the policy for `port`, a matching portLevelSettings entry
/// replacing the four blocks wholesale (an absent block falls back to the default, not to the
/// top level). `port_level` tells whether an entry matched.
Policy port_policy(const model::TrafficPolicy* tp, std::uint32_t port, bool* port_level);
Policy port_policy(const model::TrafficPolicy* tp, std::uint32_t port);

/// util.MergeSubsetTrafficPolicy: the subset's blocks override field by field; a subset
/// port-level entry overrides wholesale.
Policy merge_subset(const Policy& base, const model::TrafficPolicy* subset, std::uint32_t port);

/// The policy of cluster (`port`, `subset`) of a host whose top-level policy is `top`
/// (either may be null).
Policy cluster_policy(const model::TrafficPolicy* top, const model::Subset* subset,
                      std::uint32_t port);

}  // namespace meshward::translate
