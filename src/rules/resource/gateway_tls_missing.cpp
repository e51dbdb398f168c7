// An HTTPS or TLS Gateway server without a `tls` block. Istio's webhook rejects it ("server
// must have TLS settings for HTTPS/TLS protocols", validateServer in
// pkg/config/validation/validation.go): the gateway would not know whether to terminate or
// pass TLS through, and clients would fail the handshake.

#include "meshward/model/kinds/gateway.h"
#include "meshward/rules/registry.h"
#include "meshward/rules/validate.h"

namespace meshward::rules {
namespace {

constexpr RuleInfo kInfo{"MW1107", "gateway-tls-missing", Family::Resource, Severity::Error,
                         "An HTTPS/TLS Gateway server has no tls settings", ""};

// Istio only applies this check when the port itself is valid (validateServerPort passed).
bool port_ok(const model::Server& server) {
  if (!server.port) {
    return false;
  }
  const model::Port& p = *server.port;
  const bool unix_bind = server.bind.value.rfind("unix://", 0) == 0;
  const bool number_ok = (p.number.value == 0 && unix_bind) || !validate::port(p.number.value);
  return validate::parse_protocol(p.protocol.value).has_value() && number_ok &&
         p.target_port.value == 0 && !p.name.value.empty();
}

void check(const model::Gateway& gw, Sink& out) {
  for (const model::Server& server : gw.spec.servers) {
    if (!port_ok(server) || server.tls) {
      continue;
    }
    const auto proto = validate::parse_protocol(server.port->protocol.value);
    if (validate::is_tls(*proto)) {
      out.report(kInfo, gw, server.port->protocol.loc,
                 "server with protocol " + validate::quote(server.port->protocol.value) +
                     " has no tls settings: add tls with mode SIMPLE/MUTUAL and a "
                     "credentialName, or mode PASSTHROUGH");
    }
  }
}

}  // namespace

MESHWARD_REGISTER_RULE(resource_rule(kInfo, &check));

}  // namespace meshward::rules
