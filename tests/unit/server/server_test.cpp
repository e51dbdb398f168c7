// Server integration: the real server in-process on 127.0.0.1:0 with certificates made by
// certs/gen-dev-certs.sh, talked to by a Beast TLS client, raw sockets and curl.
// No test asserts a duration; waits poll for a state with a generous upper bound.

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>

#include <boost/asio/connect.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <gtest/gtest.h>

#include "meshward/core/json.h"
#include "meshward/server/listener.h"
#include "meshward/server/server.h"

namespace meshward::server {
namespace {

namespace fs = std::filesystem;
namespace http = boost::beast::http;

constexpr const char* kWorld = R"(
apiVersion: v1
kind: Service
metadata: {name: reviews, namespace: bookinfo}
spec:
  ports: [{port: 9080, name: http}]
---
apiVersion: v1
kind: Service
metadata: {name: broken, namespace: legacy}
spec:
  ports: [{port: 9080, name: http}]
---
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

std::string source_dir() {
  const char* env = std::getenv("MESHWARD_SOURCE_DIR");
  return env != nullptr ? env : MESHWARD_SOURCE_DIR;
}

fs::path make_temp_dir() {
  std::string templ = (fs::temp_directory_path() / "meshward-server-test-XXXXXX").string();
  const char* dir = ::mkdtemp(templ.data());
  if (dir == nullptr) {
    ADD_FAILURE() << "mkdtemp failed";
    return {};
  }
  return dir;
}

bool gen_certs(const fs::path& dir) {
  const std::string cmd = "bash '" + source_dir() + "/certs/gen-dev-certs.sh' '" + dir.string() +
                          "' --force >/dev/null 2>&1";
  return std::system(cmd.c_str()) == 0;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string with_host(std::string http, const std::string& host) {
  for (auto p = http.find("$HOST"); p != std::string::npos; p = http.find("$HOST")) {
    http.replace(p, 5, host);
  }
  return http;
}

std::string vs_review(const std::string& uid, const std::string& name, const std::string& http_json,
                      const std::string& extra_spec = "") {
  return R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":")" + uid +
         R"(","kind":{"group":"networking.istio.io","version":"v1","kind":"VirtualService"},)"
         R"("namespace":"bookinfo","name":")" +
         name + R"(","operation":"CREATE","object":{"apiVersion":"networking.istio.io/v1",)"
                R"("kind":"VirtualService","metadata":{"name":")" +
         name + R"(","namespace":"bookinfo"},"spec":{"hosts":[")" + name + R"("],"http":)" + with_host(http_json, name) +
         extra_spec + R"(}},"dryRun":false}})";
}

constexpr const char* kGood = R"([{"route":[{"destination":{"host":"$HOST"}}]}])";
constexpr const char* kNoAction = R"([{"name":"oops"}])";

// Services for the names the tests create (each VirtualService routes to its own name).
std::string test_services() {
  std::string out;
  for (const char* name : {"bad", "typo", "fine", "ok", "x", "u"}) {
    out += std::string("---\napiVersion: v1\nkind: Service\nmetadata: {name: ") + name +
           ", namespace: bookinfo}\nspec:\n  ports: [{port: 9080, name: http}]\n";
  }
  return out;
}

// Waits for `pred` (polled every 20 ms) for at most `limit`; never asserts a duration.
template <class Pred>
bool eventually(Pred pred, std::chrono::seconds limit = std::chrono::seconds(30)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) {
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return pred();
}

struct Reply {
  int status = 0;
  std::string body;
  std::string content_type;
  std::string connection;
  bool keep_alive = false;
};

struct ClientOptions {
  ssl::context::method method = ssl::context::tls_client;
  fs::path cert;  // client certificate and key, when set
  fs::path key;
};

// Verification settings must be on the context before the stream's SSL object is made.
ssl::context client_context(const fs::path& ca, const ClientOptions& options = {}) {
  ssl::context ctx(options.method);
  if (options.method != ssl::context::tls_client) {
    // Let the client even try an old protocol, so the refusal is the server's.
    SSL_CTX_set_security_level(ctx.native_handle(), 0);
    SSL_CTX_set_min_proto_version(ctx.native_handle(), 0);
  }
  ctx.load_verify_file(ca.string());
  ctx.set_verify_mode(ssl::verify_peer);
  if (!options.cert.empty()) {
    ctx.use_certificate_chain_file(options.cert.string());
    ctx.use_private_key_file(options.key.string(), ssl::context::pem);
  }
  return ctx;
}

// A synchronous Beast TLS client that verifies the server against `ca`.
class Client {
 public:
  Client(unsigned short port, const fs::path& ca, const ClientOptions& options = {})
      : ctx_(client_context(ca, options)), stream_(ioc_, ctx_) {
    static char kHost[] = "localhost";  // SNI, as an API server sends it.
    SSL_ctrl(stream_.native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name, kHost);
    beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(30));
    beast::get_lowest_layer(stream_).connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
    stream_.handshake(ssl::stream_base::client);
  }

  Reply send(http::verb method, const std::string& target, const std::string& body = "",
             const std::string& content_type = "application/json") {
    http::request<http::string_body> req{method, target, 11};
    req.set(http::field::host, "localhost");
    if (!content_type.empty()) {
      req.set(http::field::content_type, content_type);
    }
    req.body() = body;
    req.keep_alive(true);
    req.prepare_payload();
    beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(30));
    http::write(stream_, req);
    return read();
  }

  Reply read() {
    beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(30));
    http::response<http::string_body> res;
    http::read(stream_, buffer_, res);
    Reply r;
    r.status = static_cast<int>(res.result_int());
    r.body = res.body();
    r.content_type = std::string(res[http::field::content_type]);
    r.connection = std::string(res[http::field::connection]);
    r.keep_alive = res.keep_alive();
    return r;
  }

  void write_raw(const std::string& bytes) { net::write(stream_, net::buffer(bytes)); }

 private:
  net::io_context ioc_;
  ssl::context ctx_;
  beast::ssl_stream<beast::tcp_stream> stream_;
  beast::flat_buffer buffer_;
};

// Whether a TLS handshake verifying against `ca` succeeds.
bool handshake_ok(unsigned short port, const fs::path& ca) {
  try {
    Client c(port, ca);
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

// Whether GET /healthz answers 200 (with TLS 1.3 a rejected client certificate shows up at
// the first read, not in the handshake).
bool healthz_ok(unsigned short port, const fs::path& ca, const ClientOptions& options = {}) {
  try {
    Client c(port, ca, options);
    return c.send(http::verb::get, "/healthz", "", "").status == 200;
  } catch (const std::exception&) {
    return false;
  }
}

// Runs curl; returns "<http code>\n<body>".
std::string curl(unsigned short port, const fs::path& ca, const std::string& path,
                 const fs::path& body_file = {}, const std::string& content_type = "application/json") {
  std::string cmd = "curl -sS --max-time 60 --cacert '" + ca.string() + "' -w '\\n%{http_code}'";
  if (!body_file.empty()) {
    cmd += " -H 'Content-Type: " + content_type + "' --data-binary @'" + body_file.string() + "'";
  }
  cmd += " https://127.0.0.1:" + std::to_string(port) + path + " 2>&1";
  std::string out;
  if (FILE* p = ::popen(cmd.c_str(), "r")) {
    char buf[4096];
    std::size_t n = 0;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) {
      out.append(buf, n);
    }
    ::pclose(p);
  }
  return out;
}

int curl_status(const std::string& out) {
  const auto nl = out.rfind('\n');
  return std::atoi(out.c_str() + (nl == std::string::npos ? 0 : nl + 1));
}

json::Document parse_json(const std::string& body) {
  json::Document d;
  d.Parse(body.c_str(), body.size());
  EXPECT_FALSE(d.HasParseError()) << body;
  return d;
}

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = make_temp_dir();
    ASSERT_TRUE(gen_certs(dir_ / "certs")) << "certs/gen-dev-certs.sh failed";
    fs::create_directories(dir_ / "world");
    std::ofstream(dir_ / "world" / "world.yaml") << kWorld << test_services();
    log_.open(dir_ / "log.jsonl");
    ServerConfig config;
    config.listen = "127.0.0.1:0";
    config.tls.cert_file = (dir_ / "certs" / "tls.crt").string();
    config.tls.key_file = (dir_ / "certs" / "tls.key").string();
    config.world_paths = {(dir_ / "world").string()};
    config.threads = 2;
    config.reload_interval = std::chrono::milliseconds(100);
    config.version = "test";
    config.commit = "abc";
    config.log = &log_;
    configure(config);
    auto created = Server::create(std::move(config));
    ASSERT_TRUE(created.ok()) << created.error().message;
    server_ = std::move(*created);
    server_->start();
    port_ = server_->local_endpoint().port();
  }

  void TearDown() override {
    if (server_) {
      server_->shutdown();
    }
    server_.reset();
    log_.close();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  /// Hook for fixtures that need other settings.
  virtual void configure(ServerConfig& /*config*/) {}

  fs::path ca() const { return dir_ / "certs" / "ca.crt"; }

  fs::path write_file(const std::string& name, const std::string& content) {
    fs::path p = dir_ / name;
    std::ofstream(p, std::ios::binary) << content;
    return p;
  }

  fs::path dir_;
  std::ofstream log_;
  std::unique_ptr<Server> server_;
  unsigned short port_ = 0;
};

TEST_F(ServerTest, DenyWarnAllowOverOneKeepAliveConnection) {
  Client c(port_, ca());
  Reply deny = c.send(http::verb::post, "/validate?timeout=10s", vs_review("u-deny", "bad", kNoAction));
  ASSERT_EQ(deny.status, 200) << deny.body;
  EXPECT_EQ(deny.content_type, "application/json");
  EXPECT_TRUE(deny.keep_alive);
  json::Document d = parse_json(deny.body);
  EXPECT_STREQ(d["response"]["uid"].GetString(), "u-deny");
  EXPECT_FALSE(d["response"]["allowed"].GetBool());
  EXPECT_EQ(d["response"]["status"]["code"].GetInt(), 403);
  EXPECT_NE(std::string(d["response"]["status"]["message"].GetString()).find("MW1201"), std::string::npos);

  Reply warn = c.send(http::verb::post, "/validate",
                      vs_review("u-warn", "typo", kGood, R"(,"exportTO":["."])"));
  ASSERT_EQ(warn.status, 200) << warn.body;
  json::Document w = parse_json(warn.body);
  EXPECT_TRUE(w["response"]["allowed"].GetBool());
  ASSERT_TRUE(w["response"].HasMember("warnings")) << warn.body;
  EXPECT_EQ(std::string(w["response"]["warnings"][0].GetString()).rfind("MW1005 VirtualService bookinfo/typo: ", 0), 0u);

  Reply allow = c.send(http::verb::post, "/validate/", vs_review("u-allow", "fine", kGood));
  ASSERT_EQ(allow.status, 200) << allow.body;
  json::Document a = parse_json(allow.body);
  EXPECT_TRUE(a["response"]["allowed"].GetBool());
  EXPECT_FALSE(a["response"].HasMember("warnings"));
}

TEST_F(ServerTest, CurlDenyWarnAllow) {
  const std::string deny = curl(port_, ca(), "/validate", write_file("deny.json", vs_review("c1", "bad", kNoAction)));
  EXPECT_EQ(curl_status(deny), 200) << deny;
  EXPECT_NE(deny.find("\"allowed\":false"), std::string::npos) << deny;
  EXPECT_NE(deny.find("MW1201"), std::string::npos) << deny;
  const std::string warn = curl(port_, ca(), "/validate",
                                write_file("warn.json", vs_review("c2", "typo", kGood, R"(,"exportTO":["."])")));
  EXPECT_EQ(curl_status(warn), 200) << warn;
  EXPECT_NE(warn.find("\"allowed\":true"), std::string::npos) << warn;
  EXPECT_NE(warn.find("\"warnings\":[\"MW1005"), std::string::npos) << warn;
  const std::string allow = curl(port_, ca(), "/validate", write_file("allow.json", vs_review("c3", "ok", kGood)));
  EXPECT_EQ(curl_status(allow), 200) << allow;
  EXPECT_NE(allow.find("{\"uid\":\"c3\",\"allowed\":true}"), std::string::npos) << allow;
}

TEST_F(ServerTest, OversizedBodyIs413) {
  {
    // Content-Length above the limit: refused after the header, before any body is sent.
    Client c(port_, ca());
    c.write_raw("POST /validate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                "Content-Length: 4194304\r\n\r\n");
    Reply r = c.read();
    EXPECT_EQ(r.status, 413);
    EXPECT_FALSE(r.keep_alive);
    json::Document d = parse_json(r.body);
    EXPECT_EQ(d["code"].GetInt(), 413);
  }
  // curl sends `Expect: 100-continue` for a body this large and reads the 413 at once.
  const std::string big = curl(port_, ca(), "/validate", write_file("big.json", std::string(4 << 20, ' ')));
  EXPECT_EQ(curl_status(big), 413) << big.substr(0, 300);
  // Still serving.
  EXPECT_EQ(curl_status(curl(port_, ca(), "/healthz")), 200);
}

TEST_F(ServerTest, LargeValidBodyWithExpectContinue) {
  // A review padded to 2 MiB (under the 3 MiB limit): curl sends Expect: 100-continue.
  std::string body = vs_review("big-ok", "ok", kGood);
  body.insert(body.size() - 1, ",\"padding\":\"" + std::string(2 << 20, 'p') + "\"");
  const std::string out = curl(port_, ca(), "/validate", write_file("big-ok.json", body));
  EXPECT_EQ(curl_status(out), 200) << out.substr(0, 300);
  EXPECT_NE(out.find("{\"uid\":\"big-ok\",\"allowed\":true}"), std::string::npos) << out.substr(0, 300);
}

TEST_F(ServerTest, WrongContentTypeIs415) {
  Client c(port_, ca());
  Reply r = c.send(http::verb::post, "/validate", vs_review("u", "x", kGood), "text/yaml");
  EXPECT_EQ(r.status, 415);
  json::Document d = parse_json(r.body);
  EXPECT_EQ(d["code"].GetInt(), 415);
  EXPECT_NE(std::string(d["message"].GetString()).find("application/json"), std::string::npos);
  // The connection stays usable.
  EXPECT_EQ(c.send(http::verb::get, "/healthz", "", "").status, 200);
  const std::string out = curl(port_, ca(), "/validate", write_file("x.json", "{}"), "text/plain");
  EXPECT_EQ(curl_status(out), 415) << out;
}

TEST_F(ServerTest, MalformedReviewsAre400WithJsonBodies) {
  Client c(port_, ca());
  const std::pair<std::string, std::string> cases[] = {
      {"{not json", "not a valid AdmissionReview JSON"},
      {"", "no body"},
      {R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"})", "no request"},
      {R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"operation":"CREATE"}})",
       "request.uid is missing"},
      {std::string(R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":)") +
           std::string(10000, '[') + std::string(10000, ']') + "}",
       "not a valid"},
  };
  for (const auto& [body, expect] : cases) {
    Reply r = c.send(http::verb::post, "/validate", body);
    EXPECT_EQ(r.status, 400) << r.body;
    EXPECT_EQ(r.content_type, "application/json");
    json::Document d = parse_json(r.body);
    EXPECT_EQ(d["code"].GetInt(), 400);
    EXPECT_NE(std::string(d["message"].GetString()).find(expect), std::string::npos) << r.body;
  }
  // Kind mismatch.
  std::string mismatch = vs_review("u", "x", kGood);
  const std::string vs_kind = "\"kind\":\"VirtualService\"}";
  mismatch.replace(mismatch.find(vs_kind), vs_kind.size(), "\"kind\":\"Gateway\"}");
  Reply r = c.send(http::verb::post, "/validate", mismatch);
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_NE(r.body.find("request.kind is"), std::string::npos) << r.body;
  // Unknown path and wrong method: JSON too.
  EXPECT_EQ(c.send(http::verb::get, "/nope", "", "").status, 404);
  EXPECT_EQ(c.send(http::verb::get, "/validate", "", "").status, 405);
}

TEST_F(ServerTest, PlainHttpAndGarbageAreClosedWhileServingGoesOn) {
  for (const std::string& payload : {std::string("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"),
                                    std::string("\x00\x01garbage\xff\r\n\r\n", 14)}) {
    net::io_context ioc;
    tcp::socket s(ioc);
    s.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port_));
    net::write(s, net::buffer(payload));
    char buf[256];
    error_code ec;
    const std::size_t n = s.read_some(net::buffer(buf), ec);
    EXPECT_EQ(n, 0u);
    EXPECT_TRUE(ec == net::error::eof || ec == net::error::connection_reset) << ec.message();
  }
  Client c(port_, ca());
  EXPECT_EQ(c.send(http::verb::get, "/healthz", "", "").status, 200);
  EXPECT_TRUE(eventually([&] {
    return server_->state().metrics.render({}).find("meshward_connections_rejected_total{reason=\"plaintext\"} 2") !=
           std::string::npos;
  }));
}

TEST_F(ServerTest, HealthReadyAndMetrics) {
  Client c(port_, ca());
  Reply h = c.send(http::verb::get, "/healthz", "", "");
  EXPECT_EQ(h.status, 200);
  EXPECT_EQ(h.body, "ok\n");
  Reply ready = c.send(http::verb::get, "/readyz", "", "");
  EXPECT_EQ(ready.status, 200);
  EXPECT_EQ(ready.body, "ready\n");
  ASSERT_EQ(c.send(http::verb::post, "/validate", vs_review("m1", "bad", kNoAction)).status, 200);
  ASSERT_EQ(c.send(http::verb::post, "/validate", vs_review("m2", "ok", kGood)).status, 200);
  Reply m = c.send(http::verb::get, "/metrics", "", "");
  EXPECT_EQ(m.status, 200);
  EXPECT_EQ(m.content_type.rfind("text/plain; version=0.0.4", 0), 0u);
  for (const char* want : {
           "meshward_admission_requests_total{kind=\"VirtualService\",operation=\"CREATE\",decision=\"denied\"} 1",
           "meshward_admission_requests_total{kind=\"VirtualService\",operation=\"CREATE\",decision=\"allowed\"} 1",
           "meshward_admission_duration_seconds_bucket{le=\"+Inf\"} 2",
           "meshward_admission_duration_seconds_count 2",
           "meshward_admission_findings_total{code=\"MW1201\"} 1",
           "meshward_world_objects{kind=\"VirtualService\"} 2",
           "meshward_world_objects{kind=\"Service\"} 8",
           "meshward_tls_certificate_expiry_seconds ",
           "meshward_tls_certificate_loads_total 1",
           "meshward_build_info{version=\"test\",commit=\"abc\"} 1",
           "# TYPE meshward_admission_duration_seconds histogram",
       }) {
    EXPECT_NE(m.body.find(want), std::string::npos) << want << "\n" << m.body;
  }
  // One JSON log line per decision.
  log_.flush();
  const std::string log = slurp(dir_ / "log.jsonl");
  EXPECT_NE(log.find("\"msg\":\"admission decision\",\"uid\":\"m1\""), std::string::npos) << log;
  EXPECT_NE(log.find("\"allowed\":false,\"reason\":\"denied\""), std::string::npos) << log;
}

TEST_F(ServerTest, ARepeatedChangeIsAnsweredWithItsOwnUidFromTheKeptFindings) {
  // As a GitOps controller's periodic dry-runs: the same change, a new uid each time, on
  // connections spread over both I/O threads. Every answer carries its own uid and the same
  // decision; all but the first reuse the first one's findings.
  for (int i = 0; i < 4; ++i) {
    Client c(port_, ca());
    const std::string uid = "repeat-" + std::to_string(i);
    Reply r = c.send(http::verb::post, "/validate", vs_review(uid, "bad", kNoAction));
    ASSERT_EQ(r.status, 200) << r.body;
    json::Document d = parse_json(r.body);
    EXPECT_EQ(std::string(d["response"]["uid"].GetString()), uid);
    EXPECT_FALSE(d["response"]["allowed"].GetBool());
    EXPECT_NE(std::string(d["response"]["status"]["message"].GetString()).find("MW1201"), std::string::npos);
  }
  const std::string metrics = server_->state().metrics.render({});
  EXPECT_NE(metrics.find("meshward_review_findings_reused_total 3"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("meshward_admission_findings_total{code=\"MW1201\"} 4"), std::string::npos) << metrics;
  log_.flush();
  EXPECT_NE(slurp(dir_ / "log.jsonl").find("\"uid\":\"repeat-3\""), std::string::npos);
}

TEST_F(ServerTest, AllowedDecisionsAreLoggedInBatchesDenialsAndWarningsAtOnce) {
  // Every decision is logged. One allowed without findings is held and written in a batch
  // (within ServerState::kLogFlushInterval); a denial or a warning is written before its
  // answer is sent, after the lines held before it, so the log keeps the order of decisions.
  // The server writes (and flushes) the stream; the test only reads the file.
  const fs::path log_file = dir_ / "log.jsonl";
  Client c(port_, ca());
  ASSERT_EQ(c.send(http::verb::post, "/validate", vs_review("l-allow-1", "ok", kGood)).status, 200);
  ASSERT_EQ(c.send(http::verb::post, "/validate", vs_review("l-deny", "bad", kNoAction)).status, 200);
  std::string log = slurp(log_file);
  const auto allow_at = log.find("\"uid\":\"l-allow-1\"");
  const auto deny_at = log.find("\"uid\":\"l-deny\"");
  ASSERT_NE(deny_at, std::string::npos) << log;
  ASSERT_NE(allow_at, std::string::npos) << log;
  EXPECT_LT(allow_at, deny_at) << log;
  ASSERT_EQ(c.send(http::verb::post, "/validate",
                   vs_review("l-warn", "typo", kGood, R"(,"exportTO":["."])"))
                .status,
            200);
  EXPECT_NE(slurp(log_file).find("\"uid\":\"l-warn\""), std::string::npos);

  ASSERT_EQ(c.send(http::verb::post, "/validate", vs_review("l-allow-2", "ok", kGood)).status, 200);
  EXPECT_TRUE(eventually([&] {
    return slurp(log_file).find("\"uid\":\"l-allow-2\",\"kind\":\"VirtualService\"") != std::string::npos;
  })) << slurp(log_file);
  // Each line is one whole JSON object.
  std::istringstream lines(slurp(log_file));
  for (std::string line; std::getline(lines, line);) {
    json::Document d;
    d.Parse(line.c_str(), line.size());
    EXPECT_FALSE(d.HasParseError()) << line;
  }
}

TEST_F(ServerTest, CertificateReloadServesTheNewCertificateToNewConnections) {
  Client before(port_, ca());  // A connection made with the old certificate.
  ASSERT_EQ(before.send(http::verb::get, "/healthz", "", "").status, 200);

  ASSERT_TRUE(gen_certs(dir_ / "certs2"));
  const fs::path ca2 = dir_ / "certs2" / "ca.crt";
  EXPECT_FALSE(handshake_ok(port_, ca2));
  // Rotate like a Secret update: new files renamed into place.
  fs::copy_file(dir_ / "certs2" / "tls.key", dir_ / "certs" / "tls.key.new");
  fs::copy_file(dir_ / "certs2" / "tls.crt", dir_ / "certs" / "tls.crt.new");
  fs::rename(dir_ / "certs" / "tls.key.new", dir_ / "certs" / "tls.key");
  fs::rename(dir_ / "certs" / "tls.crt.new", dir_ / "certs" / "tls.crt");

  EXPECT_TRUE(eventually([&] { return handshake_ok(port_, ca2); }));
  EXPECT_FALSE(handshake_ok(port_, ca()));
  // The connection opened before the rotation keeps working.
  EXPECT_EQ(before.send(http::verb::get, "/healthz", "", "").status, 200);
  EXPECT_EQ(curl_status(curl(port_, ca2, "/readyz")), 200);
  EXPECT_GE(server_->state().tls.loads(), 2u);
}

TEST_F(ServerTest, RotationUnderLoadFailsNoRequest) {
  ASSERT_TRUE(gen_certs(dir_ / "certs2"));
  // Clients trust both CAs, as an API server does while a caBundle rotation rolls out.
  const fs::path bundle = write_file("bundle.crt", slurp(ca()) + slurp(dir_ / "certs2" / "ca.crt"));
  std::atomic<bool> stop{false};
  std::atomic<int> ok{0};
  std::atomic<int> failed{0};
  std::thread load([&] {
    while (!stop.load()) {
      try {
        Client c(port_, bundle);  // a new connection (and handshake) each time
        Reply r = c.send(http::verb::post, "/validate", vs_review("rot", "ok", kGood));
        (r.status == 200 ? ok : failed)++;
      } catch (const std::exception&) {
        failed++;
      }
    }
  });
  ASSERT_TRUE(eventually([&] { return ok.load() >= 5; }));
  fs::copy_file(dir_ / "certs2" / "tls.key", dir_ / "certs" / "tls.key.new");
  fs::copy_file(dir_ / "certs2" / "tls.crt", dir_ / "certs" / "tls.crt.new");
  fs::rename(dir_ / "certs" / "tls.key.new", dir_ / "certs" / "tls.key");
  fs::rename(dir_ / "certs" / "tls.crt.new", dir_ / "certs" / "tls.crt");
  EXPECT_TRUE(eventually([&] { return server_->state().tls.loads() >= 2; }));
  const int after_rotation = ok.load();
  EXPECT_TRUE(eventually([&] { return ok.load() >= after_rotation + 5; }));
  stop = true;
  load.join();
  EXPECT_EQ(failed.load(), 0);
  EXPECT_TRUE(handshake_ok(port_, dir_ / "certs2" / "ca.crt"));
}

TEST_F(ServerTest, BrokenCertificateFilesKeepTheOldOne) {
  std::ofstream(dir_ / "certs" / "tls.crt", std::ios::trunc) << "not a certificate";
  EXPECT_TRUE(eventually([&] {
    return server_->state().metrics.render({}).find("meshward_tls_certificate_reload_errors_total 1") !=
           std::string::npos;
  }));
  EXPECT_TRUE(handshake_ok(port_, ca()));
}

TEST_F(ServerTest, WorldReloadSwapsTheSnapshot) {
  ASSERT_EQ(server_->slot()->current()->snapshot->size(), 10u);
  std::ofstream(dir_ / "world" / "more.yaml") << R"(
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews, namespace: bookinfo}
spec:
  host: reviews
)";
  EXPECT_TRUE(eventually([&] { return server_->slot()->current()->snapshot->size() == 11u; }));
  EXPECT_EQ(server_->slot()->current()->generation, 2u);
}

TEST_F(ServerTest, GracefulStopFinishesTheRequestInFlight) {
  Client idle(port_, ca());  // An idle keep-alive connection: closed by the drain.
  ASSERT_EQ(idle.send(http::verb::get, "/healthz", "", "").status, 200);

  Client busy(port_, ca());
  const std::string body = vs_review("in-flight", "bad", kNoAction);
  const std::size_t half = body.size() / 2;
  busy.write_raw("POST /validate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                 "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body.substr(0, half));
  // The server has the header before the drain begins.
  ASSERT_TRUE(eventually([&] { return server_->state().sessions().size() == 2u; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // Let the header arrive.

  bool drained = false;
  std::thread stopper([&] { drained = server_->shutdown(); });
  ASSERT_TRUE(eventually([&] { return server_->state().draining.load(); }));
  // New connections are refused once the listener has closed.
  EXPECT_TRUE(eventually([&] { return !handshake_ok(port_, ca()); }));

  busy.write_raw(body.substr(half));
  Reply r = busy.read();
  EXPECT_EQ(r.status, 200);
  EXPECT_FALSE(r.keep_alive);
  json::Document d = parse_json(r.body);
  EXPECT_STREQ(d["response"]["uid"].GetString(), "in-flight");
  EXPECT_FALSE(d["response"]["allowed"].GetBool());
  stopper.join();
  EXPECT_TRUE(drained);
}

TEST_F(ServerTest, OnlyTls12AndUp) {
  EXPECT_TRUE(healthz_ok(port_, ca(), {ssl::context::tlsv12_client, {}, {}}));
  EXPECT_TRUE(healthz_ok(port_, ca(), {ssl::context::tlsv13_client, {}, {}}));
  EXPECT_FALSE(healthz_ok(port_, ca(), {ssl::context::tlsv11_client, {}, {}}));
  EXPECT_FALSE(healthz_ok(port_, ca(), {ssl::context::tlsv1_client, {}, {}}));
}

TEST_F(ServerTest, AlpnNeverClaimsH2) {
  // curl offers h2 and http/1.1; the server must pick http/1.1.
  const std::string cmd = "curl -sS -v --http2 --max-time 30 --cacert '" + ca().string() +
                          "' https://127.0.0.1:" + std::to_string(port_) + "/healthz 2>&1";
  std::string out;
  if (FILE* p = ::popen(cmd.c_str(), "r")) {
    char buf[4096];
    std::size_t n = 0;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) {
      out.append(buf, n);
    }
    ::pclose(p);
  }
  EXPECT_NE(out.find("ALPN: server accepted http/1.1"), std::string::npos) << out;
  EXPECT_NE(out.find("< HTTP/1.1 200"), std::string::npos) << out;
}

TEST_F(ServerTest, OversizedHeaderIs431) {
  Client c(port_, ca());
  c.write_raw("GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Big: " + std::string(20000, 'a') +
              "\r\n\r\n");
  Reply r = c.read();
  EXPECT_EQ(r.status, 431);
  EXPECT_FALSE(r.keep_alive);
  EXPECT_TRUE(healthz_ok(port_, ca()));
}

class ClientCaTest : public ServerTest {
  void configure(ServerConfig& config) override {
    config.tls.client_ca_file = (dir_ / "certs" / "ca.crt").string();
  }
};

TEST_F(ClientCaTest, ClientCertificateRequired) {
  EXPECT_FALSE(healthz_ok(port_, ca()));
  ClientOptions with_cert;
  with_cert.cert = dir_ / "certs" / "tls.crt";  // has the clientAuth usage
  with_cert.key = dir_ / "certs" / "tls.key";
  EXPECT_TRUE(healthz_ok(port_, ca(), with_cert));
}

class ConnectionLimitTest : public ServerTest {
  void configure(ServerConfig& config) override { config.limits.max_connections = 2; }
};

TEST_F(ConnectionLimitTest, AtTheLimitTheOldestIdleConnectionMakesRoom) {
  // Both connections idle between requests: a newcomer is served and the oldest idle one
  // is closed for it (overload_test.cpp covers the rest: refusal only when all are busy).
  auto a = std::make_unique<Client>(port_, ca());
  auto b = std::make_unique<Client>(port_, ca());
  // A client has its answer before the server's write handler marks the connection idle (on
  // either I/O thread): wait for that, so a is idle before b and so the older of the two.
  auto idle = [&](int n) {
    return eventually([&] {
      return server_->state().metrics.render({}).find("meshward_connections{state=\"idle\"} " +
                                                     std::to_string(n)) != std::string::npos;
    });
  };
  ASSERT_EQ(a->send(http::verb::get, "/healthz", "", "").status, 200);
  ASSERT_TRUE(idle(1));
  ASSERT_EQ(b->send(http::verb::get, "/healthz", "", "").status, 200);
  ASSERT_TRUE(idle(2));
  EXPECT_TRUE(healthz_ok(port_, ca()));
  EXPECT_THROW(a->send(http::verb::get, "/healthz", "", ""), std::exception);
  EXPECT_EQ(b->send(http::verb::get, "/healthz", "", "").status, 200);
  EXPECT_NE(server_->state().metrics.render({}).find("meshward_connections_evicted_total{state=\"idle\"} 1"),
            std::string::npos);
}

TEST(ServerCreate, UnusableInputsFailWithAClearMessage) {
  const fs::path dir = make_temp_dir();
  ASSERT_TRUE(gen_certs(dir / "certs"));
  ServerConfig base;
  base.listen = "127.0.0.1:0";
  base.tls.cert_file = (dir / "certs" / "tls.crt").string();
  base.tls.key_file = (dir / "certs" / "tls.key").string();
  base.world_paths = {(dir / "nope").string()};
  auto r = Server::create(base);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("--world"), std::string::npos) << r.error().message;

  ServerConfig c = base;
  c.world_paths = {};
  c.tls.cert_file = (dir / "missing.crt").string();
  r = Server::create(c);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("missing.crt"), std::string::npos) << r.error().message;

  c = base;
  c.world_paths = {};
  c.tls.key_file = (dir / "certs" / "ca.key").string();  // does not match tls.crt
  r = Server::create(c);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("does not match"), std::string::npos) << r.error().message;

  c = base;
  c.world_paths = {};
  c.listen = "nowhere";
  r = Server::create(c);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("--listen"), std::string::npos) << r.error().message;
  std::error_code ec;
  fs::remove_all(dir, ec);
}

TEST(ServerListen, ParsesAddresses) {
  EXPECT_EQ(parse_listen(":8443")->port(), 8443);
  EXPECT_TRUE(parse_listen(":8443")->address().is_unspecified());
  EXPECT_EQ(parse_listen("127.0.0.1:0")->address().to_string(), "127.0.0.1");
  EXPECT_EQ(parse_listen("[::1]:9443")->address().to_string(), "::1");
  EXPECT_FALSE(parse_listen("127.0.0.1:99999").ok());
  EXPECT_FALSE(parse_listen("host.example:80").ok());
}

}  // namespace
}  // namespace meshward::server
