// A RequestAuthentication inline `jwks` that is not a JWK set (not JSON, no kty, missing key
// parameters): Envoy could verify no token with it and Istio's webhook rejects it ("jwks parse
// error", validateJwtRule in pkg/config/validation/validation.go). A JWKS that carries private
// key material (d, p, q, dp, dq, qi) is only warned about: it works, but the secret
// is now stored in a cluster object readable by anyone who can read policies, and pushed to
// every proxy.

#include "meshward/model/kinds/request_authentication.h"
#include "meshward/rules/registry.h"
#include "meshward/rules/validate.h"

namespace meshward::rules {
namespace {

constexpr RuleInfo kInfo{"MW3106", "requestauthentication-jwks-invalid", Family::Security,
                         Severity::Error,
                         "A RequestAuthentication inline jwks is not a valid JWK set, or holds "
                         "private key material",
                         ""};

void check(const model::RequestAuthentication& ra, Sink& out) {
  for (const model::JwtRule& rule : ra.spec.jwt_rules) {
    if (!rule.jwks.present || rule.jwks.value.empty()) {
      continue;
    }
    if (validate::Result bad = validate::jwks(rule.jwks.value)) {
      out.report(kInfo, ra, rule.jwks.loc,
                 "jwks parse error: " + *bad +
                     "; paste the issuer's public JWK set ({\"keys\": [...]}) or use jwksUri");
    } else if (validate::jwks_has_private_key(rule.jwks.value)) {
      out.report(kInfo, ra, rule.jwks.loc,
                 "jwks holds private key material (d/p/q/dp/dq/qi): keep only the public "
                 "parameters, and rotate the exposed key",
                 Severity::Warning, "the JWKS still verifies tokens; the leak is the problem");
    }
  }
}

}  // namespace

MESHWARD_REGISTER_RULE(resource_rule(kInfo, &check));

}  // namespace meshward::rules
