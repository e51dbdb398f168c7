// build_endpoints (EDS, reference §6).

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "meshward/translate/proxy.h"
#include "meshward/translate/registry.h"
#include "meshward/translate/translate.h"
#include "meshward/world/snapshot.h"
#include "testlib/testlib.h"

namespace meshward::translate {
namespace {

using Strings = std::vector<std::string>;

// One world and a sidecar proxy in `client` looking at it through a Scope.
class Eds {
 public:
  explicit Eds(std::string_view yaml, int minor = kDefaultIstioVersion.minor,
               std::string client = "client") {
    auto result = testing::decode_text(yaml);
    EXPECT_TRUE(result.findings.empty()) << testing::describe(result.findings);
    world_ = world::Snapshot::make(std::move(result.objects));
    options_.version = IstioVersion{1, minor};
    registry_ = std::make_unique<Registry>(*world_, options_);
    proxy_.namespace_ = std::move(client);
    proxy_.labels = {{"app", "client"}};
    scope_ = std::make_unique<Scope>(*registry_, proxy_);
  }
  ClusterLoadAssignment operator()(std::string_view cluster) const {
    return build_endpoints(*scope_, cluster);
  }

 private:
  std::shared_ptr<const world::Snapshot> world_;
  Options options_;
  std::unique_ptr<Registry> registry_;
  Proxy proxy_;
  std::unique_ptr<Scope> scope_;
};

// "<locality>|<weight>: address:port h<health> w<weight> [istio] <workload>" per endpoint.
Strings describe(const ClusterLoadAssignment& cla) {
  Strings out;
  for (const auto& group : cla.endpoints) {
    const std::string locality = group.locality.region + "/" + group.locality.zone + "/" +
                                 group.locality.sub_zone + "|" +
                                 std::to_string(group.load_balancing_weight);
    for (const auto& ep : group.lb_endpoints) {
      out.push_back(locality + ": " + ep.address.address + ":" +
                    std::to_string(ep.address.port_value) + " h" +
                    std::to_string(ep.health_status) + " w" +
                    std::to_string(ep.load_balancing_weight) +
                    (ep.tls_mode_istio ? " istio " : " - ") + ep.istio_workload);
    }
  }
  return out;
}

constexpr std::string_view kBrief = R"(
apiVersion: v1
kind: Service
metadata: {name: bar-service, namespace: bar-namespace}
spec:
  clusterIP: 172.21.0.10
  selector: {app: bar}
  ports: [{name: http-bar, port: 50002, targetPort: 80}]
---
apiVersion: networking.istio.io/v1alpha3
kind: DestinationRule
metadata: {name: bar, namespace: bar-namespace}
spec:
  host: bar-service
  subsets:
  - {name: v1, labels: {version: v1}}
  - {name: v2, labels: {version: v2}}
---
apiVersion: v1
kind: Pod
metadata:
  name: bar-v1-5d9c8b7f6d-x2k4p
  namespace: bar-namespace
  labels: {app: bar, version: v1, pod-template-hash: 5d9c8b7f6d, security.istio.io/tlsMode: istio}
---
apiVersion: v1
kind: Pod
metadata:
  name: bar-v1-5d9c8b7f6d-b7wqz
  namespace: bar-namespace
  labels: {app: bar, version: v1, pod-template-hash: 5d9c8b7f6d, security.istio.io/tlsMode: istio}
---
apiVersion: v1
kind: Pod
metadata:
  name: bar-v1-5d9c8b7f6d-kq9zt
  namespace: bar-namespace
  labels: {app: bar, version: v1, pod-template-hash: 5d9c8b7f6d, security.istio.io/tlsMode: istio}
---
apiVersion: v1
kind: Pod
metadata:
  name: bar-v2-6f7d9c5b4-zzzzz
  namespace: bar-namespace
  labels: {app: bar, version: v2, pod-template-hash: 6f7d9c5b4, security.istio.io/tlsMode: istio}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: bar-service-abcde
  namespace: bar-namespace
  labels: {kubernetes.io/service-name: bar-service}
addressType: IPv4
ports: [{name: http-bar, port: 80}]
endpoints:
- addresses: [11.0.0.1]
  zone: us-east-1a
  targetRef: {kind: Pod, name: bar-v1-5d9c8b7f6d-x2k4p, namespace: bar-namespace}
- addresses: [11.0.0.2]
  zone: us-east-1a
  targetRef: {kind: Pod, name: bar-v1-5d9c8b7f6d-b7wqz, namespace: bar-namespace}
- addresses: [11.0.0.3]
  zone: us-east-1b
  targetRef: {kind: Pod, name: bar-v1-5d9c8b7f6d-kq9zt, namespace: bar-namespace}
- addresses: [11.0.0.4]
  zone: us-east-1b
  targetRef: {kind: Pod, name: bar-v2-6f7d9c5b4-zzzzz, namespace: bar-namespace}
)";

constexpr std::string_view kV1Cluster =
    "outbound|50002|v1|bar-service.bar-namespace.svc.cluster.local";

TEST(Endpoints, BriefExampleSubsetV1) {
  for (const int minor : {15, 30}) {
    const Eds eds(kBrief, minor);
    const ClusterLoadAssignment cla = eds(kV1Cluster);
    EXPECT_EQ(cla.cluster_name, kV1Cluster);
    EXPECT_EQ(describe(cla),
              (Strings{"/us-east-1a/|2: 11.0.0.1:80 h1 w1 istio bar-v1;bar-namespace;bar;v1;Kubernetes",
                       "/us-east-1a/|2: 11.0.0.2:80 h1 w1 istio bar-v1;bar-namespace;bar;v1;Kubernetes",
                       "/us-east-1b/|1: 11.0.0.3:80 h1 w1 istio bar-v1;bar-namespace;bar;v1;Kubernetes"}))
        << "1." << minor;
    ASSERT_EQ(cla.endpoints.size(), 2U);
    EXPECT_TRUE(cla.endpoints[0].locality.region.empty());
    EXPECT_EQ(cla.endpoints[0].locality.zone, "us-east-1a");
    EXPECT_FALSE(cla.endpoints[0].priority.has_value());
    const Origin& origin = cla.endpoints[1].lb_endpoints[0].origin;
    ASSERT_TRUE(origin.resource.has_value());
    EXPECT_EQ(origin.resource->kind, model::Kind::EndpointSlice);
    EXPECT_EQ(origin.resource->namespace_, "bar-namespace");
    EXPECT_EQ(origin.resource->name, "bar-service-abcde");
    EXPECT_EQ(origin.path, "endpoints[2]");
  }
}

TEST(Endpoints, DefaultSubsetAndUndefinedSubsetTakeEveryEndpoint) {
  const Eds eds(kBrief);
  EXPECT_EQ(eds("outbound|50002||bar-service.bar-namespace.svc.cluster.local").endpoint_count(), 4U);
  EXPECT_EQ(eds("outbound|50002|v2|bar-service.bar-namespace.svc.cluster.local").endpoint_count(),
            1U);
  // A subset no DestinationRule defines filters nothing.
  EXPECT_EQ(eds("outbound|50002|v9|bar-service.bar-namespace.svc.cluster.local").endpoint_count(),
            4U);
}

TEST(Endpoints, UnknownClustersAreEmpty) {
  const Eds eds(kBrief);
  for (const std::string_view name :
       {"outbound|50003|v1|bar-service.bar-namespace.svc.cluster.local",
        "outbound|50002|v1|nope.bar-namespace.svc.cluster.local", "inbound|80||",
        "BlackHoleCluster", "outbound|x|v1|bar-service.bar-namespace.svc.cluster.local",
        "outbound|50002|v1|"}) {
    const ClusterLoadAssignment cla = eds(name);
    EXPECT_EQ(cla.cluster_name, name);
    EXPECT_TRUE(cla.endpoints.empty()) << name;
  }
}

constexpr std::string_view kHealth = R"(
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
- {addresses: [10.0.0.1], conditions: {ready: true}}
- {addresses: [10.0.0.2], conditions: {ready: false, terminating: false}}
- {addresses: [10.0.0.3], conditions: {ready: false, terminating: true}}
)";

TEST(Endpoints, UnhealthySentFrom131TerminatingNever) {
  const std::string cluster = "outbound|80||web.ns.svc.cluster.local";
  EXPECT_EQ(describe(Eds(kHealth, 30)(cluster)),
            (Strings{"//|1: 10.0.0.1:8080 h1 w1 - ;;;;Kubernetes"}));
  EXPECT_EQ(describe(Eds(kHealth, 31)(cluster)),
            (Strings{"//|2: 10.0.0.1:8080 h1 w1 - ;;;;Kubernetes",
                     "//|2: 10.0.0.2:8080 h2 w1 - ;;;;Kubernetes"}));
}

TEST(Endpoints, LegacyEndpointsObject) {
  const Eds eds(R"(
apiVersion: v1
kind: Service
metadata: {name: web, namespace: ns}
spec: {clusterIP: 10.0.0.9, ports: [{name: http, port: 80}]}
---
apiVersion: v1
kind: Endpoints
metadata: {name: web, namespace: ns}
subsets:
- addresses: [{ip: 10.1.0.1}]
  notReadyAddresses: [{ip: 10.1.0.2}]
  ports: [{name: http, port: 8080}]
)");
  const ClusterLoadAssignment cla = eds("outbound|80||web.ns.svc.cluster.local");
  EXPECT_EQ(describe(cla), (Strings{"//|1: 10.1.0.1:8080 h1 w1 - ;;;;Kubernetes"}));
  EXPECT_EQ(cla.endpoints[0].lb_endpoints[0].origin.resource->kind, model::Kind::Endpoints);
  EXPECT_EQ(cla.endpoints[0].lb_endpoints[0].origin.path, "subsets[0].addresses[0]");
}

TEST(Endpoints, ServiceEntries) {
  const Eds eds(R"(
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: vms, namespace: client}
spec:
  hosts: [vms.internal]
  location: MESH_INTERNAL
  resolution: STATIC
  ports: [{number: 80, name: http, protocol: HTTP, targetPort: 8080}]
  endpoints:
  - {address: 10.0.0.2, locality: eu/west, weight: 5, serviceAccount: vm, labels: {app: vm}}
  - {address: 10.0.0.1, locality: eu/west}
  - {address: vm.example.com}
  - {address: "unix:///sock"}
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: dns, namespace: client}
spec:
  hosts: [api.example.com]
  resolution: DNS
  ports: [{number: 443, name: https, protocol: HTTPS}]
)");
  // Hostname endpoints are not EDS material; unix sockets (port 0) are.
  EXPECT_EQ(describe(eds("outbound|80||vms.internal")),
            (Strings{"//|1: unix:///sock:0 h0 w1 - ;;;;Kubernetes",
                     "eu/west/|6: 10.0.0.1:8080 h0 w1 - ;;;;Kubernetes",
                     "eu/west/|6: 10.0.0.2:8080 h0 w5 istio ;;vm;;Kubernetes"}));
  // DNS services are never served by EDS.
  EXPECT_TRUE(eds("outbound|443||api.example.com").endpoints.empty());
}

TEST(Endpoints, HeadlessAndAliasServicesHaveNoEds) {
  const Eds eds(R"(
apiVersion: v1
kind: Service
metadata: {name: db, namespace: ns}
spec: {clusterIP: None, ports: [{name: tcp, port: 5432}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: db-a, namespace: ns, labels: {kubernetes.io/service-name: db}}
addressType: IPv4
ports: [{name: tcp, port: 5432}]
endpoints: [{addresses: [10.0.0.1]}]
)");
  EXPECT_TRUE(eds("outbound|5432||db.ns.svc.cluster.local").endpoints.empty());
}

// ---- mtlsChecker ----------------------------------------------------------------------------

constexpr std::string_view kMtlsBase = R"(
apiVersion: v1
kind: Service
metadata: {name: web, namespace: ns}
spec: {clusterIP: 10.0.0.9, selector: {app: web}, ports: [{name: http, port: 80}]}
---
apiVersion: v1
kind: Pod
metadata: {name: web-1, namespace: ns, labels: {app: web, version: v1, security.istio.io/tlsMode: istio}}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: web-a, namespace: ns, labels: {kubernetes.io/service-name: web}}
addressType: IPv4
ports: [{name: http, port: 8080}]
endpoints: [{addresses: [10.0.0.1], targetRef: {kind: Pod, name: web-1, namespace: ns}}]
)";

bool tls_mode_istio(std::string_view extra, std::string_view cluster = "outbound|80||web.ns.svc.cluster.local") {
  const Eds eds(std::string(kMtlsBase) + std::string(extra));
  const ClusterLoadAssignment cla = eds(cluster);
  EXPECT_EQ(cla.endpoint_count(), 1U) << extra;
  return cla.endpoint_count() == 1 && cla.endpoints[0].lb_endpoints[0].tls_mode_istio;
}

TEST(Endpoints, TlsModeMetadataFollowsDestinationRule) {
  EXPECT_TRUE(tls_mode_istio(""));
  EXPECT_FALSE(tls_mode_istio(R"(
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: web, namespace: ns}
spec: {host: web.ns.svc.cluster.local, trafficPolicy: {tls: {mode: SIMPLE}}}
)"));
  EXPECT_TRUE(tls_mode_istio(R"(
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: web, namespace: ns}
spec: {host: web.ns.svc.cluster.local, trafficPolicy: {tls: {mode: ISTIO_MUTUAL}}}
)"));
  // Port-level setting for the service port wins over the top level.
  EXPECT_FALSE(tls_mode_istio(R"(
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: web, namespace: ns}
spec:
  host: web.ns.svc.cluster.local
  trafficPolicy:
    tls: {mode: ISTIO_MUTUAL}
    portLevelSettings: [{port: {number: 80}, tls: {mode: DISABLE}}]
)"));
  // The subset's policy wins over the rule's.
  constexpr std::string_view kSubsetRule = R"(
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: web, namespace: ns}
spec:
  host: web.ns.svc.cluster.local
  trafficPolicy: {tls: {mode: DISABLE}}
  subsets: [{name: v1, labels: {version: v1}, trafficPolicy: {tls: {mode: ISTIO_MUTUAL}}}]
)";
  EXPECT_TRUE(tls_mode_istio(kSubsetRule, "outbound|80|v1|web.ns.svc.cluster.local"));
  EXPECT_FALSE(tls_mode_istio(kSubsetRule, "outbound|80||web.ns.svc.cluster.local"));
}

TEST(Endpoints, TlsModeMetadataFollowsPeerAuthentication) {
  EXPECT_FALSE(tls_mode_istio(R"(
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: ns}
spec: {mtls: {mode: DISABLE}}
)"));
  // Mesh-wide DISABLE overridden by the namespace.
  EXPECT_TRUE(tls_mode_istio(R"(
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: istio-system}
spec: {mtls: {mode: DISABLE}}
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: ns}
spec: {mtls: {mode: STRICT}}
)"));
  // A workload policy's port-level DISABLE on the endpoint (container) port.
  EXPECT_FALSE(tls_mode_istio(R"(
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: web, namespace: ns}
spec:
  selector: {matchLabels: {app: web}}
  mtls: {mode: STRICT}
  portLevelMtls: {"8080": {mode: DISABLE}}
)"));
  // UNSET inherits the mesh's DISABLE.
  EXPECT_FALSE(tls_mode_istio(R"(
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: istio-system}
spec: {mtls: {mode: DISABLE}}
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: web, namespace: ns}
spec: {selector: {matchLabels: {app: web}}, mtls: {mode: UNSET}}
)"));
  // A DestinationRule TLS mode takes precedence over PeerAuthentication.
  EXPECT_TRUE(tls_mode_istio(R"(
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: ns}
spec: {mtls: {mode: DISABLE}}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: web, namespace: ns}
spec: {host: web.ns.svc.cluster.local, trafficPolicy: {tls: {mode: ISTIO_MUTUAL}}}
)"));
}

}  // namespace
}  // namespace meshward::translate
