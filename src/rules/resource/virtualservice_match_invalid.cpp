// Invalid HTTP match conditions: header/withoutHeaders names that are not tokens (or
// pseudo-headers / `@request.auth.claims` routes), string matches with an empty prefix or
// regex, regexes RE2 rejects or longer than 1024, more than one of exact/prefix/regex, ports
// outside 1..65535, invalid sourceLabels, a sourceNamespace that is not a DNS label, and JWT
// claim routing on a VirtualService that is not gateway-only. Istio's webhook rejects these
// (validateHTTPRouteMatchRequest in pkg/config/validation/virtualservice.go,
// ValidateVirtualService): Envoy would NACK the route or the match could never apply.

#include <string>

#include "meshward/model/kinds/virtual_service.h"
#include "meshward/rules/registry.h"
#include "meshward/rules/validate.h"

namespace meshward::rules {
namespace {

constexpr RuleInfo kInfo{"MW1208", "virtualservice-match-invalid", Family::Resource,
                         Severity::Error, "An HTTP match condition is invalid", ""};

// validateStringMatch / validateStringMatchRegexp (`allow_empty_prefix` for uri).
void check_string_match(const model::VirtualService& vs, const model::StringMatch& sm,
                        const std::string& where, bool allow_empty_prefix, Sink& out) {
  const int set = (sm.exact.present ? 1 : 0) + (sm.prefix.present ? 1 : 0) +
                  (sm.regex.present ? 1 : 0);
  if (set > 1) {
    out.report(kInfo, vs, sm.loc,
               where + " sets more than one of exact, prefix and regex: keep one");
  }
  if (sm.prefix.present && sm.prefix.value.empty() && !allow_empty_prefix) {
    out.report(kInfo, vs, sm.prefix.loc,
               where + " has an empty prefix match: remove the match or give a prefix");
  }
  if (sm.regex.present) {
    if (sm.regex.value.empty()) {
      out.report(kInfo, vs, sm.regex.loc,
                 where + " has an empty regex match: remove the match or give a regex");
    } else if (auto why = validate::regex(sm.regex.value)) {
      out.report(kInfo, vs, sm.regex.loc, where + ": " + *why);
    }
  }
}

void check(const model::VirtualService& vs, Sink& out) {
  bool gateway_only = !vs.spec.gateways.empty();
  for (const auto& g : vs.spec.gateways) {
    gateway_only = gateway_only && g.value != "mesh";
  }
  for (const model::HttpRoute& http : vs.spec.http) {
    for (const model::HttpMatchRequest& m : http.match) {
      for (const auto& [name, sm] : m.headers) {
        if (auto why = validate::match_header_name(name)) {
          out.report(kInfo, vs, sm.loc, *why + ": use a valid HTTP header name");
        } else if (!gateway_only && validate::is_jwt_claim_header(name)) {
          out.report(kInfo, vs, sm.loc,
                     "JWT claim based routing (" + validate::quote(name) +
                         ") is only supported on gateways: bind the VirtualService to gateways "
                         "only (not mesh)");
        }
        check_string_match(vs, sm, "header " + validate::quote(name), false, out);
      }
      for (const auto& [name, sm] : m.without_headers) {
        if (auto why = validate::match_header_name(name)) {
          out.report(kInfo, vs, sm.loc, *why + ": use a valid HTTP header name");
        } else if (!gateway_only && validate::is_jwt_claim_header(name)) {
          out.report(kInfo, vs, sm.loc,
                     "JWT claim based routing (" + validate::quote(name) +
                         ") is only supported on gateways: bind the VirtualService to gateways "
                         "only (not mesh)");
        }
        if (!(sm.regex.present && sm.regex.value == "*")) {  // `*` means "present"
          check_string_match(vs, sm, "withoutHeaders " + validate::quote(name), false, out);
        }
      }
      if (m.uri) {
        check_string_match(vs, *m.uri, "uri", true, out);
      }
      if (m.scheme) {
        check_string_match(vs, *m.scheme, "scheme", false, out);
      }
      if (m.method) {
        check_string_match(vs, *m.method, "method", false, out);
      }
      if (m.authority) {
        check_string_match(vs, *m.authority, "authority", false, out);
      }
      for (const auto& [name, sm] : m.query_params) {
        check_string_match(vs, sm, "queryParams " + validate::quote(name), false, out);
      }
      if (m.port.value != 0) {
        if (auto why = validate::port(m.port.value)) {
          out.report(kInfo, vs, m.port.loc, "match " + *why);
        }
      }
      for (const auto& [key, value] : m.source_labels) {
        if (auto why = validate::label_key(key)) {
          out.report(kInfo, vs, value.loc, "sourceLabels: " + *why);
        }
        if (auto why = validate::label_value(value.value)) {
          out.report(kInfo, vs, value.loc, "sourceLabels: " + *why);
        }
      }
      if (!m.source_namespace.value.empty() &&
          !validate::is_dns1123_label(m.source_namespace.value)) {
        out.report(kInfo, vs, m.source_namespace.loc,
                   "sourceNamespace " + validate::quote(m.source_namespace.value) +
                       " is not a valid namespace name (DNS-1123 label)");
      }
    }
  }
}

}  // namespace

MESHWARD_REGISTER_RULE(resource_rule(kInfo, &check));

}  // namespace meshward::rules
