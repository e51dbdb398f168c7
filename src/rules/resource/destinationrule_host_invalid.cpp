// A DestinationRule whose `host` is not a valid (wildcard) DNS name. Istio's webhook rejects it
// (ValidateDestinationRule -> agent.ValidateWildcardDomain, pkg/config/validation): the rule
// could never match a service in the registry, so its policies and subsets would silently
// apply to nothing and routes naming its subsets would fail with 503 (no healthy upstream).

#include "meshward/model/kinds/destination_rule.h"
#include "meshward/rules/registry.h"
#include "meshward/rules/validate.h"

namespace meshward::rules {
namespace {

constexpr RuleInfo kInfo{"MW1301", "destinationrule-host-invalid", Family::Resource,
                         Severity::Error,
                         "A DestinationRule host is not a valid DNS name or wildcard domain", ""};

void check(const model::DestinationRule& dr, Sink& out) {
  const model::Field<std::string>& host = dr.spec.host;
  if (!host.present) {
    return;  // absence is MW1004 field-required
  }
  if (auto why = validate::wildcard_domain(*host)) {
    out.report(kInfo, dr, host.loc,
               "host " + validate::quote(*host) + " is invalid (" + *why +
                   "): set it to a service name such as reviews, "
                   "reviews.bookinfo.svc.cluster.local, or a wildcard such as *.example.com");
  }
}

}  // namespace

MESHWARD_REGISTER_RULE(resource_rule(kInfo, &check));

}  // namespace meshward::rules
