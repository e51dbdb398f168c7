// A Sidecar with none of ingress, egress, outboundTrafficPolicy or inboundConnectionPool.
// Istio's webhook rejects it ("sidecar: empty configuration provided", ValidateSidecar in
// pkg/config/validation/validation.go): it would change nothing for the selected proxies and
// usually means the listeners were mis-indented.

#include "meshward/model/kinds/sidecar.h"
#include "meshward/rules/registry.h"

namespace meshward::rules {
namespace {

constexpr RuleInfo kInfo{"MW1501", "sidecar-empty", Family::Resource, Severity::Error,
                         "A Sidecar sets no ingress, egress, outboundTrafficPolicy or "
                         "inboundConnectionPool",
                         ""};

void check(const model::Sidecar& sc, Sink& out) {
  const model::SidecarSpec& spec = sc.spec;
  if (spec.ingress.empty() && spec.egress.empty() && !spec.outbound_traffic_policy &&
      !spec.inbound_connection_pool) {
    out.report(kInfo, sc, spec.loc,
               "Sidecar configuration is empty: add egress hosts (e.g. \"./*\", "
               "\"istio-system/*\"), ingress listeners, outboundTrafficPolicy or "
               "inboundConnectionPool");
  }
}

}  // namespace

MESHWARD_REGISTER_RULE(resource_rule(kInfo, &check));

}  // namespace meshward::rules
