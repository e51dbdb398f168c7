#pragma once
// The mesh's extensionProviders as CUSTOM AuthorizationPolicies use them: an external
// authorizer (ext_authz over HTTP or gRPC) that istiod configures on every workload a CUSTOM
// policy selects. When istiod cannot use the provider a workload's CUSTOM policies name —
// undefined, not an authorizer, invalid, its service not in the registry, or two different
// providers on one workload — it logs the error and installs an RBAC filter that denies every
// request instead (`default-deny-all-due-to-bad-CUSTOM-action`, pilot/pkg/security/authz/
// builder/extauthz.go). resolve_ext_authz() reproduces that decision.

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "meshward/core/result.h"

namespace meshward::world {
class View;
}

namespace meshward::translate {

/// An ext_authz provider's includeRequestBodyInCheck.
struct ExtAuthzRequestBody {
  std::uint32_t max_request_bytes = 0;
  bool allow_partial_message = false;
  bool pack_as_bytes = false;
  friend bool operator==(const ExtAuthzRequestBody&, const ExtAuthzRequestBody&) = default;
};

/// meshConfig.extensionProviders[]: the fields of envoyExtAuthzHttp / envoyExtAuthzGrpc; other
/// provider kinds (tracing, logging, metrics) keep their name and kind only.
struct MeshExtensionProvider {
  enum class Type : std::uint8_t { ExtAuthzHttp, ExtAuthzGrpc, Other };
  std::string name;
  Type type = Type::Other;
  std::string other_type;  ///< The provider's key for Type::Other (e.g. `zipkin`).
  std::string service;     ///< `ns/hostname` or `hostname`.
  std::uint32_t port = 0;
  std::optional<std::int64_t> timeout_nanos;  ///< Unset: 600s.
  std::string path_prefix;
  bool fail_open = false;
  std::string status_on_error;
  std::vector<std::string> include_request_headers_in_check;
  std::vector<std::string> include_headers_in_check;  ///< Deprecated form of the above.
  std::vector<std::pair<std::string, std::string>> include_additional_headers_in_check;  ///< Sorted.
  std::vector<std::string> headers_to_upstream_on_allow;
  std::vector<std::string> headers_to_downstream_on_deny;
  std::vector<std::string> headers_to_downstream_on_allow;
  std::optional<ExtAuthzRequestBody> include_request_body_in_check;
  friend bool operator==(const MeshExtensionProvider&, const MeshExtensionProvider&) = default;
};

/// The authorizer a workload's CUSTOM policies call: the provider and its service's hostname
/// and cluster (`outbound|<port>||<hostname>`).
struct ResolvedExtAuthz {
  const MeshExtensionProvider* provider = nullptr;
  std::string hostname;
  std::string cluster;
};

/// getExtAuthz over processExtensionProvider: the provider that `named` (the provider name of
/// each CUSTOM policy on one workload, in any order) resolve to among `providers`, its service
/// looked up in `view`'s registry (Services and ServiceEntries of any namespace); or istiod's
/// error, for which it denies every request to the workload.
Result<ResolvedExtAuthz> resolve_ext_authz(const world::View& view,
                                           const std::vector<MeshExtensionProvider>& providers,
                                           const std::vector<std::string>& named,
                                           const std::string& domain_suffix);

}  // namespace meshward::translate
