#include "meshward/model/kinds/pod.h"

namespace meshward::model {

// Kubernetes objects carry many fields checks never read and the API server already
// validated, so unknown fields are accepted silently here (unlike Istio kinds).

void decode(ObjectReader& r, PodIp& out) {
  r.ignore_unknown();
  r.optional("ip", out.ip);
}

void decode(ObjectReader& r, PodStatus& out) {
  r.ignore_unknown();
  r.optional("podIP", out.pod_ip);
  r.optional("podIPs", out.pod_ips);
}

std::shared_ptr<Object> decode_pod(ObjectReader& r) {
  // Pods are read for their labels (metadata) and addresses only; the spec is large and
  // irrelevant to mesh configuration, so it is not decoded at all.
  auto obj = std::make_shared<Pod>();
  r.ignore_unknown();
  r.optional("status", obj->status);
  return obj;
}

}  // namespace meshward::model
