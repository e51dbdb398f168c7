// Istio's Envoy object names; see include/meshward/translate/names.h for the pilot sources.
#include "meshward/translate/names.h"

#include <initializer_list>

namespace meshward::translate {

namespace {

// Names are built once per cluster, route and vhost: each in one allocation of its exact size.
std::string joined(std::initializer_list<std::string_view> parts) {
  std::size_t size = 0;
  for (const std::string_view p : parts) {
    size += p.size();
  }
  std::string out;
  out.reserve(size);
  for (const std::string_view p : parts) {
    out.append(p);
  }
  return out;
}

std::string with_bind(std::string name, std::string_view bind) {
  if (!bind.empty()) {
    name += '.';
    name += bind;
  }
  return name;
}

}  // namespace

std::string outbound_cluster_name(std::uint32_t port, std::string_view subset,
                                  std::string_view fqdn) {
  return joined({"outbound|", std::to_string(port), "|", subset, "|", fqdn});
}

std::string inbound_cluster_name(std::uint32_t target_port) {
  return "inbound|" + std::to_string(target_port) + "||";
}

std::string sni_dns_name(std::uint32_t port, std::string_view subset, std::string_view fqdn) {
  return joined({"outbound_.", std::to_string(port), "_.", subset, "_.", fqdn});
}

std::string gateway_http_route_name(std::uint32_t port, std::string_view bind) {
  return with_bind("http." + std::to_string(port), bind);
}

std::string gateway_https_route_name(std::uint32_t server_port, std::string_view port_name,
                                     std::string_view gateway_name,
                                     std::string_view gateway_namespace, std::string_view bind) {
  std::string out = "https." + std::to_string(server_port);
  out += '.';
  out += port_name;
  out += '.';
  out += gateway_name;
  out += '.';
  out += gateway_namespace;
  return with_bind(std::move(out), bind);
}

std::string sidecar_route_name(std::uint32_t port) { return std::to_string(port); }

std::string vhost_name(std::string_view host, std::uint32_t port) {
  // net.JoinHostPort brackets a host containing a colon (an IPv6 literal).
  if (host.find(':') != std::string_view::npos) {
    return joined({"[", host, "]:", std::to_string(port)});
  }
  return joined({host, ":", std::to_string(port)});
}

std::string blackhole_vhost_name(std::uint32_t port) {
  return "blackhole:" + std::to_string(port);
}

std::string listener_name(std::string_view bind, std::uint32_t port) {
  return joined({bind, "_", std::to_string(port)});
}

}  // namespace meshward::translate
