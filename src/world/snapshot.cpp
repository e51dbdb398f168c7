#include "meshward/world/snapshot.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <functional>
#include <tuple>
#include <unordered_map>

#include "meshward/model/kinds/destination_rule.h"
#include "meshward/model/kinds/gateway.h"
#include "meshward/model/kinds/service_entry.h"
#include "meshward/model/kinds/virtual_service.h"
#include "meshward/model/kinds/workload_entry.h"
#include "meshward/world/facts.h"
#include "meshward/world/host.h"
#include "meshward/world/host_index.h"
#include "meshward/world/order.h"
#include "meshward/world/selector.h"

namespace meshward::world {

namespace {

using Id = std::uint32_t;
using model::Kind;

// Append-only storage for the few strings the indexes need that are not in the objects
// (Service FQDNs, resolved short names, gateway refs). Blocks never move, so views stay valid.
class StringArena {
 public:
  std::string_view store(std::string_view s) {
    if (s.empty()) {
      return {};  // Before any block exists there is nothing to point into (found by fuzz_decode).
    }
    if (s.size() > capacity_ - used_) {
      const std::size_t n = std::max(kBlock, s.size());
      blocks_.emplace_back(new char[n]);
      capacity_ = n;
      used_ = 0;
    }
    char* dst = blocks_.back().get() + used_;
    std::memcpy(dst, s.data(), s.size());
    used_ += s.size();
    return {dst, s.size()};
  }

 private:
  static constexpr std::size_t kBlock = 64 * 1024;
  std::vector<std::unique_ptr<char[]>> blocks_;
  std::size_t capacity_ = 0;
  std::size_t used_ = 0;
};

struct KeyView {
  Kind kind;
  std::string_view ns;
  std::string_view name;
  friend bool operator==(const KeyView&, const KeyView&) = default;
};

struct KeyHash {
  std::size_t operator()(const KeyView& k) const {
    const std::hash<std::string_view> h;
    std::size_t seed = static_cast<std::size_t>(k.kind);
    seed ^= h(k.ns) + 0x9e3779b97f4a7c15ULL + (seed << 6) + (seed >> 2);
    seed ^= h(k.name) + 0x9e3779b97f4a7c15ULL + (seed << 6) + (seed >> 2);
    return seed;
  }
};

KeyView key_view(const model::Object& o) {
  return KeyView{o.kind(), o.meta.namespace_, o.meta.name};
}

// (kind, namespace) -> id, sorted; serves in_namespace() and the "selects everything" list.
struct NsEntry {
  Kind kind;
  std::string_view ns;
  Id id;
  auto tie() const { return std::tie(kind, ns, id); }
};

// One label pair of a selector or of a workload, sorted by (kind, key, value, ns, id).
struct LabelEntry {
  Kind kind;
  std::string_view key;
  std::string_view value;
  std::string_view ns;
  Id id;
  auto tie() const { return std::tie(kind, key, value, ns, id); }
};

struct RefEntry {
  std::string_view ref;
  Id id;
  auto tie() const { return std::tie(ref, id); }
};

template <class T>
void sort_by_tie(std::vector<T>& v) {
  std::sort(v.begin(), v.end(), [](const T& a, const T& b) { return a.tie() < b.tie(); });
}

// The run of `v` (sorted by tie()) whose projection equals `key`; `proj` must project a prefix
// of the sort order.
template <class T, class Key, class Proj>
std::pair<typename std::vector<T>::const_iterator, typename std::vector<T>::const_iterator> run_of(
    const std::vector<T>& v, const Key& key, Proj proj) {
  const auto lo = std::lower_bound(v.begin(), v.end(), key,
                                   [&](const T& e, const Key& k) { return proj(e) < k; });
  const auto hi =
      std::upper_bound(lo, v.end(), key, [&](const Key& k, const T& e) { return k < proj(e); });
  return {lo, hi};
}

auto label_run(const std::vector<LabelEntry>& v, Kind kind, std::string_view key,
               std::string_view value, std::string_view ns) {
  if (ns.empty()) {
    return run_of(v, std::make_tuple(kind, key, value),
                  [](const LabelEntry& e) { return std::make_tuple(e.kind, e.key, e.value); });
  }
  return run_of(v, std::make_tuple(kind, key, value, ns),
                [](const LabelEntry& e) { return std::make_tuple(e.kind, e.key, e.value, e.ns); });
}

auto ns_run(const std::vector<NsEntry>& v, Kind kind, std::string_view ns) {
  return run_of(v, std::make_tuple(kind, ns),
                [](const NsEntry& e) { return std::make_tuple(e.kind, e.ns); });
}

auto kind_run(const std::vector<NsEntry>& v, Kind kind) {
  return run_of(v, kind, [](const NsEntry& e) { return e.kind; });
}

void sort_unique(std::vector<Id>& ids) {
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
}

}  // namespace

struct Snapshot::Data {
  std::vector<model::ObjectPtr> objects;  // stable order; an object's id is its position
  std::vector<model::ObjectPtr> shadowed;
  std::unordered_map<KeyView, Id, KeyHash> by_key;
  std::array<std::vector<Id>, model::kKindCount> by_kind;
  std::vector<NsEntry> by_ns;
  std::array<HostIndex, model::kKindCount> hosts;
  HostIndex destinations;             // VirtualService destination hosts, resolved
  std::vector<RefEntry> gateways;
  std::vector<LabelEntry> selectors;  // first pair of each non-empty selector
  std::vector<LabelEntry> selector_pairs;  // every pair of each non-empty selector
  std::vector<NsEntry> select_all;    // objects whose selection is SelectionMode::All
  std::vector<LabelEntry> workloads;  // every label pair of every Pod/WorkloadEntry
  StringArena arena;

  ObjectList to_objects(const std::vector<Id>& ids) const {
    ObjectList out;
    out.reserve(ids.size());
    for (const Id id : ids) {
      out.push_back(objects[id].get());
    }
    return out;
  }

  // A resolved host: a view into the object when resolution kept it, else an arena copy.
  std::string_view host_view(const std::string& written, std::string resolved) {
    return resolved == written ? std::string_view(written) : arena.store(resolved);
  }

  void index_hosts(const model::Object& o, Id id) {
    HostIndex& index = hosts[static_cast<std::size_t>(o.kind())];
    const std::string& ns = o.meta.namespace_;
    switch (o.kind()) {
      case Kind::VirtualService:
        for (const auto& h : o.as<model::VirtualService>()->spec.hosts) {
          index.add(host_view(h.value, resolve_short_name(h.value, ns)), id);
        }
        break;
      case Kind::DestinationRule: {
        const std::string& h = o.as<model::DestinationRule>()->spec.host.value;
        index.add(host_view(h, resolve_short_name(h, ns)), id);
        break;
      }
      case Kind::ServiceEntry:
        for (const auto& h : o.as<model::ServiceEntry>()->spec.hosts) {
          index.add(h.value, id);
        }
        break;
      case Kind::Service:
        index.add(arena.store(service_fqdn(o.meta.name, ns)), id);
        break;
      case Kind::EndpointSlice:
        if (const std::string_view service = endpoint_slice_service(o); !service.empty()) {
          index.add(arena.store(service_fqdn(service, ns)), id);
        }
        break;
      case Kind::Gateway:
        for (const model::Server& server : o.as<model::Gateway>()->spec.servers) {
          for (const auto& h : server.hosts) {
            index.add(server_host_part(h.value), id);
          }
        }
        break;
      default:
        break;
    }
  }

  void index_destinations(const model::Object& o, Id id) {
    std::vector<std::string> resolved = destination_hosts(o);
    std::sort(resolved.begin(), resolved.end());
    resolved.erase(std::unique(resolved.begin(), resolved.end()), resolved.end());
    for (const std::string& h : resolved) {
      destinations.add(arena.store(h), id);
    }
  }

  void index_gateways(const model::VirtualService& vs, Id id) {
    for (const std::string& ref : resolve_gateway_refs(vs.spec.gateways, vs.meta.namespace_)) {
      // Most VirtualServices bind `mesh`; share one static view instead of copying it.
      gateways.push_back(RefEntry{ref == kMeshGateway ? kMeshGateway : arena.store(ref), id});
    }
  }

  void index_selection(const model::Object& o, Id id) {
    const Selection sel = workload_selection(o);
    if (sel.mode == SelectionMode::All) {
      select_all.push_back(NsEntry{o.kind(), o.meta.namespace_, id});
    } else if (sel.mode == SelectionMode::Labels) {
      // One entry per selector, under its first pair: a workload that matches has that pair,
      // so probing each of the workload's labels finds the selector exactly once.
      const auto& [key, value] = *sel.labels->begin();
      selectors.push_back(LabelEntry{o.kind(), key, value.value, o.meta.namespace_, id});
      for (const auto& [k, v] : *sel.labels) {
        selector_pairs.push_back(LabelEntry{o.kind(), k, v.value, o.meta.namespace_, id});
      }
    }
  }

  void index_workload(const model::Object& o, Id id) {
    if (o.kind() == Kind::Pod) {
      for (const auto& [key, value] : o.meta.labels) {
        workloads.push_back(LabelEntry{o.kind(), key, value, o.meta.namespace_, id});
      }
    } else if (const auto* we = o.as<model::WorkloadEntry>()) {
      for (const auto& [key, value] : we->spec.labels) {
        workloads.push_back(LabelEntry{o.kind(), key, value.value, o.meta.namespace_, id});
      }
    }
  }
};

Snapshot::Snapshot(std::vector<model::ObjectPtr> input) {
  auto data = std::make_unique<Data>();

  // Later definitions of the same key win; remember where each key was seen last.
  std::unordered_map<KeyView, std::size_t, KeyHash> last;
  last.reserve(input.size());
  for (std::size_t i = 0; i < input.size(); ++i) {
    if (input[i] != nullptr) {
      last.insert_or_assign(key_view(*input[i]), i);
    }
  }
  std::vector<std::pair<OrderKey, std::size_t>> order;
  order.reserve(last.size());
  for (std::size_t i = 0; i < input.size(); ++i) {
    if (input[i] == nullptr) {
      continue;
    }
    if (last.at(key_view(*input[i])) == i) {
      order.emplace_back(order_key(*input[i]), i);
    } else {
      data->shadowed.push_back(input[i]);
    }
  }
  std::sort(order.begin(), order.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  data->objects.reserve(order.size());
  for (const auto& [key, i] : order) {
    data->objects.push_back(std::move(input[i]));
  }

  data->by_key.reserve(data->objects.size());
  data->by_ns.reserve(data->objects.size());
  for (Id id = 0; id < data->objects.size(); ++id) {
    const model::Object& o = *data->objects[id];
    data->by_key.emplace(key_view(o), id);
    data->by_kind[static_cast<std::size_t>(o.kind())].push_back(id);
    data->by_ns.push_back(NsEntry{o.kind(), o.meta.namespace_, id});
    data->index_hosts(o, id);
    if (const auto* vs = o.as<model::VirtualService>()) {
      data->index_gateways(*vs, id);
      data->index_destinations(o, id);
    }
    data->index_selection(o, id);
    data->index_workload(o, id);
  }
  sort_by_tie(data->by_ns);
  sort_by_tie(data->gateways);
  sort_by_tie(data->selectors);
  sort_by_tie(data->selector_pairs);
  sort_by_tie(data->select_all);
  sort_by_tie(data->workloads);
  for (HostIndex& index : data->hosts) {
    index.finish();
  }
  data->destinations.finish();
  data_ = std::move(data);
}

std::shared_ptr<const Snapshot> Snapshot::make(std::vector<model::ObjectPtr> objects) {
  return std::make_shared<const Snapshot>(std::move(objects));
}

Snapshot::~Snapshot() = default;

const std::vector<model::ObjectPtr>& Snapshot::objects() const { return data_->objects; }

const std::vector<model::ObjectPtr>& Snapshot::shadowed() const { return data_->shadowed; }

std::size_t Snapshot::do_size() const { return data_->objects.size(); }

std::size_t Snapshot::do_count(Kind kind) const {
  return data_->by_kind[static_cast<std::size_t>(kind)].size();
}

const model::Object* Snapshot::do_find(Kind kind, std::string_view ns,
                                       std::string_view name) const {
  const auto it = data_->by_key.find(KeyView{kind, ns, name});
  return it == data_->by_key.end() ? nullptr : data_->objects[it->second].get();
}

ObjectList Snapshot::do_of_kind(Kind kind) const {
  return data_->to_objects(data_->by_kind[static_cast<std::size_t>(kind)]);
}

ObjectList Snapshot::do_in_namespace(Kind kind, std::string_view ns) const {
  const auto [lo, hi] = ns_run(data_->by_ns, kind, ns);
  ObjectList out;
  out.reserve(static_cast<std::size_t>(hi - lo));
  for (auto it = lo; it != hi; ++it) {
    out.push_back(data_->objects[it->id].get());
  }
  return out;
}

ObjectList Snapshot::do_by_host(Kind kind, std::string_view host) const {
  std::vector<Id> ids;
  data_->hosts[static_cast<std::size_t>(kind)].match(host, ids);
  sort_unique(ids);
  return data_->to_objects(ids);
}

ObjectList Snapshot::do_routing_to(std::string_view host) const {
  std::vector<Id> ids;
  data_->destinations.match(host, ids);
  sort_unique(ids);
  return data_->to_objects(ids);
}

ObjectList Snapshot::do_binding_gateway(std::string_view ref) const {
  const auto [lo, hi] = run_of(data_->gateways, ref, [](const RefEntry& e) { return e.ref; });
  std::vector<Id> ids;
  for (auto it = lo; it != hi; ++it) {
    ids.push_back(it->id);
  }
  // A VirtualService listing the same gateway twice resolves to one ref (resolve_gateway_refs
  // drops duplicates), so ids are already unique and sorted.
  return data_->to_objects(ids);
}

ObjectList Snapshot::do_selecting(Kind kind, std::string_view ns,
                                  const model::Labels& labels) const {
  std::vector<Id> ids;
  const auto [all_lo, all_hi] =
      ns.empty() ? kind_run(data_->select_all, kind) : ns_run(data_->select_all, kind, ns);
  for (auto it = all_lo; it != all_hi; ++it) {
    ids.push_back(it->id);
  }
  for (const auto& [key, value] : labels) {
    const auto [lo, hi] = label_run(data_->selectors, kind, key, value, ns);
    for (auto it = lo; it != hi; ++it) {
      const Selection sel = workload_selection(*data_->objects[it->id]);
      if (selector_matches(*sel.labels, labels)) {
        ids.push_back(it->id);
      }
    }
  }
  std::sort(ids.begin(), ids.end());
  return data_->to_objects(ids);
}

ObjectList Snapshot::do_selected_by(Kind kind, std::string_view ns,
                                    const model::Labels& selector) const {
  if (!is_workload_kind(kind)) {
    return {};
  }
  if (selector.empty()) {
    return ns.empty() ? do_of_kind(kind) : do_in_namespace(kind, ns);
  }
  // Scan the rarest of the selector's pairs, then check the whole selector on each candidate.
  using Run = decltype(label_run(data_->workloads, kind, {}, {}, ns));
  Run best{};
  bool first = true;
  for (const auto& [key, value] : selector) {
    const Run run = label_run(data_->workloads, kind, key, value, ns);
    if (first || run.second - run.first < best.second - best.first) {
      best = run;
      first = false;
    }
  }
  std::vector<Id> ids;
  for (auto it = best.first; it != best.second; ++it) {
    if (workload_matches(*data_->objects[it->id], selector)) {
      ids.push_back(it->id);
    }
  }
  std::sort(ids.begin(), ids.end());
  return data_->to_objects(ids);
}

ObjectList Snapshot::do_selectors_including(Kind kind, std::string_view ns,
                                            const model::Labels& labels) const {
  std::vector<Id> ids;
  if (labels.empty()) {
    // Every label selector has a first pair: list each selector once.
    const auto [lo, hi] = run_of(data_->selectors, kind, [](const LabelEntry& e) { return e.kind; });
    for (auto it = lo; it != hi; ++it) {
      if (ns.empty() || it->ns == ns) {
        ids.push_back(it->id);
      }
    }
  } else {
    // Scan the selectors holding the rarest of the pairs, then check the others.
    using Run = decltype(label_run(data_->selector_pairs, kind, {}, {}, ns));
    Run best{};
    bool first = true;
    for (const auto& [key, value] : labels) {
      const Run run = label_run(data_->selector_pairs, kind, key, value, ns);
      if (first || run.second - run.first < best.second - best.first) {
        best = run;
        first = false;
      }
    }
    for (auto it = best.first; it != best.second; ++it) {
      const Selection sel = workload_selection(*data_->objects[it->id]);
      if (selector_matches(labels, *sel.labels)) {
        ids.push_back(it->id);
      }
    }
  }
  sort_unique(ids);
  return data_->to_objects(ids);
}

}  // namespace meshward::world
