// Clusters (reference §5): which clusters a proxy gets, their type, DestinationRule traffic
// policy, upstream TLS and metadata.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "meshward/translate/translate.h"
#include "meshward/world/snapshot.h"
#include "testlib/testlib.h"

namespace meshward::translate {
namespace {

class World {
 public:
  explicit World(const std::string& yaml, Options options = {}) : options_(options) {
    auto decoded = meshward::testing::decode_text(yaml);
    EXPECT_TRUE(decoded.findings.empty()) << meshward::testing::describe(decoded.findings);
    snapshot_ = world::Snapshot::make(std::move(decoded.objects));
    registry_ = std::make_unique<Registry>(*snapshot_, options_);
  }
  std::vector<Cluster> clusters(const Proxy& proxy) const {
    return build_clusters(Scope(*registry_, proxy));
  }
  std::vector<Cluster> clusters_for(const Proxy& proxy,
                                    const std::vector<std::string>& hosts) const {
    return build_clusters_for_hosts(Scope(*registry_, proxy), hosts);
  }

 private:
  Options options_;
  std::shared_ptr<const world::Snapshot> snapshot_;
  std::unique_ptr<Registry> registry_;
};

Proxy sidecar(std::string ns, model::Labels labels = {}) {
  Proxy p;
  p.namespace_ = std::move(ns);
  p.labels = std::move(labels);
  return p;
}

Proxy gateway(std::string ns) {
  Proxy p = sidecar(std::move(ns), {{"istio", "ingressgateway"}});
  p.type = Proxy::Type::Gateway;
  return p;
}

Options version(int minor) {
  Options o;
  o.version = {1, minor};
  return o;
}

std::vector<std::string> names(const std::vector<Cluster>& clusters) {
  std::vector<std::string> out;
  for (const auto& c : clusters) {
    out.push_back(c.name);
  }
  return out;
}

const Cluster& find(const std::vector<Cluster>& clusters, const std::string& name) {
  for (const auto& c : clusters) {
    if (c.name == name) {
      return c;
    }
  }
  ADD_FAILURE() << "no cluster " << name << " in " << ::testing::PrintToString(names(clusters));
  static const Cluster none;
  return none;
}

bool has(const std::vector<Cluster>& clusters, const std::string& name) {
  for (const auto& c : clusters) {
    if (c.name == name) {
      return true;
    }
  }
  return false;
}

using Strings = std::vector<std::string>;

const char* const kHelloworld = R"(
apiVersion: v1
kind: Service
metadata:
  name: helloworld
  namespace: sample
spec:
  clusterIP: 10.96.0.10
  selector:
    app: helloworld
  ports:
  - name: http
    port: 5000
)";

std::string dr(const std::string& name, const std::string& ns, const std::string& host,
               const std::string& body) {
  return "---\napiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata:\n  name: " +
         name + "\n  namespace: " + ns + "\nspec:\n  host: " + host + "\n" + body;
}

// ---- Which clusters -----------------------------------------------------------------------

TEST(Clusters, HelloworldWithoutDestinationRule) {
  // The brief's listing: a Service and no DestinationRule — no DESTINATION RULE column value.
  World w(kHelloworld, version(15));
  const auto clusters = w.clusters(sidecar("sample", {{"app", "helloworld"}}));
  EXPECT_EQ(names(clusters),
            (Strings{"outbound|5000||helloworld.sample.svc.cluster.local", "BlackHoleCluster",
                     "PassthroughCluster", "inbound|5000||", "InboundPassthroughCluster"}));
  const Cluster& out = find(clusters, "outbound|5000||helloworld.sample.svc.cluster.local");
  EXPECT_EQ(out.type, Cluster::Type::Eds);
  EXPECT_FALSE(out.destination_rule);
  EXPECT_TRUE(out.istio_config.empty());
  EXPECT_EQ(out.direction, "outbound");
  EXPECT_EQ(out.port, 5000u);
  EXPECT_EQ(out.fqdn, "helloworld.sample.svc.cluster.local");
  EXPECT_TRUE(out.subset.empty());
  EXPECT_EQ(out.lb_policy, "LEAST_REQUEST");
  EXPECT_EQ(out.connect_timeout, 10'000);
  EXPECT_TRUE(out.alt_stat_name.empty());  // `name;` only from 1.24
  ASSERT_TRUE(out.origin.resource);
  EXPECT_EQ(out.origin.resource->name, "helloworld");
  EXPECT_EQ(out.origin.path, "spec.ports[0]");
  ASSERT_EQ(out.services.size(), 1u);
  EXPECT_EQ(out.services[0].host, "helloworld.sample.svc.cluster.local");
  EXPECT_EQ(out.services[0].name, "helloworld");
  EXPECT_EQ(out.services[0].namespace_, "sample");
  const Cluster& in = find(clusters, "inbound|5000||");
  EXPECT_EQ(in.type, Cluster::Type::OriginalDst);
  EXPECT_EQ(in.lb_policy, "CLUSTER_PROVIDED");
  EXPECT_EQ(in.direction, "inbound");
  EXPECT_FALSE(in.tls);
  // Special clusters.
  const Cluster& bh = find(clusters, "BlackHoleCluster");
  EXPECT_EQ(bh.type, Cluster::Type::Static);
  EXPECT_EQ(bh.lb_policy, "ROUND_ROBIN");
  const Cluster& pt = find(clusters, "PassthroughCluster");
  EXPECT_EQ(pt.type, Cluster::Type::OriginalDst);
  EXPECT_EQ(pt.lb_policy, "CLUSTER_PROVIDED");
  EXPECT_TRUE(pt.direction.empty());
}

TEST(Clusters, GatewayHasNoPassthroughNorInbound) {
  World w(kHelloworld);
  const auto clusters = w.clusters(gateway("istio-system"));
  EXPECT_EQ(names(clusters),
            (Strings{"outbound|5000||helloworld.sample.svc.cluster.local", "BlackHoleCluster"}));
  EXPECT_EQ(find(clusters, "BlackHoleCluster").alt_stat_name, "BlackHoleCluster;");
}

TEST(Clusters, ForHostsBuildsOnlyThoseHosts) {
  World w(std::string(kHelloworld) +
          "---\napiVersion: v1\nkind: Service\nmetadata:\n"
          "  name: other\n  namespace: sample\nspec:\n"
          "  clusterIP: 10.96.0.11\n  ports:\n  - name: http\n"
          "    port: 80\n  - name: udp\n    port: 53\n"
          "    protocol: UDP\n");
  const auto clusters =
      w.clusters_for(sidecar("sample"), {"other.sample.svc.cluster.local", "unknown.example.com"});
  // UDP ports get no cluster.
  EXPECT_EQ(names(clusters), (Strings{"outbound|80||other.sample.svc.cluster.local"}));
}

// ---- Types (§5.2) ---------------------------------------------------------------------------

std::string service_entry(const std::string& name, const std::string& host,
                          const std::string& resolution, const std::string& extra = "") {
  return "---\napiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata:\n  name: " + name +
         "\n  namespace: ext\nspec:\n  hosts: [" + host +
         "]\n  ports:\n  - number: 443\n    name: tls\n    protocol: TLS\n  resolution: " +
         resolution + "\n" + extra;
}

TEST(Clusters, TypeByResolution) {
  World w(
      "apiVersion: v1\nkind: Service\nmetadata:\n  name: headless\n  namespace: app\n"
      "spec:\n  clusterIP: None\n  ports:\n  - name: tcp\n    port: 3306\n" +
      service_entry("none", "none.example.com", "NONE") +
      service_entry("static", "static.example.com", "STATIC",
                    "  endpoints:\n  - address: 1.1.1.1\n") +
      service_entry("dns", "dns.example.com", "DNS") +
      service_entry("dnsrr", "dnsrr.example.com", "DNS_ROUND_ROBIN") +
      service_entry("dns-eps", "api.example.com", "DNS",
                    "  endpoints:\n  - address: a.example.net\n  - address: b.example.net\n"
                    "    ports: {tls: 8443}\n"));
  const auto clusters = w.clusters(sidecar("app"));
  const Cluster& headless = find(clusters, "outbound|3306||headless.app.svc.cluster.local");
  EXPECT_EQ(headless.type, Cluster::Type::OriginalDst);
  EXPECT_EQ(headless.lb_policy, "CLUSTER_PROVIDED");
  const Cluster& none = find(clusters, "outbound|443||none.example.com");
  EXPECT_EQ(none.type, Cluster::Type::OriginalDst);
  EXPECT_TRUE(none.external);  // MESH_EXTERNAL is the default location
  EXPECT_FALSE(none.tls);
  EXPECT_EQ(find(clusters, "outbound|443||static.example.com").type, Cluster::Type::Eds);
  const Cluster& dns = find(clusters, "outbound|443||dns.example.com");
  EXPECT_EQ(dns.type, Cluster::Type::StrictDns);
  EXPECT_EQ(dns.dns_lookup_family, "V4_ONLY");
  ASSERT_TRUE(dns.load_assignment);
  ASSERT_EQ(dns.load_assignment->endpoints.size(), 1u);
  ASSERT_EQ(dns.load_assignment->endpoints[0].lb_endpoints.size(), 1u);
  EXPECT_EQ(dns.load_assignment->endpoints[0].lb_endpoints[0].address.address, "dns.example.com");
  EXPECT_EQ(dns.load_assignment->endpoints[0].lb_endpoints[0].address.port_value, 443u);
  EXPECT_FALSE(dns.load_assignment->endpoints[0].lb_endpoints[0].tls_mode_istio);
  EXPECT_EQ(find(clusters, "outbound|443||dnsrr.example.com").type, Cluster::Type::LogicalDns);
  const Cluster& eps = find(clusters, "outbound|443||api.example.com");
  ASSERT_TRUE(eps.load_assignment);
  EXPECT_EQ(eps.load_assignment->endpoint_count(), 2u);
  EXPECT_EQ(eps.load_assignment->endpoints[0].lb_endpoints[1].address.port_value, 8443u);
  // Gateways send original-destination services through EDS.
  const auto gw = w.clusters(gateway("app"));
  EXPECT_EQ(find(gw, "outbound|3306||headless.app.svc.cluster.local").type, Cluster::Type::Eds);
}

TEST(Clusters, DnsClusterWithoutEndpointsIsNotSent) {
  // A subset whose labels select none of the DNS endpoints has no cluster.
  World w(service_entry("dns", "dns.example.com", "DNS",
                        "  endpoints:\n  - address: a.example.net\n    labels: {v: one}\n") +
          dr("d", "ext", "dns.example.com",
             "  subsets:\n  - name: one\n    labels: {v: one}\n"
             "  - name: two\n    labels: {v: two}\n"));
  const auto clusters = w.clusters(sidecar("app"));
  EXPECT_TRUE(has(clusters, "outbound|443|one|dns.example.com"));
  EXPECT_FALSE(has(clusters, "outbound|443|two|dns.example.com"));
}

TEST(Clusters, ExternalNameIsAnAliasFrom121) {
  const std::string world =
      "apiVersion: v1\nkind: Service\nmetadata:\n  name: ext\n  namespace: app\nspec:\n"
      "  type: ExternalName\n  externalName: example.com\n  ports:\n  - name: http\n"
      "    port: 80\n";
  EXPECT_FALSE(
      has(World(world).clusters(sidecar("app")), "outbound|80||ext.app.svc.cluster.local"));
  const auto old = World(world, version(20)).clusters(sidecar("app"));
  EXPECT_EQ(find(old, "outbound|80||ext.app.svc.cluster.local").type, Cluster::Type::StrictDns);
}

// ---- Subsets and traffic policy (§5.3) ------------------------------------------------------

const char* const kReviews = R"(
apiVersion: v1
kind: Service
metadata:
  name: reviews
  namespace: bookinfo
spec:
  clusterIP: 10.96.0.20
  ports:
  - name: http
    port: 9080
  - name: grpc
    port: 9090
)";

TEST(Clusters, SubsetsAndMetadata) {
  const std::string world =
      std::string(kReviews) + dr("reviews", "bookinfo", "reviews",
                                 "  subsets:\n  - name: v1\n    labels: {version: v1}\n"
                                 "  - name: v2\n    labels: {version: v2}\n");
  const auto clusters = World(world).clusters(sidecar("bookinfo"));
  const std::string host = "reviews.bookinfo.svc.cluster.local";
  for (const char* port : {"9080", "9090"}) {
    EXPECT_TRUE(has(clusters, std::string("outbound|") + port + "||" + host));
    EXPECT_TRUE(has(clusters, std::string("outbound|") + port + "|v1|" + host));
    EXPECT_TRUE(has(clusters, std::string("outbound|") + port + "|v2|" + host));
  }
  const Cluster& v1 = find(clusters, "outbound|9080|v1|" + host);
  EXPECT_EQ(v1.subset, "v1");
  EXPECT_EQ(v1.istio_config,
            "/apis/networking.istio.io/v1/namespaces/bookinfo/destination-rule/reviews");
  ASSERT_TRUE(v1.destination_rule);
  EXPECT_EQ(v1.destination_rule->name, "reviews");
  EXPECT_EQ(v1.type, Cluster::Type::Eds);
  EXPECT_EQ(find(clusters, "outbound|9080||" + host).istio_config, v1.istio_config);
  // The config path names the v1alpha3 API before 1.22.
  const auto old = World(world, version(15)).clusters(sidecar("bookinfo"));
  EXPECT_EQ(find(old, "outbound|9080||" + host).istio_config,
            "/apis/networking.istio.io/v1alpha3/namespaces/bookinfo/destination-rule/reviews");
}

TEST(Clusters, TrafficPolicyPortLevelAndSubsetMerge) {
  const std::string world =
      std::string(kReviews) + dr("reviews", "bookinfo", "reviews", R"(  trafficPolicy:
    loadBalancer:
      simple: RANDOM
    connectionPool:
      tcp:
        maxConnections: 100
        connectTimeout: 3s
      http:
        http1MaxPendingRequests: 10
        http2MaxRequests: 20
        maxRetries: 4
        maxRequestsPerConnection: 5
        idleTimeout: 30s
    outlierDetection:
      consecutive5xxErrors: 7
      interval: 5s
      baseEjectionTime: 30s
      maxEjectionPercent: 50
    portLevelSettings:
    - port:
        number: 9090
      loadBalancer:
        simple: ROUND_ROBIN
  subsets:
  - name: v2
    labels: {version: v2}
    trafficPolicy:
      loadBalancer:
        consistentHash:
          httpHeaderName: x-user
)");
  const auto clusters = World(world).clusters(sidecar("bookinfo"));
  const std::string host = "reviews.bookinfo.svc.cluster.local";
  const Cluster& main = find(clusters, "outbound|9080||" + host);
  EXPECT_EQ(main.lb_policy, "RANDOM");
  EXPECT_EQ(main.max_connections, 100u);
  EXPECT_EQ(main.connect_timeout, 3'000);
  EXPECT_EQ(main.max_pending_requests, 10u);
  EXPECT_EQ(main.max_requests, 20u);
  EXPECT_EQ(main.max_retries, 4u);
  EXPECT_EQ(main.max_requests_per_connection, 5u);
  EXPECT_EQ(main.idle_timeout, 30'000);
  ASSERT_TRUE(main.outlier_detection);
  EXPECT_EQ(main.outlier_detection->consecutive_5xx, 7u);
  EXPECT_EQ(main.outlier_detection->interval, 5'000);
  EXPECT_EQ(main.outlier_detection->base_ejection_time, 30'000);
  EXPECT_EQ(main.outlier_detection->max_ejection_percent, 50u);
  EXPECT_FALSE(main.outlier_detection->consecutive_gateway_failure);
  // Port-level settings replace the policy wholesale: no pool, no outlier detection.
  const Cluster& grpc = find(clusters, "outbound|9090||" + host);
  EXPECT_EQ(grpc.lb_policy, "ROUND_ROBIN");
  EXPECT_EQ(grpc.max_connections, 4294967295u);
  EXPECT_EQ(grpc.connect_timeout, 10'000);
  EXPECT_FALSE(grpc.outlier_detection);
  // A subset policy overrides field by field: its load balancer, the rule's pool.
  const Cluster& v2 = find(clusters, "outbound|9080|v2|" + host);
  EXPECT_EQ(v2.lb_policy, "RING_HASH");
  EXPECT_EQ(v2.max_connections, 100u);
  ASSERT_TRUE(v2.outlier_detection);
  const Cluster& v2_grpc = find(clusters, "outbound|9090|v2|" + host);
  EXPECT_EQ(v2_grpc.lb_policy, "RING_HASH");
  EXPECT_EQ(v2_grpc.max_connections, 4294967295u);
}

TEST(Clusters, DefaultLoadBalancerByVersion) {
  World old(kReviews, version(13));
  EXPECT_EQ(old.clusters(sidecar("x"))[0].lb_policy, "ROUND_ROBIN");
  World now(kReviews, version(14));
  EXPECT_EQ(now.clusters(sidecar("x"))[0].lb_policy, "LEAST_REQUEST");
}

TEST(Clusters, PassthroughLoadBalancer) {
  const std::string world =
      std::string(kReviews) + dr("reviews", "bookinfo", "reviews",
                                 "  trafficPolicy:\n    loadBalancer:\n      simple: PASSTHROUGH\n"
                                 "  subsets:\n  - name: v1\n    labels: {version: v1}\n");
  const auto clusters = World(world).clusters(sidecar("bookinfo"));
  const Cluster& main = find(clusters, "outbound|9080||reviews.bookinfo.svc.cluster.local");
  EXPECT_EQ(main.type, Cluster::Type::OriginalDst);
  EXPECT_EQ(main.lb_policy, "CLUSTER_PROVIDED");
  EXPECT_EQ(find(clusters, "outbound|9080|v1|reviews.bookinfo.svc.cluster.local").type,
            Cluster::Type::OriginalDst);
}

// ---- Protocols and upstream TLS (§5.3, §5.4) ------------------------------------------------

TEST(Clusters, UpstreamProtocol) {
  const std::string world = std::string(kReviews) +
                            "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: plain\n"
                            "  namespace: bookinfo\nspec:\n  clusterIP: 10.96.0.30\n"
                            "  ports:\n  - port: 8000\n";
  const auto clusters = World(world).clusters(sidecar("bookinfo"));
  const Cluster& grpc = find(clusters, "outbound|9090||reviews.bookinfo.svc.cluster.local");
  EXPECT_TRUE(grpc.http2);
  EXPECT_FALSE(grpc.use_downstream_protocol);
  ASSERT_TRUE(grpc.tls);
  EXPECT_EQ(grpc.tls->alpn_protocols, (Strings{"istio-peer-exchange", "istio", "h2"}));
  const Cluster& http = find(clusters, "outbound|9080||reviews.bookinfo.svc.cluster.local");
  EXPECT_FALSE(http.http2);
  // An unnamed port is sniffed: sidecars follow the downstream protocol, gateways do not.
  EXPECT_TRUE(
      find(clusters, "outbound|8000||plain.bookinfo.svc.cluster.local").use_downstream_protocol);
  const auto gw = World(world).clusters(gateway("bookinfo"));
  EXPECT_FALSE(find(gw, "outbound|8000||plain.bookinfo.svc.cluster.local").use_downstream_protocol);
}

TEST(Clusters, AutoMutualTls) {
  const std::string host = "reviews.bookinfo.svc.cluster.local";
  const auto clusters = World(kReviews).clusters(sidecar("bookinfo"));
  const Cluster& c = find(clusters, "outbound|9080||" + host);
  ASSERT_TRUE(c.tls);
  EXPECT_TRUE(c.auto_mtls_match);
  EXPECT_EQ(c.tls->mode, UpstreamTls::Mode::IstioMutual);
  EXPECT_EQ(c.tls->sni, "outbound_.9080_._." + host);
  EXPECT_EQ(c.tls->alpn_protocols, (Strings{"istio-peer-exchange", "istio"}));
  // A namespace-wide PeerAuthentication with DISABLE turns auto mTLS off.
  const auto disabled =
      World(std::string(kReviews) +
            "---\napiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata:\n"
            "  name: default\n  namespace: bookinfo\nspec:\n  mtls:\n    mode: DISABLE\n")
          .clusters(sidecar("bookinfo"));
  EXPECT_FALSE(find(disabled, "outbound|9080||" + host).tls);
  // Headless services: only when every endpoint has a sidecar, and never as a socket match.
  const auto headless =
      World(
          "apiVersion: v1\nkind: Service\nmetadata:\n  name: db\n  namespace: app\nspec:\n"
          "  clusterIP: None\n  ports:\n  - name: tcp\n    port: 5432\n")
          .clusters(sidecar("app"));
  EXPECT_FALSE(find(headless, "outbound|5432||db.app.svc.cluster.local").tls);
}

TEST(Clusters, DestinationRuleTls) {
  const std::string host = "reviews.bookinfo.svc.cluster.local";
  const auto with_tls = [&](const std::string& tls) {
    return World(std::string(kReviews) +
                 dr("reviews", "bookinfo", "reviews",
                    "  trafficPolicy:\n    tls:\n" + tls +
                        "  subsets:\n  - name: v1\n    labels: {version: v1}\n"))
        .clusters(sidecar("bookinfo"));
  };
  {
    const auto clusters = with_tls("      mode: SIMPLE\n      sni: reviews.example.com\n");
    const Cluster& c = find(clusters, "outbound|9080||" + host);
    ASSERT_TRUE(c.tls);
    EXPECT_FALSE(c.auto_mtls_match);
    EXPECT_EQ(c.tls->mode, UpstreamTls::Mode::Simple);
    EXPECT_EQ(c.tls->sni, "reviews.example.com");
    EXPECT_TRUE(c.tls->alpn_protocols.empty());
    EXPECT_EQ(find(clusters, "outbound|9090||" + host).tls->alpn_protocols, (Strings{"h2"}));
  }
  {
    const auto clusters = with_tls("      mode: DISABLE\n");
    EXPECT_FALSE(find(clusters, "outbound|9080||" + host).tls);
  }
  {
    // User ISTIO_MUTUAL: a plain transport socket, SNI per (sub)set.
    const auto clusters = with_tls("      mode: ISTIO_MUTUAL\n");
    const Cluster& c = find(clusters, "outbound|9080|v1|" + host);
    ASSERT_TRUE(c.tls);
    EXPECT_FALSE(c.auto_mtls_match);
    EXPECT_EQ(c.tls->sni, "outbound_.9080_.v1_." + host);
  }
  {
    // A credentialName in a rule without workloadSelector is not given to sidecars.
    const auto clusters = with_tls("      mode: SIMPLE\n      credentialName: reviews-cert\n");
    EXPECT_FALSE(find(clusters, "outbound|9080||" + host).tls);
  }
}

TEST(Clusters, ServiceEntryTlsAndExternalMetadata) {
  const auto clusters =
      World(service_entry("dns", "api.example.com", "DNS") +
            dr("api", "ext", "api.example.com", "  trafficPolicy:\n    tls:\n      mode: SIMPLE\n"))
          .clusters(sidecar("app"));
  const Cluster& c = find(clusters, "outbound|443||api.example.com");
  EXPECT_TRUE(c.external);
  ASSERT_TRUE(c.tls);
  EXPECT_EQ(c.tls->mode, UpstreamTls::Mode::Simple);
  EXPECT_EQ(c.istio_config, "/apis/networking.istio.io/v1/namespaces/ext/destination-rule/api");
}

TEST(Clusters, SidecarIngressDefaultEndpoint) {
  const auto clusters =
      World(std::string(kHelloworld) +
            "---\napiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata:\n  name: s\n"
            "  namespace: sample\nspec:\n  ingress:\n  - port:\n      number: 5000\n"
            "      protocol: HTTP\n      name: http\n    defaultEndpoint: 127.0.0.1:8080\n")
          .clusters(sidecar("sample", {{"app", "helloworld"}}));
  const Cluster& in = find(clusters, "inbound|5000||");
  EXPECT_EQ(in.type, Cluster::Type::Static);
  ASSERT_TRUE(in.load_assignment);
  EXPECT_EQ(in.load_assignment->endpoints.at(0).lb_endpoints.at(0).address.address, "127.0.0.1");
  EXPECT_EQ(in.load_assignment->endpoints.at(0).lb_endpoints.at(0).address.port_value, 8080u);
  ASSERT_EQ(in.services.size(), 1u);
  EXPECT_EQ(in.services[0].name, "helloworld");
}

}  // namespace
}  // namespace meshward::translate
