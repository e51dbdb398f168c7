// A DestinationRule `trafficPolicy` (top level or on a subset) with no field set. Istio's
// webhook rejects it ("traffic policy must have at least one field", validateTrafficPolicy in
// pkg/config/validation/validation.go): an empty block changes nothing in Envoy and usually
// means the settings were mis-indented under another key.

#include "meshward/model/kinds/destination_rule.h"
#include "meshward/rules/registry.h"

namespace meshward::rules {
namespace {

constexpr RuleInfo kInfo{"MW1303", "destinationrule-traffic-policy-empty", Family::Resource,
                         Severity::Error, "A DestinationRule trafficPolicy sets no field", ""};

bool is_empty(const model::TrafficPolicy& tp) {
  return !tp.load_balancer && !tp.connection_pool && !tp.outlier_detection && !tp.tls &&
         tp.port_level_settings.empty() && !tp.tunnel && !tp.proxy_protocol && !tp.retry_budget;
}

void check(const model::DestinationRule& dr, Sink& out) {
  constexpr const char* kFix =
      "trafficPolicy sets no field: add loadBalancer, connectionPool, outlierDetection, tls, "
      "portLevelSettings, tunnel or proxyProtocol, or remove the empty block";
  if (dr.spec.traffic_policy && is_empty(*dr.spec.traffic_policy)) {
    out.report(kInfo, dr, dr.spec.traffic_policy->loc, kFix);
  }
  for (const model::Subset& subset : dr.spec.subsets) {
    if (subset.traffic_policy && is_empty(*subset.traffic_policy)) {
      out.report(kInfo, dr, subset.traffic_policy->loc,
                 "subset " + subset.name.value + ": " + kFix);
    }
  }
}

}  // namespace

MESHWARD_REGISTER_RULE(resource_rule(kInfo, &check));

}  // namespace meshward::rules
