// A Gateway with no servers. Istio's webhook rejects it ("gateway must have at least one
// server", ValidateGateway in pkg/config/validation/validation.go): the gateway workload would
// open no listener for it and every VirtualService bound to it would route nothing.

#include "meshward/model/kinds/gateway.h"
#include "meshward/rules/registry.h"

namespace meshward::rules {
namespace {

constexpr RuleInfo kInfo{"MW1102", "gateway-servers-missing", Family::Resource, Severity::Error,
                         "A Gateway has no servers", ""};

void check(const model::Gateway& gw, Sink& out) {
  if (gw.spec.servers.empty()) {
    out.report(kInfo, gw, gw.spec.loc,
               "Gateway has no servers: add at least one server with a port and hosts");
  }
}

}  // namespace

MESHWARD_REGISTER_RULE(resource_rule(kInfo, &check));

}  // namespace meshward::rules
