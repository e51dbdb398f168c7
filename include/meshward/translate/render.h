#pragma once
// Printing a translation: `/config_dump`-shaped JSON (and YAML, the same tree) with Envoy's
// `@type` URLs, and the tables `istioctl proxy-config` prints (reference §9).

#include <string>
#include <vector>

#include "meshward/translate/xds.h"

namespace meshward::translate {

/// What to print. Patches is not Envoy's: what the proxy's EnvoyFilter patches did to its
/// listeners (ProxyConfig::patch_effects), as `{"patch_effects": [...]}` or a table.
enum class DumpType : std::uint8_t { Listeners, Routes, Clusters, Endpoints, All, Patches };

/// `{"configs": [...]}` with `ListenersConfigDump` (`dynamic_listeners[].active_state
/// .listener`), `RoutesConfigDump` (`dynamic_route_configs[].route_config`),
/// `ClustersConfigDump` (`dynamic_active_clusters[].cluster`) and `EndpointsConfigDump`
/// (`dynamic_endpoint_configs[].endpoint_config`) entries, each object with its `@type`.
/// Pretty-printed, keys in Envoy's field order, defaults omitted as protobuf JSON does.
std::string render_config_dump_json(const ProxyConfig& config, DumpType type);
/// The same tree as YAML.
std::string render_config_dump_yaml(const ProxyConfig& config, DumpType type);
/// `istioctl proxy-config <type>` tables (verbose columns; `All` prints each table in turn
/// with istioctl's `all` name prefixes).
std::string render_table(const ProxyConfig& config, DumpType type);

/// A MERGE patch that does not merge into an object as written: a field of another JSON kind
/// than Envoy's (istiod's webhook rejects the value), a filter typed_config of another type
/// (istiod re-reads the fields as the filter's type), a filter without typed_config (skipped),
/// or a transport-socket merge that ignores the patch's other fields.
struct MergeProblem {
  PatchEffect where;  ///< The patch and the object, as ProxyConfig::patch_effects names them.
  std::string problem;
};

/// The MERGE problems of a translated configuration (render applies MERGE patches to the JSON
/// it prints; this renders only the listeners, route configurations and clusters they touch).
std::vector<MergeProblem> merge_problems(const ProxyConfig& config);

}  // namespace meshward::translate
