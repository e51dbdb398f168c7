#include "meshward/model/kinds/service.h"

namespace meshward::model {

// Kubernetes objects carry many fields checks never read and the API server already
// validated, so unknown fields are accepted silently here (unlike Istio kinds).

void decode(ObjectReader& r, ServicePort& out) {
  r.ignore_unknown();
  r.optional("name", out.name);
  r.optional("protocol", out.protocol);
  r.optional("appProtocol", out.app_protocol);
  r.required("port", out.port);
  r.optional("targetPort", out.target_port);
  r.optional("nodePort", out.node_port);
}

void decode(ObjectReader& r, ServiceSpec& out) {
  r.ignore_unknown();
  r.optional("type", out.type);
  r.optional("clusterIP", out.cluster_ip);
  r.optional("clusterIPs", out.cluster_ips);
  r.optional("ports", out.ports);
  r.optional("selector", out.selector);
  r.optional("externalName", out.external_name);
  r.optional("externalIPs", out.external_ips);
  r.optional("publishNotReadyAddresses", out.publish_not_ready_addresses);
  r.optional("internalTrafficPolicy", out.internal_traffic_policy);
}

std::shared_ptr<Object> decode_service(ObjectReader& r) {
  auto obj = std::make_shared<Service>();
  r.optional("spec", obj->spec);
  r.ignore("status");
  return obj;
}

}  // namespace meshward::model
