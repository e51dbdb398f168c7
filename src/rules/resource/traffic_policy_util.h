#pragma once
// Helpers the DestinationRule and Sidecar traffic-policy checks (src/rules/resource/) share;
// internal, not a check: the walk over a DestinationRule's traffic policies (top level, then
// each subset; each followed by its port-level settings) and the connection-pool validation
// of Istio's validateConnectionPool (pkg/config/validation/validation.go).

#include <functional>
#include <type_traits>

#include "meshward/model/kinds/destination_rule.h"
#include "meshward/rules/rule.h"

namespace meshward::rules {

/// Calls `fn(settings)` for every present `settings` block of `dr`, in this order:
/// spec.trafficPolicy.<member>, its portLevelSettings[].<member>, then the same for each
/// subsets[].trafficPolicy. `in_policy` / `in_port` name the member in TrafficPolicy and in
/// PortTrafficPolicy (e.g. &model::TrafficPolicy::tls, &model::PortTrafficPolicy::tls).
template <class T>
void for_each_policy_setting(const model::DestinationRule& dr,
                             model::Optional<T> model::TrafficPolicy::*in_policy,
                             model::Optional<T> model::PortTrafficPolicy::*in_port,
                             const std::type_identity_t<std::function<void(const T&)>>& fn) {
  auto visit = [&](const model::TrafficPolicy& tp) {
    if (tp.*in_policy) {
      fn(*(tp.*in_policy));
    }
    for (const model::PortTrafficPolicy& pl : tp.port_level_settings) {
      if (pl.*in_port) {
        fn(*(pl.*in_port));
      }
    }
  };
  if (dr.spec.traffic_policy) {
    visit(*dr.spec.traffic_policy);
  }
  for (const model::Subset& subset : dr.spec.subsets) {
    if (subset.traffic_policy) {
      visit(*subset.traffic_policy);
    }
  }
}

/// Reports (as `info`, on `object`) what Istio's webhook rejects in a connection pool: neither
/// tcp nor http, negative limits, durations under 1ms or not whole milliseconds, and
/// h2UpgradePolicy UPGRADE together with useClientProtocol.
void check_connection_pool(const RuleInfo& info, const model::Object& object,
                           const model::ConnectionPoolSettings& pool, Sink& out);

}  // namespace meshward::rules
