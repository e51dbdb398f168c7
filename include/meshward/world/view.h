#pragma once
// View: the read interface checks and the translator use to look at a world, implemented by
// Snapshot (the cluster as indexed) and Overlay (a snapshot plus one pending change).
//
// Every listing returns `const model::Object*` in the stable order of world/order.h (oldest
// first), each object once. The pointers borrow from the View (and, for an Overlay, from its
// base snapshot): they are valid as long as the View lives.

#include <cstddef>
#include <string_view>
#include <vector>

#include "meshward/model/object.h"

namespace meshward::world {

/// Objects found by a query, in stable order; borrowed from the View answering it.
using ObjectList = std::vector<const model::Object*>;

/// Read-only access to a world. All methods are const; an implementation that is immutable
/// after construction (Snapshot, Overlay) may be queried from several threads at once.
/// Public methods are non-virtual and forward to the private `do_` hooks (one place to add
/// access recording or checks later).
class View {
 public:
  virtual ~View() = default;

  /// Number of objects.
  std::size_t size() const { return do_size(); }
  /// Number of objects of `kind` (without listing them).
  std::size_t count(model::Kind kind) const { return do_count(kind); }

  /// The object `kind` `ns`/`name`, or nullptr. Cluster-scoped kinds use ns "".
  const model::Object* find(model::Kind kind, std::string_view ns, std::string_view name) const {
    return do_find(kind, ns, name);
  }
  /// The object with `key`, or nullptr.
  const model::Object* find(const model::ObjectKey& key) const {
    return do_find(key.kind, key.namespace_, key.name);
  }
  /// The object of T's kind `ns`/`name` as T, or nullptr.
  template <class T>
  const T* find_as(std::string_view ns, std::string_view name) const {
    const model::Object* o = do_find(T::kKind, ns, name);
    return o != nullptr ? o->as<T>() : nullptr;
  }

  /// Every object of `kind`.
  ObjectList of_kind(model::Kind kind) const { return do_of_kind(kind); }
  /// Every object of `kind` in namespace `ns`.
  ObjectList in_namespace(model::Kind kind, std::string_view ns) const {
    return do_in_namespace(kind, ns);
  }

  /// Objects of `kind` with a host that host_matches(`host`) (wildcards both ways: stored
  /// `*.a.com` for query `b.a.com`, stored `b.a.com` for query `*.a.com`, `*` for anything).
  /// Stored hosts are those of indexed_hosts() (short names resolved in the object's
  /// namespace); `host` is used as given, so resolve a short name first. Visibility is not
  /// applied (see world::visible_to()). Empty for kinds that are not host-indexed.
  ObjectList by_host(model::Kind kind, std::string_view host) const {
    return do_by_host(kind, host);
  }

  /// VirtualServices with a destination (http route, mirror, mirrors; tls and tcp route) whose
  /// host, resolved in the VirtualService's namespace, host_matches(`host`) (see
  /// destination_hosts()): the VirtualServices that route to a host, the reverse of reading
  /// their destinations.
  ObjectList routing_to(std::string_view host) const { return do_routing_to(host); }

  /// VirtualServices that bind gateway `ref`: `ns/name` for a Gateway, `mesh` for sidecars
  /// (which includes every VirtualService without `gateways`). See bound_gateways().
  ObjectList binding_gateway(std::string_view ref) const { return do_binding_gateway(ref); }

  /// Objects of `kind` that select a workload with `labels` in namespace `ns` (see
  /// workload_selection() for what each kind's absent selector means): objects of `ns` only,
  /// or of every namespace when `ns` is empty (Gateways select across namespaces unless
  /// pilot's ScopeGatewayToNamespace is on). Root-namespace inheritance is the caller's:
  /// ask again with the root namespace.
  ObjectList selecting(model::Kind kind, std::string_view ns, const model::Labels& labels) const {
    return do_selecting(kind, ns, labels);
  }

  /// Workloads of `kind` (Pod or WorkloadEntry) in `ns` (every namespace when empty) whose
  /// labels contain `selector`; an empty selector selects every workload there. Empty for
  /// other kinds.
  ObjectList selected_by(model::Kind kind, std::string_view ns,
                         const model::Labels& selector) const {
    return do_selected_by(kind, ns, selector);
  }

  /// Objects of `kind` in `ns` (every namespace when empty) whose label selector (workload_selection()
  /// mode Labels) contains every pair of `labels`: the selectors at least as narrow as
  /// `labels`, where selecting() finds those at most as narrow. Empty `labels`: every object
  /// of `kind` there with a label selector.
  ObjectList selectors_including(model::Kind kind, std::string_view ns,
                                 const model::Labels& labels) const {
    return do_selectors_including(kind, ns, labels);
  }


 protected:
  View() = default;
  View(const View&) = default;
  View(View&&) = default;
  View& operator=(const View&) = default;
  View& operator=(View&&) = default;

 private:
  virtual std::size_t do_size() const = 0;
  virtual std::size_t do_count(model::Kind kind) const = 0;
  virtual const model::Object* do_find(model::Kind kind, std::string_view ns,
                                       std::string_view name) const = 0;
  virtual ObjectList do_of_kind(model::Kind kind) const = 0;
  virtual ObjectList do_in_namespace(model::Kind kind, std::string_view ns) const = 0;
  virtual ObjectList do_by_host(model::Kind kind, std::string_view host) const = 0;
  virtual ObjectList do_routing_to(std::string_view host) const = 0;
  virtual ObjectList do_binding_gateway(std::string_view ref) const = 0;
  virtual ObjectList do_selecting(model::Kind kind, std::string_view ns,
                                  const model::Labels& labels) const = 0;
  virtual ObjectList do_selected_by(model::Kind kind, std::string_view ns,
                                    const model::Labels& selector) const = 0;
  virtual ObjectList do_selectors_including(model::Kind kind, std::string_view ns,
                                            const model::Labels& labels) const = 0;
};

}  // namespace meshward::world
