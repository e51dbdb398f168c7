// Two hosts of one VirtualService that are equal or overlap through a wildcard (`*.foo.com`
// and `a.foo.com`). Istio's webhook rejects it ("duplicate hosts in virtual service",
// ValidateVirtualService, using host.Name.Matches): both names map to the same routes and the
// generated virtual hosts would conflict. Only checked when every host is valid, like Istio.

#include <string>
#include <string_view>

#include "meshward/model/kinds/virtual_service.h"
#include "meshward/rules/registry.h"
#include "meshward/rules/validate.h"

namespace meshward::rules {
namespace {

constexpr RuleInfo kInfo{"MW1204", "virtualservice-hosts-overlap", Family::Resource,
                         Severity::Error,
                         "Two hosts of a VirtualService are duplicates or overlap by wildcard",
                         ""};

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// host.Name.Matches (pkg/config/host/name.go).
bool matches(std::string_view n, std::string_view o) {
  const bool nw = !n.empty() && n.front() == '*';
  const bool ow = !o.empty() && o.front() == '*';
  if (nw && ow) {
    return n.size() < o.size() ? ends_with(o.substr(1), n.substr(1))
                               : ends_with(n.substr(1), o.substr(1));
  }
  if (nw) {
    return ends_with(o, n.substr(1));
  }
  if (ow) {
    return ends_with(n, o.substr(1));
  }
  return n == o;
}

void check(const model::VirtualService& vs, Sink& out) {
  bool gateway_only = !vs.spec.gateways.empty();
  for (const auto& g : vs.spec.gateways) {
    gateway_only = gateway_only && g.value != "mesh";
  }
  bool sni = false;
  for (const model::TlsRoute& tls : vs.spec.tls) {
    for (const model::TlsMatchAttributes& m : tls.match) {
      sni = sni || !m.sni_hosts.empty();
    }
  }
  for (const auto& host : vs.spec.hosts) {
    const bool bad = (gateway_only ? validate::wildcard_domain_for_gateway_bound_vs(sni, host.value)
                                   : validate::wildcard_domain(host.value)) &&
                     !validate::is_ip(host.value);
    if (bad || (!gateway_only && host.value == "*")) {
      return;  // MW1202 reports; Istio skips the overlap check then.
    }
  }
  const auto& hosts = vs.spec.hosts;
  for (std::size_t i = 0; i < hosts.size(); ++i) {
    for (std::size_t j = i + 1; j < hosts.size(); ++j) {
      if (matches(hosts[i].value, hosts[j].value)) {
        out.report(kInfo, vs, hosts[j].loc,
                   "host " + validate::quote(hosts[j].value) + " duplicates or overlaps hosts[" +
                       std::to_string(i) + "] " + validate::quote(hosts[i].value) +
                       ": keep only one of them");
      }
    }
  }
}

}  // namespace

MESHWARD_REGISTER_RULE(resource_rule(kInfo, &check));

}  // namespace meshward::rules
