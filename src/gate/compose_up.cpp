// docker_compose_up on the Engine API: the judged steps in order. Networks, volumes and images
// already there are kept; a service container is kept when its config hash is unchanged (so a
// second `up` of the same file changes nothing) and replaced when it changed. Nothing that does
// not carry this project's label is ever replaced. The whole call is bounded by
// settings.compose_budget, so the answer comes within the client's timeout.
#include <algorithm>
#include <chrono>
#include <thread>

#include "common/overloaded.hpp"
#include "gate/compose_support.hpp"
#include "gate/engine_requests.hpp"
#include "gate/stream_frames.hpp"

namespace dockgate::gate {
namespace {

using nlohmann::json;
using std::chrono::steady_clock;

std::chrono::milliseconds remaining(steady_clock::time_point deadline) {
  return std::max(
      std::chrono::milliseconds(1000),
      std::chrono::duration_cast<std::chrono::milliseconds>(deadline - steady_clock::now()));
}

// What depends_on asks for, polled until the deadline.
Status wait_for(engine::EngineClient& engine, const actions::ServiceWait& wait,
                steady_clock::time_point deadline) {
  auto pause = std::chrono::milliseconds(100);
  for (;;) {
    auto inspect = json_body(engine.get("/containers/" + url_encode(wait.container) + "/json"));
    if (!inspect) return make_error("depends_on " + wait.service + ": " + inspect.error().message);
    const std::string status = inspect->value("/State/Status"_json_pointer, std::string());
    const int exit_code = inspect->value("/State/ExitCode"_json_pointer, 0);
    switch (wait.condition) {
      case actions::WaitCondition::Started:
        if (status != "created") return Ok{};
        break;
      case actions::WaitCondition::Healthy: {
        if (!inspect->contains("/State/Health"_json_pointer))
          return make_error("depends_on " + wait.service +
                            " (service_healthy): that service has no healthcheck; give it one or "
                            "use condition service_started");
        const std::string health =
            inspect->value("/State/Health/Status"_json_pointer, std::string());
        if (health == "healthy") return Ok{};
        if (health == "unhealthy")
          return make_error("depends_on " + wait.service + ": the service is unhealthy");
        if (status == "exited" || status == "dead")
          return make_error("depends_on " + wait.service + ": the service exited (code " +
                            std::to_string(exit_code) + ") before it was healthy");
        break;
      }
      case actions::WaitCondition::CompletedSuccessfully:
        if (status == "exited" || status == "dead") {
          if (exit_code == 0) return Ok{};
          return make_error("depends_on " + wait.service + " (service_completed_successfully): " +
                            "it exited with code " + std::to_string(exit_code));
        }
        break;
    }
    if (steady_clock::now() + pause > deadline)
      return make_error("depends_on " + wait.service + ": the condition was not met in time (" +
                        "the call waits at most its compose budget); call docker_compose_up "
                        "again once the service is ready, or see docker_logs " +
                        wait.container);
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(1000));
  }
}

class UpRun {
 public:
  UpRun(engine::EngineClient& engine, const actions::ComposeUp& up,
        const ExecutionSettings& settings)
      : engine_(engine),
        up_(up),
        settings_(settings),
        deadline_(steady_clock::now() + settings.compose_budget),
        log_(up.project) {}

  // false: the step failed (recorded), and the run stops.
  bool step(const actions::ComposeStep& step) {
    return std::visit(Overloaded{
                          [&](const actions::CreateNetwork& a) { return network(step, a); },
                          [&](const actions::CreateVolume& a) { return volume(step, a); },
                          [&](const actions::PullImage& a) { return pull(step, a); },
                          [&](const actions::BuildImage& a) { return build(step, a); },
                          [&](const actions::RunContainer& a) { return run(step, a); },
                          [&](const auto&) {
                            return log_.failed(step,
                                               "this step does not belong to docker_compose_up");
                          },
                      },
                      step.action);
  }

  json finish() {
    json result = log_.result();
    result["services"] = up_.services;
    if (!log_.ok() || up_.detach) return result;
    // detach: false: wait (bounded) for every started service to exit, then their logs.
    json logs = json::object();
    for (const auto& step : up_.steps) {
      const auto* run = std::get_if<actions::RunContainer>(&step.action);
      if (run == nullptr) continue;
      logs[run->spec.name] = exited_logs(run->spec.name);
    }
    result["logs"] = std::move(logs);
    return result;
  }

 private:
  // A network or volume: created when the decision saw none; kept when it saw one. One that
  // appeared after the decision was not judged as this caller's: the step fails.
  template <class Create>
  bool object(const actions::ComposeStep& step, const Create& create, const std::string& path,
              Result<json> (*make)(engine::EngineClient&, const Create&)) {
    auto existing = labels_of(engine_, path + url_encode(create.name));
    if (!existing) return log_.failed(step, existing.error().message);
    if (*existing) {
      if (step.judged_id && step.judged_id->empty())
        return log_.failed(step, create.name + " appeared after the decision; call again");
      return log_.done(step, "exists", create.name);
    }
    auto created = make(engine_, create);
    if (!created) return log_.failed(step, created.error().message);
    return log_.done(step, "created", create.name);
  }

  bool network(const actions::ComposeStep& step, const actions::CreateNetwork& create) {
    return object(step, create, "/networks/", &create_network);
  }

  bool volume(const actions::ComposeStep& step, const actions::CreateVolume& create) {
    return object(step, create, "/volumes/", &create_volume);
  }

  // A pull runs only when it was judged, i.e. when the decision saw the image missing.
  bool pull(const actions::ComposeStep& step, const actions::PullImage& pull) {
    auto present = image_present(engine_, pull.image.full());
    if (!present) return log_.failed(step, present.error().message);
    if (*present) return log_.done(step, "present", pull.image.familiar());
    if (!step.judged_id || !step.judged_id->empty())
      return log_.failed(step, pull.image.familiar() +
                                   " was removed after the decision (its pull was not judged); "
                                   "call again");
    ExecutionSettings bounded = settings_;
    bounded.pull_budget = remaining(deadline_);
    auto pulled = pull_image(engine_, pull, bounded, nullptr);
    if (!pulled) return log_.failed(step, pulled.error().message);
    if (!pulled->value("complete", false))
      return log_.failed(step, "the pull of " + pull.image.familiar() +
                                   " did not finish in time; it goes on in the engine: call "
                                   "docker_compose_up again in a minute");
    return log_.done(step, "pulled", pull.image.familiar());
  }

  // Always built (the build cache makes an unchanged build cheap): a tag that is merely
  // present may be anyone's image, built from anything.
  bool build(const actions::ComposeStep& step, const actions::BuildImage& build) {
    const std::string tag = build.tags.empty() ? std::string() : build.tags.front();
    ExecutionSettings bounded = settings_;
    bounded.build_budget = remaining(deadline_);
    auto built = build_image(engine_, build, bounded);
    if (!built) return log_.failed(step, built.error().message);
    return log_.done(step, "built", tag);
  }

  bool run(const actions::ComposeStep& step, const actions::RunContainer& planned) {
    for (const auto& wait : step.waits) {
      if (auto met = wait_for(engine_, wait, deadline_); !met)
        return log_.failed(step, met.error().message);
    }
    actions::RunContainer run = planned;
    auto hash = config_hash(run.spec, settings_);
    if (!hash) return log_.failed(step, hash.error().message);
    run.spec.labels[std::string(kConfigHashLabel)] = *hash;
    const std::string& name = run.spec.name;
    auto existing = json_body(engine_.get("/containers/" + url_encode(name) + "/json"));
    std::string what = "created";
    if (existing) {
      // Only the container the decision saw may be kept or replaced.
      const std::string id = existing->value("Id", std::string());
      if (!step.judged_id || *step.judged_id != id)
        return log_.failed(
            step, "the container " + name + " appeared or changed after the decision; call again");
      auto labels = existing->value("/Config/Labels"_json_pointer, json::object());
      if (!labels.is_object()) labels = json::object();
      if (labels.value(std::string(kProjectLabel), std::string()) != up_.project)
        return log_.failed(step, "a container named " + name +
                                     " exists and is not part of project " + up_.project +
                                     ": remove or rename it, or choose another project name");
      if (labels.value(std::string(kConfigHashLabel), std::string()) == *hash) {
        if (existing->value("/State/Running"_json_pointer, false))
          return log_.done(step, "running", name);
        auto started = status_only(engine_.post("/containers/" + id + "/start"), json::object());
        if (!started) return log_.failed(step, started.error().message);
        return log_.done(step, "started", name);
      }
      if (auto removed = stop_and_remove(engine_, id, false, remaining(deadline_)); !removed)
        return log_.failed(step, removed.error().message);
      what = "recreated";
    } else if (existing.error().message.find("engine error (404)") == std::string::npos) {
      return log_.failed(step, existing.error().message);
    }
    auto created = run_container(engine_, run, settings_);
    if (!created) return log_.failed(step, created.error().message);
    return log_.done(step, what, name, created->value("id", std::string()));
  }

  json exited_logs(const std::string& name) {
    json entry = json::object();
    for (;;) {
      auto inspect = json_body(engine_.get("/containers/" + url_encode(name) + "/json"));
      if (!inspect) return {{"error", inspect.error().message}};
      const std::string status = inspect->value("/State/Status"_json_pointer, std::string());
      if (status == "exited" || status == "dead") {
        entry["exit_code"] = inspect->value("/State/ExitCode"_json_pointer, 0);
        break;
      }
      if (steady_clock::now() + std::chrono::milliseconds(250) > deadline_) {
        entry["still_running"] = true;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(250));
    }
    auto logs = engine_.get("/containers/" + url_encode(name) + "/logs?stdout=1&stderr=1&tail=50");
    FrameDemuxer output(settings_.max_output_bytes, /*raw=*/false);
    if (logs && logs->ok()) output.feed(logs->body);
    entry["output"] = output.out().text() + output.err().text();
    return entry;
  }

  engine::EngineClient& engine_;
  const actions::ComposeUp& up_;
  const ExecutionSettings& settings_;
  steady_clock::time_point deadline_;
  StepLog log_;
};

}  // namespace

Result<json> compose_up(engine::EngineClient& engine, const actions::ComposeUp& up,
                        const ExecutionSettings& settings,
                        const std::function<void(double, std::string)>& progress) {
  UpRun run(engine, up, settings);
  for (std::size_t i = 0; i < up.steps.size(); ++i) {
    if (progress) progress(static_cast<double>(i), up.steps[i].subject);
    if (!run.step(up.steps[i])) break;
  }
  return run.finish();
}

}  // namespace dockgate::gate
