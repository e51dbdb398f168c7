#pragma once
// Running checks: every resource check on every object, every mesh check on the world.

#include <string>
#include <string_view>
#include <vector>

#include "meshward/core/diag.h"
#include "meshward/core/result.h"
#include "meshward/model/object.h"
#include "meshward/rules/rule.h"
#include "meshward/translate/options.h"
#include "meshward/translate/registry.h"
#include "meshward/world/view.h"

namespace meshward::rules {

struct RunOptions {
  /// Only these rules (codes or names); empty = all.
  std::vector<std::string> only;
  /// What mesh checks that ask the translator translate with: the Istio release imitated
  /// (`meshward check --istio-version`) and the MeshConfig (Context::translate_options()).
  translate::Options translate;
  /// Endpoints shared with other runs on the same world (Context::endpoint_cache()): give one
  /// only where translate::EndpointCache says it is valid for the view checked. Null: none.
  translate::EndpointCache* endpoint_cache = nullptr;
};

/// Resource checks on one object (what Istio's webhook checks).
std::vector<Finding> check_object(const model::Object& object, const RunOptions& options = {});

/// Resource checks on every object of `view`, then every mesh check on `view`.
std::vector<Finding> check_world(const world::View& view, const RunOptions& options = {});

/// Only the mesh checks whose declared inputs include `changed`, on `view`. A check that
/// does not read a kind cannot change its findings when an object of that kind changes (the
/// registry meta-test holds checks to their declared inputs), so admission runs just these
/// on the overlay; resource checks of other objects cannot change either.
///
/// With `focus` (change_focus(), focus.h) each check visits only the focused subjects: the
/// findings of the subjects a change can affect, at a cost independent of the world's size.
std::vector<Finding> check_mesh_reading(const world::View& view, model::Kind changed,
                                        const RunOptions& options = {},
                                        const Focus* focus = nullptr);

/// What one rule (code or name) alone reports on the manifests at `paths`, as `meshward
/// check` reads them: the decoder's findings of that code (MW1001-MW1009 are found while
/// reading) and the check's own, sorted. A rule's golden cases (tests/golden/rules) and the
/// examples of docs/checks/ are this on their inputs. An Error when a path cannot be read or
/// no rule has that code or name.
Result<std::vector<Finding>> check_paths_with_rule(const std::vector<std::string>& paths,
                                                  std::string_view rule,
                                                  const translate::Options& translate = {});

/// The MeshConfig file a golden case folder may hold beside its cases, for checks that judge by
/// the mesh's settings (e.g. MW3120 and its extensionProviders): `--mesh-config` for each case.
inline constexpr std::string_view kGoldenMeshConfig = "mesh-config.yaml";

/// check_paths_with_rule() on golden case `<dir>/<name>.yaml`, with the folder's
/// kGoldenMeshConfig when it has one (an Error when that does not parse).
Result<std::vector<Finding>> check_golden_case(const std::string& dir, const std::string& name,
                                               std::string_view rule);

/// Drops check findings about fields the decoder already rejected (MW1002 wrong type, MW1003
/// unknown enum value): such a field reads as absent, so a check would report the same spot
/// a second time as "missing" or "0". Keeps every decoder finding. Call it on the merged list.
void drop_findings_on_rejected_fields(std::vector<Finding>& findings);

}  // namespace meshward::rules
