// Any bytes sent to a session are answered (or ignored, for notifications) without a crash.
// Each input is split at newlines into messages, like a stdio stream; the session is first
// initialized so that tools/list and tools/call are reachable.
#include <cstddef>
#include <cstdint>
#include <string>

#include "mcp/session.hpp"

namespace {

class EchoTools final : public dockgate::mcp::ToolService {
 public:
  nlohmann::json list_tools(const dockgate::mcp::SessionContext&) override {
    return nlohmann::json::array();
  }
  nlohmann::json call_tool(const dockgate::mcp::ToolCall& call) override {
    return {{"content", {{{"type", "text"}, {"text", call.arguments.dump()}}}}, {"isError", false}};
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  EchoTools tools;
  dockgate::mcp::SessionLimits limits;
  limits.max_message_bytes = 64 * 1024;
  limits.worker_threads = 1;
  dockgate::mcp::Session session(tools, {"dockgate", "fuzz", ""}, {}, limits,
                                 [](std::string reply) {
                                   if (reply.find('\n') != std::string::npos)
                                     __builtin_trap();  // one message per line
                                 });
  session.receive(
      R"({"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-03-26","capabilities":{},"clientInfo":{"name":"f","version":"0"}}})");
  const std::string input(reinterpret_cast<const char*>(data), size);
  std::size_t start = 0;
  while (start <= input.size()) {
    const auto end = input.find('\n', start);
    session.receive(std::string_view(input).substr(
        start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  session.drain();
  return 0;
}
