#include "meshward/model/kinds/virtual_service.h"

#include <gtest/gtest.h>

#include <string>

#include "testlib/testlib.h"

namespace meshward::model {
namespace {

using testing::decode_text;
using testing::describe;
using testing::has_finding;
using testing::only;

// Bookinfo's reviews service: a header-matched canary, a weighted split with retries,
// timeout, faults, mirroring and CORS. Line numbers are asserted below, so edit with care.
constexpr std::string_view kReviews = R"(apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews
  namespace: bookinfo
spec:
  hosts:
  - reviews.bookinfo.svc.cluster.local
  gateways:
  - mesh
  - istio-system/bookinfo-gateway
  exportTo:
  - "."
  http:
  - name: jason-canary
    match:
    - name: jason
      headers:
        end-user:
          exact: jason
      uri:
        prefix: /reviews
      queryParams:
        debug:
          regex: "^(1|true)$"
      withoutHeaders:
        x-skip:
          exact: "1"
      ignoreUriCase: true
      port: 9080
      sourceLabels:
        app: productpage
      sourceNamespace: bookinfo
      gateways:
      - mesh
      statPrefix: jason
    route:
    - destination:
        host: reviews.bookinfo.svc.cluster.local
        subset: v2
        port:
          number: 9080
  - name: default
    route:
    - destination:
        host: reviews.bookinfo.svc.cluster.local
        subset: v1
      weight: 75
      headers:
        response:
          set:
            x-version: v1
    - destination:
        host: reviews.bookinfo.svc.cluster.local
        subset: v3
      weight: 25
    timeout: 1.5s
    retries:
      attempts: 3
      perTryTimeout: 500ms
      retryOn: gateway-error,connect-failure,refused-stream
      retryRemoteLocalities: true
      retryIgnorePreviousHosts: false
      backoff: 25ms
    fault:
      delay:
        percentage:
          value: 0.5
        fixedDelay: 7s
      abort:
        percentage:
          value: 0.1
        httpStatus: 503
    mirror:
      host: reviews-shadow.bookinfo.svc.cluster.local
      subset: v3
    mirrorPercentage:
      value: 12.5
    corsPolicy:
      allowOrigins:
      - exact: https://bookinfo.example.com
      - regex: "https://.*\\.example\\.org"
      allowMethods:
      - GET
      - POST
      allowHeaders:
      - x-custom
      exposeHeaders:
      - x-trace
      maxAge: 24h
      allowCredentials: true
      unmatchedPreflights: IGNORE
    headers:
      request:
        set:
          x-forwarded-by: mesh
        add:
          x-trace: "1"
        remove:
        - x-internal
)";

TEST(VirtualServiceDecode, BookinfoReviewsEveryHttpFeature) {
  auto result = decode_text(kReviews);
  ASSERT_TRUE(result.findings.empty()) << describe(result.findings);
  const VirtualService* vs = only<VirtualService>(result);
  ASSERT_NE(vs, nullptr);
  EXPECT_EQ(vs->meta.name, "reviews");
  EXPECT_EQ(vs->meta.namespace_, "bookinfo");
  const VirtualServiceSpec& spec = vs->spec;
  ASSERT_EQ(spec.hosts.size(), 1u);
  EXPECT_EQ(spec.hosts[0].value, "reviews.bookinfo.svc.cluster.local");
  EXPECT_EQ(spec.hosts[0].loc.path, "spec.hosts[0]");
  EXPECT_EQ(spec.hosts[0].loc.line, 8u);
  ASSERT_EQ(spec.gateways.size(), 2u);
  EXPECT_EQ(spec.gateways[0].value, "mesh");
  EXPECT_EQ(spec.gateways[1].value, "istio-system/bookinfo-gateway");
  EXPECT_EQ(spec.gateways[1].loc.line, 11u);
  ASSERT_EQ(spec.export_to.size(), 1u);
  EXPECT_EQ(spec.export_to[0].value, ".");
  EXPECT_TRUE(spec.tls.empty());
  EXPECT_TRUE(spec.tcp.empty());
  ASSERT_EQ(spec.http.size(), 2u);

  // The header-matched canary route.
  const HttpRoute& canary = spec.http[0];
  EXPECT_EQ(canary.name.value, "jason-canary");
  EXPECT_EQ(canary.loc.path, "spec.http[0]");
  EXPECT_EQ(canary.loc.line, 15u);
  ASSERT_EQ(canary.match.size(), 1u);
  const HttpMatchRequest& m = canary.match[0];
  EXPECT_EQ(m.name.value, "jason");
  ASSERT_EQ(m.headers.count("end-user"), 1u);
  const StringMatch& end_user = m.headers.at("end-user");
  EXPECT_EQ(end_user.exact.value, "jason");
  EXPECT_TRUE(end_user.exact.present);
  EXPECT_FALSE(end_user.prefix.present);
  EXPECT_FALSE(end_user.regex.present);
  EXPECT_EQ(end_user.loc.path, "spec.http[0].match[0].headers[end-user]");
  EXPECT_EQ(end_user.exact.loc.path, "spec.http[0].match[0].headers[end-user].exact");
  EXPECT_EQ(end_user.exact.loc.line, 20u);
  ASSERT_TRUE(m.uri.has_value());
  EXPECT_EQ(m.uri->prefix.value, "/reviews");
  EXPECT_FALSE(m.uri->exact.present);
  EXPECT_FALSE(m.scheme.has_value());
  EXPECT_FALSE(m.method.has_value());
  EXPECT_FALSE(m.authority.has_value());
  EXPECT_EQ(m.query_params.at("debug").regex.value, "^(1|true)$");
  EXPECT_EQ(m.without_headers.at("x-skip").exact.value, "1");
  EXPECT_TRUE(m.ignore_uri_case.value);
  EXPECT_EQ(m.port.value, 9080u);
  EXPECT_EQ(m.source_labels.at("app").value, "productpage");
  EXPECT_EQ(m.source_labels.at("app").loc.path, "spec.http[0].match[0].sourceLabels[app]");
  EXPECT_EQ(m.source_namespace.value, "bookinfo");
  ASSERT_EQ(m.gateways.size(), 1u);
  EXPECT_EQ(m.gateways[0].value, "mesh");
  EXPECT_EQ(m.stat_prefix.value, "jason");
  ASSERT_EQ(canary.route.size(), 1u);
  ASSERT_TRUE(canary.route[0].destination.has_value());
  const Destination& v2 = *canary.route[0].destination;
  EXPECT_EQ(v2.host.value, "reviews.bookinfo.svc.cluster.local");
  EXPECT_EQ(v2.subset.value, "v2");
  ASSERT_TRUE(v2.port.has_value());
  EXPECT_EQ(v2.port->number.value, 9080u);
  EXPECT_EQ(v2.port->number.loc.path, "spec.http[0].route[0].destination.port.number");
  EXPECT_FALSE(canary.route[0].weight.present);
  EXPECT_FALSE(canary.retries.has_value());
  EXPECT_FALSE(canary.timeout.present);

  // The weighted default route.
  const HttpRoute& def = spec.http[1];
  EXPECT_EQ(def.name.value, "default");
  EXPECT_TRUE(def.match.empty());
  ASSERT_EQ(def.route.size(), 2u);
  EXPECT_EQ(def.route[0].weight.value, 75);
  EXPECT_EQ(def.route[1].weight.value, 25);
  EXPECT_EQ(def.route[0].destination->subset.value, "v1");
  const Field<std::string>& v3 = def.route[1].destination->subset;
  EXPECT_EQ(v3.value, "v3");
  EXPECT_EQ(v3.loc.path, "spec.http[1].route[1].destination.subset");
  EXPECT_EQ(v3.loc.line, 55u);
  ASSERT_TRUE(def.route[0].headers.has_value());
  ASSERT_TRUE(def.route[0].headers->response.has_value());
  EXPECT_FALSE(def.route[0].headers->request.has_value());
  EXPECT_EQ(def.route[0].headers->response->set.at("x-version").value, "v1");

  EXPECT_EQ(def.timeout.value.nanos, 1'500'000'000);
  EXPECT_EQ(def.timeout.value.text, "1.5s");
  EXPECT_EQ(def.timeout.loc.line, 57u);
  ASSERT_TRUE(def.retries.has_value());
  EXPECT_EQ(def.retries->attempts.value, 3);
  EXPECT_EQ(def.retries->per_try_timeout.value.nanos, 500'000'000);
  EXPECT_EQ(def.retries->retry_on.value, "gateway-error,connect-failure,refused-stream");
  EXPECT_TRUE(def.retries->retry_remote_localities.value);
  EXPECT_TRUE(def.retries->retry_ignore_previous_hosts.present);
  EXPECT_FALSE(def.retries->retry_ignore_previous_hosts.value);
  EXPECT_EQ(def.retries->backoff.value.nanos, 25'000'000);

  ASSERT_TRUE(def.fault.has_value());
  ASSERT_TRUE(def.fault->delay.has_value());
  EXPECT_EQ(def.fault->delay->fixed_delay.value.nanos, 7'000'000'000);
  EXPECT_FALSE(def.fault->delay->exponential_delay.present);
  ASSERT_TRUE(def.fault->delay->percentage.has_value());
  EXPECT_DOUBLE_EQ(def.fault->delay->percentage->value.value, 0.5);
  ASSERT_TRUE(def.fault->abort.has_value());
  EXPECT_EQ(def.fault->abort->http_status.value, 503);
  EXPECT_FALSE(def.fault->abort->grpc_status.present);
  EXPECT_DOUBLE_EQ(def.fault->abort->percentage->value.value, 0.1);
  EXPECT_EQ(def.fault->abort->http_status.loc.path, "spec.http[1].fault.abort.httpStatus");

  ASSERT_TRUE(def.mirror.has_value());
  EXPECT_EQ(def.mirror->host.value, "reviews-shadow.bookinfo.svc.cluster.local");
  EXPECT_EQ(def.mirror->subset.value, "v3");
  ASSERT_TRUE(def.mirror_percentage.has_value());
  EXPECT_DOUBLE_EQ(def.mirror_percentage->value.value, 12.5);
  EXPECT_FALSE(def.mirror_percent.present);
  EXPECT_TRUE(def.mirrors.empty());

  ASSERT_TRUE(def.cors_policy.has_value());
  const CorsPolicy& cors = *def.cors_policy;
  ASSERT_EQ(cors.allow_origins.size(), 2u);
  EXPECT_EQ(cors.allow_origins[0].exact.value, "https://bookinfo.example.com");
  EXPECT_EQ(cors.allow_origins[1].regex.value, "https://.*\\.example\\.org");
  EXPECT_EQ(cors.allow_origins[1].loc.path, "spec.http[1].corsPolicy.allowOrigins[1]");
  EXPECT_TRUE(cors.allow_origin.empty());
  ASSERT_EQ(cors.allow_methods.size(), 2u);
  EXPECT_EQ(cors.allow_methods[1].value, "POST");
  EXPECT_EQ(cors.allow_headers[0].value, "x-custom");
  EXPECT_EQ(cors.expose_headers[0].value, "x-trace");
  EXPECT_EQ(cors.max_age.value.nanos, 24LL * 3600 * 1'000'000'000);
  EXPECT_TRUE(cors.allow_credentials.value);
  EXPECT_EQ(cors.unmatched_preflights.value, UnmatchedPreflights::Ignore);

  ASSERT_TRUE(def.headers.has_value());
  ASSERT_TRUE(def.headers->request.has_value());
  EXPECT_EQ(def.headers->request->set.at("x-forwarded-by").value, "mesh");
  EXPECT_EQ(def.headers->request->add.at("x-trace").value, "1");
  ASSERT_EQ(def.headers->request->remove.size(), 1u);
  EXPECT_EQ(def.headers->request->remove[0].value, "x-internal");
  EXPECT_EQ(def.headers->request->remove[0].loc.path, "spec.http[1].headers.request.remove[0]");
}

TEST(VirtualServiceDecode, AllApiVersionsDecodeToTheSameModel) {
  const std::string body(kReviews.substr(kReviews.find('\n')));
  for (const char* version : {"v1", "v1beta1", "v1alpha3"}) {
    SCOPED_TRACE(version);
    auto result = decode_text("apiVersion: networking.istio.io/" + std::string(version) + body);
    ASSERT_TRUE(result.findings.empty()) << describe(result.findings);
    const VirtualService* vs = only<VirtualService>(result);
    ASSERT_NE(vs, nullptr);
    ASSERT_EQ(vs->spec.http.size(), 2u);
    const HttpRoute& def = vs->spec.http[1];
    ASSERT_EQ(def.route.size(), 2u);
    EXPECT_EQ(def.route[1].destination->subset.value, "v3");
    EXPECT_EQ(def.route[1].destination->subset.loc.line, 55u);
    EXPECT_EQ(def.route[0].weight.value, 75);
    EXPECT_EQ(def.retries->attempts.value, 3);
    EXPECT_EQ(def.cors_policy->unmatched_preflights.value, UnmatchedPreflights::Ignore);
    EXPECT_EQ(vs->spec.http[0].match[0].headers.at("end-user").exact.value, "jason");
  }
}

TEST(VirtualServiceDecode, RedirectDirectResponseDelegateRewriteAndMirrors) {
  auto result = decode_text(R"(apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: edge
spec:
  hosts:
  - "*.example.com"
  gateways:
  - edge-gateway
  http:
  - match:
    - scheme:
        exact: http
      method:
        exact: GET
      authority:
        prefix: legacy.
    redirect:
      uri: /v2
      authority: new.example.com
      derivePort: FROM_REQUEST_PORT
      scheme: https
      redirectCode: 308
  - match:
    - uri:
        exact: /healthz
    directResponse:
      status: 200
      body:
        string: ok
  - match:
    - uri:
        exact: /blob
    directResponse:
      status: 418
      body:
        bytes: aGVsbG8=
  - match:
    - uri:
        prefix: /team
    delegate:
      name: team-routes
      namespace: team
  - rewrite:
      authority: backend.internal
      uriRegexRewrite:
        match: ^/api/(.*)
        rewrite: /\1
    route:
    - destination:
        host: backend.internal
    mirrors:
    - destination:
        host: shadow-a
      percentage:
        value: 5
    - destination:
        host: shadow-b
        port:
          number: 8080
    mirrorPercent: 50
  - redirect:
      port: 8443
)");
  ASSERT_TRUE(result.findings.empty()) << describe(result.findings);
  const VirtualService* vs = only<VirtualService>(result);
  ASSERT_NE(vs, nullptr);
  ASSERT_EQ(vs->spec.http.size(), 6u);

  const HttpRoute& redirect = vs->spec.http[0];
  ASSERT_EQ(redirect.match.size(), 1u);
  EXPECT_EQ(redirect.match[0].scheme->exact.value, "http");
  EXPECT_EQ(redirect.match[0].method->exact.value, "GET");
  EXPECT_EQ(redirect.match[0].authority->prefix.value, "legacy.");
  ASSERT_TRUE(redirect.redirect.has_value());
  EXPECT_EQ(redirect.redirect->uri.value, "/v2");
  EXPECT_EQ(redirect.redirect->authority.value, "new.example.com");
  EXPECT_EQ(redirect.redirect->derive_port.value, RedirectPortSelection::FromRequestPort);
  EXPECT_FALSE(redirect.redirect->port.present);
  EXPECT_EQ(redirect.redirect->scheme.value, "https");
  EXPECT_EQ(redirect.redirect->redirect_code.value, 308u);
  EXPECT_TRUE(redirect.route.empty());

  const HttpRoute& health = vs->spec.http[1];
  ASSERT_TRUE(health.direct_response.has_value());
  EXPECT_EQ(health.direct_response->status.value, 200u);
  ASSERT_TRUE(health.direct_response->body.has_value());
  EXPECT_EQ(health.direct_response->body->string.value, "ok");
  EXPECT_FALSE(health.direct_response->body->bytes.present);

  const HttpRoute& blob = vs->spec.http[2];
  EXPECT_EQ(blob.direct_response->status.value, 418u);
  EXPECT_EQ(blob.direct_response->body->bytes.value, "aGVsbG8=");
  EXPECT_FALSE(blob.direct_response->body->string.present);

  const HttpRoute& team = vs->spec.http[3];
  ASSERT_TRUE(team.delegate.has_value());
  EXPECT_EQ(team.delegate->name.value, "team-routes");
  EXPECT_EQ(team.delegate->namespace_.value, "team");
  EXPECT_EQ(team.delegate->namespace_.loc.path, "spec.http[3].delegate.namespace");

  const HttpRoute& api = vs->spec.http[4];
  ASSERT_TRUE(api.rewrite.has_value());
  EXPECT_FALSE(api.rewrite->uri.present);
  EXPECT_EQ(api.rewrite->authority.value, "backend.internal");
  ASSERT_TRUE(api.rewrite->uri_regex_rewrite.has_value());
  EXPECT_EQ(api.rewrite->uri_regex_rewrite->match.value, "^/api/(.*)");
  EXPECT_EQ(api.rewrite->uri_regex_rewrite->rewrite.value, "/\\1");
  ASSERT_EQ(api.mirrors.size(), 2u);
  EXPECT_EQ(api.mirrors[0].destination->host.value, "shadow-a");
  EXPECT_DOUBLE_EQ(api.mirrors[0].percentage->value.value, 5.0);
  EXPECT_EQ(api.mirrors[1].destination->host.value, "shadow-b");
  EXPECT_EQ(api.mirrors[1].destination->port->number.value, 8080u);
  EXPECT_FALSE(api.mirrors[1].percentage.has_value());
  EXPECT_EQ(api.mirrors[1].loc.path, "spec.http[4].mirrors[1]");
  EXPECT_EQ(api.mirror_percent.value, 50u);

  const HttpRoute& port_redirect = vs->spec.http[5];
  EXPECT_EQ(port_redirect.redirect->port.value, 8443u);
  EXPECT_FALSE(port_redirect.redirect->derive_port.present);
}

TEST(VirtualServiceDecode, FaultVariantsAndDeprecatedFields) {
  auto result = decode_text(R"(apiVersion: networking.istio.io/v1alpha3
kind: VirtualService
metadata:
  name: ratings
spec:
  hosts:
  - ratings
  http:
  - fault:
      delay:
        exponentialDelay: 1s
        percent: 10
      abort:
        grpcStatus: UNAVAILABLE
    route:
    - destination:
        host: ratings
  - fault:
      abort:
        http2Error: REFUSED_STREAM
        percentage:
          value: 1
    corsPolicy:
      allowOrigin:
      - "*"
    route:
    - destination:
        host: ratings
)");
  ASSERT_TRUE(result.findings.empty()) << describe(result.findings);
  const VirtualService* vs = only<VirtualService>(result);
  ASSERT_NE(vs, nullptr);
  ASSERT_EQ(vs->spec.http.size(), 2u);
  const HttpFaultInjection& f0 = *vs->spec.http[0].fault;
  EXPECT_EQ(f0.delay->exponential_delay.value.nanos, 1'000'000'000);
  EXPECT_FALSE(f0.delay->fixed_delay.present);
  EXPECT_EQ(f0.delay->percent.value, 10);
  EXPECT_FALSE(f0.delay->percentage.has_value());
  EXPECT_EQ(f0.abort->grpc_status.value, "UNAVAILABLE");
  EXPECT_FALSE(f0.abort->http_status.present);
  const HttpRoute& r1 = vs->spec.http[1];
  EXPECT_EQ(r1.fault->abort->http2_error.value, "REFUSED_STREAM");
  EXPECT_FALSE(r1.fault->delay.has_value());
  ASSERT_EQ(r1.cors_policy->allow_origin.size(), 1u);
  EXPECT_EQ(r1.cors_policy->allow_origin[0].value, "*");
  EXPECT_FALSE(r1.cors_policy->unmatched_preflights.present);
}

TEST(VirtualServiceDecode, TlsAndTcpRoutes) {
  auto result = decode_text(R"(apiVersion: networking.istio.io/v1beta1
kind: VirtualService
metadata:
  name: passthrough
  namespace: edge
spec:
  hosts:
  - "*.bookinfo.com"
  - db.internal
  gateways:
  - mygateway
  tls:
  - match:
    - port: 443
      sniHosts:
      - login.bookinfo.com
      destinationSubnets:
      - 10.0.0.0/16
      sourceLabels:
        app: frontend
      gateways:
      - mygateway
      sourceNamespace: edge
    route:
    - destination:
        host: login.prod.svc.cluster.local
      weight: 100
  tcp:
  - match:
    - port: 27017
      destinationSubnets:
      - 192.168.1.0/24
      sourceLabels:
        app: reporting
      gateways:
      - mesh
      sourceNamespace: analytics
    route:
    - destination:
        host: mongo.backup.svc.cluster.local
        port:
          number: 5555
      weight: 80
    - destination:
        host: mongo.primary.svc.cluster.local
        subset: primary
      weight: 20
  exportTo:
  - "*"
)");
  ASSERT_TRUE(result.findings.empty()) << describe(result.findings);
  const VirtualService* vs = only<VirtualService>(result);
  ASSERT_NE(vs, nullptr);
  EXPECT_EQ(vs->meta.namespace_, "edge");
  EXPECT_TRUE(vs->spec.http.empty());
  ASSERT_EQ(vs->spec.hosts.size(), 2u);
  EXPECT_EQ(vs->spec.hosts[1].value, "db.internal");
  ASSERT_EQ(vs->spec.export_to.size(), 1u);
  EXPECT_EQ(vs->spec.export_to[0].value, "*");

  ASSERT_EQ(vs->spec.tls.size(), 1u);
  const TlsRoute& tls = vs->spec.tls[0];
  ASSERT_EQ(tls.match.size(), 1u);
  const TlsMatchAttributes& tm = tls.match[0];
  EXPECT_EQ(tm.port.value, 443u);
  ASSERT_EQ(tm.sni_hosts.size(), 1u);
  EXPECT_EQ(tm.sni_hosts[0].value, "login.bookinfo.com");
  EXPECT_EQ(tm.sni_hosts[0].loc.path, "spec.tls[0].match[0].sniHosts[0]");
  EXPECT_EQ(tm.sni_hosts[0].loc.line, 16u);
  EXPECT_EQ(tm.destination_subnets[0].value, "10.0.0.0/16");
  EXPECT_EQ(tm.source_labels.at("app").value, "frontend");
  EXPECT_EQ(tm.gateways[0].value, "mygateway");
  EXPECT_EQ(tm.source_namespace.value, "edge");
  ASSERT_EQ(tls.route.size(), 1u);
  EXPECT_EQ(tls.route[0].destination->host.value, "login.prod.svc.cluster.local");
  EXPECT_EQ(tls.route[0].weight.value, 100);

  ASSERT_EQ(vs->spec.tcp.size(), 1u);
  const TcpRoute& tcp = vs->spec.tcp[0];
  ASSERT_EQ(tcp.match.size(), 1u);
  EXPECT_EQ(tcp.match[0].port.value, 27017u);
  EXPECT_EQ(tcp.match[0].destination_subnets[0].value, "192.168.1.0/24");
  EXPECT_EQ(tcp.match[0].source_labels.at("app").value, "reporting");
  EXPECT_EQ(tcp.match[0].gateways[0].value, "mesh");
  EXPECT_EQ(tcp.match[0].source_namespace.value, "analytics");
  ASSERT_EQ(tcp.route.size(), 2u);
  EXPECT_EQ(tcp.route[0].destination->port->number.value, 5555u);
  EXPECT_EQ(tcp.route[0].weight.value, 80);
  EXPECT_EQ(tcp.route[1].destination->subset.value, "primary");
  EXPECT_EQ(tcp.route[1].destination->subset.loc.path, "spec.tcp[0].route[1].destination.subset");
  EXPECT_EQ(tcp.route[1].destination->subset.loc.line, 46u);
  EXPECT_EQ(tcp.route[1].weight.value, 20);
}

TEST(VirtualServiceDecode, StringMatchOneofForms) {
  auto result = decode_text(R"(apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: forms
spec:
  hosts:
  - forms
  http:
  - match:
    - uri:
        exact: /exact
    - uri:
        prefix: /prefix
    - uri:
        regex: "/re(gex)?"
    - uri:
        exact: /both
        prefix: /both
    - uri: {}
    route:
    - destination:
        host: forms
)");
  // Setting two members of the oneof (or none) is a check's business, not the decoder's.
  ASSERT_TRUE(result.findings.empty()) << describe(result.findings);
  const VirtualService* vs = only<VirtualService>(result);
  ASSERT_NE(vs, nullptr);
  const auto& match = vs->spec.http[0].match;
  ASSERT_EQ(match.size(), 5u);
  auto set_count = [](const StringMatch& s) {
    return int(s.exact.present) + int(s.prefix.present) + int(s.regex.present);
  };
  EXPECT_EQ(match[0].uri->exact.value, "/exact");
  EXPECT_EQ(set_count(*match[0].uri), 1);
  EXPECT_EQ(match[1].uri->prefix.value, "/prefix");
  EXPECT_EQ(set_count(*match[1].uri), 1);
  EXPECT_EQ(match[2].uri->regex.value, "/re(gex)?");
  EXPECT_EQ(match[2].uri->regex.loc.path, "spec.http[0].match[2].uri.regex");
  EXPECT_EQ(set_count(*match[2].uri), 1);
  EXPECT_EQ(set_count(*match[3].uri), 2);
  EXPECT_EQ(match[3].uri->exact.value, "/both");
  EXPECT_EQ(match[3].uri->prefix.value, "/both");
  ASSERT_TRUE(match[4].uri.has_value());
  EXPECT_EQ(set_count(*match[4].uri), 0);
  EXPECT_EQ(match[4].uri->loc.path, "spec.http[0].match[4].uri");
}

TEST(VirtualServiceDecode, WrongTypesUnknownEnumsAndUnknownFieldsAreFindings) {
  auto result = decode_text(R"(apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: broken
  namespace: bookinfo
spec:
  hosts: reviews
  http:
  - match:
    - uri: /reviews
      headers:
        end-user:
          exact: 7
      ignoreUriCase: "yes"
    route:
    - destination:
        host: reviews
        subsets: v2
      weight: fifty
    - destination:
        host: reviews
        subset: v1
        port:
          number: -1
    timeout: 10 seconds
    redirect:
      derivePort: FROM_HEADER
    corsPolicy:
      unmatchedPreflights: DROP
    retries:
      attempts: 2.5
    mirrorPercentage:
      value: high
  tlss:
  - match: []
)");
  const auto& f = result.findings;
  EXPECT_TRUE(has_finding(f, "MW1002", "spec.hosts")) << describe(f);
  EXPECT_TRUE(has_finding(f, "MW1002", "spec.http[0].match[0].uri"));
  EXPECT_TRUE(has_finding(f, "MW1002", "spec.http[0].match[0].headers[end-user].exact"));
  EXPECT_TRUE(has_finding(f, "MW1002", "spec.http[0].match[0].ignoreUriCase"));
  EXPECT_TRUE(has_finding(f, "MW1005", "spec.http[0].route[0].destination.subsets"));
  EXPECT_TRUE(has_finding(f, "MW1002", "spec.http[0].route[0].weight"));
  EXPECT_TRUE(has_finding(f, "MW1002", "spec.http[0].route[1].destination.port.number"));
  EXPECT_TRUE(has_finding(f, "MW1002", "spec.http[0].timeout"));
  EXPECT_TRUE(has_finding(f, "MW1003", "spec.http[0].redirect.derivePort"));
  EXPECT_TRUE(has_finding(f, "MW1003", "spec.http[0].corsPolicy.unmatchedPreflights"));
  EXPECT_TRUE(has_finding(f, "MW1002", "spec.http[0].retries.attempts"));
  EXPECT_TRUE(has_finding(f, "MW1002", "spec.http[0].mirrorPercentage.value"));
  EXPECT_TRUE(has_finding(f, "MW1005", "spec.tlss"));
  EXPECT_EQ(f.size(), 13u) << describe(f);

  // The typo finding points at the typo's own line, and the object is still decoded.
  for (const auto& finding : f) {
    if (finding.path == "spec.http[0].route[0].destination.subsets") {
      ASSERT_TRUE(finding.source.has_value());
      EXPECT_EQ(finding.source->line, 18u);
      EXPECT_EQ(finding.resource.name, "broken");
    }
  }
  const VirtualService* vs = only<VirtualService>(result);
  ASSERT_NE(vs, nullptr);
  EXPECT_TRUE(vs->spec.hosts.empty());
  const HttpRoute& route = vs->spec.http[0];
  EXPECT_FALSE(route.match[0].uri.has_value());
  EXPECT_FALSE(route.match[0].ignore_uri_case.present);
  EXPECT_FALSE(route.match[0].headers.at("end-user").exact.present);
  EXPECT_EQ(route.route[0].destination->host.value, "reviews");
  EXPECT_FALSE(route.route[0].destination->subset.present);
  EXPECT_FALSE(route.route[0].weight.present);
  EXPECT_EQ(route.route[1].destination->subset.value, "v1");
  EXPECT_FALSE(route.route[1].destination->port->number.present);
  EXPECT_FALSE(route.timeout.present);
  EXPECT_FALSE(route.redirect->derive_port.present);
  EXPECT_FALSE(route.retries->attempts.present);
}

TEST(VirtualServiceDecode, MissingRequiredFieldsAreFindings) {
  auto result = decode_text(R"(apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: incomplete
spec:
  hosts:
  - reviews
  http:
  - route:
    - weight: 100
    - destination:
        subset: v1
    mirrors:
    - percentage:
        value: 10
    directResponse:
      body:
        string: nope
  tls:
  - route:
    - destination:
        host: reviews
  - match:
    - port: 443
  tcp:
  - route:
    - destination: {}
)");
  const auto& f = result.findings;
  EXPECT_TRUE(has_finding(f, "MW1004", "spec.http[0].route[0].destination")) << describe(f);
  EXPECT_TRUE(has_finding(f, "MW1004", "spec.http[0].route[1].destination.host"));
  EXPECT_TRUE(has_finding(f, "MW1004", "spec.http[0].mirrors[0].destination"));
  EXPECT_TRUE(has_finding(f, "MW1004", "spec.http[0].directResponse.status"));
  EXPECT_TRUE(has_finding(f, "MW1004", "spec.tls[0].match"));
  EXPECT_TRUE(has_finding(f, "MW1004", "spec.tls[1].match[0].sniHosts"));
  EXPECT_TRUE(has_finding(f, "MW1004", "spec.tcp[0].route[0].destination.host"));
  EXPECT_EQ(f.size(), 7u) << describe(f);
  for (const auto& finding : f) {
    EXPECT_EQ(finding.code, "MW1004");
    if (finding.path == "spec.http[0].route[1].destination.host") {
      // A missing key is reported at the line of the object that lacks it.
      ASSERT_TRUE(finding.source.has_value());
      EXPECT_EQ(finding.source->line, 11u);
    }
  }
  const VirtualService* vs = only<VirtualService>(result);
  ASSERT_NE(vs, nullptr);
  EXPECT_FALSE(vs->spec.http[0].route[0].destination.has_value());
  EXPECT_EQ(vs->spec.http[0].route[0].weight.value, 100);
  EXPECT_FALSE(vs->spec.http[0].route[1].destination->host.present);
  EXPECT_EQ(vs->spec.http[0].route[1].destination->subset.value, "v1");
}

TEST(VirtualServiceDecode, JsonAdmissionStyleInputHasPathsAndLines) {
  auto result = decode_text(R"({
  "apiVersion": "networking.istio.io/v1beta1",
  "kind": "VirtualService",
  "metadata": {"name": "ratings", "namespace": "bookinfo"},
  "spec": {
    "hosts": ["ratings"],
    "http": [{
      "route": [
        {"destination": {"host": "ratings", "subset": "v1"}, "weight": 90},
        {"destination": {"host": "ratings", "subset": "v2"}, "weight": 10}
      ],
      "retries": {"attempts": 0}
    }]
  }
}
)",
                            "vs.json");
  ASSERT_TRUE(result.findings.empty()) << describe(result.findings);
  const VirtualService* vs = only<VirtualService>(result);
  ASSERT_NE(vs, nullptr);
  const auto& route = vs->spec.http[0].route;
  ASSERT_EQ(route.size(), 2u);
  EXPECT_EQ(route[1].destination->subset.value, "v2");
  EXPECT_EQ(route[1].destination->subset.loc.path, "spec.http[0].route[1].destination.subset");
  EXPECT_EQ(route[1].destination->subset.loc.line, 10u);
  EXPECT_EQ(route[0].weight.value, 90);
  EXPECT_TRUE(vs->spec.http[0].retries->attempts.present);
  EXPECT_EQ(vs->spec.http[0].retries->attempts.value, 0);
}

TEST(VirtualServiceDecode, EmptySpecIsAnEmptyModel) {
  auto result = decode_text(R"(apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: empty
spec: {}
)");
  ASSERT_TRUE(result.findings.empty()) << describe(result.findings);
  const VirtualService* vs = only<VirtualService>(result);
  ASSERT_NE(vs, nullptr);
  EXPECT_TRUE(vs->spec.hosts.empty());
  EXPECT_TRUE(vs->spec.gateways.empty());
  EXPECT_TRUE(vs->spec.http.empty());
  EXPECT_TRUE(vs->spec.tls.empty());
  EXPECT_TRUE(vs->spec.tcp.empty());
  EXPECT_TRUE(vs->spec.export_to.empty());
  EXPECT_EQ(vs->spec.loc.path, "spec");
}

}  // namespace
}  // namespace meshward::model
