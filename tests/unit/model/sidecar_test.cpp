#include "meshward/model/kinds/sidecar.h"

#include <gtest/gtest.h>

#include <string>

#include "testlib/testlib.h"

namespace meshward::model {
namespace {

using testing::decode_text;
using testing::describe;
using testing::finding_line;
using testing::has_finding;
using testing::only;

TEST(SidecarDecode, NamespaceDefaultRestrictsEgressToRegistry) {
  // The Istio docs' namespace-wide default Sidecar. Lines are asserted below.
  auto result = decode_text(R"(apiVersion: networking.istio.io/v1
kind: Sidecar
metadata:
  name: default
  namespace: prod-us1
spec:
  egress:
  - hosts:
    - "./*"
    - "istio-system/*"
  outboundTrafficPolicy:
    mode: REGISTRY_ONLY
)");
  ASSERT_TRUE(result.findings.empty()) << describe(result.findings);
  const Sidecar* sc = only<Sidecar>(result);
  ASSERT_NE(sc, nullptr);
  EXPECT_EQ(sc->meta.name, "default");
  EXPECT_EQ(sc->meta.namespace_, "prod-us1");
  const SidecarSpec& spec = sc->spec;
  EXPECT_FALSE(spec.workload_selector.has_value());
  EXPECT_TRUE(spec.ingress.empty());
  ASSERT_EQ(spec.egress.size(), 1u);
  const IstioEgressListener& egress = spec.egress[0];
  EXPECT_FALSE(egress.port.has_value());
  EXPECT_FALSE(egress.capture_mode.present);
  ASSERT_EQ(egress.hosts.size(), 2u);
  EXPECT_EQ(egress.hosts[0].value, "./*");
  EXPECT_EQ(egress.hosts[1].value, "istio-system/*");
  EXPECT_EQ(egress.hosts[1].loc.path, "spec.egress[0].hosts[1]");
  EXPECT_EQ(egress.hosts[1].loc.line, 10u);
  ASSERT_TRUE(spec.outbound_traffic_policy.has_value());
  EXPECT_TRUE(spec.outbound_traffic_policy->mode.present);
  EXPECT_EQ(spec.outbound_traffic_policy->mode.value, OutboundTrafficPolicyMode::RegistryOnly);
  EXPECT_EQ(spec.outbound_traffic_policy->mode.loc.path, "spec.outboundTrafficPolicy.mode");
  EXPECT_EQ(spec.outbound_traffic_policy->mode.loc.line, 12u);
  EXPECT_FALSE(spec.outbound_traffic_policy->egress_proxy.has_value());
}

// A workload-scoped Sidecar with every field: ingress with TLS and its own connection pool,
// egress bound to a port, ALLOW_ANY through an egress proxy.
constexpr std::string_view kRatings = R"(apiVersion: networking.istio.io/v1beta1
kind: Sidecar
metadata:
  name: ratings
  namespace: prod-us1
spec:
  workloadSelector:
    labels:
      app: ratings
  ingress:
  - port:
      number: 9080
      protocol: HTTPS
      name: somename
    bind: 172.16.1.32
    captureMode: IPTABLES
    defaultEndpoint: 127.0.0.1:8080
    tls:
      mode: SIMPLE
      privateKey: "/etc/certs/privatekey.pem"
      serverCertificate: "/etc/certs/servercert.pem"
    connectionPool:
      tcp:
        maxConnections: 100
      http:
        http1MaxPendingRequests: 16
  egress:
  - port:
      number: 3306
      protocol: MYSQL
      name: egressmysql
    bind: 127.0.0.1
    captureMode: NONE
    hosts:
    - "*/mysql.foo.com"
  - hosts:
    - "istio-system/*"
  outboundTrafficPolicy:
    mode: ALLOW_ANY
    egressProxy:
      host: foo.bar.com
      subset: v1
      port:
        number: 443
  inboundConnectionPool:
    http:
      http2MaxRequests: 1000
      idleTimeout: 30s
)";

TEST(SidecarDecode, EveryFieldOfAWorkloadScopedSidecar) {
  auto result = decode_text(kRatings);
  ASSERT_TRUE(result.findings.empty()) << describe(result.findings);
  const Sidecar* sc = only<Sidecar>(result);
  ASSERT_NE(sc, nullptr);
  const SidecarSpec& spec = sc->spec;
  ASSERT_TRUE(spec.workload_selector.has_value());
  EXPECT_EQ(spec.workload_selector->labels.at("app").value, "ratings");
  EXPECT_EQ(spec.workload_selector->labels.at("app").loc.path, "spec.workloadSelector.labels[app]");

  ASSERT_EQ(spec.ingress.size(), 1u);
  const IstioIngressListener& in = spec.ingress[0];
  EXPECT_EQ(in.loc.path, "spec.ingress[0]");
  EXPECT_EQ(in.loc.line, 11u);
  ASSERT_TRUE(in.port.has_value());
  EXPECT_EQ(in.port->number.value, 9080u);
  EXPECT_EQ(in.port->protocol.value, "HTTPS");
  EXPECT_EQ(in.port->name.value, "somename");
  EXPECT_EQ(in.port->number.loc.path, "spec.ingress[0].port.number");
  EXPECT_EQ(in.port->number.loc.line, 12u);
  EXPECT_EQ(in.bind.value, "172.16.1.32");
  EXPECT_EQ(in.capture_mode.value, CaptureMode::Iptables);
  EXPECT_EQ(in.default_endpoint.value, "127.0.0.1:8080");
  ASSERT_TRUE(in.tls.has_value());
  EXPECT_EQ(in.tls->mode.value, ServerTlsMode::Simple);
  EXPECT_EQ(in.tls->private_key.value, "/etc/certs/privatekey.pem");
  EXPECT_EQ(in.tls->server_certificate.value, "/etc/certs/servercert.pem");
  EXPECT_EQ(in.tls->server_certificate.loc.path, "spec.ingress[0].tls.serverCertificate");
  ASSERT_TRUE(in.connection_pool.has_value());
  EXPECT_EQ(in.connection_pool->loc.path, "spec.ingress[0].connectionPool");
  ASSERT_TRUE(in.connection_pool->tcp.has_value());
  EXPECT_EQ(in.connection_pool->tcp->max_connections.value, 100);
  ASSERT_TRUE(in.connection_pool->http.has_value());
  EXPECT_EQ(in.connection_pool->http->http1_max_pending_requests.value, 16);

  ASSERT_EQ(spec.egress.size(), 2u);
  const IstioEgressListener& mysql = spec.egress[0];
  ASSERT_TRUE(mysql.port.has_value());
  EXPECT_EQ(mysql.port->number.value, 3306u);
  EXPECT_EQ(mysql.port->protocol.value, "MYSQL");
  EXPECT_EQ(mysql.bind.value, "127.0.0.1");
  EXPECT_EQ(mysql.capture_mode.value, CaptureMode::None);
  EXPECT_EQ(mysql.capture_mode.loc.line, 33u);
  ASSERT_EQ(mysql.hosts.size(), 1u);
  EXPECT_EQ(mysql.hosts[0].value, "*/mysql.foo.com");
  EXPECT_EQ(spec.egress[1].hosts[0].value, "istio-system/*");
  EXPECT_EQ(spec.egress[1].hosts[0].loc.path, "spec.egress[1].hosts[0]");
  EXPECT_EQ(spec.egress[1].hosts[0].loc.line, 37u);

  ASSERT_TRUE(spec.outbound_traffic_policy.has_value());
  EXPECT_EQ(spec.outbound_traffic_policy->mode.value, OutboundTrafficPolicyMode::AllowAny);
  ASSERT_TRUE(spec.outbound_traffic_policy->egress_proxy.has_value());
  const Destination& proxy = *spec.outbound_traffic_policy->egress_proxy;
  EXPECT_EQ(proxy.host.value, "foo.bar.com");
  EXPECT_EQ(proxy.host.loc.path, "spec.outboundTrafficPolicy.egressProxy.host");
  EXPECT_EQ(proxy.host.loc.line, 41u);
  EXPECT_EQ(proxy.subset.value, "v1");
  ASSERT_TRUE(proxy.port.has_value());
  EXPECT_EQ(proxy.port->number.value, 443u);

  ASSERT_TRUE(spec.inbound_connection_pool.has_value());
  EXPECT_FALSE(spec.inbound_connection_pool->tcp.has_value());
  ASSERT_TRUE(spec.inbound_connection_pool->http.has_value());
  EXPECT_EQ(spec.inbound_connection_pool->http->http2_max_requests.value, 1000);
  EXPECT_EQ(spec.inbound_connection_pool->http->idle_timeout.value.nanos,
            30LL * 1000 * 1000 * 1000);
  EXPECT_EQ(spec.inbound_connection_pool->http->idle_timeout.loc.path,
            "spec.inboundConnectionPool.http.idleTimeout");
}

TEST(SidecarDecode, EveryServedVersionDecodesToTheSameModel) {
  for (const char* version : {"v1", "v1beta1", "v1alpha3"}) {
    SCOPED_TRACE(version);
    auto result = decode_text(std::string("apiVersion: networking.istio.io/") + version + R"(
kind: Sidecar
metadata:
  name: default
  namespace: bookinfo
spec:
  egress:
  - hosts:
    - "./*"
  outboundTrafficPolicy:
    mode: ALLOW_ANY
)");
    ASSERT_TRUE(result.findings.empty()) << describe(result.findings);
    const Sidecar* sc = only<Sidecar>(result);
    ASSERT_NE(sc, nullptr);
    EXPECT_EQ(sc->api_version, std::string("networking.istio.io/") + version);
    EXPECT_EQ(sc->spec.egress[0].hosts[0].value, "./*");
    EXPECT_EQ(sc->spec.outbound_traffic_policy->mode.value, OutboundTrafficPolicyMode::AllowAny);
  }
}

TEST(SidecarDecode, BadEnumsWrongTypesUnknownAndMissingFieldsAreFindings) {
  auto result = decode_text(R"(apiVersion: networking.istio.io/v1
kind: Sidecar
metadata:
  name: broken
spec:
  workloadSelector:
    matchLabels:
      app: ratings
  ingress:
  - bind: 0.0.0.0
    captureMode: IPTABLE
  - port:
      number: http
    defaultEndpoint: 127.0.0.1:8080
  egress:
  - port:
      number: 80
    host:
    - "./*"
  outboundTrafficPolicy:
    mode: ALLOW
    egressProxy:
      subset: v1
)");
  // Sidecar's selector is `labels`, not the security kinds' `matchLabels`.
  EXPECT_TRUE(has_finding(result.findings, "MW1005", "spec.workloadSelector.matchLabels"))
      << describe(result.findings);
  // Findings point at the value's line; a block mapping's value starts on its first key.
  EXPECT_EQ(finding_line(result.findings, "MW1005", "spec.workloadSelector.matchLabels"), 7u);
  EXPECT_TRUE(has_finding(result.findings, "MW1004", "spec.ingress[0].port"));
  EXPECT_EQ(finding_line(result.findings, "MW1004", "spec.ingress[0].port"), 10u);
  EXPECT_TRUE(has_finding(result.findings, "MW1003", "spec.ingress[0].captureMode"));
  EXPECT_EQ(finding_line(result.findings, "MW1003", "spec.ingress[0].captureMode"), 11u);
  EXPECT_TRUE(has_finding(result.findings, "MW1002", "spec.ingress[1].port.number"));
  EXPECT_TRUE(has_finding(result.findings, "MW1004", "spec.egress[0].hosts"));
  EXPECT_TRUE(has_finding(result.findings, "MW1005", "spec.egress[0].host"));
  EXPECT_TRUE(has_finding(result.findings, "MW1003", "spec.outboundTrafficPolicy.mode"));
  EXPECT_TRUE(
      has_finding(result.findings, "MW1004", "spec.outboundTrafficPolicy.egressProxy.host"));
  EXPECT_EQ(result.findings.size(), 8u) << describe(result.findings);
  const Sidecar* sc = only<Sidecar>(result);
  ASSERT_NE(sc, nullptr);
  ASSERT_EQ(sc->spec.ingress.size(), 2u);
  EXPECT_FALSE(sc->spec.ingress[0].capture_mode.present);
  EXPECT_EQ(sc->spec.ingress[0].bind.value, "0.0.0.0");
  EXPECT_EQ(sc->spec.ingress[1].default_endpoint.value, "127.0.0.1:8080");
  EXPECT_TRUE(sc->spec.egress[0].hosts.empty());
  EXPECT_EQ(sc->spec.egress[0].port->number.value, 80u);
}

TEST(SidecarDecode, ListenersOfTheWrongShapeAreFindings) {
  auto result = decode_text(R"(apiVersion: networking.istio.io/v1
kind: Sidecar
metadata:
  name: shapes
spec:
  egress:
    hosts:
    - "./*"
  ingress:
  - port: 8080
  inboundConnectionPool: 100
)");
  EXPECT_TRUE(has_finding(result.findings, "MW1002", "spec.egress")) << describe(result.findings);
  EXPECT_TRUE(has_finding(result.findings, "MW1002", "spec.ingress[0].port"));
  EXPECT_TRUE(has_finding(result.findings, "MW1002", "spec.inboundConnectionPool"));
  const Sidecar* sc = only<Sidecar>(result);
  ASSERT_NE(sc, nullptr);
  EXPECT_TRUE(sc->spec.egress.empty());
  EXPECT_FALSE(sc->spec.ingress[0].port.has_value());
  EXPECT_FALSE(sc->spec.inbound_connection_pool.has_value());
}

}  // namespace
}  // namespace meshward::model
