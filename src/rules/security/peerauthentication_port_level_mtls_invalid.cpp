// A PeerAuthentication portLevelMtls that istiod does not apply: on a mesh- or namespace-wide
// policy (no selector labels) port-level settings have no workload port to attach to, and a
// port number outside 1..65535 names no port. Istio's webhook rejects both ("mesh/namespace
// peer authentication cannot have port level mTLS", "port must be in range 1..65535";
// ValidatePeerAuthentication in pkg/config/validation/validation.go). Keys that are not numbers
// at all are reported by the decoder (MW1002).

#include <charconv>
#include <cstdint>
#include <string>

#include "meshward/model/kinds/peer_authentication.h"
#include "meshward/rules/registry.h"

namespace meshward::rules {
namespace {

constexpr RuleInfo kInfo{"MW3103", "peerauthentication-port-level-mtls-invalid",
                         Family::Security, Severity::Error,
                         "A PeerAuthentication sets portLevelMtls without selector labels, or for "
                         "a port outside 1..65535",
                         ""};

void check(const model::PeerAuthentication& pa, Sink& out) {
  const model::PeerAuthenticationSpec& spec = pa.spec;
  if (spec.port_level_mtls.empty()) {
    return;
  }
  const bool selects = spec.selector && !spec.selector->match_labels.empty();
  if (!selects) {
    const model::MutualTls& first = spec.port_level_mtls.begin()->second;
    out.report(kInfo, pa, first.loc.path.empty() ? spec.loc : first.loc,
               "portLevelMtls needs a workload selector: a mesh- or namespace-wide policy cannot "
               "have port-level mTLS; add selector.matchLabels or move the ports to a "
               "workload-specific PeerAuthentication");
  }
  for (const auto& [key, mtls] : spec.port_level_mtls) {
    std::uint64_t port = 0;
    const char* end = key.data() + key.size();
    auto [p, ec] = std::from_chars(key.data(), end, port);
    if (key.empty() || ec != std::errc() || p != end || port > 0xFFFFFFFFu) {
      continue;  // not a uint32: the decoder reported it
    }
    if (port == 0 || port > 65535) {
      out.report(kInfo, pa, mtls.loc.path.empty() ? spec.loc : mtls.loc,
                 "portLevelMtls port " + key +
                     " is outside 1..65535: use the workload's container port number");
    }
  }
}

}  // namespace

MESHWARD_REGISTER_RULE(resource_rule(kInfo, &check));

}  // namespace meshward::rules
