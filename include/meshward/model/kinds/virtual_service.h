#pragma once
// VirtualService: skeleton, being filled in (fields land with their decoder and tests).

#include "meshward/model/field.h"
#include "meshward/model/object.h"
#include "meshward/model/reader.h"

namespace meshward::model {

struct VirtualServiceSpec {
  Loc loc;
};
void decode(ObjectReader& r, VirtualServiceSpec& out);

class VirtualService : public Object {
 public:
  static constexpr Kind kKind = Kind::VirtualService;
  VirtualService() : Object(kKind) {}
  VirtualServiceSpec spec;
};
std::shared_ptr<Object> decode_virtual_service(ObjectReader& r);

}  // namespace meshward::model
