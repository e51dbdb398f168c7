#include "meshward/server/session.h"

#include "meshward/server/http_flow.h"
#include "meshward/server/overload.h"

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
      tcp_(std::move(socket)) {}

Session::~Session() {
  release_memory();
  state_->remove_session(this);
}

const char* Session::phase_name(Phase phase) {
  switch (phase) {
    case Phase::Handshake:
      return "handshake";
    case Phase::Header:
      return "header";
    case Phase::Idle:
      return "idle";
    case Phase::Body:
      return "body";
    case Phase::Evaluate:
      return "evaluate";
    case Phase::Write:
      return "write";
    case Phase::Shutdown:
      return "shutdown";
  }
  return "unknown";
}

bool Session::enter(ConnState state) { return state_->connections.set_state(this, state); }

void Session::release_memory() {
  if (reserved_ != 0) {
    state_->release_request_memory(reserved_);
    reserved_ = 0;
  }
}

void Session::run() {
  // The session's operations start on its I/O thread (run() is called on the accepting one).
  net::dispatch(executor_, beast::bind_front_handler(&Session::on_run, shared_from_this()));
}

void Session::drain() {
  net::post(executor_, beast::bind_front_handler(&Session::on_drain, shared_from_this()));
}

void Session::evict() {
  net::post(executor_, beast::bind_front_handler(&Session::on_evict, shared_from_this()));
}

void Session::on_evict() {
  // Close the socket: the operation in flight completes with an error and the session ends.
  // No close_notify: the peer is idle, slow or hostile, and a newcomer needs the room now.
  error_code ignored;
  beast::tcp_stream& lowest = stream_ ? beast::get_lowest_layer(*stream_) : tcp_;
  lowest.socket().shutdown(tcp::socket::shutdown_both, ignored);
  lowest.close();
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
  // One deadline for detection and the handshake together: set here, not reset after the
  // detection, so a client dribbling its ClientHello is cut when it expires.
  phase_ = Phase::Handshake;
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
  // The stream's timer (and the deadline set in on_run) moves with it.
  stream_.emplace(std::move(tcp_), *tls_->context);

  // Perform the TLS handshake, using the bytes detection read.
  stream_->async_handshake(ssl::stream_base::server, buffer_.data(),
                           beast::bind_front_handler(&Session::on_handshake, shared_from_this()));
}

void Session::on_handshake(error_code ec, std::size_t bytes_used) {
  if (ec) {
    if (ec != beast::error::timeout && ec != net::error::operation_aborted) {
      state_->metrics.record_rejected("handshake");
    }
    return fail(ec, "handshake");
  }
  // Consume the portion of the buffer used by the handshake.
  buffer_.consume(bytes_used);
  if (!enter(ConnState::New)) {
    return;  // Evicted meanwhile: on_evict closes the socket.
  }
  do_read();
}

void Session::do_read() {
  if (state_->draining.load()) {
    return do_close();
  }
  reset_parser(parser_, state_->config.limits);
  if (!served_) {
    return read_header();  // The first request: its header is due right after the handshake.
  }
  if (buffer_.size() != 0) {
    // The start of the next request is already here (pipelined): read the rest of its header.
    if (!enter(ConnState::Reading)) {
      return;
    }
    return read_header();
  }
  // Keep-alive: wait for the first byte of the next request, under the idle deadline.
  if (!enter(ConnState::Idle)) {
    return;
  }
  idle_ = true;
  phase_ = Phase::Idle;
  // Do not keep the memory of a large request on an idle connection.
  constexpr std::size_t kIdleBufferBytes = 16 * 1024;
  if (buffer_.capacity() > kIdleBufferBytes) {
    buffer_.shrink_to_fit();
  }
  beast::get_lowest_layer(*stream_).expires_after(state_->config.timeouts.idle);
  stream_->async_read_some(buffer_.prepare(kIdleBufferBytes / 2),
                           beast::bind_front_handler(&Session::on_first_bytes, shared_from_this()));
}

void Session::on_first_bytes(error_code ec, std::size_t bytes) {
  idle_ = false;
  if (ec) {
    if (ec == net::error::operation_aborted && state_->draining.load()) {
      return do_close();  // Cancelled by drain() while idle: say goodbye properly.
    }
    return fail(ec, "read");
  }
  buffer_.commit(bytes);
  if (!enter(ConnState::Reading)) {
    return;
  }
  read_header();
}

void Session::read_header() {
  // One deadline for the whole header, from now (the end of the handshake, or the first
  // byte of this request): a client trickling header bytes (slowloris) is cut when it
  // expires, however often it sends.
  idle_ = buffer_.size() == 0;
  phase_ = Phase::Header;
  request_start_ = std::chrono::steady_clock::now();
  beast::get_lowest_layer(*stream_).expires_after(state_->config.timeouts.header);
  http::async_read_header(*stream_, buffer_, *parser_,
                          beast::bind_front_handler(&Session::on_read_header, shared_from_this()));
}

bool Session::reserve_body() {
  // The body about to be read counts against the request memory bound until its answer.
  const auto length = parser_->content_length();
  const std::size_t bytes = length ? static_cast<std::size_t>(*length) : state_->config.limits.body_bytes;
  if (!state_->reserve_request_memory(bytes)) {
    return false;
  }
  reserved_ = bytes;
  return true;
}

void Session::on_read_header(error_code ec, std::size_t /*bytes*/) {
  idle_ = false;
  // What to do is decided in http_flow.cpp (the fuzz target runs the same code).
  ReadStep step = after_header(ec, *parser_, *state_);
  switch (step.next) {
    case ReadStep::Next::Respond:
      return respond(std::move(*step.response), step.close);
    case ReadStep::Next::Route:
      return submit();
    case ReadStep::Next::SendContinue:
    case ReadStep::Next::ReadBody:
      if (!enter(ConnState::Reading)) {
        return;
      }
      if (!reserve_body()) {
        // Too many request bytes in flight: refuse before reading the body (so close).
        state_->metrics.record_shed("memory");
        state_->metrics.record_http_error(503);
        return respond(shed_response(parser_->get().version(),
                                     "meshward is overloaded: too many request bytes in flight; retry"),
                       true);
      }
      if (step.next == ReadStep::Next::ReadBody) {
        return do_read_body();
      }
      continue_ = std::make_shared<http::response<http::empty_body>>(http::status::continue_, 11);
      phase_ = Phase::Write;
      beast::get_lowest_layer(*stream_).expires_after(state_->config.timeouts.write);
      return http::async_write(*stream_, *continue_,
                               beast::bind_front_handler(&Session::on_continue, shared_from_this()));
    case ReadStep::Next::Close:
      return do_close();
    case ReadStep::Next::Drop:
      break;
  }
  fail(ec, "read");
}

void Session::on_continue(error_code ec, std::size_t /*bytes*/) {
  continue_.reset();
  if (ec) {
    return fail(ec, "write 100-continue");
  }
  do_read_body();
}

void Session::do_read_body() {
  // One deadline for the whole body, then read it.
  phase_ = Phase::Body;
  beast::get_lowest_layer(*stream_).expires_after(state_->config.timeouts.body);
  http::async_read(*stream_, buffer_, *parser_,
                   beast::bind_front_handler(&Session::on_read_body, shared_from_this()));
}

void Session::on_read_body(error_code ec, std::size_t /*bytes*/) {
  if (!ec) {
    return submit();
  }
  ReadStep step = after_body(ec, *parser_, router_, *state_);
  if (step.next == ReadStep::Next::Respond) {
    return respond(std::move(*step.response), step.close);
  }
  fail(ec, "read body");
}

void Session::submit() {
  // A complete request. Admission requests go to the evaluation threads; the rest (health,
  // metrics, errors) are cheap and answered here, so probes never wait behind evaluations.
  if (!enter(ConnState::Busy)) {
    return;
  }
  const std::shared_ptr<EvalQueue> queue = state_->eval_queue;
  if (!queue || !Router::is_admission(parser_->get())) {
    ReadStep step = after_body({}, *parser_, router_, *state_);
    return respond(std::move(*step.response), step.close);
  }
  req_.emplace(parser_->release());
  timeout_ = request_timeout({req_->target().data(), req_->target().size()});
  phase_ = Phase::Evaluate;
  EvalQueue::Job job = [self = shared_from_this()](bool expired) { self->evaluate(expired); };
  if (!queue->push(request_start_ + queue_budget(timeout_), job)) {
    // Read but over the queue bound: refuse now rather than answer after the API server
    // has given up.
    state_->metrics.record_shed("queue_full");
    state_->metrics.record_http_error(503);
    const unsigned version = req_->version();
    const bool close = !req_->keep_alive();
    req_.reset();
    return respond(shed_response(version, "meshward is overloaded: " + std::to_string(queue->limit()) +
                                              " admission requests are waiting or in evaluation; retry"),
                   close);
  }
}

void Session::evaluate(bool expired) {
  // On an evaluation thread. The I/O thread does nothing for this session until the answer
  // is posted back, so req_ is this thread's alone.
  Response res;
  const bool close = !req_->keep_alive();
  if (expired) {
    state_->metrics.record_shed("expired");
    state_->metrics.record_http_error(503);
    res = shed_response(req_->version(),
                        "meshward is overloaded: the request waited longer than its timeout (" +
                            std::to_string(timeout_.count()) + " ms) allows and was not evaluated; retry");
  } else {
    if (state_->config.evaluate_hook) {
      state_->config.evaluate_hook();
    }
    try {
      res = router_.handle(*req_);
    } catch (const std::exception& e) {
      // Router::handle does not throw; this is the last line of defence for the connection.
      res = Router::error(req_->version(), 500, std::string("internal error: ") + e.what());
    }
  }
  req_.reset();
  net::post(executor_, [self = shared_from_this(), res = std::move(res), close]() mutable {
    self->on_evaluated(std::move(res), close);
  });
}

void Session::on_evaluated(Response&& res, bool close) { respond(std::move(res), close); }

void Session::respond(Response&& res, bool close) {
  release_memory();  // The request's body is gone.
  if (!enter(ConnState::Busy)) {
    return;
  }
  close = prepare_response(res, close, *state_);
  // Refused before the whole request was read (413, 431, 400, 503 for memory): the peer
  // may still be sending it.
  unread_ = parser_ && !parser_->is_done();
  // The lifetime of the message has to extend for the duration of the async operation.
  res_.emplace(std::move(res));

  // One deadline for the whole write: a client that does not read is cut when it expires.
  phase_ = Phase::Write;
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
    return unread_ ? do_linger() : do_close();
  }
  // Read another request.
  served_ = true;
  do_read();
}

void Session::do_close() {
  if (closing_) {
    return;
  }
  closing_ = true;
  phase_ = Phase::Shutdown;
  enter(ConnState::Closing);
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

void Session::do_linger() {
  if (closing_) {
    return;
  }
  closing_ = true;
  phase_ = Phase::Shutdown;
  enter(ConnState::Closing);
  // The peer is still sending the request we answered without reading it all. Closing now,
  // with its bytes unread, would send a TCP reset, and a client still writing would see that
  // instead of our answer. So: FIN after the answer, then read and discard what it sends,
  // bounded in time (the shutdown deadline) and bytes (one request), and close.
  auto& lowest = beast::get_lowest_layer(*stream_);
  error_code ignored;
  lowest.socket().shutdown(tcp::socket::shutdown_send, ignored);
  auto timeout = state_->config.timeouts.shutdown;
  if (state_->draining.load()) {
    timeout = std::min(timeout, std::chrono::milliseconds(500));
  }
  lowest.expires_after(timeout);
  linger_left_ = state_->config.limits.body_bytes + state_->config.limits.header_bytes;
  buffer_.clear();
  stream_->async_read_some(buffer_.prepare(kLingerChunk),
                           beast::bind_front_handler(&Session::on_linger, shared_from_this()));
}

void Session::on_linger(error_code ec, std::size_t bytes) {
  if (!ec && bytes < linger_left_) {
    linger_left_ -= bytes;  // Never committed: the buffer stays empty.
    stream_->async_read_some(buffer_.prepare(kLingerChunk),
                             beast::bind_front_handler(&Session::on_linger, shared_from_this()));
    return;
  }
  beast::get_lowest_layer(*stream_).close();
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
  if (ec == beast::error::timeout) {
    state_->metrics.record_timeout(phase_name(phase_));
  }
  if (ec == net::ssl::error::stream_truncated || ec == net::error::operation_aborted ||
      ec == http::error::end_of_stream || ec == beast::error::timeout) {
    return;
  }
}

}  // namespace meshward::server
