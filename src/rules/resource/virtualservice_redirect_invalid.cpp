// An HTTP redirect that changes nothing (none of uri, authority, scheme, port/derivePort), uses
// a code outside 300..399, a scheme other than http/https, or a port outside 1..65535.
// Istio's webhook rejects these (validateHTTPRedirect, pkg/config/validation/validation.go):
// clients would loop on a self-redirect or Envoy would reject the route.

#include <string>

#include "meshward/model/kinds/virtual_service.h"
#include "meshward/rules/registry.h"
#include "meshward/rules/validate.h"

namespace meshward::rules {
namespace {

constexpr RuleInfo kInfo{"MW1211", "virtualservice-redirect-invalid", Family::Resource,
                         Severity::Error, "An HTTP redirect is empty or invalid", ""};

void check(const model::VirtualService& vs, Sink& out) {
  for (const model::HttpRoute& http : vs.spec.http) {
    if (!http.redirect) {
      continue;
    }
    const model::HttpRedirect& r = *http.redirect;
    if (r.uri.value.empty() && r.authority.value.empty() && !r.port.present &&
        !r.derive_port.present && r.scheme.value.empty()) {
      out.report(kInfo, vs, r.loc,
                 "redirect changes nothing: set at least one of uri, authority, scheme, port or "
                 "derivePort");
    }
    if (r.redirect_code.value != 0 &&
        (r.redirect_code.value < 300 || r.redirect_code.value > 399)) {
      out.report(kInfo, vs, r.redirect_code.loc,
                 "redirectCode " + std::to_string(r.redirect_code.value) +
                     " is not a redirect: use a 3xx code such as 301, 302, 307 or 308");
    }
    if (!r.scheme.value.empty() && r.scheme.value != "http" && r.scheme.value != "https") {
      out.report(kInfo, vs, r.scheme.loc,
                 "redirect scheme " + validate::quote(r.scheme.value) +
                     " is invalid: use \"http\" or \"https\"");
    }
    if (r.port.value > 0) {
      if (auto why = validate::port(r.port.value)) {
        out.report(kInfo, vs, r.port.loc, "redirect " + *why);
      }
    }
  }
}

}  // namespace

MESHWARD_REGISTER_RULE(resource_rule(kInfo, &check));

}  // namespace meshward::rules
