// Sidecar egress `hosts` Istio's webhook rejects or warns about (ValidateSidecar,
// agent.ValidateNamespaceSlashWildcardHostname): entries not of the form namespace/dnsName
// (namespace `*`, `.`, `~` or a DNS label; dnsName `*` or a dotted, possibly `*.`-wildcarded
// name), and (warnings) hosts repeated or already covered by `ns/*`, and `*/*` next to other
// entries. A rejected Sidecar leaves the proxy with the default (all-hosts) configuration.

#include <map>
#include <set>
#include <string>

#include "meshward/model/kinds/sidecar.h"
#include "meshward/rules/registry.h"
#include "meshward/rules/validate.h"

namespace meshward::rules {
namespace {

constexpr RuleInfo kInfo{"MW1504", "sidecar-egress-hosts-invalid", Family::Resource,
                         Severity::Error,
                         "A Sidecar egress host is malformed, duplicated, or shadowed by */*", ""};

void check_listener(const model::Sidecar& sc, const model::IstioEgressListener& eg, Sink& out) {
  std::map<std::string, std::set<std::string>> by_namespace;
  const model::Field<std::string>* all_hosts = nullptr;
  for (const model::Field<std::string>& host : eg.hosts) {
    const std::string& h = *host;
    const auto slash = h.find('/');
    if (slash != std::string::npos) {
      std::string ns = h.substr(0, slash);
      const std::string svc = h.substr(slash + 1);
      if (ns == ".") {
        ns = sc.meta.namespace_;
      }
      std::set<std::string>& svcs = by_namespace[ns];
      const bool duplicate = svc != "*" ? (svcs.count(svc) != 0 || svcs.count("*") != 0)
                                        : !svcs.empty();
      if (duplicate) {
        out.report(kInfo, sc, host.loc,
                   "egress host " + validate::quote(h) +
                       " overlaps with an earlier host of the same namespace in this listener: keep "
                       "only the broader one",
                   Severity::Warning, "Istio accepts duplicated egress hosts with a warning");
      }
      svcs.insert(svc);
      if (ns == "*" && svc == "*" && all_hosts == nullptr) {
        all_hosts = &host;
      }
    }
    if (auto why = validate::namespace_slash_host(h, validate::HostFlavour::Sidecar)) {
      out.report(kInfo, sc, host.loc,
                 "egress host " + validate::quote(h) + " is invalid (" + *why +
                     "): use namespace/dnsName, e.g. \"./*\", \"istio-system/*\" or "
                     "\"*/api.example.com\"");
    }
  }
  if (all_hosts != nullptr && by_namespace.size() != 1) {
    out.report(kInfo, sc, all_hosts->loc,
               "\"*/*\" already selects every host, so the other hosts of this listener add "
               "nothing: keep only \"*/*\" or drop it",
               Severity::Warning, "Istio accepts it with a warning");
  }
}

void check(const model::Sidecar& sc, Sink& out) {
  for (const model::IstioEgressListener& eg : sc.spec.egress) {
    check_listener(sc, eg, out);
  }
}

}  // namespace

MESHWARD_REGISTER_RULE(resource_rule(kInfo, &check));

}  // namespace meshward::rules
