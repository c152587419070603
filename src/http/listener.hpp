// The team server's network side, shaped as Beast's server examples: an accept loop, one
// coroutine per connection (TLS handshake, read with limits and timeouts, handle, write), and
// SIGTERM/SIGINT for a graceful stop. Everything runs on one I/O thread; tool calls run on the
// sessions' worker threads, so one slow call never holds up other requests.
#pragma once

#include <memory>
#include <optional>
#include <set>
#include <string>

#include "asio/asio.hpp"

// After asio.hpp, which must come first (see there).
#include <boost/asio/signal_set.hpp>
#include <boost/asio/thread_pool.hpp>

#include "common/result.hpp"
#include "http/mcp_endpoint.hpp"
#include "http/team_server.hpp"

namespace dockgate::team_server {

class Listener {
 public:
  Listener(const TeamServerConfig& config, TeamServerServices& services);
  ~Listener();

  // Loads the TLS certificate, binds and listens; the URL clients use is url() afterwards.
  Status open();
  const std::string& url() const { return url_; }

  // Serves until SIGTERM/SIGINT and the connections have finished (or the grace ran out).
  void run();

 private:
  struct Connection {
    beast::tcp_stream* tcp = nullptr;
    bool busy = false;  // between reading a request and writing its response
  };
  // How a connection ends after its last request.
  enum class Ending { kClose, kLinger, kAbort };

  net::awaitable<void> accept_loop();
  net::awaitable<void> run_connection(net::ip::tcp::socket socket);
  template <class Stream>
  net::awaitable<Ending> serve_requests(Stream& stream, Connection& connection,
                                        const std::string& remote_address);
  net::awaitable<void> linger(beast::tcp_stream& tcp);
  net::awaitable<void> stop_on_signal(net::signal_set& signals);

  const TeamServerConfig& config_;
  TeamServerServices& services_;
  net::io_context io_{1};
  std::optional<net::ssl::context> tls_;
  net::ip::tcp::acceptor acceptor_{io_};
  net::thread_pool reaper_{1};
  std::unique_ptr<McpEndpoint> endpoint_;
  std::set<Connection*> connections_;
  bool stopping_ = false;
  std::string url_;
};

}  // namespace dockgate::team_server
