#pragma once
// The PeerAuthentication in effect for a workload: istiod's ComposePeerAuthentication
// (pilot/pkg/security/authn/policy_applier.go), shared by the translator (inbound filter
// chains, endpoint tlsMode) and the checks that reason about mTLS.

#include <cstdint>
#include <map>
#include <string_view>

#include "meshward/model/kinds/peer_authentication.h"
#include "meshward/world/view.h"

namespace meshward::world {

/// The merged policy of one workload. Of each scope istiod keeps one policy, the oldest: the
/// mesh policy (root namespace, no selector), the namespace policy (no selector) and the
/// workload policy (a selector the workload's labels contain; never one in the root
/// namespace). The narrowest that sets a mode wins; UNSET inherits; no policy is PERMISSIVE.
struct EffectivePeerAuthentication {
  model::MutualTlsMode mode = model::MutualTlsMode::Permissive;  ///< Never Unset.
  /// The workload policy's portLevelMtls by port number, UNSET resolved to `mode`. Keys that
  /// are not port numbers are left out (Istio's validation rejects them).
  std::map<std::uint32_t, model::MutualTlsMode> per_port;
  /// The policy whose mode is `mode`; nullptr when none sets one (the PERMISSIVE default).
  const model::PeerAuthentication* mode_source = nullptr;
  /// The workload policy in effect (whose portLevelMtls gives per_port), or nullptr.
  const model::PeerAuthentication* workload_policy = nullptr;

  /// The mode for traffic to `port` (GetMutualTLSModeForPort): its port-level setting, else
  /// `mode`.
  model::MutualTlsMode for_port(std::uint32_t port) const;
};

/// Composes the policies of `view` for a workload with `labels` in namespace `ns`, the mesh
/// root namespace being `root`. Costs nothing when the world has no PeerAuthentication.
EffectivePeerAuthentication effective_peer_authentication(const View& view, std::string_view root,
                                                          std::string_view ns,
                                                          const model::Labels& labels);

}  // namespace meshward::world
