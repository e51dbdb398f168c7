#pragma once
// Kubernetes core/v1 Pod, kept tiny: metadata (labels select it into Services and policies)
// and the pod's IPs from status. The spec is ignored entirely.

#include <string>
#include <vector>

#include "meshward/model/field.h"
#include "meshward/model/object.h"
#include "meshward/model/reader.h"

namespace meshward::model {

/// PodIP: one entry of status.podIPs.
struct PodIp {
  Loc loc;
  Field<std::string> ip;
};
void decode(ObjectReader& r, PodIp& out);

/// PodStatus, only the addresses.
struct PodStatus {
  Loc loc;
  Field<std::string> pod_ip;    ///< Absent until the pod is scheduled and has a sandbox.
  std::vector<PodIp> pod_ips;   ///< Dual-stack: one per family; [0] equals pod_ip.
};
void decode(ObjectReader& r, PodStatus& out);

/// A decoded Pod.
class Pod : public Object {
 public:
  static constexpr Kind kKind = Kind::Pod;
  Pod() : Object(kKind) {}
  PodStatus status;  ///< Default (nothing present) when the object has no status.
};
std::shared_ptr<Object> decode_pod(ObjectReader& r);

}  // namespace meshward::model
