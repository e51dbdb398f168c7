// MW2116 (virtualservice-subset-no-endpoints) beyond its golden cases:
// - the translator options of RunOptions reach it (the Istio release changes which
//   endpoints are terminating, and so the outcome);
// - admission's focus (rules/focus.h) finds every VirtualService whose MW2116 findings a
//   change of the objects it reads through the translator can alter (EndpointSlice,
//   Endpoints, Pod, WorkloadEntry, Sidecar, DestinationRule): for each change, the findings
//   the focused run adds or removes equal those of the whole world.

#include <algorithm>
#include <iterator>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "meshward/rules/focus.h"
#include "meshward/rules/run.h"
#include "meshward/world/loader.h"
#include "meshward/world/overlay.h"
#include "meshward/world/snapshot.h"

namespace meshward::rules {
namespace {

constexpr const char* kCode = "MW2116";

// reviews v1 + v2 behind an EndpointSlice, a v3 pod without endpoint; bookinfo/reviews sends
// 10% to subset v3 (MW2116). A STATIC ServiceEntry over WorkloadEntries, read over TCP through
// subset replica that no entry carries (MW2116). ratings is listed by a legacy Endpoints
// object, and routed to subset v2 that its only pod does not carry (MW2116).
constexpr const char* kWorld = R"(
apiVersion: v1
kind: Service
metadata: {name: reviews, namespace: bookinfo}
spec:
  selector: {app: reviews}
  ports:
  - {name: http, port: 9080}
---
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
metadata: {name: reviews-v3, namespace: bookinfo, labels: {app: reviews, version: v3}}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: reviews-abc, namespace: bookinfo, labels: {kubernetes.io/service-name: reviews}}
addressType: IPv4
ports:
- {name: http, port: 9080}
endpoints:
- addresses: [10.1.0.1]
  targetRef: {kind: Pod, name: reviews-v1, namespace: bookinfo}
- addresses: [10.1.0.2]
  targetRef: {kind: Pod, name: reviews-v2, namespace: bookinfo}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews, namespace: bookinfo}
spec:
  host: reviews
  subsets:
  - {name: v1, labels: {version: v1}}
  - {name: v3, labels: {version: v3}}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: bookinfo}
spec:
  hosts: [reviews]
  http:
  - route:
    - destination: {host: reviews, subset: v1}
      weight: 90
    - destination: {host: reviews, subset: v3}
      weight: 10
---
apiVersion: v1
kind: Service
metadata: {name: ratings, namespace: bookinfo}
spec:
  selector: {app: ratings}
  ports:
  - {name: http, port: 9080}
---
apiVersion: v1
kind: Pod
metadata: {name: ratings-v1, namespace: bookinfo, labels: {app: ratings, version: v1}}
---
apiVersion: v1
kind: Endpoints
metadata: {name: ratings, namespace: bookinfo}
subsets:
- addresses:
  - ip: 10.1.0.9
    targetRef: {kind: Pod, name: ratings-v1, namespace: bookinfo}
  ports:
  - {name: http, port: 9080}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: ratings, namespace: bookinfo}
spec:
  host: ratings
  subsets:
  - {name: v2, labels: {version: v2}}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: ratings, namespace: frontend}
spec:
  hosts: [ratings.bookinfo.svc.cluster.local]
  http:
  - route:
    - destination: {host: ratings.bookinfo.svc.cluster.local, subset: v2}
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: db, namespace: data}
spec:
  hosts: [db.data.internal]
  location: MESH_INTERNAL
  resolution: STATIC
  ports:
  - {name: tcp, number: 5432, protocol: TCP}
  workloadSelector:
    labels: {app: db}
---
apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: {name: db-1, namespace: data}
spec:
  address: 10.20.0.5
  labels: {app: db, role: primary}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: db, namespace: data}
spec:
  host: db.data.internal
  subsets:
  - {name: replica, labels: {role: replica}}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: db, namespace: data}
spec:
  hosts: [db.data.internal]
  tcp:
  - route:
    - destination: {host: db.data.internal, subset: replica}
)";

std::vector<model::ObjectPtr> load(const std::string& text) {
  world::LoadResult loaded = world::load_text(text, "world.yaml");
  EXPECT_TRUE(loaded.findings.empty()) << loaded.findings.front().message;
  return std::move(loaded.objects);
}

model::ObjectPtr load_one(const std::string& text) {
  std::vector<model::ObjectPtr> objects = load(text);
  EXPECT_EQ(objects.size(), 1u);
  return objects.empty() ? nullptr : objects.front();
}

// What makes two findings the same one.
std::set<std::string> identities(const std::vector<Finding>& findings) {
  std::set<std::string> out;
  for (const Finding& f : findings) {
    out.insert(f.code + " " + f.resource.kind + " " + f.resource.namespace_ + "/" +
               f.resource.name + " " + f.path + " " + f.message);
  }
  return out;
}

std::set<std::string> minus(const std::set<std::string>& a, const std::set<std::string>& b) {
  std::set<std::string> out;
  std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::inserter(out, out.end()));
  return out;
}

RunOptions only_mw2116() {
  RunOptions options;
  options.only = {kCode};
  return options;
}

TEST(SubsetNoEndpoints, BaseWorldFiresOnEachBrokenSubset) {
  world::Snapshot world(load(kWorld));
  const std::vector<Finding> findings = check_world(world, only_mw2116());
  std::set<std::string> subjects;
  for (const Finding& f : findings) {
    subjects.insert(f.resource.namespace_ + "/" + f.resource.name + " " + f.path);
  }
  EXPECT_EQ(subjects, (std::set<std::string>{
                          "bookinfo/reviews spec.http[0].route[1].destination.subset",
                          "data/db spec.tcp[0].route[0].destination.subset",
                          "frontend/ratings spec.http[0].route[0].destination.subset"}));
  for (const Finding& f : findings) {
    // HTTP routes get 503 UH; the TCP route's connections are closed.
    const char* consequence = f.resource.name == "db"
                                  ? "TCP connections to db.data.internal are closed"
                                  : "get 503 UH (no_healthy_upstream)";
    EXPECT_NE(f.message.find(consequence), std::string::npos) << f.message;
    EXPECT_NE(f.message.find("EDS ClusterLoadAssignment of cluster outbound|"), std::string::npos)
        << f.message;
    EXPECT_EQ(f.istio_code, "IST0173");
  }
}

// A not-ready endpoint without `terminating` is unhealthy up to Istio 1.30 (it will join the
// subset cluster when ready) and terminating in 1.31 (it never will): the release given in
// RunOptions::translate decides, so it must reach the check.
TEST(SubsetNoEndpoints, IstioVersionInRunOptionsReachesTheCheck) {
  const std::string text = std::string(kWorld) + R"(
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: reviews-starting, namespace: bookinfo, labels: {kubernetes.io/service-name: reviews}}
addressType: IPv4
ports:
- {name: http, port: 9080}
endpoints:
- addresses: [10.1.0.3]
  conditions: {ready: false}
  targetRef: {kind: Pod, name: reviews-v3, namespace: bookinfo}
)";
  world::Snapshot world(load(text));
  // MW2116 findings on bookinfo/reviews (the route to v3), with `version` or with the
  // default options.
  const auto reviews_v3 = [&](std::optional<translate::IstioVersion> version) {
    RunOptions options = only_mw2116();
    if (version) {
      options.translate.version = *version;
    }
    std::vector<Finding> hits;
    for (Finding& f : check_world(world, options)) {
      if (f.resource.name == "reviews" && f.resource.namespace_ == "bookinfo") {
        hits.push_back(std::move(f));
      }
    }
    return hits;
  };
  EXPECT_TRUE(reviews_v3(translate::IstioVersion{1, 30}).empty());
  EXPECT_TRUE(reviews_v3(translate::IstioVersion{1, 15}).empty());
  // Without a version the check translates with translate::Options{}: the default release.
  EXPECT_EQ(reviews_v3(std::nullopt).size(), reviews_v3(translate::kDefaultIstioVersion).size());
  const std::vector<Finding> with_131 = reviews_v3(translate::IstioVersion{1, 31});
  ASSERT_EQ(with_131.size(), 1u);
  EXPECT_NE(with_131[0].message.find("only terminating endpoints carry"), std::string::npos)
      << with_131[0].message;
}

struct Change {
  const char* name;
  const char* object;                    // new version (create/update); null: delete
  model::ObjectKey deleted{};            // the object deleted, when `object` is null
};

class FocusCoversMw2116 : public ::testing::TestWithParam<Change> {};

TEST_P(FocusCoversMw2116, FocusedDiffEqualsWholeWorldDiff) {
  const Change& change = GetParam();
  auto before = std::make_shared<const world::Snapshot>(load(kWorld));
  model::ObjectPtr added;
  std::optional<world::Overlay> after_storage;
  const model::Object* old_version = nullptr;
  if (change.object != nullptr) {
    added = load_one(change.object);
    ASSERT_NE(added, nullptr);
    old_version = before->find(model::key_of(*added));
    after_storage.emplace(world::Overlay::put(before, added));
  } else {
    old_version = before->find(change.deleted);
    ASSERT_NE(old_version, nullptr) << "the base world must hold the deleted object";
    after_storage.emplace(world::Overlay::erase(before, change.deleted));
  }
  const world::Overlay& after = *after_storage;
  const model::Object* new_version = added.get();
  const model::Kind kind = (new_version != nullptr ? new_version : old_version)->kind();

  const auto whole_before = identities(check_world(*before, only_mw2116()));
  const auto whole_after = identities(check_world(after, only_mw2116()));
  const auto appeared = minus(whole_after, whole_before);
  const auto disappeared = minus(whole_before, whole_after);
  // Every change here alters MW2116's answer; otherwise the case proves nothing.
  ASSERT_FALSE(appeared.empty() && disappeared.empty()) << change.name << " changes nothing";

  const Focus focus = change_focus(*before, after, old_version, new_version, translate::MeshConfig{});
  const auto focused_before =
      identities(check_mesh_reading(*before, kind, only_mw2116(), &focus));
  const auto focused_after = identities(check_mesh_reading(after, kind, only_mw2116(), &focus));
  EXPECT_EQ(minus(focused_after, focused_before), appeared) << change.name;
  EXPECT_EQ(minus(focused_before, focused_after), disappeared) << change.name;
}

INSTANTIATE_TEST_SUITE_P(
    Changes, FocusCoversMw2116,
    ::testing::Values(
        Change{"slice_gains_the_v3_endpoint", R"(
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: reviews-abc, namespace: bookinfo, labels: {kubernetes.io/service-name: reviews}}
addressType: IPv4
ports:
- {name: http, port: 9080}
endpoints:
- addresses: [10.1.0.1]
  targetRef: {kind: Pod, name: reviews-v1, namespace: bookinfo}
- addresses: [10.1.0.3]
  targetRef: {kind: Pod, name: reviews-v3, namespace: bookinfo}
)"},
        Change{"slice_deleted", nullptr,
               model::ObjectKey{model::Kind::EndpointSlice, "bookinfo", "reviews-abc"}},
        Change{"pod_relabelled_to_v3", R"(
apiVersion: v1
kind: Pod
metadata: {name: reviews-v2, namespace: bookinfo, labels: {app: reviews, version: v3}}
)"},
        Change{"pod_loses_the_v1_label", R"(
apiVersion: v1
kind: Pod
metadata: {name: reviews-v1, namespace: bookinfo, labels: {app: reviews}}
)"},
        Change{"legacy_endpoints_gain_a_v2_pod", R"(
apiVersion: v1
kind: Endpoints
metadata: {name: ratings, namespace: bookinfo}
subsets:
- addresses:
  - ip: 10.1.0.9
    targetRef: {kind: Pod, name: ratings-v1, namespace: bookinfo}
  - ip: 10.1.0.1
    targetRef: {kind: Pod, name: reviews-v2, namespace: bookinfo}
  ports:
  - {name: http, port: 9080}
)"},
        Change{"workload_entry_becomes_a_replica", R"(
apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: {name: db-1, namespace: data}
spec:
  address: 10.20.0.5
  labels: {app: db, role: replica}
)"},
        Change{"subset_labels_fixed", R"(
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews, namespace: bookinfo}
spec:
  host: reviews
  subsets:
  - {name: v1, labels: {version: v1}}
  - {name: v3, labels: {version: v2}}
)"},
        Change{"sidecar_hides_ratings_from_frontend", R"(
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: default, namespace: frontend}
spec:
  egress:
  - hosts: ["istio-system/*"]
)"},
        Change{"root_sidecar_hides_everything_elsewhere", R"(
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: default, namespace: istio-system}
spec:
  egress:
  - hosts: ["istio-system/*"]
)"}),
    [](const ::testing::TestParamInfo<Change>& param_info) {
      return std::string(param_info.param.name);
    });

}  // namespace
}  // namespace meshward::rules
