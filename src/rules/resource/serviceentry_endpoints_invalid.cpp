// ServiceEntry `endpoints` Istio's webhook rejects or warns about (ValidateServiceEntry and
// validateWorkloadEntry in pkg/config/validation/validation.go). STATIC: the address must be
// an IP or a `unix://` socket (with exactly one service port and no endpoint ports); an empty
// address needs a `network` (then a warning). DNS/DNS_ROUND_ROBIN: the address must be an IP
// or FQDN. Always: endpoint port names must be declared service ports, be DNS labels and map
// to 1..65535, and labels must be valid. Envoy would get unusable or unreachable endpoints.

#include <set>
#include <string>
#include <string_view>

#include "meshward/model/kinds/service_entry.h"
#include "meshward/rules/registry.h"
#include "meshward/rules/validate.h"

namespace meshward::rules {
namespace {

constexpr RuleInfo kInfo{"MW1406", "serviceentry-endpoints-invalid", Family::Resource,
                         Severity::Error,
                         "A ServiceEntry endpoint has an invalid address, ports or labels", ""};

constexpr std::string_view kUnix = "unix://";

void check_ports_and_labels(const model::ServiceEntry& se, const model::WorkloadEntrySpec& ep,
                            const std::set<std::string>& service_ports, Sink& out) {
  for (const auto& [name, number] : ep.ports) {
    if (service_ports.count(name) == 0) {
      out.report(kInfo, se, number.loc,
                 "endpoint port " + validate::quote(name) +
                     " is not a port name of the ServiceEntry: use one of its ports[].name");
    }
    if (auto why = validate::port_name(name)) {
      out.report(kInfo, se, number.loc,
                 "endpoint port name " + validate::quote(name) + " is invalid (" + *why + ")");
    }
    if (auto why = validate::port(*number)) {
      out.report(kInfo, se, number.loc,
                 "endpoint port " + validate::quote(name) + " is invalid (" + *why +
                     "): use 1..65535");
    }
  }
  for (const auto& [key, value] : ep.labels) {
    if (auto why = validate::label_key(key)) {
      out.report(kInfo, se, value.loc,
                 "endpoint label key " + validate::quote(key) + " is invalid (" + *why + ")");
    }
    if (auto why = validate::label_value(value.value)) {
      out.report(kInfo, se, value.loc,
                 "endpoint label " + validate::quote(key) + " has an invalid value (" + *why +
                     ")");
    }
  }
}

void check_static(const model::ServiceEntry& se, const model::WorkloadEntrySpec& ep,
                  const std::set<std::string>& service_ports, Sink& out) {
  const std::string& addr = ep.address.value;
  const model::Loc& loc = ep.address.present ? ep.address.loc : ep.loc;
  if (addr.empty()) {
    if (ep.network.value.empty()) {
      out.report(kInfo, se, loc,
                 "endpoint has no address: set an IP address (or a network for a cross-network "
                 "gateway endpoint)");
      return;
    }
    out.report(kInfo, se, loc,
               "endpoint has no address, only network " + validate::quote(*ep.network) +
                   ": it is reached through that network's gateway",
               Severity::Warning, "Istio accepts an address-less endpoint with a warning");
  }
  if (addr.rfind(kUnix, 0) == 0) {
    if (auto why = validate::unix_address(std::string_view(addr).substr(kUnix.size()))) {
      out.report(kInfo, se, loc,
                 "endpoint address " + validate::quote(addr) + " is invalid (" + *why +
                     "): use unix:///absolute/path or unix://@abstract");
    }
    if (!ep.ports.empty()) {
      out.report(kInfo, se, loc,
                 "unix endpoint " + validate::quote(addr) + " must not have ports: remove them");
    }
    if (service_ports.size() != 1) {
      out.report(kInfo, se, loc,
                 "a unix endpoint needs exactly one ServiceEntry port, found " +
                     std::to_string(service_ports.size()));
    }
  } else if (!addr.empty() && !validate::is_ip(addr)) {
    out.report(kInfo, se, loc,
               "endpoint address " + validate::quote(addr) +
                   " is not an IP address, which resolution STATIC requires: use the IP, or "
                   "resolution DNS for host names");
  }
  check_ports_and_labels(se, ep, service_ports, out);
}

void check_dns(const model::ServiceEntry& se, const model::WorkloadEntrySpec& ep,
               const std::set<std::string>& service_ports, Sink& out) {
  const std::string& addr = ep.address.value;
  if (!validate::is_ip(addr) && validate::fqdn(addr)) {
    out.report(kInfo, se, ep.address.present ? ep.address.loc : ep.loc,
               "endpoint address " + validate::quote(addr) +
                   " is not a valid FQDN or IP address: use a resolvable host name or an IP");
  }
  check_ports_and_labels(se, ep, service_ports, out);
}

void check(const model::ServiceEntry& se, Sink& out) {
  using model::ServiceEntryResolution;
  std::set<std::string> service_ports;
  for (const auto& port : se.spec.ports) {
    service_ports.insert(port.name.value);
  }
  const auto r = se.spec.resolution.value_or(ServiceEntryResolution::None);
  for (const model::WorkloadEntrySpec& ep : se.spec.endpoints) {
    if (r == ServiceEntryResolution::Static) {
      check_static(se, ep, service_ports, out);
    } else if (r == ServiceEntryResolution::Dns || r == ServiceEntryResolution::DnsRoundRobin) {
      check_dns(se, ep, service_ports, out);
    }
    // NONE and DYNAMIC_DNS reject endpoints altogether (MW1405).
  }
}

}  // namespace

MESHWARD_REGISTER_RULE(resource_rule(kInfo, &check));

}  // namespace meshward::rules
