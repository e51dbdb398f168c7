// Two servers of one Gateway whose ports share a name. Istio's webhook rejects it ("port names
// in servers must be unique", ValidateGateway in pkg/config/validation/validation.go): the
// port name keys the generated listener/route configuration, so servers would collide.

#include <map>
#include <string>

#include "meshward/model/kinds/gateway.h"
#include "meshward/rules/registry.h"
#include "meshward/rules/validate.h"

namespace meshward::rules {
namespace {

constexpr RuleInfo kInfo{"MW1105", "gateway-port-names-duplicate", Family::Resource,
                         Severity::Error, "Two servers of a Gateway use the same port name", ""};

void check(const model::Gateway& gw, Sink& out) {
  std::map<std::string, std::size_t> seen;  // name -> first server index
  for (std::size_t i = 0; i < gw.spec.servers.size(); ++i) {
    const model::Server& server = gw.spec.servers[i];
    if (!server.port) {
      continue;
    }
    const auto& name = server.port->name;
    auto [it, inserted] = seen.emplace(name.value, i);
    if (!inserted) {
      out.report(kInfo, gw, name.present ? name.loc : server.port->loc,
                 "port name " + validate::quote(name.value) + " is already used by servers[" +
                     std::to_string(it->second) + "]: give each server port a unique name");
    }
  }
}

}  // namespace

MESHWARD_REGISTER_RULE(resource_rule(kInfo, &check));

}  // namespace meshward::rules
