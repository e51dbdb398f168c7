// TLS routes Istio cannot program: no match, a match without sniHosts, an SNI host that is not
// a valid (wildcard) domain or not covered by the VirtualService's hosts (errors), an SNI that
// is an IP (warning: against the SNI spec, most clients never send it), invalid
// destinationSubnets, ports or sourceLabels, or no route. Mirrors validateTLSRoute /
// validateTLSMatch / validateSniHost in pkg/config/validation/validation.go.

#include <string>
#include <string_view>

#include "meshward/model/kinds/virtual_service.h"
#include "meshward/rules/registry.h"
#include "meshward/rules/validate.h"
#include "l4_match_util.h"

namespace meshward::rules {
namespace {

constexpr RuleInfo kInfo{"MW1220", "virtualservice-tls-route-invalid", Family::Resource,
                         Severity::Error, "A TLS route or its match is invalid", ""};

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// host.Name.SubsetOf (pkg/config/host/name.go).
bool subset_of(std::string_view n, std::string_view o) {
  const bool nw = !n.empty() && n.front() == '*';
  const bool ow = !o.empty() && o.front() == '*';
  if (nw) {
    return ow && n.size() >= o.size() && ends_with(n.substr(1), o.substr(1));
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
  for (const model::TlsRoute& tls : vs.spec.tls) {
    if (tls.match.empty()) {
      out.report(kInfo, vs, tls.loc,
                 "TLS route has no match: add a match with sniHosts");
    }
    for (const model::TlsMatchAttributes& m : tls.match) {
      if (m.sni_hosts.empty()) {
        out.report(kInfo, vs, m.loc, "TLS match has no sniHosts: add at least one SNI host");
      }
      for (const auto& sni : m.sni_hosts) {
        const validate::Result why =
            gateway_only ? validate::wildcard_domain_for_gateway_bound_vs(true, sni.value)
                         : validate::wildcard_domain(sni.value);
        if (why) {
          if (validate::is_ip(sni.value)) {
            out.report(kInfo, vs, sni.loc,
                       "SNI host " + validate::quote(sni.value) +
                           " is an IP address, which goes against the SNI spec and most "
                           "clients never send it: match a host name, or use "
                           "destinationSubnets",
                       Severity::Warning, "Istio only warns");
          } else {
            out.report(kInfo, vs, sni.loc, "invalid SNI host: " + *why);
          }
          continue;
        }
        bool covered = false;
        std::string hosts;
        for (const auto& h : vs.spec.hosts) {
          covered = covered || subset_of(sni.value, h.value);
          hosts += (hosts.empty() ? "" : ", ") + h.value;
        }
        if (!covered) {
          out.report(kInfo, vs, sni.loc,
                     "SNI host " + validate::quote(sni.value) +
                         " is not covered by any of the VirtualService hosts [" + hosts +
                         "]: add it to hosts or fix the SNI");
        }
      }
      check_l4_match(kInfo, vs, m.destination_subnets, m.port, m.source_labels, out);
    }
    if (tls.route.empty()) {
      out.report(kInfo, vs, tls.loc, "TLS route has no route: add a destination");
    }
  }
}

}  // namespace

MESHWARD_REGISTER_RULE(resource_rule(kInfo, &check));

}  // namespace meshward::rules
