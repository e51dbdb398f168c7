// Listeners (reference §2, §4.2): sidecar outbound listeners per protocol class, conflict
// resolution, chains from VirtualService tcp/tls rules, the virtual listeners, and gateway
// listeners per server TLS mode.
#include <gtest/gtest.h>

#include <string>

#include "meshward/translate/translate.h"
#include "routes_testing.h"

namespace meshward::translate {
namespace {

using routes_testing::gateway;
using routes_testing::release;
using routes_testing::sidecar;
using routes_testing::Strings;
using routes_testing::World;

std::vector<Listener> listeners(const World& w, const Proxy& proxy) {
  const Scope scope(w.registry(), proxy);
  return build_listeners(scope);
}

const Listener* find(const std::vector<Listener>& ls, const std::string& name) {
  for (const auto& l : ls) {
    if (l.name == name) {
      return &l;
    }
  }
  ADD_FAILURE() << "no listener " << name;
  return nullptr;
}

Strings names(const std::vector<Listener>& ls) {
  Strings out;
  for (const auto& l : ls) {
    out.push_back(l.name);
  }
  return out;
}

// The terminal filter's destination: `rds:<name>`, `cluster:<name>` or `weighted:<a>,<b>`.
std::string destination(const FilterChain& c) {
  const NetworkFilter* f = c.terminal();
  if (f == nullptr) {
    return "";
  }
  if (f->name == "envoy.filters.network.http_connection_manager") {
    return f->inline_route_config ? "inline:" + f->inline_route_config->name
                                  : "rds:" + f->rds_route_config_name;
  }
  if (!f->weighted_clusters.empty()) {
    std::string out = "weighted:";
    for (const auto& w : f->weighted_clusters) {
      out += w.name + "=" + std::to_string(w.weight) + ",";
    }
    return out;
  }
  return "cluster:" + f->cluster;
}

std::string service(const std::string& name, const std::string& ns, const std::string& ip,
                    const std::string& ports) {
  return "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: " + name + "\n  namespace: " + ns +
         "\nspec:\n  clusterIP: " + ip + "\n  selector:\n    app: " + name + "\n  ports:\n" + ports;
}

const std::string kBar =
    service("bar", "bar-ns", "10.0.0.7", "  - name: http\n    port: 50002\n    targetPort: 80\n");

TEST(SidecarOutbound, HttpPortOnWildcardWithSniffingMatchAndPassthroughDefault) {
  World w(kBar, release(15));
  const auto ls = listeners(w, sidecar("default"));
  const Listener* l = find(ls, "0.0.0.0_50002");
  ASSERT_NE(l, nullptr);
  EXPECT_EQ(l->address.address, "0.0.0.0");
  EXPECT_EQ(l->traffic_direction, "OUTBOUND");
  ASSERT_TRUE(l->bind_to_port);
  EXPECT_FALSE(*l->bind_to_port);
  EXPECT_TRUE(l->continue_on_listener_filters_timeout);
  EXPECT_EQ(l->listener_filters, (Strings{"envoy.filters.listener.tls_inspector",
                                          "envoy.filters.listener.http_inspector"}));
  ASSERT_EQ(l->filter_chains.size(), 1u);
  const FilterChain& http = l->filter_chains[0];
  EXPECT_EQ(http.match.transport_protocol, "raw_buffer");
  EXPECT_EQ(http.match.application_protocols, (Strings{"http/1.1", "h2c"}));
  EXPECT_EQ(destination(http), "rds:50002");
  const NetworkFilter* hcm = http.terminal();
  EXPECT_EQ(hcm->stat_prefix, "outbound_0.0.0.0_50002");  // No `;` before 1.24.
  EXPECT_EQ(hcm->http_filter_names(),
            (Strings{"istio.metadata_exchange", "envoy.filters.http.grpc_stats", "istio.alpn",
                     "envoy.filters.http.fault", "envoy.filters.http.cors", "istio.stats",
                     "envoy.filters.http.router"}));
  EXPECT_FALSE(http.transport_socket_connect_timeout);
  ASSERT_TRUE(l->default_filter_chain);
  EXPECT_EQ(l->default_filter_chain->name, "PassthroughFilterChain");
  EXPECT_EQ(destination(*l->default_filter_chain), "cluster:PassthroughCluster");
}

TEST(SidecarOutbound, CurrentReleaseDelimitsStatsAndTimesOutTransport) {
  World w(kBar);
  const auto ls = listeners(w, sidecar("default"));
  const Listener* l = find(ls, "0.0.0.0_50002");
  ASSERT_NE(l, nullptr);
  EXPECT_EQ(l->filter_chains[0].terminal()->stat_prefix, "outbound_0.0.0.0_50002;");
  EXPECT_EQ(l->filter_chains[0].transport_socket_connect_timeout, 15000);
  EXPECT_FALSE(l->default_filter_chain->transport_socket_connect_timeout);
}

TEST(SidecarOutbound, TcpPortOnTheVipWithOneChain) {
  World w(service("db", "data", "10.0.0.9", "  - name: tcp-db\n    port: 5432\n"));
  const auto ls = listeners(w, sidecar("data"));
  const Listener* l = find(ls, "10.0.0.9_5432");
  ASSERT_NE(l, nullptr);
  ASSERT_EQ(l->filter_chains.size(), 1u);
  EXPECT_TRUE(l->filter_chains[0].match.empty());
  EXPECT_EQ(destination(l->filter_chains[0]), "cluster:outbound|5432||db.data.svc.cluster.local");
  EXPECT_EQ(l->filter_chains[0].filters.front().name, "istio.stats");
  EXPECT_FALSE(l->default_filter_chain);
  EXPECT_TRUE(l->listener_filters.empty());
}

TEST(SidecarOutbound, SniffedPortOnTheVipGetsItsOwnRoute) {
  World w(service("web", "shop", "10.0.0.3", "  - name: web\n    port: 8000\n"));
  const auto ls = listeners(w, sidecar("shop"));
  const Listener* l = find(ls, "10.0.0.3_8000");
  ASSERT_NE(l, nullptr);
  ASSERT_EQ(l->filter_chains.size(), 1u);
  EXPECT_EQ(destination(l->filter_chains[0]), "rds:web.shop.svc.cluster.local:8000");
  ASSERT_TRUE(l->default_filter_chain);
  EXPECT_TRUE(l->default_filter_chain->name.empty());
  EXPECT_EQ(destination(*l->default_filter_chain),
            "cluster:outbound|8000||web.shop.svc.cluster.local");
  const Scope scope(w.registry(), sidecar("shop"));
  const Strings rds = route_names(scope);
  EXPECT_NE(std::find(rds.begin(), rds.end(), "web.shop.svc.cluster.local:8000"), rds.end());
}

TEST(SidecarOutbound, TlsRulesBecomeSniChains) {
  World w(service("api", "ext", "10.0.0.4", "  - name: tls\n    port: 443\n") +
          "---\napiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n"
          "  name: api\n  namespace: ext\nspec:\n  hosts: [api]\n  tls:\n"
          "  - match:\n    - sniHosts: [b.example.com, a.example.com]\n"
          "    route:\n    - destination:\n        host: api\n        subset: v2\n");
  const auto ls = listeners(w, sidecar("ext"));
  const Listener* l = find(ls, "10.0.0.4_443");
  ASSERT_NE(l, nullptr);
  ASSERT_EQ(l->filter_chains.size(), 1u);
  const FilterChain& c = l->filter_chains[0];
  EXPECT_EQ(c.match.server_names, (Strings{"a.example.com", "b.example.com"}));
  EXPECT_EQ(destination(c), "cluster:outbound|443|v2|api.ext.svc.cluster.local");
  EXPECT_EQ(c.terminal()->istio_config,
            "/apis/networking.istio.io/v1/namespaces/ext/virtual-service/api");
  EXPECT_EQ(l->listener_filters, Strings{"envoy.filters.listener.tls_inspector"});
  ASSERT_TRUE(l->default_filter_chain);
  EXPECT_EQ(l->default_filter_chain->name, "PassthroughFilterChain");
  ASSERT_TRUE(c.origin.resource);
  EXPECT_EQ(c.origin.resource->name, "api");
  EXPECT_EQ(c.origin.path, "spec.tls[0].match[0]");
}

TEST(SidecarOutbound, WeightedTcpRoute) {
  World w(service("db", "data", "10.0.0.9", "  - name: tcp\n    port: 5432\n") +
          "---\napiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n"
          "  name: db-split\n  namespace: data\nspec:\n  hosts: [db]\n  tcp:\n"
          "  - route:\n    - destination: {host: db, subset: a}\n      weight: 80\n"
          "    - destination: {host: db, subset: b}\n      weight: 20\n");
  const auto ls = listeners(w, sidecar("data"));
  const Listener* l = find(ls, "10.0.0.9_5432");
  ASSERT_NE(l, nullptr);
  ASSERT_EQ(l->filter_chains.size(), 1u);
  EXPECT_EQ(destination(l->filter_chains[0]),
            "weighted:outbound|5432|a|db.data.svc.cluster.local=80,"
            "outbound|5432|b|db.data.svc.cluster.local=20,");
  EXPECT_EQ(l->filter_chains[0].terminal()->stat_prefix, "db-split.data");
}

TEST(SidecarOutbound, TcpServiceEntryWithoutAddressMergesIntoTheHttpPort) {
  // An HTTP service and a TCP ServiceEntry without addresses both want 0.0.0.0_80: the
  // listener sniffs, HTTP goes to RDS `80`, everything else to the ServiceEntry.
  World w(service("web", "shop", "10.0.0.3", "  - name: http\n    port: 80\n") +
          "---\napiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata:\n"
          "  name: legacy\n  namespace: shop\nspec:\n  hosts: [legacy.example.com]\n"
          "  ports:\n  - number: 80\n    name: tcp\n    protocol: TCP\n  resolution: DNS\n");
  const auto ls = listeners(w, sidecar("shop"));
  const Listener* l = find(ls, "0.0.0.0_80");
  ASSERT_NE(l, nullptr);
  ASSERT_EQ(l->filter_chains.size(), 1u);
  EXPECT_EQ(destination(l->filter_chains[0]), "rds:80");
  ASSERT_TRUE(l->default_filter_chain);
  EXPECT_EQ(destination(*l->default_filter_chain), "cluster:outbound|80||legacy.example.com");
  const Strings all = names(ls);
  EXPECT_EQ(std::count(all.begin(), all.end(), "0.0.0.0_80"), 1);
}

TEST(SidecarOutbound, RegistryOnlySendsUnmatchedTrafficToTheBlackHole) {
  Options o;
  o.mesh.outbound = OutboundPolicy::RegistryOnly;
  World w(kBar, o);
  const auto ls = listeners(w, sidecar("default"));
  EXPECT_EQ(destination(*find(ls, "0.0.0.0_50002")->default_filter_chain),
            "cluster:BlackHoleCluster");
  const Listener* vo = find(ls, "virtualOutbound");
  ASSERT_NE(vo, nullptr);
  EXPECT_EQ(destination(vo->filter_chains[1]), "cluster:BlackHoleCluster");
}

TEST(SidecarOutbound, EgressListenerWithPortAndCaptureNone) {
  // An egress listener with a port imports only services having that port; capture mode NONE
  // binds a real port on 127.0.0.1. The catch-all listener still builds the usual one.
  World w(kBar +
          "---\napiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata:\n"
          "  name: default\n  namespace: client\nspec:\n  egress:\n"
          "  - port: {number: 50002, protocol: HTTP, name: http}\n    captureMode: NONE\n"
          "    hosts: [\"bar-ns/bar.bar-ns.svc.cluster.local\"]\n"
          "  - port: {number: 9000, protocol: HTTP, name: http-none}\n"
          "    hosts: [\"bar-ns/bar.bar-ns.svc.cluster.local\"]\n"
          "  - hosts: [\"*/*\"]\n");
  const auto ls = listeners(w, sidecar("client"));
  const Listener* local = find(ls, "127.0.0.1_50002");
  ASSERT_NE(local, nullptr);
  EXPECT_FALSE(local->bind_to_port);  // Unset: Envoy binds.
  EXPECT_EQ(destination(local->filter_chains[0]), "rds:50002");
  const Listener* captured = find(ls, "0.0.0.0_50002");
  ASSERT_NE(captured, nullptr);
  EXPECT_FALSE(*captured->bind_to_port);
  // bar has no port 9000: nothing listens there.
  const Strings all = names(ls);
  EXPECT_EQ(std::count(all.begin(), all.end(), "0.0.0.0_9000"), 0);
}

TEST(SidecarOutbound, HeadlessTcpServiceGetsAListenerPerEndpoint) {
  World w(
      "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: db\n  namespace: data\n"
      "spec:\n  clusterIP: None\n  selector: {app: db}\n  ports:\n  - {name: tcp-db, port: 3306}\n"
      "---\napiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata:\n  name: db-1\n"
      "  namespace: data\n  labels: {kubernetes.io/service-name: db}\naddressType: IPv4\n"
      "ports:\n- {name: tcp-db, port: 3306}\nendpoints:\n- addresses: [10.1.0.1]\n"
      "- addresses: [10.1.0.2]\n");
  Proxy self = sidecar("data");
  self.ip = "10.1.0.2";  // The proxy's own pod is left out.
  const auto ls = listeners(w, self);
  const Strings all = names(ls);
  EXPECT_EQ(std::count(all.begin(), all.end(), "10.1.0.1_3306"), 1);
  EXPECT_EQ(std::count(all.begin(), all.end(), "10.1.0.2_3306"), 0);
  const Listener* l = find(ls, "10.1.0.1_3306");
  ASSERT_NE(l, nullptr);
  EXPECT_EQ(destination(l->filter_chains[0]), "cluster:outbound|3306||db.data.svc.cluster.local");
}

TEST(SidecarOutbound, TcpSubnetMatchesBecomeCidrChains) {
  World w(service("db", "data", "10.0.0.9", "  - name: tcp\n    port: 5432\n") +
          "---\napiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n"
          "  name: db\n  namespace: data\nspec:\n  hosts: [db]\n  tcp:\n"
          "  - match:\n    - destinationSubnets: [10.0.0.0/24]\n"
          "    route:\n    - destination: {host: db, subset: local}\n");
  const auto ls = listeners(w, sidecar("data"));
  const Listener* l = find(ls, "10.0.0.9_5432");
  ASSERT_NE(l, nullptr);
  // The subnet chain, then the service's own chain as the default.
  ASSERT_EQ(l->filter_chains.size(), 1u);
  EXPECT_EQ(l->filter_chains[0].match.prefix_ranges, Strings{"10.0.0.0/24"});
  EXPECT_EQ(destination(l->filter_chains[0]),
            "cluster:outbound|5432|local|db.data.svc.cluster.local");
  EXPECT_TRUE(l->filter_chains[0].terminal()->istio_config.empty());
  ASSERT_TRUE(l->default_filter_chain);
  EXPECT_EQ(destination(*l->default_filter_chain),
            "cluster:outbound|5432||db.data.svc.cluster.local");
}

TEST(VirtualListeners, OutboundAndInboundShells) {
  World w(kBar);
  const auto ls = listeners(w, sidecar("bar-ns", {{"app", "bar"}}));
  const Strings n = names(ls);
  ASSERT_GE(n.size(), 3u);
  EXPECT_EQ(n[n.size() - 2], "virtualOutbound");
  EXPECT_EQ(n.back(), "virtualInbound");
  const Listener* vo = find(ls, "virtualOutbound");
  EXPECT_TRUE(vo->use_original_dst);
  EXPECT_EQ(vo->address.port_value, 15001u);
  EXPECT_EQ(vo->filter_chains[0].name, "virtualOutbound-blackhole");
  EXPECT_EQ(vo->filter_chains[0].match.destination_port, 15001u);
  EXPECT_EQ(vo->filter_chains[1].name, "virtualOutbound-catchall-tcp");
  EXPECT_EQ(destination(vo->filter_chains[1]), "cluster:PassthroughCluster");

  const Listener* vi = find(ls, "virtualInbound");
  EXPECT_EQ(vi->address.port_value, 15006u);
  EXPECT_EQ(vi->traffic_direction, "INBOUND");
  EXPECT_EQ(vi->listener_filters,
            (Strings{"envoy.filters.listener.original_dst", "envoy.filters.listener.tls_inspector",
                     "envoy.filters.listener.http_inspector"}));
  // Blackhole, five PERMISSIVE passthrough chains, two chains for the HTTP target port 80.
  ASSERT_EQ(vi->filter_chains.size(), 8u);
  EXPECT_EQ(vi->filter_chains[0].name, "virtualInbound-blackhole");
  EXPECT_EQ(vi->filter_chains[1].name, "virtualInbound-catchall-http");
  EXPECT_EQ(destination(vi->filter_chains[4]), "cluster:InboundPassthroughCluster");
  const FilterChain& mtls = vi->filter_chains[6];
  EXPECT_EQ(mtls.name, "0.0.0.0_80");
  EXPECT_EQ(mtls.match.destination_port, 80u);
  EXPECT_EQ(mtls.match.transport_protocol, "tls");
  ASSERT_TRUE(mtls.tls);
  EXPECT_TRUE(mtls.tls->require_client_certificate);
  EXPECT_EQ(destination(mtls), "inline:inbound|80||");
  const RouteConfiguration& rc = *mtls.terminal()->inline_route_config;
  ASSERT_EQ(rc.virtual_hosts.size(), 1u);
  EXPECT_EQ(rc.virtual_hosts[0].name, "inbound|http|50002");
  EXPECT_EQ(rc.virtual_hosts[0].routes[0].decorator_operation,
            "bar.bar-ns.svc.cluster.local:50002/*");
  EXPECT_EQ(vi->filter_chains[7].match.transport_protocol, "raw_buffer");
  EXPECT_FALSE(vi->filter_chains[7].tls);
}

// ---- Gateways ---------------------------------------------------------------------------------

const std::string kIngress =
    "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: istio-ingressgateway\n"
    "  namespace: istio-system\nspec:\n  clusterIP: 10.0.0.100\n  selector:\n"
    "    istio: ingressgateway\n  ports:\n  - {name: http2, port: 80, targetPort: 8080}\n"
    "  - {name: https, port: 443, targetPort: 8443}\n  - {name: tls, port: 15443, targetPort: "
    "15443}\n"
    "  - {name: tcp, port: 31400, targetPort: 31400}\n";

std::string gateway_resource(const std::string& servers) {
  return "---\napiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata:\n  name: gw\n"
         "  namespace: istio-system\nspec:\n  selector:\n    istio: ingressgateway\n  servers:\n" +
         servers;
}

TEST(GatewayListeners, PlaintextHttpOnTheTargetPort) {
  World w(kIngress + gateway_resource("  - port: {number: 80, name: http, protocol: HTTP}\n"
                                      "    hosts: [\"*\"]\n"));
  const auto ls = listeners(w, gateway("istio-system"));
  ASSERT_EQ(names(ls), Strings{"0.0.0.0_8080"});
  const Listener& l = ls[0];
  EXPECT_FALSE(l.bind_to_port);
  EXPECT_TRUE(l.listener_filters.empty());
  ASSERT_EQ(l.filter_chains.size(), 1u);
  EXPECT_TRUE(l.filter_chains[0].match.empty());
  EXPECT_EQ(destination(l.filter_chains[0]), "rds:http.8080");
  EXPECT_TRUE(l.filter_chains[0].terminal()->use_remote_address);
  EXPECT_EQ(l.filter_chains[0].terminal()->forward_client_cert_details, "SANITIZE_SET");
  EXPECT_FALSE(l.default_filter_chain);
}

TEST(GatewayListeners, HttpsTerminationPassthroughAndAutoPassthrough) {
  World w(
      kIngress + kBar +
      gateway_resource(
          "  - port: {number: 443, name: https, protocol: HTTPS}\n"
          "    hosts: [\"shop.example.com\"]\n    tls: {mode: SIMPLE, credentialName: shop-cert}\n"
          "  - port: {number: 443, name: https-pass, protocol: HTTPS}\n"
          "    hosts: [\"pass.example.com\"]\n    tls: {mode: PASSTHROUGH}\n"
          "  - port: {number: 15443, name: tls, protocol: TLS}\n"
          "    hosts: [\"*.bar-ns.svc.cluster.local\"]\n    tls: {mode: AUTO_PASSTHROUGH}\n") +
      "---\napiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n"
      "  name: pass\n  namespace: istio-system\nspec:\n  hosts: [pass.example.com]\n"
      "  gateways: [gw]\n  tls:\n  - match:\n    - sniHosts: [pass.example.com]\n"
      "    route:\n    - destination: {host: bar.bar-ns.svc.cluster.local, port: {number: "
      "50002}}\n");
  const auto ls = listeners(w, gateway("istio-system"));
  ASSERT_EQ(names(ls), (Strings{"0.0.0.0_8443", "0.0.0.0_15443"}));
  const Listener& https = ls[0];
  EXPECT_EQ(https.listener_filters, Strings{"envoy.filters.listener.tls_inspector"});
  ASSERT_EQ(https.filter_chains.size(), 2u);
  const FilterChain& simple = https.filter_chains[0];
  EXPECT_EQ(simple.match.server_names, Strings{"shop.example.com"});
  EXPECT_EQ(destination(simple), "rds:https.443.https.gw.istio-system");
  ASSERT_TRUE(simple.tls);
  EXPECT_EQ(simple.tls->sds_certificate, "kubernetes://shop-cert");
  EXPECT_FALSE(simple.tls->require_client_certificate);
  EXPECT_EQ(simple.tls->alpn_protocols, (Strings{"h2", "http/1.1"}));
  const FilterChain& pass = https.filter_chains[1];
  EXPECT_EQ(pass.match.server_names, Strings{"pass.example.com"});
  EXPECT_FALSE(pass.tls);
  EXPECT_EQ(destination(pass), "cluster:outbound|50002||bar.bar-ns.svc.cluster.local");

  const Listener& auto_pass = ls[1];
  ASSERT_EQ(auto_pass.filter_chains.size(), 1u);
  const FilterChain& dnat = auto_pass.filter_chains[0];
  EXPECT_EQ(dnat.match.server_names, Strings{"outbound_.50002_._.bar.bar-ns.svc.cluster.local"});
  EXPECT_EQ(dnat.match.application_protocols.size(), 5u);
  EXPECT_EQ(destination(dnat), "cluster:outbound_.50002_._.bar.bar-ns.svc.cluster.local");
}

TEST(GatewayListeners, TcpServerNeedsABoundTcpRoute) {
  const std::string gw =
      gateway_resource("  - port: {number: 31400, name: tcp, protocol: TCP}\n    hosts: [\"*\"]\n");
  World unbound(kIngress + gw);
  EXPECT_TRUE(listeners(unbound, gateway("istio-system")).empty());

  World bound(kIngress + gw + service("db", "data", "10.0.0.9", "  - name: tcp\n    port: 5432\n") +
              "---\napiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n"
              "  name: db\n  namespace: istio-system\nspec:\n  hosts: [\"*\"]\n"
              "  gateways: [gw]\n  tcp:\n  - route:\n    - destination: {host: "
              "db.data.svc.cluster.local}\n");
  const auto ls = listeners(bound, gateway("istio-system"));
  ASSERT_EQ(names(ls), Strings{"0.0.0.0_31400"});
  EXPECT_EQ(destination(ls[0].filter_chains[0]),
            "cluster:outbound|5432||db.data.svc.cluster.local");
}

}  // namespace
}  // namespace meshward::translate
