#include "meshward/model/kinds/namespace.h"

namespace meshward::model {

std::shared_ptr<Object> decode_namespace(ObjectReader& r) {
  // Everything meshward needs is in metadata; spec (finalizers) and status (phase) are
  // accepted without reading them.
  auto obj = std::make_shared<Namespace>();
  r.ignore_unknown();
  return obj;
}

}  // namespace meshward::model
