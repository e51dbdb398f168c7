#include "meshward/translate/registry.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "meshward/world/snapshot.h"
#include "testlib/testlib.h"

namespace meshward::translate {
namespace {

std::shared_ptr<const world::Snapshot> world_of(std::string_view yaml) {
  auto result = testing::decode_text(yaml);
  EXPECT_TRUE(result.findings.empty()) << testing::describe(result.findings);
  return world::Snapshot::make(std::move(result.objects));
}

Options at(int minor) {
  Options o;
  o.version = IstioVersion{1, minor};
  return o;
}

// address:port/port-name@health, one per endpoint, in registry order.
std::vector<std::string> describe(const std::vector<MeshEndpoint>& eps) {
  std::vector<std::string> out;
  for (const auto& e : eps) {
    out.push_back(e.address + ":" + std::to_string(e.port) + "/" + e.service_port_name + "@" +
                  std::to_string(e.health));
  }
  return out;
}

using Strings = std::vector<std::string>;

// ---- Protocol selection (§1.2) --------------------------------------------------------------

TEST(Protocol, ParseIsCaseInsensitiveAndUnknownIsSniffed) {
  EXPECT_EQ(parse_protocol("http"), Protocol::Http);
  EXPECT_EQ(parse_protocol("HTTP"), Protocol::Http);
  EXPECT_EQ(parse_protocol("Http2"), Protocol::Http2);
  EXPECT_EQ(parse_protocol("http_proxy"), Protocol::HttpProxy);
  EXPECT_EQ(parse_protocol("GRPC"), Protocol::Grpc);
  EXPECT_EQ(parse_protocol("grpc-web"), Protocol::GrpcWeb);
  EXPECT_EQ(parse_protocol("HTTPS"), Protocol::Https);
  EXPECT_EQ(parse_protocol("tls"), Protocol::Tls);
  EXPECT_EQ(parse_protocol("TCP"), Protocol::Tcp);
  EXPECT_EQ(parse_protocol("udp"), Protocol::Udp);
  EXPECT_EQ(parse_protocol("Mongo"), Protocol::Mongo);
  EXPECT_EQ(parse_protocol("redis"), Protocol::Redis);
  EXPECT_EQ(parse_protocol("MYSQL"), Protocol::MySql);
  EXPECT_EQ(parse_protocol("websocket"), Protocol::Unsupported);
  EXPECT_EQ(parse_protocol(""), Protocol::Unsupported);
}

TEST(Protocol, Names) {
  EXPECT_EQ(protocol_name(Protocol::GrpcWeb), "GRPC-Web");
  EXPECT_EQ(protocol_name(Protocol::MySql), "MySQL");
  EXPECT_EQ(protocol_name(Protocol::HttpProxy), "HTTP_PROXY");
  EXPECT_EQ(protocol_name(Protocol::Unsupported), "UnsupportedProtocol");
}

TEST(Protocol, KubernetesPortRules) {
  // 1. UDP wins over everything.
  EXPECT_EQ(kubernetes_port_protocol("http-web", "http", true, 80), Protocol::Udp);
  // 2. appProtocol before the name; Kubernetes' own values.
  EXPECT_EQ(kubernetes_port_protocol("tcp-x", "http", false, 80), Protocol::Http);
  EXPECT_EQ(kubernetes_port_protocol("web", "kubernetes.io/h2c", false, 80), Protocol::Http2);
  EXPECT_EQ(kubernetes_port_protocol("web", "kubernetes.io/ws", false, 80), Protocol::Http);
  EXPECT_EQ(kubernetes_port_protocol("web", "kubernetes.io/wss", false, 443), Protocol::Https);
  EXPECT_EQ(kubernetes_port_protocol("http", "grpc-web", false, 80), Protocol::GrpcWeb);
  // 3. grpc-web prefix, then the text before the first dash.
  EXPECT_EQ(kubernetes_port_protocol("GRPC-Web-api", "", false, 80), Protocol::GrpcWeb);
  EXPECT_EQ(kubernetes_port_protocol("http-50002", "", false, 50002), Protocol::Http);
  EXPECT_EQ(kubernetes_port_protocol("HTTP2-x", "", false, 80), Protocol::Http2);
  EXPECT_EQ(kubernetes_port_protocol("grpc", "", false, 80), Protocol::Grpc);
  EXPECT_EQ(kubernetes_port_protocol("https-admin", "", false, 443), Protocol::Https);
  EXPECT_EQ(kubernetes_port_protocol("tls", "", false, 443), Protocol::Tls);
  EXPECT_EQ(kubernetes_port_protocol("mongo-db", "", false, 1234), Protocol::Mongo);
  EXPECT_EQ(kubernetes_port_protocol("tcp", "", false, 80), Protocol::Tcp);
  EXPECT_EQ(kubernetes_port_protocol("udp-x", "", false, 80), Protocol::Udp);
  // `httpx` is not a prefix match: the whole text before the dash must parse.
  EXPECT_EQ(kubernetes_port_protocol("httpx-web", "", false, 80), Protocol::Unsupported);
  // 4. Unknown: sniffed, except the well-known server-first ports.
  EXPECT_EQ(kubernetes_port_protocol("web", "", false, 8080), Protocol::Unsupported);
  EXPECT_EQ(kubernetes_port_protocol("", "", false, 8080), Protocol::Unsupported);
  EXPECT_EQ(kubernetes_port_protocol("smtp", "", false, 25), Protocol::Tcp);
  EXPECT_EQ(kubernetes_port_protocol("dns", "", false, 53), Protocol::Tcp);
  EXPECT_EQ(kubernetes_port_protocol("db", "", false, 3306), Protocol::Tcp);
  EXPECT_EQ(kubernetes_port_protocol("", "", false, 27017), Protocol::Tcp);
  // A declared protocol on a well-known port is kept.
  EXPECT_EQ(kubernetes_port_protocol("mysql", "", false, 3306), Protocol::MySql);
}

TEST(Protocol, Classes) {
  for (Protocol p : {Protocol::Http, Protocol::Http2, Protocol::HttpProxy, Protocol::Grpc,
                     Protocol::GrpcWeb}) {
    EXPECT_TRUE(is_http(p)) << protocol_name(p);
    EXPECT_FALSE(is_tcp(p)) << protocol_name(p);
  }
  for (Protocol p : {Protocol::Tcp, Protocol::Https, Protocol::Tls, Protocol::Mongo,
                     Protocol::Redis, Protocol::MySql}) {
    EXPECT_TRUE(is_tcp(p)) << protocol_name(p);
    EXPECT_FALSE(is_http(p)) << protocol_name(p);
  }
  EXPECT_TRUE(is_http2(Protocol::Grpc));
  EXPECT_TRUE(is_http2(Protocol::GrpcWeb));
  EXPECT_TRUE(is_http2(Protocol::Http2));
  EXPECT_FALSE(is_http2(Protocol::Http));
  EXPECT_TRUE(is_tls(Protocol::Https));
  EXPECT_TRUE(is_tls(Protocol::Tls));
  EXPECT_FALSE(is_tls(Protocol::Tcp));
  for (Protocol p : {Protocol::Udp, Protocol::Unsupported}) {
    EXPECT_FALSE(is_http(p) || is_tcp(p) || is_tls(p)) << protocol_name(p);
  }
}

// ---- Kubernetes Services (§1.1) -------------------------------------------------------------

// The project brief's service: HTTP port 50002 -> 80, three pods in two zones.
constexpr std::string_view kBarWorld = R"(
apiVersion: v1
kind: Service
metadata:
  name: bar-service
  namespace: bar-namespace
  annotations:
    alpha.istio.io/kubernetes-serviceaccounts: bar,baz
    alpha.istio.io/canonical-serviceaccounts: spiffe://other/ns/x/sa/y
spec:
  clusterIP: 172.21.0.10
  selector: {app: bar}
  ports:
  - {name: http-bar, port: 50002, targetPort: 80}
  - {name: metrics, port: 9090, targetPort: metrics-port}
---
apiVersion: v1
kind: Pod
metadata:
  name: bar-v1-5d9c8b7f6d-x2k4p
  namespace: bar-namespace
  labels: {app: bar, version: v1, pod-template-hash: 5d9c8b7f6d, security.istio.io/tlsMode: istio}
status: {podIP: 11.0.0.1}
---
apiVersion: v1
kind: Pod
metadata:
  name: bar-v1-5d9c8b7f6d-b7wqz
  namespace: bar-namespace
  labels: {app: bar, version: v1, pod-template-hash: 5d9c8b7f6d, security.istio.io/tlsMode: istio}
status: {podIP: 11.0.0.2}
---
apiVersion: v1
kind: Pod
metadata:
  name: bar-v2-6f7d9c5b4-kq9zt
  namespace: bar-namespace
  labels: {app: bar, version: v2, pod-template-hash: 6f7d9c5b4, security.istio.io/tlsMode: istio}
status: {podIP: 11.0.0.3}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: bar-service-abcde
  namespace: bar-namespace
  labels: {kubernetes.io/service-name: bar-service}
addressType: IPv4
ports:
- {name: http-bar, port: 80, protocol: TCP}
- {name: metrics, port: 15090, protocol: TCP}
endpoints:
- addresses: [11.0.0.3]
  conditions: {ready: true}
  zone: us-east-1b
  nodeName: node-b
  targetRef: {kind: Pod, name: bar-v2-6f7d9c5b4-kq9zt, namespace: bar-namespace}
- addresses: [11.0.0.1]
  conditions: {ready: true}
  zone: us-east-1a
  nodeName: node-a
  targetRef: {kind: Pod, name: bar-v1-5d9c8b7f6d-x2k4p, namespace: bar-namespace}
- addresses: [11.0.0.2]
  conditions: {ready: true}
  zone: us-east-1a
  targetRef: {kind: Pod, name: bar-v1-5d9c8b7f6d-b7wqz, namespace: bar-namespace}
)";

TEST(KubernetesService, Converted) {
  auto w = world_of(kBarWorld);
  const Options options;
  const Registry registry(*w, options);
  const auto services = registry.all_services();
  ASSERT_EQ(services.size(), 1U);
  const MeshService& s = services[0];
  EXPECT_EQ(s.hostname, "bar-service.bar-namespace.svc.cluster.local");
  EXPECT_EQ(s.namespace_, "bar-namespace");
  EXPECT_EQ(s.name, "bar-service");
  EXPECT_EQ(s.object_name, "bar-service");
  EXPECT_EQ(s.address, "172.21.0.10");
  EXPECT_EQ(s.resolution, Resolution::ClientSideLb);
  EXPECT_EQ(s.registry, MeshService::Registry::Kubernetes);
  EXPECT_FALSE(s.mesh_external);
  EXPECT_FALSE(s.headless());
  ASSERT_EQ(s.ports.size(), 2U);
  EXPECT_EQ(s.ports[0].name, "http-bar");
  EXPECT_EQ(s.ports[0].port, 50002U);
  EXPECT_EQ(s.ports[0].protocol, Protocol::Http);
  EXPECT_EQ(s.ports[0].target_port, 0U);  // Kubernetes target ports are per endpoint.
  EXPECT_EQ(s.ports[1].protocol, Protocol::Unsupported);
  EXPECT_EQ(s.find_port(9090), &s.ports[1]);
  EXPECT_EQ(s.find_port_named("http-bar"), &s.ports[0]);
  EXPECT_EQ(s.find_port(1), nullptr);
  EXPECT_EQ(s.selector, (model::Labels{{"app", "bar"}}));
  EXPECT_EQ(s.service_accounts,
            (Strings{"spiffe://other/ns/x/sa/y", "spiffe://cluster.local/ns/bar-namespace/sa/bar",
                     "spiffe://cluster.local/ns/bar-namespace/sa/baz"}));
  ASSERT_NE(s.source, nullptr);
  EXPECT_EQ(s.source->meta.name, "bar-service");
}

TEST(KubernetesService, HeadlessDualStackAndDomainSuffix) {
  auto w = world_of(R"(
apiVersion: v1
kind: Service
metadata: {name: db, namespace: data}
spec:
  clusterIP: None
  ports: [{name: tcp, port: 5432}]
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: data}
spec:
  clusterIP: 10.0.0.5
  clusterIPs: [10.0.0.5, "fd00::5"]
  ports: [{name: dns, port: 53, protocol: UDP}]
)");
  Options options;
  options.mesh.domain_suffix = "corp.example";
  const Registry registry(*w, options);
  const auto services = registry.all_services();
  ASSERT_EQ(services.size(), 2U);
  EXPECT_EQ(services[0].hostname, "db.data.svc.corp.example");
  EXPECT_EQ(services[0].resolution, Resolution::Passthrough);
  EXPECT_EQ(services[0].address, "0.0.0.0");
  EXPECT_TRUE(services[0].headless());
  EXPECT_EQ(services[1].address, "10.0.0.5");
  EXPECT_EQ(services[1].extra_addresses, (Strings{"fd00::5"}));
  EXPECT_EQ(services[1].ports[0].protocol, Protocol::Udp);
  // Found by exact FQDN with the configured suffix.
  ASSERT_EQ(registry.services_for_host("web.data.svc.corp.example").size(), 1U);
  EXPECT_TRUE(registry.services_for_host("web.data.svc.cluster.local").empty());
}

constexpr std::string_view kExternalNameWorld = R"(
apiVersion: v1
kind: Service
metadata: {name: legacy, namespace: apps, labels: {team: a}}
spec:
  type: ExternalName
  externalName: bar-service.bar-namespace.svc.cluster.local
  ports: [{name: http, port: 80}]
---
apiVersion: v1
kind: Service
metadata: {name: older, namespace: apps}
spec:
  type: ExternalName
  externalName: legacy.apps.svc.cluster.local
---
apiVersion: v1
kind: Service
metadata: {name: bar-service, namespace: bar-namespace}
spec:
  clusterIP: 172.21.0.10
  ports: [{name: http, port: 80}]
)";

TEST(KubernetesService, ExternalNameIsAnAliasFrom121) {
  auto w = world_of(kExternalNameWorld);
  const Options options = at(21);
  const Registry registry(*w, options);
  const auto services = registry.all_services();
  ASSERT_EQ(services.size(), 3U);
  const MeshService& legacy = services[0];
  EXPECT_EQ(legacy.resolution, Resolution::Alias);
  EXPECT_TRUE(legacy.mesh_external);
  EXPECT_EQ(legacy.external_name, "bar-service.bar-namespace.svc.cluster.local");
  EXPECT_TRUE(registry.endpoints(legacy).empty());
  // The target learns its aliases, following the chain older -> legacy -> bar-service.
  EXPECT_EQ(services[2].aliases,
            (Strings{"legacy.apps.svc.cluster.local", "older.apps.svc.cluster.local"}));
  EXPECT_TRUE(services[0].aliases.empty());
}

TEST(KubernetesService, ExternalNameIsADnsServiceBefore121) {
  auto w = world_of(kExternalNameWorld);
  const Options options = at(20);
  const Registry registry(*w, options);
  const auto services = registry.services_for_host("legacy.apps.svc.cluster.local");
  ASSERT_EQ(services.size(), 1U);
  const MeshService& legacy = services[0];
  EXPECT_EQ(legacy.resolution, Resolution::DnsLb);
  EXPECT_TRUE(legacy.mesh_external);
  EXPECT_EQ(legacy.address, "0.0.0.0");
  const auto eps = registry.endpoints(legacy);
  EXPECT_EQ(describe(eps), (Strings{"bar-service.bar-namespace.svc.cluster.local:80/http@0"}));
  EXPECT_EQ(eps[0].labels, (model::Labels{{"team", "a"}}));
  EXPECT_FALSE(eps[0].tls_mode_istio);
  EXPECT_EQ(eps[0].source_path, "spec.externalName");
  EXPECT_TRUE(registry.all_services()[2].aliases.empty());
}

// ---- ServiceEntries (§1.3) ------------------------------------------------------------------

TEST(ServiceEntry, OneServicePerHostAndAddress) {
  auto w = world_of(R"(
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: ext, namespace: egress}
spec:
  hosts: [a.example.com, "*.b.example.com"]
  addresses: [192.168.1.1, 10.1.0.0/16, 10.2.0.7/32, "fd00::/128", not-an-ip, 10.0.0.0/33]
  location: MESH_INTERNAL
  resolution: STATIC
  ports:
  - {number: 443, name: https, protocol: HTTPS, targetPort: 8443}
  - {number: 80, name: web, protocol: websocket}
  subjectAltNames: [spiffe://td/ns/egress/sa/ext]
  workloadSelector: {labels: {app: ext}}
)");
  const Options options;
  const Registry registry(*w, options);
  const auto services = registry.all_services();
  ASSERT_EQ(services.size(), 8U);
  Strings got;
  for (const auto& s : services) {
    got.push_back(s.hostname + "@" + s.address);
  }
  EXPECT_EQ(got, (Strings{"a.example.com@192.168.1.1", "a.example.com@10.1.0.0/16",
                          "a.example.com@10.2.0.7", "a.example.com@fd00::",
                          "*.b.example.com@192.168.1.1", "*.b.example.com@10.1.0.0/16",
                          "*.b.example.com@10.2.0.7", "*.b.example.com@fd00::"}));
  const MeshService& s = services[0];
  EXPECT_EQ(s.registry, MeshService::Registry::External);
  EXPECT_EQ(s.name, "a.example.com");
  EXPECT_EQ(s.object_name, "ext");
  EXPECT_EQ(s.namespace_, "egress");
  EXPECT_FALSE(s.mesh_external);
  EXPECT_EQ(s.resolution, Resolution::ClientSideLb);
  ASSERT_EQ(s.ports.size(), 2U);
  EXPECT_EQ(s.ports[0].protocol, Protocol::Https);
  EXPECT_EQ(s.ports[0].target_port, 8443U);
  // ServiceEntry protocols are parsed whole: no name-prefix or well-known-port logic.
  EXPECT_EQ(s.ports[1].protocol, Protocol::Unsupported);
  EXPECT_EQ(s.service_accounts, (Strings{"spiffe://td/ns/egress/sa/ext"}));
  EXPECT_EQ(s.selector, (model::Labels{{"app", "ext"}}));
}

TEST(ServiceEntry, ResolutionsAndLocation) {
  auto w = world_of(R"(
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: none, namespace: e}
spec: {hosts: [none.example.com], ports: [{number: 80, name: http, protocol: HTTP}]}
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: static, namespace: e}
spec: {hosts: [static.example.com], resolution: STATIC, ports: [{number: 80, name: http}]}
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: dns, namespace: e}
spec: {hosts: [dns.example.com], resolution: DNS, ports: [{number: 80, name: http}]}
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: rr, namespace: e}
spec: {hosts: [rr.example.com], resolution: DNS_ROUND_ROBIN, ports: [{number: 80, name: http}]}
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: dyn, namespace: e}
spec: {hosts: ["*.dyn.example.com"], resolution: DYNAMIC_DNS, ports: [{number: 80, name: http}]}
)");
  const Options options;
  const Registry registry(*w, options);
  const auto services = registry.all_services();
  ASSERT_EQ(services.size(), 5U);
  EXPECT_EQ(services[0].resolution, Resolution::Passthrough);
  EXPECT_TRUE(services[0].headless());  // NONE without addresses.
  EXPECT_EQ(services[1].resolution, Resolution::ClientSideLb);
  EXPECT_EQ(services[2].resolution, Resolution::DnsLb);
  EXPECT_EQ(services[3].resolution, Resolution::DnsRoundRobinLb);
  EXPECT_EQ(services[4].resolution, Resolution::DynamicDns);
  for (const auto& s : services) {
    EXPECT_TRUE(s.mesh_external) << s.hostname;  // location defaults to MESH_EXTERNAL
    EXPECT_EQ(s.address, "0.0.0.0") << s.hostname;
  }
}

// ---- Host lookups ---------------------------------------------------------------------------

TEST(Registry, HostLookups) {
  auto w = world_of(R"(
apiVersion: v1
kind: Service
metadata: {name: reviews, namespace: bookinfo}
spec: {clusterIP: 10.0.0.1, ports: [{name: http, port: 9080}]}
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: wild, namespace: egress}
spec: {hosts: ["*.example.com"], ports: [{number: 443, name: tls, protocol: TLS}]}
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: api, namespace: egress}
spec: {hosts: [api.example.com, other.org], ports: [{number: 443, name: tls, protocol: TLS}]}
)");
  const Options options;
  const Registry registry(*w, options);
  const auto exact = registry.services_for_host("api.example.com");
  ASSERT_EQ(exact.size(), 1U);
  EXPECT_EQ(exact[0].object_name, "api");
  EXPECT_EQ(registry.services_for_host("reviews.bookinfo.svc.cluster.local").size(), 1U);
  EXPECT_TRUE(registry.services_for_host("reviews.other.svc.cluster.local").empty());
  EXPECT_TRUE(registry.services_for_host("x.example.com").empty());

  const auto matching = registry.services_matching("x.example.com");
  ASSERT_EQ(matching.size(), 1U);
  EXPECT_EQ(matching[0].hostname, "*.example.com");
  Strings all;
  for (const auto& s : registry.services_matching("*.example.com")) {
    all.push_back(s.hostname);
  }
  EXPECT_EQ(all, (Strings{"*.example.com", "api.example.com"}));
  EXPECT_EQ(registry.services_matching("*.svc.cluster.local").size(), 1U);
}

// ---- Kubernetes endpoints (§1.4) ------------------------------------------------------------

TEST(KubernetesEndpoints, FromEndpointSliceWithPods) {
  auto w = world_of(kBarWorld);
  const Options options;
  const Registry registry(*w, options);
  const MeshService s = registry.all_services()[0];
  const auto eps = registry.endpoints(s, s.find_port(50002));
  EXPECT_EQ(describe(eps),
            (Strings{"11.0.0.1:80/http-bar@1", "11.0.0.2:80/http-bar@1", "11.0.0.3:80/http-bar@1"}));
  const MeshEndpoint& e = eps[0];
  EXPECT_EQ(e.locality, "/us-east-1a/");
  EXPECT_TRUE(e.tls_mode_istio);
  EXPECT_EQ(e.workload_name, "bar-v1");
  EXPECT_EQ(e.workload_namespace, "bar-namespace");
  EXPECT_EQ(e.cluster_id, "Kubernetes");
  EXPECT_EQ(e.labels.at("app"), "bar");
  EXPECT_EQ(e.labels.at("version"), "v1");
  EXPECT_EQ(e.labels.at("topology.kubernetes.io/zone"), "us-east-1a");
  EXPECT_EQ(e.labels.at("topology.istio.io/cluster"), "Kubernetes");
  EXPECT_EQ(e.labels.at("kubernetes.io/hostname"), "node-a");
  EXPECT_EQ(e.labels.count("topology.kubernetes.io/region"), 0U);
  ASSERT_NE(e.source, nullptr);
  EXPECT_EQ(e.source->meta.name, "bar-service-abcde");
  EXPECT_EQ(e.source_path, "endpoints[1]");
  EXPECT_EQ(eps[2].locality, "/us-east-1b/");
  EXPECT_EQ(eps[2].workload_name, "bar-v2");
  EXPECT_EQ(istio_workload_metadata(e), "bar-v1;bar-namespace;bar;v1;Kubernetes");

  // All ports: one endpoint per (address × slice port).
  EXPECT_EQ(registry.endpoints(s).size(), 6U);
}

TEST(KubernetesEndpoints, SharedThroughAnEndpointCacheForItsOptionsOnly) {
  auto w = world_of(kBarWorld);
  const Options options;
  EndpointCache cache(options);
  const Registry plain(*w, options);
  const Registry sharing(*w, options, &cache);
  const MeshService s = plain.all_services()[0];
  const MeshServicePort& port = *s.find_port(50002);
  const auto first = sharing.shared_endpoints(s, port);
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(describe(*first), describe(plain.endpoints(s, &port)));
  // Kept: another Registry with the cache gets the same answer without collecting it again.
  EXPECT_EQ(Registry(*w, options, &cache).shared_endpoints(s, port), first);
  // Without a cache, or with one made for other options, each call collects afresh.
  EXPECT_NE(plain.shared_endpoints(s, port), plain.shared_endpoints(s, port));
  const Registry other(*w, at(31), &cache);
  const auto fresh = other.shared_endpoints(s, port);
  EXPECT_NE(fresh, first);
  EXPECT_EQ(describe(*fresh), describe(other.endpoints(s, &port)));
  EXPECT_TRUE(EndpointCache::reads(model::Kind::Pod));
  EXPECT_TRUE(EndpointCache::reads(model::Kind::WorkloadEntry));
  EXPECT_FALSE(EndpointCache::reads(model::Kind::VirtualService));
  EXPECT_FALSE(EndpointCache::reads(model::Kind::DestinationRule));
}

TEST(KubernetesEndpoints, EndpointsObjectOnlyWithoutSlices) {
  constexpr std::string_view kService = R"(
apiVersion: v1
kind: Service
metadata: {name: web, namespace: ns}
spec: {clusterIP: 10.0.0.9, selector: {app: web}, ports: [{name: http, port: 80, targetPort: 8080}]}
---
apiVersion: v1
kind: Pod
metadata:
  name: web-0
  namespace: ns
  labels: {app: web, istio-locality: us-west.zone-1.rack-2, statefulset.kubernetes.io/pod-name: web-0}
---
apiVersion: v1
kind: Endpoints
metadata: {name: web, namespace: ns}
subsets:
- addresses:
  - {ip: 10.1.0.1, nodeName: n1, targetRef: {kind: Pod, name: web-0, namespace: ns}}
  notReadyAddresses:
  - {ip: 10.1.0.2}
  ports: [{name: http, port: 8080}]
)";
  {
    auto w = world_of(kService);
    const Options options;
  const Registry registry(*w, options);
    const MeshService s = registry.all_services()[0];
    const auto eps = registry.endpoints(s);
    EXPECT_EQ(describe(eps), (Strings{"10.1.0.1:8080/http@1", "10.1.0.2:8080/http@2"}));
    EXPECT_EQ(eps[0].locality, "us-west/zone-1/rack-2");
    EXPECT_EQ(eps[0].labels.at("topology.kubernetes.io/region"), "us-west");
    EXPECT_EQ(eps[0].labels.at("topology.istio.io/subzone"), "rack-2");
    EXPECT_EQ(eps[0].workload_name, "web");
    EXPECT_FALSE(eps[0].tls_mode_istio);
    EXPECT_EQ(eps[0].source_path, "subsets[0].addresses[0]");
    // No pod: no workload, no locality, only the cluster label.
    EXPECT_TRUE(eps[1].workload_name.empty());
    EXPECT_EQ(eps[1].labels, (model::Labels{{"topology.istio.io/cluster", "Kubernetes"}}));
    EXPECT_EQ(eps[1].source_path, "subsets[0].notReadyAddresses[0]");
  }
  {
    // A slice exists: the Endpoints object is ignored (istiod reads only slices).
    auto w = world_of(std::string(kService) + R"(
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: web-xyz, namespace: ns, labels: {kubernetes.io/service-name: web}}
addressType: IPv4
ports: [{name: http, port: 8080}]
endpoints: [{addresses: [10.1.0.7]}]
)");
    const Options options;
  const Registry registry(*w, options);
    EXPECT_EQ(describe(registry.endpoints(registry.all_services()[0])),
              (Strings{"10.1.0.7:8080/http@1"}));
  }
}

TEST(KubernetesEndpoints, FqdnSlicesOtherServicesAndDuplicates) {
  auto w = world_of(R"(
apiVersion: v1
kind: Service
metadata: {name: web, namespace: ns}
spec: {clusterIP: 10.0.0.9, ports: [{name: http, port: 80}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: web-fqdn, namespace: ns, labels: {kubernetes.io/service-name: web}}
addressType: FQDN
ports: [{name: http, port: 80}]
endpoints: [{addresses: [a.example.com]}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: web-a, namespace: ns, labels: {kubernetes.io/service-name: web}}
addressType: IPv4
ports: [{name: http, port: 8080}]
endpoints: [{addresses: [10.0.1.1]}, {addresses: [10.0.1.2]}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: web-b, namespace: ns, labels: {kubernetes.io/service-name: web}}
addressType: IPv4
ports: [{name: http, port: 9999}]
endpoints: [{addresses: [10.0.1.2]}, {addresses: [10.0.1.3]}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: other, namespace: ns, labels: {kubernetes.io/service-name: other}}
addressType: IPv4
ports: [{name: http, port: 80}]
endpoints: [{addresses: [10.9.9.9]}]
)");
  const Options options;
  const Registry registry(*w, options);
  // 10.0.1.2 is in two slices: the first slice (by name) wins.
  EXPECT_EQ(describe(registry.endpoints(registry.all_services()[0])),
            (Strings{"10.0.1.1:8080/http@1", "10.0.1.2:8080/http@1", "10.0.1.3:9999/http@1"}));
}

constexpr std::string_view kHealthWorld = R"(
apiVersion: v1
kind: Service
metadata: {name: web, namespace: ns}
spec: {clusterIP: 10.0.0.9, ports: [{name: http, port: 80}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: web-a, namespace: ns, labels: {kubernetes.io/service-name: web}}
addressType: IPv4
ports: [{name: http, port: 8080}]
endpoints:
- {addresses: [10.0.0.1]}
- {addresses: [10.0.0.2], conditions: {ready: true}}
- {addresses: [10.0.0.3], conditions: {ready: false, terminating: false}}
- {addresses: [10.0.0.4], conditions: {ready: false, serving: true, terminating: true}}
- {addresses: [10.0.0.5], conditions: {ready: false}}
)";

TEST(KubernetesEndpoints, HealthPerVersion) {
  auto w = world_of(kHealthWorld);
  {
    const Options options = at(30);
    const Registry registry(*w, options);
    EXPECT_EQ(describe(registry.endpoints(registry.all_services()[0])),
              (Strings{"10.0.0.1:8080/http@1", "10.0.0.2:8080/http@1", "10.0.0.3:8080/http@2",
                       "10.0.0.4:8080/http@4", "10.0.0.5:8080/http@2"}));
  }
  {
    // 1.31 reads an unset `terminating` on a not-ready endpoint as shutting down.
    const Options options = at(31);
    const Registry registry(*w, options);
    EXPECT_EQ(describe(registry.endpoints(registry.all_services()[0])),
              (Strings{"10.0.0.1:8080/http@1", "10.0.0.2:8080/http@1", "10.0.0.3:8080/http@2",
                       "10.0.0.4:8080/http@4", "10.0.0.5:8080/http@4"}));
  }
}

TEST(KubernetesEndpoints, ServiceSelectsWorkloadEntries) {
  auto w = world_of(R"(
apiVersion: v1
kind: Service
metadata: {name: vm, namespace: ns}
spec:
  clusterIP: 10.0.0.9
  selector: {app: vm}
  ports:
  - {name: http, port: 80, targetPort: 8080}
  - {name: grpc, port: 90, targetPort: grpc-port}
  - {name: plain, port: 70}
---
apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: {name: vm-1, namespace: ns}
spec:
  address: 10.5.0.1
  labels: {app: vm, version: v3}
  ports: {grpc-port: 9090}
  serviceAccount: vm-sa
  locality: eu/west-1/a
  network: net-1
  weight: 7
---
apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: {name: vm-dns, namespace: ns}
spec: {address: vm.example.com, labels: {app: vm}}
---
apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: {name: vm-other-ns, namespace: other}
spec: {address: 10.5.0.2, labels: {app: vm}}
)");
  const Options options;
  const Registry registry(*w, options);
  const auto eps = registry.endpoints(registry.all_services()[0]);
  EXPECT_EQ(describe(eps),
            (Strings{"10.5.0.1:8080/http@0", "10.5.0.1:9090/grpc@0", "10.5.0.1:70/plain@0"}));
  const MeshEndpoint& e = eps[0];
  EXPECT_TRUE(e.tls_mode_istio);  // serviceAccount without a tlsMode label
  EXPECT_EQ(e.service_account, "spiffe://cluster.local/ns/ns/sa/vm-sa");
  EXPECT_EQ(e.locality, "eu/west-1/a");
  EXPECT_EQ(e.network, "net-1");
  EXPECT_EQ(e.weight, 7U);
  EXPECT_EQ(e.workload_name, "vm-1");
  EXPECT_EQ(e.labels.at("topology.istio.io/network"), "net-1");
  EXPECT_EQ(istio_workload_metadata(e), "vm-1;ns;vm;v3;Kubernetes");
}

// ---- ServiceEntry endpoints (§1.3) ----------------------------------------------------------

TEST(ServiceEntryEndpoints, DnsWithoutEndpointsResolvesTheHost) {
  auto w = world_of(R"(
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: ext, namespace: egress}
spec:
  hosts: [api.example.com, www.example.com]
  resolution: DNS
  ports:
  - {number: 443, name: https, protocol: HTTPS}
  - {number: 80, name: http, protocol: HTTP, targetPort: 8080}
)");
  const Options options;
  const Registry registry(*w, options);
  const auto services = registry.all_services();
  ASSERT_EQ(services.size(), 2U);
  const auto eps = registry.endpoints(services[1]);
  EXPECT_EQ(describe(eps), (Strings{"www.example.com:443/https@0", "www.example.com:8080/http@0"}));
  EXPECT_FALSE(eps[0].tls_mode_istio);
  EXPECT_TRUE(eps[0].labels.empty());
  EXPECT_EQ(istio_workload_metadata(eps[0]), ";;;;Kubernetes");
  EXPECT_EQ(describe(registry.endpoints(services[1], services[1].find_port(80))),
            (Strings{"www.example.com:8080/http@0"}));
}

TEST(ServiceEntryEndpoints, StaticEndpoints) {
  auto w = world_of(R"(
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: vms, namespace: egress}
spec:
  hosts: [vms.internal]
  addresses: [240.0.0.1]
  resolution: STATIC
  location: MESH_INTERNAL
  ports:
  - {number: 80, name: http, protocol: HTTP, targetPort: 8080}
  - {number: 443, name: tls, protocol: TLS}
  endpoints:
  - {address: 10.0.0.2, ports: {http: 9080}, labels: {app: vm, version: v2}, locality: r/z}
  - {address: 10.0.0.1, labels: {security.istio.io/tlsMode: istio}, weight: 3}
  - {address: "unix:///var/run/sock"}
)");
  const Options options;
  const Registry registry(*w, options);
  const MeshService s = registry.all_services()[0];
  const auto eps = registry.endpoints(s);
  EXPECT_EQ(describe(eps), (Strings{"10.0.0.1:8080/http@0", "10.0.0.1:443/tls@0",
                                    "10.0.0.2:9080/http@0", "10.0.0.2:443/tls@0",
                                    "unix:///var/run/sock:0/http@0", "unix:///var/run/sock:0/tls@0"}));
  EXPECT_TRUE(eps[0].tls_mode_istio);
  EXPECT_EQ(eps[0].weight, 3U);
  EXPECT_FALSE(eps[2].tls_mode_istio);
  EXPECT_EQ(eps[2].locality, "r/z");
  EXPECT_EQ(eps[2].source_path, "spec.endpoints[0]");
  // Inline endpoints have no workload name or namespace.
  EXPECT_EQ(istio_workload_metadata(eps[2]), ";;vm;v2;Kubernetes");
}

TEST(ServiceEntryEndpoints, WorkloadSelectorPicksPodsAndEntriesOfItsNamespace) {
  constexpr std::string_view kWorld = R"(
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: sel, namespace: apps}
spec:
  hosts: [sel.internal]
  resolution: RESOLUTION
  location: MESH_INTERNAL
  ports: [{number: 80, name: http, protocol: HTTP, targetPort: 8080}]
  workloadSelector: {labels: {app: sel}}
---
apiVersion: v1
kind: Pod
metadata: {name: sel-abc, namespace: apps, labels: {app: sel, security.istio.io/tlsMode: istio}}
status: {podIP: 10.3.0.1}
---
apiVersion: v1
kind: Pod
metadata: {name: sel-noip, namespace: apps, labels: {app: sel}}
---
apiVersion: v1
kind: Pod
metadata: {name: sel-elsewhere, namespace: other, labels: {app: sel}}
status: {podIP: 10.3.0.9}
---
apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: {name: we-ip, namespace: apps, labels: {service.istio.io/workload-name: vm-group}}
spec: {address: 10.3.0.2, labels: {app: sel}, ports: {http: 9000}}
---
apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: {name: we-host, namespace: apps}
spec: {address: vm.example.com, labels: {app: sel}}
)";
  auto with = [&](std::string_view resolution) {
    std::string yaml(kWorld);
    yaml.replace(yaml.find("RESOLUTION"), 10, resolution);
    return world_of(yaml);
  };
  {
    auto w = with("STATIC");
    const Options options;
  const Registry registry(*w, options);
    const auto eps = registry.endpoints(registry.all_services()[0]);
    EXPECT_EQ(describe(eps), (Strings{"10.3.0.1:8080/http@1", "10.3.0.2:9000/http@0"}));
    EXPECT_TRUE(eps[0].tls_mode_istio);
    EXPECT_EQ(eps[0].workload_name, "sel-abc");
    EXPECT_EQ(eps[1].workload_name, "vm-group");
    EXPECT_EQ(eps[1].workload_namespace, "apps");
  }
  {
    // Hostname WorkloadEntries only for DNS ServiceEntries.
    auto w = with("DNS");
    const Options options;
  const Registry registry(*w, options);
    EXPECT_EQ(describe(registry.endpoints(registry.all_services()[0])),
              (Strings{"10.3.0.1:8080/http@1", "vm.example.com:8080/http@0",
                       "10.3.0.2:9000/http@0"}));
  }
}

TEST(ServiceEntryEndpoints, SameHostMergedInNamespaceAndRoundRobinKeepsFirst) {
  constexpr std::string_view kWorld = R"(
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: a, namespace: e, creationTimestamp: "2024-01-01T00:00:00Z"}
spec:
  hosts: [db.example.com]
  resolution: RESOLUTION
  ports: [{number: 5432, name: tcp, protocol: TCP}]
  endpoints: [{address: db1.example.com}]
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: b, namespace: e, creationTimestamp: "2024-01-02T00:00:00Z"}
spec:
  hosts: [db.example.com]
  resolution: RESOLUTION
  ports: [{number: 5432, name: tcp, protocol: TCP}]
  endpoints: [{address: db2.example.com}]
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: c, namespace: elsewhere, creationTimestamp: "2024-01-03T00:00:00Z"}
spec:
  hosts: [db.example.com]
  resolution: RESOLUTION
  ports: [{number: 5432, name: tcp, protocol: TCP}]
  endpoints: [{address: db3.example.com}]
)";
  auto with = [&](std::string_view resolution) {
    std::string yaml(kWorld);
    for (std::size_t at = yaml.find("RESOLUTION"); at != std::string::npos;
         at = yaml.find("RESOLUTION")) {
      yaml.replace(at, 10, resolution);
    }
    return world_of(yaml);
  };
  {
    auto w = with("DNS");
    const Options options;
  const Registry registry(*w, options);
    EXPECT_EQ(describe(registry.endpoints(registry.all_services()[0])),
              (Strings{"db1.example.com:5432/tcp@0", "db2.example.com:5432/tcp@0"}));
  }
  {
    auto w = with("DNS_ROUND_ROBIN");
    const Options options;
  const Registry registry(*w, options);
    EXPECT_EQ(describe(registry.endpoints(registry.all_services()[0])),
              (Strings{"db1.example.com:5432/tcp@0"}));
  }
}

// ---- Service targets (inbound) --------------------------------------------------------------

TEST(Registry, ServiceTargets) {
  auto w = world_of(std::string(kBarWorld) + R"(
---
apiVersion: v1
kind: Service
metadata: {name: bar-admin, namespace: bar-namespace}
spec:
  clusterIP: 172.21.0.11
  selector: {app: bar, version: v1}
  ports: [{name: admin, port: 8000}, {name: named, port: 8001, targetPort: unresolved}]
---
apiVersion: v1
kind: Service
metadata: {name: unrelated, namespace: bar-namespace}
spec: {clusterIP: 172.21.0.12, selector: {app: other}, ports: [{name: http, port: 80}]}
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: bar-se, namespace: bar-namespace}
spec:
  hosts: [bar.mesh]
  location: MESH_INTERNAL
  resolution: STATIC
  ports: [{number: 7000, name: tcp, protocol: TCP, targetPort: 7070}]
  workloadSelector: {labels: {app: bar}}
)");
  const Options options;
  const Registry registry(*w, options);
  Strings got;
  for (const auto& t : registry.service_targets("bar-namespace", {{"app", "bar"}, {"version", "v1"}})) {
    got.push_back(t.service.hostname + ":" + std::to_string(t.port.port) + "->" +
                  std::to_string(t.target_port));
  }
  EXPECT_EQ(got, (Strings{"bar.mesh:7000->7070", "bar-admin.bar-namespace.svc.cluster.local:8000->8000",
                          "bar-service.bar-namespace.svc.cluster.local:9090->15090",
                          "bar-service.bar-namespace.svc.cluster.local:50002->80"}));
  EXPECT_TRUE(registry.service_targets("other", {{"app", "bar"}}).empty());
}

// ---- Workload names and metadata ------------------------------------------------------------

TEST(Registry, WorkloadNamesWithoutOwnerReferences) {
  auto w = world_of(R"(
apiVersion: v1
kind: Service
metadata: {name: s, namespace: ns}
spec: {clusterIP: 10.0.0.1, ports: [{name: http, port: 80}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: s-1, namespace: ns, labels: {kubernetes.io/service-name: s}}
addressType: IPv4
ports: [{name: http, port: 80}]
endpoints:
- {addresses: [10.0.0.1], targetRef: {kind: Pod, name: bare}}
- {addresses: [10.0.0.2], targetRef: {kind: Pod, name: reviews-v1-7d9f8c6b5d-q2w4r}}
- {addresses: [10.0.0.3], targetRef: {kind: Pod, name: agent-x7k2p}}
- {addresses: [10.0.0.4], targetRef: {kind: Pod, name: named-pod-abc}}
- {addresses: [10.0.0.5], targetRef: {kind: Pod, name: missing}}
---
apiVersion: v1
kind: Pod
metadata: {name: bare, namespace: ns}
---
apiVersion: v1
kind: Pod
metadata: {name: reviews-v1-7d9f8c6b5d-q2w4r, namespace: ns, labels: {app.kubernetes.io/name: reviews, version: latest}}
---
apiVersion: v1
kind: Pod
metadata: {name: agent-x7k2p, namespace: ns, labels: {controller-revision-hash: 5c8d9, service.istio.io/canonical-revision: r7}}
---
apiVersion: v1
kind: Pod
metadata: {name: named-pod-abc, namespace: ns, labels: {service.istio.io/workload-name: custom, service.istio.io/canonical-name: canon}}
)");
  const Options options;
  const Registry registry(*w, options);
  const auto eps = registry.endpoints(registry.all_services()[0]);
  ASSERT_EQ(eps.size(), 5U);
  Strings got;
  for (const auto& e : eps) {
    got.push_back(istio_workload_metadata(e));
  }
  EXPECT_EQ(got, (Strings{"bare;ns;bare;;Kubernetes", "reviews-v1;ns;reviews;;Kubernetes",
                          "agent;ns;agent;r7;Kubernetes", "custom;ns;canon;;Kubernetes",
                          ";;;;Kubernetes"}));
}

}  // namespace
}  // namespace meshward::translate
