#pragma once
// EnvoyFilter patches as istiod applies them: which configPatches reach a proxy and in what
// order (pilot/pkg/model/envoyfilter.go, PushContext.EnvoyFilters), and their application to
// the listeners istiod built (pilot/pkg/networking/core/envoyfilter/listener_patch.go). Every
// object a patch adds or changes records the patch (`patched_by`), and every application is
// written to a PatchLog, so a check can tell which patches took effect and which found nothing.
//
// Route configurations (rc_patch.go) and clusters (cluster_patch.go) are patched the same way.
//
// A MERGE is recorded in `patched_by` with its value (and a merged filter `name` is applied);
// render merges the value into the JSON it prints (src/translate/proto_merge.h).
//
// EXTENSION_CONFIG ADDs become the proxy's ECDS configs (apply_extension_config_patches).

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "meshward/model/kinds/envoy_filter.h"
#include "meshward/translate/options.h"
#include "meshward/translate/proxy.h"
#include "meshward/translate/xds.h"
#include "meshward/world/view.h"

namespace meshward::translate {

/// The proxy's ISTIO_VERSION, what `match.proxy.proxyVersion` is matched against:
/// Proxy::version when set; else the `istio-proxy` image tag of the oldest Pod in the proxy's
/// namespace whose labels contain the proxy's; else `<release>.0` of the imitated release
/// (`--istio-version`).
std::string proxy_version(const world::View& view, const Proxy& proxy, const Options& options);

/// The version a proxy of the imitated release reports: `1.30.0` for 1.30.
std::string release_proxy_version(const Options& options);

/// Whether the proxyVersion regex `pattern` matches `version` anywhere (Go's MatchString; an
/// empty version never matches); nullopt when the regex does not compile. Memoized per thread
/// by (pattern, version): a translation asks for every patch, and the checks ask again for
/// each proxy, so a pattern is compiled once, not once per proxy and check.
std::optional<bool> proxy_version_matches(std::string_view pattern, std::string_view version);

/// Whether `match.proxy` of a configPatch accepts a proxy (proxyMatch): `proxyVersion` is an
/// RE2 regex searched anywhere in the version (Go's MatchString; an empty version never
/// matches), and each `metadata` entry must equal the proxy's (meshward knows ISTIO_VERSION,
/// NAMESPACE and CLUSTER_ID; other keys never match). An invalid regex matches nothing.
bool proxy_matches(const model::EnvoyConfigObjectPatch& patch, const Proxy& proxy,
                   std::string_view version, const Options& options);

/// The EnvoyFilters whose patches a proxy receives (PushContext.EnvoyFilters): those of the
/// root namespace and of the proxy's namespace whose workloadSelector is contained in the
/// proxy's labels (none: every workload), never one with targetRefs; sorted by priority, the
/// root namespace first, then creation time, then `name.namespace`.
std::vector<const model::EnvoyFilter*> envoy_filters_for(const world::View& view,
                                                         const Proxy& proxy,
                                                         const Options& options);

/// One configPatch that reaches a proxy.
struct ConfigPatch {
  const model::EnvoyFilter* envoy_filter = nullptr;
  std::size_t index = 0;  ///< spec.configPatches[index].
  const model::EnvoyConfigObjectPatch* patch = nullptr;
  /// The operation after istiod's rewrite: INSERT_BEFORE/AFTER/FIRST on anything but
  /// HTTP_FILTER, NETWORK_FILTER and HTTP_ROUTE is ADD.
  model::EnvoyFilterPatchOperation operation = model::EnvoyFilterPatchOperation::Invalid;
  model::EnvoyFilterPatchContext context = model::EnvoyFilterPatchContext::Any;
  AppliedPatch applied() const;
};

/// A proxy's patches by applyTo, each list in application order.
class ProxyPatches {
 public:
  /// The patches of envoy_filters_for() that a proxy of proxy_version() accepts.
  ProxyPatches(const world::View& view, const Proxy& proxy, const Options& options);
  const std::vector<ConfigPatch>& of(model::EnvoyFilterApplyTo apply_to) const {
    return by_apply_to_[static_cast<std::size_t>(apply_to)];
  }
  bool empty() const;

 private:
  std::array<std::vector<ConfigPatch>, 12> by_apply_to_;
};

using PatchLog = std::vector<PatchEffect>;

/// Applies the LISTENER, FILTER_CHAIN, NETWORK_FILTER and HTTP_FILTER patches to `listeners`
/// built for `context` (ApplyListenerPatches); `skip_adds` leaves out listener ADDs (istiod's
/// virtual listeners). LISTENER_FILTER patches are applied to listener filter names. Effects
/// are appended to `log` when it is not null.
void apply_listener_patches(model::EnvoyFilterPatchContext context, const ProxyPatches& patches,
                            std::vector<Listener>& listeners, bool skip_adds, PatchLog* log);

/// Applies the ROUTE_CONFIGURATION (MERGE), VIRTUAL_HOST (REMOVE, MERGE, ADD) and HTTP_ROUTE
/// (REMOVE, MERGE, ADD, INSERT_BEFORE/AFTER/FIRST) patches to a route configuration built for
/// `context` (ApplyRouteConfigurationPatches): RDS routes in SIDECAR_OUTBOUND or GATEWAY, the
/// inline routes of inbound chains in SIDECAR_INBOUND.
void apply_route_patches(model::EnvoyFilterPatchContext context, const ProxyPatches& patches,
                         RouteConfiguration& rc, PatchLog* log);

/// Applies the CLUSTER patches to the clusters built for `context` (outbound clusters in
/// SIDECAR_OUTBOUND or GATEWAY, inbound ones in SIDECAR_INBOUND): MERGE, REMOVE, then ADDs
/// appended (an ADD without a context only for SIDECAR_OUTBOUND and GATEWAY).
/// `inbound_hosts`: by target port, the hostnames of the Services an inbound cluster serves
/// (its name carries none; a `service` match reads them).
void apply_cluster_patches(model::EnvoyFilterPatchContext context, const ProxyPatches& patches,
                           std::vector<Cluster>& clusters,
                           const std::map<std::uint32_t, std::vector<std::string>>& inbound_hosts,
                           PatchLog* log);

/// The EXTENSION_CONFIG patches (InsertedExtensionConfigurations): istiod serves each ADD's
/// TypedExtensionConfig over ECDS when the proxy asks for its name, and a proxy asks for the
/// names its filters discover (`config_discovery.config_source` of a network or HTTP filter an
/// EnvoyFilter put in), every ADD of such a name in patch order; other operations and the
/// match context are ignored, as istiod ignores them. Effects (`extension config`, resource = the name) are
/// appended to `log` when it is not null.
std::vector<ExtensionConfig> apply_extension_config_patches(const ProxyPatches& patches,
                                                            const std::vector<Listener>& listeners,
                                                            PatchLog* log);

}  // namespace meshward::translate
