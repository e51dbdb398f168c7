// Sidecar `ingress` listeners Istio's webhook rejects (ValidateSidecar,
// validateSidecarIngressPortAndBind in pkg/config/validation/validation.go): a port name that is not a DNS label, an unknown protocol, a number outside
// 1..65535 or repeated, a targetPort (no effect on Sidecars), a bind that is not an IP, and a
// defaultEndpoint that is not 127.0.0.1|0.0.0.0|[::1]|[::]:<port> or unix://<absolute path>.
// The inbound listener could not be built, so the workload would not receive that traffic.

#include <charconv>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>

#include "meshward/model/kinds/sidecar.h"
#include "meshward/rules/registry.h"
#include "meshward/rules/validate.h"

namespace meshward::rules {
namespace {

constexpr RuleInfo kInfo{"MW1502", "sidecar-ingress-invalid", Family::Resource, Severity::Error,
                         "A Sidecar ingress listener's port, bind or defaultEndpoint is invalid",
                         ""};

constexpr std::string_view kUnix = "unix://";

// Go's net.SplitHostPort for "host:port" / "[v6]:port". nullopt when malformed.
std::optional<std::pair<std::string, std::string>> split_host_port(std::string_view s) {
  if (!s.empty() && s.front() == '[') {
    const auto close = s.find(']');
    if (close == std::string_view::npos || close + 1 >= s.size() || s[close + 1] != ':') {
      return std::nullopt;
    }
    return std::make_pair(std::string(s.substr(1, close - 1)), std::string(s.substr(close + 2)));
  }
  const auto colon = s.rfind(':');
  if (colon == std::string_view::npos) {
    return std::nullopt;
  }
  const std::string_view host = s.substr(0, colon);
  if (host.find(':') != std::string_view::npos) {
    return std::nullopt;  // too many colons: IPv6 must be bracketed
  }
  return std::make_pair(std::string(host), std::string(s.substr(colon + 1)));
}

void check_default_endpoint(const model::Sidecar& sc, const model::Field<std::string>& ep,
                            Sink& out) {
  if (!ep.present || ep->empty()) {
    return;
  }
  const std::string& v = *ep;
  if (v.rfind(kUnix, 0) == 0) {
    if (auto why = validate::unix_address(std::string_view(v).substr(kUnix.size()))) {
      out.report(kInfo, sc, ep.loc,
                 "defaultEndpoint " + validate::quote(v) + " is invalid (" + *why +
                     "): use unix:///absolute/path");
    }
    return;
  }
  constexpr const char* kForm =
      ": use 127.0.0.1:<port>, 0.0.0.0:<port>, [::1]:<port>, [::]:<port> or unix:///path";
  auto parts = split_host_port(v);
  if (!parts) {
    out.report(kInfo, sc, ep.loc,
               "defaultEndpoint " + validate::quote(v) + " is not of the form host:port" +
                   kForm);
    return;
  }
  const auto& [host, port] = *parts;
  if (!host.empty() && host != "127.0.0.1" && host != "0.0.0.0" && host != "::1" &&
      host != "::") {
    out.report(kInfo, sc, ep.loc,
               "defaultEndpoint host " + validate::quote(host) +
                   " must be a loopback or unspecified address" + kForm);
  }
  std::int64_t number = 0;
  const auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), number);
  if (ec != std::errc() || ptr != port.data() + port.size() || port.empty()) {
    out.report(kInfo, sc, ep.loc,
               "defaultEndpoint port " + validate::quote(port) + " is not a number" + kForm);
  } else if (auto why = validate::port(number)) {
    out.report(kInfo, sc, ep.loc, "defaultEndpoint port is invalid (" + *why + ")" + kForm);
  }
}

void check(const model::Sidecar& sc, Sink& out) {
  std::set<std::uint32_t> numbers;
  for (const model::IstioIngressListener& in : sc.spec.ingress) {
    if (!in.port) {
      continue;  // a missing port is MW1004 field-required
    }
    const model::Port& port = *in.port;
    if (port.target_port.present && *port.target_port > 0) {
      out.report(kInfo, sc, port.target_port.loc,
                 "targetPort has no effect on Sidecars: remove it (the workload port is "
                 "port.number, or set defaultEndpoint)");
    }
    if (port.name.present && !port.name->empty()) {
      if (auto why = validate::port_name(*port.name)) {
        out.report(kInfo, sc, port.name.loc,
                   "port name " + validate::quote(*port.name) + " is invalid (" + *why + ")");
      }
    }
    if (port.protocol.present) {
      if (auto why = validate::protocol(*port.protocol, /*allow_empty=*/true)) {
        out.report(kInfo, sc, port.protocol.loc,
                   "port protocol " + validate::quote(*port.protocol) + " is not supported (" +
                       *why + ")");
      }
    }
    const model::Loc& number_loc = port.number.present ? port.number.loc : port.loc;
    if (auto why = validate::port(port.number.value)) {
      out.report(kInfo, sc, number_loc,
                 "ingress port number is invalid (" + *why + "): use 1..65535");
    }
    if (!numbers.insert(port.number.value).second) {
      out.report(kInfo, sc, number_loc,
                 "ingress port " + std::to_string(port.number.value) +
                     " is used by another ingress listener: ports on IP-bound listeners must "
                     "be unique");
    }
    if (in.bind.present && !in.bind->empty()) {
      if (auto why = validate::ip_address(*in.bind)) {
        out.report(kInfo, sc, in.bind.loc,
                   "ingress bind " + validate::quote(*in.bind) + " is invalid (" + *why +
                       "): use an IP address such as 0.0.0.0");
      }
    }
    check_default_endpoint(sc, in.default_endpoint, out);
  }
}

}  // namespace

MESHWARD_REGISTER_RULE(resource_rule(kInfo, &check));

}  // namespace meshward::rules
