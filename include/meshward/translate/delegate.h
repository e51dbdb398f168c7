#pragma once
// VirtualService delegation as istiod resolves it (pilot's mergeVirtualServicesIfNeeded, in the
// virtualservice controller since 1.24): a root VirtualService's HTTP route with `delegate`
// is replaced by the routes of the delegate VirtualService (one without hosts), each merged
// with the root route. What a client gets is the merged list; the delegate alone gives no
// route to anyone.
//
// For each delegate route, merged with the root route (mergeHTTPRoute):
// - matches: each delegate match must fall inside some root match (hasConflict: URI, scheme,
//   method and authority as exact/prefix subsets, no regex on either side unless the other
//   has none; headers, query parameters, ignoreUriCase, port, sourceNamespace, sourceLabels and
//   gateways compatible); it is merged with every root match it fits (mergeHTTPMatchRequest:
//   the delegate's fields win, maps are joined). One delegate match fitting no root match
//   drops the delegate route;
// - name: "<root>-<delegate>" when both are named;
// - rewrite, directResponse, timeout, retries, fault, mirror(s), mirrorPercent(age),
//   corsPolicy and headers: the root's where the delegate sets none.
// A root route whose delegate does not exist, has hosts (so is no delegate), or is not
// exported to the root's namespace is dropped, and so is every delegate route that conflicts.
// `delegate.namespace` absent means the root's namespace (the API's documented default).

#include <memory>
#include <string>
#include <vector>

#include "meshward/model/kinds/virtual_service.h"
#include "meshward/world/facts.h"
#include "meshward/world/view.h"

namespace meshward::translate {

/// Why a root route, or a delegate route merged into it, gives no route.
struct DelegateProblem {
  std::size_t root_route = 0;  ///< Index in the root's spec.http.
  std::string delegate;        ///< "<namespace>/<name>" as resolved.
  /// Index in the delegate's spec.http of a route dropped for conflicting matches; npos when
  /// the whole root route is dropped (delegate missing, not a delegate, not exported).
  std::size_t delegate_route = std::string::npos;
  std::string reason;  ///< "it does not exist", "its matches are not within ...".
  bool missing = false;  ///< The delegate does not exist (it may be applied later).
};

/// The root with its delegate routes resolved, and what was dropped.
struct DelegateMerge {
  /// A copy of the root whose spec.http is the merged list (its metadata the root's); null
  /// when the root delegates nothing (use the root itself).
  std::shared_ptr<const model::VirtualService> merged;
  std::vector<DelegateProblem> problems;
};

/// Whether any HTTP route of `vs` delegates.
bool delegates(const model::VirtualService& vs);

/// The namespace of the VirtualService `delegate` (a route of `root`) names: its own, else the
/// root's.
const std::string& delegate_namespace(const model::Delegate& delegate,
                                      const model::VirtualService& root);

/// Resolves the delegate routes of `root` against `view` (see the file comment); `exports`:
/// the mesh's default*ExportTo, for delegates that name no exportTo.
DelegateMerge merge_delegates(const model::VirtualService& root, const world::View& view,
                              const world::ExportDefaults& exports);

}  // namespace meshward::translate
