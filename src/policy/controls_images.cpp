// Images, exec and the volume/network create controls. Images are judged on the structured
// reference (registry, repository, tag, digest) after docker's normalization, never on the
// string the caller typed: "nginx" is docker.io/library/nginx:latest.
#include <algorithm>

#include "policy/controls.hpp"
#include "policy/text.hpp"

namespace dockgate::policy {
namespace {

using text::concat;
using text::quote;

std::string join(const std::vector<std::string>& items) {
  std::string text;
  for (const auto& item : items) {
    if (!text.empty()) text += ", ";
    text += item;
  }
  return text.empty() ? "(none)" : text;
}

bool any_glob(const std::vector<std::string>& patterns, const std::string& text) {
  return std::any_of(patterns.begin(), patterns.end(),
                     [&](const std::string& p) { return glob_matches(p, text); });
}

std::string pattern_texts(const std::vector<CommandPattern>& patterns) {
  std::vector<std::string> texts;
  for (const auto& p : patterns) texts.push_back(p.text);
  return join(texts);
}

}  // namespace

bool glob_matches(std::string_view pattern, std::string_view text) {
  if (pattern.empty()) return text.empty();
  if (pattern.substr(0, 2) == "**") {
    for (std::size_t skip = 0; skip <= text.size(); ++skip) {
      if (glob_matches(pattern.substr(2), text.substr(skip))) return true;
    }
    return false;
  }
  if (pattern[0] == '*') {
    for (std::size_t skip = 0; skip <= text.size(); ++skip) {
      if (glob_matches(pattern.substr(1), text.substr(skip))) return true;
      if (skip < text.size() && text[skip] == '/') break;  // '*' stays within a segment
    }
    return false;
  }
  return !text.empty() && pattern[0] == text[0] && glob_matches(pattern.substr(1), text.substr(1));
}

void check_image(const ImageControl& control, const actions::ImageRef& image,
                 std::vector<Finding>& out, const std::string& field) {
  if (image.registry.empty() || image.repository.empty()) {
    out.push_back(Finding{"images", field, quote(image.full()), "a parsed image reference",
                          "give a full image reference such as registry.example.com/team/app:1.2"});
    return;
  }
  // Built once, and only when a check needs them.
  std::optional<std::string> found_text;
  auto found = [&]() -> const std::string& {
    if (!found_text) found_text = quote(image.full());
    return *found_text;
  };
  std::optional<std::string> name_text;
  auto name = [&]() -> const std::string& {
    if (!name_text) name_text = concat({image.registry, "/", image.repository});
    return *name_text;
  };
  if (!control.allowed_registries.empty() && !any_glob(control.allowed_registries, image.registry))
    out.push_back(Finding{"images", field, found(),
                          "registries: " + join(control.allowed_registries),
                          "use an image from " + join(control.allowed_registries)});
  if (any_glob(control.denied_registries, image.registry))
    out.push_back(Finding{"images", field, found(),
                          "any registry except: " + join(control.denied_registries),
                          "use an image from another registry"});
  if (!control.allowed_repositories.empty() && !any_glob(control.allowed_repositories, name()))
    out.push_back(
        Finding{"images", field, found(), "repositories: " + join(control.allowed_repositories),
                "use an image whose repository matches " + join(control.allowed_repositories)});
  if (any_glob(control.denied_repositories, name()))
    out.push_back(Finding{"images", field, found(),
                          "any repository except: " + join(control.denied_repositories),
                          "use another image"});
  // A digest pins the content whatever the tag says (docker pulls by the digest).
  if (control.forbid_latest && image.digest.empty() &&
      (image.implicit_tag || image.tag.empty() || image.tag == "latest"))
    out.push_back(Finding{"images", field + ".tag",
                          image.implicit_tag ? concat({found(), " (no tag: latest)"}) : found(),
                          "a pinned tag or digest, not latest",
                          "give a version tag (e.g. :1.36) or a digest (@sha256:...)"});
  if (control.require_digest && image.digest.empty())
    out.push_back(Finding{"images", field + ".digest", found(), "a digest (@sha256:...)",
                          concat({"pin the image by digest: ", name(), "@sha256:<digest>"})});
}

void check_build(const Controls& controls, const actions::BuildImage& build,
                 std::vector<Finding>& out) {
  if (controls.images) {
    for (std::size_t i = 0; i < build.from_images.size(); ++i)
      check_image(*controls.images, build.from_images[i], out, "from[" + std::to_string(i) + "]");
  }
  if (controls.build) {
    const auto& allowed = controls.build->network_modes;
    const std::string mode = build.network_mode.empty() ? "default" : build.network_mode;
    if (std::find(allowed.begin(), allowed.end(), mode) == allowed.end())
      out.push_back(Finding{"build", "network", quote(mode), "network modes: " + join(allowed),
                            "build with network " + join(allowed)});
  }
}

void check_exec(const Controls& controls, const actions::ExecCommand& exec,
                const actions::Facts& facts, std::vector<Finding>& out) {
  const bool forbid_root =
      controls.run_as_non_root.value_or(false) || (controls.exec && controls.exec->forbid_root);
  const char* control_name = controls.run_as_non_root.value_or(false) ? "run_as_non_root" : "exec";
  // An empty exec user runs as the container's configured User (which already holds the
  // image's default); an empty one of those is root.
  std::optional<std::string> effective = exec.user;
  std::string found = quote(exec.user);
  if (exec.user.empty()) {
    if (facts.container && facts.container->exists) {
      effective = facts.container->user;
      found = "\"\" (container user " + quote(facts.container->user) + ")";
    } else {
      effective.reset();
    }
  }
  const std::string fix = "set user to a numeric non-root UID, e.g. \"1000\"";
  if (forbid_root) {
    if (!effective) {
      out.push_back(Finding{control_name, "user", "\"\" (the container's user, unknown)",
                            "a non-root numeric UID",
                            "the target container was not found; " + fix});
    } else if (effective->empty()) {
      out.push_back(Finding{control_name, "user", found, "a non-root numeric UID",
                            "the container runs as root by default; " + fix});
    } else if (auto problem = root_user_problem(*effective)) {
      out.push_back(
          Finding{control_name, "user", found, "a non-root numeric UID", *problem + "; " + fix});
    }
  }
  if (!controls.exec) return;
  const auto& control = *controls.exec;
  if (!control.allowed_users.empty() &&
      std::find(control.allowed_users.begin(), control.allowed_users.end(),
                effective.value_or("")) == control.allowed_users.end())
    out.push_back(Finding{"exec", "user", found, "users: " + join(control.allowed_users),
                          "set user to one of " + join(control.allowed_users)});
  std::string command;
  for (const auto& arg : exec.argv) command += (command.empty() ? "" : " ") + arg;
  for (const auto& pattern : control.denied_commands) {
    if (std::regex_match(command, pattern.regex))
      out.push_back(Finding{"exec", "command", quote(command),
                            "commands not matching: " + pattern_texts(control.denied_commands),
                            "this command is not allowed in exec"});
  }
  if (!control.allowed_commands.empty() &&
      std::none_of(control.allowed_commands.begin(), control.allowed_commands.end(),
                   [&](const CommandPattern& p) { return std::regex_match(command, p.regex); }))
    out.push_back(Finding{"exec", "command", quote(command),
                          "commands matching: " + pattern_texts(control.allowed_commands),
                          "run a command the policy allows"});
}

void check_volume_create(const VolumeDriverControl& control, const actions::CreateVolume& volume,
                         std::vector<Finding>& out) {
  if (!control.allowed.empty() && std::find(control.allowed.begin(), control.allowed.end(),
                                            volume.driver) == control.allowed.end())
    out.push_back(Finding{"volume_drivers", "driver", quote(volume.driver), join(control.allowed),
                          "use driver " + join(control.allowed)});
  for (const auto& [key, value] : volume.driver_opts) {
    const std::string field = "driver_opts." + key;
    if (control.allowed_options &&
        std::find(control.allowed_options->begin(), control.allowed_options->end(), key) ==
            control.allowed_options->end()) {
      out.push_back(Finding{"volume_drivers", field, quote(value),
                            "options: " + join(*control.allowed_options),
                            "remove the option " + key});
      continue;
    }
    if (!control.forbid_bind_options) continue;
    bool binds = key == "device";
    if (key == "o") {
      // "o" is a comma-separated mount option list: bind or rbind anywhere in it.
      std::size_t start = 0;
      while (start <= value.size()) {
        auto end = value.find(',', start);
        if (end == std::string::npos) end = value.size();
        const auto option = value.substr(start, end - start);
        if (option == "bind" || option == "rbind") binds = true;
        start = end + 1;
      }
    }
    if (key == "type" && (value == "none" || value == "bind")) binds = true;
    if (binds)
      out.push_back(
          Finding{"volume_drivers", field, quote(value),
                  "no bind or device options (type=none, o=bind, device=...)",
                  "create a plain named volume without driver options; a local volume with "
                  "o=bind and device=<path> exposes that host path"});
  }
}

}  // namespace dockgate::policy
