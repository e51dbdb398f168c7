// Gateway selection and server merging for a gateway proxy (reference §4.1): pilot's
// PushContext.mergeGateways / model.mergeGateways, resolvePorts, sanitizeServerHostNamespace,
// CheckDuplicates and gatewayRDSRouteName (pilot/pkg/model/gateway.go).
#include <cctype>
#include <map>
#include <set>
#include <string>
#include <utility>

#include "meshward/translate/names.h"
#include "meshward/translate/translate.h"
#include "meshward/world/view.h"

namespace meshward::translate {

namespace {

// Services carrying this label opt out of gateway port translation (resolvePorts).
constexpr std::string_view kDisablePortTranslationLabel =
    "experimental.istio.io/disable-gateway-port-translation";

std::string upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return out;
}

// sanitizeServerHostNamespace: `./h` → `<ns>/h`, `*/h` → `h`; `*/*` makes the whole list `*`.
std::vector<std::string> sanitize_hosts(const std::vector<model::Field<std::string>>& hosts,
                                        std::string_view gateway_namespace) {
  std::vector<std::string> out;
  out.reserve(hosts.size());
  for (const auto& field : hosts) {
    const std::string& h = field.value;
    const std::size_t slash = h.find('/');
    if (slash == std::string::npos) {
      out.push_back(h);
      continue;
    }
    const std::string_view ns = std::string_view(h).substr(0, slash);
    std::string_view name = std::string_view(h).substr(slash + 1);
    name = name.substr(0, name.find('/'));  // strings.Split(h, "/")[1]
    if (ns == ".") {
      out.push_back(std::string(gateway_namespace) + "/" + std::string(name));
    } else if (ns == "*") {
      if (name == "*") {
        return {"*"};
      }
      out.emplace_back(name);
    } else {
      out.push_back(h);
    }
  }
  return out;
}

// gateway.IsPassThroughServer; an absent mode is the proto default, PASSTHROUGH.
bool is_passthrough_server(const model::Server& s) {
  if (!s.tls) {
    return false;
  }
  return !s.tls->mode.present || s.tls->mode.value == model::ServerTlsMode::Passthrough ||
         s.tls->mode.value == model::ServerTlsMode::AutoPassthrough;
}

// gateway.IsTLSServer: TLS settings on a non-HTTP server.
bool is_tls_server(const model::Server& s, Protocol p) { return s.tls && !is_http(p); }

// gateway.IsHTTPServer: HTTP, or HTTPS terminating TLS.
bool is_http_server(const model::Server& s, Protocol p) {
  return is_http(p) || (p == Protocol::Https && s.tls && !is_passthrough_server(s));
}

// canMergeProtocols(current, p) as mergeGateways calls it (new server first).
bool can_merge_protocols(Protocol current, Protocol p) {
  return (is_http(current) || current == p) && is_http(p);
}

// resolvePorts (selector-based gateways): the target port of the first ServiceTarget whose
// service port is the server port, else the server port itself.
std::uint32_t resolve_port(std::uint32_t number,
                           const std::vector<Registry::ServiceTarget>& targets) {
  for (const Registry::ServiceTarget& t : targets) {
    const model::Object* source = t.service.source;
    if (source != nullptr && source->meta.labels.contains(std::string(kDisablePortTranslationLabel))) {
      continue;
    }
    if (t.port.port == number) {
      return t.target_port;
    }
  }
  return number;
}

// gatewayRDSRouteName: `http.<resolved port>` or `https.<server port>.<port name>.<gw>.<ns>`,
// `.<bind>` appended; empty for servers without an HTTP connection manager route.
std::string rds_route_name(const model::Server& s, Protocol p, std::uint32_t resolved_port,
                           const model::Gateway& gw) {
  if (is_http(p)) {
    return gateway_http_route_name(resolved_port, s.bind.value);
  }
  if (p == Protocol::Https && !is_passthrough_server(s)) {
    return gateway_https_route_name(s.port->number.value, s.port->name.value, gw.meta.name,
                                    gw.meta.namespace_, s.bind.value);
  }
  return {};
}

// CheckDuplicates: hosts already used by a TLS server on the port with the same bind. Records
// the hosts when there is no duplicate.
bool has_duplicate_tls_hosts(const std::vector<std::string>& hosts, const std::string& bind,
                             std::map<std::string, std::string>& known) {
  bool duplicate = false;
  for (const std::string& h : hosts) {
    auto it = known.find(h);
    if (it != known.end() && it->second == bind) {
      duplicate = true;
    }
  }
  if (!duplicate) {
    for (const std::string& h : hosts) {
      known[h] = bind;
    }
  }
  return duplicate;
}

}  // namespace

std::vector<const model::Gateway*> gateways_for(const Scope& scope) {
  std::vector<const model::Gateway*> out;
  if (scope.proxy().type != Proxy::Type::Gateway) {
    return out;
  }
  // All namespaces (PILOT_SCOPE_GATEWAY_TO_NAMESPACE off); a Gateway without selector applies
  // to every gateway workload. The View answers oldest first.
  for (const model::Object* o :
       scope.registry().view().selecting(model::Kind::Gateway, "", scope.proxy().labels)) {
    if (const auto* gw = o->as<model::Gateway>()) {
      out.push_back(gw);
    }
  }
  return out;
}

std::vector<GatewayServer> gateway_servers(const Scope& scope) {
  std::vector<GatewayServer> out;
  const std::vector<const model::Gateway*> gateways = gateways_for(scope);
  if (gateways.empty()) {
    return out;
  }
  const Proxy& proxy = scope.proxy();
  const std::vector<Registry::ServiceTarget> targets =
      scope.registry().service_targets(proxy.namespace_, proxy.labels);

  struct PlaintextPort {
    Protocol protocol = Protocol::Unsupported;
    std::string bind;
  };
  std::set<std::uint32_t> gateway_ports;
  std::map<std::uint32_t, PlaintextPort> plaintext_ports;
  std::set<std::string> route_names;
  std::map<std::uint32_t, std::map<std::string, std::string>> tls_hosts_by_port;
  std::map<std::uint32_t, std::set<std::string>> non_plaintext_binds;

  for (const model::Gateway* gw : gateways) {
    const std::string ref = gw->meta.namespace_ + "/" + gw->meta.name;
    for (std::size_t i = 0; i < gw->spec.servers.size(); ++i) {
      const model::Server& s = gw->spec.servers[i];
      if (!s.port) {
        continue;  // Rejected by validation; pilot skips it too.
      }
      const Protocol protocol = parse_protocol(s.port->protocol.value);
      std::vector<std::string> hosts = sanitize_hosts(s.hosts, gw->meta.namespace_);
      const std::uint32_t port = resolve_port(s.port->number.value, targets);
      const std::string route_name = rds_route_name(s, protocol, port, *gw);
      const std::string& bind = s.bind.value;

      if (s.tls && has_duplicate_tls_hosts(hosts, bind, tls_hosts_by_port[port])) {
        continue;  // Duplicate SNI hosts on the port: Envoy would reject the chains.
      }
      const bool http_server = is_http_server(s, protocol);
      if (gateway_ports.contains(port)) {
        if (auto current = plaintext_ports.find(port); current != plaintext_ports.end()) {
          const bool same_bind = current->second.bind == bind;
          if (!can_merge_protocols(protocol, current->second.protocol) && same_bind) {
            continue;  // Plaintext conflict with the server already on the port.
          }
          if (route_name.empty() && same_bind) {
            continue;  // Two TCP servers on one port and bind.
          }
          if (!route_name.empty()) {
            route_names.insert(route_name);
          }
        } else {
          if (http_server) {
            if (route_name.empty() || route_names.contains(route_name)) {
              continue;  // HTTPS servers on one port need distinct port names.
            }
            route_names.insert(route_name);
          }
          // The first server of the port is not recorded here (pilot's map starts with the
          // second), so the second server always counts as a new bind.
          const auto [binds, created] = non_plaintext_binds.try_emplace(port);
          const bool inserted = binds->second.insert(bind).second;
          const bool new_bind = created || inserted;
          if (!s.tls && !new_bind) {
            continue;  // A TLS port's other servers need TLS settings to tell them apart.
          }
        }
      } else {
        gateway_ports.insert(port);
        if (!is_tls_server(s, protocol)) {
          plaintext_ports[port] = PlaintextPort{protocol, bind};
        }
        if (http_server) {
          route_names.insert(route_name);
        }
      }

      GatewayServer server;
      server.gateway = gw;
      server.server_index = i;
      server.gateway_ref = ref;
      server.server_port = s.port->number.value;
      server.target_port = port;
      server.port_name = s.port->name.value;
      server.protocol = upper(s.port->protocol.value);
      server.hosts = std::move(hosts);
      if (http_server) {
        server.route_name = route_name;
      }
      out.push_back(std::move(server));
    }
  }
  return out;
}

}  // namespace meshward::translate
