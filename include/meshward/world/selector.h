#pragma once
// Label selectors: which workloads (Pods, WorkloadEntries) a Service, Gateway, Sidecar,
// policy or EnvoyFilter applies to. Pure functions; safe from any thread.
//
// Matching is Istio's `labels.Instance.SubsetOf` / Kubernetes `matchLabels`: a selector
// matches a workload when every key of the selector is a label of the workload with the same
// value. An empty selector map therefore matches every workload. Whether an *absent* selector
// means "every workload" or "no workload" depends on the kind; workload_selection() says which.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "meshward/model/field.h"
#include "meshward/model/object.h"

namespace meshward::world {

/// Whether `selector` ⊆ `labels` (every selector entry present in `labels` with the same
/// value). An empty selector matches any labels, including none.
bool selector_matches(const model::Labels& selector, const model::Labels& labels);
/// As above, with a decoded selector (values read from `Field::value`).
bool selector_matches(const model::StringMap& selector, const model::Labels& labels);
/// As above, against decoded workload labels (WorkloadEntry `spec.labels`).
bool selector_matches(const model::Labels& selector, const model::StringMap& labels);
/// As above, decoded on both sides.
bool selector_matches(const model::StringMap& selector, const model::StringMap& labels);

/// Plain labels from a decoded string map (values only).
model::Labels to_labels(const model::StringMap& map);

/// How an object picks the workloads it applies to.
enum class SelectionMode : std::uint8_t {
  None,    ///< No workload (kind does not select, Service without selector, targetRef).
  All,     ///< Every workload of the namespace asked about (absent or empty selector).
  Labels,  ///< Workloads whose labels contain `labels` (non-empty).
};

/// The result of workload_selection(): a mode and, for SelectionMode::Labels, the selector
/// (borrowed from the object; valid as long as the object lives).
struct Selection {
  SelectionMode mode = SelectionMode::None;  ///< How the object selects.
  const model::StringMap* labels = nullptr;  ///< The selector when mode is Labels, else null.
};

/// How `object` selects workloads, per kind:
/// - Service `spec.selector`: empty = None (Kubernetes: a Service without selector gets no
///   endpoints from Pods).
/// - Gateway `spec.selector`: empty = All (pilot: a Gateway without selector applies to every
///   gateway workload; namespace scoping is the caller's choice).
/// - Sidecar, EnvoyFilter `spec.workloadSelector.labels`; PeerAuthentication,
///   RequestAuthentication, AuthorizationPolicy `spec.selector.matchLabels`: absent or empty
///   = All (the namespace-wide policy; mesh-wide when in the root namespace, which callers
///   handle by also asking about the root namespace). A policy or EnvoyFilter with
///   `targetRef`/`targetRefs` = None whatever its selector (it attaches to a Gateway or
///   Service, not to labels; pilot ignores the selector then).
/// - DestinationRule `spec.workloadSelector.matchLabels`, ServiceEntry
///   `spec.workloadSelector.labels`: absent = None (the object is not workload-scoped), empty
///   = All.
/// - Every other kind: None.
Selection workload_selection(const model::Object& object);

/// Whether `object` is a workload (Pod, WorkloadEntry).
bool is_workload_kind(model::Kind kind);

/// The labels a workload carries (Pod `metadata.labels`, WorkloadEntry `spec.labels`);
/// nullopt for other kinds. Copies; indexes read the objects directly.
std::optional<model::Labels> workload_labels(const model::Object& object);

/// Whether workload `object` (Pod, WorkloadEntry) carries every label of `selector`; false for
/// other kinds. An empty selector matches every workload.
bool workload_matches(const model::Object& object, const model::Labels& selector);

/// Whether `selection` (of an object in any namespace) picks a workload with `labels`.
bool selection_matches(const Selection& selection, const model::Labels& labels);

}  // namespace meshward::world
