// An HTTP rewrite that sets both uri and uriRegexRewrite, none of uri/uriRegexRewrite/
// authority, or a uriRegexRewrite without match and rewrite or with a regex RE2 rejects.
// Istio's webhook rejects these (validateHTTPRewrite / validateURIRegexRewrite,
// pkg/config/validation/validation.go): Envoy takes one path rewrite per route.

#include "meshward/model/kinds/virtual_service.h"
#include "meshward/rules/registry.h"
#include "meshward/rules/validate.h"

namespace meshward::rules {
namespace {

constexpr RuleInfo kInfo{"MW1212", "virtualservice-rewrite-invalid", Family::Resource,
                         Severity::Error, "An HTTP rewrite is empty, ambiguous or invalid", ""};

void check(const model::VirtualService& vs, Sink& out) {
  for (const model::HttpRoute& http : vs.spec.http) {
    if (!http.rewrite) {
      continue;
    }
    const model::HttpRewrite& rw = *http.rewrite;
    if (!rw.uri.value.empty() && rw.uri_regex_rewrite) {
      out.report(kInfo, vs, rw.loc,
                 "rewrite sets both uri and uriRegexRewrite: keep only one");
    }
    if (rw.uri.value.empty() && !rw.uri_regex_rewrite && rw.authority.value.empty()) {
      out.report(kInfo, vs, rw.loc,
                 "rewrite changes nothing: set uri, uriRegexRewrite or authority");
    }
    if (rw.uri_regex_rewrite) {
      const model::RegexRewrite& rr = *rw.uri_regex_rewrite;
      if (rr.match.value.empty() || rr.rewrite.value.empty()) {
        out.report(kInfo, vs, rr.loc,
                   "uriRegexRewrite needs both match and rewrite: set the missing field");
      } else if (auto why = validate::regex(rr.match.value)) {
        out.report(kInfo, vs, rr.match.loc, "uriRegexRewrite.match: " + *why);
      }
    }
  }
}

}  // namespace

MESHWARD_REGISTER_RULE(resource_rule(kInfo, &check));

}  // namespace meshward::rules
