#pragma once
// Sidecar: skeleton, being filled in (fields land with their decoder and tests).

#include "meshward/model/field.h"
#include "meshward/model/object.h"
#include "meshward/model/reader.h"

namespace meshward::model {

struct SidecarSpec {
  Loc loc;
};
void decode(ObjectReader& r, SidecarSpec& out);

class Sidecar : public Object {
 public:
  static constexpr Kind kKind = Kind::Sidecar;
  Sidecar() : Object(kKind) {}
  SidecarSpec spec;
};
std::shared_ptr<Object> decode_sidecar(ObjectReader& r);

}  // namespace meshward::model
