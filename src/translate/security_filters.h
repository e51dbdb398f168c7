#pragma once
// The filters istiod builds from the workload's security policies and puts on inbound and
// gateway connection managers (and inbound TCP chains): ext_authz for CUSTOM
// AuthorizationPolicies, jwt_authn for RequestAuthentications (authn Builder.BuildHTTP), RBAC for
// AUDIT / DENY / ALLOW AuthorizationPolicies (authz builder.go, model/generator.go). Sidecar
// outbound gets none of them.

#include <vector>

#include "meshward/translate/proxy.h"
#include "meshward/translate/xds.h"

namespace meshward::translate::detail {

struct SecurityFilters {
  /// HTTP filters, in istiod's order: CUSTOM (shadow RBAC + ext_authz), jwt_authn, then RBAC for
  /// AUDIT, DENY, ALLOW. They go right after istio.metadata_exchange.
  std::vector<HttpFilter> http;
  /// Network filters for TCP chains: CUSTOM (shadow RBAC + ext_authz), then RBAC for AUDIT,
  /// DENY, ALLOW. They go after the metadata exchange and before istio.stats.
  std::vector<NetworkFilter> tcp;
};

/// The filters for the proxy of `scope` (its namespace's and the root namespace's policies that
/// select its labels; targetRefs policies attach to no sidecar).
SecurityFilters security_filters(const Scope& scope);

/// Inserts `filters` into an HCM's filter list right after istio.metadata_exchange (first when
/// there is none).
void insert_http_security_filters(std::vector<HttpFilter>& http_filters,
                                  const std::vector<HttpFilter>& filters);
/// Inserts `filters` into a TCP chain before istio.stats (before the last filter when there is
/// none).
void insert_tcp_security_filters(std::vector<NetworkFilter>& chain_filters,
                                 const std::vector<NetworkFilter>& filters);

}  // namespace meshward::translate::detail
