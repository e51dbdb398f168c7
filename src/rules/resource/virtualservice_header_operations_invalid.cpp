// Header operations (on an HTTP route or a route destination) that Envoy refuses: empty names,
// `:`-prefixed pseudo-headers (only `:authority` may be set on requests), `host` in request
// remove and any response operation, values with control characters or a malformed `%VAR%`
// expression (a lone `%` must be `%%`), and the authority rewritten in two places
// (rewrite.authority plus a Host/:authority header). Istio's webhook rejects all of these
// (validateHTTPRoute / validateAuthorityRewrite in virtualservice.go, ValidateHTTPHeader* in
// validation.go, header_value_validator.go).

#include <string>

#include "meshward/model/kinds/virtual_service.h"
#include "meshward/rules/registry.h"
#include "meshward/rules/validate.h"

namespace meshward::rules {
namespace {

constexpr RuleInfo kInfo{"MW1219", "virtualservice-header-operations-invalid", Family::Resource,
                         Severity::Error, "An HTTP header operation is invalid", ""};

void check_ops(const model::VirtualService& vs, const model::HeaderOperations& ops,
               bool request, Sink& out) {
  const std::string side = request ? "request" : "response";
  for (const auto* map : {&ops.set, &ops.add}) {
    for (const auto& [name, value] : *map) {
      const validate::Result why = request ? validate::request_header_set_name(name)
                                           : validate::header_operation_name(name);
      if (why) {
        out.report(kInfo, vs, value.loc, side + " header operation: " + *why);
      }
      if (auto bad = validate::header_value(value.value)) {
        out.report(kInfo, vs, value.loc, side + " " + *bad);
      }
    }
  }
  for (const auto& name : ops.remove) {
    if (auto why = validate::header_operation_name(name.value)) {
      out.report(kInfo, vs, name.loc, side + " header removal: " + *why);
    }
  }
}

void check_headers(const model::VirtualService& vs, const model::Optional<model::Headers>& h,
                   Sink& out) {
  if (!h) {
    return;
  }
  if (h->request) {
    check_ops(vs, *h->request, true, out);
  }
  if (h->response) {
    check_ops(vs, *h->response, false, out);
  }
}

void check(const model::VirtualService& vs, Sink& out) {
  for (const model::HttpRoute& http : vs.spec.http) {
    check_headers(vs, http.headers, out);
    for (const model::HttpRouteDestination& rd : http.route) {
      check_headers(vs, rd.headers, out);
    }
    // validateAuthorityRewrite: the authority may be rewritten in one place only.
    std::string current = http.rewrite ? http.rewrite->authority.value : std::string();
    if (http.headers && http.headers->request) {
      for (const auto* map : {&http.headers->request->set, &http.headers->request->add}) {
        for (const auto& [name, value] : *map) {
          if (!validate::is_authority_header(name)) {
            continue;
          }
          if (!current.empty()) {
            out.report(kInfo, vs, value.loc,
                       "authority is rewritten twice: have " + validate::quote(current) +
                           ", header " + validate::quote(name) + " sets " +
                           validate::quote(value.value) +
                           "; keep only one of rewrite.authority and the Host/:authority header");
          } else {
            current = value.value;
          }
        }
      }
    }
  }
}

}  // namespace

MESHWARD_REGISTER_RULE(resource_rule(kInfo, &check));

}  // namespace meshward::rules
