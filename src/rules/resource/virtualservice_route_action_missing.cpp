// An HTTP route that neither routes, redirects, answers directly nor delegates. Istio's webhook
// rejects it ("must specify one of route, redirect, direct_response or delegate",
// pkg/config/validation/virtualservice.go): Envoy would have no action for the route.

#include "meshward/model/kinds/virtual_service.h"
#include "meshward/rules/registry.h"

namespace meshward::rules {
namespace {

constexpr RuleInfo kInfo{"MW1201", "virtualservice-route-action-missing", Family::Resource,
                         Severity::Error,
                         "An HTTP route has none of route, redirect, directResponse or delegate",
                         ""};

void check(const model::VirtualService& vs, Sink& out) {
  for (const model::HttpRoute& http : vs.spec.http) {
    if (http.route.empty() && !http.redirect && !http.direct_response && !http.delegate) {
      out.report(kInfo, vs, http.loc,
                 "HTTP route has no action: set route, redirect, directResponse or delegate");
    }
  }
}

}  // namespace

MESHWARD_REGISTER_RULE(resource_rule(kInfo, &check));

}  // namespace meshward::rules
