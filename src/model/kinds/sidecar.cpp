#include "meshward/model/kinds/sidecar.h"

namespace meshward::model {

void decode(ObjectReader& r, IstioIngressListener& out) {
  r.required("port", out.port);
  r.optional("bind", out.bind);
  r.optional("captureMode", out.capture_mode);
  r.optional("defaultEndpoint", out.default_endpoint);
  r.optional("tls", out.tls);
  r.optional("connectionPool", out.connection_pool);
}

void decode(ObjectReader& r, IstioEgressListener& out) {
  r.optional("port", out.port);
  r.optional("bind", out.bind);
  r.optional("captureMode", out.capture_mode);
  r.required("hosts", out.hosts);
}

void decode(ObjectReader& r, OutboundTrafficPolicy& out) {
  r.optional("mode", out.mode);
  r.optional("egressProxy", out.egress_proxy);
}

void decode(ObjectReader& r, SidecarSpec& out) {
  r.optional("workloadSelector", out.workload_selector);
  r.optional("ingress", out.ingress);
  r.optional("egress", out.egress);
  r.optional("outboundTrafficPolicy", out.outbound_traffic_policy);
  r.optional("inboundConnectionPool", out.inbound_connection_pool);
}

std::shared_ptr<Object> decode_sidecar(ObjectReader& r) {
  auto obj = std::make_shared<Sidecar>();
  r.optional("spec", obj->spec);
  r.ignore("status");
  return obj;
}

}  // namespace meshward::model
