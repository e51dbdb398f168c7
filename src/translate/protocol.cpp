// Protocol parsing and classes (reference §1.2): pkg/config/protocol/instance.go and
// ConvertProtocol in pkg/config/kube/conversion.go.

#include <array>
#include <cctype>
#include <string>
#include <string_view>

#include "meshward/translate/registry.h"

namespace meshward::translate {

namespace {

bool equals_ignore_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) {
    return false;
  }
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

// Ports where an unnamed (auto-detected) port is TCP instead: SMTP, DNS, MySQL, MongoDB.
// Sniffing would break the server-first protocols that run on them.
bool is_well_known_port(std::uint32_t port) {
  return port == 25 || port == 53 || port == 3306 || port == 27017;
}

}  // namespace

std::string_view protocol_name(Protocol p) {
  switch (p) {
    case Protocol::Http:
      return "HTTP";
    case Protocol::Http2:
      return "HTTP2";
    case Protocol::HttpProxy:
      return "HTTP_PROXY";
    case Protocol::Grpc:
      return "GRPC";
    case Protocol::GrpcWeb:
      return "GRPC-Web";
    case Protocol::Https:
      return "HTTPS";
    case Protocol::Tls:
      return "TLS";
    case Protocol::Tcp:
      return "TCP";
    case Protocol::Udp:
      return "UDP";
    case Protocol::Mongo:
      return "Mongo";
    case Protocol::Redis:
      return "Redis";
    case Protocol::MySql:
      return "MySQL";
    case Protocol::Unsupported:
      break;
  }
  return "UnsupportedProtocol";
}

Protocol parse_protocol(std::string_view text) {
  struct Entry {
    std::string_view name;
    Protocol protocol;
  };
  static constexpr std::array<Entry, 12> kNames{{
      {"tcp", Protocol::Tcp},
      {"udp", Protocol::Udp},
      {"grpc", Protocol::Grpc},
      {"grpc-web", Protocol::GrpcWeb},
      {"http", Protocol::Http},
      {"http_proxy", Protocol::HttpProxy},
      {"http2", Protocol::Http2},
      {"https", Protocol::Https},
      {"tls", Protocol::Tls},
      {"mongo", Protocol::Mongo},
      {"redis", Protocol::Redis},
      {"mysql", Protocol::MySql},
  }};
  for (const Entry& e : kNames) {
    if (equals_ignore_case(text, e.name)) {
      return e.protocol;
    }
  }
  return Protocol::Unsupported;
}

Protocol kubernetes_port_protocol(std::string_view name, std::string_view app_protocol, bool udp,
                                  std::uint32_t port) {
  if (udp) {
    return Protocol::Udp;
  }
  std::string_view text = name;
  if (!app_protocol.empty()) {
    // The appProtocol values Kubernetes itself defines; only meaningful as appProtocol.
    if (app_protocol == "kubernetes.io/h2c") {
      return Protocol::Http2;
    }
    if (app_protocol == "kubernetes.io/ws") {
      return Protocol::Http;
    }
    if (app_protocol == "kubernetes.io/wss") {
      return Protocol::Https;
    }
    text = app_protocol;
  }
  // `grpc-web` contains the `-` that ends other prefixes, so it is checked first.
  constexpr std::string_view kGrpcWeb = "grpc-web";
  if (text.size() >= kGrpcWeb.size() && equals_ignore_case(text.substr(0, kGrpcWeb.size()), kGrpcWeb)) {
    return Protocol::GrpcWeb;
  }
  if (const auto dash = text.find('-'); dash != std::string_view::npos) {
    text = text.substr(0, dash);
  }
  const Protocol p = parse_protocol(text);
  if (p == Protocol::Unsupported && is_well_known_port(port)) {
    return Protocol::Tcp;
  }
  return p;
}

bool is_http(Protocol p) {
  return p == Protocol::Http || p == Protocol::Http2 || p == Protocol::HttpProxy ||
         p == Protocol::Grpc || p == Protocol::GrpcWeb;
}

bool is_http2(Protocol p) {
  return p == Protocol::Http2 || p == Protocol::Grpc || p == Protocol::GrpcWeb;
}

bool is_tcp(Protocol p) {
  return p == Protocol::Tcp || p == Protocol::Https || p == Protocol::Tls ||
         p == Protocol::Mongo || p == Protocol::Redis || p == Protocol::MySql;
}

bool is_tls(Protocol p) { return p == Protocol::Https || p == Protocol::Tls; }

}  // namespace meshward::translate
