#include "meshward/translate/extension_provider.h"

#include <algorithm>
#include <cstdlib>
#include <string_view>

#include "meshward/core/text.h"
#include "meshward/model/kinds/service.h"
#include "meshward/model/kinds/service_entry.h"
#include "meshward/translate/names.h"
#include "meshward/world/host.h"
#include "meshward/world/view.h"

namespace meshward::translate {
namespace {

// envoy.type.v3.StatusCode's values (parseStatusOnError accepts these only; 0 is `Empty`).
bool envoy_status_code(long code) {
  static constexpr long kCodes[] = {
      0,   100, 200, 201, 202, 203, 204, 205, 206, 207, 208, 226, 300, 301, 302, 303, 304,
      305, 307, 308, 400, 401, 402, 403, 404, 405, 406, 407, 408, 409, 410, 411, 412, 413,
      414, 415, 416, 417, 421, 422, 423, 424, 426, 428, 429, 431, 500, 501, 502, 503, 504,
      505, 506, 507, 508, 510, 511};
  return std::find(std::begin(kCodes), std::end(kCodes), code) != std::end(kCodes);
}

// ServiceIndex.HostnameAndNamespace[hostname]: the namespaces of the Services (by FQDN) and
// ServiceEntries (by a host written exactly so) named `hostname`.
std::vector<std::string> namespaces_of_host(const world::View& view, const std::string& hostname,
                                            const std::string& domain_suffix) {
  std::vector<std::string> out;
  const auto add = [&](const std::string& ns) {
    if (std::find(out.begin(), out.end(), ns) == out.end()) {
      out.push_back(ns);
    }
  };
  for (const model::Object* o : view.by_host(model::Kind::Service, hostname)) {
    if (world::service_fqdn(o->meta.name, o->meta.namespace_, domain_suffix) == hostname) {
      add(o->meta.namespace_);
    }
  }
  for (const model::Object* o : view.by_host(model::Kind::ServiceEntry, hostname)) {
    if (const auto* se = o->as<model::ServiceEntry>()) {
      for (const auto& h : se->spec.hosts) {
        if (h.present && *h == hostname) {
          add(o->meta.namespace_);
        }
      }
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

// extensionproviders.LookupCluster: `ns/hostname`, or a hostname that one namespace has.
Result<ResolvedExtAuthz> lookup_cluster(const world::View& view, const MeshExtensionProvider& p,
                                        const std::string& domain_suffix) {
  if (p.service.empty()) {
    return Error{"service must not be empty"};
  }
  std::string hostname = p.service;
  std::vector<std::string> namespaces;
  if (const auto slash = p.service.find('/');
      slash != std::string::npos && p.service.find('/', slash + 1) == std::string::npos) {
    hostname = p.service.substr(slash + 1);
    const std::string ns = p.service.substr(0, slash);
    const auto all = namespaces_of_host(view, hostname, domain_suffix);
    if (std::find(all.begin(), all.end(), ns) != all.end()) {
      namespaces = {ns};
    }
  } else {
    namespaces = namespaces_of_host(view, hostname, domain_suffix);
    if (namespaces.size() > 1) {
      return Error{"found " + p.service + " in multiple namespaces [" + join(namespaces, " ") +
                   "], specify the namespace explicitly in the format of <Namespace>/<Hostname>"};
    }
  }
  if (namespaces.empty()) {
    return Error{"could not find service " + p.service + ":" + std::to_string(p.port) +
                 " in Istio service registry"};
  }
  return ResolvedExtAuthz{&p, hostname, outbound_cluster_name(p.port, "", hostname)};
}

// buildExtAuthzHTTP / buildExtAuthzGRPC: every error of the provider, joined.
Result<ResolvedExtAuthz> build(const world::View& view, const MeshExtensionProvider& p,
                               const std::string& domain_suffix) {
  std::vector<std::string> errors;
  if (p.port < 1 || p.port > 65535) {
    errors.push_back("port must be in the range [1, 65535], found: " + std::to_string(p.port));
  }
  auto resolved = lookup_cluster(view, p, domain_suffix);
  if (!resolved) {
    errors.push_back(resolved.error().message);
  }
  if (!p.status_on_error.empty()) {
    char* end = nullptr;
    const long code = std::strtol(p.status_on_error.c_str(), &end, 10);
    if (end == p.status_on_error.c_str() || *end != '\0') {
      errors.push_back("invalid statusOnError \"" + p.status_on_error + "\"");
    } else if (!envoy_status_code(code)) {
      errors.push_back("unsupported statusOnError " + p.status_on_error);
    }
  }
  if (p.type == MeshExtensionProvider::Type::ExtAuthzHttp) {
    if (!p.path_prefix.empty() && p.path_prefix[0] != '/') {
      errors.push_back("pathPrefix must begin with `/`, found: \"" + p.path_prefix + "\"");
    }
    const std::pair<const char*, const std::vector<std::string>*> headers[] = {
        {"IncludeRequestHeadersInCheck", &p.include_request_headers_in_check},
        {"IncludeHeadersInCheck", &p.include_headers_in_check},
        {"HeadersToDownstreamOnDeny", &p.headers_to_downstream_on_deny},
        {"HeadersToDownstreamOnAllow", &p.headers_to_downstream_on_allow},
        {"HeadersToUpstreamOnAllow", &p.headers_to_upstream_on_allow}};
    for (const auto& [field, values] : headers) {
      if (std::find(values->begin(), values->end(), "*") != values->end()) {
        errors.push_back(std::string("a single wildcard (\"*\") is not supported, change it to "
                                     "either prefix or suffix match: ") +
                         field);
      }
    }
  }
  if (!errors.empty()) {
    return Error{join(errors, "; ")};
  }
  return resolved;
}

}  // namespace

Result<ResolvedExtAuthz> resolve_ext_authz(const world::View& view,
                                           const std::vector<MeshExtensionProvider>& providers,
                                           const std::vector<std::string>& named,
                                           const std::string& domain_suffix) {
  if (named.empty()) {
    return Error{"no provider specified in authorization policy"};
  }
  std::vector<std::string> distinct = named;
  std::sort(distinct.begin(), distinct.end());
  distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
  if (distinct.size() > 1) {
    return Error{"only 1 provider can be used per workload, found multiple providers: [" +
                 join(named, " ") + "]"};
  }
  // processExtensionProvider: the authorizers by name; a later entry with a name taken
  // replaces the earlier one and carries the duplicate error.
  const std::string& wanted = named.front();
  const MeshExtensionProvider* found = nullptr;
  bool duplicate = false;
  std::vector<std::string> available;
  for (const MeshExtensionProvider& p : providers) {
    if (p.type == MeshExtensionProvider::Type::Other) {
      continue;
    }
    if (std::find(available.begin(), available.end(), p.name) != available.end()) {
      duplicate = duplicate || p.name == wanted;
    } else {
      available.push_back(p.name);
    }
    if (p.name == wanted) {
      found = &p;
    }
  }
  if (found == nullptr) {
    std::string why =
        "available providers are [" + join(available, " ") + "] but found \"" + wanted + "\"";
    for (const MeshExtensionProvider& p : providers) {
      if (p.name == wanted) {
        why += " (a " + p.other_type + " provider, not an external authorizer)";
        break;
      }
    }
    return Error{why};
  }
  std::vector<std::string> errors;
  if (wanted.empty()) {
    errors.push_back("extension provider name must not be empty");
  }
  if (duplicate) {
    errors.push_back("extension provider name must be unique, found duplicate: " + wanted);
  }
  auto built = build(view, *found, domain_suffix);
  if (!built) {
    errors.push_back(built.error().message);
  }
  if (!errors.empty()) {
    return Error{"found errors in provider " + wanted + ": " + join(errors, "; ")};
  }
  return built;
}

}  // namespace meshward::translate
