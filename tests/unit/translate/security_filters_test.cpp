// The filters istiod builds from RequestAuthentication and AuthorizationPolicy on inbound and
// gateway chains (src/translate/security_filters.cpp): order, names and the parts of their
// typed_config a check or an operator reads.
#include <gtest/gtest.h>

#include <string>

#include "meshward/core/json.h"
#include "meshward/translate/translate.h"
#include "routes_testing.h"

namespace meshward::translate {
namespace {

using routes_testing::gateway;
using routes_testing::sidecar;
using routes_testing::Strings;
using routes_testing::World;

constexpr std::string_view kServices = R"(
apiVersion: v1
kind: Service
metadata: {name: reviews, namespace: bookinfo}
spec:
  selector: {app: reviews}
  ports: [{name: http, port: 9080}, {name: tcp-db, port: 3306}]
---
apiVersion: v1
kind: Service
metadata: {name: ingressgateway, namespace: istio-system}
spec:
  selector: {istio: ingressgateway}
  ports: [{name: http, port: 80}]
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: gw, namespace: istio-system}
spec:
  selector: {istio: ingressgateway}
  servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ["*"]}]
)";

// The virtualInbound chain named `chain` (the first of that name) for reviews.
const FilterChain* inbound_chain(const std::vector<Listener>& listeners, std::string_view chain,
                                 std::string_view transport) {
  for (const Listener& l : listeners) {
    if (l.name != "virtualInbound") {
      continue;
    }
    for (const FilterChain& c : l.filter_chains) {
      if (c.name == chain && c.match.transport_protocol == transport) {
        return &c;
      }
    }
  }
  ADD_FAILURE() << "no chain " << chain;
  return nullptr;
}

Strings names(const std::vector<NetworkFilter>& filters) {
  Strings out;
  for (const auto& f : filters) {
    out.push_back(f.name);
  }
  return out;
}

std::string config_of(const NetworkFilter& f) {
  return f.typed_config.get() != nullptr ? json::to_string(*f.typed_config.get()) : "";
}

std::string config_of(const HttpFilter& f) {
  return f.typed_config.get() != nullptr ? json::to_string(*f.typed_config.get()) : "";
}

TEST(SecurityFiltersTest, AllowRuleWithHttpFieldsAllowsNothingOnTcp) {
  const World w(std::string(kServices) + R"(
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: get-only, namespace: bookinfo}
spec:
  selector: {matchLabels: {app: reviews}}
  rules: [{to: [{operation: {methods: [GET]}}]}]
)");
  const Scope scope(w.registry(), sidecar("bookinfo", {{"app", "reviews"}}));
  const std::vector<Listener> listeners = build_listeners(scope);
  const FilterChain* tcp = inbound_chain(listeners, "0.0.0.0_3306", "raw_buffer");
  ASSERT_NE(tcp, nullptr);
  EXPECT_EQ(names(tcp->filters),
            (Strings{"istio.metadata_exchange", "envoy.filters.network.rbac", "istio.stats",
                     "envoy.filters.network.tcp_proxy"}));
  // The rule is dropped: an ALLOW filter with no policy denies every connection.
  EXPECT_NE(config_of(tcp->filters[1]).find(R"("rules":{"policies":{}})"), std::string::npos)
      << config_of(tcp->filters[1]);
  const FilterChain* http = inbound_chain(listeners, "0.0.0.0_9080", "raw_buffer");
  ASSERT_NE(http, nullptr);
  const NetworkFilter* hcm = http->terminal();
  ASSERT_NE(hcm, nullptr);
  ASSERT_GE(hcm->http_filters.size(), 3U);
  EXPECT_EQ(hcm->http_filters[1].name, "envoy.filters.http.rbac");
  const std::string cfg = config_of(hcm->http_filters[1]);
  EXPECT_NE(cfg.find(R"("ns[bookinfo]-policy[get-only]-rule[0]")"), std::string::npos) << cfg;
  EXPECT_NE(cfg.find(R"({"name":":method","string_match":{"exact":"GET"}})"), std::string::npos)
      << cfg;
}

TEST(SecurityFiltersTest, OrderIsCustomThenJwtThenAuditDenyAllow) {
  const World w(std::string(kServices) + R"(
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: allow, namespace: bookinfo}
spec: {selector: {matchLabels: {app: reviews}}, rules: [{}]}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: deny-none, namespace: bookinfo}
spec: {selector: {matchLabels: {app: reviews}}, action: DENY}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: audit, namespace: istio-system}
spec: {action: AUDIT, rules: [{}]}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: ext, namespace: bookinfo}
spec:
  selector: {matchLabels: {app: reviews}}
  action: CUSTOM
  provider: {name: opa}
  rules: [{to: [{operation: {paths: ["/admin/*"]}}]}]
---
apiVersion: security.istio.io/v1
kind: RequestAuthentication
metadata: {name: jwt, namespace: bookinfo}
spec:
  jwtRules:
  - {issuer: "https://b.example.com", jwks: "{}"}
  - {issuer: "https://a.example.com", jwksUri: "https://a.example.com/keys"}
)");
  const Scope scope(w.registry(), sidecar("bookinfo", {{"app", "reviews"}}));
  const std::vector<Listener> listeners = build_listeners(scope);
  const FilterChain* http = inbound_chain(listeners, "0.0.0.0_9080", "raw_buffer");
  ASSERT_NE(http, nullptr);
  const NetworkFilter* hcm = http->terminal();
  ASSERT_NE(hcm, nullptr);
  const auto& f = hcm->http_filters;
  ASSERT_GE(f.size(), 7U);
  EXPECT_EQ(f[0].name, "istio.metadata_exchange");
  EXPECT_EQ(f[1].name, "envoy.filters.http.rbac");  // CUSTOM: shadow rules for ext_authz
  EXPECT_NE(config_of(f[1]).find("istio-ext-authz-ns[bookinfo]-policy[ext]-rule[0]"),
            std::string::npos);
  EXPECT_NE(config_of(f[1]).find(R"("shadow_rules":{"action":"DENY")"), std::string::npos);
  EXPECT_EQ(f[2].name, "envoy.filters.http.ext_authz");
  EXPECT_NE(config_of(f[2]).find(R"("meshward_provider":["opa"])"), std::string::npos);
  EXPECT_EQ(f[3].name, "envoy.filters.http.jwt_authn");
  // Providers by issuer; with two, a valid token of either, or none present.
  const std::string jwt = config_of(f[3]);
  EXPECT_NE(jwt.find(R"("origins-0":{"issuer":"https://a.example.com")"), std::string::npos)
      << jwt;
  EXPECT_NE(jwt.find(R"("origins-1":{"issuer":"https://b.example.com")"), std::string::npos);
  EXPECT_NE(jwt.find(R"("requires_all")"), std::string::npos);
  EXPECT_EQ(jwt.find("clear_route_cache"), std::string::npos);  // sidecars only
  EXPECT_NE(config_of(f[4]).find(R"("action":"LOG")"), std::string::npos);
  // A DENY policy without rules matches nothing.
  EXPECT_NE(config_of(f[5]).find(
                R"("ns[bookinfo]-policy[deny-none]-rule[0]":{"permissions":[{"not_rule":{"any":true}}])"),
            std::string::npos)
      << config_of(f[5]);
  EXPECT_EQ(config_of(f[6]).find("action"), std::string::npos);  // ALLOW: the enum default
  EXPECT_EQ(f[7].name, "envoy.filters.http.grpc_stats");
}

TEST(SecurityFiltersTest, GatewaysGetThemOnTheirConnectionManagerButOutboundDoesNot) {
  const World w(std::string(kServices) + R"(
---
apiVersion: security.istio.io/v1
kind: RequestAuthentication
metadata: {name: jwt, namespace: istio-system}
spec:
  selector: {matchLabels: {istio: ingressgateway}}
  jwtRules: [{issuer: "https://a.example.com", jwks: "{}"}]
---
apiVersion: security.istio.io/v1
kind: RequestAuthentication
metadata: {name: mesh-wide, namespace: istio-system}
spec:
  jwtRules: [{issuer: "https://mesh.example.com", jwks: "{}"}]
)");
  const Scope gw(w.registry(), gateway("istio-system"));
  bool found = false;
  for (const Listener& l : build_listeners(gw)) {
    for (const FilterChain& c : l.filter_chains) {
      const NetworkFilter* hcm = c.terminal();
      if (hcm != nullptr && hcm->http_filters.size() > 1) {
        EXPECT_EQ(hcm->http_filters[1].name, "envoy.filters.http.jwt_authn");
        EXPECT_NE(config_of(hcm->http_filters[1]).find(R"("clear_route_cache":true)"),
                  std::string::npos);
        found = true;
      }
    }
  }
  EXPECT_TRUE(found);
  const Scope sc(w.registry(), sidecar("bookinfo", {{"app", "reviews"}}));
  for (const Listener& l : build_listeners(sc)) {
    for (const FilterChain& c : l.filter_chains) {
      const NetworkFilter* hcm = c.terminal();
      if (hcm == nullptr || l.traffic_direction != "OUTBOUND") {
        continue;
      }
      for (const HttpFilter& h : hcm->http_filters) {
        EXPECT_NE(h.name, "envoy.filters.http.jwt_authn") << l.name;
      }
    }
  }
}

}  // namespace
}  // namespace meshward::translate
