// Placeholders for the action families being written; each is replaced by its own file
// (container_run.cpp, container_lifecycle.cpp, volumes_networks.cpp). Until then the call
// fails closed with a clear error, and no tool plans these actions.
#include "gate/engine_requests.hpp"

namespace dockgate::gate {
namespace {
Error not_yet(const char* what) {
  return make_error(std::string(what) + " is not implemented yet");
}
}  // namespace

Result<nlohmann::json> run_container(engine::EngineClient&, const actions::RunContainer&,
                                     const ExecutionSettings&) {
  return not_yet("docker_run");
}
Result<nlohmann::json> stop_container(engine::EngineClient&, const actions::StopContainer&) {
  return not_yet("docker_stop");
}
Result<nlohmann::json> remove_container(engine::EngineClient&, const actions::RemoveContainer&) {
  return not_yet("docker_rm");
}
Result<nlohmann::json> read_logs(engine::EngineClient&, const actions::ReadLogs&,
                                 const ExecutionSettings&) {
  return not_yet("docker_logs");
}
Result<nlohmann::json> exec_command(engine::EngineClient&, const actions::ExecCommand&,
                                    const ExecutionSettings&) {
  return not_yet("docker_exec");
}
Result<nlohmann::json> list_volumes(engine::EngineClient&, const actions::ListVolumes&) {
  return not_yet("docker_volume_ls");
}
Result<nlohmann::json> create_volume(engine::EngineClient&, const actions::CreateVolume&) {
  return not_yet("docker_volume_create");
}
Result<nlohmann::json> remove_volume(engine::EngineClient&, const actions::RemoveVolume&) {
  return not_yet("docker_volume_rm");
}
Result<nlohmann::json> list_networks(engine::EngineClient&, const actions::ListNetworks&) {
  return not_yet("docker_network_ls");
}
Result<nlohmann::json> create_network(engine::EngineClient&, const actions::CreateNetwork&) {
  return not_yet("docker_network_create");
}
Result<nlohmann::json> remove_network(engine::EngineClient&, const actions::RemoveNetwork&) {
  return not_yet("docker_network_rm");
}

}  // namespace dockgate::gate
