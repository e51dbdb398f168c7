#include "meshward/model/kinds/workload_entry.h"

namespace meshward::model {

void decode(ObjectReader& r, WorkloadEntrySpec& out) {
  // Nothing is required by the proto: a WorkloadEntry needs `address` or `network` (a CEL rule
  // in the CRD), which is a cross-field check, not a decoding one.
  r.optional("address", out.address);
  r.optional("ports", out.ports);
  r.optional("labels", out.labels);
  r.optional("network", out.network);
  r.optional("locality", out.locality);
  r.optional("weight", out.weight);
  r.optional("serviceAccount", out.service_account);
}

std::shared_ptr<Object> decode_workload_entry(ObjectReader& r) {
  auto obj = std::make_shared<WorkloadEntry>();
  // The CRD marks spec required (cue-gen spec:required); the API server rejects objects
  // without it.
  r.required("spec", obj->spec);
  r.ignore("status");
  return obj;
}

}  // namespace meshward::model
