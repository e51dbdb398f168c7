#include "meshward/model/kinds/request_authentication.h"

#include <gtest/gtest.h>

#include "testlib/testlib.h"

namespace meshward::model {
namespace {

using testing::decode_text;
using testing::describe;
using testing::find_finding;
using testing::has_finding;
using testing::only;

TEST(RequestAuthenticationDecode, JwtRulesWithEveryField) {
  auto result = decode_text(R"(apiVersion: security.istio.io/v1
kind: RequestAuthentication
metadata:
  name: httpbin
  namespace: foo
spec:
  selector:
    matchLabels:
      app: httpbin
  jwtRules:
  - issuer: "issuer-foo"
    jwksUri: https://example.com/.well-known/jwks.json
    audiences:
    - bookstore_android.apps.example.com
    - bookstore_web.apps.example.com
    fromHeaders:
    - name: x-jwt-assertion
      prefix: "Bearer "
    - name: x-goog-iap-jwt-assertion
    fromParams:
    - my_token
    fromCookies:
    - session
    outputPayloadToHeader: x-jwt-payload
    forwardOriginalToken: true
    outputClaimToHeaders:
    - header: x-jwt-claim-group
      claim: profile.groups
    timeout: 20s
    spaceDelimitedClaims:
    - scope
    - permissions
  - issuer: "issuer-bar"
    jwks: '{"keys":[{"kty":"RSA","e":"AQAB","n":"abc"}]}'
)");
  ASSERT_TRUE(result.findings.empty()) << describe(result.findings);
  const RequestAuthentication* ra = only<RequestAuthentication>(result);
  ASSERT_NE(ra, nullptr);
  EXPECT_EQ(ra->meta.namespace_, "foo");
  ASSERT_TRUE(ra->spec.selector.has_value());
  EXPECT_EQ(ra->spec.selector->match_labels.at("app").value, "httpbin");
  EXPECT_FALSE(ra->spec.target_ref.has_value());
  EXPECT_TRUE(ra->spec.target_refs.empty());
  ASSERT_EQ(ra->spec.jwt_rules.size(), 2u);

  const JwtRule& foo = ra->spec.jwt_rules[0];
  EXPECT_EQ(foo.loc.path, "spec.jwtRules[0]");
  EXPECT_EQ(foo.issuer.value, "issuer-foo");
  EXPECT_EQ(foo.issuer.loc.path, "spec.jwtRules[0].issuer");
  EXPECT_EQ(foo.issuer.loc.line, 11u);
  EXPECT_EQ(foo.jwks_uri.value, "https://example.com/.well-known/jwks.json");
  EXPECT_FALSE(foo.jwks.present);
  ASSERT_EQ(foo.audiences.size(), 2u);
  EXPECT_EQ(foo.audiences[1].value, "bookstore_web.apps.example.com");
  EXPECT_EQ(foo.audiences[1].loc.path, "spec.jwtRules[0].audiences[1]");
  EXPECT_EQ(foo.audiences[1].loc.line, 15u);
  ASSERT_EQ(foo.from_headers.size(), 2u);
  EXPECT_EQ(foo.from_headers[0].name.value, "x-jwt-assertion");
  EXPECT_EQ(foo.from_headers[0].prefix.value, "Bearer ");
  EXPECT_EQ(foo.from_headers[1].name.value, "x-goog-iap-jwt-assertion");
  EXPECT_FALSE(foo.from_headers[1].prefix.present);
  EXPECT_EQ(foo.from_headers[1].loc.path, "spec.jwtRules[0].fromHeaders[1]");
  ASSERT_EQ(foo.from_params.size(), 1u);
  EXPECT_EQ(foo.from_params[0].value, "my_token");
  ASSERT_EQ(foo.from_cookies.size(), 1u);
  EXPECT_EQ(foo.from_cookies[0].value, "session");
  EXPECT_EQ(foo.output_payload_to_header.value, "x-jwt-payload");
  EXPECT_TRUE(foo.forward_original_token.present);
  EXPECT_TRUE(foo.forward_original_token.value);
  ASSERT_EQ(foo.output_claim_to_headers.size(), 1u);
  EXPECT_EQ(foo.output_claim_to_headers[0].header.value, "x-jwt-claim-group");
  EXPECT_EQ(foo.output_claim_to_headers[0].claim.value, "profile.groups");
  EXPECT_EQ(foo.output_claim_to_headers[0].claim.loc.line, 28u);
  EXPECT_TRUE(foo.timeout.present);
  EXPECT_EQ(foo.timeout.value.nanos, 20'000'000'000);
  EXPECT_EQ(foo.timeout.value.text, "20s");
  ASSERT_EQ(foo.space_delimited_claims.size(), 2u);
  EXPECT_EQ(foo.space_delimited_claims[0].value, "scope");
  EXPECT_EQ(foo.space_delimited_claims[1].value, "permissions");

  const JwtRule& bar = ra->spec.jwt_rules[1];
  EXPECT_EQ(bar.issuer.value, "issuer-bar");
  EXPECT_FALSE(bar.jwks_uri.present);
  EXPECT_EQ(bar.jwks.value, R"({"keys":[{"kty":"RSA","e":"AQAB","n":"abc"}]})");
  EXPECT_FALSE(bar.forward_original_token.present);
  EXPECT_FALSE(bar.timeout.present);
  EXPECT_TRUE(bar.from_headers.empty());
}

TEST(RequestAuthenticationDecode, TargetRefsForWaypointAndDeprecatedTargetRef) {
  auto result = decode_text(R"(apiVersion: security.istio.io/v1beta1
kind: RequestAuthentication
metadata:
  name: waypoint-jwt
  namespace: foo
spec:
  targetRefs:
  - kind: Gateway
    group: gateway.networking.k8s.io
    name: waypoint
  - kind: Service
    group: ""
    name: reviews
  jwtRules:
  - issuer: testing@secure.istio.io
    jwksUri: https://raw.githubusercontent.com/istio/istio/master/security/jwks.json
---
apiVersion: security.istio.io/v1
kind: RequestAuthentication
metadata:
  name: ingress-jwt
  namespace: istio-ingress
spec:
  targetRef:
    kind: Gateway
    group: gateway.networking.k8s.io
    name: ingress
  jwtRules:
  - issuer: testing@secure.istio.io
)");
  ASSERT_TRUE(result.findings.empty()) << describe(result.findings);
  ASSERT_EQ(result.objects.size(), 2u);
  const auto* waypoint = result.objects[0]->as<RequestAuthentication>();
  ASSERT_NE(waypoint, nullptr);
  EXPECT_EQ(waypoint->api_version, "security.istio.io/v1beta1");
  EXPECT_FALSE(waypoint->spec.selector.has_value());
  ASSERT_EQ(waypoint->spec.target_refs.size(), 2u);
  EXPECT_EQ(waypoint->spec.target_refs[0].kind.value, "Gateway");
  EXPECT_EQ(waypoint->spec.target_refs[0].group.value, "gateway.networking.k8s.io");
  EXPECT_EQ(waypoint->spec.target_refs[0].name.value, "waypoint");
  EXPECT_EQ(waypoint->spec.target_refs[1].kind.value, "Service");
  EXPECT_TRUE(waypoint->spec.target_refs[1].group.present);
  EXPECT_EQ(waypoint->spec.target_refs[1].group.value, "");
  EXPECT_EQ(waypoint->spec.target_refs[1].name.loc.path, "spec.targetRefs[1].name");
  EXPECT_EQ(waypoint->spec.target_refs[1].name.loc.line, 13u);

  const auto* ingress = result.objects[1]->as<RequestAuthentication>();
  ASSERT_NE(ingress, nullptr);
  ASSERT_TRUE(ingress->spec.target_ref.has_value());
  EXPECT_EQ(ingress->spec.target_ref->name.value, "ingress");
  EXPECT_EQ(ingress->spec.target_ref->loc.path, "spec.targetRef");
  EXPECT_TRUE(ingress->spec.target_refs.empty());
  ASSERT_EQ(ingress->spec.jwt_rules.size(), 1u);
  EXPECT_FALSE(ingress->spec.jwt_rules[0].jwks_uri.present);
}

TEST(RequestAuthenticationDecode, LegacyJwksUriSpellingIsAccepted) {
  auto result = decode_text(R"(apiVersion: security.istio.io/v1
kind: RequestAuthentication
metadata:
  name: legacy
  namespace: foo
spec:
  jwtRules:
  - issuer: issuer-foo
    jwks_uri: https://example.com/jwks.json
  - issuer: issuer-bar
    jwksUri: https://bar.example.com/jwks.json
    jwks_uri: https://old.example.com/jwks.json
)");
  const RequestAuthentication* ra = only<RequestAuthentication>(result);
  ASSERT_NE(ra, nullptr);
  ASSERT_EQ(ra->spec.jwt_rules.size(), 2u);
  EXPECT_EQ(ra->spec.jwt_rules[0].jwks_uri.value, "https://example.com/jwks.json");
  EXPECT_EQ(ra->spec.jwt_rules[0].jwks_uri.loc.path, "spec.jwtRules[0].jwks_uri");
  // Both spellings at once: one field written twice, the camelCase one is used.
  EXPECT_EQ(ra->spec.jwt_rules[1].jwks_uri.value, "https://bar.example.com/jwks.json");
  ASSERT_EQ(result.findings.size(), 1u) << describe(result.findings);
  const Finding* dup = find_finding(result.findings, "MW1006", "spec.jwtRules[1].jwks_uri");
  ASSERT_NE(dup, nullptr) << describe(result.findings);
  ASSERT_TRUE(dup->source.has_value());
  EXPECT_EQ(dup->source->line, 12u);
}

TEST(RequestAuthenticationDecode, MissingIssuerWrongTypesAndTypos) {
  auto result = decode_text(R"(apiVersion: security.istio.io/v1
kind: RequestAuthentication
metadata:
  name: bad
  namespace: foo
spec:
  selector:
    matchLabels:
      app: httpbin
  jwtRules:
  - jwksUri: https://example.com/jwks.json
    audiences: bookstore
    forwardOriginalToken: "true"
    timeout: 5 seconds
    fromHeaders:
    - prefix: "Bearer "
    outputClaimToHeaders:
    - header: x-sub
  - issuer: issuer-bar
    jwksURI: https://example.com/jwks.json
)");
  const Finding* issuer = find_finding(result.findings, "MW1004", "spec.jwtRules[0].issuer");
  ASSERT_NE(issuer, nullptr) << describe(result.findings);
  ASSERT_TRUE(issuer->source.has_value());
  EXPECT_EQ(issuer->source->line, 11u);  // The rule lacking it starts here.
  EXPECT_TRUE(has_finding(result.findings, "MW1002", "spec.jwtRules[0].audiences"));
  EXPECT_TRUE(has_finding(result.findings, "MW1002", "spec.jwtRules[0].forwardOriginalToken"));
  const Finding* timeout = find_finding(result.findings, "MW1002", "spec.jwtRules[0].timeout");
  ASSERT_NE(timeout, nullptr);
  EXPECT_NE(timeout->message.find("5 seconds"), std::string::npos) << timeout->message;
  EXPECT_TRUE(has_finding(result.findings, "MW1004", "spec.jwtRules[0].fromHeaders[0].name"));
  EXPECT_TRUE(
      has_finding(result.findings, "MW1004", "spec.jwtRules[0].outputClaimToHeaders[0].claim"));
  const Finding* typo = find_finding(result.findings, "MW1005", "spec.jwtRules[1].jwksURI");
  ASSERT_NE(typo, nullptr);
  ASSERT_TRUE(typo->source.has_value());
  EXPECT_EQ(typo->source->line, 20u);
  EXPECT_EQ(result.findings.size(), 7u) << describe(result.findings);

  const RequestAuthentication* ra = only<RequestAuthentication>(result);
  ASSERT_NE(ra, nullptr);
  ASSERT_EQ(ra->spec.jwt_rules.size(), 2u);
  EXPECT_FALSE(ra->spec.jwt_rules[0].issuer.present);
  EXPECT_FALSE(ra->spec.jwt_rules[0].forward_original_token.present);
  EXPECT_TRUE(ra->spec.jwt_rules[0].audiences.empty());
  EXPECT_EQ(ra->spec.jwt_rules[0].output_claim_to_headers[0].header.value, "x-sub");
  EXPECT_FALSE(ra->spec.jwt_rules[1].jwks_uri.present);
}

TEST(RequestAuthenticationDecode, UnknownSpecFieldAndWrongShapes) {
  auto result = decode_text(R"(apiVersion: security.istio.io/v1beta1
kind: RequestAuthentication
metadata:
  name: bad
  namespace: foo
spec:
  jwtRule:
  - issuer: issuer-foo
  targetRefs:
    kind: Gateway
    name: waypoint
  selector: app=httpbin
)");
  EXPECT_TRUE(has_finding(result.findings, "MW1005", "spec.jwtRule")) << describe(result.findings);
  EXPECT_TRUE(has_finding(result.findings, "MW1002", "spec.targetRefs"));
  EXPECT_TRUE(has_finding(result.findings, "MW1002", "spec.selector"));
  EXPECT_EQ(result.findings.size(), 3u) << describe(result.findings);
  const RequestAuthentication* ra = only<RequestAuthentication>(result);
  ASSERT_NE(ra, nullptr);
  EXPECT_TRUE(ra->spec.jwt_rules.empty());
  EXPECT_FALSE(ra->spec.selector.has_value());
}

}  // namespace
}  // namespace meshward::model
