#include "endpoint_groups.h"

#include <utility>

namespace meshward::translate {

Locality parse_locality(std::string_view label) {
  Locality out;
  std::string* fields[] = {&out.region, &out.zone, &out.sub_zone};
  for (std::string* field : fields) {
    const std::size_t slash = label.find('/');
    *field = std::string(label.substr(0, slash));
    if (slash == std::string_view::npos) {
      break;
    }
    label.remove_prefix(slash + 1);
  }
  return out;
}

LbEndpoint lb_endpoint(const MeshEndpoint& ep) {
  LbEndpoint lb;
  lb.address = SocketAddress{ep.address, ep.port};
  lb.health_status = ep.health;
  lb.load_balancing_weight = ep.weight > 0 ? ep.weight : 1;
  lb.istio_workload = istio_workload_metadata(ep);
  if (ep.source != nullptr) {
    lb.origin = Origin{model::key_of(*ep.source), ep.source_path};
  }
  return lb;
}

void LocalityGroups::add(const std::string& locality_label, LbEndpoint endpoint) {
  auto [it, inserted] = groups_.try_emplace(locality_label);
  if (inserted) {
    it->second.locality = parse_locality(locality_label);
  }
  it->second.load_balancing_weight += endpoint.load_balancing_weight;
  it->second.lb_endpoints.push_back(std::move(endpoint));
}

std::vector<LocalityLbEndpoints> LocalityGroups::take() {
  std::vector<LocalityLbEndpoints> out;
  out.reserve(groups_.size());
  for (auto& [label, group] : groups_) {
    out.push_back(std::move(group));
  }
  groups_.clear();
  return out;
}

}  // namespace meshward::translate
