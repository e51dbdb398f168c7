#pragma once
// Session: one TLS connection, from the first byte to close.
//
// Steps (each a do_/on_ pair on the connection's strand, as in Beast's async-ssl and
// server-flex examples): detect TLS (plain HTTP or garbage: close) -> handshake (buffered,
// so the detected bytes are not lost) -> read header -> [100 Continue when asked] -> read
// body -> route -> write ->
// read the next request (keep-alive) or close (TLS close_notify, then the socket).
// A timeout is set before every step; the parser is fresh per request, with body and
// header limits.

#include <memory>
#include <optional>

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include "meshward/server/asio.h"
#include "meshward/server/router.h"
#include "meshward/server/state.h"

namespace meshward::server {

/// One connection. Owned by the asynchronous operations in flight (shared_from_this); lives
/// exactly as long as one is outstanding.
class Session : public std::enable_shared_from_this<Session> {
 public:
  /// Takes an accepted socket (whose executor is the connection's strand).
  Session(tcp::socket&& socket, std::shared_ptr<ServerState> state);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  /// Starts the session on its strand.
  void run();
  /// Asks the session to finish: closed at once when idle between requests, otherwise after
  /// the response in progress (sent with `Connection: close`). Thread-safe.
  void drain();

 private:
  void on_run();
  void on_detect(error_code ec, bool is_tls);
  void on_handshake(error_code ec, std::size_t bytes_used);
  void do_read();
  void on_read_header(error_code ec, std::size_t bytes);
  void on_continue(error_code ec, std::size_t bytes);
  void do_read_body();
  void on_read_body(error_code ec, std::size_t bytes);
  void respond(Response&& res, bool close);
  void on_write(bool close, error_code ec, std::size_t bytes);
  void do_close();
  void on_shutdown(error_code ec);
  void on_drain();
  void fail(error_code ec, const char* what);

  std::shared_ptr<ServerState> state_;
  Router router_;
  net::any_io_executor executor_;
  beast::tcp_stream tcp_;  // Until the handshake; then moved into stream_.
  std::optional<beast::ssl_stream<beast::tcp_stream>> stream_;
  std::shared_ptr<const TlsContext> tls_;  // Keeps the context this connection uses alive.
  beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  std::optional<Response> res_;  // The response being written (lives in the session: no
                                 // allocation per response).
  std::shared_ptr<boost::beast::http::response<boost::beast::http::empty_body>> continue_;
  bool idle_ = false;               // Waiting for a request's first byte.
  bool closing_ = false;
};

}  // namespace meshward::server
