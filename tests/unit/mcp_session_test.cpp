// The MCP session against a fake ToolService: JSON-RPC framing, lifecycle, tools, batches,
// limits and cancellation. No transport, no Docker.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "mcp/jsonrpc.hpp"
#include "mcp/session.hpp"

namespace dockgate::mcp {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

class Recorder {
 public:
  SendFunction sender() {
    return [this](std::string reply) {
      std::lock_guard lock(mutex_);
      replies_.push_back(std::move(reply));
      changed_.notify_all();
    };
  }
  std::size_t count() {
    std::lock_guard lock(mutex_);
    return replies_.size();
  }
  std::string raw(std::size_t i) {
    std::lock_guard lock(mutex_);
    return replies_.at(i);
  }
  json parsed(std::size_t i) { return json::parse(raw(i)); }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::string> replies_;
};

class FakeTools : public ToolService {
 public:
  json list_tools(const SessionContext& session) override {
    listed_for = session.protocol_version;
    return json::array({{{"name", "echo"},
                         {"description", "Echoes its arguments."},
                         {"inputSchema", {{"type", "object"}}}}});
  }

  json call_tool(const ToolCall& call) override {
    if (call.name == "throw") throw std::runtime_error("boom");
    if (call.name == "not_an_object") return json::array();
    if (call.name == "bad_utf8") return text_result(std::string("bad \xff\xfe bytes"));
    if (call.name == "wait") {
      started = true;
      std::mutex mutex;
      std::condition_variable_any cv;
      std::unique_lock lock(mutex);
      cv.wait_for(lock, call.cancelled, 10s, [] { return false; });
      saw_stop = call.cancelled.stop_requested();
      return text_result("finished");
    }
    json echoed{
        {"name", call.name}, {"arguments", call.arguments}, {"client", call.session.client_name}};
    if (call.progress_token) echoed["progressToken"] = *call.progress_token;
    return {{"content", json::array({{{"type", "text"}, {"text", echoed.dump()}}})},
            {"structuredContent", echoed},
            {"isError", false}};
  }

  static json text_result(const std::string& text) {
    return {{"content", json::array({{{"type", "text"}, {"text", text}}})}, {"isError", false}};
  }

  std::string listed_for;
  std::atomic<bool> started{false};
  std::atomic<bool> saw_stop{false};
};

class SessionTest : public ::testing::Test {
 protected:
  void SetUp() override { make({}); }

  void make(SessionLimits limits) {
    session.reset();
    SessionContext context;
    context.session_id = "s1";
    context.principal = "alice";
    session = std::make_unique<Session>(
        tools, ServerIdentity{"dockgate", "1.2.3", "Run Docker through policy."}, context, limits,
        recorder.sender());
  }

  // Sends one message, waits for any call it started, and returns the one reply it caused.
  json ask(std::string_view message) {
    const std::size_t before = recorder.count();
    session->receive(message);
    session->drain();
    EXPECT_EQ(recorder.count(), before + 1) << "expected exactly one reply to " << message;
    return recorder.count() > before ? recorder.parsed(recorder.count() - 1) : json();
  }

  void expect_no_reply(std::string_view message) {
    const std::size_t before = recorder.count();
    session->receive(message);
    session->drain();
    EXPECT_EQ(recorder.count(), before) << "expected no reply to " << message;
  }

  json initialize(const std::string& version = "2025-11-25") {
    return ask(json{{"jsonrpc", "2.0"},
                    {"id", 0},
                    {"method", "initialize"},
                    {"params",
                     {{"protocolVersion", version},
                      {"capabilities", json::object()},
                      {"clientInfo", {{"name", "Roo Code"}, {"version", "3.52.1"}}}}}}
                   .dump());
  }

  static int error_code(const json& reply) { return reply.at("error").at("code").get<int>(); }
  static std::string error_message(const json& reply) {
    return reply.at("error").at("message").get<std::string>();
  }

  FakeTools tools;
  Recorder recorder;
  std::unique_ptr<Session> session;  // last: destroyed (and drained) first
};

using JsonRpc = SessionTest;
using McpLifecycle = SessionTest;
using McpTools = SessionTest;
using JsonRpcBatch = SessionTest;
using McpLimits = SessionTest;
using McpCancellation = SessionTest;

TEST_F(JsonRpc, StringIdIsEchoedAsString) {
  const auto reply = ask(R"({"jsonrpc":"2.0","id":"abc","method":"ping"})");
  EXPECT_EQ(reply["id"], "abc");
  EXPECT_EQ(reply["result"], json::object());
}

TEST_F(JsonRpc, IntegerIdIsEchoedAsNumberNotString) {
  session->receive(R"({"jsonrpc":"2.0","id":7,"method":"ping"})");
  EXPECT_EQ(recorder.raw(0), R"({"id":7,"jsonrpc":"2.0","result":{}})");
}

TEST_F(JsonRpc, BigIntegerIdsAreEchoedExactly) {
  session->receive(R"({"jsonrpc":"2.0","id":9007199254740993,"method":"ping"})");
  session->receive(R"({"jsonrpc":"2.0","id":18446744073709551615,"method":"ping"})");
  session->receive(R"({"jsonrpc":"2.0","id":-42,"method":"ping"})");
  EXPECT_NE(recorder.raw(0).find(R"("id":9007199254740993)"), std::string::npos);
  EXPECT_NE(recorder.raw(1).find(R"("id":18446744073709551615)"), std::string::npos);
  EXPECT_NE(recorder.raw(2).find(R"("id":-42)"), std::string::npos);
}

TEST_F(JsonRpc, NullFractionalBooleanAndObjectIdsAreInvalidRequests) {
  for (const char* id : {"null", "1.5", "true", "{}", "[1]"}) {
    const auto reply = ask(std::string(R"({"jsonrpc":"2.0","method":"ping","id":)") + id + "}");
    EXPECT_EQ(error_code(reply), -32600) << id;
    EXPECT_TRUE(reply["id"].is_null()) << id;
    EXPECT_NE(error_message(reply).find("id must be a string or an integer"), std::string::npos);
  }
}

TEST_F(JsonRpc, ParseErrorIsAnsweredWithNullId) {
  const auto reply = ask(R"({"jsonrpc":"2.0","id":1,"method":)");
  EXPECT_EQ(error_code(reply), -32700);
  EXPECT_TRUE(reply.contains("id"));
  EXPECT_TRUE(reply["id"].is_null());
  EXPECT_EQ(error_message(reply).rfind("Parse error", 0), 0u);
}

TEST_F(JsonRpc, InvalidUtf8InsideAStringIsAParseErrorAndTheReplyIsValidUtf8) {
  const auto reply = ask("{\"jsonrpc\":\"2.0\",\"id\":\"\xff\xfe\",\"method\":\"ping\"}");
  EXPECT_EQ(error_code(reply), -32700);
  EXPECT_TRUE(reply["id"].is_null());  // json::parse in ask() proved the reply is valid UTF-8
}

TEST_F(JsonRpc, NonObjectMessagesAreInvalidRequests) {
  for (const char* message : {"42", "\"ping\"", "null", "true"}) {
    const auto reply = ask(message);
    EXPECT_EQ(error_code(reply), -32600) << message;
    EXPECT_TRUE(reply["id"].is_null());
    EXPECT_NE(error_message(reply).find("must be an object"), std::string::npos);
  }
}

TEST_F(JsonRpc, MissingOrWrongJsonrpcVersionIsInvalidRequestEchoingTheId) {
  auto reply = ask(R"({"id":3,"method":"ping"})");
  EXPECT_EQ(error_code(reply), -32600);
  EXPECT_EQ(reply["id"], 3);
  EXPECT_NE(error_message(reply).find("\"jsonrpc\" must be the string \"2.0\""), std::string::npos);
  reply = ask(R"({"jsonrpc":"1.0","id":"x","method":"ping"})");
  EXPECT_EQ(error_code(reply), -32600);
  EXPECT_EQ(reply["id"], "x");
}

TEST_F(JsonRpc, NonStringMethodIsInvalidRequest) {
  const auto reply = ask(R"({"jsonrpc":"2.0","id":1,"method":5})");
  EXPECT_EQ(error_code(reply), -32600);
  EXPECT_NE(error_message(reply).find("method must be a string"), std::string::npos);
}

TEST_F(JsonRpc, ScalarParamsAreInvalidRequest) {
  const auto reply = ask(R"({"jsonrpc":"2.0","id":1,"method":"ping","params":"x"})");
  EXPECT_EQ(error_code(reply), -32600);
  EXPECT_NE(error_message(reply).find("params must be an object or an array"), std::string::npos);
}

TEST_F(JsonRpc, UnknownMethodsIncludingResourcesAndPromptsAreMethodNotFound) {
  initialize();
  for (const char* method : {"resources/list", "resources/templates/list", "prompts/list", "x"}) {
    const auto reply = ask(json{{"jsonrpc", "2.0"}, {"id", 9}, {"method", method}}.dump());
    EXPECT_EQ(error_code(reply), -32601) << method;
    EXPECT_NE(error_message(reply).find(method), std::string::npos);
  }
}

TEST_F(JsonRpc, NotificationsNeverGetAReply) {
  expect_no_reply(R"({"jsonrpc":"2.0","method":"notifications/initialized"})");
  expect_no_reply(R"({"jsonrpc":"2.0","method":"notifications/whatever","params":{}})");
  expect_no_reply(R"({"jsonrpc":"2.0","method":"ping"})");
  expect_no_reply(
      R"({"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":99}})");
}

TEST_F(JsonRpc, ResponsesSentToTheServerAreIgnored) {
  expect_no_reply(R"({"jsonrpc":"2.0","id":1,"result":{}})");
  expect_no_reply(R"({"jsonrpc":"2.0","id":2,"error":{"code":-1,"message":"no"}})");
}

TEST_F(McpLifecycle, PingIsAnsweredBeforeInitialize) {
  EXPECT_EQ(ask(R"({"jsonrpc":"2.0","id":1,"method":"ping"})")["result"], json::object());
}

TEST_F(McpLifecycle, ToolsCallAndListBeforeInitializeAreRefused) {
  for (const char* method : {"tools/call", "tools/list"}) {
    const auto reply =
        ask(json{{"jsonrpc", "2.0"}, {"id", 1}, {"method", method}, {"params", {{"name", "echo"}}}}
                .dump());
    EXPECT_EQ(error_code(reply), -32600) << method;
    EXPECT_EQ(error_message(reply), "session not initialized: send initialize first");
  }
  EXPECT_FALSE(tools.started);
}

TEST_F(McpLifecycle, EachSupportedVersionIsEchoed) {
  for (const char* version : {"2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"}) {
    make({});
    const auto reply = initialize(version);
    EXPECT_EQ(reply["result"]["protocolVersion"], version);
    EXPECT_EQ(session->context().protocol_version, version);
  }
}

TEST_F(McpLifecycle, UnknownVersionIsAnsweredWithTheLatest) {
  for (const char* version : {"1.0.0", "2026-07-28", "2024-10-07", ""}) {
    make({});
    EXPECT_EQ(initialize(version)["result"]["protocolVersion"], "2025-11-25") << version;
  }
}

TEST_F(McpLifecycle, InitializeAnswersCapabilitiesServerInfoAndStoresTheClient) {
  const auto reply = initialize("2025-03-26");
  EXPECT_EQ(reply["id"], 0);
  const auto& result = reply["result"];
  EXPECT_EQ(result["capabilities"], json::parse(R"({"tools":{"listChanged":false}})"));
  EXPECT_EQ(result["serverInfo"], json::parse(R"({"name":"dockgate","version":"1.2.3"})"));
  EXPECT_EQ(result["instructions"], "Run Docker through policy.");
  EXPECT_EQ(session->context().client_name, "Roo Code");
  EXPECT_EQ(session->context().client_version, "3.52.1");
  EXPECT_EQ(session->context().principal, "alice");
}

TEST_F(McpLifecycle, SecondInitializeIsRefused) {
  initialize();
  const auto reply = initialize("2025-03-26");
  EXPECT_EQ(error_code(reply), -32600);
  EXPECT_NE(error_message(reply).find("already initialized"), std::string::npos);
  EXPECT_EQ(session->context().protocol_version, "2025-11-25");
}

TEST_F(McpLifecycle, InitializeWithoutProtocolVersionIsInvalidParams) {
  const auto reply = ask(R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{}})");
  EXPECT_EQ(error_code(reply), -32602);
  EXPECT_NE(error_message(reply).find("params.protocolVersion"), std::string::npos);
  EXPECT_EQ(initialize()["result"]["protocolVersion"], "2025-11-25");  // still possible
}

TEST_F(McpLifecycle, StructuredContentIsSupportedFrom20250618) {
  EXPECT_FALSE(supports_structured_content("2024-11-05"));
  EXPECT_FALSE(supports_structured_content("2025-03-26"));
  EXPECT_TRUE(supports_structured_content("2025-06-18"));
  EXPECT_TRUE(supports_structured_content("2025-11-25"));
  EXPECT_FALSE(supports_structured_content(""));
}

TEST_F(McpTools, ListReturnsTheServiceToolsInOnePage) {
  initialize("2025-06-18");
  const auto reply = ask(R"({"jsonrpc":"2.0","id":2,"method":"tools/list"})");
  EXPECT_EQ(reply["result"]["tools"][0]["name"], "echo");
  EXPECT_FALSE(reply["result"].contains("nextCursor"));
  EXPECT_EQ(tools.listed_for, "2025-06-18");
  EXPECT_EQ(
      ask(R"({"jsonrpc":"2.0","id":3,"method":"tools/list","params":{"cursor":"x"}})")["result"]
                                                                                      ["tools"]
                                                                                          .size(),
      1u);
}

TEST_F(McpTools, ListWithNonStringCursorIsInvalidParams) {
  initialize();
  const auto reply = ask(R"({"jsonrpc":"2.0","id":2,"method":"tools/list","params":{"cursor":1}})");
  EXPECT_EQ(error_code(reply), -32602);
  EXPECT_NE(error_message(reply).find("params.cursor"), std::string::npos);
}

TEST_F(McpTools, CallResultArgumentsAndProgressTokenArePassedThrough) {
  initialize();
  const auto reply =
      ask(R"({"jsonrpc":"2.0","id":"c1","method":"tools/call","params":{"name":"echo",)"
          R"("arguments":{"a":[1,2]},"_meta":{"progressToken":"p7"}}})");
  EXPECT_EQ(reply["id"], "c1");
  const auto& result = reply["result"];
  EXPECT_EQ(result["isError"], false);
  EXPECT_EQ(result["structuredContent"]["arguments"], json::parse(R"({"a":[1,2]})"));
  EXPECT_EQ(result["structuredContent"]["progressToken"], "p7");
  EXPECT_EQ(result["structuredContent"]["client"], "Roo Code");
}

TEST_F(McpTools, CallWithoutArgumentsGetsAnEmptyObject) {
  initialize();
  const auto reply =
      ask(R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo"}})");
  EXPECT_EQ(reply["result"]["structuredContent"]["arguments"], json::object());
  EXPECT_FALSE(reply["result"]["structuredContent"].contains("progressToken"));
}

TEST_F(McpTools, CallWithWrongTypedNameOrArgumentsIsInvalidParams) {
  initialize();
  struct Case {
    const char* params;
    const char* mentions;
  };
  for (const auto& c : {Case{R"({"name":5})", "params.name must be a string naming a tool"},
                        Case{R"({})", "params.name"},
                        Case{R"({"name":"echo","arguments":[1]})", "params.arguments"},
                        Case{R"({"name":"echo","arguments":"x"})", "params.arguments"},
                        Case{R"({"name":"echo","_meta":{"progressToken":1.5}})", "progressToken"},
                        Case{R"([1])", "tools/call needs params"}}) {
    const auto reply = ask(
        std::string(R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":)") + c.params + "}");
    EXPECT_EQ(error_code(reply), -32602) << c.params;
    EXPECT_NE(error_message(reply).find(c.mentions), std::string::npos) << error_message(reply);
  }
}

TEST_F(McpTools, ThrowingToolIsAnInternalErrorAndTheSessionSurvives) {
  initialize();
  auto reply = ask(R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"throw"}})");
  EXPECT_EQ(error_code(reply), -32603);
  EXPECT_EQ(reply["id"], 1);
  EXPECT_NE(error_message(reply).find("'throw'"), std::string::npos);
  reply =
      ask(R"({"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"not_an_object"}})");
  EXPECT_EQ(error_code(reply), -32603);
  EXPECT_EQ(ask(R"({"jsonrpc":"2.0","id":3,"method":"ping"})")["result"], json::object());
}

TEST_F(McpTools, InvalidUtf8InToolOutputIsReplacedInsteadOfThrowing) {
  initialize();
  const auto reply =
      ask(R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"bad_utf8"}})");
  EXPECT_EQ(reply["result"]["content"][0]["text"], "bad \xEF\xBF\xBD\xEF\xBF\xBD bytes");
}

TEST_F(McpTools, RepliesAreSingleLines) {
  initialize();
  ask(R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"t":"a\nb"}}})");
  for (std::size_t i = 0; i < recorder.count(); ++i) {
    EXPECT_EQ(recorder.raw(i).find('\n'), std::string::npos);
  }
}

TEST_F(McpCancellation, CancelledCallStopsAndSendsNoReply) {
  initialize();
  const std::size_t before = recorder.count();
  session->receive(R"({"jsonrpc":"2.0","id":"w1","method":"tools/call","params":{"name":"wait"}})");
  while (!tools.started) std::this_thread::sleep_for(1ms);
  session->receive(
      R"({"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":"w1","reason":"user"}})");
  session->drain();
  EXPECT_TRUE(tools.saw_stop);
  EXPECT_EQ(recorder.count(), before);
  // The id is free again and the session keeps working.
  EXPECT_EQ(ask(R"({"jsonrpc":"2.0","id":"w1","method":"tools/call","params":{"name":"echo"}})")
                ["result"]["isError"],
            false);
}

TEST_F(McpCancellation, CancelMatchesTheIdTypeExactly) {
  initialize();
  session->receive(R"({"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"wait"}})");
  while (!tools.started) std::this_thread::sleep_for(1ms);
  // "5" is not 5: the call keeps running.
  session->receive(
      R"({"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":"5"}})");
  std::this_thread::sleep_for(20ms);
  EXPECT_FALSE(tools.saw_stop);
  session->receive(
      R"({"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":5}})");
  session->drain();
  EXPECT_TRUE(tools.saw_stop);
}

TEST_F(McpCancellation, DuplicateIdOfACallInFlightIsRefused) {
  initialize();
  session->receive(R"({"jsonrpc":"2.0","id":8,"method":"tools/call","params":{"name":"wait"}})");
  while (!tools.started) std::this_thread::sleep_for(1ms);
  const std::size_t before = recorder.count();
  session->receive(R"({"jsonrpc":"2.0","id":8,"method":"tools/call","params":{"name":"echo"}})");
  ASSERT_EQ(recorder.count(), before + 1);
  EXPECT_EQ(error_code(recorder.parsed(before)), -32600);
  EXPECT_NE(error_message(recorder.parsed(before)).find("already used"), std::string::npos);
  session->receive(
      R"({"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":8}})");
}

TEST_F(McpCancellation, DestroyingTheSessionWaitsForCallsInFlight) {
  initialize();
  session->receive(R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo"}})");
  session->receive(R"({"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"echo"}})");
  const std::size_t before_destroy = 1;  // the initialize reply
  session.reset();
  EXPECT_EQ(recorder.count(), before_destroy + 2);
}

TEST_F(JsonRpcBatch, AcceptedUnder20250326WithOneArrayReply) {
  initialize("2025-03-26");
  const auto reply =
      ask(R"([{"jsonrpc":"2.0","id":1,"method":"ping"},)"
          R"({"jsonrpc":"2.0","method":"notifications/initialized"},)"
          R"({"jsonrpc":"2.0","id":"t","method":"tools/call","params":{"name":"echo"}},)"
          R"({"jsonrpc":"2.0","id":3,"method":"resources/list"}, 17])");
  ASSERT_TRUE(reply.is_array());
  ASSERT_EQ(reply.size(), 4u);
  std::vector<json> ids;
  for (const auto& r : reply) ids.push_back(r["id"]);
  EXPECT_NE(std::find(ids.begin(), ids.end(), json(1)), ids.end());
  EXPECT_NE(std::find(ids.begin(), ids.end(), json("t")), ids.end());
  EXPECT_NE(std::find(ids.begin(), ids.end(), json(3)), ids.end());
  EXPECT_NE(std::find(ids.begin(), ids.end(), json(nullptr)), ids.end());  // the 17
}

TEST_F(JsonRpcBatch, RefusedUnder20250618AndBeforeInitialize) {
  auto reply = ask(R"([{"jsonrpc":"2.0","id":1,"method":"ping"}])");
  EXPECT_EQ(error_code(reply), -32600);
  EXPECT_NE(error_message(reply).find("only accepted for protocol 2025-03-26"), std::string::npos);
  initialize("2025-06-18");
  reply = ask(R"([{"jsonrpc":"2.0","id":1,"method":"ping"}])");
  EXPECT_EQ(error_code(reply), -32600);
  EXPECT_TRUE(reply["id"].is_null());
}

TEST_F(JsonRpcBatch, EmptyBatchIsInvalidRequest) {
  initialize("2025-03-26");
  const auto reply = ask("[]");
  EXPECT_EQ(error_code(reply), -32600);
  EXPECT_NE(error_message(reply).find("empty batch"), std::string::npos);
}

TEST_F(JsonRpcBatch, InitializeInsideABatchIsAnErrorForThatElement) {
  initialize("2025-03-26");
  const auto reply = ask(
      R"([{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-03-26"}},)"
      R"({"jsonrpc":"2.0","id":2,"method":"ping"}])");
  ASSERT_EQ(reply.size(), 2u);
  EXPECT_EQ(error_code(reply[0]), -32600);
  EXPECT_NE(error_message(reply[0]).find("inside a batch"), std::string::npos);
  EXPECT_EQ(reply[1]["result"], json::object());
}

TEST_F(JsonRpcBatch, OnlyNotificationsGetNoReplyAtAll) {
  initialize("2025-03-26");
  expect_no_reply(
      R"([{"jsonrpc":"2.0","method":"notifications/initialized"},{"jsonrpc":"2.0","id":1,"result":{}}])");
}

TEST_F(JsonRpcBatch, LargerThanTheLimitIsRefused) {
  make({.max_batch_size = 2});
  initialize("2025-03-26");
  const auto reply = ask(R"([{"jsonrpc":"2.0","id":1,"method":"ping"},)"
                         R"({"jsonrpc":"2.0","id":2,"method":"ping"},)"
                         R"({"jsonrpc":"2.0","id":3,"method":"ping"}])");
  EXPECT_EQ(error_code(reply), -32600);
  EXPECT_NE(error_message(reply).find("limit of 2"), std::string::npos);
}

TEST_F(McpLimits, OversizedMessageIsRefusedWithItsSizeAndTheLimit) {
  make({.max_message_bytes = 100});
  const std::string message = R"({"jsonrpc":"2.0","id":1,"method":"ping","params":{"pad":")" +
                              std::string(100, 'x') + "\"}}";
  const auto reply = ask(message);
  EXPECT_EQ(error_code(reply), -32600);
  EXPECT_TRUE(reply["id"].is_null());
  EXPECT_EQ(error_message(reply),
            "message too large: " + std::to_string(message.size()) + " bytes (limit 100)");
}

TEST_F(McpLimits, HugelyNestedJsonIsRefusedWithoutCrashing) {
  for (const std::string& message :
       {std::string(100000, '['), std::string(100000, '{'),
        R"({"jsonrpc":"2.0","id":1,"method":"ping","params":{"a":)" + std::string(100000, '[')}) {
    const auto reply = ask(message);
    EXPECT_EQ(error_code(reply), -32600);
    EXPECT_NE(error_message(reply).find("limit of 64 levels"), std::string::npos);
  }
}

TEST_F(McpLimits, NestingUpToTheLimitIsAcceptedAndBracketsInStringsDoNotCount) {
  make({.max_json_depth = 4});
  // Depth 4: message, params, a, b.
  EXPECT_EQ(ask(R"({"jsonrpc":"2.0","id":"[[[[[","method":"ping","params":{"a":[{}]}})")["result"],
            json::object());
  EXPECT_EQ(
      error_code(ask(R"({"jsonrpc":"2.0","id":1,"method":"ping","params":{"a":[{"b":[]}]}})")),
      -32600);
  EXPECT_FALSE(jsonrpc::nesting_exceeds(R"({"s":"\"[[[[[[[[["})", 1));
}

}  // namespace
}  // namespace dockgate::mcp
