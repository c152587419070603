// docker_compose_down on the Engine API: containers, then networks, then (when asked) volumes
// and images. An object that is absent is skipped; one without this project's label is left
// alone and said so (a same-named object of someone else's is never removed). A failed removal
// (a volume in use, an image used by another container) is reported and the rest still runs,
// as `docker compose down` does.
#include "common/overloaded.hpp"
#include "gate/compose_support.hpp"
#include "gate/engine_requests.hpp"

namespace dockgate::gate {
namespace {

using nlohmann::json;

class DownRun {
 public:
  DownRun(engine::EngineClient& engine, const actions::ComposeDown& down)
      : engine_(engine), down_(down), log_(down.project) {}

  void step(const actions::ComposeStep& step) {
    std::visit(Overloaded{
                   [&](const actions::RemoveContainer& a) {
                     remove(step, "/containers/", "/json", a.container, [&](const std::string& id) {
                       return stop_and_remove(engine_, id, a.remove_volumes, kStopBudget);
                     });
                   },
                   [&](const actions::RemoveNetwork& a) {
                     remove(step, "/networks/", "", a.name, [&](const std::string& id) {
                       return plain_delete("/networks/" + url_encode(id));
                     });
                   },
                   [&](const actions::RemoveVolume& a) {
                     remove(step, "/volumes/", "", a.name, [&](const std::string& id) {
                       return plain_delete("/volumes/" + url_encode(id));
                     });
                   },
                   [&](const actions::RemoveImage& a) { remove_image(step, a); },
                   [&](const auto&) {
                     log_.failed(step, "this step does not belong to docker_compose_down");
                   },
               },
               step.action);
  }

  json result() const { return log_.result(); }

 private:
  // Per container: its stop timeout, at most this (the call stays within a client's timeout
  // for a few services; more is answered by the engine's read timeout, and retried).
  static constexpr std::chrono::milliseconds kStopBudget{11000};

  Status plain_delete(const std::string& path) {
    auto removed = status_only(engine_.del(path), json::object());
    if (!removed) return removed.error();
    return Ok{};
  }

  // Only the object the decision saw (by its id): one judged absent is not looked for again,
  // so nothing that appeared after the decision is removed unjudged.
  template <class Delete>
  void remove(const actions::ComposeStep& step, const std::string& prefix,
              const std::string& inspect_suffix, const std::string& name, Delete&& erase) {
    if (step.judged_id && step.judged_id->empty()) {
      log_.done(step, "absent", name);
      return;
    }
    const std::string id = step.judged_id ? *step.judged_id : name;
    auto labels = labels_of(engine_, prefix + url_encode(id) + inspect_suffix);
    if (!labels) {
      log_.failed(step, labels.error().message);
      return;
    }
    if (!*labels) {
      log_.done(step, "absent", name);
      return;
    }
    if ((*labels)->value(std::string(kProjectLabel), std::string()) != down_.project) {
      log_.done(step,
                "left alone: not labelled " + std::string(kProjectLabel) + "=" + down_.project,
                name);
      return;
    }
    if (auto removed = erase(id); !removed) {
      log_.failed(step, removed.error().message);
      return;
    }
    log_.done(step, "removed", name);
  }

  // Images carry no project label: the file names them, and an image another container uses
  // is refused by the engine (no force), which is reported.
  void remove_image(const actions::ComposeStep& step, const actions::RemoveImage& image) {
    auto present = image_present(engine_, image.image);
    if (!present) {
      log_.failed(step, present.error().message);
      return;
    }
    if (!*present) {
      log_.done(step, "absent", image.image);
      return;
    }
    auto removed = gate::remove_image(engine_, image);
    if (!removed) {
      log_.failed(step, removed.error().message);
      return;
    }
    log_.done(step, "removed", image.image);
  }

  engine::EngineClient& engine_;
  const actions::ComposeDown& down_;
  StepLog log_;
};

}  // namespace

Result<json> compose_down(engine::EngineClient& engine, const actions::ComposeDown& down) {
  DownRun run(engine, down);
  for (const auto& step : down.steps) run.step(step);
  return run.result();
}

}  // namespace dockgate::gate
