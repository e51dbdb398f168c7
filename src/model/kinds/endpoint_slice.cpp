#include "meshward/model/kinds/endpoint_slice.h"

#include <array>
#include <string_view>

namespace meshward::model {

// Kubernetes objects carry many fields checks never read and the API server already
// validated, so unknown fields are accepted silently here (unlike Istio kinds).

void decode(ObjectReader& r, EndpointConditions& out) {
  r.ignore_unknown();
  r.optional("ready", out.ready);
  r.optional("serving", out.serving);
  r.optional("terminating", out.terminating);
}

void decode(ObjectReader& r, ForZone& out) {
  r.ignore_unknown();
  r.optional("name", out.name);
}

void decode(ObjectReader& r, ForNode& out) {
  r.ignore_unknown();
  r.optional("name", out.name);
}

void decode(ObjectReader& r, EndpointHints& out) {
  r.ignore_unknown();
  r.optional("forZones", out.for_zones);
  r.optional("forNodes", out.for_nodes);
}

void decode(ObjectReader& r, Endpoint& out) {
  r.ignore_unknown();
  r.optional("addresses", out.addresses);
  r.optional("conditions", out.conditions);
  r.optional("hostname", out.hostname);
  r.optional("nodeName", out.node_name);
  r.optional("zone", out.zone);
  r.optional("targetRef", out.target_ref);
  r.optional("hints", out.hints);
  // v1beta1 spells the topology map `topology`; v1 keeps it as `deprecatedTopology`.
  if (!r.optional("topology", out.topology)) {
    r.optional("deprecatedTopology", out.topology);
  }
  if (!out.zone.present) {
    // v1beta1 has no `zone` field: the zone is a topology label (the legacy failure-domain
    // label on old clusters). Copying it keeps one model for both versions.
    static constexpr std::array<std::string_view, 2> kZoneKeys = {
        "topology.kubernetes.io/zone", "failure-domain.beta.kubernetes.io/zone"};
    for (std::string_view key : kZoneKeys) {
      auto it = out.topology.find(std::string(key));
      if (it != out.topology.end() && it->second.present) {
        out.zone = it->second;
        break;
      }
    }
  }
}

std::shared_ptr<Object> decode_endpoint_slice(ObjectReader& r) {
  // EndpointSlice has no spec: its fields sit next to metadata.
  auto obj = std::make_shared<EndpointSlice>();
  r.ignore_unknown();
  r.required("addressType", obj->address_type);
  r.optional("endpoints", obj->endpoints);
  r.optional("ports", obj->ports);
  return obj;
}

}  // namespace meshward::model
