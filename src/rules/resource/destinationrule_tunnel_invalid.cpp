// DestinationRule `trafficPolicy.tunnel` settings Istio's webhook rejects
// (validateTrafficPolicy, validateTunnelSettings in pkg/config/validation/validation.go): a
// tunnel together with proxyProtocol, a protocol other than CONNECT/POST, a target host that is
// neither an FQDN nor an IP, or a target port outside 1..65535. Envoy could not build the
// tunnelling upstream, so traffic to the host would fail.

#include "meshward/model/kinds/destination_rule.h"
#include "meshward/rules/registry.h"
#include "meshward/rules/validate.h"

namespace meshward::rules {
namespace {

constexpr RuleInfo kInfo{"MW1304", "destinationrule-tunnel-invalid", Family::Resource,
                         Severity::Error,
                         "A DestinationRule tunnel is invalid or combined with proxyProtocol", ""};

void check_policy(const model::DestinationRule& dr, const model::TrafficPolicy& tp, Sink& out) {
  if (!tp.tunnel) {
    return;
  }
  const model::TunnelSettings& tunnel = *tp.tunnel;
  if (tp.proxy_protocol) {
    out.report(kInfo, dr, tp.proxy_protocol->loc,
               "tunnel and proxyProtocol must not be set together: remove one of them");
  }
  if (tunnel.protocol.present && *tunnel.protocol != "CONNECT" && *tunnel.protocol != "POST") {
    out.report(kInfo, dr, tunnel.protocol.loc,
               "tunnel protocol " + validate::quote(*tunnel.protocol) +
                   " is not supported: use CONNECT (the default) or POST");
  }
  if (tunnel.target_host.present && validate::fqdn(*tunnel.target_host) &&
      !validate::is_ip(*tunnel.target_host)) {
    out.report(kInfo, dr, tunnel.target_host.loc,
               "tunnel targetHost " + validate::quote(*tunnel.target_host) +
                   " is neither a valid FQDN nor an IP address: set the host name or IP the "
                   "tunnel proxy should connect to");
  }
  if (tunnel.target_port.present) {
    if (auto why = validate::port(*tunnel.target_port)) {
      out.report(kInfo, dr, tunnel.target_port.loc,
                 "tunnel targetPort is invalid (" + *why + "): use a port in 1..65535");
    }
  }
}

void check(const model::DestinationRule& dr, Sink& out) {
  if (dr.spec.traffic_policy) {
    check_policy(dr, *dr.spec.traffic_policy, out);
  }
  for (const model::Subset& subset : dr.spec.subsets) {
    if (subset.traffic_policy) {
      check_policy(dr, *subset.traffic_policy, out);
    }
  }
}

}  // namespace

MESHWARD_REGISTER_RULE(resource_rule(kInfo, &check));

}  // namespace meshward::rules
