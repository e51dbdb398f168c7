#include "meshward/world/host.h"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cstring>

namespace meshward::world {

bool is_wildcard(std::string_view host) { return !host.empty() && host.front() == '*'; }

bool host_matches(std::string_view a, std::string_view b) {
  const bool a_wild = is_wildcard(a);
  const bool b_wild = is_wildcard(b);
  if (a_wild && b_wild) {
    // Both wildcards overlap when the shorter suffix is a suffix of the longer one.
    if (a.size() < b.size()) {
      return b.substr(1).ends_with(a.substr(1));
    }
    return a.substr(1).ends_with(b.substr(1));
  }
  if (a_wild) {
    return b.ends_with(a.substr(1));
  }
  if (b_wild) {
    return a.ends_with(b.substr(1));
  }
  return a == b;
}

bool host_subset_of(std::string_view a, std::string_view b) {
  const bool a_wild = is_wildcard(a);
  const bool b_wild = is_wildcard(b);
  if (a_wild && b_wild) {
    if (a.size() < b.size()) {
      return false;
    }
    return a.substr(1).ends_with(b.substr(1));
  }
  if (a_wild) {
    return false;
  }
  if (b_wild) {
    return a.ends_with(b.substr(1));
  }
  return a == b;
}

bool is_ip_address(std::string_view text) {
  // inet_pton needs a NUL-terminated string; host names are short, so a stack buffer does.
  std::array<char, 64> buf{};
  if (text.empty() || text.size() >= buf.size()) {
    return false;
  }
  std::memcpy(buf.data(), text.data(), text.size());
  std::array<unsigned char, 16> addr{};
  if (inet_pton(AF_INET, buf.data(), addr.data()) == 1) {
    return true;
  }
  // Go accepts an IPv6 zone ("fe80::1%eth0"); inet_pton does not, so cut it off first.
  if (const auto pct = text.find('%'); pct != std::string_view::npos) {
    if (pct + 1 == text.size()) {
      return false;
    }
    buf[pct] = '\0';
  }
  return inet_pton(AF_INET6, buf.data(), addr.data()) == 1;
}

std::string resolve_short_name(std::string_view host, std::string_view ns,
                               std::string_view domain_suffix) {
  // Pilot treats `*` as fully qualified; every other wildcard contains a dot anyway. The
  // empty host stays empty so it keeps failing the checks that look for it.
  if (host.empty() || host == "*" || host.find('.') != std::string_view::npos ||
      is_ip_address(host)) {
    return std::string(host);
  }
  std::string out(host);
  if (!ns.empty()) {
    out.append(".").append(ns);
  }
  if (!domain_suffix.empty()) {
    out.append(".svc.").append(domain_suffix);
  }
  return out;
}

std::string service_fqdn(std::string_view name, std::string_view ns,
                         std::string_view domain_suffix) {
  std::string out;
  out.reserve(name.size() + ns.size() + domain_suffix.size() + 6);
  out.append(name).append(".").append(ns).append(".svc.").append(domain_suffix);
  return out;
}

std::string resolve_gateway_ref(std::string_view ref, std::string_view vs_namespace) {
  if (ref == kMeshGateway) {
    return std::string(ref);
  }
  const auto slash = ref.find('/');
  if (slash == std::string_view::npos) {
    const auto dot = ref.find('.');
    if (dot == std::string_view::npos) {
      return std::string(vs_namespace) + "/" + std::string(ref);
    }
    // Legacy FQDN binding: name.ns.svc.cluster.local -> ns/name (pilot keeps this for
    // backward compatibility only).
    const std::string_view name = ref.substr(0, dot);
    std::string_view rest = ref.substr(dot + 1);
    if (const auto next = rest.find('.'); next != std::string_view::npos) {
      rest = rest.substr(0, next);
    }
    return std::string(rest) + "/" + std::string(name);
  }
  if (ref.substr(0, slash) == ".") {
    return std::string(vs_namespace) + "/" + std::string(ref.substr(slash + 1));
  }
  return std::string(ref);
}

std::vector<std::string> resolve_gateway_refs(
    const std::vector<model::Field<std::string>>& gateways, std::string_view vs_namespace) {
  std::vector<std::string> out;
  if (gateways.empty()) {
    out.emplace_back(kMeshGateway);
    return out;
  }
  out.reserve(gateways.size());
  for (const auto& gw : gateways) {
    std::string ref = resolve_gateway_ref(gw.value, vs_namespace);
    if (std::find(out.begin(), out.end(), ref) == out.end()) {
      out.push_back(std::move(ref));
    }
  }
  return out;
}

}  // namespace meshward::world
