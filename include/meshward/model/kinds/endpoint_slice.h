#pragma once
// EndpointSlice: skeleton, being filled in (fields land with their decoder and tests).

#include "meshward/model/field.h"
#include "meshward/model/object.h"
#include "meshward/model/reader.h"

namespace meshward::model {

struct EndpointSliceSpec {
  Loc loc;
};
void decode(ObjectReader& r, EndpointSliceSpec& out);

class EndpointSlice : public Object {
 public:
  static constexpr Kind kKind = Kind::EndpointSlice;
  EndpointSlice() : Object(kKind) {}
  EndpointSliceSpec spec;
};
std::shared_ptr<Object> decode_endpoint_slice(ObjectReader& r);

}  // namespace meshward::model
