#pragma once
// EnvoyFilter: skeleton, being filled in (fields land with their decoder and tests).

#include "meshward/model/field.h"
#include "meshward/model/object.h"
#include "meshward/model/reader.h"

namespace meshward::model {

struct EnvoyFilterSpec {
  Loc loc;
};
void decode(ObjectReader& r, EnvoyFilterSpec& out);

class EnvoyFilter : public Object {
 public:
  static constexpr Kind kKind = Kind::EnvoyFilter;
  EnvoyFilter() : Object(kKind) {}
  EnvoyFilterSpec spec;
};
std::shared_ptr<Object> decode_envoy_filter(ObjectReader& r);

}  // namespace meshward::model
