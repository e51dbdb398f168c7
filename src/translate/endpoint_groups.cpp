#include "endpoint_groups.h"

#include <algorithm>
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

void LocalityGroups::add(const std::string& locality_label, LbEndpoint endpoint,
                         const model::Labels* labels) {
  endpoints_.push_back(Entry{&locality_label, std::move(endpoint), labels});
}

std::vector<LocalityLbEndpoints> LocalityGroups::take(
    std::vector<std::vector<const model::Labels*>>* labels) {
  // By label, keeping the order endpoints were added within a label.
  const auto by_label = [](const Entry& a, const Entry& b) { return *a.label < *b.label; };
  if (!std::is_sorted(endpoints_.begin(), endpoints_.end(), by_label)) {
    std::stable_sort(endpoints_.begin(), endpoints_.end(), by_label);
  }
  std::vector<LocalityLbEndpoints> out;
  for (std::size_t begin = 0; begin < endpoints_.size();) {
    const std::string& label = *endpoints_[begin].label;
    std::size_t end = begin + 1;
    while (end < endpoints_.size() && *endpoints_[end].label == label) {
      ++end;
    }
    LocalityLbEndpoints& group = out.emplace_back();
    group.locality = parse_locality(label);
    group.lb_endpoints.reserve(end - begin);
    std::vector<const model::Labels*>* group_labels =
        labels != nullptr ? &labels->emplace_back() : nullptr;
    for (std::size_t i = begin; i < end; ++i) {
      group.load_balancing_weight += endpoints_[i].endpoint.load_balancing_weight;
      group.lb_endpoints.push_back(std::move(endpoints_[i].endpoint));
      if (group_labels != nullptr) {
        group_labels->push_back(endpoints_[i].labels);
      }
    }
    begin = end;
  }
  endpoints_.clear();
  return out;
}

}  // namespace meshward::translate
