// DestinationRule `portLevelSettings` entries Istio's webhook rejects
// (validatePortTrafficPolicies in pkg/config/validation/validation.go): an entry without a
// `port` (it cannot be attached to any Envoy cluster port) and an entry that sets none of
// loadBalancer, connectionPool, outlierDetection or tls (it overrides nothing).

#include "meshward/model/kinds/destination_rule.h"
#include "meshward/rules/registry.h"

namespace meshward::rules {
namespace {

constexpr RuleInfo kInfo{"MW1310", "destinationrule-port-level-settings-invalid",
                         Family::Resource, Severity::Error,
                         "A DestinationRule portLevelSettings entry has no port or no policy",
                         ""};

void check_policy(const model::DestinationRule& dr, const model::TrafficPolicy& tp, Sink& out) {
  for (const model::PortTrafficPolicy& pl : tp.port_level_settings) {
    if (!pl.port) {
      out.report(kInfo, dr, pl.loc,
                 "portLevelSettings entry has no port: add port: {number: <service port>}");
    }
    if (!pl.load_balancer && !pl.connection_pool && !pl.outlier_detection && !pl.tls) {
      out.report(kInfo, dr, pl.loc,
                 "portLevelSettings entry sets no policy: add loadBalancer, connectionPool, "
                 "outlierDetection or tls, or remove the entry");
    }
  }
}

void check(const model::DestinationRule& dr, Sink& out) {
  if (dr.spec.traffic_policy) {
    check_policy(dr, *dr.spec.traffic_policy, out);
  }
  for (const model::Subset& subset : dr.spec.subsets) {
    if (subset.traffic_policy) {
      check_policy(dr, *subset.traffic_policy, out);
    }
  }
}

}  // namespace

MESHWARD_REGISTER_RULE(resource_rule(kInfo, &check));

}  // namespace meshward::rules
