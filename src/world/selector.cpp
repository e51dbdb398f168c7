#include "meshward/world/selector.h"

#include "meshward/model/kinds/authorization_policy.h"
#include "meshward/model/kinds/destination_rule.h"
#include "meshward/model/kinds/envoy_filter.h"
#include "meshward/model/kinds/gateway.h"
#include "meshward/model/kinds/peer_authentication.h"
#include "meshward/model/kinds/pod.h"
#include "meshward/model/kinds/request_authentication.h"
#include "meshward/model/kinds/service.h"
#include "meshward/model/kinds/service_entry.h"
#include "meshward/model/kinds/sidecar.h"
#include "meshward/model/kinds/workload_entry.h"

namespace meshward::world {

namespace {

const std::string& value_of(const std::string& v) { return v; }
const std::string& value_of(const model::Field<std::string>& v) { return v.value; }

template <class Selector, class Labels>
bool subset(const Selector& selector, const Labels& labels) {
  for (const auto& [key, value] : selector) {
    const auto it = labels.find(key);
    if (it == labels.end() || value_of(it->second) != value_of(value)) {
      return false;
    }
  }
  return true;
}

Selection from_map(const model::StringMap& labels) {
  if (labels.empty()) {
    return Selection{SelectionMode::All, nullptr};
  }
  return Selection{SelectionMode::Labels, &labels};
}

template <class Spec>
Selection from_policy(const Spec& spec) {
  if (spec.target_ref.has_value() || !spec.target_refs.empty()) {
    return {};
  }
  if (!spec.selector.has_value()) {
    return Selection{SelectionMode::All, nullptr};
  }
  return from_map(spec.selector->match_labels);
}

}  // namespace

bool selector_matches(const model::Labels& selector, const model::Labels& labels) {
  return subset(selector, labels);
}
bool selector_matches(const model::StringMap& selector, const model::Labels& labels) {
  return subset(selector, labels);
}
bool selector_matches(const model::Labels& selector, const model::StringMap& labels) {
  return subset(selector, labels);
}
bool selector_matches(const model::StringMap& selector, const model::StringMap& labels) {
  return subset(selector, labels);
}

model::Labels to_labels(const model::StringMap& map) {
  model::Labels out;
  for (const auto& [key, value] : map) {
    out.emplace_hint(out.end(), key, value.value);
  }
  return out;
}

Selection workload_selection(const model::Object& object) {
  using model::Kind;
  switch (object.kind()) {
    case Kind::Service: {
      const auto& selector = object.as<model::Service>()->spec.selector;
      if (selector.empty()) {
        return {};
      }
      return Selection{SelectionMode::Labels, &selector};
    }
    case Kind::Gateway:
      return from_map(object.as<model::Gateway>()->spec.selector);
    case Kind::Sidecar: {
      const auto& ws = object.as<model::Sidecar>()->spec.workload_selector;
      return ws.has_value() ? from_map(ws->labels) : Selection{SelectionMode::All, nullptr};
    }
    case Kind::EnvoyFilter: {
      const auto& spec = object.as<model::EnvoyFilter>()->spec;
      if (!spec.target_refs.empty()) {
        return {};
      }
      return spec.workload_selector.has_value() ? from_map(spec.workload_selector->labels)
                                                : Selection{SelectionMode::All, nullptr};
    }
    case Kind::PeerAuthentication: {
      const auto& selector = object.as<model::PeerAuthentication>()->spec.selector;
      return selector.has_value() ? from_map(selector->match_labels)
                                  : Selection{SelectionMode::All, nullptr};
    }
    case Kind::RequestAuthentication:
      return from_policy(object.as<model::RequestAuthentication>()->spec);
    case Kind::AuthorizationPolicy:
      return from_policy(object.as<model::AuthorizationPolicy>()->spec);
    case Kind::DestinationRule: {
      const auto& ws = object.as<model::DestinationRule>()->spec.workload_selector;
      return ws.has_value() ? from_map(ws->match_labels) : Selection{};
    }
    case Kind::ServiceEntry: {
      const auto& ws = object.as<model::ServiceEntry>()->spec.workload_selector;
      return ws.has_value() ? from_map(ws->labels) : Selection{};
    }
    default:
      return {};
  }
}

bool is_workload_kind(model::Kind kind) {
  return kind == model::Kind::Pod || kind == model::Kind::WorkloadEntry;
}

std::optional<model::Labels> workload_labels(const model::Object& object) {
  if (object.kind() == model::Kind::Pod) {
    return object.meta.labels;
  }
  if (const auto* we = object.as<model::WorkloadEntry>()) {
    return to_labels(we->spec.labels);
  }
  return std::nullopt;
}

bool workload_matches(const model::Object& object, const model::Labels& selector) {
  if (object.kind() == model::Kind::Pod) {
    return selector_matches(selector, object.meta.labels);
  }
  if (const auto* we = object.as<model::WorkloadEntry>()) {
    return selector_matches(selector, we->spec.labels);
  }
  return false;
}

bool selection_matches(const Selection& selection, const model::Labels& labels) {
  switch (selection.mode) {
    case SelectionMode::All:
      return true;
    case SelectionMode::Labels:
      return selector_matches(*selection.labels, labels);
    case SelectionMode::None:
      return false;
  }
  return false;
}

}  // namespace meshward::world
