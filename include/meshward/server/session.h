#pragma once
// Session: one TLS connection, from the first byte to close.
//
// Steps (each a do_/on_ pair on the connection's I/O thread, as in Beast's async-ssl and
// server-flex examples): detect TLS (plain HTTP or garbage: close) -> handshake (buffered,
// so the detected bytes are not lost) -> read header -> [100 Continue when asked] -> read
// body -> route (admission requests through the EvalQueue, overload.h) -> write ->
// wait for the next request's first byte (keep-alive) or close (TLS close_notify, then the
// socket). The parser is fresh per request, with body and header limits.
//
// Each phase has one deadline, set when the phase starts and shared by all its reads and
// writes (docs/hardening.md): detection + handshake, the first request's header, the wait
// for a later request's first byte (idle), that request's header, its body, the write.
// The connection table (connections.h) knows the state of every session and may evict it.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include "meshward/server/asio.h"
#include "meshward/server/connections.h"
#include "meshward/server/router.h"
#include "meshward/server/state.h"

namespace meshward::server {

/// One connection. Owned by the asynchronous operations in flight (shared_from_this); lives
/// exactly as long as one is outstanding.
class Session : public std::enable_shared_from_this<Session> {
 public:
  /// Takes an accepted socket (whose executor is an io_context one thread runs: the
  /// connection's handlers never run concurrently).
  Session(tcp::socket&& socket, std::shared_ptr<ServerState> state);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  /// Starts the session on its I/O thread (after ConnectionTable::admit).
  void run();
  /// Asks the session to finish: closed at once when idle between requests, otherwise after
  /// the response in progress (sent with `Connection: close`). Thread-safe.
  void drain();
  /// Closes the connection at once, without an answer (the connection table evicted it to
  /// make room). Thread-safe.
  void evict();

 private:
  enum class Phase : std::uint8_t { Handshake, Header, Idle, Body, Evaluate, Write, Shutdown };
  static const char* phase_name(Phase phase);

  void on_run();
  void on_detect(error_code ec, bool is_tls);
  void on_handshake(error_code ec, std::size_t bytes_used);
  void do_read();
  void on_first_bytes(error_code ec, std::size_t bytes);
  void read_header();
  void on_read_header(error_code ec, std::size_t bytes);
  bool reserve_body();
  void on_continue(error_code ec, std::size_t bytes);
  void do_read_body();
  void on_read_body(error_code ec, std::size_t bytes);
  void submit();
  void evaluate(bool expired);  // On an evaluation thread, while the I/O thread waits for it.
  void on_evaluated(Response&& res, bool close);
  void respond(Response&& res, bool close);
  void on_write(bool close, error_code ec, std::size_t bytes);
  void do_close();
  void do_linger();
  void on_linger(error_code ec, std::size_t bytes);
  void on_shutdown(error_code ec);
  void on_drain();
  void on_evict();
  bool enter(ConnState state);  // False: evicted, stop.
  void release_memory();
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
  bool served_ = false;             // A request has been answered on this connection.
  Phase phase_ = Phase::Handshake;  // What a deadline that fires cuts (for the metric).
  std::optional<Request> req_;      // The request in evaluation (owned by the evaluation
                                    // thread until it posts the answer back).
  std::size_t reserved_ = 0;        // Request memory reserved for the body being read.
  std::chrono::milliseconds timeout_{0};  // The request's `?timeout=`.
  bool unread_ = false;             // The answer refused a request not read to its end.
  std::size_t linger_left_ = 0;     // Bytes still discarded before closing (do_linger).
  static constexpr std::size_t kLingerChunk = 16 * 1024;
  std::chrono::steady_clock::time_point request_start_;
};

}  // namespace meshward::server
