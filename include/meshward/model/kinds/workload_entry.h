#pragma once
// networking.istio.io WorkloadEntry: one non-Kubernetes workload (VM, bare metal) onboarded
// into the mesh. The same message is a ServiceEntry's `endpoints[]` item.

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "meshward/model/field.h"
#include "meshward/model/object.h"
#include "meshward/model/reader.h"

namespace meshward::model {

/// istio.networking.v1alpha3.WorkloadEntry: the spec of a WorkloadEntry and one
/// ServiceEntry endpoint. Named `...Spec` because `WorkloadEntry` is the resource class.
struct WorkloadEntrySpec {
  Loc loc;
  /// IP, DNS name or `unix://` socket path. Empty only when `network` is set.
  Field<std::string> address;
  /// Service port name -> this endpoint's port; each entry keeps its own location.
  std::map<std::string, Field<std::uint32_t>> ports;
  StringMap labels;
  Field<std::string> network;
  Field<std::string> locality;  ///< "region/zone/subzone".
  Field<std::uint32_t> weight;
  Field<std::string> service_account;
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
