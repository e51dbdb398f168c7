#include "meshward/model/kinds/gateway.h"

#include <gtest/gtest.h>

#include "testlib/testlib.h"

namespace meshward::model {
namespace {

using testing::decode_text;
using testing::describe;
using testing::has_finding;
using testing::only;

TEST(GatewayDecode, ServersPortsHostsAndTls) {
  auto result = decode_text(R"(apiVersion: networking.istio.io/v1
kind: Gateway
metadata:
  name: bookinfo-gateway
  namespace: bookinfo
spec:
  selector:
    istio: ingressgateway
  servers:
  - port:
      number: 443
      name: https
      protocol: HTTPS
    hosts:
    - "bookinfo/*.example.com"
    tls:
      mode: SIMPLE
      credentialName: bookinfo-cert
      minProtocolVersion: TLSV1_2
)");
  ASSERT_TRUE(result.findings.empty()) << describe(result.findings);
  const Gateway* gw = only<Gateway>(result);
  ASSERT_NE(gw, nullptr);
  EXPECT_EQ(gw->meta.name, "bookinfo-gateway");
  EXPECT_EQ(gw->meta.namespace_, "bookinfo");
  EXPECT_EQ(gw->spec.selector.at("istio").value, "ingressgateway");
  ASSERT_EQ(gw->spec.servers.size(), 1u);
  const Server& s = gw->spec.servers[0];
  ASSERT_TRUE(s.port.has_value());
  EXPECT_EQ(s.port->number.value, 443u);
  EXPECT_EQ(s.port->protocol.value, "HTTPS");
  EXPECT_EQ(s.hosts[0].value, "bookinfo/*.example.com");
  EXPECT_EQ(s.hosts[0].loc.path, "spec.servers[0].hosts[0]");
  EXPECT_EQ(s.hosts[0].loc.line, 15u);
  ASSERT_TRUE(s.tls.has_value());
  EXPECT_EQ(s.tls->mode.value, ServerTlsMode::Simple);
  EXPECT_EQ(s.tls->min_protocol_version.value, TlsProtocolVersion::V1_2);
  EXPECT_EQ(s.tls->credential_name.value, "bookinfo-cert");
}

TEST(GatewayDecode, BadEnumWrongTypeAndMissingHostsAreFindings) {
  auto result = decode_text(R"(apiVersion: networking.istio.io/v1beta1
kind: Gateway
metadata:
  name: gw
spec:
  servers:
  - port:
      number: "eighty"
      protocol: HTTP
    tls:
      mode: STRICT
)");
  EXPECT_TRUE(has_finding(result.findings, "MW1002", "spec.servers[0].port.number"))
      << describe(result.findings);
  EXPECT_TRUE(has_finding(result.findings, "MW1003", "spec.servers[0].tls.mode"));
  EXPECT_TRUE(has_finding(result.findings, "MW1004", "spec.servers[0].hosts"));
  ASSERT_EQ(result.objects.size(), 1u);
  EXPECT_EQ(result.objects[0]->meta.namespace_, "default");
}

}  // namespace
}  // namespace meshward::model
