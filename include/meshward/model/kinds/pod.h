#pragma once
// Pod: skeleton, being filled in (fields land with their decoder and tests).

#include "meshward/model/field.h"
#include "meshward/model/object.h"
#include "meshward/model/reader.h"

namespace meshward::model {

struct PodSpec {
  Loc loc;
};
void decode(ObjectReader& r, PodSpec& out);

class Pod : public Object {
 public:
  static constexpr Kind kKind = Kind::Pod;
  Pod() : Object(kKind) {}
  PodSpec spec;
};
std::shared_ptr<Object> decode_pod(ObjectReader& r);

}  // namespace meshward::model
