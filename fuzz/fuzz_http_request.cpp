// Raw bytes as an HTTP request to the team server's /mcp endpoint: parsed by Beast with the
// server's limits, then handled by McpEndpoint exactly as a connection would (Host/Origin,
// rate limit, bearer token, protocol header, media types, JSON-RPC body, sessions). Every
// input gets a response with a status; nothing crashes or hangs. Seeds carry the fuzz token.
#include <cstddef>
#include <cstdint>
#include <string>

#include "asio/asio.hpp"

#include <boost/asio/thread_pool.hpp>

#include "auth/bearer_tokens.hpp"
#include "http/mcp_endpoint.hpp"
#include "http/request_checks.hpp"

namespace {

namespace ts = dockgate::team_server;
using dockgate::http::request_parser;

class EchoTools final : public dockgate::mcp::ToolService {
 public:
  nlohmann::json list_tools(const dockgate::mcp::SessionContext&) override {
    return nlohmann::json::array();
  }
  nlohmann::json call_tool(const dockgate::mcp::ToolCall& call) override {
    return {{"content", {{{"type", "text"}, {"text", call.arguments.dump()}}}}, {"isError", false}};
  }
};

const dockgate::auth::UserDirectory& fuzz_users() {
  static const auto users = dockgate::auth::UserDirectory::parse(
      "users:\n  - name: fuzz\n    roles: [dev]\n    token_sha256: " +
          dockgate::auth::to_hex(dockgate::auth::sha256("dg_fuzz")) + "\n",
      "fuzz");
  return *users;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static EchoTools tools;
  static boost::asio::thread_pool reaper(1);
  static ts::TeamServerConfig config = [] {
    ts::TeamServerConfig c;
    c.max_body_bytes = 64 * 1024;
    c.worker_threads_per_session = 1;
    c.call_timeout = std::chrono::seconds(5);
    return c;
  }();
  static ts::TeamServerServices services{
      tools, {"dockgate", "fuzz", ""}, fuzz_users(), nullptr, nullptr};

  request_parser<dockgate::http::string_body> parser;
  parser.header_limit(static_cast<std::uint32_t>(config.max_header_bytes));
  parser.body_limit(config.max_body_bytes);
  parser.eager(true);
  boost::system::error_code ec;
  std::size_t offset = 0;
  while (!ec && !parser.is_done() && offset < size) {
    const auto used = parser.put(boost::asio::buffer(data + offset, size - offset), ec);
    if (used == 0) break;
    offset += used;
  }
  if (ec || !parser.is_done()) return 0;

  boost::asio::io_context io;
  ts::McpEndpoint endpoint(config, ts::default_allowed_hosts("127.0.0.1", 8443), "https", services,
                           reaper);
  bool answered = false;
  boost::asio::co_spawn(
      io,
      [&]() -> boost::asio::awaitable<void> {
        const auto response = co_await endpoint.handle(parser.get(), "127.0.0.1");
        answered = static_cast<unsigned>(response.result_int()) >= 200;
      },
      boost::asio::detached);
  io.run();
  endpoint.close_sessions();
  if (!answered) __builtin_trap();
  return 0;
}
