// `dockgate policy test DIR|FILE...`: runs policy test cases and prints one line per failing
// case and a final "N passed, M failed" line; the exit code is non-zero on any failure or
// unreadable file, so CI can gate policy changes on it.
#include <algorithm>
#include <filesystem>
#include <iostream>
#include <set>

#include "cli/policy_test_cases.hpp"
#include "policy/policy.hpp"

namespace dockgate::cli {
namespace {

std::set<std::string> ids(const std::vector<policy::Violation>& violations) {
  std::set<std::string> out;
  for (const auto& v : violations) out.insert(v.rule_id);
  return out;
}

std::string text(const std::set<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ", ") + i;
  return "[" + out + "]";
}

std::string details(const policy::Decision& d) {
  std::string out;
  for (const auto& v : d.violations) {
    out += "\n      " + v.rule_id;
    if (!v.field.empty()) out += ": " + v.field + " = " + v.found + " (allowed: " + v.allowed + ")";
  }
  return out;
}

// Empty: the case passed; otherwise why not.
std::string judge(const PolicyTestCase& test, const policy::Decision& d) {
  if (d.allowed != test.expect_allow) {
    return std::string("expected ") + (test.expect_allow ? "allow" : "deny") + ", got " +
           (d.allowed ? "allow" : "deny " + text(ids(d.violations))) + details(d);
  }
  if (test.rules) {
    const std::set<std::string> expected(test.rules->begin(), test.rules->end());
    if (expected != ids(d.violations))
      return "expected violations of " + text(expected) + ", got " + text(ids(d.violations)) +
             details(d);
  }
  if (test.warnings) {
    const std::set<std::string> expected(test.warnings->begin(), test.warnings->end());
    if (expected != ids(d.warnings))
      return "expected warnings of " + text(expected) + ", got " + text(ids(d.warnings));
  }
  if (test.mutations) {
    const std::set<std::string> expected(test.mutations->begin(), test.mutations->end());
    // "rule:field" names a change; "rule:field=value" also says what it set.
    std::set<std::string> got;
    for (const auto& m : d.mutations) {
      const std::string change = m.rule_id + ":" + m.field;
      const std::string with_value = change + "=" + m.after;
      got.insert(expected.contains(with_value) ? with_value : change);
    }
    if (expected != got) {
      std::set<std::string> made;  // with the values, so that the difference is visible
      for (const auto& m : d.mutations) made.insert(m.rule_id + ":" + m.field + "=" + m.after);
      return "expected mutations " + text(expected) + ", got " + text(made);
    }
  }
  return "";
}

std::vector<std::string> case_files(const std::vector<std::string>& args, std::string& error) {
  std::vector<std::string> files;
  for (const auto& arg : args) {
    std::error_code ec;
    if (std::filesystem::is_directory(arg, ec)) {
      for (const auto& entry : std::filesystem::directory_iterator(arg, ec)) {
        const auto ext = entry.path().extension();
        if (entry.is_regular_file() && (ext == ".yaml" || ext == ".yml"))
          files.push_back(entry.path().string());
      }
      if (ec) error += arg + ": cannot list the folder: " + ec.message() + "\n";
    } else if (std::filesystem::is_regular_file(arg, ec)) {
      files.push_back(arg);
    } else {
      error += arg + ": no such test file or folder\n";
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

int run_policy_tests(const std::vector<std::string>& args) {
  if (args.empty()) {
    std::cerr << "usage: dockgate policy test DIR|FILE...\n";
    return 2;
  }
  std::string error;
  const auto files = case_files(args, error);
  int passed = 0, failed = 0;
  if (!error.empty()) {
    std::cout << error;
    ++failed;
  }
  if (files.empty() && error.empty()) {
    std::cout << "no test files (*.yaml) found\n";
    ++failed;
  }
  for (const auto& path : files) {
    auto file = read_policy_test_file(path);
    if (!file) {
      std::cout << "ERROR " << file.error().message << "\n";
      ++failed;
      continue;
    }
    auto policy = policy::PolicySet::load(file->policies);
    if (!policy) {
      std::cout << "ERROR " << path << ": the policy does not load:\n"
                << policy.error().message << "\n";
      failed += static_cast<int>(file->cases.size());
      continue;
    }
    for (const auto& test : file->cases) {
      actions::Action action = test.action;  // mutate rules change the copy, as in a call
      const auto decision = (*policy)->judge(
          policy::JudgeInput{test.tool, action, test.facts, test.principal, test.now});
      if (auto why = judge(test, decision); !why.empty()) {
        std::cout << "FAIL " << path << ":" << test.line << ": " << test.name << ": " << why
                  << "\n";
        ++failed;
      } else {
        ++passed;
      }
    }
  }
  std::cout << passed << " passed, " << failed << " failed\n";
  return failed == 0 ? 0 : 1;
}

}  // namespace dockgate::cli
