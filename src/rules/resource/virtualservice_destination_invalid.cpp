// Route destinations (http, tls and tcp routes) that are missing, or whose host is `*` or not
// a valid domain, whose subset is not a DNS-1123 label, or whose port is outside 1..65535.
// Istio's webhook rejects them (validateHTTPRouteDestinations / validateRouteDestinations /
// validateDestination, pkg/config/validation/validation.go): Envoy would get no cluster to
// send the traffic to. Skipped for Gateway-API-generated objects, like Istio does.

#include <string>

#include "meshward/model/kinds/virtual_service.h"
#include "meshward/rules/registry.h"
#include "meshward/rules/validate.h"

namespace meshward::rules {
namespace {

constexpr RuleInfo kInfo{"MW1209", "virtualservice-destination-invalid", Family::Resource,
                         Severity::Error, "A route destination is missing or invalid", ""};

void check_destination(const model::VirtualService& vs, const model::Destination& d,
                       Sink& out) {
  if (d.host.value == "*") {
    out.report(kInfo, vs, d.host.loc,
               "destination host \"*\" is not allowed: name the service to route to");
  } else if (auto why = validate::wildcard_domain(d.host.value)) {
    out.report(kInfo, vs, d.host.present ? d.host.loc : d.loc,
               "invalid destination host " + validate::quote(d.host.value) + ": " + *why);
  }
  if (!d.subset.value.empty() && !validate::is_dns1123_label(d.subset.value)) {
    out.report(kInfo, vs, d.subset.loc,
               "destination subset " + validate::quote(d.subset.value) +
                   " is not a valid subset name (DNS-1123 label)");
  }
  if (d.port) {
    if (auto why = validate::port(d.port->number.value)) {
      out.report(kInfo, vs, d.port->number.present ? d.port->number.loc : d.port->loc,
                 "destination " + *why);
    }
  }
}

template <class RouteDest>
void check_list(const model::VirtualService& vs, const std::vector<RouteDest>& dests,
                bool gateway_semantics, Sink& out) {
  for (const RouteDest& rd : dests) {
    if (!rd.destination) {
      out.report(kInfo, vs, rd.loc, "route has no destination: set destination.host");
    } else if (!gateway_semantics) {
      check_destination(vs, *rd.destination, out);
    }
  }
}

void check(const model::VirtualService& vs, Sink& out) {
  const auto it = vs.meta.annotations.find("internal.istio.io/route-semantics");
  const bool gateway_semantics = it != vs.meta.annotations.end() && it->second == "gateway";
  for (const auto& http : vs.spec.http) {
    check_list(vs, http.route, gateway_semantics, out);
  }
  for (const auto& tls : vs.spec.tls) {
    check_list(vs, tls.route, gateway_semantics, out);
  }
  for (const auto& tcp : vs.spec.tcp) {
    check_list(vs, tcp.route, gateway_semantics, out);
  }
}

}  // namespace

MESHWARD_REGISTER_RULE(resource_rule(kInfo, &check));

}  // namespace meshward::rules
