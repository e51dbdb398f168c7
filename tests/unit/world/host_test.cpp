#include "meshward/world/host.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace meshward::world {
namespace {

struct MatchCase {
  const char* a;
  const char* b;
  bool matches;   // host_matches(a, b), and (symmetric) host_matches(b, a)
  bool a_subset;  // host_subset_of(a, b)
  bool b_subset;  // host_subset_of(b, a)
};

// Istio's own table (pkg/config/host/name_test.go) plus the cases meshward relies on.
const MatchCase kCases[] = {
    {"foo.com", "foo.com", true, true, true},
    {"foo.com", "bar.com", false, false, false},
    {"*.com", "foo.com", true, false, true},
    {"bar.com", "*.com", true, true, false},
    {"*.foo.com", "foo.com", false, false, false},
    {"*", "foo.com", true, false, true},
    {"*", "*.com", true, false, true},
    {"*", "*", true, true, true},
    {"*.a.com", "b.a.com", true, false, true},
    {"*.a.com", "a.com", false, false, false},
    {"*.a.com", "x.b.a.com", true, false, true},
    {"*.a.com", "*.b.a.com", true, false, true},
    {"*.a.com", "*.a.com", true, true, true},
    {"*.a.com", "*.b.com", false, false, false},
    {"*.b.a.com", "*.c.a.com", false, false, false},
    {"*.bookinfo.svc.cluster.local", "reviews.bookinfo.svc.cluster.local", true, false, true},
    {"*.bookinfo.svc.cluster.local", "reviews.default.svc.cluster.local", false, false, false},
    {"*.svc.cluster.local", "*.bookinfo.svc.cluster.local", true, false, true},
    {"reviews", "reviews.bookinfo.svc.cluster.local", false, false, false},
    // Istio compares raw suffixes, not labels.
    {"*a.com", "ba.com", true, false, true},
    {"", "", true, true, true},
    {"*", "", true, false, true},
};

TEST(HostMatches, IstioTable) {
  for (const auto& c : kCases) {
    SCOPED_TRACE(std::string(c.a) + " vs " + c.b);
    EXPECT_EQ(host_matches(c.a, c.b), c.matches);
    EXPECT_EQ(host_matches(c.b, c.a), c.matches);
    EXPECT_EQ(host_subset_of(c.a, c.b), c.a_subset);
    EXPECT_EQ(host_subset_of(c.b, c.a), c.b_subset);
  }
}

TEST(HostMatches, IsWildcard) {
  EXPECT_TRUE(is_wildcard("*"));
  EXPECT_TRUE(is_wildcard("*.a.com"));
  EXPECT_FALSE(is_wildcard("a.*.com"));
  EXPECT_FALSE(is_wildcard(""));
  EXPECT_FALSE(is_wildcard("a.com"));
}

TEST(HostResolve, ShortNamesAcrossNamespaces) {
  EXPECT_EQ(resolve_short_name("reviews", "bookinfo"), "reviews.bookinfo.svc.cluster.local");
  EXPECT_EQ(resolve_short_name("reviews", "default"), "reviews.default.svc.cluster.local");
  EXPECT_EQ(resolve_short_name("reviews", "bookinfo", "corp.internal"),
            "reviews.bookinfo.svc.corp.internal");
  // A dot means "already qualified", even when it is not a full FQDN.
  EXPECT_EQ(resolve_short_name("reviews.bookinfo", "default"), "reviews.bookinfo");
  EXPECT_EQ(resolve_short_name("reviews.bookinfo.svc.cluster.local", "default"),
            "reviews.bookinfo.svc.cluster.local");
  EXPECT_EQ(resolve_short_name("*.bookinfo.svc.cluster.local", "default"),
            "*.bookinfo.svc.cluster.local");
  EXPECT_EQ(resolve_short_name("*", "default"), "*");
  EXPECT_EQ(resolve_short_name("10.0.0.1", "default"), "10.0.0.1");
  EXPECT_EQ(resolve_short_name("::1", "default"), "::1");
  EXPECT_EQ(resolve_short_name("2001:db8::5", "default"), "2001:db8::5");
  EXPECT_EQ(resolve_short_name("", "default"), "");
  EXPECT_EQ(resolve_short_name("reviews", ""), "reviews.svc.cluster.local");
  EXPECT_EQ(resolve_short_name("reviews", "ns", ""), "reviews.ns");
}

TEST(HostResolve, ServiceFqdn) {
  EXPECT_EQ(service_fqdn("reviews", "bookinfo"), "reviews.bookinfo.svc.cluster.local");
  EXPECT_EQ(service_fqdn("a", "b", "example"), "a.b.svc.example");
}

TEST(HostResolve, IpAddresses) {
  EXPECT_TRUE(is_ip_address("10.1.2.3"));
  EXPECT_TRUE(is_ip_address("::"));
  EXPECT_TRUE(is_ip_address("fe80::1%eth0"));
  EXPECT_FALSE(is_ip_address("fe80::1%"));
  EXPECT_FALSE(is_ip_address("10.1.2"));
  EXPECT_FALSE(is_ip_address("reviews"));
  EXPECT_FALSE(is_ip_address(""));
  EXPECT_FALSE(is_ip_address(std::string(100, '1')));
}

TEST(GatewayRefs, ResolveForms) {
  EXPECT_EQ(resolve_gateway_ref("gw", "bookinfo"), "bookinfo/gw");
  EXPECT_EQ(resolve_gateway_ref("./gw", "bookinfo"), "bookinfo/gw");
  EXPECT_EQ(resolve_gateway_ref("other/gw", "bookinfo"), "other/gw");
  EXPECT_EQ(resolve_gateway_ref("gw.istio-system.svc.cluster.local", "bookinfo"),
            "istio-system/gw");
  EXPECT_EQ(resolve_gateway_ref("gw.istio-system", "bookinfo"), "istio-system/gw");
  EXPECT_EQ(resolve_gateway_ref("mesh", "bookinfo"), "mesh");
}

std::vector<model::Field<std::string>> fields(std::vector<std::string> values) {
  std::vector<model::Field<std::string>> out;
  for (auto& v : values) {
    model::Field<std::string> f;
    f.value = std::move(v);
    f.present = true;
    out.push_back(std::move(f));
  }
  return out;
}

TEST(GatewayRefs, ListDefaultsToMeshAndDropsDuplicates) {
  EXPECT_EQ(resolve_gateway_refs({}, "ns"), std::vector<std::string>{"mesh"});
  EXPECT_EQ(resolve_gateway_refs(fields({"gw", "./gw", "ns/gw", "mesh", "other/gw"}), "ns"),
            (std::vector<std::string>{"ns/gw", "mesh", "other/gw"}));
}

}  // namespace
}  // namespace meshward::world
