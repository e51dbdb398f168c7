#pragma once
// Kubernetes core/v1 Pod, kept tiny: metadata (labels select it into Services and policies),
// the pod's IPs from status, and of the spec only the containers' names and images (the
// `istio-proxy` image tag is the proxy's Istio version, which EnvoyFilter proxyVersion
// matches read).

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

/// A container of spec.containers: only its name and image.
struct Container {
  Loc loc;
  Field<std::string> name;
  Field<std::string> image;
};
void decode(ObjectReader& r, Container& out);

/// PodSpec, only the containers.
struct PodSpec {
  Loc loc;
  std::vector<Container> containers;
};
void decode(ObjectReader& r, PodSpec& out);

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
  PodSpec spec;      ///< Default (no containers) when the object has no spec (metadata-only watches).
  PodStatus status;  ///< Default (nothing present) when the object has no status.
};

/// The Istio version of the pod's sidecar: the tag of its `istio-proxy` container's image
/// (`docker.io/istio/proxyv2:1.17.5` → `1.17.5`, a digest after `@` dropped), or "" when the
/// pod has no such container or the image has no tag.
std::string istio_proxy_version(const Pod& pod);
std::shared_ptr<Object> decode_pod(ObjectReader& r);

}  // namespace meshward::model
