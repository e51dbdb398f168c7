// (c) The bytes a client sends on one connection, after TLS: requests parsed by Beast with the
// server's limits and routed, answered, kept alive or closed, exactly as Session does it
// (server/http_flow.h holds the decisions both run), over an in-memory stream. Requests are
// decided against the bundled bookinfo world. Invariants: every answer is well-formed (a JSON
// body where it says so, valid UTF-8, Content-Length equal to the body), and no handler fails
// (a 500 means an exception reached the router).

#include <optional>
#include <ostream>
#include <streambuf>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/beast/_experimental/test/stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include "common.h"
#include "meshward/admission/review.h"
#include "meshward/server/http_flow.h"
#include "meshward/server/router.h"
#include "meshward/server/state.h"

using namespace meshward;
namespace http = boost::beast::http;
namespace beast = boost::beast;

namespace {

// Log lines are built as in production and then dropped.
class NullBuffer : public std::streambuf {
 protected:
  int overflow(int c) override { return c == traits_type::eof() ? 0 : c; }
  std::streamsize xsputn(const char* /*s*/, std::streamsize n) override { return n; }
};

std::shared_ptr<server::ServerState> make_state() {
  static NullBuffer null_buffer;
  static std::ostream null_log(&null_buffer);
  server::ServerConfig config;
  config.log = &null_log;
  // Small enough for inputs the fuzzer writes to reach both limits.
  config.limits.body_bytes = 16 * 1024;
  config.limits.header_bytes = 2 * 1024;
  auto slot = std::make_shared<admission::WorldSlot>();
  const auto world = fuzz::bookinfo_world();
  slot->publish(world->snapshot, world->source);
  return std::make_shared<server::ServerState>(std::move(config), std::move(slot));
}

void check_response(server::Response& res) {
  const int status = res.result_int();
  MESHWARD_FUZZ_CHECK(status != 500, res.body());
  MESHWARD_FUZZ_CHECK(status >= 200 && status < 600, std::to_string(status));
  const auto length = res[http::field::content_length];
  MESHWARD_FUZZ_CHECK(length == std::to_string(res.body().size()), std::string(length));
  const auto type = res[http::field::content_type];
  if (type == "application/json") {
    MESHWARD_FUZZ_CHECK(fuzz::is_json(res.body()), res.body());
  }
  MESHWARD_FUZZ_CHECK(admission::valid_utf8(res.body()), res.body());
}

}  // namespace

int meshward_fuzz_http(const std::uint8_t* data, std::size_t size) {
  static const std::shared_ptr<server::ServerState> state = make_state();
  const server::Router router(state);

  boost::asio::io_context ioc;
  beast::test::stream conn(ioc);  // The server's end.
  beast::test::stream peer(ioc);  // The client's: collects what the server writes.
  conn.connect(peer);
  conn.append(beast::string_view(reinterpret_cast<const char*>(data), size));
  conn.close_remote();  // The client has sent everything: end of stream after it.
  // Requests arrive in pieces of varying size, as TCP delivers them.
  conn.read_size(64 + size % 1000);

  beast::flat_buffer buffer;
  std::optional<server::RequestParser> parser;
  for (;;) {
    server::reset_parser(parser, state->config.limits);
    beast::error_code ec;
    http::read_header(conn, buffer, *parser, ec);
    server::ReadStep step = server::after_header(ec, *parser, *state);
    if (step.next == server::ReadStep::Next::SendContinue) {
      http::response<http::empty_body> cont{http::status::continue_, 11};
      http::write(conn, cont, ec);
      step.next = server::ReadStep::Next::ReadBody;
    }
    if (step.next == server::ReadStep::Next::ReadBody) {
      http::read(conn, buffer, *parser, ec);
      step = server::after_body(ec, *parser, router, *state);
    } else if (step.next == server::ReadStep::Next::Route) {
      step = server::after_body({}, *parser, router, *state);
    }
    if (step.next != server::ReadStep::Next::Respond) {
      break;  // Close or Drop: the connection ends without an answer.
    }
    MESHWARD_FUZZ_CHECK(step.response.has_value(), "Respond without a response");
    const bool close = server::prepare_response(*step.response, step.close, *state);
    check_response(*step.response);
    http::write(conn, *step.response, ec);
    MESHWARD_FUZZ_CHECK(!ec, ec.message());
    if (close) {
      break;
    }
  }
  return 0;
}
