// A RequestAuthentication JWT rule istiod rejects field by field: an empty issuer (with no
// jwksUri), an empty audience, an empty fromHeaders name, fromParams or fromCookies entry, an
// outputClaimToHeaders entry with an empty claim or header or a header name outside
// [-_A-Za-z0-9], or a timeout under 1ms or not in whole milliseconds. Envoy's jwt_authn filter
// could not be built, so the webhook denies the object (validateJwtRule in
// pkg/config/validation/validation.go). jwksUri and jwks have their own checks (MW3105,
// MW3106).

#include <string>
#include <vector>

#include "meshward/model/kinds/request_authentication.h"
#include "meshward/rules/registry.h"
#include "meshward/rules/validate.h"

namespace meshward::rules {
namespace {

constexpr RuleInfo kInfo{"MW3104", "requestauthentication-jwt-rule-invalid", Family::Security,
                         Severity::Error,
                         "A RequestAuthentication JWT rule has an empty issuer, audience, token "
                         "location or claim header, or an invalid timeout",
                         ""};

void check_empty(const model::RequestAuthentication& ra,
                 const std::vector<model::Field<std::string>>& values, const char* what,
                 const char* fix, Sink& out) {
  for (const model::Field<std::string>& v : values) {
    if (v.present && v.value.empty()) {
      out.report(kInfo, ra, v.loc, std::string(what) + " entry is empty: " + fix);
    }
  }
}

void check(const model::RequestAuthentication& ra, Sink& out) {
  for (const model::JwtRule& rule : ra.spec.jwt_rules) {
    if (rule.issuer.present && rule.issuer.value.empty() && rule.jwks_uri.value.empty()) {
      out.report(kInfo, ra, rule.issuer.loc,
                 "issuer is empty: set it to the token issuer (the JWT \"iss\" claim)");
    }
    check_empty(ra, rule.audiences, "audiences",
                "remove it or write the audience (\"aud\" claim) to accept", out);
    for (const model::JwtHeader& h : rule.from_headers) {
      if (h.name.present && h.name.value.empty()) {
        out.report(kInfo, ra, h.name.loc,
                   "fromHeaders name is empty: name the header carrying the token (e.g. "
                   "Authorization)");
      }
    }
    check_empty(ra, rule.from_params, "fromParams",
                "remove it or name the query parameter carrying the token", out);
    check_empty(ra, rule.from_cookies, "fromCookies",
                "remove it or name the cookie carrying the token", out);
    for (const model::ClaimToHeader& c : rule.output_claim_to_headers) {
      if (c.claim.present && c.claim.value.empty()) {
        out.report(kInfo, ra, c.claim.loc,
                   "outputClaimToHeaders claim is empty: name the claim to copy");
      }
      if (c.header.present && c.header.value.empty()) {
        out.report(kInfo, ra, c.header.loc,
                   "outputClaimToHeaders header is empty: name the header to write");
      } else if (c.header.present) {
        if (validate::Result bad = validate::strict_header_name(c.header.value)) {
          out.report(kInfo, ra, c.header.loc,
                     "outputClaimToHeaders header " + validate::quote(c.header.value) +
                         " is invalid (" + *bad + "): use letters, digits, '-' and '_' only");
        }
      }
    }
    if (rule.timeout.present) {
      if (validate::Result bad = validate::duration(rule.timeout.value)) {
        out.report(kInfo, ra, rule.timeout.loc,
                   "timeout " + validate::quote(rule.timeout.value.text) + " is invalid (" + *bad +
                       "): use a whole number of milliseconds of at least 1ms (e.g. 5s)");
      }
    }
  }
}

}  // namespace

MESHWARD_REGISTER_RULE(resource_rule(kInfo, &check));

}  // namespace meshward::rules
