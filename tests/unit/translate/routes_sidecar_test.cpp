// Sidecar outbound route configurations (reference §3.1–3.3, 3.5, 3.6), including the project
// brief's `50002` example at 1.15 and at the current release.
#include <gtest/gtest.h>

#include <string>

#include "routes_testing.h"

namespace meshward::translate {
namespace {

using namespace routes_testing;

// The brief's service, a DestinationRule with its subsets and a VirtualService to v1.
constexpr std::string_view kBarWorld = R"(
apiVersion: v1
kind: Service
metadata: {name: bar-service, namespace: bar-namespace}
spec:
  clusterIP: 172.21.0.10
  selector: {app: bar}
  ports:
  - {name: http-bar, port: 50002, targetPort: 80}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: bar-service, namespace: bar-namespace}
spec:
  host: bar-service
  subsets:
  - {name: v1, labels: {version: v1}}
  - {name: v2, labels: {version: v2}}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: bar-service, namespace: bar-namespace}
spec:
  hosts: [bar-service]
  http:
  - route:
    - destination: {host: bar-service, subset: v1}
)";

constexpr std::string_view kBarVhost = "bar-service.bar-namespace.svc.cluster.local:50002";

TEST(SidecarRoutes, BriefExampleAtIstio115) {
  const World w(kBarWorld, release(15));
  const RouteConfiguration rc = w.route(sidecar("bar-namespace", {{"app", "foo"}}), "50002");
  EXPECT_EQ(rc.name, "50002");
  EXPECT_EQ(vhost_names(rc), (Strings{std::string(kBarVhost), "allow_any"}));
  EXPECT_FALSE(rc.validate_clusters);
  EXPECT_FALSE(rc.ignore_port_in_host_matching);  // 1.15 lists `:port` domains instead.
  EXPECT_EQ(rc.max_direct_response_body_size_bytes, 1048576U);

  const VirtualHost* vh = vhost(rc, kBarVhost);
  ASSERT_NE(vh, nullptr);
  EXPECT_EQ(vh->domains, (Strings{"bar-service.bar-namespace.svc.cluster.local",
                                  "bar-service.bar-namespace.svc.cluster.local:50002",
                                  "bar-service",
                                  "bar-service:50002",
                                  "bar-service.bar-namespace.svc",
                                  "bar-service.bar-namespace.svc:50002",
                                  "bar-service.bar-namespace",
                                  "bar-service.bar-namespace:50002",
                                  "172.21.0.10",
                                  "172.21.0.10:50002"}));
  EXPECT_TRUE(vh->include_request_attempt_count);
  ASSERT_EQ(vh->routes.size(), 1U);
  const Route& r = vh->routes[0];
  EXPECT_EQ(cluster_of(r), "outbound|50002|v1|bar-service.bar-namespace.svc.cluster.local");
  ASSERT_TRUE(r.route()->retry_policy);
  expect_default_retry(*r.route()->retry_policy, true);
  EXPECT_EQ(r.istio_config,
            "/apis/networking.istio.io/v1alpha3/namespaces/bar-namespace/virtual-service/"
            "bar-service");
  EXPECT_EQ(r.decorator_operation, "bar-service.bar-namespace.svc.cluster.local:50002/*");
}

TEST(SidecarRoutes, BriefExampleAtCurrentRelease) {
  const World w(kBarWorld);
  const RouteConfiguration rc = w.route(sidecar("bar-namespace", {{"app", "foo"}}), "50002");
  EXPECT_TRUE(rc.ignore_port_in_host_matching);
  const VirtualHost* vh = vhost(rc, kBarVhost);
  ASSERT_NE(vh, nullptr);
  EXPECT_EQ(vh->domains, (Strings{"bar-service.bar-namespace.svc.cluster.local",
                                  "bar-service.bar-namespace.svc.cluster.local.", "bar-service",
                                  "bar-service.bar-namespace.svc", "bar-service.bar-namespace",
                                  "172.21.0.10"}));
  ASSERT_EQ(vh->routes.size(), 1U);
  EXPECT_EQ(cluster_of(vh->routes[0]), "outbound|50002|v1|bar-service.bar-namespace.svc.cluster.local");
  expect_default_retry(*vh->routes[0].route()->retry_policy, false);
  EXPECT_EQ(vh->routes[0].istio_config,
            "/apis/networking.istio.io/v1/namespaces/bar-namespace/virtual-service/bar-service");

  // 1.26 has neither the absolute name nor `:port` domains.
  const World w126(kBarWorld, release(26));
  const RouteConfiguration rc126 = w126.route(sidecar("bar-namespace"), "50002");
  const VirtualHost* vh126 = vhost(rc126, kBarVhost);
  ASSERT_NE(vh126, nullptr);
  EXPECT_EQ(vh126->domains, (Strings{"bar-service.bar-namespace.svc.cluster.local", "bar-service",
                                     "bar-service.bar-namespace.svc", "bar-service.bar-namespace",
                                     "172.21.0.10"}));
}

TEST(SidecarRoutes, DomainsFromAnotherNamespace) {
  const World w(kBarWorld);
  const RouteConfiguration rc = w.route(sidecar("mesh"), "50002");
  const VirtualHost* vh = vhost(rc, kBarVhost);
  ASSERT_NE(vh, nullptr);
  // No short name: from another namespace `bar-service` means another service.
  EXPECT_EQ(vh->domains, (Strings{"bar-service.bar-namespace.svc.cluster.local",
                                  "bar-service.bar-namespace.svc.cluster.local.",
                                  "bar-service.bar-namespace", "bar-service.bar-namespace.svc",
                                  "172.21.0.10"}));
}

constexpr std::string_view kEcho = R"(
apiVersion: v1
kind: Service
metadata: {name: echo, namespace: default}
spec:
  clusterIP: 1.2.3.4
  ports: [{name: http, port: 8080}, {name: grpc, port: 9090}]
)";

TEST(SidecarRoutes, DefaultRouteWithoutVirtualService) {
  const World w(kEcho);
  const RouteConfiguration rc = w.route(sidecar("default"), "8080");
  EXPECT_EQ(vhost_names(rc), (Strings{"echo.default.svc.cluster.local:8080", "allow_any"}));
  const VirtualHost* vh = vhost(rc, "echo.default.svc.cluster.local:8080");
  ASSERT_NE(vh, nullptr);
  // Reference §3.3's example.
  EXPECT_EQ(vh->domains, (Strings{"echo.default.svc.cluster.local", "echo.default.svc.cluster.local.",
                                  "echo", "echo.default.svc", "echo.default", "1.2.3.4"}));
  EXPECT_TRUE(vh->virtual_services.empty());
  ASSERT_EQ(vh->routes.size(), 1U);
  const Route& r = vh->routes[0];
  EXPECT_EQ(r.name, "default");
  EXPECT_EQ(r.match.path, "/");
  EXPECT_FALSE(r.match.case_sensitive);
  EXPECT_EQ(cluster_of(r), "outbound|8080||echo.default.svc.cluster.local");
  EXPECT_EQ(r.route()->timeout, 0);
  EXPECT_EQ(r.route()->max_grpc_timeout, 0);
  expect_default_retry(*r.route()->retry_policy, false);
  EXPECT_EQ(r.decorator_operation, "echo.default.svc.cluster.local:8080/*");
  EXPECT_TRUE(r.istio_config.empty());

  // The other port has its own configuration; a port no service has only the catch-all.
  EXPECT_EQ(vhost_names(w.route(sidecar("default"), "9090")),
            (Strings{"echo.default.svc.cluster.local:9090", "allow_any"}));
  EXPECT_EQ(vhost_names(w.route(sidecar("default"), "7777")), Strings{"allow_any"});
}

TEST(SidecarRoutes, DefaultRouteHashPolicy) {
  const World w(std::string(kEcho) + istio_object("DestinationRule", "echo", "default") +
                "spec:\n  host: echo\n  trafficPolicy:\n    loadBalancer:\n"
                "      consistentHash: {useSourceIp: true}\n");
  const RouteConfiguration rc = w.route(sidecar("default"), "8080");
  const VirtualHost* vh = vhost(rc, "echo.default.svc.cluster.local:8080");
  ASSERT_NE(vh, nullptr);
  ASSERT_EQ(vh->routes[0].route()->hash_policy.size(), 1U);
  EXPECT_EQ(vh->routes[0].route()->hash_policy[0].kind, HashPolicy::Kind::SourceIp);
  // The default route keeps the previous_hosts predicate.
  EXPECT_TRUE(vh->routes[0].route()->retry_policy->previous_hosts_predicate);
}

TEST(SidecarRoutes, CatchAllFollowsOutboundPolicy) {
  const World allow(kEcho);
  const RouteConfiguration a = allow.route(sidecar("default"), "8080");
  ASSERT_FALSE(a.virtual_hosts.empty());
  const VirtualHost& any = a.virtual_hosts.back();
  EXPECT_EQ(any.name, "allow_any");
  EXPECT_EQ(any.domains, Strings{"*"});
  ASSERT_EQ(any.routes.size(), 1U);
  EXPECT_EQ(any.routes[0].name, "allow_any");
  EXPECT_EQ(cluster_of(any.routes[0]), "PassthroughCluster");
  EXPECT_EQ(any.routes[0].route()->max_grpc_timeout, 0);
  EXPECT_FALSE(any.routes[0].route()->retry_policy);
  EXPECT_TRUE(any.include_request_attempt_count);

  Options registry_only;
  registry_only.mesh.outbound = OutboundPolicy::RegistryOnly;
  const World blocked(kEcho, registry_only);
  const RouteConfiguration b = blocked.route(sidecar("default"), "8080");
  const VirtualHost& block = b.virtual_hosts.back();
  EXPECT_EQ(block.name, "block_all");
  ASSERT_EQ(block.routes.size(), 1U);
  EXPECT_EQ(block.routes[0].name, "block_all");
  const auto* direct = std::get_if<DirectResponseAction>(&block.routes[0].action);
  ASSERT_NE(direct, nullptr);
  EXPECT_EQ(direct->status, 502U);
  // A request for an unknown host lands there.
  EXPECT_EQ(b.select_virtual_host("www.example.com"), &block);
  EXPECT_EQ(b.select_virtual_host("echo:8080")->name, "echo.default.svc.cluster.local:8080");

  // A Sidecar's outboundTrafficPolicy overrides the mesh's, egressProxy included.
  const World sidecar_policy(std::string(kEcho) + istio_object("Sidecar", "default", "default") +
                             "spec:\n  outboundTrafficPolicy:\n    mode: ALLOW_ANY\n"
                             "    egressProxy: {host: egress.example.com, subset: s, "
                             "port: {number: 3128}}\n",
                             registry_only);
  const RouteConfiguration c = sidecar_policy.route(sidecar("default"), "8080");
  EXPECT_EQ(c.virtual_hosts.back().name, "allow_any");
  EXPECT_EQ(cluster_of(c.virtual_hosts.back().routes[0]), "outbound|3128|s|egress.example.com");
}

TEST(SidecarRoutes, SidecarScopedVisibility) {
  const std::string world = std::string(kEcho) + R"(---
apiVersion: v1
kind: Service
metadata: {name: other, namespace: other}
spec:
  clusterIP: 10.9.9.9
  ports: [{name: http, port: 8080}]
---
apiVersion: v1
kind: Service
metadata:
  name: hidden
  namespace: private
  annotations: {networking.istio.io/exportTo: "."}
spec:
  clusterIP: 10.8.8.8
  ports: [{name: http, port: 8080}]
---
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: narrow, namespace: default}
spec:
  workloadSelector: {labels: {app: narrow}}
  egress: [{hosts: ["./*"]}]
)";
  const World w(world);
  // The default scope sees every exported service, not the private one.
  EXPECT_EQ(vhost_names(w.route(sidecar("default"), "8080")),
            (Strings{"echo.default.svc.cluster.local:8080", "other.other.svc.cluster.local:8080",
                     "allow_any"}));
  // The private one is visible in its own namespace.
  EXPECT_EQ(vhost_names(w.route(sidecar("private"), "8080")),
            (Strings{"echo.default.svc.cluster.local:8080",
                     "hidden.private.svc.cluster.local:8080", "other.other.svc.cluster.local:8080",
                     "allow_any"}));
  // The Sidecar imports only its own namespace.
  EXPECT_EQ(vhost_names(w.route(sidecar("default", {{"app", "narrow"}}), "8080")),
            (Strings{"echo.default.svc.cluster.local:8080", "allow_any"}));
}

TEST(SidecarRoutes, EgressListenerPerPort) {
  const std::string world = std::string(kEcho) + R"(---
apiVersion: v1
kind: Service
metadata: {name: gw, namespace: istio-system}
spec:
  clusterIP: 10.7.7.7
  ports: [{name: http, port: 9090}]
---
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: default, namespace: default}
spec:
  egress:
  - port: {number: 9090, protocol: HTTP, name: http}
    hosts: ["./*"]
  - hosts: ["istio-system/*"]
)";
  const World w(world);
  // Port 9090 is the first listener's: only this namespace's services.
  EXPECT_EQ(vhost_names(w.route(sidecar("default"), "9090")),
            (Strings{"echo.default.svc.cluster.local:9090", "allow_any"}));
  // Other ports fall to the catch-all listener, which imports istio-system only.
  EXPECT_EQ(vhost_names(w.route(sidecar("default"), "8080")), Strings{"allow_any"});
}

TEST(SidecarRoutes, SniffedAndUnknownRouteNames) {
  const World w(R"(
apiVersion: v1
kind: Service
metadata: {name: web, namespace: apps}
spec:
  clusterIP: 10.1.1.1
  ports: [{name: web, port: 8000}]
---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: apps}
spec:
  clusterIP: 10.1.1.2
  ports: [{name: api, port: 8000}]
)");
  // An auto-detected port on a VIP listener asks for `<fqdn>:<port>`: only that service's
  // vhost, matching any authority, and no catch-all.
  const RouteConfiguration sniffed = w.route(sidecar("apps"), "web.apps.svc.cluster.local:8000");
  ASSERT_EQ(sniffed.virtual_hosts.size(), 1U);
  EXPECT_EQ(sniffed.virtual_hosts[0].name, "web.apps.svc.cluster.local:8000");
  EXPECT_EQ(sniffed.virtual_hosts[0].domains, Strings{"*"});

  // Both services share route `8000`.
  EXPECT_EQ(vhost_names(w.route(sidecar("apps"), "8000")),
            (Strings{"api.apps.svc.cluster.local:8000", "web.apps.svc.cluster.local:8000",
                     "allow_any"}));

  const RouteConfiguration unknown = w.route(sidecar("apps"), "not-a-port");
  EXPECT_EQ(unknown.name, "not-a-port");
  EXPECT_TRUE(unknown.virtual_hosts.empty());
  EXPECT_FALSE(unknown.validate_clusters);
  EXPECT_FALSE(unknown.max_direct_response_body_size_bytes);
}

TEST(SidecarRoutes, HeadlessServiceDomains) {
  const World w(R"(
apiVersion: v1
kind: Service
metadata: {name: db, namespace: data}
spec:
  clusterIP: None
  ports: [{name: http, port: 7000}]
)");
  const RouteConfiguration rc = w.route(sidecar("data"), "7000");
  const VirtualHost* vh = vhost(rc, "db.data.svc.cluster.local:7000");
  ASSERT_NE(vh, nullptr);
  EXPECT_EQ(vh->domains,
            (Strings{"db.data.svc.cluster.local", "db.data.svc.cluster.local.", "db",
                     "db.data.svc", "db.data", "*.db.data.svc.cluster.local",
                     "*.db.data.svc.cluster.local.", "*.db", "*.db.data.svc", "*.db.data"}));
}

TEST(SidecarRoutes, VirtualServiceHostsOutsideTheRegistry) {
  const World w(std::string(R"(
apiVersion: v1
kind: Service
metadata: {name: web, namespace: apps}
spec:
  clusterIP: 10.1.1.1
  ports: [{name: http, port: 80}]
)") + istio_object("VirtualService", "google", "apps") +
                "spec:\n  hosts: [www.google.com]\n  http:\n"
                "  - route: [{destination: {host: www.google.com}}]\n");
  // Port 80 carries VirtualService hosts that are no service.
  const RouteConfiguration rc = w.route(sidecar("apps"), "80");
  EXPECT_EQ(vhost_names(rc),
            (Strings{"web.apps.svc.cluster.local:80", "www.google.com:80", "allow_any"}));
  const VirtualHost* vh = vhost(rc, "www.google.com:80");
  ASSERT_NE(vh, nullptr);
  EXPECT_EQ(vh->domains, Strings{"www.google.com"});
  EXPECT_EQ(cluster_of(vh->routes[0]), "outbound|80||www.google.com");
  EXPECT_EQ(vh->virtual_services.size(), 1U);
  // At 1.15 the `:port` form is listed too.
  const World old(std::string(R"(
apiVersion: v1
kind: Service
metadata: {name: web, namespace: apps}
spec:
  clusterIP: 10.1.1.1
  ports: [{name: http, port: 80}]
)") + istio_object("VirtualService", "google", "apps") +
                      "spec:\n  hosts: [www.google.com]\n  http:\n"
                      "  - route: [{destination: {host: www.google.com}}]\n",
                  release(15));
  const RouteConfiguration old_rc = old.route(sidecar("apps"), "80");
  const VirtualHost* old_vh = vhost(old_rc, "www.google.com:80");
  ASSERT_NE(old_vh, nullptr);
  EXPECT_EQ(old_vh->domains, (Strings{"www.google.com", "www.google.com:80"}));
}

TEST(SidecarRoutes, VirtualServicePrecedenceAndWildcards) {
  const std::string world = R"(
apiVersion: v1
kind: Service
metadata: {name: reviews, namespace: bookinfo}
spec:
  clusterIP: 10.0.0.9
  ports: [{name: http, port: 9080}]
---
apiVersion: v1
kind: Service
metadata: {name: ratings, namespace: bookinfo}
spec:
  clusterIP: 10.0.0.8
  ports: [{name: http, port: 9080}]
---
apiVersion: v1
kind: Service
metadata: {name: details, namespace: bookinfo}
spec:
  clusterIP: 10.0.0.7
  ports: [{name: http, port: 9080}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: public-reviews, namespace: bookinfo, creationTimestamp: "2024-01-01T00:00:00Z"}
spec:
  hosts: [reviews]
  http: [{route: [{destination: {host: reviews, subset: public}}]}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: own-reviews, namespace: frontend, creationTimestamp: "2024-02-01T00:00:00Z"}
spec:
  hosts: [reviews.bookinfo.svc.cluster.local]
  exportTo: ["."]
  http: [{route: [{destination: {host: reviews.bookinfo.svc.cluster.local, subset: own}}]}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: all-bookinfo, namespace: bookinfo}
spec:
  hosts: ["*.bookinfo.svc.cluster.local"]
  http: [{route: [{destination: {host: details.bookinfo.svc.cluster.local}}]}]
)";
  const World w(world);
  const RouteConfiguration rc = w.route(sidecar("frontend"), "9080");
  EXPECT_EQ(vhost_names(rc),
            (Strings{"details.bookinfo.svc.cluster.local:9080",
                     "ratings.bookinfo.svc.cluster.local:9080",
                     "reviews.bookinfo.svc.cluster.local:9080", "allow_any"}));
  // The proxy's own namespace's VirtualService wins over the older public one.
  const VirtualHost* reviews = vhost(rc, "reviews.bookinfo.svc.cluster.local:9080");
  ASSERT_NE(reviews, nullptr);
  EXPECT_EQ(cluster_of(reviews->routes[0]), "outbound|9080|own|reviews.bookinfo.svc.cluster.local");
  ASSERT_EQ(reviews->virtual_services.size(), 1U);
  EXPECT_EQ(reviews->virtual_services[0].name, "own-reviews");
  // The wildcard VirtualService takes the services without a more specific one.
  for (const char* name : {"details.bookinfo.svc.cluster.local:9080",
                           "ratings.bookinfo.svc.cluster.local:9080"}) {
    const VirtualHost* vh = vhost(rc, name);
    ASSERT_NE(vh, nullptr);
    EXPECT_EQ(cluster_of(vh->routes[0]), "outbound|9080||details.bookinfo.svc.cluster.local");
    ASSERT_EQ(vh->virtual_services.size(), 1U);
    EXPECT_EQ(vh->virtual_services[0].name, "all-bookinfo");
  }
  // From bookinfo the private one is invisible: the public one applies.
  const RouteConfiguration from_bookinfo = w.route(sidecar("bookinfo"), "9080");
  const VirtualHost* public_reviews =
      vhost(from_bookinfo, "reviews.bookinfo.svc.cluster.local:9080");
  ASSERT_NE(public_reviews, nullptr);
  EXPECT_EQ(cluster_of(public_reviews->routes[0]),
            "outbound|9080|public|reviews.bookinfo.svc.cluster.local");
}

TEST(SidecarRoutes, ExpandedNamesYieldToRealHosts) {
  // A ServiceEntry for `reviews.bookinfo` owns that name; the Kubernetes service's expansion
  // to the same name is dropped.
  const World w(R"(
apiVersion: v1
kind: Service
metadata: {name: reviews, namespace: bookinfo}
spec:
  clusterIP: 10.0.0.9
  ports: [{name: http, port: 9080}]
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: legacy, namespace: bookinfo}
spec:
  hosts: [reviews.bookinfo]
  resolution: DNS
  ports: [{number: 9080, name: http, protocol: HTTP}]
)");
  const RouteConfiguration rc = w.route(sidecar("bookinfo"), "9080");
  const VirtualHost* kube = vhost(rc, "reviews.bookinfo.svc.cluster.local:9080");
  const VirtualHost* se = vhost(rc, "reviews.bookinfo:9080");
  ASSERT_NE(kube, nullptr);
  ASSERT_NE(se, nullptr);
  EXPECT_EQ(kube->domains,
            (Strings{"reviews.bookinfo.svc.cluster.local", "reviews.bookinfo.svc.cluster.local.",
                     "reviews", "reviews.bookinfo.svc", "10.0.0.9"}));
  EXPECT_EQ(se->domains, (Strings{"reviews.bookinfo", "reviews.bookinfo."}));
}

}  // namespace
}  // namespace meshward::translate
