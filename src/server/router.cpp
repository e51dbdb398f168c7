#include "meshward/server/router.h"

#include <cctype>
#include <chrono>
#include <exception>

#include <boost/beast/http/field.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/verb.hpp>

#include "meshward/core/json.h"
#include "meshward/model/object.h"
#include "meshward/server/overload.h"

namespace meshward::server {

namespace http = boost::beast::http;

namespace {

std::string_view path_of(std::string_view target) {
  // The API server calls `/validate?timeout=10s`: the query is not part of the route.
  const auto q = target.find('?');
  return q == std::string_view::npos ? target : target.substr(0, q);
}

// Kubernetes sends exactly "application/json"; accept parameters (charset) and any case.
bool is_json(std::string_view content_type) {
  const auto semi = content_type.find(';');
  std::string_view type = content_type.substr(0, semi);
  while (!type.empty() && type.back() == ' ') {
    type.remove_suffix(1);
  }
  constexpr std::string_view kJson = "application/json";
  if (type.size() != kJson.size()) {
    return false;
  }
  for (std::size_t i = 0; i < kJson.size(); ++i) {
    if (static_cast<char>(std::tolower(static_cast<unsigned char>(type[i]))) != kJson[i]) {
      return false;
    }
  }
  return true;
}

Response text(const Request& req, http::status status, std::string_view content_type,
              std::string body) {
  Response res{status, req.version()};
  res.set(http::field::server, "meshward");
  res.set(http::field::content_type,
          boost::beast::string_view(content_type.data(), content_type.size()));
  res.keep_alive(req.keep_alive());
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

void write_str(json::Writer& w, std::string_view s) {
  w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}

// The decision's log line, built in a buffer the thread reuses; valid until the thread's next
// call.
std::string_view decision_log(const admission::Exchange& ex, double seconds) {
  thread_local json::StringBuffer buf;
  // A line is a few hundred bytes; one that quoted a huge uid or name must not pin that much
  // memory to the thread for good.
  constexpr std::size_t kKeepBytes = 64 * 1024;
  const bool shrink = buf.GetSize() > kKeepBytes;
  buf.Clear();
  if (shrink) {
    buf.ShrinkToFit();
  }
  json::Writer w(buf);
  w.StartObject();
  w.Key("ts");
  write_str(w, utc_timestamp());
  w.Key("level");
  w.String(ex.decided ? "info" : "warn");
  w.Key("msg");
  w.String(ex.decided ? "admission decision" : "bad admission request");
  if (ex.decided) {
    w.Key("uid");
    write_str(w, ex.uid);
    w.Key("kind");
    write_str(w, ex.kind);
    w.Key("operation");
    write_str(w, ex.operation);
    w.Key("namespace");
    write_str(w, ex.namespace_);
    w.Key("name");
    write_str(w, ex.name);
    w.Key("dry_run");
    w.Bool(ex.dry_run);
    w.Key("allowed");
    w.Bool(ex.decision.response.allowed);
    w.Key("reason");
    write_str(w, ex.decision.reason);
    w.Key("denied");
    w.Uint64(ex.decision.denied);
    w.Key("warned");
    w.Uint64(ex.decision.warned);
    w.Key("reused");
    w.Bool(ex.decision.reused);
    w.Key("codes");
    w.StartArray();
    for (const auto& f : ex.decision.introduced) {
      write_str(w, f.code);
    }
    w.EndArray();
  } else {
    w.Key("status");
    w.Int(ex.http_status);
    w.Key("error");
    write_str(w, admission::valid_utf8(ex.error) ? ex.error : std::string("(invalid UTF-8)"));
  }
  w.Key("seconds");
  w.Double(seconds);
  w.EndObject();
  return {buf.GetString(), buf.GetSize()};
}

// An admission allowed with nothing to say (no finding, no warning): the bulk of the traffic,
// logged in batches (ServerState::log_routine). Everything else is written at once.
bool routine(const admission::Exchange& ex) {
  return ex.decided && ex.decision.response.allowed && ex.decision.response.warnings.empty() &&
         ex.decision.introduced.empty();
}

}  // namespace

Response Router::error(unsigned version, int status, std::string_view message) {
  Response res{static_cast<http::status>(status), version};
  res.set(http::field::server, "meshward");
  res.set(http::field::content_type, "application/json");
  res.body() = admission::render_error(status, message);
  res.prepare_payload();
  return res;
}

bool Router::is_admission(const Request& req) {
  if (req.method() != http::verb::post) {
    return false;
  }
  const std::string_view path = path_of({req.target().data(), req.target().size()});
  return path == "/validate" || path == "/validate/";
}

Response Router::handle(const Request& req) const {
  try {
    const std::string_view path = path_of({req.target().data(), req.target().size()});
    const bool get = req.method() == http::verb::get;
    if (path == "/validate" || path == "/validate/") {
      if (req.method() != http::verb::post) {
        state_->metrics.record_http_error(405);
        Response res = error(req.version(), 405, "use POST for " + std::string(path));
        res.set(http::field::allow, "POST");
        res.keep_alive(req.keep_alive());
        return res;
      }
      return validate(req);
    }
    if (path == "/healthz" || path == "/readyz" || path == "/metrics") {
      if (!get) {
        state_->metrics.record_http_error(405);
        Response res = error(req.version(), 405, "use GET for " + std::string(path));
        res.set(http::field::allow, "GET");
        res.keep_alive(req.keep_alive());
        return res;
      }
      if (path == "/healthz") {
        return healthz(req);
      }
      if (path == "/readyz") {
        return readyz(req);
      }
      return metrics(req);
    }
    state_->metrics.record_http_error(404);
    Response res = error(req.version(), 404, "no such path: " + std::string(path) +
                                                 " (try POST /validate, GET /healthz, /readyz, /metrics)");
    res.keep_alive(req.keep_alive());
    return res;
  } catch (const std::exception& e) {
    state_->metrics.record_http_error(500);
    state_->log(R"({"ts":")" + utc_timestamp() + R"(","level":"error","msg":"handler failed"})");
    Response res = error(req.version(), 500, std::string("internal error: ") + e.what());
    res.keep_alive(false);
    return res;
  }
}

Response Router::validate(const Request& req) const {
  const auto ct = req[http::field::content_type];
  if (!is_json({ct.data(), ct.size()})) {
    state_->metrics.record_http_error(415);
    Response res = error(req.version(), 415,
                         "Content-Type must be application/json, got \"" +
                             std::string(ct.data(), ct.size()) + "\"");
    res.keep_alive(req.keep_alive());
    return res;
  }
  const auto start = std::chrono::steady_clock::now();
  const auto world = state_->slot->current();
  const auto policy = state_->policy.current();
  admission::Exchange ex = admission::handle_review(req.body(), world.get(), *policy,
                                                    state_->config.warning_limits);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (ex.decided) {
    // request.kind is the client's to choose: only kinds meshward models get their own label,
    // so hostile or unusual kinds cannot grow the metric (and /metrics) without bound.
    const std::string_view kind_label = model::parse_kind(ex.kind) ? std::string_view(ex.kind) : "other";
    state_->metrics.record_review(kind_label, ex.operation, ex.decision.reason, seconds);
    state_->metrics.record_findings(ex.decision.introduced);
    if (ex.decision.reused) {
      state_->metrics.findings_reused.fetch_add(1, std::memory_order_relaxed);
    }
  } else {
    state_->metrics.record_http_error(ex.http_status);
  }
  if (routine(ex)) {
    state_->log_routine(decision_log(ex, seconds));
  } else {
    state_->log(decision_log(ex, seconds));
  }
  return text(req, static_cast<http::status>(ex.http_status), "application/json",
              std::move(ex.body));
}

Response Router::healthz(const Request& req) const {
  return text(req, http::status::ok, "text/plain; charset=utf-8", "ok\n");
}

Response Router::readyz(const Request& req) const {
  const bool world = state_->slot->ready();
  const bool certs = state_->tls.current() != nullptr;
  if (world && certs && !state_->draining.load()) {
    return text(req, http::status::ok, "text/plain; charset=utf-8", "ready\n");
  }
  std::string why = "not ready:";
  if (!world) {
    why += " no world loaded;";
  }
  if (!certs) {
    why += " no certificate loaded;";
  }
  if (state_->draining.load()) {
    why += " shutting down;";
  }
  why.back() = '\n';
  return text(req, http::status::service_unavailable, "text/plain; charset=utf-8", why);
}

Response Router::metrics(const Request& req) const {
  MetricsSnapshot snap;
  const auto world = state_->slot->current();
  snap.world = world.get();
  if (auto tls = state_->tls.current()) {
    snap.cert_not_after = tls->not_after;
  }
  snap.cert_loads = state_->tls.loads();
  snap.version = state_->config.version;
  snap.commit = state_->config.commit;
  snap.connections_limit = state_->connections.max_connections();
  snap.pending_connections_limit = state_->connections.max_pending();
  if (state_->eval_queue) {
    snap.queue_limit = state_->eval_queue->limit();
    snap.queue_depth = state_->eval_queue->depth();
  }
  snap.request_memory_limit = state_->config.limits.max_request_memory;
  snap.request_memory = state_->request_memory();
  std::string body = state_->metrics.render(snap);
  if (state_->config.world_source_metrics) {
    body += state_->config.world_source_metrics();
  }
  return text(req, http::status::ok, "text/plain; version=0.0.4; charset=utf-8", std::move(body));
}

}  // namespace meshward::server
