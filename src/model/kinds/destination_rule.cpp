#include "meshward/model/kinds/destination_rule.h"

namespace meshward::model {

void decode(ObjectReader& r, DestinationRuleSpec& out) {
  (void)out;
  r.ignore_unknown();
}

std::shared_ptr<Object> decode_destination_rule(ObjectReader& r) {
  auto obj = std::make_shared<DestinationRule>();
  r.optional("spec", obj->spec);
  r.ignore("status");
  return obj;
}

}  // namespace meshward::model
