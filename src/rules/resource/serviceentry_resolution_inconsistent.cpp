// ServiceEntry settings that contradict its `resolution` (ValidateServiceEntry in
// pkg/config/validation/validation.go): NONE with endpoints; DNS/DNS_ROUND_ROBIN without
// endpoints but with non-FQDN hosts, DNS_ROUND_ROBIN with several endpoints, and (warning)
// addresses plus a TCP port on several hosts; DYNAMIC_DNS with non-wildcard hosts, addresses,
// endpoints, non-HTTP/TLS ports or MESH_INTERNAL on a waypoint; and several hosts sharing a
// port that is neither HTTP nor TLS unless resolution is NONE (Envoy cannot tell them apart).

#include <string>

#include "meshward/model/kinds/service_entry.h"
#include "meshward/rules/registry.h"
#include "meshward/rules/validate.h"

namespace meshward::rules {
namespace {

constexpr RuleInfo kInfo{"MW1405", "serviceentry-resolution-inconsistent", Family::Resource,
                         Severity::Error,
                         "A ServiceEntry's hosts, addresses, endpoints or ports contradict its "
                         "resolution",
                         ""};

using model::ServiceEntryResolution;

std::string name_of(ServiceEntryResolution r) { return std::string(model::enum_name(r)); }

void check_dns(const model::ServiceEntry& se, ServiceEntryResolution r, Sink& out) {
  const auto& spec = se.spec;
  if (spec.endpoints.empty()) {
    for (const auto& host : spec.hosts) {
      if (*host != "*" && !validate::wildcard_domain(*host) && validate::fqdn(*host)) {
        out.report(kInfo, se, host.loc,
                   "host " + validate::quote(*host) + " must be an FQDN with resolution " +
                       name_of(r) +
                       " and no endpoints (there is nothing to resolve): use a concrete name, "
                       "add endpoints, or use resolution NONE or DYNAMIC_DNS");
      }
    }
  }
  if (r == ServiceEntryResolution::DnsRoundRobin && spec.endpoints.size() > 1) {
    out.report(kInfo, se, spec.endpoints[1].loc,
               "resolution DNS_ROUND_ROBIN allows at most one endpoint: use DNS for several "
               "endpoints, or keep one");
  }
  if (!spec.addresses.empty() && spec.hosts.size() > 1) {
    for (const auto& port : spec.ports) {
      auto p = validate::parse_protocol(port.protocol.value);
      if (p && validate::is_tcp(*p)) {
        out.report(kInfo, se, port.loc,
                   "a ServiceEntry with addresses and a TCP port (" +
                       std::to_string(port.number.value) +
                       ") should have a single host: split it into one ServiceEntry per host",
                   Severity::Warning, "Istio accepts it with a warning");
        break;
      }
    }
  }
}

void check_dynamic_dns(const model::ServiceEntry& se, Sink& out) {
  const auto& spec = se.spec;
  for (const auto& host : spec.hosts) {
    if (host->empty() || (*host)[0] != '*') {
      out.report(kInfo, se, host.loc,
                 "host " + validate::quote(*host) +
                     " must be a wildcard with resolution DYNAMIC_DNS: use e.g. *.example.com, "
                     "or resolution DNS for a single host");
    }
  }
  if (!spec.addresses.empty()) {
    out.report(kInfo, se, spec.addresses.front().loc,
               "addresses are not allowed with resolution DYNAMIC_DNS: remove them");
  }
  if (!spec.endpoints.empty()) {
    out.report(kInfo, se, spec.endpoints.front().loc,
               "endpoints are not allowed with resolution DYNAMIC_DNS (hosts are resolved on "
               "demand): remove them");
  }
  for (const auto& port : spec.ports) {
    auto p = validate::parse_protocol(port.protocol.value);
    using validate::Protocol;
    if (!p || (*p != Protocol::Http && *p != Protocol::Http2 && *p != Protocol::Grpc &&
               *p != Protocol::Tls && *p != Protocol::Https)) {
      out.report(kInfo, se, port.protocol.present ? port.protocol.loc : port.loc,
                 "port " + std::to_string(port.number.value) + " protocol " +
                     validate::quote(port.protocol.value) +
                     " is not supported with resolution DYNAMIC_DNS: use HTTP, HTTP2, GRPC, "
                     "TLS or HTTPS");
    }
  }
  if (spec.location.value_or(model::ServiceEntryLocation::MeshExternal) ==
          model::ServiceEntryLocation::MeshInternal &&
      se.meta.labels.count("istio.io/use-waypoint") != 0) {
    out.report(kInfo, se, spec.location.loc,
               "location MESH_INTERNAL is not allowed for a DYNAMIC_DNS ServiceEntry that uses "
               "a waypoint (istio.io/use-waypoint): use MESH_EXTERNAL");
  }
}

void check(const model::ServiceEntry& se, Sink& out) {
  const auto& spec = se.spec;
  const ServiceEntryResolution r = spec.resolution.value_or(ServiceEntryResolution::None);
  switch (r) {
    case ServiceEntryResolution::None:
      if (!spec.endpoints.empty()) {
        out.report(kInfo, se, spec.endpoints.front().loc,
                   "endpoints are ignored with resolution NONE: remove them, or use "
                   "resolution STATIC (IP endpoints) or DNS");
      }
      break;
    case ServiceEntryResolution::Static:
      break;  // endpoint contents: MW1406
    case ServiceEntryResolution::Dns:
    case ServiceEntryResolution::DnsRoundRobin:
      check_dns(se, r, out);
      break;
    case ServiceEntryResolution::DynamicDns:
      check_dynamic_dns(se, out);
      break;
  }
  if (r != ServiceEntryResolution::None && spec.hosts.size() > 1) {
    for (const auto& port : spec.ports) {
      auto p = validate::parse_protocol(port.protocol.value);
      if (!p || (!validate::is_http(*p) && !validate::is_tls(*p))) {
        out.report(kInfo, se, port.protocol.present ? port.protocol.loc : port.loc,
                   "several hosts share port " + std::to_string(port.number.value) +
                       " whose protocol is neither HTTP nor TLS, so Envoy cannot tell the hosts "
                       "apart: use one ServiceEntry per host, an HTTP/TLS protocol, or "
                       "resolution NONE");
        break;
      }
    }
  }
}

}  // namespace

MESHWARD_REGISTER_RULE(resource_rule(kInfo, &check));

}  // namespace meshward::rules
