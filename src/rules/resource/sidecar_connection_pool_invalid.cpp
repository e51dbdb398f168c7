// Sidecar inbound connection pools (`inboundConnectionPool` and per-listener
// `ingress[].connectionPool`) Istio's webhook rejects or warns about (ValidateSidecar,
// validateConnectionPool in pkg/config/validation/validation.go): a pool with neither tcp nor
// http, negative limits, durations under 1ms or not whole milliseconds, UPGRADE with
// useClientProtocol, and (warning) HTTP settings on a non-HTTP port, where only tcp applies.

#include <string>

#include "meshward/model/kinds/sidecar.h"
#include "meshward/rules/registry.h"
#include "meshward/rules/validate.h"
#include "traffic_policy_util.h"

namespace meshward::rules {
namespace {

constexpr RuleInfo kInfo{"MW1508", "sidecar-connection-pool-invalid", Family::Resource,
                         Severity::Error, "A Sidecar inbound connection pool setting is invalid",
                         ""};

void check(const model::Sidecar& sc, Sink& out) {
  for (const model::IstioIngressListener& in : sc.spec.ingress) {
    if (!in.connection_pool) {
      continue;
    }
    check_connection_pool(kInfo, sc, *in.connection_pool, out);
    if (in.connection_pool->http && in.port) {
      auto p = validate::parse_protocol(in.port->protocol.value);
      if (!p || !validate::is_http(*p)) {
        out.report(kInfo, sc, in.connection_pool->http->loc,
                   "HTTP connection pool settings are configured for port " +
                       std::to_string(in.port->number.value) + " (" +
                       validate::quote(in.port->name.value) + ") whose protocol " +
                       validate::quote(in.port->protocol.value) +
                       " is not HTTP; only the tcp settings apply",
                   Severity::Warning, "Istio accepts it with a warning");
      }
    }
  }
  if (sc.spec.inbound_connection_pool) {
    check_connection_pool(kInfo, sc, *sc.spec.inbound_connection_pool, out);
  }
}

}  // namespace

MESHWARD_REGISTER_RULE(resource_rule(kInfo, &check));

}  // namespace meshward::rules
