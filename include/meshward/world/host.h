#pragma once
// Istio host-name semantics (pkg/config/host/name.go) and the name normalisation pilot applies
// to configuration before indexing it (ResolveShortnameToFQDN, resolveGatewayName in
// pilot/pkg/model/config.go). Pure functions on strings; safe from any thread.

#include <string>
#include <string_view>
#include <vector>

#include "meshward/model/field.h"

namespace meshward::world {

/// The cluster domain suffix pilot appends to short names (`meshConfig` default).
inline constexpr std::string_view kDefaultDomainSuffix = "cluster.local";
/// The reserved gateway name that means "every sidecar in the mesh".
inline constexpr std::string_view kMeshGateway = "mesh";

/// Whether `host` is wildcarded, i.e. starts with `*` (`*`, `*.example.com`). Like Istio,
/// only the first character is looked at.
bool is_wildcard(std::string_view host);

/// Istio `Name.Matches`: whether two hosts overlap, wildcards honoured in both directions.
/// Exact hosts match when equal; `*.a.com` matches `b.a.com` and `*.b.a.com` (either order);
/// `*` matches everything; `*.a.com` does not match `a.com`. Suffix comparison is on raw
/// characters, as in Istio (so `*a.com` matches `ba.com`). Case-sensitive; symmetric.
bool host_matches(std::string_view a, std::string_view b);

/// Istio `Name.SubsetOf`: whether every name `a` covers is covered by `b` (one direction of
/// host_matches). `b.a.com` ⊆ `*.a.com`; `*.b.a.com` ⊆ `*.a.com`; `*.a.com` ⊄ `b.a.com`.
bool host_subset_of(std::string_view a, std::string_view b);

/// Whether `text` is an IPv4 or IPv6 address literal (an IPv6 zone, `fe80::1%eth0`, allowed),
/// as Go's `netip.ParseAddr` accepts it.
bool is_ip_address(std::string_view text);

/// Istio `ResolveShortnameToFQDN`: a host without a dot becomes
/// `<host>.<ns>.svc.<domain_suffix>`; a dotted host, an IP address, `*` and the empty host are
/// returned unchanged (so `reviews.bookinfo` stays `reviews.bookinfo`). An empty `ns` skips the
/// namespace part, an empty suffix the `.svc.<suffix>` part, as pilot does.
std::string resolve_short_name(std::string_view host, std::string_view ns,
                               std::string_view domain_suffix = kDefaultDomainSuffix);

/// The registry host of a Kubernetes Service: `<name>.<ns>.svc.<domain_suffix>`.
std::string service_fqdn(std::string_view name, std::string_view ns,
                         std::string_view domain_suffix = kDefaultDomainSuffix);

/// Istio `resolveGatewayName` as applied to VirtualService `gateways`: `mesh` is kept; `name`
/// and `./name` become `<vs_namespace>/name`; `ns/name` is kept; the legacy dotted form
/// `name.ns[.svc.cluster.local]` becomes `ns/name`.
std::string resolve_gateway_ref(std::string_view ref, std::string_view vs_namespace);

/// The gateway refs a VirtualService binds (Istio `getGatewayNames` after resolution): each
/// entry of `gateways` resolved with resolve_gateway_ref, duplicates dropped, first-seen order;
/// an empty list means `{"mesh"}`.
std::vector<std::string> resolve_gateway_refs(
    const std::vector<model::Field<std::string>>& gateways, std::string_view vs_namespace);

}  // namespace meshward::world
