// Sidecar `egress` listeners Istio's webhook rejects (ValidateSidecar,
// validateSidecarEgressPortBindAndCaptureMode in pkg/config/validation/validation.go): more
// than one port-less (catch-all) listener or one that is not last, a targetPort, a port 0
// without a `unix://` bind or with captureMode IPTABLES, other binds that are not IPs, unknown
// protocols, bad port names or numbers, and repeated ports or unix sockets. Envoy could not
// build the outbound listeners, so the workload's outbound traffic would not be configured.

#include <cstdint>
#include <set>
#include <string>
#include <string_view>

#include "meshward/model/kinds/sidecar.h"
#include "meshward/rules/registry.h"
#include "meshward/rules/validate.h"

namespace meshward::rules {
namespace {

constexpr RuleInfo kInfo{"MW1503", "sidecar-egress-invalid", Family::Resource, Severity::Error,
                         "A Sidecar egress listener's port, bind or position is invalid", ""};

constexpr std::string_view kUnix = "unix://";

void check(const model::Sidecar& sc, Sink& out) {
  const auto& egress = sc.spec.egress;
  std::set<std::uint32_t> numbers;
  std::set<std::string> sockets;
  bool catch_all_found = false;
  for (std::size_t i = 0; i < egress.size(); ++i) {
    const model::IstioEgressListener& eg = egress[i];
    if (!eg.port) {
      if (catch_all_found) {
        out.report(kInfo, sc, eg.loc,
                   "egress can have only one listener without a port: merge the hosts into "
                   "the last port-less listener");
      } else if (i + 1 == egress.size()) {
        catch_all_found = true;
      } else {
        out.report(kInfo, sc, eg.loc,
                   "the egress listener without a port must be the last one: move it to the "
                   "end of egress");
      }
      continue;
    }
    const model::Port& port = *eg.port;
    const std::string& bind = eg.bind.value;
    if (port.target_port.present && *port.target_port > 0) {
      out.report(kInfo, sc, port.target_port.loc,
                 "targetPort has no effect on Sidecars: remove it");
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
    if (port.number.value == 0) {
      if (bind.rfind(kUnix, 0) != 0) {
        out.report(kInfo, sc, number_loc,
                   "egress port 0 needs a unix domain socket bind: set bind: "
                   "unix:///path/to/socket, or use a real port number");
      } else if (auto why = validate::unix_address(std::string_view(bind).substr(kUnix.size()))) {
        out.report(kInfo, sc, eg.bind.loc,
                   "bind " + validate::quote(bind) + " is invalid (" + *why +
                       "): use unix:///absolute/path or unix://@abstract");
      }
      const auto mode = eg.capture_mode.value_or(model::CaptureMode::Default);
      if (mode != model::CaptureMode::Default && mode != model::CaptureMode::None) {
        out.report(kInfo, sc, eg.capture_mode.loc,
                   "captureMode must be DEFAULT or NONE for a unix domain socket listener");
      }
      if (!sockets.insert(bind).second) {
        out.report(kInfo, sc, eg.bind.present ? eg.bind.loc : eg.loc,
                   "unix socket " + validate::quote(bind) +
                       " is used by another egress listener: use a unique socket per listener");
      }
      continue;
    }
    if (auto why = validate::port(port.number.value)) {
      out.report(kInfo, sc, number_loc, "egress port number is invalid (" + *why + ")");
    }
    if (!bind.empty()) {
      if (auto why = validate::ip_address(bind)) {
        out.report(kInfo, sc, eg.bind.loc,
                   "egress bind " + validate::quote(bind) + " is invalid (" + *why +
                       "): use an IP address, or unix:// with port 0");
      }
    }
    if (!numbers.insert(port.number.value).second) {
      out.report(kInfo, sc, number_loc,
                 "egress port " + std::to_string(port.number.value) +
                     " is used by another egress listener: ports on IP-bound listeners must be "
                     "unique");
    }
  }
}

}  // namespace

MESHWARD_REGISTER_RULE(resource_rule(kInfo, &check));

}  // namespace meshward::rules
