#pragma once
// WorkloadEntry: skeleton, being filled in (fields land with their decoder and tests).

#include "meshward/model/field.h"
#include "meshward/model/object.h"
#include "meshward/model/reader.h"

namespace meshward::model {

struct WorkloadEntrySpec {
  Loc loc;
};
void decode(ObjectReader& r, WorkloadEntrySpec& out);

class WorkloadEntry : public Object {
 public:
  static constexpr Kind kKind = Kind::WorkloadEntry;
  WorkloadEntry() : Object(kKind) {}
  WorkloadEntrySpec spec;
};
std::shared_ptr<Object> decode_workload_entry(ObjectReader& r);

}  // namespace meshward::model
