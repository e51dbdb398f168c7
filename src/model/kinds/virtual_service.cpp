#include "meshward/model/kinds/virtual_service.h"

namespace meshward::model {

void decode(ObjectReader& r, VirtualServiceSpec& out) {
  (void)out;
  r.ignore_unknown();
}

std::shared_ptr<Object> decode_virtual_service(ObjectReader& r) {
  auto obj = std::make_shared<VirtualService>();
  r.optional("spec", obj->spec);
  r.ignore("status");
  return obj;
}

}  // namespace meshward::model
