#pragma once
// Router: what each path answers. `POST /validate` (and `/validate/`, as Istio serves both),
// `GET /healthz`, `GET /readyz`, `GET /metrics`; anything else 404 (405 for a known path
// with the wrong method). Every error body is JSON.

#include <memory>

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "meshward/server/state.h"

namespace meshward::server {

using Request = boost::beast::http::request<boost::beast::http::string_body>;
using Response = boost::beast::http::response<boost::beast::http::string_body>;

/// Answers complete requests. Stateless apart from the shared state; thread-safe.
class Router {
 public:
  explicit Router(std::shared_ptr<ServerState> state) : state_(std::move(state)) {}

  /// The response for `req` (version and keep-alive copied from it). Never throws: an
  /// exception in a handler becomes a 500 with a JSON body.
  Response handle(const Request& req) const;

  /// A JSON error response (`render_error` body) with `status`.
  static Response error(unsigned version, int status, std::string_view message);
  /// Whether `req` asks for an admission decision (POST /validate, /validate/): the
  /// requests the server evaluates on its EvalQueue; everything else is answered at once.
  static bool is_admission(const Request& req);

 private:
  Response validate(const Request& req) const;
  Response healthz(const Request& req) const;
  Response readyz(const Request& req) const;
  Response metrics(const Request& req) const;

  std::shared_ptr<ServerState> state_;
};

}  // namespace meshward::server
