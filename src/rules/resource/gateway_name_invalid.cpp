// A Gateway whose name is not a DNS-1123 label (for example one with dots). Istio's webhook
// rejects it ("invalid gateway name", ValidateGateway in pkg/config/validation/validation.go):
// VirtualServices reference gateways as <namespace>/<name>, and a dotted name reads as the
// legacy <name>.<namespace> form, so bindings would silently point elsewhere.
// Gateways generated from the Gateway API (internal.istio.io/gateway-semantics) are exempt.

#include "meshward/model/kinds/gateway.h"
#include "meshward/rules/registry.h"
#include "meshward/rules/validate.h"

namespace meshward::rules {
namespace {

constexpr RuleInfo kInfo{"MW1101", "gateway-name-invalid", Family::Resource, Severity::Error,
                         "A Gateway name is not a DNS-1123 label", ""};

void check(const model::Gateway& gw, Sink& out) {
  const auto it = gw.meta.annotations.find("internal.istio.io/gateway-semantics");
  if (it != gw.meta.annotations.end() && it->second == "gateway") {
    return;
  }
  if (!validate::is_dns1123_label(gw.meta.name)) {
    out.report(kInfo, gw, gw.meta.loc,
               "Gateway name " + validate::quote(gw.meta.name) +
                   " is not a DNS-1123 label: use lower-case letters, digits and '-' only "
                   "(no dots), at most 63 characters");
  }
}

}  // namespace

MESHWARD_REGISTER_RULE(resource_rule(kInfo, &check));

}  // namespace meshward::rules
