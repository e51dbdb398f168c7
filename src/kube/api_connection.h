#pragma once
// ApiConnection: one HTTPS/1.1 connection to the API server, for one list/watch loop.
// Plain GETs (discovery, LIST pages) read a whole bounded body; a WATCH is a GET whose
// chunked body is read line by line (one JSON event per line) for as long as the server
// keeps it open. Every operation is bounded by a timeout (Beast's expires_after). Failures
// throw ApiCallError; the connection is then closed and reconnects on the next call.
//
// Not thread-safe: each loop owns its connection and uses it from its own coroutine.

#include <utility>  // Boost 1.74's asio/awaitable.hpp uses std::exchange without including it.

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include "meshward/core/result.h"
#include "meshward/kube/config.h"

namespace meshward::kube {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
namespace http = boost::beast::http;

/// A call that failed before an HTTP status was read in full (DNS, connect, TLS, timeout,
/// malformed HTTP, body over its limit).
struct ApiCallError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct ApiResponse {
  unsigned status = 0;
  std::string body;  ///< Whole body (GET), or the error body of a refused watch.
};

/// The TLS client context for a cluster: TLS 1.2+, peer verification against the config's
/// CA (or the system roots) unless insecure-skip-tls-verify, client certificate if any.
Result<std::shared_ptr<ssl::context>> make_client_tls(const ClusterConfig& config);

class ApiConnection {
 public:
  ApiConnection(net::any_io_executor executor, ssl::context& tls, const ClusterConfig& config,
                TokenSource& tokens);
  ~ApiConnection();
  ApiConnection(const ApiConnection&) = delete;
  ApiConnection& operator=(const ApiConnection&) = delete;

  /// GET `target` and read the whole answer (any status), within `timeout` per step and a
  /// body of at most `body_limit` bytes.
  net::awaitable<ApiResponse> get(const std::string& target, std::string_view accept,
                                  std::chrono::milliseconds timeout, std::size_t body_limit);
  /// GET `target` and read the status line and headers. On 200 the body is left to
  /// next_line(); on any other status the (bounded) body is read into the response.
  net::awaitable<ApiResponse> open_stream(const std::string& target, std::string_view accept,
                                          std::chrono::milliseconds timeout);
  /// The next line of the open stream's body, without its newline; nullopt when the body
  /// ended cleanly (the final chunk). Throws when nothing arrives within `idle_timeout`,
  /// on connection loss, or when one line exceeds `line_limit` bytes.
  net::awaitable<std::optional<std::string>> next_line(std::chrono::milliseconds idle_timeout,
                                                       std::size_t line_limit);
  /// Drops the connection (the next call reconnects).
  void close();

 private:
  using Stream = beast::ssl_stream<beast::tcp_stream>;

  net::awaitable<void> connect(std::chrono::milliseconds timeout);
  net::awaitable<void> send_get(const std::string& target, std::string_view accept,
                                std::chrono::milliseconds timeout);
  /// Reads more of the streaming body into pending_; false when the body is complete.
  net::awaitable<bool> read_stream_some(std::chrono::milliseconds timeout);
  [[noreturn]] void fail(std::string_view what, const beast::error_code& ec);

  net::any_io_executor executor_;
  ssl::context& tls_;
  const ClusterConfig& config_;
  TokenSource& tokens_;
  std::unique_ptr<Stream> stream_;
  beast::flat_buffer buffer_;
  std::optional<http::response_parser<http::buffer_body>> stream_parser_;
  std::string pending_;          ///< Stream bytes not yet returned as lines.
  std::size_t pending_pos_ = 0;  ///< Start of the first unreturned line in pending_.
};

}  // namespace meshward::kube
