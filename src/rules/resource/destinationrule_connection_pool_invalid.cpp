// DestinationRule `connectionPool` settings Istio's webhook rejects (validateConnectionPool in
// pkg/config/validation/validation.go): a pool with neither tcp nor http, negative limits,
// durations under 1ms or not whole milliseconds, and h2UpgradePolicy UPGRADE together with
// useClientProtocol. Envoy's circuit breakers and timeouts would be meaningless or refused.

#include "meshward/model/kinds/destination_rule.h"
#include "meshward/rules/registry.h"
#include "traffic_policy_util.h"

namespace meshward::rules {
namespace {

constexpr RuleInfo kInfo{"MW1307", "destinationrule-connection-pool-invalid", Family::Resource,
                         Severity::Error, "A DestinationRule connectionPool setting is invalid",
                         ""};

void check(const model::DestinationRule& dr, Sink& out) {
  for_each_policy_setting(dr, &model::TrafficPolicy::connection_pool,
                          &model::PortTrafficPolicy::connection_pool,
                          [&](const model::ConnectionPoolSettings& pool) {
                            check_connection_pool(kInfo, dr, pool, out);
                          });
}

}  // namespace

MESHWARD_REGISTER_RULE(resource_rule(kInfo, &check));

}  // namespace meshward::rules
