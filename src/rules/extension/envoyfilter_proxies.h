#pragma once
// The proxies an EnvoyFilter reaches and their translations, shared by the checks that judge
// EnvoyFilters on what istiod builds (MW4118 patches that match nothing, MW4119 patches that
// undo each other).

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "meshward/model/kinds/envoy_filter.h"
#include "meshward/rules/rule.h"
#include "meshward/translate/proxy.h"
#include "meshward/translate/registry.h"
#include "meshward/translate/render.h"
#include "meshward/translate/xds.h"

namespace meshward::rules::extension {

using model::Kind;

// What build_listeners reads besides the EnvoyFilters: the services and their routing
// (listener ports and chains), the Sidecar scope, the Gateways of gateway proxies, and for
// inbound chains the workload's Services, endpoints, PeerAuthentications and the policies its
// security filters come from.
constexpr KindSet kTranslatorReads{Kind::EnvoyFilter,    Kind::VirtualService, Kind::Gateway,
                                   Kind::Service,        Kind::ServiceEntry,   Kind::Sidecar,
                                   Kind::DestinationRule, Kind::Endpoints,     Kind::EndpointSlice,
                                   Kind::Pod,            Kind::WorkloadEntry,
                                   Kind::PeerAuthentication, Kind::AuthorizationPolicy,
                                   Kind::RequestAuthentication};


/// At most this many distinct proxies are translated for one EnvoyFilter: a translation costs
/// what the mesh holds, and a verdict from a sample could be wrong.
inline constexpr std::size_t kMaxProxies = 8;

/// Whether a patch changes route configurations or clusters (what a translation of the
/// listeners alone does not show; Translations::effects with `routes_and_clusters`).
bool patches_routes_or_clusters(const model::EnvoyConfigObjectPatch& cp);

/// (type, namespace, labels, version): proxies with the same key get the same configuration.
using ProxyKey = std::tuple<int, std::string, model::Labels, std::string>;
ProxyKey key_of(const translate::Proxy& p);

/// The translations of one check run, one per distinct proxy: shared by every EnvoyFilter
/// that reaches the proxy (its log holds the effects of all the patches it receives).
class Translations {
 public:
  /// The translator reads the world through ctx.translator_view(kTranslatorReads), made on the
  /// first translation.
  explicit Translations(const Context& ctx) : ctx_(ctx) {}

  /// The effects of every patch the proxy receives; `routes_and_clusters` adds the route
  /// configurations and clusters to the listeners (what route and cluster patches change).
  const std::vector<translate::PatchEffect>& effects(const translate::Proxy& proxy,
                                                     bool routes_and_clusters);

  /// The MERGE patches the proxy receives that do not merge as written into its listeners,
  /// route configurations or clusters (translate::merge_problems).
  const std::vector<translate::MergeProblem>& merge_problems(const translate::Proxy& proxy);

 private:
  const translate::Registry& registry();

  const Context& ctx_;
  std::optional<translate::Registry> registry_;
  std::map<std::pair<ProxyKey, bool>, std::vector<translate::PatchEffect>> logs_;
  std::map<ProxyKey, std::vector<translate::MergeProblem>> merge_problems_;
};

/// The proxies an EnvoyFilter reaches: one per distinct ProxyKey among the Pods its
/// workloadSelector selects (any namespace for the root namespace's), a Pod a Gateway selects
/// being a gateway proxy; without Pods in the world, one hypothetical sidecar of the
/// EnvoyFilter's namespace with the selector's labels (`*hypothetical` set). Empty when it
/// reaches none (targetRefs are not modelled; a selector no workload matches is MW4115's);
/// nullopt when more than kMaxProxies. Reads Pod, WorkloadEntry and Gateway.
std::optional<std::vector<translate::Proxy>> proxies_reached(const Context& ctx,
                                                             const model::EnvoyFilter& ef,
                                                             bool* hypothetical);

/// `sidecar bookinfo/app=reviews,version=v1, gateway istio-system/istio=ingressgateway` (or the
/// hypothetical sidecar) for messages.
std::string describe_proxies(const std::vector<const translate::Proxy*>& proxies,
                             bool hypothetical);

}  // namespace meshward::rules::extension
