#include "meshward/server/listener.h"

#include <charconv>

#include <boost/asio/dispatch.hpp>
#include <boost/beast/core/bind_handler.hpp>

#include "meshward/server/session.h"

namespace meshward::server {

Result<tcp::endpoint> parse_listen(std::string_view listen) {
  const auto colon = listen.rfind(':');
  if (colon == std::string_view::npos) {
    return Error{"--listen \"" + std::string(listen) + "\" must be HOST:PORT or :PORT"};
  }
  std::string_view host = listen.substr(0, colon);
  std::string_view port_text = listen.substr(colon + 1);
  unsigned port = 0;
  auto [end, err] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (err != std::errc() || end != port_text.data() + port_text.size() || port > 65535 ||
      port_text.empty()) {
    return Error{"--listen \"" + std::string(listen) + "\": port must be a number 0-65535"};
  }
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  net::ip::address address;
  if (host.empty() || host == "0.0.0.0" || host == "*") {
    address = net::ip::address_v4::any();
  } else if (host == "localhost") {
    address = net::ip::address_v4::loopback();
  } else {
    error_code ec;
    address = net::ip::make_address(std::string(host), ec);
    if (ec) {
      return Error{"--listen \"" + std::string(listen) + "\": \"" + std::string(host) +
                   "\" is not an IP address"};
    }
  }
  return tcp::endpoint(address, static_cast<unsigned short>(port));
}

Listener::Listener(std::vector<net::io_context*> contexts, std::shared_ptr<ServerState> state)
    : contexts_(std::move(contexts)),
      acceptor_(*contexts_.front()),
      backoff_(acceptor_.get_executor()),
      state_(std::move(state)) {}

Result<std::shared_ptr<Listener>> Listener::create(std::vector<net::io_context*> contexts,
                                                   const tcp::endpoint& endpoint,
                                                   std::shared_ptr<ServerState> state) {
  auto self = std::make_shared<Listener>(std::move(contexts), std::move(state));
  const std::string where = endpoint.address().to_string() + ":" + std::to_string(endpoint.port());
  error_code ec;
  // Open the acceptor.
  self->acceptor_.open(endpoint.protocol(), ec);
  if (ec) {
    return Error{"cannot open a socket for " + where + ": " + ec.message()};
  }
  // Allow address reuse (a restarted server rebinds at once).
  self->acceptor_.set_option(net::socket_base::reuse_address(true), ec);
  if (ec) {
    return Error{"cannot set SO_REUSEADDR on " + where + ": " + ec.message()};
  }
  // Bind to the server address.
  self->acceptor_.bind(endpoint, ec);
  if (ec) {
    return Error{"cannot listen on " + where + ": " + ec.message()};
  }
  // Start listening for connections.
  self->acceptor_.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    return Error{"cannot listen on " + where + ": " + ec.message()};
  }
  self->endpoint_ = self->acceptor_.local_endpoint(ec);
  return self;
}

void Listener::run() { do_accept(); }

void Listener::stop() {
  // Close on the acceptor's thread so it never races the accept in flight.
  net::dispatch(acceptor_.get_executor(), [self = shared_from_this()] {
    error_code ignored;
    self->acceptor_.close(ignored);
    self->backoff_.cancel();
  });
}

void Listener::do_accept() {
  // Connections are spread over the I/O threads in turn, each on its thread's own
  // io_context: a connection's handlers all run on that one thread, so it needs no strand,
  // and the threads never contend for one scheduler (as nginx's workers, each with its own
  // event loop; bench/load.sh measured the shared io_context at about twice the CPU per
  // request on two cores, docs/performance.md).
  net::io_context& target = *contexts_[next_context_];
  next_context_ = (next_context_ + 1) % contexts_.size();
  acceptor_.async_accept(target, beast::bind_front_handler(&Listener::on_accept, shared_from_this()));
}

void Listener::on_accept(error_code ec, tcp::socket socket) {
  if (!acceptor_.is_open()) {
    return;  // stop() was called: accept no more.
  }
  if (ec) {
    // EMFILE, ENFILE, ENOBUFS and the like: the error repeats at once while it lasts, so
    // wait a little instead of spinning, then accept again.
    backoff_.expires_after(std::chrono::milliseconds(50));
    backoff_.async_wait([self = shared_from_this()](error_code) {
      if (self->acceptor_.is_open()) {
        self->do_accept();
      }
    });
    return;
  }
  // Every write we make is a whole message (a TLS flight, a response): send it at once.
  // With Nagle on, a write that follows an unacknowledged one (the response after TLS 1.3
  // session tickets on a new connection) waits for the client's delayed ACK, ~40 ms.
  error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);
  auto session = std::make_shared<Session>(std::move(socket), state_);
  // Make room under the connection bounds (connections.h): the oldest idle, silent or slow
  // connections are closed; the newcomer is refused only when every connection is busy.
  auto admission = state_->connections.admit(session);
  for (const auto& victim : admission.evict) {
    victim->evict();
  }
  if (admission.admitted) {
    session->run();
  } else {
    // Over the limit with every connection answering a request: close at once (the client
    // retries, possibly on another replica).
    state_->metrics.record_rejected("limit");
  }
  do_accept();
}

}  // namespace meshward::server
