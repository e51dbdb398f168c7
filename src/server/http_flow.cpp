#include "meshward/server/http_flow.h"

#include <exception>
#include <string>

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>

namespace meshward::server {

namespace http = boost::beast::http;

namespace {

ReadStep respond(Response res, bool close) {
  ReadStep step;
  step.next = ReadStep::Next::Respond;
  step.response.emplace(std::move(res));
  step.close = close;
  return step;
}

ReadStep next(ReadStep::Next n) {
  ReadStep step;
  step.next = n;
  return step;
}

Response body_too_large(unsigned version, const ServerState& state) {
  return Router::error(version, 413,
                       "request body larger than " + std::to_string(state.config.limits.body_bytes) +
                           " bytes");
}

}  // namespace

void reset_parser(std::optional<RequestParser>& parser, const Limits& limits) {
  // A parser must be empty before reading, otherwise the operation behavior is undefined;
  // apply the limits to each new message.
  parser.emplace();
  parser->body_limit(limits.body_bytes);
  parser->header_limit(limits.header_bytes);
}

ReadStep after_header(error_code ec, RequestParser& parser, ServerState& state) {
  if (ec == http::error::body_limit) {
    // A Content-Length above the limit is refused before its body is read.
    state.metrics.record_http_error(413);
    return respond(body_too_large(parser.get().version(), state), true);
  }
  if (ec == http::error::header_limit) {
    state.metrics.record_http_error(431);
    return respond(Router::error(11, 431, "request header larger than " +
                                              std::to_string(state.config.limits.header_bytes) +
                                              " bytes"),
                   true);
  }
  if (ec == net::error::operation_aborted && state.draining.load()) {
    return next(ReadStep::Next::Close);  // Cancelled by drain() while idle: say goodbye properly.
  }
  if (ec == http::error::end_of_stream || ec == net::ssl::error::stream_truncated ||
      ec == beast::error::timeout || ec == net::error::operation_aborted ||
      ec == net::error::eof || ec == net::error::connection_reset) {
    return next(ReadStep::Next::Drop);
  }
  if (ec) {
    // A malformed request line or header: answer 400 and close (the stream is unusable).
    state.metrics.record_http_error(400);
    return respond(Router::error(11, 400, "malformed HTTP request: " + ec.message()), true);
  }
  if (parser.is_done()) {
    return next(ReadStep::Next::Route);
  }
  const auto expect = parser.get()[http::field::expect];
  if (beast::iequals(expect, "100-continue")) {
    // curl asks before sending a large body; say yes (limits were checked with the header).
    return next(ReadStep::Next::SendContinue);
  }
  return next(ReadStep::Next::ReadBody);
}

ReadStep after_body(error_code ec, RequestParser& parser, const Router& router, ServerState& state) {
  if (ec == http::error::body_limit) {
    state.metrics.record_http_error(413);
    return respond(body_too_large(parser.get().version(), state), true);
  }
  if (ec == http::error::end_of_stream || ec == net::ssl::error::stream_truncated ||
      ec == beast::error::timeout || ec == net::error::operation_aborted) {
    return next(ReadStep::Next::Drop);
  }
  if (ec) {
    state.metrics.record_http_error(400);
    return respond(Router::error(11, 400, "malformed HTTP request: " + ec.message()), true);
  }
  Request req = parser.release();
  Response res;
  try {
    res = router.handle(req);
  } catch (const std::exception& e) {
    // Router::handle does not throw; this is the last line of defence for the connection.
    res = Router::error(req.version(), 500, std::string("internal error: ") + e.what());
  }
  return respond(std::move(res), !req.keep_alive());
}

bool prepare_response(Response& res, bool close, const ServerState& state) {
  close = close || state.draining.load();
  res.keep_alive(!close);
  res.prepare_payload();
  return close;
}

}  // namespace meshward::server
