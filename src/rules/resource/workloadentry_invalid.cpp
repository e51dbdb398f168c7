// WorkloadEntry settings Istio's webhook rejects or warns about (ValidateWorkloadEntry and
// validateWorkloadEntry in pkg/config/validation/validation.go): no address and no network
// (error) or a network only (warning), a `unix://` address that is not an absolute path or
// that has ports, an address that is neither an IP nor an FQDN, port names that are not DNS
// labels or numbers outside 1..65535, and invalid labels. The workload would be unreachable.

#include <string>
#include <string_view>

#include "meshward/model/kinds/workload_entry.h"
#include "meshward/rules/registry.h"
#include "meshward/rules/validate.h"

namespace meshward::rules {
namespace {

constexpr RuleInfo kInfo{"MW1409", "workloadentry-invalid", Family::Resource, Severity::Error,
                         "A WorkloadEntry has an invalid or missing address, ports or labels",
                         ""};

constexpr std::string_view kUnix = "unix://";

void check(const model::WorkloadEntry& we, Sink& out) {
  const model::WorkloadEntrySpec& spec = we.spec;
  const std::string& addr = spec.address.value;
  const model::Loc& loc = spec.address.present ? spec.address.loc : spec.loc;
  if (addr.empty()) {
    if (spec.network.value.empty()) {
      out.report(kInfo, we, loc,
                 "WorkloadEntry has no address: set the workload's IP or host name (or a "
                 "network, for a workload behind a network gateway)");
      return;
    }
    out.report(kInfo, we, loc,
               "WorkloadEntry has no address, only network " + validate::quote(*spec.network) +
                   ": it is reached through that network's gateway",
               Severity::Warning, "Istio accepts an address-less entry with a warning");
  }
  if (addr.rfind(kUnix, 0) == 0) {
    if (auto why = validate::unix_address(std::string_view(addr).substr(kUnix.size()))) {
      out.report(kInfo, we, loc,
                 "address " + validate::quote(addr) + " is invalid (" + *why +
                     "): use unix:///absolute/path or unix://@abstract");
    }
    if (!spec.ports.empty()) {
      out.report(kInfo, we, loc,
                 "unix address " + validate::quote(addr) + " must not have ports: remove them");
    }
  } else if (!addr.empty() && !validate::is_ip(addr) && validate::fqdn(addr)) {
    out.report(kInfo, we, loc,
               "address " + validate::quote(addr) +
                   " is not a valid FQDN or IP address: use the workload's IP or DNS name");
  }
  for (const auto& [name, number] : spec.ports) {
    if (auto why = validate::port_name(name)) {
      out.report(kInfo, we, number.loc,
                 "port name " + validate::quote(name) + " is invalid (" + *why +
                     "): use the DNS-1123 name of the service port");
    }
    if (auto why = validate::port(*number)) {
      out.report(kInfo, we, number.loc,
                 "port " + validate::quote(name) + " is invalid (" + *why + "): use 1..65535");
    }
  }
  for (const auto& [key, value] : spec.labels) {
    if (auto why = validate::label_key(key)) {
      out.report(kInfo, we, value.loc,
                 "label key " + validate::quote(key) + " is invalid (" + *why + ")");
    }
    if (auto why = validate::label_value(value.value)) {
      out.report(kInfo, we, value.loc,
                 "label " + validate::quote(key) + " has an invalid value (" + *why + ")");
    }
  }
}

}  // namespace

MESHWARD_REGISTER_RULE(resource_rule(kInfo, &check));

}  // namespace meshward::rules
