// docker_stop, docker_rm, docker_logs and docker_exec as Engine API requests. Logs and exec
// answers stream: they are read as they arrive, split into stdout and stderr (stream_frames),
// bounded in time (settings.follow_window, settings.wait_budget) and in size (the last
// settings.max_output_bytes are kept).
#include <algorithm>
#include <thread>

#include "gate/engine_requests.hpp"
#include "gate/stream_frames.hpp"
#include "tools/object_arguments.hpp"

namespace dockgate::gate {
namespace {

using nlohmann::json;
using std::chrono::steady_clock;

Error engine_error(const engine::EngineResponse& response, const std::string& hint = "") {
  return make_error("engine error (" + std::to_string(response.status) +
                    "): " + response.error_message() + hint);
}

double seconds_since(steady_clock::time_point start) {
  return std::chrono::duration<double>(steady_clock::now() - start).count();
}

// Drops the front of a kept tail down to keep bytes, starting at a whole line when possible.
std::string last_bytes(const std::string& text, std::size_t keep) {
  if (text.size() <= keep) return text;
  std::string_view tail(text);
  tail.remove_prefix(text.size() - keep);
  const auto newline = tail.find('\n');
  if (newline != std::string_view::npos && newline + 1 < tail.size())
    tail.remove_prefix(newline + 1);
  return std::string(tail);
}

// The two streams share one budget of max_bytes: each may use at least half of it, and what
// the other leaves unused.
json output_sections(const FrameDemuxer& demuxer, std::size_t max_bytes) {
  const std::string out = demuxer.out().text();
  const std::string err = demuxer.err().text();
  const std::size_t err_keep =
      std::min(err.size(), std::max(max_bytes / 2, max_bytes - std::min(out.size(), max_bytes)));
  const std::size_t out_keep = std::min(out.size(), max_bytes - err_keep);
  return {{"stdout", last_bytes(out, out_keep)},
          {"stderr", last_bytes(err, err_keep)},
          {"stdout_bytes", demuxer.out().total_bytes()},
          {"stderr_bytes", demuxer.err().total_bytes()},
          {"stdout_cut", demuxer.out().cut() || out_keep < out.size()},
          {"stderr_cut", demuxer.err().cut() || err_keep < err.size()},
          {"incomplete", demuxer.ended_mid_frame() || demuxer.malformed()}};
}

std::string flag(bool value) {
  return value ? "1" : "0";
}

// Containers created with a TTY send their output raw; without one, multiplexed.
Result<bool> container_has_tty(engine::EngineClient& engine, const std::string& container) {
  auto inspected = json_body(engine.get("/containers/" + url_encode(container) + "/json"));
  if (!inspected) return inspected.error();
  return inspected->value("/Config/Tty"_json_pointer, false);
}

}  // namespace

Result<json> stop_container(engine::EngineClient& engine, const actions::StopContainer& stop) {
  std::string target = "/containers/" + url_encode(stop.container) + "/stop";
  if (stop.timeout_seconds) target += "?t=" + std::to_string(*stop.timeout_seconds);
  auto response = engine.post(target);
  if (!response) return response.error();
  if (response->status == 304) return json{{"already_stopped", true}};
  if (!response->ok()) return engine_error(*response);
  return json{{"already_stopped", false}};
}

Result<json> remove_container(engine::EngineClient& engine,
                              const actions::RemoveContainer& remove) {
  auto response = engine.del("/containers/" + url_encode(remove.container) +
                             "?force=" + flag(remove.force) + "&v=" + flag(remove.remove_volumes));
  if (!response) return response.error();
  if (response->status == 409 &&
      response->error_message().find("cannot remove a running container") != std::string::npos) {
    return engine_error(*response,
                        " (the container is running: stop it first with docker_stop, or call "
                        "docker_rm again with force: true to kill and remove it)");
  }
  if (!response->ok()) return engine_error(*response);
  return json{{"removed", true}};
}

Result<json> read_logs(engine::EngineClient& engine, const actions::ReadLogs& logs,
                       const ExecutionSettings& settings) {
  auto tty = container_has_tty(engine, logs.container);
  if (!tty) return tty.error();
  std::string target = "/containers/" + url_encode(logs.container) +
                       "/logs?stdout=1&stderr=1&follow=" + flag(logs.follow) +
                       "&timestamps=" + flag(logs.timestamps) +
                       "&tail=" + (logs.tail ? std::to_string(*logs.tail) : std::string("all"));
  if (!logs.since.empty()) {
    // A duration counts back from now, the moment the request is made.
    auto since = tools::logs_since_to_unix(logs.since, std::chrono::system_clock::now());
    if (!since) return since.error();
    target += "&since=" + url_encode(*since);
  }
  const auto started = steady_clock::now();
  const auto window = logs.follow ? settings.follow_window : settings.wait_budget;
  FrameDemuxer demuxer(settings.max_output_bytes, /*raw=*/*tty);
  auto response = engine.get_stream(target, engine::StreamLimits{started + window},
                                    [&demuxer](std::string_view piece) { demuxer.feed(piece); });
  if (!response) return response.error();
  if (!response->ok()) return engine_error(*response);
  json result = output_sections(demuxer, settings.max_output_bytes);
  result["deadline_reached"] = response->deadline_reached;
  result[logs.follow ? "followed_seconds" : "read_seconds"] =
      response->deadline_reached ? std::chrono::duration<double>(window).count()
                                 : seconds_since(started);
  return result;
}

Result<json> exec_command(engine::EngineClient& engine, const actions::ExecCommand& exec,
                          const ExecutionSettings& settings) {
  json create = {{"AttachStdin", false}, {"AttachStdout", true}, {"AttachStderr", true},
                 {"Tty", false},         {"Privileged", false},  {"Cmd", exec.argv}};
  if (!exec.user.empty()) create["User"] = exec.user;
  if (!exec.workdir.empty()) create["WorkingDir"] = exec.workdir;
  if (!exec.env.empty()) create["Env"] = exec.env;
  auto created = engine.post("/containers/" + url_encode(exec.container) + "/exec", create);
  if (!created) return created.error();
  if (created->status == 409) {
    return engine_error(*created,
                        " (docker_exec needs a running container: start it first, or use "
                        "docker_logs to see why it stopped)");
  }
  auto created_body = json_body(created);
  if (!created_body) return created_body.error();
  const std::string id = created_body->value("Id", std::string());
  if (id.empty()) return make_error("the engine created the exec but sent no id for it");

  const auto started = steady_clock::now();
  FrameDemuxer demuxer(settings.max_output_bytes, /*raw=*/false);
  auto response = engine.post_stream("/exec/" + url_encode(id) + "/start",
                                     json{{"Detach", false}, {"Tty", false}},
                                     engine::StreamLimits{started + settings.wait_budget},
                                     [&demuxer](std::string_view piece) { demuxer.feed(piece); });
  if (!response) return response.error();
  if (!response->ok()) return engine_error(*response);

  // The stream ends when the process's output closes; its exit is recorded a moment later.
  auto state = json_body(engine.get("/exec/" + url_encode(id) + "/json"));
  for (int retry = 0;
       retry < 20 && state && state->value("Running", false) && !response->deadline_reached;
       ++retry) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    state = json_body(engine.get("/exec/" + url_encode(id) + "/json"));
  }
  if (!state) return state.error();
  json result = output_sections(demuxer, settings.max_output_bytes);
  const bool running = state->value("Running", false);
  result["still_running"] = running;
  const auto code = state->find("ExitCode");
  result["exit_code"] =
      !running && code != state->end() && code->is_number_integer() ? *code : json();
  result["waited_seconds"] = seconds_since(started);
  return result;
}

}  // namespace dockgate::gate
