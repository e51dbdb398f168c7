#pragma once
// What the server tests that drive the real server over loopback TLS share: where the sources
// are, a wait for a state, and a synchronous Beast TLS client.

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>

#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

namespace meshward::server::test_support {

namespace fs = std::filesystem;
namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = boost::asio::ip::tcp;

inline std::string source_dir() {
  const char* env = std::getenv("MESHWARD_SOURCE_DIR");
  return env != nullptr ? env : MESHWARD_SOURCE_DIR;
}

/// Polls `pred` until it holds or `limit` passes; a generous bound, never a timing assertion.
template <class Pred>
bool eventually(Pred pred, std::chrono::seconds limit = std::chrono::seconds(60)) {
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
  std::string retry_after;
  bool keep_alive = false;
};

/// A synchronous Beast TLS client on 127.0.0.1:`port`, verifying the server against `ca`.
/// `rcvbuf` (bytes, 0: the default) shrinks the socket's receive buffer, for clients that
/// stop reading.
class Client {
 public:
  Client(unsigned short port, const fs::path& ca, int rcvbuf = 0)
      : ctx_(ssl::context::tls_client), stream_(ioc_, (setup(ca), ctx_)) {
    auto& sock = beast::get_lowest_layer(stream_).socket();
    sock.open(tcp::v4());
    if (rcvbuf != 0) {
      sock.set_option(net::socket_base::receive_buffer_size(rcvbuf));
    }
    sock.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
    stream_.handshake(ssl::stream_base::client);
  }

  /// One request and its answer.
  Reply send(const std::string& target, const std::string& body = "",
             http::verb method = http::verb::post,
             const std::string& content_type = "application/json") {
    write(target, body, method, content_type);
    return read();
  }
  Reply post(const std::string& body, const std::string& content_type = "application/json") {
    return send("/validate", body, http::verb::post, content_type);
  }
  Reply get(const std::string& target) { return send(target, "", http::verb::get); }

  void write(const std::string& target, const std::string& body = "",
             http::verb method = http::verb::post,
             const std::string& content_type = "application/json") {
    http::request<http::string_body> req{method, target, 11};
    req.set(http::field::host, "localhost");
    if (method == http::verb::post) {
      req.set(http::field::content_type, content_type);
    }
    req.body() = body;
    req.keep_alive(true);
    req.prepare_payload();
    http::write(stream_, req);
  }

  /// Reads one answer. Error answers (413) may come before the whole body was sent and close
  /// the connection; Beast reads the answer all the same.
  Reply read() {
    http::response<http::string_body> res;
    http::read(stream_, buffer_, res);
    return Reply{static_cast<int>(res.result_int()), res.body(),
                 std::string(res[http::field::content_type]),
                 std::string(res[http::field::retry_after]), res.keep_alive()};
  }

  void write_raw(const std::string& bytes) { net::write(stream_, net::buffer(bytes)); }
  int fd() { return beast::get_lowest_layer(stream_).socket().native_handle(); }

 private:
  void setup(const fs::path& ca) {
    ctx_.load_verify_file(ca.string());
    ctx_.set_verify_mode(ssl::verify_peer);
  }

  net::io_context ioc_;
  ssl::context ctx_;
  beast::ssl_stream<beast::tcp_stream> stream_;
  beast::flat_buffer buffer_;
};

}  // namespace meshward::server::test_support
