// A Gateway server `bind` that is neither an IP address nor `unix://<absolute path|@abstract>`,
// or a unix:// bind with a non-zero port. Istio's webhook rejects it (validateServerBind,
// pkg/config/validation/validation.go): Envoy cannot bind the listener.

#include <string>

#include "meshward/model/kinds/gateway.h"
#include "meshward/rules/registry.h"
#include "meshward/rules/validate.h"

namespace meshward::rules {
namespace {

constexpr RuleInfo kInfo{"MW1106", "gateway-bind-invalid", Family::Resource, Severity::Error,
                         "A Gateway server bind is not an IP or a valid unix:// address", ""};

void check(const model::Gateway& gw, Sink& out) {
  for (const model::Server& server : gw.spec.servers) {
    const std::string& bind = server.bind.value;
    if (bind.rfind("unix://", 0) == 0) {
      if (auto why = validate::unix_address(std::string_view(bind).substr(7))) {
        out.report(kInfo, gw, server.bind.loc,
                   "invalid bind " + validate::quote(bind) + ": " + *why +
                       "; use unix:///absolute/path or unix://@abstract");
      }
      if (server.port && server.port->number.value != 0) {
        out.report(kInfo, gw, server.port->number.loc,
                   "port number must be 0 for unix domain socket bind " + validate::quote(bind) +
                       ": set port.number to 0");
      }
    } else if (!bind.empty()) {
      if (validate::ip_address(bind)) {
        out.report(kInfo, gw, server.bind.loc,
                   "invalid bind " + validate::quote(bind) +
                       ": must be an IP address or unix://<path>");
      }
    }
  }
}

}  // namespace

MESHWARD_REGISTER_RULE(resource_rule(kInfo, &check));

}  // namespace meshward::rules
