// The one header through which dockgate includes Asio and Beast. Boost 1.74's
// asio/awaitable.hpp uses std::exchange without including <utility>, and GCC 12 stops there,
// so <utility> must come before any Asio header. Asio and Beast are compiled once, in
// asio_impl.cpp (BOOST_ASIO_SEPARATE_COMPILATION), because their headers cost ~10 s per TU.
#pragma once

// clang-format off
#include <utility>
// clang-format on

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

namespace dockgate {
namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
}  // namespace dockgate
