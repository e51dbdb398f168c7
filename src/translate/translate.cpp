// translate_proxy: the whole configuration istiod pushes to one proxy — its listeners, the
// route configurations those listeners ask for over RDS, its clusters and the endpoints of
// its EDS clusters — and route_names(), the RDS names alone.

#include "meshward/translate/translate.h"

#include <algorithm>
#include <cstdlib>
#include <iterator>
#include <map>
#include <set>
#include <string>
#include <utility>

#include "meshward/translate/envoy_filter.h"

#include "endpoint_groups.h"
#include "listeners.h"
#include "route_builder.h"

namespace meshward::translate {

namespace {

// The RDS names the listeners' connection managers ask for, first use first.
std::vector<std::string> rds_names(const std::vector<Listener>& listeners) {
  std::vector<std::string> out;
  std::set<std::string, std::less<>> seen;
  auto add_chain = [&](const FilterChain& chain) {
    for (const NetworkFilter& f : chain.filters) {
      if (!f.rds_route_config_name.empty() && seen.insert(f.rds_route_config_name).second) {
        out.push_back(f.rds_route_config_name);
      }
    }
  };
  for (const Listener& l : listeners) {
    for (const FilterChain& c : l.filter_chains) {
      add_chain(c);
    }
    if (l.default_filter_chain) {
      add_chain(*l.default_filter_chain);
    }
  }
  return out;
}

// Whether `name` is all digits (a sidecar port route), and its value.
bool numeric_name(const std::string& name, unsigned long& value) {
  if (name.empty() ||
      !std::all_of(name.begin(), name.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return false;
  }
  value = std::strtoul(name.c_str(), nullptr, 10);
  return true;
}

// istioctl's order: numeric route names ascending, then the others by name.
void sort_routes(std::vector<RouteConfiguration>& routes) {
  std::stable_sort(routes.begin(), routes.end(),
                   [](const RouteConfiguration& a, const RouteConfiguration& b) {
                     unsigned long na = 0;
                     unsigned long nb = 0;
                     const bool a_num = numeric_name(a.name, na);
                     const bool b_num = numeric_name(b.name, nb);
                     if (a_num != b_num) {
                       return a_num;
                     }
                     return a_num ? na < nb : a.name < b.name;
                   });
}

}  // namespace

std::vector<std::string> route_names(const Scope& scope) {
  return rds_names(build_listeners(scope));
}

namespace {

// CLUSTER patches in istiod's groups (configgen BuildClusters): a sidecar's outbound clusters
// (with BlackHole and Passthrough) in SIDECAR_OUTBOUND, its inbound ones (with
// InboundPassthroughCluster) in SIDECAR_INBOUND, each group followed by the clusters its ADDs
// bring; a gateway's in GATEWAY.
void patch_clusters(const Scope& scope, const ProxyPatches& patches, std::vector<Cluster>& clusters,
                    std::vector<PatchEffect>* log) {
  using Context = model::EnvoyFilterPatchContext;
  if (patches.of(model::EnvoyFilterApplyTo::Cluster).empty()) {
    return;
  }
  if (scope.proxy().type == Proxy::Type::Gateway) {
    apply_cluster_patches(Context::Gateway, patches, clusters, {}, log);
    return;
  }
  const auto first_inbound = std::find_if(clusters.begin(), clusters.end(), [](const Cluster& c) {
    return c.direction == "inbound" || c.name == kInboundPassthroughCluster;
  });
  std::vector<Cluster> inbound(std::make_move_iterator(first_inbound),
                               std::make_move_iterator(clusters.end()));
  clusters.erase(first_inbound, clusters.end());
  std::map<std::uint32_t, std::vector<std::string>> hosts;
  const Proxy& proxy = scope.proxy();
  for (const Registry::ServiceTarget& t :
       scope.registry().service_targets(proxy.namespace_, proxy.labels)) {
    hosts[t.target_port].push_back(t.service.hostname);
  }
  apply_cluster_patches(Context::SidecarOutbound, patches, clusters, {}, log);
  apply_cluster_patches(Context::SidecarInbound, patches, inbound, hosts, log);
  std::move(inbound.begin(), inbound.end(), std::back_inserter(clusters));
}

}  // namespace

ProxyConfig translate_proxy(const world::View& view, const Proxy& proxy, const Options& options,
                            Parts parts) {
  const Registry registry(view, options);
  const Scope scope(registry, proxy);
  // The proxy's patches, selected once for its listeners, routes and clusters.
  const ProxyPatches patches(view, proxy, options);
  const auto route_context = proxy.type == Proxy::Type::Gateway
                                 ? model::EnvoyFilterPatchContext::Gateway
                                 : model::EnvoyFilterPatchContext::SidecarOutbound;
  ProxyConfig out;
  if (parts.listeners || parts.routes) {
    std::vector<Listener> listeners = detail::build_patched_listeners(
        scope, patches, &out.patch_effects, parts.listeners ? &out.extension_configs : nullptr);
    if (parts.routes) {
      detail::RouteBuilder routes(scope);
      const std::vector<std::string> names = rds_names(listeners);
      out.routes.reserve(names.size());
      for (const std::string& name : names) {
        out.routes.push_back(routes.build(name));
        apply_route_patches(route_context, patches, out.routes.back(), &out.patch_effects);
      }
      sort_routes(out.routes);
    }
    if (parts.listeners) {
      out.listeners = std::move(listeners);
    }
  }
  if (parts.clusters || parts.endpoints) {
    std::vector<Cluster> clusters = build_clusters(scope);
    patch_clusters(scope, patches, clusters, &out.patch_effects);
    if (parts.endpoints) {
      EndpointsBuilder eds(scope, /*whole_services=*/true);
      out.endpoints.reserve(clusters.size());
      for (const Cluster& c : clusters) {
        if (c.type == Cluster::Type::Eds) {
          out.endpoints.push_back(eds.build(c.name));
        }
      }
    }
    if (parts.clusters) {
      out.clusters = std::move(clusters);
    }
  }
  return out;
}

}  // namespace meshward::translate
