// docker_build: the context folder (on the dockgate host) packed as a tar and sent as the body
// of POST /build; the builder's JSON lines read as they come, within settings.build_budget.
// The tar is built in memory (bounded by max_build_context_bytes) and sent whole: the engine
// client sends bodies in one piece.
#include <algorithm>
#include <deque>

#include "gate/build_context.hpp"
#include "gate/engine_requests.hpp"
#include "tools/dockerfile_from.hpp"

namespace dockgate::gate {
namespace {

using nlohmann::json;

constexpr std::size_t kKeptLines = 40;
constexpr std::size_t kMaxLineBytes = 2048;

// The builder's answer: {"stream": "Step 1/3 : FROM ..."}, {"aux": {"ID": "sha256:..."}},
// {"status": "..."} while pulling, {"error": "...", "errorDetail": {...}} when it fails.
class BuildOutput {
 public:
  void feed(std::string_view piece) {
    pending_.append(piece);
    std::size_t newline;
    while ((newline = pending_.find('\n')) != std::string::npos) {
      line(pending_.substr(0, newline));
      pending_.erase(0, newline + 1);
    }
    if (pending_.size() > 1 << 20) pending_.clear();  // no line is that long: drop it
  }
  void finish() {
    if (!pending_.empty()) line(pending_);
    pending_.clear();
  }

  std::deque<std::string> lines;
  std::string image_id;
  std::string error;

 private:
  void keep(std::string_view text) {
    std::size_t start = 0;
    while (start < text.size()) {
      auto end = text.find('\n', start);
      if (end == std::string_view::npos) end = text.size();
      auto part = std::string(text.substr(start, std::min(end - start, kMaxLineBytes)));
      while (!part.empty() && (part.back() == '\r' || part.back() == ' ')) part.pop_back();
      if (!part.empty()) lines.push_back(part);
      if (lines.size() > kKeptLines) lines.pop_front();
      start = end + 1;
    }
  }
  void line(const std::string& text) {
    const auto message = json::parse(text, nullptr, false);
    if (message.is_discarded() || !message.is_object()) return;
    if (const auto it = message.find("stream"); it != message.end() && it->is_string())
      keep(it->get<std::string>());
    if (const auto it = message.find("status");
        it != message.end() && it->is_string() && !message.contains("progressDetail"))
      keep(it->get<std::string>());
    if (const auto it = message.find("aux"); it != message.end() && it->is_object()) {
      if (const auto id = it->find("ID"); id != it->end() && id->is_string())
        image_id = id->get<std::string>();
    }
    if (const auto it = message.find("error"); it != message.end() && it->is_string())
      error = it->get<std::string>();
  }
  std::string pending_;
};

std::string build_query(const actions::BuildImage& build) {
  std::string query = "?dockerfile=" + url_encode(build.dockerfile) + "&rm=1&forcerm=1";
  for (const auto& tag : build.tags) query += "&t=" + url_encode(tag);
  if (!build.build_args.empty()) query += "&buildargs=" + url_encode(json(build.build_args).dump());
  if (!build.target.empty()) query += "&target=" + url_encode(build.target);
  if (build.no_cache) query += "&nocache=1";
  if (!build.network_mode.empty()) query += "&networkmode=" + url_encode(build.network_mode);
  return query;
}

// The Dockerfile packed must be the one judged: read again, its images must be the same.
Status same_images(const actions::BuildImage& build, const std::string& dockerfile) {
  auto images = tools::parse_dockerfile_images(dockerfile, build.build_args);
  if (!images) return images.error();
  std::vector<std::string> now;
  std::vector<std::string> judged;
  for (const auto& image : images->images) now.push_back(image.full());
  for (const auto& image : build.from_images) judged.push_back(image.full());
  if (now != judged)
    return make_error(
        "the Dockerfile changed between the policy decision and the build; "
        "call docker_build again");
  return Ok{};
}

std::string joined(const std::deque<std::string>& lines) {
  std::string out;
  for (const auto& line : lines) out += (out.empty() ? "" : "\n") + line;
  return out;
}

}  // namespace

Result<json> build_image(engine::EngineClient& engine, const actions::BuildImage& build,
                         const ExecutionSettings& settings) {
  auto context =
      make_context_tar(build.context_dir, build.dockerfile, settings.max_build_context_bytes);
  if (!context) return context.error();
  if (auto same = same_images(build, context->dockerfile); !same) return same.error();
  const auto context_bytes = context->bytes.size();

  BuildOutput output;
  const auto deadline = std::chrono::steady_clock::now() + settings.build_budget;
  auto response = engine.post_stream_body("/build" + build_query(build), std::move(context->bytes),
                                          "application/x-tar", engine::StreamLimits{deadline},
                                          [&](std::string_view piece) { output.feed(piece); });
  if (!response) return response.error();
  if (!response->ok()) {
    return make_error("engine error (" + std::to_string(response->status) +
                      "): " + response->error_message());
  }
  output.finish();
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(settings.build_budget);
  if (!output.error.empty()) {
    return make_error("the build failed: " + output.error +
                      (output.lines.empty() ? "" : "\nlast output:\n" + joined(output.lines)));
  }
  if (response->deadline_reached) {
    return make_error("the build did not finish within " + std::to_string(seconds.count()) +
                      " s and was stopped (the engine cancels a build whose client leaves); "
                      "build smaller steps first so the cache carries the rest" +
                      (output.lines.empty() ? "" : "\nlast output:\n" + joined(output.lines)));
  }
  if (output.image_id.empty()) {
    return make_error("the build ended without an image id (the connection closed early?)" +
                      (output.lines.empty() ? "" : "\nlast output:\n" + joined(output.lines)));
  }
  return json{{"image_id", output.image_id},
              {"tags", build.tags},
              {"context_bytes", context_bytes},
              {"context_entries", context->entries},
              {"output", json(std::vector<std::string>(output.lines.begin(), output.lines.end()))}};
}

}  // namespace dockgate::gate
