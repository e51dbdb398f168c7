// Gateway selection, server merging (reference §4.1) and gateway route configurations (§4.3).
#include <gtest/gtest.h>

#include <string>

#include "routes_testing.h"

namespace meshward::translate {
namespace {

using namespace routes_testing;

// The default ingress gateway: Service ports 80 → 8080 and 443 → 8443.
constexpr std::string_view kIngress = R"(
apiVersion: v1
kind: Service
metadata: {name: istio-ingressgateway, namespace: istio-system}
spec:
  clusterIP: 10.96.0.10
  selector: {istio: ingressgateway}
  ports:
  - {name: http2, port: 80, targetPort: 8080}
  - {name: https, port: 443, targetPort: 8443}
)";

std::string gateway_object(const std::string& name, const std::string& ns,
                           const std::string& servers,
                           const std::string& selector = "{istio: ingressgateway}") {
  return istio_object("Gateway", name, ns) + "spec:\n  selector: " + selector +
         "\n  servers:\n" + servers;
}

std::vector<GatewayServer> servers_of(const World& w, const Proxy& proxy) {
  const Scope scope(w.registry(), proxy);
  return gateway_servers(scope);
}

TEST(GatewayRoutes, BriefGatewayWithoutVirtualServicesIsBlackholes) {
  std::string servers;
  for (int port = 50001; port <= 50004; ++port) {
    const std::string p = std::to_string(port);
    servers += "  - port: {number: " + p + ", name: http-" + p + ", protocol: HTTP}\n" +
               "    hosts: [\"svc-" + p + ".example.com\"]\n";
  }
  for (int minor : {15, 30}) {
    const World w(gateway_object("helloworld-gateway", "default", servers), release(minor));
    for (int port = 50001; port <= 50004; ++port) {
      const std::string p = std::to_string(port);
      const RouteConfiguration rc = w.route(gateway("istio-system"), "http." + p);
      EXPECT_EQ(rc.name, "http." + p);
      ASSERT_EQ(rc.virtual_hosts.size(), 1U);
      const VirtualHost& vh = rc.virtual_hosts[0];
      EXPECT_EQ(vh.name, "blackhole:" + p);
      EXPECT_EQ(vh.domains, Strings{"*"});
      EXPECT_TRUE(vh.routes.empty());
      EXPECT_TRUE(vh.virtual_services.empty());
      EXPECT_FALSE(rc.validate_clusters);
      EXPECT_TRUE(rc.ignore_port_in_host_matching);
      EXPECT_EQ(rc.max_direct_response_body_size_bytes, 1048576U);
      // Every request finds the empty vhost: Envoy answers 404 (NR).
      EXPECT_EQ(rc.select_virtual_host("svc-" + p + ".example.com"), &vh);
    }
  }
}

TEST(GatewayRoutes, SelectionAndPortResolution) {
  const World w(std::string(kIngress) +
                gateway_object("public", "web", "  - port: {number: 80, name: http, protocol: HTTP}\n"
                                                "    hosts: [\"*\"]\n") +
                gateway_object("everyone", "other",
                               "  - port: {number: 9000, name: http, protocol: HTTP}\n"
                               "    hosts: [\"*\"]\n",
                               "{}") +
                gateway_object("egress", "istio-system",
                               "  - port: {number: 80, name: http, protocol: HTTP}\n"
                               "    hosts: [\"*\"]\n",
                               "{istio: egressgateway}"));
  const Scope ingress(w.registry(), gateway("istio-system"));
  Strings selected;
  for (const model::Gateway* g : gateways_for(ingress)) {
    selected.push_back(g->meta.namespace_ + "/" + g->meta.name);
  }
  EXPECT_EQ(selected, (Strings{"web/public", "other/everyone"}));

  const std::vector<GatewayServer> servers = gateway_servers(ingress);
  ASSERT_EQ(servers.size(), 2U);
  EXPECT_EQ(servers[0].gateway_ref, "web/public");
  EXPECT_EQ(servers[0].server_port, 80U);
  EXPECT_EQ(servers[0].target_port, 8080U);  // Through the gateway Service's targetPort.
  EXPECT_EQ(servers[0].route_name, "http.8080");
  EXPECT_EQ(servers[0].protocol, "HTTP");
  EXPECT_EQ(servers[1].target_port, 9000U);  // No Service port 9000: as written.
  EXPECT_EQ(servers[1].route_name, "http.9000");

  // Sidecars have no gateways.
  const Scope sidecar_scope(w.registry(), sidecar("web"));
  EXPECT_TRUE(gateways_for(sidecar_scope).empty());
  EXPECT_TRUE(gateway_servers(sidecar_scope).empty());
}

TEST(GatewayRoutes, ServerMerging) {
  const std::string servers = R"(  - port: {number: 80, name: http, protocol: HTTP}
    hosts: ["./a.example.com", "*/b.example.com"]
  - port: {number: 80, name: http-more, protocol: HTTP2}
    hosts: [c.example.com]
  - port: {number: 80, name: tcp, protocol: TCP}
    hosts: [d.example.com]
  - port: {number: 443, name: https, protocol: HTTPS}
    hosts: [secure.example.com]
    tls: {mode: SIMPLE, credentialName: cert}
  - port: {number: 443, name: https-dup, protocol: HTTPS}
    hosts: [secure.example.com]
    tls: {mode: SIMPLE, credentialName: other}
  - port: {number: 443, name: tls-pass, protocol: TLS}
    hosts: [pass.example.com]
    tls: {mode: PASSTHROUGH}
  - port: {number: 9443, name: https-all, protocol: HTTPS}
    hosts: ["*/*", ignored.example.com]
    tls: {mode: ISTIO_MUTUAL}
)";
  const World w(std::string(kIngress) + gateway_object("gw", "web", servers));
  const std::vector<GatewayServer> merged = servers_of(w, gateway("istio-system"));
  Strings described;
  for (const GatewayServer& s : merged) {
    std::string hosts;
    for (const std::string& h : s.hosts) {
      hosts += (hosts.empty() ? "" : ",") + h;
    }
    described.push_back(s.port_name + "@" + std::to_string(s.target_port) + " " + s.route_name +
                        " [" + hosts + "]");
  }
  EXPECT_EQ(described,
            (Strings{"http@8080 http.8080 [web/a.example.com,b.example.com]",
                     "http-more@8080 http.8080 [c.example.com]",
                     // tcp: conflicts with the HTTP servers on 8080; https-dup: same SNI host.
                     "https@8443 https.443.https.gw.web [secure.example.com]",
                     "tls-pass@8443  [pass.example.com]",
                     "https-all@9443 https.9443.https-all.gw.web [*]"}));
}

// Reference §3.7 on the bookinfo gateway.
constexpr std::string_view kBookinfo = R"(
---
apiVersion: v1
kind: Service
metadata: {name: reviews, namespace: bookinfo}
spec:
  clusterIP: 10.0.0.9
  ports: [{name: http, port: 9080}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews-route, namespace: bookinfo}
spec:
  hosts: [reviews.bookinfo.svc.cluster.local]
  gateways: [bookinfo-gateway, mesh]
  http:
  - name: jason
    match:
    - headers: {end-user: {exact: jason}}
      uri: {prefix: /reviews}
    route:
    - destination: {host: reviews.bookinfo.svc.cluster.local, subset: v2}
  - name: canary
    match:
    - uri: {regex: "^/reviews/[0-9]+$"}
      gateways: [bookinfo-gateway]
    route:
    - destination: {host: reviews.bookinfo.svc.cluster.local, subset: v1}
      weight: 90
    - destination: {host: reviews.bookinfo.svc.cluster.local, subset: v3}
      weight: 10
  - name: mesh-only
    match:
    - uri: {prefix: /mesh}
      gateways: [mesh]
    route:
    - destination: {host: reviews.bookinfo.svc.cluster.local, subset: v4}
  - name: default
    route:
    - destination: {host: reviews.bookinfo.svc.cluster.local, subset: v1}
)";

TEST(GatewayRoutes, WorkedExampleOnTheBookinfoGateway) {
  const World w(std::string(kIngress) + std::string(kBookinfo) +
                gateway_object("bookinfo-gateway", "bookinfo",
                               "  - port: {number: 80, name: http, protocol: HTTP}\n"
                               "    hosts: [\"*\"]\n"));
  const RouteConfiguration rc = w.route(gateway("istio-system"), "http.8080");
  EXPECT_EQ(vhost_names(rc), Strings{"reviews.bookinfo.svc.cluster.local:80"});
  const VirtualHost* vh = vhost(rc, "reviews.bookinfo.svc.cluster.local:80");
  ASSERT_NE(vh, nullptr);
  EXPECT_EQ(vh->domains, Strings{"reviews.bookinfo.svc.cluster.local"});
  EXPECT_EQ(route_names(*vh), (Strings{"jason", "canary", "default"}));
  // The destination names no port and reviews has one: its port, not the gateway's.
  EXPECT_EQ(cluster_of(vh->routes[0]), "outbound|9080|v2|reviews.bookinfo.svc.cluster.local");
  EXPECT_EQ(vh->routes[0].decorator_operation, "reviews.bookinfo.svc.cluster.local:9080/reviews*");
  EXPECT_EQ(vh->routes[1].decorator_operation, "reviews-route:80^/reviews/[0-9]+$");
  EXPECT_EQ(vh->routes[2].istio_config,
            "/apis/networking.istio.io/v1/namespaces/bookinfo/virtual-service/reviews-route");
  EXPECT_EQ(vh->virtual_services,
            (std::vector<model::ObjectKey>{
                {model::Kind::VirtualService, "bookinfo", "reviews-route"}}));

  // The same VirtualService on the sidecar: the gateway-only rule is skipped.
  const RouteConfiguration mesh = w.route(sidecar("bookinfo"), "9080");
  const VirtualHost* mesh_vh = vhost(mesh, "reviews.bookinfo.svc.cluster.local:9080");
  ASSERT_NE(mesh_vh, nullptr);
  EXPECT_EQ(route_names(*mesh_vh), (Strings{"jason", "mesh-only", "default"}));

  // A route name no server asks for: an empty configuration.
  const RouteConfiguration missing = w.route(gateway("istio-system"), "http.9999");
  EXPECT_TRUE(missing.virtual_hosts.empty());
  EXPECT_FALSE(missing.ignore_port_in_host_matching);
}

TEST(GatewayRoutes, HostIntersection) {
  const std::string world = std::string(kIngress) + R"(
---
apiVersion: v1
kind: Service
metadata: {name: shop, namespace: web}
spec:
  clusterIP: 10.0.1.1
  ports: [{name: http, port: 8000}, {name: http-admin, port: 8001}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: shop, namespace: web}
spec:
  hosts: [a.example.com, "*.shop.com", other.org]
  gateways: [gw]
  http: [{route: [{destination: {host: shop}}]}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: foreign, namespace: elsewhere}
spec:
  hosts: [b.example.com]
  gateways: [web/gw]
  http: [{route: [{destination: {host: shop.web.svc.cluster.local, port: {number: 8001}}}]}]
)" + gateway_object("gw", "web",
                     "  - port: {number: 80, name: http, protocol: HTTP}\n"
                     "    hosts: [\"*.example.com\", \"./www.shop.com\", \"web/*.org\"]\n");
  const World w(world);
  const RouteConfiguration rc = w.route(gateway("istio-system"), "http.8080");
  // `*.example.com` ∩ `a.example.com` → a.example.com; `www.shop.com` ∩ `*.shop.com` →
  // www.shop.com; `web/*.org` applies only to VirtualServices of `web`; `elsewhere/...`
  // VirtualServices see `*.example.com` only.
  EXPECT_EQ(vhost_names(rc), (Strings{"a.example.com:80", "b.example.com:80"}));
  const VirtualHost* a = vhost(rc, "a.example.com:80");
  ASSERT_NE(a, nullptr);
  // Identical route lists collapse into the first host (longest first, then alphabetical).
  EXPECT_EQ(a->domains, (Strings{"a.example.com", "www.shop.com", "other.org"}));
  // A multi-port service without destination port: the gateway's server port.
  EXPECT_EQ(cluster_of(a->routes[0]), "outbound|80||shop.web.svc.cluster.local");
  const VirtualHost* b = vhost(rc, "b.example.com:80");
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(cluster_of(b->routes[0]), "outbound|8001||shop.web.svc.cluster.local");
}

TEST(GatewayRoutes, RoutesOfAllVirtualServicesForAHost) {
  const std::string world = std::string(kIngress) + R"(
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: first, namespace: web, creationTimestamp: "2024-01-01T00:00:00Z"}
spec:
  hosts: [shop.example.com]
  gateways: [gw]
  http:
  - name: first-all
    route: [{destination: {host: one.web.svc.cluster.local}}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: second, namespace: web, creationTimestamp: "2024-02-01T00:00:00Z"}
spec:
  hosts: [shop.example.com]
  gateways: [gw]
  http:
  - name: second-api
    match: [{uri: {prefix: /api}}]
    route: [{destination: {host: two.web.svc.cluster.local}}]
)" + gateway_object("gw", "web",
                     "  - port: {number: 80, name: http, protocol: HTTP}\n"
                     "    hosts: [shop.example.com]\n");
  const World w(world);
  const RouteConfiguration rc = w.route(gateway("istio-system"), "http.8080");
  const VirtualHost* vh = vhost(rc, "shop.example.com:80");
  ASSERT_NE(vh, nullptr);
  // Concatenated in precedence order, then the catch-all moved last.
  EXPECT_EQ(route_names(*vh), (Strings{"second-api", "first-all"}));
  EXPECT_EQ(vh->virtual_services.size(), 2U);
  EXPECT_EQ(cluster_of(vh->routes[1]), "outbound|80||one.web.svc.cluster.local");
}

TEST(GatewayRoutes, HttpsRedirectAndTerminatedHttps) {
  const std::string world = std::string(kIngress) + R"(
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: shop, namespace: web}
spec:
  hosts: [shop.example.com]
  gateways: [gw]
  http: [{route: [{destination: {host: shop.web.svc.cluster.local, port: {number: 8000}}}]}]
)" + gateway_object("gw", "web", R"(  - port: {number: 80, name: http, protocol: HTTP}
    hosts: [shop.example.com, bare.example.com]
    tls: {httpsRedirect: true}
  - port: {number: 443, name: https, protocol: HTTPS}
    hosts: [shop.example.com]
    tls: {mode: SIMPLE, credentialName: shop-cert}
)");
  const World w(world);
  const RouteConfiguration plain = w.route(gateway("istio-system"), "http.8080");
  EXPECT_EQ(vhost_names(plain), (Strings{"bare.example.com:80", "shop.example.com:80"}));
  const VirtualHost* shop = vhost(plain, "shop.example.com:80");
  ASSERT_NE(shop, nullptr);
  EXPECT_TRUE(shop->require_tls_all);
  EXPECT_EQ(shop->routes.size(), 1U);
  const VirtualHost* bare = vhost(plain, "bare.example.com:80");
  ASSERT_NE(bare, nullptr);
  EXPECT_TRUE(bare->require_tls_all);  // No VirtualService: only the redirect to TLS.
  EXPECT_TRUE(bare->routes.empty());

  const RouteConfiguration tls = w.route(gateway("istio-system"), "https.443.https.gw.web");
  EXPECT_EQ(vhost_names(tls), Strings{"shop.example.com:443"});
  const VirtualHost* secure = vhost(tls, "shop.example.com:443");
  ASSERT_NE(secure, nullptr);
  EXPECT_FALSE(secure->require_tls_all);
  EXPECT_EQ(cluster_of(secure->routes[0]), "outbound|8000||shop.web.svc.cluster.local");
}

TEST(GatewayRoutes, HostsWithoutVirtualServiceGetNoVhost) {
  const std::string world = std::string(kIngress) + R"(
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: shop, namespace: web}
spec:
  hosts: [shop.example.com]
  gateways: [gw]
  http: [{route: [{destination: {host: shop.web.svc.cluster.local}}]}]
)" + gateway_object("gw", "web",
                     "  - port: {number: 80, name: http, protocol: HTTP}\n"
                     "    hosts: [shop.example.com, lost.example.com]\n");
  const World w(world);
  const RouteConfiguration rc = w.route(gateway("istio-system"), "http.8080");
  EXPECT_EQ(vhost_names(rc), Strings{"shop.example.com:80"});
  EXPECT_EQ(rc.select_virtual_host("lost.example.com"), nullptr);  // 404 NR
}

}  // namespace
}  // namespace meshward::translate
