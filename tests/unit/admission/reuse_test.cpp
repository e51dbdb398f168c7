// Reviews that repeat a change (GitOps dry-runs, retries): Review::reuse_key and the world's
// FindingsCache.

#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "meshward/admission/decide.h"
#include "meshward/admission/findings_cache.h"
#include "meshward/admission/review.h"
#include "meshward/admission/world_slot.h"
#include "meshward/world/loader.h"
#include "meshward/world/snapshot.h"

namespace meshward::admission {
namespace {

constexpr const char* kWorld = R"(
apiVersion: v1
kind: Service
metadata: {name: reviews, namespace: bookinfo}
spec:
  ports: [{port: 9080, name: http}]
  selector: {app: reviews}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews, namespace: bookinfo}
spec:
  host: reviews
  subsets: [{name: v1, labels: {version: v1}}]
)";

std::shared_ptr<const EvaluatedWorld> make_world() {
  auto loaded = world::load_text(kWorld, "world.yaml");
  EXPECT_TRUE(loaded.findings.empty());
  return evaluate_world(world::Snapshot::make(std::move(loaded.objects)), "test");
}

// A VirtualService create routing to subset `subset` of reviews (v2 is not defined: MW2101).
std::string review(const std::string& uid, const std::string& subset = "v2",
                   const std::string& dry_run = "false") {
  return R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":")" + uid +
         R"(","kind":{"group":"networking.istio.io","version":"v1","kind":"VirtualService"},)"
         R"("namespace":"bookinfo","name":"r","operation":"CREATE","userInfo":{"username":"flux"},)"
         R"("object":{"apiVersion":"networking.istio.io/v1","kind":"VirtualService",)"
         R"("metadata":{"name":"r","namespace":"bookinfo","uid":"object-uid"},)"
         R"("spec":{"hosts":["r"],"http":[{"route":[{"destination":{"host":"reviews","subset":")" +
         subset + R"("}}]}]}},"oldObject":null,"dryRun":)" + dry_run + "}}";
}

std::string key_of(const std::string& body) {
  auto r = parse_review(body);
  EXPECT_TRUE(r.ok()) << body;
  return r ? r->reuse_key : std::string();
}

TEST(ReuseKey, BodiesDifferingOnlyInTheRequestUidShareTheirKey) {
  const std::string a = key_of(review("a1b2"));
  EXPECT_FALSE(a.empty());
  EXPECT_EQ(a, key_of(review("ffffffff-0000-4000-8000-000000000000")));
  EXPECT_EQ(a.find("a1b2"), std::string::npos) << "the uid is cut out: " << a;
  // The object's own metadata.uid is part of the change, not of the request.
  EXPECT_NE(a.find("object-uid"), std::string::npos);
}

TEST(ReuseKey, AnyOtherDifferenceGivesAnotherKey) {
  const std::string a = key_of(review("u1"));
  EXPECT_NE(a, key_of(review("u1", "v1")));
  EXPECT_NE(a, key_of(review("u1", "v2", "true")));
  // Whitespace is part of the body too: the key is the bytes, never a re-serialisation.
  std::string spaced = review("u1");
  spaced.insert(spaced.find(R"("operation")"), " ");
  EXPECT_NE(a, key_of(spaced));
}

TEST(ReuseKey, TheCutIsWhereTheLastRequestUidIs) {
  // A repeated key reads as its last occurrence: that is the uid answered, and the one cut.
  std::string body = review("second");
  body.insert(body.find(R"("uid":"second")"), R"("uid":"first",)");
  auto r = parse_review(body);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->uid, "second");
  EXPECT_NE(r->reuse_key.find("first"), std::string::npos);
  EXPECT_EQ(r->reuse_key.find("second"), std::string::npos);
  // Escapes and blanks around the colon: the characters between the quotes are cut.
  std::string escaped = review("x");
  escaped.replace(escaped.find(R"("uid":"x")"), 9, R"("uid" :  "a\"b\u0041")");
  auto e = parse_review(escaped);
  ASSERT_TRUE(e.ok()) << e.error().message;
  EXPECT_EQ(e->uid, "a\"bA");
  std::string other = escaped;
  other.replace(other.find(R"(a\"b\u0041)"), 10, "zz");
  EXPECT_EQ(e->reuse_key, key_of(other));
}

TEST(ReuseKey, NotKeptForABodyOverTheCacheBound) {
  std::string body = review("u");
  const std::string pad(FindingsCache::kMaxKeyBytes, ' ');
  body.insert(body.find(R"("userInfo")"), pad);
  auto r = parse_review(body);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(r->reuse_key.empty());
}

TEST(FindingsReuse, ARepeatedChangeReusesItsFindingsUnderTheCurrentPolicy) {
  const auto world = make_world();
  // The missing subset denies (by default it only warns: the DestinationRule may come next).
  Policy strict;
  strict.missing_references = Action::Deny;
  const Exchange first = handle_review(review("uid-1"), world.get(), strict);
  ASSERT_TRUE(first.decided) << first.body;
  EXPECT_FALSE(first.decision.reused);
  ASSERT_EQ(first.decision.introduced.size(), 1u) << first.body;
  EXPECT_EQ(first.decision.introduced[0].code, "MW2101");
  EXPECT_FALSE(first.decision.response.allowed);

  const Exchange again = handle_review(review("uid-2"), world.get(), strict);
  EXPECT_TRUE(again.decision.reused);
  EXPECT_EQ(again.uid, "uid-2");
  EXPECT_NE(again.body.find(R"("uid":"uid-2")"), std::string::npos) << again.body;
  ASSERT_EQ(again.decision.introduced.size(), 1u);
  EXPECT_EQ(again.decision.introduced[0].code, "MW2101");
  EXPECT_EQ(again.decision.response.message, first.decision.response.message);

  // The policy applies to each request anew: the kept findings are before policy.
  const Exchange warned = handle_review(review("uid-3"), world.get(), Policy{});
  EXPECT_TRUE(warned.decision.reused);
  EXPECT_TRUE(warned.decision.response.allowed);
  EXPECT_EQ(warned.decision.warned, 1u);

  // A different change is evaluated.
  const Exchange fixed = handle_review(review("uid-4", "v1"), world.get(), Policy{});
  EXPECT_FALSE(fixed.decision.reused);
  EXPECT_TRUE(fixed.decision.response.allowed) << fixed.body;
}

TEST(FindingsReuse, ANewWorldStartsEmpty) {
  const auto world = make_world();
  EXPECT_FALSE(handle_review(review("a"), world.get(), Policy{}).decision.reused);
  EXPECT_TRUE(handle_review(review("b"), world.get(), Policy{}).decision.reused);
  const auto next = make_world();
  EXPECT_FALSE(handle_review(review("c"), next.get(), Policy{}).decision.reused);
}

TEST(FindingsReuse, BadRequestsAreNeverKept) {
  const auto world = make_world();
  std::string bad = review("u");
  bad.replace(bad.find(R"("operation":"CREATE")"), 20, R"("operation":"PATCH")");
  EXPECT_EQ(handle_review(bad, world.get(), Policy{}).http_status, 400);
  EXPECT_EQ(world->findings_cache->entries(), 0u);
}

// Objects are applied in any order: a change that refers to something not there yet only
// warns on its own object (policy missingReferences), while a change that leaves another
// object dangling is refused.
TEST(MissingReferences, WarnOnTheObjectThatRefersButDenyTheChangeThatBreaks) {
  auto loaded = world::load_text(std::string(kWorld) + R"(
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: live, namespace: bookinfo}
spec:
  hosts: [live]
  http:
  - route:
    - destination: {host: reviews, subset: v1}
)",
                                 "world.yaml");
  ASSERT_TRUE(loaded.findings.empty());
  const auto world = evaluate_world(world::Snapshot::make(std::move(loaded.objects)), "test");
  const Exchange create = handle_review(review("c-1"), world.get(), Policy{});
  EXPECT_TRUE(create.decision.response.allowed) << create.body;
  ASSERT_EQ(create.decision.response.warnings.size(), 2u) << create.body;
  EXPECT_EQ(create.decision.response.warnings[0],
            "meshward: 1 finding names something not there yet: it only warns; apply "
            "that too (policy missingReferences)")
      << create.body;
  EXPECT_EQ(create.decision.response.warnings[1].rfind("MW2101 VirtualService bookinfo/r: ", 0), 0u);

  const std::string delete_rule =
      R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"d-1",)"
      R"("kind":{"group":"networking.istio.io","version":"v1","kind":"DestinationRule"},)"
      R"("namespace":"bookinfo","name":"reviews","operation":"DELETE","object":null,)"
      R"("oldObject":{"apiVersion":"networking.istio.io/v1","kind":"DestinationRule",)"
      R"("metadata":{"name":"reviews","namespace":"bookinfo"},"spec":{"host":"reviews",)"
      R"("subsets":[{"name":"v1","labels":{"version":"v1"}}]}}}})";
  const Exchange removal = handle_review(delete_rule, world.get(), Policy{});
  EXPECT_FALSE(removal.decision.response.allowed) << removal.body;
  EXPECT_NE(removal.decision.response.message.find("MW2101 VirtualService bookinfo/live"),
            std::string::npos)
      << removal.body;
}

Finding finding(const std::string& code, std::size_t message_bytes) {
  Finding f;
  f.code = code;
  f.message = std::string(message_bytes, 'm');
  return f;
}

TEST(FindingsCache, KeepsFindingsByTheWholeKey) {
  FindingsCache cache;
  EXPECT_FALSE(cache.find("k").has_value());
  cache.put("k", {finding("MW2101", 10)});
  auto kept = cache.find("k");
  ASSERT_TRUE(kept.has_value());
  ASSERT_EQ(kept->size(), 1u);
  EXPECT_EQ((*kept)[0].code, "MW2101");
  EXPECT_FALSE(cache.find("k2").has_value());
  // No findings is an answer too (the usual one).
  cache.put("clean", {});
  ASSERT_TRUE(cache.find("clean").has_value());
  EXPECT_TRUE(cache.find("clean")->empty());
  // An empty key (a body too big to keep) is never kept nor found.
  cache.put("", {});
  EXPECT_FALSE(cache.find("").has_value());
}

TEST(FindingsCache, TheOldestEntriesGoWhenTheFindingBytesRunOut) {
  FindingsCache cache(64 * 1024, 64 * 1024);
  for (int i = 0; i < 100; ++i) {
    cache.put("key-" + std::to_string(i), {finding("MW2101", 2000)});
    EXPECT_LE(cache.finding_bytes(), 64u * 1024u);
  }
  EXPECT_FALSE(cache.find("key-0").has_value());
  EXPECT_TRUE(cache.find("key-99").has_value());
  EXPECT_GT(cache.entries(), 10u);
  EXPECT_LT(cache.entries(), 100u);
  // One entry larger than the whole bound is not kept, and evicts nothing.
  const std::size_t before = cache.entries();
  cache.put("huge", {finding("MW2101", 128 * 1024)});
  EXPECT_FALSE(cache.find("huge").has_value());
  EXPECT_EQ(cache.entries(), before);
}

TEST(FindingsCache, KeysWrapAroundTheRingAndNeverAnswerForAnother) {
  // Keys of many sizes through a small ring, many times round: every key is either gone or
  // answered with its own findings, never with those of a key written over it.
  FindingsCache cache(10 * 1000);
  std::vector<std::string> keys;
  std::uint32_t seed = 12345;
  for (int i = 0; i < 2000; ++i) {
    seed = seed * 1103515245u + 12345u;
    const std::size_t size = 1 + (seed >> 16) % 1500;
    // The same bytes in every key but its number at the end.
    const std::string key = std::string(size, 'k') + "#" + std::to_string(i);
    keys.push_back(key);
    cache.put(key, {finding("MW" + std::to_string(i), 1)});
    ASSERT_TRUE(cache.find(key).has_value()) << i;
    if (i % 97 == 0) {
      for (std::size_t j = 0; j < keys.size(); ++j) {
        if (auto kept = cache.find(keys[j])) {
          ASSERT_EQ(kept->size(), 1u);
          EXPECT_EQ((*kept)[0].code, "MW" + std::to_string(j)) << j << " at " << i;
        }
      }
    }
  }
  EXPECT_GT(cache.entries(), 5u);
  EXPECT_LT(cache.entries(), 200u);
  // A key larger than the ring is not kept.
  cache.put(std::string(20 * 1000, 'x'), {});
  EXPECT_FALSE(cache.find(std::string(20 * 1000, 'x')).has_value());
}

}  // namespace
}  // namespace meshward::admission
