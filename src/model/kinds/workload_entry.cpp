#include "meshward/model/kinds/workload_entry.h"

namespace meshward::model {

void decode(ObjectReader& r, WorkloadEntrySpec& out) {
  (void)out;
  r.ignore_unknown();
}

std::shared_ptr<Object> decode_workload_entry(ObjectReader& r) {
  auto obj = std::make_shared<WorkloadEntry>();
  r.optional("spec", obj->spec);
  r.ignore("status");
  return obj;
}

}  // namespace meshward::model
