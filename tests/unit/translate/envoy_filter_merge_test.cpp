// EnvoyFilter MERGE contents (src/translate/proto_merge.cpp through render): protobuf merge
// semantics on the dumped JSON, istiod's filter and transport-socket special cases, and the
// problems merge_problems() reports when a value does not merge as written.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "meshward/core/json.h"
#include "meshward/translate/render.h"
#include "meshward/translate/translate.h"
#include "meshward/world/snapshot.h"
#include "testlib/testlib.h"

namespace meshward::translate {
namespace {

// reviews:9080 (HTTP) with a DestinationRule that sets outlier detection and ISTIO_MUTUAL, a
// reviews pod, and `patches` as the configPatches of one EnvoyFilter on the reviews sidecar.
std::string world_with(const std::string& patches) {
  return R"(
apiVersion: v1
kind: Service
metadata: {name: reviews, namespace: bookinfo}
spec:
  clusterIP: 10.96.0.20
  selector: {app: reviews}
  ports: [{name: http, port: 9080}]
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews, namespace: bookinfo}
spec:
  host: reviews
  trafficPolicy:
    outlierDetection: {consecutive5xxErrors: 7, interval: 10s}
    tls: {mode: ISTIO_MUTUAL}
---
apiVersion: v1
kind: Pod
metadata: {name: reviews-v1, namespace: bookinfo, labels: {app: reviews}}
spec:
  containers:
  - {name: istio-proxy, image: "docker.io/istio/proxyv2:1.24.0"}
status: {podIP: 10.244.0.11}
---
apiVersion: networking.istio.io/v1alpha3
kind: EnvoyFilter
metadata: {name: merges, namespace: bookinfo}
spec:
  workloadSelector: {labels: {app: reviews}}
  configPatches:
)" + patches;
}

const char* kReviewsCluster = "outbound|9080||reviews.bookinfo.svc.cluster.local";

struct Translated {
  std::shared_ptr<const world::Snapshot> world;
  ProxyConfig config;
  json::Document dump;
};

Translated translate(const std::string& patches) {
  auto decoded = meshward::testing::decode_text(world_with(patches));
  EXPECT_TRUE(decoded.findings.empty()) << meshward::testing::describe(decoded.findings);
  Translated t;
  t.world = world::Snapshot::make(std::move(decoded.objects));
  Proxy proxy;
  proxy.namespace_ = "bookinfo";
  proxy.labels = {{"app", "reviews"}};
  t.config = translate_proxy(*t.world, proxy);
  t.dump.Parse(render_config_dump_json(t.config, DumpType::All).c_str());
  EXPECT_FALSE(t.dump.HasParseError());
  return t;
}

// The entries of the config dump section holding `list` (`dynamic_active_clusters`,
// `dynamic_listeners`).
const json::Value& section(const json::Document& dump, const char* list) {
  for (const auto& config : dump["configs"].GetArray()) {
    if (config.HasMember(list)) {
      return config[list];
    }
  }
  static const json::Value empty(rapidjson::kArrayType);
  ADD_FAILURE() << "no " << list << " in the dump";
  return empty;
}

// The dumped cluster `name`.
const json::Value* cluster_json(const json::Document& dump, const std::string& name) {
  for (const auto& entry : section(dump, "dynamic_active_clusters").GetArray()) {
    if (entry["cluster"]["name"].GetString() == name) {
      return &entry["cluster"];
    }
  }
  ADD_FAILURE() << "no cluster " << name;
  return nullptr;
}

// The dumped HTTP filter `name` of the outbound 0.0.0.0_9080 listener's connection manager.
const json::Value* outbound_http_filter(const json::Document& dump, const std::string& name) {
  for (const auto& entry : section(dump, "dynamic_listeners").GetArray()) {
    const auto& l = entry["active_state"]["listener"];
    if (std::string(l["name"].GetString()) != "0.0.0.0_9080") {
      continue;
    }
    const auto& hcm = l["filter_chains"][0]["filters"][0]["typed_config"];
    for (const auto& f : hcm["http_filters"].GetArray()) {
      if (f["name"].GetString() == name) {
        return &f;
      }
    }
  }
  ADD_FAILURE() << "no http filter " << name;
  return nullptr;
}

std::vector<std::string> problems_of(const ProxyConfig& config) {
  std::vector<std::string> out;
  for (const MergeProblem& p : merge_problems(config)) {
    out.push_back(p.where.object + ": " + p.problem);
  }
  return out;
}

constexpr const char* kClusterMatch =
    "    match: {context: SIDECAR_OUTBOUND, cluster: {service: reviews.bookinfo.svc.cluster.local}}\n";

TEST(EnvoyFilterMerge, ClusterFieldsMergeAsProtobufDoes) {
  // Scalars replaced, messages merged field by field, repeated fields appended.
  const Translated t = translate(std::string("  - applyTo: CLUSTER\n") + kClusterMatch +
                                 R"(    patch:
      operation: MERGE
      value:
        connect_timeout: 3s
        outlier_detection: {base_ejection_time: 60s}
        circuit_breakers: {thresholds: [{priority: HIGH, max_connections: 10}]}
)");
  const json::Value* c = cluster_json(t.dump, kReviewsCluster);
  ASSERT_NE(c, nullptr);
  EXPECT_STREQ((*c)["connect_timeout"].GetString(), "3s");
  const auto& outlier = (*c)["outlier_detection"];
  EXPECT_STREQ(outlier["base_ejection_time"].GetString(), "60s");
  EXPECT_EQ(outlier["consecutive_5xx"].GetUint(), 7u) << "the generated fields stay";
  const auto& thresholds = (*c)["circuit_breakers"]["thresholds"];
  ASSERT_GE(thresholds.Size(), 2u);
  EXPECT_STREQ(thresholds[thresholds.Size() - 1]["priority"].GetString(), "HIGH");
  EXPECT_TRUE(problems_of(t.config).empty());
}

TEST(EnvoyFilterMerge, MetadataEntriesAreReplacedWhole) {
  // filter_metadata is a map: the patch's `istio` entry replaces istiod's (config, services).
  const Translated t = translate(std::string("  - applyTo: CLUSTER\n") + kClusterMatch +
                                 R"(    patch:
      operation: MERGE
      value: {metadata: {filter_metadata: {istio: {owner: team-a}}}}
)");
  const json::Value* c = cluster_json(t.dump, kReviewsCluster);
  ASSERT_NE(c, nullptr);
  const auto& istio = (*c)["metadata"]["filter_metadata"]["istio"];
  EXPECT_STREQ(istio["owner"].GetString(), "team-a");
  EXPECT_FALSE(istio.HasMember("services"));
}

TEST(EnvoyFilterMerge, FieldOfAnotherKindIsReportedAndNotMerged) {
  const Translated t = translate(std::string("  - applyTo: CLUSTER\n") + kClusterMatch +
                                 R"(    patch:
      operation: MERGE
      value: {connect_timeout: {seconds: 5}, lb_policy: RANDOM}
)");
  const json::Value* c = cluster_json(t.dump, kReviewsCluster);
  ASSERT_NE(c, nullptr);
  EXPECT_STRNE((*c)["connect_timeout"].GetString(), "5s");
  EXPECT_STRNE((*c)["lb_policy"].GetString(), "RANDOM") << "istiod drops the whole value";
  const auto problems = problems_of(t.config);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("cluster: `connect_timeout` is an object in the patch but a string"),
            std::string::npos)
      << problems[0];
}

TEST(EnvoyFilterMerge, TransportSocketMergeIgnoresTheOtherFields) {
  // A patch naming the generated transport socket merges only into it (cluster_patch.go).
  const Translated t = translate(std::string("  - applyTo: CLUSTER\n") + kClusterMatch +
                                 R"(    patch:
      operation: MERGE
      value:
        connect_timeout: 3s
        transport_socket:
          name: envoy.transport_sockets.tls
          typed_config:
            "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext
            sni: reviews.example.com
)");
  const json::Value* c = cluster_json(t.dump, kReviewsCluster);
  ASSERT_NE(c, nullptr);
  EXPECT_STRNE((*c)["connect_timeout"].GetString(), "3s");
  // The DestinationRule's ISTIO_MUTUAL is the cluster's one transport socket.
  const auto& socket = (*c)["transport_socket"]["typed_config"];
  EXPECT_STREQ(socket["sni"].GetString(), "reviews.example.com");
  EXPECT_TRUE(socket.HasMember("common_tls_context")) << "merged into, not replaced";
  const auto problems = problems_of(t.config);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("other fields (`connect_timeout`) are ignored"), std::string::npos)
      << problems[0];
}

constexpr const char* kRouterMatch = R"(  - applyTo: HTTP_FILTER
    match:
      context: SIDECAR_OUTBOUND
      listener:
        portNumber: 9080
        filterChain:
          filter:
            name: envoy.filters.network.http_connection_manager
            subFilter: {name: envoy.filters.http.router}
)";

TEST(EnvoyFilterMerge, FilterTypedConfigOfTheSameTypeMerges) {
  const Translated t = translate(std::string(kRouterMatch) + R"(    patch:
      operation: MERGE
      value:
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router
          suppress_envoy_headers: true
)");
  const json::Value* router = outbound_http_filter(t.dump, "envoy.filters.http.router");
  ASSERT_NE(router, nullptr);
  EXPECT_TRUE((*router)["typed_config"]["suppress_envoy_headers"].GetBool());
  EXPECT_TRUE(problems_of(t.config).empty());
}

// istiod's mergeHTTPFilter renames the filter to a merged `name` and keeps its typed_config:
// the router renamed is still the router, and nothing is reported.
TEST(EnvoyFilterMerge, AMergedNameRenamesTheFilterAndKeepsItsTypedConfig) {
  const Translated t = translate(std::string(kRouterMatch) + R"(    patch:
      operation: MERGE
      value: {name: my-router}
)");
  const json::Value* router = outbound_http_filter(t.dump, "my-router");
  ASSERT_NE(router, nullptr);
  EXPECT_EQ(std::string((*router)["typed_config"]["@type"].GetString()),
            "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router");
  EXPECT_TRUE(problems_of(t.config).empty()) << ::testing::PrintToString(problems_of(t.config));
}

TEST(EnvoyFilterMerge, FilterTypedConfigOfAnotherTypeIsReported) {
  const Translated t = translate(std::string(kRouterMatch) + R"(    patch:
      operation: MERGE
      value:
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.http.lua.v3.Lua
          default_source_code: {inline_string: "function envoy_on_request(h) end"}
)");
  const json::Value* router = outbound_http_filter(t.dump, "envoy.filters.http.router");
  ASSERT_NE(router, nullptr);
  EXPECT_FALSE((*router)["typed_config"].HasMember("default_source_code"));
  const auto problems = problems_of(t.config);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("http filter envoy.filters.http.router: typed_config is "
                             "`type.googleapis.com/envoy.extensions.filters.http.lua.v3.Lua`"),
            std::string::npos)
      << problems[0];
}

}  // namespace
}  // namespace meshward::translate
