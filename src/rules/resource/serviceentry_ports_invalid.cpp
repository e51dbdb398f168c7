// ServiceEntry `ports` Istio's webhook rejects (ValidateServiceEntry, ValidatePortName,
// ValidateProtocol in pkg/config/validation/validation.go): duplicate names or numbers, names
// that are not DNS-1123 labels, unknown protocols, and numbers or targetPorts outside
// 1..65535. Envoy listeners and clusters are keyed by these; a bad port makes no listener.

#include <cstdint>
#include <set>
#include <string>

#include "meshward/model/kinds/service_entry.h"
#include "meshward/rules/registry.h"
#include "meshward/rules/validate.h"

namespace meshward::rules {
namespace {

constexpr RuleInfo kInfo{"MW1404", "serviceentry-ports-invalid", Family::Resource,
                         Severity::Error,
                         "A ServiceEntry port is duplicated, badly named, of an unknown protocol "
                         "or out of range",
                         ""};

void check(const model::ServiceEntry& se, Sink& out) {
  std::set<std::string> names;
  std::set<std::uint32_t> numbers;
  for (const model::ServiceEntryPort& port : se.spec.ports) {
    if (port.name.present) {
      if (!names.insert(*port.name).second) {
        out.report(kInfo, se, port.name.loc,
                   "port name " + validate::quote(*port.name) +
                       " is already defined: give each port a unique name");
      }
      if (auto why = validate::port_name(*port.name)) {
        out.report(kInfo, se, port.name.loc,
                   "port name " + validate::quote(*port.name) + " is invalid (" + *why +
                       "): use a DNS-1123 label such as http or tls-443");
      }
    }
    if (port.number.present) {
      if (!numbers.insert(*port.number).second) {
        out.report(kInfo, se, port.number.loc,
                   "port " + std::to_string(*port.number) +
                       " is already defined: list each port number once");
      }
      if (auto why = validate::port(*port.number)) {
        out.report(kInfo, se, port.number.loc,
                   "port number is invalid (" + *why + "): use 1..65535");
      }
    }
    if (port.protocol.present) {
      if (auto why = validate::protocol(*port.protocol, /*allow_empty=*/true)) {
        out.report(kInfo, se, port.protocol.loc,
                   "protocol " + validate::quote(*port.protocol) + " is not supported (" +
                       *why +
                       "): use HTTP, HTTPS, HTTP2, GRPC, GRPC-WEB, TLS, TCP, UDP, MONGO, "
                       "MYSQL or REDIS");
      }
    }
    if (port.target_port.present && *port.target_port != 0) {
      if (auto why = validate::port(*port.target_port)) {
        out.report(kInfo, se, port.target_port.loc,
                   "targetPort is invalid (" + *why + "): use 1..65535");
      }
    }
  }
}

}  // namespace

MESHWARD_REGISTER_RULE(resource_rule(kInfo, &check));

}  // namespace meshward::rules
