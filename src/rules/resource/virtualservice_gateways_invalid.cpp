// VirtualService gateway references (spec.gateways and the `gateways` of http/tls/tcp matches)
// that are not `<namespace>/<name>` with DNS-label parts, or legacy `<name>.<namespace>` /
// FQDN names that do not parse. Istio's webhook rejects them and warns about the legacy dotted
// form (validateGatewayNames, pkg/config/validation/validation.go): the VirtualService would
// not bind to the gateway the author meant.

#include <string>

#include "meshward/model/kinds/virtual_service.h"
#include "meshward/rules/registry.h"
#include "meshward/rules/validate.h"

namespace meshward::rules {
namespace {

constexpr RuleInfo kInfo{"MW1205", "virtualservice-gateways-invalid", Family::Resource,
                         Severity::Error,
                         "A VirtualService gateway reference is not <namespace>/<name>", ""};

void check_names(const model::VirtualService& vs,
                 const std::vector<model::Field<std::string>>& names, bool gateway_semantics,
                 Sink& out) {
  for (const auto& g : names) {
    const std::string& name = g.value;
    const std::size_t slash = name.find('/');
    if (slash == std::string::npos) {
      const std::size_t dot = name.find('.');
      if (dot != std::string::npos) {
        const std::size_t dot2 = name.find('.', dot + 1);
        const std::string recommended =
            name.substr(dot + 1, dot2 == std::string::npos ? std::string::npos : dot2 - dot - 1) +
            "/" + name.substr(0, dot);
        out.report(kInfo, vs, g.loc,
                   "legacy gateway name format " + validate::quote(name) +
                       ": prefer <namespace>/<name>, here " + validate::quote(recommended),
                   Severity::Warning, "Istio only warns about the legacy format");
      }
      if (auto why = validate::fqdn(name)) {
        out.report(kInfo, vs, g.loc,
                   "invalid gateway " + validate::quote(name) + ": " + *why +
                       "; use <namespace>/<name> or \"mesh\"");
      }
      continue;
    }
    const std::string ns = name.substr(0, slash);
    const std::string gw = name.substr(slash + 1);
    if (ns.empty() || gw.empty()) {
      out.report(kInfo, vs, g.loc,
                 "gateway " + validate::quote(name) +
                     " has an empty namespace or name: use <namespace>/<name>");
      continue;
    }
    if (!validate::is_dns1123_label(ns)) {
      out.report(kInfo, vs, g.loc,
                 "invalid namespace " + validate::quote(ns) + " in gateway " +
                     validate::quote(name) + ": must be a DNS-1123 label");
    }
    if (!validate::is_dns1123_label(gw) && !gateway_semantics) {
      out.report(kInfo, vs, g.loc,
                 "invalid gateway name " + validate::quote(gw) + " in " + validate::quote(name) +
                     ": must be a DNS-1123 label");
    }
  }
}

void check(const model::VirtualService& vs, Sink& out) {
  const auto it = vs.meta.annotations.find("internal.istio.io/route-semantics");
  const bool gateway_semantics = it != vs.meta.annotations.end() && it->second == "gateway";
  check_names(vs, vs.spec.gateways, gateway_semantics, out);
  for (const auto& http : vs.spec.http) {
    for (const auto& m : http.match) {
      check_names(vs, m.gateways, false, out);
    }
  }
  for (const auto& tls : vs.spec.tls) {
    for (const auto& m : tls.match) {
      check_names(vs, m.gateways, false, out);
    }
  }
  for (const auto& tcp : vs.spec.tcp) {
    for (const auto& m : tcp.match) {
      check_names(vs, m.gateways, false, out);
    }
  }
}

}  // namespace

MESHWARD_REGISTER_RULE(resource_rule(kInfo, &check));

}  // namespace meshward::rules
