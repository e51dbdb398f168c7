#include "meshward/model/kinds/authorization_policy.h"

namespace meshward::model {

void decode(ObjectReader& r, AuthorizationPolicySpec& out) {
  (void)out;
  r.ignore_unknown();
}

std::shared_ptr<Object> decode_authorization_policy(ObjectReader& r) {
  auto obj = std::make_shared<AuthorizationPolicy>();
  r.optional("spec", obj->spec);
  r.ignore("status");
  return obj;
}

}  // namespace meshward::model
