#pragma once
// What a session does with the result of each read of a request: the part of Session
// (session.h) that does not depend on the stream. Session runs it over TLS; the HTTP fuzz
// target (fuzz/) runs it over an in-memory stream without TLS, so both parse requests with
// the same limits and map every read error and every request to the same answer.

#include <cstdint>
#include <optional>

#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include "meshward/server/asio.h"
#include "meshward/server/router.h"
#include "meshward/server/state.h"

namespace meshward::server {

using RequestParser = boost::beast::http::request_parser<boost::beast::http::string_body>;

/// A fresh parser for the next request on a connection, with the body and header limits.
void reset_parser(std::optional<RequestParser>& parser, const Limits& limits);

/// The next step of a session after a read.
struct ReadStep {
  enum class Next : std::uint8_t {
    Respond,       ///< Write `response`; then close when `close`, else read the next request.
    Route,         ///< Header read and the message is complete: go on with after_body({}).
    SendContinue,  ///< Answer `100 Continue` (the client asked), then read the body.
    ReadBody,      ///< Read the body.
    Close,         ///< Close properly: cancelled by a drain while idle.
    Drop,          ///< Peer gone, timed out or aborted: close without an answer.
  };
  Next next = Next::Drop;
  std::optional<Response> response;  ///< For Respond.
  bool close = false;                ///< For Respond.
};

/// After reading a request's header, which ended with `ec`.
ReadStep after_header(error_code ec, RequestParser& parser, ServerState& state);

/// After reading a request's body, which ended with `ec` (called with no error for a request
/// complete after its header): on success the parser's request is routed and answered.
ReadStep after_body(error_code ec, RequestParser& parser, const Router& router, ServerState& state);

/// Readies `res` to be written: keep-alive unless `close` or the server drains, payload
/// headers. Returns whether the connection closes after it.
bool prepare_response(Response& res, bool close, const ServerState& state);

}  // namespace meshward::server
