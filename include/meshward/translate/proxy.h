#pragma once
// The proxy a translation is for, and what it can see (reference §8): istiod's SidecarScope —
// the Sidecar resource that applies, exportTo visibility, VirtualService precedence and the
// DestinationRule lookup. Every builder asks the Scope instead of reading the world, so
// visibility is decided in one place.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "meshward/model/kinds/destination_rule.h"
#include "meshward/model/kinds/sidecar.h"
#include "meshward/model/kinds/virtual_service.h"
#include "meshward/model/object.h"
#include "meshward/translate/options.h"
#include "meshward/translate/registry.h"

namespace meshward::translate {

/// A proxy: a workload's sidecar, or a gateway workload (ingress/egress).
struct Proxy {
  enum class Type : std::uint8_t { Sidecar, Gateway };
  Type type = Type::Sidecar;
  std::string namespace_;
  model::Labels labels;
  std::string ip;  ///< Optional: the pod IP (skipped in headless listeners).
  /// The proxy's ISTIO_VERSION (`1.17.5`), what EnvoyFilter `proxyVersion` regexes match.
  /// Empty: the version of a selected Pod's `istio-proxy` image, else the imitated release
  /// (see proxy_version()).
  std::string version;
  /// The proxy's locality, `region/zone/subzone` (what locality load balancing ranks
  /// endpoints by). Empty: Scope::locality() finds it.
  std::string locality;

  /// The DNS domain istiod derives from the node id: `<ns>.svc.<suffix>`.
  std::string dns_domain(std::string_view domain_suffix) const;
};

/// Parses `sidecar:<ns>[,key=value...]` or `gateway:<ns>,istio=ingressgateway[,...]` (the
/// `meshward translate --proxy` syntax); the keys `proxy-version` and `locality` set
/// Proxy::version and Proxy::locality instead of labels. nullopt with `error` set when malformed.
std::optional<Proxy> parse_proxy(std::string_view text, std::string* error);

/// One egress listener of the applicable Sidecar (or the default `*/*` one).
struct EgressListener {
  std::optional<std::uint32_t> port;  ///< Sidecar egress `port.number`; nullopt: catch-all.
  std::string port_protocol;          ///< Sidecar egress `port.protocol`.
  std::string bind;
  /// `ns/host` entries (parsed): namespace (`*`, `.`-resolved, or a name), host, excluded (`~`).
  struct HostEntry {
    std::string namespace_;
    std::string host;
    bool excluded = false;
  };
  std::vector<HostEntry> hosts;
};

/// A DestinationRule as it applies to one host for this proxy: the rule (possibly merged from
/// several in one namespace: subsets concatenated, the first rule's traffic policy), and the
/// rule whose metadata istiod writes (`config`).
struct AppliedDestinationRule {
  const model::DestinationRule* rule = nullptr;  ///< The first (oldest) of the merged ones.
  std::vector<const model::DestinationRule*> merged;  ///< All merged, oldest first.
  /// The subsets in merge order, duplicates (by name) dropped.
  std::vector<const model::Subset*> subsets;
  /// The top-level traffic policy: from the first merged rule that has one; nullptr if none.
  const model::TrafficPolicy* traffic_policy = nullptr;
  const model::Subset* find_subset(std::string_view name) const;
};

/// What one proxy sees. Built per translation; borrows the Registry and its View. Use one
/// Scope from one thread at a time: it memoizes what it computes (see below).
///
/// Memoization: a translation asks the same questions many times (every cluster, route and EDS
/// assignment of a service asks for its service and DestinationRule; every listener and route
/// configuration asks for a listener's services), so the Scope answers each question once and
/// keeps the answer. The references and pointers it returns point into that memo and stay
/// valid as long as the Scope lives. The answers only depend on the (immutable) View, the
/// Options and the Proxy, so memoizing changes no result.
class Scope {
 public:
  Scope(const Registry& registry, const Proxy& proxy);

  const Proxy& proxy() const { return proxy_; }
  const Registry& registry() const { return registry_; }
  const Options& options() const { return registry_.options(); }

  /// The Sidecar resource that applies (§8.1), nullptr for the default scope (and gateways).
  const model::Sidecar* sidecar() const { return sidecar_; }
  /// Its egress listeners, or the default one (`*/*`).
  const std::vector<EgressListener>& egress_listeners() const { return egress_; }
  /// The outbound traffic policy: the Sidecar's, else the mesh's.
  OutboundPolicy outbound_policy() const;

  /// Services visible to the proxy through `listener` (exportTo + Sidecar hosts, trimmed to
  /// the listener's port), one namespace per hostname (the proxy's namespace first, then
  /// Kubernetes over ServiceEntry) — what listeners and routes are built from (istiod's
  /// IstioEgressListenerWrapper.services). A ServiceEntry with several addresses gives several
  /// entries with one hostname. In SidecarScope order. O(world) the first time for each of
  /// egress_listeners(), then memoized — use service_for_host() for one host.
  std::vector<MeshService> services(const EgressListener& listener) const;
  /// Every service of the scope (SidecarScope.Services(), what clusters are built from): the
  /// listeners' services merged one per hostname (Kubernetes over ServiceEntry, ports of
  /// partial copies merged), plus services that imported VirtualServices route to (§8.1).
  std::vector<MeshService> services() const;
  /// The service with `host` as this proxy sees it (exportTo and Sidecar applied; the entry
  /// services() holds for `host`), or nullopt. Costs what the host has, not what the mesh has
  /// (a restrictive Sidecar adds one pass over its imported VirtualServices, once per Scope);
  /// memoized per host.
  std::optional<MeshService> service_for_host(std::string_view host) const;

  /// The same three answers without copying them out of the memo (what the builders use: a
  /// translation asks them for every cluster and route).
  const std::vector<MeshService>& listener_services(const EgressListener& listener) const;
  const std::vector<MeshService>& scope_services() const;
  const MeshService* find_service(std::string_view host) const;  ///< nullptr: not visible.

  /// VirtualServices bound to `gateway` (`mesh` or `ns/name`) that this proxy imports, in
  /// precedence order (§8.3): the proxy's namespace, exported to it, then public; each by
  /// creation time. For sidecars only those whose hosts the egress listener imports. A root
  /// VirtualService comes with its delegates' routes merged in (delegate.h), as istiod has it;
  /// the same in the two below.
  std::vector<const model::VirtualService*> virtual_services(std::string_view gateway) const;
  /// The `mesh` VirtualServices one egress listener of a sidecar imports, in precedence order
  /// (SelectVirtualServices): what that listener's routes are built from. Memoized per
  /// listener of egress_listeners().
  std::vector<const model::VirtualService*> virtual_services(const EgressListener& listener) const;
  /// Same, limited to VirtualServices with a host that host_matches() `host`.
  std::vector<const model::VirtualService*> virtual_services_for_host(
      std::string_view gateway, std::string_view host) const;

  /// The DestinationRule that applies to service `host` for this proxy (§8.4), or nullopt.
  std::optional<AppliedDestinationRule> destination_rule(std::string_view host) const;
  /// Same, for `service` as this Scope gives it (services(), service_for_host()): skips
  /// looking the service up again.
  std::optional<AppliedDestinationRule> destination_rule(const MeshService& service) const;
  /// The same without the copy (nullptr: no rule). Memoized per (hostname, namespace) — all
  /// that the lookup reads of the service.
  const AppliedDestinationRule* find_destination_rule(std::string_view host) const;
  const AppliedDestinationRule* find_destination_rule(const MeshService& service) const;

  /// The proxy's locality (`region/zone/subzone`, empty when unknown): Proxy::locality, else
  /// workload_locality() of the oldest Pod its labels select (none when it has no labels),
  /// else of its own labels. Memoized.
  const std::string& locality() const;
  /// The proxy's labels with the topology labels of its locality and cluster added
  /// (augment_topology_labels), as istiod holds a proxy's labels: what a DestinationRule's
  /// `failoverPriority` compares with each endpoint's. Memoized.
  const model::Labels& topology_labels() const;

 private:
  const Registry& registry_;
  Proxy proxy_;
  /// A host some imported VirtualService routes to, for the listener that imports it.
  struct ImpliedDestination {
    std::size_t listener = 0;
    std::vector<std::uint32_t> ports;  ///< Destination ports; 0 means every port.
  };
  using ImpliedDestinations = std::map<std::string, std::vector<ImpliedDestination>, std::less<>>;
  /// Hosts routed to by the VirtualServices of listeners that do not import every visible
  /// service; built on first use.
  const ImpliedDestinations& implied_destinations() const;
  /// The visible services (exportTo applied, registry order grouped private / exported /
  /// public) of the namespaces a listener imports from (nullopt: of every namespace).
  const std::vector<MeshService>& visible_in(
      const std::optional<std::set<std::string>>& namespaces) const;
  /// The index of `listener` in egress_, or egress_.size() for a listener of another Scope.
  std::size_t listener_index(const EgressListener& listener) const;
  /// `list` with each root VirtualService replaced by its delegate-merged copy (delegate.h),
  /// made once per Scope.
  std::vector<const model::VirtualService*> with_delegates(
      std::vector<const model::VirtualService*> list) const;

  const model::Sidecar* sidecar_ = nullptr;
  std::vector<EgressListener> egress_;
  struct Memo;  // proxy.cpp
  std::shared_ptr<Memo> memo_;
};

}  // namespace meshward::translate
