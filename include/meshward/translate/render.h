#pragma once
// Printing a translation: `/config_dump`-shaped JSON (and YAML, the same tree) with Envoy's
// `@type` URLs, and the tables `istioctl proxy-config` prints (reference §9).

#include <string>

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

}  // namespace meshward::translate
