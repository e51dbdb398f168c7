#include "meshward/model/kinds/endpoints.h"

namespace meshward::model {

// Kubernetes objects carry many fields checks never read and the API server already
// validated, so unknown fields are accepted silently here (unlike Istio kinds).

void decode(ObjectReader& r, ObjectReference& out) {
  r.ignore_unknown();
  r.optional("kind", out.kind);
  r.optional("name", out.name);
  r.optional("namespace", out.namespace_);
  r.optional("uid", out.uid);
}

void decode(ObjectReader& r, EndpointPort& out) {
  r.ignore_unknown();
  r.optional("name", out.name);
  // Optional here because EndpointSlice shares the struct and allows an absent port.
  r.optional("port", out.port);
  r.optional("protocol", out.protocol);
  r.optional("appProtocol", out.app_protocol);
}

void decode(ObjectReader& r, EndpointAddress& out) {
  r.ignore_unknown();
  r.required("ip", out.ip);
  r.optional("hostname", out.hostname);
  r.optional("nodeName", out.node_name);
  r.optional("targetRef", out.target_ref);
}

void decode(ObjectReader& r, EndpointSubset& out) {
  r.ignore_unknown();
  r.optional("addresses", out.addresses);
  r.optional("notReadyAddresses", out.not_ready_addresses);
  r.optional("ports", out.ports);
}

std::shared_ptr<Object> decode_endpoints(ObjectReader& r) {
  // Endpoints has no spec: its fields sit next to metadata.
  auto obj = std::make_shared<Endpoints>();
  r.ignore_unknown();
  r.optional("subsets", obj->subsets);
  return obj;
}

}  // namespace meshward::model
