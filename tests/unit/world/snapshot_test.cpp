#include "meshward/world/snapshot.h"

#include <gtest/gtest.h>

#include "meshward/model/kinds/service.h"
#include "meshward/model/kinds/virtual_service.h"
#include "world_testing.h"

namespace meshward::world {
namespace {

using model::Kind;
using testing::decode_all;
using testing::names;
using testing::Names;

// A small mesh: bookinfo services and routes, an ingress gateway in istio-system, external
// hosts, and objects whose hosts and selectors overlap in every interesting way.
constexpr const char* kWorld = R"(
apiVersion: v1
kind: Service
metadata: {name: reviews, namespace: bookinfo, creationTimestamp: "2024-01-01T00:00:00Z"}
spec:
  ports: [{port: 9080}]
  selector: {app: reviews}
---
apiVersion: v1
kind: Service
metadata: {name: ratings, namespace: bookinfo, creationTimestamp: "2024-01-01T00:00:00Z"}
spec:
  ports: [{port: 9080}]
  selector: {app: ratings}
---
apiVersion: v1
kind: Service
metadata: {name: reviews, namespace: default}
spec:
  ports: [{port: 80}]
---
apiVersion: v1
kind: Service
metadata: {name: ingressgateway, namespace: istio-system}
spec:
  ports: [{port: 80}]
  selector: {istio: ingressgateway}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews-route, namespace: bookinfo, creationTimestamp: "2024-02-01T00:00:00Z"}
spec:
  hosts: [reviews]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews-default, namespace: default, creationTimestamp: "2024-02-01T00:00:00Z"}
spec:
  hosts: [reviews]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: wildcard-example, namespace: web}
spec:
  hosts: ["*.example.com"]
  gateways: [istio-system/ingress]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: api-example, namespace: web}
spec:
  hosts: [api.example.com, "api.example.com"]
  gateways: [./gw, mesh]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: catch-all, namespace: web}
spec:
  hosts: ["*"]
  gateways: [gw]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: legacy, namespace: bookinfo}
spec:
  hosts: [bookinfo.example.com]
  gateways: [ingress.istio-system.svc.cluster.local]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: ns-wildcard, namespace: bookinfo}
spec:
  hosts: ["*.bookinfo.svc.cluster.local"]
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews, namespace: bookinfo}
spec:
  host: reviews
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews-from-default, namespace: default}
spec:
  host: reviews.bookinfo.svc.cluster.local
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: all-bookinfo, namespace: istio-system}
spec:
  host: "*.bookinfo.svc.cluster.local"
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: wikipedia, namespace: web}
spec:
  hosts: ["*.wikipedia.org"]
  ports: [{number: 443, name: https, protocol: TLS}]
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: short, namespace: web}
spec:
  hosts: [reviews]
  ports: [{number: 80, name: http, protocol: HTTP}]
)";

class SnapshotTest : public ::testing::Test {
 protected:
  std::shared_ptr<const Snapshot> snap_ = Snapshot::make(decode_all(kWorld));
};

TEST_F(SnapshotTest, FindByKey) {
  ASSERT_NE(snap_->find(Kind::Service, "bookinfo", "reviews"), nullptr);
  EXPECT_EQ(snap_->find(Kind::Service, "bookinfo", "reviews")->meta.namespace_, "bookinfo");
  EXPECT_EQ(snap_->find(Kind::Service, "bookinfo", "nope"), nullptr);
  EXPECT_EQ(snap_->find(Kind::VirtualService, "bookinfo", "reviews"), nullptr);
  EXPECT_NE(snap_->find(model::ObjectKey{Kind::DestinationRule, "default", "reviews-from-default"}),
            nullptr);
  const auto* svc = snap_->find_as<model::Service>("istio-system", "ingressgateway");
  ASSERT_NE(svc, nullptr);
  EXPECT_EQ(svc->spec.selector.at("istio").value, "ingressgateway");
  EXPECT_EQ(snap_->find_as<model::VirtualService>("istio-system", "ingressgateway"), nullptr);
  EXPECT_EQ(snap_->size(), 16u);
}

TEST_F(SnapshotTest, ListingsAreInStableOrder) {
  // Without timestamps (zero time) first, in file order; then by creation time, ties in file
  // order (Object::sequence).
  EXPECT_EQ(names(snap_->of_kind(Kind::Service)),
            (Names{"default/reviews", "istio-system/ingressgateway", "bookinfo/reviews",
                   "bookinfo/ratings"}));
  EXPECT_EQ(names(snap_->in_namespace(Kind::VirtualService, "bookinfo")),
            (Names{"bookinfo/legacy", "bookinfo/ns-wildcard", "bookinfo/reviews-route"}));
  EXPECT_TRUE(snap_->in_namespace(Kind::VirtualService, "nowhere").empty());
  EXPECT_TRUE(snap_->of_kind(Kind::Sidecar).empty());
  EXPECT_EQ(snap_->objects().size(), snap_->size());
  for (std::size_t i = 1; i < snap_->objects().size(); ++i) {
    EXPECT_TRUE(stable_less(*snap_->objects()[i - 1], *snap_->objects()[i]));
  }
}

TEST_F(SnapshotTest, HostIndexResolvesShortNamesInTheObjectsNamespace) {
  // "reviews" in bookinfo and in default are different hosts.
  EXPECT_EQ(names(snap_->by_host(Kind::VirtualService, "reviews.bookinfo.svc.cluster.local")),
            (Names{"web/catch-all", "bookinfo/ns-wildcard", "bookinfo/reviews-route"}));
  EXPECT_EQ(names(snap_->by_host(Kind::VirtualService, "reviews.default.svc.cluster.local")),
            (Names{"web/catch-all", "default/reviews-default"}));
  // DestinationRules: short name in its own namespace, FQDN from another, namespace wildcard.
  EXPECT_EQ(
      names(snap_->by_host(Kind::DestinationRule, "reviews.bookinfo.svc.cluster.local")),
      (Names{"bookinfo/reviews", "default/reviews-from-default", "istio-system/all-bookinfo"}));
  EXPECT_TRUE(snap_->by_host(Kind::DestinationRule, "reviews.default.svc.cluster.local").empty());
  // ServiceEntry hosts are not resolved (pilot keeps them as written).
  EXPECT_EQ(names(snap_->by_host(Kind::ServiceEntry, "reviews")), (Names{"web/short"}));
  EXPECT_TRUE(snap_->by_host(Kind::ServiceEntry, "reviews.web.svc.cluster.local").empty());
  // Services are found by FQDN only.
  EXPECT_EQ(names(snap_->by_host(Kind::Service, "reviews.default.svc.cluster.local")),
            (Names{"default/reviews"}));
  EXPECT_TRUE(snap_->by_host(Kind::Service, "reviews").empty());
}

TEST_F(SnapshotTest, HostIndexStoredWildcardAgainstExactQuery) {
  EXPECT_EQ(names(snap_->by_host(Kind::VirtualService, "b.example.com")),
            (Names{"web/wildcard-example", "web/catch-all"}));
  // `*.example.com` does not cover example.com itself; only `*` does.
  EXPECT_EQ(names(snap_->by_host(Kind::VirtualService, "example.com")), (Names{"web/catch-all"}));
  EXPECT_EQ(names(snap_->by_host(Kind::ServiceEntry, "en.wikipedia.org")),
            (Names{"web/wikipedia"}));
  EXPECT_TRUE(snap_->by_host(Kind::ServiceEntry, "wikipedia.org").empty());
  EXPECT_EQ(names(snap_->by_host(Kind::DestinationRule, "details.bookinfo.svc.cluster.local")),
            (Names{"istio-system/all-bookinfo"}));
}

TEST_F(SnapshotTest, HostIndexWildcardQueryAgainstStoredHosts) {
  // Exact stored hosts under the query's suffix, and wildcards overlapping it either way.
  EXPECT_EQ(names(snap_->by_host(Kind::VirtualService, "*.example.com")),
            (Names{"web/wildcard-example", "web/api-example", "web/catch-all", "bookinfo/legacy"}));
  EXPECT_EQ(names(snap_->by_host(Kind::VirtualService, "*.api.example.com")),
            (Names{"web/wildcard-example", "web/catch-all"}));
  EXPECT_EQ(names(snap_->by_host(Kind::Service, "*.bookinfo.svc.cluster.local")),
            (Names{"bookinfo/reviews", "bookinfo/ratings"}));
  EXPECT_EQ(names(snap_->by_host(Kind::Service, "*.svc.cluster.local")),
            (Names{"default/reviews", "istio-system/ingressgateway", "bookinfo/reviews",
                   "bookinfo/ratings"}));
  EXPECT_EQ(
      names(snap_->by_host(Kind::DestinationRule, "*.svc.cluster.local")),
      (Names{"bookinfo/reviews", "default/reviews-from-default", "istio-system/all-bookinfo"}));
  EXPECT_EQ(names(snap_->by_host(Kind::ServiceEntry, "*")), (Names{"web/wikipedia", "web/short"}));
  EXPECT_TRUE(snap_->by_host(Kind::ServiceEntry, "*.org.uk").empty());
}

TEST(SnapshotEndpointSlices, IndexedUnderTheirServiceHost) {
  const auto snap = Snapshot::make(decode_all(R"(
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: reviews-a, namespace: bookinfo, labels: {kubernetes.io/service-name: reviews}}
addressType: IPv4
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: reviews-b, namespace: bookinfo, labels: {kubernetes.io/service-name: reviews}}
addressType: IPv4
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: reviews-c, namespace: other, labels: {kubernetes.io/service-name: reviews}}
addressType: IPv4
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: unlabelled, namespace: bookinfo}
addressType: IPv4
)"));
  EXPECT_EQ(names(snap->by_host(Kind::EndpointSlice, "reviews.bookinfo.svc.cluster.local")),
            (Names{"bookinfo/reviews-a", "bookinfo/reviews-b"}));
  EXPECT_EQ(names(snap->by_host(Kind::EndpointSlice, "reviews.other.svc.cluster.local")),
            (Names{"other/reviews-c"}));
  EXPECT_TRUE(snap->by_host(Kind::EndpointSlice, "unlabelled.bookinfo.svc.cluster.local").empty());
  EXPECT_EQ(endpoint_slice_service(*snap->find(Kind::EndpointSlice, "bookinfo", "reviews-a")),
            "reviews");
  EXPECT_TRUE(is_host_indexed_kind(Kind::EndpointSlice));
}

TEST_F(SnapshotTest, HostIndexOnlyForHostKinds) {
  EXPECT_TRUE(snap_->by_host(Kind::Gateway, "*").empty());
  EXPECT_TRUE(snap_->by_host(Kind::Pod, "*").empty());
}

TEST_F(SnapshotTest, GatewayBindings) {
  EXPECT_EQ(names(snap_->binding_gateway("mesh")),
            (Names{"web/api-example", "bookinfo/ns-wildcard", "bookinfo/reviews-route",
                   "default/reviews-default"}));
  EXPECT_EQ(names(snap_->binding_gateway("web/gw")), (Names{"web/api-example", "web/catch-all"}));
  EXPECT_EQ(names(snap_->binding_gateway("istio-system/ingress")),
            (Names{"web/wildcard-example", "bookinfo/legacy"}));
  EXPECT_TRUE(snap_->binding_gateway("bookinfo/gw").empty());
  EXPECT_TRUE(snap_->binding_gateway("gw").empty());
}

TEST(SnapshotDuplicates, LaterDefinitionWins) {
  auto objects = decode_all(R"(
apiVersion: v1
kind: Service
metadata: {name: a, namespace: ns}
spec: {ports: [{port: 1}], selector: {app: first}}
---
apiVersion: v1
kind: Service
metadata: {name: a, namespace: ns}
spec: {ports: [{port: 2}], selector: {app: second}}
)");
  const auto* second = objects[1].get();
  Snapshot snap(objects);
  EXPECT_EQ(snap.size(), 1u);
  EXPECT_EQ(snap.find(Kind::Service, "ns", "a"), second);
  ASSERT_EQ(snap.shadowed().size(), 1u);
  EXPECT_EQ(snap.shadowed()[0].get(), objects[0].get());
  EXPECT_TRUE(snap.selecting(Kind::Service, "ns", {{"app", "first"}}).empty());
  EXPECT_EQ(snap.selecting(Kind::Service, "ns", {{"app", "second"}}).size(), 1u);
}

TEST(SnapshotDuplicates, SharesObjectsWithoutCopying) {
  auto objects = decode_all("apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: ns}\n");
  const long before = objects[0].use_count();
  {
    Snapshot snap(objects);
    EXPECT_EQ(snap.objects()[0].get(), objects[0].get());
    EXPECT_EQ(objects[0].use_count(), before + 1);
  }
  EXPECT_EQ(objects[0].use_count(), before);
}

TEST(SnapshotEmpty, AnswersNothing) {
  Snapshot snap({});
  EXPECT_EQ(snap.size(), 0u);
  EXPECT_TRUE(snap.of_kind(Kind::Service).empty());
  EXPECT_TRUE(snap.by_host(Kind::Service, "*").empty());
  EXPECT_TRUE(snap.binding_gateway("mesh").empty());
  EXPECT_TRUE(snap.selecting(Kind::Sidecar, "", {}).empty());
  EXPECT_TRUE(snap.selected_by(Kind::Pod, "", {}).empty());
}

}  // namespace
}  // namespace meshward::world
