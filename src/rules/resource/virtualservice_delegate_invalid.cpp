// Misused VirtualService delegation: a delegate VirtualService (no hosts) that sets gateways,
// tls or tcp routes; an HTTP route of a delegate that delegates again; a root route with
// `delegate` that also sets route or redirect. Istio's webhook rejects all of these
// (ValidateVirtualService and validateHTTPRouteConflict, pkg/config/validation/): delegation
// is one level deep and HTTP only, and a delegating route hands over its whole action.

#include "meshward/model/kinds/virtual_service.h"
#include "meshward/rules/registry.h"
#include "meshward/rules/validate.h"

namespace meshward::rules {
namespace {

constexpr RuleInfo kInfo{"MW1206", "virtualservice-delegate-invalid", Family::Resource,
                         Severity::Error,
                         "VirtualService delegation is misused (delegate with gateways/tls/tcp, "
                         "nested delegate, delegate together with route/redirect)",
                         ""};

void check(const model::VirtualService& vs, Sink& out) {
  const bool is_delegate = vs.spec.hosts.empty();
  if (is_delegate) {
    if (!vs.spec.gateways.empty()) {
      out.report(kInfo, vs, vs.spec.gateways.front().loc,
                 "a delegate VirtualService (no hosts) must not set gateways: remove them; the "
                 "root VirtualService decides the gateways");
    }
    if (!vs.spec.tls.empty()) {
      out.report(kInfo, vs, vs.spec.tls.front().loc,
                 "a delegate VirtualService (no hosts) cannot have tls routes: move them to a "
                 "VirtualService with hosts");
    }
    if (!vs.spec.tcp.empty()) {
      out.report(kInfo, vs, vs.spec.tcp.front().loc,
                 "a delegate VirtualService (no hosts) cannot have tcp routes: move them to a "
                 "VirtualService with hosts");
    }
  }
  for (const model::HttpRoute& http : vs.spec.http) {
    if (!http.delegate) {
      continue;
    }
    if (is_delegate) {
      out.report(kInfo, vs, http.delegate->loc,
                 "a delegate VirtualService's route cannot delegate again: replace delegate with "
                 "route, redirect or directResponse");
      continue;
    }
    const std::string name = http.name.value.empty() ? "" : " " + validate::quote(http.name.value);
    if (http.redirect) {
      out.report(kInfo, vs, http.redirect->loc,
                 "root HTTP route" + name +
                     " with delegate must not specify redirect: move it into the delegate");
    }
    if (!http.route.empty()) {
      out.report(kInfo, vs, http.route.front().loc,
                 "root HTTP route" + name +
                     " with delegate must not specify route: move it into the delegate");
    }
  }
}

}  // namespace

MESHWARD_REGISTER_RULE(resource_rule(kInfo, &check));

}  // namespace meshward::rules
