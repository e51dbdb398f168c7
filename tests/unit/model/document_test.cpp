// The parse step every input takes: YAML streams and JSON into DOMs with lines.

#include "meshward/model/document.h"

#include <string>

#include <gtest/gtest.h>

#include "meshward/model/kinds/gateway.h"
#include "meshward/model/kinds/service.h"
#include "testlib/testlib.h"

namespace meshward::model {
namespace {

using testing::decode_text;
using testing::describe;
using testing::has_finding;

const json::Value& member(const json::Value& v, const char* key) { return v.FindMember(key)->value; }

TEST(ParseStream, SplitsDocumentsAndKeepsLines) {
  auto parsed = parse_stream("a: 1\n---\nb:\n  c: x\n--- \n\n---\nd: [1, 2]\n", "f.yaml");
  ASSERT_TRUE(parsed.findings.empty()) << describe(parsed.findings);
  ASSERT_EQ(parsed.documents.size(), 3u);
  const auto& second = parsed.documents[1];
  EXPECT_EQ(second.first_line, 3u);
  const json::Value& b = member(*second.json, "b");
  EXPECT_STREQ(member(b, "c").GetString(), "x");
  EXPECT_EQ(second.lines.line_of(b, 0), 4u);  // a mapping starts at its first key
  EXPECT_EQ(second.lines.child_line(b, 0, 0), 4u);
  const json::Value& d = member(*parsed.documents[2].json, "d");
  EXPECT_EQ(parsed.documents[2].lines.child_line(d, 1, 0), 8u);
}

TEST(ParseStream, BrokenDocumentIsOneFindingAndOthersAreRead) {
  auto parsed = parse_stream("a: 1\n---\nb: [unclosed\nc: 2\n---\nd: 3\n", "f.yaml");
  ASSERT_EQ(parsed.findings.size(), 1u);
  EXPECT_EQ(parsed.findings[0].code, "MW1001");
  ASSERT_TRUE(parsed.findings[0].source.has_value());
  EXPECT_EQ(parsed.findings[0].source->file, "f.yaml");
  EXPECT_GE(parsed.findings[0].source->line, 3u);
  EXPECT_LE(parsed.findings[0].source->line, 5u);
  ASSERT_EQ(parsed.documents.size(), 2u);
  EXPECT_TRUE(parsed.documents[1].json->HasMember("d"));
}

TEST(ParseStream, CrlfLineEndings) {
  auto parsed = parse_stream("a: 1\r\n---\r\nb:\r\n  c: x\r\n", "f.yaml");
  ASSERT_TRUE(parsed.findings.empty()) << describe(parsed.findings);
  ASSERT_EQ(parsed.documents.size(), 2u);
  const json::Value& b = member(*parsed.documents[1].json, "b");
  EXPECT_STREQ(member(b, "c").GetString(), "x");  // no stray \r
  EXPECT_EQ(parsed.documents[1].lines.child_line(b, 0, 0), 4u);
}

TEST(ParseStream, EmptyAndCommentOnlyDocumentsAreSkipped) {
  auto parsed = parse_stream("---\n# nothing here\n---\n\n---\n...\n", "f.yaml");
  EXPECT_TRUE(parsed.findings.empty()) << describe(parsed.findings);
  EXPECT_TRUE(parsed.documents.empty());
  auto blank = parse_stream("   \n\t\n", "f.yaml");
  EXPECT_TRUE(blank.documents.empty());
  EXPECT_TRUE(blank.findings.empty());
}

TEST(ParseStream, ScalarsResolveLikeKubectl) {
  auto parsed = parse_stream(
      "a: yes\nb: 'yes'\nc: 0x10\nd: 010\ne: 1.5\nf: 1e309\ng: ~\nh: 12345678901234567890\n"
      "i: -7\nj: \"80\"\nk: 1_000\nl: Off\n",
      "f.yaml");
  ASSERT_TRUE(parsed.findings.empty()) << describe(parsed.findings);
  const json::Value& d = *parsed.documents.at(0).json;
  EXPECT_TRUE(member(d, "a").IsBool() && member(d, "a").GetBool());
  EXPECT_TRUE(member(d, "b").IsString());
  EXPECT_EQ(member(d, "c").GetInt64(), 16);
  EXPECT_EQ(member(d, "d").GetInt64(), 8);  // leading zero is octal, as in go-yaml v2
  EXPECT_DOUBLE_EQ(member(d, "e").GetDouble(), 1.5);
  EXPECT_TRUE(member(d, "f").IsString());  // out of range: stays text, as kubectl sends it
  EXPECT_TRUE(member(d, "g").IsNull());
  EXPECT_TRUE(member(d, "h").IsUint64());
  EXPECT_EQ(member(d, "i").GetInt64(), -7);
  EXPECT_TRUE(member(d, "j").IsString());
  EXPECT_EQ(member(d, "k").GetInt64(), 1000);
  EXPECT_TRUE(member(d, "l").IsBool() && !member(d, "l").GetBool());
}

TEST(ParseStream, AnchorsAliasesAndMergeKeys) {
  auto parsed = parse_stream(
      "base: &b {x: 1, y: 2}\n"
      "copy: *b\n"
      "merged:\n  <<: *b\n  y: 3\n",
      "f.yaml");
  ASSERT_TRUE(parsed.findings.empty()) << describe(parsed.findings);
  const json::Value& d = *parsed.documents.at(0).json;
  EXPECT_EQ(member(member(d, "copy"), "x").GetInt(), 1);
  const json::Value& merged = member(d, "merged");
  EXPECT_EQ(member(merged, "x").GetInt(), 1);
  EXPECT_EQ(member(merged, "y").GetInt(), 3);  // the map's own key beats the merged one
  EXPECT_FALSE(merged.HasMember("<<"));
}

TEST(ParseStream, AliasBombIsBounded) {
  std::string bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
  char prev = 'a';
  for (char c = 'b'; c <= 'j'; ++c) {
    bomb += std::string(1, c) + ": &" + c + " [";
    for (int i = 0; i < 10; ++i) {
      bomb += std::string(i ? ", *" : "*") + prev;
    }
    bomb += "]\n";
    prev = c;
  }
  auto parsed = parse_stream(bomb, "bomb.yaml");
  ASSERT_EQ(parsed.findings.size(), 1u);
  EXPECT_EQ(parsed.findings[0].code, "MW1008");
  EXPECT_TRUE(parsed.documents.empty());
}

TEST(ParseStream, DeepJsonNestingIsBounded) {
  std::string deep(100000, '[');
  deep += std::string(100000, ']');
  auto parsed = parse_stream(deep, "deep.json");
  ASSERT_EQ(parsed.findings.size(), 1u);
  EXPECT_EQ(parsed.findings[0].code, "MW1008");
}

TEST(ParseStream, JsonKeepsLinesAndReportsSyntaxErrors) {
  auto parsed = parse_stream("{\n  \"a\": {\n    \"b\": [1,\n      2]\n  }\n}\n", "f.json");
  ASSERT_TRUE(parsed.findings.empty()) << describe(parsed.findings);
  const json::Value& a = member(*parsed.documents.at(0).json, "a");
  const json::Value& b = member(a, "b");
  EXPECT_EQ(parsed.documents[0].lines.child_line(a, 0, 0), 3u);
  EXPECT_EQ(parsed.documents[0].lines.line_of(b, 0), 3u);
  EXPECT_EQ(parsed.documents[0].lines.child_line(b, 1, 0), 4u);

  auto broken = parse_stream("{\n  \"a\": \n}\n", "f.json");
  ASSERT_EQ(broken.findings.size(), 1u);
  EXPECT_EQ(broken.findings[0].code, "MW1001");
  EXPECT_EQ(broken.findings[0].source->line, 3u);
}

TEST(DecodeStream, ListsAreUnwrapped) {
  auto result = decode_text(R"(apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Service
  metadata: {name: a, namespace: ns}
- apiVersion: networking.istio.io/v1
  kind: GatewayList
  items:
  - apiVersion: networking.istio.io/v1
    kind: Gateway
    metadata: {name: g, namespace: ns}
    spec: {servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ["*"]}]}
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: c}
)");
  EXPECT_TRUE(result.findings.empty()) << describe(result.findings);
  ASSERT_EQ(result.objects.size(), 2u);
  EXPECT_EQ(result.objects[0]->kind(), Kind::Service);
  EXPECT_EQ(result.objects[1]->kind(), Kind::Gateway);
  EXPECT_EQ(result.objects[1]->source->line, 10u);
  EXPECT_EQ(result.skipped_unknown, 1u);
  EXPECT_EQ(result.objects[1]->sequence, 1u);
}

TEST(DecodeStream, KubectlGetOutputDecodesWithoutNoise) {
  // `kubectl get -o yaml` adds managedFields, status, resourceVersion, uid...
  auto result = decode_text(R"(apiVersion: v1
kind: Service
metadata:
  annotations:
    kubectl.kubernetes.io/last-applied-configuration: |
      {"apiVersion":"v1","kind":"Service"}
  creationTimestamp: "2024-05-01T10:00:00Z"
  labels: {app: reviews}
  managedFields:
  - apiVersion: v1
    fieldsType: FieldsV1
    fieldsV1: {f:spec: {f:ports: {}}}
    manager: kubectl-client-side-apply
    operation: Update
  name: reviews
  namespace: bookinfo
  resourceVersion: "1234"
  uid: 0b6f3c1e-0000-4000-8000-000000000001
spec:
  clusterIP: 10.96.0.12
  clusterIPs: [10.96.0.12]
  internalTrafficPolicy: Cluster
  ipFamilies: [IPv4]
  ipFamilyPolicy: SingleStack
  ports:
  - name: http
    port: 9080
    protocol: TCP
    targetPort: 9080
  selector: {app: reviews}
  sessionAffinity: None
  type: ClusterIP
status:
  loadBalancer: {}
)");
  EXPECT_TRUE(result.findings.empty()) << describe(result.findings);
  const Service* svc = testing::only<Service>(result);
  ASSERT_NE(svc, nullptr);
  EXPECT_EQ(svc->meta.resource_version, "1234");
  EXPECT_EQ(svc->meta.creation_timestamp, "2024-05-01T10:00:00Z");
  EXPECT_EQ(svc->meta.labels.at("app"), "reviews");
  EXPECT_EQ(svc->spec.cluster_ip.value, "10.96.0.12");
  ASSERT_EQ(svc->spec.ports.size(), 1u);
  EXPECT_EQ(svc->spec.ports[0].port.value, 9080);
  EXPECT_TRUE(svc->spec.ports[0].target_port.value.is_int);
  EXPECT_EQ(svc->spec.ports[0].target_port.value.number, 9080);
  EXPECT_EQ(svc->spec.ports[0].loc.line, 26u);
}

TEST(DecodeStream, DocumentProblemsAreFindingsNotCrashes) {
  auto result = decode_text(R"(- just
- a list
---
kind: Service
metadata: {name: x}
---
apiVersion: v1
kind: Service
metadata: {namespace: ns}
---
apiVersion: v1
kind: Service
metadata: {name: ok}
spec:
  ports:
  - port: 99999999999
  - port: 80
    targetPort: http
    protocol: QUIC
)");
  EXPECT_TRUE(has_finding(result.findings, "MW1002", "")) << describe(result.findings);
  EXPECT_TRUE(has_finding(result.findings, "MW1004", "metadata.name"));
  EXPECT_TRUE(has_finding(result.findings, "MW1002", "spec.ports[0].port"));
  EXPECT_TRUE(has_finding(result.findings, "MW1003", "spec.ports[1].protocol"));
  ASSERT_EQ(result.objects.size(), 1u);
  const Service* svc = result.objects[0]->as<Service>();
  ASSERT_NE(svc, nullptr);
  EXPECT_FALSE(svc->spec.ports[0].port.present);
  EXPECT_EQ(svc->spec.ports[1].target_port.value.name, "http");
}

TEST(DecodeStream, DuplicateKeysWarnAndLastWins) {
  auto result = decode_text(R"({"apiVersion": "v1", "kind": "Service",
 "metadata": {"name": "a", "name": "b"}})",
                            "dup.json");
  ASSERT_EQ(result.objects.size(), 1u);
  EXPECT_EQ(result.objects[0]->meta.name, "b");
  EXPECT_TRUE(has_finding(result.findings, "MW1006", "metadata.name")) << describe(result.findings);
}

TEST(Durations, GoAndProtobufForms) {
  EXPECT_EQ(parse_duration_nanos("1.5s"), 1500000000);
  EXPECT_EQ(parse_duration_nanos("100ms"), 100000000);
  EXPECT_EQ(parse_duration_nanos("1h2m3s"), 3723000000000);
  EXPECT_EQ(parse_duration_nanos("0"), 0);
  EXPECT_EQ(parse_duration_nanos("-1s"), -1000000000);
  EXPECT_FALSE(parse_duration_nanos("1"));
  EXPECT_FALSE(parse_duration_nanos("s"));
  EXPECT_FALSE(parse_duration_nanos("1x"));
  EXPECT_FALSE(parse_duration_nanos(""));
  EXPECT_FALSE(parse_duration_nanos("9999999999h"));
}

}  // namespace
}  // namespace meshward::model
