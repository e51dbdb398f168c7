// A Gateway server without hosts, or with a host that is not `[namespace/]dnsName`: the
// namespace part must be `*`, `.` or a DNS label, the name an FQDN (no short names), a full
// `*`, a `*.` wildcard prefix or an IP. Istio's webhook rejects these (validateServer and
// ValidateNamespaceSlashWildcardHostname, pkg/config/validation/agent/validation.go); Envoy
// would get no (or a wrong) virtual host and clients would see 404s.

#include "meshward/model/kinds/gateway.h"
#include "meshward/rules/registry.h"
#include "meshward/rules/validate.h"

namespace meshward::rules {
namespace {

constexpr RuleInfo kInfo{"MW1103", "gateway-server-hosts-invalid", Family::Resource,
                         Severity::Error, "A Gateway server has no hosts or an invalid host", ""};

void check(const model::Gateway& gw, Sink& out) {
  const auto it = gw.meta.annotations.find("internal.istio.io/gateway-semantics");
  const bool gateway_semantics = it != gw.meta.annotations.end() && it->second == "gateway";
  for (const model::Server& server : gw.spec.servers) {
    if (server.hosts.empty()) {
      out.report(kInfo, gw, server.loc,
                 "server has no hosts: add at least one host such as \"*/example.com\"");
      continue;
    }
    for (const auto& host : server.hosts) {
      if (auto why = validate::namespace_slash_host(host.value, validate::HostFlavour::Gateway,
                                                    gateway_semantics)) {
        out.report(kInfo, gw, host.loc,
                   "invalid server host " + validate::quote(host.value) + ": " + *why +
                       "; use [namespace/]dnsName with an FQDN, \"*\" or a \"*.\" prefix");
      }
    }
  }
}

}  // namespace

MESHWARD_REGISTER_RULE(resource_rule(kInfo, &check));

}  // namespace meshward::rules
