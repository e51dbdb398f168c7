#include "meshward/world/selector.h"

#include <gtest/gtest.h>

#include "meshward/world/snapshot.h"
#include "world_testing.h"

namespace meshward::world {
namespace {

using model::Kind;
using testing::decode_all;
using testing::names;
using testing::Names;

model::StringMap string_map(const model::Labels& labels) {
  model::StringMap out;
  for (const auto& [k, v] : labels) {
    out[k].value = v;
    out[k].present = true;
  }
  return out;
}

TEST(SelectorMatches, SubsetSemantics) {
  const model::Labels pod{{"app", "reviews"}, {"version", "v1"}};
  EXPECT_TRUE(selector_matches(model::Labels{}, pod));
  EXPECT_TRUE(selector_matches(model::Labels{}, model::Labels{}));
  EXPECT_TRUE(selector_matches(model::Labels{{"app", "reviews"}}, pod));
  EXPECT_TRUE(selector_matches(pod, pod));
  EXPECT_FALSE(selector_matches(model::Labels{{"app", "ratings"}}, pod));
  EXPECT_FALSE(selector_matches(model::Labels{{"tier", "web"}}, pod));
  EXPECT_FALSE(selector_matches(model::Labels{{"app", "reviews"}}, model::Labels{}));
  EXPECT_FALSE(selector_matches(model::Labels{{"app", ""}}, pod));
  // Decoded maps on either side behave the same.
  EXPECT_TRUE(selector_matches(string_map({{"app", "reviews"}}), pod));
  EXPECT_FALSE(selector_matches(string_map({{"app", "x"}}), pod));
  EXPECT_TRUE(selector_matches(model::Labels{{"version", "v1"}}, string_map(pod)));
  EXPECT_TRUE(selector_matches(string_map({{"version", "v1"}}), string_map(pod)));
  EXPECT_EQ(to_labels(string_map(pod)), pod);
}

constexpr const char* kWorld = R"(
apiVersion: v1
kind: Pod
metadata: {name: reviews-v1, namespace: bookinfo, labels: {app: reviews, version: v1}}
---
apiVersion: v1
kind: Pod
metadata: {name: reviews-v2, namespace: bookinfo, labels: {app: reviews, version: v2}}
---
apiVersion: v1
kind: Pod
metadata: {name: reviews-other, namespace: default, labels: {app: reviews, version: v1}}
---
apiVersion: v1
kind: Pod
metadata: {name: ingress, namespace: istio-system, labels: {istio: ingressgateway}}
---
apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: {name: vm1, namespace: bookinfo, labels: {app: ignored}}
spec:
  address: 10.0.0.9
  labels: {app: reviews, version: v1}
---
apiVersion: v1
kind: Service
metadata: {name: reviews, namespace: bookinfo}
spec: {ports: [{port: 9080}], selector: {app: reviews}}
---
apiVersion: v1
kind: Service
metadata: {name: reviews-v2, namespace: bookinfo}
spec: {ports: [{port: 9080}], selector: {app: reviews, version: v2}}
---
apiVersion: v1
kind: Service
metadata: {name: external, namespace: bookinfo}
spec: {ports: [{port: 9080}]}
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: ingress, namespace: istio-system}
spec:
  selector: {istio: ingressgateway}
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: bookinfo-gw, namespace: bookinfo}
spec:
  selector: {istio: ingressgateway}
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: everywhere, namespace: web}
spec: {}
---
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: default, namespace: bookinfo}
spec: {}
---
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: reviews, namespace: bookinfo}
spec:
  workloadSelector: {labels: {app: reviews}}
---
apiVersion: networking.istio.io/v1alpha3
kind: EnvoyFilter
metadata: {name: targeted, namespace: bookinfo}
spec:
  targetRefs: [{kind: Service, group: "", name: reviews}]
  configPatches: []
---
apiVersion: networking.istio.io/v1alpha3
kind: EnvoyFilter
metadata: {name: v1-only, namespace: bookinfo}
spec:
  workloadSelector: {labels: {version: v1}}
  configPatches: []
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: ns-wide, namespace: bookinfo}
spec:
  mtls: {mode: STRICT}
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: mesh-wide, namespace: istio-system}
spec:
  mtls: {mode: STRICT}
---
apiVersion: security.istio.io/v1
kind: RequestAuthentication
metadata: {name: jwt, namespace: bookinfo}
spec:
  selector: {matchLabels: {app: reviews}}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: for-waypoint, namespace: bookinfo}
spec:
  targetRefs: [{kind: Gateway, group: gateway.networking.k8s.io, name: waypoint}]
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: v2, namespace: bookinfo}
spec:
  selector: {matchLabels: {app: reviews, version: v2}}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: plain, namespace: bookinfo}
spec:
  host: reviews
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: for-v1, namespace: bookinfo}
spec:
  host: reviews
  workloadSelector: {matchLabels: {version: v1}}
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: vms, namespace: bookinfo}
spec:
  hosts: [reviews.vm]
  ports: [{number: 80, name: http}]
  workloadSelector: {labels: {app: reviews}}
)";

class SelectorIndexTest : public ::testing::Test {
 protected:
  std::shared_ptr<const Snapshot> snap_ = Snapshot::make(decode_all(kWorld));
  const model::Labels v1_{{"app", "reviews"}, {"version", "v1"}};
  const model::Labels v2_{{"app", "reviews"}, {"version", "v2"}};
  const model::Labels ingress_{{"istio", "ingressgateway"}};
};

TEST_F(SelectorIndexTest, ServicesSelectingAWorkload) {
  EXPECT_EQ(names(snap_->selecting(Kind::Service, "bookinfo", v1_)), (Names{"bookinfo/reviews"}));
  EXPECT_EQ(names(snap_->selecting(Kind::Service, "bookinfo", v2_)),
            (Names{"bookinfo/reviews", "bookinfo/reviews-v2"}));
  // Services only select in their own namespace; a Service without selector selects nothing.
  EXPECT_TRUE(snap_->selecting(Kind::Service, "default", v1_).empty());
  EXPECT_TRUE(snap_->selecting(Kind::Service, "bookinfo", {}).empty());
}

TEST_F(SelectorIndexTest, GatewaysAcrossNamespacesUnlessScoped) {
  EXPECT_EQ(names(snap_->selecting(Kind::Gateway, "", ingress_)),
            (Names{"istio-system/ingress", "bookinfo/bookinfo-gw", "web/everywhere"}));
  EXPECT_EQ(names(snap_->selecting(Kind::Gateway, "istio-system", ingress_)),
            (Names{"istio-system/ingress"}));
  // A Gateway without selector applies to every gateway workload.
  EXPECT_EQ(names(snap_->selecting(Kind::Gateway, "", v1_)), (Names{"web/everywhere"}));
}

TEST_F(SelectorIndexTest, SidecarsAndEnvoyFilters) {
  EXPECT_EQ(names(snap_->selecting(Kind::Sidecar, "bookinfo", v1_)),
            (Names{"bookinfo/default", "bookinfo/reviews"}));
  EXPECT_EQ(names(snap_->selecting(Kind::Sidecar, "bookinfo", ingress_)),
            (Names{"bookinfo/default"}));
  EXPECT_TRUE(snap_->selecting(Kind::Sidecar, "default", v1_).empty());
  // targetRefs: not a label selection.
  EXPECT_EQ(names(snap_->selecting(Kind::EnvoyFilter, "bookinfo", v1_)),
            (Names{"bookinfo/v1-only"}));
  EXPECT_TRUE(snap_->selecting(Kind::EnvoyFilter, "bookinfo", v2_).empty());
}

TEST_F(SelectorIndexTest, SecurityPolicies) {
  EXPECT_EQ(names(snap_->selecting(Kind::PeerAuthentication, "bookinfo", v1_)),
            (Names{"bookinfo/ns-wide"}));
  // Root-namespace policies: the caller asks about the root namespace as well.
  EXPECT_EQ(names(snap_->selecting(Kind::PeerAuthentication, "istio-system", v1_)),
            (Names{"istio-system/mesh-wide"}));
  EXPECT_EQ(names(snap_->selecting(Kind::RequestAuthentication, "bookinfo", v1_)),
            (Names{"bookinfo/jwt"}));
  EXPECT_TRUE(snap_->selecting(Kind::RequestAuthentication, "bookinfo", ingress_).empty());
  EXPECT_EQ(names(snap_->selecting(Kind::AuthorizationPolicy, "bookinfo", v2_)),
            (Names{"bookinfo/v2"}));
  EXPECT_TRUE(snap_->selecting(Kind::AuthorizationPolicy, "bookinfo", v1_).empty());
}

TEST_F(SelectorIndexTest, DestinationRulesAndServiceEntriesOnlyWithWorkloadSelector) {
  EXPECT_EQ(names(snap_->selecting(Kind::DestinationRule, "bookinfo", v1_)),
            (Names{"bookinfo/for-v1"}));
  EXPECT_TRUE(snap_->selecting(Kind::DestinationRule, "bookinfo", v2_).empty());
  EXPECT_EQ(names(snap_->selecting(Kind::ServiceEntry, "bookinfo", v2_)), (Names{"bookinfo/vms"}));
  EXPECT_TRUE(snap_->selecting(Kind::Pod, "bookinfo", v1_).empty());
}

TEST_F(SelectorIndexTest, WorkloadsSelectedByASelector) {
  const model::Labels app{{"app", "reviews"}};
  EXPECT_EQ(names(snap_->selected_by(Kind::Pod, "bookinfo", app)),
            (Names{"bookinfo/reviews-v1", "bookinfo/reviews-v2"}));
  EXPECT_EQ(names(snap_->selected_by(Kind::Pod, "", app)),
            (Names{"bookinfo/reviews-v1", "bookinfo/reviews-v2", "default/reviews-other"}));
  EXPECT_EQ(names(snap_->selected_by(Kind::Pod, "bookinfo", v1_)), (Names{"bookinfo/reviews-v1"}));
  // WorkloadEntries are selected by spec.labels, not metadata labels.
  EXPECT_EQ(names(snap_->selected_by(Kind::WorkloadEntry, "bookinfo", v1_)),
            (Names{"bookinfo/vm1"}));
  EXPECT_TRUE(snap_->selected_by(Kind::WorkloadEntry, "bookinfo", {{"app", "ignored"}}).empty());
  // An empty selector selects every workload of the namespace.
  EXPECT_EQ(names(snap_->selected_by(Kind::Pod, "bookinfo", {})),
            (Names{"bookinfo/reviews-v1", "bookinfo/reviews-v2"}));
  EXPECT_EQ(snap_->selected_by(Kind::Pod, "", {}).size(), 4u);
  EXPECT_TRUE(snap_->selected_by(Kind::Pod, "bookinfo", {{"app", "nope"}}).empty());
  EXPECT_TRUE(snap_->selected_by(Kind::Service, "bookinfo", app).empty());
}

TEST_F(SelectorIndexTest, WorkloadSelectionPerKind) {
  const auto mode = [&](Kind kind, const char* ns, const char* name) {
    return workload_selection(*snap_->find(kind, ns, name)).mode;
  };
  EXPECT_EQ(mode(Kind::Service, "bookinfo", "reviews"), SelectionMode::Labels);
  EXPECT_EQ(mode(Kind::Service, "bookinfo", "external"), SelectionMode::None);
  EXPECT_EQ(mode(Kind::Gateway, "web", "everywhere"), SelectionMode::All);
  EXPECT_EQ(mode(Kind::Sidecar, "bookinfo", "default"), SelectionMode::All);
  EXPECT_EQ(mode(Kind::EnvoyFilter, "bookinfo", "targeted"), SelectionMode::None);
  EXPECT_EQ(mode(Kind::AuthorizationPolicy, "bookinfo", "for-waypoint"), SelectionMode::None);
  EXPECT_EQ(mode(Kind::PeerAuthentication, "bookinfo", "ns-wide"), SelectionMode::All);
  EXPECT_EQ(mode(Kind::DestinationRule, "bookinfo", "plain"), SelectionMode::None);
  EXPECT_EQ(mode(Kind::DestinationRule, "bookinfo", "for-v1"), SelectionMode::Labels);
  EXPECT_EQ(mode(Kind::Pod, "bookinfo", "reviews-v1"), SelectionMode::None);
  EXPECT_EQ(workload_labels(*snap_->find(Kind::WorkloadEntry, "bookinfo", "vm1")), v1_);
  EXPECT_EQ(workload_labels(*snap_->find(Kind::Pod, "bookinfo", "reviews-v1")), v1_);
  EXPECT_FALSE(workload_labels(*snap_->find(Kind::Service, "bookinfo", "reviews")).has_value());
}

}  // namespace
}  // namespace meshward::world
