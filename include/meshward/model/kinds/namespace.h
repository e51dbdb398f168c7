#pragma once
// Kubernetes core/v1 Namespace. Only metadata matters (labels such as istio-injection and
// istio.io/dataplane-mode, which `meta.labels` holds); spec and status are ignored.

#include "meshward/model/field.h"
#include "meshward/model/object.h"
#include "meshward/model/reader.h"

namespace meshward::model {

/// A decoded Namespace: ObjectMeta only.
class Namespace : public Object {
 public:
  static constexpr Kind kKind = Kind::Namespace;
  Namespace() : Object(kKind) {}
};
std::shared_ptr<Object> decode_namespace(ObjectReader& r);

}  // namespace meshward::model
