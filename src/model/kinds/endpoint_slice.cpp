#include "meshward/model/kinds/endpoint_slice.h"

namespace meshward::model {

void decode(ObjectReader& r, EndpointSliceSpec& out) {
  (void)out;
  r.ignore_unknown();
}

std::shared_ptr<Object> decode_endpoint_slice(ObjectReader& r) {
  auto obj = std::make_shared<EndpointSlice>();
  r.optional("spec", obj->spec);
  r.ignore("status");
  return obj;
}

}  // namespace meshward::model
