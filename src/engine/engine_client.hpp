// A small Docker Engine API client: HTTP/1.1 (Boost.Beast) over a unix socket, or over TCP
// with mutual TLS (OpenSSL). It knows HTTP and the Engine API; nothing of policy or MCP.
// Calls block the calling thread and are safe to make from several threads at once (each
// call uses its own connection); every call is bounded by the connect and read timeouts.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/result.hpp"
#include "engine/engine_config.hpp"

namespace dockgate::engine {

struct EngineResponse {
  int status = 0;
  std::string content_type;
  std::string body;

  bool ok() const { return status >= 200 && status < 300; }
  // The engine's {"message": "..."} on errors, else the raw body (trimmed).
  std::string error_message() const;
};

// Answers that stream (logs with follow, exec start) end when the engine ends them or when the
// caller's deadline passes; reaching the deadline is not an error, the caller decides.
struct StreamLimits {
  std::chrono::steady_clock::time_point deadline;
};

// Receives each piece of a successful (2xx) answer's body as it arrives, so the caller keeps
// only what it needs (a tail, a count) however long the stream is.
using BodySink = std::function<void(std::string_view)>;

// Extra request headers (e.g. X-Registry-Auth on a pull). A name or value with a control
// character is refused, so no header can smuggle another.
using RequestHeaders = std::vector<std::pair<std::string, std::string>>;

struct StreamedResponse : EngineResponse {
  // body holds only an error answer's text (status >= 300); a 2xx body went to the sink.
  bool deadline_reached = false;  // the body was still coming when the deadline passed
  bool truncated = false;         // the connection ended before the body's declared end
};

class EngineClient {
 public:
  // Validates the config and loads the TLS material; does not touch the network, so
  // dockgate starts (and answers "engine down" per call) while the engine is away.
  static Result<std::unique_ptr<EngineClient>> create(const EngineConfig& config);

  // The API version is negotiated on first use with GET /version: the engine's ApiVersion,
  // capped at the highest version we speak (1.41, Docker 20.10), then cached. Until it
  // succeeds every call retries it. Failures read like "cannot reach engine at
  // tcp://127.0.0.1:2376: certificate verify failed (...)".
  Result<std::string> negotiate_version();

  ~EngineClient();
  EngineClient(const EngineClient&) = delete;
  EngineClient& operator=(const EngineClient&) = delete;

  // target: a path below the version prefix, with its query, e.g. "/containers/json?all=1".
  // A transport failure is an Error; an HTTP error status is a response (status >= 400).
  Result<EngineResponse> get(std::string_view target);
  Result<EngineResponse> post(std::string_view target, const nlohmann::json& body);
  Result<EngineResponse> post(std::string_view target);  // no body
  Result<EngineResponse> del(std::string_view target);
  Result<StreamedResponse> get_stream(std::string_view target, const StreamLimits& limits,
                                      const BodySink& sink);
  Result<StreamedResponse> post_stream(std::string_view target, const nlohmann::json& body,
                                       const StreamLimits& limits, const BodySink& sink,
                                       const RequestHeaders& headers = {});
  // A body that is not JSON (docker_build's context tar), sent whole with its Content-Type.
  Result<StreamedResponse> post_stream_body(std::string_view target, std::string body,
                                            std::string content_type, const StreamLimits& limits,
                                            const BodySink& sink);

  const std::string& endpoint() const;  // e.g. "tcp://127.0.0.1:2376", for messages

 private:
  struct Impl;
  explicit EngineClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace dockgate::engine
