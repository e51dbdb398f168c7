#pragma once
// Namespace: skeleton, being filled in (fields land with their decoder and tests).

#include "meshward/model/field.h"
#include "meshward/model/object.h"
#include "meshward/model/reader.h"

namespace meshward::model {

struct NamespaceSpec {
  Loc loc;
};
void decode(ObjectReader& r, NamespaceSpec& out);

class Namespace : public Object {
 public:
  static constexpr Kind kKind = Kind::Namespace;
  Namespace() : Object(kKind) {}
  NamespaceSpec spec;
};
std::shared_ptr<Object> decode_namespace(ObjectReader& r);

}  // namespace meshward::model
