// Internal to the gate: how each action becomes Engine API requests, one file per family.
// Every request is built from the judged action alone.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "actions/action.hpp"
#include "common/result.hpp"
#include "engine/engine_client.hpp"

namespace dockgate::gate {

// Credentials for one registry host ("registry.example.com", "127.0.0.1:5001"; Docker Hub is
// "docker.io"). From the server's configuration only, never from a call; never logged.
struct RegistryCredential {
  std::string username;
  std::string password;
};

// Bounds on calls that wait or stream, so that an answer comes within a client's timeout
// (Roo's default is 60 s).
struct ExecutionSettings {
  std::string secrets_dir;                        // docker_run secrets: one file per secret
  std::chrono::milliseconds wait_budget{30000};   // docker_run detach:false, docker_exec
  std::chrono::milliseconds follow_window{5000};  // docker_logs follow:true
  std::size_t max_output_bytes = 256 * 1024;      // logs and exec output kept (tail)
  // docker_pull: past it the answer says the pull continues in the engine (under Roo's 60 s).
  std::chrono::milliseconds pull_budget{50000};
  std::map<std::string, RegistryCredential> registry_auth;  // registry host -> credential
  std::chrono::milliseconds build_budget{50000};            // docker_build: then the answer says so
  std::uint64_t max_build_context_bytes = 512ull * 1024 * 1024;  // docker_build context tar
  // docker_compose_up: the whole call (images, health waits, detach:false) ends within it.
  std::chrono::milliseconds compose_budget{50000};
};

// The engine's JSON answer, or an error in plain words: "engine error (404): No such
// container: web" (transport errors pass through as they are).
Result<nlohmann::json> json_body(const Result<engine::EngineResponse>& response);

// The status only, for calls whose success has no body (204, 304).
Result<nlohmann::json> status_only(const Result<engine::EngineResponse>& response,
                                   nlohmann::json on_success);

Result<nlohmann::json> run_container(engine::EngineClient& engine, const actions::RunContainer& run,
                                     const ExecutionSettings& settings);
Result<nlohmann::json> stop_container(engine::EngineClient& engine,
                                      const actions::StopContainer& stop);
Result<nlohmann::json> remove_container(engine::EngineClient& engine,
                                        const actions::RemoveContainer& remove);
Result<nlohmann::json> read_logs(engine::EngineClient& engine, const actions::ReadLogs& logs,
                                 const ExecutionSettings& settings);
Result<nlohmann::json> exec_command(engine::EngineClient& engine, const actions::ExecCommand& exec,
                                    const ExecutionSettings& settings);
Result<nlohmann::json> list_volumes(engine::EngineClient& engine, const actions::ListVolumes& list);
Result<nlohmann::json> create_volume(engine::EngineClient& engine,
                                     const actions::CreateVolume& create);
Result<nlohmann::json> remove_volume(engine::EngineClient& engine,
                                     const actions::RemoveVolume& remove);
Result<nlohmann::json> list_networks(engine::EngineClient& engine,
                                     const actions::ListNetworks& list);
Result<nlohmann::json> create_network(engine::EngineClient& engine,
                                      const actions::CreateNetwork& create);
Result<nlohmann::json> remove_network(engine::EngineClient& engine,
                                      const actions::RemoveNetwork& remove);

Result<nlohmann::json> build_image(engine::EngineClient& engine, const actions::BuildImage& build,
                                   const ExecutionSettings& settings);

Result<nlohmann::json> pull_image(engine::EngineClient& engine, const actions::PullImage& pull,
                                  const ExecutionSettings& settings,
                                  const std::function<void(double, std::string)>& progress);
Result<nlohmann::json> remove_image(engine::EngineClient& engine,
                                    const actions::RemoveImage& remove);

// Compose's com.docker.compose.config-hash: SHA-256 of the create request the spec becomes
// (without that label), so a changed service, or a changed policy default, is recreated.
Result<std::string> config_hash(const actions::ContainerSpec& spec,
                                const ExecutionSettings& settings);

// docker_compose_up / docker_compose_down: each step in order (gate/compose_up.cpp,
// compose_down.cpp). The result lists every step's outcome; "error" is set when a step failed
// (the steps after it were not run).
Result<nlohmann::json> compose_up(engine::EngineClient& engine, const actions::ComposeUp& up,
                                  const ExecutionSettings& settings,
                                  const std::function<void(double, std::string)>& progress);
Result<nlohmann::json> compose_down(engine::EngineClient& engine, const actions::ComposeDown& down);

// Percent-encodes everything but RFC 3986's unreserved characters.
std::string url_encode(std::string_view text);

}  // namespace dockgate::gate
