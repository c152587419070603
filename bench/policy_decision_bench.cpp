// How long one decision takes under the shipped default policy: a docker_run of tools.md's
// scenario 5 (allowed) and a hostile one (denied with every violation listed).
//   cmake --build build-release --target dockgate_policy_bench &&
//   build-release/bench/dockgate_policy_bench
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <iostream>

#include "policy/policy.hpp"
#include "tools/tool.hpp"

namespace {

using nlohmann::json;
using namespace dockgate;

std::shared_ptr<const policy::PolicySet> default_policy() {
  auto policy = policy::PolicySet::load({DOCKGATE_SOURCE_DIR "/policies/default.yaml"});
  if (!policy) {
    std::cerr << policy.error().message << "\n";
    std::abort();
  }
  return *policy;
}

actions::Action planned(const json& arguments) {
  static const auto registry = tools::ToolRegistry::with_builtin_tools();
  const tools::Tool* run = registry.find("docker_run");
  if (run == nullptr) std::abort();
  auto action = tools::plan_call(*run, arguments);
  if (!action) {
    std::cerr << action.error().message << "\n";
    std::abort();
  }
  return *action;
}

void decide(benchmark::State& state, const json& arguments) {
  const auto policy = default_policy();
  const actions::Action action = planned(arguments);
  actions::Facts facts;
  facts.image = actions::ImageFacts{true, "sha256:0", "1000:1000"};
  const auth::Principal who{"alice", {"developer"}};
  const auto now = std::chrono::system_clock::now();
  // As a call does: mutate rules change a fresh copy of the planned action, then it is judged.
  for (auto _ : state) {
    actions::Action copy = action;
    auto decision = policy->judge({"docker_run", copy, facts, who, now});
    benchmark::DoNotOptimize(decision);
  }
}

void BM_DockerRunDecisionAllowed(benchmark::State& state) {
  decide(state, {{"image", "postgres:13"},
                 {"name", "db"},
                 {"env", {"POSTGRES_PASSWORD_FILE=/run/secrets/db"}},
                 {"volumes", {"db-data:/var/lib/postgresql/data"}},
                 {"network", "app-network"},
                 {"memory", "512m"},
                 {"cpus", "0.5"},
                 {"user", "1000:1000"},
                 {"cap_drop", {"ALL"}},
                 {"cap_add", {"NET_BIND_SERVICE"}},
                 {"ports", {"127.0.0.1:8080:8080"}},
                 {"read_only", true},
                 {"pids_limit", 100},
                 {"security_opt", {"no-new-privileges"}}});
}
BENCHMARK(BM_DockerRunDecisionAllowed);

void BM_DockerRunDecisionDeniedEverywhere(benchmark::State& state) {
  decide(state, {{"image", "nginx"},
                 {"privileged", true},
                 {"user", "root"},
                 {"cap_add", {"SYS_ADMIN", "ALL"}},
                 {"volumes", {"/var/run/docker.sock:/var/run/docker.sock", "/:/host"}},
                 {"network", "host"},
                 {"pid", "host"},
                 {"security_opt", {"seccomp=unconfined"}}});
}
BENCHMARK(BM_DockerRunDecisionDeniedEverywhere);

}  // namespace

BENCHMARK_MAIN();
