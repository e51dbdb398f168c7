#pragma once
// Helpers the mesh checks (src/rules/mesh/, and context checks of the other families) share: walking a VirtualService's destinations,
// looking a host up in the service registry (Services, ServiceEntries) and DestinationRules
// with pilot's precedence (istio-translation.md §8.4), gateway server host forms (§4.1),
// and describing a route's match for messages. Everything reads the world through the
// Context, so the kinds a helper touches count as the calling check's inputs (each helper
// says which).

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "meshward/model/kinds/destination_rule.h"
#include "meshward/model/kinds/gateway.h"
#include "meshward/model/kinds/service.h"
#include "meshward/model/kinds/service_entry.h"
#include "meshward/model/kinds/virtual_service.h"
#include "meshward/model/kinds/peer_authentication.h"
#include "meshward/core/text.h"
#include "meshward/rules/rule.h"
#include "meshward/world/selector.h"

namespace meshward::rules::mesh {

/// What the translator's EDS for a client (translate::build_endpoints on a Scope) reads to
/// decide which endpoints a cluster has: the Scope (Sidecar; VirtualServices for the services a
/// restrictive Sidecar imports through them), the registry (Services, ServiceEntries and their
/// endpoints: EndpointSlices, Endpoints, Pods, WorkloadEntries) and the DestinationRule lookup.
/// It also reads PeerAuthentication, for each endpoint's tlsMode metadata only: that never
/// decides whether an assignment is empty, so it is no input of the checks that ask.
inline constexpr KindSet kEndpointTranslatorReads{
    model::Kind::VirtualService, model::Kind::DestinationRule, model::Kind::Service,
    model::Kind::ServiceEntry,   model::Kind::Endpoints,       model::Kind::EndpointSlice,
    model::Kind::Pod,            model::Kind::WorkloadEntry,   model::Kind::Sidecar};

/// meshConfig.rootNamespace of the run (`--mesh-config`; istio-system by default): the
/// namespace whose DestinationRules, Sidecars and policies apply mesh-wide.
inline const std::string& root_namespace(const Context& ctx) {
  return ctx.translate_options().mesh.root_namespace;
}

/// Where a destination sits in its VirtualService.
struct DestinationSite {
  enum class Block : std::uint8_t { Http, Tls, Tcp };
  Block block = Block::Http;
  bool mirror = false;                   ///< An HTTP mirror / mirrors[] destination.
  const model::HttpRoute* http = nullptr;  ///< The HTTP route (Http block only).
};

/// Calls `fn(destination, site)` for every destination of `vs`: http[].route[], http[].mirror,
/// http[].mirrors[], tls[].route[], tcp[].route[] (in spec order).
void for_each_destination(
    const model::VirtualService& vs,
    const std::function<void(const model::Destination&, const DestinationSite&)>& fn);

/// The registry entries behind `host` (an FQDN, not a wildcard) visible from namespace `ns`:
/// Kubernetes Services whose FQDN is `host`, ServiceEntries with a host that covers it.
/// Reads Service and ServiceEntry. `ns` empty = ignore visibility.
std::vector<const model::Object*> registry_entries(const Context& ctx, std::string_view host,
                                                   std::string_view ns);
/// As registry_entries() with visibility ignored (for "exists but not exported" messages).
inline std::vector<const model::Object*> registry_entries_anywhere(const Context& ctx,
                                                                   std::string_view host) {
  return registry_entries(ctx, host, {});
}

/// The port numbers of a Service or ServiceEntry, in spec order.
std::vector<std::uint32_t> service_ports(const model::Object& entry);

/// The DestinationRules a client in `client_ns` uses for `host` (§8.4): the first of client
/// namespace, service namespace(s), root namespace holding a visible DR whose host covers
/// `host`; within it the most specific host (exact, else longest wildcard), all DRs with that
/// host (pilot merges them). `service_namespaces` are the namespaces of the registry entries
/// behind the host. Reads DestinationRule.
struct DrLookup {
  std::vector<const model::DestinationRule*> rules;  ///< Oldest first; empty = none.
  std::string host;  ///< The DR host that matched (resolved).
};
DrLookup lookup_destination_rules(const Context& ctx, std::string_view host,
                                  std::string_view client_ns,
                                  const std::vector<std::string>& service_namespaces);

/// A DestinationRule's `host` resolved in its namespace.
std::string dr_host(const model::DestinationRule& dr);

/// Gateway server host after sanitizeServerHostNamespace (`./h` -> `<gw-ns>/h`, `*/h` -> `h`).
std::string sanitize_server_host(std::string_view host, std::string_view gateway_ns);
/// The namespace part and the host part of a sanitized server host (`""` when no `ns/`).
std::pair<std::string, std::string> split_server_host(std::string_view sanitized);
/// Whether sanitized server host `server_host` applies to a VirtualService in `vs_ns`
/// (host.NamesForNamespace) and, if so, its host part through `out`.
bool server_host_for_namespace(std::string_view server_host, std::string_view vs_ns,
                               std::string& out);

/// The Gateway a resolved reference (`ns/name`, world::resolve_gateway_ref) names; null for
/// `mesh` and for a Gateway that does not exist (MW2104). Reads Gateway.
const model::Gateway* find_gateway(const Context& ctx, std::string_view ref);

/// The cluster a destination routes to: `outbound|<port>|<subset>|<host>`, with `<port>`
/// written so when the destination names none (the route then uses the listener's port).
std::string destination_cluster(const model::Destination& dest, std::string_view host);

/// What clients get when the cluster of a destination at `site` is missing from their proxy:
/// "TCP (TLS) connections routed to <host><via> are closed", "mirrored requests to
/// <host><via> are never sent", or "requests routed to <host><match><via> get 503 NC".
std::string missing_cluster_effect(const DestinationSite& site, std::string_view host,
                                   std::string_view via = {});

/// The gateway workload's Service: the oldest Service whose selector overlaps the Gateway's
/// (one contains the other), found through the selector indexes; null when none (or the
/// Gateway selects nothing). Reads Service.
const model::Service* gateway_workload_service(const Context& ctx, const model::Gateway& gw);
/// The namespace the Gateway's proxies run in, whose view of the mesh (exportTo) their routes
/// and clusters follow: its workload Service's, else the Gateway's own. Reads Service.
const std::string& gateway_proxy_namespace(const Context& ctx, const model::Gateway& gw);

/// "ns/name".
std::string full_name(const model::Object& object);

/// " with <conditions>" for an HTTP route's first match (path, headers, method, port), or ""
/// when the route has no match. "(or N other matches)" appended when there are more.
std::string describe_match(const model::HttpRoute& route);

/// Joins with `sep` (core/text.h).
using meshward::join;

/// `app: x, version: v1` style rendering of a selector.
std::string render_selector(const model::StringMap& selector);

/// Whether any Pod or WorkloadEntry exists in the world (reads Pod and WorkloadEntry).
bool workloads_known(const Context& ctx);

/// The Pods and WorkloadEntries of namespace `ns` (every namespace when empty) whose labels
/// contain `selector`. Reads Pod and WorkloadEntry.
std::vector<const model::Object*> selected_workloads(const Context& ctx, std::string_view ns,
                                                     const model::Labels& selector);

/// The PeerAuthentication that decides the mTLS mode of a workload with `labels` in `ns` (port
/// overrides aside; world::effective_peer_authentication, istiod's composition): nullptr when
/// none sets one (PERMISSIVE). Reads PeerAuthentication.
const model::PeerAuthentication* mtls_policy_for(const Context& ctx, std::string_view ns,
                                                 const model::Labels& labels);

/// A workload a policy applies to, as the policy checks judge it: its namespace, labels and a
/// description for messages (`Pod bookinfo/reviews-v1-...`, or `workloads app: x in ns`).
struct PolicyWorkload {
  std::string namespace_;
  model::Labels labels;
  std::string description;
};
/// Calls `fn(const PolicyWorkload&)` for each workload a security policy (`policy`, selecting
/// with `selector`) applies to — the selected Pods and WorkloadEntries (any namespace for the
/// root namespace's policies) when the world has workloads, else one hypothetical workload with
/// the selector's labels in the policy's namespace — until `fn` returns true. Reads Pod and
/// WorkloadEntry.
template <class Fn>
void for_each_policy_workload(const Context& ctx, const model::Object& policy,
                              const model::StringMap* selector, Fn&& fn);

/// A label selector that no workload matches (MW2111 for policies, MW4115 for EnvoyFilters).
struct EmptySelection {
  const model::StringMap* labels = nullptr;  ///< The selector, borrowed from the object.
  std::string where;  ///< "in <namespace>", or "in any namespace" for the root namespace.
};
/// When `object` selects workloads by labels (world::workload_selection() mode Labels) and no
/// Pod or WorkloadEntry carries them — in its namespace, or in any namespace when it is in
/// the root namespace (its config applies mesh-wide) — the selector; nullopt otherwise
/// (including objects that select every workload, or attach by targetRef). Callers judge only
/// when workloads_known(). Reads Pod and WorkloadEntry.
std::optional<EmptySelection> selects_no_workload(const Context& ctx,
                                                  const model::Object& object);

template <class Fn>
void for_each_policy_workload(const Context& ctx, const model::Object& policy,
                              const model::StringMap* selector, Fn&& fn) {
  const model::Labels labels = selector != nullptr ? world::to_labels(*selector) : model::Labels{};
  if (!workloads_known(ctx)) {
    const bool all = selector == nullptr || selector->empty();
    fn(PolicyWorkload{policy.meta.namespace_, labels,
                      all ? "the workloads of " + policy.meta.namespace_
                          : "workloads " + render_selector(*selector) + " in " +
                                policy.meta.namespace_});
    return;
  }
  const bool root = policy.meta.namespace_ == root_namespace(ctx);
  for (const model::Object* w :
       selected_workloads(ctx, root ? std::string_view() : std::string_view(policy.meta.namespace_),
                          labels)) {
    if (const auto workload_labels = world::workload_labels(*w)) {
      if (fn(PolicyWorkload{w->meta.namespace_, *workload_labels,
                            std::string(model::kind_name(w->kind())) + " " + w->meta.namespace_ +
                                "/" + w->meta.name})) {
        return;
      }
    }
  }
}

}  // namespace meshward::rules::mesh
