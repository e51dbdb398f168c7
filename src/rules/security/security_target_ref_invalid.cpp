// A RequestAuthentication or AuthorizationPolicy targetRef(s) istiod cannot attach: no name, a
// namespace (cross-namespace references are not supported), or a kind other than a core
// Service, a ServiceEntry, a Gateway API Gateway or GatewayClass; or more than one of selector,
// targetRef and targetRefs. Istio's webhook rejects each (validatePolicyTargetReference,
// validateOneOfSelectorType in pkg/config/validation/validation.go).

#include <string>
#include <string_view>
#include <vector>

#include "meshward/model/kinds/authorization_policy.h"
#include "meshward/model/kinds/request_authentication.h"
#include "meshward/rules/registry.h"
#include "meshward/rules/validate.h"

namespace meshward::rules {
namespace {

constexpr RuleInfo kInfo{"MW3102", "security-target-ref-invalid", Family::Security,
                         Severity::Error,
                         "A security policy's targetRef is incomplete or names an unsupported "
                         "kind, or selector/targetRef/targetRefs are combined",
                         ""};

struct Allowed {
  std::string_view group;  // canonical: "core" for the core group
  std::string_view kind;
};
constexpr Allowed kAllowed[] = {
    {"core", "Service"},
    {"networking.istio.io", "ServiceEntry"},
    {"gateway.networking.k8s.io", "Gateway"},
    {"gateway.networking.k8s.io", "GatewayClass"},
};

void check_ref(const model::Object& object, const model::PolicyTargetReference& ref, Sink& out) {
  if (ref.name.present && ref.name.value.empty()) {
    out.report(kInfo, object, ref.name.loc,
               "targetRef name is empty: name the Service, ServiceEntry or Gateway to attach to");
  }
  if (!ref.namespace_.value.empty()) {
    out.report(kInfo, object, ref.namespace_.loc,
               "targetRef namespace " + validate::quote(ref.namespace_.value) +
                   " is not supported (no cross-namespace references): remove it and create the "
                   "policy in the target's namespace");
  }
  const std::string group = ref.group.value.empty() ? std::string("core") : ref.group.value;
  bool allowed = false;
  for (const Allowed& a : kAllowed) {
    allowed = allowed || (a.group == group && a.kind == ref.kind.value);
  }
  if (!allowed) {
    out.report(kInfo, object, ref.kind.present ? ref.kind.loc : ref.loc,
               "targetRef " + validate::quote(ref.group.value + "/" + ref.kind.value) +
                   " is not supported: use kind Service (group \"\"), ServiceEntry (group "
                   "networking.istio.io), or Gateway/GatewayClass (group "
                   "gateway.networking.k8s.io)");
  }
}

void check_refs(const model::Object& object, bool has_selector,
                const model::Optional<model::PolicyTargetReference>& target_ref,
                const std::vector<model::PolicyTargetReference>& target_refs, Sink& out) {
  std::vector<std::string> set;
  if (has_selector) {
    set.emplace_back("selector");
  }
  if (target_ref) {
    set.emplace_back("targetRef");
  }
  if (!target_refs.empty()) {
    set.emplace_back("targetRefs");
  }
  if (set.size() > 1) {
    const model::Loc& loc = !target_refs.empty() ? target_refs.front().loc : target_ref->loc;
    std::string which = set[0];
    for (std::size_t i = 1; i < set.size(); ++i) {
      which += (i + 1 == set.size() ? " and " : ", ") + set[i];
    }
    out.report(kInfo, object, loc,
               "only one of selector, targetRef and targetRefs may be set, found " + which +
                   ": keep one");
  }
  if (target_ref) {
    check_ref(object, *target_ref, out);
  }
  for (const model::PolicyTargetReference& ref : target_refs) {
    check_ref(object, ref, out);
  }
}

void check(const model::Object& object, Sink& out) {
  if (const auto* ra = object.as<model::RequestAuthentication>()) {
    check_refs(object, ra->spec.selector.has_value(), ra->spec.target_ref, ra->spec.target_refs,
               out);
  } else if (const auto* ap = object.as<model::AuthorizationPolicy>()) {
    check_refs(object, ap->spec.selector.has_value(), ap->spec.target_ref, ap->spec.target_refs,
               out);
  }
}

}  // namespace

MESHWARD_REGISTER_RULE((Rule{kInfo,
                             KindSet{Kind::RequestAuthentication, Kind::AuthorizationPolicy},
                             &check,
                             {},
                             {}}));

}  // namespace meshward::rules
