#pragma once
// What the world indexes read from one object: the hosts it is found under, the gateways a
// VirtualService binds, and its exportTo visibility. Pure functions of the object (they never
// look at other objects); safe from any thread.

#include <string>
#include <string_view>
#include <vector>

#include "meshward/model/object.h"

namespace meshward::world {

/// The annotation that carries a Kubernetes Service's exportTo list (comma separated).
inline constexpr std::string_view kExportToAnnotation = "networking.istio.io/exportTo";

/// The label that names an EndpointSlice's Service (discovery.k8s.io).
inline constexpr std::string_view kEndpointSliceServiceLabel = "kubernetes.io/service-name";

/// Whether objects of `kind` are indexed by host (VirtualService, DestinationRule,
/// ServiceEntry, Service, EndpointSlice, Gateway).
bool is_host_indexed_kind(model::Kind kind);

/// The Service an EndpointSlice belongs to (its kubernetes.io/service-name label); empty when
/// unlabelled. A view into the object.
std::string_view endpoint_slice_service(const model::Object& slice);

/// The hosts under which `object` is found by host, as pilot normalises them:
/// VirtualService `spec.hosts` and DestinationRule `spec.host` resolved with
/// resolve_short_name() in the object's namespace; ServiceEntry `spec.hosts` verbatim;
/// Service `<name>.<ns>.svc.cluster.local`; EndpointSlice the FQDN of its Service (label
/// kubernetes.io/service-name), so `by_host(EndpointSlice, fqdn)` lists a Service's slices;
/// Gateway every `spec.servers[].hosts` entry without its `ns/` part (`./a.com`, `*/a.com`
/// and `web/a.com` are all found under `a.com`). Empty for other kinds. In spec order;
/// duplicates kept.
std::vector<std::string> indexed_hosts(const model::Object& object);

/// The host part of a Gateway server host: the text after the first `/` (`ns/a.com`,
/// `./a.com`, `*/a.com` -> `a.com`), or all of it.
std::string_view server_host_part(std::string_view server_host);

/// The destination hosts of a VirtualService, resolved with resolve_short_name() in its
/// namespace: every `destination.host` of http[].route[], http[].mirror, http[].mirrors[],
/// tls[].route[] and tcp[].route[], in that order, duplicates kept. Empty for other kinds.
std::vector<std::string> destination_hosts(const model::Object& object);

/// The gateway refs a VirtualService binds (resolve_gateway_refs() of `spec.gateways` in its
/// namespace: `ns/name` or `mesh`; `{"mesh"}` when the list is empty). Empty for other kinds.
std::vector<std::string> bound_gateways(const model::Object& object);

/// Whether an AuthorizationPolicy is dry-run: its `istio.io/dry-run` annotation is true as Go's
/// strconv.ParseBool reads it (`true`, `True`, `TRUE`, `t`, `T`, `1`). istiod then installs its
/// rules as shadow rules, enforcing nothing.
bool is_dry_run(const model::Object& policy);

/// MeshConfig `default*ExportTo`: what an object that names no exportTo of its own is exported
/// to, by kind. Empty lists are Istio's default, `*`.
struct ExportDefaults {
  std::vector<std::string> services;           ///< defaultServiceExportTo: Service, ServiceEntry
  std::vector<std::string> virtual_services;   ///< defaultVirtualServiceExportTo
  std::vector<std::string> destination_rules;  ///< defaultDestinationRuleExportTo
  friend bool operator==(const ExportDefaults&, const ExportDefaults&) = default;
};

/// The object's exportTo entries: VirtualService, DestinationRule, ServiceEntry
/// `spec.exportTo`; Service annotation `networking.istio.io/exportTo` split on commas and
/// trimmed; when the object names none, the mesh default for its kind (`defaults`). Empty
/// means public, and for kinds without exportTo.
std::vector<std::string> export_to(const model::Object& object, const ExportDefaults& defaults = {});

/// Whether `object` is visible to (applies to proxies and configuration in) namespace `ns`,
/// with the mesh's default*ExportTo (`defaults`) for an object that names no exportTo:
/// - no exportTo (here or by default), or `*` among the entries: every namespace;
/// - `.`: the object's own namespace; a namespace name: that namespace;
/// - `~` (nobody): for a VirtualService it hides the object even from entries beside it (as
///   pilot's initVirtualServices does); elsewhere it matches no namespace.
/// A DestinationRule with a workloadSelector is visible only in its own namespace (pilot forces
/// it private). Kinds without exportTo (Gateway, Sidecar, policies, ...) are visible everywhere.
bool visible_to(const model::Object& object, std::string_view ns,
                const ExportDefaults& defaults = {});

}  // namespace meshward::world
