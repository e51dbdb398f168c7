// A listener filter or subFilter match that names a filter by its deprecated Envoy name
// ("envoy.router", "envoy.http_connection_manager", ...). istiod generates only canonical names
// (envoy.filters.http.router, ...); deprecated names are kept for compatibility only and may
// stop matching. Istio's webhook warns ("using deprecated filter name %q; use %q instead",
// validateListenerMatchName in pkg/config/validation/envoyfilter/envoyfilter.go; the table is
// pkg/config/xds/filter_types.go DeprecatedFilterNames).

#include <string>
#include <string_view>

#include "meshward/model/kinds/envoy_filter.h"
#include "meshward/rules/registry.h"

namespace meshward::rules {
namespace {

constexpr RuleInfo kInfo{"MW4107", "envoyfilter-deprecated-filter-name", Family::Extension,
                         Severity::Warning,
                         "An EnvoyFilter matches a filter by its deprecated Envoy name", ""};

struct Rename {
  std::string_view deprecated;
  std::string_view canonical;
};

// Istio's DeprecatedFilterNames, deprecated -> canonical. envoy.ext_authz is both the HTTP
// and the network filter's old name; the canonical one depends on where it is matched.
constexpr Rename kRenames[] = {
    {"envoy.buffer", "envoy.filters.http.buffer"},
    {"envoy.cors", "envoy.filters.http.cors"},
    {"envoy.csrf", "envoy.filters.http.csrf"},
    {"envoy.http_dynamo_filter", "envoy.filters.http.dynamo"},
    {"envoy.fault", "envoy.filters.http.fault"},
    {"envoy.grpc_http1_bridge", "envoy.filters.http.grpc_http1_bridge"},
    {"envoy.grpc_json_transcoder", "envoy.filters.http.grpc_json_transcoder"},
    {"envoy.grpc_web", "envoy.filters.http.grpc_web"},
    {"envoy.gzip", "envoy.filters.http.gzip"},
    {"envoy.health_check", "envoy.filters.http.health_check"},
    {"envoy.ip_tagging", "envoy.filters.http.ip_tagging"},
    {"envoy.lua", "envoy.filters.http.lua"},
    {"envoy.rate_limit", "envoy.filters.http.ratelimit"},
    {"envoy.router", "envoy.filters.http.router"},
    {"envoy.squash", "envoy.filters.http.squash"},
    {"envoy.listener.http_inspector", "envoy.filters.listener.http_inspector"},
    {"envoy.listener.original_dst", "envoy.filters.listener.original_dst"},
    {"envoy.listener.original_src", "envoy.filters.listener.original_src"},
    {"envoy.listener.proxy_protocol", "envoy.filters.listener.proxy_protocol"},
    {"envoy.listener.tls_inspector", "envoy.filters.listener.tls_inspector"},
    {"envoy.client_ssl_auth", "envoy.filters.network.client_ssl_auth"},
    {"envoy.http_connection_manager", "envoy.filters.network.http_connection_manager"},
    {"envoy.mongo_proxy", "envoy.filters.network.mongo_proxy"},
    {"envoy.ratelimit", "envoy.filters.network.ratelimit"},
    {"envoy.redis_proxy", "envoy.filters.network.redis_proxy"},
    {"envoy.tcp_proxy", "envoy.filters.network.tcp_proxy"},
};

// The canonical name for `name`, or empty when it is not deprecated.
std::string_view canonical_name(std::string_view name, bool http_filter) {
  if (name == "envoy.ext_authz") {
    return http_filter ? "envoy.filters.http.ext_authz" : "envoy.filters.network.ext_authz";
  }
  for (const Rename& r : kRenames) {
    if (r.deprecated == name) {
      return r.canonical;
    }
  }
  return {};
}

void check_name(const model::EnvoyFilter& ef, const model::Field<std::string>& name,
                bool http_filter, Sink& out) {
  const std::string_view canonical = canonical_name(name.value, http_filter);
  if (!canonical.empty()) {
    out.report(kInfo, ef, name.loc,
               "filter name \"" + name.value + "\" is deprecated: use \"" +
                   std::string(canonical) + "\" instead");
  }
}

void check(const model::EnvoyFilter& ef, Sink& out) {
  for (const model::EnvoyConfigObjectPatch& cp : ef.spec.config_patches) {
    if (!cp.match || !cp.match->listener || !cp.match->listener->filter_chain ||
        !cp.match->listener->filter_chain->filter) {
      continue;
    }
    const model::EnvoyFilterFilterMatch& filter = *cp.match->listener->filter_chain->filter;
    check_name(ef, filter.name, /*http_filter=*/false, out);
    if (filter.sub_filter) {
      check_name(ef, filter.sub_filter->name, /*http_filter=*/true, out);
    }
  }
}

}  // namespace

MESHWARD_REGISTER_RULE(resource_rule(kInfo, &check));

}  // namespace meshward::rules
