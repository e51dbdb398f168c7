// Hostile AdmissionReview bodies through POST /validate (issue #9, docs/hardening.md "Input
// limits"): the real server in-process on 127.0.0.1:0, a Beast TLS client. A body that is not a
// usable review gets a 4xx with a JSON Status naming what is wrong; a review whose object is
// hostile gets the Kubernetes answer, HTTP 200 with allowed=false and status.code 403 naming
// the findings (or allowed with warnings). The server answers every one and keeps serving.
// Alias bombs cannot reach it: bodies must be JSON (415 otherwise). No duration is asserted;
// bounded work shows in the limit each message names.

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <gtest/gtest.h>

#include "meshward/core/json.h"
#include "meshward/model/document.h"
#include "meshward/server/server.h"
#include "tls_client.h"

namespace meshward::server {
namespace {

namespace fs = std::filesystem;
namespace http = boost::beast::http;

using test_support::Client;
using test_support::Reply;
using test_support::source_dir;

bool contains(const std::string& s, std::string_view part) { return s.find(part) != std::string::npos; }

// An AdmissionReview CREATE of `object` (a JSON object text) of kind `kind`.
std::string review(const std::string& object, const std::string& kind = "VirtualService",
                   const std::string& extra = "") {
  return R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u1",)"
         R"("kind":{"group":"networking.istio.io","version":"v1","kind":")" + kind +
         R"("},"namespace":"d","name":"x","operation":"CREATE","object":)" + object + "}" + extra + "}";
}

std::string vs(const std::string& spec, const std::string& metadata = R"({"name":"x","namespace":"d"})") {
  return R"({"apiVersion":"networking.istio.io/v1","kind":"VirtualService","metadata":)" + metadata +
         R"(,"spec":)" + spec + "}";
}

std::string gateway(const std::string& port, const std::string& more_spec = "") {
  return R"({"apiVersion":"networking.istio.io/v1","kind":"Gateway","metadata":{"name":"x","namespace":"d"},)"
         R"("spec":{"selector":{"istio":"ingressgateway"},"servers":[{"port":{"number":)" + port +
         R"(,"name":"http","protocol":"HTTP"},"hosts":["*"]}])" + more_spec + "}}";
}

const std::string kRoute = R"({"hosts":["a"],"http":[{"route":[{"destination":{"host":"a"}}]}]})";

class HostileValidate : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string templ = (fs::temp_directory_path() / "meshward-hostile-server-XXXXXX").string();
    ASSERT_NE(::mkdtemp(templ.data()), nullptr);
    dir_ = templ;
    const std::string gen = "bash '" + source_dir() + "/certs/gen-dev-certs.sh' '" + (dir_ / "certs").string() +
                            "' --force >/dev/null 2>&1";
    ASSERT_EQ(std::system(gen.c_str()), 0);
    fs::create_directories(dir_ / "world");
    std::ofstream(dir_ / "world" / "world.yaml")
        << "apiVersion: v1\nkind: Service\nmetadata: {name: a, namespace: d}\nspec:\n  ports: [{port: 80, name: http}]\n";
    ServerConfig config;
    config.listen = "127.0.0.1:0";
    config.tls.cert_file = (dir_ / "certs" / "tls.crt").string();
    config.tls.key_file = (dir_ / "certs" / "tls.key").string();
    config.world_paths = {(dir_ / "world").string()};
    config.threads = 2;
    body_limit_ = config.limits.body_bytes;
    auto created = Server::create(std::move(config));
    ASSERT_TRUE(created.ok()) << created.error().message;
    server_ = std::move(*created);
    server_->start();
    port_ = server_->local_endpoint().port();
  }

  void TearDown() override {
    if (server_) {
      // Still serving after everything the test sent.
      Client c(port_, ca());
      EXPECT_EQ(c.get("/healthz").status, 200);
      server_->shutdown();
    }
    server_.reset();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  fs::path ca() const { return dir_ / "certs" / "ca.crt"; }

  // POSTs `body`; expects a 4xx JSON Status whose message contains `expect`.
  void expect_status(const std::string& body, int status, const std::string& expect) {
    Client c(port_, ca());
    Reply r = c.post(body);
    EXPECT_EQ(r.status, status) << r.body.substr(0, 300);
    EXPECT_EQ(r.content_type, "application/json");
    json::Document d;
    d.Parse(r.body.c_str(), r.body.size());
    ASSERT_FALSE(d.HasParseError()) << r.body.substr(0, 300);
    ASSERT_TRUE(d.HasMember("message")) << r.body.substr(0, 300);
    EXPECT_EQ(d["code"].GetInt(), status);
    EXPECT_TRUE(contains(d["message"].GetString(), expect)) << d["message"].GetString();
  }

  // POSTs `body`; expects HTTP 200 with an AdmissionReview answer; returns its response.
  json::Document decided(const std::string& body) {
    Client c(port_, ca());
    Reply r = c.post(body);
    EXPECT_EQ(r.status, 200) << r.body.substr(0, 300);
    json::Document d;
    d.Parse(r.body.c_str(), r.body.size());
    EXPECT_FALSE(d.HasParseError()) << r.body.substr(0, 300);
    EXPECT_TRUE(!d.HasParseError() && d.IsObject() && d.HasMember("response")) << r.body.substr(0, 300);
    return d;
  }

  // A denial (status.code 403) whose message contains every one of `expect`.
  void expect_denied(const std::string& body, std::initializer_list<std::string_view> expect) {
    json::Document d = decided(body);
    if (!d.IsObject() || !d.HasMember("response")) {
      return;
    }
    const json::Value& res = d["response"];
    EXPECT_FALSE(res["allowed"].GetBool());
    ASSERT_TRUE(res.HasMember("status"));
    EXPECT_EQ(res["status"]["code"].GetInt(), 403);
    const std::string message(res["status"]["message"].GetString(), res["status"]["message"].GetStringLength());
    for (std::string_view e : expect) {
      EXPECT_TRUE(contains(message, e)) << "no " << e << " in " << message.substr(0, 500);
    }
  }

  std::string warnings_of(const json::Document& d) {
    std::string all;
    if (d.IsObject() && d.HasMember("response") && d["response"].HasMember("warnings")) {
      for (const auto& w : d["response"]["warnings"].GetArray()) {
        all += std::string(w.GetString()) + "\n";
      }
    }
    return all;
  }

  fs::path dir_;
  std::unique_ptr<Server> server_;
  unsigned short port_ = 0;
  std::size_t body_limit_ = 0;
};

TEST_F(HostileValidate, BodiesAtAndJustOverTheLimit) {
  // Padded with an unknown top-level field to exactly the limit: decided.
  const std::string base = review(vs(kRoute), "VirtualService", R"(,"padding":"")");
  std::string at = base;
  at.insert(at.size() - 2, std::string(body_limit_ - base.size(), 'p'));
  ASSERT_EQ(at.size(), body_limit_);
  json::Document d = decided(at);
  EXPECT_TRUE(d["response"]["allowed"].GetBool());
  // One byte more: 413, before the body is read.
  std::string over = base;
  over.insert(over.size() - 2, std::string(body_limit_ + 1 - base.size(), 'p'));
  ASSERT_EQ(over.size(), body_limit_ + 1);
  expect_status(over, 413, "request body larger than " + std::to_string(body_limit_) + " bytes");
}

TEST_F(HostileValidate, HundredThousandDeepNesting) {
  const std::size_t n = 100000;
  std::string deep;
  for (std::size_t i = 0; i < n; ++i) {
    deep += "{\"a\":";
  }
  deep += "1" + std::string(n, '}');
  const std::string message = model::depth_limit_message(model::ParseLimits{}.max_depth);
  expect_status(review(vs(deep)), 400, message);
  expect_status(std::string(n, '[') + std::string(n, ']'), 400, message);
}

TEST_F(HostileValidate, BigStrings) {
  // A 3 MB Gateway name (all the body limit allows): denied for it, the answer short.
  const std::string name(body_limit_ - 1024, 'a');
  std::string gw = gateway("80");
  gw.replace(gw.find(R"("name":"x")"), 10, R"("name":")" + name + "\"");
  std::string body = review(gw, "Gateway");
  ASSERT_LE(body.size(), body_limit_);
  Client c(port_, ca());
  Reply r = c.post(body);
  EXPECT_EQ(r.status, 200);
  EXPECT_LT(r.body.size(), 16u * 1024) << "the answer does not echo the name";
  EXPECT_TRUE(contains(r.body, "\"allowed\":false")) << r.body.substr(0, 500);
  // The reason is there, cut (before, the one line was dropped: "1 error occurred: and 1 more").
  EXPECT_TRUE(contains(r.body, "* MW1101 Gateway d/aaaa")) << r.body.substr(0, 500);
  EXPECT_FALSE(contains(r.body, "and 1 more")) << r.body.substr(0, 500);
  // A 3 MB annotation on a VirtualService: allowed, answered as short.
  Reply note = c.post(review(vs(kRoute, R"({"name":"x","namespace":"d","annotations":{"n":")" + name + R"("}})")));
  EXPECT_EQ(note.status, 200);
  EXPECT_LT(note.body.size(), 1024u);
  EXPECT_TRUE(contains(note.body, "\"allowed\":true")) << note.body;
}

TEST_F(HostileValidate, InvalidUtf8AndNulBytes) {
  using namespace std::string_literals;
  expect_status(review(vs(kRoute, R"({"name":"x)" "\xff\xfe" R"(","namespace":"d"})")), 400,
                "the body is not valid UTF-8");
  expect_status(review(vs(kRoute, R"({"name":"x","namespace":"d","labels":{")" "\xc3\x28" R"(":"v"}})")), 400,
                "the body is not valid UTF-8");
  const std::string raw_nul = review(vs(kRoute, R"({"name":"x)" "\0"s R"(y","namespace":"d"})"));
  expect_status(raw_nul, 400, model::nul_byte_message(raw_nul.find('\0')));
  // A NUL after the review: before, everything after a NUL was ignored.
  const std::string good = review(vs(kRoute));
  expect_status(good + "\0"s + "{}", 400, model::nul_byte_message(good.size()));
  // Escaped NUL in a name and a label key: valid JSON, decided (a Gateway name must be a
  // DNS label), and the answer is valid JSON that shows the NUL escaped.
  std::string gw = gateway("80");
  gw.replace(gw.find(R"({"name":"x")"), 11, R"({"labels":{"k\u0000":"v"},"name":"x\u0000y")");
  expect_denied(review(gw, "Gateway"), {"MW1101", "Gateway name \"x\\x00y\""});
}

TEST_F(HostileValidate, DuplicateKeys) {
  // In the object: the last one counts, with a warning.
  json::Document d = decided(review(
      vs(R"({"hosts":["a"],"hosts":["a"],"http":[{"route":[{"destination":{"host":"a"}}]}]})")));
  EXPECT_TRUE(d["response"]["allowed"].GetBool());
  EXPECT_TRUE(contains(warnings_of(d), "MW1006")) << warnings_of(d);
  // A repeated kind reads as its last occurrence in the review and in the decoder alike.
  std::string twice = vs(kRoute);
  twice.insert(twice.find("\"metadata\""), R"("kind":"Gateway",)");
  expect_status(review(twice), 400, "request.object is networking.istio.io/v1 Gateway but request.kind is");
}

TEST_F(HostileValidate, NumbersOutOfRange) {
  expect_denied(review(gateway("70000"), "Gateway"), {"MW1104", "port number 70000 must be in the range 1..65535"});
  expect_denied(review(gateway("18446744073709551616"), "Gateway"), {"MW1002", "out of range for uint32"});
  expect_denied(review(gateway("-1"), "Gateway"), {"MW1002", "out of range for uint32"});
  expect_status(review(gateway("1e309"), "Gateway"), 400, "Number too big to be stored in double");
  expect_denied(
      review(vs(R"({"hosts":["a"],"http":[{"route":[{"destination":{"host":"a"},"weight":-1}]}]})")),
      {"weight"});
  expect_denied(
      review(vs(R"({"hosts":["a"],"http":[{"route":[{"destination":{"host":"a"},"weight":18446744073709551616}]}]})")),
      {"MW1002", "out of range for int32"});
}

TEST_F(HostileValidate, EmptyAndWhitespaceOnlyBodies) {
  expect_status("", 400, "no body found");
  expect_status(" \r\n\t ", 400, "the body must hold exactly one JSON document");
}

TEST_F(HostileValidate, AKindWithFieldsOfAnother) {
  // request.kind and the object disagree: refused.
  expect_status(review(vs(kRoute), "Gateway"), 400, "request.object is networking.istio.io/v1 VirtualService but request.kind is");
  // A Gateway carrying a VirtualService's fields: the unknown fields are named.
  json::Document d = decided(review(
      R"({"apiVersion":"networking.istio.io/v1","kind":"Gateway","metadata":{"name":"x","namespace":"d"},"spec":)" + kRoute + "}",
      "Gateway"));
  const std::string body = json::to_string(d);
  EXPECT_TRUE(contains(body, "unknown field \\\"hosts\\\"") || contains(body, "MW1005")) << body.substr(0, 800);
  // YAML cannot reach the decoder at all (so no alias bomb can).
  Client c(port_, ca());
  EXPECT_EQ(c.post("a: &a [*a]\n", "application/yaml").status, 415);
}

TEST_F(HostileValidate, RegexesBuiltToBacktrack) {
  auto with_regex = [](const std::string& regex) {
    return review(vs(R"({"hosts":["a"],"http":[{"match":[{"uri":{"regex":")" + regex +
                     R"("}}],"route":[{"destination":{"host":"a"}}]}]})"));
  };
  // Valid RE2 (linear time; and meshward never matches them against anything): allowed.
  for (const char* regex : {"(a+)+$", "(a|aa)*b", "^(([a-z])+.)+[A-Z]([a-z])+$"}) {
    json::Document d = decided(with_regex(regex));
    EXPECT_TRUE(d["response"]["allowed"].GetBool()) << regex;
  }
  // Past RE2's bounds: denied with RE2's reason.
  expect_denied(with_regex("((a{1000}){1000}){1000}"), {"invalid repetition size"});
  expect_denied(with_regex("\\\\pL{1000}"), {"pattern too large"});
  // Many distinct regexes that each compile to the largest program RE2 allows: the review's
  // regex budget stops the compiling and says so (bounded work, not minutes of RE2).
  std::string matches;
  for (int i = 0; i < 200; ++i) {
    matches += std::string(i ? "," : "") + R"({"uri":{"regex":"\\pL{1000})" + std::to_string(i) + R"("}})";
  }
  expect_denied(review(vs(R"({"hosts":["a"],"http":[{"match":[)" + matches +
                          R"(],"route":[{"destination":{"host":"a"}}]}]})")),
                {"pattern too large", "meshward's limit per admission review"});
}

}  // namespace
}  // namespace meshward::server
