// Overload and slow clients (docs/hardening.md): the real server in-process on 127.0.0.1:0,
// hostile clients on real loopback sockets (raw TCP that never sends, TLS connections that
// never send a request, clients dribbling a ClientHello or a header, a client that never
// reads), a real request answered while they are open, and the hostile ones closed and
// counted. Evaluation is made slow on demand with ServerConfig::evaluate_hook.
// No test asserts a duration: waits poll for a state with a generous upper bound, and a
// deadline is shown by what it cut (a header cut before it was complete), not by a clock.

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <gtest/gtest.h>

#include "meshward/core/json.h"
#include "meshward/server/overload.h"
#include "meshward/server/server.h"
#include "tls_client.h"

namespace meshward::server {
namespace {

namespace fs = std::filesystem;
namespace http = boost::beast::http;
using namespace std::chrono_literals;

constexpr const char* kWorld = R"(
apiVersion: v1
kind: Service
metadata: {name: ok, namespace: bookinfo}
spec:
  ports: [{port: 9080, name: http}]
)";

std::string review(const std::string& uid, const std::string& padding = "") {
  std::string r =
      R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":")" + uid +
      R"(","kind":{"group":"networking.istio.io","version":"v1","kind":"VirtualService"},)"
      R"("namespace":"bookinfo","name":"ok","operation":"CREATE","object":{"apiVersion":"networking.istio.io/v1",)"
      R"("kind":"VirtualService","metadata":{"name":"ok","namespace":"bookinfo"},"spec":{"hosts":["ok"],)"
      R"("http":[{"route":[{"destination":{"host":"ok"}}]}]}},"dryRun":false)";
  if (!padding.empty()) {
    r += R"(,"padding":")" + padding + "\"";
  }
  return r + "}}";
}

using test_support::Client;
using test_support::eventually;
using test_support::Reply;
using test_support::source_dir;

tcp::endpoint at(unsigned short port) { return {net::ip::make_address("127.0.0.1"), port}; }

bool readable(int fd, std::chrono::milliseconds wait) {
  pollfd p{fd, POLLIN | POLLRDHUP, 0};
  return ::poll(&p, 1, static_cast<int>(wait.count())) > 0;
}

// Blocks evaluation threads (through evaluate_hook) until opened; counts evaluations.
struct Gate {
  std::mutex mutex;
  std::condition_variable cv;
  bool open = true;
  std::atomic<int> evaluations{0};

  void close() {
    std::lock_guard lock(mutex);
    open = false;
  }
  void release() {
    {
      std::lock_guard lock(mutex);
      open = true;
    }
    cv.notify_all();
  }
  void pass() {
    ++evaluations;
    std::unique_lock lock(mutex);
    cv.wait(lock, [&] { return open; });
  }
};

class OverloadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string templ = (fs::temp_directory_path() / "meshward-overload-test-XXXXXX").string();
    ASSERT_NE(::mkdtemp(templ.data()), nullptr);
    dir_ = templ;
    const std::string gen = "bash '" + source_dir() + "/certs/gen-dev-certs.sh' '" + (dir_ / "certs").string() +
                            "' --force >/dev/null 2>&1";
    ASSERT_EQ(std::system(gen.c_str()), 0);
    fs::create_directories(dir_ / "world");
    std::ofstream(dir_ / "world" / "world.yaml") << kWorld;
    ServerConfig config;
    config.listen = "127.0.0.1:0";
    config.tls.cert_file = (dir_ / "certs" / "tls.crt").string();
    config.tls.key_file = (dir_ / "certs" / "tls.key").string();
    config.world_paths = {(dir_ / "world").string()};
    config.threads = 2;
    config.eval_threads = 1;
    config.evaluate_hook = [gate = gate_] { gate->pass(); };
    configure(config);
    auto created = Server::create(std::move(config));
    ASSERT_TRUE(created.ok()) << created.error().message;
    server_ = std::move(*created);
    server_->start();
    port_ = server_->local_endpoint().port();
  }

  void TearDown() override {
    gate_->release();
    if (server_) {
      server_->shutdown();
    }
    server_.reset();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  virtual void configure(ServerConfig& /*config*/) {}

  fs::path ca() const { return dir_ / "certs" / "ca.crt"; }
  std::string metrics() { return server_->state().metrics.render({}); }
  bool metric_at_least(const std::string& series, std::uint64_t n) { return metric(series) >= n; }
  // The value of one series ("name{labels}"), 0 when absent.
  std::uint64_t metric(const std::string& series) {
    const std::string text = "\n" + metrics();
    const auto at = text.find("\n" + series + " ");
    return at == std::string::npos ? 0 : std::strtoull(text.c_str() + at + series.size() + 2, nullptr, 10);
  }
  // The real request: a new connection, an admission review answered 200 and allowed.
  void expect_real_request_answered(const std::string& uid) {
    Client c(port_, ca());
    Reply r = c.send("/validate?timeout=10s", review(uid));
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_NE(r.body.find("\"uid\":\"" + uid + "\",\"allowed\":true"), std::string::npos) << r.body;
  }

  fs::path dir_;
  std::shared_ptr<Gate> gate_ = std::make_shared<Gate>();
  std::unique_ptr<Server> server_;
  unsigned short port_ = 0;
};

// --- Connections that never finish a request give way --------------------------------

class SilentClientsTest : public OverloadTest {
  void configure(ServerConfig& config) override {
    config.limits.max_connections = 64;
    config.limits.max_pending_connections = 16;
    // Long deadlines: the bounds, not the timeouts, must keep the door open.
    config.timeouts.handshake = 120s;
    config.timeouts.header = 120s;
  }
};

TEST_F(SilentClientsTest, RawTcpThatNeverSendsDoesNotStarveARealRequest) {
  // 200 TCP connections that never send a byte (no ClientHello): far over both bounds.
  net::io_context ioc;
  std::vector<tcp::socket> silent;
  for (int i = 0; i < 200; ++i) {
    silent.emplace_back(ioc).connect(at(port_));
  }
  ASSERT_TRUE(eventually([&] { return metric("meshward_connections_total") >= 200; })) << metrics();
  expect_real_request_answered("through-silent-tcp");
  // Every silent connection beyond the pending bound was closed to make room, oldest first.
  EXPECT_TRUE(eventually([&] { return metric_at_least("meshward_connections_evicted_total{state=\"handshake\"}", 185); }))
      << metrics();
  EXPECT_LE(server_->state().connections.count(ConnState::Handshake), 16u);
  int closed = 0;
  EXPECT_TRUE(eventually([&] {
    closed = 0;
    for (auto& s : silent) {
      closed += readable(s.native_handle(), 0ms) ? 1 : 0;
    }
    return closed >= 184;
  })) << closed;
}

TEST_F(SilentClientsTest, TlsClientsThatNeverSendARequestAndDribblersGiveWay) {
  // 24 connections finish the TLS handshake and send nothing; 8 more send a request header
  // one byte at a time and never finish it.
  std::vector<std::unique_ptr<Client>> hostile;
  for (int i = 0; i < 24; ++i) {
    hostile.push_back(std::make_unique<Client>(port_, ca()));
  }
  for (int i = 0; i < 8; ++i) {
    hostile.push_back(std::make_unique<Client>(port_, ca()));
    hostile.back()->write_raw("P");
  }
  expect_real_request_answered("through-silent-tls");
  // At most 16 connections without a complete header are kept: the oldest went first.
  // (A client's TLS 1.3 handshake ends before the server's: some were still in "handshake".)
  EXPECT_TRUE(eventually([&] {
    return metric("meshward_connections_evicted_total{state=\"new\"}") +
               metric("meshward_connections_evicted_total{state=\"handshake\"}") >=
           16;
  })) << metrics();
  EXPECT_LE(server_->state().connections.count(ConnState::Handshake) +
                server_->state().connections.count(ConnState::New),
            16u);
  int closed = 0;
  EXPECT_TRUE(eventually([&] {
    closed = 0;
    for (auto& c : hostile) {
      closed += readable(c->fd(), 0ms) ? 1 : 0;
    }
    return closed >= 16;
  })) << closed;
  // The first ones (the oldest) are among them.
  EXPECT_TRUE(readable(hostile.front()->fd(), 0ms));
}

class FullTableTest : public OverloadTest {
  void configure(ServerConfig& config) override {
    config.limits.max_connections = 3;
    config.limits.max_queued_requests = 8;
  }
};

TEST_F(FullTableTest, TheOldestIdleConnectionMakesRoomAndOnlyBusyOnesRefuse) {
  // Three keep-alive connections, each served once, then idle: the table is full.
  std::vector<std::unique_ptr<Client>> idle;
  for (int i = 0; i < 3; ++i) {
    idle.push_back(std::make_unique<Client>(port_, ca()));
    ASSERT_EQ(idle.back()->send("/healthz", "", http::verb::get).status, 200);
  }
  // A newcomer is served: the oldest idle connection was closed for it.
  expect_real_request_answered("newcomer");
  EXPECT_TRUE(eventually([&] { return readable(idle[0]->fd(), 0ms); }));
  EXPECT_FALSE(readable(idle[2]->fd(), 0ms));
  EXPECT_EQ(metric("meshward_connections_evicted_total{state=\"idle\"}"), 1u) << metrics();
  idle.clear();
  ASSERT_TRUE(eventually([&] { return server_->state().connections.count(ConnState::Idle) == 0; }));

  // Three connections each with a request in evaluation (held by the gate): nothing can be
  // closed, so a newcomer is refused.
  gate_->close();
  std::vector<std::unique_ptr<Client>> busy;
  for (int i = 0; i < 3; ++i) {
    busy.push_back(std::make_unique<Client>(port_, ca()));
    busy.back()->write("/validate", review("busy-" + std::to_string(i)));
  }
  ASSERT_TRUE(eventually([&] { return server_->state().eval_queue->depth() == 3; }));
  bool refused = false;
  try {
    Client c(port_, ca());
    c.send("/healthz", "", http::verb::get);
  } catch (const std::exception&) {
    refused = true;
  }
  EXPECT_TRUE(refused);
  EXPECT_EQ(metric("meshward_connections_rejected_total{reason=\"limit\"}"), 1u) << metrics();
  gate_->release();
  for (auto& c : busy) {
    EXPECT_EQ(c->read().status, 200);
  }
}

// --- Deadlines cut slow clients -------------------------------------------------------

class DeadlineTest : public OverloadTest {
  void configure(ServerConfig& config) override {
    config.timeouts.handshake = 2s;
    config.timeouts.header = 2s;
    config.timeouts.write = 2s;
  }
};

TEST_F(DeadlineTest, AClientHelloDribbledByteByByteIsCutAtTheHandshakeDeadline) {
  // A TLS record header announcing a 512-byte ClientHello, then its bytes one per 100 ms:
  // 50 s to finish if each byte extended the deadline.
  std::string hello("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11);
  hello.resize(5 + 512, '\x42');
  net::io_context ioc;
  tcp::socket s(ioc);
  s.connect(at(port_));
  std::size_t sent = 0;
  error_code ec;
  while (sent < hello.size()) {
    net::write(s, net::buffer(hello.data() + sent, 1), ec);
    if (ec || readable(s.native_handle(), 100ms)) {
      break;
    }
    ++sent;
  }
  EXPECT_LT(sent, hello.size()) << "the server waited for the whole ClientHello";
  EXPECT_TRUE(eventually([&] { return metric("meshward_connections_timed_out_total{phase=\"handshake\"}") == 1; }))
      << metrics();
  expect_real_request_answered("after-hello-dribbler");
}

TEST_F(DeadlineTest, AHeaderDribbledByteByByteIsCutAtTheHeaderDeadline) {
  // Slowloris: a request header one byte per 100 ms (20 s for the whole header).
  const std::string header = "POST /validate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                             "X-Slow: " + std::string(80, 's') + "\r\nContent-Length: 2\r\n\r\n";
  Client c(port_, ca());
  std::size_t sent = 0;
  for (; sent < header.size(); ++sent) {
    try {
      c.write_raw(header.substr(sent, 1));
    } catch (const std::exception&) {
      break;
    }
    if (readable(c.fd(), 100ms)) {
      break;
    }
  }
  EXPECT_LT(sent, header.size()) << "the server waited for the whole header";
  EXPECT_TRUE(eventually([&] { return metric("meshward_connections_timed_out_total{phase=\"header\"}") == 1; }))
      << metrics();
  expect_real_request_answered("after-header-dribbler");
}

TEST_F(DeadlineTest, AClientThatNeverReadsIsCutAtTheWriteDeadline) {
  // A small receive window, and requests sent back to back without reading an answer: once
  // the socket buffers are full, the server's write cannot finish and its deadline cuts it.
  Client c(port_, ca(), 4096);
  std::thread writer([&] {
    try {
      for (int i = 0; i < 200000; ++i) {
        c.write("/metrics", "", http::verb::get);
      }
    } catch (const std::exception&) {
      // The server closed the connection: what the test waits for.
    }
  });
  EXPECT_TRUE(eventually([&] { return metric("meshward_connections_timed_out_total{phase=\"write\"}") == 1; }, 120s))
      << metrics();
  writer.join();
  expect_real_request_answered("after-non-reader");
}

// --- Requests beyond what evaluation can take are refused fast ------------------------

class QueueTest : public OverloadTest {
  void configure(ServerConfig& config) override { config.limits.max_queued_requests = 1; }
};

TEST_F(QueueTest, OverTheQueueBoundIsA503AtOnceWhileHealthIsStillAnswered) {
  gate_->close();
  Client a(port_, ca());
  a.write("/validate?timeout=10s", review("held"));
  ASSERT_TRUE(eventually([&] { return gate_->evaluations.load() == 1; }));
  // The evaluation thread is stuck and the queue is full: the next review is refused now.
  Client b(port_, ca());
  Reply r = b.send("/validate?timeout=10s", review("refused"));
  EXPECT_EQ(r.status, 503) << r.body;
  EXPECT_EQ(r.retry_after, "1");
  EXPECT_TRUE(r.keep_alive);
  json::Document d;
  d.Parse(r.body.c_str(), r.body.size());
  ASSERT_FALSE(d.HasParseError()) << r.body;
  EXPECT_EQ(d["code"].GetInt(), 503);
  EXPECT_NE(std::string(d["message"].GetString()).find("overloaded"), std::string::npos) << r.body;
  // Probes and metrics are not queued behind evaluations.
  Reply health = b.send("/healthz", "", http::verb::get);
  EXPECT_EQ(health.status, 200);
  Reply m = b.send("/metrics", "", http::verb::get);
  EXPECT_NE(m.body.find("meshward_request_queue_limit 1\n"), std::string::npos) << m.body;
  EXPECT_NE(m.body.find("meshward_request_queue_depth 1\n"), std::string::npos) << m.body;
  EXPECT_NE(m.body.find("meshward_requests_shed_total{reason=\"queue_full\"} 1\n"), std::string::npos) << m.body;
  gate_->release();
  Reply held = a.read();
  EXPECT_EQ(held.status, 200);
  EXPECT_NE(held.body.find("\"uid\":\"held\""), std::string::npos) << held.body;
  EXPECT_EQ(gate_->evaluations.load(), 1);
}

class DeadlineQueueTest : public OverloadTest {
  void configure(ServerConfig& config) override { config.limits.max_queued_requests = 4; }
};

TEST_F(DeadlineQueueTest, ARequestThatWaitedPastItsTimeoutIsRefusedNotEvaluated) {
  gate_->close();
  Client a(port_, ca());
  a.write("/validate?timeout=10s", review("first"));
  ASSERT_TRUE(eventually([&] { return gate_->evaluations.load() == 1; }));
  // The API server gives this one 1 s: it may wait 500 ms for its evaluation to start.
  Client b(port_, ca());
  b.write("/validate?timeout=1s", review("late"));
  ASSERT_TRUE(eventually([&] { return server_->state().eval_queue->depth() == 2; }));
  std::this_thread::sleep_for(1500ms);  // Let it wait past its budget (not a measurement).
  gate_->release();
  EXPECT_EQ(a.read().status, 200);
  Reply late = b.read();
  EXPECT_EQ(late.status, 503) << late.body;
  EXPECT_NE(late.body.find("waited longer than its timeout"), std::string::npos) << late.body;
  EXPECT_EQ(gate_->evaluations.load(), 1);  // "late" was never evaluated.
  EXPECT_EQ(metric("meshward_requests_shed_total{reason=\"expired\"}"), 1u) << metrics();
  // The connection stays usable.
  EXPECT_EQ(b.send("/validate?timeout=1s", review("again")).status, 200);
}

class MemoryTest : public OverloadTest {
  void configure(ServerConfig& config) override { config.limits.max_request_memory = 1 << 20; }
};

TEST_F(MemoryTest, BodiesOverTheRequestMemoryBoundAreRefusedBeforeTheyAreRead) {
  const std::string body = review("big", std::string(700'000, 'p'));
  const std::string head = "POST /validate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                           "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n";
  Client a(port_, ca());
  a.write_raw(head + body.substr(0, 1000));  // Holds 700 KB of the 1 MiB bound.
  ASSERT_TRUE(eventually([&] { return server_->state().request_memory() == body.size(); }));
  Client b(port_, ca());
  b.write_raw(head);
  Reply refused = b.read();
  EXPECT_EQ(refused.status, 503) << refused.body;
  EXPECT_FALSE(refused.keep_alive);
  EXPECT_EQ(metric("meshward_requests_shed_total{reason=\"memory\"}"), 1u) << metrics();
  a.write_raw(body.substr(1000));
  EXPECT_EQ(a.read().status, 200);
  EXPECT_TRUE(eventually([&] { return server_->state().request_memory() == 0; }));
}

// --- Parsing the API server's timeout --------------------------------------------------

TEST(Overload, TimeoutParameterAndBudget) {
  EXPECT_EQ(request_timeout("/validate?timeout=10s"), 10s);
  EXPECT_EQ(request_timeout("/validate?a=b&timeout=30s"), 30s);
  EXPECT_EQ(request_timeout("/validate?timeout=1m0s"), 30s);  // Clamped to the webhook maximum.
  EXPECT_EQ(request_timeout("/validate?timeout=2.5s"), 2500ms);
  EXPECT_EQ(request_timeout("/validate?timeout=500ms"), 1s);  // At least 1 s.
  EXPECT_EQ(request_timeout("/validate"), kDefaultRequestTimeout);
  EXPECT_EQ(request_timeout("/validate?timeout=soon"), kDefaultRequestTimeout);
  EXPECT_EQ(request_timeout("/validate?timeout=-3s"), kDefaultRequestTimeout);
  EXPECT_FALSE(parse_go_duration("10").has_value());
  EXPECT_FALSE(parse_go_duration("s").has_value());
  EXPECT_EQ(parse_go_duration("1h"), std::chrono::milliseconds(3'600'000));
  EXPECT_EQ(queue_budget(10s), 9s);
  EXPECT_EQ(queue_budget(1s), 500ms);
  EXPECT_EQ(queue_budget(30s), 29s);
}

}  // namespace
}  // namespace meshward::server
