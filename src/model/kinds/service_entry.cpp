#include "meshward/model/kinds/service_entry.h"

namespace meshward::model {

void decode(ObjectReader& r, ServiceEntryPort& out) {
  r.required("number", out.number);
  r.optional("protocol", out.protocol);
  r.required("name", out.name);
  r.optional("targetPort", out.target_port);
}

void decode(ObjectReader& r, ServiceEntrySpec& out) {
  r.required("hosts", out.hosts);
  r.optional("addresses", out.addresses);
  r.optional("ports", out.ports);
  r.optional("location", out.location);
  r.optional("resolution", out.resolution);
  r.optional("endpoints", out.endpoints);
  r.optional("workloadSelector", out.workload_selector);
  r.optional("exportTo", out.export_to);
  r.optional("subjectAltNames", out.subject_alt_names);
}

std::shared_ptr<Object> decode_service_entry(ObjectReader& r) {
  auto obj = std::make_shared<ServiceEntry>();
  // The CRD marks spec required (cue-gen spec:required).
  r.required("spec", obj->spec);
  r.ignore("status");
  return obj;
}

}  // namespace meshward::model
