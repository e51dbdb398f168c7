#include "meshward/model/kinds/sidecar.h"

namespace meshward::model {

void decode(ObjectReader& r, SidecarSpec& out) {
  (void)out;
  r.ignore_unknown();
}

std::shared_ptr<Object> decode_sidecar(ObjectReader& r) {
  auto obj = std::make_shared<Sidecar>();
  r.optional("spec", obj->spec);
  r.ignore("status");
  return obj;
}

}  // namespace meshward::model
