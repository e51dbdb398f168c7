// A CORS policy that Envoy cannot use: an allowOrigins match with no (or an empty) value or a
// regex RE2 rejects, a method that is not an HTTP method, allow/expose header names that are
// not tokens or `*`, a maxAge that is not ≥1ms or not whole seconds. Istio's webhook rejects
// these (validateCORSPolicy, pkg/config/validation/validation.go).

#include <string>
#include <string_view>

#include "meshward/model/kinds/virtual_service.h"
#include "meshward/rules/registry.h"
#include "meshward/rules/validate.h"

namespace meshward::rules {
namespace {

constexpr RuleInfo kInfo{"MW1218", "virtualservice-cors-invalid", Family::Resource,
                         Severity::Error, "A CORS policy is invalid", ""};

constexpr std::string_view kMethods[] = {"GET",    "HEAD",    "POST",    "PUT",  "PATCH",
                                         "DELETE", "CONNECT", "OPTIONS", "TRACE", "*"};

void check(const model::VirtualService& vs, Sink& out) {
  for (const model::HttpRoute& http : vs.spec.http) {
    if (!http.cors_policy) {
      continue;
    }
    const model::CorsPolicy& c = *http.cors_policy;
    for (const model::StringMatch& o : c.allow_origins) {
      const std::string& v =
          o.exact.present ? o.exact.value : (o.prefix.present ? o.prefix.value : o.regex.value);
      if (v.empty()) {
        out.report(kInfo, vs, o.loc,
                   "allowOrigins entry has no value: set exact, prefix or regex to an origin");
      } else if (o.regex.present && !o.exact.present && !o.prefix.present) {
        if (auto why = validate::regex(o.regex.value)) {
          out.report(kInfo, vs, o.regex.loc, "allowOrigins: " + *why);
        }
      }
    }
    for (const auto& m : c.allow_methods) {
      bool known = false;
      for (std::string_view k : kMethods) {
        known = known || k == m.value;
      }
      if (!known) {
        out.report(kInfo, vs, m.loc,
                   validate::quote(m.value) +
                       " is not a supported HTTP method: use an upper-case method such as GET "
                       "or POST");
      }
    }
    for (const auto* list : {&c.allow_headers, &c.expose_headers}) {
      for (const auto& h : *list) {
        if (auto why = validate::cors_header_name(h.value)) {
          out.report(kInfo, vs, h.loc, *why + ": use a header name or \"*\"");
        }
      }
    }
    if (c.max_age.present) {
      if (auto why = validate::duration(c.max_age.value)) {
        out.report(kInfo, vs, c.max_age.loc,
                   "maxAge " + validate::quote(c.max_age.value.text) + ": " + *why);
      } else if (c.max_age.value.nanos % 1'000'000'000 != 0) {
        out.report(kInfo, vs, c.max_age.loc,
                   "maxAge " + validate::quote(c.max_age.value.text) +
                       " must be whole seconds: round it to seconds");
      }
    }
  }
}

}  // namespace

MESHWARD_REGISTER_RULE(resource_rule(kInfo, &check));

}  // namespace meshward::rules
