// The indexes against brute force: random worlds queried through Snapshot and through
// NaiveView (linear scans over the per-object predicates) must answer identically; and
// HostIndex against host_matches over random host sets.

#include <gtest/gtest.h>

#include <cstdio>

#include "meshward/world/host.h"
#include "meshward/world/host_index.h"
#include "meshward/world/snapshot.h"
#include "world_testing.h"

namespace meshward::world {
namespace {

using testing::decode_all;
using testing::expect_same_answers;
using testing::NaiveView;
using testing::WorldGenerator;

TEST(SnapshotProperty, IndexesAgreeWithBruteForce) {
  for (unsigned seed = 100; seed < 110; ++seed) {
    WorldGenerator gen(seed);
    const auto objects = decode_all(gen.world(200));
    const Snapshot snap(objects);
    const NaiveView naive(objects);
    expect_same_answers(snap, naive, "seed " + std::to_string(seed));
    if (::testing::Test::HasFailure()) {
      return;
    }
  }
}

// Random host names over a tiny alphabet of labels, so suffixes collide often.
std::string random_host(std::mt19937& rng, bool allow_wildcard) {
  static const char* const labels[] = {"a", "b", "ab", "ba", "com", "svc", ""};
  std::uniform_int_distribution<int> n_labels(0, 3);
  std::uniform_int_distribution<std::size_t> label(0, std::size(labels) - 1);
  std::uniform_int_distribution<int> kind(0, 5);
  std::string host;
  const int n = n_labels(rng);
  for (int i = 0; i < n; ++i) {
    host += (i == 0 ? "" : ".");
    host += labels[label(rng)];
  }
  if (allow_wildcard) {
    switch (kind(rng)) {
      case 0:
        return "*";
      case 1:
        return "*." + host;
      case 2:
        return "*" + host;  // raw-suffix wildcard, legal for Istio's matcher
      default:
        break;
    }
  }
  return host;
}

TEST(HostIndexProperty, AgreesWithHostMatches) {
  std::mt19937 rng(7);
  for (int round = 0; round < 20; ++round) {
    std::vector<std::string> hosts;
    for (int i = 0; i < 60; ++i) {
      hosts.push_back(random_host(rng, true));
    }
    HostIndex index;
    for (std::uint32_t i = 0; i < hosts.size(); ++i) {
      index.add(hosts[i], i / 2);  // two hosts per id: duplicates must be tolerated
    }
    index.finish();
    EXPECT_EQ(index.size(), hosts.size());
    for (int q = 0; q < 200; ++q) {
      const std::string query = random_host(rng, true);
      std::vector<std::uint32_t> got;
      index.match(query, got);
      std::sort(got.begin(), got.end());
      got.erase(std::unique(got.begin(), got.end()), got.end());
      std::vector<std::uint32_t> want;
      for (std::uint32_t i = 0; i < hosts.size(); ++i) {
        if (host_matches(hosts[i], query) && (want.empty() || want.back() != i / 2)) {
          want.push_back(i / 2);
        }
      }
      ASSERT_EQ(got, want) << "query '" << query << "' round " << round;
    }
  }
}

TEST(HostIndexProperty, EmptyIndex) {
  HostIndex index;
  index.finish();
  std::vector<std::uint32_t> out;
  index.match("*", out);
  index.match("a.com", out);
  EXPECT_TRUE(out.empty());
}

// A 10k-object world indexes completely: every object findable by key, host queries answer.
// (Timing lives in bench/decode_bench, never in a unit test.)
TEST(SnapshotScale, TenThousandObjects) {
  WorldGenerator gen(42);
  std::string yaml;
  int n = 0;
  // Unique names so nothing is shadowed: 10k distinct objects.
  for (; n < 10000; ++n) {
    const std::string kind = gen.kind();
    yaml += "---\n" + gen.object(kind, "ns" + std::to_string(n % 50),
                                 WorldGenerator::prefix(kind) + std::to_string(n));
  }
  const auto objects = decode_all(yaml);
  ASSERT_EQ(objects.size(), 10000u);
  const Snapshot snap(objects);
  EXPECT_EQ(snap.size(), 10000u);
  for (const auto& object : objects) {
    ASSERT_EQ(snap.find(model::key_of(*object)), object.get());
  }
  std::size_t hits = 0;
  for (const auto* query : WorldGenerator::kQueries) {
    hits += snap.by_host(model::Kind::VirtualService, query).size();
  }
  EXPECT_GT(hits, 0u);
}

}  // namespace
}  // namespace meshward::world
