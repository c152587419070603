// `dockgate policy test`: YAML test cases for policy files, in the spirit of `kyverno test`
// and `opa test`. A case is a tool name, the action's fields as the tool would plan them, a
// principal, facts and the expected decision. See docs/policy.md ("Testing policies").
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "actions/action.hpp"
#include "auth/principal.hpp"
#include "common/result.hpp"

namespace dockgate::cli {

struct PolicyTestCase {
  std::string name;
  std::string tool;
  actions::Action action;
  actions::Facts facts;
  auth::Principal principal;
  std::chrono::system_clock::time_point now;
  bool expect_allow = false;
  std::optional<std::vector<std::string>> rules;      // expected violation rule ids (a set)
  std::optional<std::vector<std::string>> warnings;   // expected warning rule ids (a set)
  std::optional<std::vector<std::string>> mutations;  // expected "rule:field" changes (a set)
  int line = 0;
};

struct PolicyTestFile {
  std::string path;
  std::vector<std::string> policies;  // resolved against the test file's folder
  std::vector<PolicyTestCase> cases;
};

// Reads one case file; every problem is reported with file:line:col.
Result<PolicyTestFile> read_policy_test_file(const std::string& path);

// Runs every *.yaml under the folder (sorted); prints failures and "N passed, M failed".
int run_policy_tests(const std::vector<std::string>& args);

}  // namespace dockgate::cli
