#include "meshward/world/order.h"

#include <gtest/gtest.h>

#include <limits>

#include "world_testing.h"

namespace meshward::world {
namespace {

TEST(Rfc3339, Parses) {
  EXPECT_EQ(parse_rfc3339_nanos("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(parse_rfc3339_nanos("1970-01-01T00:00:01Z"), 1000000000);
  EXPECT_EQ(parse_rfc3339_nanos("1970-01-02T00:00:00Z"), 86400LL * 1000000000);
  EXPECT_EQ(parse_rfc3339_nanos("2024-03-01T00:00:00Z").value() -
                parse_rfc3339_nanos("2024-02-28T00:00:00Z").value(),
            2 * 86400LL * 1000000000);  // leap year
  EXPECT_EQ(parse_rfc3339_nanos("1970-01-01T00:00:00.25Z"), 250000000);
  EXPECT_EQ(parse_rfc3339_nanos("1970-01-01T02:00:00+02:00"), 0);
  EXPECT_EQ(parse_rfc3339_nanos("1969-12-31T22:00:00-02:00"), 0);
  EXPECT_EQ(parse_rfc3339_nanos("1970-01-01t00:00:00z"), 0);
}

TEST(Rfc3339, RejectsMalformed) {
  for (const char* bad : {"", "2024", "2024-01-01", "2024-01-01T00:00:00", "2024-13-01T00:00:00Z",
                          "2024-01-01T00:00:00.Z", "2024-01-01T00:00:00Zjunk",
                          "2024-01-01 00:00:00Z", "2024-01-01T00:00:00+0200"}) {
    EXPECT_FALSE(parse_rfc3339_nanos(bad).has_value()) << bad;
  }
}

TEST(StableOrder, TimeThenSequenceThenName) {
  auto objects = testing::decode_all(R"(
apiVersion: v1
kind: Pod
metadata: {name: b, namespace: ns, creationTimestamp: "2024-01-01T00:00:00Z"}
---
apiVersion: v1
kind: Pod
metadata: {name: a, namespace: ns, creationTimestamp: "2024-01-01T00:00:00Z"}
---
apiVersion: v1
kind: Pod
metadata: {name: z, namespace: ns, creationTimestamp: "2023-01-01T00:00:00.5Z"}
---
apiVersion: v1
kind: Pod
metadata: {name: yy, namespace: ns}
)");
  ASSERT_EQ(objects.size(), 4u);
  const auto& b = *objects[0];
  const auto& a = *objects[1];
  const auto& z = *objects[2];
  const auto& y = *objects[3];
  EXPECT_TRUE(stable_less(b, a));  // same time: file order first
  EXPECT_TRUE(stable_less(z, b));  // older first
  EXPECT_TRUE(stable_less(y, z));  // no timestamp sorts before all
  EXPECT_FALSE(stable_less(a, a));
  EXPECT_EQ(creation_time_nanos(y), std::numeric_limits<std::int64_t>::min());
  // Same time and sequence (e.g. from the API server): name, then namespace.
  auto x1 = testing::decode_all("apiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: ns2}\n");
  auto x2 = testing::decode_all("apiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: ns1}\n");
  auto x3 = testing::decode_all("apiVersion: v1\nkind: Pod\nmetadata: {name: b, namespace: ns0}\n");
  EXPECT_TRUE(stable_less(*x2[0], *x1[0]));
  EXPECT_TRUE(stable_less(*x1[0], *x3[0]));
}

}  // namespace
}  // namespace meshward::world

namespace meshward::world {
namespace {

// RFC 3339 years run to 9999; nanoseconds since the epoch fit 64 bits only from 1677 to 2262
// (found by fuzz_kube_list: a creationTimestamp in 4428 overflowed). Times beyond are held at
// the ends and still order after (before) every time in range.
TEST(Order, TimestampsBeyondTheNanosecondRangeSaturate) {
  const auto late = parse_rfc3339_nanos("4428-01-01T00:00:00Z");
  const auto latest = parse_rfc3339_nanos("9999-12-31T23:59:59Z");
  const auto in_range = parse_rfc3339_nanos("2262-01-01T00:00:00Z");
  const auto early = parse_rfc3339_nanos("0001-01-01T00:00:00Z");
  ASSERT_TRUE(late && latest && in_range && early);
  EXPECT_EQ(*late, std::numeric_limits<std::int64_t>::max());
  EXPECT_EQ(*latest, std::numeric_limits<std::int64_t>::max());
  EXPECT_LT(*in_range, *late);
  EXPECT_LT(*early, *in_range);
  EXPECT_GT(*early, std::numeric_limits<std::int64_t>::min());  // min() is "no timestamp"
}

}  // namespace
}  // namespace meshward::world
