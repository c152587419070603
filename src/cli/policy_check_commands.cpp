// `dockgate policy check` (alias `validate`): every error of every file at once, each as
// file:line:col: CODE message. `dockgate policy explain`: the decision for one call, planned
// by the real tool, judged by the given policy files, without an engine.
#include "cli/policy_check_commands.hpp"

#include <algorithm>
#include <filesystem>
#include <iostream>

#include "policy/policy.hpp"
#include "tools/tool.hpp"

namespace dockgate::cli {
namespace {

using nlohmann::json;

// Folders contribute their *.yaml and *.yml files, sorted; files are taken as given.
std::vector<std::string> policy_files(const std::vector<std::string>& args, int& problems) {
  std::vector<std::string> files;
  for (const auto& arg : args) {
    std::error_code ec;
    if (std::filesystem::is_directory(arg, ec)) {
      std::vector<std::string> found;
      for (const auto& entry : std::filesystem::directory_iterator(arg, ec)) {
        const auto ext = entry.path().extension();
        if (entry.is_regular_file() && (ext == ".yaml" || ext == ".yml"))
          found.push_back(entry.path().string());
      }
      if (ec) {
        std::cout << arg << ": cannot list the folder: " << ec.message() << "\n";
        ++problems;
      }
      std::sort(found.begin(), found.end());
      files.insert(files.end(), found.begin(), found.end());
    } else {
      files.push_back(arg);  // a missing file is reported by the loader
    }
  }
  return files;
}

std::size_t line_count(const std::string& text) {
  return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')) + 1;
}

// A decision for a person: allowed or not, every violation with how to comply, warnings.
void print_decision(const std::string& tool, const policy::Decision& d) {
  std::cout << tool << ": " << (d.allowed ? "allowed" : "denied") << " (policy "
            << d.policy_sha256.substr(0, 12) << ")\n";
  if (!d.allowed_by.empty()) {
    std::cout << "  allowed by:";
    for (const auto& id : d.allowed_by) std::cout << " " << id;
    std::cout << "\n";
  }
  auto print = [](const char* label, const std::vector<policy::Violation>& list) {
    for (const auto& v : list) {
      std::cout << "  " << label << " [" << v.rule_id << "] " << v.title << " (" << v.policy_file
                << ")\n    why: " << v.message << "\n";
      if (!v.field.empty())
        std::cout << "    field: " << v.field << " = " << v.found << "; allowed: " << v.allowed
                  << "\n";
      if (!v.how_to_comply.empty()) std::cout << "    to comply: " << v.how_to_comply << "\n";
    }
  };
  print("violation", d.violations);
  print("warning", d.warnings);
  print("audit", d.audit_only);
  for (const auto& e : d.exceptions_applied) std::cout << "  exception: " << e << "\n";
  for (const auto& m : d.mutations) {
    std::cout << "  mutation [" << m.rule_id << "] (" << m.policy_file << "): " << m.field << ": "
              << m.before << " -> " << m.after << "\n";
  }
}

const char* kExplainUsage =
    "usage: dockgate policy explain --tool TOOL --arguments JSON --policy FILE [--policy FILE...]\n"
    "                               [--principal NAME] [--role ROLE...] [--image-user USER]\n"
    "  Prints the decision for one call without an engine. --image-user is the image's\n"
    "  configured User (docker_run); without it the image's facts are absent, as for an image\n"
    "  the engine does not have.\n";

}  // namespace

int check_policies(const std::vector<std::string>& args) {
  if (args.empty()) {
    std::cerr << "usage: dockgate policy check FILE|DIR...\n";
    return 2;
  }
  int problems = 0;
  const auto files = policy_files(args, problems);
  if (files.empty()) {
    std::cout << "no policy files (*.yaml) found\n";
    return 1;
  }
  // Each file on its own first, so that one broken file does not hide another's errors.
  for (const auto& file : files) {
    auto policy = policy::PolicySet::load({file});
    if (!policy) {
      std::cout << policy.error().message << "\n";
      problems += static_cast<int>(line_count(policy.error().message));
    }
  }
  if (problems == 0) {
    // Then together, as dockgate serve composes them (duplicate ids across files).
    auto composed = policy::PolicySet::load(files);
    if (!composed) {
      std::cout << composed.error().message << "\n";
      problems += static_cast<int>(line_count(composed.error().message));
    } else {
      std::cout << "ok: " << (*composed)->rules().size() << " rules in " << files.size()
                << " file(s), sha256 " << (*composed)->sha256() << "\n";
      return 0;
    }
  }
  std::cout << problems << " error(s) in " << files.size() << " file(s)\n";
  return 1;
}

int explain_policy_call(const std::vector<std::string>& args) {
  std::string tool_name, arguments_text, image_user;
  bool has_image_user = false;
  std::vector<std::string> policy_paths;
  auth::Principal principal{"policy-explain", {}};
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& flag = args[i];
    if (flag == "--help" || flag == "-h") {
      std::cout << kExplainUsage;
      return 0;
    }
    if (i + 1 >= args.size()) {
      std::cerr << "dockgate policy explain: " << flag << " needs a value\n" << kExplainUsage;
      return 2;
    }
    const std::string& value = args[++i];
    if (flag == "--tool") {
      tool_name = value;
    } else if (flag == "--arguments") {
      arguments_text = value;
    } else if (flag == "--policy") {
      policy_paths.push_back(value);
    } else if (flag == "--principal") {
      principal.name = value;
    } else if (flag == "--role") {
      principal.roles.push_back(value);
    } else if (flag == "--image-user") {
      image_user = value;
      has_image_user = true;
    } else {
      std::cerr << "dockgate policy explain: unknown option '" << flag << "'\n" << kExplainUsage;
      return 2;
    }
  }
  if (tool_name.empty() || policy_paths.empty()) {
    std::cerr << "dockgate policy explain: --tool and --policy are required\n" << kExplainUsage;
    return 2;
  }
  auto policy = policy::PolicySet::load(policy_paths);
  if (!policy) {
    std::cout << "the policy does not load:\n" << policy.error().message << "\n";
    return 2;
  }
  const json arguments =
      arguments_text.empty() ? json::object() : json::parse(arguments_text, nullptr, false);
  if (arguments.is_discarded() || !arguments.is_object()) {
    std::cerr << "dockgate policy explain: --arguments must be a JSON object, e.g. "
                 "'{\"image\": \"busybox\"}'\n";
    return 2;
  }
  const auto registry = tools::ToolRegistry::with_builtin_tools();
  const tools::Tool* tool = registry.find(tool_name);
  if (tool == nullptr) {
    std::cout << tool_name << ": refused: unknown tool\n";
    return 1;
  }
  auto action = tools::plan_call(*tool, arguments);
  if (!action) {
    std::cout << tool_name << ": refused before the policy: " << action.error().message << "\n";
    return 1;
  }
  actions::Facts facts;
  if (const auto* run = std::get_if<actions::RunContainer>(&*action)) {
    if (has_image_user) facts.image = actions::ImageFacts{true, "", image_user};
    // As the real facts lookup does for a local engine: binds resolved on this host.
    for (const auto& mount : run->spec.mounts) {
      if (mount.source.empty() || mount.source[0] != '/') continue;
      std::error_code ec;
      const auto canonical = std::filesystem::weakly_canonical(mount.source, ec);
      if (!ec) facts.canonical_paths[mount.source] = canonical.string();
    }
  }
  const auto decision = (*policy)->judge(
      policy::JudgeInput{tool_name, *action, facts, principal, std::chrono::system_clock::now()});
  std::cout << "operation: " << actions::operation_name(*action) << "\n";
  print_decision(tool_name, decision);
  return decision.allowed ? 0 : 1;
}

}  // namespace dockgate::cli
