#pragma once
// Locality-aware load balancing as istiod applies it to one proxy's view of a cluster's
// endpoints (pilot/pkg/networking/core/loadbalancer/loadbalancer.go GetLocalityLbSetting and
// ApplyLocalityLoadBalancer; cluster_traffic_policy.go applyLocalityLoadBalancer; EDS in
// pilot/pkg/xds/endpoints/endpoint_builder.go). The same endpoints get different priorities
// and weights in every locality: this is where "will traffic fail over, and where to" is
// answered. Internal to the translate module.

#include <optional>
#include <vector>

#include "meshward/model/kinds/destination_rule.h"
#include "meshward/model/object.h"
#include "meshward/translate/options.h"
#include "meshward/translate/xds.h"

namespace meshward::translate {

/// A DestinationRule's localityLbSetting in the plain form MeshConfig holds.
LocalityLbSetting locality_lb_setting(const model::LocalityLoadBalancerSetting& rule);

/// GetLocalityLbSetting: the cluster's (DestinationRule) setting when it has one — nullopt if
/// it says `enabled: false` — else the mesh's, nullopt if disabled. `lb` is the cluster's
/// merged load balancer settings (traffic_policy.h), null when none.
std::optional<LocalityLbSetting> applicable_locality_lb(const MeshConfig& mesh,
                                                        const model::LoadBalancerSettings* lb);

/// Whether the cluster gets `common_lb_config.locality_weighted_lb_config`: weights are
/// distributed, or failover (with outlier detection: `enable_failover`) names regions or
/// priority labels.
bool locality_weighted(const LocalityLbSetting& setting, bool enable_failover);

/// ApplyLocalityLoadBalancer on `assignment` for a proxy in `proxy_locality` with
/// `proxy_labels` (its topology labels included): `distribute` rewrites locality weights (and
/// empties localities no rule sends to); otherwise, only when `enable_failover` (the cluster
/// has outlier detection; Envoy never leaves priority 0 without it), priorities by
/// `failoverPriority` labels and/or by locality (same zone 0, same region 2, other regions 3,
/// regions `failover` does not name 4, renumbered without gaps). `endpoint_labels[i][j]` are
/// the labels of `assignment.endpoints[i].lb_endpoints[j]`; `failoverPriority` needs them, and
/// is skipped without them, as istiod skips it for DNS clusters.
void apply_locality_lb(ClusterLoadAssignment& assignment,
                       const std::vector<std::vector<const model::Labels*>>* endpoint_labels,
                       const Locality& proxy_locality, const model::Labels& proxy_labels,
                       const LocalityLbSetting& setting, bool enable_failover);

}  // namespace meshward::translate
