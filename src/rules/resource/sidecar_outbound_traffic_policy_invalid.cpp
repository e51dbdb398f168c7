// Sidecar `outboundTrafficPolicy.egressProxy` problems Istio's webhook rejects
// (validateSidecarOutboundTrafficPolicy in pkg/config/validation/validation.go): an
// egressProxy without mode ALLOW_ANY (it is only used for unknown hosts under ALLOW_ANY), a
// host that is not an FQDN, a missing port, and an invalid subset name or port number.

#include <string>

#include "meshward/model/kinds/sidecar.h"
#include "meshward/rules/registry.h"
#include "meshward/rules/validate.h"

namespace meshward::rules {
namespace {

constexpr RuleInfo kInfo{"MW1505", "sidecar-outbound-traffic-policy-invalid", Family::Resource,
                         Severity::Error,
                         "A Sidecar outboundTrafficPolicy egressProxy is misplaced or invalid",
                         ""};

void check(const model::Sidecar& sc, Sink& out) {
  if (!sc.spec.outbound_traffic_policy || !sc.spec.outbound_traffic_policy->egress_proxy) {
    return;
  }
  const model::OutboundTrafficPolicy& otp = *sc.spec.outbound_traffic_policy;
  const model::Destination& proxy = *otp.egress_proxy;
  if (otp.mode.value_or(model::OutboundTrafficPolicyMode::RegistryOnly) !=
      model::OutboundTrafficPolicyMode::AllowAny) {
    out.report(kInfo, sc, proxy.loc,
               "egressProxy is only used with mode ALLOW_ANY: set outboundTrafficPolicy.mode: "
               "ALLOW_ANY or remove egressProxy");
    return;
  }
  if (proxy.host.present) {
    if (auto why = validate::fqdn(*proxy.host)) {
      out.report(kInfo, sc, proxy.host.loc,
                 "egressProxy host " + validate::quote(*proxy.host) + " is invalid (" + *why +
                     "): use the proxy service FQDN, e.g. egress.istio-system.svc.cluster.local");
    }
  }
  if (!proxy.port) {
    out.report(kInfo, sc, proxy.loc,
               "egressProxy has no port: add port: {number: <proxy port>}");
    return;
  }
  if (proxy.subset.present && !proxy.subset->empty() &&
      !validate::is_dns1123_label(*proxy.subset)) {
    out.report(kInfo, sc, proxy.subset.loc,
               "egressProxy subset " + validate::quote(*proxy.subset) +
                   " is not a DNS-1123 label: use a subset name such as v1");
  }
  if (auto why = validate::port(proxy.port->number.value)) {
    out.report(kInfo, sc, proxy.port->number.present ? proxy.port->number.loc : proxy.port->loc,
               "egressProxy port is invalid (" + *why + "): use 1..65535");
  }
}

}  // namespace

MESHWARD_REGISTER_RULE(resource_rule(kInfo, &check));

}  // namespace meshward::rules
