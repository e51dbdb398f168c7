// A DestinationRule sets tls.mode DISABLE or SIMPLE for a host whose workloads a
// PeerAuthentication puts in STRICT mTLS. The client sidecar then sends plaintext (DISABLE) or
// TLS with a certificate the server does not accept as Istio mTLS (SIMPLE) on the cluster
// outbound|<port>|<subset>|<host>, while the server sidecar's inbound listener only accepts
// Istio mTLS: the connection is reset and requests get 503 (UC/URX, "upstream connect error
// or disconnect/reset before headers"). The effective mode of a Service's workloads is the
// first set mode of: a PeerAuthentication in the Service's namespace whose selector is part
// of the Service's selector, the namespace-wide one, the root-namespace (mesh-wide) one
// (port-level overrides are not considered). istioctl analyze had IST0113 MTLSPolicyConflict.

#include <string>
#include <vector>

#include "mesh_util.h"
#include "meshward/model/kinds/peer_authentication.h"
#include "meshward/rules/registry.h"
#include "meshward/translate/names.h"
#include "meshward/world/host.h"
#include "meshward/world/selector.h"

namespace meshward::rules {
namespace {

using model::Kind;

constexpr RuleInfo kInfo{"MW2114", "destinationrule-tls-conflicts-strict-mtls", Family::Mesh,
                         Severity::Error,
                         "A DestinationRule disables Istio mTLS (DISABLE/SIMPLE) for workloads "
                         "a PeerAuthentication makes STRICT (503 on connect)",
                         "IST0113"};

void check(const Context& ctx, Sink& out) {
  ctx.each<model::Service>([&](const model::Service& svc) {
    if (svc.spec.selector.empty()) {
      return;
    }
    const model::PeerAuthentication* pa =
        mesh::mtls_policy_for(ctx, svc.meta.namespace_, world::to_labels(svc.spec.selector));
    if (pa == nullptr || *pa->spec.mtls->mode != model::MutualTlsMode::Strict) {
      return;
    }
    const std::string host = world::service_fqdn(svc.meta.name, svc.meta.namespace_);
    const std::uint32_t port =
        svc.spec.ports.empty() ? 0 : static_cast<std::uint32_t>(svc.spec.ports.front().port.value);
    for (const model::Object* o : ctx.by_host(Kind::DestinationRule, host)) {
      const auto* dr = o->as<model::DestinationRule>();
      if (dr == nullptr || !world::host_subset_of(host, mesh::dr_host(*dr))) {
        continue;
      }
      const auto judge = [&](const model::ClientTlsSettings& tls, const std::string& subset,
                             std::uint32_t at_port) {
        const auto mode = tls.mode.value_or(model::ClientTlsMode::Disable);
        if (mode != model::ClientTlsMode::Disable && mode != model::ClientTlsMode::Simple) {
          return;
        }
        const std::string cluster =
            at_port != 0 ? translate::outbound_cluster_name(at_port, subset, host)
                         : "outbound|<port>|" + subset + "|" + host;
        const std::string how = mode == model::ClientTlsMode::Disable
                                    ? "sends plaintext"
                                    : "originates TLS without the Istio client certificate";
        out.report(kInfo, *dr, tls.mode.present ? tls.mode.loc : tls.loc,
                   "tls.mode " + std::string(model::enum_name(mode)) + ": cluster " + cluster +
                       " " + how + " to " + host + ", whose workloads PeerAuthentication " +
                       mesh::full_name(*pa) + " makes STRICT: the server sidecar resets the "
                       "connection and requests get 503 (upstream connect error); use "
                       "ISTIO_MUTUAL or drop the tls block (auto mTLS)");
      };
      if (dr->spec.traffic_policy) {
        const model::TrafficPolicy& tp = *dr->spec.traffic_policy;
        if (tp.tls) {
          judge(*tp.tls, "", port);
        }
        for (const model::PortTrafficPolicy& pl : tp.port_level_settings) {
          if (pl.tls) {
            judge(*pl.tls, "", pl.port && pl.port->number.present ? *pl.port->number : port);
          }
        }
      }
      for (const model::Subset& s : dr->spec.subsets) {
        if (s.traffic_policy && s.traffic_policy->tls) {
          judge(*s.traffic_policy->tls, s.name.value, port);
        }
      }
    }
  });
}

}  // namespace

MESHWARD_REGISTER_RULE(mesh_rule(kInfo,
                                 KindSet{Kind::Service, Kind::PeerAuthentication,
                                         Kind::DestinationRule},
                                 &check));

}  // namespace meshward::rules
