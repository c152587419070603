// Streaming exchanges: the answer's body is handed to a sink piece by piece (Beast's
// buffer_body) instead of being kept whole, and the read ends at the engine's end of stream or
// at the caller's deadline. Connection set-up mirrors transport.cpp (same TLS verification).
#include "engine/stream_transport.hpp"

#include <openssl/ssl.h>

#include <algorithm>
#include <array>
#include <exception>
#include <limits>

namespace dockgate::engine {

namespace {

using steady = std::chrono::steady_clock;

// An engine's error answer is a short JSON message; more is not worth keeping.
constexpr std::size_t kMaxErrorBody = 64 * 1024;

struct StreamExchange {
  http::request<http::string_body> request;
  http::response_parser<http::buffer_body> parser;
  beast::flat_buffer buffer;
  TransportFailure failure;
  std::string setup_error;
  const BodySink* sink = nullptr;
  steady::time_point deadline;
  std::chrono::milliseconds read_timeout{60000};
  StreamedResponse response;
  bool finished = false;
  std::exception_ptr exception;
};

auto capture_error(StreamExchange& exchange) {
  return net::redirect_error(net::use_awaitable, exchange.failure.error);
}

void deliver(StreamExchange& exchange, std::string_view piece) {
  if (piece.empty()) return;
  auto& response = exchange.response;
  if (response.ok()) {
    (*exchange.sink)(piece);
  } else if (response.body.size() < kMaxErrorBody) {
    response.body.append(piece.substr(0, kMaxErrorBody - response.body.size()));
  }
}

// A deadline that passed while the body was coming is the caller's bound, not a failure; a
// connection that ends early (TLS without close_notify, a reset after the last frame) leaves
// what arrived, marked truncated.
template <class Stream, class Lowest>
net::awaitable<void> write_then_stream(Stream& stream, Lowest& lowest, StreamExchange& exchange) {
  lowest.expires_at(std::min(exchange.deadline, steady::now() + exchange.read_timeout));
  exchange.failure.stage = TransportStage::write;
  co_await http::async_write(stream, exchange.request, capture_error(exchange));
  if (exchange.failure.error) co_return;
  exchange.failure.stage = TransportStage::read;
  co_await http::async_read_header(stream, exchange.buffer, exchange.parser,
                                   capture_error(exchange));
  if (exchange.failure.error) co_return;
  auto& message = exchange.parser.get();
  exchange.response.status = static_cast<int>(message.result_int());
  exchange.response.content_type = std::string(message[http::field::content_type]);
  std::array<char, 16 * 1024> chunk;
  while (!exchange.parser.is_done()) {
    message.body().data = chunk.data();
    message.body().size = chunk.size();
    lowest.expires_at(exchange.deadline);
    boost::system::error_code error;
    co_await http::async_read_some(stream, exchange.buffer, exchange.parser,
                                   net::redirect_error(net::use_awaitable, error));
    deliver(exchange, std::string_view(chunk.data(), chunk.size() - message.body().size));
    if (error == http::error::need_buffer) continue;
    if (error == beast::error::timeout) {
      exchange.response.deadline_reached = true;
      co_return;
    }
    if (error) {
      exchange.response.truncated = true;
      co_return;
    }
  }
}

net::awaitable<void> connect_tcp(const TransportSettings& settings, beast::tcp_stream& stream,
                                 StreamExchange& exchange) {
  net::ip::tcp::resolver resolver(co_await net::this_coro::executor);
  exchange.failure.stage = TransportStage::resolve;
  const auto addresses = co_await resolver.async_resolve(
      settings.endpoint.host, settings.endpoint.port, capture_error(exchange));
  if (exchange.failure.error) co_return;
  exchange.failure.stage = TransportStage::connect;
  stream.expires_after(settings.connect_timeout);
  co_await stream.async_connect(addresses, capture_error(exchange));
}

net::awaitable<void> stream_over_unix(const TransportSettings& settings, StreamExchange& exchange) {
  beast::basic_stream<net::local::stream_protocol> stream(co_await net::this_coro::executor);
  exchange.failure.stage = TransportStage::connect;
  stream.expires_after(settings.connect_timeout);
  co_await stream.async_connect(
      net::local::stream_protocol::endpoint(settings.endpoint.socket_path),
      capture_error(exchange));
  if (exchange.failure.error) co_return;
  co_await write_then_stream(stream, stream, exchange);
}

net::awaitable<void> stream_over_tls(const TransportSettings& settings, StreamExchange& exchange) {
  beast::ssl_stream<beast::tcp_stream> stream(co_await net::this_coro::executor, *settings.tls);
  if (auto configured = configure_engine_verification(stream.native_handle(), settings.endpoint);
      !configured) {
    exchange.setup_error = configured.error().message;
    co_return;
  }
  boost::system::error_code callback_error;
  stream.set_verify_callback(net::ssl::host_name_verification(settings.endpoint.host),
                             callback_error);
  if (callback_error) {
    exchange.setup_error = "cannot set up host verification (" + callback_error.message() + ")";
    co_return;
  }
  auto& tcp = beast::get_lowest_layer(stream);
  co_await connect_tcp(settings, tcp, exchange);
  if (exchange.failure.error) co_return;
  exchange.failure.stage = TransportStage::handshake;
  tcp.expires_after(settings.connect_timeout);
  co_await stream.async_handshake(net::ssl::stream_base::client, capture_error(exchange));
  if (exchange.failure.error) {
    exchange.failure.verify_result = SSL_get_verify_result(stream.native_handle());
    co_return;
  }
  co_await write_then_stream(stream, tcp, exchange);
}

net::awaitable<void> stream_over_plain_tcp(const TransportSettings& settings,
                                           StreamExchange& exchange) {
  beast::tcp_stream stream(co_await net::this_coro::executor);
  co_await connect_tcp(settings, stream, exchange);
  if (exchange.failure.error) co_return;
  co_await write_then_stream(stream, stream, exchange);
}

net::awaitable<void> run_stream(const TransportSettings& settings, StreamExchange& exchange) {
  if (settings.endpoint.kind == EngineEndpoint::Kind::unix_socket) {
    co_await stream_over_unix(settings, exchange);
  } else if (settings.tls) {
    co_await stream_over_tls(settings, exchange);
  } else {
    co_await stream_over_plain_tcp(settings, exchange);
  }
}

void prepare_request(const TransportSettings& settings, const HttpRequest& request,
                     http::request<http::string_body>& message) {
  message.method(request.method);
  message.target(request.target);
  message.version(11);
  const auto& endpoint = settings.endpoint;
  message.set(http::field::host, endpoint.kind == EngineEndpoint::Kind::tcp
                                     ? endpoint.label.substr(std::string_view("tcp://").size())
                                     : std::string("docker"));
  message.set(http::field::user_agent, "dockgate");
  message.keep_alive(false);
  if (request.json_body) message.set(http::field::content_type, "application/json");
  if (!request.json_body && !request.content_type.empty())
    message.set(http::field::content_type, request.content_type);
  for (const auto& [name, value] : request.headers) message.set(name, value);
  message.body() = request.body;
  message.prepare_payload();
}

}  // namespace

Result<StreamedResponse> send_streaming_request(const TransportSettings& settings,
                                                const HttpRequest& request,
                                                const StreamLimits& limits, const BodySink& sink) {
  const auto& label = settings.endpoint.label;
  try {
    StreamExchange exchange;  // declared before the io_context, whose handlers refer to it
    prepare_request(settings, request, exchange.request);
    // The deadline and the sink bound the body. Not boost::none: Beast 1.74 compares a
    // Content-Length against the optional limit with '>', and any length is > none.
    exchange.parser.body_limit(std::numeric_limits<std::uint64_t>::max());
    exchange.parser.header_limit(64 * 1024);
    exchange.sink = &sink;
    exchange.deadline = limits.deadline;
    exchange.read_timeout = settings.read_timeout;
    {
      net::io_context io_context(1);
      net::co_spawn(io_context, run_stream(settings, exchange),
                    [&exchange](std::exception_ptr exception) {
                      exchange.finished = true;
                      exchange.exception = exception;
                    });
      const auto remaining = std::chrono::duration_cast<std::chrono::milliseconds>(
          std::max(limits.deadline - steady::now(), steady::duration::zero()));
      io_context.run_for(2 * settings.connect_timeout + remaining + std::chrono::seconds(1));
      if (!exchange.finished) exchange.failure.error = beast::error::timeout;
    }
    if (exchange.exception) std::rethrow_exception(exchange.exception);
    if (!exchange.setup_error.empty()) return unreachable_engine(label, exchange.setup_error);
    if (exchange.failure.error) {
      return unreachable_engine(label, describe_transport_failure(exchange.failure, settings));
    }
    return std::move(exchange.response);
  } catch (const std::exception& exception) {
    return unreachable_engine(label, std::string("unexpected failure (") + exception.what() + ")");
  }
}

}  // namespace dockgate::engine
