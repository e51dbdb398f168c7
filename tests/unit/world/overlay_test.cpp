#include "meshward/world/overlay.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "world_testing.h"

namespace meshward::world {
namespace {

using model::Kind;
using testing::decode_all;
using testing::expect_same_answers;
using testing::NaiveView;
using testing::names;
using testing::Names;
using testing::WorldGenerator;

constexpr const char* kBase = R"(
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: bookinfo, creationTimestamp: "2024-01-01T00:00:00Z"}
spec:
  hosts: [reviews]
  gateways: [gw]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: ratings, namespace: bookinfo, creationTimestamp: "2024-03-01T00:00:00Z"}
spec:
  hosts: [ratings]
---
apiVersion: v1
kind: Pod
metadata: {name: reviews-v1, namespace: bookinfo, labels: {app: reviews, version: v1}}
---
apiVersion: v1
kind: Service
metadata: {name: reviews, namespace: bookinfo}
spec: {ports: [{port: 9080}], selector: {app: reviews}}
)";

model::ObjectPtr one(const std::string& yaml) {
  auto objects = decode_all(yaml);
  EXPECT_EQ(objects.size(), 1u);
  return objects.at(0);
}

// The object list a rebuilt snapshot would see after the change.
std::vector<model::ObjectPtr> apply(const Snapshot& base, const model::ObjectKey& key,
                                    const model::ObjectPtr& added) {
  std::vector<model::ObjectPtr> out;
  for (const auto& o : base.objects()) {
    if (model::key_of(*o) != key) {
      out.push_back(o);
    }
  }
  if (added != nullptr) {
    out.push_back(added);
  }
  return out;
}

class OverlayTest : public ::testing::Test {
 protected:
  std::shared_ptr<const Snapshot> base_ = Snapshot::make(decode_all(kBase));
};

TEST_F(OverlayTest, AddInsertsInStableOrder) {
  auto added = one(R"(apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: details, namespace: bookinfo, creationTimestamp: "2024-02-01T00:00:00Z"}
spec:
  hosts: ["*.bookinfo.svc.cluster.local"]
  gateways: [bookinfo/gw, mesh]
)");
  const Overlay overlay = Overlay::put(base_, added);
  EXPECT_EQ(overlay.added(), added.get());
  EXPECT_EQ(overlay.removed(), nullptr);
  EXPECT_EQ(overlay.size(), base_->size() + 1);
  EXPECT_EQ(overlay.find(Kind::VirtualService, "bookinfo", "details"), added.get());
  EXPECT_EQ(base_->find(Kind::VirtualService, "bookinfo", "details"), nullptr);
  EXPECT_EQ(names(overlay.of_kind(Kind::VirtualService)),
            (Names{"bookinfo/reviews", "bookinfo/details", "bookinfo/ratings"}));
  EXPECT_EQ(names(overlay.by_host(Kind::VirtualService, "ratings.bookinfo.svc.cluster.local")),
            (Names{"bookinfo/details", "bookinfo/ratings"}));
  EXPECT_EQ(names(overlay.binding_gateway("bookinfo/gw")),
            (Names{"bookinfo/reviews", "bookinfo/details"}));
  EXPECT_EQ(names(overlay.binding_gateway("mesh")),
            (Names{"bookinfo/details", "bookinfo/ratings"}));
  // The base is untouched.
  EXPECT_EQ(names(base_->binding_gateway("mesh")), (Names{"bookinfo/ratings"}));
  expect_same_answers(overlay, Snapshot(apply(*base_, key_of(*added), added)), "add");
}

TEST_F(OverlayTest, ReplaceDropsTheOldVersion) {
  const auto* old = base_->find(Kind::VirtualService, "bookinfo", "reviews");
  auto replacement = one(R"(apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: bookinfo, creationTimestamp: "2024-01-01T00:00:00Z"}
spec:
  hosts: [reviews.example.com]
)");
  const Overlay overlay = Overlay::put(base_, replacement);
  EXPECT_EQ(overlay.removed(), old);
  EXPECT_EQ(overlay.size(), base_->size());
  EXPECT_EQ(overlay.find(Kind::VirtualService, "bookinfo", "reviews"), replacement.get());
  EXPECT_TRUE(overlay.by_host(Kind::VirtualService, "reviews.bookinfo.svc.cluster.local").empty());
  EXPECT_EQ(names(overlay.by_host(Kind::VirtualService, "*.example.com")),
            (Names{"bookinfo/reviews"}));
  EXPECT_TRUE(overlay.binding_gateway("bookinfo/gw").empty());
  EXPECT_EQ(names(overlay.binding_gateway("mesh")),
            (Names{"bookinfo/reviews", "bookinfo/ratings"}));
  expect_same_answers(overlay, Snapshot(apply(*base_, key_of(*replacement), replacement)),
                      "replace");
}

TEST_F(OverlayTest, DeleteHidesTheObject) {
  const model::ObjectKey key{Kind::Pod, "bookinfo", "reviews-v1"};
  const Overlay overlay = Overlay::erase(base_, key);
  EXPECT_NE(overlay.removed(), nullptr);
  EXPECT_EQ(overlay.added(), nullptr);
  EXPECT_EQ(overlay.size(), base_->size() - 1);
  EXPECT_EQ(overlay.find(key), nullptr);
  EXPECT_TRUE(overlay.selected_by(Kind::Pod, "bookinfo", {{"app", "reviews"}}).empty());
  EXPECT_EQ(base_->selected_by(Kind::Pod, "bookinfo", {{"app", "reviews"}}).size(), 1u);
  expect_same_answers(overlay, Snapshot(apply(*base_, key, nullptr)), "delete");
}

TEST_F(OverlayTest, DeleteOfAMissingKeyChangesNothing) {
  const model::ObjectKey key{Kind::Pod, "bookinfo", "ghost"};
  const Overlay overlay = Overlay::erase(base_, key);
  EXPECT_EQ(overlay.removed(), nullptr);
  EXPECT_EQ(overlay.size(), base_->size());
  expect_same_answers(overlay, *base_, "delete missing");
}

TEST_F(OverlayTest, AddedWorkloadAndSelector) {
  auto pod = one(R"(apiVersion: v1
kind: Pod
metadata: {name: reviews-v2, namespace: bookinfo, labels: {app: reviews, version: v2}}
)");
  const Overlay with_pod = Overlay::put(base_, pod);
  // Neither pod has a timestamp; the new one was read first (sequence 0), so it sorts first.
  EXPECT_EQ(names(with_pod.selected_by(Kind::Pod, "bookinfo", {{"app", "reviews"}})),
            (Names{"bookinfo/reviews-v2", "bookinfo/reviews-v1"}));
  EXPECT_TRUE(with_pod.selected_by(Kind::Pod, "default", {{"app", "reviews"}}).empty());

  auto sidecar = one(R"(apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: reviews, namespace: bookinfo}
spec:
  workloadSelector: {labels: {version: v2}}
)");
  const Overlay with_sidecar = Overlay::put(base_, sidecar);
  EXPECT_EQ(names(with_sidecar.selecting(Kind::Sidecar, "bookinfo",
                                         {{"app", "reviews"}, {"version", "v2"}})),
            (Names{"bookinfo/reviews"}));
  EXPECT_TRUE(with_sidecar.selecting(Kind::Sidecar, "bookinfo", {{"version", "v1"}}).empty());
  EXPECT_TRUE(with_sidecar.selecting(Kind::Sidecar, "other", {{"version", "v2"}}).empty());
  EXPECT_EQ(with_sidecar.selecting(Kind::Sidecar, "", {{"version", "v2"}}).size(), 1u);
}

TEST_F(OverlayTest, KeepsItsBaseAlive) {
  std::weak_ptr<const Snapshot> weak = base_;
  auto overlay = std::make_unique<Overlay>(Overlay::erase(base_, {Kind::Pod, "bookinfo", "x"}));
  base_.reset();
  EXPECT_FALSE(weak.expired());
  EXPECT_EQ(overlay->of_kind(Kind::VirtualService).size(), 2u);
  overlay.reset();
  EXPECT_TRUE(weak.expired());
}

// Property: for random worlds and random changes (add a new object, replace one with new
// content of the same key, delete one, delete a missing key), the overlay answers every query
// exactly as a snapshot rebuilt from the changed object list does.
TEST(OverlayProperty, MatchesRebuiltSnapshot) {
  std::size_t queries = 0;
  for (unsigned seed = 1; seed <= 6; ++seed) {
    WorldGenerator gen(seed);
    auto base = Snapshot::make(decode_all(gen.world(120)));
    for (int change = 0; change < 16; ++change) {
      const std::string context =
          "seed " + std::to_string(seed) + " change " + std::to_string(change);
      const auto& objects = base->objects();
      const std::size_t which = gen.pick(4);
      if (which == 0 || objects.empty()) {
        auto added = decode_all(gen.object(gen.kind(), gen.ns(), "fresh" + std::to_string(change)));
        const Overlay overlay = Overlay::put(base, added.at(0));
        queries += expect_same_answers(overlay, Snapshot(apply(*base, key_of(*added[0]), added[0])),
                                       context + " add");
      } else if (which == 1) {
        const auto& victim = *objects[gen.pick(objects.size())];
        auto replacement = decode_all(gen.object(std::string(model::kind_name(victim.kind())),
                                                 victim.meta.namespace_, victim.meta.name));
        const Overlay overlay = Overlay::put(base, replacement.at(0));
        EXPECT_EQ(overlay.removed(), &victim);
        queries += expect_same_answers(
            overlay, Snapshot(apply(*base, key_of(victim), replacement[0])), context + " replace");
      } else if (which == 2) {
        const auto key = key_of(*objects[gen.pick(objects.size())]);
        const Overlay overlay = Overlay::erase(base, key);
        queries +=
            expect_same_answers(overlay, Snapshot(apply(*base, key, nullptr)), context + " delete");
      } else {
        const model::ObjectKey key{Kind::Service, "nowhere", "ghost"};
        const Overlay overlay = Overlay::erase(base, key);
        queries += expect_same_answers(overlay, *base, context + " delete missing");
      }
      if (::testing::Test::HasFailure()) {
        return;
      }
    }
  }
  EXPECT_GT(queries, 100000u);
}

}  // namespace
}  // namespace meshward::world
