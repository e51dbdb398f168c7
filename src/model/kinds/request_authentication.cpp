#include "meshward/model/kinds/request_authentication.h"

namespace meshward::model {

void decode(ObjectReader& r, JwtHeader& out) {
  r.required("name", out.name);
  r.optional("prefix", out.prefix);
}

void decode(ObjectReader& r, ClaimToHeader& out) {
  r.required("header", out.header);
  r.required("claim", out.claim);
}

void decode(ObjectReader& r, JwtRule& out) {
  // istiod rejects a rule without an issuer ("issuer must be set") even though the CRD
  // schema does not list it as required.
  r.required("issuer", out.issuer);
  r.optional("audiences", out.audiences);
  r.optional("jwks", out.jwks);
  // The CRD still serves the proto field name `jwks_uri` next to `jwksUri`. Setting both is
  // one field written twice, so it is reported like a duplicate key (the camelCase one wins).
  const bool has_jwks_uri = r.optional("jwksUri", out.jwks_uri);
  if (has_jwks_uri) {
    if (const json::Value* legacy = r.raw("jwks_uri")) {
      r.ctx().report(kFieldDuplicate, r.at("jwks_uri", *legacy),
                     "jwks_uri and jwksUri are the same field; jwksUri is used");
    }
  } else {
    r.optional("jwks_uri", out.jwks_uri);
  }
  r.optional("fromHeaders", out.from_headers);
  r.optional("fromParams", out.from_params);
  r.optional("fromCookies", out.from_cookies);
  r.optional("outputPayloadToHeader", out.output_payload_to_header);
  r.optional("forwardOriginalToken", out.forward_original_token);
  r.optional("outputClaimToHeaders", out.output_claim_to_headers);
  r.optional("timeout", out.timeout);
  r.optional("spaceDelimitedClaims", out.space_delimited_claims);
}

void decode(ObjectReader& r, RequestAuthenticationSpec& out) {
  r.optional("selector", out.selector);
  r.optional("targetRef", out.target_ref);
  r.optional("targetRefs", out.target_refs);
  r.optional("jwtRules", out.jwt_rules);
}

std::shared_ptr<Object> decode_request_authentication(ObjectReader& r) {
  auto obj = std::make_shared<RequestAuthentication>();
  r.optional("spec", obj->spec);
  r.ignore("status");
  return obj;
}

}  // namespace meshward::model
