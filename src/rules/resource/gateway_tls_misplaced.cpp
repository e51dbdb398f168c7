// TLS settings on a Gateway server whose port does not speak TLS. Istio's webhook rejects
// `tls` on non-HTTPS/TLS ports, except on HTTP ports in PASSTHROUGH/AUTO_PASSTHROUGH mode
// without certificate files (the `httpsRedirect: true` idiom), and warns about `httpsRedirect`
// on a non-HTTP server (validateServer / ValidateGateway, pkg/config/validation/validation.go;
// gateway.IsPassThroughServer). The TLS block would be ignored or the listener rejected.

#include "meshward/model/kinds/gateway.h"
#include "meshward/rules/registry.h"
#include "meshward/rules/validate.h"

namespace meshward::rules {
namespace {

constexpr RuleInfo kInfo{"MW1108", "gateway-tls-misplaced", Family::Resource, Severity::Error,
                         "A Gateway server has TLS settings its port protocol cannot use", ""};

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

bool passthrough(const model::ServerTlsSettings& tls) {
  const auto mode = tls.mode.value_or(model::ServerTlsMode::Passthrough);
  return mode == model::ServerTlsMode::Passthrough ||
         mode == model::ServerTlsMode::AutoPassthrough;
}

void check(const model::Gateway& gw, Sink& out) {
  for (const model::Server& server : gw.spec.servers) {
    if (!server.tls) {
      continue;
    }
    const model::ServerTlsSettings& tls = *server.tls;
    const std::string& proto_name = server.port ? server.port->protocol.value : std::string();
    const auto proto = validate::parse_protocol(proto_name);
    if (port_ok(server) && !validate::is_tls(*proto)) {
      if (validate::is_http(*proto)) {
        if (!passthrough(tls) || !tls.ca_certificates.value.empty() ||
            !tls.private_key.value.empty() || !tls.server_certificate.value.empty()) {
          out.report(kInfo, gw, tls.loc,
                     "plain-text " + proto_name +
                         " server cannot have TLS settings other than httpsRedirect: change the "
                         "port protocol to HTTPS, or keep only tls.httpsRedirect");
        }
      } else {
        out.report(kInfo, gw, tls.loc,
                   "server with protocol " + validate::quote(proto_name) +
                       " cannot have TLS settings: use protocol HTTPS or TLS, or remove tls");
      }
    }
    if (server.port && (!proto || !validate::is_http(*proto)) && tls.https_redirect.value) {
      out.report(kInfo, gw, tls.https_redirect.loc,
                 "tls.httpsRedirect only applies to HTTP servers, not protocol " +
                     validate::quote(proto_name) + ": remove it",
                 Severity::Warning, "Istio only warns: the setting is ignored");
    }
  }
}

}  // namespace

MESHWARD_REGISTER_RULE(resource_rule(kInfo, &check));

}  // namespace meshward::rules
