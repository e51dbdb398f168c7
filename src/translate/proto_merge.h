#pragma once
// An EnvoyFilter MERGE, applied to the JSON render prints: protobuf merge semantics
// (istio.io/istio/pkg/proto/merge: messages merged field by field, repeated fields appended,
// map entries and scalars replaced, Durations and Any replaced whole) plus istiod's special
// cases for filters (MergeAnyWithAny on typed_config after swapping the type URL) and for the
// transport socket of clusters and filter chains (envoyfilter/listener_patch.go,
// cluster_patch.go).
//
// No proto schemas here: the JSON of the generated object is the schema. A patch field whose
// JSON kind differs from the generated field's (an object where Envoy has a string, a string
// where it has a bool) is a value istiod's webhook rejects when it converts the patch to the
// proto, and that no proxy receives; the merge reports it instead of applying anything.

#include <cstdint>
#include <string>
#include <vector>

#include "meshward/core/json.h"

namespace meshward::translate::detail {

/// How istiod merges a MERGE patch into the object it matched.
enum class MergeStyle : std::uint8_t {
  Message,          ///< merge.Merge: listeners, route configurations, virtual hosts, routes.
  Filter,           ///< Network and HTTP filters: the name, then typed_config (MergeAnyWithAny).
  Cluster,          ///< A transport socket (or socket match) of the same name first.
  FilterChain,      ///< A transport socket of the same name first.
};

/// Merges `patch` (a configPatch's value) into `base` (the object as render prints it) as
/// istiod's MERGE does. Returns what did not merge as written, one sentence each; `base` is
/// unchanged when istiod would drop the patch.
std::vector<std::string> merge_patch(json::Value& base, const json::Value& patch,
                                     json::Allocator& allocator, MergeStyle style);

}  // namespace meshward::translate::detail
