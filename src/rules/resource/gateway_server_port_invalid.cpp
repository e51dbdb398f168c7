// A Gateway server port that is missing, has an unknown protocol, a number outside 1..65535
// (allowed to be 0 only with a unix:// bind), a targetPort (no effect on gateways) or no name.
// Istio's webhook rejects all of these (validateServerPort, pkg/config/validation/
// validation.go); without a usable port the gateway cannot build the listener.

#include <string>

#include "meshward/model/kinds/gateway.h"
#include "meshward/rules/registry.h"
#include "meshward/rules/validate.h"

namespace meshward::rules {
namespace {

constexpr RuleInfo kInfo{"MW1104", "gateway-server-port-invalid", Family::Resource,
                         Severity::Error,
                         "A Gateway server port is missing, unnamed, out of range, has an "
                         "unknown protocol or a targetPort",
                         ""};

void check(const model::Gateway& gw, Sink& out) {
  for (const model::Server& server : gw.spec.servers) {
    if (!server.port) {
      out.report(kInfo, gw, server.loc,
                 "server has no port: set port.number, port.protocol and port.name");
      continue;
    }
    const model::Port& port = *server.port;
    if (!validate::parse_protocol(port.protocol.value)) {
      out.report(kInfo, gw, port.protocol.present ? port.protocol.loc : port.loc,
                 "invalid port protocol " + validate::quote(port.protocol.value) +
                     ": use one of HTTP, HTTPS, HTTP2, GRPC, GRPC-WEB, TCP, TLS, MONGO, REDIS, "
                     "MYSQL");
    }
    const bool unix_bind = server.bind.value.rfind("unix://", 0) == 0;
    if (port.number.value > 0 || !unix_bind) {
      if (auto why = validate::port(port.number.value)) {
        out.report(kInfo, gw, port.number.present ? port.number.loc : port.loc,
                   *why + ": set a valid port number (0 only with a unix:// bind)");
      }
    }
    if (port.target_port.value > 0) {
      out.report(kInfo, gw, port.target_port.loc,
                 "targetPort " + std::to_string(port.target_port.value) +
                     " has no effect on Gateways: remove it and use port.number");
    }
    if (port.name.value.empty()) {
      out.report(kInfo, gw, port.name.present ? port.name.loc : port.loc,
                 "port has no name: set port.name (unique across the Gateway's servers)");
    }
  }
}

}  // namespace

MESHWARD_REGISTER_RULE(resource_rule(kInfo, &check));

}  // namespace meshward::rules
