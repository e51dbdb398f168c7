#include "meshward/model/object.h"

namespace meshward::model {

ResourceRef Object::ref() const {
  return ResourceRef{api_version, std::string(kind_name(kind_)), meta.namespace_, meta.name};
}

ObjectKey key_of(const Object& object) {
  return ObjectKey{object.kind(), object.meta.namespace_, object.meta.name};
}

}  // namespace meshward::model
