// An HTTP route with conflicting actions: redirect together with route, fault, rewrite or
// directResponse; directResponse together with route, fault or rewrite; both mirror and
// mirrors. Istio's webhook rejects these (validateHTTPRouteConflict,
// pkg/config/validation/virtualservice.go): Envoy routes have exactly one action.
// Routes that delegate are checked by MW1206 instead.

#include "meshward/model/kinds/virtual_service.h"
#include "meshward/rules/registry.h"

namespace meshward::rules {
namespace {

constexpr RuleInfo kInfo{"MW1207", "virtualservice-route-action-conflict", Family::Resource,
                         Severity::Error, "An HTTP route sets conflicting actions", ""};

void check(const model::VirtualService& vs, Sink& out) {
  for (const model::HttpRoute& http : vs.spec.http) {
    if (http.delegate && !vs.spec.hosts.empty()) {
      continue;  // root route: MW1206
    }
    if (http.redirect) {
      const model::Loc& at = http.redirect->loc;
      if (!http.route.empty()) {
        out.report(kInfo, vs, at, "HTTP route has both route and redirect: keep only one");
      }
      if (http.fault) {
        out.report(kInfo, vs, at,
                   "HTTP route has both fault and redirect: remove fault (it never applies)");
      }
      if (http.rewrite) {
        out.report(kInfo, vs, at,
                   "HTTP route has both rewrite and redirect: remove rewrite or use the "
                   "redirect's uri/authority");
      }
      if (http.direct_response) {
        out.report(kInfo, vs, at,
                   "HTTP route has both directResponse and redirect: keep only one");
      }
    } else if (http.direct_response) {
      const model::Loc& at = http.direct_response->loc;
      if (!http.route.empty()) {
        out.report(kInfo, vs, at, "HTTP route has both route and directResponse: keep only one");
      }
      if (http.fault) {
        out.report(kInfo, vs, at,
                   "HTTP route has both fault and directResponse: remove fault (it never "
                   "applies)");
      }
      if (http.rewrite) {
        out.report(kInfo, vs, at,
                   "HTTP route has both rewrite and directResponse: remove rewrite (it never "
                   "applies)");
      }
    }
    if (http.mirror && !http.mirrors.empty()) {
      out.report(kInfo, vs, http.mirror->loc,
                 "HTTP route has both mirror and mirrors: move the mirror into mirrors");
    }
  }
}

}  // namespace

MESHWARD_REGISTER_RULE(resource_rule(kInfo, &check));

}  // namespace meshward::rules
