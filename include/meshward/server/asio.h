#pragma once
// Namespace aliases for the Boost libraries the server is written against (Boost 1.74:
// beast::ssl_stream, no http::message_generator), declared once as in Beast's chat-multi.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/error.hpp>

namespace meshward::server {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
using tcp = boost::asio::ip::tcp;
using error_code = boost::beast::error_code;

}  // namespace meshward::server
