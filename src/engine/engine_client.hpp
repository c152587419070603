// A small Docker Engine API client: HTTP/1.1 (Boost.Beast) over a unix socket, or over TCP
// with mutual TLS (OpenSSL). It knows HTTP and the Engine API; nothing of policy or MCP.
// Calls block the calling thread and are safe to make from several threads at once (each
// call uses its own connection); every call is bounded by the connect and read timeouts.
#pragma once

#include <memory>
#include <string>
#include <string_view>

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

  const std::string& endpoint() const;  // e.g. "tcp://127.0.0.1:2376", for messages

 private:
  struct Impl;
  explicit EngineClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace dockgate::engine
