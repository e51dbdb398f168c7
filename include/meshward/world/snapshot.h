#pragma once
// Snapshot: the cluster's resources as one immutable, indexed world.
//
// Built once from a list of decoded objects (shared, never copied), it indexes them by
// kind/namespace/name, by kind and namespace in stable order, by host (VirtualService,
// DestinationRule, ServiceEntry, Service), by gateway binding (VirtualServices), by the
// workloads a selector picks and by workload labels. Indexes hold ids and views into the
// objects, not copies; only normalised names that are not in the objects (Service FQDNs,
// resolved short names and gateway refs) are stored, once, in an arena.
//
// Thread safety: a Snapshot never changes after construction; share it across threads as
// `std::shared_ptr<const Snapshot>` and query it concurrently. A new cluster state is a new
// Snapshot (the watcher swaps the pointer); requests in flight keep the old one alive.

#include <memory>
#include <string_view>
#include <vector>

#include "meshward/model/object.h"
#include "meshward/world/view.h"

namespace meshward::world {

/// The immutable indexed world. See the file comment.
class Snapshot final : public View {
 public:
  /// Indexes `objects`. When several objects share an ObjectKey the last one in the list wins
  /// (like a later `kubectl apply`); the others are kept in shadowed() only. Never throws on
  /// content (objects of any kind are accepted; kinds without an index are just listed; null
  /// entries are skipped).
  explicit Snapshot(std::vector<model::ObjectPtr> objects);
  /// Convenience: a shared Snapshot, the form Overlay and concurrent readers take.
  static std::shared_ptr<const Snapshot> make(std::vector<model::ObjectPtr> objects);

  ~Snapshot() override;
  Snapshot(const Snapshot&) = delete;
  Snapshot& operator=(const Snapshot&) = delete;
  Snapshot(Snapshot&&) = delete;
  Snapshot& operator=(Snapshot&&) = delete;

  /// Every indexed object, in stable order (the owners of what queries return).
  const std::vector<model::ObjectPtr>& objects() const;
  /// Objects dropped because a later one had the same ObjectKey, in input order.
  const std::vector<model::ObjectPtr>& shadowed() const;

 private:
  struct Data;

  std::size_t do_size() const override;
  std::size_t do_count(model::Kind kind) const override;
  const model::Object* do_find(model::Kind kind, std::string_view ns,
                               std::string_view name) const override;
  ObjectList do_of_kind(model::Kind kind) const override;
  ObjectList do_in_namespace(model::Kind kind, std::string_view ns) const override;
  ObjectList do_by_host(model::Kind kind, std::string_view host) const override;
  ObjectList do_routing_to(std::string_view host) const override;
  ObjectList do_binding_gateway(std::string_view ref) const override;
  ObjectList do_selecting(model::Kind kind, std::string_view ns,
                          const model::Labels& labels) const override;
  ObjectList do_selected_by(model::Kind kind, std::string_view ns,
                            const model::Labels& selector) const override;
  ObjectList do_selectors_including(model::Kind kind, std::string_view ns,
                                    const model::Labels& labels) const override;

  std::unique_ptr<const Data> data_;
};

}  // namespace meshward::world
