// EnvoyFilter patches (envoy_filter.h): which patches reach a proxy and in what order, proxy
// version matching, and each listener-side operation as listener_patch.go applies it.
#include "meshward/translate/envoy_filter.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <utility>

#include "meshward/translate/translate.h"
#include "routes_testing.h"

namespace meshward::translate {
namespace {

using routes_testing::gateway;
using routes_testing::sidecar;
using routes_testing::Strings;
using routes_testing::World;

// A world with one HTTP service (reviews:9080), one TCP service (db:3306) and a reviews pod
// running proxy 1.17.5, plus `filters` (EnvoyFilter YAML documents).
std::string world_with(const std::string& filters) {
  return R"(
apiVersion: v1
kind: Service
metadata: {name: reviews, namespace: bookinfo}
spec:
  clusterIP: 10.96.0.20
  selector: {app: reviews}
  ports: [{name: http, port: 9080}]
---
apiVersion: v1
kind: Service
metadata: {name: db, namespace: bookinfo}
spec:
  clusterIP: 10.96.0.30
  selector: {app: db}
  ports: [{name: tcp, port: 3306}]
---
apiVersion: v1
kind: Pod
metadata:
  name: reviews-v1
  namespace: bookinfo
  labels: {app: reviews}
spec:
  containers:
  - {name: reviews, image: "reviews:1.0"}
  - {name: istio-proxy, image: "docker.io/istio/proxyv2:1.17.5@sha256:abc"}
status: {podIP: 10.244.0.11}
---
)" + filters;
}

// An HTTP_FILTER patch on the outbound 9080 listener's connection manager.
std::string http_patch(const std::string& name, const std::string& operation,
                       const std::string& sub_filter, const std::string& value_name,
                       const std::string& extra_spec = "", const std::string& ns = "bookinfo") {
  std::string sub = sub_filter.empty() ? "" : "\n            subFilter: {name: " + sub_filter + "}";
  return "apiVersion: networking.istio.io/v1alpha3\nkind: EnvoyFilter\nmetadata: {name: " + name +
         ", namespace: " + ns + "}\nspec:\n" + extra_spec +
         "  configPatches:\n"
         "  - applyTo: HTTP_FILTER\n"
         "    match:\n"
         "      context: SIDECAR_OUTBOUND\n"
         "      listener:\n"
         "        portNumber: 9080\n"
         "        filterChain:\n"
         "          filter:\n"
         "            name: envoy.filters.network.http_connection_manager" +
         sub +
         "\n    patch:\n"
         "      operation: " +
         operation +
         "\n      value:\n"
         "        name: " +
         value_name +
         "\n        typed_config: {\"@type\": type.googleapis.com/envoy.extensions.filters.http.lua.v3.Lua}\n---\n";
}

std::vector<Listener> listeners_of(const World& w, const Proxy& proxy,
                                   std::vector<PatchEffect>* effects = nullptr) {
  const Scope scope(w.registry(), proxy);
  return build_listeners(scope, effects);
}

const Listener& listener(const std::vector<Listener>& ls, const std::string& name) {
  for (const auto& l : ls) {
    if (l.name == name) {
      return l;
    }
  }
  ADD_FAILURE() << "no listener " << name;
  static const Listener none;
  return none;
}

Strings http_filters_at(const std::vector<Listener>& ls, const std::string& name) {
  const Listener& l = listener(ls, name);
  for (const auto& c : l.filter_chains) {
    for (const auto& f : c.filters) {
      if (f.name == "envoy.filters.network.http_connection_manager") {
        return f.http_filter_names();
      }
    }
  }
  return {};
}

const Strings kIstioOutbound = {"istio.metadata_exchange", "envoy.filters.http.grpc_stats",
                                "istio.alpn",              "envoy.filters.http.fault",
                                "envoy.filters.http.cors", "istio.stats",
                                "envoy.filters.http.router"};

Strings with(Strings base, std::size_t at, const std::string& name) {
  base.insert(base.begin() + static_cast<std::ptrdiff_t>(at), name);
  return base;
}

TEST(EnvoyFilterTest, ProxyVersionFromPodImageTagElseExplicitElseRelease) {
  const World w(world_with(""));
  const auto& view = w.registry().view();
  EXPECT_EQ(proxy_version(view, sidecar("bookinfo", {{"app", "reviews"}}), {}), "1.17.5");
  Proxy explicit_version = sidecar("bookinfo", {{"app", "reviews"}});
  explicit_version.version = "1.18.0";
  EXPECT_EQ(proxy_version(view, explicit_version, {}), "1.18.0");
  Options o;
  o.version = IstioVersion{1, 22};
  EXPECT_EQ(proxy_version(view, sidecar("bookinfo", {{"app", "db"}}), o), "1.22.0");
}

TEST(EnvoyFilterTest, ProxyVersionRegexIsSearchedNotAnchored) {
  model::EnvoyConfigObjectPatch cp;
  cp.match.emplace();
  cp.match->proxy.emplace();
  cp.match->proxy->proxy_version.value = R"(1\.17)";
  const Proxy p = sidecar("bookinfo");
  EXPECT_TRUE(proxy_matches(cp, p, "1.17.5", {}));   // Go's MatchString finds it anywhere
  EXPECT_TRUE(proxy_matches(cp, p, "x1.17", {}));
  EXPECT_FALSE(proxy_matches(cp, p, "1.18.0", {}));
  EXPECT_FALSE(proxy_matches(cp, p, "", {}));        // no version never matches a regex
  cp.match->proxy->proxy_version.value = "^1\\.2[";  // invalid: matches nothing
  EXPECT_FALSE(proxy_matches(cp, p, "1.20.0", {}));
  cp.match->proxy->proxy_version.value = "";
  cp.match->proxy->metadata["NAMESPACE"].value = "bookinfo";
  EXPECT_TRUE(proxy_matches(cp, p, "1.17.5", {}));
  cp.match->proxy->metadata["SOME_OTHER_KEY"].value = "x";
  EXPECT_FALSE(proxy_matches(cp, p, "1.17.5", {}));
}

// REMOVE carries no value (the usual way to write it): the filter named by the match goes.
TEST(EnvoyFilterTest, RemoveWithoutValueRemovesTheMatchedFilter) {
  const World w(world_with(
      "apiVersion: networking.istio.io/v1alpha3\nkind: EnvoyFilter\nmetadata: {name: no-cors, "
      "namespace: bookinfo}\nspec:\n  configPatches:\n  - applyTo: HTTP_FILTER\n    match:\n"
      "      context: SIDECAR_OUTBOUND\n      listener:\n        portNumber: 9080\n"
      "        filterChain:\n          filter:\n"
      "            name: envoy.filters.network.http_connection_manager\n"
      "            subFilter: {name: envoy.filters.http.cors}\n    patch: {operation: REMOVE}\n"
      "---\n"));
  std::vector<PatchEffect> effects;
  const auto ls = listeners_of(w, sidecar("bookinfo", {{"app", "reviews"}}), &effects);
  Strings expected = kIstioOutbound;
  expected.erase(std::find(expected.begin(), expected.end(), "envoy.filters.http.cors"));
  EXPECT_EQ(http_filters_at(ls, "0.0.0.0_9080"), expected);
  ASSERT_FALSE(effects.empty());
  EXPECT_EQ(effects.front().object, "http filter envoy.filters.http.cors");
}

// HTTP_ROUTE list operations on a built route configuration (rc_patch.go patchHTTPRoutes):
// the routes of a vhost named `v` are [a, b]; each case is one patch.
TEST(EnvoyFilterTest, EachHttpRouteOperation) {
  struct Case {
    std::string operation, route_match;
    Strings expected;
  } cases[] = {
      {"ADD", "", {"a", "b", "new"}},
      {"INSERT_FIRST", "b", {"new", "a", "b"}},
      {"INSERT_BEFORE", "b", {"a", "new", "b"}},
      {"INSERT_BEFORE", "", {"new", "a", "b"}},  // no route match: first
      {"INSERT_AFTER", "a", {"a", "new", "b"}},
      {"INSERT_AFTER", "", {"a", "b", "new"}},   // no route match: last
      {"INSERT_AFTER", "zzz", {"a", "b"}},        // a match that finds nothing: nothing
      {"REMOVE", "a", {"b"}},
      {"MERGE", "b", {"a", "b"}},
  };
  for (const Case& c : cases) {
    const std::string route =
        c.route_match.empty() ? "" : ", route: {name: " + c.route_match + "}";
    const World w(world_with(
        "apiVersion: networking.istio.io/v1alpha3\nkind: EnvoyFilter\nmetadata: {name: r, "
        "namespace: bookinfo}\nspec:\n  configPatches:\n  - applyTo: HTTP_ROUTE\n    match: "
        "{context: SIDECAR_OUTBOUND, routeConfiguration: {vhost: {name: v" +
        route + "}}}\n    patch: {operation: " + c.operation +
        ", value: {name: new, match: {prefix: /new}, direct_response: {status: 200}}}\n---\n"));
    const Proxy p = sidecar("bookinfo", {{"app", "reviews"}});
    const ProxyPatches patches(w.registry().view(), p, {});
    RouteConfiguration rc;
    rc.name = "9080";
    VirtualHost vh;
    vh.name = "v";
    for (const char* name : {"a", "b"}) {
      Route r;
      r.name = name;
      vh.routes.push_back(r);
    }
    rc.virtual_hosts.push_back(vh);
    PatchLog log;
    apply_route_patches(model::EnvoyFilterPatchContext::SidecarOutbound, patches, rc, &log);
    Strings names;
    for (const Route& r : rc.virtual_hosts.front().routes) {
      names.push_back(r.name);
    }
    EXPECT_EQ(names, c.expected) << c.operation << " " << c.route_match;
    EXPECT_EQ(log.size(), c.expected.size() == 2 && c.operation != "MERGE" ? 0U : 1U)
        << c.operation << " " << c.route_match;
    // The same patch in another context changes nothing.
    RouteConfiguration inbound = rc;
    PatchLog none;
    apply_route_patches(model::EnvoyFilterPatchContext::SidecarInbound, patches, inbound, &none);
    EXPECT_TRUE(none.empty());
  }
}

TEST(EnvoyFilterTest, EachHttpFilterListOperation) {
  const Proxy p = sidecar("bookinfo", {{"app", "reviews"}});
  struct Case {
    std::string operation, sub_filter;
    Strings expected;
  } cases[] = {
      {"ADD", "", with(kIstioOutbound, 7, "lua")},
      {"INSERT_FIRST", "", with(kIstioOutbound, 0, "lua")},
      {"INSERT_BEFORE", "envoy.filters.http.router", with(kIstioOutbound, 6, "lua")},
      {"INSERT_BEFORE", "", with(kIstioOutbound, 0, "lua")},  // no sub-filter: first
      {"INSERT_AFTER", "envoy.filters.http.fault", with(kIstioOutbound, 4, "lua")},
      {"INSERT_AFTER", "", with(kIstioOutbound, 7, "lua")},   // no sub-filter: last
      {"INSERT_BEFORE", "envoy.router", kIstioOutbound},      // absent: nothing happens
      {"REPLACE", "envoy.filters.http.cors",
       {"istio.metadata_exchange", "envoy.filters.http.grpc_stats", "istio.alpn",
        "envoy.filters.http.fault", "lua", "istio.stats", "envoy.filters.http.router"}},
      {"REPLACE", "", kIstioOutbound},  // REPLACE needs a sub-filter
      {"REMOVE", "envoy.filters.http.fault",
       {"istio.metadata_exchange", "envoy.filters.http.grpc_stats", "istio.alpn",
        "envoy.filters.http.cors", "istio.stats", "envoy.filters.http.router"}},
      {"MERGE", "envoy.filters.http.cors",
       {"istio.metadata_exchange", "envoy.filters.http.grpc_stats", "istio.alpn",
        "envoy.filters.http.fault", "lua", "istio.stats", "envoy.filters.http.router"}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.operation + " " + c.sub_filter);
    const World w(world_with(http_patch("lua", c.operation, c.sub_filter, "lua")));
    const auto ls = listeners_of(w, p);
    EXPECT_EQ(http_filters_at(ls, "0.0.0.0_9080"), c.expected);
    // Only the 9080 listener's connection manager is matched.
    EXPECT_EQ(http_filters_at(ls, "virtualInbound").size(), 6u);
  }
}

TEST(EnvoyFilterTest, PatchedFiltersRecordThePatchAndKeepTheirValue) {
  const World w(world_with(http_patch("lua", "INSERT_BEFORE", "envoy.filters.http.router", "lua")));
  std::vector<PatchEffect> effects;
  const auto ls = listeners_of(w, sidecar("bookinfo", {{"app", "reviews"}}), &effects);
  const Listener& l = listener(ls, "0.0.0.0_9080");
  const NetworkFilter* hcm = l.filter_chains.front().terminal();
  ASSERT_NE(hcm, nullptr);
  const HttpFilter& lua = hcm->http_filters[6];
  ASSERT_EQ(lua.name, "lua");
  ASSERT_EQ(lua.patched_by.size(), 1u);
  EXPECT_EQ(lua.patched_by[0].envoy_filter.name, "lua");
  EXPECT_EQ(lua.patched_by[0].patch_index, 0u);
  EXPECT_EQ(lua.patched_by[0].operation, "INSERT_BEFORE");
  EXPECT_EQ(lua.type_url(), "type.googleapis.com/envoy.extensions.filters.http.lua.v3.Lua");
  ASSERT_EQ(effects.size(), 1u);
  EXPECT_EQ(effects[0].resource, "0.0.0.0_9080");
  EXPECT_EQ(effects[0].object, "http filter lua");
}

TEST(EnvoyFilterTest, ProxyVersionMismatchDropsThePatch) {
  std::string ef = http_patch("lua", "ADD", "", "lua");
  // Pin the patch to 1.18: the reviews pod runs 1.17.5.
  const std::string needle = "      context: SIDECAR_OUTBOUND\n";
  ef.replace(ef.find(needle), needle.size(),
             needle + "      proxy: {proxyVersion: '^1\\.18.*'}\n");
  const World w(world_with(ef));
  EXPECT_EQ(http_filters_at(listeners_of(w, sidecar("bookinfo", {{"app", "reviews"}})),
                            "0.0.0.0_9080"),
            kIstioOutbound);
  Proxy upgraded = sidecar("bookinfo", {{"app", "reviews"}});
  upgraded.version = "1.18.3";
  EXPECT_EQ(http_filters_at(listeners_of(w, upgraded), "0.0.0.0_9080"),
            with(kIstioOutbound, 7, "lua"));
}

TEST(EnvoyFilterTest, OrderIsPriorityThenRootNamespaceThenCreationTime) {
  // Three ADDs: `late` (bookinfo, priority 0, created first), `root` (istio-system, priority
  // 0, created last) and `early` (bookinfo, priority -5). Order: early, root, late.
  const std::string filters =
      http_patch("late", "ADD", "", "late", "", "bookinfo") +
      http_patch("root", "ADD", "", "root", "", "istio-system") +
      http_patch("early", "ADD", "", "early", "  priority: -5\n", "bookinfo");
  std::string yaml = world_with(filters);
  // Creation times: late 10:00, root 11:00, early 12:00.
  for (const auto& [name, time] : {std::pair<std::string, std::string>{"late", "10"},
                                   {"root", "11"},
                                   {"early", "12"}}) {
    const std::string key = "metadata: {name: " + name + ",";
    yaml.replace(yaml.find(key), key.size(),
                 "metadata: {creationTimestamp: \"2026-01-01T" + time + ":00:00Z\", name: " +
                     name + ",");
  }
  const World w(yaml);
  const Strings got = http_filters_at(listeners_of(w, sidecar("bookinfo", {{"app", "reviews"}})),
                                      "0.0.0.0_9080");
  Strings tail(got.end() - 3, got.end());
  EXPECT_EQ(tail, (Strings{"early", "root", "late"}));
}

TEST(EnvoyFilterTest, WorkloadSelectorAndNamespaceDecideWhoGetsThePatch) {
  const std::string selected = "  workloadSelector:\n    labels: {app: reviews}\n";
  const World w(world_with(http_patch("lua", "ADD", "", "lua", selected)));
  EXPECT_EQ(http_filters_at(listeners_of(w, sidecar("bookinfo", {{"app", "reviews"}})),
                            "0.0.0.0_9080")
                .back(),
            "lua");
  EXPECT_EQ(http_filters_at(listeners_of(w, sidecar("bookinfo", {{"app", "db"}})), "0.0.0.0_9080"),
            kIstioOutbound);
  // Another namespace's proxies get bookinfo's filter only from the root namespace.
  EXPECT_EQ(http_filters_at(listeners_of(w, sidecar("other", {{"app", "reviews"}})),
                            "0.0.0.0_9080"),
            kIstioOutbound);
}

TEST(EnvoyFilterTest, NetworkFilterBeforeTcpProxyInEveryTcpChainOfTheContext) {
  const World w(world_with(R"(apiVersion: networking.istio.io/v1alpha3
kind: EnvoyFilter
metadata: {name: tcp-stats, namespace: istio-system}
spec:
  configPatches:
  - applyTo: NETWORK_FILTER
    match:
      context: SIDECAR_INBOUND
      listener:
        filterChain:
          filter: {name: envoy.filters.network.tcp_proxy}
    patch:
      operation: INSERT_BEFORE
      value:
        name: my.tcp.stats
        typed_config: {"@type": type.googleapis.com/udpa.type.v1.TypedStruct}
)"));
  const auto ls = listeners_of(w, sidecar("bookinfo", {{"app", "reviews"}}));
  for (const auto& c : listener(ls, "virtualInbound").filter_chains) {
    Strings names;
    for (const auto& f : c.filters) {
      names.push_back(f.name);
    }
    const auto tcp = std::find(names.begin(), names.end(), "envoy.filters.network.tcp_proxy");
    if (tcp != names.end()) {
      ASSERT_NE(tcp, names.begin()) << c.name;
      EXPECT_EQ(*(tcp - 1), "my.tcp.stats") << c.name;
    } else {
      EXPECT_EQ(std::count(names.begin(), names.end(), "my.tcp.stats"), 0) << c.name;
    }
  }
  // Outbound (another context) is untouched.
  for (const auto& c : listener(ls, "virtualOutbound").filter_chains) {
    for (const auto& f : c.filters) {
      EXPECT_NE(f.name, "my.tcp.stats");
    }
  }
}

TEST(EnvoyFilterTest, ListenerAndFilterChainAddAndRemove) {
  const World w(world_with(R"(apiVersion: networking.istio.io/v1alpha3
kind: EnvoyFilter
metadata: {name: shape, namespace: bookinfo}
spec:
  configPatches:
  - applyTo: LISTENER
    match: {context: SIDECAR_OUTBOUND, listener: {portNumber: 3306}}
    patch: {operation: REMOVE}
  - applyTo: LISTENER
    match: {context: SIDECAR_OUTBOUND}
    patch:
      operation: ADD
      value:
        name: extra_8125
        address: {socket_address: {address: 0.0.0.0, port_value: 8125}}
        filter_chains:
        - filters:
          - name: envoy.filters.network.tcp_proxy
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy
              stat_prefix: statsd
              cluster: statsd
  - applyTo: LISTENER
    patch:
      operation: ADD
      value: {name: any_context, address: {socket_address: {address: 0.0.0.0, port_value: 1}}}
  - applyTo: FILTER_CHAIN
    match:
      context: SIDECAR_OUTBOUND
      listener: {name: virtualOutbound, filterChain: {name: virtualOutbound-blackhole}}
    patch: {operation: REMOVE}
)"));
  std::vector<PatchEffect> effects;
  const auto ls = listeners_of(w, sidecar("bookinfo", {{"app", "reviews"}}), &effects);
  Strings names;
  for (const auto& l : ls) {
    names.push_back(l.name);
  }
  EXPECT_EQ(std::count(names.begin(), names.end(), "10.96.0.30_3306"), 0);
  // An ADD without context goes to outbound (once: not to the virtual listeners, not inbound).
  EXPECT_EQ(std::count(names.begin(), names.end(), "extra_8125"), 1);
  EXPECT_EQ(std::count(names.begin(), names.end(), "any_context"), 1);
  const Listener& extra = listener(ls, "extra_8125");
  EXPECT_EQ(extra.address.port_value, 8125u);
  ASSERT_EQ(extra.filter_chains.size(), 1u);
  EXPECT_EQ(extra.filter_chains[0].filters[0].name, "envoy.filters.network.tcp_proxy");
  EXPECT_EQ(extra.patched_by.size(), 1u);
  for (const auto& c : listener(ls, "virtualOutbound").filter_chains) {
    EXPECT_NE(c.name, "virtualOutbound-blackhole");
  }
  bool removal_logged = false;
  for (const auto& e : effects) {
    removal_logged = removal_logged || (e.patch.operation == "REMOVE" && e.object == "listener" &&
                                        e.resource == "10.96.0.30_3306");
  }
  EXPECT_TRUE(removal_logged);
}

TEST(EnvoyFilterTest, GatewayContextAndInsertOnOtherKindsBecomesAdd) {
  const World w(world_with(R"(apiVersion: networking.istio.io/v1alpha3
kind: EnvoyFilter
metadata: {name: gw, namespace: istio-system}
spec:
  workloadSelector:
    labels: {istio: ingressgateway}
  configPatches:
  - applyTo: LISTENER
    match: {context: GATEWAY}
    patch:
      operation: INSERT_FIRST
      value: {name: gw_extra, address: {socket_address: {address: 0.0.0.0, port_value: 9000}}}
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: gw, namespace: istio-system}
spec:
  selector: {istio: ingressgateway}
  servers:
  - port: {number: 80, name: http, protocol: HTTP}
    hosts: ["*"]
)"));
  const auto ls = listeners_of(w, gateway("istio-system"));
  ASSERT_FALSE(ls.empty());
  EXPECT_EQ(ls.back().name, "gw_extra");  // INSERT_FIRST on LISTENER is an ADD: appended
  EXPECT_EQ(ls.back().patched_by.at(0).operation, "ADD");
}

}  // namespace
}  // namespace meshward::translate
