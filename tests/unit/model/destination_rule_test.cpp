#include "meshward/model/kinds/destination_rule.h"

#include <gtest/gtest.h>

#include <string>

#include "testlib/testlib.h"

namespace meshward::model {
namespace {

using testing::decode_text;
using testing::describe;
using testing::has_finding;
using testing::only;

// A production-style DestinationRule touching every TrafficPolicy member. Line numbers are
// asserted below, so edit with care.
constexpr std::string_view kReviews = R"(apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: reviews
  namespace: bookinfo
spec:
  host: reviews.bookinfo.svc.cluster.local
  exportTo:
  - "."
  - istio-system
  workloadSelector:
    matchLabels:
      app: productpage
  trafficPolicy:
    loadBalancer:
      consistentHash:
        httpCookie:
          name: session
          path: /
          ttl: 30m
          attributes:
          - name: SameSite
            value: Strict
          - name: Secure
        ringHash:
          minimumRingSize: 2048
      localityLbSetting:
        enabled: true
        distribute:
        - from: us-west/zone1/*
          to:
            "us-west/zone1/*": 80
            "us-west/zone2/*": 20
        failover:
        - from: us-west
          to: us-east
        failoverPriority:
        - topology.kubernetes.io/region
      warmup:
        duration: 60s
        minimumPercent: 10
        aggression: 1.5
    connectionPool:
      tcp:
        maxConnections: 100
        connectTimeout: 30ms
        tcpKeepalive:
          probes: 9
          time: 7200s
          interval: 75s
        maxConnectionDuration: 1h
        idleTimeout: 10m
      http:
        http1MaxPendingRequests: 64
        http2MaxRequests: 1000
        maxRequestsPerConnection: 10
        maxRetries: 3
        idleTimeout: 90s
        h2UpgradePolicy: UPGRADE
        useClientProtocol: false
        maxConcurrentStreams: 256
    outlierDetection:
      splitExternalLocalOriginErrors: true
      consecutiveLocalOriginFailures: 4
      consecutiveGatewayErrors: 3
      consecutive5xxErrors: 7
      interval: 5m
      baseEjectionTime: 15m
      maxEjectionPercent: 50
      minHealthPercent: 30
    tls:
      mode: ISTIO_MUTUAL
      sni: reviews.bookinfo.svc.cluster.local
    portLevelSettings:
    - port:
        number: 9443
      loadBalancer:
        simple: LEAST_REQUEST
      connectionPool:
        tcp:
          maxConnections: 10
      outlierDetection:
        consecutive5xxErrors: 2
      tls:
        mode: MUTUAL
        clientCertificate: /etc/certs/cert.pem
        privateKey: /etc/certs/key.pem
        caCertificates: /etc/certs/ca.pem
        credentialName: reviews-client
        subjectAltNames:
        - spiffe://cluster.local/ns/bookinfo/sa/reviews
        insecureSkipVerify: false
        caCrl: /etc/certs/crl.pem
    tunnel:
      protocol: CONNECT
      targetHost: reviews.internal
      targetPort: 8443
    proxyProtocol:
      version: V2
    retryBudget:
      percent: 25.5
      minRetryConcurrency: 5
      budgetInterval: 10s
  subsets:
  - name: v1
    labels:
      version: v1
  - name: v2
    labels:
      version: v2
      track: canary
    trafficPolicy:
      loadBalancer:
        simple: ROUND_ROBIN
        warmupDurationSecs: 30s
      tls:
        mode: SIMPLE
)";

TEST(DestinationRuleDecode, EveryTrafficPolicyFeature) {
  auto result = decode_text(kReviews);
  ASSERT_TRUE(result.findings.empty()) << describe(result.findings);
  const DestinationRule* dr = only<DestinationRule>(result);
  ASSERT_NE(dr, nullptr);
  EXPECT_EQ(dr->meta.name, "reviews");
  EXPECT_EQ(dr->meta.namespace_, "bookinfo");
  const DestinationRuleSpec& spec = dr->spec;
  EXPECT_EQ(spec.host.value, "reviews.bookinfo.svc.cluster.local");
  EXPECT_EQ(spec.host.loc.path, "spec.host");
  EXPECT_EQ(spec.host.loc.line, 7u);
  ASSERT_EQ(spec.export_to.size(), 2u);
  EXPECT_EQ(spec.export_to[0].value, ".");
  EXPECT_EQ(spec.export_to[1].value, "istio-system");
  ASSERT_TRUE(spec.workload_selector.has_value());
  EXPECT_EQ(spec.workload_selector->match_labels.at("app").value, "productpage");
  EXPECT_EQ(spec.workload_selector->match_labels.at("app").loc.path,
            "spec.workloadSelector.matchLabels[app]");

  ASSERT_TRUE(spec.traffic_policy.has_value());
  const TrafficPolicy& tp = *spec.traffic_policy;

  // Load balancing.
  ASSERT_TRUE(tp.load_balancer.has_value());
  const LoadBalancerSettings& lb = *tp.load_balancer;
  EXPECT_FALSE(lb.simple.present);
  ASSERT_TRUE(lb.consistent_hash.has_value());
  const ConsistentHashLb& ch = *lb.consistent_hash;
  ASSERT_TRUE(ch.http_cookie.has_value());
  EXPECT_EQ(ch.http_cookie->name.value, "session");
  EXPECT_EQ(ch.http_cookie->path.value, "/");
  EXPECT_EQ(ch.http_cookie->ttl.value.nanos, 30LL * 60 * 1'000'000'000);
  ASSERT_EQ(ch.http_cookie->attributes.size(), 2u);
  EXPECT_EQ(ch.http_cookie->attributes[0].name.value, "SameSite");
  EXPECT_EQ(ch.http_cookie->attributes[0].value.value, "Strict");
  EXPECT_EQ(ch.http_cookie->attributes[1].name.value, "Secure");
  EXPECT_FALSE(ch.http_cookie->attributes[1].value.present);
  EXPECT_FALSE(ch.http_header_name.present);
  EXPECT_FALSE(ch.use_source_ip.present);
  EXPECT_FALSE(ch.http_query_parameter_name.present);
  ASSERT_TRUE(ch.ring_hash.has_value());
  EXPECT_EQ(ch.ring_hash->minimum_ring_size.value, 2048u);
  EXPECT_FALSE(ch.maglev.has_value());
  EXPECT_FALSE(ch.minimum_ring_size.present);
  ASSERT_TRUE(lb.locality_lb_setting.has_value());
  const LocalityLoadBalancerSetting& loc = *lb.locality_lb_setting;
  EXPECT_TRUE(loc.enabled.value);
  ASSERT_EQ(loc.distribute.size(), 1u);
  EXPECT_EQ(loc.distribute[0].from.value, "us-west/zone1/*");
  EXPECT_EQ(loc.distribute[0].to.at("us-west/zone1/*").value, 80u);
  EXPECT_EQ(loc.distribute[0].to.at("us-west/zone2/*").value, 20u);
  EXPECT_EQ(loc.distribute[0].to.at("us-west/zone2/*").loc.path,
            "spec.trafficPolicy.loadBalancer.localityLbSetting.distribute[0].to[us-west/zone2/*]");
  ASSERT_EQ(loc.failover.size(), 1u);
  EXPECT_EQ(loc.failover[0].from.value, "us-west");
  EXPECT_EQ(loc.failover[0].to.value, "us-east");
  ASSERT_EQ(loc.failover_priority.size(), 1u);
  EXPECT_EQ(loc.failover_priority[0].value, "topology.kubernetes.io/region");
  ASSERT_TRUE(lb.warmup.has_value());
  EXPECT_EQ(lb.warmup->duration.value.nanos, 60'000'000'000);
  EXPECT_DOUBLE_EQ(lb.warmup->minimum_percent.value, 10.0);
  EXPECT_DOUBLE_EQ(lb.warmup->aggression.value, 1.5);
  EXPECT_FALSE(lb.warmup_duration_secs.present);

  // Connection pool.
  ASSERT_TRUE(tp.connection_pool.has_value());
  ASSERT_TRUE(tp.connection_pool->tcp.has_value());
  const TcpSettings& tcp = *tp.connection_pool->tcp;
  EXPECT_EQ(tcp.max_connections.value, 100);
  EXPECT_EQ(tcp.connect_timeout.value.nanos, 30'000'000);
  ASSERT_TRUE(tcp.tcp_keepalive.has_value());
  EXPECT_EQ(tcp.tcp_keepalive->probes.value, 9u);
  EXPECT_EQ(tcp.tcp_keepalive->time.value.nanos, 7200LL * 1'000'000'000);
  EXPECT_EQ(tcp.tcp_keepalive->interval.value.nanos, 75LL * 1'000'000'000);
  EXPECT_EQ(tcp.max_connection_duration.value.nanos, 3600LL * 1'000'000'000);
  EXPECT_EQ(tcp.idle_timeout.value.text, "10m");
  ASSERT_TRUE(tp.connection_pool->http.has_value());
  const HttpSettings& http = *tp.connection_pool->http;
  EXPECT_EQ(http.http1_max_pending_requests.value, 64);
  EXPECT_EQ(http.http2_max_requests.value, 1000);
  EXPECT_EQ(http.max_requests_per_connection.value, 10);
  EXPECT_EQ(http.max_retries.value, 3);
  EXPECT_EQ(http.idle_timeout.value.nanos, 90LL * 1'000'000'000);
  EXPECT_EQ(http.h2_upgrade_policy.value, H2UpgradePolicy::Upgrade);
  EXPECT_TRUE(http.use_client_protocol.present);
  EXPECT_FALSE(http.use_client_protocol.value);
  EXPECT_EQ(http.max_concurrent_streams.value, 256);
  EXPECT_EQ(http.max_concurrent_streams.loc.path,
            "spec.trafficPolicy.connectionPool.http.maxConcurrentStreams");

  // Outlier detection.
  ASSERT_TRUE(tp.outlier_detection.has_value());
  const OutlierDetection& od = *tp.outlier_detection;
  EXPECT_TRUE(od.split_external_local_origin_errors.value);
  EXPECT_EQ(od.consecutive_local_origin_failures.value, 4u);
  EXPECT_EQ(od.consecutive_gateway_errors.value, 3u);
  EXPECT_EQ(od.consecutive_5xx_errors.value, 7u);
  EXPECT_EQ(od.consecutive_5xx_errors.loc.line, 66u);
  EXPECT_FALSE(od.consecutive_errors.present);
  EXPECT_EQ(od.interval.value.nanos, 5LL * 60 * 1'000'000'000);
  EXPECT_EQ(od.base_ejection_time.value.nanos, 15LL * 60 * 1'000'000'000);
  EXPECT_EQ(od.max_ejection_percent.value, 50);
  EXPECT_EQ(od.min_health_percent.value, 30);

  // Client TLS.
  ASSERT_TRUE(tp.tls.has_value());
  EXPECT_EQ(tp.tls->mode.value, ClientTlsMode::IstioMutual);
  EXPECT_EQ(tp.tls->mode.loc.path, "spec.trafficPolicy.tls.mode");
  EXPECT_EQ(tp.tls->mode.loc.line, 72u);
  EXPECT_EQ(tp.tls->sni.value, "reviews.bookinfo.svc.cluster.local");
  EXPECT_FALSE(tp.tls->client_certificate.present);

  // Port-level overrides.
  ASSERT_EQ(tp.port_level_settings.size(), 1u);
  const PortTrafficPolicy& pls = tp.port_level_settings[0];
  ASSERT_TRUE(pls.port.has_value());
  EXPECT_EQ(pls.port->number.value, 9443u);
  EXPECT_EQ(pls.load_balancer->simple.value, SimpleLb::LeastRequest);
  EXPECT_EQ(pls.connection_pool->tcp->max_connections.value, 10);
  EXPECT_EQ(pls.outlier_detection->consecutive_5xx_errors.value, 2u);
  ASSERT_TRUE(pls.tls.has_value());
  const ClientTlsSettings& mtls = *pls.tls;
  EXPECT_EQ(mtls.mode.value, ClientTlsMode::Mutual);
  EXPECT_EQ(mtls.client_certificate.value, "/etc/certs/cert.pem");
  EXPECT_EQ(mtls.private_key.value, "/etc/certs/key.pem");
  EXPECT_EQ(mtls.ca_certificates.value, "/etc/certs/ca.pem");
  EXPECT_EQ(mtls.credential_name.value, "reviews-client");
  ASSERT_EQ(mtls.subject_alt_names.size(), 1u);
  EXPECT_EQ(mtls.subject_alt_names[0].value, "spiffe://cluster.local/ns/bookinfo/sa/reviews");
  EXPECT_EQ(mtls.subject_alt_names[0].loc.path,
            "spec.trafficPolicy.portLevelSettings[0].tls.subjectAltNames[0]");
  EXPECT_TRUE(mtls.insecure_skip_verify.present);
  EXPECT_FALSE(mtls.insecure_skip_verify.value);
  EXPECT_EQ(mtls.ca_crl.value, "/etc/certs/crl.pem");

  // Tunnel, PROXY protocol, retry budget.
  ASSERT_TRUE(tp.tunnel.has_value());
  EXPECT_EQ(tp.tunnel->protocol.value, "CONNECT");
  EXPECT_EQ(tp.tunnel->target_host.value, "reviews.internal");
  EXPECT_EQ(tp.tunnel->target_port.value, 8443u);
  ASSERT_TRUE(tp.proxy_protocol.has_value());
  EXPECT_EQ(tp.proxy_protocol->version.value, ProxyProtocolVersion::V2);
  ASSERT_TRUE(tp.retry_budget.has_value());
  EXPECT_DOUBLE_EQ(tp.retry_budget->percent.value, 25.5);
  EXPECT_EQ(tp.retry_budget->min_retry_concurrency.value, 5u);
  EXPECT_EQ(tp.retry_budget->budget_interval.value.nanos, 10LL * 1'000'000'000);

  // Subsets.
  ASSERT_EQ(spec.subsets.size(), 2u);
  const Subset& v1 = spec.subsets[0];
  EXPECT_EQ(v1.name.value, "v1");
  EXPECT_EQ(v1.name.loc.path, "spec.subsets[0].name");
  EXPECT_EQ(v1.name.loc.line, 105u);
  EXPECT_EQ(v1.labels.size(), 1u);
  EXPECT_EQ(v1.labels.at("version").value, "v1");
  EXPECT_FALSE(v1.traffic_policy.has_value());
  const Subset& v2 = spec.subsets[1];
  EXPECT_EQ(v2.name.value, "v2");
  EXPECT_EQ(v2.labels.size(), 2u);
  EXPECT_EQ(v2.labels.at("track").value, "canary");
  EXPECT_EQ(v2.labels.at("track").loc.path, "spec.subsets[1].labels[track]");
  EXPECT_EQ(v2.labels.at("track").loc.line, 111u);
  ASSERT_TRUE(v2.traffic_policy.has_value());
  EXPECT_EQ(v2.traffic_policy->load_balancer->simple.value, SimpleLb::RoundRobin);
  EXPECT_EQ(v2.traffic_policy->load_balancer->warmup_duration_secs.value.nanos,
            30LL * 1'000'000'000);
  EXPECT_EQ(v2.traffic_policy->tls->mode.value, ClientTlsMode::Simple);
  EXPECT_EQ(v2.traffic_policy->tls->mode.loc.path, "spec.subsets[1].trafficPolicy.tls.mode");
}

TEST(DestinationRuleDecode, AllApiVersionsDecodeToTheSameModel) {
  const std::string body(kReviews.substr(kReviews.find('\n')));
  for (const char* version : {"v1", "v1beta1", "v1alpha3"}) {
    SCOPED_TRACE(version);
    auto result = decode_text("apiVersion: networking.istio.io/" + std::string(version) + body);
    ASSERT_TRUE(result.findings.empty()) << describe(result.findings);
    const DestinationRule* dr = only<DestinationRule>(result);
    ASSERT_NE(dr, nullptr);
    EXPECT_EQ(dr->spec.host.value, "reviews.bookinfo.svc.cluster.local");
    ASSERT_EQ(dr->spec.subsets.size(), 2u);
    EXPECT_EQ(dr->spec.subsets[1].labels.at("version").value, "v2");
    EXPECT_EQ(dr->spec.traffic_policy->tls->mode.value, ClientTlsMode::IstioMutual);
    EXPECT_EQ(dr->spec.traffic_policy->outlier_detection->consecutive_5xx_errors.value, 7u);
    EXPECT_EQ(dr->spec.traffic_policy->port_level_settings[0].load_balancer->simple.value,
              SimpleLb::LeastRequest);
  }
}

TEST(DestinationRuleDecode, SimpleLbNamesAndNumbersFollowProtoOrder) {
  struct Case {
    const char* wire;
    SimpleLb expected;
  };
  // Numbers are accepted as protobuf JSON allows; they must map through proto order
  // (UNSPECIFIED=0, LEAST_CONN=1, RANDOM=2, PASSTHROUGH=3, ROUND_ROBIN=4, LEAST_REQUEST=5).
  const Case cases[] = {
      {"UNSPECIFIED", SimpleLb::Unspecified},
      {"LEAST_CONN", SimpleLb::LeastConn},
      {"RANDOM", SimpleLb::Random},
      {"PASSTHROUGH", SimpleLb::Passthrough},
      {"ROUND_ROBIN", SimpleLb::RoundRobin},
      {"LEAST_REQUEST", SimpleLb::LeastRequest},
      {"4", SimpleLb::RoundRobin},
      {"5", SimpleLb::LeastRequest},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.wire);
    auto result = decode_text(std::string(R"(apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: lb
spec:
  host: ratings
  trafficPolicy:
    loadBalancer:
      simple: )") + c.wire + "\n");
    ASSERT_TRUE(result.findings.empty()) << describe(result.findings);
    const DestinationRule* dr = only<DestinationRule>(result);
    ASSERT_NE(dr, nullptr);
    EXPECT_EQ(dr->spec.traffic_policy->load_balancer->simple.value, c.expected);
  }
  EXPECT_EQ(enum_name(SimpleLb::LeastRequest), "LEAST_REQUEST");
  EXPECT_EQ(enum_name(ClientTlsMode::IstioMutual), "ISTIO_MUTUAL");
  EXPECT_EQ(enum_name(H2UpgradePolicy::DoNotUpgrade), "DO_NOT_UPGRADE");
}

TEST(DestinationRuleDecode, OtherHashKeysAndMaglev) {
  auto result = decode_text(R"(apiVersion: networking.istio.io/v1beta1
kind: DestinationRule
metadata:
  name: hashes
spec:
  host: ratings
  trafficPolicy:
    loadBalancer:
      consistentHash:
        httpHeaderName: x-user
        maglev:
          tableSize: 65537
  subsets:
  - name: by-ip
    trafficPolicy:
      loadBalancer:
        consistentHash:
          useSourceIp: true
          minimumRingSize: 1024
  - name: by-query
    trafficPolicy:
      loadBalancer:
        consistentHash:
          httpQueryParameterName: user
)");
  ASSERT_TRUE(result.findings.empty()) << describe(result.findings);
  const DestinationRule* dr = only<DestinationRule>(result);
  ASSERT_NE(dr, nullptr);
  const ConsistentHashLb& top = *dr->spec.traffic_policy->load_balancer->consistent_hash;
  EXPECT_EQ(top.http_header_name.value, "x-user");
  ASSERT_TRUE(top.maglev.has_value());
  EXPECT_EQ(top.maglev->table_size.value, 65537u);
  EXPECT_FALSE(top.ring_hash.has_value());
  ASSERT_EQ(dr->spec.subsets.size(), 2u);
  EXPECT_TRUE(dr->spec.subsets[0].labels.empty());
  const ConsistentHashLb& ip = *dr->spec.subsets[0].traffic_policy->load_balancer->consistent_hash;
  EXPECT_TRUE(ip.use_source_ip.value);
  EXPECT_EQ(ip.minimum_ring_size.value, 1024u);
  const ConsistentHashLb& query =
      *dr->spec.subsets[1].traffic_policy->load_balancer->consistent_hash;
  EXPECT_EQ(query.http_query_parameter_name.value, "user");
}

TEST(DestinationRuleDecode, WrongTypesUnknownEnumsAndUnknownFieldsAreFindings) {
  auto result = decode_text(R"(apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: broken
  namespace: bookinfo
spec:
  host: reviews
  trafficPolicy:
    loadbalancer:
      simple: ROUND_ROBIN
    connectionPool:
      tcp:
        maxConnections: many
        connectTimeout: 30
      http:
        h2UpgradePolicy: ALWAYS
    outlierDetection:
      consecutive5xxErrors: -3
      interval: soon
    tls:
      mode: STRICT
    proxyProtocol:
      version: V3
    portLevelSettings:
      port:
        number: 80
  subsets:
  - name: v1
    labels:
      version: 1
    trafficPolicy:
      loadBalancer:
        simple: LEAST_CONNECTION
  exportTo: "*"
)");
  const auto& f = result.findings;
  EXPECT_TRUE(has_finding(f, "MW1005", "spec.trafficPolicy.loadbalancer")) << describe(f);
  EXPECT_TRUE(has_finding(f, "MW1002", "spec.trafficPolicy.connectionPool.tcp.maxConnections"));
  EXPECT_TRUE(has_finding(f, "MW1002", "spec.trafficPolicy.connectionPool.tcp.connectTimeout"));
  EXPECT_TRUE(has_finding(f, "MW1003", "spec.trafficPolicy.connectionPool.http.h2UpgradePolicy"));
  EXPECT_TRUE(has_finding(f, "MW1002", "spec.trafficPolicy.outlierDetection.consecutive5xxErrors"));
  EXPECT_TRUE(has_finding(f, "MW1002", "spec.trafficPolicy.outlierDetection.interval"));
  EXPECT_TRUE(has_finding(f, "MW1003", "spec.trafficPolicy.tls.mode"));
  EXPECT_TRUE(has_finding(f, "MW1003", "spec.trafficPolicy.proxyProtocol.version"));
  EXPECT_TRUE(has_finding(f, "MW1002", "spec.trafficPolicy.portLevelSettings"));
  EXPECT_TRUE(has_finding(f, "MW1002", "spec.subsets[0].labels[version]"));
  EXPECT_TRUE(has_finding(f, "MW1003", "spec.subsets[0].trafficPolicy.loadBalancer.simple"));
  EXPECT_TRUE(has_finding(f, "MW1002", "spec.exportTo"));
  EXPECT_EQ(f.size(), 12u) << describe(f);
  for (const auto& finding : f) {
    if (finding.path == "spec.trafficPolicy.tls.mode") {
      ASSERT_TRUE(finding.source.has_value());
      EXPECT_EQ(finding.source->line, 21u);
      EXPECT_NE(finding.message.find("ISTIO_MUTUAL"), std::string::npos) << finding.message;
    }
  }

  const DestinationRule* dr = only<DestinationRule>(result);
  ASSERT_NE(dr, nullptr);
  EXPECT_EQ(dr->spec.host.value, "reviews");
  const TrafficPolicy& tp = *dr->spec.traffic_policy;
  EXPECT_FALSE(tp.load_balancer.has_value());
  EXPECT_FALSE(tp.connection_pool->tcp->max_connections.present);
  EXPECT_FALSE(tp.tls->mode.present);
  EXPECT_TRUE(tp.port_level_settings.empty());
  EXPECT_FALSE(dr->spec.subsets[0].labels.at("version").present);
  EXPECT_FALSE(dr->spec.subsets[0].traffic_policy->load_balancer->simple.present);
}

TEST(DestinationRuleDecode, MissingRequiredFieldsAreFindings) {
  auto result = decode_text(R"(apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: incomplete
spec:
  trafficPolicy:
    loadBalancer:
      consistentHash:
        httpCookie:
          ttl: 10s
          attributes:
          - value: Lax
      warmup:
        aggression: 2
    tunnel:
      protocol: POST
  subsets:
  - name: v1
    labels:
      version: v1
  - labels:
      version: v2
)");
  const auto& f = result.findings;
  EXPECT_TRUE(has_finding(f, "MW1004", "spec.host")) << describe(f);
  EXPECT_TRUE(
      has_finding(f, "MW1004", "spec.trafficPolicy.loadBalancer.consistentHash.httpCookie.name"));
  EXPECT_TRUE(has_finding(
      f, "MW1004", "spec.trafficPolicy.loadBalancer.consistentHash.httpCookie.attributes[0].name"));
  EXPECT_TRUE(has_finding(f, "MW1004", "spec.trafficPolicy.loadBalancer.warmup.duration"));
  EXPECT_TRUE(has_finding(f, "MW1004", "spec.trafficPolicy.tunnel.targetHost"));
  EXPECT_TRUE(has_finding(f, "MW1004", "spec.trafficPolicy.tunnel.targetPort"));
  EXPECT_TRUE(has_finding(f, "MW1004", "spec.subsets[1].name"));
  EXPECT_EQ(f.size(), 7u) << describe(f);
  for (const auto& finding : f) {
    EXPECT_EQ(finding.code, "MW1004");
    if (finding.path == "spec.subsets[1].name") {
      ASSERT_TRUE(finding.source.has_value());
      EXPECT_EQ(finding.source->line, 21u);
    }
  }
  const DestinationRule* dr = only<DestinationRule>(result);
  ASSERT_NE(dr, nullptr);
  EXPECT_FALSE(dr->spec.host.present);
  ASSERT_EQ(dr->spec.subsets.size(), 2u);
  EXPECT_FALSE(dr->spec.subsets[1].name.present);
  EXPECT_EQ(dr->spec.subsets[1].labels.at("version").value, "v2");
}

TEST(DestinationRuleDecode, MinimalRuleHasNoPolicy) {
  auto result = decode_text(R"(apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: minimal
spec:
  host: "*.example.com"
)");
  ASSERT_TRUE(result.findings.empty()) << describe(result.findings);
  const DestinationRule* dr = only<DestinationRule>(result);
  ASSERT_NE(dr, nullptr);
  EXPECT_EQ(dr->meta.namespace_, "default");
  EXPECT_EQ(dr->spec.host.value, "*.example.com");
  EXPECT_FALSE(dr->spec.traffic_policy.has_value());
  EXPECT_FALSE(dr->spec.workload_selector.has_value());
  EXPECT_TRUE(dr->spec.subsets.empty());
  EXPECT_TRUE(dr->spec.export_to.empty());
}

}  // namespace
}  // namespace meshward::model
