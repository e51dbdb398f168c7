// TCP routes Istio cannot program: destinationSubnets that are not IPs/CIDRs, ports outside
// 1..65535, invalid sourceLabels, or no route. Istio's webhook rejects them (validateTCPRoute /
// validateTCPMatch, pkg/config/validation/validation.go).

#include "meshward/model/kinds/virtual_service.h"
#include "meshward/rules/registry.h"
#include "meshward/rules/validate.h"

namespace meshward::rules {
namespace {

constexpr RuleInfo kInfo{"MW1221", "virtualservice-tcp-route-invalid", Family::Resource,
                         Severity::Error, "A TCP route or its match is invalid", ""};

void check(const model::VirtualService& vs, Sink& out) {
  for (const model::TcpRoute& tcp : vs.spec.tcp) {
    for (const model::L4MatchAttributes& m : tcp.match) {
      for (const auto& subnet : m.destination_subnets) {
        if (auto w = validate::ip_or_cidr(subnet.value)) {
          out.report(kInfo, vs, subnet.loc, "destinationSubnets: " + *w);
        }
      }
      if (m.port.value != 0) {
        if (auto w = validate::port(m.port.value)) {
          out.report(kInfo, vs, m.port.loc, "match " + *w);
        }
      }
      for (const auto& [key, value] : m.source_labels) {
        if (auto w = validate::label_key(key)) {
          out.report(kInfo, vs, value.loc, "sourceLabels: " + *w);
        }
        if (auto w = validate::label_value(value.value)) {
          out.report(kInfo, vs, value.loc, "sourceLabels: " + *w);
        }
      }
    }
    if (tcp.route.empty()) {
      out.report(kInfo, vs, tcp.loc, "TCP route has no route: add a destination");
    }
  }
}

}  // namespace

MESHWARD_REGISTER_RULE(resource_rule(kInfo, &check));

}  // namespace meshward::rules
