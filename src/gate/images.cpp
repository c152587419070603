// docker_pull and docker_rmi as Engine API requests. A pull answers 200 at once and then
// streams one JSON object per line; a failure is one of those lines ({"error": ...}), not an
// HTTP status. The stream is read for at most settings.pull_budget.
#include <set>
#include <string>
#include <vector>

#include "gate/engine_requests.hpp"

namespace dockgate::gate {
namespace {

using nlohmann::json;
using std::chrono::steady_clock;

constexpr std::size_t kMaxKeptStatusLines = 32;
constexpr std::size_t kMaxLineBytes = 64 * 1024;  // a progress line is ~200 bytes

Error engine_error(const engine::EngineResponse& response, const std::string& hint = "") {
  return make_error("engine error (" + std::to_string(response.status) +
                    "): " + response.error_message() + hint);
}

// Padded base64 with the URL alphabet: what the engine decodes X-Registry-Auth with.
std::string base64url(std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const unsigned v = (static_cast<unsigned char>(bytes[i]) << 16) |
                       (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                       static_cast<unsigned char>(bytes[i + 2]);
    for (int shift : {18, 12, 6, 0}) out.push_back(kAlphabet[(v >> shift) & 63]);
  }
  if (i < bytes.size()) {
    unsigned v = static_cast<unsigned char>(bytes[i]) << 16;
    if (i + 1 < bytes.size()) v |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.push_back(i + 1 < bytes.size() ? kAlphabet[(v >> 6) & 63] : '=');
    out.push_back('=');
  }
  return out;
}

// What the pull stream said, kept small: the summary lines, the digest, the first error.
class PullProgress {
 public:
  explicit PullProgress(const std::function<void(double, std::string)>& report) : report_(report) {}

  void feed(std::string_view piece) {
    pending_.append(piece);
    std::size_t start = 0;
    for (auto end = pending_.find('\n', start); end != std::string::npos;
         end = pending_.find('\n', start)) {
      line(std::string_view(pending_).substr(start, end - start));
      start = end + 1;
    }
    pending_.erase(0, start);
    // A line that never ends is not a progress line: keep reading, drop what piles up.
    if (pending_.size() > kMaxLineBytes) pending_.clear();
  }

  void finish() {
    if (!pending_.empty()) line(pending_);
    pending_.clear();
  }

  const std::string& error() const { return error_; }
  const std::string& digest() const { return digest_; }
  const std::string& final_status() const { return final_status_; }
  const std::vector<std::string>& status_lines() const { return status_lines_; }
  std::size_t layer_count() const { return layers_.size(); }

 private:
  void line(std::string_view text) {
    const json event = json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (!event.is_object()) return;
    if (const auto error = event.find("error"); error != event.end() && error_.empty()) {
      const auto detail = event.value("/errorDetail/message"_json_pointer, std::string());
      error_ = error->is_string() ? error->get<std::string>() : detail;
      if (error_.empty()) error_ = "the engine reported an error without words";
      return;
    }
    const std::string status = event.value("status", std::string());
    const std::string id = event.value("id", std::string());
    if (status.empty()) return;
    if (id.empty() || status.rfind("Pulling from", 0) == 0) {
      keep(id.empty() ? status : status + " " + id);
      if (status.rfind("Digest: ", 0) == 0) digest_ = status.substr(8);
      if (status.rfind("Status: ", 0) == 0) final_status_ = status.substr(8);
    } else {
      layers_.insert(id);
    }
    // One report per change of a layer's state, not per byte count.
    const std::string message = id.empty() ? status : id + ": " + status;
    if (message == last_message_) return;
    last_message_ = message;
    ++events_;
    if (report_) report_(static_cast<double>(events_), message);
  }

  void keep(std::string text) {
    if (status_lines_.size() < kMaxKeptStatusLines) status_lines_.push_back(std::move(text));
  }

  const std::function<void(double, std::string)>& report_;
  std::string pending_;
  std::string error_;
  std::string digest_;
  std::string final_status_;
  std::string last_message_;
  std::vector<std::string> status_lines_;
  std::set<std::string> layers_;
  std::size_t events_ = 0;
};

}  // namespace

Result<json> pull_image(engine::EngineClient& engine, const actions::PullImage& pull,
                        const ExecutionSettings& settings,
                        const std::function<void(double, std::string)>& progress) {
  const auto& image = pull.image;
  const std::string from = image.registry + "/" + image.repository;
  const std::string tag = image.digest.empty() ? image.tag : image.digest;
  std::string target = "/images/create?fromImage=" + url_encode(from);
  if (!tag.empty()) target += "&tag=" + url_encode(tag);

  engine::RequestHeaders headers;
  if (const auto credential = settings.registry_auth.find(image.registry);
      credential != settings.registry_auth.end()) {
    const json auth = {{"username", credential->second.username},
                       {"password", credential->second.password},
                       {"serveraddress", image.registry}};
    headers.emplace_back("X-Registry-Auth", base64url(auth.dump()));
  }

  const auto started = steady_clock::now();
  PullProgress seen(progress);
  auto response = engine.post_stream(
      target, json::object(), engine::StreamLimits{started + settings.pull_budget},
      [&seen](std::string_view piece) { seen.feed(piece); }, headers);
  if (!response) return response.error();
  if (!response->ok()) return engine_error(*response);
  seen.finish();
  if (!seen.error().empty()) {
    return make_error("the pull of " + image.familiar() + " failed: " + seen.error());
  }
  const bool complete = !response->deadline_reached && !response->truncated;
  return json{{"image", image.familiar()},
              {"reference", image.full()},
              {"complete", complete},
              {"digest", seen.digest()},
              {"status", seen.final_status()},
              {"status_lines", seen.status_lines()},
              {"layers", seen.layer_count()},
              {"seconds", std::chrono::duration<double>(steady_clock::now() - started).count()},
              {"budget_seconds", std::chrono::duration<double>(settings.pull_budget).count()}};
}

Result<json> remove_image(engine::EngineClient& engine, const actions::RemoveImage& remove) {
  auto response = engine.del("/images/" + url_encode(remove.image) +
                             "?force=" + (remove.force ? "1" : "0") + "&noprune=0");
  if (!response) return response.error();
  if (response->status == 409) {
    return engine_error(*response,
                        " (remove the containers that use it first with docker_rm, or call "
                        "docker_rmi again with force: true)");
  }
  auto body = json_body(response);
  if (!body) return body.error();
  if (!body->is_array()) return make_error("the engine answered an image removal without a list");
  return json{{"removed", *body}};
}

}  // namespace dockgate::gate
