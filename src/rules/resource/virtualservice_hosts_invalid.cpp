// VirtualService hosts that are not valid (wildcard) domain names or IPs, or the host `*` on a
// VirtualService bound to the mesh. Istio's webhook rejects them (ValidateVirtualService in
// pkg/config/validation/validation.go, ValidateWildcardDomain / ...BoundToGateway in
// agent/validation.go): no Envoy virtual host could be built for the name, and `*` would
// capture every request in the mesh.

#include "meshward/model/kinds/virtual_service.h"
#include "meshward/rules/registry.h"
#include "meshward/rules/validate.h"

namespace meshward::rules {
namespace {

constexpr RuleInfo kInfo{"MW1202", "virtualservice-hosts-invalid", Family::Resource,
                         Severity::Error,
                         "A VirtualService host is not a valid domain/IP, or is `*` on the mesh",
                         ""};

void check(const model::VirtualService& vs, Sink& out) {
  bool gateway_only = !vs.spec.gateways.empty();
  for (const auto& g : vs.spec.gateways) {
    if (g.value == "mesh") {
      gateway_only = false;
    }
  }
  bool sni = false;
  for (const model::TlsRoute& tls : vs.spec.tls) {
    for (const model::TlsMatchAttributes& m : tls.match) {
      sni = sni || !m.sni_hosts.empty();
    }
  }
  for (const auto& host : vs.spec.hosts) {
    const validate::Result why =
        gateway_only ? validate::wildcard_domain_for_gateway_bound_vs(sni, host.value)
                     : validate::wildcard_domain(host.value);
    if (why) {
      if (!validate::is_ip(host.value)) {
        out.report(kInfo, vs, host.loc,
                   "invalid host " + validate::quote(host.value) + ": " + *why +
                       "; use a service name, an FQDN, a \"*.\" wildcard or an IP");
      }
    } else if (!gateway_only && host.value == "*") {
      out.report(kInfo, vs, host.loc,
                 "host \"*\" is not allowed on a VirtualService bound to the mesh: name the "
                 "services it routes for, or bind it to gateways only");
    }
  }
}

}  // namespace

MESHWARD_REGISTER_RULE(resource_rule(kInfo, &check));

}  // namespace meshward::rules
