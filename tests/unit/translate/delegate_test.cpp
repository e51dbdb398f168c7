// VirtualService delegation (translate/delegate.h): how a delegate route's matches and fields
// merge into the delegating route, and which routes istiod drops.

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "meshward/model/kinds/virtual_service.h"
#include "meshward/translate/delegate.h"
#include "meshward/world/snapshot.h"
#include "testlib/testlib.h"

namespace meshward::translate {
namespace {

// A root in `shop` whose one route (`root_route`, YAML of one http entry without the
// delegate) delegates to shop/leaf, whose http list is `leaf_http`.
struct Merge {
  std::shared_ptr<const world::Snapshot> world;
  DelegateMerge result;
};

Merge merge(const std::string& root_route, const std::string& leaf_http,
            const std::string& leaf_extra = "") {
  const std::string yaml = R"(
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: root, namespace: shop}
spec:
  hosts: [shop.example.com]
  http:
  - delegate: {name: leaf}
)" + root_route + R"(
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: leaf, namespace: shop}
spec:
)" + leaf_extra + "  http:\n" + leaf_http;
  auto decoded = meshward::testing::decode_text(yaml);
  EXPECT_TRUE(decoded.findings.empty()) << meshward::testing::describe(decoded.findings);
  Merge m;
  m.world = world::Snapshot::make(std::move(decoded.objects));
  const auto* root = m.world->find_as<model::VirtualService>("shop", "root");
  m.result = merge_delegates(*root, *m.world, {});
  return m;
}

TEST(Delegate, PrefixWithinTheRootsIsKeptAndCompletedByIt) {
  const Merge m = merge(R"(    name: api
    match:
    - uri: {prefix: /api}
      headers: {x-team: {exact: a}}
    timeout: 5s
    retries: {attempts: 2})",
                        R"(  - name: v1
    match:
    - uri: {prefix: /api/v1}
      headers: {x-user: {exact: b}}
    route:
    - destination: {host: v1}
    retries: {attempts: 7}
)");
  ASSERT_TRUE(m.result.merged);
  EXPECT_TRUE(m.result.problems.empty());
  ASSERT_EQ(m.result.merged->spec.http.size(), 1u);
  const model::HttpRoute& r = m.result.merged->spec.http[0];
  EXPECT_EQ(r.name.value, "api-v1");
  EXPECT_FALSE(r.delegate);
  ASSERT_EQ(r.match.size(), 1u);
  EXPECT_EQ(r.match[0].uri->prefix.value, "/api/v1");
  // Headers of both, the delegate's own fields kept, the root's where it sets none.
  EXPECT_EQ(r.match[0].headers.size(), 2u);
  EXPECT_EQ(r.timeout.value.text, "5s");
  EXPECT_EQ(r.retries->attempts.value, 7);
  EXPECT_EQ(m.result.merged->meta.name, "root");
}

TEST(Delegate, MatchesOutsideTheRootsAreDropped) {
  struct Case {
    const char* root;
    const char* leaf;
    bool kept;
  };
  const Case cases[] = {
      {"prefix: /api", "prefix: /apis", true},     // a string prefix, as istiod compares
      {"prefix: /api", "prefix: /web", false},
      {"prefix: /api", "exact: /api/x", true},
      {"exact: /api", "prefix: /api", false},      // exact root, prefix leaf
      {"exact: /api", "exact: /api", true},
      {"exact: /api", "exact: /apx", false},
      {"regex: /a.*", "prefix: /a", false},        // a regex root takes no other match
      {"prefix: /a", "regex: /a.*", false},        // nor a regex leaf another
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(c.root) + " / " + c.leaf);
    const Merge m = merge(std::string("    match:\n    - uri: {") + c.root + "}",
                          std::string("  - match:\n    - uri: {") + c.leaf +
                              "}\n    route:\n    - destination: {host: x}\n");
    ASSERT_TRUE(m.result.merged);
    EXPECT_EQ(m.result.merged->spec.http.size(), c.kept ? 1u : 0u);
    EXPECT_EQ(m.result.problems.size(), c.kept ? 0u : 1u);
  }
}

TEST(Delegate, APortOrACaseRuleThatDiffersConflicts) {
  const Merge port = merge("    match:\n    - port: 80",
                           "  - match:\n    - port: 8080\n    route:\n    - destination: {host: x}\n");
  EXPECT_TRUE(port.result.merged->spec.http.empty());
  const Merge icase =
      merge("    match:\n    - uri: {prefix: /a}\n      ignoreUriCase: true",
            "  - match:\n    - uri: {prefix: /a/b}\n    route:\n    - destination: {host: x}\n");
  EXPECT_TRUE(icase.result.merged->spec.http.empty());
  // A delegate route without match takes the root's matches whole.
  const Merge none = merge("    match:\n    - uri: {prefix: /a}\n    - uri: {prefix: /b}",
                           "  - route:\n    - destination: {host: x}\n");
  ASSERT_EQ(none.result.merged->spec.http.size(), 1u);
  EXPECT_EQ(none.result.merged->spec.http[0].match.size(), 2u);
}

TEST(Delegate, AnUnexportedDelegateDropsTheRootRoute) {
  const Merge m = merge("    match:\n    - uri: {prefix: /a}",
                        "  - route:\n    - destination: {host: x}\n", "  exportTo: [other]\n");
  ASSERT_TRUE(m.result.merged);
  EXPECT_TRUE(m.result.merged->spec.http.empty());
  ASSERT_EQ(m.result.problems.size(), 1u);
  EXPECT_EQ(m.result.problems[0].delegate, "shop/leaf");
  EXPECT_EQ(m.result.problems[0].delegate_route, std::string::npos);
  EXPECT_EQ(m.result.problems[0].reason, "it is not exported to namespace shop");
}

}  // namespace
}  // namespace meshward::translate
