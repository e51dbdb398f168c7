#include "meshward/model/kinds/request_authentication.h"

namespace meshward::model {

void decode(ObjectReader& r, RequestAuthenticationSpec& out) {
  (void)out;
  r.ignore_unknown();
}

std::shared_ptr<Object> decode_request_authentication(ObjectReader& r) {
  auto obj = std::make_shared<RequestAuthentication>();
  r.optional("spec", obj->spec);
  r.ignore("status");
  return obj;
}

}  // namespace meshward::model
