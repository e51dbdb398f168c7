#include "meshward/model/kinds/endpoints.h"

namespace meshward::model {

void decode(ObjectReader& r, EndpointsSpec& out) {
  (void)out;
  r.ignore_unknown();
}

std::shared_ptr<Object> decode_endpoints(ObjectReader& r) {
  auto obj = std::make_shared<Endpoints>();
  r.optional("spec", obj->spec);
  r.ignore("status");
  return obj;
}

}  // namespace meshward::model
