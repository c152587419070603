// The stdio transport over string streams: line framing, oversized lines, CRLF, EOF.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "mcp/stdio_server.hpp"

namespace dockgate::mcp {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

class SlowEchoTools : public ToolService {
 public:
  json list_tools(const SessionContext&) override { return json::array(); }
  json call_tool(const ToolCall& call) override {
    // Slow enough that EOF arrives while the call is still running: serve_stdio must wait.
    std::this_thread::sleep_for(50ms);
    ++calls;
    return {{"content", json::array({{{"type", "text"}, {"text", call.arguments.dump()}}})},
            {"isError", false}};
  }
  std::atomic<int> calls{0};
};

const std::string kInit =
    R"({"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-03-26",)"
    R"("capabilities":{},"clientInfo":{"name":"t","version":"1"}}})";

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream stream(text);
  for (std::string line; std::getline(stream, line);) lines.push_back(line);
  return lines;
}

// Every output line must be one JSON message; returns them by id (dumped) for lookup.
std::vector<json> serve(const std::string& input, SessionLimits limits = {}) {
  SlowEchoTools tools;
  std::istringstream in(input);
  std::ostringstream out;
  serve_stdio(in, out, tools, ServerIdentity{"dockgate", "0.1.0", ""}, SessionContext{}, limits);
  const std::string text = out.str();
  EXPECT_TRUE(text.empty() || text.back() == '\n');
  std::vector<json> replies;
  for (const auto& line : lines_of(text)) replies.push_back(json::parse(line));
  return replies;
}

const json* find_id(const std::vector<json>& replies, const json& id) {
  for (const auto& r : replies) {
    if (r.contains("id") && r["id"] == id) return &r;
  }
  return nullptr;
}

TEST(StdioServer, AnswersEveryLineAndDrainsCallsInFlightAtEof) {
  const auto replies = serve(
      kInit + "\n" + R"({"jsonrpc":"2.0","method":"notifications/initialized"})" + "\n" +
      R"({"jsonrpc":"2.0","id":1,"method":"ping"})" + "\n" +
      R"({"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"x","arguments":{"a":1}}})" +
      "\n" + R"({"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"x"}})" + "\n");
  ASSERT_EQ(replies.size(), 4u);
  EXPECT_EQ(replies[0]["result"]["protocolVersion"], "2025-03-26");
  ASSERT_NE(find_id(replies, 2), nullptr);
  EXPECT_EQ((*find_id(replies, 2))["result"]["content"][0]["text"], R"({"a":1})");
  ASSERT_NE(find_id(replies, 3), nullptr);
}

TEST(StdioServer, HugeLineIsRefusedOnceAndTheNextLineIsStillAnswered) {
  const std::string huge =
      R"({"jsonrpc":"2.0","id":9,"method":"ping","pad":")" + std::string(5000, 'x') + "\"}";
  const auto replies =
      serve(kInit + "\n" + huge + "\n" + R"({"jsonrpc":"2.0","id":1,"method":"ping"})" + "\n",
            SessionLimits{.max_message_bytes = 1000});
  ASSERT_EQ(replies.size(), 3u);
  EXPECT_EQ(replies[1]["error"]["code"], -32600);
  EXPECT_TRUE(replies[1]["id"].is_null());
  EXPECT_EQ(replies[1]["error"]["message"],
            "message too large: " + std::to_string(huge.size()) + " bytes (limit 1000)");
  EXPECT_EQ(replies[2]["id"], 1);
  EXPECT_EQ(replies[2]["result"], json::object());
}

TEST(StdioServer, LineExactlyAtTheLimitIsAcceptedEvenWithCrlf) {
  std::string ping = R"({"jsonrpc":"2.0","id":1,"method":"ping"})";
  const auto replies = serve(ping + "\r\n", SessionLimits{.max_message_bytes = ping.size()});
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(replies[0]["result"], json::object());
}

TEST(StdioServer, CrlfLineEndingsAndEmptyLinesAreAccepted) {
  const auto replies = serve("\r\n\n  \n" + kInit + "\r\n" +
                             R"({"jsonrpc":"2.0","id":"p","method":"ping"})" + "\r\n\r\n");
  ASSERT_EQ(replies.size(), 2u);
  EXPECT_EQ(replies[1]["id"], "p");
}

TEST(StdioServer, LastLineWithoutNewlineIsStillAMessage) {
  const auto replies = serve(R"({"jsonrpc":"2.0","id":4,"method":"ping"})");
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(replies[0]["id"], 4);
}

TEST(StdioServer, GarbageLinesGetParseErrorsAndTheSessionContinues) {
  const auto replies = serve("not json\n{\"unterminated\n" +
                             std::string(R"({"jsonrpc":"2.0","id":5,"method":"ping"})") + "\n");
  ASSERT_EQ(replies.size(), 3u);
  EXPECT_EQ(replies[0]["error"]["code"], -32700);
  EXPECT_EQ(replies[1]["error"]["code"], -32700);
  EXPECT_EQ(replies[2]["id"], 5);
}

TEST(StdioServer, EmptyInputEndsQuietly) {
  EXPECT_TRUE(serve("").empty());
}

}  // namespace
}  // namespace dockgate::mcp
