// Admission: AdmissionReview decoding, the before/after diff, policy and the answer's shape.

#include <algorithm>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "meshward/admission/decide.h"
#include "meshward/admission/review.h"
#include "meshward/core/json.h"
#include "meshward/rules/registry.h"
#include "meshward/translate/options.h"
#include "meshward/world/loader.h"
#include "meshward/world/snapshot.h"

namespace meshward::admission {
namespace {

// A small world: one valid VirtualService and one that MW1201 flags (pre-existing problem).
// Every object a test creates routes to a Service of its own name, so mesh checks (other
// engineers add them concurrently) find nothing wrong with the good ones.
std::string services() {
  std::string out;
  for (const char* ns_name : {"bookinfo/reviews", "bookinfo/reviews2", "bookinfo/ratings",
                              "bookinfo/typo", "bookinfo/bad", "bookinfo/x", "legacy/broken"}) {
    const std::string s = ns_name;
    const auto slash = s.find('/');
    out += "apiVersion: v1\nkind: Service\nmetadata: {name: " + s.substr(slash + 1) +
           ", namespace: " + s.substr(0, slash) +
           "}\nspec:\n  ports: [{port: 9080, name: http}]\n  selector: {app: x}\n---\n";
  }
  return out;
}

constexpr const char* kWorld = R"(
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: bookinfo}
spec:
  hosts: [reviews]
  http:
  - route:
    - destination: {host: reviews}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: broken, namespace: legacy}
spec:
  hosts: [broken]
  http:
  - name: no-action
)";

std::shared_ptr<const EvaluatedWorld> test_world() {
  static const auto world = [] {
    auto loaded = world::load_text(services() + kWorld, "world.yaml");
    EXPECT_TRUE(loaded.findings.empty());
    return evaluate_world(world::Snapshot::make(std::move(loaded.objects)), "test");
  }();
  return world;
}

// `http` with every $HOST replaced by `host`.
std::string with_host(std::string http, const std::string& host) {
  for (auto p = http.find("$HOST"); p != std::string::npos; p = http.find("$HOST")) {
    http.replace(p, 5, host);
  }
  return http;
}

// A VirtualService as JSON (host = its name); `http` is the JSON of spec.http.
std::string vs(const std::string& ns, const std::string& name, const std::string& http,
               const std::string& extra_spec = "", const std::string& annotations = "") {
  return R"({"apiVersion":"networking.istio.io/v1","kind":"VirtualService","metadata":{"name":")" +
         name + R"(","namespace":")" + ns + R"(")" +
         (annotations.empty() ? "" : R"(,"annotations":)" + annotations) +
         R"(},"spec":{"hosts":[")" + name + R"("],"http":)" + with_host(http, name) + extra_spec + "}}";
}

constexpr const char* kGoodHttp = R"([{"route":[{"destination":{"host":"$HOST"}}]}])";
constexpr const char* kNoActionHttp = R"([{"name":"oops"}])";

struct ReviewSpec {
  std::string api_version = "admission.k8s.io/v1";
  std::string uid = "705ab4f5-6393-11e8-b7cc-42010a800002";
  std::string op = "CREATE";
  std::string ns = "bookinfo";
  std::string name = "reviews";
  std::string group = "networking.istio.io";
  std::string kind = "VirtualService";
  std::string object = "null";
  std::string old_object = "null";
  bool dry_run = false;
};

std::string review(const ReviewSpec& s) {
  return R"({"apiVersion":")" + s.api_version + R"(","kind":"AdmissionReview","request":{"uid":")" +
         s.uid + R"(","kind":{"group":")" + s.group + R"(","version":"v1","kind":")" + s.kind +
         R"("},"resource":{"group":")" + s.group +
         R"(","version":"v1","resource":"virtualservices"},"namespace":")" + s.ns +
         R"(","name":")" + s.name + R"(","operation":")" + s.op +
         R"(","userInfo":{"username":"admin"},"object":)" + s.object + R"(,"oldObject":)" +
         s.old_object + R"(,"dryRun":)" + (s.dry_run ? "true" : "false") + "}}";
}

json::Document parse(const std::string& body) {
  json::Document d;
  d.Parse(body.c_str(), body.size());
  EXPECT_FALSE(d.HasParseError()) << body;
  return d;
}

Exchange run(const std::string& body, const Policy& policy = {}) {
  return handle_review(body, test_world().get(), policy);
}

ReviewSpec create(const std::string& object) {
  ReviewSpec s;
  s.object = object;
  return s;
}

TEST(AdmissionReview, V1CreateAllowedEchoesUidAndVersion) {
  Exchange ex = run(review(create(vs("bookinfo", "reviews2", kGoodHttp))));
  ASSERT_EQ(ex.http_status, 200) << ex.body;
  EXPECT_TRUE(ex.decided);
  EXPECT_EQ(ex.decision.reason, "allowed");
  json::Document d = parse(ex.body);
  EXPECT_STREQ(d["apiVersion"].GetString(), "admission.k8s.io/v1");
  EXPECT_STREQ(d["kind"].GetString(), "AdmissionReview");
  EXPECT_STREQ(d["response"]["uid"].GetString(), "705ab4f5-6393-11e8-b7cc-42010a800002");
  EXPECT_TRUE(d["response"]["allowed"].GetBool());
  EXPECT_FALSE(d["response"].HasMember("status"));
  EXPECT_FALSE(d["response"].HasMember("warnings"));
}

TEST(AdmissionReview, V1beta1AnsweredInV1beta1) {
  ReviewSpec s = create(vs("bookinfo", "reviews2", kGoodHttp));
  s.api_version = "admission.k8s.io/v1beta1";
  Exchange ex = run(review(s));
  ASSERT_EQ(ex.http_status, 200) << ex.body;
  json::Document d = parse(ex.body);
  EXPECT_STREQ(d["apiVersion"].GetString(), "admission.k8s.io/v1beta1");
  EXPECT_TRUE(d["response"]["allowed"].GetBool());
}

TEST(AdmissionReview, CreateWithRouteWithoutActionIsDenied) {
  Exchange ex = run(review(create(vs("bookinfo", "bad", kNoActionHttp))));
  ASSERT_EQ(ex.http_status, 200) << ex.body;
  json::Document d = parse(ex.body);
  EXPECT_FALSE(d["response"]["allowed"].GetBool());
  EXPECT_EQ(d["response"]["status"]["code"].GetInt(), 403);
  const std::string msg = d["response"]["status"]["message"].GetString();
  EXPECT_NE(msg.find("configuration is invalid"), std::string::npos) << msg;
  EXPECT_NE(msg.find("MW1201 VirtualService bookinfo/bad spec.http[0]: "), std::string::npos) << msg;
  EXPECT_EQ(ex.decision.reason, "denied");
  EXPECT_EQ(ex.decision.denied, 1u);
}

TEST(AdmissionReview, WrongTypeFieldIsDenied) {
  // spec.hosts as a string: the decoder rejects it (MW1002, an error).
  std::string obj = vs("bookinfo", "x", kGoodHttp);
  obj.replace(obj.find(R"("hosts":["x"])"), 13, R"("hosts":"x")");
  Exchange ex = run(review(create(obj)));
  ASSERT_EQ(ex.http_status, 200) << ex.body;
  EXPECT_FALSE(ex.decision.response.allowed) << ex.body;
  EXPECT_NE(ex.decision.response.message.find("MW1002 VirtualService bookinfo/x spec.hosts: "),
            std::string::npos)
      << ex.decision.response.message;
}

TEST(AdmissionReview, UnknownFieldIsAWarning) {
  Exchange ex = run(review(create(vs("bookinfo", "typo", kGoodHttp, R"(,"exportTO":["."])"))));
  ASSERT_EQ(ex.http_status, 200) << ex.body;
  json::Document d = parse(ex.body);
  EXPECT_TRUE(d["response"]["allowed"].GetBool()) << ex.body;
  ASSERT_TRUE(d["response"].HasMember("warnings")) << ex.body;
  ASSERT_EQ(d["response"]["warnings"].Size(), 1u) << ex.body;
  const std::string w = d["response"]["warnings"][0].GetString();
  EXPECT_EQ(w.rfind("MW1005 VirtualService bookinfo/typo: ", 0), 0u) << w;
  EXPECT_LE(w.size(), 120u);
  EXPECT_EQ(ex.decision.reason, "warned");
}

TEST(AdmissionDiff, PreExistingProblemElsewhereIsNotReported) {
  // legacy/broken already fails MW1201 in the world; an unrelated create is clean.
  ASSERT_FALSE(test_world()->findings.empty());
  Exchange ex = run(review(create(vs("bookinfo", "ratings", kGoodHttp))));
  EXPECT_TRUE(ex.decision.response.allowed) << ex.body;
  EXPECT_TRUE(ex.decision.introduced.empty()) << ex.body;
  EXPECT_TRUE(ex.decision.response.warnings.empty());
}

TEST(AdmissionDiff, UpdateIntroducingAProblemIsDenied) {
  ReviewSpec s = create(vs("bookinfo", "reviews", kNoActionHttp));
  s.op = "UPDATE";
  s.old_object = vs("bookinfo", "reviews", kGoodHttp);
  Exchange ex = run(review(s));
  EXPECT_FALSE(ex.decision.response.allowed) << ex.body;
  ASSERT_EQ(ex.decision.introduced.size(), 1u);
  EXPECT_EQ(ex.decision.introduced[0].code, "MW1201");
  EXPECT_EQ(ex.decision.introduced[0].resource.name, "reviews");
}

TEST(AdmissionDiff, UpdateKeepingItsOwnProblemIsStillDenied) {
  // The object's own resource findings count even if the old version had them.
  ReviewSpec s = create(vs("legacy", "broken", kNoActionHttp));
  s.op = "UPDATE";
  s.ns = "legacy";
  s.name = "broken";
  s.old_object = vs("legacy", "broken", kNoActionHttp);
  Exchange ex = run(review(s));
  EXPECT_FALSE(ex.decision.response.allowed) << ex.body;
}

TEST(AdmissionDiff, UpdateFixingAProblemIsAllowed) {
  ReviewSpec s = create(vs("legacy", "broken", kGoodHttp));
  s.op = "UPDATE";
  s.ns = "legacy";
  s.name = "broken";
  s.old_object = vs("legacy", "broken", kNoActionHttp);
  Exchange ex = run(review(s));
  EXPECT_TRUE(ex.decision.response.allowed) << ex.body;
  EXPECT_TRUE(ex.decision.introduced.empty());
}

TEST(AdmissionDiff, DeleteUsesOldObjectAndIntroducesNothingHere) {
  ReviewSpec s;
  s.op = "DELETE";
  s.ns = "legacy";
  s.name = "broken";
  s.old_object = vs("legacy", "broken", kNoActionHttp);
  Exchange ex = run(review(s));
  ASSERT_EQ(ex.http_status, 200) << ex.body;
  EXPECT_TRUE(ex.decision.response.allowed);
  EXPECT_TRUE(ex.decision.introduced.empty());
  EXPECT_EQ(ex.operation, "DELETE");
}

TEST(AdmissionDiff, DeleteWithoutOldObjectFallsBackToTheRequestKey) {
  ReviewSpec s;
  s.op = "DELETE";
  Exchange ex = run(review(s));
  ASSERT_EQ(ex.http_status, 200) << ex.body;
  EXPECT_TRUE(ex.decision.response.allowed);
}

TEST(AdmissionDiff, IntroducedFindingsSubtractTheBase) {
  auto parsed = parse_review(review(create(vs("bookinfo", "bad", kNoActionHttp))));
  ASSERT_TRUE(parsed.ok());
  std::vector<Finding> introduced = introduced_findings(*parsed, *test_world());
  ASSERT_EQ(introduced.size(), 1u);
  EXPECT_EQ(introduced[0].resource.name, "bad");
  for (const Finding& f : introduced) {
    EXPECT_NE(f.resource.name, "broken");
  }
}

// A DELETE that breaks another object is reported against the change. Needs the mesh check
// MW2101 (virtualservice-subset-undefined); skipped while it is not registered.
TEST(AdmissionDiff, BreakingDeleteIsReported) {
  if (rules::find_rule("MW2101") == nullptr) {
    GTEST_SKIP() << "MW2101 is not registered in this build";
  }
  auto loaded = world::load_text(services() + R"(
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: bookinfo}
spec:
  hosts: [reviews]
  http:
  - route:
    - destination: {host: reviews, subset: v1}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews, namespace: bookinfo}
spec:
  host: reviews
  subsets:
  - {name: v1, labels: {version: v1}}
)",
                                 "subsets.yaml");
  auto world = evaluate_world(world::Snapshot::make(std::move(loaded.objects)));
  ReviewSpec s;
  s.op = "DELETE";
  s.kind = "DestinationRule";
  s.old_object = R"({"apiVersion":"networking.istio.io/v1","kind":"DestinationRule",)"
                 R"("metadata":{"name":"reviews","namespace":"bookinfo"},"spec":{"host":"reviews"}})";
  Exchange ex = handle_review(review(s), world.get(), Policy{});
  ASSERT_EQ(ex.http_status, 200) << ex.body;
  EXPECT_FALSE(ex.decision.response.allowed) << ex.body;
  ASSERT_FALSE(ex.decision.introduced.empty());
  EXPECT_EQ(ex.decision.introduced[0].code, "MW2101");
  EXPECT_EQ(ex.decision.introduced[0].resource.kind, "VirtualService");  // the broken object
  // Deleting the VirtualService instead breaks nothing.
  s.kind = "VirtualService";
  s.old_object = vs("bookinfo", "reviews", kGoodHttp);
  ex = handle_review(review(s), world.get(), Policy{});
  EXPECT_TRUE(ex.decision.response.allowed) << ex.body;
}

// `serve --istio-version`: the world is evaluated, and every review judged, as that release.
// An EnvoyFilter pinned to 1.17 in a mesh without Pods is judged only when the release is
// named (MW4116 then warns that 1.18 proxies never get it).
TEST(AdmissionDiff, ReviewsUseTheReleaseTheWorldWasEvaluatedWith) {
  ReviewSpec s;
  s.group = "networking.istio.io";
  s.kind = "EnvoyFilter";
  s.ns = "istio-system";
  s.name = "stats-1.17";
  s.object = R"({"apiVersion":"networking.istio.io/v1alpha3","kind":"EnvoyFilter",)"
             R"("metadata":{"name":"stats-1.17","namespace":"istio-system"},"spec":{"priority":-1,)"
             R"("configPatches":[{"applyTo":"HTTP_FILTER","match":{"context":"SIDECAR_OUTBOUND",)"
             R"("proxy":{"proxyVersion":"^1\\.17.*"},"listener":{"filterChain":{"filter":{"name":)"
             R"("envoy.filters.network.http_connection_manager","subFilter":{"name":)"
             R"("envoy.filters.http.router"}}}}},"patch":{"operation":"INSERT_BEFORE","value":)"
             R"({"name":"istio.stats","typed_config":{"@type":)"
             R"("type.googleapis.com/udpa.type.v1.TypedStruct"}}}}]}})";
  auto codes = [&](const translate::Options& options) {
    auto loaded = world::load_text(services(), "services.yaml");
    auto world = evaluate_world(world::Snapshot::make(std::move(loaded.objects)), "test", options);
    EXPECT_EQ(world->translate, options);
    Exchange ex = handle_review(review(s), world.get(), Policy{});
    EXPECT_EQ(ex.http_status, 200) << ex.body;
    std::vector<std::string> out;
    for (const Finding& f : ex.decision.introduced) {
      out.push_back(f.code);
    }
    return out;
  };
  translate::Options named;
  named.version = translate::IstioVersion{1, 18};
  named.version_given = true;
  const auto with_release = codes(named);
  EXPECT_NE(std::find(with_release.begin(), with_release.end(), "MW4116"), with_release.end());
  const auto defaulted = codes(translate::Options{});
  EXPECT_EQ(std::find(defaulted.begin(), defaulted.end(), "MW4116"), defaulted.end());
}

TEST(AdmissionReview, ConnectIsAllowedWithoutChecks) {
  ReviewSpec s = create(vs("bookinfo", "bad", kNoActionHttp));
  s.op = "CONNECT";
  Exchange ex = run(review(s));
  ASSERT_EQ(ex.http_status, 200) << ex.body;
  EXPECT_TRUE(ex.decision.response.allowed);
  EXPECT_EQ(ex.decision.reason, "unsupported_operation");
}

TEST(AdmissionReview, DryRunIsEvaluatedLikeARealRequest) {
  for (const char* http : {kGoodHttp, kNoActionHttp}) {
    ReviewSpec s = create(vs("bookinfo", "x", http));
    Exchange real = run(review(s));
    s.dry_run = true;
    Exchange dry = run(review(s));
    EXPECT_TRUE(dry.dry_run);
    EXPECT_EQ(real.body, dry.body);
  }
}

TEST(AdmissionReview, UnmodelledKindIsAllowed) {
  ReviewSpec s = create(R"({"apiVersion":"telemetry.istio.io/v1","kind":"Telemetry","metadata":{"name":"t"},"spec":{}})");
  s.group = "telemetry.istio.io";
  s.kind = "Telemetry";
  Exchange ex = run(review(s));
  ASSERT_EQ(ex.http_status, 200) << ex.body;
  EXPECT_TRUE(ex.decision.response.allowed);
  EXPECT_EQ(ex.decision.reason, "unmodelled_kind");
}

TEST(AdmissionReview, NoWorldYetRefuses) {
  Exchange ex = handle_review(review(create(vs("bookinfo", "x", kGoodHttp))), nullptr, Policy{});
  ASSERT_EQ(ex.http_status, 200);
  EXPECT_FALSE(ex.decision.response.allowed);
  EXPECT_EQ(ex.decision.reason, "no_world");
}

TEST(AdmissionPolicy, RuleOverrideTurnsADenyIntoAWarning) {
  Policy p;
  p.rules["MW1201"] = Action::Warn;
  Exchange ex = run(review(create(vs("bookinfo", "bad", kNoActionHttp))), p);
  EXPECT_TRUE(ex.decision.response.allowed) << ex.body;
  ASSERT_EQ(ex.decision.response.warnings.size(), 1u);
  EXPECT_EQ(ex.decision.response.warnings[0].rfind("MW1201 VirtualService bookinfo/bad: ", 0), 0u);
  p.rules["virtualservice-route-action-missing"] = Action::Ignore;
  p.rules.erase("MW1201");
  ex = run(review(create(vs("bookinfo", "bad", kNoActionHttp))), p);
  EXPECT_TRUE(ex.decision.response.allowed);
  EXPECT_TRUE(ex.decision.response.warnings.empty());
  EXPECT_EQ(ex.decision.skipped, 1u);
}

TEST(AdmissionPolicy, OptOutAnnotationNeedsAReason) {
  const std::string with_reason =
      R"({"meshward.io/skip":"MW1201, MW2101","meshward.io/skip-reason":"migrating, ticket 42"})";
  Exchange ex = run(review(create(vs("bookinfo", "bad", kNoActionHttp, "", with_reason))));
  EXPECT_TRUE(ex.decision.response.allowed) << ex.body;
  ASSERT_EQ(ex.decision.response.warnings.size(), 1u);
  EXPECT_NE(ex.decision.response.warnings[0].find("MW1201,MW2101 not enforced (migrating, ticket 42)"),
            std::string::npos)
      << ex.decision.response.warnings[0];

  const std::string without_reason = R"({"meshward.io/skip":"MW1201"})";
  ex = run(review(create(vs("bookinfo", "bad", kNoActionHttp, "", without_reason))));
  EXPECT_FALSE(ex.decision.response.allowed);
  ASSERT_FALSE(ex.decision.response.warnings.empty());
  EXPECT_NE(ex.decision.response.warnings[0].find("ignored"), std::string::npos);
}

Finding finding(std::string code, std::string ns, std::string name, std::string message) {
  Finding f;
  f.code = std::move(code);
  f.severity = Severity::Warning;
  f.resource = {"networking.istio.io/v1", "VirtualService", std::move(ns), std::move(name)};
  f.message = std::move(message);
  return f;
}

TEST(AdmissionWarnings, ShortWarningIsKeptWhole) {
  EXPECT_EQ(warning_text(finding("MW2101", "bookinfo", "reviews", "subset v2 is undefined")),
            "MW2101 VirtualService bookinfo/reviews: subset v2 is undefined");
}

TEST(AdmissionWarnings, LongMessageIsCutTo120) {
  std::string msg;
  for (int i = 0; i < 40; ++i) {
    msg += "word" + std::to_string(i) + " ";
  }
  const std::string w = warning_text(finding("MW2101", "bookinfo", "reviews", msg));
  EXPECT_LE(w.size(), 120u);
  EXPECT_EQ(w.substr(w.size() - 3), "...");
  EXPECT_EQ(w.rfind("MW2101 VirtualService bookinfo/reviews: word0 ", 0), 0u);
}

TEST(AdmissionWarnings, LongNamesNeverExceed256) {
  const std::string name(253, 'n');
  const std::string w = warning_text(finding("MW2101", std::string(63, 's'), name, std::string(500, 'm')));
  EXPECT_LE(w.size(), 256u);
  EXPECT_GT(w.size(), 120u);
}

TEST(AdmissionWarnings, MultiByteCharactersAreNotSplit) {
  std::string msg;
  for (int i = 0; i < 100; ++i) {
    msg += "\xC3\xA9";  // é
  }
  const std::string w = warning_text(finding("MW1", "a", "b", msg));
  EXPECT_TRUE(valid_utf8(w));
}

TEST(AdmissionWarnings, TotalIsCappedWithASummary) {
  std::vector<Finding> many;
  for (int i = 0; i < 200; ++i) {
    many.push_back(finding("MW1005", "bookinfo", "vs" + std::to_string(i),
                           "field spec.foo" + std::to_string(i) + " is not defined by the API"));
  }
  std::vector<std::string> ws = warning_list(many);
  ASSERT_GT(ws.size(), 2u);
  std::size_t total = 0;
  for (const auto& w : ws) {
    total += w.size();
    EXPECT_LE(w.size(), 256u);
  }
  EXPECT_LE(total, 4096u);
  const std::string& last = ws.back();
  EXPECT_EQ(last, "and " + std::to_string(200 - (ws.size() - 1)) + " more");
  // Few warnings: no summary.
  many.resize(3);
  EXPECT_EQ(warning_list(many).size(), 3u);
}

// ---- Malformed reviews: each a 400 with a JSON Status body naming the problem. ----

struct BadCase {
  const char* name;
  std::string body;
  const char* expect;  // substring of the message
};

std::string deep(std::size_t depth) {
  return std::string(depth, '[') + std::string(depth, ']');
}

std::vector<BadCase> bad_cases() {
  ReviewSpec ok = create(vs("bookinfo", "x", kGoodHttp));
  auto with = [&](auto mutate) {
    ReviewSpec s = ok;
    mutate(s);
    return review(s);
  };
  std::string good = review(ok);
  auto replace = [](std::string s, const std::string& from, const std::string& to) {
    s.replace(s.find(from), from.size(), to);
    return s;
  };
  return {
      {"empty", "", "no body"},
      {"not json", "{\"apiVersion\": ", "not a valid AdmissionReview JSON"},
      {"trailing garbage", "this is not json", "not a valid AdmissionReview JSON"},
      {"invalid utf8", replace(good, "\"x\"", "\"\xC3\x28\""), "UTF-8"},
      {"deep nesting", R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":)" +
                           deep(10000) + "}",
       "not a valid AdmissionReview JSON"},
      {"array", "[]", "must be a JSON object"},
      {"wrong apiVersion", with([](ReviewSpec& s) { s.api_version = "admission.k8s.io/v2"; }),
       "not supported"},
      {"wrong kind", replace(good, "\"kind\":\"AdmissionReview\"", "\"kind\":\"Review\""),
       "AdmissionReview"},
      {"no request", R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"})", "no request"},
      {"null request", R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":null})",
       "no request"},
      {"request not object", R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":7})",
       "must be an object"},
      {"missing uid", replace(good, "\"uid\":\"705ab4f5-6393-11e8-b7cc-42010a800002\",", ""),
       "request.uid is missing"},
      {"empty uid", with([](ReviewSpec& s) { s.uid = ""; }), "request.uid is empty"},
      {"uid not string", replace(good, "\"705ab4f5-6393-11e8-b7cc-42010a800002\"", "42"),
       "request.uid must be a string"},
      {"bad operation", with([](ReviewSpec& s) { s.op = "PATCH"; }), "PATCH"},
      {"create without object", with([](ReviewSpec& s) { s.object = "null"; }),
       "request.object is missing"},
      {"object not object", with([](ReviewSpec& s) { s.object = "\"vs\""; }), "must be an object"},
      {"kind mismatch", with([](ReviewSpec& s) { s.kind = "DestinationRule"; }), "request.kind is"},
      {"group mismatch", with([&replace](ReviewSpec& s) {
         s.object = replace(s.object, "networking.istio.io/v1", "security.istio.io/v1");
       }),
       "request.kind is"},
      {"dryRun not bool", replace(good, "\"dryRun\":false", "\"dryRun\":\"yes\""), "dryRun"},
  };
}

TEST(AdmissionMalformed, EveryBadReviewIsA400WithAJsonStatus) {
  for (const BadCase& c : bad_cases()) {
    SCOPED_TRACE(c.name);
    Exchange ex = run(c.body);
    EXPECT_EQ(ex.http_status, 400) << ex.body;
    EXPECT_FALSE(ex.decided);
    json::Document d = parse(ex.body);
    ASSERT_TRUE(d.IsObject());
    EXPECT_STREQ(d["kind"].GetString(), "Status");
    EXPECT_EQ(d["code"].GetInt(), 400);
    EXPECT_NE(std::string(d["message"].GetString()).find(c.expect), std::string::npos)
        << d["message"].GetString();
  }
}

TEST(AdmissionMalformed, Utf8Validator) {
  EXPECT_TRUE(valid_utf8("plain ascii"));
  EXPECT_TRUE(valid_utf8("\xE2\x82\xAC \xF0\x9F\x98\x80"));
  EXPECT_FALSE(valid_utf8("\xC0\xAF"));          // overlong
  EXPECT_FALSE(valid_utf8("\xED\xA0\x80"));      // surrogate
  EXPECT_FALSE(valid_utf8("\xF4\x90\x80\x80"));  // > U+10FFFF
  EXPECT_FALSE(valid_utf8("\xE2\x82"));          // truncated
}

}  // namespace
}  // namespace meshward::admission
