// FakeApiServer must behave like kube-apiserver for everything fake_api_server.h lists, since
// meshward's kube client is tested against it. Each test drives one feature over real TLS
// with a small Beast client written here (a couple use curl), and checks the wire format:
// status codes, Status bodies, list shapes, chunk framing of watch streams.

#include <utility>  // First: Boost 1.74's Asio headers use std::exchange without including it.

#include "kube_support/fake_api_server.h"

#include <cstdio>
#include <fstream>
#include <functional>
#include <limits>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <sys/wait.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <gtest/gtest.h>
#include <rapidjson/document.h>

namespace meshward::testing {
namespace {

using namespace std::chrono_literals;
namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = boost::asio::ip::tcp;
using error_code = boost::beast::error_code;
using Clock = std::chrono::steady_clock;
using Headers = std::vector<std::pair<std::string, std::string>>;

constexpr const char* kVirtualServices = "/apis/networking.istio.io/v1/virtualservices";
constexpr const char* kMetadataListAccept =
    "application/vnd.kubernetes.protobuf;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,"
    "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json";
constexpr const char* kMetadataWatchAccept =
    "application/vnd.kubernetes.protobuf;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,"
    "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json";

std::string virtual_service(const std::string& ns, const std::string& name,
                            const std::string& host = "reviews") {
  std::string meta = R"("name":")" + name + "\"";
  if (!ns.empty()) {
    meta += R"(,"namespace":")" + ns + "\"";
  }
  return R"({"apiVersion":"networking.istio.io/v1","kind":"VirtualService","metadata":{)" + meta +
         R"(},"spec":{"hosts":[")" + host + R"("]}})";
}

rapidjson::Document json(const std::string& text) {
  rapidjson::Document doc;
  doc.Parse(text.data(), text.size());
  EXPECT_FALSE(doc.HasParseError()) << "not JSON: " << text;
  return doc;
}

/// The string at a '/'-separated path ("metadata/name"), or "<missing>".
std::string at(const rapidjson::Value& v, const std::string& path) {
  const rapidjson::Value* cur = &v;
  std::istringstream parts(path);
  std::string part;
  while (std::getline(parts, part, '/')) {
    if (!cur->IsObject() || !cur->HasMember(part.c_str())) {
      return "<missing>";
    }
    cur = &(*cur)[part.c_str()];
  }
  if (cur->IsString()) {
    return cur->GetString();
  }
  if (cur->IsUint64()) {
    return std::to_string(cur->GetUint64());
  }
  if (cur->IsBool()) {
    return cur->GetBool() ? "true" : "false";
  }
  return "<not a scalar>";
}

std::vector<std::string> member_names(const rapidjson::Value& v) {
  std::vector<std::string> out;
  for (auto it = v.MemberBegin(); it != v.MemberEnd(); ++it) {
    out.emplace_back(it->name.GetString());
  }
  return out;
}

template <class Pred>
bool eventually(Pred pred, std::chrono::milliseconds timeout = 5s) {
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    if (pred()) {
      return true;
    }
    std::this_thread::sleep_for(2ms);
  }
  return pred();
}

struct Response {
  unsigned status = 0;
  std::string content_type;
  bool chunked = false;
  std::string body;
};

enum class StreamEnd { kClean, kCut, kTimeout };

/// A plain HTTPS/1.1 client on one keep-alive connection, verifying the server against a CA
/// PEM and the name 127.0.0.1. Every operation has a deadline: a test never hangs on it.
class Client {
 public:
  explicit Client(const FakeApiServer& server, std::string token = {})
      : Client(server.port(), server.ca_pem(), std::move(token)) {}

  Client(std::uint16_t port, const std::string& ca_pem, std::string token)
      : token_(std::move(token)) {
    if (!ca_pem.empty()) {
      tls_.add_certificate_authority(net::buffer(ca_pem));
    }
    tls_.set_verify_mode(ssl::verify_peer);
    stream_ = std::make_unique<Stream>(ioc_, tls_);
    stream_->set_verify_callback(ssl::host_name_verification("127.0.0.1"));
    const tcp::endpoint endpoint(net::ip::make_address("127.0.0.1"), port);
    error_ = run([&](auto h) { beast::get_lowest_layer(*stream_).async_connect(endpoint, std::move(h)); },
                 5s);
    if (!error_) {
      beast::get_lowest_layer(*stream_).socket().set_option(tcp::no_delay(true), error_);
    }
    if (!error_) {
      error_ = run([&](auto h) { stream_->async_handshake(ssl::stream_base::client, std::move(h)); },
                   5s);
    }
    connected_ = !error_;
  }

  bool connected() const { return connected_; }
  error_code error() const { return error_; }

  /// GET and read the whole answer; nullopt on an I/O error or timeout (see error()).
  std::optional<Response> get(const std::string& target, const Headers& headers = {},
                              Clock::duration timeout = 5s) {
    if (!send(target, headers, timeout)) {
      return std::nullopt;
    }
    http::response_parser<http::string_body> parser;
    parser.body_limit(std::numeric_limits<std::uint64_t>::max());
    error_ = run([&](auto h) { http::async_read(*stream_, buffer_, parser, std::move(h)); }, timeout);
    if (error_) {
      return std::nullopt;
    }
    const auto& res = parser.get();
    return Response{res.result_int(), std::string(res[http::field::content_type]), res.chunked(),
                    res.body()};
  }

  /// Sends a watch request and reads the answer's header; the body is then read with
  /// next_line() and end(). Returns the HTTP status (0 on an I/O error).
  unsigned watch(const std::string& target, const Headers& headers = {}) {
    data_.clear();
    chunks_.clear();
    parser_.emplace();
    parser_->body_limit(std::numeric_limits<std::uint64_t>::max());
    parser_->on_chunk_header(on_chunk_header_);
    parser_->on_chunk_body(on_chunk_body_);
    if (!send(target, headers, 5s)) {
      return 0;
    }
    error_ = run([&](auto h) { http::async_read_header(*stream_, buffer_, *parser_, std::move(h)); },
                 5s);
    return error_ ? 0 : parser_->get().result_int();
  }

  std::string header(http::field field) const { return std::string(parser_->get()[field]); }

  /// The next line of the watch body (without "\n"); nullopt when the stream ended or broke
  /// or nothing came within the timeout.
  std::optional<std::string> next_line(Clock::duration timeout = 5s) {
    const auto deadline = Clock::now() + timeout;
    for (;;) {
      if (auto nl = data_.find('\n'); nl != std::string::npos) {
        std::string line = data_.substr(0, nl);
        data_.erase(0, nl + 1);
        return line;
      }
      if (parser_->is_done() || Clock::now() >= deadline) {
        return std::nullopt;
      }
      error_ = run([&](auto h) { http::async_read_some(*stream_, buffer_, *parser_, std::move(h)); },
                   deadline - Clock::now());
      if (error_) {
        return std::nullopt;
      }
    }
  }

  /// Reads the rest of the watch body: kClean when it ends with the final chunk, kCut when
  /// the connection closes first.
  StreamEnd end(Clock::duration timeout = 5s) {
    const auto deadline = Clock::now() + timeout;
    while (!parser_->is_done()) {
      if (Clock::now() >= deadline) {
        return StreamEnd::kTimeout;
      }
      error_ = run([&](auto h) { http::async_read_some(*stream_, buffer_, *parser_, std::move(h)); },
                   deadline - Clock::now());
      if (error_ == net::error::timed_out) {
        return StreamEnd::kTimeout;
      }
      if (error_) {
        return StreamEnd::kCut;
      }
    }
    return StreamEnd::kClean;
  }

  /// Sizes of the body chunks received so far on the current watch.
  const std::vector<std::size_t>& chunks() const { return chunks_; }

 private:
  using Stream = beast::ssl_stream<beast::tcp_stream>;

  bool send(const std::string& target, const Headers& headers, Clock::duration timeout) {
    http::request<http::empty_body> req{http::verb::get, target, 11};
    req.set(http::field::host, "127.0.0.1");
    req.set(http::field::user_agent, "fake-api-server-test");
    if (!token_.empty()) {
      req.set(http::field::authorization, "Bearer " + token_);
    }
    for (const auto& [name, value] : headers) {
      req.set(name, value);
    }
    error_ = run([&](auto h) { http::async_write(*stream_, req, std::move(h)); }, timeout);
    return !error_;
  }

  // Starts one asynchronous operation and runs the io_context until it completes or the
  // deadline passes (then it is cancelled and timed_out returned).
  template <class Initiate>
  error_code run(Initiate&& initiate, Clock::duration timeout) {
    std::optional<error_code> result;
    initiate([&result](error_code ec, auto&&...) { result = ec; });
    ioc_.restart();
    const auto deadline = Clock::now() + timeout;
    while (!result && ioc_.run_one_until(deadline) > 0) {
    }
    if (result) {
      return *result;
    }
    beast::get_lowest_layer(*stream_).cancel();
    ioc_.restart();
    while (!result && ioc_.run_one() > 0) {
    }
    return net::error::timed_out;
  }

  net::io_context ioc_;
  ssl::context tls_{ssl::context::tls_client};
  std::unique_ptr<Stream> stream_;
  beast::flat_buffer buffer_;
  std::string token_;
  error_code error_;
  bool connected_ = false;

  std::optional<http::response_parser<http::empty_body>> parser_;
  std::string data_;  ///< Watch body bytes not yet returned as lines.
  std::vector<std::size_t> chunks_;
  std::function<void(std::uint64_t, beast::string_view, error_code&)> on_chunk_header_ =
      [this](std::uint64_t size, beast::string_view, error_code&) {
        if (size > 0) {
          chunks_.push_back(static_cast<std::size_t>(size));
        }
      };
  std::function<std::size_t(std::uint64_t, beast::string_view, error_code&)> on_chunk_body_ =
      [this](std::uint64_t, beast::string_view body, error_code&) {
        data_.append(body.data(), body.size());
        return body.size();
      };
};

/// Runs a shell command; its stdout and exit status.
std::pair<std::string, int> shell(const std::string& command) {
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) {
    return {"", -1};
  }
  char buf[4096];
  while (std::size_t n = std::fread(buf, 1, sizeof buf, pipe)) {
    out.append(buf, n);
  }
  int status = pclose(pipe);
  return {out, WIFEXITED(status) ? WEXITSTATUS(status) : -1};
}

// ---------------------------------------------------------------------------------------

TEST(FakeApiServer, ServesTlsSignedByItsOwnCa) {
  FakeApiServer server;
  EXPECT_EQ(server.url(), "https://127.0.0.1:" + std::to_string(server.port()));
  EXPECT_EQ(server.ca_pem().rfind("-----BEGIN CERTIFICATE-----", 0), 0u);
  std::ifstream file(server.ca_file());
  std::stringstream ca;
  ca << file.rdbuf();
  EXPECT_EQ(ca.str(), server.ca_pem());

  Client client(server);
  ASSERT_TRUE(client.connected()) << client.error().message();
  auto versions = client.get("/api");
  ASSERT_TRUE(versions) << client.error().message();
  EXPECT_EQ(versions->status, 200u);
  EXPECT_EQ(versions->content_type, "application/json");
  auto doc = json(versions->body);
  EXPECT_EQ(at(doc, "kind"), "APIVersions");
  ASSERT_TRUE(doc["versions"].IsArray());
  ASSERT_EQ(doc["versions"].Size(), 1u);
  EXPECT_STREQ(doc["versions"][0].GetString(), "v1");
  // Keep-alive: the same connection answers again.
  auto again = client.get("/api");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 200u);

  // A client that does not trust that CA fails the handshake.
  Client stranger(server.port(), "", "");
  EXPECT_FALSE(stranger.connected());
}

TEST(FakeApiServer, DiscoveryDescribesServedResources) {
  FakeApiServer server;
  Client client(server);

  auto core = client.get("/api/v1");
  ASSERT_TRUE(core);
  ASSERT_EQ(core->status, 200u);
  auto core_doc = json(core->body);
  EXPECT_EQ(at(core_doc, "kind"), "APIResourceList");
  EXPECT_EQ(at(core_doc, "groupVersion"), "v1");
  std::set<std::string> core_names;
  for (const auto& r : core_doc["resources"].GetArray()) {
    core_names.insert(at(r, "name"));
    if (at(r, "name") == "namespaces") {
      EXPECT_EQ(at(r, "kind"), "Namespace");
      EXPECT_EQ(at(r, "namespaced"), "false");
    } else {
      EXPECT_EQ(at(r, "namespaced"), "true");
    }
  }
  EXPECT_EQ(core_names, (std::set<std::string>{"namespaces", "services", "endpoints", "pods"}));

  auto groups = client.get("/apis");
  ASSERT_TRUE(groups);
  auto groups_doc = json(groups->body);
  EXPECT_EQ(at(groups_doc, "kind"), "APIGroupList");
  std::set<std::string> group_names;
  for (const auto& g : groups_doc["groups"].GetArray()) {
    group_names.insert(at(g, "name"));
    if (at(g, "name") == "networking.istio.io") {
      ASSERT_EQ(g["versions"].Size(), 2u);
      EXPECT_EQ(at(g["versions"][0], "groupVersion"), "networking.istio.io/v1");
      EXPECT_EQ(at(g["versions"][1], "groupVersion"), "networking.istio.io/v1alpha3");
      EXPECT_EQ(at(g, "preferredVersion/version"), "v1");
      EXPECT_EQ(at(g, "preferredVersion/groupVersion"), "networking.istio.io/v1");
    }
  }
  EXPECT_EQ(group_names, (std::set<std::string>{"discovery.k8s.io", "networking.istio.io",
                                                "security.istio.io"}));

  auto group = client.get("/apis/networking.istio.io");
  ASSERT_TRUE(group);
  EXPECT_EQ(at(json(group->body), "kind"), "APIGroup");

  auto alpha = client.get("/apis/networking.istio.io/v1alpha3");
  ASSERT_TRUE(alpha);
  auto alpha_doc = json(alpha->body);
  EXPECT_EQ(at(alpha_doc, "groupVersion"), "networking.istio.io/v1alpha3");
  ASSERT_EQ(alpha_doc["resources"].Size(), 1u);
  EXPECT_EQ(at(alpha_doc["resources"][0], "name"), "envoyfilters");
  EXPECT_EQ(at(alpha_doc["resources"][0], "kind"), "EnvoyFilter");

  auto v1 = client.get("/apis/networking.istio.io/v1");
  ASSERT_TRUE(v1);
  EXPECT_EQ(json(v1->body)["resources"].Size(), 6u);

  auto missing = client.get("/apis/networking.istio.io/v1beta1");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404u);
  auto missing_doc = json(missing->body);
  EXPECT_EQ(at(missing_doc, "kind"), "Status");
  EXPECT_EQ(at(missing_doc, "reason"), "NotFound");
  EXPECT_EQ(at(missing_doc, "code"), "404");
}

TEST(FakeApiServer, UnservedResourceIsAbsentAndAnswers404) {
  FakeApiServer server({{"networking.istio.io", "v1", "virtualservices", "VirtualService", true}});
  Client client(server);

  auto groups = client.get("/apis");
  ASSERT_TRUE(groups);
  auto groups_doc = json(groups->body);
  ASSERT_EQ(groups_doc["groups"].Size(), 1u);
  EXPECT_EQ(at(groups_doc["groups"][0], "name"), "networking.istio.io");
  auto core = client.get("/api/v1");
  ASSERT_TRUE(core);
  EXPECT_EQ(json(core->body)["resources"].Size(), 0u);

  for (const char* target : {"/apis/security.istio.io/v1/authorizationpolicies",
                             "/apis/security.istio.io/v1", "/api/v1/pods",
                             "/apis/networking.istio.io/v1/destinationrules",
                             "/apis/networking.istio.io/v1/namespaces/default/destinationrules"}) {
    auto res = client.get(target);
    ASSERT_TRUE(res) << target;
    EXPECT_EQ(res->status, 404u) << target;
    EXPECT_EQ(at(json(res->body), "reason"), "NotFound") << target;
  }
  EXPECT_THROW(server.put(R"({"apiVersion":"security.istio.io/v1","kind":"AuthorizationPolicy",)"
                          R"("metadata":{"name":"deny","namespace":"default"}})"),
               std::invalid_argument);

  // serve() adds a resource: discovery shows it and its URLs answer.
  server.serve({{"security.istio.io", "v1", "authorizationpolicies", "AuthorizationPolicy", true}});
  server.put(R"({"apiVersion":"security.istio.io/v1","kind":"AuthorizationPolicy",)"
             R"("metadata":{"name":"deny","namespace":"default"}})");
  auto list = client.get("/apis/security.istio.io/v1/authorizationpolicies");
  ASSERT_TRUE(list);
  EXPECT_EQ(list->status, 200u);
  EXPECT_EQ(json(list->body)["items"].Size(), 1u);
  auto after = client.get("/apis");
  ASSERT_TRUE(after);
  EXPECT_EQ(json(after->body)["groups"].Size(), 2u);
}

TEST(FakeApiServer, PutAndRemoveStampResourceVersions) {
  FakeApiServer server;
  const std::uint64_t start = server.resource_version();

  const std::uint64_t rv1 = server.put(virtual_service("", "reviews"));
  EXPECT_EQ(rv1, start + 1);
  EXPECT_EQ(server.resource_version(), rv1);
  auto objects = server.objects("networking.istio.io", "virtualservices");
  ASSERT_EQ(objects.size(), 1u);
  auto created = json(objects[0]);
  EXPECT_EQ(at(created, "metadata/namespace"), "default");  // Namespaced, none given.
  EXPECT_EQ(at(created, "metadata/resourceVersion"), std::to_string(rv1));
  const std::string uid = at(created, "metadata/uid");
  EXPECT_NE(uid, "<missing>");
  EXPECT_NE(at(created, "metadata/creationTimestamp"), "<missing>");

  const std::uint64_t rv2 = server.put(virtual_service("default", "reviews", "ratings"));
  EXPECT_EQ(rv2, rv1 + 1);
  auto updated = json(server.objects("networking.istio.io", "virtualservices").at(0));
  EXPECT_EQ(at(updated, "metadata/resourceVersion"), std::to_string(rv2));
  EXPECT_EQ(at(updated, "metadata/uid"), uid);  // Same object.
  EXPECT_STREQ(updated["spec"]["hosts"][0].GetString(), "ratings");

  server.put(virtual_service("alpha", "zeta"));
  objects = server.objects("networking.istio.io", "virtualservices");
  ASSERT_EQ(objects.size(), 2u);
  EXPECT_EQ(at(json(objects[0]), "metadata/namespace"), "alpha");  // Sorted by namespace/name.
  EXPECT_EQ(at(json(objects[1]), "metadata/namespace"), "default");

  // Cluster-scoped: no namespace kept.
  server.put(R"({"apiVersion":"v1","kind":"Namespace","metadata":{"name":"alpha","namespace":"x"}})");
  EXPECT_EQ(at(json(server.objects("", "namespaces").at(0)), "metadata/namespace"), "<missing>");

  const std::uint64_t before = server.resource_version();
  EXPECT_EQ(server.remove("networking.istio.io/v1", "VirtualService", "alpha", "zeta"), before + 1);
  EXPECT_EQ(server.objects("networking.istio.io", "virtualservices").size(), 1u);
  EXPECT_EQ(server.remove("networking.istio.io/v1", "VirtualService", "alpha", "zeta"), 0u);
  EXPECT_EQ(server.remove("example.com/v1", "Widget", "alpha", "zeta"), 0u);
  EXPECT_EQ(server.resource_version(), before + 1);

  EXPECT_THROW(server.put("not json"), std::invalid_argument);
  EXPECT_THROW(server.put(R"({"apiVersion":"networking.istio.io/v1","kind":"VirtualService"})"),
               std::invalid_argument);
}

TEST(FakeApiServer, ListIsTypedAtTheCurrentResourceVersion) {
  FakeApiServer server;
  server.put(virtual_service("b", "y"));
  server.put(virtual_service("a", "x"));
  server.put(R"({"apiVersion":"v1","kind":"Service","metadata":{"name":"s","namespace":"a"}})");
  server.put(R"({"apiVersion":"v1","kind":"Namespace","metadata":{"name":"a"}})");
  const std::string current = std::to_string(server.resource_version());
  Client client(server);

  auto all = client.get(std::string(kVirtualServices) + "?resourceVersion=1");  // RV ignored.
  ASSERT_TRUE(all);
  ASSERT_EQ(all->status, 200u);
  auto doc = json(all->body);
  EXPECT_EQ(at(doc, "kind"), "VirtualServiceList");
  EXPECT_EQ(at(doc, "apiVersion"), "networking.istio.io/v1");
  // The list's resourceVersion is the global one (bumped by the Service and Namespace too).
  EXPECT_EQ(at(doc, "metadata/resourceVersion"), current);
  EXPECT_FALSE(doc["metadata"].HasMember("continue"));
  ASSERT_EQ(doc["items"].Size(), 2u);
  EXPECT_EQ(at(doc["items"][0], "metadata/namespace"), "a");
  EXPECT_EQ(at(doc["items"][0], "metadata/name"), "x");
  EXPECT_EQ(at(doc["items"][1], "metadata/name"), "y");
  for (const auto& item : doc["items"].GetArray()) {
    // Like typed lists of kube-apiserver: items carry no kind/apiVersion.
    EXPECT_FALSE(item.HasMember("kind"));
    EXPECT_FALSE(item.HasMember("apiVersion"));
    EXPECT_TRUE(item.HasMember("spec"));
  }

  auto scoped = client.get("/apis/networking.istio.io/v1/namespaces/b/virtualservices");
  ASSERT_TRUE(scoped);
  auto scoped_doc = json(scoped->body);
  ASSERT_EQ(scoped_doc["items"].Size(), 1u);
  EXPECT_EQ(at(scoped_doc["items"][0], "metadata/name"), "y");

  auto namespaces = client.get("/api/v1/namespaces");
  ASSERT_TRUE(namespaces);
  auto ns_doc = json(namespaces->body);
  EXPECT_EQ(at(ns_doc, "kind"), "NamespaceList");
  EXPECT_EQ(at(ns_doc, "apiVersion"), "v1");
  ASSERT_EQ(ns_doc["items"].Size(), 1u);
  EXPECT_EQ(at(ns_doc["items"][0], "metadata/name"), "a");

  auto services = client.get("/api/v1/namespaces/a/services");
  ASSERT_TRUE(services);
  EXPECT_EQ(at(json(services->body), "kind"), "ServiceList");
  EXPECT_EQ(json(services->body)["items"].Size(), 1u);

  // One object by name, with its type; 404 Status for a missing one.
  auto one = client.get("/apis/networking.istio.io/v1/namespaces/a/virtualservices/x");
  ASSERT_TRUE(one);
  EXPECT_EQ(one->status, 200u);
  EXPECT_EQ(at(json(one->body), "kind"), "VirtualService");
  auto none = client.get("/apis/networking.istio.io/v1/namespaces/a/virtualservices/nope");
  ASSERT_TRUE(none);
  EXPECT_EQ(none->status, 404u);
  EXPECT_EQ(at(json(none->body), "message"), "virtualservices.networking.istio.io \"nope\" not found");

  EXPECT_EQ(server.stats().lists, 4u);
}

TEST(FakeApiServer, ListPagesReadOneSnapshot) {
  FakeApiServer server;
  for (int i = 0; i < 5; ++i) {
    server.put(virtual_service("p", "n" + std::to_string(i)));
  }
  const std::string original_n2 = at(json(server.objects("networking.istio.io", "virtualservices")[2]),
                                     "metadata/resourceVersion");
  Client client(server);
  const std::string base = "/apis/networking.istio.io/v1/namespaces/p/virtualservices?limit=2";

  auto first = client.get(base);
  ASSERT_TRUE(first);
  auto page1 = json(first->body);
  const std::string rv = at(page1, "metadata/resourceVersion");
  ASSERT_EQ(page1["items"].Size(), 2u);
  EXPECT_EQ(at(page1["items"][0], "metadata/name"), "n0");
  EXPECT_EQ(at(page1["items"][1], "metadata/name"), "n1");
  EXPECT_EQ(at(page1, "metadata/remainingItemCount"), "3");
  const std::string token1 = at(page1, "metadata/continue");
  ASSERT_NE(token1, "<missing>");
  ASSERT_FALSE(token1.empty());

  // Changes after the first page do not show in the following pages.
  server.put(virtual_service("p", "n2", "changed"));
  server.remove("networking.istio.io/v1", "VirtualService", "p", "n3");
  server.put(virtual_service("p", "n5"));

  auto second = client.get(base + "&continue=" + token1);
  ASSERT_TRUE(second);
  ASSERT_EQ(second->status, 200u);
  auto page2 = json(second->body);
  EXPECT_EQ(at(page2, "metadata/resourceVersion"), rv);
  ASSERT_EQ(page2["items"].Size(), 2u);
  EXPECT_EQ(at(page2["items"][0], "metadata/name"), "n2");
  EXPECT_EQ(at(page2["items"][0], "metadata/resourceVersion"), original_n2);
  EXPECT_EQ(at(page2["items"][1], "metadata/name"), "n3");
  const std::string token2 = at(page2, "metadata/continue");
  ASSERT_NE(token2, "<missing>");

  auto third = client.get(base + "&continue=" + token2);
  ASSERT_TRUE(third);
  auto page3 = json(third->body);
  EXPECT_EQ(at(page3, "metadata/resourceVersion"), rv);
  ASSERT_EQ(page3["items"].Size(), 1u);
  EXPECT_EQ(at(page3["items"][0], "metadata/name"), "n4");
  EXPECT_FALSE(page3["metadata"].HasMember("continue"));  // Last page.

  // A new list sees the current state.
  auto fresh = client.get("/apis/networking.istio.io/v1/namespaces/p/virtualservices");
  ASSERT_TRUE(fresh);
  auto now = json(fresh->body);
  EXPECT_EQ(at(now, "metadata/resourceVersion"), std::to_string(server.resource_version()));
  std::vector<std::string> names;
  for (const auto& item : now["items"].GetArray()) {
    names.push_back(at(item, "metadata/name"));
  }
  EXPECT_EQ(names, (std::vector<std::string>{"n0", "n1", "n2", "n4", "n5"}));
  EXPECT_EQ(server.stats().lists, 4u);
}

TEST(FakeApiServer, MaxPageCapsTheClientsLimit) {
  FakeApiServer server;
  for (const char* name : {"a", "b", "c"}) {
    server.put(virtual_service("default", name));
  }
  server.set_max_page(1);
  Client client(server);
  std::vector<std::string> names;
  std::string token;
  int pages = 0;
  do {
    auto res = client.get(std::string(kVirtualServices) + "?limit=500" +
                          (token.empty() ? "" : "&continue=" + token));
    ASSERT_TRUE(res);
    ASSERT_EQ(res->status, 200u);
    auto doc = json(res->body);
    ASSERT_EQ(doc["items"].Size(), 1u);
    names.push_back(at(doc["items"][0], "metadata/name"));
    token = doc["metadata"].HasMember("continue") ? at(doc, "metadata/continue") : "";
    ++pages;
  } while (!token.empty() && pages < 10);
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(names, (std::vector<std::string>{"a", "b", "c"}));

  // Without a limit there is nothing to cap: one page.
  auto whole = client.get(kVirtualServices);
  ASSERT_TRUE(whole);
  EXPECT_EQ(json(whole->body)["items"].Size(), 3u);
}

TEST(FakeApiServer, ExpiredContinueAnswers410Expired) {
  FakeApiServer server;
  for (const char* name : {"a", "b", "c"}) {
    server.put(virtual_service("default", name));
  }
  Client client(server);
  auto first = client.get(std::string(kVirtualServices) + "?limit=1");
  ASSERT_TRUE(first);
  const std::string token = at(json(first->body), "metadata/continue");
  ASSERT_NE(token, "<missing>");

  server.compact();
  auto expired = client.get(std::string(kVirtualServices) + "?limit=1&continue=" + token);
  ASSERT_TRUE(expired);
  EXPECT_EQ(expired->status, 410u);
  EXPECT_EQ(expired->content_type, "application/json");
  auto status = json(expired->body);
  EXPECT_EQ(at(status, "kind"), "Status");
  EXPECT_EQ(at(status, "apiVersion"), "v1");
  EXPECT_EQ(at(status, "status"), "Failure");
  EXPECT_EQ(at(status, "reason"), "Expired");
  EXPECT_EQ(at(status, "code"), "410");
  EXPECT_EQ(at(status, "message").rfind("The provided continue parameter is too old", 0), 0u);
  EXPECT_EQ(server.stats().gone, 1u);

  auto garbage = client.get(std::string(kVirtualServices) + "?limit=1&continue=%21%21");
  ASSERT_TRUE(garbage);
  EXPECT_EQ(garbage->status, 400u);
  EXPECT_EQ(at(json(garbage->body), "reason"), "BadRequest");
}

TEST(FakeApiServer, WatchFromZeroSendsCurrentObjectsThenLiveEvents) {
  FakeApiServer server;
  const std::uint64_t rv_x = server.put(virtual_service("a", "x"));
  const std::uint64_t rv_y = server.put(virtual_service("b", "y"));
  Client client(server);
  ASSERT_EQ(client.watch(std::string(kVirtualServices) + "?watch=1&resourceVersion=0"), 200u);
  EXPECT_EQ(client.header(http::field::content_type), "application/json");
  EXPECT_EQ(client.header(http::field::transfer_encoding), "chunked");

  std::vector<std::string> lines;
  for (int i = 0; i < 2; ++i) {
    auto line = client.next_line();
    ASSERT_TRUE(line) << client.error().message();
    lines.push_back(*line);
  }
  auto added_x = json(lines[0]);
  EXPECT_EQ(at(added_x, "type"), "ADDED");
  EXPECT_EQ(at(added_x, "object/kind"), "VirtualService");  // Watch objects carry their type.
  EXPECT_EQ(at(added_x, "object/apiVersion"), "networking.istio.io/v1");
  EXPECT_EQ(at(added_x, "object/metadata/name"), "x");
  EXPECT_EQ(at(added_x, "object/metadata/resourceVersion"), std::to_string(rv_x));
  auto added_y = json(lines[1]);
  EXPECT_EQ(at(added_y, "type"), "ADDED");
  EXPECT_EQ(at(added_y, "object/metadata/resourceVersion"), std::to_string(rv_y));
  EXPECT_EQ(server.stats().watches, 1u);
  EXPECT_EQ(server.stats().open_watches, 1u);

  const std::uint64_t rv_mod = server.put(virtual_service("a", "x", "changed"));
  auto modified = client.next_line();
  ASSERT_TRUE(modified);
  lines.push_back(*modified);
  EXPECT_EQ(at(json(*modified), "type"), "MODIFIED");
  EXPECT_EQ(at(json(*modified), "object/metadata/resourceVersion"), std::to_string(rv_mod));

  const std::uint64_t rv_del = server.remove("networking.istio.io/v1", "VirtualService", "b", "y");
  auto deleted = client.next_line();
  ASSERT_TRUE(deleted);
  lines.push_back(*deleted);
  EXPECT_EQ(at(json(*deleted), "type"), "DELETED");
  EXPECT_EQ(at(json(*deleted), "object/metadata/name"), "y");
  EXPECT_EQ(at(json(*deleted), "object/metadata/resourceVersion"), std::to_string(rv_del));

  // One event per chunk.
  ASSERT_EQ(client.chunks().size(), lines.size());
  for (std::size_t i = 0; i < lines.size(); ++i) {
    EXPECT_EQ(client.chunks()[i], lines[i].size() + 1) << i;
  }

  // No resourceVersion at all means the same: the current state first.
  Client unset(server);
  ASSERT_EQ(unset.watch(std::string(kVirtualServices) + "?watch=true"), 200u);
  auto only = unset.next_line();
  ASSERT_TRUE(only);
  EXPECT_EQ(at(json(*only), "type"), "ADDED");
  EXPECT_EQ(at(json(*only), "object/metadata/resourceVersion"), std::to_string(rv_mod));
}

TEST(FakeApiServer, WatchFromResourceVersionReplaysHistoryThenLive) {
  FakeApiServer server;
  const std::uint64_t rv_a = server.put(virtual_service("ns1", "a"));
  const std::uint64_t rv_b = server.put(virtual_service("ns2", "b"));
  server.put(R"({"apiVersion":"networking.istio.io/v1","kind":"DestinationRule",)"
             R"("metadata":{"name":"dr","namespace":"ns1"}})");
  const std::uint64_t rv_a2 = server.put(virtual_service("ns1", "a", "changed"));
  const std::uint64_t rv_del = server.remove("networking.istio.io/v1", "VirtualService", "ns2", "b");

  Client all(server);
  ASSERT_EQ(all.watch(std::string(kVirtualServices) + "?watch=1&resourceVersion=" +
                      std::to_string(rv_a)),
            200u);
  const std::vector<std::pair<std::string, std::uint64_t>> expected = {
      {"ADDED", rv_b}, {"MODIFIED", rv_a2}, {"DELETED", rv_del}};
  for (const auto& [type, rv] : expected) {
    auto line = all.next_line();
    ASSERT_TRUE(line) << type;
    auto ev = json(*line);
    EXPECT_EQ(at(ev, "type"), type);
    EXPECT_EQ(at(ev, "object/kind"), "VirtualService");  // Not the DestinationRule.
    EXPECT_EQ(at(ev, "object/metadata/resourceVersion"), std::to_string(rv));
  }

  Client scoped(server);
  ASSERT_EQ(scoped.watch("/apis/networking.istio.io/v1/namespaces/ns1/virtualservices?watch=1&"
                         "resourceVersion=" + std::to_string(rv_a)),
            200u);
  auto replayed = scoped.next_line();
  ASSERT_TRUE(replayed);
  EXPECT_EQ(at(json(*replayed), "type"), "MODIFIED");
  EXPECT_EQ(at(json(*replayed), "object/metadata/resourceVersion"), std::to_string(rv_a2));

  // Live: the namespaced watch skips ns2, the cluster-wide one sees both, in order.
  server.put(virtual_service("ns2", "d"));
  const std::uint64_t rv_e = server.put(virtual_service("ns1", "e"));
  auto live = scoped.next_line();
  ASSERT_TRUE(live);
  EXPECT_EQ(at(json(*live), "object/metadata/name"), "e");
  EXPECT_EQ(at(json(*live), "object/metadata/resourceVersion"), std::to_string(rv_e));
  auto d = all.next_line();
  auto e = all.next_line();
  ASSERT_TRUE(d && e);
  EXPECT_EQ(at(json(*d), "object/metadata/name"), "d");
  EXPECT_EQ(at(json(*e), "object/metadata/name"), "e");
}

TEST(FakeApiServer, WatchFromCompactedResourceVersionGetsOne410Event) {
  FakeApiServer server;
  const std::uint64_t old = server.put(virtual_service("default", "a"));
  server.put(virtual_service("default", "b"));
  server.compact();
  const std::uint64_t compacted = server.resource_version();

  Client client(server);
  ASSERT_EQ(client.watch(std::string(kVirtualServices) + "?watch=1&resourceVersion=" +
                         std::to_string(old)),
            200u);
  auto line = client.next_line();
  ASSERT_TRUE(line);
  const std::string expected =
      R"({"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","metadata":{},)"
      R"("status":"Failure","message":"too old resource version: )" +
      std::to_string(old) + " (" + std::to_string(compacted) +
      R"x()","reason":"Expired","code":410}})x";
  EXPECT_EQ(*line, expected);
  EXPECT_EQ(client.end(), StreamEnd::kClean);  // The stream ends with the final chunk.
  EXPECT_EQ(server.stats().gone, 1u);
  EXPECT_EQ(server.stats().watches, 1u);
  EXPECT_TRUE(eventually([&] { return server.stats().open_watches == 0; }));

  // From the compaction point itself, the watch works.
  Client fresh(server);
  ASSERT_EQ(fresh.watch(std::string(kVirtualServices) + "?watch=1&resourceVersion=" +
                        std::to_string(compacted)),
            200u);
  const std::uint64_t rv = server.put(virtual_service("default", "c"));
  auto added = fresh.next_line();
  ASSERT_TRUE(added);
  EXPECT_EQ(at(json(*added), "type"), "ADDED");
  EXPECT_EQ(at(json(*added), "object/metadata/resourceVersion"), std::to_string(rv));
}

TEST(FakeApiServer, CompactEndsOpenWatchesWith410) {
  FakeApiServer server;
  Client client(server);
  ASSERT_EQ(client.watch(std::string(kVirtualServices) + "?watch=1&resourceVersion=" +
                         std::to_string(server.resource_version())),
            200u);
  const std::uint64_t rv = server.put(virtual_service("default", "a"));
  ASSERT_TRUE(client.next_line());

  server.compact();
  auto error = client.next_line();
  ASSERT_TRUE(error);
  auto ev = json(*error);
  EXPECT_EQ(at(ev, "type"), "ERROR");
  EXPECT_EQ(at(ev, "object/code"), "410");
  EXPECT_EQ(at(ev, "object/reason"), "Expired");
  EXPECT_EQ(at(ev, "object/message"),
            "too old resource version: " + std::to_string(rv) + " (" + std::to_string(rv) + ")");
  EXPECT_EQ(client.end(), StreamEnd::kClean);
  EXPECT_EQ(server.stats().gone, 1u);

  // The connection stays usable after a cleanly ended stream (keep-alive).
  auto next = client.get("/api");
  ASSERT_TRUE(next);
  EXPECT_EQ(next->status, 200u);
}

TEST(FakeApiServer, BookmarksGoOnlyToWatchesThatAllowThem) {
  FakeApiServer server;
  const std::string from = std::to_string(server.resource_version());
  Client with(server);
  Client without(server);
  ASSERT_EQ(with.watch(std::string(kVirtualServices) + "?watch=1&allowWatchBookmarks=true&"
                       "resourceVersion=" + from),
            200u);
  ASSERT_EQ(without.watch(std::string(kVirtualServices) + "?watch=1&resourceVersion=" + from), 200u);

  server.put(R"({"apiVersion":"v1","kind":"Namespace","metadata":{"name":"other"}})");
  const std::uint64_t bookmark_rv = server.resource_version();
  server.bookmark();
  const std::uint64_t rv = server.put(virtual_service("default", "a"));

  auto bookmark = with.next_line();
  ASSERT_TRUE(bookmark);
  EXPECT_EQ(*bookmark, R"({"type":"BOOKMARK","object":{"kind":"VirtualService","apiVersion":)"
                       R"("networking.istio.io/v1","metadata":{"resourceVersion":")" +
                           std::to_string(bookmark_rv) + R"("}}})");
  auto after = with.next_line();
  ASSERT_TRUE(after);
  EXPECT_EQ(at(json(*after), "type"), "ADDED");
  auto direct = without.next_line();
  ASSERT_TRUE(direct);
  EXPECT_EQ(at(json(*direct), "type"), "ADDED");
  EXPECT_EQ(at(json(*direct), "object/metadata/resourceVersion"), std::to_string(rv));
}

TEST(FakeApiServer, TimeoutSecondsEndsTheStreamCleanly) {
  FakeApiServer server;
  Client client(server);
  const auto start = Clock::now();
  ASSERT_EQ(client.watch(std::string(kVirtualServices) + "?watch=1&timeoutSeconds=1"), 200u);
  server.put(virtual_service("default", "a"));
  auto line = client.next_line();
  ASSERT_TRUE(line);
  EXPECT_EQ(at(json(*line), "type"), "ADDED");
  EXPECT_EQ(client.end(5s), StreamEnd::kClean);
  EXPECT_GE(Clock::now() - start, 900ms);
  EXPECT_TRUE(eventually([&] { return server.stats().open_watches == 0; }));

  auto next = client.get("/api");  // Same connection.
  ASSERT_TRUE(next);
  EXPECT_EQ(next->status, 200u);
}

TEST(FakeApiServer, DropConnectionsCutsStreamsWithoutTheFinalChunk) {
  FakeApiServer server;
  Client client(server);
  ASSERT_EQ(client.watch(std::string(kVirtualServices) + "?watch=1"), 200u);
  server.put(virtual_service("default", "a"));
  ASSERT_TRUE(client.next_line());
  EXPECT_EQ(server.stats().open_watches, 1u);

  server.drop_connections();
  EXPECT_EQ(client.end(), StreamEnd::kCut);
  EXPECT_TRUE(eventually([&] { return server.stats().open_watches == 0; }));

  // The server itself keeps serving: a new connection watches again.
  Client again(server);
  ASSERT_EQ(again.watch(std::string(kVirtualServices) + "?watch=1&resourceVersion=" +
                        std::to_string(server.resource_version())),
            200u);
  server.put(virtual_service("default", "b"));
  auto line = again.next_line();
  ASSERT_TRUE(line);
  EXPECT_EQ(at(json(*line), "object/metadata/name"), "b");
}

TEST(FakeApiServer, SplitEventsSpanChunksAndShareThem) {
  FakeApiServer server;
  const std::vector<std::string> names = {"n0", "n1", "n2", "n3", "n4", "n5", "n6"};
  for (const auto& name : names) {
    server.put(virtual_service("default", name));
  }
  server.set_split_events(true);
  Client client(server);
  ASSERT_EQ(client.watch(std::string(kVirtualServices) + "?watch=1"), 200u);
  std::vector<std::string> lines;
  for (const auto& name : names) {
    auto line = client.next_line();
    ASSERT_TRUE(line) << name;
    EXPECT_EQ(at(json(*line), "object/metadata/name"), name);
    lines.push_back(*line);
  }

  // Where lines and chunks start and end in the body.
  std::vector<std::pair<std::size_t, std::size_t>> line_spans;
  std::size_t pos = 0;
  for (const auto& line : lines) {
    line_spans.emplace_back(pos, pos + line.size() + 1);
    pos += line.size() + 1;
  }
  std::vector<std::size_t> chunk_ends;
  std::size_t total = 0;
  for (std::size_t size : client.chunks()) {
    total += size;
    chunk_ends.push_back(total);
  }
  EXPECT_EQ(total, pos);  // Exactly the events, nothing else.
  bool split = false;
  for (const auto& [begin, end] : line_spans) {
    for (std::size_t cut : chunk_ends) {
      split = split || (cut > begin && cut < end);
    }
  }
  EXPECT_TRUE(split) << "no event spans two chunks";
  bool shared = false;
  std::size_t chunk_begin = 0;
  for (std::size_t chunk_end : chunk_ends) {
    int whole = 0;
    for (const auto& [begin, end] : line_spans) {
      whole += (begin >= chunk_begin && end <= chunk_end) ? 1 : 0;
    }
    shared = shared || whole >= 2;
    chunk_begin = chunk_end;
  }
  EXPECT_TRUE(shared) << "no chunk holds two whole events";
  EXPECT_GT(client.chunks().size(), lines.size());

  // Live events still arrive whole.
  server.put(virtual_service("default", "live"));
  auto live = client.next_line();
  ASSERT_TRUE(live);
  EXPECT_EQ(at(json(*live), "object/metadata/name"), "live");
}

TEST(FakeApiServer, MetadataOnlyListsAndWatches) {
  FakeApiServer server;
  server.put(virtual_service("default", "a"));
  Client client(server);

  auto list = client.get(kVirtualServices, {{"Accept", kMetadataListAccept}});
  ASSERT_TRUE(list);
  ASSERT_EQ(list->status, 200u);
  auto doc = json(list->body);
  EXPECT_EQ(at(doc, "kind"), "PartialObjectMetadataList");
  EXPECT_EQ(at(doc, "apiVersion"), "meta.k8s.io/v1");
  EXPECT_EQ(at(doc, "metadata/resourceVersion"), std::to_string(server.resource_version()));
  ASSERT_EQ(doc["items"].Size(), 1u);
  EXPECT_EQ(member_names(doc["items"][0]),
            (std::vector<std::string>{"kind", "apiVersion", "metadata"}));
  EXPECT_EQ(at(doc["items"][0], "kind"), "PartialObjectMetadata");
  EXPECT_EQ(at(doc["items"][0], "apiVersion"), "meta.k8s.io/v1");
  EXPECT_EQ(at(doc["items"][0], "metadata/name"), "a");

  Client watcher(server);
  ASSERT_EQ(watcher.watch(std::string(kVirtualServices) + "?watch=1&allowWatchBookmarks=true",
                          {{"Accept", kMetadataWatchAccept}}),
            200u);
  auto added = watcher.next_line();
  ASSERT_TRUE(added);
  auto ev = json(*added);
  EXPECT_EQ(at(ev, "type"), "ADDED");
  EXPECT_EQ(member_names(ev["object"]), (std::vector<std::string>{"kind", "apiVersion", "metadata"}));
  EXPECT_EQ(at(ev, "object/kind"), "PartialObjectMetadata");
  EXPECT_EQ(at(ev, "object/metadata/name"), "a");
  server.bookmark();
  auto bookmark = watcher.next_line();
  ASSERT_TRUE(bookmark);
  EXPECT_EQ(at(json(*bookmark), "object/kind"), "PartialObjectMetadata");
  EXPECT_EQ(at(json(*bookmark), "object/apiVersion"), "meta.k8s.io/v1");
  EXPECT_EQ(server.stats().metadata_only, 2u);

  // A Table (not served) falls through to the next clause; nothing servable is a 406.
  auto full = client.get(kVirtualServices,
                         {{"Accept", "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"}});
  ASSERT_TRUE(full);
  EXPECT_EQ(at(json(full->body), "kind"), "VirtualServiceList");
  auto refused = client.get(kVirtualServices, {{"Accept", "application/vnd.kubernetes.protobuf"}});
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 406u);
  EXPECT_EQ(server.stats().metadata_only, 2u);
}

TEST(FakeApiServer, TokenIsRequiredOnceSet) {
  FakeApiServer server;
  server.set_token("s3cret");
  const std::string unauthorized =
      R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",)"
      R"("message":"Unauthorized","reason":"Unauthorized","code":401})";

  Client anonymous(server);
  auto res = anonymous.get("/api");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 401u);
  EXPECT_EQ(res->content_type, "application/json");
  EXPECT_EQ(res->body, unauthorized);
  auto watch = anonymous.get(std::string(kVirtualServices) + "?watch=1");
  ASSERT_TRUE(watch);
  EXPECT_EQ(watch->status, 401u);

  Client wrong(server, "nope");
  auto denied = wrong.get(kVirtualServices);
  ASSERT_TRUE(denied);
  EXPECT_EQ(denied->status, 401u);
  EXPECT_EQ(denied->body, unauthorized);
  EXPECT_EQ(server.stats().unauthorized, 3u);

  Client right(server, "s3cret");
  auto ok = right.get(kVirtualServices);
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200u);
  ASSERT_EQ(right.watch(std::string(kVirtualServices) + "?watch=1"), 200u);

  server.set_token("");
  auto open = anonymous.get("/api");
  ASSERT_TRUE(open);
  EXPECT_EQ(open->status, 200u);
  EXPECT_EQ(server.stats().unauthorized, 3u);
}

TEST(FakeApiServer, DelayedAnswersTimeOutSlowClientsButNotOpenWatches) {
  FakeApiServer server;
  Client watcher(server);
  ASSERT_EQ(watcher.watch(std::string(kVirtualServices) + "?watch=1"), 200u);

  server.set_delay(300ms);
  Client impatient(server);
  EXPECT_FALSE(impatient.get("/api", {}, 100ms));
  EXPECT_EQ(impatient.error(), net::error::timed_out);

  Client patient(server);
  const auto start = Clock::now();
  auto res = patient.get("/api");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200u);
  EXPECT_GE(Clock::now() - start, 300ms);

  // The watch opened before is not delayed: its events come at once.
  server.set_delay(10s);
  const auto put_at = Clock::now();
  server.put(virtual_service("default", "a"));
  auto line = watcher.next_line(5s);
  ASSERT_TRUE(line);
  EXPECT_LT(Clock::now() - put_at, 5s);
  EXPECT_EQ(at(json(*line), "type"), "ADDED");
}

TEST(FakeApiServer, DestructorStopsQuicklyWithOpenWatchesAndPendingDelays) {
  auto server = std::make_unique<FakeApiServer>();
  Client watcher(*server);
  ASSERT_EQ(watcher.watch(std::string(kVirtualServices) + "?watch=1"), 200u);
  server->set_delay(10s);
  Client waiting(*server);
  EXPECT_FALSE(waiting.get("/api", {}, 200ms));  // Its answer is pending on the server.

  const auto start = Clock::now();
  server.reset();
  EXPECT_LT(Clock::now() - start, 2s);
  EXPECT_EQ(watcher.end(), StreamEnd::kCut);
}

TEST(FakeApiServer, CurlReadsAChunkedWatchToItsEndAndA401) {
  if (std::system("command -v curl >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "curl is not installed";
  }
  FakeApiServer server;
  const std::uint64_t old = server.put(virtual_service("default", "a"));
  server.put(virtual_service("default", "b"));
  server.compact();
  server.set_token("t0ken");
  const std::string curl = "curl -sS --max-time 10 --cacert '" + server.ca_file() + "' ";

  // A watch from a compacted resourceVersion: one ERROR line, then the final chunk. curl
  // exits 0 only when the chunked body ended properly (18 for a cut transfer).
  auto [watch, watch_rc] =
      shell(curl + "-i -H 'Authorization: Bearer t0ken' '" + server.url() + kVirtualServices +
            "?watch=1&resourceVersion=" + std::to_string(old) + "'");
  EXPECT_EQ(watch_rc, 0) << watch;
  EXPECT_NE(watch.find("HTTP/1.1 200"), std::string::npos) << watch;
  EXPECT_NE(watch.find("Transfer-Encoding: chunked"), std::string::npos) << watch;
  EXPECT_NE(watch.find(R"({"type":"ERROR","object":{"kind":"Status")"), std::string::npos) << watch;

  auto [code, code_rc] = shell(curl + "-o /dev/null -w '%{http_code}' '" + server.url() + "/api'");
  EXPECT_EQ(code_rc, 0);
  EXPECT_EQ(code, "401");
}

}  // namespace
}  // namespace meshward::testing
