#include "meshward/model/kinds/peer_authentication.h"

#include <gtest/gtest.h>

#include "testlib/testlib.h"

namespace meshward::model {
namespace {

using testing::decode_text;
using testing::describe;
using testing::find_finding;
using testing::has_finding;
using testing::only;

TEST(PeerAuthenticationDecode, MeshWideStrictInRootNamespace) {
  auto result = decode_text(R"(apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: default
  namespace: istio-system
spec:
  mtls:
    mode: STRICT
)");
  ASSERT_TRUE(result.findings.empty()) << describe(result.findings);
  const PeerAuthentication* pa = only<PeerAuthentication>(result);
  ASSERT_NE(pa, nullptr);
  EXPECT_EQ(pa->api_version, "security.istio.io/v1");
  EXPECT_EQ(pa->meta.name, "default");
  EXPECT_EQ(pa->meta.namespace_, "istio-system");
  EXPECT_FALSE(pa->spec.selector.has_value());
  ASSERT_TRUE(pa->spec.mtls.has_value());
  EXPECT_TRUE(pa->spec.mtls->mode.present);
  EXPECT_EQ(pa->spec.mtls->mode.value, MutualTlsMode::Strict);
  EXPECT_EQ(pa->spec.mtls->mode.loc.path, "spec.mtls.mode");
  EXPECT_EQ(pa->spec.mtls->mode.loc.line, 8u);
  EXPECT_EQ(pa->spec.mtls->loc.path, "spec.mtls");
  EXPECT_TRUE(pa->spec.port_level_mtls.empty());
  EXPECT_EQ(enum_name(pa->spec.mtls->mode.value), "STRICT");
}

TEST(PeerAuthenticationDecode, WorkloadPolicyWithPortLevelMtls) {
  auto result = decode_text(R"(apiVersion: security.istio.io/v1beta1
kind: PeerAuthentication
metadata:
  name: finance
  namespace: foo
spec:
  selector:
    matchLabels:
      app: finance
  mtls:
    mode: STRICT
  portLevelMtls:
    8080:
      mode: DISABLE
    "9090":
      mode: PERMISSIVE
)");
  ASSERT_TRUE(result.findings.empty()) << describe(result.findings);
  const PeerAuthentication* pa = only<PeerAuthentication>(result);
  ASSERT_NE(pa, nullptr);
  ASSERT_TRUE(pa->spec.selector.has_value());
  ASSERT_EQ(pa->spec.selector->match_labels.size(), 1u);
  const auto& app = pa->spec.selector->match_labels.at("app");
  EXPECT_EQ(app.value, "finance");
  EXPECT_EQ(app.loc.path, "spec.selector.matchLabels[app]");
  EXPECT_EQ(app.loc.line, 9u);
  ASSERT_TRUE(pa->spec.mtls.has_value());
  EXPECT_EQ(pa->spec.mtls->mode.value, MutualTlsMode::Strict);

  ASSERT_EQ(pa->spec.port_level_mtls.size(), 2u);
  const MutualTls& p8080 = pa->spec.port_level_mtls.at("8080");
  EXPECT_EQ(p8080.mode.value, MutualTlsMode::Disable);
  EXPECT_EQ(p8080.loc.path, "spec.portLevelMtls[8080]");
  EXPECT_EQ(p8080.mode.loc.path, "spec.portLevelMtls[8080].mode");
  EXPECT_EQ(p8080.mode.loc.line, 14u);
  const MutualTls& p9090 = pa->spec.port_level_mtls.at("9090");
  EXPECT_EQ(p9090.mode.value, MutualTlsMode::Permissive);
  EXPECT_EQ(p9090.mode.loc.line, 16u);
}

TEST(PeerAuthenticationDecode, UnsetModeInheritsAndAbsentModeIsNotPresent) {
  auto result = decode_text(R"(apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: inherit
  namespace: foo
spec:
  selector:
    matchLabels:
      app: finance
  mtls:
    mode: UNSET
  portLevelMtls:
    8080: {}
)");
  ASSERT_TRUE(result.findings.empty()) << describe(result.findings);
  const PeerAuthentication* pa = only<PeerAuthentication>(result);
  ASSERT_NE(pa, nullptr);
  ASSERT_TRUE(pa->spec.mtls.has_value());
  EXPECT_TRUE(pa->spec.mtls->mode.present);
  EXPECT_EQ(pa->spec.mtls->mode.value, MutualTlsMode::Unset);
  ASSERT_EQ(pa->spec.port_level_mtls.count("8080"), 1u);
  EXPECT_FALSE(pa->spec.port_level_mtls.at("8080").mode.present);
}

TEST(PeerAuthenticationDecode, EmptySpecAndJsonAdmissionBody) {
  // JSON as an admission request carries it; protobuf JSON also allows enum numbers.
  auto result = decode_text(R"({
  "apiVersion": "security.istio.io/v1",
  "kind": "PeerAuthentication",
  "metadata": {"name": "default", "namespace": "bar"},
  "spec": {"mtls": {"mode": 1}, "selector": {"matchLabels": {"app": "db"}},
           "portLevelMtls": {"5432": {"mode": "STRICT"}}}
})",
                            "pa.json");
  ASSERT_TRUE(result.findings.empty()) << describe(result.findings);
  const PeerAuthentication* pa = only<PeerAuthentication>(result);
  ASSERT_NE(pa, nullptr);
  ASSERT_TRUE(pa->spec.mtls.has_value());
  EXPECT_EQ(pa->spec.mtls->mode.value, MutualTlsMode::Disable);
  EXPECT_EQ(pa->spec.mtls->mode.loc.line, 5u);
  EXPECT_EQ(pa->spec.port_level_mtls.at("5432").mode.value, MutualTlsMode::Strict);
  EXPECT_EQ(pa->spec.port_level_mtls.at("5432").mode.loc.line, 6u);

  auto empty = decode_text(R"(apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: empty
  namespace: foo
spec: {}
)");
  ASSERT_TRUE(empty.findings.empty()) << describe(empty.findings);
  const PeerAuthentication* e = only<PeerAuthentication>(empty);
  ASSERT_NE(e, nullptr);
  EXPECT_FALSE(e->spec.mtls.has_value());
  EXPECT_FALSE(e->spec.selector.has_value());
}

TEST(PeerAuthenticationDecode, UnknownModeIsEnumFinding) {
  auto result = decode_text(R"(apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: default
  namespace: foo
spec:
  mtls:
    mode: STRICTEST
)");
  ASSERT_EQ(result.findings.size(), 1u) << describe(result.findings);
  const Finding* f = find_finding(result.findings, "MW1003", "spec.mtls.mode");
  ASSERT_NE(f, nullptr) << describe(result.findings);
  ASSERT_TRUE(f->source.has_value());
  EXPECT_EQ(f->source->line, 8u);
  EXPECT_EQ(f->resource.kind, "PeerAuthentication");
  EXPECT_EQ(f->resource.name, "default");
  EXPECT_NE(f->message.find("STRICTEST"), std::string::npos) << f->message;
  const PeerAuthentication* pa = only<PeerAuthentication>(result);
  ASSERT_NE(pa, nullptr);
  ASSERT_TRUE(pa->spec.mtls.has_value());
  EXPECT_FALSE(pa->spec.mtls->mode.present);
}

TEST(PeerAuthenticationDecode, WrongTypesUnknownFieldsAndBadPortKeys) {
  auto result = decode_text(R"(apiVersion: security.istio.io/v1beta1
kind: PeerAuthentication
metadata:
  name: bad
  namespace: foo
spec:
  selector:
    matchLabels:
      app: [finance]
  mtls: STRICT
  targetRef:
    kind: Service
    name: finance
  portLevelMtls:
    http:
      mode: DISABLE
    8443:
      mod: STRICT
)");
  EXPECT_TRUE(has_finding(result.findings, "MW1002", "spec.selector.matchLabels[app]"))
      << describe(result.findings);
  EXPECT_TRUE(has_finding(result.findings, "MW1002", "spec.mtls"));
  // PeerAuthentication has no targetRef (unlike RequestAuthentication/AuthorizationPolicy).
  const Finding* unknown_ref = find_finding(result.findings, "MW1005", "spec.targetRef");
  ASSERT_NE(unknown_ref, nullptr);
  EXPECT_EQ(unknown_ref->severity, Severity::Warning);
  const Finding* bad_key = find_finding(result.findings, "MW1002", "spec.portLevelMtls[http]");
  ASSERT_NE(bad_key, nullptr);
  ASSERT_TRUE(bad_key->source.has_value());
  // Map entries carry their value's line: the entry's object starts on the line after `http:`.
  EXPECT_EQ(bad_key->source->line, 15u);
  EXPECT_TRUE(has_finding(result.findings, "MW1005", "spec.portLevelMtls[8443].mod"));
  EXPECT_EQ(result.findings.size(), 5u) << describe(result.findings);

  const PeerAuthentication* pa = only<PeerAuthentication>(result);
  ASSERT_NE(pa, nullptr);
  EXPECT_FALSE(pa->spec.mtls.has_value());
  // The bad key is reported but kept, so checks still see its mode.
  EXPECT_EQ(pa->spec.port_level_mtls.at("http").mode.value, MutualTlsMode::Disable);
}

TEST(PeerAuthenticationDecode, PortLevelMtlsMustBeAMapAndPortKeysFitUint32) {
  auto result = decode_text(R"(apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: bad
  namespace: foo
spec:
  portLevelMtls:
  - mode: STRICT
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: huge
  namespace: foo
spec:
  portLevelMtls:
    "99999999999":
      mode: STRICT
    "-1":
      mode: STRICT
)");
  EXPECT_TRUE(has_finding(result.findings, "MW1002", "spec.portLevelMtls"))
      << describe(result.findings);
  EXPECT_TRUE(has_finding(result.findings, "MW1002", "spec.portLevelMtls[99999999999]"));
  EXPECT_TRUE(has_finding(result.findings, "MW1002", "spec.portLevelMtls[-1]"));
  EXPECT_EQ(result.findings.size(), 3u) << describe(result.findings);
  ASSERT_EQ(result.objects.size(), 2u);
}

}  // namespace
}  // namespace meshward::model
