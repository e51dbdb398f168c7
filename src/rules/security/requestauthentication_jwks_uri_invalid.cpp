// A RequestAuthentication jwksUri istiod cannot fetch keys from: a scheme other than http or
// https, a port that is not a number (Istio's webhook rejects both, security.ParseJwksURI via
// validateJwtRule in pkg/config/validation/validation.go), or a port outside 1..65535 (which
// Istio accepts, then fails to build the JWKS cluster: every token is rejected with 401).

#include "meshward/model/kinds/request_authentication.h"
#include "meshward/rules/registry.h"
#include "meshward/rules/validate.h"

namespace meshward::rules {
namespace {

constexpr RuleInfo kInfo{"MW3105", "requestauthentication-jwks-uri-invalid", Family::Security,
                         Severity::Error,
                         "A RequestAuthentication jwksUri is not an http(s) URL with a valid port",
                         ""};

void check(const model::RequestAuthentication& ra, Sink& out) {
  for (const model::JwtRule& rule : ra.spec.jwt_rules) {
    if (rule.jwks_uri.value.empty()) {
      continue;
    }
    if (validate::Result bad = validate::jwks_uri(rule.jwks_uri.value)) {
      out.report(kInfo, ra, rule.jwks_uri.loc,
                 *bad + ": write an http:// or https:// URL such as "
                        "https://issuer.example.com/.well-known/jwks.json");
    }
  }
}

}  // namespace

MESHWARD_REGISTER_RULE(resource_rule(kInfo, &check));

}  // namespace meshward::rules
