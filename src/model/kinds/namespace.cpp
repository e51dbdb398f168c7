#include "meshward/model/kinds/namespace.h"

namespace meshward::model {

void decode(ObjectReader& r, NamespaceSpec& out) {
  (void)out;
  r.ignore_unknown();
}

std::shared_ptr<Object> decode_namespace(ObjectReader& r) {
  auto obj = std::make_shared<Namespace>();
  r.optional("spec", obj->spec);
  r.ignore("status");
  return obj;
}

}  // namespace meshward::model
