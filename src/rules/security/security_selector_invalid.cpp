// A PeerAuthentication, RequestAuthentication or AuthorizationPolicy `selector` with an empty
// label key or a `*` in a key or value (Istio's webhook rejects both: "empty key is not
// supported in selector", "wildcard is not supported in selector"), or with no matchLabels at
// all, which selects every workload of the namespace like no selector would (a warning:
// "workload selector specified without labels"). validateWorkloadSelector in
// pkg/config/validation/validation.go.

#include "meshward/model/kinds/authorization_policy.h"
#include "meshward/model/kinds/peer_authentication.h"
#include "meshward/model/kinds/request_authentication.h"
#include "meshward/rules/registry.h"
#include "meshward/rules/validate.h"

namespace meshward::rules {
namespace {

constexpr RuleInfo kInfo{"MW3101", "security-selector-invalid", Family::Security,
                         Severity::Error,
                         "A security policy's selector has an empty or wildcard label, or no "
                         "matchLabels",
                         ""};

void check_selector(const model::Object& object,
                    const model::Optional<model::LabelSelector>& selector, Sink& out) {
  if (!selector) {
    return;
  }
  const model::LabelSelector& sel = *selector;
  for (const auto& [key, value] : sel.match_labels) {
    const model::Loc& loc = value.loc.path.empty() ? sel.loc : value.loc;
    if (validate::Result bad = validate::selector_label(key, value.value)) {
      out.report(kInfo, object, loc,
                 "selector label invalid: " + *bad +
                     "; selectors match labels exactly, write the exact label key and value");
    }
  }
  if (sel.match_labels.empty()) {
    out.report(kInfo, object, sel.loc,
               "selector has no matchLabels, so the policy applies to every workload in the "
               "namespace: add matchLabels, or remove selector if that is intended",
               Severity::Warning, "Istio only warns: the policy is valid, just namespace-wide");
  }
}

void check(const model::Object& object, Sink& out) {
  if (const auto* pa = object.as<model::PeerAuthentication>()) {
    check_selector(object, pa->spec.selector, out);
  } else if (const auto* ra = object.as<model::RequestAuthentication>()) {
    check_selector(object, ra->spec.selector, out);
  } else if (const auto* ap = object.as<model::AuthorizationPolicy>()) {
    check_selector(object, ap->spec.selector, out);
  }
}

}  // namespace

MESHWARD_REGISTER_RULE((Rule{kInfo,
                             KindSet{Kind::PeerAuthentication, Kind::RequestAuthentication,
                                     Kind::AuthorizationPolicy},
                             &check,
                             {},
                             {}}));

}  // namespace meshward::rules
