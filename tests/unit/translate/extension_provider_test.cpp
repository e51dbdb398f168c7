// Which extension provider a workload's CUSTOM policies get, or why istiod denies everything
// instead (translate/extension_provider.h, istiod's getExtAuthz / processExtensionProvider).

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "meshward/translate/extension_provider.h"
#include "meshward/world/snapshot.h"
#include "testlib/testlib.h"

namespace meshward::translate {
namespace {

// ext-authz in foo, opa in foo and bar, and one ServiceEntry host in two namespaces.
std::shared_ptr<const world::Snapshot> registry() {
  auto decoded = meshward::testing::decode_text(R"(apiVersion: v1
kind: Service
metadata: {name: ext-authz, namespace: foo}
spec: {ports: [{name: grpc, port: 9000}]}
---
apiVersion: v1
kind: Service
metadata: {name: opa, namespace: foo}
spec: {ports: [{name: grpc, port: 9191}]}
---
apiVersion: v1
kind: Service
metadata: {name: opa, namespace: bar}
spec: {ports: [{name: grpc, port: 9191}]}
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: authz, namespace: ops}
spec:
  hosts: [authz.example.com]
  location: MESH_EXTERNAL
  resolution: DNS
  ports: [{number: 443, name: https, protocol: HTTPS}]
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: authz, namespace: ops2}
spec:
  hosts: [authz.example.com]
  location: MESH_EXTERNAL
  resolution: DNS
  ports: [{number: 443, name: https, protocol: HTTPS}]
)");
  EXPECT_TRUE(decoded.findings.empty()) << meshward::testing::describe(decoded.findings);
  return world::Snapshot::make(std::move(decoded.objects));
}

MeshExtensionProvider grpc(std::string name, std::string service, std::uint32_t port) {
  MeshExtensionProvider p;
  p.name = std::move(name);
  p.type = MeshExtensionProvider::Type::ExtAuthzGrpc;
  p.service = std::move(service);
  p.port = port;
  return p;
}

std::string error_of(const std::vector<MeshExtensionProvider>& providers,
                     const std::vector<std::string>& named) {
  auto world = registry();
  auto r = resolve_ext_authz(*world, providers, named, "cluster.local");
  EXPECT_FALSE(r.ok());
  return r.ok() ? "" : r.error().message;
}

TEST(ExtAuthz, AProviderResolvesToItsServicesCluster) {
  auto world = registry();
  const std::vector<MeshExtensionProvider> providers = {
      grpc("a", "foo/ext-authz.foo.svc.cluster.local", 9000),
      grpc("b", "ext-authz.foo.svc.cluster.local", 9000), grpc("c", "ops/authz.example.com", 443)};
  auto a = resolve_ext_authz(*world, providers, {"a", "a"}, "cluster.local");
  ASSERT_TRUE(a.ok()) << a.error().message;
  EXPECT_EQ(a->provider, &providers[0]);
  EXPECT_EQ(a->hostname, "ext-authz.foo.svc.cluster.local");
  EXPECT_EQ(a->cluster, "outbound|9000||ext-authz.foo.svc.cluster.local");
  auto b = resolve_ext_authz(*world, providers, {"b"}, "cluster.local");
  ASSERT_TRUE(b.ok()) << b.error().message;
  EXPECT_EQ(b->cluster, "outbound|9000||ext-authz.foo.svc.cluster.local");
  auto c = resolve_ext_authz(*world, providers, {"c"}, "cluster.local");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->cluster, "outbound|443||authz.example.com");
}

TEST(ExtAuthz, WhatIstiodCannotUseIsAnError) {
  const auto a = grpc("a", "foo/ext-authz.foo.svc.cluster.local", 9000);
  EXPECT_EQ(error_of({a}, {"b"}), "available providers are [a] but found \"b\"");
  EXPECT_EQ(error_of({a}, {"a", "b"}),
            "only 1 provider can be used per workload, found multiple providers: [a b]");
  MeshExtensionProvider zipkin;
  zipkin.name = "z";
  zipkin.other_type = "zipkin";
  EXPECT_EQ(error_of({a, zipkin}, {"z"}),
            "available providers are [a] but found \"z\" (a zipkin provider, not an external "
            "authorizer)");
  EXPECT_EQ(error_of({grpc("a", "foo/ext-authz", 9000)}, {"a"}),
            "found errors in provider a: could not find service foo/ext-authz:9000 in Istio "
            "service registry");
  EXPECT_EQ(error_of({grpc("a", "authz.example.com", 443)}, {"a"}),
            "found errors in provider a: found authz.example.com in multiple namespaces [ops "
            "ops2], specify the namespace explicitly in the format of <Namespace>/<Hostname>");
  EXPECT_EQ(error_of({grpc("a", "bar/ext-authz.foo.svc.cluster.local", 9000)}, {"a"}),
            "found errors in provider a: could not find service "
            "bar/ext-authz.foo.svc.cluster.local:9000 in Istio service registry");
  EXPECT_EQ(error_of({grpc("a", "foo/ext-authz.foo.svc.cluster.local", 0)}, {"a"}),
            "found errors in provider a: port must be in the range [1, 65535], found: 0");
  auto status = a;
  status.status_on_error = "599";
  EXPECT_EQ(error_of({status}, {"a"}), "found errors in provider a: unsupported statusOnError 599");
  auto http = a;
  http.type = MeshExtensionProvider::Type::ExtAuthzHttp;
  http.path_prefix = "check";
  http.headers_to_upstream_on_allow = {"*"};
  EXPECT_EQ(error_of({http}, {"a"}),
            "found errors in provider a: pathPrefix must begin with `/`, found: \"check\"; a "
            "single wildcard (\"*\") is not supported, change it to either prefix or suffix "
            "match: HeadersToUpstreamOnAllow");
  EXPECT_EQ(error_of({a, a}, {"a"}),
            "found errors in provider a: extension provider name must be unique, found "
            "duplicate: a");
  EXPECT_EQ(error_of({a}, {}), "no provider specified in authorization policy");
}

}  // namespace
}  // namespace meshward::translate
