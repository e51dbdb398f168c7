#include "meshward/server/session.h"

#include <algorithm>
#include <chrono>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/core/detect_ssl.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl.hpp>

namespace meshward::server {

namespace http = boost::beast::http;

Session::Session(tcp::socket&& socket, std::shared_ptr<ServerState> state)
    : state_(std::move(state)),
      router_(state_),
      executor_(socket.get_executor()),
      tcp_(std::move(socket)) {
  ++state_->metrics.connections_active;
  ++state_->metrics.connections_total;
}

Session::~Session() {
  --state_->metrics.connections_active;
  state_->remove_session(this);
}

void Session::run() {
  state_->add_session(this, shared_from_this());
  // We need to be executing within a strand to perform async operations on the I/O objects
  // in this session. Although not strictly necessary for single-threaded contexts, this
  // code is written to be thread-safe by default.
  net::dispatch(executor_, beast::bind_front_handler(&Session::on_run, shared_from_this()));
}

void Session::drain() {
  net::post(executor_, beast::bind_front_handler(&Session::on_drain, shared_from_this()));
}

void Session::on_drain() {
  // Idle between requests (nothing of the next one received): stop waiting. A request
  // that has started is finished and answered with `Connection: close` (see respond()).
  if (stream_ && idle_ && !closing_ && buffer_.size() == 0 &&
      (!parser_ || !parser_->got_some())) {
    beast::get_lowest_layer(*stream_).cancel();
  }
}

void Session::on_run() {
  // Set the timeout, then peek at the first bytes: a TLS ClientHello or not.
  tcp_.expires_after(state_->config.timeouts.handshake);
  beast::async_detect_ssl(tcp_, buffer_,
                          beast::bind_front_handler(&Session::on_detect, shared_from_this()));
}

void Session::on_detect(error_code ec, bool is_tls) {
  if (ec) {
    return fail(ec, "detect");
  }
  if (!is_tls) {
    // Plain HTTP or garbage on the TLS port: we never serve it, close at once.
    state_->metrics.record_rejected("plaintext");
    error_code ignored;
    tcp_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    tcp_.close();
    return;
  }
  // Take the context current now: a certificate reload affects only new connections.
  tls_ = state_->tls.current();
  if (!tls_) {
    state_->metrics.record_rejected("no_certificate");
    tcp_.close();
    return;
  }
  stream_.emplace(std::move(tcp_), *tls_->context);

  // Set the timeout, then perform the TLS handshake, using the bytes detection read.
  beast::get_lowest_layer(*stream_).expires_after(state_->config.timeouts.handshake);
  stream_->async_handshake(ssl::stream_base::server, buffer_.data(),
                           beast::bind_front_handler(&Session::on_handshake, shared_from_this()));
}

void Session::on_handshake(error_code ec, std::size_t bytes_used) {
  if (ec) {
    state_->metrics.record_rejected("handshake");
    return fail(ec, "handshake");
  }
  // Consume the portion of the buffer used by the handshake.
  buffer_.consume(bytes_used);
  do_read();
}

void Session::do_read() {
  if (state_->draining.load()) {
    return do_close();
  }
  // Make the request parser empty before reading, otherwise the operation behavior is
  // undefined; apply the limits to each new message.
  parser_.emplace();
  parser_->body_limit(state_->config.limits.body_bytes);
  parser_->header_limit(state_->config.limits.header_bytes);
  idle_ = true;

  // Set the timeout: it bounds the wait for the next request and the whole of its header,
  // so a client trickling header bytes (slowloris) is cut.
  beast::get_lowest_layer(*stream_).expires_after(state_->config.timeouts.idle);
  http::async_read_header(*stream_, buffer_, *parser_,
                          beast::bind_front_handler(&Session::on_read_header, shared_from_this()));
}

void Session::on_read_header(error_code ec, std::size_t /*bytes*/) {
  idle_ = false;
  if (ec == http::error::body_limit) {
    // A Content-Length above the limit is refused before its body is read.
    state_->metrics.record_http_error(413);
    return respond(Router::error(parser_->get().version(), 413,
                                 "request body larger than " +
                                     std::to_string(state_->config.limits.body_bytes) + " bytes"),
                   true);
  }
  if (ec == http::error::header_limit) {
    state_->metrics.record_http_error(431);
    return respond(Router::error(11, 431, "request header larger than " +
                                              std::to_string(state_->config.limits.header_bytes) +
                                              " bytes"),
                   true);
  }
  if (ec == net::error::operation_aborted && state_->draining.load()) {
    return do_close();  // Cancelled by drain() while idle: say goodbye properly.
  }
  if (ec == http::error::end_of_stream || ec == net::ssl::error::stream_truncated ||
      ec == beast::error::timeout || ec == net::error::operation_aborted ||
      ec == net::error::eof || ec == net::error::connection_reset) {
    return fail(ec, "read");
  }
  if (ec) {
    // A malformed request line or header: answer 400 and close (the stream is unusable).
    state_->metrics.record_http_error(400);
    return respond(Router::error(11, 400, "malformed HTTP request: " + ec.message()), true);
  }
  if (parser_->is_done()) {
    return on_read_body({}, 0);
  }
  const auto expect = parser_->get()[http::field::expect];
  if (beast::iequals(expect, "100-continue")) {
    // curl asks before sending a large body; say yes (limits were checked with the header).
    continue_ = std::make_shared<http::response<http::empty_body>>(http::status::continue_, 11);
    beast::get_lowest_layer(*stream_).expires_after(state_->config.timeouts.write);
    return http::async_write(*stream_, *continue_,
                             beast::bind_front_handler(&Session::on_continue, shared_from_this()));
  }
  do_read_body();
}

void Session::on_continue(error_code ec, std::size_t /*bytes*/) {
  continue_.reset();
  if (ec) {
    return fail(ec, "write 100-continue");
  }
  do_read_body();
}

void Session::do_read_body() {
  // Set the timeout, then read the body.
  beast::get_lowest_layer(*stream_).expires_after(state_->config.timeouts.body);
  http::async_read(*stream_, buffer_, *parser_,
                   beast::bind_front_handler(&Session::on_read_body, shared_from_this()));
}

void Session::on_read_body(error_code ec, std::size_t /*bytes*/) {
  if (ec == http::error::body_limit) {
    state_->metrics.record_http_error(413);
    return respond(Router::error(parser_->get().version(), 413,
                                 "request body larger than " +
                                     std::to_string(state_->config.limits.body_bytes) + " bytes"),
                   true);
  }
  if (ec == http::error::end_of_stream || ec == net::ssl::error::stream_truncated ||
      ec == beast::error::timeout || ec == net::error::operation_aborted) {
    return fail(ec, "read body");
  }
  if (ec) {
    state_->metrics.record_http_error(400);
    return respond(Router::error(11, 400, "malformed HTTP request: " + ec.message()), true);
  }
  Request req = parser_->release();
  Response res;
  try {
    res = router_.handle(req);
  } catch (const std::exception& e) {
    // Router::handle does not throw; this is the last line of defence for the connection.
    res = Router::error(req.version(), 500, std::string("internal error: ") + e.what());
  }
  respond(std::move(res), !req.keep_alive());
}

void Session::respond(Response&& res, bool close) {
  close = close || state_->draining.load();
  res.keep_alive(!close);
  res.prepare_payload();
  // The lifetime of the message has to extend for the duration of the async operation.
  res_.emplace(std::move(res));

  // Set the timeout, then write the response.
  beast::get_lowest_layer(*stream_).expires_after(state_->config.timeouts.write);
  http::async_write(*stream_, *res_,
                    beast::bind_front_handler(&Session::on_write, shared_from_this(), close));
}

void Session::on_write(bool close, error_code ec, std::size_t /*bytes*/) {
  res_.reset();
  if (ec) {
    return fail(ec, "write");
  }
  if (close || state_->draining.load()) {
    // This means we should close the connection, usually because the response indicated
    // the "Connection: close" semantic.
    return do_close();
  }
  // Read another request.
  do_read();
}

void Session::do_close() {
  if (closing_) {
    return;
  }
  closing_ = true;
  // Set the timeout, then perform the TLS shutdown (close_notify both ways). While draining,
  // wait only briefly for the peer's close_notify: a client that never answers must not hold
  // the process for the full timeout.
  auto timeout = state_->config.timeouts.shutdown;
  if (state_->draining.load()) {
    timeout = std::min(timeout, std::chrono::milliseconds(500));
  }
  beast::get_lowest_layer(*stream_).expires_after(timeout);
  stream_->async_shutdown(beast::bind_front_handler(&Session::on_shutdown, shared_from_this()));
}

void Session::on_shutdown(error_code /*ec*/) {
  // Whatever the peer did with our close_notify, the connection is done.
  beast::get_lowest_layer(*stream_).close();
}

void Session::fail(error_code ec, const char* what) {
  // ssl::error::stream_truncated, also known as an SSL "short read", indicates the peer
  // closed the connection without performing the required closing handshake. For HTTP this
  // is harmless: message framing (Content-Length / chunked) tells us whether a message was
  // complete, and an incomplete one is an error reported elsewhere. Timeouts, aborts during
  // drain and end_of_stream are equally routine; the others are counted, not logged per
  // connection (a port scanner must not flood the log).
  (void)what;
  if (ec == net::ssl::error::stream_truncated || ec == net::error::operation_aborted ||
      ec == http::error::end_of_stream || ec == beast::error::timeout) {
    return;
  }
}

}  // namespace meshward::server
