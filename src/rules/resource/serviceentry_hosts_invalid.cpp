// ServiceEntry `hosts` Istio's webhook rejects or warns about (ValidateServiceEntry in
// pkg/config/validation/validation.go): the catch-all `*`, names that are not valid (wildcard)
// DNS names, and (warning) partial wildcards such as `*foo.com`, which Envoy matches as a
// plain suffix. A rejected entry never reaches the registry, so calls to the host stay
// unknown to the mesh (blocked under REGISTRY_ONLY, unrouted under ALLOW_ANY).

#include "meshward/model/kinds/service_entry.h"
#include "meshward/rules/registry.h"
#include "meshward/rules/validate.h"

namespace meshward::rules {
namespace {

constexpr RuleInfo kInfo{"MW1401", "serviceentry-hosts-invalid", Family::Resource,
                         Severity::Error, "A ServiceEntry host is `*`, not a valid DNS name, or "
                                          "a partial wildcard",
                         ""};

void check(const model::ServiceEntry& se, Sink& out) {
  const bool dynamic_dns =
      se.spec.resolution.value_or(model::ServiceEntryResolution::None) ==
      model::ServiceEntryResolution::DynamicDns;
  for (const model::Field<std::string>& host : se.spec.hosts) {
    if (*host == "*") {
      out.report(kInfo, se, host.loc,
                 "host \"*\" is not allowed in a ServiceEntry: list the external host names "
                 "(e.g. api.example.com or *.example.com)");
      continue;
    }
    if (auto why = validate::wildcard_domain(*host)) {
      out.report(kInfo, se, host.loc,
                 "host " + validate::quote(*host) + " is invalid (" + *why +
                     "): use a DNS name such as api.example.com or *.example.com");
      continue;
    }
    if (!dynamic_dns) {
      if (auto why = validate::partial_wildcard(*host)) {
        out.report(kInfo, se, host.loc,
                   "host " + validate::quote(*host) + ": " + *why +
                       "; use a full-label wildcard such as *.example.com",
                   Severity::Warning, "Istio accepts partial wildcards with a warning");
      }
    }
  }
}

}  // namespace

MESHWARD_REGISTER_RULE(resource_rule(kInfo, &check));

}  // namespace meshward::rules
