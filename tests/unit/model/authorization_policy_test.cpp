#include "meshward/model/kinds/authorization_policy.h"

#include <gtest/gtest.h>

#include "testlib/testlib.h"

namespace meshward::model {
namespace {

using testing::decode_text;
using testing::describe;
using testing::find_finding;
using testing::has_finding;
using testing::only;

std::vector<std::string> values(const std::vector<Field<std::string>>& list) {
  std::vector<std::string> out;
  for (const auto& f : list) {
    out.push_back(f.value);
  }
  return out;
}

using Strings = std::vector<std::string>;

TEST(AuthorizationPolicyDecode, AllowWithFromToWhen) {
  // The httpbin example from the Istio AuthorizationPolicy reference.
  auto result = decode_text(R"(apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: httpbin
  namespace: foo
spec:
  selector:
    matchLabels:
      app: httpbin
      version: v1
  action: ALLOW
  rules:
  - from:
    - source:
        principals: ["cluster.local/ns/default/sa/curl"]
    - source:
        namespaces: ["dev"]
    to:
    - operation:
        methods: ["GET"]
    when:
    - key: request.auth.claims[iss]
      values: ["https://accounts.google.com"]
  - from:
    - source:
        requestPrincipals: ["*"]
    to:
    - operation:
        paths: ["/healthz"]
)");
  ASSERT_TRUE(result.findings.empty()) << describe(result.findings);
  const AuthorizationPolicy* ap = only<AuthorizationPolicy>(result);
  ASSERT_NE(ap, nullptr);
  EXPECT_EQ(ap->meta.name, "httpbin");
  ASSERT_TRUE(ap->spec.selector.has_value());
  EXPECT_EQ(ap->spec.selector->match_labels.size(), 2u);
  EXPECT_EQ(ap->spec.selector->match_labels.at("version").value, "v1");
  EXPECT_TRUE(ap->spec.action.present);
  EXPECT_EQ(ap->spec.action.value, AuthorizationAction::Allow);
  EXPECT_EQ(ap->spec.action.loc.line, 11u);
  EXPECT_FALSE(ap->spec.provider.has_value());
  ASSERT_EQ(ap->spec.rules.size(), 2u);

  const AuthorizationRule& r0 = ap->spec.rules[0];
  EXPECT_EQ(r0.loc.path, "spec.rules[0]");
  ASSERT_EQ(r0.from.size(), 2u);
  ASSERT_TRUE(r0.from[0].source.has_value());
  EXPECT_EQ(values(r0.from[0].source->principals), Strings{"cluster.local/ns/default/sa/curl"});
  EXPECT_EQ(r0.from[0].source->principals[0].loc.path,
            "spec.rules[0].from[0].source.principals[0]");
  EXPECT_EQ(r0.from[0].source->principals[0].loc.line, 15u);
  EXPECT_TRUE(r0.from[0].source->namespaces.empty());
  ASSERT_TRUE(r0.from[1].source.has_value());
  EXPECT_EQ(values(r0.from[1].source->namespaces), Strings{"dev"});
  ASSERT_EQ(r0.to.size(), 1u);
  ASSERT_TRUE(r0.to[0].operation.has_value());
  EXPECT_EQ(values(r0.to[0].operation->methods), Strings{"GET"});
  EXPECT_TRUE(r0.to[0].operation->paths.empty());
  ASSERT_EQ(r0.when.size(), 1u);
  EXPECT_EQ(r0.when[0].key.value, "request.auth.claims[iss]");
  EXPECT_EQ(r0.when[0].key.loc.path, "spec.rules[0].when[0].key");
  EXPECT_EQ(r0.when[0].key.loc.line, 22u);
  EXPECT_EQ(values(r0.when[0].values), Strings{"https://accounts.google.com"});
  EXPECT_TRUE(r0.when[0].not_values.empty());

  const AuthorizationRule& r1 = ap->spec.rules[1];
  EXPECT_EQ(values(r1.from[0].source->request_principals), Strings{"*"});
  EXPECT_EQ(values(r1.to[0].operation->paths), Strings{"/healthz"});
  EXPECT_TRUE(r1.when.empty());
}

TEST(AuthorizationPolicyDecode, DenyWithEveryNegativeAndIpField) {
  auto result = decode_text(R"(apiVersion: security.istio.io/v1beta1
kind: AuthorizationPolicy
metadata:
  name: deny-most
  namespace: foo
spec:
  action: DENY
  rules:
  - from:
    - source:
        notPrincipals: ["cluster.local/ns/foo/sa/admin"]
        notRequestPrincipals: ["issuer-foo/*"]
        notNamespaces: ["foo"]
        ipBlocks: ["203.0.113.0/24"]
        notIpBlocks: ["203.0.113.4"]
        remoteIpBlocks: ["198.51.100.0/24"]
        notRemoteIpBlocks: ["198.51.100.7", "198.51.100.8"]
    to:
    - operation:
        hosts: ["*.example.com"]
        notHosts: ["admin.example.com"]
        ports: ["8080"]
        notPorts: ["15021"]
        methods: ["POST", "PUT"]
        notMethods: ["HEAD"]
        paths: ["/api/*"]
        notPaths: ["/api/public*"]
    when:
    - key: request.headers[x-token]
      notValues: ["guest"]
)");
  ASSERT_TRUE(result.findings.empty()) << describe(result.findings);
  const AuthorizationPolicy* ap = only<AuthorizationPolicy>(result);
  ASSERT_NE(ap, nullptr);
  EXPECT_EQ(ap->api_version, "security.istio.io/v1beta1");
  EXPECT_FALSE(ap->spec.selector.has_value());
  EXPECT_EQ(ap->spec.action.value, AuthorizationAction::Deny);
  ASSERT_EQ(ap->spec.rules.size(), 1u);
  const AuthorizationRule& rule = ap->spec.rules[0];
  ASSERT_EQ(rule.from.size(), 1u);
  ASSERT_TRUE(rule.from[0].source.has_value());
  const AuthorizationSource& src = *rule.from[0].source;
  EXPECT_TRUE(src.principals.empty());
  EXPECT_EQ(values(src.not_principals), Strings{"cluster.local/ns/foo/sa/admin"});
  EXPECT_TRUE(src.request_principals.empty());
  EXPECT_EQ(values(src.not_request_principals), Strings{"issuer-foo/*"});
  EXPECT_EQ(values(src.not_namespaces), Strings{"foo"});
  EXPECT_EQ(values(src.ip_blocks), Strings{"203.0.113.0/24"});
  EXPECT_EQ(values(src.not_ip_blocks), Strings{"203.0.113.4"});
  EXPECT_EQ(values(src.remote_ip_blocks), Strings{"198.51.100.0/24"});
  EXPECT_EQ(values(src.not_remote_ip_blocks), (Strings{"198.51.100.7", "198.51.100.8"}));
  EXPECT_EQ(src.not_remote_ip_blocks[1].loc.path,
            "spec.rules[0].from[0].source.notRemoteIpBlocks[1]");
  EXPECT_EQ(src.not_remote_ip_blocks[1].loc.line, 17u);

  ASSERT_EQ(rule.to.size(), 1u);
  ASSERT_TRUE(rule.to[0].operation.has_value());
  const AuthorizationOperation& op = *rule.to[0].operation;
  EXPECT_EQ(values(op.hosts), Strings{"*.example.com"});
  EXPECT_EQ(values(op.not_hosts), Strings{"admin.example.com"});
  EXPECT_EQ(values(op.ports), Strings{"8080"});
  EXPECT_EQ(values(op.not_ports), Strings{"15021"});
  EXPECT_EQ(values(op.methods), (Strings{"POST", "PUT"}));
  EXPECT_EQ(values(op.not_methods), Strings{"HEAD"});
  EXPECT_EQ(values(op.paths), Strings{"/api/*"});
  EXPECT_EQ(values(op.not_paths), Strings{"/api/public*"});
  EXPECT_EQ(op.not_paths[0].loc.path, "spec.rules[0].to[0].operation.notPaths[0]");
  EXPECT_EQ(op.not_paths[0].loc.line, 27u);

  ASSERT_EQ(rule.when.size(), 1u);
  EXPECT_EQ(rule.when[0].key.value, "request.headers[x-token]");
  EXPECT_TRUE(rule.when[0].values.empty());
  EXPECT_EQ(values(rule.when[0].not_values), Strings{"guest"});
}

TEST(AuthorizationPolicyDecode, CustomActionWithProvider) {
  auto result = decode_text(R"(apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: ext-authz
  namespace: istio-system
spec:
  selector:
    matchLabels:
      app: istio-ingressgateway
  action: CUSTOM
  provider:
    name: "my-custom-authz"
  rules:
  - to:
    - operation:
        paths: ["/admin/*"]
)");
  ASSERT_TRUE(result.findings.empty()) << describe(result.findings);
  const AuthorizationPolicy* ap = only<AuthorizationPolicy>(result);
  ASSERT_NE(ap, nullptr);
  EXPECT_EQ(ap->meta.namespace_, "istio-system");
  EXPECT_EQ(ap->spec.action.value, AuthorizationAction::Custom);
  EXPECT_EQ(enum_name(ap->spec.action.value), "CUSTOM");
  ASSERT_TRUE(ap->spec.provider.has_value());
  EXPECT_EQ(ap->spec.provider->name.value, "my-custom-authz");
  EXPECT_EQ(ap->spec.provider->name.loc.path, "spec.provider.name");
  EXPECT_EQ(ap->spec.provider->name.loc.line, 12u);
  ASSERT_EQ(ap->spec.rules.size(), 1u);
  EXPECT_TRUE(ap->spec.rules[0].from.empty());
  EXPECT_EQ(values(ap->spec.rules[0].to[0].operation->paths), Strings{"/admin/*"});
}

TEST(AuthorizationPolicyDecode, AuditAndWaypointTargetRefsWithServiceAccounts) {
  auto result = decode_text(R"(apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: productpage-viewer
  namespace: default
spec:
  targetRefs:
  - kind: Service
    group: ""
    name: productpage
  action: AUDIT
  rules:
  - from:
    - source:
        serviceAccounts: ["default/curl", "bookinfo/reviews"]
        notServiceAccounts: ["default/legacy"]
---
apiVersion: security.istio.io/v1beta1
kind: AuthorizationPolicy
metadata:
  name: waypoint-allow
  namespace: default
spec:
  targetRef:
    kind: Gateway
    group: gateway.networking.k8s.io
    name: waypoint
  rules:
  - {}
)");
  ASSERT_TRUE(result.findings.empty()) << describe(result.findings);
  ASSERT_EQ(result.objects.size(), 2u);
  const auto* viewer = result.objects[0]->as<AuthorizationPolicy>();
  ASSERT_NE(viewer, nullptr);
  EXPECT_EQ(viewer->spec.action.value, AuthorizationAction::Audit);
  ASSERT_EQ(viewer->spec.target_refs.size(), 1u);
  EXPECT_EQ(viewer->spec.target_refs[0].kind.value, "Service");
  EXPECT_EQ(viewer->spec.target_refs[0].name.value, "productpage");
  EXPECT_FALSE(viewer->spec.target_ref.has_value());
  const AuthorizationSource& src = *viewer->spec.rules[0].from[0].source;
  EXPECT_EQ(values(src.service_accounts), (Strings{"default/curl", "bookinfo/reviews"}));
  EXPECT_EQ(values(src.not_service_accounts), Strings{"default/legacy"});
  EXPECT_EQ(src.service_accounts[1].loc.path,
            "spec.rules[0].from[0].source.serviceAccounts[1]");

  // `rules: [{}]` is allow-all: one empty rule, distinct from no rules at all.
  const auto* allow_all = result.objects[1]->as<AuthorizationPolicy>();
  ASSERT_NE(allow_all, nullptr);
  EXPECT_FALSE(allow_all->spec.action.present);  // ALLOW by default.
  ASSERT_TRUE(allow_all->spec.target_ref.has_value());
  EXPECT_EQ(allow_all->spec.target_ref->kind.value, "Gateway");
  EXPECT_EQ(allow_all->spec.target_ref->group.value, "gateway.networking.k8s.io");
  ASSERT_EQ(allow_all->spec.rules.size(), 1u);
  EXPECT_TRUE(allow_all->spec.rules[0].from.empty());
  EXPECT_TRUE(allow_all->spec.rules[0].to.empty());
  EXPECT_TRUE(allow_all->spec.rules[0].when.empty());
  EXPECT_EQ(allow_all->spec.rules[0].loc.line, 29u);
}

TEST(AuthorizationPolicyDecode, AllowNothingHasNoSpecContent) {
  auto result = decode_text(R"(apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: allow-nothing
  namespace: bar
spec:
  selector:
    matchLabels:
      app: httpbin
status:
  validationMessages: []
)");
  ASSERT_TRUE(result.findings.empty()) << describe(result.findings);
  const AuthorizationPolicy* ap = only<AuthorizationPolicy>(result);
  ASSERT_NE(ap, nullptr);
  EXPECT_TRUE(ap->spec.rules.empty());
  EXPECT_FALSE(ap->spec.action.present);
  EXPECT_EQ(ap->spec.action.value_or(AuthorizationAction::Allow), AuthorizationAction::Allow);
  EXPECT_EQ(ap->spec.selector->match_labels.at("app").value, "httpbin");
}

TEST(AuthorizationPolicyDecode, UnknownActionIsEnumFinding) {
  auto result = decode_text(R"(apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: reject
  namespace: foo
spec:
  action: REJECT
  rules:
  - {}
)");
  ASSERT_EQ(result.findings.size(), 1u) << describe(result.findings);
  const Finding* f = find_finding(result.findings, "MW1003", "spec.action");
  ASSERT_NE(f, nullptr) << describe(result.findings);
  ASSERT_TRUE(f->source.has_value());
  EXPECT_EQ(f->source->line, 7u);
  EXPECT_EQ(f->severity, Severity::Error);
  EXPECT_NE(f->message.find("REJECT"), std::string::npos);
  const AuthorizationPolicy* ap = only<AuthorizationPolicy>(result);
  ASSERT_NE(ap, nullptr);
  EXPECT_FALSE(ap->spec.action.present);
}

TEST(AuthorizationPolicyDecode, WrongTypesMissingKeyAndTypos) {
  auto result = decode_text(R"(apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: bad
  namespace: foo
spec:
  action: DENY
  rules:
  - from:
    - source:
        principals: cluster.local/ns/default/sa/curl
        principal: ["typo"]
    to:
    - operation:
        ports: [8080]
        methods: ["GET"]
      opertion:
        paths: ["/x"]
    when:
    - values: ["a"]
  - from: {source: {}}
  provider: my-authz
  rule: []
)");
  EXPECT_TRUE(has_finding(result.findings, "MW1002", "spec.rules[0].from[0].source.principals"))
      << describe(result.findings);
  const Finding* typo = find_finding(result.findings, "MW1005", "spec.rules[0].from[0].source.principal");
  ASSERT_NE(typo, nullptr);
  EXPECT_EQ(typo->severity, Severity::Warning);
  ASSERT_TRUE(typo->source.has_value());
  EXPECT_EQ(typo->source->line, 12u);
  // Ports are strings in the API; a YAML integer is rejected by the API server.
  const Finding* port = find_finding(result.findings, "MW1002", "spec.rules[0].to[0].operation.ports[0]");
  ASSERT_NE(port, nullptr);
  ASSERT_TRUE(port->source.has_value());
  EXPECT_EQ(port->source->line, 15u);
  EXPECT_TRUE(has_finding(result.findings, "MW1005", "spec.rules[0].to[0].opertion"));
  EXPECT_TRUE(has_finding(result.findings, "MW1004", "spec.rules[0].when[0].key"));
  EXPECT_TRUE(has_finding(result.findings, "MW1002", "spec.rules[1].from"));
  EXPECT_TRUE(has_finding(result.findings, "MW1002", "spec.provider"));
  EXPECT_TRUE(has_finding(result.findings, "MW1005", "spec.rule"));
  EXPECT_EQ(result.findings.size(), 8u) << describe(result.findings);

  const AuthorizationPolicy* ap = only<AuthorizationPolicy>(result);
  ASSERT_NE(ap, nullptr);
  ASSERT_EQ(ap->spec.rules.size(), 2u);
  // What did decode is kept: the rest of the operation and the condition's values.
  EXPECT_EQ(values(ap->spec.rules[0].to[0].operation->methods), Strings{"GET"});
  ASSERT_EQ(ap->spec.rules[0].to[0].operation->ports.size(), 1u);
  EXPECT_FALSE(ap->spec.rules[0].to[0].operation->ports[0].present);
  EXPECT_EQ(values(ap->spec.rules[0].when[0].values), Strings{"a"});
  EXPECT_FALSE(ap->spec.rules[0].when[0].key.present);
  EXPECT_TRUE(ap->spec.rules[1].from.empty());
  EXPECT_FALSE(ap->spec.provider.has_value());
}

TEST(AuthorizationPolicyDecode, JsonAdmissionBodyKeepsLines) {
  auto result = decode_text(R"({"apiVersion": "security.istio.io/v1", "kind": "AuthorizationPolicy",
 "metadata": {"name": "deny-post", "namespace": "foo"},
 "spec": {"action": "DENY",
          "rules": [{"to": [{"operation": {"methods": ["POST"]}}],
                     "from": [{"source": {"notNamespaces": ["foo"]}}]}]}}
)",
                            "ap.json");
  ASSERT_TRUE(result.findings.empty()) << describe(result.findings);
  const AuthorizationPolicy* ap = only<AuthorizationPolicy>(result);
  ASSERT_NE(ap, nullptr);
  EXPECT_EQ(ap->spec.action.value, AuthorizationAction::Deny);
  EXPECT_EQ(ap->spec.action.loc.line, 3u);
  const auto& methods = ap->spec.rules[0].to[0].operation->methods;
  EXPECT_EQ(values(methods), Strings{"POST"});
  EXPECT_EQ(methods[0].loc.line, 4u);
  EXPECT_EQ(values(ap->spec.rules[0].from[0].source->not_namespaces), Strings{"foo"});
  EXPECT_EQ(ap->spec.rules[0].from[0].source->not_namespaces[0].loc.line, 5u);
}

}  // namespace
}  // namespace meshward::model
