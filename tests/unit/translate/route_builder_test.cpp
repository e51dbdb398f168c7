// VirtualService http rules → Envoy routes (reference §3.4, worked example §3.7), seen through
// the sidecar route configuration of the destination's port.
#include <gtest/gtest.h>

#include <string>

#include "routes_testing.h"

namespace meshward::translate {
namespace {

using namespace routes_testing;

constexpr std::string_view kReviewsService = R"(
apiVersion: v1
kind: Service
metadata: {name: reviews, namespace: bookinfo}
spec:
  clusterIP: 10.0.0.9
  selector: {app: reviews}
  ports: [{name: http, port: 9080}]
)";

// Reference §3.7.
constexpr std::string_view kReviewsRoute = R"(
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews-route, namespace: bookinfo}
spec:
  hosts: [reviews.bookinfo.svc.cluster.local]
  http:
  - name: jason
    match:
    - headers: {end-user: {exact: jason}}
      uri: {prefix: /reviews}
    route:
    - destination: {host: reviews.bookinfo.svc.cluster.local, subset: v2}
    timeout: 3s
    retries: {attempts: 3, perTryTimeout: 1s, retryOn: "5xx,connect-failure"}
  - name: canary
    match:
    - uri: {regex: "^/reviews/[0-9]+$"}
    route:
    - destination: {host: reviews.bookinfo.svc.cluster.local, subset: v1}
      weight: 90
    - destination: {host: reviews.bookinfo.svc.cluster.local, subset: v3}
      weight: 10
  - name: default
    route:
    - destination: {host: reviews.bookinfo.svc.cluster.local, subset: v1}
)";

constexpr std::string_view kReviewsV1 = "outbound|9080|v1|reviews.bookinfo.svc.cluster.local";
constexpr std::string_view kReviewsVhost = "reviews.bookinfo.svc.cluster.local:9080";

// The routes of VirtualService bookinfo/reviews-route (hosts [reviews]) whose `http:` block is
// `http`, on the sidecar route configuration 9080 of a proxy in bookinfo.
std::vector<Route> routes_for(const std::string& http, const Options& options = {},
                              const std::string& extra = "") {
  const std::string yaml = std::string(kReviewsService) +
                           istio_object("VirtualService", "reviews-route", "bookinfo") +
                           "spec:\n  hosts: [reviews]\n  http:\n" + http + extra;
  const World w(yaml, options);
  const RouteConfiguration rc = w.route(sidecar("bookinfo", {{"app", "productpage"}}), "9080");
  const VirtualHost* vh = vhost(rc, kReviewsVhost);
  return vh != nullptr ? vh->routes : std::vector<Route>{};
}

TEST(RouteBuilder, WorkedExampleReviewsRoute) {
  const World w(std::string(kReviewsService) + std::string(kReviewsRoute));
  const RouteConfiguration rc = w.route(sidecar("bookinfo"), "9080");
  const VirtualHost* vh = vhost(rc, kReviewsVhost);
  ASSERT_NE(vh, nullptr);
  ASSERT_EQ(vh->routes.size(), 3U);
  EXPECT_EQ(vh->virtual_services,
            (std::vector<model::ObjectKey>{
                {model::Kind::VirtualService, "bookinfo", "reviews-route"}}));

  const Route& jason = vh->routes[0];
  EXPECT_EQ(jason.name, "jason");
  EXPECT_EQ(jason.match.path_kind, RouteMatch::PathKind::Prefix);
  EXPECT_EQ(jason.match.path, "/reviews");
  EXPECT_EQ(jason.match.case_sensitive, true);
  EXPECT_EQ(headers(jason.match), Strings{"end-user=exact:jason"});
  EXPECT_EQ(cluster_of(jason), "outbound|9080|v2|reviews.bookinfo.svc.cluster.local");
  ASSERT_NE(jason.route(), nullptr);
  EXPECT_EQ(jason.route()->timeout, 3000);
  EXPECT_EQ(jason.route()->max_grpc_timeout, 3000);
  ASSERT_TRUE(jason.route()->retry_policy);
  const RetryPolicy& retry = *jason.route()->retry_policy;
  EXPECT_EQ(retry.retry_on, "5xx,connect-failure");
  EXPECT_EQ(retry.num_retries, 3U);
  EXPECT_EQ(retry.per_try_timeout, 1000);
  EXPECT_TRUE(retry.previous_hosts_predicate);
  EXPECT_EQ(retry.host_selection_retry_max_attempts, 5U);
  EXPECT_TRUE(retry.retriable_status_codes.empty());
  EXPECT_EQ(jason.decorator_operation, "reviews.bookinfo.svc.cluster.local:9080/reviews*");

  const Route& canary = vh->routes[1];
  EXPECT_EQ(canary.name, "canary");
  EXPECT_EQ(canary.match.path_kind, RouteMatch::PathKind::SafeRegex);
  EXPECT_EQ(canary.match.path, "^/reviews/[0-9]+$");
  EXPECT_EQ(weighted(canary), (Strings{"outbound|9080|v1|reviews.bookinfo.svc.cluster.local:90",
                                       "outbound|9080|v3|reviews.bookinfo.svc.cluster.local:10"}));
  EXPECT_EQ(canary.route()->timeout, 0);
  EXPECT_EQ(canary.route()->max_grpc_timeout, 0);
  ASSERT_TRUE(canary.route()->retry_policy);
  expect_default_retry(*canary.route()->retry_policy, false);
  EXPECT_EQ(canary.decorator_operation, "reviews-route:9080^/reviews/[0-9]+$");

  const Route& fallback = vh->routes[2];
  EXPECT_EQ(fallback.name, "default");
  EXPECT_EQ(fallback.match.path, "/");
  EXPECT_FALSE(fallback.match.case_sensitive);  // A rule without match: a bare prefix.
  EXPECT_EQ(cluster_of(fallback), kReviewsV1);
  EXPECT_EQ(fallback.decorator_operation, "reviews.bookinfo.svc.cluster.local:9080/*");

  for (std::size_t i = 0; i < vh->routes.size(); ++i) {
    const Route& r = vh->routes[i];
    EXPECT_EQ(r.istio_config,
              "/apis/networking.istio.io/v1/namespaces/bookinfo/virtual-service/reviews-route");
    ASSERT_TRUE(r.origin.resource);
    EXPECT_EQ(r.origin.resource->name, "reviews-route");
    EXPECT_EQ(r.origin.path, "spec.http[" + std::to_string(i) + "]");
  }
}

TEST(RouteBuilder, ConfigPathAndDefaultRetryFollowTheRelease) {
  const World old(std::string(kReviewsService) + std::string(kReviewsRoute), release(15));
  const RouteConfiguration rc = old.route(sidecar("bookinfo"), "9080");
  const VirtualHost* vh = vhost(rc, kReviewsVhost);
  ASSERT_NE(vh, nullptr);
  ASSERT_EQ(vh->routes.size(), 3U);
  EXPECT_EQ(vh->routes[1].istio_config,
            "/apis/networking.istio.io/v1alpha3/namespaces/bookinfo/virtual-service/reviews-route");
  expect_default_retry(*vh->routes[1].route()->retry_policy, true);
  // An explicit retryOn replaces the default status codes, in every release.
  EXPECT_TRUE(vh->routes[0].route()->retry_policy->retriable_status_codes.empty());

  // 1.23 still retries 503 by default, 1.24 does not; v1 paths start at 1.22.
  EXPECT_TRUE(release(23).default_retry_on_503());
  EXPECT_FALSE(release(24).default_retry_on_503());
  const auto routes_122 = routes_for("  - route: [{destination: {host: reviews}}]\n", release(22));
  ASSERT_EQ(routes_122.size(), 1U);
  EXPECT_EQ(routes_122[0].istio_config,
            "/apis/networking.istio.io/v1/namespaces/bookinfo/virtual-service/reviews-route");
  expect_default_retry(*routes_122[0].route()->retry_policy, true);
}

TEST(RouteBuilder, MatchForms) {
  const auto routes = routes_for(R"(  - name: forms
    match:
    - name: exact
      uri: {exact: /login}
      ignoreUriCase: true
      method: {exact: POST}
      authority: {prefix: shop}
      scheme: {exact: https}
      headers:
        x-b: {regex: "v[0-9]+"}
        x-a: {prefix: pre}
        x-any: {regex: "*"}
      withoutHeaders:
        x-debug: {exact: "1"}
      queryParams:
        q: {exact: "yes"}
        p: {}
    - name: prefix
      uri: {prefix: /api}
    route: [{destination: {host: reviews}}]
)");
  ASSERT_EQ(routes.size(), 2U);
  const Route& exact = routes[0];
  EXPECT_EQ(exact.name, "forms.exact");
  EXPECT_EQ(exact.match.path_kind, RouteMatch::PathKind::Path);
  EXPECT_EQ(exact.match.path, "/login");
  EXPECT_EQ(exact.match.case_sensitive, false);
  // Headers and withoutHeaders sorted by name, then the pseudo-headers.
  EXPECT_EQ(headers(exact.match),
            (Strings{"x-a=prefix:pre", "x-any present", "x-b=regex:v[0-9]+", "!x-debug=exact:1",
                     ":method=exact:POST", ":authority=prefix:shop", ":scheme=exact:https"}));
  ASSERT_EQ(exact.match.query_parameters.size(), 2U);
  EXPECT_EQ(exact.match.query_parameters[0].name, "p");
  EXPECT_TRUE(exact.match.query_parameters[0].present_match);
  EXPECT_EQ(exact.match.query_parameters[1].name, "q");
  ASSERT_TRUE(exact.match.query_parameters[1].string_match);
  EXPECT_EQ(exact.match.query_parameters[1].string_match->value, "yes");
  EXPECT_EQ(exact.decorator_operation, "reviews.bookinfo.svc.cluster.local:9080/login");

  EXPECT_EQ(routes[1].name, "forms.prefix");
  EXPECT_EQ(routes[1].match.path, "/api");
  EXPECT_EQ(routes[1].match.case_sensitive, true);
}

TEST(RouteBuilder, MatchesThatDoNotApplyAreSkipped) {
  const auto routes = routes_for(R"(  - name: other-port
    match: [{port: 8080}]
    route: [{destination: {host: reviews, subset: a}}]
  - name: gateway-only
    match: [{gateways: [some-gateway]}]
    route: [{destination: {host: reviews, subset: b}}]
  - name: mesh
    match: [{gateways: [mesh], uri: {prefix: /mesh}}]
    route: [{destination: {host: reviews, subset: c}}]
  - name: labels
    match: [{sourceLabels: {app: ratings}}]
    route: [{destination: {host: reviews, subset: d}}]
  - name: own-labels
    match: [{sourceLabels: {app: productpage}, uri: {prefix: /own}}]
    route: [{destination: {host: reviews, subset: e}}]
  - name: namespace
    match: [{sourceNamespace: elsewhere}]
    route: [{destination: {host: reviews, subset: f}}]
  - name: this-port
    match: [{port: 9080, sourceNamespace: bookinfo}]
    route: [{destination: {host: reviews, subset: g}}]
  - name: never
    route: [{destination: {host: reviews, subset: h}}]
)");
  Strings names;
  for (const Route& r : routes) {
    names.push_back(r.name);
  }
  // `this-port` matches everything (prefix /, no condition left): nothing after it is built.
  EXPECT_EQ(names, (Strings{"mesh", "own-labels", "this-port"}));
}

TEST(RouteBuilder, RuleWithoutMatchEndsTheRoutes) {
  const auto routes = routes_for(R"(  - name: first
    route: [{destination: {host: reviews, subset: a}}]
  - name: unreachable
    match: [{uri: {prefix: /x}}]
    route: [{destination: {host: reviews, subset: b}}]
)");
  ASSERT_EQ(routes.size(), 1U);
  EXPECT_EQ(routes[0].name, "first");
}

TEST(RouteBuilder, DestinationPortAndHost) {
  const std::string ratings = R"(---
apiVersion: v1
kind: Service
metadata: {name: ratings, namespace: bookinfo}
spec:
  clusterIP: 10.0.0.7
  ports: [{name: http, port: 9080}, {name: http-admin, port: 9901}]
)";
  const auto routes = routes_for(R"(  - name: explicit
    match: [{uri: {prefix: /e}}]
    route: [{destination: {host: ratings, port: {number: 9901}}}]
  - name: multi-port
    match: [{uri: {prefix: /m}}]
    route: [{destination: {host: ratings.bookinfo.svc.cluster.local}}]
  - name: unknown
    match: [{uri: {prefix: /u}}]
    route: [{destination: {host: nowhere.example.com, subset: s}}]
)",
                                 {}, ratings);
  ASSERT_EQ(routes.size(), 3U);
  EXPECT_EQ(cluster_of(routes[0]), "outbound|9901||ratings.bookinfo.svc.cluster.local");
  // No port named: the listener port (a sidecar sees the service through this port only).
  EXPECT_EQ(cluster_of(routes[1]), "outbound|9080||ratings.bookinfo.svc.cluster.local");
  EXPECT_EQ(cluster_of(routes[2]), "outbound|9080|s|nowhere.example.com");
  EXPECT_EQ(routes[2].decorator_operation, "nowhere.example.com:9080/u*");
}

TEST(RouteBuilder, WeightZeroDestinationsAreDropped) {
  const auto routes = routes_for(R"(  - route:
    - destination: {host: reviews, subset: v1}
      weight: 100
    - destination: {host: reviews, subset: v2}
      weight: 0
)");
  ASSERT_EQ(routes.size(), 1U);
  EXPECT_EQ(weighted(routes[0]), Strings{std::string(kReviewsV1) + ":100"});
  EXPECT_EQ(cluster_of(routes[0]), "");
  EXPECT_EQ(routes[0].decorator_operation, "reviews-route:9080/*");
}

TEST(RouteBuilder, HeaderOperations) {
  const auto routes = routes_for(R"(  - headers:
      request:
        set: {x-b: "2", x-a: "1", ":authority": rewritten.example.com}
        add: {x-c: "3"}
        remove: [x-old, host]
      response:
        set: {x-resp: r}
        remove: [server]
    route:
    - destination: {host: reviews, subset: v1}
      headers:
        request: {add: {x-dst: d}}
        response: {remove: [x-internal]}
)");
  ASSERT_EQ(routes.size(), 1U);
  const Route& r = routes[0];
  ASSERT_EQ(r.headers.request_headers_to_add.size(), 4U);
  EXPECT_EQ(r.headers.request_headers_to_add[0].key, "x-a");
  EXPECT_EQ(r.headers.request_headers_to_add[0].append,
            HeaderValueOption::Append::OverwriteIfExistsOrAdd);
  EXPECT_EQ(r.headers.request_headers_to_add[1].key, "x-b");
  EXPECT_EQ(r.headers.request_headers_to_add[2].key, "x-c");
  EXPECT_EQ(r.headers.request_headers_to_add[2].append,
            HeaderValueOption::Append::AppendIfExistsOrAdd);
  EXPECT_EQ(r.headers.request_headers_to_add[3].key, "x-dst");
  EXPECT_EQ(r.headers.request_headers_to_remove, Strings{"x-old"});
  ASSERT_EQ(r.headers.response_headers_to_add.size(), 1U);
  EXPECT_EQ(r.headers.response_headers_to_add[0].key, "x-resp");
  EXPECT_EQ(r.headers.response_headers_to_remove, (Strings{"server", "x-internal"}));
  EXPECT_EQ(r.route()->host_rewrite_literal, "rewritten.example.com");
}

TEST(RouteBuilder, WeightedDestinationHeaders) {
  const auto routes = routes_for(R"(  - route:
    - destination: {host: reviews, subset: v1}
      weight: 50
      headers: {request: {set: {host: v1.example.com, x-v: "1"}}}
    - destination: {host: reviews, subset: v2}
      weight: 50
)");
  ASSERT_EQ(routes.size(), 1U);
  const RouteAction* a = routes[0].route();
  ASSERT_NE(a, nullptr);
  ASSERT_EQ(a->weighted_clusters.size(), 2U);
  EXPECT_EQ(a->weighted_clusters[0].host_rewrite_literal, "v1.example.com");
  ASSERT_EQ(a->weighted_clusters[0].headers.request_headers_to_add.size(), 1U);
  EXPECT_EQ(a->weighted_clusters[0].headers.request_headers_to_add[0].key, "x-v");
  EXPECT_TRUE(a->weighted_clusters[1].headers.empty());
  EXPECT_FALSE(a->host_rewrite_literal);
}

TEST(RouteBuilder, Rewrites) {
  const auto routes = routes_for(R"(  - match: [{uri: {prefix: /old}}]
    rewrite: {uri: /new, authority: new.example.com}
    route: [{destination: {host: reviews}}]
  - match: [{uri: {prefix: /re}}]
    rewrite: {uriRegexRewrite: {match: "^/re/(.*)$", rewrite: "/\\1"}}
    route: [{destination: {host: reviews}}]
)");
  ASSERT_EQ(routes.size(), 2U);
  EXPECT_EQ(routes[0].route()->prefix_rewrite, "/new");
  EXPECT_EQ(routes[0].route()->host_rewrite_literal, "new.example.com");
  EXPECT_EQ(cluster_of(routes[0]), "outbound|9080||reviews.bookinfo.svc.cluster.local");
  ASSERT_TRUE(routes[1].route()->regex_rewrite);
  EXPECT_EQ(routes[1].route()->regex_rewrite->first, "^/re/(.*)$");
  EXPECT_EQ(routes[1].route()->regex_rewrite->second, "/\\1");
  EXPECT_FALSE(routes[1].route()->prefix_rewrite);
}

TEST(RouteBuilder, Redirects) {
  const auto routes = routes_for(R"(  - name: default-code
    match: [{uri: {exact: /a}}]
    redirect: {uri: /b, authority: other.example.com}
  - name: found
    match: [{uri: {exact: /c}}]
    redirect: {uri: /d, redirectCode: 302, scheme: https, port: 8443}
  - name: derive
    match: [{uri: {exact: /e}}]
    redirect: {uri: /f, redirectCode: 307, derivePort: FROM_REQUEST_PORT}
  - name: http-80
    match: [{uri: {exact: /g}}]
    redirect: {uri: /h, redirectCode: 308, port: 80}
  - name: see-other
    match: [{uri: {exact: /i}}]
    redirect: {uri: /j, redirectCode: 303}
  - name: unsupported
    match: [{uri: {exact: /k}}]
    redirect: {uri: /l, redirectCode: 304}
)");
  ASSERT_EQ(routes.size(), 5U);  // 304 has no Envoy redirect code: no route.
  const auto* a = std::get_if<RedirectAction>(&routes[0].action);
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->response_code, "MOVED_PERMANENTLY");
  EXPECT_EQ(a->path_redirect, "/b");
  EXPECT_EQ(a->host_redirect, "other.example.com");
  EXPECT_FALSE(a->port_redirect);
  EXPECT_EQ(routes[0].decorator_operation, "reviews-route:9080/a");
  EXPECT_FALSE(routes[0].istio_config.empty());

  const auto* found = std::get_if<RedirectAction>(&routes[1].action);
  ASSERT_NE(found, nullptr);
  EXPECT_EQ(found->response_code, "FOUND");
  EXPECT_EQ(found->scheme_redirect, "https");
  EXPECT_EQ(found->port_redirect, 8443U);

  const auto* derive = std::get_if<RedirectAction>(&routes[2].action);
  ASSERT_NE(derive, nullptr);
  EXPECT_EQ(derive->response_code, "TEMPORARY_REDIRECT");
  EXPECT_EQ(derive->port_redirect, 9080U);  // The port of the listener the route serves.

  const auto* http80 = std::get_if<RedirectAction>(&routes[3].action);
  ASSERT_NE(http80, nullptr);
  EXPECT_EQ(http80->response_code, "PERMANENT_REDIRECT");
  EXPECT_FALSE(http80->port_redirect);  // No explicit :80 for http.

  const auto* see_other = std::get_if<RedirectAction>(&routes[4].action);
  ASSERT_NE(see_other, nullptr);
  EXPECT_EQ(see_other->response_code, "SEE_OTHER");
}

TEST(RouteBuilder, DirectResponses) {
  const auto routes = routes_for(R"(  - match: [{uri: {exact: /s}}]
    directResponse: {status: 503, body: {string: "down"}}
  - match: [{uri: {exact: /b}}]
    directResponse: {status: 200, body: {bytes: "aGVsbG8="}}
  - directResponse: {status: 404}
)");
  ASSERT_EQ(routes.size(), 3U);
  const auto* s = std::get_if<DirectResponseAction>(&routes[0].action);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->status, 503U);
  EXPECT_EQ(s->body, "down");
  const auto* b = std::get_if<DirectResponseAction>(&routes[1].action);
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->body, "hello");
  const auto* none = std::get_if<DirectResponseAction>(&routes[2].action);
  ASSERT_NE(none, nullptr);
  EXPECT_EQ(none->status, 404U);
  EXPECT_FALSE(none->body);
  EXPECT_EQ(routes[2].decorator_operation, "reviews-route:9080/*");
}

TEST(RouteBuilder, Mirrors) {
  const auto routes = routes_for(R"(  - match: [{uri: {prefix: /a}}]
    route: [{destination: {host: reviews, subset: v1}}]
    mirror: {host: reviews, subset: v2}
  - match: [{uri: {prefix: /b}}]
    route: [{destination: {host: reviews, subset: v1}}]
    mirror: {host: reviews, subset: v2}
    mirrorPercentage: {value: 12.5}
  - match: [{uri: {prefix: /c}}]
    route: [{destination: {host: reviews, subset: v1}}]
    mirror: {host: reviews, subset: v2}
    mirrorPercentage: {value: 0}
  - match: [{uri: {prefix: /d}}]
    route: [{destination: {host: reviews, subset: v1}}]
    mirrors:
    - destination: {host: reviews, subset: v3}
    - destination: {host: reviews, subset: v4}
      percentage: {value: 5}
)");
  ASSERT_EQ(routes.size(), 4U);
  ASSERT_EQ(routes[0].route()->request_mirror_policies.size(), 1U);
  const MirrorPolicy& m = routes[0].route()->request_mirror_policies[0];
  EXPECT_EQ(m.cluster, "outbound|9080|v2|reviews.bookinfo.svc.cluster.local");
  EXPECT_EQ(m.percentage, 100.0);
  EXPECT_FALSE(m.trace_sampled);
  ASSERT_EQ(routes[1].route()->request_mirror_policies.size(), 1U);
  EXPECT_EQ(routes[1].route()->request_mirror_policies[0].percentage, 12.5);
  EXPECT_TRUE(routes[2].route()->request_mirror_policies.empty());  // 0%: no mirror.
  ASSERT_EQ(routes[3].route()->request_mirror_policies.size(), 2U);
  EXPECT_EQ(routes[3].route()->request_mirror_policies[0].cluster,
            "outbound|9080|v3|reviews.bookinfo.svc.cluster.local");
  EXPECT_EQ(routes[3].route()->request_mirror_policies[1].percentage, 5.0);
}

TEST(RouteBuilder, FaultAndCors) {
  const auto routes = routes_for(R"(  - match: [{uri: {prefix: /f}}]
    fault:
      delay: {fixedDelay: 7s, percentage: {value: 10}}
      abort: {httpStatus: 500, percentage: {value: 1.5}}
    route: [{destination: {host: reviews}}]
  - match: [{uri: {prefix: /g}}]
    fault:
      abort: {grpcStatus: UNAVAILABLE}
    route: [{destination: {host: reviews}}]
  - match: [{uri: {prefix: /x}}]
    fault:
      delay: {exponentialDelay: 1s}
    route: [{destination: {host: reviews}}]
  - corsPolicy:
      allowOrigins: [{exact: "https://a.example.com"}, {regex: ".*\\.b\\.com"}]
      allowMethods: [GET, POST]
      allowHeaders: [x-a]
      exposeHeaders: [x-b, x-c]
      maxAge: 24h
      allowCredentials: true
      unmatchedPreflights: IGNORE
    route: [{destination: {host: reviews}}]
)");
  ASSERT_EQ(routes.size(), 4U);
  ASSERT_TRUE(routes[0].fault);
  EXPECT_EQ(routes[0].fault->fixed_delay, 7000);
  EXPECT_EQ(routes[0].fault->delay_percentage, 10.0);
  EXPECT_EQ(routes[0].fault->abort_http_status, 500U);
  EXPECT_EQ(routes[0].fault->abort_percentage, 1.5);
  ASSERT_TRUE(routes[1].fault);
  EXPECT_FALSE(routes[1].fault->fixed_delay);
  EXPECT_EQ(routes[1].fault->abort_grpc_status, 14U);
  EXPECT_FALSE(routes[2].fault);  // Exponential delays are not supported: no fault at all.
  EXPECT_FALSE(routes[0].cors);

  ASSERT_TRUE(routes[3].cors);
  const CorsConfig& cors = *routes[3].cors;
  ASSERT_EQ(cors.allow_origin_string_match.size(), 2U);
  EXPECT_EQ(cors.allow_origin_string_match[0].kind, StringMatcher::Kind::Exact);
  EXPECT_EQ(cors.allow_origin_string_match[1].kind, StringMatcher::Kind::SafeRegex);
  EXPECT_EQ(cors.allow_methods, "GET,POST");
  EXPECT_EQ(cors.allow_headers, "x-a");
  EXPECT_EQ(cors.expose_headers, "x-b,x-c");
  EXPECT_EQ(cors.max_age, "86400");
  EXPECT_EQ(cors.allow_credentials, true);
  EXPECT_FALSE(cors.forward_not_matching_preflights);
}

TEST(RouteBuilder, CustomRetries) {
  const auto routes = routes_for(R"(  - match: [{uri: {prefix: /codes}}]
    retries: {attempts: 4, retryOn: "gateway-error, 503,504,999,reset"}
    route: [{destination: {host: reviews}}]
  - match: [{uri: {prefix: /only-codes}}]
    retries: {attempts: 1, retryOn: "503"}
    route: [{destination: {host: reviews}}]
  - match: [{uri: {prefix: /keep-default-on}}]
    retries: {attempts: 5, retryRemoteLocalities: true, retryIgnorePreviousHosts: false,
              backoff: 250ms}
    route: [{destination: {host: reviews}}]
  - match: [{uri: {prefix: /off}}]
    retries: {attempts: 0}
    route: [{destination: {host: reviews}}]
)",
                                 release(15));
  ASSERT_EQ(routes.size(), 4U);
  const RetryPolicy& codes = *routes[0].route()->retry_policy;
  EXPECT_EQ(codes.num_retries, 4U);
  // 999 is no HTTP status Go knows: it stays a retry_on token.
  EXPECT_EQ(codes.retry_on, "gateway-error,999,reset,retriable-status-codes");
  EXPECT_EQ(codes.retriable_status_codes, (std::vector<std::uint32_t>{503, 504}));

  const RetryPolicy& only = *routes[1].route()->retry_policy;
  EXPECT_EQ(only.retry_on, ",retriable-status-codes");
  EXPECT_EQ(only.retriable_status_codes, std::vector<std::uint32_t>{503});

  const RetryPolicy& keep = *routes[2].route()->retry_policy;
  EXPECT_EQ(keep.num_retries, 5U);
  EXPECT_EQ(keep.retry_on,
            "connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes");
  EXPECT_EQ(keep.retriable_status_codes, std::vector<std::uint32_t>{503});  // 1.15 default
  EXPECT_TRUE(keep.retry_remote_localities);
  EXPECT_FALSE(keep.previous_hosts_predicate);
  EXPECT_EQ(keep.backoff_base_interval, 250);

  EXPECT_FALSE(routes[3].route()->retry_policy);  // attempts 0 disables retries.
}

TEST(RouteBuilder, ConsistentHashFromDestinationRule) {
  const std::string dr = R"(---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews, namespace: bookinfo}
spec:
  host: reviews
  trafficPolicy:
    loadBalancer: {consistentHash: {httpHeaderName: x-user}}
    portLevelSettings:
    - port: {number: 9080}
      loadBalancer: {consistentHash: {httpQueryParameterName: user}}
  subsets:
  - name: v1
    labels: {version: v1}
  - name: v2
    labels: {version: v2}
    trafficPolicy:
      loadBalancer: {consistentHash: {httpCookie: {name: session, ttl: 10s, path: /}}}
)";
  const auto routes = routes_for(R"(  - match: [{uri: {prefix: /top}}]
    route: [{destination: {host: reviews, subset: v1}}]
  - match: [{uri: {prefix: /port}}]
    route: [{destination: {host: reviews, subset: v1, port: {number: 9080}}}]
  - match: [{uri: {prefix: /subset}}]
    route: [{destination: {host: reviews, subset: v2, port: {number: 9080}}}]
  - route:
    - destination: {host: reviews, subset: v1}
      weight: 50
    - destination: {host: reviews, subset: v2}
      weight: 50
)",
                                 {}, dr);
  ASSERT_EQ(routes.size(), 4U);
  ASSERT_EQ(routes[0].route()->hash_policy.size(), 1U);
  EXPECT_EQ(routes[0].route()->hash_policy[0].kind, HashPolicy::Kind::Header);
  EXPECT_EQ(routes[0].route()->hash_policy[0].name, "x-user");
  // With consistent hashing a retry must stay on the host: no previous_hosts predicate.
  EXPECT_FALSE(routes[0].route()->retry_policy->previous_hosts_predicate);

  ASSERT_EQ(routes[1].route()->hash_policy.size(), 1U);
  EXPECT_EQ(routes[1].route()->hash_policy[0].kind, HashPolicy::Kind::QueryParameter);

  ASSERT_EQ(routes[2].route()->hash_policy.size(), 1U);
  const HashPolicy& cookie = routes[2].route()->hash_policy[0];
  EXPECT_EQ(cookie.kind, HashPolicy::Kind::Cookie);
  EXPECT_EQ(cookie.name, "session");
  EXPECT_EQ(cookie.cookie_ttl, 10000);
  EXPECT_EQ(cookie.cookie_path, "/");

  // Weighted: one hash policy per destination; the retry policy keeps its predicate.
  EXPECT_EQ(routes[3].route()->hash_policy.size(), 2U);
  EXPECT_TRUE(routes[3].route()->retry_policy->previous_hosts_predicate);
}

TEST(RouteBuilder, SubsetsWithAndWithoutDestinationRule) {
  // A subset no DestinationRule defines still names its cluster (Envoy answers 503 NC).
  const auto without = routes_for("  - route: [{destination: {host: reviews, subset: v9}}]\n");
  ASSERT_EQ(without.size(), 1U);
  EXPECT_EQ(cluster_of(without[0]), "outbound|9080|v9|reviews.bookinfo.svc.cluster.local");

  const std::string dr = istio_object("DestinationRule", "reviews", "bookinfo") +
                         "spec:\n  host: reviews\n  subsets: [{name: v9, labels: {v: \"9\"}}]\n";
  const auto with =
      routes_for("  - route: [{destination: {host: reviews, subset: v9}}]\n", {}, dr);
  ASSERT_EQ(with.size(), 1U);
  EXPECT_EQ(cluster_of(with[0]), cluster_of(without[0]));
  EXPECT_TRUE(with[0].route()->hash_policy.empty());
  EXPECT_TRUE(with[0].route()->retry_policy->previous_hosts_predicate);
}

}  // namespace
}  // namespace meshward::translate
