// A VirtualService with none of http, tls or tcp routes. Istio's webhook rejects it ("http,
// tcp or tls must be provided in virtual service", ValidateVirtualService in
// pkg/config/validation/validation.go): it would route nothing for its hosts.

#include "meshward/model/kinds/virtual_service.h"
#include "meshward/rules/registry.h"

namespace meshward::rules {
namespace {

constexpr RuleInfo kInfo{"MW1203", "virtualservice-routes-missing", Family::Resource,
                         Severity::Error, "A VirtualService has no http, tls or tcp routes", ""};

void check(const model::VirtualService& vs, Sink& out) {
  if (vs.spec.http.empty() && vs.spec.tls.empty() && vs.spec.tcp.empty()) {
    out.report(kInfo, vs, vs.spec.loc,
               "VirtualService has no routes: add http, tls or tcp routes");
  }
}

}  // namespace

MESHWARD_REGISTER_RULE(resource_rule(kInfo, &check));

}  // namespace meshward::rules
