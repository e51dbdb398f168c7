#include "meshward/translate/xds.h"

#include <algorithm>
#include <cctype>
#include <string>
#include <string_view>
#include <vector>

namespace meshward::translate {

bool RouteMatch::is_catch_all() const {
  if (!headers.empty() || !query_parameters.empty()) {
    return false;
  }
  return (path_kind == PathKind::Prefix && path == "/") ||
         (path_kind == PathKind::SafeRegex && path == ".*");
}

bool HeaderMutations::empty() const {
  return request_headers_to_add.empty() && request_headers_to_remove.empty() &&
         response_headers_to_add.empty() && response_headers_to_remove.empty();
}

std::vector<std::string> RouteAction::clusters() const {
  std::vector<std::string> out;
  if (!cluster.empty()) {
    out.push_back(cluster);
  }
  for (const ClusterWeight& w : weighted_clusters) {
    out.push_back(w.name);
  }
  return out;
}

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

// The host part of an authority: `a.com:80` → `a.com`, `[::1]:80` → `[::1]`.
std::string_view strip_port(std::string_view authority) {
  const std::size_t colon = authority.rfind(':');
  if (colon == std::string_view::npos) {
    return authority;
  }
  const std::size_t bracket = authority.rfind(']');
  if (bracket != std::string_view::npos && bracket > colon) {
    return authority;  // An IPv6 literal without a port.
  }
  const std::string_view port = authority.substr(colon + 1);
  if (port.empty() || !std::all_of(port.begin(), port.end(), [](char c) {
        return std::isdigit(static_cast<unsigned char>(c)) != 0;
      })) {
    return authority;
  }
  return authority.substr(0, colon);
}

}  // namespace

// Envoy's RouteMatcher::findVirtualHost: exact domains first, then suffix wildcards (`*.a.com`,
// `*a.com`) longest first, then prefix wildcards (`a.*`) longest first, then `*`. Domains are
// matched case-insensitively.
const VirtualHost* RouteConfiguration::select_virtual_host(std::string_view authority) const {
  const std::string host =
      lower(ignore_port_in_host_matching ? strip_port(authority) : authority);
  const VirtualHost* best_suffix = nullptr;
  std::size_t best_suffix_len = 0;
  const VirtualHost* best_prefix = nullptr;
  std::size_t best_prefix_len = 0;
  const VirtualHost* any = nullptr;
  for (const VirtualHost& vh : virtual_hosts) {
    for (const std::string& raw : vh.domains) {
      const std::string domain = lower(raw);
      if (domain == "*") {
        if (any == nullptr) {
          any = &vh;
        }
      } else if (domain.front() == '*') {
        const std::string_view suffix = std::string_view(domain).substr(1);
        if (host.size() > suffix.size() && host.ends_with(suffix) &&
            suffix.size() > best_suffix_len) {
          best_suffix = &vh;
          best_suffix_len = suffix.size();
        }
      } else if (domain.back() == '*') {
        const std::string_view prefix =
            std::string_view(domain).substr(0, domain.size() - 1);
        if (host.size() > prefix.size() && host.starts_with(prefix) &&
            prefix.size() > best_prefix_len) {
          best_prefix = &vh;
          best_prefix_len = prefix.size();
        }
      } else if (domain == host) {
        return &vh;
      }
    }
  }
  if (best_suffix != nullptr) {
    return best_suffix;
  }
  if (best_prefix != nullptr) {
    return best_prefix;
  }
  return any;
}

std::size_t ClusterLoadAssignment::endpoint_count() const {
  std::size_t n = 0;
  for (const LocalityLbEndpoints& l : endpoints) {
    n += l.lb_endpoints.size();
  }
  return n;
}

bool FilterChainMatch::empty() const {
  return !destination_port && prefix_ranges.empty() && server_names.empty() &&
         transport_protocol.empty() && application_protocols.empty();
}

std::string HttpFilter::type_url() const {
  const json::Value* v = patch_value.get();
  if (v == nullptr || !v->IsObject()) {
    return "";
  }
  const auto typed = v->FindMember("typed_config");
  if (typed == v->MemberEnd() || !typed->value.IsObject()) {
    return "";
  }
  const auto type = typed->value.FindMember("@type");
  return type != typed->value.MemberEnd() && type->value.IsString() ? type->value.GetString()
                                                                    : "";
}

std::vector<std::string> NetworkFilter::http_filter_names() const {
  std::vector<std::string> out;
  out.reserve(http_filters.size());
  for (const HttpFilter& f : http_filters) {
    out.push_back(f.name);
  }
  return out;
}

const NetworkFilter* FilterChain::terminal() const {
  for (const NetworkFilter& f : filters) {
    if (f.name == "envoy.filters.network.http_connection_manager" ||
        f.name == "envoy.filters.network.tcp_proxy") {
      return &f;
    }
  }
  return nullptr;
}

std::string FilterChain::describe() const {
  if (!name.empty()) {
    return "filter chain " + name;
  }
  std::string out = "filter chain";
  const auto add = [&out](std::string_view label, const std::vector<std::string>& items) {
    if (!items.empty()) {
      out += " " + std::string(label);
      for (std::size_t i = 0; i < items.size(); ++i) {
        out += (i == 0 ? " " : ",") + items[i];
      }
    }
  };
  add("sni", match.server_names);
  if (match.destination_port) {
    out += " port " + std::to_string(*match.destination_port);
  }
  if (!match.transport_protocol.empty()) {
    out += " " + match.transport_protocol;
  }
  add("alpn", match.application_protocols);
  add("from", match.prefix_ranges);
  return match.empty() ? out + " *" : out;
}

namespace {

template <class T, class Key>
const T* find_named(const std::vector<T>& items, std::string_view name, Key key) {
  for (const T& item : items) {
    if (key(item) == name) {
      return &item;
    }
  }
  return nullptr;
}

}  // namespace

const Listener* ProxyConfig::find_listener(std::string_view name) const {
  return find_named(listeners, name, [](const Listener& l) -> const std::string& { return l.name; });
}

const RouteConfiguration* ProxyConfig::find_route(std::string_view name) const {
  return find_named(routes, name,
                    [](const RouteConfiguration& r) -> const std::string& { return r.name; });
}

const Cluster* ProxyConfig::find_cluster(std::string_view name) const {
  return find_named(clusters, name, [](const Cluster& c) -> const std::string& { return c.name; });
}

const ClusterLoadAssignment* ProxyConfig::find_endpoints(std::string_view cluster_name) const {
  return find_named(endpoints, cluster_name,
                    [](const ClusterLoadAssignment& c) -> const std::string& {
                      return c.cluster_name;
                    });
}

std::string Locality::text() const {
  std::string out = region;
  if (!zone.empty()) {
    out += "/" + zone;
    if (!sub_zone.empty()) {
      out += "/" + sub_zone;
    }
  }
  return out;
}

}  // namespace meshward::translate
