#pragma once
// Overlay: a Snapshot plus one pending change (an object created, replaced or deleted), the
// world an admission request would produce, without copying the snapshot.
//
// Construction costs O(size of the changed object): it looks up the object the change
// replaces or deletes in the base and precomputes the new object's hosts, gateway refs and
// selection. Each query asks the base, drops the replaced/deleted object from the answer and
// inserts the new object where the stable order puts it if it qualifies, so every answer is
// exactly what a Snapshot rebuilt from the changed object list would give.
//
// Thread safety: an Overlay is immutable after construction and holds its base alive through
// a shared_ptr; it is meant to live for one request. Any number of threads may query one
// Overlay (and its base) at once.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "meshward/model/object.h"
#include "meshward/world/order.h"
#include "meshward/world/selector.h"
#include "meshward/world/snapshot.h"
#include "meshward/world/view.h"

namespace meshward::world {

/// A Snapshot with one object added, replaced or removed. See the file comment.
class Overlay final : public View {
 public:
  /// The base with `object` added, or replacing the base object with the same ObjectKey
  /// (create and update). `base` and `object` must not be null.
  static Overlay put(std::shared_ptr<const Snapshot> base, model::ObjectPtr object);
  /// The base without the object `key` (delete). A key the base lacks changes nothing.
  static Overlay erase(std::shared_ptr<const Snapshot> base, const model::ObjectKey& key);

  /// The snapshot underneath.
  const Snapshot& base() const { return *base_; }
  /// The object the change adds (create/update), or nullptr (delete).
  const model::Object* added() const { return added_.get(); }
  /// The base object the change replaces or deletes, or nullptr (create, or deleting a key
  /// the base lacks).
  const model::Object* removed() const { return removed_; }

 private:
  Overlay(std::shared_ptr<const Snapshot> base, model::ObjectPtr added,
          const model::Object* removed);

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

  // The base answer without removed_, plus added_ (in stable order) when `include_added`.
  ObjectList merge(ObjectList base, bool include_added) const;

  std::shared_ptr<const Snapshot> base_;
  model::ObjectPtr added_;
  const model::Object* removed_ = nullptr;
  // Facts of added_, computed once.
  OrderKey added_order_;
  std::vector<std::string> added_hosts_;
  std::vector<std::string> added_gateways_;
  std::vector<std::string> added_destinations_;
  Selection added_selection_;
};

}  // namespace meshward::world
