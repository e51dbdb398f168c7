#pragma once
// security.istio.io RequestAuthentication (v1, v1beta1): the JWT issuers a workload (or the
// waypoint/gateway named by targetRef(s)) accepts, and where tokens are read from.

#include <optional>
#include <string>
#include <vector>

#include "meshward/model/field.h"
#include "meshward/model/kinds/common.h"
#include "meshward/model/object.h"
#include "meshward/model/reader.h"

namespace meshward::model {

/// JWTHeader: a header a token is read from.
struct JwtHeader {
  Loc loc;
  Field<std::string> name;    ///< Required.
  Field<std::string> prefix;  ///< Stripped before validation ("Bearer ").
};
void decode(ObjectReader& r, JwtHeader& out);

/// ClaimToHeader: copies a validated claim into a request header.
struct ClaimToHeader {
  Loc loc;
  Field<std::string> header;  ///< Required.
  Field<std::string> claim;   ///< Required; nested claims use '.' ("profile.groups").
};
void decode(ObjectReader& r, ClaimToHeader& out);

/// JWTRule: one accepted issuer.
struct JwtRule {
  Loc loc;
  Field<std::string> issuer;  ///< Required.
  std::vector<Field<std::string>> audiences;
  /// Also read from the proto spelling `jwks_uri`, which the CRD still accepts.
  Field<std::string> jwks_uri;
  Field<std::string> jwks;  ///< Inline JWKS; exclusive with jwks_uri.
  std::vector<JwtHeader> from_headers;  ///< Empty: Authorization: Bearer.
  std::vector<Field<std::string>> from_params;  ///< Empty (with from_headers): access_token.
  std::vector<Field<std::string>> from_cookies;
  Field<std::string> output_payload_to_header;
  Field<bool> forward_original_token;
  std::vector<ClaimToHeader> output_claim_to_headers;
  Field<Duration> timeout;  ///< JWKS fetch timeout; absent means 5s.
  /// Claims whose string value is split on spaces for matching ("scope").
  std::vector<Field<std::string>> space_delimited_claims;
};
void decode(ObjectReader& r, JwtRule& out);

/// RequestAuthentication spec. At most one of selector, target_ref, target_refs may be set
/// (a check reports otherwise).
struct RequestAuthenticationSpec {
  Loc loc;
  Optional<LabelSelector> selector;
  Optional<PolicyTargetReference> target_ref;  ///< Deprecated in favour of target_refs.
  std::vector<PolicyTargetReference> target_refs;
  std::vector<JwtRule> jwt_rules;
};
void decode(ObjectReader& r, RequestAuthenticationSpec& out);

/// A decoded RequestAuthentication.
class RequestAuthentication : public Object {
 public:
  static constexpr Kind kKind = Kind::RequestAuthentication;
  RequestAuthentication() : Object(kKind) {}
  RequestAuthenticationSpec spec;
};
std::shared_ptr<Object> decode_request_authentication(ObjectReader& r);

}  // namespace meshward::model
