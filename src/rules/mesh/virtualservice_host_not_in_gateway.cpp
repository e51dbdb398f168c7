// A VirtualService is bound to a Gateway none of whose server hosts covers any of the
// VirtualService's hosts. The gateway route configuration gets a vhost only for the
// intersection of server hosts (host.NamesForNamespace: `ns/host` entries count only for
// VirtualServices in `ns`, `*/host` and bare hosts for all) and VirtualService hosts
// (SubsetOf either way), so this VirtualService contributes nothing: requests for its hosts
// through that gateway get 404 NR (istio-translation.md §4.3). pilot resolves short
// VirtualService hosts to <host>.<ns>.svc.cluster.local before intersecting.
// istioctl analyze: IST0132 VirtualServiceHostNotFoundInGateway.

#include <string>
#include <string_view>
#include <vector>

#include "mesh_util.h"
#include "meshward/rules/registry.h"
#include "meshward/world/host.h"

namespace meshward::rules {
namespace {

using model::Kind;

constexpr RuleInfo kInfo{"MW2105", "virtualservice-host-not-in-gateway", Family::Mesh,
                         Severity::Error,
                         "None of a VirtualService's hosts is served by the Gateway it binds "
                         "(no vhost on the gateway: 404 NR)",
                         "IST0132"};

// mesh::server_host_for_namespace(mesh::sanitize_server_host(server_host, gateway_ns), vs_ns,
// host) without building the strings: whether the server host admits VirtualServices of
// `vs_ns`, and its host part (a view into `server_host`).
bool admits(std::string_view server_host, std::string_view gateway_ns, std::string_view vs_ns,
            std::string_view& host) {
  std::string_view ns;
  if (server_host.starts_with("./")) {
    ns = gateway_ns;  // `<gateway ns>/<rest>`: a namespace name holds no '/'
    host = server_host.substr(2);
  } else {
    if (server_host.starts_with("*/")) {
      server_host.remove_prefix(2);
    }
    const auto slash = server_host.find('/');
    ns = slash == std::string_view::npos ? std::string_view() : server_host.substr(0, slash);
    host = slash == std::string_view::npos ? server_host : server_host.substr(slash + 1);
  }
  return ns.empty() || ns == "*" || ns == vs_ns;
}

void check(const Context& ctx, Sink& out) {
  ctx.each<model::VirtualService>([&](const model::VirtualService& vs) {
    const std::string& ns = vs.meta.namespace_;
    std::vector<std::string> hosts;
    for (const auto& h : vs.spec.hosts) {
      if (h.present && !h->empty()) {
        hosts.push_back(world::resolve_short_name(*h, ns));
      }
    }
    if (hosts.empty()) {
      return;
    }
    for (const auto& gw_field : vs.spec.gateways) {
      if (!gw_field.present) {
        continue;
      }
      const std::string ref = world::resolve_gateway_ref(*gw_field, ns);
      const model::Gateway* gw = mesh::find_gateway(ctx, ref);
      if (gw == nullptr) {
        continue;  // the mesh, or no such Gateway (MW2104)
      }
      // Whether a server host admitting this namespace matches a host of the VirtualService:
      // asked first, stopping at the first match (the usual answer); what the message lists
      // is gathered below only when none does.
      const auto serves = [&] {
        std::string_view h;
        for (const model::Server& server : gw->spec.servers) {
          for (const auto& sh : server.hosts) {
            if (!sh.present || !admits(*sh, gw->meta.namespace_, ns, h)) {
              continue;
            }
            for (const std::string& vh : hosts) {
              if (world::host_matches(h, vh)) {
                return true;
              }
            }
          }
        }
        return false;
      };
      if (serves()) {
        continue;
      }
      bool matched = false;
      std::vector<std::string> server_hosts;
      std::vector<std::string> other_ns;  // server hosts reserved for other namespaces
      for (const model::Server& server : gw->spec.servers) {
        for (const auto& sh : server.hosts) {
          if (!sh.present) {
            continue;
          }
          const std::string sanitized = mesh::sanitize_server_host(*sh, gw->meta.namespace_);
          server_hosts.push_back(*sh);
          std::string h;
          if (!mesh::server_host_for_namespace(sanitized, ns, h)) {
            const auto [sns, shost] = mesh::split_server_host(sanitized);
            for (const std::string& vh : hosts) {
              if (world::host_matches(shost, vh)) {
                other_ns.push_back(*sh);
                break;
              }
            }
            continue;
          }
          for (const std::string& vh : hosts) {
            matched = matched || world::host_matches(h, vh);
          }
        }
      }
      if (matched) {
        continue;
      }
      std::string message = "Gateway " + ref + " serves " +
                            (server_hosts.empty() ? std::string("no hosts")
                                                  : mesh::join(server_hosts, ", ")) +
                            ", none of this VirtualService's hosts " + mesh::join(hosts, ", ") +
                            ": the gateway builds no vhost for them and requests for them get "
                            "404 NR";
      if (!other_ns.empty()) {
        message += " (" + mesh::join(other_ns, ", ") + " admits only VirtualServices of "
                   "another namespace, not " + ns + ")";
      }
      out.report(kInfo, vs, gw_field.loc, std::move(message));
    }
  });
}

}  // namespace

MESHWARD_REGISTER_RULE(mesh_rule(kInfo, KindSet{Kind::VirtualService, Kind::Gateway}, &check));

}  // namespace meshward::rules
