#pragma once
// DestinationRule: skeleton, being filled in (fields land with their decoder and tests).

#include "meshward/model/field.h"
#include "meshward/model/object.h"
#include "meshward/model/reader.h"

namespace meshward::model {

struct DestinationRuleSpec {
  Loc loc;
};
void decode(ObjectReader& r, DestinationRuleSpec& out);

class DestinationRule : public Object {
 public:
  static constexpr Kind kKind = Kind::DestinationRule;
  DestinationRule() : Object(kKind) {}
  DestinationRuleSpec spec;
};
std::shared_ptr<Object> decode_destination_rule(ObjectReader& r);

}  // namespace meshward::model
