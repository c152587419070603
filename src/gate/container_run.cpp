// docker_run on the Engine API (1.41): check the image and secrets, create, start, and for
// detach:false wait (bounded) and read the output's tail. The create body is serialized here,
// field by field, from the judged ContainerSpec: nothing of the client's JSON reaches the engine.
#include <chrono>
#include <filesystem>
#include <regex>
#include <thread>

#include <openssl/sha.h>

#include "gate/engine_requests.hpp"

namespace dockgate::gate {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

constexpr int kOutputLines = 50;

std::string port_key(const actions::PortBinding& port) {
  return std::to_string(port.container_port) + "/" + port.protocol;
}

const char* mount_type(actions::MountType type) {
  switch (type) {
    case actions::MountType::Bind:
      return "bind";
    case actions::MountType::Volume:
      return "volume";
    case actions::MountType::Tmpfs:
      return "tmpfs";
  }
  return "volume";
}

json mount_json(const actions::Mount& mount) {
  json out = {{"Type", mount_type(mount.type)}, {"Target", mount.target}};
  // A volume without a source is anonymous: the engine names and creates it.
  if (!mount.source.empty()) out["Source"] = mount.source;
  if (mount.read_only) out["ReadOnly"] = true;
  if (mount.type == actions::MountType::Bind && !mount.propagation.empty()) {
    out["BindOptions"] = {{"Propagation", mount.propagation}};
  }
  return out;
}

// API 1.41's Mounts cannot relabel for SELinux; only a Binds string can ("src:dst:ro,z").
Result<std::string> bind_string(const actions::Mount& mount) {
  if (mount.source.empty() || mount.type == actions::MountType::Tmpfs) {
    return make_error("volume '" + mount.target + "': the z/Z relabel option needs a source");
  }
  std::string options = mount.read_only ? "ro" : "rw";
  options += "," + mount.selinux_relabel;
  if (!mount.propagation.empty()) options += "," + mount.propagation;
  return mount.source + ":" + mount.target + ":" + options;
}

json device_json(const std::string& device) {
  // Planned as "source:target:permissions" (run_arguments.cpp), so three parts always.
  const auto first = device.find(':');
  const auto last = device.rfind(':');
  return {{"PathOnHost", device.substr(0, first)},
          {"PathInContainer", device.substr(first + 1, last - first - 1)},
          {"CgroupPermissions", device.substr(last + 1)}};
}

// Each secret is the regular file <secrets_dir>/<name>; its content is never read here.
Result<std::vector<actions::Mount>> secret_mounts(const actions::ContainerSpec& spec,
                                                  const ExecutionSettings& settings) {
  std::vector<actions::Mount> mounts;
  if (spec.secrets.empty()) return mounts;
  if (settings.secrets_dir.empty()) {
    return make_error(
        "secrets are not configured on this server: start dockgate with --secrets-dir");
  }
  // The engine bind-mounts the path as given, on its own host: it must be absolute (the CLI
  // makes --secrets-dir absolute; this guards other callers).
  if (!fs::path(settings.secrets_dir).is_absolute()) {
    return make_error("the secrets folder '" + settings.secrets_dir +
                      "' is not an absolute path: start dockgate with an absolute --secrets-dir");
  }
  static const std::regex kSecretName(R"([A-Za-z0-9][A-Za-z0-9_.-]*)");
  for (const auto& name : spec.secrets) {
    if (!std::regex_match(name, kSecretName)) {
      return make_error("secret '" + name + "': a name is letters, digits and _ . -");
    }
    const fs::path file = fs::path(settings.secrets_dir) / name;
    std::error_code error;
    // symlink_status: a link could point the bind anywhere on the host.
    if (!fs::is_regular_file(fs::symlink_status(file, error))) {
      return make_error("secret '" + name + "' does not exist on this server (no regular file '" +
                        name + "' in its secrets folder)");
    }
    actions::Mount mount;
    mount.type = actions::MountType::Bind;
    mount.source = file.string();
    mount.target = "/run/secrets/" + name;
    mount.read_only = true;
    mounts.push_back(std::move(mount));
  }
  return mounts;
}

Result<json> create_body(const actions::ContainerSpec& spec,
                         const std::vector<actions::Mount>& secrets, bool auto_remove) {
  json config = {{"Image", spec.image.full()}};
  if (spec.command) config["Cmd"] = *spec.command;
  if (spec.entrypoint) config["Entrypoint"] = *spec.entrypoint;
  if (!spec.env.empty()) config["Env"] = spec.env;
  if (!spec.user.empty()) config["User"] = spec.user;
  if (!spec.workdir.empty()) config["WorkingDir"] = spec.workdir;
  config["Labels"] = spec.labels;
  if (spec.healthcheck) {
    const auto& check = *spec.healthcheck;
    config["Healthcheck"] = {{"Test", check.test},
                             {"Interval", check.interval_ns},
                             {"Timeout", check.timeout_ns},
                             {"StartPeriod", check.start_period_ns},
                             {"Retries", check.retries}};
  }
  json host = json::object();
  json exposed = json::object();
  json bindings = json::object();
  for (const auto& port : spec.ports) {
    exposed[port_key(port)] = json::object();
    bindings[port_key(port)].push_back(
        {{"HostIp", port.host_ip},
         {"HostPort", port.host_port == 0 ? std::string() : std::to_string(port.host_port)}});
  }
  for (const auto& port : spec.exposed_ports) exposed[port] = json::object();
  if (!exposed.empty()) config["ExposedPorts"] = exposed;
  if (spec.stop_timeout_s) config["StopTimeout"] = *spec.stop_timeout_s;
  if (spec.init) host["Init"] = true;
  // Aliases on the first network are set at create; further networks are connected before
  // start (the API takes one endpoint at create on 1.41).
  if (!spec.network_aliases.empty() && actions::is_user_network(spec.network)) {
    config["NetworkingConfig"] = {
        {"EndpointsConfig", {{spec.network, {{"Aliases", spec.network_aliases}}}}}};
  }
  if (!bindings.empty()) host["PortBindings"] = bindings;
  host["PublishAllPorts"] = spec.publish_all;
  json mounts = json::array();
  json binds = json::array();
  for (const auto& mount : spec.mounts) {
    if (mount.selinux_relabel.empty()) {
      mounts.push_back(mount_json(mount));
      continue;
    }
    auto bind = bind_string(mount);
    if (!bind) return bind.error();
    binds.push_back(*bind);
  }
  for (const auto& mount : secrets) mounts.push_back(mount_json(mount));
  if (!mounts.empty()) host["Mounts"] = mounts;
  if (!binds.empty()) host["Binds"] = binds;
  const std::pair<const char*, const std::string*> modes[] = {
      {"NetworkMode", &spec.network},    {"PidMode", &spec.pid_mode},
      {"IpcMode", &spec.ipc_mode},       {"UTSMode", &spec.uts_mode},
      {"UsernsMode", &spec.userns_mode}, {"CgroupnsMode", &spec.cgroupns_mode}};
  for (const auto& [key, value] : modes) {
    if (!value->empty()) host[key] = *value;
  }
  host["Memory"] = spec.memory_bytes;
  host["NanoCpus"] = spec.nano_cpus;
  if (spec.pids_limit != 0) host["PidsLimit"] = spec.pids_limit;
  if (!spec.cap_add.empty()) host["CapAdd"] = spec.cap_add;
  if (!spec.cap_drop.empty()) host["CapDrop"] = spec.cap_drop;
  host["Privileged"] = spec.privileged;
  host["ReadonlyRootfs"] = spec.read_only_rootfs;
  if (!spec.security_opt.empty()) host["SecurityOpt"] = spec.security_opt;
  if (!spec.devices.empty()) {
    host["Devices"] = json::array();
    for (const auto& device : spec.devices) host["Devices"].push_back(device_json(device));
  }
  if (!spec.sysctls.empty()) host["Sysctls"] = spec.sysctls;
  if (!spec.volumes_from.empty()) host["VolumesFrom"] = spec.volumes_from;
  host["RestartPolicy"] = {{"Name", spec.restart.name},
                           {"MaximumRetryCount", spec.restart.maximum_retry_count}};
  host["AutoRemove"] = auto_remove;
  config["HostConfig"] = std::move(host);
  return config;
}

// The logs body of a container without a TTY is multiplexed: frames of an 8-byte header
// [stream, 0, 0, 0, size as big-endian uint32] and size bytes. Stdout and stderr are kept
// interleaved, as a terminal shows them; only the last max_bytes are kept.
std::string demux_output(std::string_view body, std::size_t max_bytes, bool& truncated) {
  std::string out;
  std::size_t at = 0;
  while (at + 8 <= body.size()) {
    const auto stream = static_cast<unsigned char>(body[at]);
    if (stream > 2) break;  // not a frame: stop, as docker's stdcopy does
    const std::uint32_t size = (std::uint32_t{static_cast<unsigned char>(body[at + 4])} << 24) |
                               (std::uint32_t{static_cast<unsigned char>(body[at + 5])} << 16) |
                               (std::uint32_t{static_cast<unsigned char>(body[at + 6])} << 8) |
                               std::uint32_t{static_cast<unsigned char>(body[at + 7])};
    at += 8;
    const std::size_t take = std::min<std::size_t>(size, body.size() - at);
    out.append(body.substr(at, take));
    at += take;
  }
  truncated = false;
  if (out.size() > max_bytes) {
    out.erase(0, out.size() - max_bytes);
    truncated = true;
  }
  return out;
}

std::string container_name(const json& inspect) {
  std::string name = inspect.value("Name", std::string());
  if (!name.empty() && name[0] == '/') name.erase(0, 1);
  return name;
}

// Polls the state rather than POST /wait: the engine client has one read timeout for every
// call (60 s by default), while this wait must end at settings.wait_budget however long the
// container runs. Returns the final inspect, or null when the budget passed first.
Result<json> wait_for_exit(engine::EngineClient& engine, const std::string& id,
                           std::chrono::milliseconds budget) {
  const auto deadline = std::chrono::steady_clock::now() + budget;
  auto pause = std::chrono::milliseconds(50);
  for (;;) {
    auto inspect = json_body(engine.get("/containers/" + id + "/json"));
    if (!inspect) return inspect.error();
    const std::string status = inspect->value("/State/Status"_json_pointer, std::string());
    // "restarting": a restart policy brought it back; like `docker run` without -d, the first
    // exit is the answer (ExitCode keeps it).
    if (status == "exited" || status == "dead" || status == "restarting") return inspect;
    if (std::chrono::steady_clock::now() + pause > deadline) return json(nullptr);
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(500));
  }
}

// Checked before create rather than by mapping the create's 404: the facts the gate gathered
// go to the policy, not here, and a separate look-up also tells "no such image" apart from
// other 404s (a missing network, a missing volumes_from container).
Status check_image_present(engine::EngineClient& engine, const actions::ImageRef& image) {
  auto response = engine.get("/images/" + url_encode(image.full()) + "/json");
  if (!response) return response.error();
  if (response->status == 404) {
    return make_error("image " + image.familiar() +
                      " is not present on the engine: pull it first with docker_pull");
  }
  if (auto body = json_body(response); !body) return body.error();
  return Ok{};
}

}  // namespace

Result<json> run_container(engine::EngineClient& engine, const actions::RunContainer& run,
                           const ExecutionSettings& settings) {
  const auto& spec = run.spec;
  auto secrets = secret_mounts(spec, settings);
  if (!secrets) return secrets.error();
  if (auto present = check_image_present(engine, spec.image); !present) return present.error();
  // docker run --rm without -d: dockgate removes the container itself after reading its
  // output, since an engine-side AutoRemove would delete the logs before they are read.
  const bool remove_after_reading = spec.auto_remove && !run.detach;
  auto body = create_body(spec, *secrets, spec.auto_remove && !remove_after_reading);
  if (!body) return body.error();
  std::string target = "/containers/create";
  if (!spec.name.empty()) target += "?name=" + url_encode(spec.name);
  auto created = json_body(engine.post(target, *body));
  if (!created) return created.error();
  const std::string id = created->value("Id", std::string());
  if (id.empty()) return make_error("the engine created a container but did not say its id");
  json warnings = json::array();
  for (const auto& w : created->value("Warnings", json::array())) {
    if (w.is_string()) warnings.push_back(w);
  }

  for (const auto& attachment : spec.extra_networks) {
    const json connect = {{"Container", id}, {"EndpointConfig", {{"Aliases", attachment.aliases}}}};
    auto connected = status_only(
        engine.post("/networks/" + url_encode(attachment.network) + "/connect", connect),
        json::object());
    if (!connected) {
      (void)engine.del("/containers/" + id + "?force=1&v=1");
      return make_error("the container was created but could not join network " +
                        attachment.network + ", so it was removed: " + connected.error().message);
    }
  }
  auto started = status_only(engine.post("/containers/" + id + "/start"), json::object());
  if (!started) {
    // No half-made container stays behind (nor its anonymous volumes).
    (void)engine.del("/containers/" + id + "?force=1&v=1");
    return make_error("the container was created but could not be started, so it was removed: " +
                      started.error().message);
  }
  json result = {{"id", id}, {"name", spec.name}, {"warnings", warnings}};
  if (run.detach) {
    if (spec.name.empty()) {
      auto inspect = json_body(engine.get("/containers/" + id + "/json"));
      // With AutoRemove, a quick container may already be gone: the id still identifies it.
      if (inspect) result["name"] = container_name(*inspect);
    }
    return result;
  }

  auto exited = wait_for_exit(engine, id, settings.wait_budget);
  if (!exited) return exited.error();
  if (exited->is_null()) {
    result["still_running"] = true;
    result["waited_seconds"] =
        std::chrono::duration_cast<std::chrono::seconds>(settings.wait_budget).count();
    if (remove_after_reading) {
      result["warnings"].push_back(
          "it was not removed because it is still running: remove it with docker_rm later");
    }
    if (spec.name.empty()) result["name"] = id.substr(0, 12);
    return result;
  }
  result["name"] = container_name(*exited);
  result["exit_code"] = exited->value("/State/ExitCode"_json_pointer, 0);
  auto logs = engine.get("/containers/" + id +
                         "/logs?stdout=1&stderr=1&tail=" + std::to_string(kOutputLines));
  bool truncated = false;
  std::string output;
  if (logs && logs->ok()) {
    output = demux_output(logs->body, settings.max_output_bytes, truncated);
  } else {
    result["warnings"].push_back("its output could not be read");
  }
  result["output"] = std::move(output);
  result["output_truncated"] = truncated;
  if (remove_after_reading) (void)engine.del("/containers/" + id + "?force=1&v=1");
  return result;
}

Result<std::string> config_hash(const actions::ContainerSpec& spec,
                                const ExecutionSettings& settings) {
  auto secrets = secret_mounts(spec, settings);
  if (!secrets) return secrets.error();
  auto body = create_body(spec, *secrets, spec.auto_remove);
  if (!body) return body.error();
  // Further networks are connected after create, so they are not in the body: hashed too.
  json extra = json::array();
  for (const auto& n : spec.extra_networks) extra.push_back({n.network, n.aliases});
  const std::string text = body->dump() + extra.dump();
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest);
  std::string hex;
  static const char* kHex = "0123456789abcdef";
  for (const unsigned char byte : digest) {
    hex.push_back(kHex[byte >> 4]);
    hex.push_back(kHex[byte & 15]);
  }
  return hex;
}

}  // namespace dockgate::gate
