// Reading a mesh's MeshConfig (translate/mesh_config.h) in the forms operators hold it in.

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "meshward/translate/mesh_config.h"

namespace meshward::translate {
namespace {

MeshConfig parse_ok(const std::string& text) {
  auto mesh = parse_mesh_config(text, "mesh.yaml");
  EXPECT_TRUE(mesh.ok()) << (mesh.ok() ? "" : mesh.error().message);
  return mesh.ok() ? *mesh : MeshConfig{};
}

std::string parse_error(const std::string& text) {
  auto mesh = parse_mesh_config(text, "mesh.yaml");
  EXPECT_FALSE(mesh.ok()) << text;
  return mesh.ok() ? "" : mesh.error().message;
}

constexpr const char* kMesh = R"(rootNamespace: istio-config
trustDomain: example.org
connectTimeout: 2.5s
enableAutoMtls: false
outboundTrafficPolicy:
  mode: REGISTRY_ONLY
defaultServiceExportTo: ["."]
defaultVirtualServiceExportTo: [".", istio-ingress]
defaultDestinationRuleExportTo: ["*"]
accessLogFile: /dev/stdout
defaultConfig:
  holdApplicationUntilProxyStarts: true
)";

void expect_custom(const MeshConfig& mesh) {
  EXPECT_EQ(mesh.root_namespace, "istio-config");
  EXPECT_EQ(mesh.trust_domain, "example.org");
  EXPECT_EQ(mesh.connect_timeout_ms, 2500u);
  EXPECT_FALSE(mesh.enable_auto_mtls);
  EXPECT_EQ(mesh.outbound, OutboundPolicy::RegistryOnly);
  EXPECT_EQ(mesh.exports.services, (std::vector<std::string>{"."}));
  EXPECT_EQ(mesh.exports.virtual_services, (std::vector<std::string>{".", "istio-ingress"}));
  EXPECT_EQ(mesh.exports.destination_rules, (std::vector<std::string>{"*"}));
}

TEST(MeshConfig, TheMeshConfigItselfSetsWhatItNamesAndIgnoresTheRest) {
  expect_custom(parse_ok(kMesh));
}

TEST(MeshConfig, TheIstioConfigMapsDataMeshIsRead) {
  std::string text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: istio, namespace: istio-system}\n"
                     "data:\n  mesh: |-\n";
  std::string mesh = kMesh;
  for (std::size_t at = 0; at < mesh.size();) {
    const std::size_t end = mesh.find('\n', at);
    text += "    " + mesh.substr(at, end - at) + "\n";
    at = end + 1;
  }
  expect_custom(parse_ok(text));
}

TEST(MeshConfig, AnIstioOperatorsAndIstiodsHelmValuesMeshConfigIsRead) {
  std::string indented;
  std::string mesh = kMesh;
  for (std::size_t at = 0; at < mesh.size();) {
    const std::size_t end = mesh.find('\n', at);
    indented += "    " + mesh.substr(at, end - at) + "\n";
    at = end + 1;
  }
  expect_custom(parse_ok("apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\nspec:\n  "
                         "meshConfig:\n" + indented));
  std::string values;
  for (std::size_t at = 0; at < mesh.size();) {
    const std::size_t end = mesh.find('\n', at);
    values += "  " + mesh.substr(at, end - at) + "\n";
    at = end + 1;
  }
  expect_custom(parse_ok("pilot:\n  autoscaleEnabled: false\nmeshConfig:\n" + values));
}

// What a MeshConfig without the fields meshward reads gives: Istio's defaults, and extension
// providers left unknown.
MeshConfig defaults_given() { return MeshConfig{}; }

TEST(MeshConfig, AbsentFieldsKeepIstiosDefaults) {
  const MeshConfig mesh = parse_ok("accessLogFile: /dev/stdout\n");
  EXPECT_EQ(mesh, defaults_given());
  EXPECT_FALSE(mesh.extension_providers) << "not listed: unknown, not none";
  const MeshConfig none = parse_ok("extensionProviders: []\n");
  ASSERT_TRUE(none.extension_providers) << "listed empty: known to be none";
  EXPECT_TRUE(none.extension_providers->empty());
  EXPECT_EQ(parse_ok("outboundTrafficPolicy: {}\n"), defaults_given());
  const MeshConfig json = parse_ok(R"({"outboundTrafficPolicy": {"mode": "ALLOW_ANY"}})");
  EXPECT_EQ(json.outbound, OutboundPolicy::AllowAny);
}

TEST(MeshConfig, ExtensionProvidersAreReadWithTheirAuthorizerFields) {
  const MeshConfig mesh = parse_ok(R"(extensionProviders:
- name: opa
  envoyExtAuthzGrpc:
    service: opa.opa.svc.cluster.local
    port: 9191
    timeout: 0.5s
    failOpen: true
    statusOnError: "503"
    includeRequestBodyInCheck: {maxRequestBytes: 4096, packAsBytes: true}
- name: oauth2-proxy
  envoyExtAuthzHttp:
    service: auth/oauth2-proxy.auth.svc.cluster.local
    port: 4180
    pathPrefix: /check
    includeRequestHeadersInCheck: [authorization, cookie]
    includeAdditionalHeadersInCheck: {x-b: "2", x-a: "1"}
    headersToUpstreamOnAllow: [x-auth-request-user]
    headersToDownstreamOnDeny: [set-cookie]
- name: zipkin
  zipkin: {service: zipkin.istio-system.svc.cluster.local, port: 9411}
)");
  ASSERT_TRUE(mesh.extension_providers);
  const auto& providers = *mesh.extension_providers;
  ASSERT_EQ(providers.size(), 3u);
  EXPECT_EQ(providers[0].name, "opa");
  EXPECT_EQ(providers[0].type, MeshExtensionProvider::Type::ExtAuthzGrpc);
  EXPECT_EQ(providers[0].service, "opa.opa.svc.cluster.local");
  EXPECT_EQ(providers[0].port, 9191u);
  EXPECT_EQ(providers[0].timeout_nanos, 500'000'000);
  EXPECT_TRUE(providers[0].fail_open);
  EXPECT_EQ(providers[0].status_on_error, "503");
  ASSERT_TRUE(providers[0].include_request_body_in_check);
  EXPECT_EQ(providers[0].include_request_body_in_check->max_request_bytes, 4096u);
  EXPECT_TRUE(providers[0].include_request_body_in_check->pack_as_bytes);
  EXPECT_EQ(providers[1].type, MeshExtensionProvider::Type::ExtAuthzHttp);
  EXPECT_EQ(providers[1].path_prefix, "/check");
  EXPECT_EQ(providers[1].include_request_headers_in_check,
            (std::vector<std::string>{"authorization", "cookie"}));
  EXPECT_EQ(providers[1].include_additional_headers_in_check,
            (std::vector<std::pair<std::string, std::string>>{{"x-a", "1"}, {"x-b", "2"}}));
  EXPECT_EQ(providers[1].headers_to_upstream_on_allow,
            (std::vector<std::string>{"x-auth-request-user"}));
  EXPECT_EQ(providers[2].type, MeshExtensionProvider::Type::Other);
  EXPECT_EQ(providers[2].other_type, "zipkin");

  EXPECT_EQ(parse_error("extensionProviders: [{name: a, envoyExtAuthzGrpc: {port: http}}]\n"),
            "mesh config mesh.yaml: extensionProviders[0].envoyExtAuthzGrpc.port is not a port "
            "number");
  EXPECT_EQ(parse_error("extensionProviders: {a: 1}\n"),
            "mesh config mesh.yaml: extensionProviders is not a list");
}

TEST(MeshConfig, ProtocolDetectionDnsRefreshAndH2UpgradeAreRead) {
  const MeshConfig defaults;
  EXPECT_EQ(defaults.protocol_detection_timeout_ms, 0u);
  EXPECT_EQ(defaults.dns_refresh_rate_ms, 60'000u);
  EXPECT_FALSE(defaults.h2_upgrade);
  const MeshConfig mesh =
      parse_ok("protocolDetectionTimeout: 100ms\ndnsRefreshRate: 5m\nh2UpgradePolicy: UPGRADE\n");
  EXPECT_EQ(mesh.protocol_detection_timeout_ms, 100u);
  EXPECT_EQ(mesh.dns_refresh_rate_ms, 300'000u);
  EXPECT_TRUE(mesh.h2_upgrade);
  EXPECT_FALSE(parse_ok("h2UpgradePolicy: DO_NOT_UPGRADE\n").h2_upgrade);
  EXPECT_EQ(parse_error("h2UpgradePolicy: ALWAYS\n"),
            "mesh config mesh.yaml: h2UpgradePolicy is not DO_NOT_UPGRADE or UPGRADE");
  EXPECT_EQ(parse_error("dnsRefreshRate: 0s\n"),
            "mesh config mesh.yaml: dnsRefreshRate is not a duration of at least 1ms (e.g. \"60s\")");
  EXPECT_EQ(parse_error("protocolDetectionTimeout: soon\n"),
            "mesh config mesh.yaml: protocolDetectionTimeout is not a duration (e.g. \"1s\")");
}

TEST(MeshConfig, DefaultHttpRetryPolicyIsRead) {
  EXPECT_FALSE(MeshConfig{}.default_http_retry) << "unset: Istio's own default policy";
  const MeshConfig mesh = parse_ok(
      "defaultHttpRetryPolicy:\n  attempts: 3\n  perTryTimeout: 1.5s\n  retryOn: 5xx,reset\n"
      "  retryRemoteLocalities: true\n");
  ASSERT_TRUE(mesh.default_http_retry);
  EXPECT_EQ(*mesh.default_http_retry, (MeshRetryPolicy{3, 1500, "5xx,reset", true}));
  EXPECT_EQ(parse_ok("defaultHttpRetryPolicy: {attempts: 0}\n").default_http_retry,
            (MeshRetryPolicy{0, std::nullopt, "", false}))
      << "attempts 0: routes without retries retry never";
  EXPECT_EQ(parse_error("defaultHttpRetryPolicy: {attempts: -1}\n"),
            "mesh config mesh.yaml: defaultHttpRetryPolicy.attempts is not a number of attempts (0 "
            "or more)");
  EXPECT_EQ(parse_error("defaultHttpRetryPolicy: {perTryTimeout: 0s}\n"),
            "mesh config mesh.yaml: defaultHttpRetryPolicy.perTryTimeout is not a duration of at "
            "least 1ms (e.g. \"2s\")");
}

TEST(MeshConfig, LocalityLbSettingIsReadAndIsEnabledByDefault) {
  EXPECT_EQ(MeshConfig{}.locality_lb.enabled, true) << "Istio's DefaultMeshConfig";
  const MeshConfig mesh = parse_ok(R"(localityLbSetting:
  distribute:
  - from: us-east/*
    to: {"us-east/*": 70, "us-west/*": 30}
  failover:
  - {from: us-east, to: us-west}
  failoverPriority: [topology.istio.io/network, topology.kubernetes.io/region]
)");
  const LocalityLbSetting& lb = mesh.locality_lb;
  EXPECT_FALSE(lb.enabled) << "set without `enabled`: not said, which istiod reads as enabled";
  ASSERT_EQ(lb.distribute.size(), 1u);
  EXPECT_EQ(lb.distribute[0].from, "us-east/*");
  EXPECT_EQ(lb.distribute[0].to, (std::vector<std::pair<std::string, std::uint32_t>>{
                                     {"us-east/*", 70}, {"us-west/*", 30}}));
  EXPECT_EQ(lb.failover, (std::vector<std::pair<std::string, std::string>>{{"us-east", "us-west"}}));
  EXPECT_EQ(lb.failover_priority,
            (std::vector<std::string>{"topology.istio.io/network", "topology.kubernetes.io/region"}));
  EXPECT_EQ(parse_ok("localityLbSetting: {enabled: false}\n").locality_lb.enabled, false);
  EXPECT_EQ(parse_error("localityLbSetting: {enabled: sometimes}\n"),
            "mesh config mesh.yaml: localityLbSetting.enabled is not true or false");
  EXPECT_EQ(parse_error("localityLbSetting:\n  distribute:\n  - {from: a, to: {b: lots}}\n"),
            "mesh config mesh.yaml: localityLbSetting.distribute[0].to.b is not a weight (0-100)");
  EXPECT_EQ(parse_error("localityLbSetting:\n  failoverPriority: [7]\n"),
            "mesh config mesh.yaml: localityLbSetting.failoverPriority has an entry that is not a "
            "non-empty string");
}

TEST(MeshConfig, AFieldReadWithTheWrongValueIsAnErrorNamingIt) {
  EXPECT_EQ(parse_error("outboundTrafficPolicy:\n  mode: DENY\n"),
            "mesh config mesh.yaml: outboundTrafficPolicy.mode is not ALLOW_ANY or REGISTRY_ONLY");
  EXPECT_EQ(parse_error("connectTimeout: soon\n"),
            "mesh config mesh.yaml: connectTimeout is not a duration of at least 1ms (e.g. \"10s\")");
  EXPECT_EQ(parse_error("connectTimeout: 0s\n"),
            "mesh config mesh.yaml: connectTimeout is not a duration of at least 1ms (e.g. \"10s\")");
  EXPECT_EQ(parse_error("enableAutoMtls: maybe\n"),
            "mesh config mesh.yaml: enableAutoMtls is not true or false");
  EXPECT_EQ(parse_error("defaultServiceExportTo: \".\"\n"),
            "mesh config mesh.yaml: defaultServiceExportTo is not a list");
  EXPECT_EQ(parse_error("defaultDestinationRuleExportTo: [\".\", 3]\n"),
            "mesh config mesh.yaml: defaultDestinationRuleExportTo has an entry that is not a "
            "non-empty string");
  EXPECT_EQ(parse_error("rootNamespace: [a]\n"),
            "mesh config mesh.yaml: rootNamespace is not a non-empty string");
  EXPECT_EQ(parse_error("kind: ConfigMap\ndata:\n  mesh: \"rootNamespace: 7\"\n"),
            "mesh config mesh.yaml: data.mesh.rootNamespace is not a non-empty string");
  EXPECT_EQ(parse_error("kind: IstioOperator\nspec:\n  meshConfig:\n    trustDomain: ''\n"),
            "mesh config mesh.yaml: spec.meshConfig.trustDomain is not a non-empty string");
}

TEST(MeshConfig, TextThatIsNoMeshConfigIsAnError) {
  EXPECT_EQ(parse_error("- a\n- b\n"), "mesh config mesh.yaml: the document is not a mapping");
  EXPECT_EQ(parse_error("kind: Deployment\n"),
            "mesh config mesh.yaml: a Deployment is not a MeshConfig, the istio ConfigMap or an "
            "IstioOperator");
  EXPECT_EQ(parse_error("kind: ConfigMap\ndata: {}\n"),
            "mesh config mesh.yaml: ConfigMap has no data.mesh");
  EXPECT_EQ(parse_error("a: 1\n---\nb: 2\n"),
            "mesh config mesh.yaml: expected one YAML or JSON document, found 2");
  EXPECT_EQ(parse_error(""), "mesh config mesh.yaml: expected one YAML or JSON document, found 0");
  const std::string broken = parse_error("a: [\n");
  EXPECT_NE(broken.find("mesh config mesh.yaml: YAML does not parse"), std::string::npos) << broken;
}

}  // namespace
}  // namespace meshward::translate
