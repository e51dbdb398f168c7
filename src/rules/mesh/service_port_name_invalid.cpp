// A Kubernetes Service port whose appProtocol/name does not select an Istio protocol
// (ConvertProtocol, pkg/config/kube/conversion.go: appProtocol else name; `grpc-web` prefix; the
// text before the first `-` parsed by protocol.Parse; UDP ports and the well-known ports 25,
// 53, 3306, 27017 excepted). pilot then marks the port for protocol sniffing: the outbound
// listener 0.0.0.0_<port> gets an http_inspector chain and waits for the first bytes, so
// server-first protocols (MySQL, SMTP, many databases) stall until the detection timeout, and
// HTTP features (routes, retries, metrics) apply only when detection succeeds.
// istioctl analyze: IST0118 PortNameIsNotUnderNamingConvention (skips system namespaces and
// control-plane Services labelled `istio` or `release: istio`).

#include <cctype>
#include <string>

#include "mesh_util.h"
#include "meshward/rules/registry.h"
#include "meshward/rules/validate.h"
#include "meshward/translate/names.h"

namespace meshward::rules {
namespace {

using model::Kind;

constexpr RuleInfo kInfo{"MW2113", "service-port-name-invalid", Family::Mesh, Severity::Warning,
                         "A Service port's name or appProtocol does not name an Istio protocol "
                         "(Istio sniffs it)",
                         "IST0118"};

bool is_system_namespace(std::string_view ns) {
  return ns == "kube-system" || ns == "kube-public" || ns == "kube-node-lease" ||
         ns == "local-path-storage";
}

bool starts_with_ci(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) {
    return false;
  }
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i]) {
      return false;
    }
  }
  return true;
}

// Whether ConvertProtocol yields a supported protocol.
bool protocol_known(const model::ServicePort& port) {
  if (port.protocol.present && *port.protocol == model::TransportProtocol::UDP) {
    return true;
  }
  std::string_view name = port.name.value;
  if (port.app_protocol.present) {
    const std::string& ap = *port.app_protocol;
    if (ap == "kubernetes.io/h2c" || ap == "kubernetes.io/ws" || ap == "kubernetes.io/wss") {
      return true;
    }
    name = ap;
  }
  if (starts_with_ci(name, "grpc-web")) {
    return true;
  }
  const auto dash = name.find('-');
  if (validate::parse_protocol(name.substr(0, dash))) {
    return true;
  }
  const std::int32_t n = port.port.value;
  return n == 25 || n == 53 || n == 3306 || n == 27017;
}

void check(const Context& ctx, Sink& out) {
  ctx.each<model::Service>([&](const model::Service& svc) {
    if (is_system_namespace(svc.meta.namespace_) || svc.meta.labels.count("istio") != 0) {
      return;
    }
    if (const auto it = svc.meta.labels.find("release");
        it != svc.meta.labels.end() && it->second == "istio") {
      return;
    }
    for (const model::ServicePort& port : svc.spec.ports) {
      if (protocol_known(port)) {
        continue;
      }
      const std::uint32_t number = static_cast<std::uint32_t>(port.port.value);
      const std::string what =
          port.app_protocol.present ? "appProtocol " + validate::quote(*port.app_protocol)
          : port.name.present       ? "port name " + validate::quote(*port.name)
                                    : std::string("an unnamed port");
      const model::Loc& loc = port.app_protocol.present ? port.app_protocol.loc
                              : port.name.present       ? port.name.loc
                                                        : port.loc;
      out.report(kInfo, svc, loc,
                 what + " of port " + std::to_string(number) +
                     " names no Istio protocol, so Istio sniffs it: listener " +
                     translate::listener_name("0.0.0.0", number) +
                     " waits for the client's first bytes to guess HTTP or TCP (server-first "
                     "protocols stall until the detection timeout, and HTTP routing applies only "
                     "when detection succeeds); name it <protocol>[-suffix] (http, http2, grpc, "
                     "tcp, tls, https, mongo, mysql, redis) or set appProtocol");
    }
  });
}

}  // namespace

MESHWARD_REGISTER_RULE(mesh_rule(kInfo, KindSet{Kind::Service}, &check));

}  // namespace meshward::rules
