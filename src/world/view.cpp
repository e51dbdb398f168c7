#include "meshward/world/view.h"

#include "meshward/world/facts.h"

namespace meshward::world {

bool View::visible_to(const model::Object& object, std::string_view ns) const {
  return world::visible_to(object, ns);
}

}  // namespace meshward::world
