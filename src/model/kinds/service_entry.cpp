#include "meshward/model/kinds/service_entry.h"

namespace meshward::model {

void decode(ObjectReader& r, ServiceEntrySpec& out) {
  (void)out;
  r.ignore_unknown();
}

std::shared_ptr<Object> decode_service_entry(ObjectReader& r) {
  auto obj = std::make_shared<ServiceEntry>();
  r.optional("spec", obj->spec);
  r.ignore("status");
  return obj;
}

}  // namespace meshward::model
