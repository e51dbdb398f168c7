#include "meshward/model/kinds/envoy_filter.h"

namespace meshward::model {

void decode(ObjectReader& r, EnvoyFilterSpec& out) {
  (void)out;
  r.ignore_unknown();
}

std::shared_ptr<Object> decode_envoy_filter(ObjectReader& r) {
  auto obj = std::make_shared<EnvoyFilter>();
  r.optional("spec", obj->spec);
  r.ignore("status");
  return obj;
}

}  // namespace meshward::model
