#include "engine/transport.hpp"

#include <openssl/x509_vfy.h>

#include <array>
#include <exception>

namespace dockgate::engine {

namespace {

// Everything one exchange needs, owned by the calling thread and outliving its io_context.
struct Exchange {
  http::request<http::string_body> request;
  http::response_parser<http::string_body> parser;
  beast::flat_buffer buffer;
  TransportFailure failure;  // failure.error stays empty on success
  std::string setup_error;   // a failure that is ours, not the network's
  std::size_t max_body_bytes = 0;
  bool finished = false;
  std::exception_ptr exception;
};

auto capture_error(Exchange& exchange) {
  return net::redirect_error(net::use_awaitable, exchange.failure.error);
}

template <class Stream>
net::awaitable<void> write_then_read(Stream& stream, Exchange& exchange) {
  exchange.failure.stage = TransportStage::write;
  co_await http::async_write(stream, exchange.request, capture_error(exchange));
  if (exchange.failure.error) co_return;
  exchange.failure.stage = TransportStage::read;
  co_await http::async_read_header(stream, exchange.buffer, exchange.parser,
                                   capture_error(exchange));
  if (exchange.failure.error) co_return;
  // Beast 1.74 loses its own body_limit error for a response whose Content-Length is too
  // large when body bytes arrive with the header (the eager parse goes on and clears it), so
  // the declared length is checked here. Chunked bodies are checked by the parser as it reads.
  if (const auto declared = exchange.parser.content_length();
      declared && *declared > exchange.max_body_bytes) {
    exchange.failure.error = http::error::body_limit;
    co_return;
  }
  co_await http::async_read(stream, exchange.buffer, exchange.parser, capture_error(exchange));
}

// With TLS 1.3 the engine judges our certificate only after our side of the handshake is
// done; its refusal is an alert that may still sit unread while our request meets the
// connection it already reset. Reading once more surfaces the alert and its reason.
net::awaitable<void> read_pending_tls_alert(beast::ssl_stream<beast::tcp_stream>& stream,
                                            Exchange& exchange) {
  exchange.failure.closed_after_tls_handshake = true;
  std::array<char, 256> scratch;
  boost::system::error_code alert;
  beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(1));
  co_await stream.async_read_some(net::buffer(scratch),
                                  net::redirect_error(net::use_awaitable, alert));
  if (alert.category() == net::error::get_ssl_category()) exchange.failure.error = alert;
}

net::awaitable<void> exchange_over_unix(const TransportSettings& settings, Exchange& exchange) {
  beast::basic_stream<net::local::stream_protocol> stream(co_await net::this_coro::executor);
  exchange.failure.stage = TransportStage::connect;
  stream.expires_after(settings.connect_timeout);
  co_await stream.async_connect(
      net::local::stream_protocol::endpoint(settings.endpoint.socket_path),
      capture_error(exchange));
  if (exchange.failure.error) co_return;
  stream.expires_after(settings.read_timeout);
  co_await write_then_read(stream, exchange);
}

net::awaitable<void> connect_tcp(const TransportSettings& settings, beast::tcp_stream& stream,
                                 Exchange& exchange) {
  net::ip::tcp::resolver resolver(co_await net::this_coro::executor);
  exchange.failure.stage = TransportStage::resolve;
  const auto addresses = co_await resolver.async_resolve(
      settings.endpoint.host, settings.endpoint.port, capture_error(exchange));
  if (exchange.failure.error) co_return;
  exchange.failure.stage = TransportStage::connect;
  stream.expires_after(settings.connect_timeout);
  co_await stream.async_connect(addresses, capture_error(exchange));
}

net::awaitable<void> exchange_over_tls(const TransportSettings& settings, Exchange& exchange) {
  beast::ssl_stream<beast::tcp_stream> stream(co_await net::this_coro::executor, *settings.tls);
  if (auto configured = configure_engine_verification(stream.native_handle(), settings.endpoint);
      !configured) {
    exchange.setup_error = configured.error().message;
    co_return;
  }
  // Checked again by Asio's verifier after OpenSSL's own (configure_engine_verification):
  // two independent checks of the name, and either one failing fails the handshake.
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
  co_await stream.async_handshake(net::ssl::stream_base::client, capture_error(exchange));
  if (exchange.failure.error) {
    exchange.failure.verify_result = SSL_get_verify_result(stream.native_handle());
    co_return;
  }
  tcp.expires_after(settings.read_timeout);
  co_await write_then_read(stream, exchange);
  const auto& error = exchange.failure.error;
  if (error && error.category() != net::error::get_ssl_category() && !exchange.parser.got_some() &&
      error != beast::error::timeout) {
    co_await read_pending_tls_alert(stream, exchange);
  }
  // No TLS close_notify exchange: we sent "Connection: close" and have the whole answer;
  // waiting for the engine's close_notify could only add a hang.
}

net::awaitable<void> exchange_over_plain_tcp(const TransportSettings& settings,
                                             Exchange& exchange) {
  beast::tcp_stream stream(co_await net::this_coro::executor);
  co_await connect_tcp(settings, stream, exchange);
  if (exchange.failure.error) co_return;
  stream.expires_after(settings.read_timeout);
  co_await write_then_read(stream, exchange);
}

net::awaitable<void> run_exchange(const TransportSettings& settings, Exchange& exchange) {
  if (settings.endpoint.kind == EngineEndpoint::Kind::unix_socket) {
    co_await exchange_over_unix(settings, exchange);
  } else if (settings.tls) {
    co_await exchange_over_tls(settings, exchange);
  } else {
    co_await exchange_over_plain_tcp(settings, exchange);
  }
}

void prepare_request(const TransportSettings& settings, const HttpRequest& request,
                     http::request<http::string_body>& message) {
  message.method(request.method);
  message.target(request.target);
  message.version(11);
  const auto& endpoint = settings.endpoint;
  // The engine ignores Host, but HTTP/1.1 requires one; over a socket any name will do.
  message.set(http::field::host, endpoint.kind == EngineEndpoint::Kind::tcp
                                     ? endpoint.label.substr(std::string_view("tcp://").size())
                                     : std::string("docker"));
  message.set(http::field::user_agent, "dockgate");
  message.keep_alive(false);  // one connection per call
  if (request.json_body) message.set(http::field::content_type, "application/json");
  message.body() = request.body;
  message.prepare_payload();
}

}  // namespace

Error unreachable_engine(const std::string& endpoint_label, const std::string& why) {
  return make_error("cannot reach engine at " + endpoint_label + ": " + why);
}

Result<EngineResponse> send_request(const TransportSettings& settings, const HttpRequest& request) {
  const auto& label = settings.endpoint.label;
  try {
    Exchange exchange;  // declared before the io_context, whose pending handlers refer to it
    prepare_request(settings, request, exchange.request);
    exchange.parser.body_limit(settings.max_body_bytes);
    exchange.max_body_bytes = settings.max_body_bytes;
    exchange.parser.header_limit(64 * 1024);  // list answers carry long header values rarely
    {
      net::io_context io_context(1);
      net::co_spawn(io_context, run_exchange(settings, exchange),
                    [&exchange](std::exception_ptr exception) {
                      exchange.finished = true;
                      exchange.exception = exception;
                    });
      // The streams' own timers bound connect, handshake and read; this bounds the rest
      // (name resolution) so a call can never hang.
      io_context.run_for(2 * settings.connect_timeout + settings.read_timeout +
                         std::chrono::seconds(1));
      if (!exchange.finished) exchange.failure.error = beast::error::timeout;
    }
    if (exchange.exception) std::rethrow_exception(exchange.exception);
    if (!exchange.setup_error.empty()) return unreachable_engine(label, exchange.setup_error);
    if (exchange.failure.error) {
      return unreachable_engine(label, describe_transport_failure(exchange.failure, settings));
    }
    auto& message = exchange.parser.get();
    EngineResponse response;
    response.status = static_cast<int>(message.result_int());
    response.content_type = std::string(message[http::field::content_type]);
    response.body = std::move(message.body());
    return response;
  } catch (const std::exception& exception) {
    return unreachable_engine(label, std::string("unexpected failure (") + exception.what() + ")");
  }
}

}  // namespace dockgate::engine
