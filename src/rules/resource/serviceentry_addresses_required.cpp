// A ServiceEntry with TCP (or unset-protocol) ports, no `addresses`, and no automatic IP
// allocation (resolution NONE, or the networking.istio.io/enable-autoallocate-ip: "false"
// label). Istio warns (ValidateServiceEntry; istioctl analyze IST0134
// ServiceEntryAddressesRequired): the sidecar cannot tell such TCP connections apart by host,
// so they fall through to the 0.0.0.0:<port> listener or PassthroughCluster.

#include <string>

#include "meshward/model/kinds/service_entry.h"
#include "meshward/rules/registry.h"

namespace meshward::rules {
namespace {

constexpr RuleInfo kInfo{"MW1403", "serviceentry-addresses-required", Family::Resource,
                         Severity::Warning,
                         "A ServiceEntry with TCP ports has no addresses and no auto-allocated IP",
                         "IST0134"};

bool auto_allocation(const model::ServiceEntry& se) {
  if (se.spec.resolution.value_or(model::ServiceEntryResolution::None) ==
      model::ServiceEntryResolution::None) {
    return false;
  }
  auto it = se.meta.labels.find("networking.istio.io/enable-autoallocate-ip");
  if (it != se.meta.labels.end()) {
    std::string v = it->second;
    for (char& c : v) {
      c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    }
    if (v == "false") {
      return false;
    }
  }
  return true;
}

void check(const model::ServiceEntry& se, Sink& out) {
  if (!se.spec.addresses.empty() || auto_allocation(se)) {
    return;
  }
  for (const model::ServiceEntryPort& port : se.spec.ports) {
    const std::string& protocol = port.protocol.value;
    if (protocol.empty() || protocol == "TCP") {
      out.report(kInfo, se, port.protocol.present ? port.protocol.loc : port.loc,
                 "port " + std::to_string(port.number.value) + " serves " +
                     (protocol.empty() ? std::string("an unset protocol") : "TCP") +
                     " but the ServiceEntry has no addresses and no auto-allocated IP: add "
                     "`addresses` (a VIP or CIDR), use a resolution other than NONE, or set "
                     "an application protocol such as HTTP or TLS");
    }
  }
}

}  // namespace

MESHWARD_REGISTER_RULE(resource_rule(kInfo, &check));

}  // namespace meshward::rules
