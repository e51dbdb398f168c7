#include "meshward/translate/names.h"

#include <gtest/gtest.h>

namespace meshward::translate {
namespace {

TEST(NamesTest, OutboundCluster) {
  EXPECT_EQ(outbound_cluster_name(9080, "v2", "reviews.bookinfo.svc.cluster.local"),
            "outbound|9080|v2|reviews.bookinfo.svc.cluster.local");
  EXPECT_EQ(outbound_cluster_name(443, "", "api.example.com"), "outbound|443||api.example.com");
}

TEST(NamesTest, InboundCluster) { EXPECT_EQ(inbound_cluster_name(8080), "inbound|8080||"); }

TEST(NamesTest, SniDnsName) {
  EXPECT_EQ(sni_dns_name(9080, "v1", "reviews.bookinfo.svc.cluster.local"),
            "outbound_.9080_.v1_.reviews.bookinfo.svc.cluster.local");
  EXPECT_EQ(sni_dns_name(80, "", "a.b.svc.cluster.local"), "outbound_.80_._.a.b.svc.cluster.local");
}

TEST(NamesTest, GatewayRoutes) {
  EXPECT_EQ(gateway_http_route_name(8080), "http.8080");
  EXPECT_EQ(gateway_http_route_name(8080, "10.0.0.1"), "http.8080.10.0.0.1");
  EXPECT_EQ(gateway_https_route_name(443, "https", "bookinfo-gateway", "bookinfo"),
            "https.443.https.bookinfo-gateway.bookinfo");
  EXPECT_EQ(gateway_https_route_name(443, "https", "gw", "ns", "1.2.3.4"),
            "https.443.https.gw.ns.1.2.3.4");
}

TEST(NamesTest, SidecarRoute) { EXPECT_EQ(sidecar_route_name(9080), "9080"); }

TEST(NamesTest, VirtualHosts) {
  EXPECT_EQ(vhost_name("reviews.bookinfo.svc.cluster.local", 9080),
            "reviews.bookinfo.svc.cluster.local:9080");
  EXPECT_EQ(vhost_name("::1", 80), "[::1]:80");
  EXPECT_EQ(blackhole_vhost_name(8080), "blackhole:8080");
}

TEST(NamesTest, Listener) {
  EXPECT_EQ(listener_name("0.0.0.0", 8080), "0.0.0.0_8080");
  EXPECT_EQ(listener_name("10.1.2.3", 15021), "10.1.2.3_15021");
}

}  // namespace
}  // namespace meshward::translate
