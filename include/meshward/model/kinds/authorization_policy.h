#pragma once
// AuthorizationPolicy: skeleton, being filled in (fields land with their decoder and tests).

#include "meshward/model/field.h"
#include "meshward/model/object.h"
#include "meshward/model/reader.h"

namespace meshward::model {

struct AuthorizationPolicySpec {
  Loc loc;
};
void decode(ObjectReader& r, AuthorizationPolicySpec& out);

class AuthorizationPolicy : public Object {
 public:
  static constexpr Kind kKind = Kind::AuthorizationPolicy;
  AuthorizationPolicy() : Object(kKind) {}
  AuthorizationPolicySpec spec;
};
std::shared_ptr<Object> decode_authorization_policy(ObjectReader& r);

}  // namespace meshward::model
