// A PeerAuthentication `portLevelMtls` key that is a Service's `port` rather than the port the
// workload receives on. The keys are workload (target) ports: istiod builds the per-port inbound
// chains with `destination_port` = the key (reference §2.4), and traffic reaches the workload
// on the Service's targetPort. With `80: DISABLE` for a Service `port: 80, targetPort: 8080`,
// the setting applies to a port nothing is sent to, and port 8080 keeps the workload's mode
// (a STRICT workload still refuses the plaintext the setting meant to allow: 503 for clients
// without mTLS).
//
// Judged against the Services that select the policy's workloads (the selected Pods and
// WorkloadEntries; without workloads in the world, the Services of the namespace whose selector
// the policy's selector contains): a key that is some Service's `port` with a different
// numeric targetPort, and no selecting Service's targetPort. A named targetPort resolves
// through the Pod's container ports, which meshward does not read: such Services are skipped.

#include <map>
#include <set>
#include <string>
#include <vector>

#include "../mesh/mesh_util.h"
#include "meshward/model/kinds/peer_authentication.h"
#include "meshward/model/kinds/service.h"
#include "meshward/rules/registry.h"
#include "meshward/world/selector.h"

namespace meshward::rules {
namespace {

using model::Kind;

constexpr RuleInfo kInfo{"MW3117", "peerauthentication-port-is-service-port", Family::Security,
                         Severity::Warning,
                         "A PeerAuthentication portLevelMtls key is a Service port, not the "
                         "workload port (targetPort) it receives traffic on, so the setting does "
                         "not apply to that traffic",
                         ""};

// The Services that select the policy's workloads.
std::vector<const model::Service*> services_of(const Context& ctx,
                                               const model::PeerAuthentication& pa,
                                               const model::Labels& selector) {
  std::vector<const model::Service*> out;
  std::set<const model::Object*> seen;
  const auto add = [&](const model::Object* o) {
    if (const auto* svc = o->as<model::Service>(); svc != nullptr && seen.insert(o).second) {
      out.push_back(svc);
    }
  };
  if (mesh::workloads_known(ctx)) {
    for (const model::Object* w : mesh::selected_workloads(ctx, pa.meta.namespace_, selector)) {
      if (const auto labels = world::workload_labels(*w)) {
        for (const model::Object* o : ctx.selecting(Kind::Service, pa.meta.namespace_, *labels)) {
          add(o);
        }
      }
    }
  } else {
    for (const model::Object* o : ctx.selecting(Kind::Service, pa.meta.namespace_, selector)) {
      add(o);
    }
  }
  return out;
}

void check(const Context& ctx, Sink& out) {
  ctx.each<model::PeerAuthentication>([&](const model::PeerAuthentication& pa) {
    if (pa.spec.port_level_mtls.empty() || !pa.spec.selector ||
        pa.spec.selector->match_labels.empty()) {
      return;  // Port-level settings need a selector (MW3103).
    }
    const model::Labels selector = world::to_labels(pa.spec.selector->match_labels);
    const std::vector<const model::Service*> services = services_of(ctx, pa, selector);
    std::set<std::int64_t> target_ports;
    for (const auto* svc : services) {
      for (const auto& p : svc->spec.ports) {
        if (p.target_port.present && !p.target_port.value.is_int) {
          return;  // A named targetPort: the workload ports are not known.
        }
        target_ports.insert(p.target_port.present ? p.target_port.value.number : p.port.value);
      }
    }
    for (const auto& [key, setting] : pa.spec.port_level_mtls) {
      if (key.empty() || key.size() > 5 ||
          key.find_first_not_of("0123456789") != std::string::npos) {
        continue;  // Not a port number: MW1002.
      }
      const std::int64_t port = std::stoll(key);
      if (target_ports.count(port) > 0) {
        continue;
      }
      bool reported = false;
      for (const auto* svc : services) {
        for (const auto& p : svc->spec.ports) {
          if (reported || p.port.value != port || !p.target_port.present ||
              p.target_port.value.number == port) {
            continue;
          }
          reported = true;
          out.report(kInfo, pa, setting.loc,
                     "portLevelMtls port " + key + " is Service " + svc->meta.namespace_ + "/" +
                         svc->meta.name + "'s port, whose workloads receive on targetPort " +
                         std::to_string(p.target_port.value.number) +
                         ": portLevelMtls keys are workload ports, so this setting applies to a "
                         "port no traffic reaches and port " +
                         std::to_string(p.target_port.value.number) +
                         " keeps the workload's mode; use " +
                         std::to_string(p.target_port.value.number));
        }
      }
    }
  });
}

}  // namespace

MESHWARD_REGISTER_RULE(mesh_rule(kInfo,
                                 KindSet{Kind::PeerAuthentication, Kind::Service, Kind::Pod,
                                         Kind::WorkloadEntry},
                                 &check));

}  // namespace meshward::rules
