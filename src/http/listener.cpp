#include "http/listener.hpp"

#include <openssl/ssl.h>
#include <spdlog/spdlog.h>

#include <array>
#include <csignal>
#include <cstdlib>

#include "http/request_checks.hpp"
#include "mcp/jsonrpc.hpp"

namespace dockgate::team_server {
namespace {

using tcp = net::ip::tcp;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

Result<net::ssl::context> make_tls_context(const TeamServerConfig& config) {
  net::ssl::context context(net::ssl::context::tls_server);
  context.set_options(net::ssl::context::default_workarounds | net::ssl::context::no_sslv2 |
                      net::ssl::context::no_sslv3 | net::ssl::context::no_tlsv1 |
                      net::ssl::context::no_tlsv1_1 | net::ssl::context::single_dh_use);
  SSL_CTX_set_min_proto_version(context.native_handle(), TLS1_2_VERSION);
  boost::system::error_code ec;
  context.use_certificate_chain_file(config.tls_cert_file, ec);
  if (ec) {
    return make_error("cannot use the TLS certificate '" + config.tls_cert_file +
                      "' (a PEM certificate chain): " + ec.message());
  }
  context.use_private_key_file(config.tls_key_file, net::ssl::context::pem, ec);
  if (ec || SSL_CTX_check_private_key(context.native_handle()) != 1) {
    return make_error("cannot use the TLS key '" + config.tls_key_file +
                      "': it must be a PEM private key matching the certificate" +
                      (ec ? " (" + ec.message() + ")" : std::string()));
  }
  return context;
}

// Errors that just mean the peer went away or was too slow: nothing to answer.
bool is_disconnect(const boost::system::error_code& ec) {
  return ec == http::error::end_of_stream || ec == net::error::operation_aborted ||
         ec == beast::error::timeout || ec == net::error::eof ||
         ec == net::error::connection_reset || ec == net::ssl::error::stream_truncated;
}

}  // namespace

Listener::Listener(const TeamServerConfig& config, TeamServerServices& services)
    : config_(config), services_(services) {}

Listener::~Listener() {
  if (endpoint_) endpoint_->close_sessions();
  reaper_.join();
}

Status Listener::open() {
  if (auto why = check_config(config_); !why.empty()) return make_error(why);
  if (!config_.insecure_loopback) {
    auto context = make_tls_context(config_);
    if (!context) return context.error();
    tls_.emplace(std::move(*context));
  }
  boost::system::error_code ec;
  const auto address = net::ip::make_address(config_.bind_host, ec);
  const tcp::endpoint endpoint(address, config_.port);
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    return make_error("cannot listen on " + config_.bind_host + ":" + std::to_string(config_.port) +
                      ": " + ec.message());
  }
  const auto port = acceptor_.local_endpoint().port();
  const std::string host = address.is_v6() ? "[" + address.to_string() + "]" : address.to_string();
  url_ = std::string(tls_ ? "https" : "http") + "://" + host + ":" + std::to_string(port) + "/mcp";
  auto allowed_hosts = config_.allowed_hosts.empty()
                           ? default_allowed_hosts(address.to_string(), port)
                           : config_.allowed_hosts;
  endpoint_ = std::make_unique<McpEndpoint>(config_, std::move(allowed_hosts),
                                            tls_ ? "https" : "http", services_, reaper_);
  return Ok{};
}

void Listener::run() {
  // Installed before anyone is told we listen, so a SIGTERM right after is a graceful stop.
  net::signal_set signals(io_, SIGINT, SIGTERM);
  net::co_spawn(io_, accept_loop(), net::detached);
  net::co_spawn(io_, endpoint_->expire_idle_sessions(), net::detached);
  net::co_spawn(io_, stop_on_signal(signals), net::detached);
  if (services_.on_listening) services_.on_listening(url_);
  io_.run();
}

net::awaitable<void> Listener::accept_loop() {
  net::steady_timer pause(io_);
  for (;;) {
    boost::system::error_code ec;
    // At the limit, new connections wait in the kernel's backlog until one closes, rather
    // than being accepted only to be dropped.
    while (connections_.size() >= config_.max_connections && !stopping_) {
      pause.expires_after(std::chrono::milliseconds(20));
      co_await pause.async_wait(net::redirect_error(net::use_awaitable, ec));
    }
    tcp::socket socket(io_);
    co_await acceptor_.async_accept(socket, net::redirect_error(net::use_awaitable, ec));
    if (stopping_) co_return;
    if (ec) {
      // Out of descriptors and the like: wait a moment rather than spin.
      spdlog::warn("team server: accept failed: {}", ec.message());
      pause.expires_after(std::chrono::milliseconds(100));
      co_await pause.async_wait(net::redirect_error(net::use_awaitable, ec));
      continue;
    }
    net::co_spawn(io_, run_connection(std::move(socket)), net::detached);
  }
}

net::awaitable<void> Listener::run_connection(tcp::socket socket) {
  Connection connection;
  connections_.insert(&connection);
  boost::system::error_code ec;
  const auto peer = socket.remote_endpoint(ec);
  const std::string remote_address = ec ? "unknown" : peer.address().to_string();
  try {
    if (tls_) {
      TlsStream stream(beast::tcp_stream(std::move(socket)), *tls_);
      connection.tcp = &beast::get_lowest_layer(stream);
      connection.tcp->expires_after(config_.request_read_timeout);
      co_await stream.async_handshake(net::ssl::stream_base::server,
                                      net::redirect_error(net::use_awaitable, ec));
      if (ec) {
        spdlog::debug("team server: {}: TLS handshake failed: {}", remote_address, ec.message());
      } else {
        const auto ending = co_await serve_requests(stream, connection, remote_address);
        if (ending == Ending::kLinger) {
          co_await linger(*connection.tcp);
        } else if (ending == Ending::kClose) {
          connection.tcp->expires_after(std::chrono::seconds(5));
          co_await stream.async_shutdown(net::redirect_error(net::use_awaitable, ec));
        }
      }
    } else {
      beast::tcp_stream stream(std::move(socket));
      connection.tcp = &stream;
      const auto ending = co_await serve_requests(stream, connection, remote_address);
      if (ending == Ending::kLinger) {
        co_await linger(stream);
      } else {
        stream.socket().shutdown(tcp::socket::shutdown_send, ec);
      }
    }
  } catch (const std::exception& e) {
    spdlog::error("team server: {}: connection failed: {}", remote_address, e.what());
  }
  connections_.erase(&connection);
}

template <class Stream>
net::awaitable<Listener::Ending> Listener::serve_requests(Stream& stream, Connection& connection,
                                                          const std::string& remote_address) {
  beast::flat_buffer buffer;
  for (;;) {
    if (stopping_) co_return Ending::kClose;
    connection.busy = false;
    http::request_parser<http::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(config_.max_header_bytes));
    parser.body_limit(config_.max_body_bytes);
    boost::system::error_code ec;
    connection.tcp->expires_after(config_.idle_connection_timeout);
    co_await http::async_read_header(stream, buffer, parser,
                                     net::redirect_error(net::use_awaitable, ec));
    connection.busy = true;
    if (!ec) {
      connection.tcp->expires_after(config_.request_read_timeout);
      co_await http::async_read(stream, buffer, parser,
                                net::redirect_error(net::use_awaitable, ec));
    }
    Response response;
    Ending after_error = Ending::kLinger;
    if (ec) {
      if (is_disconnect(ec)) co_return Ending::kAbort;
      Request unreadable;
      unreadable.version(11);
      unreadable.keep_alive(false);
      auto [status, message] =
          ec == http::error::body_limit
              ? std::pair{http::status::payload_too_large,
                          "Payload Too Large: the body exceeds " +
                              std::to_string(config_.max_body_bytes) + " bytes"}
          : ec == http::error::header_limit
              ? std::pair{http::status::request_header_fields_too_large,
                          "Request Header Fields Too Large: more than " +
                              std::to_string(config_.max_header_bytes) + " bytes of headers"}
              : std::pair{http::status::bad_request, "Bad Request: " + ec.message()};
      spdlog::info("team server: {}: {}", remote_address, message);
      response = json_rpc_error(unreadable, status, mcp::jsonrpc::kInvalidRequest, message);
    } else {
      response = co_await endpoint_->handle(parser.get(), remote_address);
      after_error = Ending::kClose;
    }
    if (stopping_) response.keep_alive(false);
    connection.tcp->expires_after(config_.request_read_timeout);
    co_await http::async_write(stream, response, net::redirect_error(net::use_awaitable, ec));
    if (ec) co_return Ending::kAbort;
    if (!response.keep_alive()) co_return after_error;
  }
}

// After answering a request whose body we did not read (too large, malformed), half-close
// and read what the client still sends, briefly: closing with unread data would make the
// kernel send a reset, and the client would see that instead of our answer.
net::awaitable<void> Listener::linger(beast::tcp_stream& tcp) {
  boost::system::error_code ec;
  tcp.socket().shutdown(tcp::socket::shutdown_send, ec);
  std::array<char, 16384> discard{};
  std::size_t drained = 0;
  tcp.expires_after(std::chrono::seconds(2));
  while (!ec && drained < 4 * config_.max_body_bytes) {
    drained += co_await tcp.async_read_some(net::buffer(discard),
                                            net::redirect_error(net::use_awaitable, ec));
  }
  tcp.socket().close(ec);
}

net::awaitable<void> Listener::stop_on_signal(net::signal_set& signals) {
  boost::system::error_code ec;
  const int signal = co_await signals.async_wait(net::redirect_error(net::use_awaitable, ec));
  spdlog::info("team server: signal {}: no new connections; finishing {} open one(s)", signal,
               connections_.size());
  stopping_ = true;
  acceptor_.close(ec);
  endpoint_->stop_expiry();
  // Idle connections wait for a request that should not come now; busy ones close after
  // writing their response.
  for (auto* connection : connections_) {
    if (!connection->busy && connection->tcp != nullptr) connection->tcp->cancel();
  }
  const auto deadline = std::chrono::steady_clock::now() + config_.shutdown_grace;
  net::steady_timer poll(io_);
  while (!connections_.empty() && std::chrono::steady_clock::now() < deadline) {
    poll.expires_after(std::chrono::milliseconds(50));
    co_await poll.async_wait(net::redirect_error(net::use_awaitable, ec));
  }
  if (!connections_.empty()) {
    // Their calls still run on worker threads that would wake this (stopped) I/O thread;
    // rather than tear that down under them, end the process. Audit records already written
    // are on disk (each append is fdatasync'd).
    spdlog::error("team server: {} connection(s) still busy after {} s: exiting now",
                  connections_.size(), config_.shutdown_grace.count());
    spdlog::default_logger()->flush();
    std::_Exit(3);
  }
  io_.stop();
}

}  // namespace dockgate::team_server
