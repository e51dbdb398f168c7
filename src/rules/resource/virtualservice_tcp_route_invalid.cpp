// TCP routes Istio cannot program: destinationSubnets that are not IPs/CIDRs, ports outside
// 1..65535, invalid sourceLabels, or no route. Istio's webhook rejects them (validateTCPRoute /
// validateTCPMatch, pkg/config/validation/validation.go).

#include "meshward/model/kinds/virtual_service.h"
#include "meshward/rules/registry.h"
#include "l4_match_util.h"

namespace meshward::rules {
namespace {

constexpr RuleInfo kInfo{"MW1221", "virtualservice-tcp-route-invalid", Family::Resource,
                         Severity::Error, "A TCP route or its match is invalid", ""};

void check(const model::VirtualService& vs, Sink& out) {
  for (const model::TcpRoute& tcp : vs.spec.tcp) {
    for (const model::L4MatchAttributes& m : tcp.match) {
      check_l4_match(kInfo, vs, m.destination_subnets, m.port, m.source_labels, out);
    }
    if (tcp.route.empty()) {
      out.report(kInfo, vs, tcp.loc, "TCP route has no route: add a destination");
    }
  }
}

}  // namespace

MESHWARD_REGISTER_RULE(resource_rule(kInfo, &check));

}  // namespace meshward::rules
