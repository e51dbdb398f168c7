#include "api_connection.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/version.hpp>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/ssl.h>
#include <sys/socket.h>

namespace meshward::kube {

namespace {

using tcp = net::ip::tcp;
constexpr std::size_t kErrorBodyLimit = 64 * 1024;
constexpr const char* kUserAgent = "meshward (kube watcher)";

bool is_ip_address(const std::string& host) {
  beast::error_code ec;
  net::ip::make_address(host, ec);
  return !ec;
}

}  // namespace

Result<std::shared_ptr<ssl::context>> make_client_tls(const ClusterConfig& config) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
  beast::error_code ec;
  SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION);
  if (config.insecure_skip_verify) {
    ctx->set_verify_mode(ssl::verify_none);
  } else {
    ctx->set_verify_mode(ssl::verify_peer);
    if (config.ca_pem.empty()) {
      ctx->set_default_verify_paths(ec);
    } else {
      ctx->add_certificate_authority(net::buffer(config.ca_pem), ec);
    }
    if (ec) {
      return Error{"cluster CA bundle (" + config.source + "): " + ec.message()};
    }
  }
  if (!config.client_cert_pem.empty() || !config.client_key_pem.empty()) {
    ctx->use_certificate_chain(net::buffer(config.client_cert_pem), ec);
    if (ec) {
      return Error{"client certificate (" + config.source + "): " + ec.message()};
    }
    ctx->use_private_key(net::buffer(config.client_key_pem), ssl::context::pem, ec);
    if (ec) {
      return Error{"client key (" + config.source + "): " + ec.message()};
    }
  }
  return ctx;
}

ApiConnection::ApiConnection(net::any_io_executor executor, ssl::context& tls,
                             const ClusterConfig& config, TokenSource& tokens)
    : executor_(std::move(executor)), tls_(tls), config_(config), tokens_(tokens) {}

ApiConnection::~ApiConnection() = default;

void ApiConnection::close() {
  stream_parser_.reset();
  pending_.clear();
  pending_pos_ = 0;
  buffer_.clear();
  if (stream_) {
    beast::error_code ignored;
    beast::get_lowest_layer(*stream_).socket().shutdown(tcp::socket::shutdown_both, ignored);
    beast::get_lowest_layer(*stream_).close();
    stream_.reset();
  }
}

void ApiConnection::fail(std::string_view what, const beast::error_code& ec) {
  close();
  throw ApiCallError(std::string(what) + ": " + ec.message());
}

net::awaitable<void> ApiConnection::connect(std::chrono::milliseconds timeout) {
  beast::error_code ec;
  tcp::resolver resolver(executor_);
  const auto endpoints = co_await resolver.async_resolve(config_.host, config_.port,
                                                         net::redirect_error(net::use_awaitable, ec));
  if (ec) {
    fail("resolve " + config_.host, ec);
  }
  stream_ = std::make_unique<Stream>(executor_, tls_);
  const std::string& name = config_.tls_server_name.empty() ? config_.host : config_.tls_server_name;
  if (!config_.insecure_skip_verify) {
    stream_->set_verify_callback(ssl::host_name_verification(name));
  }
  // SNI carries names only; an IP literal is not sent (RFC 6066 §3).
  if (!is_ip_address(name)) {
    // SSL_set_tlsext_host_name() is a macro with a C cast; this is what it expands to.
    SSL_ctrl(stream_->native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
             const_cast<char*>(name.c_str()));
  }
  auto& tcp_stream = beast::get_lowest_layer(*stream_);
  tcp_stream.expires_after(timeout);
  co_await tcp_stream.async_connect(endpoints, net::redirect_error(net::use_awaitable, ec));
  if (ec) {
    fail("connect " + config_.host + ":" + config_.port, ec);
  }
  tcp_stream.socket().set_option(tcp::no_delay(true), ec);
  // A watch can be silent for minutes; keepalive probes find a peer that vanished (a node
  // or a load balancer gone without a FIN) in about a minute instead.
  tcp_stream.socket().set_option(net::socket_base::keep_alive(true), ec);
  const int fd = tcp_stream.socket().native_handle();
  const int idle = 30, interval = 10, probes = 3;
  ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle);
  ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &interval, sizeof interval);
  ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &probes, sizeof probes);
  tcp_stream.expires_after(timeout);
  co_await stream_->async_handshake(ssl::stream_base::client, net::redirect_error(net::use_awaitable, ec));
  if (ec) {
    fail("TLS handshake with " + config_.host + ":" + config_.port, ec);
  }
}

net::awaitable<void> ApiConnection::send_get(const std::string& target, std::string_view accept,
                                             std::chrono::milliseconds timeout) {
  // A stream left half-read cannot carry another request; nor can a closed one.
  if (stream_parser_) {
    close();
  }
  if (!stream_) {
    co_await connect(timeout);
  }
  http::request<http::empty_body> req{http::verb::get, target, 11};
  req.set(http::field::host, config_.host.find(':') != std::string::npos
                                 ? "[" + config_.host + "]:" + config_.port
                                 : config_.host + ":" + config_.port);
  req.set(http::field::user_agent, kUserAgent);
  req.set(http::field::accept, beast::string_view(accept.data(), accept.size()));
  req.keep_alive(true);
  if (const std::string token = tokens_.token(); !token.empty()) {
    req.set(http::field::authorization, "Bearer " + token);
  }
  beast::error_code ec;
  beast::get_lowest_layer(*stream_).expires_after(timeout);
  co_await http::async_write(*stream_, req, net::redirect_error(net::use_awaitable, ec));
  if (ec) {
    fail("GET " + target, ec);
  }
}

net::awaitable<ApiResponse> ApiConnection::get(const std::string& target, std::string_view accept,
                                               std::chrono::milliseconds timeout,
                                               std::size_t body_limit) {
  co_await send_get(target, accept, timeout);
  http::response_parser<http::string_body> parser;
  parser.body_limit(body_limit);
  parser.header_limit(64 * 1024);
  beast::error_code ec;
  beast::get_lowest_layer(*stream_).expires_after(timeout);
  co_await http::async_read(*stream_, buffer_, parser, net::redirect_error(net::use_awaitable, ec));
  if (ec) {
    fail("GET " + target, ec);
  }
  auto response = parser.release();
  if (!response.keep_alive()) {
    close();
  }
  co_return ApiResponse{response.result_int(), std::move(response.body())};
}

net::awaitable<ApiResponse> ApiConnection::open_stream(const std::string& target,
                                                       std::string_view accept,
                                                       std::chrono::milliseconds timeout) {
  co_await send_get(target, accept, timeout);
  stream_parser_.emplace();
  stream_parser_->body_limit(boost::none);  // A watch body is as long as the watch lasts.
  stream_parser_->header_limit(64 * 1024);
  pending_.clear();
  pending_pos_ = 0;
  beast::error_code ec;
  beast::get_lowest_layer(*stream_).expires_after(timeout);
  co_await http::async_read_header(*stream_, buffer_, *stream_parser_,
                                   net::redirect_error(net::use_awaitable, ec));
  if (ec) {
    fail("GET " + target, ec);
  }
  ApiResponse response{stream_parser_->get().result_int(), {}};
  if (response.status != 200) {
    // The refusal's body is a Status object saying why; read it (bounded), then drop the
    // connection rather than reason about its reuse.
    while (pending_.size() < kErrorBodyLimit && co_await read_stream_some(timeout)) {
    }
    response.body = std::move(pending_);
    close();
  }
  co_return response;
}

net::awaitable<bool> ApiConnection::read_stream_some(std::chrono::milliseconds timeout) {
  if (!stream_parser_ || stream_parser_->is_done()) {
    co_return false;
  }
  char chunk[16 * 1024];
  auto& body = stream_parser_->get().body();
  body.data = chunk;
  body.size = sizeof chunk;
  beast::error_code ec;
  beast::get_lowest_layer(*stream_).expires_after(timeout);
  co_await http::async_read_some(*stream_, buffer_, *stream_parser_,
                                 net::redirect_error(net::use_awaitable, ec));
  if (ec == http::error::need_buffer) {
    ec = {};  // The chunk buffer is full; that is progress, not an error.
  }
  if (ec) {
    fail("reading watch stream", ec);
  }
  pending_.append(chunk, sizeof chunk - body.size);
  co_return true;
}

net::awaitable<std::optional<std::string>> ApiConnection::next_line(
    std::chrono::milliseconds idle_timeout, std::size_t line_limit) {
  for (;;) {
    const auto newline = pending_.find('\n', pending_pos_);
    if (newline != std::string::npos) {
      std::string line = pending_.substr(pending_pos_, newline - pending_pos_);
      pending_pos_ = newline + 1;
      if (pending_pos_ == pending_.size()) {
        pending_.clear();
        pending_pos_ = 0;
      }
      co_return line;
    }
    if (pending_pos_ > 0) {  // Keep only the unfinished line before reading more.
      pending_.erase(0, pending_pos_);
      pending_pos_ = 0;
    }
    if (pending_.size() > line_limit) {
      close();
      throw ApiCallError("watch event over " + std::to_string(line_limit) + " bytes");
    }
    if (!co_await read_stream_some(idle_timeout)) {
      // Body complete: the connection can carry the next request unless the server said no.
      const bool keep_alive = stream_parser_ && stream_parser_->get().keep_alive();
      stream_parser_.reset();
      if (!keep_alive) {
        close();
      }
      if (pending_.empty()) {
        co_return std::nullopt;
      }
      std::string last = std::move(pending_);  // A final event without a newline.
      pending_.clear();
      co_return last;
    }
  }
}

}  // namespace meshward::kube
