#pragma once
// Endpoints: skeleton, being filled in (fields land with their decoder and tests).

#include "meshward/model/field.h"
#include "meshward/model/object.h"
#include "meshward/model/reader.h"

namespace meshward::model {

struct EndpointsSpec {
  Loc loc;
};
void decode(ObjectReader& r, EndpointsSpec& out);

class Endpoints : public Object {
 public:
  static constexpr Kind kKind = Kind::Endpoints;
  Endpoints() : Object(kKind) {}
  EndpointsSpec spec;
};
std::shared_ptr<Object> decode_endpoints(ObjectReader& r);

}  // namespace meshward::model
