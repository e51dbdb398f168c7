#pragma once
// ServiceEntry: skeleton, being filled in (fields land with their decoder and tests).

#include "meshward/model/field.h"
#include "meshward/model/object.h"
#include "meshward/model/reader.h"

namespace meshward::model {

struct ServiceEntrySpec {
  Loc loc;
};
void decode(ObjectReader& r, ServiceEntrySpec& out);

class ServiceEntry : public Object {
 public:
  static constexpr Kind kKind = Kind::ServiceEntry;
  ServiceEntry() : Object(kKind) {}
  ServiceEntrySpec spec;
};
std::shared_ptr<Object> decode_service_entry(ObjectReader& r);

}  // namespace meshward::model
