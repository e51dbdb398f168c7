// ServiceEntry `addresses` Istio's webhook rejects (ValidateServiceEntry in
// pkg/config/validation/validation.go): entries that are not an IP or CIDR, and CIDR blocks
// with a resolution other than NONE or STATIC (DNS-resolved hosts cannot own a whole range).
// The sidecar would build no listener for the address, so TCP traffic to it is not captured.

#include <string>

#include "meshward/model/kinds/service_entry.h"
#include "meshward/rules/registry.h"
#include "meshward/rules/validate.h"

namespace meshward::rules {
namespace {

constexpr RuleInfo kInfo{"MW1402", "serviceentry-addresses-invalid", Family::Resource,
                         Severity::Error,
                         "A ServiceEntry address is not an IP/CIDR, or a CIDR with DNS resolution",
                         ""};

void check(const model::ServiceEntry& se, Sink& out) {
  using model::ServiceEntryResolution;
  const ServiceEntryResolution resolution =
      se.spec.resolution.value_or(ServiceEntryResolution::None);
  const bool cidr_allowed =
      resolution == ServiceEntryResolution::None || resolution == ServiceEntryResolution::Static;
  for (const model::Field<std::string>& address : se.spec.addresses) {
    if (auto why = validate::ip_or_cidr(*address)) {
      out.report(kInfo, se, address.loc,
                 "address " + validate::quote(*address) + " is invalid (" + *why +
                     "): use an IP address or CIDR block such as 10.0.0.0/24");
    } else if (address->find('/') != std::string::npos && !cidr_allowed) {
      out.report(kInfo, se, address.loc,
                 "CIDR address " + validate::quote(*address) + " is only allowed with "
                 "resolution NONE or STATIC, not " +
                     std::string(model::enum_name(resolution)) +
                     ": use a single IP, or change the resolution");
    }
  }
}

}  // namespace

MESHWARD_REGISTER_RULE(resource_rule(kInfo, &check));

}  // namespace meshward::rules
