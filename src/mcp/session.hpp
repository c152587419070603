// One MCP session: JSON-RPC 2.0 framing, the lifecycle (initialize, initialized, ping),
// tools/list and tools/call. Transport-independent: a transport feeds it messages and
// gives it a function to send replies with. tools/call runs on a worker pool so a slow
// engine call never blocks pings or other calls; replies may leave out of order.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "mcp/tool_service.hpp"

namespace dockgate::mcp {

struct SessionLimits {
  std::size_t max_message_bytes = 4 * 1024 * 1024;  // one JSON-RPC message (one stdio line)
  int max_json_depth = 64;
  std::size_t max_batch_size = 64;
  std::size_t worker_threads = 4;  // concurrent tools/call
};

struct ServerIdentity {
  std::string name = "dockgate";
  std::string version;
  std::string instructions;
};

// Receives each serialized reply (one JSON text, no newline). Called from several threads,
// never concurrently (the session serializes calls to it).
using SendFunction = std::function<void(std::string)>;

class Session {
 public:
  Session(ToolService& tools, ServerIdentity identity, SessionContext context, SessionLimits limits,
          SendFunction send);
  ~Session();  // waits for calls in flight

  // One incoming message as received (a line on stdio, a body over HTTP). Malformed input
  // is answered with a JSON-RPC error (-32700 with id null, -32600, ...), never thrown.
  void receive(std::string_view message);

  // A message the transport discarded unread because it was larger than
  // limits.max_message_bytes (`size` bytes, counted while discarding): answered with -32600
  // and id null, exactly as receive() answers an oversized message.
  void receive_oversized(std::size_t size);

  // Waits for every tools/call in flight to finish and its reply to be sent.
  void drain();

  // Written once by initialize, before any tools/call can start; read it after that.
  const SessionContext& context() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace dockgate::mcp
