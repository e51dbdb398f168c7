#include "meshward/model/kinds/pod.h"

namespace meshward::model {

void decode(ObjectReader& r, PodSpec& out) {
  (void)out;
  r.ignore_unknown();
}

std::shared_ptr<Object> decode_pod(ObjectReader& r) {
  auto obj = std::make_shared<Pod>();
  r.optional("spec", obj->spec);
  r.ignore("status");
  return obj;
}

}  // namespace meshward::model
