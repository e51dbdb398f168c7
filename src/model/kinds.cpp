#include <algorithm>

#include "meshward/model/decode.h"
#include "meshward/model/kinds/namespace.h"
#include "meshward/model/kinds/service.h"
#include "meshward/model/kinds/endpoints.h"
#include "meshward/model/kinds/endpoint_slice.h"
#include "meshward/model/kinds/pod.h"
#include "meshward/model/kinds/gateway.h"
#include "meshward/model/kinds/virtual_service.h"
#include "meshward/model/kinds/destination_rule.h"
#include "meshward/model/kinds/service_entry.h"
#include "meshward/model/kinds/sidecar.h"
#include "meshward/model/kinds/envoy_filter.h"
#include "meshward/model/kinds/workload_entry.h"
#include "meshward/model/kinds/peer_authentication.h"
#include "meshward/model/kinds/request_authentication.h"
#include "meshward/model/kinds/authorization_policy.h"

namespace meshward::model {

const std::array<KindInfo, kKindCount>& kind_table() {
  // One row per kind, in Kind order. Versions are the ones the API server serves
  // (EnvoyFilter exists only as v1alpha3); every version decodes into the same model.
  static const std::array<KindInfo, kKindCount> table = {{
      KindInfo{Kind::Namespace, "", "Namespace", "namespaces", {"v1"}, false, &decode_namespace},
      KindInfo{Kind::Service, "", "Service", "services", {"v1"}, true, &decode_service},
      KindInfo{Kind::Endpoints, "", "Endpoints", "endpoints", {"v1"}, true, &decode_endpoints},
      KindInfo{Kind::EndpointSlice, "discovery.k8s.io", "EndpointSlice", "endpointslices", {"v1", "v1beta1"}, true, &decode_endpoint_slice},
      KindInfo{Kind::Pod, "", "Pod", "pods", {"v1"}, true, &decode_pod},
      KindInfo{Kind::Gateway, "networking.istio.io", "Gateway", "gateways", {"v1", "v1beta1", "v1alpha3"}, true, &decode_gateway},
      KindInfo{Kind::VirtualService, "networking.istio.io", "VirtualService", "virtualservices", {"v1", "v1beta1", "v1alpha3"}, true, &decode_virtual_service},
      KindInfo{Kind::DestinationRule, "networking.istio.io", "DestinationRule", "destinationrules", {"v1", "v1beta1", "v1alpha3"}, true, &decode_destination_rule},
      KindInfo{Kind::ServiceEntry, "networking.istio.io", "ServiceEntry", "serviceentries", {"v1", "v1beta1", "v1alpha3"}, true, &decode_service_entry},
      KindInfo{Kind::Sidecar, "networking.istio.io", "Sidecar", "sidecars", {"v1", "v1beta1", "v1alpha3"}, true, &decode_sidecar},
      KindInfo{Kind::EnvoyFilter, "networking.istio.io", "EnvoyFilter", "envoyfilters", {"v1alpha3"}, true, &decode_envoy_filter},
      KindInfo{Kind::WorkloadEntry, "networking.istio.io", "WorkloadEntry", "workloadentries", {"v1", "v1beta1", "v1alpha3"}, true, &decode_workload_entry},
      KindInfo{Kind::PeerAuthentication, "security.istio.io", "PeerAuthentication", "peerauthentications", {"v1", "v1beta1"}, true, &decode_peer_authentication},
      KindInfo{Kind::RequestAuthentication, "security.istio.io", "RequestAuthentication", "requestauthentications", {"v1", "v1beta1"}, true, &decode_request_authentication},
      KindInfo{Kind::AuthorizationPolicy, "security.istio.io", "AuthorizationPolicy", "authorizationpolicies", {"v1", "v1beta1"}, true, &decode_authorization_policy},
  }};
  return table;
}

const KindInfo& kind_info(Kind kind) { return kind_table()[static_cast<std::size_t>(kind)]; }

const KindInfo* find_kind(std::string_view group, std::string_view kind) {
  for (const auto& info : kind_table()) {
    if (info.group == group && info.name == kind) {
      return &info;
    }
  }
  return nullptr;
}

std::string_view kind_name(Kind kind) { return kind_info(kind).name; }
std::string_view kind_group(Kind kind) { return kind_info(kind).group; }
std::string_view kind_resource(Kind kind) { return kind_info(kind).resource; }
bool kind_is_namespaced(Kind kind) { return kind_info(kind).namespaced; }

std::optional<Kind> parse_kind(std::string_view name) {
  for (const auto& info : kind_table()) {
    if (info.name == name) {
      return info.kind;
    }
  }
  return std::nullopt;
}

}  // namespace meshward::model
