// The endpoints admission shares between reviews (EvaluatedWorld::endpoints, the
// translate::EndpointCache MW2116 reads through): they belong to one world, so a review after
// a world reload reads the new world's, and a review that changes an object endpoints are read
// from never reads them at all.

#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "meshward/admission/decide.h"
#include "meshward/admission/world_slot.h"
#include "meshward/rules/registry.h"
#include "meshward/world/loader.h"
#include "meshward/world/snapshot.h"

namespace meshward::admission {
namespace {

std::shared_ptr<const world::Snapshot> snapshot_of(const std::string& yaml) {
  auto loaded = world::load_text(yaml, "world.yaml");
  EXPECT_TRUE(loaded.findings.empty());
  return world::Snapshot::make(std::move(loaded.objects));
}

// Bookinfo's reviews: a Service, a DestinationRule with subsets v1..v3, and two pods behind an
// EndpointSlice, labelled `version: <first>` and `version: <second>`.
std::string reviews_world(const std::string& first, const std::string& second) {
  std::string out = R"(
apiVersion: v1
kind: Service
metadata: {name: reviews, namespace: bookinfo}
spec:
  clusterIP: 10.96.10.2
  ports: [{name: http, port: 9080}]
  selector: {app: reviews}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews, namespace: bookinfo}
spec:
  host: reviews
  subsets:
  - {name: v1, labels: {version: v1}}
  - {name: v2, labels: {version: v2}}
  - {name: v3, labels: {version: v3}}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: reviews-abc12
  namespace: bookinfo
  labels: {kubernetes.io/service-name: reviews}
addressType: IPv4
ports: [{name: http, port: 9080}]
endpoints:
- addresses: [10.244.1.1]
  conditions: {ready: true}
  targetRef: {kind: Pod, name: reviews-a, namespace: bookinfo}
- addresses: [10.244.1.2]
  conditions: {ready: true}
  targetRef: {kind: Pod, name: reviews-b, namespace: bookinfo}
)";
  for (const auto& [name, version] : {std::pair{"reviews-a", first}, std::pair{"reviews-b", second}}) {
    out += "---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: " + std::string(name) +
           "\n  namespace: bookinfo\n  labels: {app: reviews, version: " + version +
           "}\nstatus: {podIP: " + (std::string(name) == "reviews-a" ? "10.244.1.1" : "10.244.1.2") +
           "}\n";
  }
  return out;
}

std::string review(const std::string& op, const std::string& kind, const std::string& name,
                   const std::string& object, const std::string& old_object) {
  return R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u-1",)"
         R"("kind":{"group":"networking.istio.io","version":"v1","kind":")" + kind +
         R"("},"namespace":"bookinfo","name":")" + name + R"(","operation":")" + op +
         R"(","userInfo":{"username":"admin"},"object":)" + object + R"(,"oldObject":)" +
         old_object + "}}";
}

// A VirtualService create routing reviews to `subset`.
std::string create_route_to(const std::string& subset) {
  return review("CREATE", "VirtualService", "reviews-canary",
                R"({"apiVersion":"networking.istio.io/v1","kind":"VirtualService",)"
                R"("metadata":{"name":"reviews-canary","namespace":"bookinfo"},)"
                R"("spec":{"hosts":["reviews-canary"],"http":[{"route":[{"destination":)"
                R"({"host":"reviews","subset":")" + subset + R"("}}]}]}})",
                "null");
}

bool has_code(const Exchange& ex, const std::string& code) {
  for (const Finding& f : ex.decision.introduced) {
    if (f.code == code) {
      return true;
    }
  }
  return false;
}

TEST(SharedEndpoints, WorldReloadBetweenReviewsGivesTheNewWorldsAnswer) {
  if (rules::find_rule("MW2116") == nullptr) {
    GTEST_SKIP() << "MW2116 is not registered in this build";
  }
  WorldSlot slot;
  const Policy policy;
  // v2 runs: routing to it is fine; the same answer twice (the second from the shared
  // endpoints).
  slot.publish(snapshot_of(reviews_world("v1", "v2")), "a");
  for (int i = 0; i < 2; ++i) {
    const Exchange ex = handle_review(create_route_to("v2"), slot.current().get(), policy);
    ASSERT_TRUE(ex.decided) << ex.body;
    EXPECT_TRUE(ex.decision.response.allowed) << ex.body;
    EXPECT_FALSE(has_code(ex, "MW2116")) << ex.body;
  }
  // The v2 pod became v3: the same review now routes to an empty subset cluster.
  slot.publish(snapshot_of(reviews_world("v1", "v3")), "b");
  for (int i = 0; i < 2; ++i) {
    const Exchange ex = handle_review(create_route_to("v2"), slot.current().get(), policy);
    EXPECT_FALSE(ex.decision.response.allowed) << ex.body;
    EXPECT_TRUE(has_code(ex, "MW2116")) << ex.body;
    // And v3, which had no endpoint in the first world, has one now.
    const Exchange v3 = handle_review(create_route_to("v3"), slot.current().get(), policy);
    EXPECT_TRUE(v3.decision.response.allowed) << v3.body;
  }
  // Back to the first world.
  slot.publish(snapshot_of(reviews_world("v1", "v2")), "c");
  const Exchange ex = handle_review(create_route_to("v2"), slot.current().get(), policy);
  EXPECT_TRUE(ex.decision.response.allowed) << ex.body;
  const Exchange v3 = handle_review(create_route_to("v3"), slot.current().get(), policy);
  EXPECT_FALSE(v3.decision.response.allowed) << v3.body;
  EXPECT_TRUE(has_code(v3, "MW2116")) << v3.body;
}

// A legacy VM behind a ServiceEntry: its endpoint is a WorkloadEntry the ServiceEntry selects.
constexpr const char* kVmWorld = R"(
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: legacy, namespace: bookinfo}
spec:
  hosts: [legacy.bookinfo.internal]
  location: MESH_INTERNAL
  resolution: STATIC
  ports: [{number: 8080, name: http, protocol: HTTP}]
  workloadSelector: {labels: {app: legacy}}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: legacy, namespace: bookinfo}
spec:
  host: legacy.bookinfo.internal
  subsets:
  - {name: v1, labels: {version: v1}}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: legacy, namespace: bookinfo}
spec:
  hosts: [legacy.bookinfo.internal]
  http:
  - route:
    - destination: {host: legacy.bookinfo.internal, subset: v1}
---
apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: {name: vm-1, namespace: bookinfo}
spec:
  address: 10.10.0.5
  labels: {app: legacy, version: v1}
)";

std::string workload_entry(const std::string& version) {
  return R"({"apiVersion":"networking.istio.io/v1","kind":"WorkloadEntry",)"
         R"("metadata":{"name":"vm-1","namespace":"bookinfo"},)"
         R"("spec":{"address":"10.10.0.5","labels":{"app":"legacy","version":")" + version +
         R"("}}})";
}

TEST(SharedEndpoints, ReviewChangingAnEndpointSourceReadsItsOwnEndpoints) {
  if (rules::find_rule("MW2116") == nullptr) {
    GTEST_SKIP() << "MW2116 is not registered in this build";
  }
  // Evaluating the world already shared the ServiceEntry's endpoints (the VM as v1). The
  // update relabels the VM, under the same ServiceEntry object: the subset loses its only
  // endpoint, which only the overlay's own endpoints show.
  const auto world = evaluate_world(snapshot_of(kVmWorld));
  const Policy policy;
  const std::string relabel = review("UPDATE", "WorkloadEntry", "vm-1", workload_entry("v2"),
                                     workload_entry("v1"));
  for (int i = 0; i < 2; ++i) {
    const Exchange ex = handle_review(relabel, world.get(), policy);
    ASSERT_TRUE(ex.decided) << ex.body;
    EXPECT_FALSE(ex.decision.response.allowed) << ex.body;
    EXPECT_TRUE(has_code(ex, "MW2116")) << ex.body;
  }
  // A review of another kind still reads the world's (shared) endpoints: the route is fine.
  const Exchange ok = handle_review(
      review("CREATE", "VirtualService", "legacy-2",
             R"({"apiVersion":"networking.istio.io/v1","kind":"VirtualService",)"
             R"("metadata":{"name":"legacy-2","namespace":"bookinfo"},)"
             R"("spec":{"hosts":["legacy-2.bookinfo.internal"],"http":[{"route":[{"destination":)"
             R"({"host":"legacy.bookinfo.internal","subset":"v1"}}]}]}})",
             "null"),
      world.get(), policy);
  EXPECT_TRUE(ok.decision.response.allowed) << ok.body;
  // The relabelling review did not leave its endpoints behind for the next one.
  const Exchange again = handle_review(relabel, world.get(), policy);
  EXPECT_TRUE(has_code(again, "MW2116")) << again.body;
}

}  // namespace
}  // namespace meshward::admission
