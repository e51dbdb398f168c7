// The translator's cost (issue #4 figures): a full sidecar translation of a mesh of 1k and
// 10k services (target: 10k under 200 ms), the same mesh with unnamed (sniffed) HTTP ports
// (one route configuration per service), one ingress gateway with 1k and 10k bound
// VirtualServices, and the part one VirtualService change touches — the route configuration
// it is in plus the clusters of its destinations (target: under 1 ms whatever the mesh size).
//
// Baselines in the same run: decoding and indexing the same world from JSON (what loading it
// costs), so the ratios say how translation compares with reading the mesh at all; and copying
// then freeing the translated configuration (what materialising that much output costs at
// all: a floor for the full translation, which builds and frees the same objects).

#include <benchmark/benchmark.h>

#include <memory>
#include <string>

#include "meshward/translate/translate.h"
#include "meshward/world/loader.h"
#include "meshward/world/snapshot.h"

namespace meshward::bench {
namespace {

constexpr std::size_t kServicesPerNamespace = 20;

std::string ns_of(std::size_t i) { return "ns-" + std::to_string(i / kServicesPerNamespace); }

std::string ip_of(std::size_t i, int base) {
  return "10." + std::to_string(base) + "." + std::to_string(i / 250) + "." +
         std::to_string(i % 250 + 1);
}

// One application: a Service with an HTTP and a gRPC port, its EndpointSlice (two pods), a
// VirtualService with a header-matched and a weighted route, a DestinationRule with subsets.
// Without `named_ports` the HTTP port has no name: Istio sniffs its protocol, and the service
// gets a listener on its VIP with a route configuration of its own (`<fqdn>:8080`).
std::string application(std::size_t i, const std::string& gateways, bool named_ports = true) {
  const std::string http_port = named_ports ? R"("name":"http",)" : "";
  const std::string name = "svc-" + std::to_string(i);
  const std::string ns = ns_of(i);
  std::string s;
  s +=
      R"({"apiVersion":"v1","kind":"Service","metadata":{"name":")" + name + R"(","namespace":")" +
      ns + R"("},"spec":{"clusterIP":")" + ip_of(i, 96) +
      R"(","ports":[{)" + http_port + R"("port":8080,"targetPort":8080},{"name":"grpc","port":9090}],"selector":{"app":")" +
      name + R"("}}},)";
  s +=
      R"({"apiVersion":"discovery.k8s.io/v1","kind":"EndpointSlice","metadata":{"name":")" + name +
      R"(-abc","namespace":")" + ns + R"(","labels":{"kubernetes.io/service-name":")" + name +
      R"("}},"addressType":"IPv4","ports":[{)" + http_port + R"("port":8080},{"name":"grpc","port":9090}],"endpoints":[{"addresses":[")" +
      ip_of(i, 20) + R"("],"zone":"zone-a"},{"addresses":[")" + ip_of(i, 21) +
      R"("],"zone":"zone-b"}]},)";
  s +=
      R"({"apiVersion":"networking.istio.io/v1","kind":"VirtualService","metadata":{"name":")" +
      name + R"(","namespace":")" + ns + R"("},"spec":{"hosts":[)" +
      (gateways.empty() ? "\"" + name + "\"" : "\"" + name + ".example.com\"") +
      R"(],"gateways":[)" + gateways +
      R"(],"http":[{"name":"canary","match":[{"headers":{"x-canary":{"exact":"true"}},"uri":{"prefix":"/api"}}],"route":[{"destination":{"host":")" +
      name + "." + ns +
      R"(.svc.cluster.local","subset":"v2","port":{"number":8080}}}],"timeout":"3s"},{"name":"default","route":[{"destination":{"host":")" +
      name + "." + ns +
      R"(.svc.cluster.local","subset":"v1","port":{"number":8080}},"weight":90},{"destination":{"host":")" +
      name + "." + ns +
      R"(.svc.cluster.local","subset":"v2","port":{"number":8080}},"weight":10}]}]}},)";
  s +=
      R"({"apiVersion":"networking.istio.io/v1","kind":"DestinationRule","metadata":{"name":")" +
      name + R"(","namespace":")" + ns + R"("},"spec":{"host":")" + name +
      R"(","trafficPolicy":{"connectionPool":{"tcp":{"maxConnections":100}}},"subsets":[{"name":"v1","labels":{"version":"v1"}},{"name":"v2","labels":{"version":"v2"}}]}},)";
  return s;
}

std::string list(std::string items) {
  items.pop_back();  // trailing comma
  return R"({"apiVersion":"v1","kind":"List","items":[)" + items + "]}\n";
}

// A mesh of `services` applications, 20 per namespace, bound to `mesh`; namespace ns-0 has a
// Sidecar for workloads `app: scoped` importing only its own namespace.
std::string mesh_world(std::size_t services, bool named_ports = true,
                       const std::string& extra_items = "") {
  std::string items = extra_items;  // each item followed by a comma
  items.reserve(services * 2600);
  for (std::size_t i = 0; i < services; ++i) {
    items += application(i, "", named_ports);
  }
  items +=
      R"({"apiVersion":"networking.istio.io/v1","kind":"Sidecar","metadata":{"name":"scoped","namespace":"ns-0"},"spec":{"workloadSelector":{"labels":{"app":"scoped"}},"egress":[{"hosts":["./*"]}]}},)";
  return list(std::move(items));
}

// One ingress gateway (port 80 → 8080, hosts `*`) and `services` applications whose
// VirtualServices bind it.
std::string gateway_world(std::size_t services) {
  std::string items =
      R"({"apiVersion":"v1","kind":"Service","metadata":{"name":"istio-ingressgateway","namespace":"istio-system"},"spec":{"clusterIP":"10.0.0.100","selector":{"istio":"ingressgateway"},"ports":[{"name":"http2","port":80,"targetPort":8080}]}},)";
  items +=
      R"({"apiVersion":"networking.istio.io/v1","kind":"Gateway","metadata":{"name":"gw","namespace":"istio-system"},"spec":{"selector":{"istio":"ingressgateway"},"servers":[{"port":{"number":80,"name":"http","protocol":"HTTP"},"hosts":["*"]}]}},)";
  items.reserve(services * 2600);
  for (std::size_t i = 0; i < services; ++i) {
    items += application(i, "\"istio-system/gw\"");
  }
  return list(std::move(items));
}

std::shared_ptr<const world::Snapshot> load(const std::string& text) {
  world::LoadResult loaded = world::load_text(text, "world.json");
  return world::Snapshot::make(std::move(loaded.objects));
}

translate::Proxy proxy(translate::Proxy::Type type, std::string ns, model::Labels labels) {
  translate::Proxy p;
  p.type = type;
  p.namespace_ = std::move(ns);
  p.labels = std::move(labels);
  return p;
}

// Baseline: decode and index the mesh world.
void BM_BaselineDecodeMeshWorld(benchmark::State& state) {
  const std::string text = mesh_world(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {
    benchmark::DoNotOptimize(load(text)->size());
  }
  state.counters["services"] = static_cast<double>(state.range(0));
}
BENCHMARK(BM_BaselineDecodeMeshWorld)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);

// Everything a sidecar that sees the whole mesh gets: listeners, RDS, CDS, EDS.
void BM_SidecarFullTranslation(benchmark::State& state) {
  auto world = load(mesh_world(static_cast<std::size_t>(state.range(0))));
  const auto p = proxy(translate::Proxy::Type::Sidecar, "ns-0", {{"app", "client"}});
  std::size_t clusters = 0;
  std::size_t routes = 0;
  for (auto _ : state) {
    const translate::ProxyConfig config = translate::translate_proxy(*world, p);
    clusters = config.clusters.size();
    routes = config.routes.size();
    benchmark::DoNotOptimize(clusters);
  }
  state.counters["clusters"] = static_cast<double>(clusters);
  state.counters["route_configs"] = static_cast<double>(routes);
}
BENCHMARK(BM_SidecarFullTranslation)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);

// Baseline: copy, then free, the configuration BM_SidecarFullTranslation builds.
void BM_BaselineCopySidecarConfig(benchmark::State& state) {
  auto world = load(mesh_world(static_cast<std::size_t>(state.range(0))));
  const auto p = proxy(translate::Proxy::Type::Sidecar, "ns-0", {{"app", "client"}});
  const translate::ProxyConfig config = translate::translate_proxy(*world, p);
  for (auto _ : state) {
    const translate::ProxyConfig copy = config;
    benchmark::DoNotOptimize(copy.clusters.size());
  }
}
BENCHMARK(BM_BaselineCopySidecarConfig)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);

// The same sidecar in a mesh whose HTTP ports are unnamed (sniffed): a listener per service
// VIP and a route configuration per service, each with that service's vhost.
void BM_SidecarSniffedPortsTranslation(benchmark::State& state) {
  auto world = load(mesh_world(static_cast<std::size_t>(state.range(0)), /*named_ports=*/false));
  const auto p = proxy(translate::Proxy::Type::Sidecar, "ns-0", {{"app", "client"}});
  std::size_t routes = 0;
  for (auto _ : state) {
    const translate::ProxyConfig config = translate::translate_proxy(*world, p);
    routes = config.routes.size();
    benchmark::DoNotOptimize(routes);
  }
  state.counters["route_configs"] = static_cast<double>(routes);
}
BENCHMARK(BM_SidecarSniffedPortsTranslation)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);

// The listeners alone of the same sidecar (LDS: one listener per service port class and the
// two virtual listeners).
void BM_SidecarListeners(benchmark::State& state) {
  auto world = load(mesh_world(static_cast<std::size_t>(state.range(0))));
  const auto p = proxy(translate::Proxy::Type::Sidecar, "ns-0", {{"app", "client"}});
  translate::Parts parts;
  parts.routes = parts.clusters = parts.endpoints = false;
  std::size_t listeners = 0;
  for (auto _ : state) {
    listeners = translate::translate_proxy(*world, p, {}, parts).listeners.size();
    benchmark::DoNotOptimize(listeners);
  }
  state.counters["listeners"] = static_cast<double>(listeners);
}
BENCHMARK(BM_SidecarListeners)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);

// The same listeners with 50 EnvoyFilters reaching the sidecar (issue #8 figure; half in the
// root namespace, each inserting an HTTP filter before the router and a network filter before
// tcp_proxy, a third of them pinned to the proxy's release) and 200 AuthorizationPolicies in
// its namespace selecting it (translated into the RBAC filters of its inbound chains).
// BM_SidecarListeners is the baseline of the same run.
std::string envoy_filters_and_policies() {
  std::string items;
  for (int i = 0; i < 50; ++i) {
    const std::string ns = i % 2 == 0 ? "istio-system" : "ns-0";
    const std::string context = i % 3 == 0 ? "SIDECAR_INBOUND" : "SIDECAR_OUTBOUND";
    const std::string pinned = i % 3 == 1 ? R"("proxy":{"proxyVersion":"^1\\.30.*"},)" : "";
    items += R"({"apiVersion":"networking.istio.io/v1alpha3","kind":"EnvoyFilter","metadata":{"name":"ef-)" +
             std::to_string(i) + R"(","namespace":")" + ns + R"("},"spec":{"priority":)" +
             std::to_string(i % 5) + R"(,"configPatches":[{"applyTo":"HTTP_FILTER","match":{"context":")" +
             context + R"(",)" + pinned +
             R"("listener":{"filterChain":{"filter":{"name":"envoy.filters.network.http_connection_manager","subFilter":{"name":"envoy.filters.http.router"}}}}},"patch":{"operation":"INSERT_BEFORE","value":{"name":"lua-)" +
             std::to_string(i) +
             R"(","typed_config":{"@type":"type.googleapis.com/envoy.extensions.filters.http.lua.v3.Lua"}}}},{"applyTo":"NETWORK_FILTER","match":{"context":")" +
             context +
             R"(","listener":{"filterChain":{"filter":{"name":"envoy.filters.network.tcp_proxy"}}}},"patch":{"operation":"INSERT_BEFORE","value":{"name":"tcp-)" +
             std::to_string(i) +
             R"(","typed_config":{"@type":"type.googleapis.com/udpa.type.v1.TypedStruct"}}}}]}},)";
  }
  for (int i = 0; i < 200; ++i) {
    items += R"({"apiVersion":"security.istio.io/v1","kind":"AuthorizationPolicy","metadata":{"name":"ap-)" +
             std::to_string(i) +
             R"(","namespace":"ns-0"},"spec":{"selector":{"matchLabels":{"app":"client"}},"action":"ALLOW","rules":[{"from":[{"source":{"principals":["cluster.local/ns/ns-1/sa/svc-)" +
             std::to_string(i) + R"("]}}],"to":[{"operation":{"methods":["GET"],"paths":["/api/)" +
             std::to_string(i) + R"(/*"]}}]}]}},)";
  }
  return items;
}

void BM_SidecarListenersWithEnvoyFilters(benchmark::State& state) {
  auto world = load(mesh_world(static_cast<std::size_t>(state.range(0)), true,
                               envoy_filters_and_policies()));
  const auto p = proxy(translate::Proxy::Type::Sidecar, "ns-0", {{"app", "client"}});
  translate::Parts parts;
  parts.routes = parts.clusters = parts.endpoints = false;
  std::size_t effects = 0;
  for (auto _ : state) {
    effects = translate::translate_proxy(*world, p, {}, parts).patch_effects.size();
    benchmark::DoNotOptimize(effects);
  }
  state.counters["patch_effects"] = static_cast<double>(effects);
  state.counters["envoy_filters"] = static_cast<double>(world->count(model::Kind::EnvoyFilter));
}
BENCHMARK(BM_SidecarListenersWithEnvoyFilters)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);

// Baseline for the gateway world.
void BM_BaselineDecodeGatewayWorld(benchmark::State& state) {
  const std::string text = gateway_world(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {
    benchmark::DoNotOptimize(load(text)->size());
  }
}
BENCHMARK(BM_BaselineDecodeGatewayWorld)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);

// One ingress gateway with N bound VirtualServices: its listener, the `http.8080` route
// configuration with N vhosts, and every cluster and EDS assignment.
void BM_GatewayTranslation(benchmark::State& state) {
  auto world = load(gateway_world(static_cast<std::size_t>(state.range(0))));
  const auto p =
      proxy(translate::Proxy::Type::Gateway, "istio-system", {{"istio", "ingressgateway"}});
  std::size_t vhosts = 0;
  for (auto _ : state) {
    const translate::ProxyConfig config = translate::translate_proxy(*world, p);
    vhosts = config.routes.empty() ? 0 : config.routes.front().virtual_hosts.size();
    benchmark::DoNotOptimize(vhosts);
  }
  state.counters["vhosts"] = static_cast<double>(vhosts);
}
BENCHMARK(BM_GatewayTranslation)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);

// What admission recomputes when VirtualService svc-0 changes, for a proxy whose Sidecar
// imports its own namespace (20 services): the route configuration `8080` it is in and the
// clusters of its destination host. The Registry and Scope are built per run, as admission
// builds them per request.
void BM_OneVirtualServiceChange(benchmark::State& state) {
  auto world = load(mesh_world(static_cast<std::size_t>(state.range(0))));
  const auto p = proxy(translate::Proxy::Type::Sidecar, "ns-0", {{"app", "scoped"}});
  const std::vector<std::string> hosts = {"svc-0.ns-0.svc.cluster.local"};
  const translate::Options options;
  std::size_t vhosts = 0;
  for (auto _ : state) {
    const translate::Registry registry(*world, options);
    const translate::Scope scope(registry, p);
    const translate::RouteConfiguration rc = translate::build_route(scope, "8080");
    const std::vector<translate::Cluster> clusters =
        translate::build_clusters_for_hosts(scope, hosts);
    vhosts = rc.virtual_hosts.size();
    benchmark::DoNotOptimize(clusters.size());
  }
  state.counters["vhosts"] = static_cast<double>(vhosts);
}
BENCHMARK(BM_OneVirtualServiceChange)->Arg(1000)->Arg(10000)->Unit(benchmark::kMicrosecond);

// The same change for a proxy that sees the whole mesh: route `8080` then holds a vhost per
// service, so rebuilding it grows with the mesh by construction.
void BM_OneVirtualServiceChangeUnscoped(benchmark::State& state) {
  auto world = load(mesh_world(static_cast<std::size_t>(state.range(0))));
  const auto p = proxy(translate::Proxy::Type::Sidecar, "ns-0", {{"app", "client"}});
  const std::vector<std::string> hosts = {"svc-0.ns-0.svc.cluster.local"};
  const translate::Options options;
  std::size_t vhosts = 0;
  for (auto _ : state) {
    const translate::Registry registry(*world, options);
    const translate::Scope scope(registry, p);
    const translate::RouteConfiguration rc = translate::build_route(scope, "8080");
    const std::vector<translate::Cluster> clusters =
        translate::build_clusters_for_hosts(scope, hosts);
    vhosts = rc.virtual_hosts.size();
    benchmark::DoNotOptimize(clusters.size());
  }
  state.counters["vhosts"] = static_cast<double>(vhosts);
}
BENCHMARK(BM_OneVirtualServiceChangeUnscoped)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace meshward::bench

BENCHMARK_MAIN();
