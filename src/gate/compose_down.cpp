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
                     remove(step, "/containers/" + url_encode(a.container),
                            "?force=1" + std::string(a.remove_volumes ? "&v=1" : ""), a.container,
                            "/json");
                   },
                   [&](const actions::RemoveNetwork& a) {
                     remove(step, "/networks/" + url_encode(a.name), "", a.name, "");
                   },
                   [&](const actions::RemoveVolume& a) {
                     remove(step, "/volumes/" + url_encode(a.name), "", a.name, "");
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
  void remove(const actions::ComposeStep& step, const std::string& path, const std::string& query,
              const std::string& name, const std::string& inspect_suffix) {
    auto labels = labels_of(engine_, path + inspect_suffix);
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
    auto removed = status_only(engine_.del(path + query), json::object());
    if (!removed) {
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
