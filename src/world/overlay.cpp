#include "meshward/world/overlay.h"

#include <algorithm>
#include <utility>

#include "meshward/world/facts.h"
#include "meshward/world/host.h"

namespace meshward::world {

Overlay Overlay::put(std::shared_ptr<const Snapshot> base, model::ObjectPtr object) {
  const model::Object* removed =
      base->find(object->kind(), object->meta.namespace_, object->meta.name);
  return Overlay(std::move(base), std::move(object), removed);
}

Overlay Overlay::erase(std::shared_ptr<const Snapshot> base, const model::ObjectKey& key) {
  const model::Object* removed = base->find(key);
  return Overlay(std::move(base), nullptr, removed);
}

Overlay::Overlay(std::shared_ptr<const Snapshot> base, model::ObjectPtr added,
                 const model::Object* removed)
    : base_(std::move(base)), added_(std::move(added)), removed_(removed) {
  if (added_ != nullptr) {
    added_order_ = order_key(*added_);
    added_hosts_ = indexed_hosts(*added_);
    added_gateways_ = bound_gateways(*added_);
    added_destinations_ = destination_hosts(*added_);
    added_selection_ = workload_selection(*added_);
  }
}

ObjectList Overlay::merge(ObjectList base, bool include_added) const {
  if (removed_ != nullptr) {
    // The base lists each object once, so at most one entry goes.
    if (const auto it = std::find(base.begin(), base.end(), removed_); it != base.end()) {
      base.erase(it);
    }
  }
  if (include_added) {
    const auto at = std::lower_bound(
        base.begin(), base.end(), added_order_,
        [](const model::Object* o, const OrderKey& key) { return order_key(*o) < key; });
    base.insert(at, added_.get());
  }
  return base;
}

std::size_t Overlay::do_size() const {
  return base_->size() - (removed_ != nullptr ? 1 : 0) + (added_ != nullptr ? 1 : 0);
}

std::size_t Overlay::do_count(model::Kind kind) const {
  return base_->count(kind) - (removed_ != nullptr && removed_->kind() == kind ? 1 : 0) +
         (added_ != nullptr && added_->kind() == kind ? 1 : 0);
}

const model::Object* Overlay::do_find(model::Kind kind, std::string_view ns,
                                      std::string_view name) const {
  if (added_ != nullptr && added_->kind() == kind && added_->meta.namespace_ == ns &&
      added_->meta.name == name) {
    return added_.get();
  }
  const model::Object* found = base_->find(kind, ns, name);
  return found == removed_ ? nullptr : found;
}

ObjectList Overlay::do_of_kind(model::Kind kind) const {
  return merge(base_->of_kind(kind), added_ != nullptr && added_->kind() == kind);
}

ObjectList Overlay::do_in_namespace(model::Kind kind, std::string_view ns) const {
  return merge(base_->in_namespace(kind, ns),
               added_ != nullptr && added_->kind() == kind && added_->meta.namespace_ == ns);
}

ObjectList Overlay::do_by_host(model::Kind kind, std::string_view host) const {
  const bool hit = added_ != nullptr && added_->kind() == kind &&
                   std::any_of(added_hosts_.begin(), added_hosts_.end(),
                               [&](const std::string& h) { return host_matches(h, host); });
  return merge(base_->by_host(kind, host), hit);
}

ObjectList Overlay::do_routing_to(std::string_view host) const {
  const bool hit = std::any_of(added_destinations_.begin(), added_destinations_.end(),
                               [&](const std::string& h) { return host_matches(h, host); });
  return merge(base_->routing_to(host), hit);
}

ObjectList Overlay::do_binding_gateway(std::string_view ref) const {
  const bool hit =
      std::find(added_gateways_.begin(), added_gateways_.end(), ref) != added_gateways_.end();
  return merge(base_->binding_gateway(ref), hit);
}

ObjectList Overlay::do_selecting(model::Kind kind, std::string_view ns,
                                 const model::Labels& labels) const {
  const bool hit = added_ != nullptr && added_->kind() == kind &&
                   (ns.empty() || added_->meta.namespace_ == ns) &&
                   selection_matches(added_selection_, labels);
  return merge(base_->selecting(kind, ns, labels), hit);
}

ObjectList Overlay::do_selected_by(model::Kind kind, std::string_view ns,
                                   const model::Labels& selector) const {
  const bool hit = added_ != nullptr && added_->kind() == kind &&
                   (ns.empty() || added_->meta.namespace_ == ns) &&
                   workload_matches(*added_, selector);
  return merge(base_->selected_by(kind, ns, selector), hit);
}

ObjectList Overlay::do_selectors_including(model::Kind kind, std::string_view ns,
                                           const model::Labels& labels) const {
  const bool hit = added_ != nullptr && added_->kind() == kind &&
                   (ns.empty() || added_->meta.namespace_ == ns) &&
                   added_selection_.mode == SelectionMode::Labels &&
                   selector_matches(labels, *added_selection_.labels);
  return merge(base_->selectors_including(kind, ns, labels), hit);
}

}  // namespace meshward::world
